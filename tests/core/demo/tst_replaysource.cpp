// Replay input: a HAR that HarWriter wrote reads back as the requests that were sent (mirror
// legs left out, pacing kept), a broken HAR names the entry and the field, recorded exchanges
// turn into the same requests, and the generator sends a replay once, in order, at its pacing.
#include "demo/greeterbackend.h"
#include "demo/replay.h"
#include "demo/trafficgenerator.h"
#include "observe/har.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Demo;

namespace {

Observe::Leg leg(const char *subset, int status)
{
    Observe::Leg l;
    l.destination = {QStringLiteral("greeter-service"), QString::fromLatin1(subset), 3000};
    l.endpoint = QStringLiteral("127.0.0.1:3001");
    l.status = status;
    l.totalUs = 2000;
    return l;
}

Observe::Exchange exchange(quint64 id, qint64 offsetMs, const QByteArray &method,
                           const QByteArray &path)
{
    Observe::Exchange e;
    e.id = id;
    e.requestId = "req-" + QByteArray::number(id);
    e.start = QDateTime(QDate(2025, 3, 1), QTime(12, 0, 0, 5), Qt::UTC).addMSecs(offsetMs);
    e.startUs = 1'000'000 + offsetMs * 1000;
    e.method = method;
    e.authority = "greeter-service";
    e.path = path;
    e.requestHeaders = {{"user-agent", "curl/7.88.1"}, {"x-request-id", e.requestId}};
    e.primary = leg("v1", 200);
    e.mirrors.append(leg("v2", 200));
    return e;
}

QList<Observe::Exchange> recording()
{
    QList<Observe::Exchange> list;
    list << exchange(1, 0, "GET", "/hello");
    Observe::Exchange post = exchange(2, 40, "POST", "/users?plan=pro&x=%20y");
    post.requestHeaders << qMakePair(QByteArray("content-type"), QByteArray("application/json"))
                        << qMakePair(QByteArray("x-tenant"), QByteArray("blue"));
    post.requestBodyPrefix = "{\"name\":\"J\xc3\xbcrgen\"}";
    post.requestBodySize = post.requestBodyPrefix.size();
    list << post;
    Observe::Exchange binary = exchange(3, 95, "PUT", "/blob/7");
    binary.requestHeaders << qMakePair(QByteArray("content-type"),
                                       QByteArray("application/octet-stream"));
    binary.requestBodyPrefix = QByteArray("\x00\xff\xfe\x01 binary", 11);
    binary.requestBodySize = binary.requestBodyPrefix.size();
    binary.mirrors.clear(); // no mirror leg: still one request
    list << binary;
    list << exchange(4, 250, "DELETE", "/users/3");
    return list;
}

QByteArray headerValue(const ReplayRequest &r, const char *name)
{
    for (const auto &h : r.request.headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    return QByteArray();
}

// A minimal HAR with one entry whose request is `request` (JSON text).
QByteArray harWith(const QByteArray &request, const QByteArray &started = "2025-03-01T12:00:00Z")
{
    return R"({"log":{"version":"1.2","entries":[)"
           R"({"startedDateTime":"2025-03-01T12:00:00Z","request":{"method":"GET","url":"/ok"}},)"
           R"({"startedDateTime":")" +
           started + R"(","request":)" + request + "}]}}";
}

} // namespace

class TestReplaySource : public QObject
{
    Q_OBJECT
private slots:
    void harRoundTripsWhatHarWriterWrote();
    void harFromABrowser();
    void badHarNamesEntryAndField_data();
    void badHarNamesEntryAndField();
    void unreadableFileNamesThePath();
    void exchangesBecomeRequests();
    void renderedRequestIsSendable();
    void generatorSendsReplayOnceInOrder();
    void generatorReplayAtAChosenRate();
};

void TestReplaySource::harRoundTripsWhatHarWriterWrote()
{
    const QList<Observe::Exchange> recorded = recording();
    Observe::ExportOptions unmasked;
    unmasked.mask = false;
    const QByteArray har = Observe::harDocument(recorded, unmasked);

    ReplaySource source;
    QString error;
    QVERIFY2(readHar(har, &source, &error), qPrintable(error));
    QCOMPARE(source.entries, 7);        // 4 primaries + 3 mirror legs
    QCOMPARE(source.skippedMirrors, 3); // copies: replaying them would send twice
    QCOMPARE(source.requests.size(), recorded.size());
    for (qsizetype i = 0; i < recorded.size(); ++i) {
        const ReplayRequest &r = source.requests.at(i);
        const Observe::Exchange &e = recorded.at(i);
        QCOMPARE(r.request.method, e.method);
        QCOMPARE(r.request.path, e.path);
        QCOMPARE(r.host, e.authority);
        QCOMPARE(r.request.body, e.requestBodyPrefix); // the binary one came back from base64
        QCOMPARE(r.offsetUs, (e.startUs - recorded.first().startUs));
        QCOMPARE(headerValue(r, "user-agent"), QByteArray("curl/7.88.1"));
        QVERIFY(headerValue(r, "x-request-id").isEmpty()); // each replay gets a fresh id
        QVERIFY(headerValue(r, "host").isEmpty());         // written from r.host
    }
    QCOMPARE(headerValue(source.requests.at(1), "x-tenant"), QByteArray("blue"));
    QCOMPARE(headerValue(source.requests.at(1), "content-type"), QByteArray("application/json"));
}

void TestReplaySource::harFromABrowser()
{
    // Chrome's export: HTTP/2 pseudo-headers, an absolute https URL with a fragment, form text
    // whose type is only in postData, entries out of order.
    const QByteArray har = R"({"log":{"version":"1.2","creator":{"name":"WebInspector"},
      "entries":[
        {"startedDateTime":"2025-03-01T12:00:01.500+01:00","request":{"method":"POST",
         "url":"https://shop.example:8443/cart?add=1#top","httpVersion":"http/2.0",
         "headers":[{"name":":method","value":"POST"},{"name":":authority","value":"shop.example:8443"},
                    {"name":"accept","value":"*/*"},{"name":"content-length","value":"3"}],
         "postData":{"mimeType":"application/x-www-form-urlencoded","text":"a=1"}}},
        {"startedDateTime":"2025-03-01T11:00:01.000Z","request":{"method":"GET",
         "url":"http://shop.example","headers":[]}}]}})";
    ReplaySource source;
    QString error;
    QVERIFY2(readHar(har, &source, &error), qPrintable(error));
    QCOMPARE(source.requests.size(), 2);
    // 12:00:01.500+01:00 is 11:00:01.500Z: 500 ms after the GET, which comes first.
    QCOMPARE(source.requests.at(0).request.method, QByteArray("GET"));
    QCOMPARE(source.requests.at(0).request.path, QByteArray("/"));
    QCOMPARE(source.requests.at(0).host, QByteArray("shop.example"));
    const ReplayRequest &post = source.requests.at(1);
    QCOMPARE(post.offsetUs, qint64(500'000));
    QCOMPARE(post.request.path, QByteArray("/cart?add=1"));
    QCOMPARE(post.host, QByteArray("shop.example:8443"));
    QCOMPARE(post.request.body, QByteArray("a=1"));
    QCOMPARE(headerValue(post, "content-type"), QByteArray("application/x-www-form-urlencoded"));
    QCOMPARE(headerValue(post, "accept"), QByteArray("*/*"));
    QVERIFY(headerValue(post, ":method").isEmpty());
    QVERIFY(headerValue(post, "content-length").isEmpty()); // recomputed when sent
}

void TestReplaySource::badHarNamesEntryAndField_data()
{
    QTest::addColumn<QByteArray>("har");
    QTest::addColumn<QString>("expected");
    QTest::newRow("not json") << QByteArray("{\"log\": [") << "not JSON:";
    QTest::newRow("empty file") << QByteArray() << "not JSON:";
    QTest::newRow("no log") << QByteArray("{\"entries\":[]}") << "log: missing";
    QTest::newRow("entries not array")
        << QByteArray("{\"log\":{\"entries\":{}}}") << "log.entries: missing or not an array";
    QTest::newRow("entry not object")
        << QByteArray(R"({"log":{"entries":[{"startedDateTime":"2025-03-01T12:00:00Z",)"
                      R"("request":{"method":"GET","url":"/"}}, 7]}})")
        << "entry 1: not an object";
    QTest::newRow("no request") << harWith("null") << "entry 1: request: missing";
    QTest::newRow("no method") << harWith(R"({"url":"/x"})")
                               << "entry 1: request.method: missing or not a string";
    QTest::newRow("method with space") << harWith(R"({"method":"GE T","url":"/x"})")
                                       << "entry 1: request.method: \"GE T\" is not an HTTP method";
    QTest::newRow("no url") << harWith(R"({"method":"GET"})")
                            << "entry 1: request.url: missing or not a string";
    QTest::newRow("ftp url") << harWith(R"({"method":"GET","url":"ftp://x/y"})")
                             << "entry 1: request.url: \"ftp://x/y\" is neither";
    QTest::newRow("space in path") << harWith(R"({"method":"GET","url":"/a b"})")
                                   << "entry 1: request.url: \"/a b\" has a space";
    QTest::newRow("headers not array") << harWith(R"({"method":"GET","url":"/","headers":{}})")
                                       << "entry 1: request.headers: not an array";
    QTest::newRow("header value number")
        << harWith(R"({"method":"GET","url":"/","headers":[{"name":"a","value":"b"},)"
                   R"({"name":"x","value":5}]})")
        << "entry 1: request.headers[1].value: missing or not a string";
    QTest::newRow("header injection")
        << harWith(R"({"method":"GET","url":"/","headers":[{"name":"x","value":"a\r\nEvil: 1"}]})")
        << "entry 1: request.headers[0].value: contains a line break";
    QTest::newRow("bad base64")
        << harWith(R"({"method":"POST","url":"/","postData":{"mimeType":"a/b","text":"@@@",)"
                   R"("_encoding":"base64"}})")
        << "entry 1: request.postData.text: not valid base64";
    QTest::newRow("bad date") << harWith(R"({"method":"GET","url":"/"})", "yesterday")
                              << "entry 1: startedDateTime: \"yesterday\" is not an ISO 8601";
}

void TestReplaySource::badHarNamesEntryAndField()
{
    QFETCH(QByteArray, har);
    QFETCH(QString, expected);
    ReplaySource source;
    source.requests.append(ReplayRequest()); // must be emptied on failure
    QString error;
    QVERIFY(!readHar(har, &source, &error));
    QVERIFY2(error.startsWith(expected), qPrintable(error));
    QVERIFY(source.requests.isEmpty());
}

void TestReplaySource::unreadableFileNamesThePath()
{
    QTemporaryDir dir;
    const QString missing = dir.filePath(QStringLiteral("missing.har"));
    ReplaySource source;
    QString error;
    QVERIFY(!readHarFile(missing, &source, &error));
    QVERIFY2(error.startsWith(missing + QStringLiteral(": ")), qPrintable(error));

    const QString broken = dir.filePath(QStringLiteral("broken.har"));
    QFile f(broken);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(harWith(R"({"method":"GET"})"));
    f.close();
    QVERIFY(!readHarFile(broken, &source, &error));
    QCOMPARE(error, broken + QStringLiteral(": entry 1: request.url: missing or not a string"));
}

void TestReplaySource::exchangesBecomeRequests()
{
    QList<Observe::Exchange> recorded = recording();
    Observe::Exchange refused = exchange(9, 10, "", ""); // a 400 before anything was parsed
    recorded.insert(1, refused);
    recorded[2].requestBodySize = 4096; // only a prefix was kept
    const ReplaySource source = replayFromExchanges(recorded);
    QCOMPARE(source.entries, 5);
    QCOMPARE(source.skippedUnsent, 1);
    QCOMPARE(source.truncatedBodies, 1);
    QCOMPARE(source.requests.size(), 4);
    QCOMPARE(source.requests.at(1).request.path, QByteArray("/users?plan=pro&x=%20y"));
    QCOMPARE(source.requests.at(1).offsetUs, qint64(40'000));
    QCOMPARE(source.requests.at(3).request.method, QByteArray("DELETE"));
    QCOMPARE(source.requests.at(3).offsetUs, qint64(250'000));
    QVERIFY(headerValue(source.requests.at(0), "x-request-id").isEmpty());
}

void TestReplaySource::renderedRequestIsSendable()
{
    ReplayRequest r;
    r.request.method = "POST";
    r.request.path = "/users/{id}"; // sent as recorded, never templated
    r.request.headers = {{"User-Agent", "curl/8"}, {"Content-Type", "text/plain"}};
    r.request.body = "hi";
    QCOMPARE(renderReplay(r, "greeter-service", "run-1"),
             QByteArray("POST /users/{id} HTTP/1.1\r\nHost: greeter-service\r\n"
                        "User-Agent: curl/8\r\nContent-Type: text/plain\r\n"
                        "x-request-id: run-1\r\nContent-Length: 2\r\n\r\nhi"));
    r.host = "other:81";
    r.request.headers.clear();
    r.request.method = "GET";
    r.request.body.clear();
    QCOMPARE(renderReplay(r, "greeter-service", QByteArray()),
             QByteArray("GET /users/{id} HTTP/1.1\r\nHost: other:81\r\n"
                        "User-Agent: mirrorscope-replay\r\n\r\n"));
}

void TestReplaySource::generatorSendsReplayOnceInOrder()
{
    GreeterBackend backend;
    backend.setRecentLimit(100);
    QVERIFY(backend.start());
    ReplaySource source;
    QString error;
    QVERIFY2(readHar(Observe::harDocument(recording()), &source, &error), qPrintable(error));

    GeneratorConfig c;
    c.port = backend.port();
    c.replay = source.requests;
    c.replayOriginalPacing = true;
    c.maxConnections = 1; // one connection: the backend sees them in the order sent
    TrafficGenerator generator;
    QSignalSpy finished(&generator, &TrafficGenerator::finished);
    QVERIFY(generator.start(c));
    QVERIFY(finished.wait(15000));
    const auto stats = finished.first().first().value<GeneratorStats>();
    QCOMPARE(stats.planned, 4);
    QCOMPARE(stats.sent, 4);
    QCOMPARE(stats.answered() + stats.failed(), 4);
    QCOMPARE(stats.failed(), 0);
    // The recording spans 250 ms: original pacing cannot finish sooner.
    QVERIFY2(stats.elapsedMs >= 250, qPrintable(QString::number(stats.elapsedMs)));

    const BackendStats seen = backend.snapshot();
    QCOMPARE(seen.requests, 4);
    QList<QByteArray> paths;
    for (const RequestHead &h : seen.recent)
        paths << h.method + ' ' + h.path;
    QCOMPARE(paths, (QList<QByteArray>{"GET /hello", "POST /users?plan=pro&x=%20y", "PUT /blob/7",
                                       "DELETE /users/3"}));
    backend.stop();
}

void TestReplaySource::generatorReplayAtAChosenRate()
{
    GreeterBackend backend;
    QVERIFY(backend.start());
    QList<ReplayRequest> many;
    for (int i = 0; i < 40; ++i) {
        ReplayRequest r;
        r.request.path = "/hello";
        r.offsetUs = qint64(i) * 3'600'000'000; // an hour apart: original pacing would take days
        many << r;
    }
    GeneratorConfig c;
    c.port = backend.port();
    c.replay = many;
    c.replayOriginalPacing = false;
    c.ratePerSecond = 400;
    TrafficGenerator generator;
    QSignalSpy finished(&generator, &TrafficGenerator::finished);
    QVERIFY(generator.start(c));
    QVERIFY(finished.wait(15000));
    const auto stats = finished.first().first().value<GeneratorStats>();
    QCOMPARE(stats.sent + stats.skipped, 40);
    QCOMPARE(stats.answered(), stats.sent);
    QCOMPARE(backend.snapshot().requests, stats.sent);

    // A rate of 0 without original pacing is refused with a reason, not started.
    c.ratePerSecond = 0;
    QCOMPARE(TrafficGenerator::checkConfig(c), QStringLiteral("the rate must be above 0"));
    QVERIFY(!generator.start(c));
    backend.stop();
}

QTEST_GUILESS_MAIN(TestReplaySource)
#include "tst_replaysource.moc"
