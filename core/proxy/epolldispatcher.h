#pragma once

#include <QAbstractEventDispatcher>

#include <QHash>
#include <QVarLengthArray>

#include <atomic>
#include <set>
#include <utility>
#include <vector>

namespace Proxy {

class Socket;

// An epoll-based event dispatcher for the proxy's worker threads (Linux).
//
// Why: Qt's dispatchers (glib and UNIX) hand every registered socket to poll() on every loop
// iteration, and glib also writes its wake-up eventfd whenever a notifier is toggled. A worker
// holding a slow v2's hundreds of in-flight mirror connections therefore paid for all of them
// on every request (perf: ~25 % of the proxy's CPU in sock_poll/fdget/tcp_poll and glib's
// notifier lists). epoll costs per ready socket, not per open one, and timers live in an
// ordered set instead of a list.
//
// Semantics follow QEventDispatcherUNIX: posted events first, then sockets, then timers;
// wakeUp() is thread-safe and coalesced; interrupt() makes the current processEvents() return.
// Used only for threads the proxy creates (QThread::setEventDispatcher before start()).
//
// Interest changes are applied just before the next epoll_wait, not one syscall each: a
// socket that enables its write notifier for a moment and disables it once flushed costs no
// epoll_ctl at all. Sockets written during an iteration are flushed just before the wait
// (flushSoon): one send for all the writes an event made, no notifier round trip.
// Removing the last notifier of a descriptor stays immediate: the descriptor may be closed (and
// its number reused) right after.
class EpollDispatcher : public QAbstractEventDispatcher
{
    Q_OBJECT
public:
    explicit EpollDispatcher(QObject *parent = nullptr);
    ~EpollDispatcher() override;

    // False when epoll/eventfd could not be created; the caller keeps Qt's dispatcher then.
    bool isValid() const { return m_epoll >= 0 && m_wake >= 0; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                       QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

    // Calls socket->flush() before this thread's loop next waits. False on a thread without
    // an EpollDispatcher: the socket then waits for its write notifier.
    static bool flushSoon(Socket *socket);
    // A socket being destroyed with a flush pending.
    static void cancelFlush(Socket *socket);

private:
    struct Watch
    {
        QSocketNotifier *notifiers[3] = {nullptr, nullptr, nullptr}; // Read, Write, Exception
        quint32 events = 0;                                          // what epoll watches
        quint32 wanted = 0;                                          // applied before waiting
        bool dirty = false;
    };
    struct Timer
    {
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        qint64 deadlineUs = 0; // steady clock, microseconds
    };

    void updateWatch(int fd, Watch &watch);
    void applyWatch(int fd, Watch &watch);
    void beforeWait();
    void drainWakeUps();
    int activateTimers();
    qint64 nextTimeoutMs() const; // -1: no timer

    int m_epoll = -1;
    int m_wake = -1;
    std::atomic<int> m_wakeUps{0};
    std::atomic<bool> m_interrupt{false};
    QHash<int, Watch> m_watches;
    QVarLengthArray<int, 64> m_dirty; // descriptors with changed interest
    std::vector<Socket *> m_flush;    // see flushSoon()
    std::vector<Socket *> m_flushing; // being flushed (kept for its capacity)
    QHash<int, Timer> m_timers;
    std::set<std::pair<qint64, int>> m_deadlines; // (deadline us, timer id)
};

} // namespace Proxy
