#include "testbackend.h"

#include <QTest>

using namespace TestSupport;
using Outcome = Observe::Leg::Outcome;

static Routing::RouteDecision toV1(const Routing::RequestView &v)
{
    return forward(v, target(QStringLiteral("greeter-service"), QStringLiteral("v1")));
}

// Routes the proxy answers itself: /direct (418 teapot, x-added: 1), /redirect (302), /unbound
// (a subset with no binding), anything else no route (404).
static Routing::RouteDecision localRoutes(const Routing::RequestView &v)
{
    Routing::RouteDecision d;
    if (v.path == "/direct") {
        d.action = Routing::RouteDecision::Action::DirectResponse;
        d.status = 418;
        d.body = "teapot";
        d.responseAdd = {{"x-added", "1"}};
    } else if (v.path == "/redirect") {
        d.action = Routing::RouteDecision::Action::Redirect;
        d.status = 302;
        d.location = "http://elsewhere/";
    } else if (v.path == "/unbound") {
        d = forward(v, target(QStringLiteral("greeter-service"), QStringLiteral("v9")));
    } else {
        d.action = Routing::RouteDecision::Action::NoRoute;
        d.status = 404;
        d.body = "no VirtualService matches";
    }
    return d;
}

class TestDownstream : public QObject
{
    Q_OBJECT
private slots:
    void pipelinedRequestsAreAnsweredInOrder()
    {
        ProxyRig rig;
        rig.settings.workers = 1;
        rig.decide = toV1;
        rig.v1.echoPath = true;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.send("GET /1 HTTP/1.1\r\nHost: greeter-service\r\n\r\n"
                    "GET /2 HTTP/1.1\r\nHost: greeter-service\r\n\r\n"
                    "GET /3 HTTP/1.1\r\nHost: greeter-service\r\n\r\n");
        QVERIFY(client.waitForResponses(3));
        QCOMPARE(client.responses[0].body, QByteArray("v1 /1"));
        QCOMPARE(client.responses[1].body, QByteArray("v1 /2"));
        QCOMPARE(client.responses[2].body, QByteArray("v1 /3"));
        QVERIFY(!client.closed);
        QCOMPARE(rig.v1.connectionsAccepted, 1); // the upstream connection was kept alive
        QCOMPARE(rig.stats().connectionsTotal, 1u);
    }

    void headAndConnectionClose()
    {
        ProxyRig rig;
        rig.decide = toV1;
        rig.v1.body = "twelve bytes";
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.expectHeadResponse();
        client.send("HEAD /h HTTP/1.1\r\nHost: greeter-service\r\n\r\n");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].header("content-length"), QByteArray("12"));
        QCOMPARE(client.responses[0].bodySize, 0);
        client.send("GET /g HTTP/1.1\r\nHost: greeter-service\r\nConnection: close\r\n\r\n");
        QVERIFY(client.waitForResponses(2));
        QCOMPARE(client.responses[1].body, QByteArray("twelve bytes"));
        QCOMPARE(client.responses[1].header("connection"), QByteArray("close"));
        QVERIFY(client.waitForClose());
        // Connection is hop-by-hop: the upstream connection stays reusable.
        QVERIFY(rig.v1.requests.at(1).header("connection").isEmpty());
    }

    void forwardedHeadersAndRequestId()
    {
        ProxyRig rig;
        rig.decide = toV1;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/a");
        client.get("/b", "greeter-service",
                   "X-Request-Id: abc-123\r\nX-Forwarded-For: 10.0.0.1\r\n");
        QVERIFY(client.waitForResponses(2));
        const ReceivedRequest &a = rig.v1.requests.at(0);
        QCOMPARE(a.header("x-forwarded-for"), QByteArray("127.0.0.1"));
        QCOMPARE(a.header("x-forwarded-proto"), QByteArray("http"));
        QCOMPARE(a.header("x-request-id").size(), 36);
        QCOMPARE(a.header("x-request-id").at(14), '4'); // UUID version 4
        const ReceivedRequest &b = rig.v1.requests.at(1);
        QCOMPARE(b.header("x-request-id"), QByteArray("abc-123"));
        QCOMPARE(b.header("x-forwarded-for"), QByteArray("10.0.0.1, 127.0.0.1"));
        QVERIFY(rig.waitForExchanges(2));
        QCOMPARE(rig.exchanges[1].requestId, QByteArray("abc-123"));
    }

    void chunkedUploadPassesThrough()
    {
        ProxyRig rig;
        rig.decide = toV1;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.send("POST /up HTTP/1.1\r\nHost: greeter-service\r\nTransfer-Encoding: chunked\r\n"
                    "\r\n4\r\nWiki\r\n");
        QTRY_COMPARE(rig.v1.heads(), 1); // streamed: the head is out before the body ends
        client.send("5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\n\r\n");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 200);
        QCOMPARE(rig.v1.requests.at(0).bodyPrefix, QByteArray("Wikipedia in\r\n\r\nchunks."));
        QCOMPARE(rig.v1.requests.at(0).header("transfer-encoding"), QByteArray("chunked"));
    }

    void expectContinueIsAnsweredByTheProxy()
    {
        ProxyRig rig;
        rig.decide = toV1;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.send("PUT /c HTTP/1.1\r\nHost: greeter-service\r\nContent-Length: 5\r\n"
                    "Expect: 100-continue\r\n\r\n");
        QTRY_COMPARE(client.informational, 1);
        client.send("hello");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 200);
        QCOMPARE(rig.v1.requests.at(0).bodyPrefix, QByteArray("hello"));
        QVERIFY(rig.v1.requests.at(0).header("expect").isEmpty());
    }

    // Found by fuzz_request: a client that sends its body without waiting for 100 Continue, to a
    // route answered by the proxy itself. The answer closes the connection (the body is not
    // wanted); the body bytes already read must not be handled as part of a finished request.
    void expectContinueBodyAfterLocalAnswerIsIgnored_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<int>("status");
        QTest::newRow("direct response") << QByteArray("/direct") << 418;
        QTest::newRow("no route") << QByteArray("/none") << 404;
        QTest::newRow("unbound destination") << QByteArray("/unbound") << 503;
    }

    void expectContinueBodyAfterLocalAnswerIsIgnored()
    {
        QFETCH(QByteArray, path);
        QFETCH(int, status);
        ProxyRig rig;
        rig.decide = localRoutes;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.send("POST " + path +
                    " HTTP/1.1\r\nHost: greeter-service\r\nContent-Length: 11\r\n"
                    "Expect: 100-continue\r\n\r\nhello world"
                    "GET /next HTTP/1.1\r\nHost: greeter-service\r\n\r\n");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, status);
        QCOMPARE(client.responses[0].header("connection"), QByteArray("close"));
        QVERIFY(client.waitForClose());
        QCOMPARE(client.responses.size(), 1); // the pipelined request after it is not read
        QVERIFY(rig.waitForExchanges(1));
        QCOMPARE(rig.exchanges[0].primary.status, status);
        QVERIFY(rig.exchanges[0].isConsistent());

        // The worker is fine: the next connection is served.
        TestClient again;
        QVERIFY(again.connectTo(rig.port()));
        again.get("/direct");
        QVERIFY(again.waitForResponses(1));
        QCOMPARE(again.responses[0].status, 418);
    }

    void smugglingAttemptsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<QByteArray>("mentions");
        QTest::newRow("CL + TE") << QByteArray("POST / HTTP/1.1\r\nHost: g\r\nContent-Length: 4\r\n"
                                               "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                                 << QByteArray("400");
        QTest::newRow("TE + CL") << QByteArray("POST / HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: "
                                               "chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n")
                                 << QByteArray("400");
        QTest::newRow("differing CL") << QByteArray("POST / HTTP/1.1\r\nHost: g\r\nContent-Length: "
                                                    "4\r\nContent-Length: 5\r\n\r\nabcde")
                                      << QByteArray("400");
        QTest::newRow("TE gzip") << QByteArray("POST / HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: "
                                               "gzip\r\n\r\nabc")
                                 << QByteArray("400");
        QTest::newRow("TE gzip, chunked") << QByteArray("POST / HTTP/1.1\r\nHost: g\r\n"
                                                        "Transfer-Encoding: gzip, chunked\r\n\r\n"
                                                        "0\r\n\r\n")
                                          << QByteArray("400");
        QTest::newRow("bad request line") << QByteArray("GARBAGE\r\n\r\n") << QByteArray("400");
        QTest::newRow("control byte in header")
            << QByteArray("GET / HTTP/1.1\r\nHost: g\r\nX-A: b\x01c\r\n\r\n") << QByteArray("400");
        QTest::newRow("space in header name")
            << QByteArray("GET / HTTP/1.1\r\nHost: g\r\nX A: b\r\n\r\n") << QByteArray("400");
        QTest::newRow("no Host") << QByteArray("GET / HTTP/1.1\r\n\r\n") << QByteArray("400");
        QTest::newRow("two Hosts")
            << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << QByteArray("400");
        QTest::newRow("CONNECT") << QByteArray("CONNECT example.com:443 HTTP/1.1\r\n"
                                               "Host: example.com:443\r\n\r\n")
                                 << QByteArray("405");
        QTest::newRow("absolute form elsewhere")
            << QByteArray("GET http://example.com/x HTTP/1.1\r\nHost: example.com\r\n\r\n")
            << QByteArray("403");
    }
    void smugglingAttemptsAreRefused()
    {
        QFETCH(QByteArray, request);
        QFETCH(QByteArray, mentions);
        ProxyRig rig;
        rig.decide = toV1;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.send(request);
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(QByteArray::number(client.responses[0].status), mentions);
        QVERIFY(client.waitForClose());
        QCOMPARE(rig.v1.connectionsAccepted, 0); // nothing reached an upstream
        QCOMPARE(rig.stats().badRequests, 1u);
        if (request.startsWith("CONNECT") || request.contains("example.com/x"))
            QVERIFY(client.responses[0].body.contains("not a forward proxy"));
        // The refusal is in the record too: what came and why it was refused.
        QVERIFY(rig.waitForExchanges(1));
        const Observe::Exchange &ex = rig.exchanges[0];
        QCOMPARE(QByteArray::number(ex.primary.status), mentions);
        QCOMPARE(ex.primary.outcome, Outcome::Failed);
        QCOMPARE(ex.primary.error.toUtf8(), client.responses[0].body.trimmed());
        QVERIFY(ex.isConsistent());
        if (!request.startsWith("GARBAGE"))
            QCOMPARE(ex.method, request.left(request.indexOf(' ')));
    }

    void absoluteFormToTheProxyItselfIsServed()
    {
        ProxyRig rig;
        rig.decide = toV1;
        rig.v1.echoPath = true;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.send("GET http://127.0.0.1:" + QByteArray::number(rig.port()) +
                    "/hello?x=1 HTTP/1.1\r\nHost: greeter-service\r\n\r\n");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].body, QByteArray("v1 /hello?x=1"));
    }

    void invalidChunkSizeIsRefused()
    {
        ProxyRig rig;
        rig.decide = toV1;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.send("POST /up HTTP/1.1\r\nHost: greeter-service\r\nTransfer-Encoding: chunked\r\n"
                    "\r\n4\r\nWiki\r\nzz\r\nnope\r\n0\r\n\r\n");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 400);
        QVERIFY(client.waitForClose());
        QVERIFY(rig.waitForExchanges(1));
        QCOMPARE(rig.exchanges[0].primary.outcome, Outcome::Failed);
        QCOMPARE(rig.exchanges[0].primary.status, 400);
        QCOMPARE(rig.exchanges[0].mirrors.size(), 0);
        QVERIFY(rig.exchanges[0].isConsistent());
        // The upstream got the head and "Wiki", never a complete request.
        QTRY_COMPARE(rig.v1.disconnections, 1);
        QCOMPARE(rig.v1.completed(), 0);
    }

    void oversizedHeadersGet431()
    {
        ProxyRig rig;
        rig.decide = toV1;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.send("GET / HTTP/1.1\r\nHost: greeter-service\r\nX-Big: " + QByteArray(70000, 'a') +
                    "\r\n\r\n");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 431);
        QVERIFY(client.waitForClose());
        QCOMPARE(rig.v1.connectionsAccepted, 0);
        QVERIFY(rig.waitForExchanges(1));
        QCOMPARE(rig.exchanges[0].primary.status, 431);
        QCOMPARE(rig.exchanges[0].authority, QByteArray("greeter-service"));
        QVERIFY(rig.exchanges[0].primary.error.contains("too large"));

        TestClient fits; // just under the limit passes
        QVERIFY(fits.connectTo(rig.port()));
        fits.send("GET / HTTP/1.1\r\nHost: greeter-service\r\nX-Big: " + QByteArray(60000, 'a') +
                  "\r\n\r\n");
        QVERIFY(fits.waitForResponses(1));
        QCOMPARE(fits.responses[0].status, 200);
    }

    void idleClientIsClosed()
    {
        ProxyRig rig;
        rig.decide = toV1;
        rig.settings.idleTimeoutMs = 200;
        QVERIFY(rig.start());
        TestClient slow;
        QVERIFY(slow.connectTo(rig.port()));
        slow.send("GET / HTTP/1.1\r\nHo"); // and then nothing
        QVERIFY(slow.waitForClose(5000));
        QCOMPARE(slow.responses.size(), 0);
        QCOMPARE(rig.v1.connectionsAccepted, 0);

        TestClient quick; // a served keep-alive connection is closed once it goes quiet
        QVERIFY(quick.connectTo(rig.port()));
        quick.get("/");
        QVERIFY(quick.waitForResponses(1));
        QCOMPARE(quick.responses[0].status, 200);
        QVERIFY(quick.waitForClose(5000));
        QTRY_COMPARE(rig.stats().connectionsOpen, 0u);
    }

    void clientVanishingMidBodyAbortsTheUpstream()
    {
        ProxyRig rig;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.send("POST /up HTTP/1.1\r\nHost: greeter-service\r\nContent-Length: 100000\r\n\r\n" +
                    QByteArray(1000, 'x'));
        QTRY_COMPARE(rig.v1.heads(), 1);
        QTRY_COMPARE(rig.v1.requests.at(0).bodySize, 1000);
        client.socket.abort();
        QTRY_COMPARE(rig.v1.disconnections, 1); // the upstream request was cut too
        QVERIFY(rig.waitForExchanges(1));
        const auto &ex = rig.exchanges[0];
        QCOMPARE(ex.primary.outcome, Outcome::Failed);
        QCOMPARE(ex.primary.error, QStringLiteral("client disconnected"));
        QCOMPARE(ex.mirrors[0].outcome, Outcome::Dropped); // its body never arrived
        QVERIFY(ex.isConsistent());
        QCOMPARE(rig.v2.heads(), 0);
        QCOMPARE(rig.v1.completed(), 0);
    }

    void unboundDestinationNamesTheMissingBinding()
    {
        ProxyRig rig;
        rig.decide = [](const Routing::RequestView &v) {
            return forward(v, target(QStringLiteral("greeter-service"), QStringLiteral("v3")));
        };
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/x");
        client.get("/y");
        QVERIFY(client.waitForResponses(2)); // the connection stays usable
        QCOMPARE(client.responses[0].status, 503);
        QCOMPARE(client.responses[0].body,
                 QByteArray("no binding for greeter-service:v3; add --bind "
                            "greeter-service:v3=127.0.0.1:PORT\n"));
        QVERIFY(rig.waitForExchanges(2));
        QCOMPARE(rig.exchanges[0].primary.outcome, Outcome::Failed);
        QCOMPARE(rig.exchanges[0].primary.error, QStringLiteral("unbound destination"));
        QVERIFY(rig.exchanges[0].isConsistent());
        QCOMPARE(rig.stats().unboundRequests, 2u);
    }

    void localAnswers()
    {
        ProxyRig rig;
        rig.decide = localRoutes;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/direct");
        client.get("/redirect");
        client.get("/other");
        QVERIFY(client.waitForResponses(3));
        QCOMPARE(client.responses[0].status, 418);
        QCOMPARE(client.responses[0].body, QByteArray("teapot"));
        QCOMPARE(client.responses[0].header("x-added"), QByteArray("1"));
        QCOMPARE(client.responses[1].status, 302);
        QCOMPARE(client.responses[1].header("location"), QByteArray("http://elsewhere/"));
        QCOMPARE(client.responses[2].status, 404);
        QCOMPARE(client.responses[2].body, QByteArray("no VirtualService matches"));
        QVERIFY(rig.waitForExchanges(3));
        for (const auto &ex : std::as_const(rig.exchanges)) {
            QCOMPARE(ex.primary.outcome, Outcome::Local);
            QVERIFY(ex.isConsistent());
        }
        QCOMPARE(rig.v1.connectionsAccepted, 0);
    }

    void deciderSwapsLive()
    {
        ProxyRig rig;
        rig.decide = toV1;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/a");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].body, QByteArray("v1"));
        rig.server->setDecider(Proxy::makeDecider([](const Routing::RequestView &v) {
            return forward(v, target(QStringLiteral("greeter-service"), QStringLiteral("v2")));
        }));
        client.get("/b"); // same connection, same worker
        QVERIFY(client.waitForResponses(2));
        QCOMPARE(client.responses[1].body, QByteArray("v2"));
    }

    void nonLoopbackListenNeedsAllowRemote()
    {
        Proxy::Settings s;
        s.listenAddress = QHostAddress(QHostAddress::AnyIPv4);
        Proxy::Server refused(s);
        QVERIFY(!refused.start());
        QVERIFY(refused.errorString().contains(QLatin1String("not a loopback address")));
        QVERIFY(refused.errorString().contains(QLatin1String("allowRemote")));
        s.allowRemote = true;
        s.workers = 1;
        Proxy::Server allowed(s);
        QVERIFY2(allowed.start(), qPrintable(allowed.errorString()));
        QVERIFY(allowed.port() != 0);
    }
};

QTEST_GUILESS_MAIN(TestDownstream)
#include "tst_downstream.moc"
