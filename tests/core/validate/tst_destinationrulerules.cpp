#include "rulestestutil.h"
#include "validate/destinationrulerules.h"
#include "validate/reporter.h"
#include "yaml/document.h"

#include <QDir>
#include <QFileInfo>
#include <QtTest>

using Base::Severity;

// Each failing snippet marks the line the finding must point at with a trailing "#<" comment.
class TstDestinationRuleRules : public QObject
{
    Q_OBJECT

private slots:
    void failing_data();
    void failing();
    void passing_data();
    void passing();
    void invalidDatasets();
    void validCorpusHasNoErrors();
};

namespace {

QByteArray dr(const QByteArray &rest)
{
    return "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: t\n" +
           rest;
}

Base::Diagnostics check(const QByteArray &yaml)
{
    return RulesTest::checkKind(yaml, "DestinationRule", Validate::checkDestinationRule);
}

using RulesTest::dump;
using RulesTest::markedLine;

} // namespace

void TstDestinationRuleRules::failing_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("severity");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("path");
    const int E = int(Severity::Error);
    const int W = int(Severity::Warning);
    auto row = [](const char *name, const QByteArray &rest, const char *code, int sev,
                  const QString &msg, const char *path) {
        QTest::newRow(name) << dr(rest) << QString::fromLatin1(code) << sev << msg
                            << QString::fromLatin1(path);
    };
    row("host label", "spec:\n  host: rev_iews #<\n", "MS2001", E,
        "domain name \"rev_iews\" invalid (label \"rev_iews\" invalid)", "spec.host");
    const QByteArray longHost = QByteArray("a.").repeated(127) + "ab";
    row("host too long", "spec:\n  host: " + longHost + " #<\n", "MS2002", E,
        "domain name \"" + QString::fromLatin1(longHost) + "\" too long (max 255)", "spec.host");
    row("host missing", "spec:\n  subsets: [{name: v1}] #<\n", "MS2003", E,
        "empty domain name not allowed", "spec.host");
    row("host numeric tld", "spec:\n  host: a.b.42 #<\n", "MS2004", E,
        "domain name \"b.42\" invalid (top level domain \"42\" cannot be all-numeric)",
        "spec.host");
    row("subset null", "spec:\n  host: a\n  subsets:\n  - null #<\n", "MS2005", E,
        "subset may not be null", "spec.subsets[0]");
    row("duplicate subsets", "spec:\n  host: a\n  subsets:\n  - name: v1\n  - name: v1 #<\n",
        "MS2006", E, "duplicate subset names: v1", "spec.subsets[1].name");
    row("subset name empty", "spec:\n  host: a\n  subsets:\n  - name: \"\" #<\n", "MS2007", E,
        "subset name cannot be empty", "spec.subsets[0].name");
    row("subset name invalid", "spec:\n  host: a\n  subsets:\n  - name: V_1 #<\n", "MS2008", E,
        "subset name is invalid: V_1", "spec.subsets[0].name");
    row("label key", "spec:\n  host: a\n  subsets:\n  - name: v1\n    labels:\n      -bad: v #<\n",
        "MS2009", E, "invalid tag key: \"-bad\"", "spec.subsets[0].labels[\"-bad\"]");
    row("label key name too long",
        "spec:\n  host: a\n  subsets:\n  - name: v1\n    labels:\n      example.com/" +
            QByteArray("a").repeated(64) + ": v #<\n",
        "MS2009", E,
        "invalid tag key: \"example.com/" + QString(64, QLatin1Char('a')) + "\" (name is too long)",
        "spec.subsets[0].labels[\"example.com/" + QByteArray("a").repeated(64) + "\"]");
    row("label value",
        "spec:\n  host: a\n  subsets:\n  - name: v1\n    labels: {version: \"v 1\"} #<\n", "MS2010",
        E, "invalid tag value: \"v 1\"", "spec.subsets[0].labels.version");
    row("selector beyond namespace",
        "spec:\n  host: a\n  workloadSelector: {matchLabels: {app: a}}\n  exportTo: [other] #<\n",
        "MS2011", E,
        "destination rule with workload selector cannot have exportTo beyond current namespace",
        "spec.exportTo");
    row("selector multiple",
        "spec:\n  host: a\n  workloadSelector: {matchLabels: {app: a}}\n  exportTo: [\".\", other] "
        "#<\n",
        "MS2012", E,
        "destination rule with workload selector cannot have multiple entries in exportTo",
        "spec.exportTo");
    row("exportTo dot and ns", "spec:\n  host: a\n  exportTo:\n  - default\n  - . #<\n", "MS2013",
        E, "duplicate entries in exportTo: . and current namespace default", "spec.exportTo[1]");
    row("exportTo duplicate", "spec:\n  host: a\n  exportTo:\n  - x\n  - x #<\n", "MS2014", E,
        "duplicate entries in exportTo for entry x", "spec.exportTo[1]");
    row("exportTo public mixed", "spec:\n  host: a\n  exportTo: [\"*\", x] #<\n", "MS2015", E,
        "cannot have both public (*) and non-public exportTo values for a resource",
        "spec.exportTo");
    row("exportTo none", "spec:\n  host: a\n  exportTo:\n  - \"~\" #<\n", "MS2016", E,
        "exportTo ~ (none) is not allowed for Istio configuration objects", "spec.exportTo[0]");
    row("exportTo invalid", "spec:\n  host: a\n  exportTo:\n  - a.b #<\n", "MS2017", E,
        "only .,*,~, or a valid DNS 1123 label is allowed as exportTo entry", "spec.exportTo[0]");
    QTest::newRow("always reject")
        << QByteArray("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  "
                      "name: t\n  annotations:\n    internal.istio.io/webhook-always-reject: x "
                      "#<\nspec: {host: a}\n")
        << "MS2018" << E
        << "\"internal.istio.io/webhook-always-reject\" annotation found, rejecting"
        << "metadata.annotations[\"internal.istio.io/webhook-always-reject\"]";
    QTest::newRow("internal namespace")
        << QByteArray("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  "
                      "name: t\n  annotations:\n    internal.istio.io/parent-namespace: x "
                      "#<\nspec: {host: a}\n")
        << "MS2019" << E
        << "\"internal.istio.io/parent-namespace\" annotation found, this may not be set by users"
        << "metadata.annotations[\"internal.istio.io/parent-namespace\"]";
    QTest::newRow("dry-run")
        << QByteArray(
               "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  "
               "name: t\n  annotations:\n    istio.io/dry-run: \"true\" #<\nspec: {host: a}\n")
        << "MS2020" << E
        << "default/t has unsupported annotation istio.io/dry-run, please remove the annotation"
        << "metadata.annotations[\"istio.io/dry-run\"]";
    row("empty traffic policy", "spec:\n  host: a\n  trafficPolicy: {} #<\n", "MS2021", E,
        "traffic policy must have at least one field", "spec.trafficPolicy");
    row("empty subset traffic policy",
        "spec:\n  host: a\n  subsets:\n  - name: v1\n    trafficPolicy: {} #<\n", "MS2021", E,
        "traffic policy must have at least one field", "spec.subsets[0].trafficPolicy");
    row("selector wildcard",
        "spec:\n  host: a\n  workloadSelector:\n    matchLabels:\n      app: \"web*\" #<\n",
        "MS2023", E, "wildcard is not supported in selector: \"app=web*\"",
        "spec.workloadSelector.matchLabels.app");
    row("selector no labels", "spec:\n  host: a\n  workloadSelector: {} #<\n", "MS2024", W,
        "workload selector specified without labels", "spec.workloadSelector");
}

void TstDestinationRuleRules::failing()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, code);
    QFETCH(int, severity);
    QFETCH(QString, message);
    QFETCH(QString, path);
    const Base::Diagnostics ds = check(yaml);
    const auto it = std::find_if(ds.begin(), ds.end(), [&](const Base::Diagnostic &d) {
        return d.code == code && d.path == path;
    });
    QVERIFY2(it != ds.end(), qPrintable("missing " + code + " at " + path + "; got:\n" + dump(ds)));
    QCOMPARE(it->message, message);
    QCOMPARE(int(it->severity), severity);
    QCOMPARE(it->line, markedLine(yaml));
    if (it->severity == Severity::Error)
        QCOMPARE(it->istioCode, QStringLiteral("IST0106"));
}

void TstDestinationRuleRules::passing_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("code");
    auto row = [](const char *name, const QByteArray &rest, const char *code) {
        QTest::newRow(name) << dr(rest) << QString::fromLatin1(code);
    };
    row("wildcard host", "spec:\n  host: \"*.svc.cluster.local\"\n", "MS2001");
    row("short host", "spec:\n  host: reviews\n", "MS2003");
    row("subsets",
        "spec:\n  host: a\n  subsets:\n  - {name: v1, labels: {version: v1, "
        "app.kubernetes.io/name: a}}\n  - {name: v2, labels: {version: \"\"}}\n",
        "MS2006");
    row("selector with own namespace",
        "spec:\n  host: a\n  workloadSelector: {matchLabels: {app: a}}\n  exportTo: [\".\"]\n",
        "MS2011");
    row("exportTo list", "spec:\n  host: a\n  exportTo: [\".\", ns1, ns2]\n", "MS2014");
    row("traffic policy", "spec:\n  host: a\n  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}\n",
        "MS2021");
}

void TstDestinationRuleRules::passing()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, code);
    const Base::Diagnostics ds = check(yaml);
    QVERIFY2(ds.isEmpty(), qPrintable(dump(ds)));
    Q_UNUSED(code);
}

void TstDestinationRuleRules::invalidDatasets()
{
    const QString dir = QStringLiteral(MIRRORSCOPE_SHARED_DIR "/conformance/istio-corpus/invalid/");
    if (!QDir(dir).exists())
        QSKIP("shared conformance corpus not available");
    for (const char *name :
         {"istio__istio__pkg_test_datasets_validation_dataset_networking-v1alpha3-DestinationRule-"
          "invalid.yaml",
          "istio__istio__pkg_test_datasets_validation_dataset_networking-v1beta-DestinationRule-"
          "invalid.yaml"}) {
        const Yaml::ParseResult parsed = Yaml::parseFile(dir + name);
        QCOMPARE(parsed.documents.size(), std::size_t(1));
        Base::Diagnostics ds;
        Validate::Reporter r(parsed.documents[0], ds);
        Validate::checkDestinationRule(parsed.documents[0], r);
        QCOMPARE(ds.size(), 1);
        QCOMPARE(ds[0].code, QStringLiteral("MS2003"));
        QCOMPARE(ds[0].message, QStringLiteral("empty domain name not allowed"));
        QCOMPARE(ds[0].path, QStringLiteral("spec.host"));
    }
}

void TstDestinationRuleRules::validCorpusHasNoErrors()
{
    const QDir dir(QStringLiteral(MIRRORSCOPE_SHARED_DIR "/conformance/istio-corpus/valid"));
    if (!dir.exists())
        QSKIP("shared conformance corpus not available");
    int checked = 0;
    for (const QFileInfo &fi : dir.entryInfoList({"*.yaml"}, QDir::Files)) {
        const Yaml::ParseResult parsed = Yaml::parseFile(fi.filePath());
        for (const Yaml::Document &doc : parsed.documents) {
            if (doc.kind() != "DestinationRule")
                continue;
            Base::Diagnostics ds;
            Validate::Reporter r(doc, ds);
            Validate::checkDestinationRule(doc, r);
            ++checked;
            for (const auto &d : ds)
                QVERIFY2(d.severity != Severity::Error,
                         qPrintable(fi.fileName() + ": " + d.path + ": " + d.message));
        }
    }
    QVERIFY(checked >= 25);
}

QTEST_APPLESS_MAIN(TstDestinationRuleRules)
#include "tst_destinationrulerules.moc"
