#include "demo/clientconnection.h"

#include <QTcpSocket>

#include <algorithm>

namespace Demo {

const http_parser_settings &ClientConnection::parserSettings()
{
    static const http_parser_settings s = [] {
        http_parser_settings result;
        http_parser_settings_init(&result);
        result.on_headers_complete = &ClientConnection::onHeadersComplete;
        result.on_message_complete = &ClientConnection::onMessageComplete;
        return result;
    }();
    return s;
}

ClientConnection::ClientConnection(const QHostAddress &address, quint16 port, int timeoutMs,
                                   QObject *parent)
    : QObject(parent), m_address(address), m_port(port)
{
    m_timeout.setSingleShot(true);
    m_timeout.setInterval(std::max(1, timeoutMs));
    connect(&m_timeout, &QTimer::timeout, this, [this] { fail(Failure::Timeout); });
    http_parser_init(&m_parser, HTTP_RESPONSE);
    m_parser.data = this;
}

ClientConnection::~ClientConnection()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void ClientConnection::send(const Request &request)
{
    Q_ASSERT(m_state == State::New || m_state == State::Idle);
    m_request = request;
    m_gotBytes = false;
    m_complete = false;
    m_clock.start();
    m_timeout.start();
    http_parser_init(&m_parser, HTTP_RESPONSE);
    m_parser.data = this;
    if (m_state == State::Idle) {
        m_state = State::Busy;
        m_socket->write(m_request.bytes);
        return;
    }
    m_state = State::Connecting;
    m_socket = new QTcpSocket(this);
    connect(m_socket, &QTcpSocket::connected, this, &ClientConnection::onConnected);
    connect(m_socket, &QTcpSocket::readyRead, this, &ClientConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &ClientConnection::onDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_state == State::Connecting)
            fail(Failure::Connect);
        else
            onDisconnected();
    });
    m_socket->connectToHost(m_address, m_port);
}

void ClientConnection::close()
{
    m_timeout.stop();
    m_state = State::Closed;
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->disconnectFromHost();
    }
}

void ClientConnection::onConnected()
{
    if (m_state != State::Connecting)
        return;
    // Small requests must leave at once; Nagle would hold them behind the previous ACK.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_state = State::Busy;
    m_socket->write(m_request.bytes);
}

void ClientConnection::onReadyRead()
{
    const QByteArray data = m_socket->readAll();
    if (m_state != State::Busy || data.isEmpty())
        return; // bytes while idle: the server broke the protocol; the next send resets
    m_gotBytes = true;
    http_parser_execute(&m_parser, &parserSettings(), data.constData(),
                        static_cast<size_t>(data.size()));
    if (m_complete) {
        finish(static_cast<int>(m_parser.status_code), Failure::None, m_keepAlive);
    } else if (HTTP_PARSER_ERRNO(&m_parser) != HPE_OK) {
        fail(Failure::Reset); // an unreadable answer counts as a broken exchange
    }
}

void ClientConnection::onDisconnected()
{
    if (m_state == State::Busy) {
        // An answer delimited by the end of the connection completes here.
        http_parser_execute(&m_parser, &parserSettings(), nullptr, 0);
        if (m_complete) {
            finish(static_cast<int>(m_parser.status_code), Failure::None, false);
            return;
        }
        fail(Failure::Reset);
        return;
    }
    if (m_state == State::Connecting) {
        fail(Failure::Connect);
        return;
    }
    if (m_state != State::Closed) {
        m_state = State::Closed;
        emit closed(this);
    }
}

void ClientConnection::fail(Failure failure)
{
    finish(0, failure, false);
}

void ClientConnection::finish(int status, Failure failure, bool keepAlive)
{
    if (m_state != State::Busy && m_state != State::Connecting)
        return;
    m_timeout.stop();
    // Reused connection, nothing came back: the server closed it while it idled in the pool.
    const bool retryable = failure == Failure::Reset && m_answered > 0 && !m_gotBytes;
    const qint64 latencyUs = m_clock.nsecsElapsed() / 1000;
    const Request request = m_request;
    if (failure == Failure::None)
        ++m_answered;
    if (failure == Failure::None && keepAlive) {
        m_state = State::Idle;
    } else {
        m_state = State::Closed;
        if (m_socket) {
            m_socket->disconnect(this);
            if (failure == Failure::None)
                m_socket->disconnectFromHost();
            else
                m_socket->abort();
        }
    }
    const bool nowClosed = m_state == State::Closed;
    emit done(this, request, status, failure, latencyUs, retryable);
    if (nowClosed)
        emit closed(this);
}

int ClientConnection::onHeadersComplete(http_parser *parser)
{
    auto *c = static_cast<ClientConnection *>(parser->data);
    return c->m_request.head ? 1 : 0; // 1: no body follows
}

int ClientConnection::onMessageComplete(http_parser *parser)
{
    auto *c = static_cast<ClientConnection *>(parser->data);
    c->m_complete = true;
    c->m_keepAlive = http_should_keep_alive(parser) != 0;
    return 1; // one answer per request: anything after it is not ours
}

} // namespace Demo
