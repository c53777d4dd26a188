#pragma once

#include "dashboard/timeline.h"

#include <QColor>
#include <QTimer>
#include <QWidget>

#include <memory>

class QAbstractBarSeries;
class QAreaSeries;
class QBarSeries;
class QBarCategoryAxis;
class QBarSet;
class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QLineSeries;
class QPushButton;
class QTableWidget;
class QValueAxis;

namespace Observe {
class Hub;
struct Snapshot;
} // namespace Observe

namespace Ui {

// The run's charts, drawn from the hub's snapshot (Observe::Hub::snapshot()) on a timer of at
// most 4 Hz, whatever the request rate: requests/s and latency p50/p99 over time per version,
// status classes over time (stacked, for one chosen version), the latency delta distribution
// and mismatch rates per primary x mirror pair, the status code matrix and a per-endpoint
// table. Nothing is counted here: the hub's aggregates own the numbers, this only lays them out.
// v1 is blue and each mirror keeps its own colour in every chart (Palette::version).
class DashboardWidget : public QWidget
{
    Q_OBJECT
public:
    explicit DashboardWidget(QWidget *parent = nullptr);
    ~DashboardWidget() override;

    // The hub to read (lives longer than this widget or is reset to nullptr first).
    void setHub(Observe::Hub *hub);
    Observe::Hub *hub() const { return m_hub; }
    // A new run: clear the charts until the hub's next snapshot.
    void reset();
    // Redraw on the timer while running; stopped, draw once more and hold still.
    void setLive(bool live);
    bool isLive() const { return m_live; }

    // Time window of the time charts in seconds; 0 = the whole run.
    void setWindowSeconds(int seconds);
    int windowSeconds() const { return m_windowSeconds; }

    // The first primary version and the first mirror keep fixed series (also before any data).
    QLineSeries *rateSeries(Timeline::Role role) const;
    QLineSeries *latencySeries(Timeline::Role role, bool p99) const;
    QLineSeries *rateSeries(const QString &versionLabel) const;
    // Upper line of a status class's band in the stacked chart (cumulative from 2xx upwards).
    QAreaSeries *statusArea(Timeline::Class c) const { return m_status[c].area; }
    QComboBox *statusVersionBox() const { return m_statusVersion; }
    QComboBox *windowBox() const { return m_window; }
    QBarSeries *deltaBars() const { return m_deltaSeries; }
    // Horizontal bars (QHorizontalBarSeries), "any" at the bottom: values in category order.
    QAbstractBarSeries *mismatchBars() const { return m_mismatchSeries; }
    QTableWidget *matrixView() const { return m_matrix; }
    QTableWidget *endpointTable() const { return m_endpoints; }
    QLabel *mismatchLabel() const { return m_mismatchText; }
    QPushButton *exportButton() const { return m_exportPng; }
    QColor versionColour(const QString &versionLabel) const;

    // The charts (all of them, as laid out) as one PNG. False and *error when it cannot be
    // written.
    bool saveChartsPng(const QString &path, QString *error = nullptr) const;

    // Latency delta bins (ms, mirror - primary) the distribution chart uses: upper bounds.
    static QStringList deltaCategories();

public slots:
    // Reads the hub's snapshot and draws all of it now. The timer draws the same in three
    // queued steps (time charts; pair bars; matrix and endpoints), so the event loop runs
    // between them.
    void refresh();
    void exportChartsPng(); // asks for a file

private:
    struct VersionSlot
    {
        QString label;
        bool mirrored = false;
        bool placeholder = false; // a fixed slot no version of this run has named yet
        QColor colour;
        QLineSeries *rate = nullptr;
        QLineSeries *p50 = nullptr;
        QLineSeries *p99 = nullptr;
    };
    struct StatusBand
    {
        QLineSeries *upper = nullptr;
        QLineSeries *lower = nullptr; // nullptr for the bottom band
        QAreaSeries *area = nullptr;
    };
    QChartView *makeView(QChart *chart);
    VersionSlot &slotFor(const QString &label, bool mirrored);
    void refreshInStages(); // the timer's refresh()
    void draw(const Observe::Snapshot &s);
    void drawVersions(const Observe::Snapshot &s);
    void drawTime(const Observe::Snapshot &s);
    void drawPairs(const Observe::Snapshot &s);
    void drawMatrix(const Observe::Snapshot &s);
    void drawEndpoints(const Observe::Snapshot &s);
    void clearCharts();
    void showEvent(QShowEvent *event) override;

    Observe::Hub *m_hub = nullptr;
    std::shared_ptr<const Observe::Snapshot> m_shown;
    std::shared_ptr<const Observe::Snapshot> m_staged; // being drawn in stages (timer)
    QTimer m_tick;
    bool m_live = false;
    int m_windowSeconds = 300;
    bool m_forceRedraw = true;
    bool m_staleWhileHidden = false;

    QList<VersionSlot> m_versions; // [0] first primary, [1] first mirror, then as they appear
    QChart *m_rateChart = nullptr;
    QChart *m_latencyChart = nullptr;
    QValueAxis *m_rateX = nullptr;
    QValueAxis *m_rateY = nullptr;
    QValueAxis *m_latencyX = nullptr;
    QValueAxis *m_latencyY = nullptr;
    StatusBand m_status[Timeline::ClassCount];
    QValueAxis *m_statusX = nullptr;
    QValueAxis *m_statusY = nullptr;
    QComboBox *m_statusVersion = nullptr;
    QComboBox *m_window = nullptr;
    QBarSeries *m_deltaSeries = nullptr;
    QValueAxis *m_deltaY = nullptr;
    QAbstractBarSeries *m_mismatchSeries = nullptr;
    QValueAxis *m_mismatchY = nullptr;
    QTableWidget *m_matrix = nullptr;
    QTableWidget *m_endpoints = nullptr;
    QLabel *m_mismatchText = nullptr;
    QPushButton *m_exportPng = nullptr;
    QWidget *m_charts = nullptr;
};

} // namespace Ui
