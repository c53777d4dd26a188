#pragma once

#include "observe/comparison.h"
#include "observe/exchange.h"
#include "proxy/stats.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace Observe {

// Prometheus metrics of a run, in the text exposition format 0.0.4, named and labelled as
// Istio's sidecars name theirs (reporter="source"), so the queries and dashboards written for
// a mesh work against Mirrorscope unchanged:
//
//   istio_requests_total                        counter
//   istio_request_duration_milliseconds         histogram (Envoy's default buckets, as Istio)
//   istio_request_bytes, istio_response_bytes   histograms of body sizes (as Istio's)
//     labels: reporter, destination_service, destination_service_name, destination_version,
//             response_code, request_protocol, response_flags, mirrored
//
// Every primary leg is a request, and every mirror leg that was sent (Completed or Failed);
// mirror legs never sent (SampledOut, Dropped) are not requests, they are counted in
// Mirrorscope's own metrics:
//
//   mirrorscope_exchanges_total
//   mirrorscope_mirrors_total{outcome="completed|failed|sampled_out|dropped", destination_...}
//   mirrorscope_mirror_drops_total{reason="in_flight_limit|...", destination_...}
//   mirrorscope_comparisons_total{destination_...}           (comparable pairs)
//   mirrorscope_comparison_mismatches_total{kind="status|headers|body", destination_...}
//   mirrorscope_comparisons_mismatched_total{destination_...} (pairs with any mismatch)
//   mirrorscope_proxy_*                                       (Proxy::Stats, when given)
//
// Thread-safe: add*() from one thread (the recorder's consumer), render() from another (the
// metrics server). The lock is held only to merge a batch's precomputed increments or to copy
// the state; nothing here runs on the proxy's request path.
class Metrics
{
public:
    Metrics();
    ~Metrics();
    Metrics(const Metrics &) = delete;
    Metrics &operator=(const Metrics &) = delete;

    // comparisons: Comparator::compare(exchange) for it (one per mirror), or empty when the
    // exchange was not compared (then it counts in no comparison metric).
    void add(const Exchange &exchange, const QList<Comparison> &comparisons = {});
    // comparisons[i] belongs to batch[i]; missing entries count as not compared.
    void addBatch(const QList<Exchange> &batch, const QList<QList<Comparison>> &comparisons = {});

    // The proxy's own counters as mirrorscope_proxy_* metrics: either a snapshot pushed now and
    // then, or a source called at every render() in render()'s thread (the source wins when
    // both are set; an empty function removes it). Without either, no proxy metrics are shown.
    void setProxyStats(const Proxy::Stats &stats);
    using StatsSource = std::function<Proxy::Stats()>;
    void setProxyStatsSource(StatsSource source);

    // A new run: every counter back to zero (the proxy stats stay as set).
    void reset();

    // The whole exposition, deterministic (families and series in a fixed order).
    QByteArray render() const;

    // "text/plain; version=0.0.4; charset=utf-8"
    static QByteArray contentType();
    // Envoy's (and so Istio's) default histogram buckets, in milliseconds or bytes.
    static const std::vector<double> &defaultBuckets();

    // The Envoy-like response_flags of one leg: "-" when none; "UF" connect failure, "UT"
    // upstream timeout, "UC" upstream connection termination (503 before a response), "UR"
    // upstream reset mid-response, "UPE" bad upstream response, "NC" unbound destination (no
    // cluster), "NR" no route, "FI" fault abort, "DC" client went away, "SI" idle timeout,
    // "DPE" refused malformed request.
    static QString responseFlags(const Exchange &exchange, const Leg &leg);
    // A label value in the exposition format: \ " and newline escaped.
    static QByteArray escapeLabelValue(const QString &value);
    // "in-flight limit" -> "in_flight_limit": reasons and outcomes as label values.
    static QString labelToken(const QString &text);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Observe
