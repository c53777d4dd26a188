#include "proxy/worker.h"

#include "proxy/downstream.h"
#include "proxy/mirrorsender.h"
#include "proxy/recorder.h"
#include "proxy/upstream.h"

#include <QThread>

#include <unistd.h>

namespace Proxy {

Worker::Worker(SharedState *shared, int index)
    : m_shared(shared), m_index(index), m_bindings(std::make_shared<const Bindings>()),
      m_pool(new UpstreamPool(shared->settings.maxIdleUpstreamPerEndpoint,
                              shared->settings.upstreamConnectTimeoutMs, this)),
      m_mirrorSender(new MirrorSender(this))
{
}

Worker::~Worker() = default;

void Worker::addConnection(qintptr descriptor)
{
    if (m_shared->maxConnections > 0 &&
        m_shared->openConnections.load(std::memory_order_relaxed) >= m_shared->maxConnections &&
        !makeRoom()) {
        // Closed before a byte is read: the client sees its connection end, nothing else does.
        ::close(int(descriptor));
        Counters::bump(m_counters.connectionsRefused);
        return;
    }
    auto *connection = new DownstreamConnection(this, descriptor);
    if (!connection->isOpen()) {
        delete connection;
        return;
    }
    m_connections.insert(connection);
    m_shared->openConnections.fetch_add(1, std::memory_order_relaxed);
    Counters::bump(m_counters.connectionsTotal);
    Counters::bump(m_counters.connectionsOpen);
}

// At the connection limit: closes this worker's longest-quiet connection that has no request in
// progress (a keep-alive connection between requests, or one that never finished a head), so a
// flood of idle connections cannot lock out the next real client. False if there is none.
bool Worker::makeRoom()
{
    DownstreamConnection *victim = nullptr;
    for (DownstreamConnection *c : std::as_const(m_connections)) {
        if (c->isIdle() && (!victim || c->lastActivityUs() < victim->lastActivityUs()))
            victim = c;
    }
    if (!victim)
        return false;
    victim->evict(); // calls connectionClosed()
    Counters::bump(m_counters.connectionsEvicted);
    return true;
}

void Worker::connectionClosed(DownstreamConnection *connection)
{
    if (m_connections.remove(connection)) {
        Counters::drop(m_counters.connectionsOpen);
        m_shared->openConnections.fetch_sub(1, std::memory_order_relaxed);
    }
    connection->deleteLater();
}

void Worker::shutdown(QThread *moveTo)
{
    const auto connections = m_connections;
    m_connections.clear();
    for (DownstreamConnection *c : connections)
        delete c;
    m_shared->openConnections.fetch_sub(int(connections.size()), std::memory_order_relaxed);
    m_counters.connectionsOpen.store(0, std::memory_order_relaxed);
    delete m_mirrorSender;
    m_mirrorSender = nullptr;
    delete m_pool;
    m_pool = nullptr;
    moveToThread(moveTo);
}

void Worker::reloadConfig(quint64 generation)
{
    std::lock_guard<std::mutex> lock(m_shared->configMutex);
    m_decider = m_shared->decider;
    m_bindings = m_shared->bindings ? m_shared->bindings : std::make_shared<const Bindings>();
    m_generation = generation;
}

void Worker::legDone(const ExchangePtr &exchange)
{
    if (--exchange->pendingLegs > 0)
        return;
    Counters::bump(m_counters.exchangesRecorded);
    if (m_shared->recorder)
        m_shared->recorder->push(std::move(exchange->exchange));
}

} // namespace Proxy
