#include "proxy/socket.h"

#include "proxy/epolldispatcher.h"

#include <QHostInfo>
#include <QSocketNotifier>
#include <QTimer>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Proxy {

namespace {

QAbstractSocket::SocketError errorFor(int err)
{
    switch (err) {
    case ECONNREFUSED:
        return QAbstractSocket::ConnectionRefusedError;
    case ETIMEDOUT:
        return QAbstractSocket::SocketTimeoutError;
    case ECONNRESET:
    case EPIPE:
        return QAbstractSocket::RemoteHostClosedError;
    case EACCES:
    case EPERM:
        return QAbstractSocket::SocketAccessError;
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOMEM:
        return QAbstractSocket::SocketResourceError;
    default:
        return QAbstractSocket::NetworkError;
    }
}

void setNoDelay(int fd)
{
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// A buffer that held a large body is not kept per connection.
constexpr qsizetype kKeepOutCapacity = 64 * 1024;

} // namespace

Socket::Socket(QObject *parent) : QObject(parent) {}

Socket::~Socket()
{
    if (m_deleted)
        *m_deleted = true;
    if (m_flushRequested)
        EpollDispatcher::cancelFlush(this);
    abort();
}

void Socket::setUp(int fd, State state)
{
    m_fd = fd;
    m_state = state;
    m_readNotifier = new QSocketNotifier(fd, QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &Socket::onReadable);
    m_writeNotifier = new QSocketNotifier(fd, QSocketNotifier::Write, this);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &Socket::onWritable);
    m_readWatched = m_writeWatched = true;
    if (state == State::Connecting)
        setReadWatch(false); // the write notifier tells when connected
    else
        setWriteWatch(false);
}

bool Socket::adopt(qintptr descriptor)
{
    const int fd = int(descriptor);
    const int flags = ::fcntl(fd, F_GETFL);
    if (fd < 0 || flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        if (fd >= 0)
            ::close(fd);
        return false;
    }
    setNoDelay(fd);
    setUp(fd, State::Connected);
    return true;
}

void Socket::connectToHost(const QHostAddress &address, quint16 port)
{
    sockaddr_storage storage{};
    socklen_t length = 0;
    int family = AF_INET;
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        family = AF_INET6;
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, bytes.c, sizeof bytes.c);
        in6->sin6_scope_id = address.scopeId().toUInt();
        length = sizeof(sockaddr_in6);
    } else {
        auto *in4 = reinterpret_cast<sockaddr_in *>(&storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        in4->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    }
    m_state = State::Connecting;
    const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fail(errno);
        return;
    }
    setNoDelay(fd);
    int rc;
    do {
        rc = ::connect(fd, reinterpret_cast<const sockaddr *>(&storage), length);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0 && errno != EINPROGRESS) {
        const int err = errno;
        ::close(fd);
        fail(err);
        return;
    }
    // Even an immediate success is reported by the write notifier: connected() never comes
    // from inside this call.
    setUp(fd, State::Connecting);
}

void Socket::connectToHost(const QString &host, quint16 port)
{
    QHostAddress literal;
    if (literal.setAddress(host)) {
        connectToHost(literal, port);
        return;
    }
    m_state = State::Connecting;
    const quint64 id = ++m_lookupId;
    QHostInfo::lookupHost(host, this, [this, id, port](const QHostInfo &info) {
        if (id != m_lookupId || m_state != State::Connecting || m_fd >= 0)
            return; // aborted meanwhile
        QHostAddress chosen;
        for (const QHostAddress &a : info.addresses()) {
            if (chosen.isNull() || (a.protocol() == QAbstractSocket::IPv4Protocol &&
                                    chosen.protocol() != QAbstractSocket::IPv4Protocol))
                chosen = a;
        }
        if (chosen.isNull()) {
            m_error = QAbstractSocket::HostNotFoundError;
            scheduleEnd();
            return;
        }
        connectToHost(chosen, port);
    });
}

QHostAddress Socket::peerAddress() const
{
    sockaddr_storage storage{};
    socklen_t length = sizeof storage;
    if (m_fd < 0 || ::getpeername(m_fd, reinterpret_cast<sockaddr *>(&storage), &length) != 0)
        return {};
    return QHostAddress(reinterpret_cast<const sockaddr *>(&storage));
}

qint64 Socket::read(char *data, qint64 maxSize)
{
    if (m_ended || m_fd < 0 || m_lingering)
        return m_state == State::Connecting ? 0 : -1;
    if (m_state != State::Connected && m_state != State::Closing)
        return 0;
    m_readCalled = true;
    setReadWatch(true); // the consumer wants data again
    for (;;) {
        const ssize_t n = ::read(m_fd, data, size_t(maxSize));
        if (n > 0)
            return n;
        if (n == 0) {
            m_ended = true;
            setReadWatch(false);
            scheduleEnd();
            return -1;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        fail(errno);
        return -1;
    }
}

qint64 Socket::bytesAvailable() const
{
    int n = 0;
    if (m_fd < 0 || m_lingering || ::ioctl(m_fd, FIONREAD, &n) != 0)
        return 0;
    return n;
}

void Socket::write(const char *data, qint64 len)
{
    // After disconnectFromHost() nothing more is taken: the close comes after what was queued.
    if (len <= 0 || m_ended || m_state == State::Closing || m_state == State::Unconnected)
        return;
    m_out.append(data, qsizetype(len));
    requestFlush();
}

void Socket::requestFlush()
{
    if (m_flushRequested || m_fd < 0 || m_state == State::Connecting)
        return; // connecting: finishConnect() sends it
    m_flushRequested = true;
    if (!EpollDispatcher::flushSoon(this))
        setWriteWatch(true); // a thread without the epoll dispatcher: flushed when writable
}

void Socket::setWriteWatch(bool on)
{
    if (m_writeNotifier && m_writeWatched != on) {
        m_writeWatched = on;
        m_writeNotifier->setEnabled(on);
    }
}

void Socket::setReadWatch(bool on)
{
    if (m_readNotifier && m_readWatched != on) {
        m_readWatched = on;
        m_readNotifier->setEnabled(on);
    }
}

void Socket::flush()
{
    m_flushRequested = false;
    if (m_fd < 0 || m_ended || (m_state != State::Connected && m_state != State::Closing))
        return;
    qint64 written = 0;
    while (m_outPos < m_out.size()) {
        const ssize_t n = ::send(m_fd, m_out.constData() + m_outPos,
                                 size_t(m_out.size() - m_outPos), MSG_NOSIGNAL);
        if (n > 0) {
            m_outPos += n;
            written += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        fail(n < 0 ? errno : EPIPE);
        return;
    }
    if (m_outPos == m_out.size()) {
        if (m_out.capacity() > kKeepOutCapacity)
            m_out.clear();
        else
            m_out.resize(0);
        m_outPos = 0;
        setWriteWatch(false);
    } else {
        if (m_outPos >= kKeepOutCapacity) {
            m_out.remove(0, m_outPos);
            m_outPos = 0;
        }
        setWriteWatch(true);
    }
    if (written > 0) {
        const Guard guard(this);
        emit bytesWritten(written); // may write more (queued for the next flush) or close us
        if (guard.gone())
            return;
    }
    if (m_state == State::Closing && !m_lingering && bytesToWrite() == 0 && m_fd >= 0)
        startLingering();
}

void Socket::onReadable()
{
    if (m_lingering) {
        drainLingering();
        return;
    }
    m_readCalled = false;
    const Guard guard(this);
    emit readyRead();
    if (guard.gone())
        return;
    // A consumer that did not read is pausing: level-triggered readiness would call it again
    // and again. read() switches the notifications back on.
    if (!m_readCalled)
        setReadWatch(false);
}

void Socket::onWritable()
{
    if (m_state == State::Connecting)
        finishConnect();
    else
        flush();
}

void Socket::finishConnect()
{
    int err = 0;
    socklen_t length = sizeof err;
    if (::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &err, &length) != 0)
        err = errno;
    if (err != 0) {
        setWriteWatch(false);
        setReadWatch(false);
        fail(err);
        return;
    }
    m_state = State::Connected;
    setReadWatch(true);
    setWriteWatch(false);
    const Guard guard(this);
    emit connected();
    if (!guard.gone() && m_state == State::Connected && bytesToWrite() > 0)
        flush();
}

void Socket::disconnectFromHost()
{
    if (m_state == State::Unconnected || m_state == State::Closing)
        return;
    if (m_state == State::Connecting || m_fd < 0) {
        m_ended = true;
        scheduleEnd();
        return;
    }
    m_state = State::Closing;
    setReadWatch(false); // nothing more is read for the consumer
    if (bytesToWrite() == 0)
        startLingering();
    else
        requestFlush();
}

void Socket::startLingering()
{
    m_lingering = true;
    ::shutdown(m_fd, SHUT_WR);
    if (!m_lingerTimer) {
        m_lingerTimer = new QTimer(this);
        m_lingerTimer->setSingleShot(true);
        connect(m_lingerTimer, &QTimer::timeout, this, [this] {
            m_ended = true;
            m_endScheduled = true;
            reportEnd();
        });
    }
    m_lingerTimer->start(kLingerMs);
    setReadWatch(true);
}

void Socket::drainLingering()
{
    char sink[16 * 1024];
    // Bounded per event: a peer streaming at us must not starve the other connections.
    for (int i = 0; i < 16; ++i) {
        const ssize_t n = ::read(m_fd, sink, sizeof sink);
        if (n > 0)
            continue;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        // The peer closed (or reset): done.
        m_ended = true;
        m_endScheduled = true;
        reportEnd();
        return;
    }
}

void Socket::fail(int err)
{
    if (m_error == QAbstractSocket::UnknownSocketError)
        m_error = errorFor(err);
    m_ended = true;
    scheduleEnd();
}

void Socket::scheduleEnd()
{
    if (m_endScheduled)
        return;
    m_endScheduled = true;
    // From the event loop: read()/write() callers must not be re-entered by their own calls.
    QMetaObject::invokeMethod(this, &Socket::reportEnd, Qt::QueuedConnection);
}

void Socket::reportEnd()
{
    if (!m_endScheduled)
        return; // aborted meanwhile
    m_endScheduled = false;
    const State was = m_state;
    closeDescriptor();
    m_state = State::Unconnected;
    const Guard guard(this);
    if (m_error != QAbstractSocket::UnknownSocketError)
        emit errorOccurred(m_error);
    if (!guard.gone() && (was == State::Connected || was == State::Closing))
        emit disconnected();
}

void Socket::closeDescriptor()
{
    if (m_lingerTimer)
        m_lingerTimer->stop();
    // Notifiers first: the descriptor's number may be reused as soon as it is closed.
    delete m_readNotifier;
    m_readNotifier = nullptr;
    delete m_writeNotifier;
    m_writeNotifier = nullptr;
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    m_lingering = false;
}

void Socket::abort()
{
    ++m_lookupId;
    m_endScheduled = false;
    m_ended = true;
    closeDescriptor();
    m_state = State::Unconnected;
    m_out.clear();
    m_outPos = 0;
}

} // namespace Proxy
