#include "yaml/document.h"

#include "model/codec.h"

#include <QFile>
#include <QTest>

using namespace Model;

namespace {

Resource decodeOne(const char *text)
{
    const Yaml::ParseResult parsed = Yaml::parse(QByteArray(text));
    if (parsed.documents.size() != 1)
        return Resource();
    return fromNode(parsed.documents.front());
}

// The re-encoded resource as YAML text.
QString encoded(const Resource &r)
{
    return QString::fromStdString(Yaml::dump(toNode(r)));
}

QStringList keysOf(const Yaml::Node &map)
{
    QStringList out;
    for (const auto &e : map.entries())
        out.append(QString::fromStdString(e.key));
    return out;
}

const Yaml::Node &route0(const Yaml::Node &root)
{
    return root.get("spec")->get("http")->items().front();
}

} // namespace

class TestDecode : public QObject
{
    Q_OBJECT

private slots:
    void greeterExample();
    void matchFields();
    void actionFields();
    void faultRetriesCorsHeaders();
    void mirrorsAndPercentages();
    void deprecatedMirrorPercentSpelling_data();
    void deprecatedMirrorPercentSpelling();
    void unknownFieldKept();
    void wrongTypesKeptNotCrashing();
    void canonicalOrder();
    void tlsTcpKept();
    void destinationRule();
    void otherKindsKept();
    void kindList();
    void statusKeptUnlessCleaned();
};

void TestDecode::greeterExample()
{
    const QString path =
        QStringLiteral(MIRRORSCOPE_SOURCE_DIR "/resources/examples/greeter-mirror.yaml");
    const Yaml::ParseResult parsed = Yaml::parseFile(path);
    QCOMPARE(parsed.documents.size(), std::size_t(2));
    const Config config = Config::fromDocuments(parsed.documents);
    QCOMPARE(config.virtualServices().size(), 1);
    QCOMPARE(config.destinationRules().size(), 1);

    const Resource &vsr = *config.virtualServices().front();
    QCOMPARE(vsr.name(), QStringLiteral("greeter-service"));
    QCOMPARE(vsr.file, path);
    const VirtualService &vs = vsr.virtualService;
    QCOMPARE(vs.hosts, QStringList{QStringLiteral("greeter-service")});
    QCOMPARE(vs.http.size(), 1);
    const HTTPRoute &r = vs.http.front();
    QCOMPARE(r.route.size(), 1);
    QCOMPARE(r.route[0].destination.host, QStringLiteral("greeter-service"));
    QCOMPARE(r.route[0].destination.subset, QStringLiteral("v1"));
    QCOMPARE(r.route[0].destination.portNumber(), std::optional<qint64>(3000));
    QCOMPARE(r.route[0].weight, std::optional<int>(100));
    QVERIFY(r.mirror.has_value());
    QCOMPARE(r.mirror->subset, QStringLiteral("v2"));
    QCOMPARE(r.mirror->portNumber(), std::optional<qint64>(3000));
    QVERIFY(!r.mirrorPercentage.has_value());
    QCOMPARE(r.effectiveMirrorPercentage(), 100.0);

    QCOMPARE(config.subsetsFor(QStringLiteral("greeter-service")).size(), 2);
    const Subset *v2 = config.findSubset(QStringLiteral("greeter-service"), QStringLiteral("v2"));
    QVERIFY(v2);
    QCOMPARE(v2->labels.value(QStringLiteral("version")), QStringLiteral("v2"));
    QVERIFY(!config.findSubset(QStringLiteral("greeter-service"), QStringLiteral("v3")));

    // Re-encoding gives the same model; the example writes `port` before `subset`, the
    // encoder uses the proto order.
    for (const Yaml::Document &d : parsed.documents)
        QCOMPARE(fromNode(toNode(fromNode(d))), fromNode(d));
    const Yaml::Node out = toNode(vsr);
    QCOMPARE(
        keysOf(*route0(out).get("mirror")),
        (QStringList{QStringLiteral("host"), QStringLiteral("subset"), QStringLiteral("port")}));
}

void TestDecode::matchFields()
{
    const Resource res = decodeOne(R"(apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: {name: m, namespace: shop}
spec:
  hosts: [reviews]
  gateways: [mesh, shop/gw]
  exportTo: ["."]
  http:
  - name: r1
    match:
    - name: m1
      uri: {prefix: /api}
      scheme: {exact: https}
      method: {regex: "GET|HEAD"}
      authority: {exact: shop.example.com}
      headers:
        x-user: {exact: jason}
        x-present: {}
      port: 8080
      sourceLabels: {app: web, tier: front}
      gateways: [mesh]
      queryParams:
        debug: {exact: ""}
      ignoreUriCase: true
      withoutHeaders:
        x-canary: {prefix: "yes"}
      sourceNamespace: frontend
      statPrefix: api
    route:
    - destination: {host: reviews}
)");
    QVERIFY(res.isVirtualService());
    QCOMPARE(res.namespaceName(), QStringLiteral("shop"));
    const VirtualService &vs = res.virtualService;
    QCOMPARE(vs.gateways, (QStringList{QStringLiteral("mesh"), QStringLiteral("shop/gw")}));
    QCOMPARE(vs.exportTo, QStringList{QStringLiteral(".")});
    const HTTPMatchRequest &m = vs.http[0].match[0];
    QCOMPARE(m.name, QStringLiteral("m1"));
    QCOMPARE(*m.uri, StringMatch::prefix(QStringLiteral("/api")));
    QCOMPARE(*m.scheme, StringMatch::exact(QStringLiteral("https")));
    QCOMPARE(*m.method, StringMatch::regex(QStringLiteral("GET|HEAD")));
    QCOMPARE(m.authority->value, QStringLiteral("shop.example.com"));
    QCOMPARE(m.headers.keys(),
             (QStringList{QStringLiteral("x-user"), QStringLiteral("x-present")}));
    QVERIFY(m.headers.find(QStringLiteral("x-present"))->isPresence());
    QCOMPARE(m.port, std::optional<qint64>(8080));
    QCOMPARE(m.sourceLabels.keys(), (QStringList{QStringLiteral("app"), QStringLiteral("tier")}));
    QCOMPARE(m.gateways, QStringList{QStringLiteral("mesh")});
    // `exact: ""` is a real match (query key present without value), not "unset".
    QCOMPARE(*m.queryParams.find(QStringLiteral("debug")), StringMatch::exact(QString()));
    QCOMPARE(m.ignoreUriCase, std::optional<bool>(true));
    // A quoted "yes" is a string, not YAML 1.1's boolean.
    QCOMPARE(*m.withoutHeaders.find(QStringLiteral("x-canary")),
             StringMatch::prefix(QStringLiteral("yes")));
    QCOMPARE(m.sourceNamespace, QStringLiteral("frontend"));
    QCOMPARE(m.statPrefix, QStringLiteral("api"));

    const Yaml::Node out = toNode(res);
    const Yaml::Node &match = route0(out).get("match")->items().front();
    QCOMPARE(keysOf(match),
             QString("name uri scheme method authority headers port sourceLabels gateways "
                     "queryParams ignoreUriCase withoutHeaders sourceNamespace statPrefix")
                 .split(' '));
    QCOMPARE(fromNode(out), res);
    QVERIFY(encoded(res).contains(QStringLiteral("exact: \"\"")));
}

void TestDecode::actionFields()
{
    const Resource res = decodeOne(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: a}
spec:
  hosts: [a]
  http:
  - redirect: {uri: /new, authority: b.example.com, port: 8443, scheme: https, redirectCode: 308}
  - redirect: {derivePort: FROM_REQUEST_PORT, prefixRewrite: /v2}
  - directResponse: {status: 503, body: {string: "unavailable"}}
  - directResponse: {status: 200, body: {bytes: aGVsbG8=}}
  - delegate: {name: reviews, namespace: nsb}
  - rewrite:
      authority: internal
      uriRegexRewrite: {match: "^/svc/(.*)$", rewrite: "/\\1"}
    timeout: 1.5s
    route:
    - destination: {host: a, subset: v1, port: {number: 80}}
      weight: 75
    - destination: {host: a, subset: v2}
      weight: 25
      headers:
        request: {set: {x-canary: "true"}}
)");
    const QList<HTTPRoute> &http = res.virtualService.http;
    QCOMPARE(http.size(), 6);
    QCOMPARE(http[0].redirect->uri, QStringLiteral("/new"));
    QCOMPARE(http[0].redirect->authority, QStringLiteral("b.example.com"));
    QCOMPARE(http[0].redirect->port, std::optional<qint64>(8443));
    QCOMPARE(http[0].redirect->scheme, QStringLiteral("https"));
    QCOMPARE(http[0].redirect->redirectCode, std::optional<int>(308));
    QCOMPARE(http[1].redirect->derivePort, QStringLiteral("FROM_REQUEST_PORT"));
    QCOMPARE(http[1].redirect->prefixRewrite, QStringLiteral("/v2"));
    QCOMPARE(http[2].directResponse->status, std::optional<int>(503));
    QCOMPARE(http[2].directResponse->body->kind, HTTPBody::Kind::String);
    QCOMPARE(http[2].directResponse->body->value, QStringLiteral("unavailable"));
    QCOMPARE(http[3].directResponse->body->kind, HTTPBody::Kind::Bytes);
    QCOMPARE(http[4].delegate->name, QStringLiteral("reviews"));
    QCOMPARE(http[4].delegate->namespaceName, QStringLiteral("nsb"));
    const HTTPRoute &r = http[5];
    QCOMPARE(r.rewrite->authority, QStringLiteral("internal"));
    QCOMPARE(r.rewrite->uriRegexRewrite->match, QStringLiteral("^/svc/(.*)$"));
    QCOMPARE(r.rewrite->uriRegexRewrite->rewrite, QStringLiteral("/\\1"));
    QCOMPARE(r.timeout->text, QStringLiteral("1.5s"));
    QCOMPARE(r.timeout->ms, std::optional<qint64>(1500));
    QCOMPARE(r.route[1].weight, std::optional<int>(25));
    // A quoted "true" header value stays a string through the model and back.
    QCOMPARE(r.route[1].headers->request->set.value(QStringLiteral("x-canary")),
             QStringLiteral("true"));

    const Yaml::Node out = toNode(res);
    QCOMPARE(fromNode(out), res);
    const QString text = encoded(res);
    QVERIFY2(text.contains(QStringLiteral("x-canary: \"true\"")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("timeout: 1.5s")));
    QCOMPARE(keysOf(route0(out)), QStringList{QStringLiteral("redirect")});
    QCOMPARE(keysOf(out.get("spec")->get("http")->items()[5]),
             (QStringList{QStringLiteral("route"), QStringLiteral("rewrite"),
                          QStringLiteral("timeout")}));
}

void TestDecode::faultRetriesCorsHeaders()
{
    const Resource res = decodeOne(R"(apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: f}
spec:
  hosts: [f]
  http:
  - route:
    - destination: {host: f}
    retries:
      attempts: 3
      perTryTimeout: 2s
      retryOn: gateway-error,connect-failure
      retryRemoteLocalities: false
      retryIgnorePreviousHosts: true
      backoff: 25ms
    fault:
      delay: {percentage: {value: 0.1}, fixedDelay: 5s, percent: 10}
      abort: {httpStatus: 503, percentage: {value: 12.5}}
    corsPolicy:
      allowOrigins: [{exact: "https://a.example.com"}, {regex: ".*\\.b\\.com"}]
      allowOrigin: ["*"]
      allowMethods: [GET, POST]
      allowHeaders: [x-a]
      exposeHeaders: [x-b]
      maxAge: 24h
      allowCredentials: true
      unmatchedPreflights: IGNORE
    headers:
      request:
        set: {x-a: "1"}
        add: {x-b: two}
        remove: [x-c]
      response:
        remove: [server]
  - route:
    - destination: {host: f}
    fault:
      abort: {grpcStatus: UNAVAILABLE, percentage: {value: 100}}
)");
    const HTTPRoute &r = res.virtualService.http[0];
    QCOMPARE(r.retries->attempts, std::optional<int>(3));
    QCOMPARE(r.retries->perTryTimeout->ms, std::optional<qint64>(2000));
    QCOMPARE(r.retries->retryOn, QStringLiteral("gateway-error,connect-failure"));
    QCOMPARE(r.retries->retryRemoteLocalities, std::optional<bool>(false));
    QCOMPARE(r.retries->retryIgnorePreviousHosts, std::optional<bool>(true));
    QCOMPARE(r.retries->backoff->ms, std::optional<qint64>(25));
    QCOMPARE(r.fault->delay->fixedDelay->ms, std::optional<qint64>(5000));
    QCOMPARE(r.fault->delay->percentage, std::optional<double>(0.1));
    QCOMPARE(r.fault->delay->percent, std::optional<int>(10));
    QCOMPARE(r.fault->abort->httpStatus, std::optional<int>(503));
    QCOMPARE(r.fault->abort->percentage, std::optional<double>(12.5));
    QCOMPARE(res.virtualService.http[1].fault->abort->grpcStatus, QStringLiteral("UNAVAILABLE"));
    const CorsPolicy &c = *r.corsPolicy;
    QCOMPARE(c.allowOrigins.size(), 2);
    QCOMPARE(c.allowOrigins[1].kind, StringMatch::Kind::Regex);
    QCOMPARE(c.allowOrigin, QStringList{QStringLiteral("*")});
    QCOMPARE(c.allowMethods, (QStringList{QStringLiteral("GET"), QStringLiteral("POST")}));
    QCOMPARE(c.allowHeaders, QStringList{QStringLiteral("x-a")});
    QCOMPARE(c.exposeHeaders, QStringList{QStringLiteral("x-b")});
    QCOMPARE(c.maxAge->ms, std::optional<qint64>(24 * 3600 * 1000));
    QCOMPARE(c.allowCredentials, std::optional<bool>(true));
    QCOMPARE(c.unmatchedPreflights, QStringLiteral("IGNORE"));
    QCOMPARE(r.headers->request->set.value(QStringLiteral("x-a")), QStringLiteral("1"));
    QCOMPARE(r.headers->request->add.value(QStringLiteral("x-b")), QStringLiteral("two"));
    QCOMPARE(r.headers->request->remove, QStringList{QStringLiteral("x-c")});
    QCOMPARE(r.headers->response->remove, QStringList{QStringLiteral("server")});

    const Yaml::Node out = toNode(res);
    QCOMPARE(fromNode(out), res);
    const Yaml::Node &route = route0(out);
    QCOMPARE(keysOf(route), (QStringList{QStringLiteral("route"), QStringLiteral("retries"),
                                         QStringLiteral("fault"), QStringLiteral("corsPolicy"),
                                         QStringLiteral("headers")}));
    // Proto order: allowOrigin (deprecated, field 1) before allowOrigins; percent first in delay.
    QCOMPARE(keysOf(*route.get("corsPolicy")).mid(0, 2),
             (QStringList{QStringLiteral("allowOrigin"), QStringLiteral("allowOrigins")}));
    QCOMPARE(keysOf(*route.get("fault")->get("delay")),
             (QStringList{QStringLiteral("percent"), QStringLiteral("fixedDelay"),
                          QStringLiteral("percentage")}));
    // "1" stays a string header value.
    QCOMPARE(route.get("headers")->get("request")->get("set")->get("x-a")->typeName(),
             std::string("string"));
}

void TestDecode::mirrorsAndPercentages()
{
    Resource res = decodeOne(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: mi}
spec:
  hosts: [httpbin]
  http:
  - route:
    - destination: {host: httpbin, subset: v1}
    mirror: {host: httpbin, subset: v2}
    mirrorPercentage: {value: 50.0}
  - route:
    - destination: {host: httpbin, subset: v1}
    mirrors:
    - destination: {host: httpbin, subset: v2}
      percentage: {value: 10}
    - destination: {host: httpbin, subset: v3}
  - route:
    - destination: {host: httpbin}
    mirror: {host: httpbin}
    mirrorPercentage: {}
)");
    QList<HTTPRoute> &http = res.virtualService.http;
    QCOMPARE(http[0].mirrorPercentage, std::optional<double>(50.0));
    QCOMPARE(http[0].effectiveMirrorPercentage(), 50.0);
    QCOMPARE(http[1].mirrors.size(), 2);
    QCOMPARE(http[1].mirrors[0].destination.subset, QStringLiteral("v2"));
    QCOMPARE(http[1].mirrors[0].percentage, std::optional<double>(10));
    QVERIFY(!http[1].mirrors[1].percentage);
    QCOMPARE(http[1].mirrors[1].effectivePercentage(), 100.0);
    // `mirrorPercentage: {}` is a set Percent of 0: Istio mirrors nothing.
    QCOMPARE(http[2].mirrorPercentage, std::optional<double>(0.0));
    QCOMPARE(http[2].effectiveMirrorPercentage(), 0.0);

    // Unchanged values keep their spelling; changed ones get a minimal decimal.
    QString text = encoded(res);
    QVERIFY2(text.contains(QStringLiteral("value: 50.0")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("mirrorPercentage: {}")) ||
            text.contains(QStringLiteral("mirrorPercentage:\n")));
    http[0].mirrorPercentage = 12.5;
    http[1].mirrors[0].percentage = 50;
    text = encoded(res);
    QVERIFY(text.contains(QStringLiteral("value: 12.5")));
    QVERIFY(text.contains(QStringLiteral("value: 50\n")));
    QVERIFY(!text.contains(QStringLiteral("value: 50.0")));
    QVERIFY(!text.contains(QStringLiteral("value: 10")));
    QCOMPARE(keysOf(route0(toNode(res))),
             (QStringList{QStringLiteral("route"), QStringLiteral("mirror"),
                          QStringLiteral("mirrorPercentage")}));
}

void TestDecode::deprecatedMirrorPercentSpelling_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("spelling");
    QTest::newRow("snake") << "mirror_percent" << int(HTTPRoute::MirrorPercentSpelling::SnakeCase);
    QTest::newRow("camel") << "mirrorPercent" << int(HTTPRoute::MirrorPercentSpelling::CamelCase);
}

void TestDecode::deprecatedMirrorPercentSpelling()
{
    QFETCH(QString, key);
    QFETCH(int, spelling);
    const QByteArray text = QStringLiteral(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: d}
spec:
  hosts: [d]
  http:
  - route:
    - destination: {host: d}
    mirror: {host: d, subset: v2}
    %1: 30
)")
                                .arg(key)
                                .toUtf8();
    const Resource res = decodeOne(text.constData());
    const HTTPRoute &r = res.virtualService.http[0];
    QCOMPARE(r.mirrorPercent, std::optional<qint64>(30));
    QCOMPARE(int(r.mirrorPercentSpelling), spelling);
    QCOMPARE(r.effectiveMirrorPercentage(), 30.0);
    QVERIFY(r.extra.isNull());
    const Yaml::Node out = toNode(res);
    QVERIFY(route0(out).has(key.toStdString()));
    QCOMPARE(route0(out).size(), std::size_t(3));
    QCOMPARE(fromNode(out), res);
}

void TestDecode::unknownFieldKept()
{
    const Resource res = decodeOne(R"(apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: ws}
spec:
  hosts: [ws]
  http:
  - websocketUpgrade: true
    route:
    - destination: {host: ws, futureField: {a: 1}}
    timeout: 3s
  futureSpecField: [x]
)");
    const HTTPRoute &r = res.virtualService.http[0];
    QVERIFY(r.extra.has("websocketUpgrade"));
    QVERIFY(r.route[0].destination.extra.has("futureField"));
    QVERIFY(res.virtualService.extra.has("futureSpecField"));

    const Yaml::Node out = toNode(res);
    // Known fields in proto order, unknown ones after them, at the same level.
    QCOMPARE(keysOf(route0(out)), (QStringList{QStringLiteral("route"), QStringLiteral("timeout"),
                                               QStringLiteral("websocketUpgrade")}));
    QCOMPARE(*route0(out).get("websocketUpgrade"), Yaml::Node::scalar("true"));
    QCOMPARE(*route0(out).get("route")->items()[0].get("destination")->get("futureField"),
             *res.virtualService.http[0].route[0].destination.extra.get("futureField"));
    QCOMPARE(keysOf(*out.get("spec")), (QStringList{QStringLiteral("hosts"), QStringLiteral("http"),
                                                    QStringLiteral("futureSpecField")}));
    QCOMPARE(fromNode(out), res);
}

void TestDecode::wrongTypesKeptNotCrashing()
{
    const Resource res = decodeOne(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: bad}
spec:
  hosts: reviews
  http:
  - route:
    - destination: {host: reviews, port: {number: eighty}}
      weight: "100"
    - destination: reviews
      weight: 1.5
    timeout: 5
    mirror: [a]
    mirrorPercentage: {value: half}
    retries: {attempts: [3]}
    match:
    - headers: {x-a: exact}
      uri: /x
      ignoreUriCase: maybe
  - null
)");
    QVERIFY(res.isVirtualService());
    const VirtualService &vs = res.virtualService;
    QVERIFY(vs.hosts.isEmpty());
    QVERIFY(vs.extra.has("hosts"));
    // One null route makes `http` untypeable as a whole: it is kept verbatim.
    QVERIFY(vs.http.isEmpty());
    QVERIFY(vs.extra.has("http"));
    const Yaml::Node out = toNode(res);
    QCOMPARE(*out.get("spec")->get("hosts"), Yaml::Node::scalar("reviews"));
    QCOMPARE(*out.get("spec")->get("http"), *vs.extra.get("http"));

    // The same route without the null entry types what it can.
    Yaml::Node http = *vs.extra.get("http");
    http.items().pop_back();
    const HTTPRoute r = decodeHTTPRoute(http.items()[0]);
    QVERIFY(!r.route[0].weight);
    QVERIFY(r.route[0].extra.has("weight"));
    QCOMPARE(r.route[0].extra.get("weight")->text(), std::string("100"));
    QVERIFY(r.route[0].extra.get("weight")->isQuoted());
    QVERIFY(!r.route[0].destination.portNumber());
    QVERIFY(r.route[0].destination.port->extra.has("number"));
    QVERIFY(r.route[1].destination.isEmpty());
    QVERIFY(r.route[1].extra.has("destination"));
    QVERIFY(r.route[1].extra.has("weight"));
    QVERIFY(!r.timeout);
    QVERIFY(r.extra.has("timeout"));
    QVERIFY(!r.mirror);
    QVERIFY(!r.mirrorPercentage);
    QVERIFY(r.extra.has("mirrorPercentage"));
    QVERIFY(!r.retries->attempts);
    QVERIFY(r.match[0].headers.isEmpty());
    QVERIFY(r.match[0].extra.has("headers"));
    QVERIFY(!r.match[0].uri);
    QVERIFY(!r.match[0].ignoreUriCase);
    // Encoding writes every one of them back with its original type.
    const Yaml::Node back = encodeHTTPRoute(r);
    QCOMPARE(decodeHTTPRoute(back), r);
    QCOMPARE(*back.get("route")->items()[0].get("weight"), *r.route[0].extra.get("weight"));
    QCOMPARE(*back.get("timeout"), Yaml::Node::scalar("5"));
    QCOMPARE(*back.get("mirror"), *http.items()[0].get("mirror"));
    QCOMPARE(*back.get("match")->items()[0].get("ignoreUriCase"), Yaml::Node::scalar("maybe"));

    // Not even a map: nothing crashes, nothing is invented.
    QVERIFY(fromNode(Yaml::Node::scalar("junk")).type == Resource::Type::Other);
    QCOMPARE(toNode(fromNode(Yaml::Node::scalar("junk"))), Yaml::Node::scalar("junk"));
    const Resource noSpec = decodeOne("apiVersion: networking.istio.io/v1\nkind: "
                                      "VirtualService\nmetadata: {name: x}\nspec: 12\n");
    QVERIFY(noSpec.isVirtualService());
    QCOMPARE(*toNode(noSpec).get("spec"), Yaml::Node::scalar("12"));
}

void TestDecode::canonicalOrder()
{
    const Resource res = decodeOne(R"(spec:
  http:
  - mirror: {subset: v2, host: a}
    route:
    - weight: 100
      destination: {port: {number: 80}, subset: v1, host: a}
    name: first
  hosts: [a]
status: {x: 1}
metadata: {name: o}
kind: VirtualService
apiVersion: networking.istio.io/v1
)");
    const Yaml::Node out = toNode(res);
    QCOMPARE(keysOf(out), (QStringList{QStringLiteral("apiVersion"), QStringLiteral("kind"),
                                       QStringLiteral("metadata"), QStringLiteral("spec"),
                                       QStringLiteral("status")}));
    QCOMPARE(keysOf(*out.get("spec")),
             (QStringList{QStringLiteral("hosts"), QStringLiteral("http")}));
    QCOMPARE(keysOf(route0(out)), (QStringList{QStringLiteral("name"), QStringLiteral("route"),
                                               QStringLiteral("mirror")}));
    const Yaml::Node &dest = route0(out).get("route")->items()[0];
    QCOMPARE(keysOf(dest), (QStringList{QStringLiteral("destination"), QStringLiteral("weight")}));
    QCOMPARE(
        keysOf(*dest.get("destination")),
        (QStringList{QStringLiteral("host"), QStringLiteral("subset"), QStringLiteral("port")}));
}

void TestDecode::tlsTcpKept()
{
    const Resource res = decodeOne(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: t}
spec:
  hosts: [t]
  tcp:
  - match: [{port: 27017}]
    route: [{destination: {host: mongo, port: {number: 5555}}}]
  tls:
  - match: [{port: 443, sniHosts: [login.t]}]
    route: [{destination: {host: login}}]
)");
    QCOMPARE(res.virtualService.tcp.size(), 1);
    QCOMPARE(res.virtualService.tls.size(), 1);
    const Yaml::Node out = toNode(res);
    // Proto order puts tls (field 5) before tcp (field 4).
    QCOMPARE(keysOf(*out.get("spec")),
             (QStringList{QStringLiteral("hosts"), QStringLiteral("tls"), QStringLiteral("tcp")}));
    QCOMPARE(out.get("spec")->get("tcp")->items()[0], res.virtualService.tcp[0]);
    QCOMPARE(fromNode(out), res);
}

void TestDecode::destinationRule()
{
    const Resource res = decodeOne(R"(apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  subsets:
  - labels: {version: v1, track: stable}
    name: v1
    trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}
  - name: v2
    labels: {version: "2"}
  host: reviews
  exportTo: ["."]
  workloadSelector: {matchLabels: {app: gw}}
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
)");
    QVERIFY(res.isDestinationRule());
    const DestinationRule &dr = res.destinationRule;
    QCOMPARE(dr.host, QStringLiteral("reviews"));
    QCOMPARE(dr.subsetNames(), (QStringList{QStringLiteral("v1"), QStringLiteral("v2")}));
    QCOMPARE(dr.subsets[0].labels.keys(),
             (QStringList{QStringLiteral("version"), QStringLiteral("track")}));
    QVERIFY(dr.subsets[0].trafficPolicy.isMap());
    QCOMPARE(dr.findSubset(QStringLiteral("v2"))->labels.value(QStringLiteral("version")),
             QStringLiteral("2"));
    QVERIFY(dr.trafficPolicy.has("tls"));
    QVERIFY(dr.workloadSelector.has("matchLabels"));
    QCOMPARE(dr.exportTo, QStringList{QStringLiteral(".")});

    const Yaml::Node out = toNode(res);
    QCOMPARE(keysOf(*out.get("spec")),
             QString("host trafficPolicy subsets exportTo workloadSelector").split(' '));
    QCOMPARE(keysOf(out.get("spec")->get("subsets")->items()[0]),
             QString("name labels trafficPolicy").split(' '));
    QCOMPARE(fromNode(out), res);
    // The label "2" stays a string.
    QVERIFY(QString::fromStdString(Yaml::dump(out)).contains(QStringLiteral("version: \"2\"")));
}

void TestDecode::otherKindsKept()
{
    const char *text = R"(apiVersion: v1
kind: Service
metadata: {name: greeter, labels: {z: 1, a: 2}}
spec:
  selector: {app: greeter}
  ports: [{port: 3000, name: http}]
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw}
spec: {servers: [], selector: {istio: ingressgateway}}
---
apiVersion: networking.istio.io/v2
kind: VirtualService
metadata: {name: future}
spec: {hosts: [x]}
)";
    const Yaml::ParseResult parsed = Yaml::parse(QByteArray(text));
    QCOMPARE(parsed.documents.size(), std::size_t(3));
    for (const Yaml::Document &d : parsed.documents) {
        const Resource r = fromNode(d);
        QCOMPARE(r.type, Resource::Type::Other);
        QCOMPARE(toNode(r), d.root);
        // Key order is kept too (Node== compares keys in order; spec-first would differ).
        QCOMPARE(keysOf(toNode(r)), keysOf(d.root));
    }
    const Config c = Config::fromDocuments(parsed.documents);
    QVERIFY(c.virtualServices().isEmpty());
    QCOMPARE(c.find(QStringLiteral("Service"), QStringLiteral("greeter"))->kind,
             QStringLiteral("Service"));
}

void TestDecode::kindList()
{
    const char *text = R"(apiVersion: v1
kind: List
items:
- apiVersion: networking.istio.io/v1beta1
  kind: VirtualService
  metadata: {name: one, namespace: a}
  spec:
    hosts: [one]
    http:
    - route: [{destination: {host: one}}]
- apiVersion: networking.istio.io/v1beta1
  kind: DestinationRule
  metadata: {name: one, namespace: a}
  spec: {host: one.a.svc.cluster.local, subsets: [{name: v1, labels: {version: v1}}]}
)";
    const Yaml::ParseResult parsed = Yaml::parse(QByteArray(text));
    QCOMPARE(parsed.documents.size(), std::size_t(2));
    const Config c = Config::fromDocuments(parsed.documents);
    QCOMPARE(c.virtualServices().size(), 1);
    QCOMPARE(c.destinationRules().size(), 1);
    QCOMPARE(c.resources[1].listItem, 1);
    // Short name "one" used in namespace a resolves to the DR's FQDN host.
    QVERIFY(c.findSubset(QStringLiteral("one"), QStringLiteral("v1"), QStringLiteral("a")));
    QVERIFY(!c.findSubset(QStringLiteral("one"), QStringLiteral("v1"), QStringLiteral("b")));
}

void TestDecode::statusKeptUnlessCleaned()
{
    const Resource res = decodeOne(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: s
  resourceVersion: "42"
spec: {hosts: [s]}
status: {observedGeneration: 3}
)");
    QVERIFY(res.extra.has("status"));
    const Yaml::Node out = toNode(res);
    QCOMPARE(*out.get("status"), *res.extra.get("status"));
    QCOMPARE(out.get("metadata")->get("resourceVersion")->text(), std::string("42"));
}

QTEST_APPLESS_MAIN(TestDecode)
#include "tst_decode.moc"
