#pragma once

#include "routing/request.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace Routing {

// host + subset (+ port) as the VirtualService names it: the key a Binding maps to a local
// endpoint.
struct Target
{
    QString host;
    QString subset; // empty: no subset
    int port = 0;   // 0: not given in the YAML
    bool operator==(const Target &o) const
    {
        return host == o.host && subset == o.subset && port == o.port;
    }
    QString toString() const; // "greeter-service:v2" or "greeter-service:3000:v2"
};

struct RetryPolicy
{
    int attempts = 2;           // Istio's mesh default when `retries` is absent
    qint64 perTryTimeoutMs = 0; // 0: the route timeout
    QStringList retryOn{QStringLiteral("connect-failure"), QStringLiteral("refused-stream"),
                        QStringLiteral("unavailable"), QStringLiteral("cancelled"),
                        QStringLiteral("retriable-status-codes")};
    QList<int> retriableStatusCodes;
    qint64 backoffMs = 25;
};

// One mirror of this request, already sampled by its percentage.
struct MirrorTarget
{
    Target target;
    double percent = 100.0;
    bool sampled = true;      // false: the percentage draw said no for this request
    QByteArray authority;     // Host the mirror carries (after rewrite, with -shadow when the
                              // target Istio version appends it)
};

// What the engine decided for one request. The request head for the primary leg is final:
// rewrites and the rule's (and chosen destination's) request header operations are applied,
// so the proxy copies it as it is for the mirrors (only the authority differs).
struct RouteDecision
{
    enum class Action {
        Forward,        // send to `destination`
        Redirect,       // answer `status` with Location `location`
        DirectResponse, // answer `status` with `body`
        FaultAbort,     // fault injection: answer `status` (after `delayMs`)
        NoRoute,        // no VirtualService host matches (404), or no rule matches (404)
    };
    Action action = Action::NoRoute;

    // Which rule matched: VirtualService name, rule index in spec.http, rule name, match index.
    QString virtualService;
    int ruleIndex = -1;
    QString ruleName;
    int matchIndex = -1;

    Target destination;
    QByteArray method;
    QByteArray authority; // final Host for the primary leg
    QByteArray path;      // final path (after rewrite)
    Headers requestHeaders;   // final request headers (without Host)
    // Response header operations to apply to the upstream response (rule, then destination).
    Headers responseSet;
    Headers responseAdd;
    QList<QByteArray> responseRemove;

    int status = 0;     // Redirect / DirectResponse / FaultAbort / NoRoute
    QByteArray location;
    QByteArray body;    // DirectResponse body, or the NoRoute explanation
    qint64 delayMs = 0; // fault delay to apply before forwarding (or before the abort)
    std::optional<qint64> timeoutMs; // absent: no timeout (Istio default)
    RetryPolicy retries;
    QList<MirrorTarget> mirrors;
};

} // namespace Routing
