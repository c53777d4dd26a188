// `--har` / `--jsonl` / `--csv` / `--no-mask` as a user runs them: the real executable, the files
// it writes while running and completes at exit (end of --duration, SIGINT, SIGTERM), secrets
// masked unless asked otherwise (and always in the --report), the report's counts and examples
// matching the exports, and unwritable paths refused before anything listens.
#include "childprocess.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace TestSupport;

namespace {

const QByteArray bullets = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2";

QString greeterExample()
{
    return QStringLiteral(MIRRORSCOPE_SOURCE_DIR "/resources/examples/greeter-mirror.yaml");
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QJsonArray harEntries(const QByteArray &bytes, QString *problem)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError) {
        *problem =
            QStringLiteral("HAR is not JSON: %1 at %2").arg(error.errorString()).arg(error.offset);
        return {};
    }
    const QJsonObject log = doc.object().value(QLatin1String("log")).toObject();
    if (log.value(QLatin1String("version")).toString() != QLatin1String("1.2") ||
        !log.value(QLatin1String("creator")).isObject() ||
        !log.value(QLatin1String("entries")).isArray())
        *problem = QStringLiteral("HAR log lacks version 1.2, creator or entries");
    const QJsonArray entries = log.value(QLatin1String("entries")).toArray();
    for (const QJsonValue &v : entries) {
        const QJsonObject e = v.toObject();
        for (const char *key : {"startedDateTime", "_requestId", "_leg", "_outcome"}) {
            if (!e.value(QLatin1String(key)).isString())
                *problem = QStringLiteral("an entry lacks %1").arg(QLatin1String(key));
        }
        if (!e.value(QLatin1String("time")).isDouble())
            *problem = QStringLiteral("an entry lacks a numeric time");
        for (const char *key : {"request", "response", "cache", "timings"}) {
            if (!e.value(QLatin1String(key)).isObject())
                *problem = QStringLiteral("an entry lacks %1").arg(QLatin1String(key));
        }
        if (!e.value(QLatin1String("response"))
                 .toObject()
                 .value(QLatin1String("status"))
                 .isDouble())
            *problem = QStringLiteral("an entry's response has no numeric status");
    }
    return entries;
}

// CSV records (RFC 4180; quoted fields may hold commas, quotes and line breaks).
QList<QStringList> csvRecords(const QByteArray &text, bool *ok)
{
    QList<QStringList> records;
    QStringList record;
    QByteArray field;
    bool quoted = false;
    *ok = true;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text.at(i);
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text.at(i + 1) == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            record << QString::fromUtf8(field);
            field.clear();
        } else if (c == '\r' && i + 1 < text.size() && text.at(i + 1) == '\n') {
            record << QString::fromUtf8(field);
            field.clear();
            records << record;
            record.clear();
            ++i;
        } else if (c == '\n' || c == '\r') {
            *ok = false; // a bare line break outside quotes
        } else {
            field += c;
        }
    }
    *ok = *ok && !quoted && record.isEmpty() && field.isEmpty();
    return records;
}

} // namespace

class TestCliExports : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(MIRRORSCOPE_BINARY)), MIRRORSCOPE_BINARY);
    }

    void demoWritesAllThreeFormats()
    {
        const QString har = m_dir.filePath(QStringLiteral("demo.har"));
        const QString jsonl = m_dir.filePath(QStringLiteral("demo.jsonl"));
        const QString csv = m_dir.filePath(QStringLiteral("demo.csv"));
        const QString report = m_dir.filePath(QStringLiteral("demo-report.json"));
        Child demo;
        QVERIFY(demo.start({QStringLiteral("demo"), QStringLiteral("--duration"),
                            QStringLiteral("2"), QStringLiteral("--rate"), QStringLiteral("50"),
                            QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                            QStringLiteral("--har"), har, QStringLiteral("--jsonl"), jsonl,
                            QStringLiteral("--csv"), csv, QStringLiteral("--report"), report}));
        QVERIFY2(demo.waitForExit(), qPrintable(demo.all()));
        QVERIFY2(demo.exitedCleanly(), qPrintable(demo.all()));
        QVERIFY2(demo.out.contains("har written to " + har.toUtf8()), qPrintable(demo.all()));
        QVERIFY2(demo.out.contains("csv written to"), qPrintable(demo.all()));
        QVERIFY2(demo.out.contains("jsonl written to"), qPrintable(demo.all()));

        // HAR: valid, and every request id has exactly one primary entry followed by its mirror.
        QString problem;
        const QJsonArray entries = harEntries(readFile(har), &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY2(entries.size() > 20, qPrintable(demo.all())); // ~100 requests in 2 s
        QHash<QString, int> primaries, mirrors;
        QString previous;
        for (const QJsonValue &v : entries) {
            const QJsonObject e = v.toObject();
            const QString id = e.value(QLatin1String("_requestId")).toString();
            QVERIFY(!id.isEmpty());
            if (e.value(QLatin1String("_leg")).toString() == QLatin1String("primary")) {
                ++primaries[id];
                previous = id;
            } else {
                QCOMPARE(e.value(QLatin1String("_leg")).toString(), QStringLiteral("mirror"));
                QCOMPARE(id, previous); // a mirror follows its own primary
                QVERIFY(e.value(QLatin1String("_destination"))
                            .toString()
                            .endsWith(QLatin1String(":v2")));
                ++mirrors[id];
            }
        }
        for (auto it = primaries.cbegin(); it != primaries.cend(); ++it) {
            QCOMPARE(it.value(), 1);
            QCOMPARE(mirrors.value(it.key()), 1); // the greeter mirrors every request once
        }
        QCOMPARE(mirrors.size(), primaries.size());

        // JSON Lines: one parsable object per exchange, the same request ids.
        const QList<QByteArray> lines = readFile(jsonl).trimmed().split('\n');
        QCOMPARE(lines.size(), primaries.size());
        QSet<QString> jsonlIds;
        for (const QByteArray &line : lines) {
            QJsonParseError error;
            const QJsonObject o = QJsonDocument::fromJson(line, &error).object();
            QVERIFY2(error.error == QJsonParseError::NoError, line.constData());
            jsonlIds.insert(o.value(QLatin1String("requestId")).toString());
            QCOMPARE(o.value(QLatin1String("mirrors")).toArray().size(), 1);
        }
        QCOMPARE(jsonlIds, QSet<QString>(primaries.keyBegin(), primaries.keyEnd()));

        // CSV: a header row, one row per exchange, every row as wide as the header.
        bool ok = false;
        const QList<QStringList> rows = csvRecords(readFile(csv), &ok);
        QVERIFY(ok);
        QCOMPARE(rows.size(), primaries.size() + 1);
        QCOMPARE(rows.at(0).at(0), QStringLiteral("time"));
        const int idColumn = int(rows.at(0).indexOf(QStringLiteral("request_id")));
        const int statusColumn = int(rows.at(0).indexOf(QStringLiteral("primary_status")));
        QVERIFY(idColumn >= 0 && statusColumn >= 0);
        for (qsizetype i = 1; i < rows.size(); ++i) {
            QCOMPARE(rows.at(i).size(), rows.at(0).size());
            QVERIFY(primaries.contains(rows.at(i).at(idColumn)));
            const int status = rows.at(i).at(statusColumn).toInt();
            QVERIFY2(status >= 200 && status < 500, qPrintable(rows.at(i).join(QLatin1Char(','))));
        }

        // The report describes the same run: as many exchanges as exported, and every example
        // of a differing field is a request the exports hold (so a person can look it up).
        const QJsonObject r = QJsonDocument::fromJson(readFile(report)).object();
        QCOMPARE(
            r.value(QLatin1String("summary")).toObject().value(QLatin1String("exchanges")).toInt(),
            int(primaries.size()));
        const QJsonArray fields = r.value(QLatin1String("pairing"))
                                      .toObject()
                                      .value(QLatin1String("topFields"))
                                      .toArray();
        QVERIFY2(!fields.isEmpty(), qPrintable(demo.all()));
        for (const QJsonValue &f : fields) {
            const QString id = f.toObject()
                                   .value(QLatin1String("example"))
                                   .toObject()
                                   .value(QLatin1String("requestId"))
                                   .toString();
            QVERIFY2(primaries.contains(id), qPrintable(id));
        }
    }

    void proxyMasksSecretsUnlessNoMask_data()
    {
        QTest::addColumn<bool>("noMask");
        QTest::newRow("masked by default") << false;
        QTest::newRow("--no-mask") << true;
    }

    void proxyMasksSecretsUnlessNoMask()
    {
        QFETCH(bool, noMask);
        TestBackend v1("v1");
        TestBackend v2("v2");
        v1.responseHeaders = {{"set-cookie", "sid=s3cr3t-v1-sid; Path=/; HttpOnly"}};
        v2.responseHeaders = {{"set-cookie", "sid=s3cr3t-v2-sid; Path=/"}};
        QVERIFY(v1.start());
        QVERIFY(v2.start());
        const QString har = m_dir.filePath(QStringLiteral("proxy-%1.har").arg(noMask));
        const QString jsonl = m_dir.filePath(QStringLiteral("proxy-%1.jsonl").arg(noMask));
        const QString report = m_dir.filePath(QStringLiteral("proxy-%1.json").arg(noMask));
        QStringList args{
            QStringLiteral("proxy"),      greeterExample(),
            QStringLiteral("--bind"),     QStringLiteral("greeter-service:v1=") + v1.endpoint(),
            QStringLiteral("--bind"),     QStringLiteral("greeter-service:v2=") + v2.endpoint(),
            QStringLiteral("--listen"),   QStringLiteral("127.0.0.1:0"),
            QStringLiteral("--interval"), QStringLiteral("1"),
            QStringLiteral("--har"),      har,
            QStringLiteral("--jsonl"),    jsonl,
            QStringLiteral("--report"),   report};
        if (noMask)
            args << QStringLiteral("--no-mask");
        Child proxy;
        QVERIFY(proxy.start(args));
        const quint16 port = proxy.waitForListenPort();
        QVERIFY2(port != 0, qPrintable(proxy.all()));

        TestClient client;
        QVERIFY(client.connectTo(port));
        client.get("/hello", "greeter-service",
                   "authorization: Bearer s3cr3t-token\r\n"
                   "cookie: session=s3cr3t-session; theme=dark\r\n");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 200);
        QVERIFY(runUntil([&] { return v2.completed() == 1; }, 10000));
        client.socket.disconnectFromHost();
        // Stop once the exchange (both legs) is recorded, or it would be cut off by the stop.
        QVERIFY2(runUntil([&] { return proxy.out.contains("v2 (mirror) 1"); }, 10000),
                 qPrintable(proxy.all()));
        proxy.process.terminate(); // SIGTERM: exports completed on the way out
        QVERIFY2(proxy.waitForExit(), qPrintable(proxy.all()));
        QVERIFY2(proxy.exitedCleanly(), qPrintable(proxy.all()));

        const QByteArray harBytes = readFile(har);
        QString problem;
        const QJsonArray entries = harEntries(harBytes, &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(entries.size(), 2);
        const QByteArray jsonlBytes = readFile(jsonl);
        QCOMPARE(jsonlBytes.count('\n'), 1);
        for (const QByteArray &text : {harBytes, jsonlBytes}) {
            if (noMask) {
                QVERIFY(text.contains("Bearer s3cr3t-token"));
                QVERIFY(text.contains("session=s3cr3t-session"));
                QVERIFY(text.contains("sid=s3cr3t-v1-sid"));
                QVERIFY(text.contains("sid=s3cr3t-v2-sid"));
            } else {
                QVERIFY2(!text.contains("s3cr3t"), text.constData());
                QVERIFY(text.contains("Bearer " + bullets));
                QVERIFY(text.contains("session=" + bullets + "; theme=" + bullets));
                QVERIFY(text.contains("sid=" + bullets + "; Path=/; HttpOnly"));
            }
        }
        // The report names the differing Set-Cookie with an example pair, masked either way:
        // --no-mask is for the exports a person asked for, the summary is shared more widely.
        const QByteArray reportBytes = readFile(report);
        QVERIFY2(reportBytes.contains("\"set-cookie\""), reportBytes.constData());
        QVERIFY2(!reportBytes.contains("s3cr3t"), reportBytes.constData());
        QVERIFY(reportBytes.contains("sid=" + bullets + "; Path=/; HttpOnly"));
    }

    void sigintCompletesAFileThatGrewWhileRunning()
    {
        const QString har = m_dir.filePath(QStringLiteral("sigint.har"));
        Child demo;
        QVERIFY(
            demo.start({QStringLiteral("demo"), QStringLiteral("--duration"), QStringLiteral("0"),
                        QStringLiteral("--rate"), QStringLiteral("50"), QStringLiteral("--listen"),
                        QStringLiteral("127.0.0.1:0"), QStringLiteral("--har"), har}));
        QVERIFY2(demo.waitForListenPort() != 0, qPrintable(demo.all()));
        // Entries reach the file while the run goes on (streaming), not only at exit.
        QVERIFY2(runUntil([&] { return readFile(har).count("\"_requestId\"") >= 10; }, 20000),
                 qPrintable(demo.all()));
        QCOMPARE(demo.process.state(), QProcess::Running);
        QVERIFY(QJsonDocument::fromJson(readFile(har)).isNull()); // not completed yet
        ::kill(pid_t(demo.process.processId()), SIGINT);          // Ctrl-C, to the child we started
        QVERIFY2(demo.waitForExit(), qPrintable(demo.all()));
        QVERIFY2(demo.exitedCleanly(), qPrintable(demo.all()));
        QString problem;
        const QJsonArray entries = harEntries(readFile(har), &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY(entries.size() >= 10);
    }

    void unwritableExportIsRefusedBeforeListening_data()
    {
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("command");
        QTest::newRow("demo --har") << QStringLiteral("--har") << QStringLiteral("demo");
        QTest::newRow("demo --jsonl") << QStringLiteral("--jsonl") << QStringLiteral("demo");
        QTest::newRow("proxy --csv") << QStringLiteral("--csv") << QStringLiteral("proxy");
    }

    void unwritableExportIsRefusedBeforeListening()
    {
        QFETCH(QString, option);
        QFETCH(QString, command);
        const QString bad = m_dir.filePath(QStringLiteral("no-such-dir/run.out"));
        QStringList args{command};
        if (command == QLatin1String("proxy"))
            args << greeterExample() << QStringLiteral("--bind")
                 << QStringLiteral("greeter-service:v1=127.0.0.1:1");
        args << QStringLiteral("--listen") << QStringLiteral("127.0.0.1:0")
             << QStringLiteral("--duration") << QStringLiteral("1") << option << bad;
        Child c;
        QVERIFY(c.start(args));
        QVERIFY(c.waitForExit());
        QCOMPARE(c.process.exitStatus(), QProcess::NormalExit);
        QVERIFY2(c.process.exitCode() == 2, qPrintable(c.all()));
        QVERIFY2(c.err.contains(bad.toUtf8()), qPrintable(c.all()));
        QVERIFY2(c.err.contains(option.toUtf8()), qPrintable(c.all()));
        QVERIFY2(!c.out.contains("http://"), qPrintable(c.all())); // nothing listened
    }

    void twoExportsToOneFileAreRefused()
    {
        const QString same = m_dir.filePath(QStringLiteral("same.out"));
        Child c;
        QVERIFY(c.start({QStringLiteral("demo"), QStringLiteral("--listen"),
                         QStringLiteral("127.0.0.1:0"), QStringLiteral("--duration"),
                         QStringLiteral("1"), QStringLiteral("--har"), same,
                         QStringLiteral("--csv"), same}));
        QVERIFY(c.waitForExit());
        QVERIFY2(c.process.exitCode() == 2, qPrintable(c.all()));
        QVERIFY2(c.err.contains("--har"), qPrintable(c.all()));
        QVERIFY(!QFile::exists(same)); // the first file opened is removed again
    }

    void helpNamesTheOptions()
    {
        for (const QString &command : {QStringLiteral("demo"), QStringLiteral("proxy")}) {
            Child c;
            QVERIFY(c.start({command, QStringLiteral("--help")}));
            QVERIFY(c.waitForExit());
            QCOMPARE(c.process.exitCode(), 0);
            for (const char *option :
                 {"--har <FILE>", "--jsonl <FILE>", "--csv <FILE>", "--no-mask"})
                QVERIFY2(c.out.contains(option), qPrintable(command + QLatin1Char(' ') + c.all()));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliExports)
#include "tst_cli_exports.moc"
