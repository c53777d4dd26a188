#pragma once

#include "base/istioversion.h"
#include "routing/request.h"
#include "routing/routedecision.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace Model {
struct Config;
}

namespace Routing {

struct CompiledConfig; // routing/compiled.h

struct RouteEngineOptions
{
    Base::IstioVersion target = Base::IstioVersion::latest();
    // A request whose Host matches no VirtualService is routed as if its Host were this one
    // (handy for `curl localhost:PORT`). Empty: such a request gets 404.
    QString defaultHost;
};

// The sans-IO route engine: a request head in, a RouteDecision out, with the semantics Istio
// gives the same YAML on a sidecar (Envoy's virtual host / route / weighted cluster /
// request_mirror_policies behaviour).
//
// Built once per configuration: regexes are compiled, hosts indexed and percentages turned
// into Envoy fractions at construction. decide() is const and touches no shared mutable
// state, so worker threads share one engine; a configuration change builds a new engine and
// swaps a shared pointer.
class RouteEngine
{
public:
    using Options = RouteEngineOptions;

    // Returns a number in [0, 1). Each decision that depends on chance (weighted pick, fault
    // delay, fault abort, each mirror, in that order) takes one draw, and only when the
    // outcome is not already certain (a single destination, 100 % or 0 % take none).
    using RandomSource = std::function<double()>;

    explicit RouteEngine(const Model::Config &config, const Options &options = Options());
    ~RouteEngine();
    RouteEngine(const RouteEngine &) = delete;
    RouteEngine &operator=(const RouteEngine &) = delete;

    // Uses a per-thread pseudo-random generator.
    RouteDecision decide(const RequestView &request) const;
    RouteDecision decide(const RequestView &request, const RandomSource &random) const;

    // Every host/subset/port the configuration can route or mirror to, deduplicated, in
    // order of appearance (the proxy checks each has a binding).
    QList<Target> targets() const;
    // VirtualService hosts as written, deduplicated, in order of appearance.
    QStringList hosts() const;
    const Options &options() const;
    // What could not be compiled (an RE2-invalid regex: that condition never matches; a
    // delegate that names no VirtualService). Validation reports these properly; the engine
    // keeps running with the rest.
    QStringList warnings() const;

private:
    Options m_options;
    std::unique_ptr<const CompiledConfig> m_compiled;
};

} // namespace Routing
