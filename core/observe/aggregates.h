#pragma once

#include "observe/comparison.h"
#include "observe/exchange.h"
#include "observe/histogram.h"
#include "observe/timeseries.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>

#include <array>
#include <memory>
#include <vector>

namespace Observe {

// Requests per second over the last 10 complete seconds of the caller's clock (fewer while the
// run is younger); the second still filling is left out so the rate does not dip at each tick.
class RateWindow
{
public:
    static constexpr int kSeconds = 10;
    void record(qint64 nowMs, quint64 count = 1);
    double perSecond(qint64 nowMs, qint64 startMs) const;

private:
    std::array<quint64, kSeconds + 1> m_counts = {};
    qint64 m_second = -1; // the newest second counted
};

// A signed distribution (latency deltas v2 - v1, microseconds): two log-linear Histograms, one
// for the magnitudes below zero, one for zero and above, so both sides keep 0.4 % precision.
class SignedHistogram
{
public:
    void record(qint64 value);
    void merge(const SignedHistogram &other);
    quint64 count() const { return m_negative.count() + m_positive.count(); }
    qint64 min() const;
    qint64 max() const;
    double mean() const;
    // q in [0, 1], the value at rank ceil(q * count); 0 when empty.
    qint64 percentile(double q) const;

    struct Bucket
    {
        qint64 lower; // inclusive
        qint64 upper; // inclusive
        quint64 count;
    };
    // Non-empty buckets in increasing order of value.
    std::vector<Bucket> buckets() const;

private:
    Histogram m_negative; // -value for value < 0
    Histogram m_positive;
};

struct LatencySummary
{
    quint64 count = 0;
    qint64 minUs = 0;
    qint64 p50Us = 0;
    qint64 p90Us = 0;
    qint64 p99Us = 0;
    qint64 p999Us = 0;
    qint64 maxUs = 0;
    double meanUs = 0;
    static LatencySummary of(const Histogram &histogram);
    static LatencySummary of(const SignedHistogram &histogram);
};

// What one destination version did (the primary's v1, a mirror's v2, ...).
struct VersionSummary
{
    QString label;   // "v1", "v2 (mirror)": the subset, else the host, "(local)" for no upstream
    QString version; // "v1", "v2"
    bool mirrored = false;
    quint64 legs = 0;     // every leg, also mirrors not sent
    quint64 requests = 0; // legs that reached the destination (or were answered locally)
    quint64 failed = 0;   // no complete answer: connect failure, timeout, reset, ...
    quint64 sampledOut = 0;
    quint64 dropped = 0;
    double ratePerSecond = 0;
    LatencySummary latency;         // answered legs (failed ones have no latency)
    quint64 statusClasses[6] = {};  // index 1..5 = 1xx..5xx, 0 = no status
    QMap<int, quint64> statusCodes; // exact codes; 0 = no status
    QMap<QString, quint64> errors;
    QMap<QString, quint64> dropReasons;
    quint64 requestBytes = 0;  // request bodies sent to this version
    quint64 responseBytes = 0; // response bodies received (whole bodies, not the kept prefix)
    Histogram latencyUs;       // only in Snapshot::versions (charts, metrics); empty in groups
};

// One field (a response header or a JSON path / text line of the body) that differed between a
// primary and its mirror, with how often and the latest example (the exchange holding both legs,
// still in the store unless evicted since).
struct FieldStat
{
    enum class Where { Header, Body };
    Where where = Where::Body;
    QString path;
    quint64 count = 0; // pairs where it differed
    quint64 noisy = 0; // of those, flagged as learned noise (shown, not a mismatch)
    FieldDiff::Kind exampleKind = FieldDiff::Kind::Changed;
    quint64 exampleExchangeId = 0;
    QByteArray exampleRequestId;
    int exampleMirrorIndex = 0;
    QString examplePrimaryValue; // as the comparator rendered it (header values unmasked)
    QString exampleMirrorValue;
};

// Primary x mirror pairs: the status matrix, the latency delta, mismatches by kind and the
// fields that differ most.
struct PairSummary
{
    QString primary; // version labels; empty in a group's pairing (all mirrors together)
    QString mirror;
    quint64 pairs = 0;      // mirror legs that reached their destination (answered or failed)
    quint64 comparable = 0; // both legs have an HTTP status: compared
    quint64 mismatches = 0; // comparable pairs with any difference
    quint64 statusMismatches = 0;
    quint64 headerMismatches = 0;
    quint64 bodyMismatches = 0;
    quint64 truncatedBodies = 0; // compared on kept prefixes only
    // Differences not broken down by field: beyond the distinct fields tracked, or beyond the
    // comparator's maxFields.
    quint64 otherFieldDiffs = 0;
    QMap<QPair<int, int>, quint64> statusMatrix; // (primary code, mirror code); 0 = no status
    LatencySummary latencyDelta;                 // mirror - primary, signed (minUs may be negative)
    std::vector<SignedHistogram::Bucket> latencyDeltaBuckets; // only in Snapshot::pairings
    QList<FieldStat> topFields; // most real (not noisy) differences first

    double rate(quint64 count) const { return comparable ? double(count) / comparable : 0.0; }
};

// Everything counted for one endpoint ("GET /users/{id}") or one route rule.
struct GroupSummary
{
    enum class Kind { Endpoint, Rule };
    Kind kind = Kind::Endpoint;
    QString key;            // the endpoint template, or "reviews/rule 0 (mirror-all)"
    QString virtualService; // rules only
    int ruleIndex = -1;     // rules only
    QString ruleName;       // rules only
    quint64 exchanges = 0;
    double ratePerSecond = 0;
    QList<VersionSummary> versions; // primaries first, then mirrors
    PairSummary pairing;            // every mirror of the group against its primary
};

// Running aggregates over every exchange seen (the store may have evicted them since): per
// destination version, per route rule, per endpoint, per primary x mirror pair, and the time
// series per version. Plain data for one thread (the Hub locks around it). Cardinality is
// bounded: endpoints beyond Limits::maxEndpoints count as "(other endpoints)", distinct fields
// beyond maxFieldsPerGroup count in otherFieldDiffs.
class Aggregates
{
public:
    struct Limits
    {
        int maxEndpoints = 500;
        int maxRules = 500;
        int maxVersions = 64;
        int maxFieldsPerGroup = 200;
        int topFields = 10;
    };

    explicit Aggregates(qint64 startMs = 0);
    Aggregates(qint64 startMs, const Limits &limits);
    ~Aggregates();
    Aggregates(Aggregates &&) noexcept;
    Aggregates &operator=(Aggregates &&) noexcept;

    // comparisons: Comparator::compare(exchange) (matched to mirrors by mirrorIndex).
    // endpoint: endpointTemplate(method, path), computed by the caller outside its lock.
    void add(const Exchange &exchange, const QList<Comparison> &comparisons, qint64 nowMs,
             const QString &endpoint);
    void add(const Exchange &exchange, const QList<Comparison> &comparisons, qint64 nowMs);
    // Moves the time series on (closes buckets the clock has left).
    void advance(qint64 nowMs);

    qint64 startMs() const;
    quint64 exchanges() const;
    double ratePerSecond(qint64 nowMs) const;
    QList<VersionSummary> versions(qint64 nowMs) const;
    PairSummary pairing() const;                       // all pairs together
    QList<PairSummary> pairings() const;               // per primary version x mirror version
    QList<GroupSummary> rules(qint64 nowMs) const;     // in rule order
    QList<GroupSummary> endpoints(qint64 nowMs) const; // most exchanges first
    QList<VersionSeries> series(qint64 nowMs) const;

    static QString otherEndpoints() { return QStringLiteral("(other endpoints)"); }

private:
    struct Private;
    std::unique_ptr<Private> d;
};

// The per-endpoint summary of the JSON report: [{endpoint, exchanges, ratePerSecond,
// versions: [...], pairs: {...}}], latencies in milliseconds.
QJsonObject versionJson(const VersionSummary &version);
QJsonObject pairJson(const PairSummary &pair);
QJsonObject groupJson(const GroupSummary &group);

} // namespace Observe
