#include "metricsserver.h"

#include "observe/metrics.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace Observe {

struct MetricsServer::Connection : QObject
{
    QTcpSocket *socket = nullptr;
    QTimer *timer = nullptr;
    QByteArray buffer;
    bool closing = false;
};

namespace {

enum class Result { NeedMore, Answered, Closed };

QByteArray statusLine(int status, const QByteArray &reason)
{
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\n";
}

} // namespace

MetricsServer::MetricsServer(std::shared_ptr<const Metrics> metrics, QObject *parent)
    : QObject(parent), m_metrics(std::move(metrics)), m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &MetricsServer::onNewConnection);
}

MetricsServer::~MetricsServer() = default;

void MetricsServer::setLimits(const Limits &limits)
{
    m_limits = limits;
}

bool MetricsServer::listen(const QHostAddress &address, quint16 port, bool allowRemote)
{
    m_error.clear();
    if (m_server->isListening())
        m_server->close();
    if (address.isNull()) {
        m_error = QStringLiteral("cannot serve metrics: no address given");
        return false;
    }
    if (!address.isLoopback() && !allowRemote) {
        m_error = QStringLiteral("refusing to serve metrics on %1: it is not a loopback address, "
                                 "and the metrics name the services under test. Use 127.0.0.1, "
                                 "or allow remote scrapers explicitly (allowRemote).")
                      .arg(address.toString());
        return false;
    }
    if (!m_server->listen(address, port)) {
        m_error = QStringLiteral("cannot serve metrics on %1:%2: %3")
                      .arg(address.toString())
                      .arg(port)
                      .arg(m_server->errorString());
        return false;
    }
    return true;
}

void MetricsServer::close()
{
    m_server->close();
}

bool MetricsServer::isListening() const
{
    return m_server->isListening();
}

QHostAddress MetricsServer::address() const
{
    return m_server->serverAddress();
}

quint16 MetricsServer::port() const
{
    return m_server->serverPort();
}

QString MetricsServer::url() const
{
    const QHostAddress a = address();
    const QString host = a.protocol() == QAbstractSocket::IPv6Protocol
                             ? QLatin1Char('[') + a.toString() + QLatin1Char(']')
                             : a.toString();
    return QStringLiteral("http://%1:%2/metrics").arg(host).arg(port());
}

bool MetricsServer::parseAddress(const QString &text, QHostAddress *address, quint16 *port,
                                 QString *error)
{
    const QString t = text.trimmed();
    auto fail = [&](const QString &why) {
        if (error)
            *error = QStringLiteral("invalid metrics address \"%1\": %2; expected [HOST:]PORT, "
                                    "such as 127.0.0.1:9464")
                         .arg(text, why);
        return false;
    };
    QString host, portText;
    if (t.startsWith(QLatin1Char('['))) {
        const int close = t.indexOf(QLatin1String("]:"));
        if (close < 0)
            return fail(QStringLiteral("no port after the bracketed address"));
        host = t.mid(1, close - 1);
        portText = t.mid(close + 2);
    } else {
        const int colon = t.lastIndexOf(QLatin1Char(':'));
        if (colon < 0) {
            portText = t;
            host = QStringLiteral("127.0.0.1");
        } else {
            host = t.left(colon);
            portText = t.mid(colon + 1);
            if (host.contains(QLatin1Char(':')))
                return fail(QStringLiteral("write an IPv6 address in brackets"));
        }
    }
    bool ok = false;
    const uint p = portText.toUInt(&ok);
    if (portText.isEmpty() || !ok || p > 65535)
        return fail(QStringLiteral("\"%1\" is not a port (0-65535)").arg(portText));
    QHostAddress a;
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        a = QHostAddress(QHostAddress::LocalHost);
    else if (!a.setAddress(host))
        return fail(QStringLiteral("\"%1\" is not an IP address").arg(host));
    if (address)
        *address = a;
    if (port)
        *port = quint16(p);
    return true;
}

void MetricsServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        if (m_connections >= m_limits.maxConnections) {
            const QByteArray body = "too many metrics connections\n";
            socket->write(statusLine(503, "Service Unavailable") +
                          "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " +
                          QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            socket->disconnectFromHost();
            continue;
        }
        ++m_connections;
        auto *c = new Connection;
        c->setParent(this);
        c->socket = socket;
        socket->setParent(c);
        // Qt stops reading from the kernel when this is full: a client cannot make us buffer
        // more than one head (plus a little to see that it is too long).
        socket->setReadBufferSize(m_limits.maxHeadBytes + 1024);
        c->timer = new QTimer(c);
        c->timer->setSingleShot(true);
        // Not restarted by incoming bytes: a whole head must arrive within the timeout, so a
        // client dribbling a byte at a time cannot hold the connection.
        c->timer->start(m_limits.idleTimeoutMs);
        connect(c->timer, &QTimer::timeout, c, [this, c] {
            if (!c->closing && !c->buffer.isEmpty()) {
                respond(c, 408, "Request Timeout", "text/plain; charset=utf-8",
                        "request head not complete in time\n", false, true);
                c->timer->start(m_limits.idleTimeoutMs); // for the flush, then abort
                return;
            }
            drop(c);
        });
        connect(socket, &QTcpSocket::readyRead, c, [this, c] { onReadyRead(c); });
        connect(socket, &QTcpSocket::disconnected, c, [this, c] { drop(c); });
        connect(socket, &QTcpSocket::errorOccurred, c, [this, c] {
            if (c->socket->state() != QAbstractSocket::ConnectedState)
                drop(c);
        });
        if (socket->bytesAvailable() > 0)
            onReadyRead(c);
    }
}

void MetricsServer::drop(Connection *c)
{
    if (c->socket == nullptr)
        return; // dropped already
    QTcpSocket *socket = c->socket;
    c->socket = nullptr;
    c->timer->stop();
    --m_connections;
    socket->disconnect(c);
    socket->abort();
    c->deleteLater(); // the socket is its child
}

void MetricsServer::onReadyRead(Connection *c)
{
    while (c->socket && !c->closing) {
        const qint64 room = qint64(m_limits.maxHeadBytes) + 4 - c->buffer.size();
        if (room > 0 && c->socket->bytesAvailable() > 0)
            c->buffer += c->socket->read(room);
        if (!handleOne(c))
            return;
        if (c->buffer.isEmpty() && c->socket && c->socket->bytesAvailable() == 0)
            return;
    }
    if (c->socket && c->closing)
        c->socket->read(c->socket->bytesAvailable()); // what follows a final answer is ignored
}

bool MetricsServer::handleOne(Connection *c)
{
    const QByteArray text = "text/plain; charset=utf-8";
    int end = c->buffer.indexOf("\r\n\r\n");
    int sepLen = 4;
    const int lf = c->buffer.indexOf("\n\n");
    if (lf >= 0 && (end < 0 || lf < end)) {
        end = lf;
        sepLen = 2;
    }
    if ((end < 0 && c->buffer.size() > m_limits.maxHeadBytes) || end > m_limits.maxHeadBytes) {
        respond(c, 431, "Request Header Fields Too Large", text,
                "request head over " + QByteArray::number(m_limits.maxHeadBytes) + " bytes\n",
                false, true);
        return false;
    }
    if (end < 0)
        return false; // wait for the rest of the head

    const QByteArray head = c->buffer.left(end);
    c->buffer.remove(0, end + sepLen);
    QList<QByteArray> lines = head.split('\n');
    for (QByteArray &l : lines) {
        if (l.endsWith('\r'))
            l.chop(1);
    }
    while (!lines.isEmpty() && lines.first().isEmpty())
        lines.removeFirst(); // RFC 9112 §2.2: empty lines before the request line are ignored
    const QList<QByteArray> requestLine =
        lines.isEmpty() ? QList<QByteArray>() : lines.first().split(' ');
    if (requestLine.size() != 3 || requestLine.at(0).isEmpty() ||
        !requestLine.at(1).startsWith('/') || !requestLine.at(2).startsWith("HTTP/1.")) {
        respond(c, 400, "Bad Request", text,
                "bad request: expected a request line such as GET /metrics HTTP/1.1\n", false,
                true);
        return false;
    }
    const QByteArray &method = requestLine.at(0);
    const QByteArray &target = requestLine.at(1);
    bool close = requestLine.at(2) == "HTTP/1.0";
    bool hasBody = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &l = lines.at(i);
        const int colon = l.indexOf(':');
        if (colon <= 0) {
            respond(c, 400, "Bad Request", text, "bad request: malformed header line\n", false,
                    true);
            return false;
        }
        const QByteArray name = l.left(colon).trimmed().toLower();
        const QByteArray value = l.mid(colon + 1).trimmed().toLower();
        if (name == "connection") {
            if (value.contains("close"))
                close = true;
            else if (value.contains("keep-alive"))
                close = false;
        } else if (name == "transfer-encoding" || (name == "content-length" && value != "0")) {
            hasBody = true;
        }
    }

    const bool isHead = method == "HEAD";
    if (method != "GET" && !isHead) {
        // Any body it has is not read: the connection closes after the answer.
        respond(c, 405, "Method Not Allowed", text,
                "method " + method.left(32) + " not allowed: use GET\n", false, true,
                "Allow: GET, HEAD\r\n");
        return false;
    }
    if (hasBody) {
        respond(c, 400, "Bad Request", text, "bad request: a GET carries no body here\n", isHead,
                true);
        return false;
    }
    const int query = target.indexOf('?');
    const QByteArray path = query < 0 ? target : target.left(query);
    if (path == "/metrics") {
        const QByteArray body = m_metrics ? m_metrics->render() : QByteArray();
        respond(c, 200, "OK", Metrics::contentType(), body, isHead, close);
        ++m_scrapes;
        emit scraped();
    } else if (path == "/") {
        respond(c, 200, "OK", text,
                "Mirrorscope metrics\n\nPrometheus metrics (text format 0.0.4): /metrics\n", isHead,
                close);
    } else {
        respond(c, 404, "Not Found", text, "not found: the metrics are at /metrics\n", isHead,
                close);
    }
    return !close && c->socket;
}

void MetricsServer::respond(Connection *c, int status, const QByteArray &reason,
                            const QByteArray &type, const QByteArray &body, bool head, bool close,
                            const QByteArray &extraHeaders)
{
    if (!c->socket)
        return;
    QByteArray out = statusLine(status, reason);
    out += "Content-Type: " + type + "\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += extraHeaders;
    out += close ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n";
    if (!head)
        out += body;
    c->socket->write(out);
    // Idle time (or, when closing, the time the client has to take the answer) starts now.
    c->timer->start(m_limits.idleTimeoutMs);
    if (close) {
        c->closing = true;
        c->buffer.clear();
        c->socket->disconnectFromHost(); // after the answer is flushed
    }
}

} // namespace Observe
