// The dashboard draws the hub's snapshot: requests/s and latency per version over a chosen time
// window, status classes stacked, the v1 x mirror status matrix, latency delta and mismatch
// rates, a per-endpoint table, consistent colours per version, redraws only when the snapshot
// changed (never per request), and the charts saved as a PNG.
#include "dashboard/dashboardwidget.h"
#include "dashboard/palette.h"
#include "dashboard/timeline.h"
#include "observe/hub.h"

#include <QAbstractBarSeries>
#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QComboBox>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <QValueAxis>

#include <atomic>

using Observe::Exchange;
using Observe::Leg;
namespace Timeline = Ui::Timeline;

namespace {

const qint64 kT0 = 1700000000000; // a whole second, ms since the epoch

struct Spec
{
    int v1Status = 200;
    double v1Ms = 2;
    int v2Status = 200;
    double v2Ms = 10;
    QByteArray path = "/hello";
    QByteArray v1Body = R"({"message":"hi"})";
    QByteArray v2Body = R"({"message":"hi"})";
    int mirrors = 1;
};

Leg leg(const QString &subset, int status, double ms, const QByteArray &body)
{
    Leg l;
    l.destination = {QStringLiteral("greeter-service"), subset, 0};
    l.endpoint = QStringLiteral("127.0.0.1:1");
    l.status = status;
    l.totalUs = qint64(ms * 1000);
    l.firstByteUs = l.totalUs;
    l.responseHeaders = {{"content-type", "application/json"}};
    l.bodyPrefix = body;
    l.bodySize = body.size();
    return l;
}

quint64 g_nextId = 1;

Exchange makeExchange(const Spec &s, qint64 atMs)
{
    Exchange e;
    e.id = g_nextId++;
    e.requestId = "req-" + QByteArray::number(e.id);
    e.start = QDateTime::fromMSecsSinceEpoch(atMs, QTimeZone::utc());
    e.method = "GET";
    e.authority = "greeter-service";
    e.path = s.path;
    e.virtualService = QStringLiteral("greeter-service");
    e.ruleIndex = 0;
    e.primary = leg(QStringLiteral("v1"), s.v1Status, s.v1Ms, s.v1Body);
    for (int m = 0; m < s.mirrors; ++m)
        e.mirrors << leg(QStringLiteral("v%1").arg(m + 2), s.v2Status, s.v2Ms, s.v2Body);
    return e;
}

QList<Exchange> many(int n, const Spec &s, qint64 atMs)
{
    QList<Exchange> out;
    for (int i = 0; i < n; ++i)
        out << makeExchange(s, atMs);
    return out;
}

// A hub on a clock the test moves.
struct Fixture
{
    std::atomic<qint64> now{kT0};
    Observe::Hub hub{Observe::StoreSettings(), [this] { return now.load(); }};
    Fixture() { hub.reset(); }
    void add(int n, const Spec &s = {}) { hub.addBatch(many(n, s, now)); }
};

double sumY(const QList<QPointF> &points)
{
    double total = 0;
    for (const QPointF &p : points)
        total += p.y();
    return total;
}

} // namespace

class TestDashboard : public QObject
{
    Q_OBJECT
private slots:
    void timelineTurnsSeriesIntoRates();
    void chartsShowTheSnapshotInVersionColours();
    void redrawsOnlyWhenTheSnapshotChanged();
    void windowSelectorSetsTheTimeSpan();
    void pairsMatrixAndEndpointTable();
    void eachMirrorHasItsOwnColour();
    void chartsExportAsPng();
    void timerDrawsEveryPartInStages();
    void mismatchKindsAreReadable();
};

void TestDashboard::timelineTurnsSeriesIntoRates()
{
    Fixture f;
    f.add(3);      // second 0
    f.now += 1200; // second 1
    f.add(5);
    f.now += 2000; // second 3 (second 2 had none)
    f.add(4);
    f.now += 1000; // second 4: still filling
    f.add(7);
    const auto s = f.hub.snapshot();
    const Observe::VersionSeries *v1 = nullptr;
    for (const Observe::VersionSeries &series : s->series)
        if (series.label == QStringLiteral("v1"))
            v1 = &series;
    QVERIFY(v1);
    const Timeline::Points p = Timeline::points(*v1, s->startMs, s->nowMs, 300);
    QList<double> rates;
    for (const QPointF &point : p.rate)
        rates << point.y();
    QCOMPARE(rates, (QList<double>{3, 5, 0, 4})); // the filling second is left out
    QCOMPARE(p.rate.first().x(), 0.0);
    QCOMPARE(p.rate.last().x(), 3.0);
    QCOMPARE(p.classRate[Timeline::C2xx].size(), 4);
    QVERIFY(!p.p50Ms.isEmpty());
    QVERIFY(qAbs(p.p50Ms.first().y() - 2.0) < 0.1);
    // A one-minute window drops what is older; a long run takes coarser buckets.
    QCOMPARE(Timeline::tierFor(60, 0), 0);
    QCOMPARE(Timeline::tierFor(0, 20 * 60 * 1000), 1);
    QCOMPARE(Timeline::tierFor(0, 5 * 3600 * 1000), 2);
    const Timeline::Points last2 = Timeline::points(*v1, s->startMs, s->nowMs, 2);
    QVERIFY(last2.rate.size() <= 2);
}

void TestDashboard::chartsShowTheSnapshotInVersionColours()
{
    Fixture f;
    Ui::DashboardWidget d;
    d.setHub(&f.hub);
    QLineSeries *v1 = d.rateSeries(Timeline::Primary);
    QLineSeries *v2 = d.rateSeries(Timeline::Mirror);
    QVERIFY(v1 && v2); // there before any data: the main window connects to them at once
    Spec slow;
    slow.v1Ms = 5;
    slow.v2Ms = 40;
    for (int second = 0; second < 3; ++second) {
        f.add(20, slow);
        f.now += 1000;
    }
    d.refresh();
    QCOMPARE(sumY(v1->points()), 60.0); // three complete seconds; the clock is in the fourth
    QCOMPARE(sumY(v2->points()), 60.0);
    QCOMPARE(v1->name(), QStringLiteral("v1"));
    QCOMPARE(v2->name(), QStringLiteral("v2 (mirror)"));
    QLineSeries *v2p99 = d.latencySeries(Timeline::Mirror, true);
    QVERIFY(v2p99->count() > 0);
    QVERIFY(qAbs(v2p99->points().first().y() - 40.0) < 1.0);
    QVERIFY(qAbs(d.latencySeries(Timeline::Primary, false)->points().first().y() - 5.0) < 0.1);

    // v1 is blue and the mirror orange in every chart.
    QCOMPARE(v1->pen().color(), Ui::Palette::primary());
    QCOMPARE(v2->pen().color(), Ui::Palette::mirror());
    QCOMPARE(d.latencySeries(Timeline::Primary, true)->pen().color(), Ui::Palette::primary());
    QCOMPARE(d.latencySeries(Timeline::Mirror, false)->pen().color(), Ui::Palette::mirror());
    QCOMPARE(d.latencySeries(Timeline::Mirror, true)->pen().style(), Qt::DashLine);

    // Status classes stacked: the top band's upper line is every request of the version.
    QCOMPARE(d.statusVersionBox()->currentText(), QStringLiteral("v1"));
    QCOMPARE(sumY(d.statusArea(Timeline::C2xx)->upperSeries()->points()), 60.0);
    QCOMPARE(sumY(d.statusArea(Timeline::CFailed)->upperSeries()->points()), 60.0);

    d.reset();
    QCOMPARE(v1->count(), 0);
}

void TestDashboard::redrawsOnlyWhenTheSnapshotChanged()
{
    Fixture f;
    Ui::DashboardWidget d;
    d.setHub(&f.hub);
    QLineSeries *v1 = d.rateSeries(Timeline::Primary);
    QSignalSpy replaced(v1, &QXYSeries::pointsReplaced);
    QSignalSpy added(v1, &QXYSeries::pointAdded);
    for (int i = 0; i < 10; ++i)
        f.add(5);                  // ten batches between two ticks
    QCOMPARE(replaced.count(), 0); // nothing is drawn per batch
    d.refresh();
    QCOMPARE(replaced.count(), 1); // one replace() per series per tick
    d.refresh();
    QCOMPARE(replaced.count(), 1); // the same snapshot again: nothing redrawn
    QCOMPARE(added.count(), 0);    // never an append per request

    // Live, the timer redraws by itself when the hub has news, at most 4 times a second.
    d.show();
    d.setLive(true);
    f.now += 1500;
    f.add(5);
    QTRY_VERIFY_WITH_TIMEOUT(replaced.count() >= 2, 10000);
    QCOMPARE(sumY(v1->points()), 50.0);
    // Hidden (the Editor page in front), nothing is drawn; shown again, it catches up at once.
    d.hide();
    const qsizetype before = replaced.count();
    f.now += 1500;
    f.add(5);
    d.show();
    QCOMPARE(replaced.count(), before + 1);
    QCOMPARE(sumY(v1->points()), 55.0);
    d.setLive(false);
}

void TestDashboard::timerDrawsEveryPartInStages()
{
    // The timer draws a tick in three events (time charts; pair bars; matrix and endpoints) so
    // the event loop runs between them: all of it still arrives without a refresh() call.
    Fixture f;
    Ui::DashboardWidget d;
    d.setHub(&f.hub);
    d.show();
    d.setLive(true);
    Spec failing;
    failing.v2Status = 503;
    f.add(8);
    f.add(2, failing);
    f.now += 1500;
    f.add(1);
    QTRY_COMPARE_WITH_TIMEOUT(d.matrixView()->columnCount(), 2, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(d.endpointTable()->rowCount(), 1, 10000);
    QCOMPARE(d.mismatchBars()->count(), 1);
    QVERIFY(d.mismatchBars()->barSets().first()->at(1) > 0); // status mismatches
    QVERIFY(sumY(d.rateSeries(Timeline::Primary)->points()) > 0);
    QCOMPARE(d.matrixView()->item(0, 0)->text(), QStringLiteral("9"));
    // A new run (reset) while stages may still be queued: none of the old run comes back.
    f.now += 1500;
    f.add(1);
    QTRY_COMPARE_WITH_TIMEOUT(d.matrixView()->item(0, 0)->text(), QStringLiteral("10"), 10000);
    d.setLive(false);
    d.reset();
    QCoreApplication::processEvents();
    QCOMPARE(d.matrixView()->rowCount(), 0);
    QCOMPARE(d.endpointTable()->rowCount(), 0);
    QCOMPARE(d.mismatchBars()->count(), 0);
}

void TestDashboard::mismatchKindsAreReadable()
{
    // The four kinds of mismatch lie on their side: at the window's default size, labels under
    // vertical bars were elided to "hea...". One pair needs no legend (its colour and the
    // title name it): the height goes to the labels.
    Fixture f;
    Ui::DashboardWidget d;
    d.setHub(&f.hub);
    f.add(4);
    f.now += 1500;
    d.refresh();
    QAbstractBarSeries *bars = d.mismatchBars();
    QCOMPARE(bars->type(), QAbstractSeries::SeriesTypeHorizontalBar);
    const QList<QAbstractAxis *> axes = bars->chart()->axes(Qt::Vertical, bars);
    QCOMPARE(axes.size(), 1);
    auto *kinds = qobject_cast<QBarCategoryAxis *>(axes.first());
    QVERIFY(kinds);
    QCOMPARE(kinds->categories(), QStringList({QStringLiteral("any"), QStringLiteral("status"),
                                               QStringLiteral("headers"), QStringLiteral("body")}));
    QCOMPARE(bars->chart()->axes(Qt::Horizontal, bars).size(), 1); // the percentages
    QVERIFY(!bars->chart()->legend()->isVisible());
    QVERIFY(!bars->chart()->toolTip().isEmpty());
    QVERIFY(!d.deltaBars()->chart()->toolTip().isEmpty());
}

void TestDashboard::windowSelectorSetsTheTimeSpan()
{
    Fixture f;
    Ui::DashboardWidget d;
    d.setHub(&f.hub);
    for (int second = 0; second < 150; ++second) {
        f.add(1);
        f.now += 1000;
    }
    const auto *x =
        qobject_cast<QValueAxis *>(d.rateSeries(Timeline::Primary)->attachedAxes().value(0));
    QVERIFY(x);
    d.setWindowSeconds(60);
    QCOMPARE(d.windowBox()->currentData().toInt(), 60);
    QCOMPARE(x->max() - x->min(), 60.0);
    QVERIFY(d.rateSeries(Timeline::Primary)->count() <= 61);
    QVERIFY(d.rateSeries(Timeline::Primary)->points().first().x() >= 89);

    d.windowBox()->setCurrentIndex(d.windowBox()->findData(0)); // whole run, from the combo box
    QCOMPARE(d.windowSeconds(), 0);
    QCOMPARE(x->min(), 0.0);
    QCOMPARE(d.rateSeries(Timeline::Primary)->count(), 150);
}

void TestDashboard::pairsMatrixAndEndpointTable()
{
    Fixture f;
    Ui::DashboardWidget d;
    d.setHub(&f.hub);
    Spec ok;
    ok.v2Ms = 17; // mirror 15 ms slower
    Spec fails = ok;
    fails.v2Status = 503;
    Spec differs = ok;
    differs.path = "/users/42";
    differs.v2Body = R"({"message":"hello"})";
    f.add(6, ok);
    f.add(2, fails);
    f.add(2, differs);
    d.refresh();

    // The matrix by status code: 200 x 200 on the diagonal, 200 x 503 off it and marked.
    QTableWidget *m = d.matrixView();
    QCOMPARE(m->rowCount(), 1);
    QCOMPARE(m->columnCount(), 2);
    QCOMPARE(m->verticalHeaderItem(0)->text(), QStringLiteral("v1 200"));
    QCOMPARE(m->horizontalHeaderItem(1)->text(), QStringLiteral("v2 503"));
    QCOMPARE(m->item(0, 0)->text(), QStringLiteral("8"));
    QCOMPARE(m->item(0, 1)->text(), QStringLiteral("2"));
    QCOMPARE(m->item(0, 1)->background().color(), Ui::Palette::mismatch());
    QVERIFY(m->item(0, 0)->background().style() == Qt::NoBrush);

    // Mismatch rates: 4 of 10 pairs (2 status, 2 body).
    QAbstractBarSeries *rates = d.mismatchBars();
    QCOMPARE(rates->count(), 1);
    QCOMPARE(rates->barSets().first()->at(0), 40.0);
    QCOMPARE(rates->barSets().first()->at(1), 20.0);
    QCOMPARE(rates->barSets().first()->at(3), 20.0);
    QCOMPARE(rates->barSets().first()->color(), Ui::Palette::mirror());
    QVERIFY(d.mismatchLabel()->text().contains(QStringLiteral("10 compared pairs")));

    // Latency delta: every pair +15 ms, in the bin from 10 ms (to 30 ms).
    QBarSeries *delta = d.deltaBars();
    QCOMPARE(delta->count(), 1);
    const int bin = int(Ui::DashboardWidget::deltaCategories().indexOf(QStringLiteral("10")));
    QVERIFY(bin >= 0);
    QCOMPARE(delta->barSets().first()->at(bin), 10.0);
    QCOMPARE(delta->barSets().first()->sum(), 10.0);

    // One row per endpoint: requests, p50/p99 per version, mismatch %, the top differing field.
    QTableWidget *t = d.endpointTable();
    QCOMPARE(t->rowCount(), 2);
    QCOMPARE(t->item(0, 0)->text(), QStringLiteral("GET /hello"));
    QCOMPARE(t->item(0, 1)->text(), QStringLiteral("8"));
    QCOMPARE(t->horizontalHeaderItem(2)->text(), QStringLiteral("v1 p50 / p99 ms"));
    const QStringList v2Latency = t->item(0, 3)->text().split(QStringLiteral(" / "));
    QCOMPARE(v2Latency.size(), 2); // p50 / p99 of the mirror
    QVERIFY2(qAbs(v2Latency[0].toDouble() - 17.0) < 0.2, qPrintable(v2Latency[0]));
    QCOMPARE(t->item(1, 0)->text(), QStringLiteral("GET /users/{id}"));
    QVERIFY(t->item(1, 4)->text().startsWith(QStringLiteral("100")));
    QCOMPARE(t->item(1, 5)->text(), QStringLiteral("$.message (2)"));
    // Header labels are shown whole ("v2 (mirror) p50 / p99 ms" is wider than its numbers).
    for (int c = 0; c < t->columnCount(); ++c)
        QVERIFY2(t->horizontalHeader()->sectionSize(c) >= t->horizontalHeader()->sectionSizeHint(c),
                 qPrintable(t->horizontalHeaderItem(c)->text()));

    // The next refresh updates the same bars in place: 4 of 20 pairs now differ.
    QBarSet *shown = rates->barSets().first();
    f.add(10, ok);
    d.refresh();
    QCOMPARE(rates->count(), 1);
    QCOMPARE(rates->barSets().first(), shown);
    QCOMPARE(shown->at(0), 20.0);
    QCOMPARE(shown->at(1), 10.0);
    QCOMPARE(delta->barSets().first()->sum(), 20.0);
    QCOMPARE(m->item(0, 0)->text(), QStringLiteral("18"));
}

void TestDashboard::eachMirrorHasItsOwnColour()
{
    Fixture f;
    Ui::DashboardWidget d;
    d.setHub(&f.hub);
    Spec two;
    two.mirrors = 2;
    f.add(10, two);
    f.now += 2000;
    d.refresh();
    QLineSeries *v3 = d.rateSeries(QStringLiteral("v3 (mirror)"));
    QVERIFY(v3);
    QCOMPARE(d.rateSeries(QStringLiteral("v2 (mirror)")), d.rateSeries(Timeline::Mirror));
    QVERIFY(v3->pen().color() != Ui::Palette::mirror());
    QVERIFY(v3->pen().color() != Ui::Palette::primary());
    QCOMPARE(sumY(v3->points()), 10.0);
    QCOMPARE(d.mismatchBars()->count(), 2); // one bar set per primary x mirror pair
    // Two pairs: the bar charts need their legend to tell the pairs apart.
    QVERIFY(d.mismatchBars()->chart()->legend()->isVisible());
    QVERIFY(d.deltaBars()->chart()->legend()->isVisible());
    QVERIFY(d.statusVersionBox()->findText(QStringLiteral("v3 (mirror)")) >= 0);
}

void TestDashboard::chartsExportAsPng()
{
    Fixture f;
    Ui::DashboardWidget d;
    d.resize(1200, 800);
    d.setHub(&f.hub);
    f.add(5);
    d.refresh();
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("charts.png"));
    QString error;
    QVERIFY2(d.saveChartsPng(path, &error), qPrintable(error));
    QImage image(path);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() > 400 && image.height() > 300);
    // A folder that does not exist: an error naming the file, no crash.
    const QString bad = dir.filePath(QStringLiteral("missing/charts.png"));
    QVERIFY(!d.saveChartsPng(bad, &error));
    QVERIFY(error.contains(bad));
}

QTEST_MAIN(TestDashboard)
#include "tst_dashboard.moc"
