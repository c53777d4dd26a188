#include "dashboardwidget.h"

#include "dashboard/palette.h"
#include "observe/hub.h"
#include "widgets/livelabel.h"

#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFileDialog>
#include <QGraphicsLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QLocale>
#include <QMessageBox>
#include <QPen>
#include <QPixmap>
#include <QPushButton>
#include <QSet>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace Ui {

namespace {

// 4 Hz: the hub rebuilds its snapshot at most once per new second or batch, so more would only
// redraw the same data.
constexpr int kRefreshMs = 250;
constexpr int kMinVisibleSeconds = 60;
// Upper bounds (ms) of the latency delta bins; the last bin is everything above.
constexpr double kDeltaEdges[] = {-30, -10, -3, 0, 3, 10, 30};
constexpr int kDeltaBins = int(sizeof(kDeltaEdges) / sizeof(kDeltaEdges[0])) + 1;

QFont smaller(QFont font)
{
    font.setPointSizeF(font.pointSizeF() * 0.85);
    return font;
}

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
    chart->legend()->setFont(smaller(chart->legend()->font()));
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
    // A new range re-lays out the chart (labels, plot area): keep the one shown while the data
    // still fits it and fills more than a third of it.
    const double wanted = std::max(max * 1.1, minimum);
    if (axis->min() == 0 && axis->max() >= wanted && axis->max() <= wanted * 3 &&
        axis->tickCount() <= 3)
        return;
    axis->setRange(0, wanted);
    axis->applyNiceNumbers();
    // The charts are short: more than three labels overlap and Qt elides them all to "...".
    if (axis->tickCount() > 3)
        axis->setTickCount(3);
}

double maxY(const QList<QPointF> &points)
{
    double m = 0;
    for (const QPointF &p : points)
        m = std::max(m, p.y());
    return m;
}

int deltaBin(double ms)
{
    for (int i = 0; i < kDeltaBins - 1; ++i)
        if (ms < kDeltaEdges[i])
            return i;
    return kDeltaBins - 1;
}

QString statusName(int code)
{
    return code ? QString::number(code) : QObject::tr("failed");
}

QString percent(double ratio)
{
    return QLocale().toString(ratio * 100.0, 'f', ratio > 0 && ratio < 0.1 ? 2 : 1) +
           QStringLiteral(" %");
}

QString latencyText(const Observe::LatencySummary &l)
{
    if (!l.count)
        return QStringLiteral("—");
    return QStringLiteral("%1 / %2").arg(QLocale().toString(l.p50Us / 1000.0, 'f', 1),
                                         QLocale().toString(l.p99Us / 1000.0, 'f', 1));
}

void setCell(QTableWidget *table, int row, int column, const QString &text,
             const QBrush &background = QBrush(), Qt::Alignment align = Qt::AlignRight)
{
    QTableWidgetItem *item = table->item(row, column);
    if (!item) {
        item = new QTableWidgetItem;
        item->setTextAlignment(align | Qt::AlignVCenter);
        table->setItem(row, column, item);
    }
    if (item->text() != text)
        item->setText(text);
    if (item->background() != background)
        item->setBackground(background);
}

} // namespace

QStringList DashboardWidget::deltaCategories()
{
    // Each bin by where it starts (the chart is narrow): "−∞", "-30", ..., "≥30" = 30 ms and up.
    // The first one was "<-30", a character wider than the rest: Qt Charts dropped it at the
    // default window size.
    QStringList out;
    const QLocale l;
    out << QStringLiteral("−∞");
    for (int i = 0; i < kDeltaBins - 1; ++i)
        out << l.toString(kDeltaEdges[i]);
    out.last() = QStringLiteral("≥%1").arg(l.toString(kDeltaEdges[kDeltaBins - 2]));
    return out;
}

DashboardWidget::DashboardWidget(QWidget *parent) : QWidget(parent)
{
    m_rateChart = makeChart(tr("Requests per second (x: s since Start)"));
    m_rateX =
        addAxis(m_rateChart, Qt::AlignBottom, tr("seconds since Start"), QStringLiteral("%d"));
    m_rateY = addAxis(m_rateChart, Qt::AlignLeft, QString(), QStringLiteral("%g"));
    m_latencyChart = makeChart(tr("Latency ms: p50 solid, p99 dashed"));
    m_latencyX =
        addAxis(m_latencyChart, Qt::AlignBottom, tr("seconds since Start"), QStringLiteral("%d"));
    m_latencyY = addAxis(m_latencyChart, Qt::AlignLeft, QString(), QStringLiteral("%g"));
    for (QValueAxis *x : {m_rateX, m_latencyX}) {
        x->setTickType(QValueAxis::TicksDynamic);
        x->setTickAnchor(0);
        x->setTitleVisible(false); // the charts are short: the labels need the height
    }
    // The fixed slots: tests and the legend have them before the first exchange.
    slotFor(QStringLiteral("v1"), false).placeholder = true;
    slotFor(QStringLiteral("v2 (mirror)"), true).placeholder = true;

    QChart *status = makeChart(tr("Status classes per second (stacked)"));
    m_statusX = addAxis(status, Qt::AlignBottom, tr("seconds since Start"), QStringLiteral("%d"));
    m_statusX->setTitleVisible(false);
    m_statusX->setTickType(QValueAxis::TicksDynamic);
    m_statusX->setTickAnchor(0);
    m_statusY = addAxis(status, Qt::AlignLeft, QString(), QStringLiteral("%g"));
    static const int hundreds[Timeline::ClassCount] = {2, 3, 4, 5, 0};
    for (int c = 0; c < Timeline::ClassCount; ++c) {
        StatusBand &band = m_status[c];
        band.upper = new QLineSeries(status);
        band.lower = c ? new QLineSeries(status) : nullptr;
        band.area = new QAreaSeries(band.upper, band.lower);
        band.area->setName(Timeline::className(Timeline::Class(c)));
        const QColor colour = Palette::statusClass(hundreds[c]);
        band.area->setColor(colour);
        band.area->setBorderColor(colour.darker(120));
        status->addSeries(band.area);
        band.area->attachAxis(m_statusX);
        band.area->attachAxis(m_statusY);
    }
    m_statusVersion = new QComboBox(this);
    m_statusVersion->setToolTip(tr("Whose status classes the stacked chart shows"));
    m_statusVersion->addItem(QStringLiteral("v1"));
    connect(m_statusVersion, &QComboBox::currentTextChanged, this, [this] {
        m_forceRedraw = true;
        refresh();
    });

    // At the default window size a chart is about 200 x 150 px: the mismatch kinds under
    // vertical bars were elided to "hea...". On their side, each label is whole on the left.
    // (The delta's eight bins stay columns, a distribution read left to right; its tooltip
    // names the bins when the window is too small for their labels.)
    QChart *delta = makeChart(tr("Latency delta, mirror − v1 (ms, bins from)"));
    m_deltaSeries = new QBarSeries(delta);
    delta->addSeries(m_deltaSeries);
    auto *deltaBins = new QBarCategoryAxis(delta);
    deltaBins->append(deltaCategories());
    QFont tiny = deltaBins->labelsFont();
    tiny.setPointSizeF(tiny.pointSizeF() * 0.8);
    deltaBins->setLabelsFont(tiny);
    delta->addAxis(deltaBins, Qt::AlignBottom);
    m_deltaSeries->attachAxis(deltaBins);
    m_deltaY = addAxis(delta, Qt::AlignLeft, tr("pairs"), QStringLiteral("%g"));
    m_deltaSeries->attachAxis(m_deltaY);
    delta->setToolTip(tr("How much slower (positive) or faster the mirror answered than v1, "
                         "in pairs per bin: below −30 ms, then from −30, −10, −3, 0, 3, 10 "
                         "and 30 ms on"));

    QChart *mismatch = makeChart(tr("Mismatches (% of compared pairs)"));
    m_mismatchSeries = new QHorizontalBarSeries(mismatch);
    mismatch->addSeries(m_mismatchSeries);
    auto *mismatchKinds = new QBarCategoryAxis(mismatch);
    mismatchKinds->append({tr("any"), tr("status"), tr("headers"), tr("body")});
    mismatch->setToolTip(tr("Share of compared pairs that differ: in anything, in the status "
                            "code, in the headers, in the body"));
    mismatch->addAxis(mismatchKinds, Qt::AlignLeft);
    m_mismatchSeries->attachAxis(mismatchKinds);
    m_mismatchY = addAxis(mismatch, Qt::AlignBottom, QString(), QStringLiteral("%d"));
    m_mismatchSeries->attachAxis(m_mismatchY);

    m_matrix = new QTableWidget(this);
    m_matrix->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_matrix->setSelectionMode(QAbstractItemView::NoSelection);
    m_matrix->setFocusPolicy(Qt::NoFocus);
    m_matrix->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_matrix->verticalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_matrix->setToolTip(tr("Rows: the primary's status; columns: the mirror's. Off the "
                            "diagonal, the mirror answered differently."));
    // Rewritten on every refresh: a LiveLabel, so new figures never relayout the window.
    auto *mismatchText = new LiveLabel(this);
    m_mismatchText = mismatchText->label();
    m_mismatchText->setWordWrap(true);

    m_endpoints = new QTableWidget(this);
    m_endpoints->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_endpoints->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_endpoints->verticalHeader()->hide();
    m_endpoints->horizontalHeader()->setStretchLastSection(true);
    m_endpoints->setToolTip(tr("Per endpoint over the whole run: latency as p50 / p99 ms per "
                               "version, the share of compared pairs that differ, and the "
                               "field that differs most often"));

    m_window = new QComboBox(this);
    m_window->addItem(tr("Last minute"), 60);
    m_window->addItem(tr("Last 5 minutes"), 300);
    m_window->addItem(tr("Whole run"), 0);
    m_window->setCurrentIndex(1);
    m_window->setToolTip(tr("Time span of the charts over time"));
    connect(m_window, &QComboBox::currentIndexChanged, this,
            [this](int) { setWindowSeconds(m_window->currentData().toInt()); });
    m_exportPng = new QPushButton(tr("Export Charts as PNG…"), this);
    connect(m_exportPng, &QPushButton::clicked, this, &DashboardWidget::exportChartsPng);

    // Charts in one widget so the PNG holds them all as they are laid out.
    m_charts = new QWidget(this);
    auto *grid = new QGridLayout(m_charts);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(makeView(m_rateChart), 0, 0);
    grid->addWidget(makeView(m_latencyChart), 0, 1);
    grid->addWidget(makeView(status), 0, 2);
    grid->addWidget(makeView(delta), 1, 0);
    grid->addWidget(makeView(mismatch), 1, 1);
    auto *matrixBox = new QWidget(m_charts);
    auto *matrixLayout = new QVBoxLayout(matrixBox);
    matrixLayout->setContentsMargins(4, 0, 4, 0);
    matrixLayout->addWidget(
        new QLabel(tr("<b>Status codes, v1 × mirror</b> (whole run)"), matrixBox));
    matrixLayout->addWidget(m_matrix, 1);
    matrixLayout->addWidget(mismatchText);
    grid->addWidget(matrixBox, 1, 2);
    for (int c = 0; c < 3; ++c)
        grid->setColumnStretch(c, 1);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("<b>Dashboard</b>"), this));
    bar->addStretch(1);
    bar->addWidget(new QLabel(tr("Status classes of:"), this));
    bar->addWidget(m_statusVersion);
    bar->addWidget(new QLabel(tr("Window:"), this));
    bar->addWidget(m_window);
    bar->addWidget(m_exportPng);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_charts);
    split->addWidget(m_endpoints);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(split, 1);

    m_tick.setObjectName(QStringLiteral("dashboardRefresh")); // names it in profiles
    m_tick.setInterval(kRefreshMs);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        // Hidden (the Editor page is in front): nothing to paint; showEvent catches up.
        if (isVisible())
            refreshInStages();
        else
            m_staleWhileHidden = true;
    });
    reset();
}

DashboardWidget::~DashboardWidget() = default;

QChartView *DashboardWidget::makeView(QChart *chart)
{
    auto *view = new QChartView(chart, m_charts ? m_charts : this);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(200, 150);
    return view;
}

DashboardWidget::VersionSlot &DashboardWidget::slotFor(const QString &label, bool mirrored)
{
    for (VersionSlot &v : m_versions)
        if (v.label == label) {
            v.placeholder = false;
            return v;
        }
    // A version first seen takes its role's fixed slot while that only holds a placeholder
    // name, else a new one.
    if (m_versions.size() >= 2) {
        VersionSlot &fixed = m_versions[mirrored ? Timeline::Mirror : Timeline::Primary];
        if (fixed.placeholder) {
            fixed.placeholder = false;
            fixed.label = label;
            fixed.rate->setName(label);
            fixed.p50->setName(label + QStringLiteral(" p50"));
            fixed.p99->setName(label + QStringLiteral(" p99"));
            return fixed;
        }
    }
    int ordinal = 0;
    for (const VersionSlot &v : m_versions)
        ordinal += v.mirrored == mirrored ? 1 : 0;
    VersionSlot v;
    v.label = label;
    v.mirrored = mirrored;
    v.colour = Palette::version(mirrored, ordinal);
    // Every request mirrored means two equal rate lines: the primary is drawn wide beneath the
    // thin mirror line so both stay visible, and a gap between them is a mirror not sent.
    v.rate = addLine(m_rateChart, label, v.colour, false, mirrored ? 2.0 : 5.0);
    v.p50 = addLine(m_latencyChart, label + QStringLiteral(" p50"), v.colour, false);
    v.p99 = addLine(m_latencyChart, label + QStringLiteral(" p99"), v.colour, true);
    v.rate->attachAxis(m_rateX);
    v.rate->attachAxis(m_rateY);
    for (QLineSeries *s : {v.p50, v.p99}) {
        s->attachAxis(m_latencyX);
        s->attachAxis(m_latencyY);
    }
    m_versions << v;
    return m_versions.last();
}

QLineSeries *DashboardWidget::rateSeries(Timeline::Role role) const
{
    return m_versions.value(role).rate;
}

QLineSeries *DashboardWidget::latencySeries(Timeline::Role role, bool p99) const
{
    const VersionSlot v = m_versions.value(role);
    return p99 ? v.p99 : v.p50;
}

QLineSeries *DashboardWidget::rateSeries(const QString &versionLabel) const
{
    for (const VersionSlot &v : m_versions)
        if (v.label == versionLabel)
            return v.rate;
    return nullptr;
}

QColor DashboardWidget::versionColour(const QString &versionLabel) const
{
    for (const VersionSlot &v : m_versions)
        if (v.label == versionLabel)
            return v.colour;
    return QColor();
}

void DashboardWidget::setHub(Observe::Hub *hub)
{
    m_hub = hub;
    reset();
}

void DashboardWidget::reset()
{
    m_shown.reset();
    m_staged.reset();
    m_forceRedraw = true;
    for (int i = 0; i < m_versions.size() && i < 2; ++i)
        m_versions[i].placeholder = true; // the next run's first versions take them
    clearCharts();
}

void DashboardWidget::clearCharts()
{
    for (const VersionSlot &v : m_versions)
        for (QLineSeries *s : {v.rate, v.p50, v.p99})
            s->clear();
    for (StatusBand &b : m_status) {
        b.upper->clear();
        if (b.lower)
            b.lower->clear();
    }
    m_deltaSeries->clear();
    m_mismatchSeries->clear();
    m_matrix->clear();
    m_matrix->setRowCount(0);
    m_matrix->setColumnCount(0);
    m_endpoints->clear();
    m_endpoints->setRowCount(0);
    m_endpoints->setColumnCount(0);
    m_mismatchText->setText(tr("No pairs compared yet."));
    for (QValueAxis *x : {m_rateX, m_latencyX, m_statusX})
        x->setRange(0, kMinVisibleSeconds);
}

void DashboardWidget::setLive(bool live)
{
    m_live = live;
    if (live) {
        m_tick.start();
    } else {
        m_tick.stop();
        refresh(); // the run's last numbers, then hold still
    }
}

void DashboardWidget::setWindowSeconds(int seconds)
{
    if (seconds == m_windowSeconds)
        return;
    m_windowSeconds = seconds;
    const int index = m_window->findData(seconds);
    if (index >= 0 && index != m_window->currentIndex())
        m_window->setCurrentIndex(index);
    m_forceRedraw = true;
    refresh();
}

void DashboardWidget::refresh()
{
    if (!m_hub)
        return;
    std::shared_ptr<const Observe::Snapshot> s = m_hub->snapshot();
    if (!s || (s == m_shown && !m_forceRedraw))
        return; // the same snapshot: nothing moved
    m_shown = s;
    m_forceRedraw = false;
    draw(*s);
}

void DashboardWidget::refreshInStages()
{
    if (!m_hub || m_staged)
        return; // the last tick's stages are still queued: they draw the newest data anyway
    std::shared_ptr<const Observe::Snapshot> s = m_hub->snapshot();
    if (!s || (s == m_shown && !m_forceRedraw))
        return;
    m_shown = s;
    m_forceRedraw = false;
    // One tick's redraw as three events, so the event loop runs in between (a click, a key, a
    // paint): drawn at once, a tick that re-lays out the charts (an axis range growing with
    // the data, the first bars) took 20-30 ms of the GUI thread in one piece.
    m_staged = s;
    drawVersions(*s);
    drawTime(*s);
    QMetaObject::invokeMethod(
        this,
        [this, s] {
            if (m_staged != s)
                return; // reset, or redrawn at once meanwhile
            drawPairs(*s);
            QMetaObject::invokeMethod(
                this,
                [this, s] {
                    if (m_staged != s)
                        return;
                    m_staged.reset();
                    drawMatrix(*s);
                    drawEndpoints(*s);
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void DashboardWidget::drawVersions(const Observe::Snapshot &s)
{
    // Keep the version picker in step with what the run has seen.
    for (const Observe::VersionSummary &v : s.versions) {
        slotFor(v.label, v.mirrored);
        if (m_statusVersion->findText(v.label) < 0)
            m_statusVersion->addItem(v.label);
    }
}

void DashboardWidget::draw(const Observe::Snapshot &s)
{
    m_staged.reset(); // drawn whole now: what is still queued of a tick would be older
    drawVersions(s);
    drawTime(s);
    drawPairs(s);
    drawMatrix(s);
    drawEndpoints(s);
}

void DashboardWidget::drawTime(const Observe::Snapshot &s)
{
    // Whole seconds (the points are per second at the finest): a new range re-lays out all
    // three charts' axis labels, and once the run is past the first minute the range would
    // otherwise move on every tick.
    const double elapsed = std::ceil(double(s.nowMs - s.startMs) / 1000.0);
    // The axis grows with the run until the window is full, then moves with the clock.
    const double xMax = std::max<double>(elapsed, kMinVisibleSeconds);
    const double xMin = m_windowSeconds > 0 ? std::max<double>(0, xMax - m_windowSeconds) : 0;
    double rateMax = 0, latencyMax = 0, statusMax = 0;
    const QString statusOf = m_statusVersion->currentText();
    bool statusDrawn = false;
    for (const Observe::VersionSeries &series : s.series) {
        VersionSlot &v = slotFor(series.label, series.mirrored);
        const Timeline::Points p = Timeline::points(series, s.startMs, s.nowMs, m_windowSeconds);
        // One replace() per series per tick: never a point appended per request.
        v.rate->replace(p.rate);
        v.p50->replace(p.p50Ms);
        v.p99->replace(p.p99Ms);
        rateMax = std::max(rateMax, maxY(p.rate));
        latencyMax = std::max({latencyMax, maxY(p.p50Ms), maxY(p.p99Ms)});
        if (series.label != statusOf)
            continue;
        statusDrawn = true;
        QList<QPointF> below;
        for (int c = 0; c < Timeline::ClassCount; ++c) {
            QList<QPointF> upper = p.classRate[size_t(c)];
            for (qsizetype i = 0; i < upper.size() && i < below.size(); ++i)
                upper[i].ry() += below[i].y();
            if (m_status[c].lower)
                m_status[c].lower->replace(below);
            m_status[c].upper->replace(upper);
            below = upper;
        }
        statusMax = maxY(below);
    }
    if (!statusDrawn)
        for (StatusBand &b : m_status) {
            b.upper->clear();
            if (b.lower)
                b.lower->clear();
        }
    // Time ticks on whole, round seconds whatever the range.
    const double span = xMax - xMin;
    const double step = span <= 60 ? 10 : span <= 300 ? 60 : span <= 3600 ? 600 : 3600;
    for (QValueAxis *x : {m_rateX, m_latencyX, m_statusX}) {
        if (x->min() != xMin || x->max() != xMax)
            x->setRange(xMin, xMax);
        // Each setter re-lays out the chart even when the value is the same: set on change.
        if (x->tickInterval() != step)
            x->setTickInterval(step);
        if (x->tickAnchor() != 0)
            x->setTickAnchor(0);
        if (x->tickType() != QValueAxis::TicksDynamic)
            x->setTickType(QValueAxis::TicksDynamic);
    }
    setNiceRange(m_rateY, rateMax, 5);
    setNiceRange(m_latencyY, latencyMax, 1);
    setNiceRange(m_statusY, statusMax, 5);
}

namespace {

// Bar sets are kept from tick to tick and only their changed values set: a new set re-creates
// its chart items and legend marker, which cost more than everything else a tick draws.
// QAbstractBarSeries::remove() deletes the set with deleteLater(), which leaves it to whoever
// runs the event loop next (and leaks it when nobody does); clear() deletes at once, and so does
// this, for one set.
void deleteBarSet(QAbstractBarSeries *series, QBarSet *set)
{
    if (series->take(set))
        delete set;
}

void updateBarSet(QAbstractBarSeries *series, int index, const QString &name, const QColor &colour,
                  const QList<qreal> &values)
{
    const QList<QBarSet *> sets = series->barSets();
    QBarSet *set = sets.value(index);
    if (!set || set->count() != values.size()) {
        // Parented here: QAbstractBarSeries::insert(), unlike append(), does not take ownership.
        auto *fresh = new QBarSet(name, series);
        fresh->setColor(colour);
        fresh->append(values);
        if (set)
            deleteBarSet(series, set);
        series->insert(index, fresh);
        return;
    }
    if (set->label() != name)
        set->setLabel(name);
    if (set->color() != colour)
        set->setColor(colour);
    for (int i = 0; i < values.size(); ++i)
        if (set->at(i) != values[i])
            set->replace(i, values[i]);
}

void trimBarSets(QAbstractBarSeries *series, int count)
{
    while (series->count() > count)
        deleteBarSet(series, series->barSets().last());
}

} // namespace

void DashboardWidget::drawPairs(const Observe::Snapshot &s)
{
    double deltaMax = 0, mismatchMax = 0;
    int index = 0;
    for (const Observe::PairSummary &pair : s.pairings) {
        const QString name = s.pairings.size() > 1
                                 ? pair.mirror + QStringLiteral(" vs ") + pair.primary
                                 : pair.mirror;
        const QColor colour =
            versionColour(pair.mirror).isValid() ? versionColour(pair.mirror) : Palette::mirror();
        QList<qreal> bins(kDeltaBins, 0.0);
        for (const auto &b : pair.latencyDeltaBuckets)
            bins[deltaBin(double(b.lower + b.upper) / 2000.0)] += double(b.count);
        updateBarSet(m_deltaSeries, index, name, colour, bins);
        deltaMax = std::max(deltaMax, *std::max_element(bins.begin(), bins.end()));

        const QList<qreal> rates = {
            pair.rate(pair.mismatches) * 100, pair.rate(pair.statusMismatches) * 100,
            pair.rate(pair.headerMismatches) * 100, pair.rate(pair.bodyMismatches) * 100};
        updateBarSet(m_mismatchSeries, index, name, colour, rates);
        mismatchMax = std::max(mismatchMax, *std::max_element(rates.begin(), rates.end()));
        ++index;
    }
    trimBarSets(m_deltaSeries, index);
    trimBarSets(m_mismatchSeries, index);
    // One pair: its bars have the mirror's colour and the titles name it; the legend's line
    // would take the height the category labels need.
    for (QAbstractBarSeries *series :
         {static_cast<QAbstractBarSeries *>(m_deltaSeries), m_mismatchSeries})
        if (series->chart()->legend()->isVisible() != (index > 1))
            series->chart()->legend()->setVisible(index > 1);
    setNiceRange(m_deltaY, deltaMax, 5);
    // Percentages: 0..100 once anything is large, else a round range just above the data.
    if (mismatchMax > 50) {
        if (m_mismatchY->min() != 0 || m_mismatchY->max() != 100)
            m_mismatchY->setRange(0, 100);
    } else {
        setNiceRange(m_mismatchY, mismatchMax, 5);
    }

    const Observe::PairSummary &all = s.pairing;
    if (!all.comparable) {
        m_mismatchText->setText(tr("No pairs compared yet."));
        return;
    }
    const QLocale l;
    m_mismatchText->setText(
        tr("<b>%1</b> of %2 compared pairs differ: status %3, headers %4, body %5. "
           "Latency delta p50 %6 ms, p99 %7 ms.")
            .arg(percent(all.rate(all.mismatches)), l.toString(all.comparable),
                 percent(all.rate(all.statusMismatches)), percent(all.rate(all.headerMismatches)),
                 percent(all.rate(all.bodyMismatches)),
                 l.toString(all.latencyDelta.p50Us / 1000.0, 'f', 1),
                 l.toString(all.latencyDelta.p99Us / 1000.0, 'f', 1)));
}

void DashboardWidget::drawMatrix(const Observe::Snapshot &s)
{
    const auto &matrix = s.pairing.statusMatrix;
    QList<int> rows, columns;
    for (auto it = matrix.cbegin(); it != matrix.cend(); ++it) {
        if (!rows.contains(it.key().first))
            rows << it.key().first;
        if (!columns.contains(it.key().second))
            columns << it.key().second;
    }
    std::sort(rows.begin(), rows.end());
    std::sort(columns.begin(), columns.end());
    const QString primary = s.pairings.isEmpty() ? QStringLiteral("v1") : s.pairings[0].primary;
    QString mirror = s.pairings.size() == 1 ? s.pairings[0].mirror : tr("mirror");
    mirror.remove(QStringLiteral(" (mirror)")); // the headers are narrow; the title says it
    if (m_matrix->rowCount() != rows.size() || m_matrix->columnCount() != columns.size()) {
        m_matrix->clear();
        m_matrix->setRowCount(int(rows.size()));
        m_matrix->setColumnCount(int(columns.size()));
    }
    // A new header item re-lays out the header: only when the text changes.
    auto header = [](QTableWidgetItem *item, const QString &text) {
        return item && item->text() == text ? nullptr : new QTableWidgetItem(text);
    };
    for (int r = 0; r < rows.size(); ++r) {
        if (auto *item = header(m_matrix->verticalHeaderItem(r),
                                primary + QLatin1Char(' ') + statusName(rows[r])))
            m_matrix->setVerticalHeaderItem(r, item);
        for (int c = 0; c < columns.size(); ++c) {
            if (r == 0)
                if (auto *item = header(m_matrix->horizontalHeaderItem(c),
                                        mirror + QLatin1Char(' ') + statusName(columns[c])))
                    m_matrix->setHorizontalHeaderItem(c, item);
            const quint64 n = matrix.value({rows[r], columns[c]});
            const bool differs = n && rows[r] != columns[c];
            setCell(m_matrix, r, c, n ? QLocale().toString(n) : QString(),
                    differs ? QBrush(Palette::mismatch()) : QBrush(), Qt::AlignCenter);
        }
    }
}

void DashboardWidget::drawEndpoints(const Observe::Snapshot &s)
{
    QStringList headers = {tr("Endpoint"), tr("Requests")};
    for (const Observe::VersionSummary &v : s.versions)
        headers << tr("%1 p50 / p99 ms").arg(v.label);
    headers << tr("Mismatch") << tr("Top differing field");
    bool resize = m_endpoints->rowCount() != s.endpoints.size();
    if (m_endpoints->columnCount() != headers.size())
        m_endpoints->setColumnCount(int(headers.size()));
    for (int c = 0; c < headers.size(); ++c) {
        QTableWidgetItem *h = m_endpoints->horizontalHeaderItem(c);
        if (!h || h->text() != headers[c]) {
            auto *item = new QTableWidgetItem(headers[c]);
            if (c >= 2 && c < 2 + s.versions.size()) {
                const QString label = s.versions[c - 2].label;
                item->setForeground(versionColour(label));
            }
            m_endpoints->setHorizontalHeaderItem(c, item);
            resize = true;
        }
    }
    m_endpoints->setRowCount(int(s.endpoints.size()));
    const QLocale l;
    for (int r = 0; r < s.endpoints.size(); ++r) {
        const Observe::GroupSummary &g = s.endpoints[r];
        setCell(m_endpoints, r, 0, g.key, QBrush(), Qt::AlignLeft);
        setCell(m_endpoints, r, 1, l.toString(g.exchanges));
        int c = 2;
        for (const Observe::VersionSummary &v : s.versions) {
            QString text = QStringLiteral("—");
            for (const Observe::VersionSummary &gv : g.versions)
                if (gv.label == v.label)
                    text = latencyText(gv.latency);
            setCell(m_endpoints, r, c++, text);
        }
        const Observe::PairSummary &p = g.pairing;
        setCell(m_endpoints, r, c++,
                p.comparable ? percent(p.rate(p.mismatches)) : QStringLiteral("—"),
                p.mismatches ? QBrush(Palette::mismatch()) : QBrush());
        QString top;
        for (const Observe::FieldStat &f : p.topFields) {
            if (f.count <= f.noisy)
                continue; // only learned noise: not a difference that counts
            top = (f.where == Observe::FieldStat::Where::Header ? tr("header %1") : tr("%1"))
                      .arg(f.path) +
                  QStringLiteral(" (%1)").arg(l.toString(f.count - f.noisy));
            break;
        }
        setCell(m_endpoints, r, c, top, QBrush(), Qt::AlignLeft);
    }
    // Whole header labels ("v2 (mirror) p50 / p99 ms") and endpoint names: sized when the
    // columns or the endpoints change, not on every tick (that measures every cell).
    if (resize && !s.endpoints.isEmpty())
        m_endpoints->resizeColumnsToContents();
}

void DashboardWidget::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    // Back in front: what the skipped ticks would have drawn, now (unchanged data costs
    // nothing: refresh() compares the snapshot).
    if (m_live || m_staleWhileHidden) {
        m_staleWhileHidden = false;
        refresh();
    }
}

bool DashboardWidget::saveChartsPng(const QString &path, QString *error) const
{
    const QPixmap image = m_charts->grab();
    if (image.isNull() || !image.save(path, "PNG")) {
        if (error)
            *error = tr("Cannot write %1").arg(path);
        return false;
    }
    return true;
}

void DashboardWidget::exportChartsPng()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Charts as PNG"),
                                                      QStringLiteral("mirrorscope-charts.png"),
                                                      tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!saveChartsPng(path, &error))
        QMessageBox::warning(this, tr("Export Charts"), error);
}

} // namespace Ui
