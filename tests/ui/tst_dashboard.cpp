// The dashboard's data and the log's model, fed with built Exchange records: per-second rates
// and latency percentiles over a bounded window, status classes and the v1 x v2 matrix, charts
// redrawn on the tick (never per request) in the same colours everywhere, and a log that inserts
// a batch as one range, stays bounded, and holds still while paused.
#include "dashboard/dashboardwidget.h"
#include "dashboard/palette.h"
#include "dashboard/timeline.h"
#include "logs/exchangemodel.h"

#include <QBarSet>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>
#include <QTimeZone>

using Observe::Exchange;
using Observe::Leg;
using Ui::Timeline;

namespace {

const qint64 kT0 = 1700000000000; // a whole second, ms since the epoch

struct Spec
{
    qint64 atMs = 0; // since kT0
    int v1Status = 200;
    double v1Ms = 2;
    bool mirrored = true;
    Leg::Outcome mirrorOutcome = Leg::Outcome::Completed;
    int v2Status = 200;
    double v2Ms = 10;
    QByteArray path = "/hello";
};

Exchange makeExchange(const Spec &s)
{
    Exchange e;
    e.start = QDateTime::fromMSecsSinceEpoch(kT0 + s.atMs, QTimeZone::utc());
    e.method = "GET";
    e.path = s.path;
    e.virtualService = QStringLiteral("greeter-service");
    e.ruleIndex = 0;
    e.primary.destination = {QStringLiteral("greeter-service"), QStringLiteral("v1"), 3000};
    e.primary.status = s.v1Status;
    e.primary.totalUs = qint64(s.v1Ms * 1000);
    if (s.mirrored) {
        Leg m;
        m.destination = {QStringLiteral("greeter-service"), QStringLiteral("v2"), 3000};
        m.outcome = s.mirrorOutcome;
        if (m.outcome == Leg::Outcome::Completed) {
            m.status = s.v2Status;
            m.totalUs = qint64(s.v2Ms * 1000);
        } else if (m.outcome == Leg::Outcome::Failed) {
            m.error = QStringLiteral("timeout");
        } else if (m.outcome == Leg::Outcome::Dropped) {
            m.dropReason = QStringLiteral("in-flight limit");
        }
        e.mirrors << m;
    }
    return e;
}

QList<Exchange> many(int n, Spec s, qint64 stepMs = 0)
{
    QList<Exchange> out;
    for (int i = 0; i < n; ++i) {
        out << makeExchange(s);
        s.atMs += stepMs;
    }
    return out;
}

QList<double> ys(const QList<QPointF> &points)
{
    QList<double> out;
    for (const QPointF &p : points)
        out << p.y();
    return out;
}

} // namespace

class TestDashboard : public QObject
{
    Q_OBJECT
private slots:
    void ratePerSecondWithZeroGaps();
    void latencyPercentilesPerSecond();
    void statusClassesAndMatrix();
    void windowIsBounded();
    void chartsRedrawOnTickInRoleColours();
    void logInsertsBatchAsOneRange();
    void logIsBoundedNewestLast();
    void logPauseHoldsRowsStill();
    void logShowsMirrorOutcomes();
};

void TestDashboard::ratePerSecondWithZeroGaps()
{
    Timeline t;
    t.reset(kT0);
    t.add(many(3, {100}));                 // second 0: 3 requests, all mirrored
    t.add(many(5, {1200, 200, 2, false})); // second 1: 5 requests, none mirrored
    t.add(many(4, {3100}));                // second 3 (second 2 had none)
    t.add(many(7, {4500}));                // second 4: still filling at "now"
    const qint64 now = kT0 + 4700;
    QCOMPARE(ys(t.rate(Timeline::Primary, now)), (QList<double>{3, 5, 0, 4}));
    QCOMPARE(ys(t.rate(Timeline::Mirror, now)), (QList<double>{3, 0, 0, 4}));
    const QList<QPointF> p = t.rate(Timeline::Primary, now);
    QCOMPARE(p.first().x(), 0.0);
    QCOMPARE(p.last().x(), 3.0);
    // Out of order: a slow exchange of second 1 lands after second 4's.
    t.add(many(1, {1900}));
    QCOMPARE(ys(t.rate(Timeline::Primary, now)), (QList<double>{3, 6, 0, 4}));
    QCOMPARE(t.label(Timeline::Primary), QStringLiteral("v1"));
    QCOMPARE(t.label(Timeline::Mirror), QStringLiteral("v2"));
}

void TestDashboard::latencyPercentilesPerSecond()
{
    Timeline t;
    t.reset(kT0);
    QList<Exchange> batch;
    for (int i = 1; i <= 100; ++i) {
        Spec s{5 * i};
        s.v1Ms = i;      // 1..100 ms
        s.v2Ms = 10 * i; // 10..1000 ms
        batch << makeExchange(s);
    }
    t.add(batch);
    const qint64 now = kT0 + 2500;
    const QList<QPointF> p50 = t.latencyMs(Timeline::Primary, 0.5, now);
    const QList<QPointF> p99 = t.latencyMs(Timeline::Primary, 0.99, now);
    const QList<QPointF> v2p99 = t.latencyMs(Timeline::Mirror, 0.99, now);
    QCOMPARE(p50.size(), 1); // one second of answers; the next is still filling
    QVERIFY(qAbs(p50.first().y() - 50) < 1);
    QVERIFY(qAbs(p99.first().y() - 99) < 1);
    QVERIFY(qAbs(v2p99.first().y() - 990) < 10);
}

void TestDashboard::statusClassesAndMatrix()
{
    Timeline t;
    t.reset(kT0);
    t.add(many(6, {100, 200, 2, true, Leg::Outcome::Completed, 200}));
    t.add(many(2, {100, 200, 2, true, Leg::Outcome::Completed, 503}));
    t.add(many(1, {100, 404, 2, true, Leg::Outcome::Completed, 404}));
    t.add(many(1, {100, 200, 2, true, Leg::Outcome::Failed}));
    t.add(many(3, {100, 200, 2, true, Leg::Outcome::SampledOut}));
    t.add(many(1, {100, 200, 2, true, Leg::Outcome::Dropped}));
    QCOMPARE(t.statusCount(Timeline::Primary, Timeline::C2xx), 13u);
    QCOMPARE(t.statusCount(Timeline::Primary, Timeline::C4xx), 1u);
    QCOMPARE(t.statusCount(Timeline::Mirror, Timeline::C2xx), 6u);
    QCOMPARE(t.statusCount(Timeline::Mirror, Timeline::C5xx), 2u);
    QCOMPARE(t.statusCount(Timeline::Mirror, Timeline::CFailed), 1u);
    // Sampled-out and dropped mirrors reached nobody: no count, no pair, no rate.
    QCOMPARE(t.pair(Timeline::C2xx, Timeline::C2xx), 6u);
    QCOMPARE(t.pair(Timeline::C2xx, Timeline::C5xx), 2u);
    QCOMPARE(t.pair(Timeline::C4xx, Timeline::C4xx), 1u);
    QCOMPARE(t.pair(Timeline::C2xx, Timeline::CFailed), 1u);
    QCOMPARE(t.pairs(), 10u);
    QCOMPARE(t.mismatches(), 3u);
    QCOMPARE(ys(t.rate(Timeline::Mirror, kT0 + 1500)), (QList<double>{10}));
}

void TestDashboard::windowIsBounded()
{
    Timeline t;
    t.reset(kT0);
    t.add(many(1, {0}));
    const qint64 later = 1000 * qint64(Timeline::kWindowSeconds + 100);
    t.add(many(2, {later}));
    const QList<QPointF> rate = t.rate(Timeline::Primary, kT0 + later + 1000);
    QCOMPARE(rate.size(), Timeline::kWindowSeconds);
    QCOMPARE(rate.last().y(), 2.0);
    QCOMPARE(rate.first().x(), double(Timeline::kWindowSeconds + 100 - 299));
    // Older than the window when it arrives: only the totals count it.
    t.add(many(1, {50}));
    QCOMPARE(t.statusCount(Timeline::Primary, Timeline::C2xx), 4u);
    QCOMPARE(ys(t.rate(Timeline::Primary, kT0 + later + 1000)).first(), 0.0);
}

void TestDashboard::chartsRedrawOnTickInRoleColours()
{
    Ui::DashboardWidget d;
    QLineSeries *v1 = d.rateSeries(Timeline::Primary);
    QLineSeries *v2 = d.rateSeries(Timeline::Mirror);
    QSignalSpy v1Replaced(v1, &QXYSeries::pointsReplaced);
    QSignalSpy v1Added(v1, &QXYSeries::pointAdded);
    const qint64 t0 = d.timeline().t0Ms();
    QList<Exchange> batch;
    for (int i = 0; i < 50; ++i) {
        Exchange e = makeExchange({});
        e.start = QDateTime::fromMSecsSinceEpoch(t0 + i * 5, QTimeZone::utc());
        batch << e;
    }
    for (int i = 0; i < 10; ++i)
        d.addExchanges(batch.mid(i * 5, 5)); // ten batches before the tick
    QCOMPARE(v1Replaced.count(), 0);         // nothing is drawn per batch
    d.refreshAt(t0 + 2500);
    QCOMPARE(v1Replaced.count(), 1); // one replace() per series per tick
    QCOMPARE(v1Added.count(), 0);    // never an append per request
    QVERIFY(v1->count() > 0);
    QVERIFY(v2->count() > 0);
    double total = 0;
    for (const QPointF &p : v1->points())
        total += p.y();
    QCOMPARE(total, 50.0);
    d.setLive(true);
    QTRY_VERIFY(v1Replaced.count() >= 2); // the live axis keeps ticking on its own

    // v1 is blue and the mirror orange in every chart.
    QCOMPARE(v1->pen().color(), Ui::Palette::primary());
    QCOMPARE(v2->pen().color(), Ui::Palette::mirror());
    QCOMPARE(d.latencySeries(Timeline::Primary, true)->pen().color(), Ui::Palette::primary());
    QCOMPARE(d.latencySeries(Timeline::Mirror, false)->pen().color(), Ui::Palette::mirror());
    QCOMPARE(d.statusBars(Timeline::Primary)->color(), Ui::Palette::primary());
    QCOMPARE(d.statusBars(Timeline::Mirror)->color(), Ui::Palette::mirror());
    QCOMPARE(d.statusBars(Timeline::Primary)->at(0), 50.0); // 2xx
    QCOMPARE(d.matrixView()->item(0, 0)->text(), QStringLiteral("50"));

    d.reset();
    QCOMPARE(v1->count(), 0);
}

void TestDashboard::logInsertsBatchAsOneRange()
{
    Ui::ExchangeModel m;
    QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
    m.addExchanges(many(40, {}, 10));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.first().at(1).toInt(), 0);
    QCOMPARE(inserted.first().at(2).toInt(), 39);
    m.addExchanges(many(10, {}, 10));
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(m.rowCount(), 50);
    QCOMPARE(m.index(0, Ui::ExchangeModel::Method).data().toString(), QStringLiteral("GET"));
    QCOMPARE(m.index(0, Ui::ExchangeModel::V1Latency).data().toString(), QStringLiteral("2.0"));
    QCOMPARE(m.index(0, Ui::ExchangeModel::V2Latency).data().toString(), QStringLiteral("10.0"));
    QCOMPARE(m.index(0, Ui::ExchangeModel::Rule).data().toString(),
             QStringLiteral("greeter-service http[0]"));
}

void TestDashboard::logIsBoundedNewestLast()
{
    Ui::ExchangeModel m;
    m.setMaxRows(100);
    QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
    for (int b = 0; b < 3; ++b) {
        QList<Exchange> batch;
        for (int i = 0; i < 60; ++i) {
            Spec s;
            s.path = "/users/" + QByteArray::number(b * 60 + i);
            batch << makeExchange(s);
        }
        m.addExchanges(batch);
    }
    QCOMPARE(m.rowCount(), 100);
    QCOMPARE(m.totalSeen(), 180u);
    QCOMPARE(removed.count(), 2); // one range per batch that overflowed
    QCOMPARE(m.index(99, Ui::ExchangeModel::Path).data().toString(), QStringLiteral("/users/179"));
    QCOMPARE(m.index(0, Ui::ExchangeModel::Path).data().toString(), QStringLiteral("/users/80"));
    // A single batch larger than the cap keeps its newest rows.
    m.addExchanges(many(250, {}));
    QCOMPARE(m.rowCount(), 100);
}

void TestDashboard::logPauseHoldsRowsStill()
{
    Ui::ExchangeModel m;
    m.addExchanges(many(5, {}));
    m.setPaused(true);
    QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
    m.addExchanges(many(7, {}));
    QCOMPARE(m.rowCount(), 5);
    QCOMPARE(m.pendingCount(), 7);
    QCOMPARE(inserted.count(), 0);
    m.setPaused(false);
    QCOMPARE(m.rowCount(), 12);
    QCOMPARE(inserted.count(), 1);
}

void TestDashboard::logShowsMirrorOutcomes()
{
    Ui::ExchangeModel m;
    QList<Exchange> batch;
    batch << makeExchange({0, 200, 2, true, Leg::Outcome::Completed, 200});
    batch << makeExchange({0, 200, 2, true, Leg::Outcome::Completed, 503});
    batch << makeExchange({0, 200, 2, true, Leg::Outcome::SampledOut});
    batch << makeExchange({0, 200, 2, true, Leg::Outcome::Dropped});
    batch << makeExchange({0, 200, 2, false});
    m.addExchanges(batch);
    auto cell = [&](int row, int col) { return m.index(row, col).data().toString(); };
    QCOMPARE(cell(0, Ui::ExchangeModel::Match), QStringLiteral("match"));
    QCOMPARE(cell(1, Ui::ExchangeModel::V2Status), QStringLiteral("503"));
    QCOMPARE(cell(1, Ui::ExchangeModel::Match), QStringLiteral("MISMATCH"));
    QVERIFY(m.index(1, 0).data(Qt::BackgroundRole).value<QBrush>().color() ==
            Ui::Palette::mismatch());
    QCOMPARE(cell(2, Ui::ExchangeModel::V2Status), QStringLiteral("sampled out"));
    QCOMPARE(cell(2, Ui::ExchangeModel::Match), QString());
    QCOMPARE(cell(3, Ui::ExchangeModel::V2Status), QStringLiteral("dropped: in-flight limit"));
    QCOMPARE(cell(4, Ui::ExchangeModel::V2Status), QStringLiteral("—"));
}

QTEST_MAIN(TestDashboard)
#include "tst_dashboard.moc"
