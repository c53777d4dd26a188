#pragma once

#include "observe/exchange.h"

#include <QElapsedTimer>
#include <QObject>

#include <atomic>
#include <deque>
#include <mutex>

namespace Proxy {

// The bounded hand-over from the workers to whoever observes (observe layer, GUI, CLI).
// Workers push finished exchanges; the consumer drains them in batches when exchangesReady()
// fires (at most every ~50 ms). When full, the oldest record goes: a live view wants the newest,
// and every loss is counted in dropped().
class Recorder : public QObject
{
    Q_OBJECT
public:
    explicit Recorder(int capacity = 100000, QObject *parent = nullptr);

    void push(Observe::Exchange &&exchange);      // any thread
    QList<Observe::Exchange> drain(int max = -1); // any thread
    int size() const;
    int capacity() const { return m_capacity.load(std::memory_order_relaxed); }
    void setCapacity(int capacity);
    quint64 dropped() const { return m_dropped.load(std::memory_order_relaxed); }
    quint64 pushed() const { return m_pushed.load(std::memory_order_relaxed); }

signals:
    void exchangesReady();

private:
    void scheduleNotify();
    void notify();

    mutable std::mutex m_mutex;
    std::deque<Observe::Exchange> m_queue;
    std::atomic<int> m_capacity;
    std::atomic<quint64> m_dropped{0};
    std::atomic<quint64> m_pushed{0};
    std::atomic<bool> m_notifyPending{false};
    QElapsedTimer m_sinceNotify; // touched in the recorder's own thread only
};

} // namespace Proxy
