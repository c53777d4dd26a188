#include "yaml/document.h"
#include "yaml/exporter.h"

#include "model/codec.h"

#include <QDir>
#include <QTest>

namespace {

std::vector<Yaml::Document> parseText(const QByteArray &text)
{
    return Yaml::parse(text).documents;
}

QString exported(const QByteArray &text, const Yaml::ExportOptions &options = {})
{
    return QString::fromStdString(Yaml::exportDocuments(parseText(text), options));
}

const QByteArray kClusterDump = R"(apiVersion: v1
kind: List
items:
- apiVersion: networking.istio.io/v1alpha3
  kind: VirtualService
  metadata:
    annotations:
      kubectl.kubernetes.io/last-applied-configuration: |
        {"apiVersion":"networking.istio.io/v1alpha3"}
    creationTimestamp: "2024-05-01T10:00:00Z"
    generation: 4
    managedFields:
    - manager: kubectl
      operation: Update
    name: reviews
    namespace: shop
    resourceVersion: "12345"
    uid: 0b0e-11
    selfLink: /apis/x
  spec:
    http:
    - route:
      - weight: 100
        destination: {subset: v1, host: reviews}
    hosts: [reviews]
  status:
    observedGeneration: 4
- apiVersion: v1
  kind: Service
  metadata:
    name: reviews
    annotations:
      team: books
      kubectl.kubernetes.io/last-applied-configuration: "{}"
    uid: abc
  spec:
    ports: [{port: 9080, name: http}]
  status: {loadBalancer: {}}
)";

} // namespace

class TestExporter : public QObject
{
    Q_OBJECT

private slots:
    void apiVersionChanged_data();
    void apiVersionChanged();
    void otherKindsUnchanged();
    void cleanDropsServerNoise();
    void notCleanKeepsEverything();
    void stableBytes();
    void corpusRoundTrip_data();
    void corpusRoundTrip();
};

void TestExporter::apiVersionChanged_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("expected");
    QTest::newRow("default") << QString() << "networking.istio.io/v1";
    QTest::newRow("short v1beta1") << "v1beta1"
                                   << "networking.istio.io/v1beta1";
    QTest::newRow("short v1alpha3") << "v1alpha3"
                                    << "networking.istio.io/v1alpha3";
    QTest::newRow("full") << "networking.istio.io/v1beta1"
                          << "networking.istio.io/v1beta1";
}

void TestExporter::apiVersionChanged()
{
    QFETCH(QString, option);
    QFETCH(QString, expected);
    Yaml::ExportOptions options;
    if (!option.isEmpty())
        options.apiVersion = option;
    const auto docs = Yaml::parse(exported(kClusterDump, options).toUtf8()).documents;
    QCOMPARE(docs.size(), std::size_t(2));
    QCOMPARE(QString::fromStdString(docs[0].apiVersion()), expected);
    QCOMPARE(docs[1].apiVersion(), std::string("v1")); // the Service keeps its own
    // Canonical order inside the VirtualService.
    const Yaml::Node &spec = *docs[0].root.get("spec");
    QCOMPARE(spec.entries().front().key, std::string("hosts"));
    const Yaml::Node &dest = spec.get("http")->items()[0].get("route")->items()[0];
    QCOMPARE(dest.entries().front().key, std::string("destination"));
    QCOMPARE(dest.get("destination")->entries().front().key, std::string("host"));

    QCOMPARE(Yaml::normalizeIstioApiVersion(QStringLiteral("v1")),
             QStringLiteral("networking.istio.io/v1"));
    QVERIFY(Yaml::normalizeIstioApiVersion(QStringLiteral("v2")).isEmpty());
    QVERIFY(Yaml::normalizeIstioApiVersion(QStringLiteral("apps/v1")).isEmpty());
}

void TestExporter::otherKindsUnchanged()
{
    const QByteArray text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n"
                            "  selector:\n    zeta: \"1\"\n    app: s\n  type: ClusterIP\n";
    const auto docs = parseText(exported(text).toUtf8());
    QCOMPARE(docs.size(), std::size_t(1));
    QCOMPARE(docs[0].root, parseText(text)[0].root);
}

void TestExporter::cleanDropsServerNoise()
{
    Yaml::ExportOptions options;
    options.clean = true;
    const QString text = exported(kClusterDump, options);
    for (const char *noise :
         {"status", "managedFields", "resourceVersion", "uid:", "generation", "creationTimestamp",
          "selfLink", "last-applied-configuration", "observedGeneration"})
        QVERIFY2(!text.contains(QLatin1String(noise)), noise);
    const auto docs = parseText(text.toUtf8());
    QCOMPARE(docs.size(), std::size_t(2));
    // The VS's annotations held only last-applied: the empty map goes too. The Service keeps
    // its own annotation.
    QVERIFY(!docs[0].root.get("metadata")->has("annotations"));
    QCOMPARE(docs[0].name(), std::string("reviews"));
    QCOMPARE(docs[0].namespaceName(), std::string("shop"));
    QCOMPARE(docs[1].root.get("metadata")->get("annotations")->get("team")->text(),
             std::string("books"));
    QVERIFY(docs[1].root.get("spec")->has("ports"));
}

void TestExporter::notCleanKeepsEverything()
{
    const QString text = exported(kClusterDump);
    for (const char *kept :
         {"status:", "managedFields:", "resourceVersion:", "uid:", "last-applied-configuration"})
        QVERIFY2(text.contains(QLatin1String(kept)), kept);
    const auto docs = parseText(text.toUtf8());
    // Quoted resourceVersion stays a string.
    QCOMPARE(docs[0].root.get("metadata")->get("resourceVersion")->typeName(),
             std::string("string"));
}

void TestExporter::stableBytes()
{
    for (bool clean : {false, true}) {
        Yaml::ExportOptions options;
        options.clean = clean;
        const std::string once = Yaml::exportDocuments(parseText(kClusterDump), options);
        QCOMPARE(Yaml::exportDocuments(parseText(kClusterDump), options), once);
        QCOMPARE(Yaml::exportDocuments(parseText(QByteArray::fromStdString(once)), options), once);
    }
}

void TestExporter::corpusRoundTrip_data()
{
    QTest::addColumn<QString>("folder");
    QTest::addColumn<int>("minTyped");
    // Invalid files are imported too (to be fixed in the editor): they must survive as well.
    QTest::newRow("valid") << "valid" << 40;
    QTest::newRow("invalid") << "invalid" << 10;
}

void TestExporter::corpusRoundTrip()
{
    QFETCH(QString, folder);
    QFETCH(int, minTyped);
    const QDir dir(QStringLiteral(MIRRORSCOPE_SHARED_DIR "/conformance/istio-corpus/") + folder);
    if (!dir.exists())
        QSKIP("shared conformance corpus not present (MIRRORSCOPE_SHARED_DIR)");
    const QStringList files = dir.entryList({QStringLiteral("*.yaml")}, QDir::Files, QDir::Name);
    QVERIFY(!files.isEmpty());
    int typed = 0;
    for (const QString &name : files) {
        const Yaml::ParseResult parsed = Yaml::parseFile(dir.filePath(name));
        const Model::Config before = Model::Config::fromDocuments(parsed.documents);
        typed += before.virtualServices().size() + before.destinationRules().size();
        Yaml::ExportOptions options;
        options.apiVersion = QStringLiteral("v1");
        const std::string once = Yaml::exportDocuments(parsed.documents, options);
        const Yaml::ParseResult again = Yaml::parse(QByteArray::fromStdString(once));
        if (parsed.diagnostics.empty())
            QVERIFY2(again.diagnostics.empty(), qPrintable(name));
        Model::Config after = Model::Config::fromDocuments(again.documents);
        QVERIFY2(after.resources.size() == before.resources.size(), qPrintable(name));
        // Equal model, apart from the apiVersion the export chose.
        for (qsizetype i = 0; i < before.resources.size(); ++i) {
            Model::Resource expected = before.resources[i];
            if (expected.type != Model::Resource::Type::Other)
                expected.apiVersion = QStringLiteral("networking.istio.io/v1");
            QVERIFY2(after.resources[i] == expected,
                     qPrintable(name + QStringLiteral(" #") + QString::number(i)));
        }
        QVERIFY2(Yaml::exportDocuments(again.documents, options) == once, qPrintable(name));
    }
    QVERIFY2(typed > minTyped, qPrintable(QString::number(typed)));
}

QTEST_APPLESS_MAIN(TestExporter)
#include "tst_exporter.moc"
