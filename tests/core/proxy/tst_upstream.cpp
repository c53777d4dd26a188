#include "testbackend.h"

#include <QTest>

using namespace TestSupport;
using Outcome = Observe::Leg::Outcome;

static Routing::RouteDecision toV1(const Routing::RequestView &v)
{
    return forward(v, target(QStringLiteral("greeter-service"), QStringLiteral("v1")));
}

static quint16 closedPort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    const quint16 port = s.serverPort();
    s.close();
    return port;
}

class TestUpstream : public QObject
{
    Q_OBJECT
private slots:
    void connectFailureIs503WithEnvoysText()
    {
        ProxyRig rig;
        rig.decide = toV1;
        QVERIFY(rig.start());
        Proxy::Bindings b = rig.server->bindings();
        b.add(target(QStringLiteral("greeter-service"), QStringLiteral("v1")),
              Proxy::Endpoint::make(QStringLiteral("127.0.0.1"), closedPort()));
        rig.server->setBindings(b);
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/x");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 503);
        QCOMPARE(client.responses[0].body,
                 QByteArray("upstream connect error or disconnect/reset before headers. reset "
                            "reason: connection failure"));
        QVERIFY(rig.waitForExchanges(1));
        QCOMPARE(rig.exchanges[0].primary.outcome, Outcome::Failed);
        QCOMPARE(rig.exchanges[0].primary.error, QStringLiteral("connect failure"));
        QCOMPARE(rig.exchanges[0].primary.attempts, 3); // Istio's default: 2 retries
        QVERIFY(rig.exchanges[0].isConsistent());
        QCOMPARE(rig.stats().retries, 2u);
        QCOMPARE(rig.stats().upstreamConnectFailures, 1u);
    }

    // An endpoint given by name ("any http://host:port the user gives") is resolved, not
    // parsed as an address; two requests also show the connection is kept and reused.
    void endpointByNameIsResolved()
    {
        ProxyRig rig;
        rig.decide = toV1;
        QVERIFY(rig.start());
        const Proxy::Endpoint byName =
            Proxy::Endpoint::make(QStringLiteral("localhost"), rig.v1.port());
        QVERIFY(byName.address.isNull()); // the case under test: a name, not a literal
        Proxy::Bindings b = rig.server->bindings();
        b.add(target(QStringLiteral("greeter-service"), QStringLiteral("v1")), byName);
        rig.server->setBindings(b);
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/one");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 200);
        client.get("/two");
        QVERIFY(client.waitForResponses(2));
        QCOMPARE(client.responses[1].status, 200);
        QCOMPARE(rig.v1.heads(), 2);
        QCOMPARE(rig.v1.connectionsAccepted, 1);
    }

    void routeTimeoutIs504()
    {
        ProxyRig rig;
        rig.decide = [](const Routing::RequestView &v) {
            Routing::RouteDecision d = toV1(v);
            d.timeoutMs = 150;
            return d;
        };
        rig.v1.mode = TestBackend::Mode::Stall;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/slow");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 504);
        QCOMPARE(client.responses[0].body, QByteArray("upstream request timeout"));
        QVERIFY(rig.waitForExchanges(1));
        QCOMPARE(rig.exchanges[0].primary.error, QStringLiteral("timeout"));
        QCOMPARE(rig.stats().upstreamTimeouts, 1u);

        rig.v1.mode = TestBackend::Mode::Respond; // in time: no 504
        client.get("/fast");
        QVERIFY(client.waitForResponses(2));
        QCOMPARE(client.responses[1].status, 200);
    }

    void closeBeforeHeadersIs503()
    {
        ProxyRig rig;
        rig.decide = toV1;
        rig.v1.mode = TestBackend::Mode::Close;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/x");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 503);
        QVERIFY(client.responses[0].body.endsWith("reset reason: connection termination"));
        QCOMPARE(rig.v1.heads(), 1); // "reset" is not in the default retryOn
    }

    void resetMidResponseClosesTheClient()
    {
        ProxyRig rig;
        rig.decide = toV1;
        rig.v1.mode = TestBackend::Mode::ResetMidBody;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/x");
        QVERIFY(client.waitForClose());
        QCOMPARE(client.responses.size(), 1);
        QCOMPARE(client.responses[0].status, 200);
        QVERIFY(!client.responses[0].complete);
        QVERIFY(rig.waitForExchanges(1));
        QCOMPARE(rig.exchanges[0].primary.outcome, Outcome::Failed);
        QCOMPARE(rig.exchanges[0].primary.error, QStringLiteral("reset"));
        QCOMPARE(rig.exchanges[0].primary.status, 0);
        QVERIFY(rig.exchanges[0].isConsistent());
    }

    void garbageFromUpstreamIs502()
    {
        ProxyRig rig;
        rig.decide = toV1;
        rig.v1.mode = TestBackend::Mode::Garbage;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/x");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 502);
        QVERIFY(rig.waitForExchanges(1));
        QCOMPARE(rig.exchanges[0].primary.error, QStringLiteral("bad response"));
        QCOMPARE(rig.stats().upstreamBadResponses, 1u);
    }

    void retriesOnRetriableStatus()
    {
        ProxyRig rig;
        rig.decide = [](const Routing::RequestView &v) {
            Routing::RouteDecision d = toV1(v);
            d.retries.attempts = v.path == "/retry" ? 2 : 0;
            d.retries.retryOn = {QStringLiteral("5xx")};
            d.retries.backoffMs = 1;
            return d;
        };
        rig.v1.status = 503;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.send(
            "POST /retry HTTP/1.1\r\nHost: greeter-service\r\nContent-Length: 3\r\n\r\nabc");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 503);
        QCOMPARE(rig.v1.completed(), 3);
        for (const auto &r : std::as_const(rig.v1.requests))
            QCOMPARE(r.bodyPrefix, QByteArray("abc")); // replayed in full each time
        client.get("/once");
        QVERIFY(client.waitForResponses(2));
        QCOMPARE(rig.v1.completed(), 4); // attempts 0: no retry
        QVERIFY(rig.waitForExchanges(2));
        QCOMPARE(rig.exchanges[0].primary.attempts, 3);
        QCOMPARE(rig.exchanges[0].primary.outcome, Outcome::Completed);
        QCOMPARE(rig.exchanges[1].primary.attempts, 1);
    }

    void responseHeaderOperationsAndChunkedResponses()
    {
        ProxyRig rig;
        rig.decide = [](const Routing::RequestView &v) {
            Routing::RouteDecision d = toV1(v);
            d.responseSet = {{"x-backend", "replaced"}};
            d.responseAdd = {{"x-extra", "yes"}};
            d.responseRemove = {"x-secret"};
            return d;
        };
        rig.v1.responseHeaders = {{"X-Secret", "s3cr3t"}, {"X-Kept", "k"}};
        rig.v1.chunked = true;
        rig.v1.body = QByteArray(5000, 'c');
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/x");
        client.get("/y");
        QVERIFY(client.waitForResponses(2));
        const Response &r = client.responses[0];
        QCOMPARE(r.header("x-backend"), QByteArray("replaced"));
        QCOMPARE(r.header("x-extra"), QByteArray("yes"));
        QCOMPARE(r.header("x-kept"), QByteArray("k"));
        QVERIFY(r.header("x-secret").isEmpty());
        QCOMPARE(r.header("transfer-encoding"), QByteArray("chunked"));
        QCOMPARE(r.body, QByteArray(5000, 'c'));
        QCOMPARE(client.responses[1].body, QByteArray(5000, 'c'));
    }

    void faultDelayAndAbort()
    {
        ProxyRig rig;
        rig.decide = [](const Routing::RequestView &v) {
            Routing::RouteDecision d = toV1(v);
            if (v.path == "/abort") {
                d.action = Routing::RouteDecision::Action::FaultAbort;
                d.status = 500;
            } else {
                d.delayMs = 50;
            }
            return d;
        };
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/abort");
        client.get("/delayed");
        QVERIFY(client.waitForResponses(2));
        QCOMPARE(client.responses[0].status, 500);
        QCOMPARE(client.responses[0].body, QByteArray("fault filter abort"));
        QCOMPARE(client.responses[1].status, 200);
        QCOMPARE(rig.v1.heads(), 1);
        QVERIFY(rig.waitForExchanges(2));
        QVERIFY(rig.exchanges[1].primary.firstByteUs >= 50000);
    }

    void staleKeepAliveConnectionIsReplaced()
    {
        ProxyRig rig;
        rig.settings.workers = 1;
        rig.decide = toV1;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/1");
        QVERIFY(client.waitForResponses(1));
        rig.v1.keepAlive = false; // from now on v1 closes after each response
        client.get("/2");
        QVERIFY(client.waitForResponses(2));
        client.get("/3"); // the pooled connection v1 closed must not surface as an error
        QVERIFY(client.waitForResponses(3));
        QCOMPARE(client.responses[2].status, 200);
        QCOMPARE(rig.v1.connectionsAccepted, 2);
    }
};

QTEST_GUILESS_MAIN(TestUpstream)
#include "tst_upstream.moc"
