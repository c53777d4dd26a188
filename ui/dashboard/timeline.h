#pragma once

#include "observe/timeseries.h"

#include <QList>
#include <QPointF>

#include <array>

namespace Ui {

// What the time charts draw, read from the hub's per-version TimeSeries (Observe::Snapshot::
// series): no counting here, the hub owns the buckets. This only picks the tier that covers
// the chosen window and turns its buckets into chart points, x = seconds since Start.
namespace Timeline {

// The dashboard's fixed series slots: the first primary version and the first mirror.
enum Role { Primary = 0, Mirror = 1 };
// Status classes as the stacked chart shows them (1xx, which a proxy hardly sees, is left out).
enum Class { C2xx = 0, C3xx, C4xx, C5xx, CFailed, ClassCount };

QString className(Class c);
// The index into SeriesPoint::statusClasses for a class.
int statusIndex(Class c);

// windowSeconds 0 = the whole run. The finest tier whose span covers the window (or the run).
int tierFor(int windowSeconds, qint64 runMs);

struct Points
{
    QList<QPointF> rate;  // requests per second, complete buckets only
    QList<QPointF> p50Ms; // buckets with answers only (no zero dips)
    QList<QPointF> p99Ms;
    std::array<QList<QPointF>, ClassCount> classRate; // per second, complete buckets only
};

// The buckets of one version's series inside [nowMs - window, nowMs]. The bucket still filling
// (the last) is left out of the rates, so a line does not dip at every tick.
Points points(const Observe::VersionSeries &series, qint64 startMs, qint64 nowMs,
              int windowSeconds);

} // namespace Timeline

} // namespace Ui
