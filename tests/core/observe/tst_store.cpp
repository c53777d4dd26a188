#include "observe/store.h"

#include <QtTest>

using namespace Observe;

namespace {

Leg leg(const QString &subset, int status, const QByteArray &body, const QByteArray &requestId)
{
    Leg l;
    l.destination.host = QStringLiteral("greeter-service");
    l.destination.subset = subset;
    l.destination.port = 8080;
    l.endpoint = QStringLiteral("127.0.0.1:3001");
    l.status = status;
    l.responseHeaders = {{"content-type", "application/json"},
                         {"X-Custom-Thing", "ümlaut \x01 bytes"},
                         {"x-request-id", requestId},
                         {"content-length", QByteArray::number(body.size())}};
    l.bodyPrefix = body;
    l.bodySize = body.size() + 1000; // the proxy kept a prefix only
    l.bodyHash = 0xfedcba9876543210ULL;
    l.connectUs = 120;
    l.firstByteUs = 900;
    l.totalUs = 1500;
    l.attempts = 2;
    return l;
}

Exchange exchange(quint64 id, const QByteArray &requestId = {}, int bodyBytes = 100)
{
    Exchange e;
    e.id = id;
    e.requestId = requestId.isEmpty() ? "req-" + QByteArray::number(id) : requestId;
    e.start = QDateTime::fromMSecsSinceEpoch(1700000000123 + qint64(id), Qt::UTC);
    e.startUs = 987654321 + qint64(id);
    e.method = "POST";
    e.authority = "greeter-service:8080";
    e.path = "/users/" + QByteArray::number(id) + "?x=ü";
    e.requestHeaders = {{"Host", "greeter-service"},
                        {"user-agent", "bench/1.0"},
                        {"x-request-id", e.requestId},
                        {"X-Weird", ""}};
    e.requestBodyPrefix = QByteArray(bodyBytes, 'q');
    e.requestBodySize = bodyBytes;
    e.virtualService = QStringLiteral("greeter");
    e.ruleIndex = 1;
    e.ruleName = QStringLiteral("mirror-ümlaut");
    e.primary = leg(QStringLiteral("v1"), 200, QByteArray(bodyBytes, 'a'), e.requestId);
    Leg m = leg(QStringLiteral("v2"), 503, QByteArray(bodyBytes, 'b'), e.requestId);
    m.outcome = Leg::Outcome::Failed;
    m.error = QStringLiteral("timeout");
    m.dropReason = QStringLiteral("in-flight limit");
    m.totalUs = -1;
    e.mirrors = {m, leg(QStringLiteral("v3"), 0, {}, e.requestId)};
    e.mirrors[1].outcome = Leg::Outcome::SampledOut;
    return e;
}

QList<Comparison> comparisons()
{
    Comparison c;
    c.mirrorIndex = 0;
    c.comparable = true;
    c.primaryStatus = 200;
    c.mirrorStatus = 503;
    c.statusEqual = false;
    c.latencyDeltaUs = -250;
    c.headerDiffs = {
        {FieldDiff::Kind::Removed, QStringLiteral("etag"), QStringLiteral("\"x\""), QString()}};
    c.body.mode = BodyDiff::Mode::Json;
    c.body.equal = false;
    c.body.truncated = true;
    c.body.fields = {
        {FieldDiff::Kind::Added, QStringLiteral("$.locale"), QString(), QStringLiteral("\"en\"")},
        {FieldDiff::Kind::TypeChanged, QStringLiteral("$.n"), QStringLiteral("1"),
         QStringLiteral("\"1\""), true}};
    c.body.omittedFields = 17;
    c.body.ignored = {QStringLiteral("$.time"), QStringLiteral("$.häst")};
    Comparison other;
    other.mirrorIndex = 1;
    return {c, other};
}

void compareLeg(const Leg &a, const Leg &b)
{
    QCOMPARE(a.destination, b.destination);
    QCOMPARE(a.endpoint, b.endpoint);
    QCOMPARE(a.outcome, b.outcome);
    QCOMPARE(a.error, b.error);
    QCOMPARE(a.dropReason, b.dropReason);
    QCOMPARE(a.status, b.status);
    QCOMPARE(a.responseHeaders, b.responseHeaders);
    QCOMPARE(a.bodyPrefix, b.bodyPrefix);
    QCOMPARE(a.bodySize, b.bodySize);
    QCOMPARE(a.bodyHash, b.bodyHash);
    QCOMPARE(a.connectUs, b.connectUs);
    QCOMPARE(a.firstByteUs, b.firstByteUs);
    QCOMPARE(a.totalUs, b.totalUs);
    QCOMPARE(a.attempts, b.attempts);
}

void compareDiffs(const QList<FieldDiff> &a, const QList<FieldDiff> &b)
{
    QCOMPARE(a.size(), b.size());
    for (qsizetype i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i].kind, b[i].kind);
        QCOMPARE(a[i].path, b[i].path);
        QCOMPARE(a[i].primaryValue, b[i].primaryValue);
        QCOMPARE(a[i].mirrorValue, b[i].mirrorValue);
        QCOMPARE(a[i].noisy, b[i].noisy);
    }
}

} // namespace

class TestStore : public QObject
{
    Q_OBJECT
private slots:
    void roundTripKeepsEveryField()
    {
        Store store;
        const Exchange in = exchange(7);
        const QList<Comparison> cin = comparisons();
        store.add(in, cin);
        const auto found = store.find(7);
        QVERIFY(found);
        const Exchange &out = found->exchange;
        QCOMPARE(out.id, in.id);
        QCOMPARE(out.requestId, in.requestId);
        QCOMPARE(out.start, in.start);
        QCOMPARE(out.startUs, in.startUs);
        QCOMPARE(out.method, in.method);
        QCOMPARE(out.authority, in.authority);
        QCOMPARE(out.path, in.path);
        QCOMPARE(out.requestHeaders, in.requestHeaders);
        QCOMPARE(out.requestBodyPrefix, in.requestBodyPrefix);
        QCOMPARE(out.requestBodySize, in.requestBodySize);
        QCOMPARE(out.virtualService, in.virtualService);
        QCOMPARE(out.ruleIndex, in.ruleIndex);
        QCOMPARE(out.ruleName, in.ruleName);
        compareLeg(out.primary, in.primary);
        QVERIFY(!QTest::currentTestFailed());
        QCOMPARE(out.mirrors.size(), in.mirrors.size());
        for (qsizetype i = 0; i < in.mirrors.size(); ++i) {
            compareLeg(out.mirrors[i], in.mirrors[i]);
            QVERIFY(!QTest::currentTestFailed());
        }
        QVERIFY(!found->bodiesDropped);

        const QList<Comparison> &cout = found->comparisons;
        QCOMPARE(cout.size(), cin.size());
        for (qsizetype i = 0; i < cin.size(); ++i) {
            QCOMPARE(cout[i].mirrorIndex, cin[i].mirrorIndex);
            QCOMPARE(cout[i].comparable, cin[i].comparable);
            QCOMPARE(cout[i].primaryStatus, cin[i].primaryStatus);
            QCOMPARE(cout[i].mirrorStatus, cin[i].mirrorStatus);
            QCOMPARE(cout[i].statusEqual, cin[i].statusEqual);
            QCOMPARE(cout[i].latencyDeltaUs, cin[i].latencyDeltaUs);
            compareDiffs(cout[i].headerDiffs, cin[i].headerDiffs);
            QCOMPARE(cout[i].body.mode, cin[i].body.mode);
            QCOMPARE(cout[i].body.equal, cin[i].body.equal);
            QCOMPARE(cout[i].body.truncated, cin[i].body.truncated);
            compareDiffs(cout[i].body.fields, cin[i].body.fields);
            QCOMPARE(cout[i].body.omittedFields, cin[i].body.omittedFields);
            QCOMPARE(cout[i].body.ignored, cin[i].body.ignored);
        }
    }

    void invalidStartStaysInvalid()
    {
        Store store;
        Exchange e = exchange(1);
        e.start = QDateTime();
        store.add(e);
        QVERIFY(!store.find(1)->exchange.start.isValid());
    }

    void evictsOldestFirstAndCountsDrops()
    {
        StoreSettings settings;
        settings.capacity = 3;
        Store store(settings);
        for (quint64 id = 1; id <= 5; ++id)
            store.add(exchange(id));
        QCOMPARE(store.size(), 3);
        QCOMPARE(store.added(), 5u);
        QCOMPARE(store.dropped(), 2u);
        QVERIFY(!store.find(1));
        QVERIFY(!store.find(2));
        QVERIFY(!store.findByRequestId("req-2"));
        QCOMPARE(store.find(3)->exchange.id, 3u);
        QCOMPARE(store.findByRequestId("req-5")->exchange.id, 5u);
        QCOMPARE(store.at(0).exchange.id, 3u);
        QCOMPARE(store.at(2).exchange.id, 5u);

        // Shrinking the bound drops the oldest at once.
        settings.capacity = 1;
        store.setSettings(settings);
        QCOMPARE(store.size(), 1);
        QCOMPARE(store.dropped(), 4u);
        QCOMPARE(store.at(0).exchange.id, 5u);
    }

    void outOfOrderIdsAreFoundByIdNotPosition()
    {
        Store store;
        for (quint64 id : {10, 8, 9, 12, 11})
            store.add(exchange(id));
        for (quint64 id : {8, 9, 10, 11, 12})
            QCOMPARE(store.find(id)->exchange.id, id);
        QVERIFY(!store.find(13));
        QCOMPARE(store.at(0).exchange.id, 10u); // arrival order
    }

    void idsInOrderThenOutOfOrderAfterEvictions()
    {
        // Growing ids are found by searching the kept ones; the first id out of order (here a
        // repeat, then a smaller one) must keep every lookup right, evictions included.
        StoreSettings settings;
        settings.capacity = 4;
        Store store(settings);
        for (quint64 id = 1; id <= 6; ++id)
            store.add(exchange(id, "r" + QByteArray::number(id)));
        QVERIFY(!store.find(2)); // evicted
        for (quint64 id = 3; id <= 6; ++id)
            QCOMPARE(store.find(id)->exchange.id, id);
        QVERIFY(!store.find(7));
        store.add(exchange(6, "again")); // the same id once more: the newest is found
        QCOMPARE(store.find(6)->exchange.requestId, QByteArray("again"));
        store.add(exchange(1, "old")); // smaller than any kept
        QCOMPARE(store.find(1)->exchange.requestId, QByteArray("old"));
        QVERIFY(!store.find(3)); // evicted by the two above
        QVERIFY(!store.find(4));
        QCOMPARE(store.find(5)->exchange.id, 5u);
        store.add(exchange(20));
        store.add(exchange(21));
        QVERIFY(!store.find(5));
        QCOMPARE(store.find(6)->exchange.requestId, QByteArray("again"));
        QCOMPARE(store.find(1)->exchange.requestId, QByteArray("old"));
        QCOMPARE(store.find(21)->exchange.id, 21u);
        QCOMPARE(store.size(), 4);
        store.clear(); // in order again after a clear
        store.add(exchange(2));
        store.add(exchange(3));
        QCOMPARE(store.find(2)->exchange.id, 2u);
        QVERIFY(!store.find(1));
    }

    void requestIdFindsTheNewestAndSurvivesEvictionOfOlder()
    {
        StoreSettings settings;
        settings.capacity = 2;
        Store store(settings);
        store.add(exchange(1, "same"));
        store.add(exchange(2, "same"));
        QCOMPARE(store.findByRequestId("same")->exchange.id, 2u);
        store.add(exchange(3, "other")); // evicts id 1, whose request id is also id 2's
        QCOMPARE(store.findByRequestId("same")->exchange.id, 2u);
        QVERIFY(!store.findByRequestId("missing"));
        QVERIFY(!store.findByRequestId(QByteArray()));
    }

    void bodyCapCutsPrefixesButKeepsSizeAndHash()
    {
        StoreSettings settings;
        settings.bodyCapBytes = 10;
        Store store(settings);
        const Exchange in = exchange(1, {}, 100);
        store.add(in);
        const Exchange out = store.find(1)->exchange;
        QCOMPARE(out.requestBodyPrefix, in.requestBodyPrefix.left(10));
        QCOMPARE(out.primary.bodyPrefix, in.primary.bodyPrefix.left(10));
        QCOMPARE(out.mirrors[0].bodyPrefix, in.mirrors[0].bodyPrefix.left(10));
        QCOMPARE(out.primary.bodySize, in.primary.bodySize);
        QCOMPARE(out.primary.bodyHash, in.primary.bodyHash);
        QCOMPARE(out.requestBodySize, in.requestBodySize);

        settings.bodyCapBytes = 0; // keep no bodies at all
        store.setSettings(settings);
        store.add(exchange(2, {}, 100));
        QVERIFY(store.find(2)->exchange.primary.bodyPrefix.isEmpty());
        QCOMPARE(store.find(2)->exchange.primary.bodySize, 1100);
    }

    void bodiesOfEverySizeRoundTrip()
    {
        // Lengths around the varint steps (127/128, 16383/16384), empty ones, and a cap between.
        const QList<qsizetype> sizes = {0, 1, 127, 128, 300, 16383, 16384, 40000};
        for (const int cap : {200, 20000, 100000}) {
            StoreSettings settings;
            settings.bodyCapBytes = cap;
            Store store(settings);
            quint64 id = 0;
            for (const qsizetype request : sizes) {
                for (const qsizetype response : sizes) {
                    Exchange in = exchange(++id, {}, 0);
                    in.requestBodyPrefix = QByteArray(request, 'r');
                    in.primary.bodyPrefix = QByteArray(response, 'p');
                    in.mirrors.resize(2, in.mirrors.value(0));
                    in.mirrors[0].bodyPrefix = QByteArray(300 - response % 300, 'm');
                    in.mirrors[1].bodyPrefix = QByteArray(response / 2, 'n');
                    store.add(in);
                    const Exchange out = store.find(id)->exchange;
                    QCOMPARE(out.requestBodyPrefix, in.requestBodyPrefix.left(cap));
                    QCOMPARE(out.primary.bodyPrefix, in.primary.bodyPrefix.left(cap));
                    QCOMPARE(out.mirrors.size(), 2);
                    QCOMPARE(out.mirrors[0].bodyPrefix, in.mirrors[0].bodyPrefix.left(cap));
                    QCOMPARE(out.mirrors[1].bodyPrefix, in.mirrors[1].bodyPrefix.left(cap));
                }
            }
        }
    }

    void literalAndNullStringsRoundTrip()
    {
        // Strings the store does not own (literals, null ones) are written as read: packing
        // reads them in place.
        Exchange in = exchange(1, {}, 10);
        in.virtualService = QStringLiteral("greeter");
        in.ruleName = QString();
        in.primary.error = QString();
        in.primary.dropReason = QStringLiteral("");
        in.mirrors[0].destination.subset = QStringLiteral("v2-\u00e9");
        Store store;
        store.add(in);
        const Exchange out = store.find(1)->exchange;
        QCOMPARE(out.virtualService, QStringLiteral("greeter"));
        QVERIFY(out.ruleName.isEmpty());
        QVERIFY(out.primary.error.isEmpty());
        QVERIFY(out.primary.dropReason.isEmpty());
        QCOMPARE(out.mirrors[0].destination.subset, QStringLiteral("v2-\u00e9"));
    }

    void bodyBudgetShedsTheOldestBodiesFirst()
    {
        StoreSettings settings;
        settings.bodyBudgetBytes = 2500; // ~300 bytes of bodies per exchange: room for 8
        Store store(settings);
        for (quint64 id = 1; id <= 20; ++id)
            store.add(exchange(id, {}, 100));
        QCOMPARE(store.size(), 20);
        QVERIFY(store.bodyBytes() <= 2500);
        QVERIFY(store.bodiesDropped() >= 11);
        const auto oldest = store.find(1);
        QVERIFY(oldest->bodiesDropped);
        QVERIFY(oldest->exchange.primary.bodyPrefix.isEmpty());
        QCOMPARE(oldest->exchange.primary.bodySize, 1100); // the record stays whole
        const auto newest = store.find(20);
        QVERIFY(!newest->bodiesDropped);
        QCOMPARE(newest->exchange.primary.bodyPrefix, QByteArray(100, 'a'));
    }

    void iteratesOldestFirstForExports()
    {
        StoreSettings settings;
        settings.capacity = 4;
        Store store(settings);
        for (quint64 id = 1; id <= 6; ++id)
            store.add(exchange(id));
        QList<quint64> seen;
        store.forEach([&](const Store::Entry &e) {
            seen.append(e.exchange.id);
            return true;
        });
        QCOMPARE(seen, (QList<quint64>{3, 4, 5, 6}));
        seen.clear();
        store.forEach([&](const Store::Entry &e) {
            seen.append(e.exchange.id);
            return seen.size() < 2; // stop early
        });
        QCOMPARE(seen.size(), 2);
        const QList<Exchange> page = store.exchanges(1, 2);
        QCOMPARE(page.size(), 2);
        QCOMPARE(page[0].id, 4u);
        QCOMPARE(page[1].id, 5u);
        QCOMPARE(store.exchanges(3, 100).size(), 1);
        QVERIFY(store.exchanges(10).isEmpty());
    }

    void clearEmptiesAndResetsCounters()
    {
        Store store;
        store.add(exchange(1));
        store.clear();
        QVERIFY(store.isEmpty());
        QCOMPARE(store.added(), 0u);
        QCOMPARE(store.bodyBytes(), 0);
        QVERIFY(!store.find(1));
    }

    void packedRecordIsCompact()
    {
        // A demo-sized exchange (no bodies counted here): the packed record must stay far below
        // what the Exchange's heap objects take, or the 100,000 default bound would not fit.
        Exchange e = exchange(1, "9b2f6c1e-4d3a-4f8e-9a1b-2c3d4e5f6a7b", 0);
        e.mirrors.removeLast();
        const Store::Packed p = Store::pack(e, {}, 16 * 1024);
        QVERIFY2(p.record.size() < 512, qPrintable(QString::number(p.record.size())));
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
