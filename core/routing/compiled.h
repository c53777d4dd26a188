#pragma once

#include "routing/routedecision.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace re2 {
class RE2;
}

// The engine's precompiled form of a Model::Config: everything decide() needs, turned into
// bytes, RE2 objects and Envoy fractions once, so the request path only compares. Internal to
// core/routing.
namespace Routing {

inline std::string_view view(const QByteArray &b)
{
    return std::string_view(b.constData(), size_t(b.size()));
}

struct CompiledStringMatch
{
    enum class Kind { Presence, Exact, Prefix, Regex };
    Kind kind = Kind::Presence;
    QByteArray value;
    std::shared_ptr<const re2::RE2> regex; // Kind::Regex; null when RE2 rejected it
    bool ignoreCase = false;               // ignoreUriCase (exact and prefix only)

    bool matches(std::string_view text) const;
};

// A header condition. Istio allows the pseudo-headers :method, :scheme, :authority and :path
// as header keys; they read the request line instead of the header list.
struct CompiledHeaderMatch
{
    enum class Source { Header, Method, Scheme, Authority, Path };
    Source source = Source::Header;
    QByteArray name; // lowercase
    CompiledStringMatch match;
};

struct CompiledQueryMatch
{
    QByteArray name;
    CompiledStringMatch match;
};

struct CompiledMatch
{
    int index = 0;
    bool applies = true; // false: its `gateways` exclude the role the proxy plays
    std::optional<CompiledStringMatch> uri;
    std::optional<CompiledStringMatch> scheme;
    std::optional<CompiledStringMatch> method;
    std::optional<CompiledStringMatch> authority;
    std::vector<CompiledHeaderMatch> headers;
    std::vector<CompiledHeaderMatch> withoutHeaders;
    std::vector<CompiledQueryMatch> queryParams;
    std::optional<int> port;
};

struct HeaderOps
{
    Headers set;
    Headers add;
    QList<QByteArray> remove;
    std::optional<QByteArray> authority; // `host` / `:authority` in request set/add
    bool isEmpty() const { return set.isEmpty() && add.isEmpty() && remove.isEmpty(); }
};

struct CompiledDestination
{
    Target target;
    int weight = 0;
    HeaderOps request;
    HeaderOps response;
};

struct CompiledMirror
{
    Target target;
    double percent = 100.0;
};

struct CompiledRule
{
    enum class Kind { Forward, Redirect, DirectResponse, Delegate, Empty };
    enum class DerivePort { None, ProtocolDefault, RequestPort };

    Kind kind = Kind::Empty;
    QString name;
    int index = 0;
    std::vector<CompiledMatch> matches; // empty: matches every request

    std::vector<CompiledDestination> destinations;
    int totalWeight = 0;

    int redirectStatus = 301;
    std::optional<QByteArray> redirectUri;
    std::optional<QByteArray> redirectPrefixRewrite;
    QByteArray redirectAuthority;
    QByteArray redirectScheme;
    int redirectPort = 0;
    DerivePort derivePort = DerivePort::None;

    int directStatus = 0;
    QByteArray directBody;

    std::optional<QByteArray> uriRewrite;
    std::shared_ptr<const re2::RE2> regexRewrite;
    std::string regexSubstitution;
    QByteArray authorityRewrite;

    HeaderOps request;
    HeaderOps response;
    std::optional<qint64> timeoutMs;
    RetryPolicy retries;

    bool hasDelay = false;
    qint64 delayMs = 0;
    double delayPercent = 0;
    bool hasAbort = false;
    int abortStatus = 0;
    int grpcStatus = -1; // >= 0: a gRPC abort (HTTP 200 with grpc-status)
    double abortPercent = 0;

    std::vector<CompiledMirror> mirrors;
    std::vector<CompiledRule> delegated; // Kind::Delegate: the delegate's rules, merged
};

struct CompiledVirtualService
{
    QString name;
    QString namespaceName;
    std::vector<CompiledRule> rules;
};

struct CompiledConfig
{
    struct Wildcard
    {
        QByteArray suffix; // ".foo.com"; empty for "*"
        int service = -1;
    };

    std::vector<CompiledVirtualService> services;
    QHash<QByteArray, int> exactHosts; // lowercase names and short-name aliases
    std::vector<Wildcard> wildcards;   // most specific (longest suffix) first
    QStringList hosts;                 // as written
    QString knownHosts;                // "a, b" for the 404 text
    QList<Target> targets;
    QStringList warnings;
    int defaultService = -1;
    QByteArray defaultAuthority;

    // Index into `services`, or -1. `host` is lowercase, without port or trailing dot.
    int findService(std::string_view host) const;
};

// Lowercase host without ":port" (IPv6 brackets kept) and without a trailing dot, written into
// `buffer` (no allocation for hosts up to its size; longer ones use `spill`).
std::string_view normalizedHost(std::string_view authority, char *buffer, size_t bufferSize,
                                std::string &spill);
// The port of an authority ("host:3000" -> 3000), or -1.
int authorityPort(std::string_view authority);

} // namespace Routing
