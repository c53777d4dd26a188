#include "testbackend.h"

#include "proxy/mirrorsender.h"

#include <QTest>

using namespace TestSupport;
using Outcome = Observe::Leg::Outcome;

class TestMirrorSender : public QObject
{
    Q_OBJECT
private slots:
    void seedScenario()
    {
        ProxyRig rig;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/hello");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 200);
        QCOMPARE(client.responses[0].body, QByteArray("v1"));

        QTRY_COMPARE(rig.v2.completed(), 1);
        const ReceivedRequest &primary = rig.v1.requests.at(0);
        const ReceivedRequest &mirror = rig.v2.requests.at(0);
        QCOMPARE(mirror.method, QByteArray("GET"));
        QCOMPARE(mirror.path, QByteArray("/hello"));
        QCOMPARE(mirror.header("host"), QByteArray("greeter-service-shadow"));
        QCOMPARE(primary.header("host"), QByteArray("greeter-service"));
        QCOMPARE(mirror.header("x-envoy-internal"), QByteArray("true"));
        QVERIFY(primary.header("x-envoy-internal").isEmpty());
        QCOMPARE(mirror.header("x-request-id").size(), 36);
        QCOMPARE(mirror.header("x-request-id"), primary.header("x-request-id"));
        QCOMPARE(mirror.header("x-forwarded-for"), QByteArray("127.0.0.1"));

        QVERIFY(rig.waitForExchanges(1));
        const Observe::Exchange &ex = rig.exchanges.at(0);
        QVERIFY(ex.isConsistent());
        QCOMPARE(ex.requestId, primary.header("x-request-id"));
        QCOMPARE(ex.path, QByteArray("/hello"));
        QCOMPARE(ex.primary.outcome, Outcome::Completed);
        QCOMPARE(ex.primary.status, 200);
        QCOMPARE(ex.primary.bodyPrefix, QByteArray("v1"));
        QCOMPARE(ex.primary.endpoint, rig.v1.endpoint());
        QCOMPARE(ex.mirrors.size(), 1);
        QCOMPARE(ex.mirrors[0].outcome, Outcome::Completed);
        QCOMPARE(ex.mirrors[0].status, 200);
        QCOMPARE(ex.mirrors[0].bodyPrefix, QByteArray("v2"));
        QCOMPARE(ex.mirrors[0].endpoint, rig.v2.endpoint());
        QCOMPARE(ex.mirrors[0].destination.subset, QStringLiteral("v2"));
        QVERIFY(ex.mirrors[0].totalUs >= ex.mirrors[0].firstByteUs);
        QVERIFY(ex.mirrors[0].bodyHash != 0);
        const Proxy::Stats s = rig.stats();
        QCOMPARE(s.mirrorsSent, 1u);
        QCOMPARE(s.mirrorsCompleted, 1u);
        QCOMPARE(s.responses2xx, 1u);
    }

    void stalledMirrorDoesNotDelayTheNextRequest()
    {
        ProxyRig rig;
        rig.v2.mode = TestBackend::Mode::Stall;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/one");
        QVERIFY(client.waitForResponses(1));
        QTRY_COMPARE(rig.v2.stalledCount(), 1);
        // Same keep-alive connection, while v2 still sits on the first mirror.
        client.get("/two");
        QVERIFY(client.waitForResponses(2));
        QCOMPARE(client.responses[1].body, QByteArray("v1"));
        QVERIFY(rig.v2.stalledCount() >= 1);
        QCOMPARE(rig.v2.responsesSent, 0);
        rig.collect();
        QCOMPARE(rig.exchanges.size(), 0); // records wait for their mirrors
        QTRY_COMPARE(rig.v2.stalledCount(), 2);
        rig.v2.releaseStalled();
        QVERIFY(rig.waitForExchanges(2));
        for (const auto &ex : std::as_const(rig.exchanges)) {
            QVERIFY(ex.isConsistent());
            QCOMPARE(ex.mirrors[0].outcome, Outcome::Completed);
            // The mirror answered after the client had both responses.
            QVERIFY(ex.mirrors[0].firstByteUs > ex.primary.totalUs);
        }
    }

    void deadMirrorLeavesClientsAlone()
    {
        ProxyRig rig;
        QVERIFY(rig.start());
        rig.v2.stop(); // its port is closed now
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/hello");
        client.get("/again");
        QVERIFY(client.waitForResponses(2));
        QCOMPARE(client.responses[0].status, 200);
        QCOMPARE(client.responses[1].body, QByteArray("v1"));
        QVERIFY(rig.waitForExchanges(2));
        QCOMPARE(rig.exchanges[0].mirrors[0].outcome, Outcome::Failed);
        QCOMPARE(rig.exchanges[0].mirrors[0].error, QStringLiteral("connect failure"));
        QVERIFY(rig.exchanges[0].isConsistent());
        QCOMPARE(rig.stats().mirrorsFailed, 2u);
        QCOMPARE(rig.stats().responses2xx, 2u);
    }

    void bodyOverTheMirrorBufferIsDropped()
    {
        ProxyRig rig;
        rig.settings.mirrorBodyBufferBytes = 1024;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        const QByteArray big(4096, 'x');
        const QByteArray small(512, 'y');
        client.send("POST /big HTTP/1.1\r\nHost: greeter-service\r\nContent-Length: 4096\r\n\r\n" +
                    big);
        client.send("POST /small HTTP/1.1\r\nHost: greeter-service\r\nContent-Length: 512\r\n\r\n" +
                    small);
        QVERIFY(client.waitForResponses(2));
        QCOMPARE(client.responses[0].status, 200);
        QCOMPARE(rig.v1.requests.at(0).bodySize, 4096);
        QVERIFY(rig.waitForExchanges(2));
        const auto &dropped = rig.exchanges[0].mirrors[0];
        QCOMPARE(dropped.outcome, Outcome::Dropped);
        QCOMPARE(dropped.dropReason, QStringLiteral("body over buffer limit"));
        QVERIFY(rig.exchanges[0].isConsistent());
        QCOMPARE(rig.exchanges[1].mirrors[0].outcome, Outcome::Completed);
        QCOMPARE(rig.v2.requests.size(), 1); // only the small one
        QCOMPARE(rig.v2.requests.at(0).path, QByteArray("/small"));
        QCOMPARE(rig.v2.requests.at(0).bodyPrefix, small);
        QCOMPARE(rig.v2.requests.at(0).header("content-length"), QByteArray("512"));
        QCOMPARE(rig.stats().mirrorsDroppedBodyLimit, 1u);
    }

    void chunkedBodyIsMirroredWithALength()
    {
        ProxyRig rig;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.send("POST /up HTTP/1.1\r\nHost: greeter-service\r\nTransfer-Encoding: chunked\r\n"
                    "\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
        QVERIFY(client.waitForResponses(1));
        QTRY_COMPARE(rig.v2.completed(), 1);
        QCOMPARE(rig.v1.requests.at(0).bodyPrefix, QByteArray("hello world"));
        QCOMPARE(rig.v2.requests.at(0).bodyPrefix, QByteArray("hello world"));
        QCOMPARE(rig.v2.requests.at(0).header("content-length"), QByteArray("11"));
        QVERIFY(rig.v2.requests.at(0).header("transfer-encoding").isEmpty());
    }

    void readOnlyMirroringSkipsWrites()
    {
        ProxyRig rig;
        rig.settings.readOnlyMirroring = true;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.send("POST /write HTTP/1.1\r\nHost: greeter-service\r\nContent-Length: 2\r\n\r\nhi");
        client.get("/read");
        QVERIFY(client.waitForResponses(2));
        QVERIFY(rig.waitForExchanges(2));
        QCOMPARE(rig.exchanges[0].mirrors[0].outcome, Outcome::Dropped);
        QCOMPARE(rig.exchanges[0].mirrors[0].dropReason, QStringLiteral("read-only mirroring"));
        QCOMPARE(rig.exchanges[1].mirrors[0].outcome, Outcome::Completed);
        QCOMPARE(rig.v2.requests.size(), 1);
        QCOMPARE(rig.v2.requests.at(0).method, QByteArray("GET"));
        QCOMPARE(rig.stats().mirrorsDroppedReadOnly, 1u);
    }

    void unboundAndSampledOutMirrors()
    {
        ProxyRig rig;
        rig.decide = [](const Routing::RequestView &v) {
            Routing::MirrorTarget unbound =
                mirrorTo(target(QStringLiteral("greeter-service"), QStringLiteral("v9")), "x");
            Routing::MirrorTarget out =
                mirrorTo(target(QStringLiteral("greeter-service"), QStringLiteral("v2")), "y");
            out.sampled = false;
            return forward(v, target(QStringLiteral("greeter-service"), QStringLiteral("v1")),
                           {unbound, out});
        };
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/hello");
        QVERIFY(client.waitForResponses(1));
        QVERIFY(rig.waitForExchanges(1));
        const auto &ex = rig.exchanges[0];
        QVERIFY(ex.isConsistent());
        QCOMPARE(ex.mirrors[0].outcome, Outcome::Dropped);
        QCOMPARE(ex.mirrors[0].dropReason, QStringLiteral("unbound destination"));
        QCOMPARE(ex.mirrors[1].outcome, Outcome::SampledOut);
        QCOMPARE(rig.v2.requests.size(), 0);
        QCOMPARE(rig.stats().mirrorsDroppedUnbound, 1u);
        QCOMPARE(rig.stats().mirrorsSampledOut, 1u);
    }

    void inFlightLimitDropsAndCounts()
    {
        ProxyRig rig;
        rig.settings.workers = 1;
        rig.settings.maxInFlightMirrors = 1;
        rig.v2.mode = TestBackend::Mode::Stall;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/one");
        client.get("/two");
        QVERIFY(client.waitForResponses(2));
        QTRY_COMPARE(rig.stats().mirrorsDroppedInFlightLimit, 1u);
        QCOMPARE(rig.stats().mirrorsInFlight, 1u);
        rig.v2.releaseStalled();
        QVERIFY(rig.waitForExchanges(2));
        QCOMPARE(rig.exchanges.size(), 2);
        int dropped = 0;
        for (const auto &ex : std::as_const(rig.exchanges)) {
            QVERIFY(ex.isConsistent());
            if (ex.mirrors[0].dropReason == QLatin1String("in-flight limit"))
                ++dropped;
        }
        QCOMPARE(dropped, 1);
    }

    void mirrorTimeoutIsItsOwn()
    {
        ProxyRig rig;
        rig.settings.mirrorTimeoutMs = 150;
        rig.v2.mode = TestBackend::Mode::Stall;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/hello");
        QVERIFY(client.waitForResponses(1));
        QVERIFY(rig.waitForExchanges(1));
        QCOMPARE(rig.exchanges[0].mirrors[0].outcome, Outcome::Failed);
        QCOMPARE(rig.exchanges[0].mirrors[0].error, QStringLiteral("timeout"));
        QVERIFY(rig.exchanges[0].isConsistent());
        QCOMPARE(rig.stats().mirrorsTimedOut, 1u);
        QCOMPARE(rig.stats().mirrorsInFlight, 0u);
    }

    void mirrorsReuseConnections()
    {
        ProxyRig rig;
        rig.settings.workers = 1;
        QVERIFY(rig.start());
        for (int i = 0; i < 5; ++i) {
            TestClient client;
            QVERIFY(client.connectTo(rig.port()));
            client.get("/n");
            QVERIFY(client.waitForResponses(1));
            QTRY_COMPARE(rig.v2.completed(), i + 1);
            QTRY_COMPARE(rig.v2.responsesSent, i + 1);
        }
        QVERIFY(rig.waitForExchanges(5));
        QCOMPARE(rig.v2.connectionsAccepted, 1);
        QCOMPARE(rig.v1.connectionsAccepted, 1);
    }

    void deadMirrorTripsTheBreakerUntilItComesBack()
    {
        using Proxy::MirrorSender;
        ProxyRig rig;
        rig.settings.workers = 1; // one sender, one breaker
        QVERIFY(rig.start());
        const quint16 v2Port = rig.v2.port();
        rig.v2.stop(); // refused from now on
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        int sent = 0;
        auto request = [&] {
            client.get("/n");
            ++sent;
            return client.waitForResponses(sent);
        };
        for (int i = 1; i <= MirrorSender::kFailuresToOpen; ++i) {
            QVERIFY(request());
            QTRY_COMPARE(rig.stats().mirrorsFailed, quint64(i));
        }
        // Open: the next mirrors are dropped at once, and said so.
        for (int i = 0; i < 3; ++i)
            QVERIFY(request());
        QVERIFY(rig.waitForExchanges(sent));
        for (int i = MirrorSender::kFailuresToOpen; i < sent; ++i) {
            QVERIFY(rig.exchanges[i].isConsistent());
            QCOMPARE(rig.exchanges[i].mirrors[0].outcome, Outcome::Dropped);
            QCOMPARE(rig.exchanges[i].mirrors[0].dropReason, QStringLiteral("endpoint down"));
        }
        Proxy::Stats s = rig.stats();
        QCOMPARE(s.mirrorsDroppedEndpointDown, 3u);
        QCOMPARE(s.mirrorsDropped(), 3u);
        QCOMPARE(s.mirrorsSent, quint64(MirrorSender::kFailuresToOpen));
        QCOMPARE(s.mirrorsFailed, quint64(MirrorSender::kFailuresToOpen));
        QCOMPARE(s.responses2xx, quint64(sent));
        for (const auto &r : std::as_const(client.responses))
            QCOMPARE(r.body, QByteArray("v1"));

        // v2 is back on its port, but until the cooldown passes nobody knocks.
        int v2Connections = 0;
        QTcpServer v2Again;
        QVERIFY(v2Again.listen(QHostAddress::LocalHost, v2Port));
        QObject::connect(&v2Again, &QTcpServer::newConnection, &v2Again, [&] {
            while (QTcpSocket *socket = v2Again.nextPendingConnection()) {
                ++v2Connections;
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                    const int heads = int(socket->readAll().count("\r\n\r\n"));
                    for (int i = 0; i < heads; ++i)
                        socket->write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv2");
                });
            }
        });
        QVERIFY(request());
        QTRY_COMPARE(rig.stats().mirrorsDroppedEndpointDown, 4u);
        QCOMPARE(v2Connections, 0);

        // After the cooldown one probe goes through; it connects, so mirrors flow again.
        MirrorSender::advanceBreakerClockForTesting(MirrorSender::kInitialCooldownMs);
        QVERIFY(request());
        QTRY_COMPARE(rig.stats().mirrorsCompleted, 1u);
        QCOMPARE(v2Connections, 1);
        QVERIFY(request());
        QVERIFY(request());
        QTRY_COMPARE(rig.stats().mirrorsCompleted, 3u);
        QVERIFY(rig.waitForExchanges(sent));
        QCOMPARE(rig.exchanges.last().mirrors[0].outcome, Outcome::Completed);
        QCOMPARE(rig.exchanges.last().mirrors[0].bodyPrefix, QByteArray("v2"));
        s = rig.stats();
        QCOMPARE(s.mirrorsDroppedEndpointDown, 4u);
        QCOMPARE(s.mirrorsSent, s.mirrorsCompleted + s.mirrorsFailed);
        QCOMPARE(s.mirrorsInFlight, 0u);
    }

    void failedProbeReopensWithALongerCooldown()
    {
        using Proxy::MirrorSender;
        ProxyRig rig;
        rig.settings.workers = 1;
        QVERIFY(rig.start());
        rig.v2.stop();
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        int sent = 0;
        auto request = [&] {
            client.get("/n");
            ++sent;
            return client.waitForResponses(sent);
        };
        const quint64 k = MirrorSender::kFailuresToOpen;
        for (quint64 i = 1; i <= k; ++i) {
            QVERIFY(request());
            QTRY_COMPARE(rig.stats().mirrorsFailed, i);
        }
        MirrorSender::advanceBreakerClockForTesting(MirrorSender::kInitialCooldownMs);
        QVERIFY(request()); // the probe: refused again
        QTRY_COMPARE(rig.stats().mirrorsFailed, k + 1);
        // The cooldown doubled: one initial cooldown later it is still open.
        MirrorSender::advanceBreakerClockForTesting(MirrorSender::kInitialCooldownMs);
        QVERIFY(request());
        QTRY_COMPARE(rig.stats().mirrorsDroppedEndpointDown, 1u);
        MirrorSender::advanceBreakerClockForTesting(MirrorSender::kInitialCooldownMs);
        QVERIFY(request()); // second probe
        QTRY_COMPARE(rig.stats().mirrorsFailed, k + 2);
        QVERIFY(rig.waitForExchanges(sent));
        const Proxy::Stats s = rig.stats();
        QCOMPARE(s.mirrorsSent, k + 2);
        QCOMPARE(s.mirrorsDroppedEndpointDown, 1u);
        QCOMPARE(s.responses2xx, quint64(sent));
        for (const auto &ex : std::as_const(rig.exchanges))
            QVERIFY(ex.isConsistent());
    }
};

QTEST_GUILESS_MAIN(TestMirrorSender)
#include "tst_mirrorsender.moc"
