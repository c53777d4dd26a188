// Replay through the running loop: a HAR file's requests go through the Runtime's proxy to the
// greeter backends (v1 answers, v2 gets the mirror) once each, with their methods, paths and
// headers; then the recorded exchanges of that run are replayed again at a chosen rate.
#include "demo/greeterbackend.h"
#include "demo/replay.h"
#include "model/resource.h"
#include "observe/har.h"
#include "session/runtime.h"
#include "yaml/document.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {

Observe::Exchange recorded(quint64 id, qint64 offsetMs, const QByteArray &method,
                           const QByteArray &path)
{
    Observe::Exchange e;
    e.id = id;
    e.requestId = "orig-" + QByteArray::number(id);
    e.start = QDateTime(QDate(2025, 3, 1), QTime(9, 30), Qt::UTC).addMSecs(offsetMs);
    e.method = method;
    e.authority = "greeter-service";
    e.path = path;
    e.requestHeaders = {{"user-agent", "recorded/1.0"}, {"x-tenant", "blue"}};
    e.primary.status = 200;
    e.primary.destination = {QStringLiteral("greeter-service"), QStringLiteral("v1"), 0};
    Observe::Leg mirror = e.primary;
    mirror.destination.subset = QStringLiteral("v2");
    e.mirrors << mirror;
    return e;
}

QHash<QByteArray, qint64> pathsSeen(const Demo::GreeterBackend &backend)
{
    QHash<QByteArray, qint64> out;
    for (const Demo::RequestHead &h : backend.snapshot().recent)
        out[h.method + ' ' + h.path] += 1;
    return out;
}

} // namespace

class TestReplay : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { Q_INIT_RESOURCE(core); }
    void harReplayReachesTheBackendsThenTheRecordingReplays();
    void badHarDoesNotStartAnything();
};

void TestReplay::harReplayReachesTheBackendsThenTheRecordingReplays()
{
    const Yaml::ParseResult parsed =
        Yaml::parseFile(QStringLiteral(":/examples/greeter-mirror.yaml"));
    QVERIFY(!Base::hasErrors(parsed.diagnostics));
    const Model::Config config = Model::Config::fromDocuments(parsed.documents);

    // The greeters, bound by hand so the test can ask each what it received.
    Demo::GreeterBackend v1(Demo::GreeterProfile::v1());
    Demo::GreeterBackend v2(Demo::GreeterProfile::v2());
    v1.setRecentLimit(200);
    v2.setRecentLimit(200);
    QVERIFY(v1.start());
    QVERIFY(v2.start());
    Proxy::Bindings bindings;
    bindings.add({QStringLiteral("greeter-service"), QStringLiteral("v1"), 0},
                 Proxy::Endpoint::make(QStringLiteral("127.0.0.1"), v1.port()));
    bindings.add({QStringLiteral("greeter-service"), QStringLiteral("v2"), 0},
                 Proxy::Endpoint::make(QStringLiteral("127.0.0.1"), v2.port()));

    Session::Runtime runtime;
    Session::Runtime::Options options;
    options.defaultHost = QStringLiteral("greeter-service");
    QVERIFY2(runtime.start(config, bindings, options), qPrintable(runtime.errorString()));
    QVERIFY(runtime.unboundTargets().isEmpty());
    QList<Observe::Exchange> exchanges;
    connect(&runtime, &Session::Runtime::exchanges, this,
            [&](const QList<Observe::Exchange> &batch) { exchanges += batch; });

    // A HAR as `mirrorscope --har` writes it: each request with its mirror leg.
    QList<Observe::Exchange> recording{
        recorded(1, 0, "GET", "/hello"), recorded(2, 20, "GET", "/users/42"),
        recorded(3, 35, "GET", "/hello?lang=de"), recorded(4, 60, "DELETE", "/users/42"),
        recorded(5, 80, "GET", "/hello")};
    recording[3].requestHeaders << qMakePair(QByteArray("x-trace"), QByteArray("d-4"));
    QTemporaryDir dir;
    const QString harPath = dir.filePath(QStringLiteral("run.har"));
    QString error;
    QVERIFY2(Observe::writeHar(harPath, recording, {}, &error), qPrintable(error));

    Demo::ReplaySource source;
    QVERIFY2(Demo::readHarFile(harPath, &source, &error), qPrintable(error));
    QCOMPARE(source.requests.size(), 5);
    QCOMPARE(source.skippedMirrors, 5);

    Demo::GeneratorConfig g;
    g.host = "greeter-service";
    g.replay = source.requests;
    g.replayOriginalPacing = true;
    QSignalSpy finished(&runtime, &Session::Runtime::trafficFinished);
    QVERIFY(runtime.startTraffic(g));
    QVERIFY(finished.wait(20000));
    auto stats = finished.takeFirst().first().value<Demo::GeneratorStats>();
    QCOMPARE(stats.planned, 5);
    QCOMPARE(stats.sent, 5);
    QCOMPARE(stats.answered(), 5);

    const QHash<QByteArray, qint64> expected{{"GET /hello", 2},
                                             {"GET /users/42", 1},
                                             {"GET /hello?lang=de", 1},
                                             {"DELETE /users/42", 1}};
    QCOMPARE(pathsSeen(v1), expected);
    // The proxy mirrored each to v2 (fire and forget: it may arrive a little later).
    QTRY_COMPARE_WITH_TIMEOUT(pathsSeen(v2), expected, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(exchanges.size(), 5, 10000);
    for (const Observe::Exchange &e : std::as_const(exchanges)) {
        QVERIFY(!e.requestId.startsWith("orig-")); // a fresh id, not the recording's
        bool tenant = false;
        for (const auto &h : e.requestHeaders)
            tenant = tenant || (h.first == "x-tenant" && h.second == "blue");
        QVERIFY2(tenant, e.path.constData()); // recorded headers go out again
    }

    // Replay of the recorded exchanges (the log), at a chosen rate.
    const Demo::ReplaySource again = Demo::replayFromExchanges(exchanges);
    QCOMPARE(again.requests.size(), 5);
    g.replay = again.requests;
    g.replayOriginalPacing = false;
    g.ratePerSecond = 200;
    QVERIFY(runtime.startTraffic(g));
    QVERIFY(finished.wait(20000));
    stats = finished.takeFirst().first().value<Demo::GeneratorStats>();
    QCOMPARE(stats.sent, 5);
    QCOMPARE(stats.answered(), 5);
    QHash<QByteArray, qint64> twice = expected;
    for (auto it = twice.begin(); it != twice.end(); ++it)
        it.value() *= 2;
    QCOMPARE(pathsSeen(v1), twice);
    QTRY_COMPARE_WITH_TIMEOUT(exchanges.size(), 10, 10000);
    runtime.stop();
    v1.stop();
    v2.stop();
}

void TestReplay::badHarDoesNotStartAnything()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bad.har"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"log":{"entries":[{"startedDateTime":"2025-03-01T09:30:00Z",)"
            R"("request":{"method":"GET","url":"gopher://x"}}]}})");
    f.close();
    Demo::ReplaySource source;
    QString error;
    QVERIFY(!Demo::readHarFile(path, &source, &error));
    QVERIFY2(error.contains(QStringLiteral("entry 0: request.url")), qPrintable(error));

    // Without a running proxy there is nothing to replay against: refused, no crash.
    Session::Runtime runtime;
    Demo::GeneratorConfig g;
    g.replay = source.requests;
    QVERIFY(!runtime.startTraffic(g)); // no proxy: port 0
}

QTEST_GUILESS_MAIN(TestReplay)
#include "tst_replay.moc"
