#include "dashboardwidget.h"

#include "dashboard/palette.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QGraphicsLayout>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QPen>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

namespace Ui {

namespace {

constexpr int kRefreshMs = 300;
constexpr int kMinVisibleSeconds = 60;
// The classes the bars and the matrix show (1xx is left out: a proxy hardly ever sees it).
constexpr Timeline::Class kShown[] = {Timeline::C2xx, Timeline::C3xx, Timeline::C4xx,
                                      Timeline::C5xx, Timeline::CFailed};
constexpr int kShownCount = int(sizeof(kShown) / sizeof(kShown[0]));

QLineSeries *addLine(QChart *chart, const QString &name, const QColor &colour, bool dashed,
                     double width = 2.0)
{
    auto *series = new QLineSeries(chart);
    series->setName(name);
    QPen pen(colour);
    pen.setWidthF(dashed ? 1.6 : width);
    if (dashed)
        pen.setStyle(Qt::DashLine);
    series->setPen(pen);
    chart->addSeries(series);
    return series;
}

QChart *makeChart(const QString &title)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    QFont f = chart->titleFont();
    f.setBold(true);
    chart->setTitleFont(f);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    chart->setBackgroundRoundness(0);
    chart->setAnimationOptions(QChart::NoAnimation); // redrawn every tick: animation would lag
    return chart;
}

QValueAxis *addAxis(QChart *chart, Qt::Alignment where, const QString &title, const QString &format)
{
    auto *axis = new QValueAxis(chart);
    axis->setTitleText(title);
    axis->setLabelFormat(format);
    chart->addAxis(axis, where);
    return axis;
}

// 0 .. a round number above the data, with round ticks; never a flat zero-height axis.
void setNiceRange(QValueAxis *axis, double max, double minimum)
{
    axis->setRange(0, std::max(max * 1.1, minimum));
    axis->applyNiceNumbers();
}

double maxY(const QList<QPointF> &points)
{
    double m = 0;
    for (const QPointF &p : points)
        m = std::max(m, p.y());
    return m;
}

} // namespace

DashboardWidget::DashboardWidget(QWidget *parent) : QWidget(parent)
{
    const QString v1 = QStringLiteral("v1"), v2 = QStringLiteral("v2 (mirror)");

    QChart *rate = makeChart(tr("Requests per second"));
    // Every request mirrored means two equal lines: v1 is drawn wide beneath the thin mirror
    // line so both stay visible, and a gap between them is a mirror that did not go out.
    m_rate[Timeline::Primary] = addLine(rate, v1, Palette::primary(), false, 5.0);
    m_rate[Timeline::Mirror] = addLine(rate, v2, Palette::mirror(), false, 2.0);
    m_rateX = addAxis(rate, Qt::AlignBottom, tr("seconds since Start"), QStringLiteral("%d"));
    m_rateX->setTickType(QValueAxis::TicksDynamic);
    m_rateX->setTickAnchor(0);
    m_rateY = addAxis(rate, Qt::AlignLeft, QString(), QStringLiteral("%g"));
    for (QLineSeries *s : m_rate) {
        s->attachAxis(m_rateX);
        s->attachAxis(m_rateY);
    }

    QChart *latency = makeChart(tr("Latency (ms): p50 solid, p99 dashed"));
    m_latency[Timeline::Primary][0] =
        addLine(latency, v1 + QStringLiteral(" p50"), Palette::primary(), false);
    m_latency[Timeline::Primary][1] =
        addLine(latency, v1 + QStringLiteral(" p99"), Palette::primary(), true);
    m_latency[Timeline::Mirror][0] =
        addLine(latency, QStringLiteral("v2 p50"), Palette::mirror(), false);
    m_latency[Timeline::Mirror][1] =
        addLine(latency, QStringLiteral("v2 p99"), Palette::mirror(), true);
    m_latencyX = addAxis(latency, Qt::AlignBottom, tr("seconds since Start"), QStringLiteral("%d"));
    m_latencyX->setTickType(QValueAxis::TicksDynamic);
    m_latencyX->setTickAnchor(0);
    m_latencyY = addAxis(latency, Qt::AlignLeft, QString(), QStringLiteral("%g"));
    for (auto &pair : m_latency)
        for (QLineSeries *s : pair) {
            s->attachAxis(m_latencyX);
            s->attachAxis(m_latencyY);
        }

    QChart *bars = makeChart(tr("Status classes"));
    auto *barSeries = new QBarSeries(bars);
    m_bars[Timeline::Primary] = new QBarSet(v1, barSeries);
    m_bars[Timeline::Mirror] = new QBarSet(v2, barSeries);
    m_bars[Timeline::Primary]->setColor(Palette::primary());
    m_bars[Timeline::Mirror]->setColor(Palette::mirror());
    QStringList categories;
    for (Timeline::Class c : kShown) {
        categories << Timeline::className(c);
        for (QBarSet *set : m_bars)
            set->append(0);
    }
    for (QBarSet *set : m_bars)
        barSeries->append(set);
    bars->addSeries(barSeries);
    auto *barsX = new QBarCategoryAxis(bars);
    barsX->append(categories);
    bars->addAxis(barsX, Qt::AlignBottom);
    barSeries->attachAxis(barsX);
    m_barsY = addAxis(bars, Qt::AlignLeft, QString(), QStringLiteral("%g"));
    barSeries->attachAxis(m_barsY);

    m_matrix = new QTableWidget(kShownCount, kShownCount, this);
    m_matrix->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_matrix->setSelectionMode(QAbstractItemView::NoSelection);
    m_matrix->setFocusPolicy(Qt::NoFocus);
    m_matrix->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_matrix->verticalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_matrix->setToolTip(tr("Rows: the primary's status class; columns: the mirror's. "
                            "Off the diagonal, v2 answered differently."));
    for (int i = 0; i < kShownCount; ++i) {
        const QString name = Timeline::className(kShown[i]);
        m_matrix->setVerticalHeaderItem(i, new QTableWidgetItem(QStringLiteral("v1 ") + name));
        m_matrix->setHorizontalHeaderItem(i, new QTableWidgetItem(QStringLiteral("v2 ") + name));
        for (int j = 0; j < kShownCount; ++j) {
            auto *item = new QTableWidgetItem;
            item->setTextAlignment(Qt::AlignCenter);
            m_matrix->setItem(i, j, item);
        }
    }
    auto *matrixTitle = new QLabel(tr("<b>v1 × v2 status classes</b> (paired exchanges)"), this);

    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(makeView(rate), 0, 0, 2, 1);
    grid->addWidget(makeView(latency), 0, 1, 2, 1);
    grid->addWidget(makeView(bars), 0, 2);
    auto *matrixBox = new QWidget(this);
    auto *matrixLayout = new QVBoxLayout(matrixBox);
    matrixLayout->setContentsMargins(4, 0, 4, 0);
    matrixLayout->addWidget(matrixTitle);
    matrixLayout->addWidget(m_matrix);
    grid->addWidget(matrixBox, 1, 2);
    grid->setColumnStretch(0, 3);
    grid->setColumnStretch(1, 3);
    grid->setColumnStretch(2, 3);
    grid->setRowStretch(0, 3);
    grid->setRowStretch(1, 2);

    m_tick.setInterval(kRefreshMs);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        // While live the time axis moves every tick; stopped, only new data redraws.
        if (m_live || m_dirty)
            refresh();
    });
    m_tick.start();
    reset();
}

QChartView *DashboardWidget::makeView(QChart *chart)
{
    auto *view = new QChartView(chart, this);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(220, 160);
    return view;
}

void DashboardWidget::reset()
{
    m_timeline.reset(QDateTime::currentMSecsSinceEpoch());
    m_frozenAtMs = m_timeline.t0Ms();
    m_dirty = true;
    refresh();
}

void DashboardWidget::setLive(bool live)
{
    if (m_live && !live)
        m_frozenAtMs = QDateTime::currentMSecsSinceEpoch();
    m_live = live;
    m_dirty = true;
}

void DashboardWidget::addExchanges(const QList<Observe::Exchange> &batch)
{
    m_timeline.add(batch);
    m_dirty = true; // drawn at the next tick, however many batches arrive before it
}

void DashboardWidget::refresh()
{
    refreshAt(m_live ? QDateTime::currentMSecsSinceEpoch() : m_frozenAtMs);
}

void DashboardWidget::refreshAt(qint64 now)
{
    m_dirty = false;
    const double elapsed = (now / 1000 - m_timeline.t0Ms() / 1000);
    const double xMax = std::max<double>(elapsed, kMinVisibleSeconds);
    const double xMin = std::max<double>(0, xMax - Timeline::kWindowSeconds);

    double rateMax = 0, latencyMax = 0;
    for (int role : {Timeline::Primary, Timeline::Mirror}) {
        const auto r = Timeline::Role(role);
        const QList<QPointF> rate = m_timeline.rate(r, now);
        rateMax = std::max(rateMax, maxY(rate));
        m_rate[role]->replace(rate);
        for (int p99 : {0, 1}) {
            const QList<QPointF> l = m_timeline.latencyMs(r, p99 ? 0.99 : 0.5, now);
            latencyMax = std::max(latencyMax, maxY(l));
            m_latency[role][p99]->replace(l);
        }
    }
    // Time ticks on whole, round seconds whatever the range (dynamic ticks from 0).
    const double span = xMax - xMin;
    const double step = span <= 60 ? 10 : span <= 120 ? 20 : 60;
    for (QValueAxis *x : {m_rateX, m_latencyX}) {
        x->setRange(xMin, xMax);
        x->setTickInterval(step);
    }
    setNiceRange(m_rateY, rateMax, 5);
    setNiceRange(m_latencyY, latencyMax, 1);

    const QString v1 = m_timeline.label(Timeline::Primary).isEmpty()
                           ? QStringLiteral("v1")
                           : m_timeline.label(Timeline::Primary);
    const QString v2 = m_timeline.label(Timeline::Mirror).isEmpty()
                           ? QStringLiteral("v2")
                           : m_timeline.label(Timeline::Mirror);
    m_rate[Timeline::Primary]->setName(v1);
    m_rate[Timeline::Mirror]->setName(v2 + tr(" (mirror)"));
    m_bars[Timeline::Primary]->setLabel(v1);
    m_bars[Timeline::Mirror]->setLabel(v2 + tr(" (mirror)"));
    m_latency[Timeline::Primary][0]->setName(v1 + QStringLiteral(" p50"));
    m_latency[Timeline::Primary][1]->setName(v1 + QStringLiteral(" p99"));
    m_latency[Timeline::Mirror][0]->setName(v2 + QStringLiteral(" p50"));
    m_latency[Timeline::Mirror][1]->setName(v2 + QStringLiteral(" p99"));

    double barMax = 0;
    for (int role : {Timeline::Primary, Timeline::Mirror})
        for (int i = 0; i < kShownCount; ++i) {
            const double v = double(m_timeline.statusCount(Timeline::Role(role), kShown[i]));
            barMax = std::max(barMax, v);
            if (m_bars[role]->at(i) != v)
                m_bars[role]->replace(i, v);
        }
    setNiceRange(m_barsY, barMax, 5);
    refreshMatrix();
}

void DashboardWidget::refreshMatrix()
{
    for (int i = 0; i < kShownCount; ++i)
        for (int j = 0; j < kShownCount; ++j) {
            const quint64 n = m_timeline.pair(kShown[i], kShown[j]);
            QTableWidgetItem *item = m_matrix->item(i, j);
            const QString text = n ? QString::number(n) : QString();
            if (item->text() != text)
                item->setText(text);
            const bool mismatch = n && i != j;
            item->setBackground(mismatch ? QBrush(Palette::mismatch()) : QBrush());
        }
}

} // namespace Ui
