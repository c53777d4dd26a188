#include "proxy/epolldispatcher.h"

#include "proxy/socket.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QVarLengthArray>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace Proxy {

namespace {

// Microseconds: with whole milliseconds a timer started late in a millisecond fired up to 1 ms
// before its interval was over (a 50 ms fault delay answered after 49.2 ms).
qint64 nowUs()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

constexpr int kMaxEvents = 256;

} // namespace

EpollDispatcher::EpollDispatcher(QObject *parent) : QAbstractEventDispatcher(parent)
{
    m_epoll = epoll_create1(EPOLL_CLOEXEC);
    m_wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_epoll >= 0 && m_wake >= 0) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = m_wake;
        if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &ev) != 0) {
            ::close(m_wake);
            m_wake = -1;
        }
    }
}

EpollDispatcher::~EpollDispatcher()
{
    if (m_wake >= 0)
        ::close(m_wake);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

void EpollDispatcher::updateWatch(int fd, Watch &watch)
{
    quint32 want = 0;
    if (watch.notifiers[QSocketNotifier::Read])
        want |= EPOLLIN;
    if (watch.notifiers[QSocketNotifier::Write])
        want |= EPOLLOUT;
    if (watch.notifiers[QSocketNotifier::Exception])
        want |= EPOLLPRI;
    watch.wanted = want;
    if (want == 0) {
        applyWatch(fd, watch); // now: the descriptor may be closed next
        return;
    }
    if (!watch.dirty && want != watch.events) {
        watch.dirty = true;
        m_dirty.append(fd);
    }
}

void EpollDispatcher::applyWatch(int fd, Watch &watch)
{
    watch.dirty = false;
    const quint32 want = watch.wanted;
    if (want == watch.events)
        return;
    epoll_event ev{};
    ev.events = want;
    ev.data.fd = fd;
    if (want == 0) {
        // EBADF/ENOENT: the descriptor was closed first, which already removed it.
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, &ev);
    } else if (watch.events == 0) {
        if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST)
            epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev);
    } else if (epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev) != 0 && errno == ENOENT) {
        // The old descriptor with this number was closed (and dropped by the kernel) before
        // its notifiers were unregistered; this is a new socket with the same number.
        epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
    }
    watch.events = want;
}

namespace {
thread_local EpollDispatcher *t_dispatcher = nullptr;
} // namespace

bool EpollDispatcher::flushSoon(Socket *socket)
{
    if (!t_dispatcher)
        return false;
    t_dispatcher->m_flush.push_back(socket); // the socket asks once until flushed
    return true;
}

void EpollDispatcher::cancelFlush(Socket *socket)
{
    if (!t_dispatcher)
        return;
    for (auto *list : {&t_dispatcher->m_flush, &t_dispatcher->m_flushing})
        std::replace(list->begin(), list->end(), socket, static_cast<Socket *>(nullptr));
}

void EpollDispatcher::beforeWait()
{
    // Flushing runs handlers (bytesWritten, errors) that may write or close more: take the
    // list, and repeat until nothing new was asked.
    for (int round = 0; !m_flush.empty() && round < 4; ++round) {
        m_flushing.swap(m_flush);
        // Indexed: a flush may delete another socket of the list (cancelFlush nulls it).
        for (size_t i = 0; i < m_flushing.size(); ++i) {
            if (Socket *socket = m_flushing[i])
                socket->flush();
        }
        m_flushing.clear();
    }
    for (const int fd : std::as_const(m_dirty)) {
        auto it = m_watches.find(fd);
        if (it != m_watches.end() && it->dirty)
            applyWatch(fd, *it);
    }
    m_dirty.clear();
}

void EpollDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    if (fd < 0)
        return;
    Watch &watch = m_watches[fd];
    watch.notifiers[notifier->type()] = notifier;
    updateWatch(fd, watch);
}

void EpollDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    auto it = m_watches.find(fd);
    if (it == m_watches.end() || it->notifiers[notifier->type()] != notifier)
        return;
    it->notifiers[notifier->type()] = nullptr;
    updateWatch(fd, *it);
    if (it->events == 0 && it->wanted == 0)
        m_watches.erase(it);
}

void EpollDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                    QObject *object)
{
    Timer t;
    t.intervalMs = qMax<qint64>(0, interval);
    t.type = timerType;
    t.object = object;
    t.deadlineUs = nowUs() + t.intervalMs * 1000;
    m_timers.insert(timerId, t);
    m_deadlines.insert({t.deadlineUs, timerId});
}

bool EpollDispatcher::unregisterTimer(int timerId)
{
    auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    m_deadlines.erase({it->deadlineUs, timerId});
    m_timers.erase(it);
    return true;
}

bool EpollDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->object == object) {
            m_deadlines.erase({it->deadlineUs, it.key()});
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> out;
    for (auto it = m_timers.cbegin(); it != m_timers.cend(); ++it) {
        if (it->object == object)
            out.append(TimerInfo(it.key(), int(it->intervalMs), it->type));
    }
    return out;
}

int EpollDispatcher::remainingTime(int timerId)
{
    auto it = m_timers.constFind(timerId);
    if (it == m_timers.cend())
        return -1;
    return int(qMax<qint64>(0, (it->deadlineUs - nowUs() + 999) / 1000));
}

void EpollDispatcher::wakeUp()
{
    // Coalesced: one eventfd write until the loop has seen it.
    if (m_wakeUps.exchange(1, std::memory_order_acq_rel) == 0 && m_wake >= 0) {
        const quint64 one = 1;
        [[maybe_unused]] const ssize_t n = ::write(m_wake, &one, sizeof one);
    }
}

void EpollDispatcher::interrupt()
{
    m_interrupt.store(true, std::memory_order_release);
    wakeUp();
}

void EpollDispatcher::drainWakeUps()
{
    quint64 value = 0;
    [[maybe_unused]] const ssize_t n = ::read(m_wake, &value, sizeof value);
    m_wakeUps.store(0, std::memory_order_release);
}

qint64 EpollDispatcher::nextTimeoutMs() const
{
    if (m_deadlines.empty())
        return -1;
    // Rounded up: waking before the deadline would only spin.
    return qMax<qint64>(0, (m_deadlines.begin()->first - nowUs() + 999) / 1000);
}

int EpollDispatcher::activateTimers()
{
    if (m_deadlines.empty())
        return 0;
    const qint64 now = nowUs();
    // Only the timers due now: one whose handler restarts it (or a 0 ms timer) waits for the
    // next iteration instead of starving sockets.
    QVarLengthArray<int, 32> due;
    for (auto it = m_deadlines.begin(); it != m_deadlines.end() && it->first <= now; ++it)
        due.append(it->second);
    int fired = 0;
    for (int id : due) {
        auto it = m_timers.find(id); // a handler may have killed it meanwhile
        if (it == m_timers.end() || it->deadlineUs > now)
            continue;
        m_deadlines.erase({it->deadlineUs, id});
        // Next deadline from the missed one, but never in the past (no catch-up bursts).
        const qint64 intervalUs = it->intervalMs * 1000;
        it->deadlineUs = qMax(now, it->deadlineUs + intervalUs);
        if (intervalUs > 0 && it->deadlineUs == now)
            it->deadlineUs = now + intervalUs;
        m_deadlines.insert({it->deadlineUs, id});
        QObject *object = it->object;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        ++fired;
    }
    return fired;
}

bool EpollDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    t_dispatcher = this;
    m_interrupt.store(false, std::memory_order_relaxed);
    emit awake();
    QCoreApplication::sendPostedEvents();
    beforeWait();

    const bool wait =
        (flags & QEventLoop::WaitForMoreEvents) && !m_interrupt.load(std::memory_order_acquire);
    int timeout = 0;
    if (wait) {
        const qint64 next = nextTimeoutMs();
        timeout = next < 0 ? -1 : int(qMin<qint64>(next, 24 * 3600 * 1000));
        if (timeout != 0)
            emit aboutToBlock();
    }
    if (m_interrupt.load(std::memory_order_acquire))
        return false;

    epoll_event events[kMaxEvents];
    int n = epoll_wait(m_epoll, events, kMaxEvents, timeout);
    if (n < 0)
        n = 0; // EINTR
    if (timeout != 0)
        emit awake();

    bool handled = false;
    bool woken = false;
    const bool notifiers = !(flags & QEventLoop::ExcludeSocketNotifiers);
    for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == m_wake) {
            woken = true;
            continue;
        }
        if (!notifiers)
            continue;
        const quint32 got = events[i].events;
        // Error and hang-up wake readers and writers alike, as poll() would, so the socket
        // notices. Each notifier is looked up afresh: a handler may close sockets, and the
        // descriptor number may even be reused by a new one.
        static constexpr QSocketNotifier::Type kTypes[] = {
            QSocketNotifier::Read, QSocketNotifier::Write, QSocketNotifier::Exception};
        for (QSocketNotifier::Type type : kTypes) {
            const quint32 mask = type == QSocketNotifier::Read    ? (EPOLLIN | EPOLLHUP | EPOLLERR)
                                 : type == QSocketNotifier::Write ? (EPOLLOUT | EPOLLHUP | EPOLLERR)
                                                                  : quint32(EPOLLPRI);
            if (!(got & mask))
                continue;
            auto it = m_watches.constFind(fd);
            if (it == m_watches.cend())
                break;
            QSocketNotifier *notifier = it->notifiers[type];
            if (!notifier)
                continue;
            QEvent event(QEvent::SockAct);
            QCoreApplication::sendEvent(notifier, &event);
            handled = true;
        }
    }
    if (woken) {
        drainWakeUps();
        QCoreApplication::sendPostedEvents();
        handled = true;
    }
    if (!(flags & QEventLoop::X11ExcludeTimers) && activateTimers() > 0)
        handled = true;
    beforeWait(); // what the handlers wrote goes out now, whatever the caller does next
    return handled;
}

} // namespace Proxy
