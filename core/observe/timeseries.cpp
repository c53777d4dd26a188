#include "observe/timeseries.h"

#include <algorithm>

namespace Observe {

namespace {
qint64 bucketOf(qint64 ms, qint64 resolution)
{
    // Floor division: a clock before the epoch (tests) still lands in a well-defined bucket.
    return ms >= 0 ? ms / resolution : -((-ms + resolution - 1) / resolution);
}
} // namespace

void TimeSeries::close(Bucket &bucket, const Histogram &latency)
{
    if (latency.count()) {
        bucket.p50Us = latency.percentile(0.5);
        bucket.p99Us = latency.percentile(0.99);
    }
}

void TimeSeries::advance(int tier, qint64 bucket)
{
    Ring &ring = m_rings[tier];
    if (ring.buckets.empty() || bucket <= ring.current)
        return;
    const int length = kTiers[tier].length;
    Bucket &open = ring.buckets[static_cast<size_t>(ring.current % length)];
    close(open, ring.open);
    ring.open.clear();
    // Slots of skipped buckets (no traffic) are reset as they are reached; a gap longer than the
    // ring resets every slot once.
    const qint64 first = std::max(ring.current + 1, bucket - length + 1);
    for (qint64 b = first; b <= bucket; ++b) {
        Bucket &slot = ring.buckets[static_cast<size_t>(b % length)];
        slot = Bucket();
        slot.index = b;
    }
    ring.current = bucket;
}

void TimeSeries::advance(qint64 nowMs)
{
    for (int t = 0; t < kTierCount; ++t)
        advance(t, bucketOf(nowMs, kTiers[t].resolutionMs));
}

void TimeSeries::record(qint64 nowMs, int statusClass, qint64 latencyUs)
{
    statusClass = std::clamp(statusClass, 0, 5);
    for (int t = 0; t < kTierCount; ++t) {
        Ring &ring = m_rings[t];
        const qint64 b = bucketOf(nowMs, kTiers[t].resolutionMs);
        if (ring.buckets.empty()) {
            ring.buckets.resize(static_cast<size_t>(kTiers[t].length));
            ring.current = std::max<qint64>(b, 0);
            ring.buckets[static_cast<size_t>(ring.current % kTiers[t].length)].index = ring.current;
        } else {
            advance(t, b);
        }
        Bucket &open = ring.buckets[static_cast<size_t>(ring.current % kTiers[t].length)];
        ++open.requests;
        ++open.statusClasses[statusClass];
        if (latencyUs >= 0)
            ring.open.record(latencyUs);
    }
}

QList<SeriesPoint> TimeSeries::points(int tier, qint64 nowMs) const
{
    QList<SeriesPoint> out;
    if (tier < 0 || tier >= kTierCount)
        return out;
    const Tier &spec = kTiers[tier];
    const Ring &ring = m_rings[tier];
    const qint64 last = bucketOf(nowMs, spec.resolutionMs);
    const qint64 first = std::max(bucketOf(m_startMs, spec.resolutionMs), last - spec.length + 1);
    if (last < first)
        return out;
    out.reserve(static_cast<qsizetype>(last - first + 1));
    for (qint64 b = first; b <= last; ++b) {
        SeriesPoint p;
        p.startMs = b * spec.resolutionMs;
        if (!ring.buckets.empty() && b >= 0 && b <= ring.current) {
            const Bucket &slot = ring.buckets[static_cast<size_t>(b % spec.length)];
            if (slot.index == b) {
                p.requests = slot.requests;
                std::copy(std::begin(slot.statusClasses), std::end(slot.statusClasses),
                          std::begin(p.statusClasses));
                if (b == ring.current) {
                    if (ring.open.count()) {
                        p.p50Us = ring.open.percentile(0.5);
                        p.p99Us = ring.open.percentile(0.99);
                    }
                } else {
                    p.p50Us = slot.p50Us;
                    p.p99Us = slot.p99Us;
                }
            }
        }
        out.append(p);
    }
    return out;
}

} // namespace Observe
