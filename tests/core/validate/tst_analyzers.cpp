#include "validate/analyzers.h"
#include "yaml/document.h"

#include <QtTest>

using Base::Diagnostic;
using Base::Diagnostics;
using Base::Severity;

namespace {

std::vector<Yaml::Document> parseDocs(const QByteArray &yaml)
{
    Yaml::ParseResult r = Yaml::parse(yaml, QStringLiteral("test.yaml"));
    if (!r.diagnostics.isEmpty())
        qWarning() << "parse:" << r.diagnostics.first().message;
    return r.documents;
}

Diagnostics analyze(const QByteArray &yaml)
{
    Diagnostics out;
    Validate::runAnalyzers(parseDocs(yaml), out);
    return out;
}

Diagnostics withCode(const Diagnostics &all, const char *code)
{
    Diagnostics out;
    for (const Diagnostic &d : all)
        if (d.code == QLatin1String(code))
            out.append(d);
    return out;
}

// 1-based line:column of the nth occurrence of `needle` in `text`, plus `skip` characters:
// where the reported node starts.
QPair<int, int> pos(const QByteArray &text, const char *needle, int skip = 0, int nth = 1)
{
    int at = -1;
    for (int i = 0; i < nth; ++i)
        at = text.indexOf(needle, at + 1);
    Q_ASSERT(at >= 0);
    at += skip;
    const int line = text.left(at).count('\n') + 1;
    const int lineStart = text.lastIndexOf('\n', at - 1) + 1;
    return {line, at - lineStart + 1};
}

void verifyAt(const Diagnostic &d, QPair<int, int> where)
{
    QCOMPARE(d.line, where.first);
    QCOMPARE(d.column, where.second);
}

const QByteArray kReviewsRule = R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
  namespace: foo
spec:
  host: reviews
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
)";

} // namespace

class TestAnalyzers : public QObject
{
    Q_OBJECT

private slots:
    void routeSubsetMissing()
    {
        const QByteArray yaml = kReviewsRule + R"(---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: foo
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: bogus
)";
        const Diagnostics found = withCode(analyze(yaml), "MS3101");
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].severity, Severity::Error);
        QCOMPARE(found[0].istioCode, QStringLiteral("IST0101"));
        QCOMPARE(found[0].message,
                 QStringLiteral("Referenced host+subset in destinationrule not found: "
                                "\"reviews+bogus\""));
        QCOMPARE(found[0].path, QStringLiteral("spec.http[0].route[0].destination.subset"));
        QCOMPARE(found[0].document, 1);
        verifyAt(found[0], pos(yaml, "subset: bogus", 8));
    }

    void mirrorSubsetMissing()
    {
        // Kiali's checker skips mirrors; a mirror to a subset that does not exist is a 503
        // for every copy, so it is reported like a route destination (as istioctl does).
        const QByteArray yaml = kReviewsRule + R"(---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: foo
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
    mirror:
      host: reviews
      subset: v3
)";
        const Diagnostics found = withCode(analyze(yaml), "MS3101");
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].message,
                 QStringLiteral("Referenced mirror+subset in destinationrule not found: "
                                "\"reviews+v3\""));
        QCOMPARE(found[0].path, QStringLiteral("spec.http[0].mirror.subset"));
        verifyAt(found[0], pos(yaml, "subset: v3", 8));
    }

    void mirrorsEntrySubsetMissing()
    {
        const QByteArray yaml = kReviewsRule + R"(---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: foo
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
    mirrors:
    - destination:
        host: reviews
        subset: v2
    - destination:
        host: reviews.foo.svc.cluster.local
        subset: canary
      percentage:
        value: 5
)";
        const Diagnostics found = withCode(analyze(yaml), "MS3101");
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].message,
                 QStringLiteral("Referenced mirror+subset in destinationrule not found: "
                                "\"reviews.foo.svc.cluster.local+canary\""));
        QCOMPARE(found[0].path, QStringLiteral("spec.http[0].mirrors[1].destination.subset"));
        verifyAt(found[0], pos(yaml, "subset: canary", 8));
    }

    void subsetFoundWhateverTheHostForm()
    {
        // `reviews` in ns foo, `reviews.foo` and the FQDN name the same service.
        const QByteArray yaml = kReviewsRule + R"(---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: foo
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews.foo.svc.cluster.local
        subset: v1
      weight: 90
    - destination:
        host: reviews.foo
        subset: v2
      weight: 10
    mirror:
      host: Reviews
      subset: v2
  tcp:
  - route:
    - destination:
        host: reviews
        subset: v1
)";
        const Diagnostics all = analyze(yaml);
        QVERIFY(withCode(all, "MS3101").isEmpty());
        QVERIFY(withCode(all, "MS3102").isEmpty());
    }

    void shortNameResolvedInOwnNamespace()
    {
        // The same short name in another namespace is another service: the rule in foo does
        // not cover `reviews` in bar.
        const QByteArray yaml = kReviewsRule + R"(---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: bar
spec:
  hosts:
  - reviews
  http:
  - route:
    - destination:
        host: reviews
        subset: v1
)";
        const Diagnostics all = analyze(yaml);
        QVERIFY(withCode(all, "MS3101").isEmpty());
        QCOMPARE(withCode(all, "MS3102").size(), 1);
    }

    void noDestinationRuleLoadedIsInfo()
    {
        const QByteArray yaml = R"(apiVersion: networking.istio.io/v1beta1
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
        subset: v1
    mirror:
      host: reviews
      subset: v2
)";
        const Diagnostics all = analyze(yaml);
        QVERIFY(withCode(all, "MS3101").isEmpty());
        const Diagnostics infos = withCode(all, "MS3102");
        QCOMPARE(infos.size(), 2);
        QCOMPARE(infos[1].severity, Severity::Info);
        QCOMPARE(infos[1].message,
                 QStringLiteral("subset v2 of host reviews: no DestinationRule for reviews is "
                                "loaded (it may live in another file)"));
        QCOMPARE(infos[1].path, QStringLiteral("spec.http[0].mirror.subset"));
        verifyAt(infos[1], pos(yaml, "subset: v2", 8));
    }

    void mirrorSameAsOnlyDestination()
    {
        const QByteArray yaml = R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: greeter-service
spec:
  hosts:
  - greeter-service
  http:
  - route:
    - destination:
        host: greeter-service
        port:
          number: 3000
        subset: v1
      weight: 100
    mirror:
      host: greeter-service
      port:
        number: 3000
      subset: v1
)";
        const Diagnostics found = withCode(analyze(yaml), "MS3103");
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].severity, Severity::Warning);
        QCOMPARE(found[0].message,
                 QStringLiteral("mirror sends a copy to the same destination that serves the "
                                "request (greeter-service v1): the destination would receive "
                                "every request twice"));
        QCOMPARE(found[0].path, QStringLiteral("spec.http[0].mirror"));
        verifyAt(found[0], pos(yaml, "host: greeter-service", 0, 2));
    }

    void mirrorToOtherSubsetOrPortIsFine()
    {
        const QByteArray yaml = R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: greeter-service
spec:
  hosts:
  - greeter-service
  http:
  - route:
    - destination:
        host: greeter-service
        subset: v1
    mirror:
      host: greeter-service
      subset: v2
  - route:
    - destination:
        host: greeter-service
        subset: v1
        port:
          number: 3000
    mirror:
      host: greeter-service
      subset: v1
      port:
        number: 3001
)";
        const Diagnostics all = analyze(yaml);
        QVERIFY(withCode(all, "MS3103").isEmpty());
        QVERIFY(withCode(all, "MS3104").isEmpty());
    }

    void mirrorsEntryEqualToDestination()
    {
        const QByteArray yaml = R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: httpbin
spec:
  hosts:
  - httpbin
  http:
  - route:
    - destination:
        host: httpbin
        subset: v1
    mirrors:
    - destination:
        host: httpbin
        subset: v2
    - destination:
        host: httpbin.default.svc.cluster.local
        subset: v1
)";
        const Diagnostics found = withCode(analyze(yaml), "MS3103");
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].path, QStringLiteral("spec.http[0].mirrors[1].destination"));
        QVERIFY(
            found[0].message.contains(QStringLiteral("(httpbin.default.svc.cluster.local v1)")));
    }

    void mirrorAlsoWeightedDestination()
    {
        const QByteArray yaml = R"(apiVersion: networking.istio.io/v1
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
        subset: v1
      weight: 80
    - destination:
        host: reviews
        subset: v2
      weight: 20
    mirror:
      host: reviews
      subset: v2
)";
        const Diagnostics all = analyze(yaml);
        QVERIFY(withCode(all, "MS3103").isEmpty());
        const Diagnostics found = withCode(all, "MS3104");
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].severity, Severity::Warning);
        QCOMPARE(found[0].message,
                 QStringLiteral("reviews v2 is both a weighted route destination (weight 20 of "
                                "100, 20% of requests) and a mirror target of the same rule: the "
                                "requests routed to it are mirrored to it as well, so it "
                                "receives those requests twice"));
        QCOMPARE(found[0].path, QStringLiteral("spec.http[0].mirror"));
        verifyAt(found[0], pos(yaml, "host: reviews", 0, 3));
    }

    void mirrorToUnweightedOrOtherSubsetIsFine()
    {
        // v2 has weight 0 (gets nothing routed), so mirroring to it doubles nothing; v1 is
        // then the only destination that receives traffic and differs from the mirror.
        const QByteArray yaml = R"(apiVersion: networking.istio.io/v1
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
        subset: v1
      weight: 100
    - destination:
        host: reviews
        subset: v2
      weight: 0
    mirror:
      host: reviews
      subset: v2
)";
        const Diagnostics all = analyze(yaml);
        QVERIFY(withCode(all, "MS3104").isEmpty());
        QVERIFY(withCode(all, "MS3103").isEmpty());
    }

    void mirrorOnRedirectOrDirectResponse()
    {
        const QByteArray yaml = R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: web
spec:
  hosts:
  - web
  http:
  - match:
    - uri:
        prefix: /old
    redirect:
      uri: /new
    mirror:
      host: web
  - directResponse:
      status: 503
    mirrors:
    - destination:
        host: web-next
)";
        const Diagnostics found = withCode(analyze(yaml), "MS3105");
        QCOMPARE(found.size(), 2);
        QCOMPARE(found[0].severity, Severity::Warning);
        QCOMPARE(found[0].message,
                 QStringLiteral("mirror is never applied on a rule with redirect (Istio mirrors "
                                "only rules that forward with route)"));
        QCOMPARE(found[0].path, QStringLiteral("spec.http[0].mirror"));
        // A map is placed at its first key.
        verifyAt(found[0], pos(yaml, "host: web"));
        QCOMPARE(found[1].message,
                 QStringLiteral("mirrors are never applied on a rule with directResponse (Istio "
                                "mirrors only rules that forward with route)"));
        QCOMPARE(found[1].path, QStringLiteral("spec.http[1].mirrors"));
    }

    void mirrorOnForwardingRuleIsFine()
    {
        const QByteArray yaml = R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: web
spec:
  hosts:
  - web
  http:
  - route:
    - destination:
        host: web
    mirror:
      host: web-next
)";
        QVERIFY(withCode(analyze(yaml), "MS3105").isEmpty());
    }

    void mirrorPercentageWithMirrors()
    {
        const QByteArray yaml = R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: web
spec:
  hosts:
  - web
  http:
  - route:
    - destination:
        host: web
    mirrors:
    - destination:
        host: web-next
    mirrorPercentage:
      value: 10
)";
        const Diagnostics found = withCode(analyze(yaml), "MS3106");
        QCOMPARE(found.size(), 1);
        QCOMPARE(found[0].severity, Severity::Warning);
        QCOMPARE(found[0].message,
                 QStringLiteral("mirrorPercentage applies only to mirror, not to mirrors; set "
                                "percentage on each mirrors entry"));
        QCOMPARE(found[0].path, QStringLiteral("spec.http[0].mirrorPercentage"));
        verifyAt(found[0], pos(yaml, "value: 10"));
    }

    void mirrorPercentageWithMirrorIsFine()
    {
        const QByteArray yaml = R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: web
spec:
  hosts:
  - web
  http:
  - route:
    - destination:
        host: web
    mirror:
      host: web-next
    mirrorPercentage:
      value: 10
)";
        QVERIFY(withCode(analyze(yaml), "MS3106").isEmpty());
    }

    void conflictingMeshGatewayHosts()
    {
        const QByteArray yaml = R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: productpage
  namespace: foo
spec:
  hosts:
  - productpage
  http:
  - route:
    - destination:
        host: productpage
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: bogus-productpage
  namespace: foo
spec:
  gateways:
  - mesh
  hosts:
  - productpage
  http:
  - route:
    - destination:
        host: reviews
)";
        const Diagnostics found = withCode(analyze(yaml), "MS3109");
        QCOMPARE(found.size(), 2);
        const QString message = QStringLiteral(
            "The VirtualServices foo/productpage,foo/bogus-productpage associated with mesh "
            "gateway define the same host */productpage.foo.svc.cluster.local which can lead to "
            "undefined behavior. This can be fixed by merging the conflicting VirtualServices "
            "into a single resource.");
        for (const Diagnostic &d : found) {
            QCOMPARE(d.severity, Severity::Error);
            QCOMPARE(d.istioCode, QStringLiteral("IST0109"));
            QCOMPARE(d.message, message);
            QCOMPARE(d.path, QStringLiteral("spec.hosts[0]"));
        }
        QCOMPARE(found[0].document, 0);
        QCOMPARE(found[1].document, 1);
        verifyAt(found[1], pos(yaml, "- productpage", 2, 2));
    }

    void sameHostOnGatewayOrOtherScopeIsFine()
    {
        const QByteArray yaml = R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: productpage
  namespace: foo
spec:
  hosts:
  - productpage
  http:
  - route:
    - destination:
        host: productpage
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: productpage-ingress
  namespace: foo
spec:
  gateways:
  - istio-ingressgateway
  hosts:
  - productpage
  http:
  - route:
    - destination:
        host: productpage
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: productpage
  namespace: bar
spec:
  hosts:
  - productpage
  http:
  - route:
    - destination:
        host: productpage
)";
        QVERIFY(withCode(analyze(yaml), "MS3109").isEmpty());
    }

    void deprecatedFields()
    {
        const QByteArray yaml = R"(apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts:
  - ratings
  http:
  - fault:
      delay:
        percent: 50
        fixedDelay: 7s
      abort:
        percent: 10
        httpStatus: 500
    corsPolicy:
      allowOrigin:
      - example.com
    route:
    - destination:
        host: ratings
)";
        const Diagnostics found = withCode(analyze(yaml), "MS3110");
        QCOMPARE(found.size(), 3);
        for (const Diagnostic &d : found) {
            QCOMPARE(d.severity, Severity::Warning);
            QCOMPARE(d.istioCode, QStringLiteral("IST0002"));
        }
        QCOMPARE(found[0].message,
                 QStringLiteral("Deprecated: HTTPRoute.fault.delay.percent is deprecated; use "
                                "HTTPRoute.fault.delay.percentage"));
        QCOMPARE(found[0].path, QStringLiteral("spec.http[0].fault.delay.percent"));
        verifyAt(found[0], pos(yaml, "percent: 50", 9));
        QCOMPARE(found[1].message,
                 QStringLiteral("Deprecated: HTTPRoute.fault.abort.percent is deprecated; use "
                                "HTTPRoute.fault.abort.percentage"));
        QCOMPARE(found[1].path, QStringLiteral("spec.http[0].fault.abort.percent"));
        QCOMPARE(found[2].message,
                 QStringLiteral("Deprecated: HTTPRoute.corsPolicy.allowOrigin is deprecated; use "
                                "HTTPRoute.corsPolicy.allowOrigins"));
        QCOMPARE(found[2].path, QStringLiteral("spec.http[0].corsPolicy.allowOrigin"));
    }

    void currentFieldsAreNotDeprecated()
    {
        const QByteArray yaml = R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts:
  - ratings
  http:
  - fault:
      delay:
        percentage:
          value: 50
        fixedDelay: 7s
    corsPolicy:
      allowOrigins:
      - exact: example.com
    route:
    - destination:
        host: ratings
)";
        QVERIFY(withCode(analyze(yaml), "MS3110").isEmpty());
    }

    void hostHelpers()
    {
        QCOMPARE(Validate::canonicalHost("reviews", "foo"),
                 std::string("reviews.foo.svc.cluster.local"));
        QCOMPARE(Validate::canonicalHost("reviews.foo", "bar"),
                 std::string("reviews.foo.svc.cluster.local"));
        QCOMPARE(Validate::canonicalHost("reviews.foo.svc", "bar"),
                 std::string("reviews.foo.svc.cluster.local"));
        QCOMPARE(Validate::canonicalHost("api.example.com", "bar"), std::string("api.example.com"));
        QCOMPARE(Validate::istioFqdn("reviews.foo", "bar"), std::string("reviews.foo"));
        QVERIFY(Validate::hostMatches("*.foo.com", "a.foo.com"));
        QVERIFY(!Validate::hostMatches("*.foo.com", "foo.com"));
        QVERIFY(!Validate::hostMatches("a.foo.com", "b.foo.com"));
    }
};

QTEST_APPLESS_MAIN(TestAnalyzers)
#include "tst_analyzers.moc"
