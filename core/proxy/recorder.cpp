#include "proxy/recorder.h"

#include <QTimer>

namespace Proxy {

static constexpr int kNotifyIntervalMs = 50;

Recorder::Recorder(int capacity, QObject *parent) : QObject(parent), m_capacity(qMax(1, capacity))
{
}

void Recorder::setCapacity(int capacity)
{
    m_capacity.store(qMax(1, capacity), std::memory_order_relaxed);
}

void Recorder::push(Observe::Exchange &&exchange)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        const size_t cap = size_t(m_capacity.load(std::memory_order_relaxed));
        while (m_queue.size() >= cap) {
            m_queue.pop_front();
            m_dropped.fetch_add(1, std::memory_order_relaxed);
        }
        m_queue.push_back(std::move(exchange));
    }
    m_pushed.fetch_add(1, std::memory_order_relaxed);
    if (!m_notifyPending.exchange(true, std::memory_order_acq_rel))
        QMetaObject::invokeMethod(this, &Recorder::scheduleNotify, Qt::QueuedConnection);
}

void Recorder::scheduleNotify()
{
    const qint64 since = m_sinceNotify.isValid() ? m_sinceNotify.elapsed() : kNotifyIntervalMs;
    if (since >= kNotifyIntervalMs)
        notify();
    else
        QTimer::singleShot(int(kNotifyIntervalMs - since), this, &Recorder::notify);
}

void Recorder::notify()
{
    m_sinceNotify.start();
    m_notifyPending.store(false, std::memory_order_release);
    emit exchangesReady();
}

QList<Observe::Exchange> Recorder::drain(int max)
{
    QList<Observe::Exchange> out;
    std::lock_guard<std::mutex> lock(m_mutex);
    const size_t n = max < 0 ? m_queue.size() : qMin(size_t(max), m_queue.size());
    out.reserve(qsizetype(n));
    for (size_t i = 0; i < n; ++i) {
        out.append(std::move(m_queue.front()));
        m_queue.pop_front();
    }
    return out;
}

int Recorder::size() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return int(m_queue.size());
}

} // namespace Proxy
