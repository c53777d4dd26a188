#include "metrics.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <iterator>
#include <map>
#include <mutex>
#include <tuple>

namespace Observe {

namespace {

// Envoy's default histogram buckets; Istio's bootstrap keeps them for every istio_* histogram.
const std::vector<double> kBuckets{0.5,   1,      5,      10,      25,     50,    100,
                                   250,   500,    1000,   2500,    5000,   10000, 30000,
                                   60000, 300000, 600000, 1800000, 3600000};
constexpr std::size_t kBucketCount = 19;

struct FixedHistogram
{
    // counts[i]: values in (bound[i-1], bound[i]]; counts[kBucketCount]: above the last bound.
    std::array<quint64, kBucketCount + 1> counts{};
    double sum = 0;
    quint64 count = 0;

    void record(double value)
    {
        const auto it = std::lower_bound(kBuckets.begin(), kBuckets.end(), value);
        ++counts[std::size_t(it - kBuckets.begin())];
        sum += value;
        ++count;
    }
    void merge(const FixedHistogram &o)
    {
        for (std::size_t i = 0; i < counts.size(); ++i)
            counts[i] += o.counts[i];
        sum += o.sum;
        count += o.count;
    }
};

// The destination labels every series carries.
struct Destination
{
    QString service;
    QString serviceName;
    QString version;
    bool operator<(const Destination &o) const
    {
        return std::tie(service, version, serviceName) <
               std::tie(o.service, o.version, o.serviceName);
    }
};

struct RequestKey
{
    Destination destination;
    bool mirrored = false;
    int code = 0;
    QString flags;
    bool operator<(const RequestKey &o) const
    {
        return std::tie(mirrored, destination, code, flags) <
               std::tie(o.mirrored, o.destination, o.code, o.flags);
    }
};

struct RequestSeries
{
    quint64 requests = 0;
    FixedHistogram duration;
    FixedHistogram requestBytes;
    FixedHistogram responseBytes;
    void merge(const RequestSeries &o)
    {
        requests += o.requests;
        duration.merge(o.duration);
        requestBytes.merge(o.requestBytes);
        responseBytes.merge(o.responseBytes);
    }
};

using Labelled = std::map<std::pair<Destination, QString>, quint64>;

// Everything counted; a batch is first counted into one of these unlocked, then merged.
struct State
{
    quint64 exchanges = 0;
    std::map<RequestKey, RequestSeries> requests;
    Labelled mirrors;    // outcome
    Labelled drops;      // reason
    Labelled mismatches; // kind
    std::map<Destination, quint64> comparisons;
    std::map<Destination, quint64> mismatched;

    void merge(const State &o)
    {
        exchanges += o.exchanges;
        for (const auto &[k, v] : o.requests)
            requests[k].merge(v);
        for (const auto &[k, v] : o.mirrors)
            mirrors[k] += v;
        for (const auto &[k, v] : o.drops)
            drops[k] += v;
        for (const auto &[k, v] : o.mismatches)
            mismatches[k] += v;
        for (const auto &[k, v] : o.comparisons)
            comparisons[k] += v;
        for (const auto &[k, v] : o.mismatched)
            mismatched[k] += v;
    }
};

Destination destinationOf(const Leg &leg)
{
    Destination d;
    // Istio says "unknown" for a label it cannot fill; the request's own Host is not used for
    // unrouted requests, as it would let any client mint new series.
    d.service = leg.destination.host.isEmpty() ? QStringLiteral("unknown") : leg.destination.host;
    d.serviceName = d.service.section(QLatin1Char('.'), 0, 0);
    d.version =
        leg.destination.subset.isEmpty() ? QStringLiteral("unknown") : leg.destination.subset;
    return d;
}

void countLeg(State &s, const Exchange &e, const Leg &leg, bool mirrored)
{
    RequestKey key;
    key.destination = destinationOf(leg);
    key.mirrored = mirrored;
    key.code = leg.status;
    key.flags = Metrics::responseFlags(e, leg);
    RequestSeries &series = s.requests[key];
    ++series.requests;
    series.duration.record(double(qMax<qint64>(leg.totalUs, 0)) / 1000.0);
    series.requestBytes.record(double(qMax<qint64>(e.requestBodySize, 0)));
    series.responseBytes.record(double(qMax<qint64>(leg.bodySize, 0)));
}

void countExchange(State &s, const Exchange &e, const QList<Comparison> &comparisons)
{
    ++s.exchanges;
    countLeg(s, e, e.primary, false);
    for (const Leg &m : e.mirrors) {
        const Destination dest = destinationOf(m);
        switch (m.outcome) {
        case Leg::Outcome::Completed:
        case Leg::Outcome::Local: // not legal for a mirror; counted as what it answered
            ++s.mirrors[{dest, QStringLiteral("completed")}];
            countLeg(s, e, m, true);
            break;
        case Leg::Outcome::Failed:
            ++s.mirrors[{dest, QStringLiteral("failed")}];
            countLeg(s, e, m, true);
            break;
        case Leg::Outcome::SampledOut:
            ++s.mirrors[{dest, QStringLiteral("sampled_out")}];
            break;
        case Leg::Outcome::Dropped:
            ++s.mirrors[{dest, QStringLiteral("dropped")}];
            ++s.drops[{dest, m.dropReason.isEmpty() ? QStringLiteral("unknown")
                                                    : Metrics::labelToken(m.dropReason)}];
            break;
        }
    }
    for (const Comparison &c : comparisons) {
        if (!c.comparable || c.mirrorIndex < 0 || c.mirrorIndex >= e.mirrors.size())
            continue;
        const Destination dest = destinationOf(e.mirrors.at(c.mirrorIndex));
        ++s.comparisons[dest];
        if (!c.statusEqual)
            ++s.mismatches[{dest, QStringLiteral("status")}];
        if (!c.headersEqual())
            ++s.mismatches[{dest, QStringLiteral("headers")}];
        if (!c.body.equal)
            ++s.mismatches[{dest, QStringLiteral("body")}];
        if (c.mismatch())
            ++s.mismatched[dest];
    }
}

// --------------------------------------------------------------------------- formatting ---

QByteArray number(double v, bool fixed = false)
{
    char buf[64];
    const auto r = fixed ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                         : std::to_chars(buf, buf + sizeof buf, v);
    if (r.ec != std::errc())
        return QByteArray::number(v, 'g', 17);
    return QByteArray(buf, int(r.ptr - buf));
}

QByteArray escapeHelp(const char *text)
{
    QByteArray out;
    for (const char *p = text; *p; ++p) {
        if (*p == '\\')
            out += "\\\\";
        else if (*p == '\n')
            out += "\\n";
        else
            out += *p;
    }
    return out;
}

class Writer
{
public:
    void family(const char *name, const char *type, const char *help)
    {
        m_out += "# HELP ";
        m_out += name;
        m_out += ' ';
        m_out += escapeHelp(help);
        m_out += "\n# TYPE ";
        m_out += name;
        m_out += ' ';
        m_out += type;
        m_out += '\n';
    }
    // labels: "a=\"x\",b=\"y\"" already escaped (or empty)
    void sample(const QByteArray &name, const QByteArray &labels, const QByteArray &value)
    {
        m_out += name;
        if (!labels.isEmpty()) {
            m_out += '{';
            m_out += labels;
            m_out += '}';
        }
        m_out += ' ';
        m_out += value;
        m_out += '\n';
    }
    void histogram(const char *name, const QByteArray &labels, const FixedHistogram &h)
    {
        const QByteArray base(name);
        const QByteArray prefix = labels.isEmpty() ? QByteArray() : labels + ',';
        quint64 cumulative = 0;
        for (std::size_t i = 0; i < kBucketCount; ++i) {
            cumulative += h.counts[i];
            sample(base + "_bucket", prefix + "le=\"" + number(kBuckets[i], true) + '"',
                   QByteArray::number(cumulative));
        }
        sample(base + "_bucket", prefix + "le=\"+Inf\"", QByteArray::number(h.count));
        sample(base + "_sum", labels, number(h.sum));
        sample(base + "_count", labels, QByteArray::number(h.count));
    }
    QByteArray take() { return std::move(m_out); }

private:
    QByteArray m_out;
};

QByteArray label(const char *name, const QString &value)
{
    return QByteArray(name) + "=\"" + Metrics::escapeLabelValue(value) + '"';
}

QByteArray destinationLabels(const Destination &d)
{
    return label("destination_service", d.service) + ',' +
           label("destination_service_name", d.serviceName) + ',' +
           label("destination_version", d.version);
}

QByteArray requestLabels(const RequestKey &k)
{
    return label("reporter", QStringLiteral("source")) + ',' + destinationLabels(k.destination) +
           ',' + label("response_code", QString::number(k.code)) + ',' +
           label("request_protocol", QStringLiteral("http")) + ',' +
           label("response_flags", k.flags) + ',' +
           label("mirrored", k.mirrored ? QStringLiteral("true") : QStringLiteral("false"));
}

void writeLabelled(Writer &w, const char *name, const char *labelName, const Labelled &values)
{
    for (const auto &[k, v] : values)
        w.sample(name, destinationLabels(k.first) + ',' + label(labelName, k.second),
                 QByteArray::number(v));
}

// ------------------------------------------------------------------------ proxy counters ---

struct ProxyMetric
{
    quint64 Proxy::Stats::*field;
    const char *name;
    const char *type;
    const char *labelName; // nullptr: no label
    const char *labelValue;
    const char *help;
};

// Entries of one metric are adjacent (one HELP/TYPE each).
const ProxyMetric kProxyMetrics[] = {
    {&Proxy::Stats::requests, "mirrorscope_proxy_requests_total", "counter", nullptr, nullptr,
     "Requests the proxy read from clients."},
    {&Proxy::Stats::responses1xx, "mirrorscope_proxy_responses_total", "counter", "code_class",
     "1xx",
     "Responses the proxy sent to clients, by status class (none: the connection ended "
     "before a status)."},
    {&Proxy::Stats::responses2xx, "mirrorscope_proxy_responses_total", "counter", "code_class",
     "2xx", nullptr},
    {&Proxy::Stats::responses3xx, "mirrorscope_proxy_responses_total", "counter", "code_class",
     "3xx", nullptr},
    {&Proxy::Stats::responses4xx, "mirrorscope_proxy_responses_total", "counter", "code_class",
     "4xx", nullptr},
    {&Proxy::Stats::responses5xx, "mirrorscope_proxy_responses_total", "counter", "code_class",
     "5xx", nullptr},
    {&Proxy::Stats::responsesNone, "mirrorscope_proxy_responses_total", "counter", "code_class",
     "none", nullptr},
    {&Proxy::Stats::badRequests, "mirrorscope_proxy_bad_requests_total", "counter", nullptr,
     nullptr, "Requests the proxy refused itself (400, 403, 405, 408, 431, 505)."},
    {&Proxy::Stats::upstreamConnectFailures, "mirrorscope_proxy_upstream_errors_total", "counter",
     "kind", "connect_failure", "Failures of the primary upstream, by kind."},
    {&Proxy::Stats::upstreamTimeouts, "mirrorscope_proxy_upstream_errors_total", "counter", "kind",
     "timeout", nullptr},
    {&Proxy::Stats::upstreamResets, "mirrorscope_proxy_upstream_errors_total", "counter", "kind",
     "reset", nullptr},
    {&Proxy::Stats::upstreamBadResponses, "mirrorscope_proxy_upstream_errors_total", "counter",
     "kind", "bad_response", nullptr},
    {&Proxy::Stats::retries, "mirrorscope_proxy_retries_total", "counter", nullptr, nullptr,
     "Retries of primary requests."},
    {&Proxy::Stats::unboundRequests, "mirrorscope_proxy_unbound_requests_total", "counter", nullptr,
     nullptr, "Requests routed to a destination no binding maps to a local endpoint."},
    {&Proxy::Stats::mirrors, "mirrorscope_proxy_mirrors_total", "counter", nullptr, nullptr,
     "Mirror legs routing decided (sampled out, dropped, sent)."},
    {&Proxy::Stats::mirrorsSent, "mirrorscope_proxy_mirrors_sent_total", "counter", nullptr,
     nullptr, "Mirror requests sent."},
    {&Proxy::Stats::mirrorsCompleted, "mirrorscope_proxy_mirrors_completed_total", "counter",
     nullptr, nullptr, "Mirror requests answered completely."},
    {&Proxy::Stats::mirrorsFailed, "mirrorscope_proxy_mirrors_failed_total", "counter", nullptr,
     nullptr, "Mirror requests that failed (timeouts included)."},
    {&Proxy::Stats::mirrorsTimedOut, "mirrorscope_proxy_mirror_timeouts_total", "counter", nullptr,
     nullptr, "Mirror requests that timed out."},
    {&Proxy::Stats::mirrorsSampledOut, "mirrorscope_proxy_mirrors_sampled_out_total", "counter",
     nullptr, nullptr, "Mirrors the mirror percentage left out (nothing sent)."},
    {&Proxy::Stats::mirrorsDroppedInFlightLimit, "mirrorscope_proxy_mirror_drops_total", "counter",
     "reason", "in_flight_limit", "Mirrors dropped by a bound before or while sending, by reason."},
    {&Proxy::Stats::mirrorsDroppedBodyLimit, "mirrorscope_proxy_mirror_drops_total", "counter",
     "reason", "body_over_buffer_limit", nullptr},
    {&Proxy::Stats::mirrorsDroppedReadOnly, "mirrorscope_proxy_mirror_drops_total", "counter",
     "reason", "read_only_mirroring", nullptr},
    {&Proxy::Stats::mirrorsDroppedUnbound, "mirrorscope_proxy_mirror_drops_total", "counter",
     "reason", "unbound_destination", nullptr},
    {&Proxy::Stats::mirrorsDroppedClientGone, "mirrorscope_proxy_mirror_drops_total", "counter",
     "reason", "client_disconnected", nullptr},
    {&Proxy::Stats::mirrorsDroppedEndpointDown, "mirrorscope_proxy_mirror_drops_total", "counter",
     "reason", "endpoint_down", nullptr},
    {&Proxy::Stats::bytesIn, "mirrorscope_proxy_received_bytes_total", "counter", nullptr, nullptr,
     "Bytes read from clients."},
    {&Proxy::Stats::bytesOut, "mirrorscope_proxy_sent_bytes_total", "counter", nullptr, nullptr,
     "Bytes written to clients."},
    {&Proxy::Stats::connectionsTotal, "mirrorscope_proxy_connections_total", "counter", nullptr,
     nullptr, "Client connections accepted."},
    {&Proxy::Stats::connectionsRefused, "mirrorscope_proxy_connections_refused_total", "counter",
     nullptr, nullptr, "Client connections closed at once: the connection limit was reached."},
    {&Proxy::Stats::connectionsEvicted, "mirrorscope_proxy_connections_evicted_total", "counter",
     nullptr, nullptr, "Idle client connections closed to make room under the connection limit."},
    {&Proxy::Stats::exchangesRecorded, "mirrorscope_proxy_exchanges_recorded_total", "counter",
     nullptr, nullptr, "Exchange records handed to the recorder."},
    {&Proxy::Stats::connectionsOpen, "mirrorscope_proxy_connections_open", "gauge", nullptr,
     nullptr, "Client connections open now."},
    {&Proxy::Stats::mirrorsInFlight, "mirrorscope_proxy_mirrors_in_flight", "gauge", nullptr,
     nullptr, "Mirror requests in flight now."},
    {&Proxy::Stats::recorderDropped, "mirrorscope_proxy_recorder_dropped_total", "counter", nullptr,
     nullptr,
     "Exchange records the full recorder queue let go (counted here, in no other metric)."},
    {&Proxy::Stats::recorderQueued, "mirrorscope_proxy_recorder_queued", "gauge", nullptr, nullptr,
     "Exchange records waiting in the recorder queue now."},
    {&Proxy::Stats::bufferedHighWater, "mirrorscope_proxy_buffered_high_water_bytes", "gauge",
     nullptr, nullptr, "Most bytes one connection buffered at once (both directions)."},
};

// A counter added to Proxy::Stats must get a metric above: the macro list counts them.
#define MIRRORSCOPE_COUNT_ONE(name) +1
constexpr std::size_t kProxyCounterFields = 0 MIRRORSCOPE_PROXY_COUNTERS(MIRRORSCOPE_COUNT_ONE);
#undef MIRRORSCOPE_COUNT_ONE
static_assert(std::size(kProxyMetrics) == kProxyCounterFields + 5,
              "every Proxy::Stats field needs a metric in kProxyMetrics");

void writeProxyStats(Writer &w, const Proxy::Stats &stats)
{
    const char *current = nullptr;
    for (const ProxyMetric &m : kProxyMetrics) {
        if (!current || qstrcmp(current, m.name) != 0) {
            w.family(m.name, m.type, m.help ? m.help : "");
            current = m.name;
        }
        const QByteArray labels =
            m.labelName ? label(m.labelName, QString::fromLatin1(m.labelValue)) : QByteArray();
        w.sample(m.name, labels, QByteArray::number(stats.*(m.field)));
    }
}

} // namespace

// ------------------------------------------------------------------------------- Metrics ---

struct Metrics::Private
{
    mutable std::mutex mutex;
    // Guarded by mutex:
    State state;
    std::optional<Proxy::Stats> stats;
    StatsSource source;
};

Metrics::Metrics() : d(std::make_unique<Private>()) {}

Metrics::~Metrics() = default;

void Metrics::add(const Exchange &exchange, const QList<Comparison> &comparisons)
{
    State delta;
    countExchange(delta, exchange, comparisons);
    std::lock_guard lock(d->mutex);
    d->state.merge(delta);
}

void Metrics::addBatch(const QList<Exchange> &batch, const QList<QList<Comparison>> &comparisons)
{
    if (batch.isEmpty())
        return;
    State delta;
    for (qsizetype i = 0; i < batch.size(); ++i)
        countExchange(delta, batch.at(i),
                      i < comparisons.size() ? comparisons.at(i) : QList<Comparison>());
    std::lock_guard lock(d->mutex);
    d->state.merge(delta);
}

void Metrics::setProxyStats(const Proxy::Stats &stats)
{
    std::lock_guard lock(d->mutex);
    d->stats = stats;
}

void Metrics::setProxyStatsSource(StatsSource source)
{
    std::lock_guard lock(d->mutex);
    d->source = std::move(source);
}

void Metrics::reset()
{
    State empty;
    std::lock_guard lock(d->mutex);
    std::swap(d->state, empty);
}

QByteArray Metrics::render() const
{
    State s;
    std::optional<Proxy::Stats> stats;
    StatsSource source;
    {
        std::lock_guard lock(d->mutex);
        s = d->state;
        stats = d->stats;
        source = d->source;
    }
    if (source)
        stats = source(); // outside the lock: it may take its own

    Writer w;
    w.family("istio_requests_total", "counter",
             "Requests Mirrorscope's proxy sent to each destination (primary and mirrored legs; "
             "mirrors never sent are not requests).");
    for (const auto &[k, v] : s.requests)
        w.sample("istio_requests_total", requestLabels(k), QByteArray::number(v.requests));

    w.family("istio_request_duration_milliseconds", "histogram",
             "Request duration: from the request's arrival to the leg's last response byte.");
    for (const auto &[k, v] : s.requests)
        w.histogram("istio_request_duration_milliseconds", requestLabels(k), v.duration);
    w.family("istio_request_bytes", "histogram", "Request body sizes.");
    for (const auto &[k, v] : s.requests)
        w.histogram("istio_request_bytes", requestLabels(k), v.requestBytes);
    w.family("istio_response_bytes", "histogram", "Response body sizes.");
    for (const auto &[k, v] : s.requests)
        w.histogram("istio_response_bytes", requestLabels(k), v.responseBytes);

    w.family("mirrorscope_exchanges_total", "counter",
             "Exchanges observed (one per client request, with all its legs).");
    w.sample("mirrorscope_exchanges_total", {}, QByteArray::number(s.exchanges));

    w.family("mirrorscope_mirrors_total", "counter",
             "Mirror legs by outcome: completed, failed (both sent), sampled_out, dropped.");
    writeLabelled(w, "mirrorscope_mirrors_total", "outcome", s.mirrors);
    w.family("mirrorscope_mirror_drops_total", "counter",
             "Mirror legs dropped by a bound (not or not completely sent), by reason.");
    writeLabelled(w, "mirrorscope_mirror_drops_total", "reason", s.drops);

    w.family("mirrorscope_comparisons_total", "counter",
             "Primary and mirror responses compared (both legs answered with a status).");
    for (const auto &[k, v] : s.comparisons)
        w.sample("mirrorscope_comparisons_total", destinationLabels(k), QByteArray::number(v));
    w.family("mirrorscope_comparisons_mismatched_total", "counter",
             "Compared pairs whose status, headers or body differed (noise excluded).");
    for (const auto &[k, v] : s.comparisons) {
        const auto it = s.mismatched.find(k);
        w.sample("mirrorscope_comparisons_mismatched_total", destinationLabels(k),
                 QByteArray::number(it == s.mismatched.end() ? 0 : it->second));
    }
    w.family("mirrorscope_comparison_mismatches_total", "counter",
             "Compared pairs that differed, by kind (a pair can differ in several kinds).");
    // Every kind of every compared destination, zeros included, so rates and ratios exist
    // from the first comparison on.
    Labelled mismatches = s.mismatches;
    for (const auto &[k, v] : s.comparisons) {
        Q_UNUSED(v);
        for (const QString &kind :
             {QStringLiteral("body"), QStringLiteral("headers"), QStringLiteral("status")})
            mismatches.try_emplace({k, kind}, 0);
    }
    writeLabelled(w, "mirrorscope_comparison_mismatches_total", "kind", mismatches);

    if (stats)
        writeProxyStats(w, *stats);
    return w.take();
}

QByteArray Metrics::contentType()
{
    return QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8");
}

const std::vector<double> &Metrics::defaultBuckets()
{
    return kBuckets;
}

QString Metrics::responseFlags(const Exchange &exchange, const Leg &leg)
{
    switch (leg.outcome) {
    case Leg::Outcome::Completed:
    case Leg::Outcome::SampledOut:
    case Leg::Outcome::Dropped:
        return QStringLiteral("-");
    case Leg::Outcome::Local:
        if (exchange.ruleIndex < 0)
            return QStringLiteral("NR");
        // The proxy answers a fault abort with this body (as Envoy's fault filter does).
        if (leg.bodyPrefix == "fault filter abort")
            return QStringLiteral("FI");
        return QStringLiteral("-"); // redirect, direct response
    case Leg::Outcome::Failed:
        break;
    }
    const QString &e = leg.error;
    if (e == QLatin1String("connect failure"))
        return QStringLiteral("UF");
    if (e == QLatin1String("timeout"))
        return QStringLiteral("UT");
    if (e == QLatin1String("reset"))
        return leg.status ? QStringLiteral("UC") : QStringLiteral("UR");
    if (e == QLatin1String("bad response"))
        return QStringLiteral("UPE");
    if (e == QLatin1String("unbound destination"))
        return QStringLiteral("NC");
    if (e == QLatin1String("client disconnected"))
        return QStringLiteral("DC");
    if (e == QLatin1String("idle timeout"))
        return QStringLiteral("SI");
    // A request refused before routing (400/431/403/405) or with a malformed body.
    if (e.startsWith(QLatin1String("bad request")) || (leg.status >= 400 && leg.status < 500))
        return QStringLiteral("DPE");
    return QStringLiteral("-");
}

QByteArray Metrics::escapeLabelValue(const QString &value)
{
    const QByteArray utf8 = value.toUtf8();
    QByteArray out;
    out.reserve(utf8.size());
    for (const char c : utf8) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

QString Metrics::labelToken(const QString &text)
{
    QString out;
    out.reserve(text.size());
    bool pendingUnderscore = false;
    for (const QChar c : text) {
        if (c.isLetterOrNumber()) {
            if (pendingUnderscore && !out.isEmpty())
                out += QLatin1Char('_');
            pendingUnderscore = false;
            out += c.toLower();
        } else {
            pendingUnderscore = true;
        }
    }
    return out.isEmpty() ? QStringLiteral("unknown") : out;
}

} // namespace Observe
