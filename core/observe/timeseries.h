#pragma once

#include "observe/histogram.h"

#include <QList>
#include <QString>

#include <array>
#include <vector>

namespace Observe {

// One bucket of a chart series: requests that finished in [startMs, startMs + resolution),
// their status classes and latency percentiles.
struct SeriesPoint
{
    qint64 startMs = 0;
    quint64 requests = 0;
    quint64 statusClasses[6] = {}; // index 1..5 = 1xx..5xx, 0 = no status (failed)
    qint64 p50Us = -1;             // -1: no latency in this bucket (draw a gap, not a zero)
    qint64 p99Us = -1;
};

// Requests, status classes and p50/p99 over time in tiers: 1 s buckets for the last 5 minutes,
// 10 s for the last hour, 1 min for the last 24 hours. Each tier is a ring; only its newest
// bucket keeps a Histogram (percentiles are not mergeable, so a bucket's p50/p99 are fixed
// when the clock leaves it), so memory is a few hundred KiB however long the run.
//
// Time is the caller's clock (ms since the epoch), not the exchanges' start: a request counts in
// the bucket in which it was recorded, so every tier has one open bucket and nothing arrives
// late. A clock that steps back records into the open bucket.
class TimeSeries
{
public:
    struct Tier
    {
        qint64 resolutionMs;
        int length;
    };
    static constexpr int kTierCount = 3;
    static constexpr std::array<Tier, kTierCount> kTiers = {
        {{1000, 300}, {10 * 1000, 360}, {60 * 1000, 24 * 60}}};

    explicit TimeSeries(qint64 startMs = 0) : m_startMs(startMs) {}

    // statusClass 0..5 as in SeriesPoint; latencyUs < 0: none (failed leg).
    void record(qint64 nowMs, int statusClass, qint64 latencyUs);
    // Closes buckets the clock has left (fixes their percentiles).
    void advance(qint64 nowMs);

    // One tier's buckets, oldest first: from the later of the series' start and the tier's span
    // before nowMs, up to the bucket holding nowMs (last; still filling, percentiles so far).
    QList<SeriesPoint> points(int tier, qint64 nowMs) const;
    qint64 startMs() const { return m_startMs; }

private:
    struct Bucket
    {
        qint64 index = -1; // bucket number (time / resolution); -1 = never used
        quint64 requests = 0;
        quint64 statusClasses[6] = {};
        qint64 p50Us = -1;
        qint64 p99Us = -1;
    };
    struct Ring
    {
        std::vector<Bucket> buckets; // allocated on first use
        qint64 current = -1;         // the open bucket's number
        Histogram open;
    };
    void advance(int tier, qint64 bucket);
    static void close(Bucket &bucket, const Histogram &latency);

    qint64 m_startMs = 0;
    std::array<Ring, kTierCount> m_rings;
};

// The series the dashboard draws for one destination version.
struct VersionSeries
{
    QString label; // "v1", "v2 (mirror)"
    QString version;
    bool mirrored = false;
    std::array<QList<SeriesPoint>, TimeSeries::kTierCount> tiers;
};

} // namespace Observe
