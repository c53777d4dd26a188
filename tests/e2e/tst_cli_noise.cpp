// `--noise FILE` on the command line: the demo with a rule ignoring $.locale (what greeter v2
// adds on /users/{id}) reports no body mismatch beyond the 5xx answers, lists the rules in force
// in the report, and a bad rules file stops `demo` and `proxy` with exit 2 and a message naming
// the file and the bad entry, before anything is served or written.
#include "childprocess.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using TestSupport::Child;

namespace {

using TestSupport::Run;

Run runToEnd(const QStringList &args, int timeoutMs = 60000)
{
    return TestSupport::runToEnd(args, timeoutMs);
}

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// The counted (not noisy) body fields of the report's v1 x v2 pairing, by path.
QStringList countedFields(const QJsonObject &report)
{
    QStringList paths;
    const QJsonArray fields = report.value(QLatin1String("pairing"))
                                  .toObject()
                                  .value(QLatin1String("topFields"))
                                  .toArray();
    for (const QJsonValue &v : fields) {
        const QJsonObject f = v.toObject();
        if (!f.value(QLatin1String("noisy")).toBool())
            paths << f.value(QLatin1String("path")).toString();
    }
    return paths;
}

} // namespace

class TestCliNoise : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QStringList demoArgs(const QString &report) const
    {
        return {
            QStringLiteral("demo"),        QStringLiteral("--duration"), QStringLiteral("2"),
            QStringLiteral("--rate"),      QStringLiteral("60"),         QStringLiteral("--listen"),
            QStringLiteral("127.0.0.1:0"), QStringLiteral("--report"),   report};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(MIRRORSCOPE_BINARY)), MIRRORSCOPE_BINARY);
    }

    void demoWithNoiseCountsNoLocaleDifference()
    {
        // Without rules, greeter v2's "locale" is a counted body difference: the check below
        // can fail.
        const QString plain = m_dir.filePath(QStringLiteral("plain.json"));
        const Run control = runToEnd(demoArgs(plain));
        QVERIFY2(control.exitCode == 0, qPrintable(control.all));
        const QJsonObject c = readJson(plain);
        QVERIFY2(countedFields(c).contains(QStringLiteral("$.locale")),
                 qPrintable(QJsonDocument(c.value(QLatin1String("pairing")).toObject())
                                .toJson(QJsonDocument::Compact)));

        // $.time is the greeters' clock: it differs in every pair, and learned noise only
        // catches it after the first repeat, so the rules name it too.
        const QString noise = m_dir.filePath(QStringLiteral("noise.json"));
        QVERIFY(writeFile(noise, "{\"jsonPaths\": [\"$.time\"], \"endpoints\": "
                                 "{\"/users/{id}\": {\"jsonPaths\": [\"$.locale\"]}}}"));
        const QString report = m_dir.filePath(QStringLiteral("report.json"));
        const Run r = runToEnd(demoArgs(report) << QStringLiteral("--noise") << noise);
        QCOMPARE(r.exitStatus, QProcess::NormalExit);
        QVERIFY2(r.exitCode == 0, qPrintable(r.all));
        const QJsonObject j = readJson(report);
        QVERIFY2(!j.isEmpty(), qPrintable(r.all));
        const QJsonObject pairing = j.value(QLatin1String("pairing")).toObject();
        const QJsonObject mismatches = pairing.value(QLatin1String("mismatches")).toObject();
        const QString pairingText =
            QString::fromUtf8(QJsonDocument(pairing).toJson(QJsonDocument::Compact));
        QVERIFY2(pairing.value(QLatin1String("compared")).toDouble() > 0, qPrintable(pairingText));
        // The only body differences left come with a status difference (v2's 5xx answers).
        QVERIFY2(mismatches.value(QLatin1String("body")).toDouble() <=
                     mismatches.value(QLatin1String("status")).toDouble(),
                 qPrintable(pairingText));
        QVERIFY2(!countedFields(j).contains(QStringLiteral("$.locale")), qPrintable(pairingText));
        QVERIFY2(!countedFields(j).contains(QStringLiteral("$.time")), qPrintable(pairingText));

        // The rules in force, in the --noise format: the file's and the demo's own.
        const QJsonObject rules = j.value(QLatin1String("noiseRules")).toObject();
        QVERIFY(rules.value(QLatin1String("jsonPaths"))
                    .toArray()
                    .contains(QJsonValue(QStringLiteral("$.time"))));
        QVERIFY(rules.value(QLatin1String("jsonPaths"))
                    .toArray()
                    .contains(QJsonValue(QStringLiteral("$.version"))));
        QCOMPARE(rules.value(QLatin1String("endpoints"))
                     .toObject()
                     .value(QLatin1String("/users/{id}"))
                     .toObject()
                     .value(QLatin1String("jsonPaths"))
                     .toArray(),
                 QJsonArray{QStringLiteral("$.locale")});
    }

    void badNoiseFileExitsTwoNamingFileAndEntry()
    {
        const QString bad = m_dir.filePath(QStringLiteral("bad-noise.json"));
        // Plain strings: moc misreads a raw string holding an unbalanced '['.
        QVERIFY(writeFile(bad, "{\"headers\": [\"x-ok\"], \"endpoints\": "
                               "{\"GET /a\": {\"jsonPaths\": [\"$.b\", \"$.a[\"]}}}"));
        const QString report = m_dir.filePath(QStringLiteral("never.json"));
        const Run demo = runToEnd(demoArgs(report) << QStringLiteral("--noise") << bad);
        QCOMPARE(demo.exitStatus, QProcess::NormalExit);
        QVERIFY2(demo.exitCode == 2, qPrintable(demo.all));
        QVERIFY2(demo.err.contains(bad.toUtf8()), qPrintable(demo.all));
        QVERIFY2(demo.err.contains("endpoints['GET /a'].jsonPaths[1]: '$.a[': unterminated '['"),
                 qPrintable(demo.all));
        QVERIFY(!demo.all.contains(QLatin1String("proxy on http")));
        QVERIFY(!QFile::exists(report));

        // Not JSON, and a file that is not there: `proxy` says so too, before reading the YAML.
        const QString notJson = m_dir.filePath(QStringLiteral("not-json.json"));
        QVERIFY(writeFile(notJson, "headers: [x-a]\n"));
        const Run proxy = runToEnd({QStringLiteral("proxy"), QStringLiteral("--noise"), notJson,
                                    QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                    m_dir.filePath(QStringLiteral("absent.yaml"))});
        QVERIFY2(proxy.exitCode == 2, qPrintable(proxy.all));
        QVERIFY2(proxy.err.contains(notJson.toUtf8() + ": not JSON"), qPrintable(proxy.all));
        const QString missing = m_dir.filePath(QStringLiteral("missing.json"));
        const Run gone = runToEnd({QStringLiteral("demo"), QStringLiteral("--noise"), missing});
        QVERIFY2(gone.exitCode == 2, qPrintable(gone.all));
        QVERIFY2(gone.err.contains(missing.toUtf8()), qPrintable(gone.all));
    }
};

QTEST_MAIN(TestCliNoise)
#include "tst_cli_noise.moc"
