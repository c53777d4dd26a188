#include "demo/demobackends.h"
#include "demo/greeterbackend.h"
#include "demo/greeterconnection.h"
#include "demo/greeterprofile.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <algorithm>
#include <numeric>

using namespace Demo;

namespace {

struct Response
{
    int status = 0;
    QByteArray head;
    QByteArray body;

    QByteArray header(const QByteArray &name) const
    {
        for (const QByteArray &line : head.split('\n')) {
            const int colon = line.indexOf(':');
            if (colon > 0 && line.left(colon).trimmed().toLower() == name.toLower())
                return line.mid(colon + 1).trimmed();
        }
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// A deliberately plain client: raw bytes out, Content-Length framed answers in, so the tests
// control exactly what goes on one connection (keep-alive, pipelining, Connection: close).
class RawClient
{
public:
    bool open(quint16 port)
    {
        QSignalSpy connected(&m_socket, &QTcpSocket::connected);
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        return m_socket.state() == QAbstractSocket::ConnectedState || connected.wait(5000);
    }
    void write(const QByteArray &bytes) { m_socket.write(bytes); }
    // Next complete answer; status 0 when none arrived within 5 s.
    Response read()
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 5000) {
            m_buffer += m_socket.readAll();
            Response r;
            if (take(&r))
                return r;
            if (m_socket.state() != QAbstractSocket::ConnectedState)
                break;
            QSignalSpy more(&m_socket, &QTcpSocket::readyRead);
            more.wait(500);
        }
        return {};
    }
    Response get(const QByteArray &path, const QByteArray &extraHeaders = {})
    {
        write("GET " + path + " HTTP/1.1\r\nHost: greeter-service\r\n" + extraHeaders + "\r\n");
        return read();
    }
    bool waitClosed()
    {
        if (m_socket.state() == QAbstractSocket::UnconnectedState)
            return true;
        QSignalSpy closed(&m_socket, &QTcpSocket::disconnected);
        return closed.wait(5000) || m_socket.state() == QAbstractSocket::UnconnectedState;
    }
    QTcpSocket &socket() { return m_socket; }

private:
    bool take(Response *r)
    {
        const int end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        r->head = m_buffer.left(end);
        r->status = r->head.mid(9, 3).toInt();
        const qsizetype length = r->header("Content-Length").toLongLong();
        if (m_buffer.size() < end + 4 + length)
            return false;
        r->body = m_buffer.mid(end + 4, length);
        m_buffer.remove(0, end + 4 + length);
        return true;
    }
    QTcpSocket m_socket;
    QByteArray m_buffer;
};

GreeterProfile instant(const QString &version = QStringLiteral("v1"))
{
    GreeterProfile p = version == QLatin1String("v2") ? GreeterProfile::v2() : GreeterProfile::v1();
    p.baseMs = 0;
    p.jitterMeanMs = 0;
    p.tailProbability = 0;
    p.errorRate = 0;
    return p;
}

} // namespace

class TestGreeterBackend : public QObject
{
    Q_OBJECT
private slots:
    void v1AndV2HelloBodiesDiffer();
    void routes_data();
    void routes();
    void latencyProfileV2SlowerThanV1();
    void fixedDelayIsHonoured();
    void delaySamplesFollowTheProfile();
    void fullErrorRateGives5xxButHealthStaysUp();
    void zeroErrorRateGivesNo5xx();
    void keepAliveServesSeveralRequestsOnOneConnection();
    void connectionCloseIsHonoured();
    void pipelinedAnswersKeepRequestOrder();
    void malformedRequestGets400AndClose();
    void oversizedBodyGets413();
    void recordsRequestHeadsAndCounts();
    void demoBackendsRunInThreadsAndStopCleanly();
    void demoBackendsReportBusyPort();
};

void TestGreeterBackend::v1AndV2HelloBodiesDiffer()
{
    GreeterBackend v1(instant(QStringLiteral("v1")));
    GreeterBackend v2(instant(QStringLiteral("v2")));
    QVERIFY(v1.start());
    QVERIFY(v2.start());
    QVERIFY(v1.port() != v2.port());

    RawClient a, b;
    QVERIFY(a.open(v1.port()));
    QVERIFY(b.open(v2.port()));
    const Response one = a.get("/hello");
    const Response two = b.get("/hello");
    QCOMPARE(one.status, 200);
    QCOMPARE(two.status, 200);
    QCOMPARE(one.header("Content-Type"), QByteArray("application/json"));
    // Field order as in the seed's greeter, so a text diff lines up.
    QVERIFY(one.body.startsWith("{\"greeting\":\"Hello from greeter v1\",\"version\":\"v1\","));

    const QJsonObject j1 = one.json();
    const QJsonObject j2 = two.json();
    QCOMPARE(j1.value("greeting").toString(), QStringLiteral("Hello from greeter v1"));
    QCOMPARE(j1.value("version").toString(), QStringLiteral("v1"));
    QCOMPARE(j1.value("host").toString(), QStringLiteral("greeter-service"));
    QVERIFY(QDateTime::fromString(j1.value("time").toString(), Qt::ISODateWithMs).isValid());
    QVERIFY(!j1.contains("locale"));
    QCOMPARE(j2.value("greeting").toString(), QStringLiteral("Hello from greeter v2"));
    QCOMPARE(j2.value("version").toString(), QStringLiteral("v2"));
    QVERIFY(!j2.contains("locale")); // v2's one new field is on GET /users/{id} only
    QCOMPARE(one.header("x-served-by"), QByteArray("greeter-v1"));
    QCOMPARE(two.header("x-served-by"), QByteArray("greeter-v2"));
    QVERIFY(!a.get("/users/7").json().contains("locale"));
    QCOMPARE(b.get("/users/7").json().value("locale").toString(), QStringLiteral("en"));
}

void TestGreeterBackend::routes_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("bodyContains");

    const QByteArray host = " HTTP/1.1\r\nHost: greeter-service\r\n";
    QTest::newRow("user by id") << "GET /users/42" + host + "\r\n"
                                << 200 << QByteArray("\"id\":42,\"name\":\"user-42\"");
    QTest::newRow("user id not digits") << "GET /users/abc" + host + "\r\n"
                                        << 404 << QByteArray("no such user");
    QTest::newRow("create user") << "POST /users" + host +
                                        "Content-Length: 14\r\n\r\n{\"name\":\"ann\"}"
                                 << 201 << QByteArray("\"name\":\"ann\",\"created\":true");
    QTest::newRow("create user, body not JSON")
        << "POST /users" + host + "Content-Length: 3\r\n\r\nabc" << 400
        << QByteArray("not a JSON object");
    QTest::newRow("health") << "GET /health" + host + "\r\n" << 200 << QByteArray("ok v1");
    QTest::newRow("query string ignored for routing") << "GET /hello?lang=fr" + host + "\r\n"
                                                      << 200 << QByteArray("Hello from greeter v1");
    QTest::newRow("unknown path") << "GET /nope" + host + "\r\n" << 404 << QByteArray("not found");
    QTest::newRow("wrong method") << "DELETE /hello" + host + "\r\n"
                                  << 405 << QByteArray("method not allowed");
}

void TestGreeterBackend::routes()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QByteArray, bodyContains);
    GreeterBackend backend(instant());
    QVERIFY(backend.start());
    RawClient client;
    QVERIFY(client.open(backend.port()));
    client.write(request);
    const Response r = client.read();
    QCOMPARE(r.status, status);
    QVERIFY2(r.body.contains(bodyContains), r.body.constData());
    if (status == 405)
        QCOMPARE(r.header("Allow"), QByteArray("GET, HEAD"));
}

void TestGreeterBackend::latencyProfileV2SlowerThanV1()
{
    GreeterProfile v2Profile = GreeterProfile::v2();
    v2Profile.errorRate = 0; // latency only: every answer must be a 200 to be timed
    GreeterBackend v1(GreeterProfile::v1());
    GreeterBackend v2(v2Profile);
    v1.setSeed(7);
    v2.setSeed(7);
    QVERIFY(v1.start());
    QVERIFY(v2.start());
    // Medians of per-request times: robust against a busy machine stalling a few requests.
    const auto medianOfFifty = [](quint16 port) {
        RawClient client;
        if (!client.open(port))
            return qint64(-1);
        QList<qint64> times;
        for (int i = 0; i < 50; ++i) {
            QElapsedTimer clock;
            clock.start();
            if (client.get("/hello").status != 200)
                return qint64(-1);
            times.append(clock.nsecsElapsed() / 1000);
        }
        std::sort(times.begin(), times.end());
        return times.at(25);
    };
    const qint64 fast = medianOfFifty(v1.port());
    const qint64 slow = medianOfFifty(v2.port());
    QVERIFY(fast > 0);
    QVERIFY(slow > 0);
    QVERIFY2(slow > fast,
             qPrintable(QStringLiteral("median v1 %1 us, v2 %2 us").arg(fast).arg(slow)));
}

void TestGreeterBackend::fixedDelayIsHonoured()
{
    GreeterProfile slow = instant();
    slow.baseMs = 40;
    GreeterBackend backend(slow);
    QVERIFY(backend.start());
    RawClient client;
    QVERIFY(client.open(backend.port()));
    for (int i = 0; i < 3; ++i) {
        QElapsedTimer clock;
        clock.start();
        QCOMPARE(client.get("/hello").status, 200);
        // Coarse timers may fire a little early; 40 ms must still be clearly visible.
        QVERIFY2(clock.elapsed() >= 35, qPrintable(QString::number(clock.elapsed())));
    }
}

void TestGreeterBackend::delaySamplesFollowTheProfile()
{
    std::mt19937_64 rng(1);
    const auto draw = [&rng](const GreeterProfile &p) {
        QList<double> samples;
        for (int i = 0; i < 4000; ++i)
            samples.append(sampleDelayMs(p, rng));
        std::sort(samples.begin(), samples.end());
        return samples;
    };
    const QList<double> one = draw(GreeterProfile::v1());
    const QList<double> two = draw(GreeterProfile::v2());
    const auto mean = [](const QList<double> &s) {
        return std::accumulate(s.begin(), s.end(), 0.0) / s.size();
    };
    QVERIFY(mean(one) > 1.5 && mean(one) < 3.0);
    QVERIFY(mean(two) > 8.0 && mean(two) < 13.0);
    QVERIFY(one.first() >= GreeterProfile::v1().baseMs);
    QVERIFY(two.first() >= GreeterProfile::v2().baseMs);
    // v2's tail: the p99 sits far above its median.
    QVERIFY(two.at(3960) > 3 * two.at(2000));

    GreeterProfile fixed = instant();
    fixed.baseMs = 5;
    QCOMPARE(draw(fixed).last(), 5.0);
}

void TestGreeterBackend::fullErrorRateGives5xxButHealthStaysUp()
{
    GreeterProfile failing = instant();
    failing.errorRate = 1.0;
    GreeterBackend backend(failing);
    backend.setSeed(3);
    QVERIFY(backend.start());
    RawClient client;
    QVERIFY(client.open(backend.port()));
    QSet<int> seen;
    for (int i = 0; i < 20; ++i) {
        const Response r = client.get(i % 2 ? "/hello" : "/users/7");
        QVERIFY2(r.status == 500 || r.status == 503, qPrintable(QString::number(r.status)));
        seen.insert(r.status);
    }
    QCOMPARE(seen, (QSet<int>{500, 503}));
    QCOMPARE(client.get("/health").status, 200);
    const BackendStats stats = backend.snapshot();
    QCOMPARE(stats.perStatus.value(500) + stats.perStatus.value(503), 20);
}

void TestGreeterBackend::zeroErrorRateGivesNo5xx()
{
    GreeterBackend backend(instant());
    QVERIFY(backend.start());
    RawClient client;
    QVERIFY(client.open(backend.port()));
    for (int i = 0; i < 50; ++i)
        QCOMPARE(client.get("/hello").status, 200);

    GreeterProfile half = instant();
    half.errorRate = 0.5;
    backend.setProfile(half); // applies to the next requests, same connection
    int failures = 0;
    for (int i = 0; i < 50; ++i)
        failures += client.get("/hello").status >= 500 ? 1 : 0;
    QVERIFY2(failures > 10 && failures < 40, qPrintable(QString::number(failures)));
}

void TestGreeterBackend::keepAliveServesSeveralRequestsOnOneConnection()
{
    GreeterBackend backend(instant());
    QVERIFY(backend.start());
    RawClient client;
    QVERIFY(client.open(backend.port()));
    for (int i = 0; i < 5; ++i) {
        const Response r = client.get("/hello");
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("Connection").isEmpty());
    }
    QCOMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
    const BackendStats stats = backend.snapshot();
    QCOMPARE(stats.requests, 5);
    QCOMPARE(stats.connectionsAccepted, 1);
}

void TestGreeterBackend::connectionCloseIsHonoured()
{
    GreeterBackend backend(instant());
    QVERIFY(backend.start());

    RawClient http11;
    QVERIFY(http11.open(backend.port()));
    const Response r = http11.get("/hello", "Connection: close\r\n");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("Connection"), QByteArray("close"));
    QVERIFY(http11.waitClosed());

    RawClient http10; // HTTP/1.0 without keep-alive closes too
    QVERIFY(http10.open(backend.port()));
    http10.write("GET /hello HTTP/1.0\r\nHost: greeter-service\r\n\r\n");
    QCOMPARE(http10.read().status, 200);
    QVERIFY(http10.waitClosed());
}

void TestGreeterBackend::pipelinedAnswersKeepRequestOrder()
{
    GreeterProfile jittery = instant(QStringLiteral("v2"));
    jittery.jitterMeanMs = 15; // later requests are often ready before earlier ones
    GreeterBackend backend(jittery);
    backend.setSeed(11);
    QVERIFY(backend.start());
    RawClient client;
    QVERIFY(client.open(backend.port()));
    QByteArray burst;
    for (int i = 1; i <= 10; ++i)
        burst += "GET /users/" + QByteArray::number(i) + " HTTP/1.1\r\nHost: g\r\n\r\n";
    client.write(burst);
    for (int i = 1; i <= 10; ++i) {
        const Response r = client.read();
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value("id").toInt(), i);
    }
}

void TestGreeterBackend::malformedRequestGets400AndClose()
{
    GreeterBackend backend(instant());
    QVERIFY(backend.start());
    RawClient client;
    QVERIFY(client.open(backend.port()));
    client.write("THIS IS NOT HTTP\r\n\r\n");
    QCOMPARE(client.read().status, 400);
    QVERIFY(client.waitClosed());
    QCOMPARE(backend.snapshot().requests, 0);
}

void TestGreeterBackend::oversizedBodyGets413()
{
    GreeterBackend backend(instant());
    QVERIFY(backend.start());
    RawClient client;
    QVERIFY(client.open(backend.port()));
    const qint64 size = GreeterConnection::maxBodyBytes + 4096;
    client.write("POST /users HTTP/1.1\r\nHost: g\r\nContent-Length: " + QByteArray::number(size) +
                 "\r\n\r\n" + QByteArray(size, 'x'));
    QCOMPARE(client.read().status, 413);
    QVERIFY(client.waitClosed());
    QCOMPARE(backend.snapshot().perStatus.value(413), 1);

    RawClient small; // just under the limit is fine (answered 400: not JSON, but read whole)
    QVERIFY(small.open(backend.port()));
    const qint64 fits = GreeterConnection::maxBodyBytes;
    small.write("POST /users HTTP/1.1\r\nHost: g\r\nContent-Length: " + QByteArray::number(fits) +
                "\r\n\r\n" + QByteArray(fits, 'x'));
    QCOMPARE(small.read().status, 400);
}

void TestGreeterBackend::recordsRequestHeadsAndCounts()
{
    GreeterBackend backend(instant());
    backend.setRecentLimit(3);
    QVERIFY(backend.start());
    QSignalSpy received(&backend, &GreeterBackend::requestReceived);
    RawClient client;
    QVERIFY(client.open(backend.port()));
    for (int i = 0; i < 4; ++i)
        QCOMPARE(client.get("/hello", "x-request-id: req-" + QByteArray::number(i) + "\r\n").status,
                 200);
    client.write("GET /users/5 HTTP/1.1\r\nHost: other-host\r\n\r\n");
    QCOMPARE(client.read().status, 200);

    QCOMPARE(received.count(), 5);
    const RequestHead first = received.first().first().value<RequestHead>();
    QCOMPARE(first.requestId, QByteArray("req-0"));

    const BackendStats stats = backend.snapshot();
    QCOMPARE(stats.requests, 5);
    QCOMPARE(stats.perPath.value("/hello"), 4);
    QCOMPARE(stats.perPath.value("/users/5"), 1);
    QCOMPARE(stats.perHost.value("greeter-service"), 4);
    QCOMPARE(stats.perHost.value("other-host"), 1);
    QCOMPARE(stats.recent.size(), 3); // bounded, newest kept
    QCOMPARE(stats.recent.at(0).requestId, QByteArray("req-2"));
    QCOMPARE(stats.recent.at(1).requestId, QByteArray("req-3"));
    const RequestHead last = stats.recent.at(2);
    QCOMPARE(last.method, QByteArray("GET"));
    QCOMPARE(last.path, QByteArray("/users/5"));
    QCOMPARE(last.host, QByteArray("other-host"));
    QVERIFY(last.requestId.isEmpty());

    backend.resetStats();
    QCOMPARE(backend.snapshot().requests, 0);
}

void TestGreeterBackend::demoBackendsRunInThreadsAndStopCleanly()
{
    DemoBackends backends;
    QVERIFY2(backends.start(instant(QStringLiteral("v1")), instant(QStringLiteral("v2"))),
             qPrintable(backends.errorString()));
    QVERIFY(backends.isRunning());
    const quint16 p1 = backends.v1Port();
    const quint16 p2 = backends.v2Port();
    QVERIFY(p1 != 0 && p2 != 0 && p1 != p2);
    QVERIFY(backends.v1()->thread() != QThread::currentThread());
    QVERIFY(backends.v1()->thread() != backends.v2()->thread());

    {
        RawClient a, b;
        QVERIFY(a.open(p1));
        QVERIFY(b.open(p2));
        QCOMPARE(a.get("/hello").json().value("version").toString(), QStringLiteral("v1"));
        QCOMPARE(b.get("/hello").json().value("version").toString(), QStringLiteral("v2"));
        QCOMPARE(backends.v2()->snapshot().requests, 1);
        backends.stop(); // with a client still connected
        QVERIFY(b.waitClosed());
    }
    QVERIFY(!backends.isRunning());
    QCOMPARE(backends.v1Port(), quint16(0));
    backends.stop(); // twice is harmless

    QTcpSocket probe;
    QSignalSpy error(&probe, &QTcpSocket::errorOccurred);
    probe.connectToHost(QHostAddress::LocalHost, p1);
    QVERIFY(error.count() > 0 || error.wait(5000));
    QCOMPARE(probe.error(), QAbstractSocket::ConnectionRefusedError);
}

void TestGreeterBackend::demoBackendsReportBusyPort()
{
    QTcpServer occupier;
    QVERIFY(occupier.listen(QHostAddress::LocalHost, 0));
    DemoBackends backends;
    QVERIFY(!backends.start(GreeterProfile::v1(), GreeterProfile::v2(), 0, occupier.serverPort()));
    QVERIFY(!backends.isRunning());
    QVERIFY(backends.errorString().contains(QStringLiteral("greeter-v2")));
    QCOMPARE(backends.v1Port(), quint16(0)); // v1 was started and taken down again
}

QTEST_GUILESS_MAIN(TestGreeterBackend)
#include "tst_greeterbackend.moc"
