// End to end over loopback: 100 MB through the proxy in each direction, with a mirror
// configured, while the proxy's buffering stays bounded.
#include "../core/proxy/testbackend.h"

#include <QTest>

using namespace TestSupport;
using Outcome = Observe::Leg::Outcome;

static constexpr qint64 kBig = 100 * 1024 * 1024;
static constexpr quint64 kBufferBound = 8 * 1024 * 1024;

class TestProxyStreaming : public QObject
{
    Q_OBJECT
private slots:
    void uploadStreamsWithBoundedMemory()
    {
        ProxyRig rig;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.send("POST /upload HTTP/1.1\r\nHost: greeter-service\r\nContent-Length: " +
                    QByteArray::number(kBig) + "\r\n\r\n");
        PatternWriter writer(&client.socket, kBig);
        // The upstream sees the request long before the client has finished sending it.
        QTRY_VERIFY_WITH_TIMEOUT(rig.v1.heads() == 1, 10000);
        QVERIFY(!writer.done());
        QVERIFY(client.waitForResponses(1, 120000));
        QCOMPARE(client.responses[0].status, 200);
        QCOMPARE(rig.v1.requests.at(0).bodySize, kBig);
        QCOMPARE(rig.v1.requests.at(0).bodyHash, patternHash(kBig));
        const Proxy::Stats s = rig.stats();
        QVERIFY2(s.bufferedHighWater < kBufferBound,
                 qPrintable(QStringLiteral("high water %1").arg(s.bufferedHighWater)));
        QVERIFY(s.bufferedHighWater > 0);
        QCOMPARE(s.mirrorsDroppedBodyLimit, 1u); // 1 MiB mirror buffer: abandoned, counted
        QVERIFY(rig.waitForExchanges(1));
        QCOMPARE(rig.exchanges[0].requestBodySize, kBig);
        QCOMPARE(rig.exchanges[0].mirrors[0].outcome, Outcome::Dropped);
        QCOMPARE(rig.v2.heads(), 0);
    }

    void downloadStreamsWithBoundedMemory()
    {
        ProxyRig rig;
        rig.v1.mode = TestBackend::Mode::Download;
        rig.v1.downloadBytes = kBig;
        rig.v2.mode = TestBackend::Mode::Download;
        rig.v2.downloadBytes = 1024 * 1024;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/download");
        QVERIFY(client.waitForResponses(1, 120000));
        QCOMPARE(client.responses[0].bodySize, kBig);
        QCOMPARE(client.responses[0].bodyHash, patternHash(kBig));
        const Proxy::Stats s = rig.stats();
        QVERIFY2(s.bufferedHighWater < kBufferBound,
                 qPrintable(QStringLiteral("high water %1").arg(s.bufferedHighWater)));
        QVERIFY(rig.waitForExchanges(1));
        const auto &ex = rig.exchanges[0];
        QCOMPARE(ex.primary.bodySize, kBig);
        QCOMPARE(ex.primary.bodyHash, patternHash(kBig));
        QCOMPARE(ex.primary.bodyPrefix.size(), 64 * 1024); // the prefix only is kept
        QCOMPARE(ex.mirrors[0].outcome, Outcome::Completed);
        QCOMPARE(ex.mirrors[0].bodySize, 1024 * 1024);
        QCOMPARE(ex.mirrors[0].bodyHash, patternHash(1024 * 1024));
    }
};

QTEST_GUILESS_MAIN(TestProxyStreaming)
#include "tst_proxy_streaming.moc"
