// `mirrorscope export` as a user runs it: kubectl-ready YAML from the real executable.
#include <QFile>
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

Run runMirrorscope(const QStringList &args)
{
    QProcess p;
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

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The documents of a multi-document stream (the exporter separates them with "---" lines).
QList<QByteArray> documentsOf(const QByteArray &yaml)
{
    QList<QByteArray> docs;
    QByteArray current;
    for (const QByteArray &line : yaml.split('\n')) {
        if (line == "---") {
            docs << current;
            current.clear();
            continue;
        }
        current += line + '\n';
    }
    if (!current.trimmed().isEmpty())
        docs << current;
    return docs;
}

QStringList apiVersionsOf(const QByteArray &yaml)
{
    QStringList versions;
    const QRegularExpression re(QStringLiteral("^apiVersion: (\\S+)$"),
                                QRegularExpression::MultilineOption);
    auto it = re.globalMatch(QString::fromUtf8(yaml));
    while (it.hasNext())
        versions << it.next().captured(1);
    return versions;
}

// What `kubectl get vs,dr -o yaml` prints: a List, with everything the API server adds.
const char kKubectlList[] = R"(apiVersion: v1
kind: List
metadata:
  resourceVersion: ""
items:
- apiVersion: networking.istio.io/v1beta1
  kind: VirtualService
  metadata:
    annotations:
      kubectl.kubernetes.io/last-applied-configuration: |
        {"apiVersion":"networking.istio.io/v1beta1","kind":"VirtualService","metadata":{"annotations":{},"name":"greeter","namespace":"demo"}}
      team.example.com/owner: greeters
    creationTimestamp: "2024-05-01T10:00:00Z"
    generation: 3
    labels:
      app: greeter
    managedFields:
    - apiVersion: networking.istio.io/v1beta1
      fieldsType: FieldsV1
      fieldsV1:
        f:spec: {}
      manager: kubectl-client-side-apply
      operation: Update
      time: "2024-05-01T10:00:00Z"
    name: greeter
    namespace: demo
    resourceVersion: "123456"
    uid: 0b6e4f7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b
  spec:
    hosts:
    - greeter-service
    http:
    - mirror:
        host: greeter-service
        subset: v2
      mirrorPercentage:
        value: 50
      route:
      - destination:
          host: greeter-service
          subset: v1
  status:
    observedGeneration: 3
- apiVersion: networking.istio.io/v1beta1
  kind: DestinationRule
  metadata:
    creationTimestamp: "2024-05-01T10:00:00Z"
    generation: 1
    name: greeter
    namespace: demo
    resourceVersion: "123457"
    uid: 1b6e4f7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b
  spec:
    host: greeter-service
    subsets:
    - labels:
        version: v1
      name: v1
    - labels:
        version: v2
      name: v2
  status: {}
)";

// A VirtualService with fields no Istio release knows (yet), plus a kind Mirrorscope does not
// model at all. Both must survive export.
const char kUnknownFields[] = R"(apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: future
spec:
  futureSpecField:
    mode: "fast"
    level: 3
  hosts:
  - greeter-service
  http:
  - experimentalKnob: "100"
    route:
    - destination:
        host: greeter-service
        subset: v1
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
zeta: 1
alpha:
  - "keep order"
)";

} // namespace

class TestCliExport : public QObject
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

    QString greeterExample() const
    {
        return QStringLiteral(MIRRORSCOPE_SOURCE_DIR "/resources/examples/greeter-mirror.yaml");
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(MIRRORSCOPE_BINARY)), MIRRORSCOPE_BINARY);
    }

    void defaultApiVersionIsV1()
    {
        const QString list = write(QStringLiteral("list.yaml"), kKubectlList);
        const Run r = runMirrorscope({QStringLiteral("export"), list});
        QCOMPARE(r.exitStatus, QProcess::NormalExit);
        QVERIFY2(r.exitCode == 0, qPrintable(r.all()));
        // The List is expanded: one document per item, both on the v1 API.
        QCOMPARE(documentsOf(r.out).size(), 2);
        QCOMPARE(apiVersionsOf(r.out), QStringList({QStringLiteral("networking.istio.io/v1"),
                                                    QStringLiteral("networking.istio.io/v1")}));
        QVERIFY(!r.out.contains("kind: List"));
        QVERIFY(r.err.isEmpty());
    }

    void apiVersionOption()
    {
        const QString list = write(QStringLiteral("list.yaml"), kKubectlList);
        const Run beta = runMirrorscope({QStringLiteral("export"), QStringLiteral("--api-version"),
                                         QStringLiteral("v1beta1"), list});
        QVERIFY2(beta.exitCode == 0, qPrintable(beta.all()));
        QCOMPARE(apiVersionsOf(beta.out),
                 QStringList({QStringLiteral("networking.istio.io/v1beta1"),
                              QStringLiteral("networking.istio.io/v1beta1")}));

        // Only Istio's networking kinds move; another kind keeps its own apiVersion.
        const QString mixed = write(QStringLiteral("mixed.yaml"), kUnknownFields);
        const Run m = runMirrorscope({QStringLiteral("export"), QStringLiteral("--api-version"),
                                      QStringLiteral("v1beta1"), mixed});
        QVERIFY2(m.exitCode == 0, qPrintable(m.all()));
        QCOMPARE(apiVersionsOf(m.out), QStringList({QStringLiteral("networking.istio.io/v1beta1"),
                                                    QStringLiteral("example.com/v1")}));

        const Run bad = runMirrorscope({QStringLiteral("export"), QStringLiteral("--api-version"),
                                        QStringLiteral("v2"), list});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.out.isEmpty());
        QVERIFY(bad.err.contains("v2"));
    }

    void cleanDropsClusterNoise()
    {
        const QString list = write(QStringLiteral("list.yaml"), kKubectlList);
        static const char *const noise[] = {"status:",
                                            "managedFields:",
                                            "resourceVersion:",
                                            "uid:",
                                            "creationTimestamp:",
                                            "generation:",
                                            "observedGeneration",
                                            "last-applied-configuration"};

        // Without --clean, export keeps everything (it is not lossy behind the user's back).
        const Run raw = runMirrorscope({QStringLiteral("export"), list});
        QVERIFY2(raw.exitCode == 0, qPrintable(raw.all()));
        for (const char *n : noise)
            QVERIFY2(raw.out.contains(n), n);

        const Run clean =
            runMirrorscope({QStringLiteral("export"), QStringLiteral("--clean"), list});
        QVERIFY2(clean.exitCode == 0, qPrintable(clean.all()));
        for (const char *n : noise)
            QVERIFY2(!clean.out.contains(n),
                     qPrintable(QStringLiteral("%1 still in:\n%2")
                                    .arg(QLatin1String(n), QString::fromUtf8(clean.out))));
        // What the user wrote stays: names, namespace, labels, their own annotation, the spec.
        const QList<QByteArray> docs = documentsOf(clean.out);
        QCOMPARE(docs.size(), 2);
        QVERIFY(docs[0].contains("kind: VirtualService"));
        QVERIFY(docs[0].contains("  name: greeter\n"));
        QVERIFY(docs[0].contains("  namespace: demo\n"));
        QVERIFY(docs[0].contains("    app: greeter\n"));
        QVERIFY(docs[0].contains("    team.example.com/owner: greeters\n"));
        QVERIFY(docs[0].contains("mirrorPercentage:\n      value: 50\n"));
        QVERIFY(docs[1].contains("kind: DestinationRule"));
        QVERIFY(docs[1].contains("  - name: v2\n"));
        // An annotations map left empty by the removal is not written as `annotations: {}`
        // noise on the DestinationRule (it never had one).
        QVERIFY(!docs[1].contains("annotations"));

        // The cleaned export is a valid set for `mirrorscope validate`.
        const QString cleaned = write(QStringLiteral("cleaned.yaml"), clean.out);
        const Run v = runMirrorscope({QStringLiteral("validate"), cleaned});
        QVERIFY2(v.exitCode == 0, qPrintable(v.all()));
    }

    void outputFile()
    {
        const QString list = write(QStringLiteral("list.yaml"), kKubectlList);
        const QString out = m_dir.filePath(QStringLiteral("out.yaml"));
        QFile::remove(out);
        const Run toFile = runMirrorscope(
            {QStringLiteral("export"), QStringLiteral("--clean"), QStringLiteral("-o"), out, list});
        QVERIFY2(toFile.exitCode == 0, qPrintable(toFile.all()));
        QVERIFY(toFile.out.isEmpty()); // nothing on stdout: the YAML went to the file
        const Run toStdout =
            runMirrorscope({QStringLiteral("export"), QStringLiteral("--clean"), list});
        QVERIFY(!toStdout.out.isEmpty());
        QCOMPARE(readAll(out), toStdout.out);

        // Overwrites an existing file.
        const Run again = runMirrorscope(
            {QStringLiteral("export"), QStringLiteral("--output"), out, greeterExample()});
        QVERIFY2(again.exitCode == 0, qPrintable(again.all()));
        QVERIFY(readAll(out).contains("name: greeter-service"));
        QVERIFY(!readAll(out).contains("namespace: demo"));

        // A place it cannot write: exit 2, the path named.
        const QString impossible = m_dir.filePath(QStringLiteral("no-such-dir/out.yaml"));
        const Run bad =
            runMirrorscope({QStringLiteral("export"), QStringLiteral("-o"), impossible, list});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains(impossible.toUtf8()), bad.err.constData());
    }

    void exportingTheExportGivesIdenticalBytes_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QStringList>("options");
        QFile greeter(greeterExample());
        QVERIFY(greeter.open(QIODevice::ReadOnly));
        const QByteArray greeterText = greeter.readAll();
        QTest::newRow("greeter") << greeterText << QStringList();
        QTest::newRow("greeter v1alpha3")
            << greeterText
            << QStringList{QStringLiteral("--api-version"), QStringLiteral("v1alpha3")};
        QTest::newRow("kubectl list") << QByteArray(kKubectlList) << QStringList();
        QTest::newRow("kubectl list clean")
            << QByteArray(kKubectlList) << QStringList{QStringLiteral("--clean")};
        QTest::newRow("unknown fields") << QByteArray(kUnknownFields) << QStringList();
    }

    void exportingTheExportGivesIdenticalBytes()
    {
        QFETCH(QByteArray, input);
        QFETCH(QStringList, options);
        const QString in = write(QStringLiteral("idem-in.yaml"), input);
        const QString first = m_dir.filePath(QStringLiteral("idem-1.yaml"));
        const QString second = m_dir.filePath(QStringLiteral("idem-2.yaml"));
        Run r = runMirrorscope(QStringList{QStringLiteral("export")} + options +
                               QStringList{QStringLiteral("-o"), first, in});
        QVERIFY2(r.exitCode == 0, qPrintable(r.all()));
        r = runMirrorscope(QStringList{QStringLiteral("export")} + options +
                           QStringList{QStringLiteral("-o"), second, first});
        QVERIFY2(r.exitCode == 0, qPrintable(r.all()));
        const QByteArray a = readAll(first);
        QVERIFY(!a.isEmpty());
        QCOMPARE(readAll(second), a);
        // And the same input twice gives the same bytes (deterministic emitter).
        const Run again =
            runMirrorscope(QStringList{QStringLiteral("export")} + options + QStringList{in});
        QCOMPARE(again.out, a);
    }

    void unknownFieldsAreKept()
    {
        const QString in = write(QStringLiteral("unknown.yaml"), kUnknownFields);
        const Run r = runMirrorscope({QStringLiteral("export"), in});
        QVERIFY2(r.exitCode == 0, qPrintable(r.all()));
        const QList<QByteArray> docs = documentsOf(r.out);
        QCOMPARE(docs.size(), 2);
        const QByteArray &vs = docs[0];
        QVERIFY2(vs.contains("  futureSpecField:\n    mode: fast\n    level: 3\n") ||
                     vs.contains("  futureSpecField:\n    mode: \"fast\"\n    level: 3\n"),
                 vs.constData());
        // The quoted "100" stays a string (a bare 100 would change its type).
        QVERIFY2(vs.contains("experimentalKnob: \"100\"") || vs.contains("experimentalKnob: '100'"),
                 vs.constData());
        // Unknown fields come after the known ones of the same object.
        QVERIFY(vs.indexOf("  hosts:") < vs.indexOf("  futureSpecField:"));
        QVERIFY(vs.indexOf("    route:") < vs.indexOf("experimentalKnob"));
        // Another kind is written unchanged, in its own key order.
        const QByteArray &widget = docs[1];
        QVERIFY2(widget.contains("apiVersion: example.com/v1\nkind: Widget\n"), widget.constData());
        QVERIFY(widget.indexOf("zeta: 1") < widget.indexOf("alpha:"));
        QVERIFY(widget.contains("keep order"));
    }

    void badInput()
    {
        const Run missing =
            runMirrorscope({QStringLiteral("export"), m_dir.filePath(QStringLiteral("nope.yaml"))});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.out.isEmpty());
        QVERIFY(missing.all().contains(QLatin1String("nope.yaml")));

        // A syntax error: nothing half-written to stdout, the error with line:column, exit 1.
        const QString broken = write(QStringLiteral("broken.yaml"),
                                     "apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
                                     "metadata:\n\tname: x\n");
        const Run syntax = runMirrorscope({QStringLiteral("export"), broken});
        QCOMPARE(syntax.exitCode, 1);
        QVERIFY(syntax.out.isEmpty());
        QVERIFY2(syntax.err.contains(broken.toUtf8() + ":4:"), syntax.err.constData());

        const Run two = runMirrorscope({QStringLiteral("export"), broken, broken});
        QCOMPARE(two.exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliExport)
#include "tst_cli_export.moc"
