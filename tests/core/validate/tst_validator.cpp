#include "validate/validator.h"
#include "yaml/document.h"

#include <QtTest>

using Base::Diagnostic;
using Base::Diagnostics;
using Base::Severity;

namespace {

Diagnostics withCode(const Diagnostics &all, const char *code)
{
    Diagnostics out;
    for (const Diagnostic &d : all)
        if (d.code == QLatin1String(code))
            out.append(d);
    return out;
}

QString describe(const Diagnostics &all)
{
    QStringList lines;
    for (const Diagnostic &d : all)
        lines << Base::formatDiagnostic(d);
    return lines.join(QLatin1Char('\n'));
}

std::vector<Yaml::Document> parse(const QByteArray &yaml, const QString &file)
{
    return Yaml::parse(yaml, file).documents;
}

} // namespace

class TestValidator : public QObject
{
    Q_OBJECT

private slots:
    void greeterExampleIsClean()
    {
        const QString path =
            QStringLiteral(MIRRORSCOPE_SOURCE_DIR "/resources/examples/greeter-mirror.yaml");
        const Yaml::ParseResult parsed = Yaml::parseFile(path);
        QVERIFY2(parsed.diagnostics.isEmpty(), qPrintable(describe(parsed.diagnostics)));
        QCOMPARE(parsed.documents.size(), std::size_t(2));
        const Diagnostics found = Validate::validate(parsed.documents);
        for (const Diagnostic &d : found)
            QVERIFY2(d.severity == Severity::Info, qPrintable(describe(found)));
        // It targets the latest Istio by default: the Host is not suffixed.
        const Diagnostics shadow = withCode(found, "MS4100");
        QCOMPARE(shadow.size(), 1);
        QVERIFY(shadow[0].message.contains(QStringLiteral("Host greeter-service:3000")));
    }

    void greeterOnOldIstio()
    {
        const Yaml::ParseResult parsed = Yaml::parseFile(
            QStringLiteral(MIRRORSCOPE_SOURCE_DIR "/resources/examples/greeter-mirror.yaml"));
        Validate::Options options;
        options.target = {1, 21};
        const Diagnostics found = Validate::validate(parsed.documents, options);
        // networking.istio.io/v1 on both documents, and the -shadow Host.
        QCOMPARE(withCode(found, "MS4002").size(), 2);
        QVERIFY(Base::hasErrors(found));
        const Diagnostics shadow = withCode(found, "MS4100");
        QCOMPARE(shadow.size(), 1);
        QVERIFY(shadow[0].message.contains(QStringLiteral("Host greeter-service-shadow:3000")));
    }

    void otherKindsAreInfo()
    {
        const QByteArray yaml = R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: ingress
spec:
  servers: []
---
apiVersion: v1
kind: Service
metadata:
  name: reviews
spec:
  ports:
  - port: 9080
)";
        const Diagnostics found = Validate::validate(parse(yaml, QStringLiteral("k.yaml")));
        QCOMPARE(found.size(), 2);
        QCOMPARE(found[0].code, QStringLiteral("MS3001"));
        QCOMPARE(found[0].severity, Severity::Info);
        QCOMPARE(found[0].message, QStringLiteral("kind Gateway kept as is (not checked)"));
        QCOMPARE(found[0].path, QStringLiteral("kind"));
        QCOMPARE(found[0].line, 2);
        QCOMPARE(found[0].column, 7);
        QCOMPARE(found[1].message, QStringLiteral("kind Service kept as is (not checked)"));
        QCOMPARE(found[1].document, 1);
        QVERIFY(!Base::hasErrors(found));
    }

    void rootNotAMap()
    {
        Yaml::Document doc;
        doc.file = QStringLiteral("list.yaml");
        doc.root = Yaml::Node::sequence({3, 1});
        doc.root.append(Yaml::Node::scalar("a", Yaml::Node::Style::Plain, {3, 3}));
        const Diagnostics found = Validate::validate({doc});
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].code, QStringLiteral("MS0009"));
        QCOMPARE(found[0].severity, Severity::Error);
        QCOMPARE(found[0].file, QStringLiteral("list.yaml"));
        QCOMPARE(found[0].line, 3);
        QCOMPARE(found[0].column, 1);
        QVERIFY(found[0].message.startsWith(QStringLiteral("document is an array, not a map")));
    }

    void unknownNetworkingVersion()
    {
        const QByteArray yaml = R"(apiVersion: networking.istio.io/v2
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
)";
        const Diagnostics found = Validate::validate(parse(yaml, QStringLiteral("v2.yaml")));
        const Diagnostics bad = withCode(found, "MS3010");
        QCOMPARE(bad.size(), 1);
        QCOMPARE(bad[0].severity, Severity::Error);
        QCOMPARE(bad[0].path, QStringLiteral("apiVersion"));
        QVERIFY(bad[0].message.contains(QStringLiteral("networking.istio.io/v2")));
        QVERIFY(withCode(found, "MS3001").isEmpty());
    }

    void sortedByFileLineColumn()
    {
        // Two files given in reverse order; the subset error sits in b.yaml, the infos in both.
        std::vector<Yaml::Document> docs = parse(R"(apiVersion: v1
kind: Service
metadata:
  name: reviews
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v9
)",
                                                 QStringLiteral("b.yaml"));
        const std::vector<Yaml::Document> a = parse(R"(apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  subsets:
  - name: v1
    labels:
      version: v1
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
)",
                                                    QStringLiteral("a.yaml"));
        docs.insert(docs.end(), a.begin(), a.end());
        const Diagnostics found = Validate::validate(docs);
        QVERIFY(found.size() >= 3);
        for (int i = 1; i < found.size(); ++i) {
            const Diagnostic &p = found[i - 1];
            const Diagnostic &d = found[i];
            QVERIFY2(p.file < d.file ||
                         (p.file == d.file &&
                          (p.line < d.line || (p.line == d.line && p.column <= d.column))),
                     qPrintable(describe(found)));
        }
        QCOMPARE(found.first().file, QStringLiteral("a.yaml"));
        const Diagnostics missing = withCode(found, "MS3101");
        QCOMPARE(missing.size(), 1);
        QCOMPARE(missing[0].file, QStringLiteral("b.yaml"));
        QCOMPARE(missing[0].line, 17);
    }

    void missingKindIsLeftToSchema()
    {
        const QByteArray yaml = R"(apiVersion: networking.istio.io/v1
metadata:
  name: nameless
)";
        const Diagnostics found = Validate::validate(parse(yaml, QStringLiteral("m.yaml")));
        QVERIFY(withCode(found, "MS3001").isEmpty());
        QVERIFY(withCode(found, "MS3010").isEmpty());
        // The schema module names what is missing.
        QVERIFY2(Base::hasErrors(found), qPrintable(describe(found)));
    }

    void emptySetIsClean() { QVERIFY(Validate::validate({}).isEmpty()); }
};

QTEST_APPLESS_MAIN(TestValidator)
#include "tst_validator.moc"
