#include "timeline.h"

#include <QObject>

namespace Ui::Timeline {

QString className(Class c)
{
    switch (c) {
    case C2xx:
        return QStringLiteral("2xx");
    case C3xx:
        return QStringLiteral("3xx");
    case C4xx:
        return QStringLiteral("4xx");
    case C5xx:
        return QStringLiteral("5xx");
    case CFailed:
    case ClassCount:
        break;
    }
    return QObject::tr("failed");
}

int statusIndex(Class c)
{
    return c == CFailed ? 0 : int(c) + 2;
}

int tierFor(int windowSeconds, qint64 runMs)
{
    const qint64 spanMs = windowSeconds > 0 ? qint64(windowSeconds) * 1000 : runMs;
    for (int t = 0; t < Observe::TimeSeries::kTierCount; ++t) {
        const auto &tier = Observe::TimeSeries::kTiers[size_t(t)];
        if (spanMs <= tier.resolutionMs * tier.length)
            return t;
    }
    return Observe::TimeSeries::kTierCount - 1;
}

Points points(const Observe::VersionSeries &series, qint64 startMs, qint64 nowMs, int windowSeconds)
{
    Points out;
    const int tier = tierFor(windowSeconds, nowMs - startMs);
    const qint64 resolution = Observe::TimeSeries::kTiers[size_t(tier)].resolutionMs;
    const double perSecond = 1000.0 / double(resolution);
    const qint64 fromMs = windowSeconds > 0 ? nowMs - qint64(windowSeconds) * 1000 : startMs;
    const QList<Observe::SeriesPoint> &buckets = series.tiers[size_t(tier)];
    for (qsizetype i = 0; i < buckets.size(); ++i) {
        const Observe::SeriesPoint &p = buckets[i];
        if (p.startMs + resolution <= fromMs)
            continue;
        const double x = double(p.startMs - startMs) / 1000.0;
        const bool complete = i + 1 < buckets.size() && p.startMs + resolution <= nowMs;
        if (complete) {
            out.rate << QPointF(x, double(p.requests) * perSecond);
            for (int c = 0; c < ClassCount; ++c)
                out.classRate[size_t(c)]
                    << QPointF(x, double(p.statusClasses[statusIndex(Class(c))]) * perSecond);
        }
        if (p.p50Us >= 0)
            out.p50Ms << QPointF(x, double(p.p50Us) / 1000.0);
        if (p.p99Us >= 0)
            out.p99Ms << QPointF(x, double(p.p99Us) / 1000.0);
    }
    return out;
}

} // namespace Ui::Timeline
