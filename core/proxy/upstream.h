#pragma once

#include "proxy/binding.h"
#include "proxy/http.h"

#include <QHash>
#include <QObject>
#include <QVector>

#include <http_parser.h>

class QTimer;

namespace Proxy {

class Socket;

class UpstreamPool;

enum class UpstreamError {
    ConnectFailure,     // refused, unreachable, connect timeout
    ResetBeforeHeaders, // closed or reset after connecting, before a complete response head
    ResetMidResponse,   // closed or reset while the body was streaming
    BadResponse,        // not HTTP/1.x
};

// Who is using an upstream connection right now. Callbacks arrive in the worker thread; the
// connection never calls back after detach() and never from inside the client's own calls.
class UpstreamClient
{
public:
    virtual void upstreamConnected() {}
    // `head` may be edited (response header operations) before it is sent on.
    virtual void upstreamHeaders(ResponseHead &head) = 0;
    virtual void upstreamBody(const char *data, qsizetype len) = 0;
    virtual void upstreamComplete() = 0;
    virtual void upstreamFailed(UpstreamError error) = 0;
    virtual void upstreamWritable() {} // request bytes drained: resume reading the client

protected:
    ~UpstreamClient() = default;
};

// One HTTP/1.1 connection to an endpoint, reused across requests (keep-alive). Owned by its
// pool while idle and by its client while busy; deleted with deleteLater() only.
class UpstreamConnection : public QObject
{
    Q_OBJECT
public:
    UpstreamConnection(UpstreamPool *pool, const Endpoint &endpoint, int connectTimeoutMs);
    ~UpstreamConnection() override;

    const Endpoint &endpoint() const { return m_endpoint; }
    bool wasReused() const { return m_requestsServed > 0; }
    bool isConnected() const { return m_connected; }
    bool receivedBytes() const { return m_receivedBytes; }

    void begin(UpstreamClient *client, bool headRequest);
    void write(const QByteArray &data);
    // Copies: QIODevice may keep a reference to a QByteArray instead of copying it, so bytes
    // that live in a reused buffer must go through this overload.
    void write(const char *data, qint64 len);
    qint64 bytesToWrite() const;
    void setReadPaused(bool paused);
    // The client is done with it: back to the pool when the exchange ended cleanly.
    bool canBeReused() const;
    // Close now; no callback follows.
    void discard();

private:
    friend class UpstreamPool;
    void connectNow();
    void onConnected();
    void onReadyRead();
    void onBytesWritten();
    void onSocketGone();
    void onConnectTimeout();
    void processInput();
    void fail(UpstreamError error);
    void becomeIdle();

    static int cbMessageBegin(http_parser *p);
    static int cbStatus(http_parser *p, const char *at, size_t len);
    static int cbHeaderField(http_parser *p, const char *at, size_t len);
    static int cbHeaderValue(http_parser *p, const char *at, size_t len);
    static int cbHeadersComplete(http_parser *p);
    static int cbBody(http_parser *p, const char *at, size_t len);
    static int cbMessageComplete(http_parser *p);
    static const http_parser_settings &parserSettings();

    UpstreamPool *m_pool;
    Endpoint m_endpoint;
    Socket *m_socket = nullptr;
    QTimer *m_connectTimer = nullptr;
    int m_connectTimeoutMs;
    UpstreamClient *m_client = nullptr;
    http_parser m_parser;
    QByteArray m_readBuffer;
    ResponseHead m_head;
    Headers m_previousHeaders; // the last response's, to share equal bytes with
    QByteArray m_previousReason;
    bool m_lastWasValue = false;
    bool m_headRequest = false;
    bool m_headersDone = false;
    bool m_informational = false;
    bool m_messageDone = false;
    bool m_readPaused = false;
    bool m_receivedBytes = false;
    bool m_connected = false;
    bool m_eof = false;
    bool m_dead = false;
    bool m_extraBytes = false;
    int m_requestsServed = 0;
};

// Keep-alive connections per endpoint, per worker (and a separate one for mirrors).
class UpstreamPool : public QObject
{
    Q_OBJECT
public:
    UpstreamPool(int maxIdlePerEndpoint, int connectTimeoutMs, QObject *parent = nullptr);
    ~UpstreamPool() override;

    // An idle connection to the endpoint, or a new one (connecting; writes are queued).
    UpstreamConnection *acquire(const Endpoint &endpoint, bool *reused = nullptr);
    // The client is done: keeps it when reusable, closes it otherwise.
    void release(UpstreamConnection *connection);
    int idleCount() const;

private:
    friend class UpstreamConnection;
    void forget(UpstreamConnection *connection);

    QHash<QByteArray, QVector<UpstreamConnection *>> m_idle;
    int m_maxIdle;
    int m_connectTimeoutMs;
};

} // namespace Proxy
