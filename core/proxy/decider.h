#pragma once

#include "routing/routedecision.h"

#include <functional>
#include <memory>
#include <utility>

namespace Proxy {

// What the proxy asks for every request. The route engine is adapted to this (EngineDecider);
// tests inject decisions with FunctionDecider. decide() is called concurrently from every
// worker thread, so implementations must be const-safe.
class Decider
{
public:
    virtual ~Decider() = default;
    virtual Routing::RouteDecision decide(const Routing::RequestView &request) const = 0;
};

class FunctionDecider : public Decider
{
public:
    using Function = std::function<Routing::RouteDecision(const Routing::RequestView &)>;
    explicit FunctionDecider(Function f) : m_function(std::move(f)) {}
    Routing::RouteDecision decide(const Routing::RequestView &request) const override
    {
        return m_function(request);
    }

private:
    Function m_function;
};

// Adapts the route engine (anything with `RouteDecision decide(const RequestView &) const` that
// is safe to call from several threads): setDecider(std::make_shared<
// EngineDecider<Routing::RouteEngine>>(engine)).
template <typename Engine> class EngineDecider : public Decider
{
public:
    explicit EngineDecider(std::shared_ptr<const Engine> engine) : m_engine(std::move(engine)) {}
    Routing::RouteDecision decide(const Routing::RequestView &request) const override
    {
        return m_engine->decide(request);
    }

private:
    std::shared_ptr<const Engine> m_engine;
};

template <typename F> std::shared_ptr<const Decider> makeDecider(F &&f)
{
    return std::make_shared<FunctionDecider>(std::forward<F>(f));
}

} // namespace Proxy
