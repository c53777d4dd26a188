#pragma once

#include "model/common.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// Typed VirtualService, field for field with Istio's networking/v1alpha3/virtual_service.proto
// (JSON names). Members are declared in the proto's field order, which is also the order
// Model::toNode writes them. Conventions:
// - a string that is empty is "not set" (it is not written back);
// - numbers, bools, messages whose presence matters are std::optional;
// - every struct that is a YAML map has `extra`: a Yaml::Node map holding the keys the model
//   does not know or could not type (a string where a number belongs), in source order. They
//   are written back after the known fields, so nothing is lost on a round trip.
namespace Model {

struct PortSelector
{
    std::optional<qint64> number; // uint32 in the proto; range checks are validation's job
    Yaml::Node extra;
    bool operator==(const PortSelector &o) const;
    bool operator!=(const PortSelector &o) const { return !(*this == o); }
};

struct Destination
{
    QString host;
    QString subset;
    std::optional<PortSelector> port;
    Yaml::Node extra;

    std::optional<qint64> portNumber() const { return port ? port->number : std::nullopt; }
    void setPortNumber(std::optional<qint64> n);
    bool isEmpty() const; // nothing set at all (then it is not written)
    bool operator==(const Destination &o) const;
    bool operator!=(const Destination &o) const { return !(*this == o); }
};

struct HeaderOperations
{
    StringMap set;
    StringMap add;
    QStringList remove;
    Yaml::Node extra;
    bool operator==(const HeaderOperations &o) const;
    bool operator!=(const HeaderOperations &o) const { return !(*this == o); }
};

struct Headers
{
    std::optional<HeaderOperations> request;
    std::optional<HeaderOperations> response;
    Yaml::Node extra;
    bool operator==(const Headers &o) const;
    bool operator!=(const Headers &o) const { return !(*this == o); }
};

struct HTTPMatchRequest
{
    QString name;
    std::optional<StringMatch> uri;
    std::optional<StringMatch> scheme;
    std::optional<StringMatch> method;
    std::optional<StringMatch> authority;
    StringMatchMap headers;
    std::optional<qint64> port;
    StringMap sourceLabels;
    QStringList gateways;
    StringMatchMap queryParams;
    std::optional<bool> ignoreUriCase;
    StringMatchMap withoutHeaders;
    QString sourceNamespace;
    QString statPrefix;
    Yaml::Node extra;
    bool operator==(const HTTPMatchRequest &o) const;
    bool operator!=(const HTTPMatchRequest &o) const { return !(*this == o); }
};

struct HTTPRouteDestination
{
    Destination destination; // required by Istio; empty when absent
    std::optional<int> weight;
    std::optional<Headers> headers;
    Yaml::Node extra;
    bool operator==(const HTTPRouteDestination &o) const;
    bool operator!=(const HTTPRouteDestination &o) const { return !(*this == o); }
};

struct HTTPRedirect
{
    QString uri;
    QString authority;
    std::optional<qint64> port; // oneof with derivePort
    QString derivePort;         // FROM_PROTOCOL_DEFAULT | FROM_REQUEST_PORT
    QString scheme;
    std::optional<int> redirectCode; // Istio default 301
    QString prefixRewrite;
    Yaml::Node extra;
    bool operator==(const HTTPRedirect &o) const;
    bool operator!=(const HTTPRedirect &o) const { return !(*this == o); }
};

struct HTTPBody
{
    enum class Kind { None, String, Bytes };
    Kind kind = Kind::None;
    QString value; // Bytes: the base64 text as written
    Yaml::Node extra;
    bool operator==(const HTTPBody &o) const;
    bool operator!=(const HTTPBody &o) const { return !(*this == o); }
};

struct HTTPDirectResponse
{
    std::optional<int> status;
    std::optional<HTTPBody> body;
    Yaml::Node extra;
    bool operator==(const HTTPDirectResponse &o) const;
    bool operator!=(const HTTPDirectResponse &o) const { return !(*this == o); }
};

struct Delegate
{
    QString name;
    QString namespaceName; // JSON key "namespace"
    Yaml::Node extra;
    bool operator==(const Delegate &o) const;
    bool operator!=(const Delegate &o) const { return !(*this == o); }
};

struct RegexRewrite
{
    QString match;
    QString rewrite;
    Yaml::Node extra;
    bool operator==(const RegexRewrite &o) const;
    bool operator!=(const RegexRewrite &o) const { return !(*this == o); }
};

struct HTTPRewrite
{
    QString uri;
    QString authority;
    std::optional<RegexRewrite> uriRegexRewrite;
    Yaml::Node extra;
    bool operator==(const HTTPRewrite &o) const;
    bool operator!=(const HTTPRewrite &o) const { return !(*this == o); }
};

struct HTTPRetry
{
    std::optional<int> attempts;
    std::optional<Duration> perTryTimeout;
    QString retryOn;
    std::optional<bool> retryRemoteLocalities;
    std::optional<bool> retryIgnorePreviousHosts;
    std::optional<Duration> backoff;
    Yaml::Node extra;
    bool operator==(const HTTPRetry &o) const;
    bool operator!=(const HTTPRetry &o) const { return !(*this == o); }
};

struct FaultDelay
{
    std::optional<int> percent; // deprecated int32
    std::optional<Duration> fixedDelay;
    std::optional<Duration> exponentialDelay;
    std::optional<double> percentage; // Percent.value; unset means nothing is delayed
    Yaml::Node percentageSource;      // see common.h; ignored by ==
    Yaml::Node extra;
    bool operator==(const FaultDelay &o) const;
    bool operator!=(const FaultDelay &o) const { return !(*this == o); }
};

struct FaultAbort
{
    std::optional<int> httpStatus;
    QString grpcStatus;
    QString http2Error;
    std::optional<double> percentage; // unset means nothing is aborted
    Yaml::Node percentageSource;
    Yaml::Node extra;
    bool operator==(const FaultAbort &o) const;
    bool operator!=(const FaultAbort &o) const { return !(*this == o); }
};

struct HTTPFaultInjection
{
    std::optional<FaultDelay> delay;
    std::optional<FaultAbort> abort;
    Yaml::Node extra;
    bool operator==(const HTTPFaultInjection &o) const;
    bool operator!=(const HTTPFaultInjection &o) const { return !(*this == o); }
};

struct HTTPMirrorPolicy
{
    Destination destination;
    std::optional<double> percentage; // absent means 100%
    Yaml::Node percentageSource;
    Yaml::Node extra;

    double effectivePercentage() const { return percentage.value_or(100.0); }
    bool operator==(const HTTPMirrorPolicy &o) const;
    bool operator!=(const HTTPMirrorPolicy &o) const { return !(*this == o); }
};

struct CorsPolicy
{
    QStringList allowOrigin; // deprecated
    QList<StringMatch> allowOrigins;
    QStringList allowMethods;
    QStringList allowHeaders;
    QStringList exposeHeaders;
    std::optional<Duration> maxAge;
    std::optional<bool> allowCredentials;
    QString unmatchedPreflights; // UNSPECIFIED | FORWARD | IGNORE
    Yaml::Node extra;
    bool operator==(const CorsPolicy &o) const;
    bool operator!=(const CorsPolicy &o) const { return !(*this == o); }
};

struct HTTPRoute
{
    // Which key the deprecated integer mirror percent was read from (written back the same).
    enum class MirrorPercentSpelling {
        CamelCase /* mirrorPercent */,
        SnakeCase /* mirror_percent */
    };

    QString name;
    QList<HTTPMatchRequest> match;
    QList<HTTPRouteDestination> route;
    std::optional<HTTPRedirect> redirect;
    std::optional<HTTPDirectResponse> directResponse;
    std::optional<Delegate> delegate;
    std::optional<HTTPRewrite> rewrite;
    std::optional<Duration> timeout;
    std::optional<HTTPRetry> retries;
    std::optional<HTTPFaultInjection> fault;
    std::optional<Destination> mirror;
    QList<HTTPMirrorPolicy> mirrors;
    std::optional<qint64> mirrorPercent; // deprecated UInt32Value
    MirrorPercentSpelling mirrorPercentSpelling = MirrorPercentSpelling::CamelCase;
    std::optional<double> mirrorPercentage; // Percent.value, applies to `mirror` only
    Yaml::Node mirrorPercentageSource;      // see common.h; ignored by ==
    std::optional<CorsPolicy> corsPolicy;
    std::optional<Headers> headers;
    Yaml::Node extra;

    // Istio's rule for `mirror`: mirrorPercentage when set, else the deprecated
    // mirrorPercent, else 100. 0 means no mirroring.
    double effectiveMirrorPercentage() const;
    bool operator==(const HTTPRoute &o) const;
    bool operator!=(const HTTPRoute &o) const { return !(*this == o); }
};

struct VirtualService
{
    QStringList hosts;
    QStringList gateways; // empty means [mesh]
    QList<HTTPRoute> http;
    // TLS and TCP routes are kept as their YAML maps (written back unchanged): Mirrorscope
    // only proxies HTTP.
    QList<Yaml::Node> tls;
    QList<Yaml::Node> tcp;
    QStringList exportTo;
    Yaml::Node extra;
    bool operator==(const VirtualService &o) const;
    bool operator!=(const VirtualService &o) const { return !(*this == o); }
};

} // namespace Model
