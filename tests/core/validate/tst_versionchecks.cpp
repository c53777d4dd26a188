#include "validate/versionchecks.h"
#include "yaml/document.h"

#include <QtTest>

using Base::Diagnostic;
using Base::Diagnostics;
using Base::IstioVersion;
using Base::Severity;

namespace {

Diagnostics check(const QByteArray &yaml, IstioVersion target, bool strict = true)
{
    Yaml::ParseResult r = Yaml::parse(yaml, QStringLiteral("v.yaml"));
    Diagnostics out;
    for (const Yaml::Document &doc : r.documents) {
        Validate::Reporter reporter(doc, out);
        Validate::checkVersion(doc, reporter, target, strict);
    }
    return out;
}

Diagnostics withCode(const Diagnostics &all, const QString &code)
{
    Diagnostics out;
    for (const Diagnostic &d : all)
        if (d.code == code)
            out.append(d);
    return out;
}

QPair<int, int> pos(const QByteArray &text, const char *needle, int skip = 0)
{
    int at = text.indexOf(needle);
    Q_ASSERT(at >= 0);
    at += skip;
    const int line = text.left(at).count('\n') + 1;
    const int lineStart = text.lastIndexOf('\n', at - 1) + 1;
    return {line, at - lineStart + 1};
}

QByteArray vs(const QByteArray &httpRule, const QByteArray &api = "networking.istio.io/v1beta1")
{
    return "apiVersion: " + api + R"(
kind: VirtualService
metadata:
  name: greeter-service
spec:
  hosts:
  - greeter-service
  http:
)" + httpRule;
}

const QByteArray kMirrorRule = R"(  - route:
    - destination:
        host: greeter-service
        port:
          number: 3000
        subset: v1
    mirror:
      host: greeter-service
      port:
        number: 3000
      subset: v2
)";

} // namespace

class TestVersionChecks : public QObject
{
    Q_OBJECT

private slots:
    void mirrorsNeeds120()
    {
        const QByteArray yaml = vs(R"(  - route:
    - destination:
        host: greeter-service
    mirrors:
    - destination:
        host: greeter-next
)");
        // 1.19's CRD carries the (hidden) field: accepted, but Istio does not mirror yet.
        Diagnostics found = withCode(check(yaml, {1, 19}), QStringLiteral("MS4001"));
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].severity, Severity::Warning);
        QCOMPARE(found[0].message,
                 QStringLiteral("`mirrors` needs Istio 1.20 or later (target is 1.19)"));
        QCOMPARE(found[0].path, QStringLiteral("spec.http[0].mirrors"));
        QCOMPARE(found[0].line, pos(yaml, "- destination:\n        host: greeter-next").first);

        // Older CRDs do not know it: strict field validation rejects it.
        found = withCode(check(yaml, {1, 18}), QStringLiteral("MS4001"));
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].severity, Severity::Error);
        QCOMPARE(found[0].message,
                 QStringLiteral("`mirrors` needs Istio 1.20 or later (target is 1.18)"));
        // Without strict validation the API server prunes it silently.
        found = withCode(check(yaml, {1, 18}, false), QStringLiteral("MS4001"));
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].severity, Severity::Warning);

        QVERIFY(withCode(check(yaml, {1, 20}), QStringLiteral("MS4001")).isEmpty());
    }

    void apiVersionV1Needs122()
    {
        const QByteArray yaml = vs(R"(  - route:
    - destination:
        host: greeter-service
)",
                                   "networking.istio.io/v1");
        Diagnostics found = withCode(check(yaml, {1, 21}, false), QStringLiteral("MS4002"));
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].severity, Severity::Error);
        QCOMPARE(found[0].message,
                 QStringLiteral("`networking.istio.io/v1` needs Istio 1.22 or later (target is "
                                "1.21)"));
        QCOMPARE(found[0].path, QStringLiteral("apiVersion"));
        QCOMPARE(found[0].line, 1);
        QCOMPARE(found[0].column, 13);
        QVERIFY(withCode(check(yaml, {1, 22}), QStringLiteral("MS4002")).isEmpty());

        const QByteArray rule = R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: greeter-service
spec:
  host: greeter-service
)";
        QCOMPARE(withCode(check(rule, {1, 21}), QStringLiteral("MS4002")).size(), 1);
        QVERIFY(withCode(check(rule, {1, 22}), QStringLiteral("MS4002")).isEmpty());
    }

    void fieldVersions_data()
    {
        QTest::addColumn<QByteArray>("rule");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("label");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("at");
        QTest::addColumn<int>("minor");

        const QByteArray route = R"(    route:
    - destination:
        host: greeter-service
)";
        QTest::newRow("mirrorPercentage")
            << QByteArray("  - mirror:\n      host: greeter-next\n    mirrorPercentage:\n"
                          "      value: 10\n") +
                   route
            << "MS4003"
            << "mirrorPercentage"
            << "spec.http[0].mirrorPercentage" << QByteArray("value: 10") << 5;
        QTest::newRow("withoutHeaders")
            << QByteArray("  - match:\n    - withoutHeaders:\n        x-test:\n"
                          "          exact: a\n") +
                   route
            << "MS4004"
            << "withoutHeaders"
            << "spec.http[0].match[0].withoutHeaders" << QByteArray("x-test:") << 5;
        QTest::newRow("delegate")
            << QByteArray("  - delegate:\n      name: reviews\n      namespace: nsA\n") << "MS4005"
            << "delegate"
            << "spec.http[0].delegate" << QByteArray("name: reviews") << 6;
        QTest::newRow("directResponse")
            << QByteArray("  - directResponse:\n      status: 503\n") << "MS4006"
            << "directResponse"
            << "spec.http[0].directResponse" << QByteArray("status: 503") << 15;
        QTest::newRow("statPrefix")
            << QByteArray("  - match:\n    - statPrefix: greeter\n") + route << "MS4007"
            << "statPrefix"
            << "spec.http[0].match[0].statPrefix" << QByteArray("greeter\n") << 15;
        QTest::newRow("uriRegexRewrite")
            << QByteArray("  - rewrite:\n      uriRegexRewrite:\n        match: ^/v1(.*)\n"
                          "        rewrite: /v2\\1\n") +
                   route
            << "MS4008"
            << "uriRegexRewrite"
            << "spec.http[0].rewrite.uriRegexRewrite" << QByteArray("match: ^/v1") << 19;
        QTest::newRow("unmatchedPreflights")
            << QByteArray("  - corsPolicy:\n      unmatchedPreflights: IGNORE\n") + route
            << "MS4009"
            << "corsPolicy.unmatchedPreflights"
            << "spec.http[0].corsPolicy.unmatchedPreflights" << QByteArray("IGNORE") << 23;
        QTest::newRow("backoff") << QByteArray(
                                        "  - retries:\n      attempts: 3\n      backoff: 50ms\n") +
                                        route
                                 << "MS4010"
                                 << "retries.backoff"
                                 << "spec.http[0].retries.backoff" << QByteArray("50ms") << 26;
        QTest::newRow("retryIgnorePreviousHosts")
            << QByteArray("  - retries:\n      attempts: 3\n      retryIgnorePreviousHosts: "
                          "false\n") +
                   route
            << "MS4011"
            << "retries.retryIgnorePreviousHosts"
            << "spec.http[0].retries.retryIgnorePreviousHosts" << QByteArray("false") << 26;
        QTest::newRow("prefixRewrite")
            << QByteArray("  - match:\n    - uri:\n        prefix: /old\n    redirect:\n"
                          "      prefixRewrite: /new\n")
            << "MS4012"
            << "redirect.prefixRewrite"
            << "spec.http[0].redirect.prefixRewrite" << QByteArray("/new") << 31;
    }

    void fieldVersions()
    {
        QFETCH(QByteArray, rule);
        QFETCH(QString, code);
        QFETCH(QString, label);
        QFETCH(QString, path);
        QFETCH(QByteArray, at);
        QFETCH(int, minor);
        const QByteArray yaml = vs(rule);

        const Diagnostics found = withCode(check(yaml, {1, minor - 1}), code);
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].severity, Severity::Error);
        QCOMPARE(found[0].message, QStringLiteral("`%1` needs Istio 1.%2 or later (target is 1.%3)")
                                       .arg(label)
                                       .arg(minor)
                                       .arg(minor - 1));
        QCOMPARE(found[0].path, path);
        const QPair<int, int> where = pos(yaml, at.constData());
        QCOMPARE(found[0].line, where.first);
        QCOMPARE(found[0].column, where.second);

        QCOMPARE(withCode(check(yaml, {1, minor - 1}, false), code).first().severity,
                 Severity::Warning);
        QVERIFY(withCode(check(yaml, {1, minor}), code).isEmpty());
    }

    void shadowHostInfoUpTo127()
    {
        const QByteArray yaml = vs(kMirrorRule);
        const Diagnostics found = withCode(check(yaml, {1, 27}), QStringLiteral("MS4100"));
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].severity, Severity::Info);
        QCOMPARE(found[0].message,
                 QStringLiteral("mirrored requests carry Host greeter-service-shadow:3000 on "
                                "Istio 1.27 (the -shadow suffix is appended up to 1.27)"));
        QCOMPARE(found[0].path, QStringLiteral("spec.http[0].mirror"));
        const QPair<int, int> where = pos(yaml, "host: greeter-service\n      port");
        QCOMPARE(found[0].line, where.first);
        QCOMPARE(found[0].column, where.second);
    }

    void shadowHostInfoFrom128()
    {
        const Diagnostics found =
            withCode(check(vs(kMirrorRule), {1, 28}), QStringLiteral("MS4100"));
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].message,
                 QStringLiteral("mirrored requests carry Host greeter-service:3000 on Istio 1.28 "
                                "(unchanged: the -shadow suffix is appended only up to 1.27)"));
    }

    void shadowHostFollowsRewrittenAuthority()
    {
        const QByteArray yaml = vs(R"(  - match:
    - port: 8080
    rewrite:
      authority: api.internal
    route:
    - destination:
        host: greeter-service
    mirrors:
    - destination:
        host: greeter-next
)");
        const Diagnostics found = withCode(check(yaml, {1, 22}), QStringLiteral("MS4100"));
        QCOMPARE(found.size(), 1);
        QVERIFY2(found[0].message.startsWith(
                     QStringLiteral("mirrored requests carry Host api.internal-shadow:8080 ")),
                 qPrintable(found[0].message));
        QCOMPARE(found[0].path, QStringLiteral("spec.http[0].mirrors"));
    }

    void noShadowInfoWhenMirrorIsNotApplied()
    {
        const QByteArray yaml = vs(R"(  - directResponse:
      status: 503
    mirror:
      host: greeter-next
)");
        QVERIFY(withCode(check(yaml, {1, 27}), QStringLiteral("MS4100")).isEmpty());
    }

    void noMirrorNoShadowInfo()
    {
        const QByteArray yaml = vs(R"(  - route:
    - destination:
        host: greeter-service
)");
        QVERIFY(check(yaml, {1, 27}).isEmpty());
        QVERIFY(check(yaml, {1, 31}).isEmpty());
    }

    void mirroredHost_data()
    {
        QTest::addColumn<QString>("authority");
        QTest::addColumn<int>("minor");
        QTest::addColumn<QString>("expected");
        QTest::newRow("port") << "httpbin:8000" << 27 << "httpbin-shadow:8000";
        QTest::newRow("no port") << "httpbin" << 20 << "httpbin-shadow";
        QTest::newRow("fqdn") << "a.b.svc.cluster.local:80" << 27
                              << "a.b.svc.cluster.local-shadow:80";
        QTest::newRow("1.28 unchanged") << "httpbin:8000" << 28 << "httpbin:8000";
    }

    void mirroredHost()
    {
        QFETCH(QString, authority);
        QFETCH(int, minor);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(
                     Validate::mirroredHost(authority.toStdString(), IstioVersion{1, minor})),
                 expected);
    }
};

QTEST_APPLESS_MAIN(TestVersionChecks)
#include "tst_versionchecks.moc"
