#include "demo/greeterconnection.h"

#include "demo/greeterbackend.h"

#include <QTcpSocket>

namespace Demo {

namespace {

GreeterConnection *self(http_parser *parser)
{
    return static_cast<GreeterConnection *>(parser->data);
}

} // namespace

const http_parser_settings &GreeterConnection::parserSettings()
{
    static const http_parser_settings s = [] {
        http_parser_settings result;
        http_parser_settings_init(&result);
        result.on_message_begin = &GreeterConnection::onMessageBegin;
        result.on_url = &GreeterConnection::onUrl;
        result.on_header_field = &GreeterConnection::onHeaderField;
        result.on_header_value = &GreeterConnection::onHeaderValue;
        result.on_headers_complete = &GreeterConnection::onHeadersComplete;
        result.on_body = &GreeterConnection::onBody;
        result.on_message_complete = &GreeterConnection::onMessageComplete;
        return result;
    }();
    return s;
}

GreeterConnection::GreeterConnection(QTcpSocket *socket, GreeterBackend *backend)
    : QObject(backend), m_socket(socket), m_backend(backend)
{
    socket->setParent(this);
    // Small answers must leave at once; Nagle plus delayed ACK would add ~40 ms per request.
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    http_parser_init(&m_parser, HTTP_REQUEST);
    m_parser.data = this;

    m_idle.setSingleShot(true);
    m_idle.setInterval(idleTimeoutMs);
    connect(&m_idle, &QTimer::timeout, this, [this] {
        if (m_pending.empty())
            m_socket->disconnectFromHost();
        else
            m_idle.start();
    });
    m_idle.start();

    connect(socket, &QTcpSocket::readyRead, this, &GreeterConnection::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
    if (socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &GreeterConnection::onReadyRead, Qt::QueuedConnection);
}

GreeterConnection::~GreeterConnection() = default;

void GreeterConnection::onReadyRead()
{
    m_idle.start();
    const QByteArray data = m_socket->readAll();
    if (m_stopReading || data.isEmpty())
        return;
    const size_t parsed = http_parser_execute(&m_parser, &parserSettings(), data.constData(),
                                              static_cast<size_t>(data.size()));
    if (m_stopReading)
        return; // a Connection: close request completed; the rest is ignored
    const http_errno error = HTTP_PARSER_ERRNO(&m_parser);
    if (m_bodyTooLarge) {
        reject(413, "request body over 1 MiB");
    } else if (error == HPE_HEADER_OVERFLOW) {
        reject(431, "request head too large");
    } else if (error != HPE_OK) {
        reject(400, QByteArray("malformed request: ") + http_errno_name(error));
    } else if (m_parser.upgrade || parsed != static_cast<size_t>(data.size())) {
        // The greeter speaks no other protocol: answer the request as plain HTTP, then close.
        m_stopReading = true;
        if (m_pending.empty())
            reject(501, "upgrade not supported");
        else
            m_pending.back().close = true;
    }
}

void GreeterConnection::reject(int status, const QByteArray &message)
{
    m_stopReading = true;
    GreeterReply reply;
    reply.status = status;
    reply.contentType = "text/plain; charset=utf-8";
    reply.body = message + '\n';
    m_backend->recordRejected(status);
    Pending pending;
    pending.bytes = encodeResponse(reply, m_backend->profile(), QByteArray(), false, false);
    pending.ready = true;
    pending.close = true;
    m_pending.push_back(pending);
    flush();
}

void GreeterConnection::markReady(quint64 sequence)
{
    if (sequence < m_firstSequence || sequence - m_firstSequence >= m_pending.size())
        return;
    m_pending[sequence - m_firstSequence].ready = true;
    flush();
}

void GreeterConnection::flush()
{
    while (!m_pending.empty() && m_pending.front().ready) {
        const Pending front = m_pending.front();
        m_pending.pop_front();
        ++m_firstSequence;
        m_socket->write(front.bytes);
        if (front.close) {
            m_pending.clear();
            m_stopReading = true;
            m_socket->disconnectFromHost(); // flushes what was written, then closes
            return;
        }
    }
}

void GreeterConnection::commitHeader()
{
    if (m_field.isEmpty())
        return;
    const QByteArray name = m_field.toLower();
    if (name == "host")
        m_host = m_value;
    else if (name == "x-request-id")
        m_requestId = m_value;
    m_field.clear();
    m_value.clear();
}

int GreeterConnection::onMessageBegin(http_parser *parser)
{
    GreeterConnection *c = self(parser);
    c->m_url.clear();
    c->m_host.clear();
    c->m_requestId.clear();
    c->m_field.clear();
    c->m_value.clear();
    c->m_inValue = false;
    c->m_body.clear();
    return 0;
}

int GreeterConnection::onUrl(http_parser *parser, const char *at, size_t length)
{
    self(parser)->m_url.append(at, static_cast<qsizetype>(length));
    return 0;
}

int GreeterConnection::onHeaderField(http_parser *parser, const char *at, size_t length)
{
    GreeterConnection *c = self(parser);
    if (c->m_inValue) {
        c->commitHeader();
        c->m_inValue = false;
    }
    c->m_field.append(at, static_cast<qsizetype>(length));
    return 0;
}

int GreeterConnection::onHeaderValue(http_parser *parser, const char *at, size_t length)
{
    GreeterConnection *c = self(parser);
    c->m_inValue = true;
    c->m_value.append(at, static_cast<qsizetype>(length));
    return 0;
}

int GreeterConnection::onHeadersComplete(http_parser *parser)
{
    self(parser)->commitHeader();
    return 0;
}

int GreeterConnection::onBody(http_parser *parser, const char *at, size_t length)
{
    GreeterConnection *c = self(parser);
    if (c->m_body.size() + static_cast<qint64>(length) > maxBodyBytes) {
        c->m_bodyTooLarge = true;
        return 1; // stops the parser
    }
    c->m_body.append(at, static_cast<qsizetype>(length));
    return 0;
}

int GreeterConnection::onMessageComplete(http_parser *parser)
{
    GreeterConnection *c = self(parser);
    GreeterRequest request;
    request.method = http_method_str(static_cast<http_method>(parser->method));
    request.target = c->m_url;
    request.host = c->m_host;
    request.requestId = c->m_requestId;
    request.body = c->m_body;
    const bool keepAlive = http_should_keep_alive(parser) != 0;
    const bool head = parser->method == HTTP_HEAD;

    int delayMs = 0;
    Pending pending;
    pending.bytes = c->m_backend->serve(request, keepAlive, head, &delayMs);
    pending.close = !keepAlive;
    const quint64 sequence = c->m_firstSequence + c->m_pending.size();
    c->m_pending.push_back(pending);
    // A timer per request rather than a sleep: the other connections keep being served.
    QTimer::singleShot(delayMs, delayMs < 20 ? Qt::PreciseTimer : Qt::CoarseTimer, c,
                       [c, sequence] { c->markReady(sequence); });
    if (!keepAlive) {
        c->m_stopReading = true;
        return 1; // nothing after a Connection: close request is read
    }
    return 0;
}

} // namespace Demo
