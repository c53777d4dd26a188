#pragma once

#include "observe/exchange.h"
#include "observe/histogram.h"

#include <QList>
#include <QPointF>
#include <QString>

#include <deque>

namespace Ui {

// What the dashboard draws, folded from exchange batches into 1 s buckets over a bounded
// window (the last five minutes): per second and per role (the primary leg, the first mirror)
// the legs sent, a latency histogram and status classes; plus run totals for the status bars
// and the v1 x v2 status class matrix. Plain data: no widget, tested on its own.
class Timeline
{
public:
    enum Role { Primary = 0, Mirror = 1 };
    // Status classes as the charts show them: 2xx..5xx, then "failed" (no status: connect
    // failure, timeout, reset) and 1xx last (rare).
    enum Class { C2xx = 0, C3xx, C4xx, C5xx, CFailed, C1xx, ClassCount };
    static constexpr int kWindowSeconds = 300;

    // t0: the run's start (ms since the epoch); chart x = seconds since t0.
    void reset(qint64 t0Ms);
    void add(const QList<Observe::Exchange> &batch);

    qint64 t0Ms() const { return m_t0Ms; }
    // Points from the window's start up to the last complete second before nowMs.
    QList<QPointF> rate(Role role, qint64 nowMs) const;
    QList<QPointF> latencyMs(Role role, double quantile, qint64 nowMs) const;
    quint64 statusCount(Role role, Class c) const { return m_status[role][c]; }
    // Exchanges where the primary and the first mirror both answered (or failed).
    quint64 pair(Class primary, Class mirror) const { return m_matrix[primary][mirror]; }
    quint64 pairs() const;
    quint64 mismatches() const; // pairs whose status classes differ
    // "v1", "v2": the subset (or host) last seen per role, for legends.
    QString label(Role role) const { return m_labels[role]; }

    static Class classOf(const Observe::Leg &leg);
    static QString className(Class c);

private:
    struct Bucket
    {
        qint64 second = 0; // since the epoch
        quint64 legs[2] = {0, 0};
        Observe::Histogram latencyUs[2];
    };
    Bucket *bucketFor(qint64 second); // nullptr: older than the window

    std::deque<Bucket> m_buckets; // ascending by second, contiguous
    qint64 m_t0Ms = 0;
    quint64 m_status[2][ClassCount] = {};
    quint64 m_matrix[ClassCount][ClassCount] = {};
    QString m_labels[2];
};

} // namespace Ui
