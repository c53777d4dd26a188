#pragma once

#include "proxy/binding.h"
#include "proxy/decider.h"
#include "proxy/pendingexchange.h"
#include "proxy/settings.h"
#include "proxy/stats.h"

#include <QObject>
#include <QSet>

#include <atomic>
#include <memory>
#include <mutex>

class QThread;

namespace Proxy {

class DownstreamConnection;
class MirrorSender;
class Recorder;
class UpstreamPool;

// What the server shares with its workers. Config is swapped under the mutex; workers notice
// a new generation with one atomic load per request and copy the pointers only then.
struct SharedState
{
    Settings settings;
    Recorder *recorder = nullptr;
    quint16 listenPort = 0;
    std::mutex configMutex;
    std::shared_ptr<const Decider> decider;
    std::shared_ptr<const Bindings> bindings;
    std::atomic<quint64> configGeneration{1};
    std::atomic<quint64> nextExchangeId{1};
    // Client connections open across all workers, against maxConnections (resolved by start()).
    // Workers check and count on their own, so the bound may be passed by at most one
    // connection per worker at once.
    std::atomic<int> openConnections{0};
    int maxConnections = 0;
};

// One thread's share of the proxy: its client connections, its upstream pool and its mirror
// sender. Everything here runs in the worker's thread; only counters() is read from outside.
class Worker : public QObject
{
    Q_OBJECT
public:
    Worker(SharedState *shared, int index);
    ~Worker() override;

    void addConnection(qintptr descriptor);
    void shutdown(QThread *moveTo); // closes everything, then hands the object back

    Counters &counters() { return m_counters; }
    const Counters &counters() const { return m_counters; }
    const Settings &settings() const { return m_shared->settings; }
    quint16 listenPort() const { return m_shared->listenPort; }
    int index() const { return m_index; }
    UpstreamPool *pool() const { return m_pool; }
    MirrorSender *mirrorSender() const { return m_mirrorSender; }

    // The current decider and bindings (cached; refreshed when the server swapped them).
    void refreshConfig()
    {
        const quint64 g = m_shared->configGeneration.load(std::memory_order_acquire);
        if (g != m_generation)
            reloadConfig(g);
    }
    const Decider *decider() const { return m_decider.get(); }
    const Bindings &bindings() const { return *m_bindings; }

    quint64 nextExchangeId()
    {
        return m_shared->nextExchangeId.fetch_add(1, std::memory_order_relaxed);
    }
    void legDone(const ExchangePtr &exchange);
    void connectionClosed(DownstreamConnection *connection);

private:
    void reloadConfig(quint64 generation);
    bool makeRoom();

    SharedState *m_shared;
    int m_index;
    Counters m_counters;
    quint64 m_generation = 0;
    std::shared_ptr<const Decider> m_decider;
    std::shared_ptr<const Bindings> m_bindings;
    UpstreamPool *m_pool;
    MirrorSender *m_mirrorSender;
    QSet<DownstreamConnection *> m_connections;
};

} // namespace Proxy
