#include "validate/reporter.h"
#include "validate/schema.h"
#include "yaml/document.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QtTest>

using Base::Diagnostic;
using Base::Diagnostics;
using Base::Severity;

namespace {

Diagnostics run(const QByteArray &yaml, bool strict = true, const QString &file = QString())
{
    const Yaml::ParseResult parsed = Yaml::parse(yaml, file);
    Diagnostics out;
    for (const Yaml::Document &doc : parsed.documents) {
        Validate::Reporter reporter(doc, out);
        Validate::checkSchema(doc, reporter, strict);
    }
    return out;
}

QString dump(const Diagnostics &ds)
{
    QStringList lines;
    for (const Diagnostic &d : ds)
        lines << Base::formatDiagnostic(d);
    return lines.join(QLatin1Char('\n'));
}

// The one diagnostic with this code (fails the test when there is not exactly one).
Diagnostic only(const Diagnostics &ds, const QString &code)
{
    Diagnostic found;
    int count = 0;
    for (const Diagnostic &d : ds) {
        if (d.code == code) {
            found = d;
            ++count;
        }
    }
    if (count != 1)
        qWarning().noquote() << "expected one" << code << "in:\n" << dump(ds);
    return count == 1 ? found : Diagnostic();
}

const QByteArray kVsHead = "apiVersion: networking.istio.io/v1\n"
                           "kind: VirtualService\n"
                           "metadata:\n"
                           "  name: reviews\n"
                           "spec:\n"
                           "  hosts:\n"
                           "  - reviews\n"
                           "  http:\n"
                           "  - route:\n"
                           "    - destination:\n"
                           "        host: reviews\n"; // lines 1-11

const QByteArray kDrHead = "apiVersion: networking.istio.io/v1beta1\n"
                           "kind: DestinationRule\n"
                           "metadata:\n"
                           "  name: reviews\n"
                           "spec:\n"
                           "  host: reviews\n"; // lines 1-6

QString sharedDir()
{
    return QStringLiteral(MIRRORSCOPE_SHARED_DIR "/conformance/istio-corpus");
}

} // namespace

class TestSchema : public QObject
{
    Q_OBJECT

private slots:
    void schemaLoads() { QVERIFY(Validate::schemaAvailable()); }

    void validMinimalDocumentsPass()
    {
        QCOMPARE(dump(run(kVsHead)), QString());
        QCOMPARE(dump(run(kDrHead)), QString());
        // v1alpha3 uses the same schema.
        QByteArray alpha = kVsHead;
        alpha.replace("networking.istio.io/v1\n", "networking.istio.io/v1alpha3\n");
        QCOMPARE(dump(run(alpha)), QString());
    }

    void otherKindsAreLeftAlone()
    {
        const QByteArray yaml = "apiVersion: networking.istio.io/v1\nkind: Gateway\n"
                                "metadata: {}\nspec:\n  bogus: 1\n";
        QCOMPARE(dump(run(yaml)), QString());
        const QByteArray service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a_b\n";
        QCOMPARE(dump(run(service)), QString());
    }

    void typeError()
    {
        const Diagnostics ds = run(kVsHead + "      weight: \"50\"\n");
        const Diagnostic d = only(ds, QStringLiteral("MS0101"));
        QCOMPARE(d.severity, Severity::Error);
        QCOMPARE(d.message,
                 QStringLiteral("Invalid value: \"string\": spec.http[0].route[0].weight "
                                "in body must be of type integer: \"string\""));
        QCOMPARE(d.path, QStringLiteral("spec.http[0].route[0].weight"));
        QCOMPARE(d.line, 12);
        QCOMPARE(d.column, 15);
        QCOMPARE(d.istioCode, QString());
        QCOMPARE(ds.size(), 1);
    }

    void typePasses()
    {
        QCOMPARE(dump(run(kVsHead + "      weight: 50\n")), QString());
        // An integer literal is a valid number (Percent.value is a double)...
        QCOMPARE(dump(run(kVsHead + "    mirrorPercentage:\n      value: 100\n")), QString());
        // ... and 100.0 is a valid integer: JSON has no 100.0.
        QCOMPARE(dump(run(kVsHead + "      weight: 100.0\n")), QString());
    }

    void typeErrorOnNonIntegralNumberForInt32()
    {
        const Diagnostic d = only(run(kVsHead + "      weight: 1.5\n"), QStringLiteral("MS0101"));
        QCOMPARE(d.message,
                 QStringLiteral("Invalid value: \"double\": spec.http[0].route[0].weight "
                                "in body must be of type int32: \"double\""));
    }

    void nullArrayIsDroppedWithWarning()
    {
        const QByteArray yaml = "apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
                                "metadata:\n  name: invalid-virtual-service\nspec:\n  http:\n";
        const Diagnostic d = only(run(yaml), QStringLiteral("MS0101"));
        QCOMPARE(d.severity, Severity::Warning);
        QVERIFY2(d.message.startsWith(QStringLiteral(
                     "Invalid value: \"null\": spec.http in body must be of type array: \"null\"")),
                 qPrintable(d.message));
        QCOMPARE(d.line, 6);
        QCOMPARE(d.column, 3);
        // Where the field is nullable, null is fine.
        QCOMPARE(dump(run(kVsHead + "    corsPolicy:\n      allowCredentials: null\n")), QString());
    }

    void nullArrayItemIsAnError()
    {
        const Diagnostic d = only(run(kVsHead + "  - null\n"), QStringLiteral("MS0101"));
        QCOMPARE(d.severity, Severity::Error);
        QCOMPARE(d.path, QStringLiteral("spec.http[1]"));
        QCOMPARE(d.message, QStringLiteral("Invalid value: \"null\": spec.http[1] in body must be "
                                           "of type object: \"null\""));
    }

    void requiredMissing()
    {
        const QByteArray yaml = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\n"
                                "metadata:\n  name: r\nspec:\n  subsets:\n  - name: v1\n";
        const Diagnostics ds = run(yaml);
        const Diagnostic d = only(ds, QStringLiteral("MS0102"));
        QCOMPARE(d.message, QStringLiteral("spec.host: Required value"));
        QCOMPARE(d.path, QStringLiteral("spec.host"));
        QCOMPARE(d.line, 6); // the spec map
        QCOMPARE(d.column, 3);
        QCOMPARE(ds.size(), 1);
    }

    void requiredNestedAndNullCountsAsMissing()
    {
        const QByteArray yaml = "apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
                                "metadata:\n  name: r\nspec:\n  http:\n  - route:\n    - {}\n"
                                "    - destination:\n";
        const Diagnostics ds = run(yaml);
        QCOMPARE(ds.size(), 2);
        QCOMPARE(ds[0].message,
                 QStringLiteral("spec.http[0].route[0].destination: Required value"));
        QCOMPARE(ds[0].line, 8);
        QCOMPARE(ds[0].column, 7);
        QCOMPARE(ds[1].message,
                 QStringLiteral("spec.http[0].route[1].destination: Required value"));
        QCOMPARE(ds[1].line, 9);
    }

    void unknownField()
    {
        const QByteArray yaml = kVsHead + "    websocketUpgrade: true\n";
        Diagnostic d = only(run(yaml), QStringLiteral("MS0103"));
        QCOMPARE(d.severity, Severity::Error);
        QCOMPARE(d.message, QStringLiteral("unknown field \"spec.http[0].websocketUpgrade\""));
        QCOMPARE(d.line, 12);
        QCOMPARE(d.column, 5);
        // Without strict field validation the API server drops it with a warning.
        d = only(run(yaml, false), QStringLiteral("MS0103"));
        QCOMPARE(d.severity, Severity::Warning);
        // Top-level and metadata fields too.
        const Diagnostics ds = run("_err: x\n" + kDrHead);
        QCOMPARE(only(ds, QStringLiteral("MS0103")).message,
                 QStringLiteral("unknown field \"_err\""));
        QCOMPARE(only(ds, QStringLiteral("MS0103")).line, 1);
        QByteArray meta = kDrHead;
        meta.replace("  name: reviews\n", "  name: reviews\n  lables: {}\n");
        QCOMPARE(only(run(meta), QStringLiteral("MS0103")).message,
                 QStringLiteral("unknown field \"metadata.lables\""));
    }

    void knownFieldsAndPreservedStatusPass()
    {
        const QByteArray yaml = kVsHead +
                                "    mirror:\n      host: reviews\n      subset: v2\n"
                                "    mirrorPercentage:\n      value: 50.5\n    mirror_percent: 10\n"
                                "    headers:\n      request:\n        set:\n          x-a: b\n"
                                "status:\n  anything: [1, 2]\n";
        QCOMPARE(dump(run(yaml)), QString());
    }

    void enumValue()
    {
        const QByteArray yaml = kDrHead + "  trafficPolicy:\n    tls:\n      mode: STRICT\n";
        const Diagnostic d = only(run(yaml), QStringLiteral("MS0104"));
        QCOMPARE(d.message,
                 QStringLiteral("Unsupported value: \"STRICT\": supported values: "
                                "\"DISABLE\", \"SIMPLE\", \"MUTUAL\", \"ISTIO_MUTUAL\""));
        QCOMPARE(d.path, QStringLiteral("spec.trafficPolicy.tls.mode"));
        QCOMPARE(d.line, 9);
        QCOMPARE(d.column, 13);
        QCOMPARE(dump(run(kDrHead + "  trafficPolicy:\n    tls:\n      mode: ISTIO_MUTUAL\n")),
                 QString());
    }

    void rangeMaximumAndMinimum()
    {
        const QByteArray over = kDrHead + "  trafficPolicy:\n    loadBalancer:\n      warmup:\n"
                                          "        duration: 300s\n        minimumPercent: 150.0\n";
        Diagnostic d = only(run(over), QStringLiteral("MS0105"));
        QCOMPARE(d.message, QStringLiteral("Invalid value: 150: spec.trafficPolicy.loadBalancer."
                                           "warmup.minimumPercent in body should be less than or "
                                           "equal to 100"));
        QCOMPARE(d.line, 11);
        QCOMPARE(d.column, 25);
        const QByteArray under = kDrHead + "  trafficPolicy:\n    loadBalancer:\n      warmup:\n"
                                           "        duration: 300s\n        aggression: -0.1\n";
        d = only(run(under), QStringLiteral("MS0105"));
        QCOMPARE(d.message, QStringLiteral("Invalid value: -0.1: spec.trafficPolicy.loadBalancer."
                                           "warmup.aggression in body should be greater than or "
                                           "equal to 0"));
        QByteArray ok = over;
        ok.replace("150.0", "100");
        QCOMPARE(dump(run(ok)), QString());
    }

    void rangeOfUint32AndLength()
    {
        const QByteArray port = kVsHead + "        port:\n          number: -1\n";
        QCOMPARE(only(run(port), QStringLiteral("MS0105")).message,
                 QStringLiteral("Invalid value: -1: spec.http[0].route[0].destination.port.number "
                                "in body should be greater than or equal to 0"));
        QCOMPARE(dump(run(kVsHead + "        port:\n          number: 9080\n")), QString());
        // int32 fields: the range Kubernetes checks for the format.
        const Diagnostic weight =
            only(run(kVsHead + "      weight: 3000000000\n"), QStringLiteral("MS0105"));
        QCOMPARE(weight.message,
                 QStringLiteral("Invalid value: \"\": Checked value must be of type "
                                "integer with format int32 in "
                                "spec.http[0].route[0].weight"));
        QCOMPARE(dump(run(kVsHead + "      weight: 2147483647\n")), QString());

        const QByteArray label =
            kDrHead + "  workloadSelector:\n    matchLabels:\n      app: " + QByteArray(64, 'a') +
            "\n";
        const Diagnostic d = only(run(label), QStringLiteral("MS0105"));
        QCOMPARE(d.message, QStringLiteral("Too long: may not be more than 63 bytes"));
        QCOMPARE(d.path, QStringLiteral("spec.workloadSelector.matchLabels.app"));
        QCOMPARE(dump(run(kDrHead + "  workloadSelector:\n    matchLabels:\n      app: " +
                          QByteArray(63, 'a') + "\n")),
                 QString());
    }

    void oneOfAtMostOne()
    {
        const QByteArray yaml = kVsHead + "    match:\n    - uri:\n        exact: /a\n"
                                          "        prefix: /b\n";
        const Diagnostic d = only(run(yaml), QStringLiteral("MS0106"));
        QCOMPARE(d.message,
                 QStringLiteral("Invalid value: \"\": \"spec.http[0].match[0].uri\" must validate "
                                "one and only one schema (oneOf). Found 2 valid alternatives"));
        QCOMPARE(d.line, 14);
        QCOMPARE(d.column, 9);
        // None or one of them is fine.
        QCOMPARE(dump(run(kVsHead + "    match:\n    - uri:\n        exact: /a\n")), QString());
        QCOMPARE(dump(run(kVsHead + "    match:\n    - uri: {}\n")), QString());
        // A pruned null does not count as set.
        QCOMPARE(dump(run(kVsHead + "    match:\n    - uri:\n        exact: /a\n        prefix:\n"))
                     .count(QStringLiteral("MS0106")),
                 0);
    }

    void oneOfInsideAllOf()
    {
        const QByteArray yaml = kDrHead +
                                "  trafficPolicy:\n    loadBalancer:\n      consistentHash:\n"
                                "        httpHeaderName: x-user\n        useSourceIp: true\n";
        const Diagnostic d = only(run(yaml), QStringLiteral("MS0106"));
        QVERIFY(d.message.endsWith(QStringLiteral(
            "\"spec.trafficPolicy.loadBalancer.consistentHash\" must validate one and only one "
            "schema (oneOf). Found 2 valid alternatives")));
        QCOMPARE(dump(run(kDrHead + "  trafficPolicy:\n    loadBalancer:\n      consistentHash:\n"
                                    "        useSourceIp: true\n        maglev: {}\n")),
                 QString());
    }

    void durationRule()
    {
        const Diagnostic d = only(run(kVsHead + "    timeout: 500us\n"), QStringLiteral("MS0107"));
        QCOMPARE(
            d.message,
            QStringLiteral("Invalid value: \"string\": must be a valid duration greater than 1ms"));
        QCOMPARE(d.path, QStringLiteral("spec.http[0].timeout"));
        QCOMPARE(d.line, 12);
        QCOMPARE(d.column, 14);
        const Diagnostic bad = only(run(kVsHead + "    retries:\n      perTryTimeout: 5x\n"),
                                    QStringLiteral("MS0107"));
        QCOMPARE(bad.path, QStringLiteral("spec.http[0].retries.perTryTimeout"));
        QVERIFY(bad.message.endsWith(
            QStringLiteral("evaluating rule: must be a valid duration greater than 1ms")));
        // Found in the DestinationRule's trafficPolicy as well.
        QCOMPARE(
            only(run(kDrHead + "  trafficPolicy:\n    outlierDetection:\n      interval: 0s\n"),
                 QStringLiteral("MS0107"))
                .path,
            QStringLiteral("spec.trafficPolicy.outlierDetection.interval"));
        QCOMPARE(dump(run(kVsHead + "    timeout: 1ms\n    retries:\n      perTryTimeout: 1.5s\n"
                                    "    fault:\n      delay:\n        fixedDelay: 1h30m\n")),
                 QString());
    }

    void labelWildcardRules()
    {
        const QByteArray yaml =
            kDrHead + "  workloadSelector:\n    matchLabels:\n      app: \"a*\"\n";
        const Diagnostic d = only(run(yaml), QStringLiteral("MS0107"));
        QCOMPARE(
            d.message,
            QStringLiteral("Invalid value: \"string\": wildcard not allowed in label value match"));
        const QByteArray key = kDrHead + "  workloadSelector:\n    matchLabels:\n      \"a*\": b\n";
        QCOMPARE(
            only(run(key), QStringLiteral("MS0107")).message,
            QStringLiteral("Invalid value: \"object\": wildcard not allowed in label key match"));
    }

    void metadata()
    {
        const QByteArray missing = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\n"
                                   "spec:\n  host: a\n";
        Diagnostic d = only(run(missing), QStringLiteral("MS0108"));
        QCOMPARE(d.message,
                 QStringLiteral("metadata.name: Required value: name or generateName is required"));
        QCOMPARE(d.line, 1);
        QByteArray noName = kDrHead;
        noName.replace("  name: reviews\n", "  namespace: default\n");
        d = only(run(noName), QStringLiteral("MS0108"));
        QCOMPARE(d.path, QStringLiteral("metadata.name"));
        QCOMPARE(d.line, 4); // the metadata map

        QByteArray badName = kDrHead;
        badName.replace("name: reviews", "name: vs_exportto");
        d = only(run(badName), QStringLiteral("MS0108"));
        QVERIFY(d.message.startsWith(QStringLiteral(
            "Invalid value: \"vs_exportto\": a lowercase RFC 1123 subdomain must consist of")));
        QCOMPARE(d.line, 4);
        QCOMPARE(d.column, 9);

        const QByteArray noKind = "apiVersion: networking.istio.io/v1\nmetadata:\n  name: a\n";
        QCOMPARE(only(run(noKind), QStringLiteral("MS0108")).message,
                 QStringLiteral("kind not set"));
        const QByteArray noApi = "kind: VirtualService\nmetadata:\n  name: a\nspec: {}\n";
        QCOMPARE(only(run(noApi), QStringLiteral("MS0108")).message,
                 QStringLiteral("apiVersion not set"));

        QByteArray good = kDrHead;
        good.replace("  name: reviews\n", "  name: reviews.v2\n  namespace: bookinfo\n"
                                          "  labels:\n    app: reviews\n");
        QCOMPARE(dump(run(good)), QString());
    }

    void corpusValidPasses()
    {
        const QDir dir(sharedDir() + QStringLiteral("/valid"));
        if (!dir.exists())
            QSKIP("shared conformance corpus not available");
        int checked = 0;
        for (const QFileInfo &fi : dir.entryInfoList({QStringLiteral("*.yaml")}, QDir::Files)) {
            const Yaml::ParseResult parsed = Yaml::parseFile(fi.filePath());
            Diagnostics out;
            for (const Yaml::Document &doc : parsed.documents) {
                Validate::Reporter reporter(doc, out);
                Validate::checkSchema(doc, reporter, true);
                if (doc.kind() == "VirtualService" || doc.kind() == "DestinationRule")
                    ++checked;
            }
            Diagnostics errors;
            for (const Diagnostic &d : out) {
                if (d.severity == Severity::Error)
                    errors << d;
            }
            QVERIFY2(errors.isEmpty(), qPrintable(dump(errors)));
        }
        QCOMPARE(checked, 85 + 28); // VS and DR documents in valid/ (SOURCES.md totals)
    }

    void corpusInvalidGivesTheSchemaErrors_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QStringList>("expected"); // "doc:line:code:message" (message prefix)
        // Besides: metadata.name errors (MS0108) for generated names that are not DNS-1123.
        QTest::addColumn<int>("nameErrors");
        QTest::newRow("websocketUpgrade")
            << "istio__istio__tests_testdata_config_rule-websocket-route.yaml"
            << QStringList{"2:56:MS0103:unknown field \"spec.http[0].websocketUpgrade\"",
                           "3:79:MS0103:unknown field \"spec.http[0].websocketUpgrade\""}
            << 0;
        QTest::newRow("destination required")
            << "istio__istio__pkg_config_analysis_analyzers_testdata_virtualservice_"
               "destinationhosts.yaml"
            << QStringList{"8:97:MS0102:spec.http[0].route[0].destination: Required value"} << 0;
        QTest::newRow("destination.host required")
            << "istio__istio__pilot_pkg_config_kube_gateway_testdata_invalid.yaml.golden.yaml"
            << QStringList{"6:-:MS0102:spec.http[0].route[0].destination.host: Required value",
                           "8:-:MS0102:spec.http[0].route[2].destination.host: Required value"}
            << 6;
        QTest::newRow("DR host v1alpha3")
            << "istio__istio__pkg_test_datasets_validation_dataset_networking-v1alpha3-"
               "DestinationRule-invalid.yaml"
            << QStringList{"0:6:MS0102:spec.host: Required value"} << 0;
        QTest::newRow("DR host v1beta1")
            << "istio__istio__pkg_test_datasets_validation_dataset_networking-v1beta-"
               "DestinationRule-invalid.yaml"
            << QStringList{"0:-:MS0102:spec.host: Required value"} << 0;
        QTest::newRow("http null")
            << "istio__istio__istioctl_pkg_validate_validate_test.go__"
               "invalidVirtualServiceV1Beta1.yaml"
            << QStringList{"0:6:MS0101:Invalid value: \"null\": spec.http in body must be of type "
                           "array: \"null\""}
            << 0;
        QTest::newRow("warmup")
            << "istio__api__tests_testdata_destinationrule-invalid.yaml"
            << QStringList{"0:1:MS0103:unknown field \"_err\"",
                           "0:12:MS0105:Invalid value: 150: spec.trafficPolicy.loadBalancer.warmup."
                           "minimumPercent in body should be less than or equal to 100",
                           "1:14:MS0103:unknown field \"_err\"",
                           "1:24:MS0102:spec.trafficPolicy.loadBalancer.warmup.duration: Required "
                           "value",
                           "2:26:MS0103:unknown field \"_err\"",
                           "2:37:MS0105:Invalid value: -0.1: "
                           "spec.trafficPolicy.loadBalancer.warmup."
                           "aggression in body should be greater than or equal to 0"}
            << 0;
        QTest::newRow("metadata.name underscore")
            << "kiali__kiali__tests_data_validations_exportto_vs_exportto_invalid.yaml"
            << QStringList() << 1; // "vs_exportto_valid" is not a DNS-1123 subdomain
    }

    void corpusInvalidGivesTheSchemaErrors()
    {
        QFETCH(QString, file);
        QFETCH(QStringList, expected);
        QFETCH(int, nameErrors);
        const QString path = sharedDir() + QStringLiteral("/invalid/") + file;
        if (!QFileInfo::exists(path))
            QSKIP("shared conformance corpus not available");
        const Yaml::ParseResult parsed = Yaml::parseFile(path);
        Diagnostics out;
        for (const Yaml::Document &doc : parsed.documents) {
            Validate::Reporter reporter(doc, out);
            Validate::checkSchema(doc, reporter, true);
        }
        QStringList got;
        int names = 0;
        for (const Diagnostic &d : out) {
            if (d.code == QLatin1String("MS0108") && d.path == QLatin1String("metadata.name") &&
                d.message.contains(QLatin1String("RFC 1123 subdomain"))) {
                ++names;
                continue;
            }
            got << QStringLiteral("%1:%2:%3:%4").arg(d.document).arg(d.line).arg(d.code, d.message);
        }
        QCOMPARE(names, nameErrors);
        QVERIFY2(got.size() == expected.size(), qPrintable(got.join(QLatin1Char('\n'))));
        for (int i = 0; i < expected.size(); ++i) {
            const QStringList want = expected[i].split(QLatin1Char(':'));
            const QStringList have = got[i].split(QLatin1Char(':'));
            QCOMPARE(have[0], want[0]);
            if (want[1] != QLatin1String("-"))
                QCOMPARE(have[1], want[1]);
            QCOMPARE(have[2], want[2]);
            const QString wantMessage = want.mid(3).join(QLatin1Char(':'));
            QVERIFY2(got[i].section(QLatin1Char(':'), 3).startsWith(wantMessage),
                     qPrintable(got.join(QLatin1Char('\n'))));
        }
    }

    void thousandVirtualServicesUnderASecond()
    {
        QByteArray yaml;
        for (int i = 0; i < 1000; ++i) {
            yaml +=
                "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n"
                "  name: vs-" +
                QByteArray::number(i) +
                "\nspec:\n  hosts:\n  - reviews\n  http:\n  - match:\n    - uri:\n"
                "        prefix: /api\n      headers:\n        end-user:\n          exact: "
                "jason\n    route:\n    - destination:\n        host: reviews\n"
                "        subset: v1\n      weight: 90\n    - destination:\n        host: "
                "reviews\n        subset: v2\n      weight: 10\n    mirror:\n      host: "
                "reviews\n      subset: v3\n    mirrorPercentage:\n      value: 5.0\n"
                "    timeout: 2s\n    retries:\n      attempts: 3\n      perTryTimeout: 500ms\n";
        }
        const Yaml::ParseResult parsed = Yaml::parse(yaml);
        QCOMPARE(int(parsed.documents.size()), 1000);
        Validate::schemaAvailable(); // load the schema outside the timing
        QElapsedTimer timer;
        timer.start();
        Diagnostics out;
        for (const Yaml::Document &doc : parsed.documents) {
            Validate::Reporter reporter(doc, out);
            Validate::checkSchema(doc, reporter, true);
        }
        const qint64 ms = timer.elapsed();
        QCOMPARE(dump(out), QString());
        QVERIFY2(ms < 1000, qPrintable(QStringLiteral("%1 ms").arg(ms)));
    }
};

QTEST_APPLESS_MAIN(TestSchema)
#include "tst_schema.moc"
