#include "observe/aggregates.h"

#include "observe/endpoint.h"
#include "observe/masking.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace Observe {

// ---- RateWindow ----------------------------------------------------------------------------

void RateWindow::record(qint64 nowMs, quint64 count)
{
    const qint64 second = nowMs / 1000;
    if (second > m_second) {
        // Clear the slots of the seconds skipped since the last record (all when it is long ago).
        const qint64 from = std::max(m_second + 1, second - kSeconds);
        for (qint64 s = from; s <= second; ++s)
            m_counts[static_cast<size_t>(s % (kSeconds + 1))] = 0;
        m_second = second;
    } else if (second < m_second - kSeconds) {
        return; // the clock stepped far back: too old to count in the window
    }
    m_counts[static_cast<size_t>(std::max<qint64>(second, 0) % (kSeconds + 1))] += count;
}

double RateWindow::perSecond(qint64 nowMs, qint64 startMs) const
{
    const qint64 now = nowMs / 1000;
    const qint64 from = std::max(now - kSeconds, startMs / 1000);
    const qint64 seconds = now - from; // complete seconds: [from, now)
    if (seconds <= 0 || m_second < from)
        return 0.0;
    quint64 sum = 0;
    for (qint64 s = from; s < now && s <= m_second; ++s) {
        if (s > m_second - (kSeconds + 1))
            sum += m_counts[static_cast<size_t>(s % (kSeconds + 1))];
    }
    return double(sum) / double(seconds);
}

// ---- SignedHistogram ------------------------------------------------------------------------

void SignedHistogram::record(qint64 value)
{
    if (value < 0)
        m_negative.record(-value);
    else
        m_positive.record(value);
}

void SignedHistogram::merge(const SignedHistogram &other)
{
    m_negative.merge(other.m_negative);
    m_positive.merge(other.m_positive);
}

qint64 SignedHistogram::min() const
{
    return m_negative.count() ? -m_negative.max() : m_positive.min();
}

qint64 SignedHistogram::max() const
{
    return m_positive.count() ? m_positive.max() : -m_negative.min();
}

double SignedHistogram::mean() const
{
    const quint64 n = count();
    if (!n)
        return 0.0;
    return (m_positive.mean() * double(m_positive.count()) -
            m_negative.mean() * double(m_negative.count())) /
           double(n);
}

qint64 SignedHistogram::percentile(double q) const
{
    const quint64 n = count();
    if (!n)
        return 0;
    q = std::clamp(q, 0.0, 1.0);
    const quint64 rank = std::max<quint64>(1, quint64(std::ceil(q * double(n))));
    const quint64 negatives = m_negative.count();
    // Read at the bucket's middle, as Histogram::percentile does, within the side's min..max.
    auto middle = [](const Histogram::Bucket &b, const Histogram &h) {
        const qint64 lower = Histogram::bucketLower(Histogram::bucketIndex(b.upper));
        return std::clamp<qint64>((lower + b.upper + 1) / 2, h.min(), h.max());
    };
    if (rank <= negatives) {
        // Below zero the order is by decreasing magnitude.
        const auto buckets = m_negative.buckets();
        quint64 seen = 0;
        for (auto it = buckets.rbegin(); it != buckets.rend(); ++it) {
            seen += it->count;
            if (seen >= rank)
                return -middle(*it, m_negative);
        }
        return -m_negative.min();
    }
    const quint64 positiveRank = rank - negatives;
    quint64 seen = 0;
    for (const Histogram::Bucket &b : m_positive.buckets()) {
        seen += b.count;
        if (seen >= positiveRank)
            return middle(b, m_positive);
    }
    return m_positive.max();
}

std::vector<SignedHistogram::Bucket> SignedHistogram::buckets() const
{
    std::vector<Bucket> out;
    const auto negatives = m_negative.buckets();
    for (auto it = negatives.rbegin(); it != negatives.rend(); ++it) {
        const qint64 lower = Histogram::bucketLower(Histogram::bucketIndex(it->upper));
        out.push_back({-it->upper, -lower, it->count});
    }
    for (const Histogram::Bucket &b : m_positive.buckets())
        out.push_back({Histogram::bucketLower(Histogram::bucketIndex(b.upper)), b.upper, b.count});
    return out;
}

// ---- LatencySummary -------------------------------------------------------------------------

namespace {

template <typename H> LatencySummary summarize(const H &h)
{
    LatencySummary s;
    s.count = h.count();
    if (!s.count)
        return s;
    s.minUs = h.min();
    s.p50Us = h.percentile(0.5);
    s.p90Us = h.percentile(0.9);
    s.p99Us = h.percentile(0.99);
    s.p999Us = h.percentile(0.999);
    s.maxUs = h.max();
    s.meanUs = h.mean();
    return s;
}

} // namespace

LatencySummary LatencySummary::of(const Histogram &h)
{
    return summarize(h);
}

LatencySummary LatencySummary::of(const SignedHistogram &h)
{
    return summarize(h);
}

// ---- Aggregates -----------------------------------------------------------------------------

namespace {

const QString &localLabel()
{
    static const QString local = QStringLiteral("(local)");
    return local;
}

const QString &versionName(const Leg &leg)
{
    if (!leg.destination.subset.isEmpty())
        return leg.destination.subset;
    if (!leg.destination.host.isEmpty())
        return leg.destination.host;
    return localLabel();
}

QString versionLabel(const QString &version, bool mirrored)
{
    return mirrored ? version + QStringLiteral(" (mirror)") : version;
}

int statusClass(int status)
{
    return status >= 100 && status < 600 ? status / 100 : 0;
}

bool reached(const Leg &leg)
{
    return leg.outcome == Leg::Outcome::Completed || leg.outcome == Leg::Outcome::Failed ||
           leg.outcome == Leg::Outcome::Local;
}

struct VersionStats
{
    QString version;
    bool mirrored = false;
    quint64 legs = 0;
    quint64 requests = 0;
    quint64 failed = 0;
    quint64 sampledOut = 0;
    quint64 dropped = 0;
    quint64 statusClasses[6] = {};
    std::vector<std::pair<int, quint64>> codes; // few distinct codes: a flat list is fastest
    QMap<QString, quint64> errors;
    QMap<QString, quint64> dropReasons;
    Histogram latency;
    quint64 requestBytes = 0;
    quint64 responseBytes = 0;
    RateWindow rate;
};

// Hashed once per difference, then looked up in the four pairings it counts in.
struct FieldKey
{
    FieldStat::Where where;
    QString path;
    size_t hash;
    FieldKey(FieldStat::Where w, const QString &p)
        : where(w), path(p), hash(qHashMulti(0, int(w), p))
    {
    }
    bool operator==(const FieldKey &o) const { return where == o.where && path == o.path; }
};

size_t qHash(const FieldKey &key, size_t seed = 0)
{
    return key.hash ^ seed;
}

struct StatusPair
{
    int primary;
    int mirror;
    quint64 count;
};

struct PairStats
{
    QString primary;
    QString mirror;
    quint64 pairs = 0;
    quint64 comparable = 0;
    quint64 mismatches = 0;
    quint64 statusMismatches = 0;
    quint64 headerMismatches = 0;
    quint64 bodyMismatches = 0;
    quint64 truncatedBodies = 0;
    quint64 otherFieldDiffs = 0;
    std::vector<StatusPair> matrix;
    SignedHistogram delta;
    QHash<FieldKey, FieldStat> fields;
};

struct Group
{
    GroupSummary::Kind kind = GroupSummary::Kind::Endpoint;
    QString key;
    QString virtualService;
    int ruleIndex = -1;
    QString ruleName;
    quint64 exchanges = 0;
    RateWindow rate;
    std::vector<VersionStats> versions;
    PairStats pairing;
    // The summary without rates, rebuilt only when the group changed since (a snapshot at
    // 10 Hz over hundreds of idle endpoints must not recompute their percentiles).
    bool changed = true;
    GroupSummary cache;
};

// Version names are shared by the route engine, so the same text is mostly the same data:
// equal pointers answer without comparing characters (asked several times per leg).
bool sameText(const QString &a, const QString &b)
{
    return a.size() == b.size() && (a.constData() == b.constData() || a == b);
}

VersionStats &versionIn(std::vector<VersionStats> &list, const Leg &leg, bool mirrored, int limit)
{
    const QString &name = versionName(leg);
    for (VersionStats &v : list) {
        if (v.mirrored == mirrored && sameText(v.version, name))
            return v;
    }
    static const QString other = QStringLiteral("(other)");
    const bool full = int(list.size()) >= limit;
    if (full) {
        for (VersionStats &v : list) {
            if (v.mirrored == mirrored && v.version == other)
                return v;
        }
    }
    list.emplace_back();
    list.back().version = full ? other : name;
    list.back().mirrored = mirrored;
    return list.back();
}

// Counts one leg; true when it reached its destination (it then counts in the time series).
bool countLeg(VersionStats &v, const Leg &leg, qint64 requestBytes, qint64 nowMs)
{
    ++v.legs;
    switch (leg.outcome) {
    case Leg::Outcome::SampledOut:
        ++v.sampledOut;
        return false;
    case Leg::Outcome::Dropped:
        ++v.dropped;
        ++v.dropReasons[leg.dropReason];
        return false;
    case Leg::Outcome::Failed:
        ++v.failed;
        ++v.errors[leg.error];
        break;
    case Leg::Outcome::Completed:
    case Leg::Outcome::Local:
        break;
    }
    ++v.requests;
    v.rate.record(nowMs);
    ++v.statusClasses[statusClass(leg.status)];
    const int code = leg.status > 0 ? leg.status : 0;
    auto it = std::find_if(v.codes.begin(), v.codes.end(),
                           [code](const auto &c) { return c.first == code; });
    if (it == v.codes.end())
        v.codes.emplace_back(code, 1);
    else
        ++it->second;
    if (leg.outcome != Leg::Outcome::Failed && leg.totalUs >= 0)
        v.latency.record(leg.totalUs);
    if (leg.outcome != Leg::Outcome::Local)
        v.requestBytes += quint64(std::max<qint64>(requestBytes, 0));
    v.responseBytes += quint64(std::max<qint64>(leg.bodySize, 0));
    return true;
}

void countField(PairStats &p, const FieldKey &key, const FieldDiff &diff, const Exchange &e,
                int mirrorIndex, int limit)
{
    auto it = p.fields.find(key);
    if (it == p.fields.end()) {
        if (p.fields.size() >= limit) {
            ++p.otherFieldDiffs;
            return;
        }
        it = p.fields.insert(key, FieldStat());
        it->where = key.where;
        it->path = key.path;
    }
    ++it->count;
    if (diff.noisy)
        ++it->noisy;
    // A recent example: the newest exchanges are the ones still in the store. Taken on each of
    // the first 64 and then every 64th, so a field differing on every request does not cost
    // five string copies per group per pair.
    if (it->count > 64 && it->count % 64 != 0)
        return;
    it->exampleKind = diff.kind;
    it->exampleExchangeId = e.id;
    it->exampleRequestId = e.requestId;
    it->exampleMirrorIndex = mirrorIndex;
    it->examplePrimaryValue = diff.primaryValue;
    it->exampleMirrorValue = diff.mirrorValue;
}

struct PairInput
{
    const Exchange &exchange;
    int mirrorIndex;
    const Comparison *comparison;
    const std::vector<std::pair<FieldKey, const FieldDiff *>> &fields;
};

void countPair(PairStats &p, const PairInput &in, int fieldLimit)
{
    const Exchange &e = in.exchange;
    const Leg &mirror = e.mirrors.at(in.mirrorIndex);
    ++p.pairs;
    const int primaryCode = std::max(e.primary.status, 0);
    const int mirrorCode = std::max(mirror.status, 0);
    auto it = std::find_if(p.matrix.begin(), p.matrix.end(), [&](const StatusPair &s) {
        return s.primary == primaryCode && s.mirror == mirrorCode;
    });
    if (it == p.matrix.end())
        p.matrix.push_back({primaryCode, mirrorCode, 1});
    else
        ++it->count;
    const Comparison *c = in.comparison;
    if (!c || !c->comparable)
        return;
    ++p.comparable;
    if (c->mismatch())
        ++p.mismatches;
    if (!c->statusEqual)
        ++p.statusMismatches;
    if (!c->headersEqual())
        ++p.headerMismatches;
    if (!c->body.equal)
        ++p.bodyMismatches;
    if (c->body.truncated)
        ++p.truncatedBodies;
    if (e.primary.totalUs >= 0 && mirror.totalUs >= 0)
        p.delta.record(c->latencyDeltaUs);
    for (const auto &f : in.fields)
        countField(p, f.first, *f.second, e, in.mirrorIndex, fieldLimit);
    p.otherFieldDiffs += quint64(std::max(c->body.omittedFields, 0));
}

VersionSummary summarize(const VersionStats &v, bool withHistogram)
{
    VersionSummary s;
    s.version = v.version;
    s.mirrored = v.mirrored;
    s.label = versionLabel(v.version, v.mirrored);
    s.legs = v.legs;
    s.requests = v.requests;
    s.failed = v.failed;
    s.sampledOut = v.sampledOut;
    s.dropped = v.dropped;
    s.latency = LatencySummary::of(v.latency);
    std::copy(std::begin(v.statusClasses), std::end(v.statusClasses), std::begin(s.statusClasses));
    for (const auto &c : v.codes)
        s.statusCodes.insert(c.first, c.second);
    s.errors = v.errors;
    s.dropReasons = v.dropReasons;
    s.requestBytes = v.requestBytes;
    s.responseBytes = v.responseBytes;
    if (withHistogram)
        s.latencyUs = v.latency;
    return s;
}

PairSummary summarize(const PairStats &p, int topFields, bool withBuckets)
{
    PairSummary s;
    s.primary = p.primary;
    s.mirror = p.mirror;
    s.pairs = p.pairs;
    s.comparable = p.comparable;
    s.mismatches = p.mismatches;
    s.statusMismatches = p.statusMismatches;
    s.headerMismatches = p.headerMismatches;
    s.bodyMismatches = p.bodyMismatches;
    s.truncatedBodies = p.truncatedBodies;
    s.otherFieldDiffs = p.otherFieldDiffs;
    for (const StatusPair &m : p.matrix)
        s.statusMatrix.insert(qMakePair(m.primary, m.mirror), m.count);
    s.latencyDelta = LatencySummary::of(p.delta);
    if (withBuckets)
        s.latencyDeltaBuckets = p.delta.buckets();
    std::vector<const FieldStat *> fields;
    fields.reserve(size_t(p.fields.size()));
    for (const FieldStat &f : p.fields)
        fields.push_back(&f);
    const size_t top = std::min(fields.size(), size_t(std::max(topFields, 0)));
    std::partial_sort(fields.begin(), fields.begin() + qsizetype(top), fields.end(),
                      [](const FieldStat *a, const FieldStat *b) {
                          // Learned noise (a timestamp every answer differs in) must not push
                          // the real differences out of the top.
                          const quint64 ra = a->count - a->noisy;
                          const quint64 rb = b->count - b->noisy;
                          if (ra != rb)
                              return ra > rb;
                          if (a->count != b->count)
                              return a->count > b->count;
                          if (a->where != b->where)
                              return a->where < b->where;
                          return a->path < b->path;
                      });
    for (size_t i = 0; i < top; ++i)
        s.topFields.append(*fields[i]);
    return s;
}

bool versionOrder(const VersionSummary &a, const VersionSummary &b)
{
    if (a.mirrored != b.mirrored)
        return !a.mirrored;
    return a.version < b.version;
}

} // namespace

struct Aggregates::Private
{
    Limits limits;
    qint64 startMs = 0;
    quint64 exchanges = 0;
    RateWindow rate;
    std::vector<VersionStats> versions;
    std::vector<TimeSeries> series; // parallel to versions
    PairStats all;
    std::vector<PairStats> pairings;
    std::vector<std::pair<QString, QString>> pairingVersions; // parallel to pairings
    std::vector<Group> rules;
    QHash<QPair<QString, int>, int> ruleIndex;
    std::vector<Group> endpoints;
    QHash<QString, int> endpointIndex;

    Group &rule(const Exchange &e)
    {
        const auto key = qMakePair(e.virtualService, e.ruleIndex);
        auto it = ruleIndex.constFind(key);
        if (it != ruleIndex.constEnd())
            return rules[size_t(*it)];
        const bool full = int(rules.size()) >= limits.maxRules;
        const auto otherKey = qMakePair(QStringLiteral("(other rules)"), -1);
        if (full) {
            auto other = ruleIndex.constFind(otherKey);
            if (other != ruleIndex.constEnd())
                return rules[size_t(*other)];
        }
        Group g;
        g.kind = GroupSummary::Kind::Rule;
        if (full) {
            g.key = otherKey.first;
        } else if (e.virtualService.isEmpty() || e.ruleIndex < 0) {
            g.key = QStringLiteral("(no rule)");
            g.virtualService = e.virtualService;
        } else {
            g.virtualService = e.virtualService;
            g.ruleIndex = e.ruleIndex;
            g.ruleName = e.ruleName;
            g.key = QStringLiteral("%1/rule %2").arg(e.virtualService).arg(e.ruleIndex);
            if (!e.ruleName.isEmpty())
                g.key += QStringLiteral(" (%1)").arg(e.ruleName);
        }
        ruleIndex.insert(full ? otherKey : key, int(rules.size()));
        rules.push_back(std::move(g));
        return rules.back();
    }

    Group &endpoint(const QString &key)
    {
        auto it = endpointIndex.constFind(key);
        if (it != endpointIndex.constEnd())
            return endpoints[size_t(*it)];
        const bool full = int(endpoints.size()) >= limits.maxEndpoints;
        const QString name = full ? otherEndpoints() : key;
        if (full) {
            auto other = endpointIndex.constFind(name);
            if (other != endpointIndex.constEnd())
                return endpoints[size_t(*other)];
        }
        Group g;
        g.key = name;
        endpointIndex.insert(name, int(endpoints.size()));
        endpoints.push_back(std::move(g));
        return endpoints.back();
    }

    // Keyed by the version names (no label built per exchange).
    PairStats &pairing(const QString &primaryVersion, const QString &mirrorVersion)
    {
        for (size_t i = 0; i < pairings.size(); ++i) {
            if (sameText(pairingVersions[i].first, primaryVersion) &&
                sameText(pairingVersions[i].second, mirrorVersion))
                return pairings[i];
        }
        pairingVersions.emplace_back(primaryVersion, mirrorVersion);
        pairings.emplace_back();
        pairings.back().primary = versionLabel(primaryVersion, false);
        pairings.back().mirror = versionLabel(mirrorVersion, true);
        return pairings.back();
    }

    GroupSummary summarize(Group &g, qint64 nowMs) const
    {
        if (g.changed) {
            GroupSummary s;
            s.kind = g.kind;
            s.key = g.key;
            s.virtualService = g.virtualService;
            s.ruleIndex = g.ruleIndex;
            s.ruleName = g.ruleName;
            s.exchanges = g.exchanges;
            for (const VersionStats &v : g.versions)
                s.versions.append(Observe::summarize(v, false));
            std::sort(s.versions.begin(), s.versions.end(), versionOrder);
            s.pairing = Observe::summarize(g.pairing, limits.topFields, false);
            g.cache = std::move(s);
            g.changed = false;
        }
        GroupSummary s = g.cache;
        s.ratePerSecond = g.rate.perSecond(nowMs, startMs);
        for (VersionSummary &vs : s.versions) {
            for (const VersionStats &v : g.versions) {
                if (v.mirrored == vs.mirrored && v.version == vs.version)
                    vs.ratePerSecond = v.rate.perSecond(nowMs, startMs);
            }
        }
        return s;
    }
};

Aggregates::Aggregates(qint64 startMs) : Aggregates(startMs, Limits()) {}

Aggregates::Aggregates(qint64 startMs, const Limits &limits) : d(std::make_unique<Private>())
{
    d->limits = limits;
    d->startMs = startMs;
}

Aggregates::~Aggregates() = default;
Aggregates::Aggregates(Aggregates &&) noexcept = default;
Aggregates &Aggregates::operator=(Aggregates &&) noexcept = default;

void Aggregates::add(const Exchange &exchange, const QList<Comparison> &comparisons, qint64 nowMs)
{
    add(exchange, comparisons, nowMs, endpointTemplate(exchange.method, exchange.path));
}

void Aggregates::add(const Exchange &e, const QList<Comparison> &comparisons, qint64 nowMs,
                     const QString &endpointKey)
{
    Private &p = *d;
    ++p.exchanges;
    p.rate.record(nowMs);
    Group &rule = p.rule(e);
    Group &endpoint = p.endpoint(endpointKey);
    for (Group *g : {&rule, &endpoint}) {
        ++g->exchanges;
        g->rate.record(nowMs);
        g->changed = true;
    }

    auto count = [&](const Leg &leg, bool mirrored) -> VersionStats & {
        VersionStats &v = versionIn(p.versions, leg, mirrored, p.limits.maxVersions);
        const size_t index = size_t(&v - p.versions.data());
        if (p.series.size() <= index)
            p.series.resize(index + 1, TimeSeries(p.startMs));
        if (countLeg(v, leg, e.requestBodySize, nowMs)) {
            const bool latency = leg.outcome != Leg::Outcome::Failed && leg.totalUs >= 0;
            p.series[index].record(nowMs, statusClass(leg.status), latency ? leg.totalUs : -1);
        }
        for (Group *g : {&rule, &endpoint})
            countLeg(versionIn(g->versions, leg, mirrored, p.limits.maxVersions), leg,
                     e.requestBodySize, nowMs);
        return v;
    };

    const QString primaryVersion = count(e.primary, false).version;
    std::vector<std::pair<FieldKey, const FieldDiff *>> fields;
    for (int i = 0; i < e.mirrors.size(); ++i) {
        const Leg &mirror = e.mirrors.at(i);
        const QString mirrorVersion = count(mirror, true).version;
        if (e.primary.outcome == Leg::Outcome::Local || !reached(mirror))
            continue;
        const Comparison *c = nullptr;
        for (const Comparison &candidate : comparisons) {
            if (candidate.mirrorIndex == i) {
                c = &candidate;
                break;
            }
        }
        fields.clear();
        if (c && c->comparable) {
            for (const FieldDiff &d : c->headerDiffs)
                fields.emplace_back(FieldKey(FieldStat::Where::Header, d.path), &d);
            for (const FieldDiff &d : c->body.fields)
                fields.emplace_back(FieldKey(FieldStat::Where::Body, d.path), &d);
        }
        const PairInput in{e, i, c, fields};
        const int limit = p.limits.maxFieldsPerGroup;
        countPair(p.all, in, limit);
        countPair(p.pairing(primaryVersion, mirrorVersion), in, limit);
        countPair(rule.pairing, in, limit);
        countPair(endpoint.pairing, in, limit);
    }
}

void Aggregates::advance(qint64 nowMs)
{
    for (TimeSeries &s : d->series)
        s.advance(nowMs);
}

qint64 Aggregates::startMs() const
{
    return d->startMs;
}

quint64 Aggregates::exchanges() const
{
    return d->exchanges;
}

double Aggregates::ratePerSecond(qint64 nowMs) const
{
    return d->rate.perSecond(nowMs, d->startMs);
}

QList<VersionSummary> Aggregates::versions(qint64 nowMs) const
{
    QList<VersionSummary> out;
    for (const VersionStats &v : d->versions) {
        out.append(summarize(v, true));
        out.back().ratePerSecond = v.rate.perSecond(nowMs, d->startMs);
    }
    std::sort(out.begin(), out.end(), versionOrder);
    return out;
}

PairSummary Aggregates::pairing() const
{
    return summarize(d->all, d->limits.topFields, true);
}

QList<PairSummary> Aggregates::pairings() const
{
    QList<PairSummary> out;
    for (const PairStats &p : d->pairings)
        out.append(summarize(p, d->limits.topFields, true));
    std::sort(out.begin(), out.end(), [](const PairSummary &a, const PairSummary &b) {
        return a.primary != b.primary ? a.primary < b.primary : a.mirror < b.mirror;
    });
    return out;
}

QList<GroupSummary> Aggregates::rules(qint64 nowMs) const
{
    QList<GroupSummary> out;
    out.reserve(qsizetype(d->rules.size()));
    for (Group &g : d->rules)
        out.append(d->summarize(g, nowMs));
    std::sort(out.begin(), out.end(), [](const GroupSummary &a, const GroupSummary &b) {
        if (a.virtualService != b.virtualService)
            return a.virtualService < b.virtualService;
        return a.ruleIndex < b.ruleIndex;
    });
    return out;
}

QList<GroupSummary> Aggregates::endpoints(qint64 nowMs) const
{
    QList<GroupSummary> out;
    out.reserve(qsizetype(d->endpoints.size()));
    for (Group &g : d->endpoints)
        out.append(d->summarize(g, nowMs));
    std::sort(out.begin(), out.end(), [](const GroupSummary &a, const GroupSummary &b) {
        return a.exchanges != b.exchanges ? a.exchanges > b.exchanges : a.key < b.key;
    });
    return out;
}

QList<VersionSeries> Aggregates::series(qint64 nowMs) const
{
    QList<VersionSeries> out;
    for (size_t i = 0; i < d->versions.size() && i < d->series.size(); ++i) {
        VersionSeries s;
        s.version = d->versions[i].version;
        s.mirrored = d->versions[i].mirrored;
        s.label = versionLabel(s.version, s.mirrored);
        for (int t = 0; t < TimeSeries::kTierCount; ++t)
            s.tiers[size_t(t)] = d->series[i].points(t, nowMs);
        out.append(std::move(s));
    }
    std::sort(out.begin(), out.end(), [](const VersionSeries &a, const VersionSeries &b) {
        return a.mirrored != b.mirrored ? !a.mirrored : a.version < b.version;
    });
    return out;
}

// ---- JSON -----------------------------------------------------------------------------------

namespace {

double ms(double us)
{
    return std::round(us) / 1000.0;
}

QJsonObject latencyJson(const LatencySummary &l)
{
    QJsonObject o;
    o[QStringLiteral("count")] = double(l.count);
    if (!l.count)
        return o;
    o[QStringLiteral("min")] = ms(double(l.minUs));
    o[QStringLiteral("p50")] = ms(double(l.p50Us));
    o[QStringLiteral("p90")] = ms(double(l.p90Us));
    o[QStringLiteral("p99")] = ms(double(l.p99Us));
    o[QStringLiteral("p999")] = ms(double(l.p999Us));
    o[QStringLiteral("max")] = ms(double(l.maxUs));
    o[QStringLiteral("mean")] = ms(l.meanUs);
    return o;
}

QJsonObject countsJson(const QMap<QString, quint64> &map)
{
    QJsonObject o;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        o[it.key().isEmpty() ? QStringLiteral("(unknown)") : it.key()] = double(it.value());
    return o;
}

double rounded(double value, int decimals)
{
    const double scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

} // namespace

QJsonObject versionJson(const VersionSummary &v)
{
    QJsonObject o;
    o[QStringLiteral("version")] = v.label;
    o[QStringLiteral("mirrored")] = v.mirrored;
    o[QStringLiteral("legs")] = double(v.legs);
    o[QStringLiteral("requests")] = double(v.requests);
    o[QStringLiteral("ratePerSecond")] = rounded(v.ratePerSecond, 2);
    o[QStringLiteral("failed")] = double(v.failed);
    if (v.sampledOut)
        o[QStringLiteral("sampledOut")] = double(v.sampledOut);
    if (v.dropped)
        o[QStringLiteral("dropped")] = double(v.dropped);
    o[QStringLiteral("latencyMs")] = latencyJson(v.latency);
    QJsonObject codes;
    for (auto it = v.statusCodes.cbegin(); it != v.statusCodes.cend(); ++it)
        codes[it.key() ? QString::number(it.key()) : QStringLiteral("none")] = double(it.value());
    o[QStringLiteral("status")] = codes;
    if (!v.errors.isEmpty())
        o[QStringLiteral("errors")] = countsJson(v.errors);
    if (!v.dropReasons.isEmpty())
        o[QStringLiteral("dropReasons")] = countsJson(v.dropReasons);
    o[QStringLiteral("requestBytes")] = double(v.requestBytes);
    o[QStringLiteral("responseBytes")] = double(v.responseBytes);
    return o;
}

QJsonObject pairJson(const PairSummary &p)
{
    QJsonObject o;
    if (!p.primary.isEmpty())
        o[QStringLiteral("primary")] = p.primary;
    if (!p.mirror.isEmpty())
        o[QStringLiteral("mirror")] = p.mirror;
    o[QStringLiteral("pairs")] = double(p.pairs);
    o[QStringLiteral("compared")] = double(p.comparable);
    QJsonObject mismatches;
    mismatches[QStringLiteral("any")] = double(p.mismatches);
    mismatches[QStringLiteral("status")] = double(p.statusMismatches);
    mismatches[QStringLiteral("headers")] = double(p.headerMismatches);
    mismatches[QStringLiteral("body")] = double(p.bodyMismatches);
    o[QStringLiteral("mismatches")] = mismatches;
    QJsonObject rates;
    rates[QStringLiteral("any")] = rounded(p.rate(p.mismatches), 4);
    rates[QStringLiteral("status")] = rounded(p.rate(p.statusMismatches), 4);
    rates[QStringLiteral("headers")] = rounded(p.rate(p.headerMismatches), 4);
    rates[QStringLiteral("body")] = rounded(p.rate(p.bodyMismatches), 4);
    o[QStringLiteral("mismatchRate")] = rates;
    if (p.truncatedBodies)
        o[QStringLiteral("truncatedBodies")] = double(p.truncatedBodies);
    QJsonArray matrix;
    for (auto it = p.statusMatrix.cbegin(); it != p.statusMatrix.cend(); ++it) {
        QJsonObject cell;
        cell[QStringLiteral("primary")] = it.key().first;
        cell[QStringLiteral("mirror")] = it.key().second;
        cell[QStringLiteral("count")] = double(it.value());
        matrix.append(cell);
    }
    o[QStringLiteral("statusMatrix")] = matrix;
    o[QStringLiteral("latencyDeltaMs")] = latencyJson(p.latencyDelta);
    QJsonArray fields;
    for (const FieldStat &f : p.topFields) {
        QJsonObject field;
        field[QStringLiteral("where")] =
            f.where == FieldStat::Where::Header ? QStringLiteral("header") : QStringLiteral("body");
        field[QStringLiteral("path")] = f.path;
        field[QStringLiteral("count")] = double(f.count);
        if (f.noisy)
            field[QStringLiteral("noisy")] = double(f.noisy);
        QJsonObject example;
        example[QStringLiteral("exchangeId")] = QString::number(f.exampleExchangeId);
        example[QStringLiteral("requestId")] = QString::fromLatin1(f.exampleRequestId);
        example[QStringLiteral("mirrorIndex")] = f.exampleMirrorIndex;
        // Header values leave the process here: mask credentials and cookies as exports do.
        auto shown = [&f](const QString &value) {
            if (f.where != FieldStat::Where::Header || value.isEmpty())
                return value;
            return QString::fromUtf8(Masking::maskHeaderValue(f.path.toLatin1(), value.toUtf8()));
        };
        example[QStringLiteral("primary")] = shown(f.examplePrimaryValue);
        example[QStringLiteral("mirror")] = shown(f.exampleMirrorValue);
        field[QStringLiteral("example")] = example;
        fields.append(field);
    }
    o[QStringLiteral("topFields")] = fields;
    if (p.otherFieldDiffs)
        o[QStringLiteral("otherFieldDiffs")] = double(p.otherFieldDiffs);
    return o;
}

QJsonObject groupJson(const GroupSummary &g)
{
    QJsonObject o;
    if (g.kind == GroupSummary::Kind::Rule) {
        o[QStringLiteral("rule")] = g.key;
        o[QStringLiteral("virtualService")] = g.virtualService;
        o[QStringLiteral("ruleIndex")] = g.ruleIndex;
        if (!g.ruleName.isEmpty())
            o[QStringLiteral("ruleName")] = g.ruleName;
    } else {
        o[QStringLiteral("endpoint")] = g.key;
    }
    o[QStringLiteral("exchanges")] = double(g.exchanges);
    o[QStringLiteral("ratePerSecond")] = rounded(g.ratePerSecond, 2);
    QJsonArray versions;
    for (const VersionSummary &v : g.versions)
        versions.append(versionJson(v));
    o[QStringLiteral("versions")] = versions;
    o[QStringLiteral("pairs")] = pairJson(g.pairing);
    return o;
}

} // namespace Observe
