// operator== for the model types, and small helpers of the value types.
#include "base/duration.h"
#include "model/destinationrule.h"
#include "model/resource.h"
#include "model/virtualservice.h"

#include <tuple>

namespace Model {

namespace {

// A decoded struct with no unknown keys has a null `extra`; one built in code may hold an empty
// map after edits. Both mean "nothing extra".
bool sameExtra(const Yaml::Node &a, const Yaml::Node &b)
{
    const bool emptyA = a.isNull() || (a.isMap() && a.size() == 0);
    const bool emptyB = b.isNull() || (b.isMap() && b.size() == 0);
    if (emptyA || emptyB)
        return emptyA == emptyB;
    return a == b;
}

} // namespace

QString StringMatch::kindName(Kind k)
{
    switch (k) {
    case Kind::Exact:
        return QStringLiteral("exact");
    case Kind::Prefix:
        return QStringLiteral("prefix");
    case Kind::Regex:
        return QStringLiteral("regex");
    case Kind::None:
        break;
    }
    return QString();
}

bool StringMatch::operator==(const StringMatch &o) const
{
    return kind == o.kind && value == o.value && sameExtra(extra, o.extra);
}

Duration Duration::fromText(const QString &text)
{
    Duration d;
    d.text = text;
    if (auto ms = Base::parseDurationMs(text.toStdString()))
        d.ms = static_cast<qint64>(*ms);
    return d;
}

Duration Duration::fromMs(qint64 ms)
{
    Duration d;
    d.text = QString::fromStdString(Base::formatDurationMs(ms));
    d.ms = ms;
    return d;
}

bool PortSelector::operator==(const PortSelector &o) const
{
    return number == o.number && sameExtra(extra, o.extra);
}

void Destination::setPortNumber(std::optional<qint64> n)
{
    if (!n) {
        port.reset();
        return;
    }
    if (!port)
        port = PortSelector();
    port->number = n;
}

bool Destination::isEmpty() const
{
    return host.isEmpty() && subset.isEmpty() && !port && sameExtra(extra, Yaml::Node());
}

bool Destination::operator==(const Destination &o) const
{
    return std::tie(host, subset, port) == std::tie(o.host, o.subset, o.port) &&
           sameExtra(extra, o.extra);
}

bool HeaderOperations::operator==(const HeaderOperations &o) const
{
    return std::tie(set, add, remove) == std::tie(o.set, o.add, o.remove) &&
           sameExtra(extra, o.extra);
}

bool Headers::operator==(const Headers &o) const
{
    return std::tie(request, response) == std::tie(o.request, o.response) &&
           sameExtra(extra, o.extra);
}

bool HTTPMatchRequest::operator==(const HTTPMatchRequest &o) const
{
    return std::tie(name, uri, scheme, method, authority, headers, port, sourceLabels, gateways,
                    queryParams, ignoreUriCase, withoutHeaders, sourceNamespace, statPrefix) ==
               std::tie(o.name, o.uri, o.scheme, o.method, o.authority, o.headers, o.port,
                        o.sourceLabels, o.gateways, o.queryParams, o.ignoreUriCase,
                        o.withoutHeaders, o.sourceNamespace, o.statPrefix) &&
           sameExtra(extra, o.extra);
}

bool HTTPRouteDestination::operator==(const HTTPRouteDestination &o) const
{
    return std::tie(destination, weight, headers) == std::tie(o.destination, o.weight, o.headers) &&
           sameExtra(extra, o.extra);
}

bool HTTPRedirect::operator==(const HTTPRedirect &o) const
{
    return std::tie(uri, authority, port, derivePort, scheme, redirectCode, prefixRewrite) ==
               std::tie(o.uri, o.authority, o.port, o.derivePort, o.scheme, o.redirectCode,
                        o.prefixRewrite) &&
           sameExtra(extra, o.extra);
}

bool HTTPBody::operator==(const HTTPBody &o) const
{
    return kind == o.kind && value == o.value && sameExtra(extra, o.extra);
}

bool HTTPDirectResponse::operator==(const HTTPDirectResponse &o) const
{
    return status == o.status && body == o.body && sameExtra(extra, o.extra);
}

bool Delegate::operator==(const Delegate &o) const
{
    return name == o.name && namespaceName == o.namespaceName && sameExtra(extra, o.extra);
}

bool RegexRewrite::operator==(const RegexRewrite &o) const
{
    return match == o.match && rewrite == o.rewrite && sameExtra(extra, o.extra);
}

bool HTTPRewrite::operator==(const HTTPRewrite &o) const
{
    return std::tie(uri, authority, uriRegexRewrite) ==
               std::tie(o.uri, o.authority, o.uriRegexRewrite) &&
           sameExtra(extra, o.extra);
}

bool HTTPRetry::operator==(const HTTPRetry &o) const
{
    return std::tie(attempts, perTryTimeout, retryOn, retryRemoteLocalities,
                    retryIgnorePreviousHosts, backoff) ==
               std::tie(o.attempts, o.perTryTimeout, o.retryOn, o.retryRemoteLocalities,
                        o.retryIgnorePreviousHosts, o.backoff) &&
           sameExtra(extra, o.extra);
}

bool FaultDelay::operator==(const FaultDelay &o) const
{
    return std::tie(percent, fixedDelay, exponentialDelay, percentage) ==
               std::tie(o.percent, o.fixedDelay, o.exponentialDelay, o.percentage) &&
           sameExtra(extra, o.extra);
}

bool FaultAbort::operator==(const FaultAbort &o) const
{
    return std::tie(httpStatus, grpcStatus, http2Error, percentage) ==
               std::tie(o.httpStatus, o.grpcStatus, o.http2Error, o.percentage) &&
           sameExtra(extra, o.extra);
}

bool HTTPFaultInjection::operator==(const HTTPFaultInjection &o) const
{
    return delay == o.delay && abort == o.abort && sameExtra(extra, o.extra);
}

bool HTTPMirrorPolicy::operator==(const HTTPMirrorPolicy &o) const
{
    return destination == o.destination && percentage == o.percentage && sameExtra(extra, o.extra);
}

bool CorsPolicy::operator==(const CorsPolicy &o) const
{
    return std::tie(allowOrigin, allowOrigins, allowMethods, allowHeaders, exposeHeaders, maxAge,
                    allowCredentials, unmatchedPreflights) ==
               std::tie(o.allowOrigin, o.allowOrigins, o.allowMethods, o.allowHeaders,
                        o.exposeHeaders, o.maxAge, o.allowCredentials, o.unmatchedPreflights) &&
           sameExtra(extra, o.extra);
}

double HTTPRoute::effectiveMirrorPercentage() const
{
    if (mirrorPercentage)
        return *mirrorPercentage;
    if (mirrorPercent)
        return static_cast<double>(*mirrorPercent);
    return 100.0;
}

bool HTTPRoute::operator==(const HTTPRoute &o) const
{
    return std::tie(name, match, route, redirect, directResponse, delegate, rewrite, timeout,
                    retries, fault, mirror, mirrors, mirrorPercent, mirrorPercentSpelling,
                    mirrorPercentage, corsPolicy, headers) ==
               std::tie(o.name, o.match, o.route, o.redirect, o.directResponse, o.delegate,
                        o.rewrite, o.timeout, o.retries, o.fault, o.mirror, o.mirrors,
                        o.mirrorPercent, o.mirrorPercentSpelling, o.mirrorPercentage, o.corsPolicy,
                        o.headers) &&
           sameExtra(extra, o.extra);
}

bool VirtualService::operator==(const VirtualService &o) const
{
    return std::tie(hosts, gateways, http, tls, tcp, exportTo) ==
               std::tie(o.hosts, o.gateways, o.http, o.tls, o.tcp, o.exportTo) &&
           sameExtra(extra, o.extra);
}

bool Subset::operator==(const Subset &o) const
{
    return name == o.name && labels == o.labels && trafficPolicy == o.trafficPolicy &&
           sameExtra(extra, o.extra);
}

const Subset *DestinationRule::findSubset(const QString &name) const
{
    for (const Subset &s : subsets) {
        if (s.name == name)
            return &s;
    }
    return nullptr;
}

QStringList DestinationRule::subsetNames() const
{
    QStringList out;
    for (const Subset &s : subsets)
        out.append(s.name);
    return out;
}

bool DestinationRule::operator==(const DestinationRule &o) const
{
    return std::tie(host, trafficPolicy, subsets, exportTo, workloadSelector) ==
               std::tie(o.host, o.trafficPolicy, o.subsets, o.exportTo, o.workloadSelector) &&
           sameExtra(extra, o.extra);
}

bool Resource::operator==(const Resource &o) const
{
    return std::tie(type, apiVersion, kind, metadata, virtualService, destinationRule, raw) ==
               std::tie(o.type, o.apiVersion, o.kind, o.metadata, o.virtualService,
                        o.destinationRule, o.raw) &&
           sameExtra(extra, o.extra);
}

} // namespace Model
