#include "observe/hub.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QThread>
#include <QtTest>

#include <atomic>

using namespace Observe;

namespace {

constexpr qint64 kT0 = 1699999980000;

Exchange exchange(quint64 id, const QByteArray &path, int primaryStatus, int mirrorStatus)
{
    Exchange e;
    e.id = id;
    e.requestId = "req-" + QByteArray::number(id);
    e.start = QDateTime::fromMSecsSinceEpoch(kT0, Qt::UTC);
    e.method = "GET";
    e.path = path;
    e.virtualService = QStringLiteral("greeter");
    e.ruleIndex = 0;
    e.primary.destination = {QStringLiteral("greeter-service"), QStringLiteral("v1"), 0};
    e.primary.status = primaryStatus;
    e.primary.totalUs = 2000;
    e.primary.bodyPrefix = R"({"greeting":"hello"})";
    e.primary.bodySize = e.primary.bodyPrefix.size();
    if (mirrorStatus >= 0) {
        Leg m;
        m.destination = {QStringLiteral("greeter-service"), QStringLiteral("v2"), 0};
        m.status = mirrorStatus;
        m.totalUs = 9000;
        m.bodyPrefix = R"({"greeting":"hello","locale":"en"})";
        m.bodySize = m.bodyPrefix.size();
        e.mirrors.append(m);
    }
    return e;
}

QList<Exchange> batch(quint64 firstId, int count, int every5xx = 0)
{
    QList<Exchange> out;
    for (int i = 0; i < count; ++i) {
        const quint64 id = firstId + quint64(i);
        const bool fail = every5xx && id % quint64(every5xx) == 0;
        out.append(exchange(id, "/users/" + QByteArray::number(id), 200, fail ? 503 : 200));
    }
    return out;
}

struct FakeClock
{
    std::shared_ptr<std::atomic<qint64>> now = std::make_shared<std::atomic<qint64>>(kT0);
    Hub::Clock clock() const
    {
        auto n = now;
        return [n] { return n->load(); };
    }
    void advance(qint64 ms) { *now += ms; }
};

// Stands in for Session::Runtime, whose exchanges(batch) signal feeds the hub.
class Source : public QObject
{
    Q_OBJECT
signals:
    void exchanges(const QList<Observe::Exchange> &batch);
};

} // namespace

class TestHub : public QObject
{
    Q_OBJECT
private slots:
    void batchesAreComparedCountedAndStored()
    {
        FakeClock clock;
        Hub hub(StoreSettings(), clock.clock());
        hub.addBatch(batch(1, 100, 10));
        const auto s = hub.snapshot();
        QCOMPARE(s->exchanges, 100u);
        QCOMPARE(s->stored, 100);
        QCOMPARE(s->startMs, kT0);
        QCOMPARE(s->nowMs, kT0);
        QVERIFY(s->version(QStringLiteral("v1")));
        QCOMPARE(s->version(QStringLiteral("v1"))->requests, 100u);
        QCOMPARE(s->version(QStringLiteral("v2 (mirror)"))->statusCodes.value(503), 10u);
        QCOMPARE(s->pairing.comparable, 100u);
        QCOMPARE(s->pairing.statusMismatches, 10u);
        QCOMPARE(s->pairing.statusMatrix.value(qMakePair(200, 503)), 10u);
        QCOMPARE(s->pairing.latencyDelta.p50Us, 7000);
        QCOMPARE(s->endpoints.size(), 1);
        QCOMPARE(s->endpoints[0].key, QStringLiteral("GET /users/{id}"));
        QCOMPARE(s->rules.size(), 1);

        // The stored exchange carries the comparison made when it arrived.
        const auto entry = hub.find(30);
        QVERIFY(entry);
        QCOMPARE(entry->exchange.path, QByteArray("/users/30"));
        QCOMPARE(entry->comparisons.size(), 1);
        QCOMPARE(entry->comparisons[0].mirrorStatus, 503);
        QVERIFY(!entry->comparisons[0].statusEqual);
        QCOMPARE(hub.findByRequestId("req-31")->exchange.id, 31u);
        QVERIFY(!hub.find(1000));
        QCOMPARE(hub.storedExchanges(98).size(), 2);
    }

    void snapshotIsImmutableAndRebuiltOnlyWhenSomethingChanged()
    {
        FakeClock clock;
        Hub hub(StoreSettings(), clock.clock());
        hub.addBatch(batch(1, 10));
        const auto first = hub.snapshot();
        QCOMPARE(hub.snapshot().get(), first.get()); // nothing new: the same object
        clock.advance(400);
        QCOMPARE(hub.snapshot().get(), first.get()); // same second

        hub.addBatch(batch(11, 5));
        const auto second = hub.snapshot();
        QVERIFY(second.get() != first.get());
        QCOMPARE(first->exchanges, 10u); // the old one did not change under its reader
        QCOMPARE(second->exchanges, 15u);
        QVERIFY(second->generation > first->generation);

        clock.advance(1000); // a new second moves the charts on even without traffic
        const auto third = hub.snapshot();
        QVERIFY(third.get() != second.get());
        QCOMPARE(third->exchanges, 15u);
        QCOMPARE(third->series[0].tiers[0].size(), 2);
    }

    void injectedClockDrivesSeriesAndRates()
    {
        FakeClock clock;
        Hub hub(StoreSettings(), clock.clock());
        quint64 id = 1;
        for (int sec = 0; sec < 12; ++sec) {
            hub.addBatch(batch(id, 30));
            id += 30;
            clock.advance(1000);
        }
        const auto s = hub.snapshot(); // at 12.0 s: seconds 2..11 complete
        QCOMPARE(s->ratePerSecond, 30.0);
        QCOMPARE(s->series.size(), 2);
        const QList<SeriesPoint> v1 = s->series[0].tiers[0];
        QCOMPARE(v1.size(), 13);
        QCOMPARE(v1[5].requests, 30u);
        QCOMPARE(v1[5].statusClasses[2], 30u);
        QCOMPARE(v1[5].p50Us, 2000);
        QCOMPARE(v1.last().requests, 0u);
        QCOMPARE(s->series[0].tiers[1].size(), 2); // 10 s buckets: 0..9 and 10..19
        QCOMPARE(s->series[0].tiers[1][0].requests, 300u);
    }

    void storeBoundShowsInTheSnapshot()
    {
        FakeClock clock;
        StoreSettings settings;
        settings.capacity = 50;
        Hub hub(settings, clock.clock());
        hub.addBatch(batch(1, 120));
        const auto s = hub.snapshot();
        QCOMPARE(s->exchanges, 120u); // the aggregates still count what the store dropped
        QCOMPARE(s->stored, 50);
        QCOMPARE(s->storeCapacity, 50);
        QCOMPARE(s->storeDropped, 70u);
        QVERIFY(!hub.find(70));
        QVERIFY(hub.find(71));

        settings.capacity = 10;
        hub.setStoreSettings(settings);
        QCOMPARE(hub.snapshot()->stored, 10);
        QCOMPARE(hub.storeSettings().capacity, 10);
    }

    void resetStartsANewRun()
    {
        FakeClock clock;
        Hub hub(StoreSettings(), clock.clock());
        hub.addBatch(batch(1, 10));
        clock.advance(5000);
        hub.reset();
        const auto s = hub.snapshot();
        QCOMPARE(s->exchanges, 0u);
        QCOMPARE(s->stored, 0);
        QCOMPARE(s->startMs, kT0 + 5000);
        QVERIFY(s->versions.isEmpty());
        QVERIFY(!hub.find(1));
    }

    void endpointJsonForTheReport()
    {
        FakeClock clock;
        Hub hub(StoreSettings(), clock.clock());
        hub.addBatch(batch(1, 20, 4));
        QList<Exchange> hello;
        hello.append(exchange(100, "/hello?name=x", 200, 200));
        hub.addBatch(hello);
        const QJsonArray endpoints = hub.snapshot()->endpointsJson();
        QCOMPARE(endpoints.size(), 2);
        const QJsonObject users = endpoints[0].toObject();
        QCOMPARE(users[QStringLiteral("endpoint")].toString(), QStringLiteral("GET /users/{id}"));
        QCOMPARE(users[QStringLiteral("exchanges")].toInt(), 20);
        const QJsonArray versions = users[QStringLiteral("versions")].toArray();
        QCOMPARE(versions.size(), 2);
        QCOMPARE(versions[0].toObject()[QStringLiteral("version")].toString(),
                 QStringLiteral("v1"));
        QCOMPARE(versions[0]
                     .toObject()[QStringLiteral("latencyMs")]
                     .toObject()[QStringLiteral("p99")]
                     .toDouble(),
                 2.0);
        QCOMPARE(versions[1]
                     .toObject()[QStringLiteral("status")]
                     .toObject()[QStringLiteral("503")]
                     .toInt(),
                 5);
        const QJsonObject pairs = users[QStringLiteral("pairs")].toObject();
        QCOMPARE(
            pairs[QStringLiteral("mismatchRate")].toObject()[QStringLiteral("status")].toDouble(),
            0.25);
        QCOMPARE(endpoints[1].toObject()[QStringLiteral("endpoint")].toString(),
                 QStringLiteral("GET /hello"));
        QCOMPARE(hub.snapshot()->rulesJson().size(), 1);
    }

    void snapshotsFromAnotherThreadAreConsistent()
    {
        FakeClock clock;
        StoreSettings settings;
        settings.capacity = 1000;
        auto *hub = new Hub(settings, clock.clock());
        QThread worker;
        hub->moveToThread(&worker);
        connect(&worker, &QThread::finished, hub, &QObject::deleteLater);
        worker.start();
        // A failed check returns early: the thread must still stop before it is destroyed.
        auto stop = qScopeGuard([&worker] {
            worker.quit();
            worker.wait();
        });

        constexpr int kBatches = 200;
        constexpr int kPerBatch = 50;
        for (int b = 0; b < kBatches; ++b) {
            const QList<Exchange> next = batch(quint64(b) * kPerBatch + 1, kPerBatch, 7);
            QMetaObject::invokeMethod(
                hub, [hub, next] { hub->addBatch(next); }, Qt::QueuedConnection);
        }
        // Read while the worker writes: every snapshot must add up, and never go backwards.
        quint64 lastExchanges = 0;
        int taken = 0;
        QElapsedTimer timer;
        timer.start();
        for (;;) {
            const auto s = hub->snapshot();
            ++taken;
            QVERIFY(s->exchanges >= lastExchanges);
            lastExchanges = s->exchanges;
            QCOMPARE(s->exchanges % kPerBatch, 0u); // a batch is counted whole or not at all
            QCOMPARE(quint64(s->stored), std::min<quint64>(s->exchanges, 1000));
            if (s->exchanges) {
                const VersionSummary *v1 = s->version(QStringLiteral("v1"));
                const VersionSummary *v2 = s->version(QStringLiteral("v2 (mirror)"));
                QVERIFY(v1 && v2);
                QCOMPARE(v1->requests, s->exchanges);
                QCOMPARE(v2->requests, s->exchanges);
                QCOMPARE(s->pairing.pairs, s->exchanges);
                QCOMPARE(v1->latency.count, s->exchanges);
                QCOMPARE(s->endpoints.value(0).exchanges, s->exchanges);
                QCOMPARE(s->pairing.statusMismatches, v2->statusCodes.value(503));
            }
            if (s->exchanges == quint64(kBatches) * kPerBatch)
                break;
            QVERIFY2(timer.elapsed() < 30000, "the worker did not finish its batches");
            QThread::yieldCurrentThread();
        }
        QVERIFY(taken > 0);
        QCOMPARE(hub->find(quint64(kBatches) * kPerBatch)->exchange.id,
                 quint64(kBatches) * kPerBatch);
    }
};

QTEST_GUILESS_MAIN(TestHub)
#include "tst_hub.moc"
