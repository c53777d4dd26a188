// Istio YAML written by other people (the shared conformance corpus): every valid file parses
// and validates without errors, except the istioctl-analyze fixtures that are meant to produce
// analyzer errors; every invalid file gives an error, and the expected one where the corpus
// notes (SOURCES.md) name it. The expectations below are transcribed from SOURCES.md.

#include "validate/validator.h"
#include "yaml/document.h"

#include <QDir>
#include <QtTest>

using Base::Diagnostic;
using Base::Diagnostics;
using Base::Severity;

namespace {

struct Expectation
{
    const char *file;  // file name prefix inside valid/ or invalid/
    int document;      // -1: any document of the file
    const char *code;  // istioCode or Mirrorscope code; "" = any
    const char *text;  // part of the message; "" = any
    const char *path;  // exact field path; "" = any
    bool error = true; // false: any severity (warnings, infos of the webhook analyzers)
};

const char kDupMatches[] = "istio__istio__pkg_config_analysis_analyzers_testdata_virtualservice_"
                           "dupmatches";
const char kDestinationRules[] = "istio__istio__pkg_config_analysis_analyzers_testdata_"
                                 "virtualservice_destinationrules";
const char kConflicting[] = "istio__istio__pkg_config_analysis_analyzers_testdata_"
                            "virtualservice_conflictingmeshgatewayhosts";
const char kOverlapping[] = "istio__istio__pkg_config_analysis_analyzers_testdata_"
                            "virtualservice_overlappingmatches";
const char kMeshConflict[] = "associated with mesh gateway define the same host";

// valid/: errors a file is meant to produce (any other error fails), and expected non-errors.
const Expectation kValid[] = {
    {kDestinationRules, 2, "IST0101",
     "Referenced host+subset in destinationrule not found: \"reviews+bogus\"",
     "spec.http[0].route[0].destination.subset"},
    {kDestinationRules, 5, "IST0101",
     "Referenced mirror+subset in destinationrule not found: \"reviews+bogus\"",
     "spec.http[0].mirror.subset"},
    // Istio's analyzer test expects one message for each of these seven VirtualServices:
    // foo/productpage, foo/bogus-productpage, foo/ratings, bar/ratings, team2/ratings
    // (google.com against bar/ratings, exported to all), team3/ratings, team4/ratings.
    {kConflicting, 0, "IST0109", kMeshConflict, "spec.hosts[0]"},
    {kConflicting, 1, "IST0109", kMeshConflict, "spec.hosts[0]"},
    {kConflicting, 4, "IST0109", kMeshConflict, "spec.hosts[0]"},
    {kConflicting, 5, "IST0109", kMeshConflict, ""},
    {kConflicting, 7, "IST0109", "team2/ratings,bar/ratings", "spec.hosts[1]"},
    {kConflicting, 8, "IST0109", kMeshConflict, "spec.hosts[0]"},
    {kConflicting, 9, "IST0109", kMeshConflict, "spec.hosts[0]"},
    {"kiali__kiali__tests_data_validations_virtualservices_subset-presence-no-matching-subsets-1",
     2, "IST0101",
     "Referenced host+subset in destinationrule not found: "
     "\"reviews.bookinfo.svc.cluster.local+not-v1\"",
     "spec.http[0].route[0].destination.subset"},
    {"kiali__kiali__tests_data_validations_virtualservices_subset-presence-no-matching-subsets-1",
     2, "IST0101",
     "Referenced host+subset in destinationrule not found: "
     "\"reviews.bookinfo.svc.cluster.local+not-v2\"",
     "spec.http[1].route[0].destination.subset"},
    // Two mesh-bound VirtualServices of one namespace for the same host: istioctl analyze
    // reports IST0109 (the Kiali fixture checks only that Kiali's own KIA1106 stays quiet
    // under a Sidecar).
    {"kiali__kiali__tests_integration_assets_bookinfo-vs-sidecar-foreign-multimatch", 1, "IST0109",
     kMeshConflict, "spec.hosts[0]"},
    {"kiali__kiali__tests_integration_assets_bookinfo-vs-sidecar-foreign-multimatch", 2, "IST0109",
     kMeshConflict, "spec.hosts[0]"},
    {kDupMatches, -1, "IST0130", "", "", false},
    {kDupMatches, -1, "IST0131", "", "", false},
    {kOverlapping, -1, "IST0131", "", "", false},
    // Its five VirtualServices all bind sample.baz to the mesh in one namespace: the full
    // `istioctl analyze` reports IST0109 on each (Istio's unit test runs only the match
    // analyzer on this file).
    {kOverlapping, 0, "IST0109", kMeshConflict, "spec.hosts[0]"},
    {kOverlapping, 1, "IST0109", kMeshConflict, "spec.hosts[0]"},
    {kOverlapping, 2, "IST0109", kMeshConflict, "spec.hosts[0]"},
    {kOverlapping, 3, "IST0109", kMeshConflict, "spec.hosts[0]"},
    {kOverlapping, 4, "IST0109", kMeshConflict, "spec.hosts[0]"},
};

const char kNoRoutes[] = "http, tcp or tls must be provided in virtual service";

// invalid/: errors that must be among a file's errors.
const Expectation kInvalid[] = {
    {"istio__istio__tests_testdata_config_rule-websocket-route", 2, "", "websocketUpgrade", ""},
    {"istio__istio__tests_testdata_config_rule-websocket-route", 3, "", "websocketUpgrade", ""},
    {"istio__istio__pkg_config_analysis_analyzers_testdata_virtualservice_destinationhosts", 8, "",
     "destination", ""},
    {"istio__istio__pkg_config_analysis_analyzers_testdata_virtualservice_gateways", -1, "",
     kNoRoutes, ""},
    {"istio__istio__pilot_pkg_config_kube_gateway_testdata_invalid.yaml.golden", 6, "", "host", ""},
    {"istio__istio__pilot_pkg_config_kube_gateway_testdata_invalid.yaml.golden", 8, "", "host", ""},
    {"istio__istio__pkg_test_datasets_validation_dataset_networking-v1alpha3-VirtualService-"
     "invalid",
     0, "", "weight -15 < 0", ""},
    {"istio__istio__pkg_test_datasets_validation_dataset_networking-v1beta-VirtualService-"
     "invalid",
     0, "", "weight -15 < 0", ""},
    {"istio__istio__pkg_test_datasets_validation_dataset_networking-v1alpha3-VirtualService-"
     "regexp-invalid",
     0, "", "Istio uses RE2 style regex-based match", ""},
    {"istio__istio__pkg_test_datasets_validation_dataset_networking-v1alpha3-DestinationRule-"
     "invalid",
     0, "", "host", ""},
    {"istio__istio__pkg_test_datasets_validation_dataset_networking-v1beta-DestinationRule-"
     "invalid",
     0, "", "host", ""},
    {"istio__istio__istioctl_pkg_validate_validate_test.go__invalidVirtualServiceYAML", 0, "",
     "weight -15 < 0", ""},
    {"istio__istio__istioctl_pkg_validate_validate_test.go__invalidVirtualServiceV1Beta1", 0, "",
     kNoRoutes, ""},
    {"istio__api__tests_testdata_destinationrule-invalid", 0, "", "",
     "spec.trafficPolicy.loadBalancer.warmup.minimumPercent"},
    {"istio__api__tests_testdata_destinationrule-invalid", 1, "", "duration", ""},
    {"istio__api__tests_testdata_destinationrule-invalid", 2, "", "",
     "spec.trafficPolicy.loadBalancer.warmup.aggression"},
    {"kiali__kiali__tests_data_validations_exportto_vs_exportto_invalid", 0, "", kNoRoutes, ""},
    {"kiali__kiali__tests_data_validations_exportto_vs_exportto_invalid", 0, "",
     "wildcard host * is not allowed for virtual services bound to the mesh gateway", ""},
};

QString corpusDir()
{
    return QStringLiteral(MIRRORSCOPE_SHARED_DIR "/conformance/istio-corpus");
}

bool matches(const Expectation &e, const Diagnostic &d)
{
    if (e.error && d.severity != Severity::Error)
        return false;
    if (e.document >= 0 && d.document != e.document)
        return false;
    if (*e.code && d.code != QLatin1String(e.code) && d.istioCode != QLatin1String(e.code))
        return false;
    if (*e.text && !d.message.contains(QString::fromUtf8(e.text)))
        return false;
    return !*e.path || d.path == QLatin1String(e.path);
}

QString describe(const Diagnostics &all, bool errorsOnly)
{
    QStringList lines;
    for (const Diagnostic &d : all)
        if (!errorsOnly || d.severity == Severity::Error)
            lines << QStringLiteral("  doc %1: ").arg(d.document) + Base::formatDiagnostic(d);
    return lines.join(QLatin1Char('\n'));
}

QStringList filesIn(const QString &folder)
{
    return QDir(corpusDir() + QLatin1Char('/') + folder)
        .entryList({QStringLiteral("*.yaml")}, QDir::Files, QDir::Name);
}

Diagnostics validateFile(const QString &folder, const QString &name, Diagnostics *parseProblems)
{
    const Yaml::ParseResult parsed =
        Yaml::parseFile(corpusDir() + QLatin1Char('/') + folder + QLatin1Char('/') + name);
    *parseProblems = parsed.diagnostics;
    return Validate::validate(parsed.documents);
}

template <std::size_t N>
QList<const Expectation *> expectationsFor(const Expectation (&table)[N], const QString &name)
{
    QList<const Expectation *> out;
    for (const Expectation &e : table)
        if (name == QString::fromUtf8(e.file) + QStringLiteral(".yaml"))
            out << &e;
    return out;
}

} // namespace

class TestConformance : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (!QDir(corpusDir()).exists())
            QSKIP("the shared conformance corpus (MIRRORSCOPE_SHARED_DIR/conformance/"
                  "istio-corpus) is not available on this machine");
    }

    void corpusIsComplete()
    {
        // SOURCES.md lists 63 valid and 13 invalid files; a missing file would silently
        // shrink what this test covers.
        QCOMPARE(filesIn(QStringLiteral("valid")).size(), 63);
        QCOMPARE(filesIn(QStringLiteral("invalid")).size(), 13);
        const QStringList valid = filesIn(QStringLiteral("valid"));
        for (const Expectation &e : kValid)
            QVERIFY2(valid.contains(QString::fromUtf8(e.file) + QStringLiteral(".yaml")), e.file);
        const QStringList invalid = filesIn(QStringLiteral("invalid"));
        for (const Expectation &e : kInvalid)
            QVERIFY2(invalid.contains(QString::fromUtf8(e.file) + QStringLiteral(".yaml")), e.file);
    }

    void validFiles_data()
    {
        QTest::addColumn<QString>("name");
        for (const QString &name : filesIn(QStringLiteral("valid")))
            QTest::newRow(qPrintable(name)) << name;
    }

    void validFiles()
    {
        QFETCH(QString, name);
        Diagnostics parseProblems;
        const Diagnostics found = validateFile(QStringLiteral("valid"), name, &parseProblems);
        QVERIFY2(!Base::hasErrors(parseProblems), qPrintable(describe(parseProblems, true)));
        const QList<const Expectation *> expected = expectationsFor(kValid, name);
        for (const Diagnostic &d : found) {
            if (d.severity != Severity::Error)
                continue;
            const bool meant = std::any_of(expected.begin(), expected.end(),
                                           [&](const Expectation *e) { return matches(*e, d); });
            QVERIFY2(meant, qPrintable(QStringLiteral("unexpected error:\n") + describe({d}, true) +
                                       QStringLiteral("\nall:\n") + describe(found, false)));
        }
        for (const Expectation *e : expected) {
            const bool seen = std::any_of(found.begin(), found.end(),
                                          [&](const Diagnostic &d) { return matches(*e, d); });
            QVERIFY2(seen, qPrintable(QStringLiteral("missing %1 \"%2\" (doc %3, %4) in:\n")
                                          .arg(QLatin1String(e->code), QString::fromUtf8(e->text))
                                          .arg(e->document)
                                          .arg(QLatin1String(e->path)) +
                                      describe(found, false)));
        }
    }

    void invalidFiles_data()
    {
        QTest::addColumn<QString>("name");
        for (const QString &name : filesIn(QStringLiteral("invalid")))
            QTest::newRow(qPrintable(name)) << name;
    }

    void invalidFiles()
    {
        QFETCH(QString, name);
        Diagnostics parseProblems;
        const Diagnostics found = validateFile(QStringLiteral("invalid"), name, &parseProblems);
        QVERIFY2(!Base::hasErrors(parseProblems), qPrintable(describe(parseProblems, true)));
        QVERIFY2(Base::hasErrors(found), qPrintable(describe(found, false)));
        for (const Expectation *e : expectationsFor(kInvalid, name)) {
            const bool seen = std::any_of(found.begin(), found.end(),
                                          [&](const Diagnostic &d) { return matches(*e, d); });
            QVERIFY2(seen, qPrintable(QStringLiteral("missing \"%1\" %2 (doc %3) in:\n")
                                          .arg(QString::fromUtf8(e->text), QLatin1String(e->path))
                                          .arg(e->document) +
                                      describe(found, true)));
        }
    }
};

QTEST_APPLESS_MAIN(TestConformance)
#include "tst_conformance.moc"
