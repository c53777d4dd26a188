// The real route engine driving the real proxy, in process: YAML text -> Model::Config ->
// Routing::RouteEngine -> Proxy::Server -> loopback backends. Unit tests of the proxy inject
// decisions by hand; these check that what the engine decides is what reaches the backends.
#include "../core/proxy/testbackend.h"

#include "model/resource.h"
#include "routing/routeengine.h"
#include "yaml/document.h"

#include <QFile>
#include <QTest>

#include <memory>

using namespace TestSupport;
using Outcome = Observe::Leg::Outcome;

namespace {

const QByteArray kGreeterHost = "greeter-service";

Model::Config parseConfig(const QByteArray &yaml)
{
    const Yaml::ParseResult parsed = Yaml::parse(yaml, QStringLiteral("test.yaml"));
    for (const Base::Diagnostic &d : parsed.diagnostics)
        qWarning("YAML problem in test input: %d:%d %s", d.line, d.column, qPrintable(d.message));
    return Model::Config::fromDocuments(parsed.documents);
}

// A VirtualService for greeter-service whose single HTTP rule is `rule` (YAML lines, indented
// as the continuation of a `- ` list item under `http:`).
QByteArray greeterVs(const QByteArray &rule)
{
    QByteArray out = "apiVersion: networking.istio.io/v1\n"
                     "kind: VirtualService\n"
                     "metadata:\n"
                     "  name: greeter-service\n"
                     "spec:\n"
                     "  hosts:\n"
                     "  - greeter-service\n"
                     "  http:\n";
    bool first = true;
    for (const QByteArray &line : rule.split('\n')) {
        if (line.isEmpty())
            continue;
        out += (first ? "  - " : "    ") + line + '\n';
        first = false;
    }
    return out;
}

QByteArray greeterExampleText()
{
    QFile f(QStringLiteral(MIRRORSCOPE_SOURCE_DIR "/resources/examples/greeter-mirror.yaml"));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The engine, the proxy and three greeter backends (v1, v2, v3) on loopback.
struct EngineRig
{
    TestBackend v1{"v1"};
    TestBackend v2{"v2"};
    TestBackend v3{"v3"};
    std::unique_ptr<Proxy::Server> server;
    std::shared_ptr<const Routing::RouteEngine> engine;
    QList<Observe::Exchange> exchanges;
    Routing::RouteEngine::Options options;

    bool start(const QByteArray &yaml, const QStringList &bound = {"v1", "v2", "v3"})
    {
        if (!v1.start() || !v2.start() || !v3.start())
            return false;
        Proxy::Settings settings;
        settings.workers = 2;
        server = std::make_unique<Proxy::Server>(settings);
        Proxy::Bindings bindings;
        for (TestBackend *b : {&v1, &v2, &v3}) {
            const QString subset = QString::fromLatin1(b->name());
            if (bound.contains(subset))
                bindings.add(target(QString::fromLatin1(kGreeterHost), subset),
                             Proxy::Endpoint::make(QStringLiteral("127.0.0.1"), b->port()));
        }
        server->setBindings(bindings);
        setConfig(yaml);
        return server->start();
    }
    void setConfig(const QByteArray &yaml)
    {
        engine = std::make_shared<const Routing::RouteEngine>(parseConfig(yaml), options);
        server->setDecider(std::make_shared<Proxy::EngineDecider<Routing::RouteEngine>>(engine));
    }
    quint16 port() const { return server->port(); }
    Proxy::Stats stats() const { return server->snapshot(); }
    bool waitForExchanges(int n, int timeoutMs = 20000)
    {
        return runUntil(
            [&] {
                exchanges += server->recorder()->drain();
                return exchanges.size() >= n;
            },
            timeoutMs);
    }
    // Every mirror of `requests` requests has either landed or been sampled out / dropped.
    bool waitForMirrorsSettled(int expectedDecisions, int timeoutMs = 20000)
    {
        return runUntil(
            [&] {
                const Proxy::Stats s = stats();
                return s.mirrorsInFlight == 0 && s.mirrorsCompleted + s.mirrorsFailed +
                                                         s.mirrorsSampledOut + s.mirrorsDropped() >=
                                                     quint64(expectedDecisions);
            },
            timeoutMs);
    }
};

// Sends `n` GETs one after the other on one keep-alive connection; returns how many got a
// complete response.
int sendSequential(quint16 port, int n, const QByteArray &path = "/hello",
                   QList<Response> *responses = nullptr)
{
    TestClient client;
    if (!client.connectTo(port))
        return 0;
    for (int i = 0; i < n; ++i) {
        client.get(path, kGreeterHost);
        if (!client.waitForResponses(i + 1, 10000))
            break;
    }
    if (responses)
        *responses = client.responses;
    return client.completeCount();
}

} // namespace

class TestEngineProxy : public QObject
{
    Q_OBJECT
private slots:
    void seedScenario_data()
    {
        QTest::addColumn<QString>("istioVersion");
        QTest::addColumn<QByteArray>("mirrorHost");
        QTest::newRow("istio 1.27")
            << QStringLiteral("1.27") << QByteArray("greeter-service-shadow");
        QTest::newRow("latest") << QStringLiteral("latest") << QByteArray("greeter-service");
    }

    // The greeter example as shipped: the client gets v1's answer, v2 gets the same GET.
    void seedScenario()
    {
        QFETCH(QString, istioVersion);
        QFETCH(QByteArray, mirrorHost);
        EngineRig rig;
        rig.options.target = Base::IstioVersion::fromString(istioVersion);
        QVERIFY(rig.options.target.valid());
        const QByteArray yaml = greeterExampleText();
        QVERIFY(!yaml.isEmpty());
        QVERIFY(rig.start(yaml));

        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/hello", kGreeterHost, "x-user: alice\r\n");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 200);
        QCOMPARE(client.responses[0].body, QByteArray("v1"));
        QCOMPARE(client.responses[0].header("x-backend"), QByteArray("v1"));

        QTRY_COMPARE_WITH_TIMEOUT(rig.v2.completed(), 1, 10000);
        QCOMPARE(rig.v1.heads(), 1);
        QCOMPARE(rig.v3.heads(), 0);
        const ReceivedRequest &primary = rig.v1.requests[0];
        const ReceivedRequest &mirror = rig.v2.requests[0];
        QCOMPARE(primary.method, QByteArray("GET"));
        QCOMPARE(primary.path, QByteArray("/hello"));
        QCOMPARE(primary.header("host"), kGreeterHost);
        QCOMPARE(mirror.method, QByteArray("GET"));
        QCOMPARE(mirror.path, QByteArray("/hello"));
        QCOMPARE(mirror.header("host"), mirrorHost);
        QCOMPARE(mirror.header("x-user"), QByteArray("alice"));
        // One request id joins both legs (how a user pairs v1's and v2's logs).
        QVERIFY(!primary.header("x-request-id").isEmpty());
        QCOMPARE(mirror.header("x-request-id"), primary.header("x-request-id"));

        QVERIFY(rig.waitForExchanges(1));
        const Observe::Exchange &ex = rig.exchanges[0];
        QCOMPARE(ex.virtualService, QStringLiteral("greeter-service"));
        QCOMPARE(ex.primary.outcome, Outcome::Completed);
        QCOMPARE(ex.primary.destination.subset, QStringLiteral("v1"));
        QCOMPARE(ex.mirrors.size(), 1);
        QCOMPARE(ex.mirrors[0].destination.subset, QStringLiteral("v2"));
        QCOMPARE(ex.mirrors[0].outcome, Outcome::Completed);
        QCOMPARE(ex.mirrors[0].bodyPrefix, QByteArray("v2"));
        QCOMPARE(rig.stats().mirrorsSent, 1u);
    }

    void mirrorPercentageIsSampled()
    {
        EngineRig rig;
        QVERIFY(rig.start(greeterVs("route:\n"
                                    "- destination: {host: greeter-service, subset: v1}\n"
                                    "mirror: {host: greeter-service, subset: v2}\n"
                                    "mirrorPercentage: {value: 50}\n")));
        constexpr int n = 400;
        QCOMPARE(sendSequential(rig.port(), n), n);
        QVERIFY(rig.waitForMirrorsSettled(n));
        const Proxy::Stats s = rig.stats();
        QCOMPARE(rig.v1.heads(), n); // the client's leg is never sampled
        QCOMPARE(s.mirrorsSent + s.mirrorsSampledOut, quint64(n));
        QTRY_COMPARE_WITH_TIMEOUT(quint64(rig.v2.completed()), s.mirrorsSent, 10000);
        // Binomial(400, 0.5): sd 10; 140..260 is +-6 sd, so this fails only when sampling is
        // biased (0 %, 100 %, or a different percentage), not by chance.
        const int mirrored = rig.v2.heads();
        QVERIFY2(mirrored >= n * 35 / 100 && mirrored <= n * 65 / 100,
                 qPrintable(QStringLiteral("%1 of %2 mirrored").arg(mirrored).arg(n)));
    }

    void mirrorsListWithPercentages()
    {
        EngineRig rig;
        QVERIFY(rig.start(greeterVs("route:\n"
                                    "- destination: {host: greeter-service, subset: v1}\n"
                                    "mirrors:\n"
                                    "- destination: {host: greeter-service, subset: v2}\n"
                                    "  percentage: {value: 100}\n"
                                    "- destination: {host: greeter-service, subset: v3}\n"
                                    "  percentage: {value: 0}\n")));
        constexpr int n = 20;
        QCOMPARE(sendSequential(rig.port(), n), n);
        QVERIFY(rig.waitForExchanges(n));
        QTRY_COMPARE_WITH_TIMEOUT(rig.v2.completed(), n, 10000);
        QCOMPARE(rig.v3.heads(), 0);
        QCOMPARE(rig.v1.heads(), n);
        const Proxy::Stats s = rig.stats();
        QCOMPARE(s.mirrorsSent, quint64(n));
        // A 0 % mirror builds no mirror policy at all (as Istio's translation does), so v3
        // is neither sent nor counted as sampled out.
        QCOMPARE(s.mirrorsSampledOut, 0u);
        for (const Observe::Exchange &ex : std::as_const(rig.exchanges)) {
            QCOMPARE(ex.mirrors.size(), 1);
            QCOMPARE(ex.mirrors[0].destination.subset, QStringLiteral("v2"));
            QCOMPARE(ex.mirrors[0].outcome, Outcome::Completed);
        }
    }

    void redirectNeverMirrors()
    {
        EngineRig rig;
        QVERIFY(rig.start(greeterVs("redirect: {uri: /moved}\n"
                                    "mirror: {host: greeter-service, subset: v2}\n")));
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/hello", kGreeterHost);
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 301);
        QVERIFY2(client.responses[0].header("location").endsWith("/moved"),
                 client.responses[0].header("location").constData());
        QVERIFY(rig.waitForExchanges(1));
        QCOMPARE(rig.exchanges[0].primary.outcome, Outcome::Local);
        QVERIFY(rig.exchanges[0].mirrors.isEmpty());
        // The exchange is recorded once every leg is done: had a mirror been sent, v2 would
        // have seen it by now.
        QCOMPARE(rig.stats().mirrorsSent, 0u);
        QCOMPARE(rig.v2.heads(), 0);
        QCOMPARE(rig.v1.heads(), 0);
    }

    void unboundMirrorIsDroppedAndCounted()
    {
        EngineRig rig;
        QVERIFY(rig.start(greeterExampleText(), {QStringLiteral("v1")}));
        QList<Response> responses;
        QCOMPARE(sendSequential(rig.port(), 3, "/hello", &responses), 3);
        for (const Response &r : std::as_const(responses)) {
            QCOMPARE(r.status, 200);
            QCOMPARE(r.body, QByteArray("v1"));
        }
        QVERIFY(rig.waitForExchanges(3));
        for (const Observe::Exchange &ex : std::as_const(rig.exchanges)) {
            QCOMPARE(ex.primary.outcome, Outcome::Completed);
            QCOMPARE(ex.mirrors.size(), 1);
            QCOMPARE(ex.mirrors[0].outcome, Outcome::Dropped);
            QCOMPARE(ex.mirrors[0].dropReason, QStringLiteral("unbound destination"));
        }
        QCOMPARE(rig.stats().mirrorsDroppedUnbound, 3u);
        QCOMPARE(rig.stats().mirrorsSent, 0u);
        QCOMPARE(rig.v2.heads(), 0);
    }

    void headerOperationsReachBothLegs()
    {
        EngineRig rig;
        QVERIFY(rig.start(greeterVs("headers:\n"
                                    "  request:\n"
                                    "    set: {x-stage: canary}\n"
                                    "    add: {x-added: 'yes'}\n"
                                    "    remove: [x-secret]\n"
                                    "route:\n"
                                    "- destination: {host: greeter-service, subset: v1}\n"
                                    "mirror: {host: greeter-service, subset: v2}\n")));
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/hello", kGreeterHost, "x-stage: prod\r\nx-secret: hunter2\r\n");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].body, QByteArray("v1"));
        QTRY_COMPARE_WITH_TIMEOUT(rig.v2.completed(), 1, 10000);
        // The mirror is a copy of the request after the rule's header operations, as Envoy's
        // request_mirror_policies copy the request that goes upstream.
        for (const ReceivedRequest *r : {&rig.v1.requests[0], &rig.v2.requests[0]}) {
            QCOMPARE(r->header("x-stage"), QByteArray("canary"));
            QCOMPARE(r->header("x-added"), QByteArray("yes"));
            QVERIFY(r->header("x-secret").isEmpty());
            int stages = 0;
            for (const Header &h : r->headers)
                stages += h.first.compare("x-stage", Qt::CaseInsensitive) == 0;
            QCOMPARE(stages, 1); // set replaces, it does not append
        }
    }

    void uriRewriteSeenByBothLegs()
    {
        EngineRig rig;
        QVERIFY(rig.start(greeterVs("match:\n"
                                    "- uri: {prefix: /api/}\n"
                                    "rewrite: {uri: /internal/}\n"
                                    "route:\n"
                                    "- destination: {host: greeter-service, subset: v1}\n"
                                    "mirror: {host: greeter-service, subset: v2}\n")));
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/api/hello?name=bob", kGreeterHost);
        client.get("/other", kGreeterHost); // matches no rule: 404, never mirrored
        QVERIFY(client.waitForResponses(2));
        QCOMPARE(client.responses[0].status, 200);
        QCOMPARE(client.responses[1].status, 404);
        QTRY_COMPARE_WITH_TIMEOUT(rig.v2.completed(), 1, 10000);
        QCOMPARE(rig.v1.heads(), 1);
        QCOMPARE(rig.v1.requests[0].path, QByteArray("/internal/hello?name=bob"));
        QCOMPARE(rig.v2.requests[0].path, QByteArray("/internal/hello?name=bob"));
        QVERIFY(rig.waitForExchanges(2));
        QCOMPARE(rig.v2.heads(), 1);
    }

    void weightedSplit()
    {
        EngineRig rig;
        QVERIFY(rig.start(greeterVs("route:\n"
                                    "- destination: {host: greeter-service, subset: v1}\n"
                                    "  weight: 80\n"
                                    "- destination: {host: greeter-service, subset: v3}\n"
                                    "  weight: 20\n")));
        constexpr int n = 400;
        QList<Response> responses;
        QCOMPARE(sendSequential(rig.port(), n, "/hello", &responses), n);
        int fromV1 = 0, fromV3 = 0;
        for (const Response &r : std::as_const(responses)) {
            fromV1 += r.body == "v1";
            fromV3 += r.body == "v3";
        }
        QCOMPARE(fromV1 + fromV3, n);
        QCOMPARE(rig.v1.heads(), fromV1);
        QCOMPARE(rig.v3.heads(), fromV3);
        QCOMPARE(rig.v2.heads(), 0);
        // Binomial(400, 0.8): mean 320, sd 8; 280..360 is +-5 sd.
        QVERIFY2(fromV1 >= 280 && fromV1 <= 360,
                 qPrintable(QStringLiteral("v1 %1, v3 %2").arg(fromV1).arg(fromV3)));
    }

    void liveConfigSwap()
    {
        EngineRig rig;
        QVERIFY(rig.start(greeterVs("route:\n"
                                    "- destination: {host: greeter-service, subset: v1}\n")));
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/hello", kGreeterHost);
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].body, QByteArray("v1"));

        // The user edits the VirtualService while the proxy runs: the very next request, on
        // the same keep-alive connection, follows the new route.
        rig.setConfig(greeterVs("route:\n"
                                "- destination: {host: greeter-service, subset: v2}\n"
                                "mirror: {host: greeter-service, subset: v3}\n"));
        client.get("/hello", kGreeterHost);
        QVERIFY(client.waitForResponses(2));
        QCOMPARE(client.responses[1].body, QByteArray("v2"));
        QCOMPARE(rig.v1.heads(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(rig.v3.completed(), 1, 10000);

        // And a new connection too.
        QCOMPARE(sendSequential(rig.port(), 1), 1);
        QCOMPARE(rig.v2.heads(), 2);
        QCOMPARE(rig.v1.heads(), 1);
    }
};

QTEST_GUILESS_MAIN(TestEngineProxy)
#include "tst_engine_proxy.moc"
