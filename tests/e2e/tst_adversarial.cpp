// Hostile clients and broken upstreams against the real proxy on loopback (issue 7). Each case
// checks what the client sees, what the upstreams received (nothing, for a refused request),
// the record and the counters. Cases already covered elsewhere are not repeated here:
// tests/core/proxy/tst_downstream.cpp (CL+TE, differing Content-Length, TE gzip, control byte,
// space in a header name, no/two Hosts, CONNECT, absolute form, bad chunk size, 64 KiB headers,
// idle client) and tests/core/proxy/tst_upstream.cpp (route timeout, close before headers,
// reset mid-body, non-HTTP answer).
#include "childprocess.h"

#include "model/resource.h"
#include "routing/routeengine.h"
#include "yaml/document.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <vector>

using namespace TestSupport;
using Outcome = Observe::Leg::Outcome;

namespace {

Routing::RouteDecision toV1(const Routing::RequestView &v)
{
    return forward(v, target(QStringLiteral("greeter-service"), QStringLiteral("v1")));
}

Routing::RouteDecision toV1MirrorV2(const Routing::RequestView &v)
{
    return forward(v, target(QStringLiteral("greeter-service"), QStringLiteral("v1")),
                   {mirrorTo(target(QStringLiteral("greeter-service"), QStringLiteral("v2")),
                             "greeter-service-shadow")});
}

// Every request the proxy read is accounted for: a status reached the client, or the
// connection ended before one did.
void verifyRequestAccounting(const Proxy::Stats &s)
{
    QCOMPARE(s.requests, s.answered() + s.responsesNone);
}

// An upstream that answers every request head with fixed bytes, then closes (FIN) or keeps
// the connection open, and counts the request heads it saw.
class RawBackend
{
public:
    RawBackend()
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                ++connections;
                auto buffer = std::make_shared<QByteArray>();
                QObject::connect(s, &QTcpSocket::readyRead, s, [this, s, buffer] {
                    *buffer += s->readAll();
                    if (!buffer->contains("\r\n\r\n"))
                        return;
                    ++heads;
                    buffer->clear();
                    s->write(answer);
                    if (closeAfter)
                        s->disconnectFromHost();
                });
                QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
    }
    bool start() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }

    QByteArray answer;
    bool closeAfter = true;
    int connections = 0;
    int heads = 0;

private:
    QTcpServer m_server;
};

// A slowloris: a request head far longer than a header timeout lets through at one byte per
// 10 ms; every byte keeps the idle timer (60 s) happy, only the header timeout can end it.
struct Trickle
{
    Trickle(TestClient &client, const QByteArray &path)
        : head("GET " + path +
               " HTTP/1.1\r\nHost: greeter-service\r\nX-Pad: " + QByteArray(3000, 'p') + "\r\n\r\n")
    {
        QObject::connect(&timer, &QTimer::timeout, &timer, [this, &client] {
            if (client.closed || sent >= head.size() ||
                client.socket.state() != QAbstractSocket::ConnectedState)
                return;
            client.send(head.mid(sent++, 1));
        });
        timer.start(10);
    }
    const QByteArray head;
    qsizetype sent = 0;
    QTimer timer;
};

Model::Config parseConfig(const QByteArray &yaml)
{
    const Yaml::ParseResult parsed = Yaml::parse(yaml, QStringLiteral("test.yaml"));
    return Model::Config::fromDocuments(parsed.documents);
}

} // namespace

class TestAdversarial : public QObject
{
    Q_OBJECT
private slots:
    void refusedBeforeForwarding_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("says");
        const QByteArray h = "Host: greeter-service\r\n";
        QTest::newRow("duplicate Content-Length, equal values")
            << QByteArray("POST / HTTP/1.1\r\n" + h +
                          "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc")
            << 400 << QByteArray("content-length");
        QTest::newRow("Content-Length list")
            << QByteArray("POST / HTTP/1.1\r\n" + h + "Content-Length: 3, 3\r\n\r\nabc") << 400
            << QByteArray("content-length");
        QTest::newRow("TE chunked, identity")
            << QByteArray("POST / HTTP/1.1\r\n" + h +
                          "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n")
            << 400 << QByteArray("transfer-encoding");
        QTest::newRow("TE identity")
            << QByteArray("POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: identity\r\n\r\nabc")
            << 400 << QByteArray("transfer-encoding");
        QTest::newRow("TE obs-fold, empty first line")
            << QByteArray("POST / HTTP/1.1\r\n" + h +
                          "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n")
            << 400 << QByteArray("obsolete line folding in header Transfer-Encoding");
        QTest::newRow("TE obs-fold, second coding")
            << QByteArray("POST / HTTP/1.1\r\n" + h +
                          "Transfer-Encoding: chunked\r\n\tidentity\r\n\r\n0\r\n\r\n")
            << 400 << QByteArray("bad request");
        QTest::newRow("obs-fold in an ordinary header")
            << QByteArray("GET / HTTP/1.1\r\n" + h + "X-Note: one\r\n two\r\n\r\n") << 400
            << QByteArray("obsolete line folding in header X-Note");
        QTest::newRow("NUL in a header value")
            << QByteArray("GET / HTTP/1.1\r\n" + h + "X-A: a" + QByteArray(1, '\0') + "b\r\n\r\n")
            << 400 << QByteArray("bad request");
        QTest::newRow("bare CR in a header value")
            << QByteArray("GET / HTTP/1.1\r\n" + h + "X-A: a\rX-Injected: 1\r\n\r\n") << 400
            << QByteArray("bad request");
        QTest::newRow("DEL in a header value")
            << QByteArray("GET / HTTP/1.1\r\n" + h + "X-A: a\x7f\r\n\r\n") << 400
            << QByteArray("bad request");
        QTest::newRow("request line over 64 KiB")
            << QByteArray("GET /" + QByteArray(70000, 'a') + " HTTP/1.1\r\n" + h + "\r\n") << 431
            << QByteArray("too large");
        // The answer must survive the bytes still coming: closing with unread input makes the
        // kernel send RST, which can destroy the response before the client reads it.
        QTest::newRow("request line over 64 KiB, then 4 MiB more")
            << QByteArray("GET /" + QByteArray(70000, 'a') + QByteArray(4 << 20, 'b')) << 431
            << QByteArray("too large");
        QByteArray many = "GET / HTTP/1.1\r\n" + h;
        for (int i = 0; i < 100; ++i)
            many += "X-H" + QByteArray::number(i) + ": v\r\n";
        QTest::newRow("101 headers")
            << QByteArray(many + "\r\n") << 431 << QByteArray("more than 100 headers");
        QTest::newRow("HTTP/2 prior knowledge") << QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
                                                << 505 << QByteArray("HTTP/2 is not supported");
        QTest::newRow("HTTP/2.0 request line") << QByteArray("GET / HTTP/2.0\r\n" + h + "\r\n")
                                               << 505 << QByteArray("HTTP/2.0 is not supported");
        QTest::newRow("CONNECT to the proxy's own port")
            << QByteArray("CONNECT 127.0.0.1:PORT HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n\r\n") << 405
            << QByteArray("not a forward proxy");
        QTest::newRow("absolute form, loopback, other port")
            << QByteArray("GET http://127.0.0.1:1/x HTTP/1.1\r\n" + h + "\r\n") << 403
            << QByteArray("not a forward proxy");
        QTest::newRow("absolute form, look-alike host")
            << QByteArray("GET http://localhost.example.com:PORT/x HTTP/1.1\r\n" + h + "\r\n")
            << 403 << QByteArray("not a forward proxy");
        QTest::newRow("absolute form, https")
            << QByteArray("GET https://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n") << 403
            << QByteArray("not a forward proxy");
    }
    void refusedBeforeForwarding()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        QFETCH(QByteArray, says);
        ProxyRig rig;
        rig.decide = toV1MirrorV2;
        QVERIFY(rig.start());
        request.replace("PORT", QByteArray::number(rig.port()));
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.send(request);
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, status);
        QVERIFY2(client.responses[0].body.toLower().contains(says.toLower()),
                 client.responses[0].body.constData());
        QVERIFY(client.waitForClose()); // never left hanging, never kept for a next request
        QCOMPARE(client.responses.size(), 1);
        // Nothing reached either upstream: not the primary, not the mirror.
        QCOMPARE(rig.v1.connectionsAccepted, 0);
        QCOMPARE(rig.v2.connectionsAccepted, 0);
        QVERIFY(rig.waitForExchanges(1));
        QCOMPARE(rig.exchanges[0].primary.status, status);
        QCOMPARE(rig.exchanges[0].primary.outcome, Outcome::Failed);
        const Proxy::Stats s = rig.stats();
        QCOMPARE(s.badRequests, 1u);
        QCOMPARE(s.requests, 1u); // a refused request is still a request
        QCOMPARE(s.mirrorsSent, 0u);
        verifyRequestAccounting(s);

        // The proxy is fine afterwards.
        TestClient next;
        QVERIFY(next.connectTo(rig.port()));
        next.get("/after");
        QVERIFY(next.waitForResponses(1));
        QCOMPARE(next.responses[0].status, 200);
    }

    // Header operations are configuration, not client input, but whatever they say, no CR, LF
    // or NUL may reach an upstream (the client itself cannot send them: see above).
    void headerOperationsCannotInjectLines_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<QByteArray>("value");
        QTest::newRow("CR LF") << QByteArray("x-copied") << QByteArray("a\r\nx-injected: 1");
        QTest::newRow("bare LF") << QByteArray("x-copied") << QByteArray("a\nx-injected: 1");
        QTest::newRow("NUL") << QByteArray("x-copied") << QByteArray("a\0b", 3);
        QTest::newRow("name with CR LF") << QByteArray("x-a\r\nx-injected") << QByteArray("1");
    }
    void headerOperationsCannotInjectLines()
    {
        QFETCH(QByteArray, name);
        QFETCH(QByteArray, value);
        ProxyRig rig;
        // As a `headers.request.set` that copies a client header would: the client's x-user
        // value followed by the configured suffix.
        rig.decide = [name, value](const Routing::RequestView &v) {
            Routing::RouteDecision d = toV1MirrorV2(v);
            d.requestHeaders.append({name, headerOf(v.headers, "x-user") + value});
            return d;
        };
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/hello", "greeter-service", "x-user: alice\r\n");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 500);
        QVERIFY(client.responses[0].body.contains("Nothing was forwarded"));
        QVERIFY(rig.waitForExchanges(1));
        QVERIFY(rig.exchanges[0].primary.error.startsWith(QLatin1String("invalid route output")));
        QVERIFY(rig.exchanges[0].mirrors.isEmpty());
        QCOMPARE(rig.v1.connectionsAccepted, 0);
        QCOMPARE(rig.v2.connectionsAccepted, 0);
        verifyRequestAccounting(rig.stats());

        // The connection stays usable; a valid decision goes through.
        rig.decide = toV1;
        client.get("/ok");
        QVERIFY(client.waitForResponses(2));
        QCOMPARE(client.responses[1].status, 200);
        QCOMPARE(rig.v1.heads(), 1);
    }

    // The same through the real route engine: a VirtualService whose set value holds CR LF.
    void engineHeaderSetWithLineBreak()
    {
        TestBackend v1{"v1"};
        QVERIFY(v1.start());
        Proxy::Settings settings;
        settings.workers = 1;
        Proxy::Server server(settings);
        Proxy::Bindings bindings;
        bindings.add(target(QStringLiteral("greeter-service"), QStringLiteral("v1")),
                     Proxy::Endpoint::make(QStringLiteral("127.0.0.1"), v1.port()));
        server.setBindings(bindings);
        const QByteArray yaml = "apiVersion: networking.istio.io/v1\n"
                                "kind: VirtualService\n"
                                "metadata: {name: greeter-service}\n"
                                "spec:\n"
                                "  hosts: [greeter-service]\n"
                                "  http:\n"
                                "  - headers:\n"
                                "      request:\n"
                                "        set: {x-stage: \"canary\\r\\nx-injected: 1\"}\n"
                                "      response:\n"
                                "        set: {x-seen: \"ok\\r\\nset-cookie: evil=1\"}\n"
                                "    route:\n"
                                "    - destination: {host: greeter-service, subset: v1}\n";
        auto engine = std::make_shared<const Routing::RouteEngine>(parseConfig(yaml));
        server.setDecider(std::make_shared<Proxy::EngineDecider<Routing::RouteEngine>>(engine));
        QVERIFY(server.start());
        TestClient client;
        QVERIFY(client.connectTo(server.port()));
        client.get("/hello");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 500);
        QVERIFY(client.responses[0].body.contains("x-stage"));
        QVERIFY(client.responses[0].header("set-cookie").isEmpty());
        QVERIFY(client.responses[0].header("x-injected").isEmpty());
        QCOMPARE(v1.connectionsAccepted, 0);
    }

    void slowlorisIsCutOffWhileOthersAreServed()
    {
        ProxyRig rig;
        rig.decide = toV1;
        rig.settings.requestHeadersTimeoutMs = 500;
        QVERIFY(rig.start());

        TestClient slow;
        QVERIFY(slow.connectTo(rig.port()));
        Trickle trickle(slow, "/");

        TestClient quick;
        QVERIFY(quick.connectTo(rig.port()));
        quick.get("/quick");
        QVERIFY(quick.waitForResponses(1));
        QCOMPARE(quick.responses[0].status, 200);

        QVERIFY(slow.waitForClose(15000));
        trickle.timer.stop();
        QVERIFY(trickle.sent < trickle.head.size()); // cut off, not finished
        QCOMPARE(slow.responses.size(), 1);
        QCOMPARE(slow.responses[0].status, 408);
        QVERIFY(slow.responses[0].body.contains("request headers were not complete"));
        QCOMPARE(rig.v1.heads(), 1); // only the quick client's request
        QVERIFY(rig.waitForExchanges(2));
        const Proxy::Stats s = rig.stats();
        QCOMPARE(s.badRequests, 1u);
        QCOMPARE(s.requests, 2u);
        verifyRequestAccounting(s);

        quick.get("/again"); // still served after the slow client was dropped
        QVERIFY(quick.waitForResponses(2));
        QCOMPARE(quick.responses[1].status, 200);
    }

    // The header timeout counts from each head's first byte, also on a keep-alive connection
    // whose previous request went through just before.
    void slowHeadAfterAQuickRequestOnTheSameConnection()
    {
        ProxyRig rig;
        rig.decide = toV1;
        rig.settings.requestHeadersTimeoutMs = 500;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/first");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 200);

        Trickle trickle(client, "/second");
        QVERIFY(client.waitForClose(15000));
        trickle.timer.stop();
        QVERIFY(trickle.sent < trickle.head.size());
        QCOMPARE(client.responses.size(), 2);
        QCOMPARE(client.responses[1].status, 408);
        QCOMPARE(rig.v1.heads(), 1);
    }

    void connectionFloodIsBoundedAndOthersAreServed()
    {
        constexpr int kFlood = 5000;
        constexpr int kLimit = 64;
        rlimit lim{};
        QVERIFY(getrlimit(RLIMIT_NOFILE, &lim) == 0);
        const rlim_t need = kFlood + 512;
        if (lim.rlim_cur < need) {
            if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < need)
                QSKIP("the hard RLIMIT_NOFILE is too low for 5000 client sockets");
            lim.rlim_cur = need;
            QVERIFY(setrlimit(RLIMIT_NOFILE, &lim) == 0);
        }

        ProxyRig rig;
        rig.decide = toV1;
        rig.settings.maxConnections = kLimit;
        QVERIFY(rig.start());

        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(rig.port());
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        std::vector<int> flood;
        flood.reserve(kFlood);
        auto arrived = [&] {
            const Proxy::Stats s = rig.stats();
            return s.connectionsTotal + s.connectionsRefused;
        };
        // In batches the accept queue can hold, the listener (this thread) catching up between.
        while (int(flood.size()) < kFlood) {
            for (int i = 0; i < 200 && int(flood.size()) < kFlood; ++i) {
                const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                QVERIFY2(fd >= 0, strerror(errno));
                const int rc = ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
                QVERIFY2(rc == 0 || errno == EINPROGRESS, strerror(errno));
                flood.push_back(fd);
            }
            const quint64 target = flood.size();
            QVERIFY2(runUntil([&] { return arrived() >= target; }, 20000),
                     qPrintable(QStringLiteral("%1 of %2 connections reached the proxy")
                                    .arg(arrived())
                                    .arg(target)));
        }
        Proxy::Stats s = rig.stats();
        QCOMPARE(s.connectionsTotal + s.connectionsRefused, quint64(kFlood));
        // Bounded: each worker may pass the limit by the one connection it is placing.
        QVERIFY2(s.connectionsOpen <= quint64(kLimit + rig.settings.workers),
                 qPrintable(QString::number(s.connectionsOpen)));
        QVERIFY(s.connectionsEvicted + s.connectionsRefused >= quint64(kFlood - kLimit - 2));

        // A normal client is still served: an idle flood connection makes room for it.
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/still-here");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 200);

        // Every flood connection that is gone was closed cleanly (EOF or reset, never data).
        int ended = 0;
        for (const int fd : flood) {
            char byte;
            const ssize_t n = ::recv(fd, &byte, 1, MSG_DONTWAIT);
            QVERIFY(n <= 0);
            if (n == 0 || (n < 0 && errno != EAGAIN))
                ++ended;
            ::close(fd);
        }
        QVERIFY(ended >= kFlood - kLimit - 2);
        QTRY_VERIFY_WITH_TIMEOUT(rig.stats().connectionsOpen <= 1u, 10000);
        QCOMPARE(rig.v1.heads(), 1);
    }

    void upstreamThatNeverAnswers()
    {
        // No route timeout (Istio's default): the idle timeout ends the wait with a 504, as
        // Envoy's stream idle timeout does, and the client connection stays usable.
        ProxyRig rig;
        rig.decide = toV1;
        rig.settings.idleTimeoutMs = 400;
        rig.v1.mode = TestBackend::Mode::Stall;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/never");
        QVERIFY(client.waitForResponses(1, 15000));
        QCOMPARE(client.responses[0].status, 504);
        QCOMPARE(client.responses[0].body, QByteArray("stream timeout"));
        QVERIFY(rig.waitForExchanges(1));
        QCOMPARE(rig.exchanges[0].primary.outcome, Outcome::Failed);
        QCOMPARE(rig.exchanges[0].primary.error, QStringLiteral("idle timeout"));
        QCOMPARE(rig.stats().upstreamTimeouts, 1u);

        rig.v1.mode = TestBackend::Mode::Respond;
        client.get("/next");
        QVERIFY(client.waitForResponses(2, 15000));
        QCOMPARE(client.responses[1].status, 200);
        verifyRequestAccounting(rig.stats());
    }

    void clientStallingMidBodyGets408()
    {
        ProxyRig rig;
        rig.decide = toV1;
        rig.settings.idleTimeoutMs = 400;
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.send("POST /up HTTP/1.1\r\nHost: greeter-service\r\nContent-Length: 100\r\n\r\nabc");
        QVERIFY(client.waitForClose(15000));
        QCOMPARE(client.responses.size(), 1);
        QCOMPARE(client.responses[0].status, 408);
        QVERIFY(rig.waitForExchanges(1));
        QCOMPARE(rig.exchanges[0].primary.error, QStringLiteral("idle timeout"));
        QCOMPARE(rig.v1.completed(), 0); // the upstream never got a complete request
        verifyRequestAccounting(rig.stats());
    }

    void upstreamMisbehaves_data()
    {
        QTest::addColumn<QByteArray>("answer");
        QTest::addColumn<int>("status"); // what the client sees; 0: nothing complete
        QTest::addColumn<QString>("error");
        QTest::newRow("binary junk")
            << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc", 9) << 502 << "bad response";
        QTest::newRow("bad Content-Length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\nhi") << 502
            << "bad response";
        QTest::newRow("status out of range")
            << QByteArray("HTTP/1.1 99999 What\r\nContent-Length: 0\r\n\r\n") << 502
            << "bad response";
        QTest::newRow("NUL in a header")
            << QByteArray("HTTP/1.1 200 OK\r\nX-A: a" + QByteArray(1, '\0') +
                          "b\r\nContent-Length: 0\r\n\r\n")
            << 502 << "bad response";
        QTest::newRow("CL and TE")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
            << 502 << "bad response";
        QTest::newRow("head cut short")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Le") << 503 << "reset";
        QTest::newRow("closed mid chunked body")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel") << 0
            << "reset";
        QTest::newRow("closed mid Content-Length body")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhel") << 0 << "reset";
    }
    void upstreamMisbehaves()
    {
        QFETCH(QByteArray, answer);
        QFETCH(int, status);
        QFETCH(QString, error);
        RawBackend raw;
        raw.answer = answer;
        QVERIFY(raw.start());
        ProxyRig rig;
        rig.decide = toV1;
        QVERIFY(rig.start());
        Proxy::Bindings bindings = rig.server->bindings();
        bindings.add(target(QStringLiteral("greeter-service"), QStringLiteral("v1")),
                     Proxy::Endpoint::make(QStringLiteral("127.0.0.1"), raw.port()));
        rig.server->setBindings(bindings);

        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        client.get("/x");
        if (status) {
            QVERIFY(client.waitForResponses(1));
            QCOMPARE(client.responses[0].status, status);
            QVERIFY(!client.responses[0].body.isEmpty()); // says why
        } else {
            // The status was already out: the client learns of it by the connection closing
            // before the body is complete.
            QVERIFY(client.waitForClose());
            QCOMPARE(client.responses.size(), 1);
            QCOMPARE(client.responses[0].status, 200);
            QVERIFY(!client.responses[0].complete);
        }
        QVERIFY(rig.waitForExchanges(1));
        QCOMPARE(rig.exchanges[0].primary.outcome, Outcome::Failed);
        QCOMPARE(rig.exchanges[0].primary.error, error);
        QVERIFY(rig.exchanges[0].isConsistent());
        QCOMPARE(raw.heads, 1);
        verifyRequestAccounting(rig.stats());
    }

    // Secrets stay masked in every file the CLI writes, for refused requests too (their
    // headers are recorded so a person can see what was refused), unless --no-mask; the
    // report's accounting adds up.
    void cliMasksSecretsOfRefusedRequests_data()
    {
        QTest::addColumn<bool>("noMask");
        QTest::newRow("masked by default") << false;
        QTest::newRow("--no-mask") << true;
    }
    void cliMasksSecretsOfRefusedRequests()
    {
        QFETCH(bool, noMask);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        TestBackend v1("v1");
        QVERIFY(v1.start());
        const QString yamlPath = dir.filePath(QStringLiteral("vs.yaml"));
        QFile yaml(yamlPath);
        QVERIFY(yaml.open(QIODevice::WriteOnly));
        yaml.write("apiVersion: networking.istio.io/v1\n"
                   "kind: VirtualService\n"
                   "metadata: {name: greeter-service}\n"
                   "spec:\n"
                   "  hosts: [greeter-service]\n"
                   "  http:\n"
                   "  - route:\n"
                   "    - destination: {host: greeter-service, subset: v1}\n");
        yaml.close();
        const QString har = dir.filePath(QStringLiteral("x.har"));
        const QString jsonl = dir.filePath(QStringLiteral("x.jsonl"));
        const QString csv = dir.filePath(QStringLiteral("x.csv"));
        const QString report = dir.filePath(QStringLiteral("report.json"));
        QStringList args{
            QStringLiteral("proxy"),      yamlPath,
            QStringLiteral("--bind"),     QStringLiteral("greeter-service:v1=") + v1.endpoint(),
            QStringLiteral("--listen"),   QStringLiteral("127.0.0.1:0"),
            QStringLiteral("--interval"), QStringLiteral("60"),
            QStringLiteral("--har"),      har,
            QStringLiteral("--jsonl"),    jsonl,
            QStringLiteral("--csv"),      csv,
            QStringLiteral("--report"),   report};
        if (noMask)
            args << QStringLiteral("--no-mask");
        Child proxy;
        QVERIFY(proxy.start(args));
        const quint16 port = proxy.waitForListenPort();
        QVERIFY2(port != 0, qPrintable(proxy.all()));

        const QByteArray secrets = "Authorization: Bearer s3cr3t-token\r\n"
                                   "Cookie: session=s3cr3t-session\r\n";
        TestClient refused; // obs-fold: refused with 400, recorded with its headers
        QVERIFY(refused.connectTo(port));
        refused.send("GET /r HTTP/1.1\r\nHost: greeter-service\r\n" + secrets +
                     "X-Fold: a\r\n b\r\n\r\n");
        QVERIFY(refused.waitForResponses(1));
        QCOMPARE(refused.responses[0].status, 400);
        TestClient served;
        QVERIFY(served.connectTo(port));
        served.get("/ok", "greeter-service", secrets);
        QVERIFY(served.waitForResponses(1));
        QCOMPARE(served.responses[0].status, 200);
        QCOMPARE(v1.heads(), 1);
        served.socket.disconnectFromHost();
        proxy.process.terminate();
        QVERIFY2(proxy.waitForExit(), qPrintable(proxy.all()));
        QVERIFY2(proxy.exitedCleanly(), qPrintable(proxy.all()));

        auto read = [](const QString &path) {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        const QByteArray harBytes = read(har), jsonlBytes = read(jsonl);
        QCOMPARE(jsonlBytes.count('\n'), 2); // the refused request has its record
        QVERIFY(jsonlBytes.contains("obsolete line folding"));
        for (const QByteArray &text : {harBytes, jsonlBytes}) {
            QCOMPARE(text.contains("s3cr3t"), noMask);
            if (!noMask)
                QVERIFY(text.contains("Bearer \xe2\x80\xa2\xe2\x80\xa2"));
        }
        QVERIFY(!read(csv).contains("s3cr3t")); // the CSV has no header columns at all
        const QByteArray reportBytes = read(report);
        QVERIFY(!reportBytes.contains("s3cr3t")); // the report is masked either way
        const QJsonObject accounting = QJsonDocument::fromJson(reportBytes)
                                           .object()
                                           .value(QLatin1String("proxy"))
                                           .toObject()
                                           .value(QLatin1String("accounting"))
                                           .toObject();
        QCOMPARE(accounting.value(QLatin1String("requests")).toInt(), 2);
        QCOMPARE(accounting.value(QLatin1String("answered")).toInt(), 2);
        QCOMPARE(accounting.value(QLatin1String("refused")).toInt(), 1);
        QCOMPARE(accounting.value(QLatin1String("failed")).toInt(), 0);
        QVERIFY(accounting.value(QLatin1String("requestsAddUp")).toBool());
        QVERIFY(accounting.value(QLatin1String("mirrorsAddUp")).toBool());
    }

    // The counters add up over a mix of outcomes: requests = answered + none, and every mirror
    // leg routing decided is delivered, failed, dropped by a reason or sampled out.
    void countersAddUp()
    {
        ProxyRig rig;
        rig.decide = [](const Routing::RequestView &v) {
            Routing::RouteDecision d = toV1MirrorV2(v);
            if (v.path == "/unbound-mirror")
                d.mirrors.append(mirrorTo(target(QStringLiteral("nowhere")), "nowhere"));
            if (v.path == "/sampled-out")
                d.mirrors[0].sampled = false;
            return d;
        };
        QVERIFY(rig.start());
        TestClient client;
        QVERIFY(client.connectTo(rig.port()));
        int n = 0;
        for (const QByteArray path : {"/a", "/unbound-mirror", "/sampled-out", "/b"}) {
            client.get(path);
            QVERIFY(client.waitForResponses(++n));
        }
        TestClient bad;
        QVERIFY(bad.connectTo(rig.port()));
        bad.send("GET / HTTP/1.1\r\n\r\n"); // no Host: refused
        QVERIFY(bad.waitForClose());
        QVERIFY(rig.waitForExchanges(5));
        QTRY_COMPARE_WITH_TIMEOUT(rig.stats().mirrorsInFlight, 0u, 10000);
        const Proxy::Stats s = rig.stats();
        QCOMPARE(s.requests, 5u);
        QCOMPARE(s.badRequests, 1u);
        verifyRequestAccounting(s);
        QCOMPARE(s.mirrors, 5u);
        QCOMPARE(s.mirrorsSampledOut, 1u);
        QCOMPARE(s.mirrorsDroppedUnbound, 1u);
        QCOMPARE(s.mirrors, s.mirrorsCompleted + s.mirrorsFailed + s.mirrorsDropped() +
                                s.mirrorsSampledOut + s.mirrorsInFlight);
        QCOMPARE(s.mirrorsCompleted, 3u);
        QCOMPARE(s.exchangesRecorded, 5u);
    }
};

QTEST_GUILESS_MAIN(TestAdversarial)
#include "tst_adversarial.moc"
