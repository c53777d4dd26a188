#pragma once

#include <QAbstractSocket>
#include <QByteArray>
#include <QHostAddress>
#include <QObject>

class QSocketNotifier;
class QTimer;

namespace Proxy {

// A non-blocking TCP stream on a plain descriptor, for the proxy's worker threads.
//
// Why not QTcpSocket: it copies every read into its own ring buffer after an ioctl(FIONREAD),
// allocates a buffer chunk per read, and routes each event through several signal hops; on
// the proxy's hot path that was a fifth of a worker's CPU (perf, mirror-bench healthy v2).
// Here read() is one read(2) into the caller's buffer and writes are sent by one send(2) per
// event loop iteration (EpollDispatcher::flushSoon), with the unsent rest kept until writable.
//
// Reading is driven by the consumer: readyRead() is emitted while the descriptor is readable;
// a consumer that does not read in its handler (it is pausing) stops the notifications until
// it calls read() again. A graceful close (disconnectFromHost) sends what is queued, then FIN,
// and discards what the peer still sends for a moment before closing ("lingering close", as
// nginx does): closing with unread input makes the kernel answer with RST, which can destroy
// the response just written before the peer has read it.
class Socket : public QObject
{
    Q_OBJECT
public:
    enum class State { Unconnected, Connecting, Connected, Closing };

    explicit Socket(QObject *parent = nullptr);
    ~Socket() override;

    // Takes an accepted, connected descriptor (made non-blocking here). False: closed.
    bool adopt(qintptr descriptor);
    // Starts connecting; connected() or errorOccurred() follows, never from inside this call.
    // Writes made meanwhile are sent once connected.
    void connectToHost(const QHostAddress &address, quint16 port);
    void connectToHost(const QString &host, quint16 port); // resolves the name first

    State state() const { return m_state; }
    qintptr descriptor() const { return m_fd; }
    QAbstractSocket::SocketError error() const { return m_error; }
    QHostAddress peerAddress() const;

    // > 0: bytes read; 0: nothing to read now; -1: the stream ended (peer closed, or an
    // error); disconnected() follows from the event loop.
    qint64 read(char *data, qint64 maxSize);
    // Bytes the kernel holds for reading (an ioctl: not for the hot path).
    qint64 bytesAvailable() const;
    // The consumer stopped reading (a readyRead it did not read from): nothing more is
    // signalled until it calls read() again.
    bool readSuspended() const { return m_readNotifier && !m_readWatched && !m_lingering; }

    void write(const char *data, qint64 len);
    void write(const QByteArray &data) { write(data.constData(), data.size()); }
    qint64 bytesToWrite() const { return m_out.size() - m_outPos; }
    // Sends what is queued now, as far as the kernel takes it.
    void flush();

    void disconnectFromHost(); // graceful, see above; disconnected() when done
    void abort();              // closes now; no signal follows

    // How long a graceful close waits for the peer to close its side.
    static constexpr int kLingerMs = 2000;

signals:
    void connected();
    void readyRead();
    void bytesWritten(qint64 bytes);
    void errorOccurred(QAbstractSocket::SocketError error);
    void disconnected();

private:
    // Alive across a signal emission: tells the emitting code that a handler deleted the
    // socket (cheaper than a QPointer, which costs a shared reference count per use).
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
// The member points at the guard only while the guard lives: its destructor puts it back.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif
    class Guard
    {
    public:
        explicit Guard(Socket *socket) : m_socket(socket), m_outer(socket->m_deleted)
        {
            socket->m_deleted = &m_gone;
        }
        ~Guard()
        {
            if (!m_gone)
                m_socket->m_deleted = m_outer;
            else if (m_outer)
                *m_outer = true;
        }
        bool gone() const { return m_gone; }

    private:
        Socket *m_socket;
        bool *m_outer;
        bool m_gone = false;
    };
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic pop
#endif

    void setUp(int fd, State state);
    void onReadable();
    void onWritable();
    void finishConnect();
    void requestFlush();
    void startLingering();
    void drainLingering();
    void fail(int err); // records the error; the end is reported from the event loop
    void scheduleEnd();
    void reportEnd();
    void closeDescriptor();
    void setWriteWatch(bool on);
    void setReadWatch(bool on);

    int m_fd = -1;
    State m_state = State::Unconnected;
    QAbstractSocket::SocketError m_error = QAbstractSocket::UnknownSocketError;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QTimer *m_lingerTimer = nullptr;
    QByteArray m_out;
    qsizetype m_outPos = 0;
    bool m_readWatched = false; // mirrors the notifiers (asking them costs a cache miss)
    bool m_writeWatched = false;
    bool m_readCalled = false;
    bool m_flushRequested = false;
    bool m_endScheduled = false;
    bool m_ended = false; // stream over (EOF or error): read() returns -1
    bool m_lingering = false;
    bool *m_deleted = nullptr; // see Guard
    quint64 m_lookupId = 0;    // a name lookup in flight (abort() invalidates it)
};

} // namespace Proxy
