#include "proxy/upstream.h"

#include "proxy/socket.h"

#include <QTimer>

namespace Proxy {

static constexpr qsizetype kReadChunk = 64 * 1024;

UpstreamConnection::UpstreamConnection(UpstreamPool *pool, const Endpoint &endpoint,
                                       int connectTimeoutMs)
    : QObject(pool), m_pool(pool), m_endpoint(endpoint), m_connectTimeoutMs(connectTimeoutMs)
{
    m_parser.data = this;
}

UpstreamConnection::~UpstreamConnection() = default;

const http_parser_settings &UpstreamConnection::parserSettings()
{
    static const http_parser_settings settings = [] {
        http_parser_settings s;
        http_parser_settings_init(&s);
        s.on_message_begin = &UpstreamConnection::cbMessageBegin;
        s.on_status = &UpstreamConnection::cbStatus;
        s.on_header_field = &UpstreamConnection::cbHeaderField;
        s.on_header_value = &UpstreamConnection::cbHeaderValue;
        s.on_headers_complete = &UpstreamConnection::cbHeadersComplete;
        s.on_body = &UpstreamConnection::cbBody;
        s.on_message_complete = &UpstreamConnection::cbMessageComplete;
        return s;
    }();
    return settings;
}

void UpstreamConnection::connectNow()
{
    m_socket = new Socket(this);
    // A client that reads slowly pushes back on the upstream through TCP: while paused,
    // nothing is read (setReadPaused).
    connect(m_socket, &Socket::connected, this, &UpstreamConnection::onConnected);
    connect(m_socket, &Socket::readyRead, this, &UpstreamConnection::onReadyRead);
    connect(m_socket, &Socket::bytesWritten, this, &UpstreamConnection::onBytesWritten);
    connect(m_socket, &Socket::disconnected, this, &UpstreamConnection::onSocketGone);
    connect(m_socket, &Socket::errorOccurred, this, &UpstreamConnection::onSocketGone);
    if (m_connectTimeoutMs > 0) {
        m_connectTimer = new QTimer(this);
        m_connectTimer->setSingleShot(true);
        connect(m_connectTimer, &QTimer::timeout, this, &UpstreamConnection::onConnectTimeout);
        m_connectTimer->start(m_connectTimeoutMs);
    }
    if (!m_endpoint.address.isNull())
        m_socket->connectToHost(m_endpoint.address, m_endpoint.port);
    else
        m_socket->connectToHost(m_endpoint.host, m_endpoint.port);
}

void UpstreamConnection::begin(UpstreamClient *client, bool headRequest)
{
    m_client = client;
    m_headRequest = headRequest;
    http_parser_init(&m_parser, HTTP_RESPONSE);
    m_parser.data = this;
    m_head = ResponseHead();
    m_lastWasValue = false;
    m_headersDone = false;
    m_informational = false;
    m_messageDone = false;
    m_readPaused = false;
    m_receivedBytes = false;
    m_extraBytes = false;
    if (m_readBuffer.size() != kReadChunk)
        m_readBuffer.resize(kReadChunk);
}

void UpstreamConnection::write(const QByteArray &data)
{
    if (!m_dead && m_socket) {
        m_socket->write(data);
    }
}

void UpstreamConnection::write(const char *data, qint64 len)
{
    if (!m_dead && m_socket) {
        m_socket->write(data, len);
    }
}

qint64 UpstreamConnection::bytesToWrite() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

void UpstreamConnection::setReadPaused(bool paused)
{
    if (m_readPaused == paused)
        return;
    m_readPaused = paused;
    if (!paused) {
        // Queued: the caller is usually in the middle of its own socket handler.
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (!m_readPaused)
                    processInput();
            },
            Qt::QueuedConnection);
    }
}

bool UpstreamConnection::canBeReused() const
{
    return !m_dead && m_connected && !m_eof && m_messageDone && m_head.keepAlive && !m_extraBytes &&
           m_socket && m_socket->state() == Socket::State::Connected;
}

void UpstreamConnection::discard()
{
    if (m_dead)
        return;
    m_dead = true;
    m_client = nullptr;
    m_pool->forget(this);
    if (m_connectTimer)
        m_connectTimer->stop();
    if (m_socket) {
        disconnect(m_socket, nullptr, this, nullptr);
        m_socket->abort();
    }
    deleteLater();
}

void UpstreamConnection::becomeIdle()
{
    m_client = nullptr;
}

void UpstreamConnection::onConnected()
{
    m_connected = true;
    if (m_connectTimer)
        m_connectTimer->stop();
    if (m_client)
        m_client->upstreamConnected();
}

void UpstreamConnection::onConnectTimeout()
{
    if (!m_connected && !m_dead) {
        if (m_client)
            fail(UpstreamError::ConnectFailure);
        else
            discard();
    }
}

void UpstreamConnection::onBytesWritten()
{
    if (m_client)
        m_client->upstreamWritable();
}

void UpstreamConnection::onReadyRead()
{
    if (m_dead)
        return;
    if (!m_client) {
        // An idle keep-alive connection has nothing to say; whatever it sent is garbage.
        discard();
        return;
    }
    processInput();
}

void UpstreamConnection::onSocketGone()
{
    if (m_dead)
        return;
    if (!m_connected) {
        if (m_client)
            fail(UpstreamError::ConnectFailure);
        else
            discard();
        return;
    }
    m_eof = true;
    if (!m_client) {
        discard();
        return;
    }
    processInput();
}

void UpstreamConnection::fail(UpstreamError error)
{
    UpstreamClient *client = m_client;
    m_client = nullptr;
    m_head.keepAlive = false;
    if (client)
        client->upstreamFailed(error); // the client discards us
}

void UpstreamConnection::processInput()
{
    bool drained = false; // a short read took all there was: readiness tells when there is more
    while (!m_dead && m_client && !m_readPaused) {
        qint64 n = 0;
        if (!m_eof) {
            if (drained)
                return;
            n = m_socket->read(m_readBuffer.data(), m_readBuffer.size());
            if (n == 0)
                return;
            if (n < 0)
                m_eof = true; // closed (or reset): disconnected() follows
        }
        if (m_eof) {
            // The upstream closed and every byte before the close has been parsed.
            http_parser_execute(&m_parser, &parserSettings(), nullptr, 0);
            if (m_dead || !m_client)
                return;
            if (m_messageDone) {
                UpstreamClient *client = m_client;
                m_client = nullptr;
                ++m_requestsServed;
                client->upstreamComplete();
            } else {
                fail(m_headersDone ? UpstreamError::ResetMidResponse
                                   : UpstreamError::ResetBeforeHeaders);
            }
            return;
        }
        drained = n < m_readBuffer.size();
        m_receivedBytes = true;
        const size_t parsed =
            http_parser_execute(&m_parser, &parserSettings(), m_readBuffer.constData(), size_t(n));
        if (m_dead || !m_client)
            return; // the client let go of us from a callback
        const http_errno err = HTTP_PARSER_ERRNO(&m_parser);
        if (err == HPE_PAUSED) {
            if (qint64(parsed) < n || (!drained && m_socket->bytesAvailable() > 0))
                m_extraBytes = true; // bytes after the response: never reuse this connection
            UpstreamClient *client = m_client;
            m_client = nullptr;
            ++m_requestsServed;
            client->upstreamComplete(); // last touch: the client may release or discard us
            return;
        }
        if (err != HPE_OK) {
            fail(UpstreamError::BadResponse);
            return;
        }
    }
}

int UpstreamConnection::cbMessageBegin(http_parser *p)
{
    auto *self = static_cast<UpstreamConnection *>(p->data);
    self->m_head.headers.clear();
    self->m_head.reason.clear();
    self->m_lastWasValue = false;
    return 0;
}

int UpstreamConnection::cbStatus(http_parser *p, const char *at, size_t len)
{
    auto *self = static_cast<UpstreamConnection *>(p->data);
    QByteArray &reason = self->m_head.reason;
    if (reason.isNull() && sameBytes(self->m_previousReason, at, qsizetype(len)))
        reason = self->m_previousReason; // shared, see appendHeaderName()
    else
        reason.append(at, qsizetype(len));
    return 0;
}

int UpstreamConnection::cbHeaderField(http_parser *p, const char *at, size_t len)
{
    auto *self = static_cast<UpstreamConnection *>(p->data);
    Headers &h = self->m_head.headers;
    if (self->m_lastWasValue || h.isEmpty()) {
        if (h.size() >= 500)
            return 1; // a response head this large is not something to pass on
        if (h.isEmpty())
            h.reserve(16); // one allocation for a typical head instead of growing 1, 2, 4, 8
        appendHeaderName(h, self->m_previousHeaders, at, qsizetype(len));
    } else {
        h.last().first.append(at, qsizetype(len));
    }
    self->m_lastWasValue = false;
    return 0;
}

int UpstreamConnection::cbHeaderValue(http_parser *p, const char *at, size_t len)
{
    auto *self = static_cast<UpstreamConnection *>(p->data);
    if (self->m_head.headers.isEmpty())
        return 1;
    appendHeaderValue(self->m_head.headers, self->m_previousHeaders, at, qsizetype(len));
    self->m_lastWasValue = true;
    return 0;
}

int UpstreamConnection::cbHeadersComplete(http_parser *p)
{
    auto *self = static_cast<UpstreamConnection *>(p->data);
    ResponseHead &head = self->m_head;
    self->m_previousHeaders = head.headers; // shared, see appendHeaderName()
    self->m_previousReason = head.reason;
    head.status = int(p->status_code);
    head.httpMinor = p->http_minor;
    if (head.status / 100 == 1) {
        if (head.status == 101)
            return -1; // the proxy never asks for an upgrade, so this is a broken upstream
        self->m_informational = true; // 100/103: skipped, the real response follows
        return 0;
    }
    head.chunked = (p->flags & F_CHUNKED) != 0;
    head.contentLength = (p->flags & F_CONTENTLENGTH) ? qint64(p->content_length) : -1;
    head.noBody = self->m_headRequest || head.status == 204 || head.status == 304;
    head.keepAlive = http_should_keep_alive(p) != 0;
    self->m_headersDone = true;
    self->m_client->upstreamHeaders(head);
    if (self->m_dead || !self->m_client)
        return -1;
    return self->m_headRequest ? 1 : 0;
}

int UpstreamConnection::cbBody(http_parser *p, const char *at, size_t len)
{
    auto *self = static_cast<UpstreamConnection *>(p->data);
    self->m_client->upstreamBody(at, qsizetype(len));
    return (self->m_dead || !self->m_client) ? -1 : 0;
}

int UpstreamConnection::cbMessageComplete(http_parser *p)
{
    auto *self = static_cast<UpstreamConnection *>(p->data);
    if (self->m_informational) {
        self->m_informational = false;
        return 0;
    }
    self->m_messageDone = true;
    self->m_head.keepAlive = self->m_head.keepAlive && http_should_keep_alive(p) != 0;
    http_parser_pause(p, 1); // deliver completion after execute returns, not from inside it
    return 0;
}

// ---------------------------------------------------------------------------------------------

UpstreamPool::UpstreamPool(int maxIdlePerEndpoint, int connectTimeoutMs, QObject *parent)
    : QObject(parent), m_maxIdle(maxIdlePerEndpoint), m_connectTimeoutMs(connectTimeoutMs)
{
}

UpstreamPool::~UpstreamPool() = default;

UpstreamConnection *UpstreamPool::acquire(const Endpoint &endpoint, bool *reused)
{
    auto it = m_idle.find(endpoint.key);
    if (it != m_idle.end()) {
        while (!it->isEmpty()) {
            UpstreamConnection *c = it->takeLast();
            if (!c->m_dead && c->m_connected && !c->m_eof) {
                if (reused)
                    *reused = true;
                return c;
            }
            c->discard();
        }
    }
    if (reused)
        *reused = false;
    auto *c = new UpstreamConnection(this, endpoint, m_connectTimeoutMs);
    c->connectNow();
    return c;
}

void UpstreamPool::release(UpstreamConnection *connection)
{
    if (!connection)
        return;
    if (!connection->canBeReused()) {
        connection->discard();
        return;
    }
    QVector<UpstreamConnection *> &idle = m_idle[connection->endpoint().key];
    if (idle.size() >= m_maxIdle) {
        connection->discard();
        return;
    }
    connection->becomeIdle();
    idle.append(connection);
}

void UpstreamPool::forget(UpstreamConnection *connection)
{
    auto it = m_idle.find(connection->endpoint().key);
    if (it != m_idle.end())
        it->removeOne(connection);
}

int UpstreamPool::idleCount() const
{
    int n = 0;
    for (const auto &list : m_idle)
        n += int(list.size());
    return n;
}

} // namespace Proxy
