#pragma once

#include <QtGlobal>

#include <atomic>

namespace Proxy {

// Every counter the proxy keeps, once: Stats (plain numbers) and Counters (per-worker atomics)
// are generated from this list so the two never disagree.
#define MIRRORSCOPE_PROXY_COUNTERS(X)                                                              \
    X(requests) /* every request read, refused ones included: = answered() + responsesNone */      \
    X(responses1xx)                                                                                \
    X(responses2xx)                                                                                \
    X(responses3xx)                                                                                \
    X(responses4xx)                                                                                \
    X(responses5xx)                                                                                \
    X(responsesNone) /* connection reset before a status reached the client */                     \
    X(badRequests)   /* refused by the proxy itself (400/403/405/408/431/505); in requests */      \
    X(upstreamConnectFailures)                                                                     \
    X(upstreamTimeouts)                                                                            \
    X(upstreamResets)                                                                              \
    X(upstreamBadResponses)                                                                        \
    X(retries)                                                                                     \
    X(unboundRequests)                                                                             \
    X(mirrors) /* mirror legs routing decided: = completed+failed+dropped()+sampledOut+inFlight */ \
    X(mirrorsSent)                                                                                 \
    X(mirrorsCompleted)                                                                            \
    X(mirrorsFailed)                                                                               \
    X(mirrorsTimedOut) /* part of mirrorsFailed */                                                 \
    X(mirrorsSampledOut)                                                                           \
    X(mirrorsDroppedInFlightLimit)                                                                 \
    X(mirrorsDroppedBodyLimit)                                                                     \
    X(mirrorsDroppedReadOnly)                                                                      \
    X(mirrorsDroppedUnbound)                                                                       \
    X(mirrorsDroppedClientGone)                                                                    \
    X(mirrorsDroppedEndpointDown)                                                                  \
    X(bytesIn)  /* from clients */                                                                 \
    X(bytesOut) /* to clients */                                                                   \
    X(connectionsTotal)                                                                            \
    X(connectionsRefused) /* closed at once: at maxConnections with nothing idle to close */       \
    X(connectionsEvicted) /* idle connections closed to make room for a new one */                 \
    X(exchangesRecorded)

struct Stats
{
#define MIRRORSCOPE_STATS_FIELD(name) quint64 name = 0;
    MIRRORSCOPE_PROXY_COUNTERS(MIRRORSCOPE_STATS_FIELD)
#undef MIRRORSCOPE_STATS_FIELD
    quint64 connectionsOpen = 0;
    quint64 mirrorsInFlight = 0;
    quint64 recorderDropped = 0; // exchanges the full recorder queue let go
    quint64 recorderQueued = 0;
    quint64 bufferedHighWater = 0; // most bytes one connection held at once (both directions)

    // A status line reached the client (refusals included); responsesNone is the rest.
    quint64 answered() const
    {
        return responses1xx + responses2xx + responses3xx + responses4xx + responses5xx;
    }
    quint64 mirrorsDropped() const
    {
        return mirrorsDroppedInFlightLimit + mirrorsDroppedBodyLimit + mirrorsDroppedReadOnly +
               mirrorsDroppedUnbound + mirrorsDroppedClientGone + mirrorsDroppedEndpointDown;
    }
};

// One per worker, written only by that worker; read (relaxed) by snapshot().
struct alignas(64) Counters
{
#define MIRRORSCOPE_COUNTER_FIELD(name) std::atomic<quint64> name{0};
    MIRRORSCOPE_PROXY_COUNTERS(MIRRORSCOPE_COUNTER_FIELD)
#undef MIRRORSCOPE_COUNTER_FIELD
    std::atomic<quint64> connectionsOpen{0};
    std::atomic<quint64> mirrorsInFlight{0};
    std::atomic<quint64> bufferedHighWater{0};

    static void bump(std::atomic<quint64> &c, quint64 by = 1)
    {
        // Single writer: a load and a store are enough and cheaper than fetch_add.
        c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
    }
    static void drop(std::atomic<quint64> &c, quint64 by = 1)
    {
        c.store(c.load(std::memory_order_relaxed) - by, std::memory_order_relaxed);
    }
    void noteBuffered(quint64 bytes)
    {
        if (bytes > bufferedHighWater.load(std::memory_order_relaxed))
            bufferedHighWater.store(bytes, std::memory_order_relaxed);
    }
    void addTo(Stats &s) const
    {
#define MIRRORSCOPE_COUNTER_ADD(name) s.name += name.load(std::memory_order_relaxed);
        MIRRORSCOPE_PROXY_COUNTERS(MIRRORSCOPE_COUNTER_ADD)
#undef MIRRORSCOPE_COUNTER_ADD
        s.connectionsOpen += connectionsOpen.load(std::memory_order_relaxed);
        s.mirrorsInFlight += mirrorsInFlight.load(std::memory_order_relaxed);
        s.bufferedHighWater =
            qMax<quint64>(s.bufferedHighWater, bufferedHighWater.load(std::memory_order_relaxed));
    }
};

} // namespace Proxy
