// `mirrorscope validate` as a user runs it: the real executable, real files, exit codes and the
// text a terminal or a CI log shows.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run
{
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    QByteArray out;
    QByteArray err;
    QString all() const { return QString::fromUtf8(out + err); }
};

Run runMirrorscope(const QStringList &args,
                   const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(MIRRORSCOPE_BINARY), args);
    Run r;
    if (!p.waitForStarted(10000))
        return r;
    p.closeWriteChannel();
    if (!p.waitForFinished(60000)) {
        p.kill(); // only the child we started
        p.waitForFinished(5000);
        return r;
    }
    r.exitCode = p.exitCode();
    r.exitStatus = p.exitStatus();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString greeterExample()
{
    return QStringLiteral(MIRRORSCOPE_SOURCE_DIR "/resources/examples/greeter-mirror.yaml");
}

// A VirtualService routing greeter-service to `routeSubset` and mirroring to `mirrorSubset`.
QByteArray greeterVs(const QByteArray &routeSubset = "v1", const QByteArray &mirrorSubset = "v2")
{
    return "apiVersion: networking.istio.io/v1\n"
           "kind: VirtualService\n"
           "metadata:\n"
           "  name: greeter\n"
           "spec:\n"
           "  hosts:\n"
           "  - greeter-service\n"
           "  http:\n"
           "  - route:\n"
           "    - destination:\n"
           "        host: greeter-service\n"
           "        subset: " +
           routeSubset +
           "\n"
           "    mirror:\n"
           "      host: greeter-service\n"
           "      subset: " +
           mirrorSubset + "\n";
}

QByteArray greeterDr(const QList<QByteArray> &subsets)
{
    QByteArray y = "apiVersion: networking.istio.io/v1\n"
                   "kind: DestinationRule\n"
                   "metadata:\n"
                   "  name: greeter\n"
                   "spec:\n"
                   "  host: greeter-service\n"
                   "  subsets:\n";
    for (const QByteArray &s : subsets)
        y += "  - name: " + s + "\n    labels:\n      version: " + s + "\n";
    return y;
}

QJsonObject parseJson(const QByteArray &bytes)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError) {
        qWarning("not JSON (%s): %s", qPrintable(error.errorString()), bytes.constData());
        return {};
    }
    return doc.object();
}

QList<QJsonObject> diagnosticsWith(const QJsonObject &root, const QString &istioCode)
{
    QList<QJsonObject> found;
    for (const QJsonValue &v : root.value(QLatin1String("diagnostics")).toArray()) {
        const QJsonObject d = v.toObject();
        if (d.value(QLatin1String("istioCode")).toString() == istioCode ||
            d.value(QLatin1String("code")).toString() == istioCode)
            found << d;
    }
    return found;
}

} // namespace

class TestCliValidate : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &content)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            f.write(content) != content.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

    // weight -15 sits on line 13, its value at column 15.
    QString negativeWeightFile()
    {
        return write(QStringLiteral("negative-weight.yaml"), "apiVersion: networking.istio.io/v1\n"
                                                             "kind: VirtualService\n"
                                                             "metadata:\n"
                                                             "  name: reviews\n"
                                                             "spec:\n"
                                                             "  hosts:\n"
                                                             "  - reviews\n"
                                                             "  http:\n"
                                                             "  - route:\n"
                                                             "    - destination:\n"
                                                             "        host: reviews\n"
                                                             "        subset: v1\n"
                                                             "      weight: -15\n"
                                                             "    - destination:\n"
                                                             "        host: reviews\n"
                                                             "        subset: v2\n"
                                                             "      weight: 100\n");
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(MIRRORSCOPE_BINARY)), MIRRORSCOPE_BINARY);
    }

    void greeterExampleIsClean()
    {
        const Run r = runMirrorscope({QStringLiteral("validate"), greeterExample()});
        QCOMPARE(r.exitStatus, QProcess::NormalExit);
        QVERIFY2(r.exitCode == 0, qPrintable(r.all()));
        QVERIFY2(!r.all().contains(QLatin1String(": error ")), qPrintable(r.all()));
        QVERIFY2(r.all().contains(QLatin1String("0 error(s)")), qPrintable(r.all()));
    }

    void negativeWeightNamesLineAndColumn()
    {
        const QString file = negativeWeightFile();
        const Run r = runMirrorscope({QStringLiteral("validate"), file});
        QCOMPARE(r.exitStatus, QProcess::NormalExit);
        QVERIFY2(r.exitCode == 1, qPrintable(r.all()));
        const QString expected = file + QStringLiteral(":13:15: error IST0106 weight -15 < 0");
        QVERIFY2(QString::fromUtf8(r.out).contains(expected),
                 qPrintable(QStringLiteral("expected \"%1\" in:\n%2").arg(expected, r.all())));
    }

    void jsonFormatCarriesCodeSeverityPathLine()
    {
        const QString file = negativeWeightFile();
        const Run r = runMirrorscope(
            {QStringLiteral("validate"), QStringLiteral("--format"), QStringLiteral("json"), file});
        QCOMPARE(r.exitCode, 1);
        const QJsonObject root = parseJson(r.out);
        QVERIFY2(!root.isEmpty(), r.out.constData());
        QVERIFY(root.value(QLatin1String("errors")).toInt() >= 1);
        const QList<QJsonObject> found = diagnosticsWith(root, QStringLiteral("IST0106"));
        QVERIFY2(!found.isEmpty(), r.out.constData());
        bool weightSeen = false;
        for (const QJsonObject &d : found) {
            if (d.value(QLatin1String("path")).toString() !=
                QLatin1String("spec.http[0].route[0].weight"))
                continue;
            weightSeen = true;
            QCOMPARE(d.value(QLatin1String("severity")).toString(), QStringLiteral("error"));
            QCOMPARE(d.value(QLatin1String("line")).toInt(), 13);
            QCOMPARE(d.value(QLatin1String("column")).toInt(), 15);
            QCOMPARE(d.value(QLatin1String("file")).toString(), file);
            QVERIFY(d.value(QLatin1String("code")).toString().startsWith(QLatin1String("MS")));
            QVERIFY(d.value(QLatin1String("message")).toString().contains(QLatin1String("-15")));
        }
        QVERIFY2(weightSeen, r.out.constData());
    }

    void missingFileExits2AndNamesIt()
    {
        const QString missing = m_dir.filePath(QStringLiteral("does-not-exist.yaml"));
        const Run r = runMirrorscope({QStringLiteral("validate"), missing});
        QCOMPARE(r.exitStatus, QProcess::NormalExit);
        QVERIFY2(r.exitCode == 2, qPrintable(r.all()));
        QVERIFY2(r.all().contains(missing), qPrintable(r.all()));
        // One unreadable file among readable ones still means "could not check": 2.
        const Run mixed = runMirrorscope({QStringLiteral("validate"), greeterExample(), missing});
        QVERIFY2(mixed.exitCode == 2, qPrintable(mixed.all()));
    }

    void filesAreCheckedAsOneSet()
    {
        const QString vs = write(QStringLiteral("set-vs.yaml"), greeterVs());
        const QString dr = write(QStringLiteral("set-dr.yaml"), greeterDr({"v1", "v2"}));

        // VirtualService in one file, its DestinationRule in another: nothing missing.
        const Run both = runMirrorscope({QStringLiteral("validate"), vs, dr});
        QVERIFY2(both.exitCode == 0, qPrintable(both.all()));
        QVERIFY2(!both.all().contains(QLatin1String("IST0101")), qPrintable(both.all()));

        // The VirtualService alone: the DestinationRule may live in the cluster, so info only.
        const Run alone = runMirrorscope(
            {QStringLiteral("validate"), QStringLiteral("--format"), QStringLiteral("json"), vs});
        QVERIFY2(alone.exitCode == 0, qPrintable(alone.all()));
        // No IST0101 error; the subsets of the route and of the mirror are each noted as info.
        const QJsonObject aloneJson = parseJson(alone.out);
        QVERIFY2(diagnosticsWith(aloneJson, QStringLiteral("IST0101")).isEmpty(),
                 alone.out.constData());
        bool routeNoted = false, mirrorNoted = false;
        for (const QJsonValue &v : aloneJson.value(QLatin1String("diagnostics")).toArray()) {
            const QJsonObject d = v.toObject();
            const QString path = d.value(QLatin1String("path")).toString();
            if (!path.endsWith(QLatin1String(".subset")))
                continue;
            QCOMPARE(d.value(QLatin1String("severity")).toString(), QStringLiteral("info"));
            routeNoted |= path.startsWith(QLatin1String("spec.http[0].route[0]"));
            mirrorNoted |= path.startsWith(QLatin1String("spec.http[0].mirror"));
        }
        QVERIFY2(routeNoted && mirrorNoted, alone.out.constData());
        const Run aloneText = runMirrorscope({QStringLiteral("validate"), vs});
        QVERIFY2(aloneText.exitCode == 0, qPrintable(aloneText.all()));
        QVERIFY2(!aloneText.all().contains(QLatin1String(": error ")), qPrintable(aloneText.all()));
    }

    void missingSubsetIsAnErrorForRouteAndMirror()
    {
        const QString vs = write(QStringLiteral("subset-vs.yaml"), greeterVs("v1", "v2"));
        const QString dr = write(QStringLiteral("subset-dr.yaml"), greeterDr({"v3"}));
        const Run r = runMirrorscope({QStringLiteral("validate"), QStringLiteral("--format"),
                                      QStringLiteral("json"), vs, dr});
        QVERIFY2(r.exitCode == 1, qPrintable(r.all()));
        const QList<QJsonObject> found =
            diagnosticsWith(parseJson(r.out), QStringLiteral("IST0101"));
        bool route = false, mirror = false;
        for (const QJsonObject &d : found) {
            const QString path = d.value(QLatin1String("path")).toString();
            if (d.value(QLatin1String("severity")).toString() != QLatin1String("error"))
                continue;
            QCOMPARE(d.value(QLatin1String("file")).toString(), vs);
            if (path.startsWith(QLatin1String("spec.http[0].route[0]"))) {
                route = true;
                QCOMPARE(d.value(QLatin1String("line")).toInt(), 12); // subset: v1
            }
            if (path.startsWith(QLatin1String("spec.http[0].mirror"))) {
                mirror = true;
                QCOMPARE(d.value(QLatin1String("line")).toInt(), 15); // subset: v2
            }
        }
        QVERIFY2(route, r.out.constData());
        QVERIFY2(mirror, r.out.constData()); // Kiali skips mirrors; Mirrorscope must not

        // Only the mirror's subset missing: exactly the mirror is reported.
        const QString drV1 = write(QStringLiteral("subset-dr-v1.yaml"), greeterDr({"v1"}));
        const Run m = runMirrorscope({QStringLiteral("validate"), QStringLiteral("--format"),
                                      QStringLiteral("json"), vs, drV1});
        QVERIFY2(m.exitCode == 1, qPrintable(m.all()));
        const QList<QJsonObject> onlyMirror =
            diagnosticsWith(parseJson(m.out), QStringLiteral("IST0101"));
        QCOMPARE(onlyMirror.size(), 1);
        QVERIFY(onlyMirror[0]
                    .value(QLatin1String("path"))
                    .toString()
                    .startsWith(QLatin1String("spec.http[0].mirror")));
    }

    void malformedYamlIsReportedNotCrashed_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<int>("line"); // 0: any line

        QTest::newRow("tab indentation") << QByteArray("apiVersion: networking.istio.io/v1\n"
                                                       "kind: VirtualService\n"
                                                       "metadata:\n"
                                                       "\tname: greeter\n")
                                         << 4;
        QTest::newRow("duplicate key") << QByteArray("apiVersion: networking.istio.io/v1\n"
                                                     "kind: VirtualService\n"
                                                     "metadata:\n"
                                                     "  name: a\n"
                                                     "  name: b\n"
                                                     "spec:\n"
                                                     "  hosts:\n"
                                                     "  - a\n")
                                       << 5;
        QByteArray junk;
        for (int i = 0; i < 4096; ++i)
            junk.append(char((i * 151 + 7) % 256));
        QTest::newRow("binary junk") << junk << 0;
        QTest::newRow("unclosed flow") << QByteArray("apiVersion: networking.istio.io/v1\n"
                                                     "kind: VirtualService\n"
                                                     "spec: {hosts: [a\n")
                                       << 0;
    }

    void malformedYamlIsReportedNotCrashed()
    {
        QFETCH(QByteArray, content);
        QFETCH(int, line);
        const QString file = write(QStringLiteral("malformed-%1.yaml")
                                       .arg(QString::fromLatin1(QTest::currentDataTag())
                                                .replace(QLatin1Char(' '), QLatin1Char('-'))),
                                   content);
        const Run r = runMirrorscope({QStringLiteral("validate"), file});
        QCOMPARE(r.exitStatus, QProcess::NormalExit);
        QVERIFY2(r.exitCode == 1, qPrintable(r.all()));
        const QRegularExpression where(QRegularExpression::escape(file) +
                                       QStringLiteral(":(\\d+):(\\d+): error "));
        const QRegularExpressionMatch m = where.match(QString::fromUtf8(r.out));
        QVERIFY2(m.hasMatch(), qPrintable(r.all()));
        QVERIFY(m.captured(1).toInt() >= 1);
        QVERIFY(m.captured(2).toInt() >= 1);
        if (line)
            QVERIFY2(m.captured(1).toInt() == line, qPrintable(r.all()));
    }

    void emptyFileIsReportedAtItsStart_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("empty file") << QByteArray();
        QTest::newRow("comments only") << QByteArray("# nothing here\n# at all\n");
        QTest::newRow("blank lines") << QByteArray("\n\n   \n");
    }

    // A file with no document is reported (MS0005) at 1:1. It is a warning, not an error
    // (core/yaml/parser.cpp, tst_parser), so the documented exit code is 0: "warnings allowed".
    void emptyFileIsReportedAtItsStart()
    {
        QFETCH(QByteArray, content);
        const QString file = write(QStringLiteral("empty-%1.yaml")
                                       .arg(QString::fromLatin1(QTest::currentDataTag())
                                                .replace(QLatin1Char(' '), QLatin1Char('-'))),
                                   content);
        const Run r = runMirrorscope({QStringLiteral("validate"), file});
        QCOMPARE(r.exitStatus, QProcess::NormalExit);
        QVERIFY2(r.exitCode == 0, qPrintable(r.all()));
        QVERIFY2(QString::fromUtf8(r.out).contains(file + QStringLiteral(":1:1: warning MS0005")),
                 qPrintable(r.all()));
        // Together with a real file it does not hide that file's errors.
        const Run withBad =
            runMirrorscope({QStringLiteral("validate"), file, negativeWeightFile()});
        QVERIFY2(withBad.exitCode == 1, qPrintable(withBad.all()));
    }

    void helpAndVersionNeedNoDisplay()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));

        const Run help = runMirrorscope({QStringLiteral("--help")}, env);
        QCOMPARE(help.exitStatus, QProcess::NormalExit);
        QVERIFY2(help.exitCode == 0, qPrintable(help.all()));
        QVERIFY(help.out.contains("validate"));
        QVERIFY(help.out.contains("export"));
        QVERIFY(help.out.contains("proxy"));

        const Run version = runMirrorscope({QStringLiteral("--version")}, env);
        QCOMPARE(version.exitStatus, QProcess::NormalExit);
        QVERIFY2(version.exitCode == 0, qPrintable(version.all()));
        QVERIFY2(QRegularExpression(QStringLiteral("^mirrorscope \\d+\\.\\d+"))
                     .match(QString::fromUtf8(version.out))
                     .hasMatch(),
                 version.out.constData());

        // Sub-command help and a validation run are headless too.
        const Run subHelp =
            runMirrorscope({QStringLiteral("validate"), QStringLiteral("--help")}, env);
        QVERIFY2(subHelp.exitCode == 0, qPrintable(subHelp.all()));
        QVERIFY(subHelp.out.contains("--format"));
        const Run validate = runMirrorscope({QStringLiteral("validate"), greeterExample()}, env);
        QVERIFY2(validate.exitCode == 0, qPrintable(validate.all()));
    }

    void unknownOptionExits2()
    {
        const Run top = runMirrorscope({QStringLiteral("--no-such-option")});
        QCOMPARE(top.exitStatus, QProcess::NormalExit);
        QVERIFY2(top.exitCode == 2, qPrintable(top.all()));
        QVERIFY(top.err.contains("no-such-option"));

        const Run sub = runMirrorscope(
            {QStringLiteral("validate"), QStringLiteral("--no-such-option"), greeterExample()});
        QVERIFY2(sub.exitCode == 2, qPrintable(sub.all()));
        QVERIFY(sub.err.contains("no-such-option"));

        const Run format = runMirrorscope({QStringLiteral("validate"), QStringLiteral("--format"),
                                           QStringLiteral("xml"), greeterExample()});
        QVERIFY2(format.exitCode == 2, qPrintable(format.all()));

        const Run noFile = runMirrorscope({QStringLiteral("validate")});
        QVERIFY2(noFile.exitCode == 2, qPrintable(noFile.all()));
    }
};

QTEST_GUILESS_MAIN(TestCliValidate)
#include "tst_cli_validate.moc"
