#include "model/resource.h"
#include "routing/routeengine.h"
#include "yaml/document.h"

#include <QtTest>

#include <memory>
#include <random>

using namespace Routing;
using Action = RouteDecision::Action;

namespace {

Model::Config parseConfig(const QByteArray &yaml)
{
    const Yaml::ParseResult parsed = Yaml::parse(yaml, QStringLiteral("test.yaml"));
    if (!parsed.diagnostics.isEmpty())
        qWarning() << "YAML problems in test input:" << parsed.diagnostics.size();
    return Model::Config::fromDocuments(parsed.documents);
}

RequestView request(const QByteArray &authority, const QByteArray &path = "/",
                    const Headers &headers = {}, const QByteArray &method = "GET")
{
    RequestView r;
    r.authority = authority;
    r.path = path;
    r.headers = headers;
    r.method = method;
    r.port = 15001;
    return r;
}

// Hands out the given draws in order and counts how many were taken; running out fails the
// test (the engine took a draw the test did not expect).
struct Draws
{
    std::shared_ptr<QList<double>> values = std::make_shared<QList<double>>();
    std::shared_ptr<int> taken = std::make_shared<int>(0);

    explicit Draws(QList<double> v = {}) { *values = std::move(v); }
    RouteEngine::RandomSource source() const
    {
        auto values = this->values;
        auto taken = this->taken;
        return [values, taken]() {
            if (*taken >= values->size()) {
                ++*taken;
                return 0.0;
            }
            return values->at((*taken)++);
        };
    }
};

RouteEngine::Options version(int major, int minor)
{
    RouteEngine::Options o;
    o.target = Base::IstioVersion{major, minor};
    return o;
}

// One VirtualService for host "svc" whose single rule `r` is the given YAML (indented under
// `http:` as a list item's continuation lines). Its route goes to svc subset "hit".
QByteArray singleRule(const QByteArray &ruleBody)
{
    QByteArray out = "apiVersion: networking.istio.io/v1\n"
                     "kind: VirtualService\n"
                     "metadata: {name: vs}\n"
                     "spec:\n"
                     "  hosts: [svc]\n"
                     "  http:\n"
                     "  - name: r\n";
    for (const QByteArray &line : ruleBody.split('\n')) {
        if (!line.isEmpty())
            out += "    " + line + '\n';
    }
    return out;
}

const QByteArray kRouteHit = "route: [{destination: {host: svc, subset: hit}}]";

} // namespace

class TestRouteEngine : public QObject
{
    Q_OBJECT

private slots:
    void greeterExample();
    void greeterShadowSuffixFollowsTargetVersion();
    void hostSelection_data();
    void hostSelection();
    void catchAllHostLosesToSpecificHosts();
    void noHostMatchNamesKnownHosts();
    void defaultHostRoutesUnmatchedRequests();
    void matchConditions_data();
    void matchConditions();
    void firstMatchingRuleWins();
    void gatewayBinding();
    void invalidRegexNeverMatchesAndWarns();
    void weightedPickFollowsTheDraw();
    void weightedSplitIsStatisticallyBounded();
    void singleDestinationTakesEverythingWithoutADraw();
    void redirect_data();
    void redirect();
    void directResponse();
    void rewrite_data();
    void rewrite();
    void authorityRewriteReachesMirror();
    void headerOperations();
    void hostHeaderOperationRewritesAuthority();
    void fault_data();
    void fault();
    void timeoutAndRetries_data();
    void timeoutAndRetries();
    void mirrorPercentages_data();
    void mirrorPercentages();
    void mirrorsNeedIstio120();
    void noMirrorOnRedirectOrDirectResponse();
    void targetsAndHosts();
    void delegateRules();
    void noRuleMatches();
};

void TestRouteEngine::greeterExample()
{
    const QString file =
        QStringLiteral(MIRRORSCOPE_SOURCE_DIR "/resources/examples/greeter-mirror.yaml");
    const Yaml::ParseResult parsed = Yaml::parseFile(file);
    QVERIFY(parsed.diagnostics.isEmpty());
    const RouteEngine engine(Model::Config::fromDocuments(parsed.documents));
    QVERIFY(engine.warnings().isEmpty());

    const RouteDecision d =
        engine.decide(request("greeter-service:3000", "/hello?name=x", {{"Accept", "*/*"}}));
    QCOMPARE(d.action, Action::Forward);
    QCOMPARE(d.virtualService, QStringLiteral("greeter-service"));
    QCOMPARE(d.ruleIndex, 0);
    QCOMPARE(d.matchIndex, -1);
    QCOMPARE(d.destination,
             (Target{QStringLiteral("greeter-service"), QStringLiteral("v1"), 3000}));
    QCOMPARE(d.destination.toString(), QStringLiteral("greeter-service:3000:v1"));
    QCOMPARE(d.path, QByteArray("/hello?name=x"));
    QCOMPARE(d.authority, QByteArray("greeter-service:3000"));
    QCOMPARE(d.requestHeaders, (Headers{{"Accept", "*/*"}}));
    QVERIFY(!d.timeoutMs);
    QCOMPARE(d.retries.attempts, 2);
    QCOMPARE(d.mirrors.size(), 1);
    QCOMPARE(d.mirrors[0].target,
             (Target{QStringLiteral("greeter-service"), QStringLiteral("v2"), 3000}));
    QVERIFY(d.mirrors[0].sampled);
    QCOMPARE(d.mirrors[0].percent, 100.0);
    // Latest Istio (>= 1.28) no longer appends -shadow.
    QCOMPARE(d.mirrors[0].authority, QByteArray("greeter-service:3000"));

    const RouteDecision none = engine.decide(request("foo"));
    QCOMPARE(none.action, Action::NoRoute);
    QCOMPARE(none.status, 404);
    QCOMPARE(
        none.body,
        QByteArray("no VirtualService host matches Host \"foo\"; known hosts: greeter-service"));
}

void TestRouteEngine::greeterShadowSuffixFollowsTargetVersion()
{
    const Yaml::ParseResult parsed = Yaml::parseFile(
        QStringLiteral(MIRRORSCOPE_SOURCE_DIR "/resources/examples/greeter-mirror.yaml"));
    const Model::Config config = Model::Config::fromDocuments(parsed.documents);
    const RouteEngine old(config, version(1, 27));
    const RouteEngine current(config, version(1, 28));
    QCOMPARE(old.decide(request("greeter-service:3000")).mirrors.value(0).authority,
             QByteArray("greeter-service-shadow:3000"));
    QCOMPARE(old.decide(request("greeter-service")).mirrors.value(0).authority,
             QByteArray("greeter-service-shadow"));
    QCOMPARE(current.decide(request("greeter-service:3000")).mirrors.value(0).authority,
             QByteArray("greeter-service:3000"));
}

static const QByteArray kHostsConfig = R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: bookinfo}
spec:
  hosts: [reviews]
  http:
  - route: [{destination: {host: reviews}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings.default.svc.cluster.local]
  http:
  - route: [{destination: {host: ratings}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: wild}
spec:
  hosts: ["*.foo.com"]
  http:
  - route: [{destination: {host: wild}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: deeper-wild}
spec:
  hosts: ["*.api.foo.com"]
  http:
  - route: [{destination: {host: deeper}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: exact-api}
spec:
  hosts: [api.foo.com, 10.0.0.7]
  http:
  - route: [{destination: {host: api}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ns-wild, namespace: shop}
spec:
  hosts: ["*.shop.svc.cluster.local"]
  http:
  - route: [{destination: {host: shop}}]
)";

void TestRouteEngine::hostSelection_data()
{
    QTest::addColumn<QByteArray>("authority");
    QTest::addColumn<QString>("virtualService"); // empty: no route

    QTest::newRow("short name") << QByteArray("reviews") << "reviews";
    QTest::newRow("short name with port") << QByteArray("reviews:9080") << "reviews";
    QTest::newRow("upper case") << QByteArray("REVIEWS:9080") << "reviews";
    QTest::newRow("name.ns") << QByteArray("reviews.bookinfo") << "reviews";
    QTest::newRow("name.ns.svc") << QByteArray("reviews.bookinfo.svc") << "reviews";
    QTest::newRow("fqdn, trailing dot")
        << QByteArray("reviews.bookinfo.svc.cluster.local.") << "reviews";
    QTest::newRow("other namespace") << QByteArray("reviews.default") << "";
    QTest::newRow("fqdn VS host, short request (namespace default)")
        << QByteArray("ratings") << "ratings";
    QTest::newRow("fqdn VS host, fqdn request")
        << QByteArray("ratings.default.svc.cluster.local:9080") << "ratings";
    QTest::newRow("exact beats wildcard") << QByteArray("api.foo.com") << "exact-api";
    QTest::newRow("wildcard one label") << QByteArray("www.foo.com:8080") << "wild";
    QTest::newRow("wildcard two labels") << QByteArray("a.b.foo.com") << "wild";
    QTest::newRow("longer wildcard wins") << QByteArray("v1.api.foo.com") << "deeper-wild";
    QTest::newRow("wildcard needs a label") << QByteArray("foo.com") << "";
    QTest::newRow("suffix is not a label") << QByteArray("barfoo.com") << "";
    QTest::newRow("ip address") << QByteArray("10.0.0.7:80") << "exact-api";
    QTest::newRow("wildcard namespace, fqdn")
        << QByteArray("cart.shop.svc.cluster.local") << "ns-wild";
    QTest::newRow("wildcard gets no short-name aliases") << QByteArray("cart") << "";
    QTest::newRow("ipv6 unknown") << QByteArray("[::1]:8080") << "";
    QTest::newRow("empty host") << QByteArray() << "";
}

void TestRouteEngine::hostSelection()
{
    QFETCH(QByteArray, authority);
    QFETCH(QString, virtualService);
    const RouteEngine engine(parseConfig(kHostsConfig));
    const RouteDecision d = engine.decide(request(authority));
    if (virtualService.isEmpty()) {
        QCOMPARE(d.action, Action::NoRoute);
        QCOMPARE(d.status, 404);
    } else {
        QCOMPARE(d.action, Action::Forward);
        QCOMPARE(d.virtualService, virtualService);
    }
}

void TestRouteEngine::catchAllHostLosesToSpecificHosts()
{
    const RouteEngine engine(parseConfig(kHostsConfig + R"(
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: everything}
spec:
  hosts: ["*"]
  gateways: [edge]
  http:
  - route: [{destination: {host: fallback}}]
)"));
    QCOMPARE(engine.decide(request("unknown.example:1")).virtualService,
             QStringLiteral("everything"));
    QCOMPARE(engine.decide(request("x.foo.com")).virtualService, QStringLiteral("wild"));
    QCOMPARE(engine.decide(request("reviews")).virtualService, QStringLiteral("reviews"));
}

void TestRouteEngine::noHostMatchNamesKnownHosts()
{
    const RouteEngine engine(parseConfig(kHostsConfig));
    const RouteDecision d = engine.decide(request("nope:80"));
    QCOMPARE(d.action, Action::NoRoute);
    QCOMPARE(d.body, QByteArray("no VirtualService host matches Host \"nope:80\"; known hosts: "
                                "reviews, ratings.default.svc.cluster.local, *.foo.com, "
                                "*.api.foo.com, api.foo.com, 10.0.0.7, *.shop.svc.cluster.local"));
    QVERIFY(d.mirrors.isEmpty());
}

void TestRouteEngine::defaultHostRoutesUnmatchedRequests()
{
    RouteEngine::Options options = version(1, 27);
    options.defaultHost = QStringLiteral("reviews");
    const RouteEngine engine(parseConfig(kHostsConfig + R"(
    mirror: {host: shop-v2}
)"),
                             options);
    const RouteDecision d = engine.decide(request("localhost:15001"));
    QCOMPARE(d.action, Action::Forward);
    QCOMPARE(d.virtualService, QStringLiteral("reviews"));
    QCOMPARE(d.authority, QByteArray("reviews"));
    // A matching host is not redirected to the default.
    QCOMPARE(engine.decide(request("api.foo.com")).virtualService, QStringLiteral("exact-api"));

    RouteEngine::Options bad;
    bad.defaultHost = QStringLiteral("nowhere");
    const RouteEngine badEngine(parseConfig(kHostsConfig), bad);
    QCOMPARE(badEngine.decide(request("localhost")).action, Action::NoRoute);
    QVERIFY(badEngine.warnings().join(' ').contains(QStringLiteral("nowhere")));
}

void TestRouteEngine::matchConditions_data()
{
    QTest::addColumn<QByteArray>("match"); // flow-style list for `match:`
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<int>("matchIndex"); // -2: no match

    const Headers none;
    QTest::newRow("uri exact hit")
        << QByteArray("[{uri: {exact: /a}}]") << QByteArray("/a") << none << QByteArray("GET") << 0;
    QTest::newRow("uri exact ignores query")
        << QByteArray("[{uri: {exact: /a}}]") << QByteArray("/a?x=1") << none << QByteArray("GET")
        << 0;
    QTest::newRow("uri exact miss") << QByteArray("[{uri: {exact: /a}}]") << QByteArray("/a/b")
                                    << none << QByteArray("GET") << -2;
    QTest::newRow("uri exact case") << QByteArray("[{uri: {exact: /a}}]") << QByteArray("/A")
                                    << none << QByteArray("GET") << -2;
    QTest::newRow("uri exact ignoreUriCase")
        << QByteArray("[{uri: {exact: /a}, ignoreUriCase: true}]") << QByteArray("/A") << none
        << QByteArray("GET") << 0;
    QTest::newRow("uri prefix hit") << QByteArray("[{uri: {prefix: /api}}]")
                                    << QByteArray("/api/v1") << none << QByteArray("GET") << 0;
    QTest::newRow("uri prefix miss") << QByteArray("[{uri: {prefix: /api}}]") << QByteArray("/ap")
                                     << none << QByteArray("GET") << -2;
    QTest::newRow("uri prefix ignoreUriCase")
        << QByteArray("[{uri: {prefix: /api}, ignoreUriCase: true}]") << QByteArray("/API/x")
        << none << QByteArray("GET") << 0;
    QTest::newRow("uri regex full match")
        << QByteArray("[{uri: {regex: '/u/[0-9]+'}}]") << QByteArray("/u/42?x") << none
        << QByteArray("GET") << 0;
    QTest::newRow("uri regex is not a search")
        << QByteArray("[{uri: {regex: '/u/[0-9]+'}}]") << QByteArray("/u/42/x") << none
        << QByteArray("GET") << -2;
    QTest::newRow("uri regex not case-folded by ignoreUriCase")
        << QByteArray("[{uri: {regex: '/abc'}, ignoreUriCase: true}]") << QByteArray("/ABC") << none
        << QByteArray("GET") << -2;
    QTest::newRow("method exact") << QByteArray("[{method: {exact: POST}}]") << QByteArray("/")
                                  << none << QByteArray("POST") << 0;
    QTest::newRow("method miss") << QByteArray("[{method: {exact: POST}}]") << QByteArray("/")
                                 << none << QByteArray("GET") << -2;
    QTest::newRow("scheme") << QByteArray("[{scheme: {exact: https}}]") << QByteArray("/") << none
                            << QByteArray("GET") << -2;
    QTest::newRow("authority prefix") << QByteArray("[{authority: {prefix: sv}}]")
                                      << QByteArray("/") << none << QByteArray("GET") << 0;
    QTest::newRow("authority exact sees the port")
        << QByteArray("[{authority: {exact: svc}}]") << QByteArray("/") << none << QByteArray("GET")
        << -2;
    QTest::newRow("header exact") << QByteArray("[{headers: {end-user: {exact: jason}}}]")
                                  << QByteArray("/") << Headers{{"End-User", "jason"}}
                                  << QByteArray("GET") << 0;
    QTest::newRow("header exact miss")
        << QByteArray("[{headers: {end-user: {exact: jason}}}]") << QByteArray("/")
        << Headers{{"end-user", "jasonx"}} << QByteArray("GET") << -2;
    QTest::newRow("header absent") << QByteArray("[{headers: {end-user: {exact: jason}}}]")
                                   << QByteArray("/") << none << QByteArray("GET") << -2;
    QTest::newRow("header prefix")
        << QByteArray("[{headers: {x-v: {prefix: be}}}]") << QByteArray("/")
        << Headers{{"x-v", "beta-2"}} << QByteArray("GET") << 0;
    QTest::newRow("header regex") << QByteArray("[{headers: {x-v: {regex: 'v[12]'}}}]")
                                  << QByteArray("/") << Headers{{"x-v", "v2"}} << QByteArray("GET")
                                  << 0;
    QTest::newRow("header regex full")
        << QByteArray("[{headers: {x-v: {regex: 'v[12]'}}}]") << QByteArray("/")
        << Headers{{"x-v", "v21"}} << QByteArray("GET") << -2;
    QTest::newRow("header presence") << QByteArray("[{headers: {x-debug: {}}}]") << QByteArray("/")
                                     << Headers{{"X-Debug", ""}} << QByteArray("GET") << 0;
    QTest::newRow("header presence miss") << QByteArray("[{headers: {x-debug: {}}}]")
                                          << QByteArray("/") << none << QByteArray("GET") << -2;
    QTest::newRow("repeated header joined")
        << QByteArray("[{headers: {x-a: {exact: '1,2'}}}]") << QByteArray("/")
        << Headers{{"x-a", "1"}, {"X-A", "2"}} << QByteArray("GET") << 0;
    QTest::newRow("pseudo header :method") << QByteArray("[{headers: {':method': {exact: PUT}}}]")
                                           << QByteArray("/") << none << QByteArray("PUT") << 0;
    QTest::newRow("withoutHeaders absent passes")
        << QByteArray("[{withoutHeaders: {x-canary: {exact: 'yes'}}}]") << QByteArray("/") << none
        << QByteArray("GET") << 0;
    QTest::newRow("withoutHeaders other value passes")
        << QByteArray("[{withoutHeaders: {x-canary: {exact: 'yes'}}}]") << QByteArray("/")
        << Headers{{"x-canary", "no"}} << QByteArray("GET") << 0;
    QTest::newRow("withoutHeaders hit fails")
        << QByteArray("[{withoutHeaders: {x-canary: {exact: 'yes'}}}]") << QByteArray("/")
        << Headers{{"x-canary", "yes"}} << QByteArray("GET") << -2;
    QTest::newRow("withoutHeaders presence")
        << QByteArray("[{withoutHeaders: {x-canary: {}}}]") << QByteArray("/")
        << Headers{{"x-canary", "no"}} << QByteArray("GET") << -2;
    QTest::newRow("withoutHeaders regex * is presence")
        << QByteArray("[{withoutHeaders: {x-canary: {regex: '*'}}}]") << QByteArray("/")
        << Headers{{"x-canary", "1"}} << QByteArray("GET") << -2;
    QTest::newRow("query exact") << QByteArray("[{queryParams: {v: {exact: '2'}}}]")
                                 << QByteArray("/p?a=1&v=2") << none << QByteArray("GET") << 0;
    QTest::newRow("query exact miss") << QByteArray("[{queryParams: {v: {exact: '2'}}}]")
                                      << QByteArray("/p?v=3") << none << QByteArray("GET") << -2;
    QTest::newRow("query first occurrence")
        << QByteArray("[{queryParams: {v: {exact: '2'}}}]") << QByteArray("/p?v=1&v=2") << none
        << QByteArray("GET") << -2;
    QTest::newRow("query bare key is exact empty")
        << QByteArray("[{queryParams: {debug: {exact: ''}}}]") << QByteArray("/p?debug") << none
        << QByteArray("GET") << 0;
    QTest::newRow("query bare key vs value")
        << QByteArray("[{queryParams: {debug: {exact: ''}}}]") << QByteArray("/p?debug=1") << none
        << QByteArray("GET") << -2;
    QTest::newRow("query regex") << QByteArray("[{queryParams: {id: {regex: '[0-9]+'}}}]")
                                 << QByteArray("/p?id=123") << none << QByteArray("GET") << 0;
    QTest::newRow("query presence") << QByteArray("[{queryParams: {id: {}}}]") << QByteArray("/p")
                                    << none << QByteArray("GET") << -2;
    QTest::newRow("port from Host")
        << QByteArray("[{port: 3000}]") << QByteArray("/") << none << QByteArray("GET") << 0;
    QTest::newRow("port from listener")
        << QByteArray("[{port: 15001}]") << QByteArray("/") << none << QByteArray("GET") << 0;
    QTest::newRow("port miss") << QByteArray("[{port: 9080}]") << QByteArray("/") << none
                               << QByteArray("GET") << -2;
    QTest::newRow("AND inside a match")
        << QByteArray("[{uri: {prefix: /a}, method: {exact: POST}}]") << QByteArray("/a") << none
        << QByteArray("GET") << -2;
    QTest::newRow("OR across matches")
        << QByteArray("[{uri: {prefix: /x}}, {method: {exact: GET}}]") << QByteArray("/a") << none
        << QByteArray("GET") << 1;
    QTest::newRow("first match reported")
        << QByteArray("[{uri: {prefix: /}}, {method: {exact: GET}}]") << QByteArray("/a") << none
        << QByteArray("GET") << 0;
}

void TestRouteEngine::matchConditions()
{
    QFETCH(QByteArray, match);
    QFETCH(QByteArray, path);
    QFETCH(Headers, headers);
    QFETCH(QByteArray, method);
    QFETCH(int, matchIndex);

    const RouteEngine engine(parseConfig(singleRule("match: " + match + "\n" + kRouteHit)));
    QVERIFY2(engine.warnings().isEmpty(), qPrintable(engine.warnings().join('\n')));
    const RouteDecision d = engine.decide(request("svc:3000", path, headers, method));
    if (matchIndex == -2) {
        QCOMPARE(d.action, Action::NoRoute);
        QCOMPARE(d.status, 404);
    } else {
        QCOMPARE(d.action, Action::Forward);
        QCOMPARE(d.matchIndex, matchIndex);
        QCOMPARE(d.destination.subset, QStringLiteral("hit"));
    }
}

void TestRouteEngine::firstMatchingRuleWins()
{
    const RouteEngine engine(parseConfig(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs}
spec:
  hosts: [svc]
  http:
  - name: api
    match: [{uri: {prefix: /api}}]
    route: [{destination: {host: svc, subset: api}}]
  - name: api-v2
    match: [{uri: {prefix: /api/v2}}]
    route: [{destination: {host: svc, subset: never}}]
  - name: rest
    route: [{destination: {host: svc, subset: rest}}]
)"));
    RouteDecision d = engine.decide(request("svc", "/api/v2/x"));
    QCOMPARE(d.ruleIndex, 0);
    QCOMPARE(d.ruleName, QStringLiteral("api"));
    QCOMPARE(d.destination.subset, QStringLiteral("api"));
    d = engine.decide(request("svc", "/other"));
    QCOMPARE(d.ruleIndex, 2);
    QCOMPARE(d.destination.subset, QStringLiteral("rest"));
}

void TestRouteEngine::gatewayBinding()
{
    const RouteEngine engine(parseConfig(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: mesh-vs}
spec:
  hosts: [svc]
  gateways: [mesh, istio-system/edge]
  http:
  - match: [{uri: {prefix: /}, gateways: [istio-system/edge]}]
    route: [{destination: {host: svc, subset: edge-only}}]
  - match: [{uri: {prefix: /}, gateways: [mesh]}]
    route: [{destination: {host: svc, subset: mesh}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: gateway-vs}
spec:
  hosts: [www.example.com]
  gateways: [edge]
  http:
  - match: [{uri: {prefix: /}, gateways: [edge]}]
    route: [{destination: {host: web}}]
)"));
    // Mesh-bound: the proxy plays the sidecar, so edge-only matches are skipped.
    QCOMPARE(engine.decide(request("svc")).destination.subset, QStringLiteral("mesh"));
    // Gateway-only: the proxy plays that gateway, so its rules apply.
    QCOMPARE(engine.decide(request("www.example.com")).destination.host, QStringLiteral("web"));
}

void TestRouteEngine::invalidRegexNeverMatchesAndWarns()
{
    const RouteEngine engine(
        parseConfig(singleRule("match: [{uri: {regex: '/(?!admin)'}}]\n" + kRouteHit)));
    QCOMPARE(engine.warnings().size(), 1);
    QVERIFY(engine.warnings().first().contains(QStringLiteral("(?!admin)")));
    QCOMPARE(engine.decide(request("svc", "/x")).action, Action::NoRoute);
}

static const QByteArray kEightyTwenty = singleRule(R"(route:
- destination: {host: svc, subset: v1}
  weight: 80
- destination: {host: svc, subset: v2}
  weight: 20
- destination: {host: svc, subset: v0}
  weight: 0)");

void TestRouteEngine::weightedPickFollowsTheDraw()
{
    const RouteEngine engine(parseConfig(kEightyTwenty));
    const Draws draws({0.0, 0.79, 0.8, 0.999999});
    const QStringList expected{"v1", "v1", "v2", "v2"};
    for (const QString &subset : expected)
        QCOMPARE(engine.decide(request("svc"), draws.source()).destination.subset, subset);
    QCOMPARE(*draws.taken, 4);
}

void TestRouteEngine::weightedSplitIsStatisticallyBounded()
{
    const RouteEngine engine(parseConfig(kEightyTwenty));
    std::mt19937 generator(20240521);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    const RouteEngine::RandomSource random = [&] { return uniform(generator); };
    const int n = 10000;
    int v1 = 0, v2 = 0;
    for (int i = 0; i < n; ++i) {
        const QString subset = engine.decide(request("svc"), random).destination.subset;
        v1 += subset == QLatin1String("v1");
        v2 += subset == QLatin1String("v2");
    }
    QCOMPARE(v1 + v2, n); // weight 0 gets nothing
    // 80 % of 10000 has sigma 40; +-300 is more than 7 sigma.
    QVERIFY2(v1 > 7700 && v1 < 8300, qPrintable(QString::number(v1)));
}

void TestRouteEngine::singleDestinationTakesEverythingWithoutADraw()
{
    const RouteEngine engine(parseConfig(singleRule(R"(route:
- destination: {host: svc, subset: only}
  weight: 30)")));
    const Draws draws;
    QCOMPARE(engine.decide(request("svc"), draws.source()).destination.subset,
             QStringLiteral("only"));
    QCOMPARE(*draws.taken, 0);
}

void TestRouteEngine::redirect_data()
{
    QTest::addColumn<QByteArray>("rule");
    QTest::addColumn<QByteArray>("authority");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("location");

    QTest::newRow("uri, default 301, query kept")
        << QByteArray("redirect: {uri: /new}") << QByteArray("svc:3000") << QByteArray("/old?a=1")
        << 301 << QByteArray("http://svc:3000/new?a=1");
    QTest::newRow("uri with its own query")
        << QByteArray("redirect: {uri: '/new?b=2'}") << QByteArray("svc") << QByteArray("/old?a=1")
        << 301 << QByteArray("http://svc/new?b=2");
    QTest::newRow("authority drops the request port")
        << QByteArray("redirect: {authority: new.example.com, redirectCode: 302}")
        << QByteArray("svc:3000") << QByteArray("/p") << 302
        << QByteArray("http://new.example.com/p");
    QTest::newRow("scheme switch strips the old default port")
        << QByteArray("redirect: {scheme: https}") << QByteArray("svc:80") << QByteArray("/p")
        << 301 << QByteArray("https://svc/p");
    QTest::newRow("scheme switch keeps other ports")
        << QByteArray("redirect: {scheme: https}") << QByteArray("svc:8080") << QByteArray("/p")
        << 301 << QByteArray("https://svc:8080/p");
    QTest::newRow("port") << QByteArray("redirect: {port: 8443, scheme: https, redirectCode: 308}")
                          << QByteArray("svc:3000") << QByteArray("/p") << 308
                          << QByteArray("https://svc:8443/p");
    QTest::newRow("derivePort FROM_PROTOCOL_DEFAULT")
        << QByteArray("redirect: {scheme: https, derivePort: FROM_PROTOCOL_DEFAULT}")
        << QByteArray("svc:3000") << QByteArray("/p") << 301 << QByteArray("https://svc/p");
    QTest::newRow("derivePort FROM_REQUEST_PORT")
        << QByteArray("redirect: {authority: other, derivePort: FROM_REQUEST_PORT}")
        << QByteArray("svc:3000") << QByteArray("/p") << 301 << QByteArray("http://other:3000/p");
    QTest::newRow("derivePort FROM_REQUEST_PORT, listener port")
        << QByteArray("redirect: {authority: other, derivePort: FROM_REQUEST_PORT}")
        << QByteArray("svc") << QByteArray("/p") << 301 << QByteArray("http://other:15001/p");
    QTest::newRow("prefixRewrite")
        << QByteArray("match: [{uri: {prefix: /old}}]\nredirect: {prefixRewrite: /new}")
        << QByteArray("svc") << QByteArray("/old/x?q") << 301 << QByteArray("http://svc/new/x?q");
}

void TestRouteEngine::redirect()
{
    QFETCH(QByteArray, rule);
    QFETCH(QByteArray, authority);
    QFETCH(QByteArray, path);
    QFETCH(int, status);
    QFETCH(QByteArray, location);
    const RouteEngine engine(parseConfig(singleRule(rule)));
    const RouteDecision d = engine.decide(request(authority, path));
    QCOMPARE(d.action, Action::Redirect);
    QCOMPARE(d.status, status);
    QCOMPARE(d.location, location);
}

void TestRouteEngine::directResponse()
{
    const RouteEngine text(parseConfig(singleRule(R"(directResponse:
  status: 503
  body: {string: "down for maintenance"}
headers:
  response:
    set: {retry-after: "60"})")));
    RouteDecision d = text.decide(request("svc"));
    QCOMPARE(d.action, Action::DirectResponse);
    QCOMPARE(d.status, 503);
    QCOMPARE(d.body, QByteArray("down for maintenance"));
    QCOMPARE(d.responseSet, (Headers{{"retry-after", "60"}}));

    const RouteEngine bytes(parseConfig(singleRule(R"(directResponse:
  status: 200
  body: {bytes: "AAEC/w=="})")));
    d = bytes.decide(request("svc"));
    QCOMPARE(d.status, 200);
    QCOMPARE(d.body, QByteArray("\x00\x01\x02\xff", 4));

    const RouteEngine empty(parseConfig(singleRule("directResponse: {status: 204}")));
    d = empty.decide(request("svc"));
    QCOMPARE(d.status, 204);
    QVERIFY(d.body.isEmpty());
}

void TestRouteEngine::rewrite_data()
{
    QTest::addColumn<QByteArray>("rule");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("prefix replaced, rest and query kept")
        << QByteArray("match: [{uri: {prefix: /api/v1}}]\nrewrite: {uri: /v2}")
        << QByteArray("/api/v1/users?x=1") << QByteArray("/v2/users?x=1");
    QTest::newRow("prefix with ignoreUriCase replaces the matched length")
        << QByteArray("match: [{uri: {prefix: /API}, ignoreUriCase: true}]\nrewrite: {uri: /x}")
        << QByteArray("/api/y") << QByteArray("/x/y");
    QTest::newRow("no uri match means prefix /")
        << QByteArray("rewrite: {uri: /v2}") << QByteArray("/hello") << QByteArray("/v2hello");
    QTest::newRow("header-only match means prefix /")
        << QByteArray("match: [{method: {exact: GET}}]\nrewrite: {uri: /}") << QByteArray("/a/b")
        << QByteArray("/a/b");
    QTest::newRow("exact match replaces the whole path")
        << QByteArray("match: [{uri: {exact: /old}}]\nrewrite: {uri: /new}")
        << QByteArray("/old?q=1") << QByteArray("/new?q=1");
    QTest::newRow("regex match replaces the whole path")
        << QByteArray("match: [{uri: {regex: '/u/[0-9]+'}}]\nrewrite: {uri: /user}")
        << QByteArray("/u/7") << QByteArray("/user");
    QTest::newRow("second match's prefix is used")
        << QByteArray("match: [{uri: {prefix: /a}}, {uri: {prefix: /bb}}]\nrewrite: {uri: /c}")
        << QByteArray("/bb/x") << QByteArray("/c/x");
    QTest::newRow("uriRegexRewrite with capture group")
        << QByteArray("rewrite: {uriRegexRewrite: {match: '^/service/([^/]+)(/.*)$', rewrite: "
                      "'\\2/instance/\\1'}}")
        << QByteArray("/service/foo/v1/api?x") << QByteArray("/v1/api/instance/foo?x");
    QTest::newRow("uriRegexRewrite replaces every match")
        << QByteArray("rewrite: {uriRegexRewrite: {match: 'a', rewrite: 'b'}}")
        << QByteArray("/aaa/a") << QByteArray("/bbb/b");
    QTest::newRow("no rewrite") << QByteArray("match: [{uri: {prefix: /p}}]")
                                << QByteArray("/p/q?r") << QByteArray("/p/q?r");
}

void TestRouteEngine::rewrite()
{
    QFETCH(QByteArray, rule);
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, expected);
    const RouteEngine engine(parseConfig(singleRule(rule + "\n" + kRouteHit)));
    QVERIFY2(engine.warnings().isEmpty(), qPrintable(engine.warnings().join('\n')));
    const RouteDecision d = engine.decide(request("svc", path));
    QCOMPARE(d.action, Action::Forward);
    QCOMPARE(d.path, expected);
}

void TestRouteEngine::authorityRewriteReachesMirror()
{
    const QByteArray yaml = singleRule(R"(rewrite: {authority: "backend:8080"}
route: [{destination: {host: svc, subset: v1}}]
mirror: {host: svc, subset: v2})");
    const RouteEngine old(parseConfig(yaml), version(1, 27));
    RouteDecision d = old.decide(request("svc:3000"));
    QCOMPARE(d.authority, QByteArray("backend:8080"));
    QCOMPARE(d.mirrors.value(0).authority, QByteArray("backend-shadow:8080"));
    const RouteEngine current(parseConfig(yaml), version(1, 28));
    d = current.decide(request("svc:3000"));
    QCOMPARE(d.mirrors.value(0).authority, QByteArray("backend:8080"));
}

void TestRouteEngine::headerOperations()
{
    const RouteEngine engine(parseConfig(singleRule(R"(headers:
  request:
    set: {x-env: rule, x-rule: "1"}
    add: {x-tag: rule}
    remove: [cookie]
  response:
    set: {x-served-by: rule}
    add: {x-resp-tag: a}
    remove: [server]
route:
- destination: {host: svc, subset: v1}
  headers:
    request:
      set: {x-env: destination}
      remove: [x-drop]
    response:
      set: {x-served-by: v1}
      remove: [x-internal])")));
    const RouteDecision d = engine.decide(
        request("svc", "/",
                {{"Cookie", "s=1"}, {"X-Env", "client"}, {"x-tag", "client"}, {"x-drop", "y"}}));
    QCOMPARE(d.action, Action::Forward);
    // Removes first, then the rule's set/add, then the destination's (which wins on x-env).
    const Headers expected{
        {"x-env", "destination"}, {"x-tag", "client"}, {"x-rule", "1"}, {"x-tag", "rule"}};
    QCOMPARE(d.requestHeaders, expected);
    QCOMPARE(d.responseSet, (Headers{{"x-served-by", "rule"}, {"x-served-by", "v1"}}));
    QCOMPARE(d.responseAdd, (Headers{{"x-resp-tag", "a"}}));
    QCOMPARE(d.responseRemove, (QList<QByteArray>{"server", "x-internal"}));
}

void TestRouteEngine::hostHeaderOperationRewritesAuthority()
{
    const RouteEngine engine(parseConfig(singleRule(R"(headers:
  request:
    set: {host: "internal.svc:9000"}
route: [{destination: {host: svc}}])")));
    const RouteDecision d = engine.decide(request("svc", "/", {{"x-a", "1"}}));
    QCOMPARE(d.authority, QByteArray("internal.svc:9000"));
    QCOMPARE(d.requestHeaders, (Headers{{"x-a", "1"}})); // Host is never a header here
}

void TestRouteEngine::fault_data()
{
    QTest::addColumn<QByteArray>("fault");
    QTest::addColumn<QList<double>>("draws");
    QTest::addColumn<int>("action");
    QTest::addColumn<qint64>("delayMs");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("drawsTaken");

    const int forward = int(Action::Forward), abort = int(Action::FaultAbort);
    QTest::newRow("delay 100%") << QByteArray("{delay: {fixedDelay: 5s, percentage: {value: 100}}}")
                                << QList<double>{} << forward << qint64(5000) << 0 << 0;
    QTest::newRow("delay without percentage delays nothing")
        << QByteArray("{delay: {fixedDelay: 5s}}") << QList<double>{} << forward << qint64(0) << 0
        << 0;
    QTest::newRow("delay deprecated percent")
        << QByteArray("{delay: {fixedDelay: 200ms, percent: 100}}") << QList<double>{} << forward
        << qint64(200) << 0 << 0;
    QTest::newRow("delay 50% sampled")
        << QByteArray("{delay: {fixedDelay: 1s, percentage: {value: 50}}}") << QList<double>{0.2}
        << forward << qint64(1000) << 0 << 1;
    QTest::newRow("delay 50% not sampled")
        << QByteArray("{delay: {fixedDelay: 1s, percentage: {value: 50}}}") << QList<double>{0.7}
        << forward << qint64(0) << 0 << 1;
    QTest::newRow("abort 100%") << QByteArray(
                                       "{abort: {httpStatus: 503, percentage: {value: 100}}}")
                                << QList<double>{} << abort << qint64(0) << 503 << 0;
    QTest::newRow("abort without percentage aborts nothing")
        << QByteArray("{abort: {httpStatus: 503}}") << QList<double>{} << forward << qint64(0) << 0
        << 0;
    QTest::newRow("abort 10% sampled")
        << QByteArray("{abort: {httpStatus: 418, percentage: {value: 10}}}") << QList<double>{0.05}
        << abort << qint64(0) << 418 << 1;
    QTest::newRow("abort 10% not sampled")
        << QByteArray("{abort: {httpStatus: 418, percentage: {value: 10}}}") << QList<double>{0.5}
        << forward << qint64(0) << 0 << 1;
    QTest::newRow("delay then abort, drawn independently")
        << QByteArray("{delay: {fixedDelay: 2s, percentage: {value: 50}}, abort: {httpStatus: 500, "
                      "percentage: {value: 50}}}")
        << QList<double>{0.1, 0.1} << abort << qint64(2000) << 500 << 2;
}

void TestRouteEngine::fault()
{
    QFETCH(QByteArray, fault);
    QFETCH(QList<double>, draws);
    QFETCH(int, action);
    QFETCH(qint64, delayMs);
    QFETCH(int, status);
    QFETCH(int, drawsTaken);
    const RouteEngine engine(parseConfig(
        singleRule("fault: " + fault + "\n" + kRouteHit + "\nmirror: {host: svc, subset: v2}")));
    const Draws source(draws);
    const RouteDecision d = engine.decide(request("svc"), source.source());
    QCOMPARE(int(d.action), action);
    QCOMPARE(d.delayMs, delayMs);
    QCOMPARE(*source.taken, drawsTaken);
    if (d.action == Action::FaultAbort) {
        QCOMPARE(d.status, status);
        QVERIFY(d.mirrors.isEmpty()); // the router never ran
    } else {
        QCOMPARE(d.mirrors.size(), 1);
    }
}

void TestRouteEngine::timeoutAndRetries_data()
{
    QTest::addColumn<QByteArray>("fields");
    QTest::addColumn<qint64>("timeoutMs"); // -1: none
    QTest::addColumn<int>("attempts");
    QTest::addColumn<QStringList>("retryOn");
    QTest::addColumn<QList<int>>("codes");
    QTest::addColumn<qint64>("perTryMs");
    QTest::addColumn<qint64>("backoffMs");

    const QStringList meshDefault{"connect-failure", "refused-stream", "unavailable", "cancelled",
                                  "retriable-status-codes"};
    QTest::newRow("absent: no timeout, mesh default retries")
        << QByteArray() << qint64(-1) << 2 << meshDefault << QList<int>{503} << qint64(0)
        << qint64(25);
    QTest::newRow("timeout") << QByteArray("timeout: 1.5s") << qint64(1500) << 2 << meshDefault
                             << QList<int>{503} << qint64(0) << qint64(25);
    QTest::newRow("timeout 0s is none")
        << QByteArray("timeout: 0s") << qint64(-1) << 2 << meshDefault << QList<int>{503}
        << qint64(0) << qint64(25);
    QTest::newRow("attempts 0 disables")
        << QByteArray("retries: {attempts: 0}") << qint64(-1) << 0 << QStringList{} << QList<int>{}
        << qint64(0) << qint64(25);
    QTest::newRow("retries without attempts disables")
        << QByteArray("retries: {retryOn: 5xx}") << qint64(-1) << 0 << QStringList{} << QList<int>{}
        << qint64(0) << qint64(25);
    QTest::newRow("attempts only keeps the default retryOn")
        << QByteArray("retries: {attempts: 5}") << qint64(-1) << 5 << meshDefault << QList<int>{503}
        << qint64(0) << qint64(25);
    QTest::newRow("retryOn with codes")
        << QByteArray("retries: {attempts: 3, retryOn: '5xx, 503,gateway-error,429', "
                      "perTryTimeout: 2s, backoff: 100ms}")
        << qint64(-1) << 3 << QStringList{"5xx", "gateway-error", "retriable-status-codes"}
        << QList<int>{503, 429} << qint64(2000) << qint64(100);
    QTest::newRow("retryOn without codes")
        << QByteArray("retries: {attempts: 1, retryOn: reset}") << qint64(-1) << 1
        << QStringList{"reset"} << QList<int>{} << qint64(0) << qint64(25);
    QTest::newRow("unknown number is a policy name")
        << QByteArray("retries: {attempts: 1, retryOn: '599'}") << qint64(-1) << 1
        << QStringList{"599"} << QList<int>{} << qint64(0) << qint64(25);
}

void TestRouteEngine::timeoutAndRetries()
{
    QFETCH(QByteArray, fields);
    QFETCH(qint64, timeoutMs);
    QFETCH(int, attempts);
    QFETCH(QStringList, retryOn);
    QFETCH(QList<int>, codes);
    QFETCH(qint64, perTryMs);
    QFETCH(qint64, backoffMs);
    const RouteEngine engine(parseConfig(singleRule(fields + "\n" + kRouteHit)));
    const RouteDecision d = engine.decide(request("svc"));
    QCOMPARE(d.timeoutMs.value_or(-1), timeoutMs);
    QCOMPARE(d.retries.attempts, attempts);
    QCOMPARE(d.retries.retryOn, retryOn);
    QCOMPARE(d.retries.retriableStatusCodes, codes);
    QCOMPARE(d.retries.perTryTimeoutMs, perTryMs);
    QCOMPARE(d.retries.backoffMs, backoffMs);
}

void TestRouteEngine::mirrorPercentages_data()
{
    QTest::addColumn<QByteArray>("mirror");
    QTest::addColumn<QList<double>>("draws");
    QTest::addColumn<QStringList>("subsets"); // listed mirrors, in order
    QTest::addColumn<QList<bool>>("sampled");
    QTest::addColumn<QList<double>>("percents");
    QTest::addColumn<int>("drawsTaken");

    QTest::newRow("mirror, percentage absent = 100%")
        << QByteArray("mirror: {host: svc, subset: m}") << QList<double>{} << QStringList{"m"}
        << QList<bool>{true} << QList<double>{100} << 0;
    QTest::newRow("mirrorPercentage 0 = off")
        << QByteArray("mirror: {host: svc, subset: m}\nmirrorPercentage: {value: 0}")
        << QList<double>{} << QStringList{} << QList<bool>{} << QList<double>{} << 0;
    QTest::newRow("mirrorPercentage 50, sampled")
        << QByteArray("mirror: {host: svc, subset: m}\nmirrorPercentage: {value: 50}")
        << QList<double>{0.49} << QStringList{"m"} << QList<bool>{true} << QList<double>{50} << 1;
    QTest::newRow("mirrorPercentage 50, sampled out but listed")
        << QByteArray("mirror: {host: svc, subset: m}\nmirrorPercentage: {value: 50}")
        << QList<double>{0.5} << QStringList{"m"} << QList<bool>{false} << QList<double>{50} << 1;
    QTest::newRow("deprecated mirrorPercent when mirrorPercentage absent")
        << QByteArray("mirror: {host: svc, subset: m}\nmirrorPercent: 30") << QList<double>{0.35}
        << QStringList{"m"} << QList<bool>{false} << QList<double>{30} << 1;
    QTest::newRow("deprecated mirror_percent 0 = off")
        << QByteArray("mirror: {host: svc, subset: m}\nmirror_percent: 0") << QList<double>{}
        << QStringList{} << QList<bool>{} << QList<double>{} << 0;
    QTest::newRow("mirrorPercentage wins over mirrorPercent")
        << QByteArray(
               "mirror: {host: svc, subset: m}\nmirrorPercent: 0\nmirrorPercentage: {value: 100}")
        << QList<double>{} << QStringList{"m"} << QList<bool>{true} << QList<double>{100} << 0;
    QTest::newRow("below 0.0001% is listed but never sampled")
        << QByteArray("mirror: {host: svc, subset: m}\nmirrorPercentage: {value: 0.00001}")
        << QList<double>{} << QStringList{"m"} << QList<bool>{false} << QList<double>{0.00001} << 0;
    QTest::newRow("mirrors each with its own percentage")
        << QByteArray("mirrors:\n- destination: {host: svc, subset: a}\n  percentage: {value: 10}\n"
                      "- destination: {host: svc, subset: b}\n"
                      "- destination: {host: svc, subset: c}\n  percentage: {value: 0}\n"
                      "mirrorPercentage: {value: 0}")
        << QList<double>{0.05} << QStringList{"a", "b"} << QList<bool>{true, true}
        << QList<double>{10, 100} << 1;
}

void TestRouteEngine::mirrorPercentages()
{
    QFETCH(QByteArray, mirror);
    QFETCH(QList<double>, draws);
    QFETCH(QStringList, subsets);
    QFETCH(QList<bool>, sampled);
    QFETCH(QList<double>, percents);
    QFETCH(int, drawsTaken);
    const RouteEngine engine(parseConfig(singleRule(kRouteHit + "\n" + mirror)));
    const Draws source(draws);
    const RouteDecision d = engine.decide(request("svc"), source.source());
    QCOMPARE(d.action, Action::Forward);
    QStringList gotSubsets;
    QList<bool> gotSampled;
    QList<double> gotPercents;
    for (const MirrorTarget &m : d.mirrors) {
        gotSubsets.append(m.target.subset);
        gotSampled.append(m.sampled);
        gotPercents.append(m.percent);
    }
    QCOMPARE(gotSubsets, subsets);
    QCOMPARE(gotSampled, sampled);
    QCOMPARE(gotPercents, percents);
    QCOMPARE(*source.taken, drawsTaken);
}

void TestRouteEngine::mirrorsNeedIstio120()
{
    const QByteArray yaml =
        singleRule(kRouteHit + "\nmirrors:\n- destination: {host: svc, subset: m}");
    QCOMPARE(RouteEngine(parseConfig(yaml), version(1, 20)).decide(request("svc")).mirrors.size(),
             1);
    QCOMPARE(RouteEngine(parseConfig(yaml), version(1, 19)).decide(request("svc")).mirrors.size(),
             0);
}

void TestRouteEngine::noMirrorOnRedirectOrDirectResponse()
{
    const RouteEngine redirect(
        parseConfig(singleRule("redirect: {uri: /x}\nmirror: {host: svc, subset: m}")));
    RouteDecision d = redirect.decide(request("svc"));
    QCOMPARE(d.action, Action::Redirect);
    QVERIFY(d.mirrors.isEmpty());
    QVERIFY(redirect.targets().isEmpty());

    const RouteEngine direct(parseConfig(singleRule(
        "directResponse: {status: 200}\nmirrors:\n- destination: {host: svc, subset: m}")));
    d = direct.decide(request("svc"));
    QCOMPARE(d.action, Action::DirectResponse);
    QVERIFY(d.mirrors.isEmpty());
}

void TestRouteEngine::targetsAndHosts()
{
    const RouteEngine engine(parseConfig(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: a}
spec:
  hosts: [svc, svc.example.com]
  http:
  - match: [{uri: {prefix: /a}}]
    route:
    - destination: {host: svc, subset: v1, port: {number: 3000}}
      weight: 50
    - destination: {host: svc, subset: v2, port: {number: 3000}}
      weight: 50
    mirror: {host: svc, subset: v3}
  - route: [{destination: {host: svc, subset: v1, port: {number: 3000}}}]
    mirrors:
    - destination: {host: other}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: b}
spec:
  hosts: [svc, reviews]
  http:
  - route: [{destination: {host: reviews}}]
)"));
    const QList<Target> expected{{"svc", "v1", 3000},
                                 {"svc", "v2", 3000},
                                 {"svc", "v3", 0},
                                 {"other", "", 0},
                                 {"reviews", "", 0}};
    QCOMPARE(engine.targets(), expected);
    QCOMPARE(engine.hosts(), (QStringList{"svc", "svc.example.com", "reviews"}));
    // The first VirtualService for a host wins.
    QCOMPARE(engine.decide(request("svc", "/b")).virtualService, QStringLiteral("a"));
}

void TestRouteEngine::delegateRules()
{
    const RouteEngine engine(parseConfig(R"(
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: root}
spec:
  hosts: [shop]
  http:
  - name: products
    match: [{uri: {prefix: /products}}]
    delegate: {name: products-routes}
    timeout: 3s
  - name: rest
    route: [{destination: {host: shop, subset: rest}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: products-routes}
spec:
  http:
  - name: v2
    match: [{headers: {x-beta: {exact: "1"}}}]
    route: [{destination: {host: products, subset: v2}}]
    rewrite: {uri: /p}
  - name: v1
    route: [{destination: {host: products, subset: v1}}]
)"));
    QVERIFY(engine.warnings().isEmpty());
    RouteDecision d = engine.decide(request("shop", "/products/7", {{"x-beta", "1"}}));
    QCOMPARE(d.destination.subset, QStringLiteral("v2"));
    QCOMPARE(d.ruleName, QStringLiteral("products-v2"));
    QCOMPARE(d.path, QByteArray("/p/7"));     // the root's prefix is the one rewritten
    QCOMPARE(d.timeoutMs.value_or(-1), 3000); // inherited from the root rule
    d = engine.decide(request("shop", "/products/7"));
    QCOMPARE(d.destination.subset, QStringLiteral("v1"));
    d = engine.decide(request("shop", "/cart"));
    QCOMPARE(d.destination.subset, QStringLiteral("rest"));
    QVERIFY(engine.hosts() == QStringList{"shop"}); // a delegate has no hosts of its own
}

void TestRouteEngine::noRuleMatches()
{
    const RouteEngine engine(
        parseConfig(singleRule("match: [{uri: {exact: /only}}]\n" + kRouteHit)));
    const RouteDecision d = engine.decide(request("svc", "/other?x"));
    QCOMPARE(d.action, Action::NoRoute);
    QCOMPARE(d.status, 404);
    QCOMPARE(d.virtualService, QStringLiteral("vs"));
    QCOMPARE(d.ruleIndex, -1);
    QCOMPARE(d.body, QByteArray("no rule of VirtualService vs matches GET /other?x"));
}

QTEST_APPLESS_MAIN(TestRouteEngine)
#include "tst_routeengine.moc"
