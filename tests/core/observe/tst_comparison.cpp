#include "observe/comparison.h"
#include "observe/endpoint.h"

#include <QtTest>

using namespace Observe;
using Headers = QList<QPair<QByteArray, QByteArray>>;
using Where = LearnedNoise::Where;

namespace {

quint64 fnv(const QByteArray &bytes)
{
    quint64 h = 14695981039346656037ull;
    for (const char c : bytes) {
        h ^= quint8(c);
        h *= 1099511628211ull;
    }
    return h;
}

Leg makeLeg(int status, const QByteArray &body, Headers headers = {})
{
    Leg l;
    l.outcome = Leg::Outcome::Completed;
    l.status = status;
    if (headers.isEmpty())
        headers = {{"Content-Type", "application/json"}};
    l.responseHeaders = headers;
    l.bodyPrefix = body;
    l.bodySize = body.size();
    l.bodyHash = fnv(body);
    l.totalUs = 1000;
    return l;
}

struct Spec
{
    QByteArray method = "GET";
    QByteArray path = "/users/42";
    QByteArray requestBody;
    int primaryStatus = 200;
    QByteArray primaryBody = R"({"name":"ann"})";
    Headers primaryHeaders;
    int mirrorStatus = 200;
    QByteArray mirrorBody = R"({"name":"ann"})";
    Headers mirrorHeaders;
};

Exchange makeExchange(const Spec &s)
{
    static quint64 id = 0;
    Exchange e;
    e.id = ++id;
    e.method = s.method;
    e.authority = "users.local";
    e.path = s.path;
    e.requestBodyPrefix = s.requestBody;
    e.requestBodySize = s.requestBody.size();
    e.primary = makeLeg(s.primaryStatus, s.primaryBody, s.primaryHeaders);
    e.mirrors.append(makeLeg(s.mirrorStatus, s.mirrorBody, s.mirrorHeaders));
    e.mirrors[0].totalUs = 1500;
    return e;
}

Comparison compareOne(Comparator &c, const Spec &s)
{
    const QList<Comparison> out = c.compare(makeExchange(s));
    Q_ASSERT(out.size() == 1);
    return out.first();
}

QStringList paths(const QList<FieldDiff> &diffs)
{
    QStringList out;
    for (const FieldDiff &d : diffs)
        out.append(d.path + (d.noisy ? QStringLiteral(" (noisy)") : QString()));
    return out;
}

} // namespace

class TestComparison : public QObject
{
    Q_OBJECT

private slots:
    void equalResponses()
    {
        Comparator c;
        const Comparison r = compareOne(c, {});
        QVERIFY(r.comparable);
        QVERIFY(r.statusEqual);
        QVERIFY(r.headersEqual());
        QVERIFY(r.body.equal);
        QCOMPARE(r.body.mode, BodyDiff::Mode::Json);
        QCOMPARE(r.latencyDeltaUs, 500);
        QVERIFY(!r.mismatch());
    }

    void mismatchLogic()
    {
        Comparator c;
        c.setLearningEnabled(false);
        Spec s;
        s.mirrorStatus = 503;
        Comparison r = compareOne(c, s);
        QVERIFY(!r.statusEqual);
        QVERIFY(r.mismatch());

        s = {};
        s.mirrorBody = R"({"name":"bob"})";
        r = compareOne(c, s);
        QVERIFY(r.statusEqual);
        QVERIFY(!r.body.equal);
        QVERIFY(r.mismatch());
        QCOMPARE(paths(r.body.fields), QStringList{"$.name"});

        s = {};
        s.mirrorHeaders = {{"Content-Type", "text/plain"}};
        r = compareOne(c, s);
        QVERIFY(!r.headersEqual());
        QVERIFY(r.mismatch());

        // A mirror that never answered is not comparable and not a mismatch.
        Exchange e = makeExchange({});
        e.mirrors[0].outcome = Leg::Outcome::Failed;
        e.mirrors[0].status = 0;
        e.mirrors[0].error = QStringLiteral("timeout");
        const QList<Comparison> failed = c.compare(e);
        QCOMPARE(failed.size(), 1);
        QVERIFY(!failed[0].comparable);
        QVERIFY(!failed[0].mismatch());

        // One Comparison per mirror, each with its index.
        e = makeExchange({});
        e.mirrors.append(makeLeg(200, R"({"name":"x"})"));
        const QList<Comparison> two = c.compare(e);
        QCOMPARE(two.size(), 2);
        QCOMPARE(two[1].mirrorIndex, 1);
        QVERIFY(!two[0].mismatch());
        QVERIFY(two[1].mismatch());
    }

    void headerDefaultsAndCase()
    {
        Comparator c;
        c.setLearningEnabled(false); // the same request answered with other headers below
        Spec s;
        s.primaryHeaders = {{"Content-Type", "application/json"},
                            {"Date", "Mon, 01 Jan 2024 00:00:00 GMT"},
                            {"Server", "v1"},
                            {"X-Request-Id", "a"},
                            {"Content-Length", "14"},
                            {"Connection", "keep-alive"},
                            {"Keep-Alive", "timeout=5"},
                            {"x-envoy-upstream-service-time", "3"},
                            {"Vary", "Accept"},
                            {"Vary", "Origin"}};
        s.mirrorHeaders = {{"content-type", "application/json"},
                           {"date", "Tue, 02 Jan 2024 00:00:00 GMT"},
                           {"server", "v2"},
                           {"Transfer-Encoding", "chunked"},
                           {"VARY", "Accept, Origin"}};
        Comparison r = compareOne(c, s);
        QVERIFY2(r.headersEqual(), qPrintable(paths(r.headerDiffs).join(u',')));
        QVERIFY(!r.mismatch());

        s.mirrorHeaders += Headers{{"Set-Cookie", "a=1"}};
        s.mirrorHeaders += Headers{{"Cache-Control", "no-store"}};
        s.primaryHeaders += Headers{{"cache-control", "max-age=60"}};
        s.primaryHeaders += Headers{{"ETag", "\"1\""}};
        r = compareOne(c, s);
        QCOMPARE(r.headerDiffs.size(), 3);
        QCOMPARE(r.headerDiffs[0].path, QStringLiteral("cache-control"));
        QCOMPARE(r.headerDiffs[0].kind, FieldDiff::Kind::Changed);
        QCOMPARE(r.headerDiffs[0].primaryValue, QStringLiteral("max-age=60"));
        QCOMPARE(r.headerDiffs[0].mirrorValue, QStringLiteral("no-store"));
        QCOMPARE(r.headerDiffs[1].path, QStringLiteral("etag"));
        QCOMPARE(r.headerDiffs[1].kind, FieldDiff::Kind::Removed);
        QCOMPARE(r.headerDiffs[2].path, QStringLiteral("set-cookie"));
        QCOMPARE(r.headerDiffs[2].kind, FieldDiff::Kind::Added);
        QVERIFY(r.mismatch());

        // Multi-value: the order of values is part of the value.
        s = {};
        s.primaryHeaders = {{"Content-Type", "application/json"}, {"Vary", "A"}, {"Vary", "B"}};
        s.mirrorHeaders = {{"Content-Type", "application/json"}, {"Vary", "B"}, {"Vary", "A"}};
        r = compareOne(c, s);
        QCOMPARE(paths(r.headerDiffs), QStringList{"vary"});
        QCOMPARE(r.headerDiffs[0].primaryValue, QStringLiteral("A, B"));
    }

    void rulesPerEndpoint()
    {
        Comparator c;
        c.setLearningEnabled(false);
        NoiseRules rules;
        QVERIFY(rules.addJsonPath(QStringLiteral("$.version"), QStringLiteral("GET /users/{id}")));
        QVERIFY(rules.addHeader(QStringLiteral("etag"), QStringLiteral("GET /users/{id}")));
        QVERIFY(rules.addJsonPath(QStringLiteral("$.items[*].seen")));
        c.setNoiseRules(rules);
        QCOMPARE(c.noiseRules().rules().size(), 3);

        Spec s;
        s.primaryBody = R"({"version": 1, "items": [{"seen": 1, "id": 1}]})";
        s.mirrorBody = R"({"version": 2, "items": [{"seen": 2, "id": 1}]})";
        s.primaryHeaders = {{"Content-Type", "application/json"}, {"ETag", "1"}};
        s.mirrorHeaders = {{"Content-Type", "application/json"}, {"ETag", "2"}};
        Comparison r = compareOne(c, s);
        QVERIFY2(!r.mismatch(), qPrintable(paths(r.body.fields).join(u',')));
        QCOMPARE(r.body.ignored, (QStringList{"$.version", "$.items[0].seen"}));
        QVERIFY(r.headerDiffs.isEmpty());

        // Another endpoint: only the global rule applies.
        s.path = "/orders/7?x=1";
        r = compareOne(c, s);
        QVERIFY(r.mismatch());
        QCOMPARE(paths(r.body.fields), QStringList{"$.version"});
        QCOMPARE(paths(r.headerDiffs), QStringList{"etag"});
        QCOMPARE(r.body.ignored, QStringList{"$.items[0].seen"});
    }

    // A request repeated often is diffed against its previous answer for the first repeats,
    // then one repeat in sampleEvery: noise that shows on every answer is still learned, and
    // the count says how many repeats were diffed.
    void learningSamplesOftenRepeatedRequests()
    {
        Comparator c;
        Comparator::LearningLimits limits;
        limits.fullRepeats = 4;
        limits.sampleEvery = 3;
        c.setLearningLimits(limits);
        Spec s;
        s.path = "/health";
        for (int i = 0; i <= 13; ++i) { // the first answer, then 13 repeats
            s.primaryBody = QByteArray(R"({"at": )") + QByteArray::number(i) + "}";
            s.mirrorBody = s.primaryBody;
            compareOne(c, s);
        }
        QList<LearnedNoise> learned = c.learnedNoise();
        QCOMPARE(learned.size(), 1);
        QCOMPARE(learned[0].path, QStringLiteral("$.at"));
        // Repeats 1-4 all, then 6, 9 and 12.
        QCOMPARE(learned[0].observations, 7u);

        // A field that changes only on a repeat that is not sampled goes unnoticed there ...
        s.primaryBody = R"({"at": 13, "once": true})"; // repeat 14: not sampled
        compareOne(c, s);
        QCOMPARE(c.learnedNoise().size(), 1);
        // ... and is learned when it keeps changing.
        s.primaryBody = R"({"at": 13, "once": false})"; // repeat 15: sampled
        compareOne(c, s);
        learned = c.learnedNoise();
        QCOMPARE(learned.size(), 2);
    }

    void learningFromPrimaries()
    {
        Comparator c;
        Spec s;
        s.path = "/time?tz=utc";
        s.primaryBody = R"({"timestamp": 1000, "name": "ann"})";
        s.mirrorBody = R"({"timestamp": 1001, "name": "ann"})";
        // First answer: nothing known yet, the timestamp difference counts.
        Comparison r = compareOne(c, s);
        QVERIFY(r.mismatch());
        QVERIFY(c.learnedNoise().isEmpty());
        QCOMPARE(c.rememberedRequests(), 1);

        // v1 answers the same request differently: $.timestamp is noise.
        s.primaryBody = R"({"timestamp": 2000, "name": "ann"})";
        s.mirrorBody = R"({"timestamp": 2002, "name": "ann"})";
        r = compareOne(c, s);
        QVERIFY(!r.mismatch());
        QCOMPARE(paths(r.body.fields), QStringList{"$.timestamp (noisy)"});
        QVERIFY(r.body.equal);

        QList<LearnedNoise> learned = c.learnedNoise();
        QCOMPARE(learned.size(), 1);
        QCOMPARE(learned[0].where, Where::Body);
        QCOMPARE(learned[0].endpoint, QStringLiteral("GET /time"));
        QCOMPARE(learned[0].path, QStringLiteral("$.timestamp"));
        QCOMPARE(learned[0].observations, 1u);
        QCOMPARE(learned[0].flagged, 1u);
        QVERIFY(!learned[0].rejected);

        // A real difference next to the noise still counts.
        s.primaryBody = R"({"timestamp": 3000, "name": "ann"})";
        s.mirrorBody = R"({"timestamp": 3003, "name": "bob"})";
        r = compareOne(c, s);
        QVERIFY(r.mismatch());
        QCOMPARE(paths(r.body.fields), (QStringList{"$.timestamp (noisy)", "$.name"}));
        learned = c.learnedNoise();
        QCOMPARE(learned[0].observations, 2u);
        QCOMPARE(learned[0].flagged, 2u);

        // Per endpoint: the same field elsewhere is not noise.
        Spec other = s;
        other.path = "/clock";
        other.mirrorBody = R"({"timestamp": 3004, "name": "ann"})";
        QVERIFY(compareOne(c, other).mismatch());
    }

    void learningNeedsTheSameRequestAndStatus()
    {
        Comparator c;
        Spec s;
        s.method = "POST";
        s.path = "/search";
        s.requestBody = R"({"q":"a"})";
        s.primaryBody = R"({"hits": 1})";
        compareOne(c, s);
        s.requestBody = R"({"q":"b"})"; // another request: different answers are expected
        s.primaryBody = R"({"hits": 2})";
        compareOne(c, s);
        QVERIFY(c.learnedNoise().isEmpty());

        s.primaryStatus = 500; // same request, other status: an error, not noise
        s.primaryBody = R"({"hits": 3})";
        compareOne(c, s);
        QVERIFY(c.learnedNoise().isEmpty());

        s.primaryStatus = 500;
        s.primaryBody = R"({"hits": 4})";
        compareOne(c, s);
        QCOMPARE(c.learnedNoise().size(), 1);

        Comparator off;
        off.setLearningEnabled(false);
        s.primaryBody = R"({"hits": 5})";
        compareOne(off, s);
        s.primaryBody = R"({"hits": 6})";
        compareOne(off, s);
        QVERIFY(off.learnedNoise().isEmpty());
        QCOMPARE(off.rememberedRequests(), 0);
    }

    void learnedHeadersAndArrayIndices()
    {
        Comparator c;
        Spec s;
        s.primaryHeaders = {{"Content-Type", "application/json"}, {"ETag", "\"a\""}};
        s.primaryBody = R"({"items": [{"ts": 1}, {"ts": 1}]})";
        compareOne(c, s);
        s.primaryHeaders = {{"Content-Type", "application/json"}, {"ETag", "\"b\""}};
        s.primaryBody = R"({"items": [{"ts": 2}, {"ts": 1}]})";
        compareOne(c, s);
        const QList<LearnedNoise> learned = c.learnedNoise();
        QCOMPARE(learned.size(), 2);
        QStringList keys;
        for (const LearnedNoise &n : learned)
            keys.append((n.where == Where::Header ? "header " : "body ") + n.path);
        keys.sort();
        QCOMPARE(keys, (QStringList{"body $.items[*].ts", "header etag"}));

        // Learned at items[0], flagged at items[1] too; the ETag difference is noise.
        s.mirrorHeaders = {{"Content-Type", "application/json"}, {"ETag", "\"c\""}};
        s.mirrorBody = R"({"items": [{"ts": 2}, {"ts": 9}]})";
        const Comparison r = compareOne(c, s);
        QCOMPARE(paths(r.headerDiffs), QStringList{"etag (noisy)"});
        QVERIFY(r.headersEqual());
        QCOMPARE(paths(r.body.fields), QStringList{"$.items[1].ts (noisy)"});
        QVERIFY(!r.mismatch());
    }

    void primaryHeadersServeLearningAndEveryMirror()
    {
        // The primary's headers are prepared once per exchange: learning from the previous
        // answer and three mirrors must each see them whole, in any order, case and padding.
        Comparator c;
        const Headers first = {{"Content-Type", "application/json"},
                               {"ETag", "\"1\""},
                               {"Vary", "Accept"},
                               {"Vary", "Origin"},
                               {"x-served-by", "v1"}};
        Exchange e = makeExchange({});
        e.primary.responseHeaders = first;
        e.mirrors[0].responseHeaders = first;
        c.compare(e);
        QVERIFY(c.learnedNoise().isEmpty());

        Headers again = first;
        again[1].second = "\"2\""; // the primary itself moved its ETag: learned noise
        e.primary.responseHeaders = again;
        e.mirrors.clear();
        // Identical headers, the first line first.
        e.mirrors.append(makeLeg(200, e.primary.bodyPrefix, again));
        // The same headers reordered, other case, padded values, joined list header.
        e.mirrors.append(makeLeg(200, e.primary.bodyPrefix,
                                 {{"X-SERVED-BY", "  v1 "},
                                  {"vary", "Accept, Origin"},
                                  {"etag", "\"2\""},
                                  {"content-type", "\tapplication/json"}}));
        // A changed ETag (learned: noisy), a changed and a missing header (not noise).
        e.mirrors.append(makeLeg(200, e.primary.bodyPrefix,
                                 {{"Content-Type", "application/json"},
                                  {"ETag", "\"3\""},
                                  {"Vary", "Accept"},
                                  {"x-served-by", "v2"}}));
        QString endpoint;
        const QList<Comparison> out = c.compare(e, &endpoint);
        QCOMPARE(endpoint, endpointTemplate(e.method, e.path));
        QCOMPARE(endpoint, QStringLiteral("GET /users/{id}"));
        QCOMPARE(c.learnedNoise().size(), 1);
        QCOMPARE(c.learnedNoise().first().path, QStringLiteral("etag"));
        QCOMPARE(out.size(), 3);
        QVERIFY2(out[0].headerDiffs.isEmpty(), qPrintable(paths(out[0].headerDiffs).join(u',')));
        QVERIFY2(out[1].headerDiffs.isEmpty(), qPrintable(paths(out[1].headerDiffs).join(u',')));
        QCOMPARE(paths(out[2].headerDiffs), (QStringList{"etag (noisy)", "vary", "x-served-by"}));
        QCOMPARE(out[2].headerDiffs[1].primaryValue, QStringLiteral("Accept, Origin"));
        QCOMPARE(out[2].headerDiffs[1].mirrorValue, QStringLiteral("Accept"));
        QCOMPARE(out[2].headerDiffs[2].mirrorValue, QStringLiteral("v2"));
        QVERIFY(!out[1].mismatch());
        QVERIFY(out[2].mismatch());
        QCOMPARE(c.learnedNoise().first().flagged, quint64(1));
    }

    void endpointKeyWithoutMirrorsOrLearning()
    {
        Comparator c;
        c.setLearningEnabled(false);
        Exchange e = makeExchange({});
        e.method = "POST";
        e.path = "/orders/9f1c2d3e-0000-4000-8000-123456789abc/items?x=1";
        e.mirrors.clear();
        QString endpoint = QStringLiteral("stale");
        QVERIFY(c.compare(e, &endpoint).isEmpty());
        QCOMPARE(endpoint, QStringLiteral("POST /orders/{id}/items"));
    }

    void acceptAndReject()
    {
        Comparator c;
        Spec s;
        s.path = "/time";
        s.primaryBody = s.mirrorBody = R"({"timestamp": 1, "nonce": "a"})";
        compareOne(c, s);
        s.primaryBody = s.mirrorBody = R"({"timestamp": 2, "nonce": "b"})";
        compareOne(c, s);
        QCOMPARE(c.learnedNoise().size(), 2);

        // Accept: a rule for the endpoint; the diff is ignored, no longer learned.
        QString error;
        QVERIFY2(c.acceptLearnedNoise(Where::Body, QStringLiteral("GET /time"),
                                      QStringLiteral("$.timestamp"), &error),
                 qPrintable(error));
        const QList<NoiseRules::Rule> rules = c.noiseRules().rules();
        QCOMPARE(rules.size(), 1);
        QCOMPARE(rules[0].pattern, QStringLiteral("$.timestamp"));
        QCOMPARE(rules[0].endpoint, QStringLiteral("GET /time"));
        QCOMPARE(c.learnedNoise().size(), 1);

        // Reject: the nonce counts again, and is not learned again.
        QVERIFY(c.rejectLearnedNoise(Where::Body, QStringLiteral("GET /time"),
                                     QStringLiteral("$.nonce")));
        s.primaryBody = R"({"timestamp": 3, "nonce": "c"})";
        s.mirrorBody = R"({"timestamp": 4, "nonce": "d"})";
        const Comparison r = compareOne(c, s);
        QCOMPARE(r.body.ignored, QStringList{"$.timestamp"});
        QCOMPARE(paths(r.body.fields), QStringList{"$.nonce"});
        QVERIFY(r.mismatch());
        const QList<LearnedNoise> learned = c.learnedNoise();
        QCOMPARE(learned.size(), 1);
        QVERIFY(learned[0].rejected);
        QCOMPARE(learned[0].flagged, 0u);

        // Unknown fields and text lines cannot be accepted.
        QVERIFY(!c.acceptLearnedNoise(Where::Body, QStringLiteral("GET /time"),
                                      QStringLiteral("$.nope"), &error));
        QCOMPARE(error, QStringLiteral("$.nope is not learned noise for GET /time"));
        QVERIFY(!c.rejectLearnedNoise(Where::Header, QStringLiteral("GET /time"),
                                      QStringLiteral("etag")));

        Spec text;
        text.path = "/page";
        text.primaryHeaders = {{"Content-Type", "text/html"}};
        text.mirrorHeaders = text.primaryHeaders;
        text.primaryBody = "<p>\nserved at 1\n</p>";
        compareOne(c, text);
        text.primaryBody = "<p>\nserved at 2\n</p>";
        text.mirrorBody = "<p>\nserved at 3\n</p>";
        const Comparison page = compareOne(c, text);
        QCOMPARE(paths(page.body.fields), QStringList{"line 2 (noisy)"});
        QVERIFY(!page.mismatch());
        QVERIFY(!c.acceptLearnedNoise(Where::Body, QStringLiteral("GET /page"),
                                      QStringLiteral("line 2"), &error));
        QVERIFY2(error.contains(QLatin1String("not a JSON path")), qPrintable(error));

        c.forgetLearnedNoise();
        QVERIFY(c.learnedNoise().isEmpty());
        QCOMPARE(c.rememberedRequests(), 0);
    }

    void rememberedRequestsAreBounded()
    {
        Comparator c;
        Comparator::LearningLimits limits;
        limits.maxRequests = 2;
        c.setLearningLimits(limits);
        Spec s;
        for (const char *path : {"/a", "/b", "/c"}) {
            s.path = path;
            compareOne(c, s);
        }
        QCOMPARE(c.rememberedRequests(), 2);
        // "/a" was the least recently used: forgotten, so a new answer teaches nothing.
        s.path = "/a";
        s.primaryBody = R"({"name":"changed"})";
        compareOne(c, s);
        QVERIFY(c.learnedNoise().isEmpty());
        // "/c" is still remembered.
        s.path = "/c";
        compareOne(c, s);
        QCOMPARE(c.learnedNoise().size(), 1);

        limits.maxBytes = 10; // fewer bytes than one remembered answer
        c.setLearningLimits(limits);
        QCOMPARE(c.rememberedRequests(), 0);
    }

    void optionsReachTheBodyDiff()
    {
        Comparator c;
        CompareOptions o;
        o.relativeTolerance = 0.1;
        o.arrayOrderInsensitive = true;
        c.setOptions(o);
        QCOMPARE(c.options().relativeTolerance, 0.1);
        Spec s;
        s.primaryBody = R"({"p": 100, "tags": ["a", "b"]})";
        s.mirrorBody = R"({"p": 105, "tags": ["b", "a"]})";
        QVERIFY(!compareOne(c, s).mismatch());
    }
};

QTEST_APPLESS_MAIN(TestComparison)
#include "tst_comparison.moc"
