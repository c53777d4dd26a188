#include "demo/arrivalschedule.h"
#include "demo/demobackends.h"
#include "demo/greeterbackend.h"
#include "demo/latencyreservoir.h"
#include "demo/requestmix.h"
#include "demo/trafficgenerator.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QtTest>

#include <cmath>

using namespace Demo;

namespace {

GreeterProfile withDelay(double baseMs)
{
    GreeterProfile p = GreeterProfile::v1();
    p.baseMs = baseMs;
    p.jitterMeanMs = 0;
    p.tailProbability = 0;
    return p;
}

GeneratorConfig configFor(quint16 port, double rate, double seconds)
{
    GeneratorConfig c;
    c.port = port;
    c.ratePerSecond = rate;
    c.durationSeconds = seconds;
    c.seed = 42;
    return c;
}

bool accountedFor(const GeneratorStats &s)
{
    return s.arrivals == s.sent + s.skipped &&
           s.sent == s.answered() + s.failed() + s.inFlight + s.abandoned;
}

QByteArray describe(const GeneratorStats &s)
{
    return QStringLiteral("arrivals %1 sent %2 skipped %3 2xx %4 5xx %5 failed %6 (connect %7 "
                          "timeout %8 reset %9) inFlight %10 abandoned %11")
        .arg(s.arrivals)
        .arg(s.sent)
        .arg(s.skipped)
        .arg(s.answered2xx)
        .arg(s.answered5xx)
        .arg(s.failed())
        .arg(s.failedConnect)
        .arg(s.failedTimeout)
        .arg(s.failedReset)
        .arg(s.inFlight)
        .arg(s.abandoned)
        .toUtf8();
}

} // namespace

class TestTrafficGenerator : public QObject
{
    Q_OBJECT
private slots:
    void arrivalsArePoisson();
    void arrivalsRepeatWithTheSameSeed();
    void mixPickHonoursWeights();
    void renderedRequestCarriesHostIdAndBody();
    void reservoirPercentiles();
    void rejectsInvalidConfig();
    void sendsAtTheConfiguredRateAndAccountsForEveryRequest();
    void mixIsHonouredOnTheWire();
    void closedPortCountsConnectFailuresAndFinishes();
    void slowTargetTimesOut();
    void saturatedPoolCountsSkipped();
    void stopCountsInFlightAsAbandoned();
    void countsServerErrorsByClass();
    void serverClosingMidRequestCountsResets();
};

void TestTrafficGenerator::arrivalsArePoisson()
{
    ArrivalSchedule schedule(200, 5);
    const int n = 20000;
    double sum = 0, sumSquares = 0;
    int belowMean = 0;
    double previous = 0;
    for (int i = 0; i < n; ++i) {
        const double at = schedule.nextUs();
        const double gap = at - previous;
        previous = at;
        QVERIFY(gap >= 0);
        sum += gap;
        sumSquares += gap * gap;
        belowMean += gap < 5000 ? 1 : 0;
    }
    const double mean = sum / n;
    const double cv = std::sqrt(sumSquares / n - mean * mean) / mean;
    QVERIFY2(std::abs(mean - 5000) < 150, qPrintable(QString::number(mean)));
    // Exponential gaps: standard deviation equals the mean, and P(gap < mean) = 1 - 1/e.
    QVERIFY2(cv > 0.95 && cv < 1.05, qPrintable(QString::number(cv)));
    QVERIFY(std::abs(belowMean / double(n) - (1 - std::exp(-1.0))) < 0.02);
}

void TestTrafficGenerator::arrivalsRepeatWithTheSameSeed()
{
    ArrivalSchedule a(100, 9), b(100, 9), c(100, 10);
    bool differs = false;
    for (int i = 0; i < 100; ++i) {
        const double x = a.nextUs();
        QCOMPARE(b.nextUs(), x);
        differs = differs || c.nextUs() != x;
    }
    QVERIFY(differs);
}

void TestTrafficGenerator::mixPickHonoursWeights()
{
    const RequestMix mix = RequestMix::defaultMix();
    QCOMPARE(mix.entries().size(), 3);
    QCOMPARE(mix.entries().at(2).method, QByteArray("POST"));
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    int counts[3] = {0, 0, 0};
    const int n = 100000;
    for (int i = 0; i < n; ++i)
        ++counts[mix.pick(unit(rng))];
    QVERIFY(std::abs(counts[0] / double(n) - 0.80) < 0.01);
    QVERIFY(std::abs(counts[1] / double(n) - 0.15) < 0.01);
    QVERIFY(std::abs(counts[2] / double(n) - 0.05) < 0.01);

    RequestMix custom;
    RequestTemplate never;
    never.weight = 0; // not a choice at all
    custom.add(never);
    QVERIFY(custom.isEmpty());
    QCOMPARE(custom.pick(0.5), -1);
    RequestTemplate only;
    only.path = "/health";
    custom.add(only);
    QCOMPARE(custom.pick(0.0), 0);
    QCOMPARE(custom.pick(0.999), 0);
}

void TestTrafficGenerator::renderedRequestCarriesHostIdAndBody()
{
    const RequestMix mix = RequestMix::defaultMix();
    const QByteArray get = renderRequest(mix.entries().at(1), "greeter-service", 17, "run-1");
    QVERIFY(get.startsWith("GET /users/17 HTTP/1.1\r\nHost: greeter-service\r\n"));
    QVERIFY(get.contains("\r\nx-request-id: run-1\r\n"));
    QVERIFY(get.endsWith("\r\n\r\n"));
    QVERIFY(!get.contains("Content-Length"));
    const QByteArray post = renderRequest(mix.entries().at(2), "h", 3, QByteArray());
    const QByteArray body = R"({"name":"user-3","plan":"demo"})";
    QVERIFY(post.contains("Content-Length: " + QByteArray::number(body.size()) + "\r\n"));
    QVERIFY(post.endsWith("\r\n\r\n" + body));
    QVERIFY(!post.contains("x-request-id"));
}

void TestTrafficGenerator::reservoirPercentiles()
{
    LatencyReservoir reservoir(1000);
    for (int i = 1; i <= 100; ++i)
        reservoir.add(i);
    LatencySummary s = reservoir.summary();
    QCOMPARE(s.count, 100);
    QCOMPARE(s.p50Us, 50);
    QCOMPARE(s.p90Us, 90);
    QCOMPARE(s.p99Us, 99);
    QCOMPARE(s.maxUs, 100);
    QCOMPARE(s.meanUs, 51); // 50.5 rounded

    LatencyReservoir bounded(500);
    for (int i = 0; i < 100000; ++i)
        bounded.add(i % 1000);
    s = bounded.summary();
    QCOMPARE(s.count, 100000);
    QCOMPARE(s.maxUs, 999);
    QVERIFY2(s.p50Us > 400 && s.p50Us < 600, qPrintable(QString::number(s.p50Us)));
}

void TestTrafficGenerator::rejectsInvalidConfig()
{
    TrafficGenerator generator;
    QVERIFY(!generator.start(configFor(0, 10, 1)));
    QVERIFY(!generator.start(configFor(8080, 0, 1)));
    GeneratorConfig empty = configFor(8080, 10, 1);
    empty.mix = RequestMix();
    QVERIFY(!generator.start(empty));
    QVERIFY(!generator.isRunning());

    QTcpServer sink;
    QVERIFY(sink.listen(QHostAddress::LocalHost, 0));
    QVERIFY(generator.start(configFor(sink.serverPort(), 10, 0)));
    QVERIFY(!generator.start(configFor(sink.serverPort(), 10, 0))); // already running
    generator.stop();
    QVERIFY(!generator.isRunning());
}

void TestTrafficGenerator::sendsAtTheConfiguredRateAndAccountsForEveryRequest()
{
    DemoBackends backends;
    QVERIFY(backends.start());
    TrafficGenerator generator;
    QSignalSpy finished(&generator, &TrafficGenerator::finished);
    QSignalSpy progress(&generator, &TrafficGenerator::progress);
    QVERIFY(generator.start(configFor(backends.v1Port(), 200, 1.0)));
    QVERIFY(finished.wait(10000));

    const GeneratorStats s = finished.first().first().value<GeneratorStats>();
    QVERIFY2(s.sent >= 120 && s.sent <= 280, describe(s));
    QVERIFY2(accountedFor(s), describe(s));
    QCOMPARE(s.inFlight, 0);
    QCOMPARE(s.failed(), 0);
    QCOMPARE(s.answered2xx + s.answered4xx, s.sent); // POST bodies are valid: no 4xx expected
    QCOMPARE(s.answered4xx, 0);
    QVERIFY(!s.running);
    QVERIFY(s.elapsedMs >= 900);
    QCOMPARE(s.latency.count, s.answered());
    QVERIFY(s.latency.p50Us > 0 && s.latency.p50Us <= s.latency.p99Us);
    QCOMPARE(backends.v1()->snapshot().requests, s.sent);
    QCOMPARE(backends.v1()->snapshot().perHost.value("greeter-service"), s.sent);
    // Keep-alive: far fewer connections than requests.
    QVERIFY(backends.v1()->snapshot().connectionsAccepted < s.sent / 2);
    // Progress at most every 100 ms, and it did report during the second.
    QVERIFY2(progress.count() >= 5 && progress.count() <= s.elapsedMs / 100 + 1,
             qPrintable(QString::number(progress.count())));
    QVERIFY(!generator.isRunning());
}

void TestTrafficGenerator::mixIsHonouredOnTheWire()
{
    DemoBackends backends;
    QVERIFY(backends.start());
    TrafficGenerator generator;
    QSignalSpy finished(&generator, &TrafficGenerator::finished);
    GeneratorConfig config = configFor(backends.v1Port(), 500, 1.0);
    QVERIFY(generator.start(config));
    QVERIFY(finished.wait(10000));
    const GeneratorStats s = finished.first().first().value<GeneratorStats>();
    // Skips (a starved machine) would not bias the mix: the pick happens before dispatch.
    QVERIFY2(s.sent > 250 && s.failed() == 0, describe(s));

    const BackendStats seen = backends.v1()->snapshot();
    qint64 hello = seen.perPath.value("/hello");
    qint64 users = 0;
    for (auto it = seen.perPath.cbegin(); it != seen.perPath.cend(); ++it) {
        if (it.key().startsWith("/users/"))
            users += it.value();
    }
    const qint64 posts = seen.perMethod.value("POST");
    QCOMPARE(hello, s.sentPerEntry.at(0));
    QCOMPARE(users, s.sentPerEntry.at(1));
    QCOMPARE(posts, s.sentPerEntry.at(2));
    QCOMPARE(seen.perStatus.value(201), posts); // every POST body was a valid user
    const double n = double(s.sent);
    QVERIFY2(std::abs(hello / n - 0.80) < 0.07, qPrintable(QString::number(hello / n)));
    QVERIFY2(std::abs(users / n - 0.15) < 0.06, qPrintable(QString::number(users / n)));
    QVERIFY2(posts / n > 0.01 && posts / n < 0.10, qPrintable(QString::number(posts / n)));
}

void TestTrafficGenerator::closedPortCountsConnectFailuresAndFinishes()
{
    quint16 port = 0;
    {
        QTcpServer probe; // a port that was free a moment ago and is closed now
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    TrafficGenerator generator;
    QSignalSpy finished(&generator, &TrafficGenerator::finished);
    QVERIFY(generator.start(configFor(port, 100, 0.5)));
    QVERIFY(finished.wait(10000));
    const GeneratorStats s = finished.first().first().value<GeneratorStats>();
    QVERIFY2(s.sent > 20, describe(s));
    QCOMPARE(s.failedConnect, s.sent);
    QCOMPARE(s.answered(), 0);
    QCOMPARE(s.latency.count, 0);
    QVERIFY2(accountedFor(s), describe(s));
}

void TestTrafficGenerator::slowTargetTimesOut()
{
    GreeterBackend slow(withDelay(3000));
    QVERIFY(slow.start());
    TrafficGenerator generator;
    QSignalSpy finished(&generator, &TrafficGenerator::finished);
    GeneratorConfig config = configFor(slow.port(), 50, 0.3);
    config.timeoutMs = 150;
    QVERIFY(generator.start(config));
    QVERIFY(finished.wait(5000)); // bounded by the timeout, not by the 3 s answers
    const GeneratorStats s = finished.first().first().value<GeneratorStats>();
    QVERIFY2(s.sent > 3, describe(s));
    QCOMPARE(s.failedTimeout, s.sent);
    QVERIFY2(accountedFor(s), describe(s));
}

void TestTrafficGenerator::saturatedPoolCountsSkipped()
{
    GreeterBackend slow(withDelay(400));
    QVERIFY(slow.start());
    TrafficGenerator generator;
    QSignalSpy finished(&generator, &TrafficGenerator::finished);
    GeneratorConfig config = configFor(slow.port(), 100, 0.5);
    config.maxConnections = 2;
    QVERIFY(generator.start(config));
    QVERIFY(finished.wait(10000));
    const GeneratorStats s = finished.first().first().value<GeneratorStats>();
    // Only two requests fit in flight at 400 ms each: the rest of ~50 arrivals are skipped.
    QVERIFY2(s.sent >= 2 && s.sent <= 4, describe(s));
    QVERIFY2(s.skipped > 20, describe(s));
    QCOMPARE(s.answered2xx, s.sent);
    QVERIFY2(accountedFor(s), describe(s));
    QCOMPARE(slow.snapshot().connectionsAccepted, 2);
}

void TestTrafficGenerator::stopCountsInFlightAsAbandoned()
{
    GreeterBackend slow(withDelay(250));
    QVERIFY(slow.start());
    TrafficGenerator generator;
    QSignalSpy finished(&generator, &TrafficGenerator::finished);
    QSignalSpy progress(&generator, &TrafficGenerator::progress);
    QVERIFY(generator.start(configFor(slow.port(), 100, 0))); // until stopped
    QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 4, 5000);
    QVERIFY(generator.isRunning());
    generator.stop();
    QCOMPARE(finished.count(), 1);
    QVERIFY(!generator.isRunning());
    const GeneratorStats s = finished.first().first().value<GeneratorStats>();
    QVERIFY2(s.abandoned > 0 && s.answered2xx > 0, describe(s));
    QCOMPARE(s.inFlight, 0);
    QVERIFY2(accountedFor(s), describe(s));
    generator.stop(); // no second finished()
    QCOMPARE(finished.count(), 1);
}

void TestTrafficGenerator::countsServerErrorsByClass()
{
    GreeterProfile failing = withDelay(0);
    failing.errorRate = 1.0;
    GreeterBackend backend(failing);
    QVERIFY(backend.start());
    TrafficGenerator generator;
    QSignalSpy finished(&generator, &TrafficGenerator::finished);
    QVERIFY(generator.start(configFor(backend.port(), 100, 0.3)));
    QVERIFY(finished.wait(10000));
    const GeneratorStats s = finished.first().first().value<GeneratorStats>();
    QVERIFY2(s.sent > 5, describe(s));
    QCOMPARE(s.answered5xx, s.sent); // an HTTP error is an answer, not a failure
    QCOMPARE(s.failed(), 0);
}

void TestTrafficGenerator::serverClosingMidRequestCountsResets()
{
    // A server that reads each request and hangs up without answering.
    QTcpServer rude;
    QVERIFY(rude.listen(QHostAddress::LocalHost, 0));
    connect(&rude, &QTcpServer::newConnection, &rude, [&rude] {
        while (QTcpSocket *socket = rude.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, socket, [socket] {
                socket->readAll();
                socket->abort();
                socket->deleteLater();
            });
        }
    });
    TrafficGenerator generator;
    QSignalSpy finished(&generator, &TrafficGenerator::finished);
    QVERIFY(generator.start(configFor(rude.serverPort(), 100, 0.3)));
    QVERIFY(finished.wait(10000));
    const GeneratorStats s = finished.first().first().value<GeneratorStats>();
    QVERIFY2(s.sent > 5, describe(s));
    QCOMPARE(s.failedReset, s.sent);
    QCOMPARE(s.retried, 0); // fresh connections: a reset there is the target's doing
    QVERIFY2(accountedFor(s), describe(s));
}

QTEST_GUILESS_MAIN(TestTrafficGenerator)
#include "tst_trafficgenerator.moc"
