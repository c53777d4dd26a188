#pragma once

#include "dashboard/timeline.h"

#include <QTimer>
#include <QWidget>

class QBarSet;
class QBarSeries;
class QChart;
class QChartView;
class QLineSeries;
class QTableWidget;
class QValueAxis;

namespace Ui {

// The run's charts: requests/s and latency p50/p99 over time (v1 blue, mirror orange), status
// classes per version as bars, and the v1 x v2 status class matrix. Batches are folded into a
// Timeline at once (cheap); the charts are redrawn on a coalescing timer with one replace() per
// series per tick, so a busy proxy costs the UI a few redraws a second, not one per request.
class DashboardWidget : public QWidget
{
    Q_OBJECT
public:
    explicit DashboardWidget(QWidget *parent = nullptr);

    // A new run: clear everything, time 0 = now.
    void reset();
    // Keep the time axis moving (running) or freeze it (stopped).
    void setLive(bool live);
    const Timeline &timeline() const { return m_timeline; }

    QLineSeries *rateSeries(Timeline::Role role) const { return m_rate[role]; }
    QLineSeries *latencySeries(Timeline::Role role, bool p99) const
    {
        return m_latency[role][p99 ? 1 : 0];
    }
    QBarSet *statusBars(Timeline::Role role) const { return m_bars[role]; }
    QTableWidget *matrixView() const { return m_matrix; }

public slots:
    void addExchanges(const QList<Observe::Exchange> &batch);
    void refresh();               // redraw now (the timer calls it)
    void refreshAt(qint64 nowMs); // as if the clock said nowMs (tests, a frozen run)

private:
    QChartView *makeView(QChart *chart);
    void refreshMatrix();

    Timeline m_timeline;
    QTimer m_tick;
    bool m_dirty = false;
    bool m_live = false;
    qint64 m_frozenAtMs = 0;

    QLineSeries *m_rate[2] = {};
    QLineSeries *m_latency[2][2] = {};
    QValueAxis *m_rateX = nullptr;
    QValueAxis *m_rateY = nullptr;
    QValueAxis *m_latencyX = nullptr;
    QValueAxis *m_latencyY = nullptr;
    QBarSet *m_bars[2] = {};
    QValueAxis *m_barsY = nullptr;
    QTableWidget *m_matrix = nullptr;
};

} // namespace Ui
