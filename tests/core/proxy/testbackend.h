#pragma once

// In-test HTTP/1.1 peers for the proxy tests: a backend that can answer, stall, close, send
// garbage or reset mid-body and records what it received, and a client that sends raw bytes
// and parses the responses. Both run in the test's thread; tests wait on their state with
// QTRY_* / QTest::qWaitFor, never with sleeps.

#include "proxy/decider.h"
#include "proxy/http.h"
#include "proxy/recorder.h"
#include "proxy/server.h"

#include <QByteArray>
#include <QEventLoop>
#include <QHostAddress>
#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <http_parser.h>

#include <functional>
#include <memory>

namespace TestSupport {

using Proxy::Header;
using Proxy::Headers;

// Runs a real event loop until `done()` holds (checked on every loop pass, at least every
// millisecond). Unlike QTest::qWaitFor, which naps 10 ms between passes, sockets in this thread
// are served at full speed while waiting, so bulk transfers run at loopback speed.
template <typename Pred> bool runUntil(Pred done, int timeoutMs)
{
    if (done())
        return true;
    QEventLoop loop;
    QTimer check;
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done())
            loop.quit();
    });
    check.start(1);
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    deadline.start(timeoutMs);
    loop.exec();
    return done();
}

inline QByteArray headerOf(const Headers &headers, const char *name)
{
    const QByteArray *v = Proxy::findHeader(headers, name, qsizetype(strlen(name)));
    return v ? *v : QByteArray();
}

// A deterministic byte pattern for big bodies: the same bytes on both sides, never stored.
inline const QByteArray &patternBlock()
{
    static const QByteArray block = [] {
        QByteArray b(64 * 1024, Qt::Uninitialized);
        for (int i = 0; i < b.size(); ++i)
            b[i] = char('a' + (i * 7 + i / 251) % 26);
        return b;
    }();
    return block;
}

inline quint64 patternHash(qint64 size)
{
    Proxy::Fnv1a h;
    const QByteArray &block = patternBlock();
    while (size > 0) {
        const qint64 n = qMin<qint64>(size, block.size());
        h.add(block.constData(), n);
        size -= n;
    }
    return h.hash;
}

struct ReceivedRequest
{
    QByteArray method;
    QByteArray path;
    Headers headers;
    qint64 bodySize = 0;
    quint64 bodyHash = Proxy::Fnv1a().hash;
    QByteArray bodyPrefix; // the first TestBackend::bodyKept bytes
    bool complete = false;
    QByteArray header(const char *name) const { return headerOf(headers, name); }
};

// Writes `total` pattern bytes to a socket as fast as it drains (bounded memory on our side).
class PatternWriter
{
public:
    PatternWriter(QTcpSocket *socket, qint64 total) : m_socket(socket), m_left(total)
    {
        m_connection =
            QObject::connect(socket, &QTcpSocket::bytesWritten, socket, [this](qint64) { pump(); });
        pump();
    }
    ~PatternWriter() { QObject::disconnect(m_connection); }
    bool done() const { return m_left == 0; }
    qint64 left() const { return m_left; }
    void pump()
    {
        const QByteArray &block = patternBlock();
        while (m_left > 0 && m_socket->bytesToWrite() < 1024 * 1024 &&
               m_socket->state() == QAbstractSocket::ConnectedState) {
            const qint64 n = qMin<qint64>(m_left, block.size());
            m_socket->write(block.constData(), n);
            m_left -= n;
        }
    }

private:
    QTcpSocket *m_socket;
    qint64 m_left;
    QMetaObject::Connection m_connection;
};

class TestBackend
{
public:
    enum class Mode {
        Respond,      // status + body (+ headers), Content-Length or chunked
        Stall,        // read the request, answer only on releaseStalled()
        Close,        // close the connection when a request head arrives
        Garbage,      // answer with bytes that are not HTTP
        ResetMidBody, // send the head and part of the body, then reset
        Download,     // stream `downloadBytes` pattern bytes
    };

    explicit TestBackend(const QByteArray &name) : body(name), m_name(name)
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection())
                accept(s);
        });
    }
    ~TestBackend()
    {
        m_server.close();
        for (auto &c : m_connections) {
            if (c->socket)
                c->socket->abort();
        }
    }

    bool start() { return m_server.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_server.serverPort(); }
    QString endpoint() const { return QStringLiteral("127.0.0.1:%1").arg(port()); }
    void stop()
    {
        m_server.close();
        for (auto &c : m_connections) {
            if (c->socket)
                c->socket->abort();
        }
    }

    Mode mode = Mode::Respond;
    int status = 200;
    QByteArray body;
    Headers responseHeaders;
    bool chunked = false;
    qint64 downloadBytes = 0;
    bool keepAlive = true;
    bool echoPath = false;          // body = "<name> <path>"
    qsizetype bodyKept = 64 * 1024; // per request, in ReceivedRequest::bodyPrefix
    int disconnections = 0;

    QList<ReceivedRequest> requests; // in arrival order
    int connectionsAccepted = 0;
    int responsesSent = 0;
    int heads() const { return int(requests.size()); }
    int completed() const
    {
        int n = 0;
        for (const auto &r : requests)
            n += r.complete ? 1 : 0;
        return n;
    }
    int stalledCount() const { return int(m_stalled.size()); }
    void releaseStalled()
    {
        const auto stalled = m_stalled;
        m_stalled.clear();
        for (const auto &s : stalled) {
            if (auto c = s.first.lock())
                respond(*c, s.second);
        }
    }
    QByteArray name() const { return m_name; }

private:
    struct Connection
    {
        TestBackend *backend = nullptr;
        QPointer<QTcpSocket> socket;
        http_parser parser;
        bool lastWasValue = false;
        int current = -1;
        std::unique_ptr<PatternWriter> writer;
    };

    static http_parser_settings &settings()
    {
        static http_parser_settings s = [] {
            http_parser_settings st;
            http_parser_settings_init(&st);
            st.on_message_begin = [](http_parser *p) {
                auto *c = static_cast<Connection *>(p->data);
                c->backend->requests.append(ReceivedRequest());
                c->current = int(c->backend->requests.size()) - 1;
                c->lastWasValue = false;
                return 0;
            };
            st.on_url = [](http_parser *p, const char *at, size_t len) {
                auto *c = static_cast<Connection *>(p->data);
                c->backend->requests[c->current].path.append(at, qsizetype(len));
                return 0;
            };
            st.on_header_field = [](http_parser *p, const char *at, size_t len) {
                auto *c = static_cast<Connection *>(p->data);
                Headers &h = c->backend->requests[c->current].headers;
                if (c->lastWasValue || h.isEmpty())
                    h.append({QByteArray(at, qsizetype(len)), QByteArray()});
                else
                    h.last().first.append(at, qsizetype(len));
                c->lastWasValue = false;
                return 0;
            };
            st.on_header_value = [](http_parser *p, const char *at, size_t len) {
                auto *c = static_cast<Connection *>(p->data);
                c->backend->requests[c->current].headers.last().second.append(at, qsizetype(len));
                c->lastWasValue = true;
                return 0;
            };
            st.on_headers_complete = [](http_parser *p) {
                auto *c = static_cast<Connection *>(p->data);
                c->backend->requests[c->current].method = http_method_str(http_method(p->method));
                if (c->backend->mode == Mode::Close) {
                    c->socket->abort();
                    return -1;
                }
                return 0;
            };
            st.on_body = [](http_parser *p, const char *at, size_t len) {
                auto *c = static_cast<Connection *>(p->data);
                ReceivedRequest &r = c->backend->requests[c->current];
                r.bodySize += qint64(len);
                Proxy::Fnv1a h{r.bodyHash};
                h.add(at, qsizetype(len));
                r.bodyHash = h.hash;
                const qsizetype keep = c->backend->bodyKept;
                if (r.bodyPrefix.size() < keep)
                    r.bodyPrefix.append(
                        at, qMin<qsizetype>(qsizetype(len), keep - r.bodyPrefix.size()));
                return 0;
            };
            st.on_message_complete = [](http_parser *p) {
                auto *c = static_cast<Connection *>(p->data);
                c->backend->requests[c->current].complete = true;
                c->backend->onRequest(*c, c->current);
                return 0;
            };
            return st;
        }();
        return s;
    }

    void accept(QTcpSocket *socket)
    {
        ++connectionsAccepted;
        auto c = std::make_shared<Connection>();
        c->backend = this;
        c->socket = socket;
        http_parser_init(&c->parser, HTTP_REQUEST);
        c->parser.data = c.get();
        m_connections.append(c);
        std::weak_ptr<Connection> weak = c;
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [weak] {
            auto c = weak.lock();
            if (!c || !c->socket)
                return;
            const QByteArray data = c->socket->readAll();
            http_parser_execute(&c->parser, &settings(), data.constData(), size_t(data.size()));
        });
        QObject::connect(socket, &QTcpSocket::disconnected, socket, [this, socket] {
            ++disconnections;
            socket->deleteLater();
        });
    }

    void onRequest(Connection &c, int index)
    {
        switch (mode) {
        case Mode::Stall:
            for (auto &shared : m_connections) {
                if (shared.get() == &c)
                    m_stalled.append({shared, index});
            }
            return;
        case Mode::Close:
            return;
        default:
            respond(c, index);
        }
    }

    void respond(Connection &c, int index)
    {
        if (!c.socket)
            return;
        ++responsesSent;
        QTcpSocket *s = c.socket;
        if (mode == Mode::Garbage) {
            s->write("this is not http at all\r\n\r\n");
            return;
        }
        QByteArray out =
            "HTTP/1.1 " + QByteArray::number(status) + " " + Proxy::reasonPhrase(status) + "\r\n";
        for (const Header &h : std::as_const(responseHeaders))
            out += h.first + ": " + h.second + "\r\n";
        out += "x-backend: " + m_name + "\r\n";
        if (!keepAlive)
            out += "connection: close\r\n";
        if (mode == Mode::Download) {
            out += "content-length: " + QByteArray::number(downloadBytes) + "\r\n\r\n";
            s->write(out);
            c.writer = std::make_unique<PatternWriter>(s, downloadBytes);
            return;
        }
        if (mode == Mode::ResetMidBody) {
            out += "content-length: 100000\r\n\r\n0123456789";
            s->write(out);
            s->flush();
            s->abort();
            return;
        }
        const QByteArray body = echoPath ? m_name + " " + requests.at(index).path : this->body;
        if (chunked) {
            out += "transfer-encoding: chunked\r\n\r\n";
            Proxy::appendChunk(out, body.constData(), body.size());
            out += "0\r\n\r\n";
        } else {
            out += "content-length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        }
        s->write(out);
        if (!keepAlive)
            s->disconnectFromHost();
    }

    QByteArray m_name;
    QTcpServer m_server;
    QList<std::shared_ptr<Connection>> m_connections;
    QList<QPair<std::weak_ptr<Connection>, int>> m_stalled;

public:
    QByteArray &bodyRef() { return body; }
};

struct Response
{
    int status = 0;
    Headers headers;
    QByteArray body; // the first 1 MiB
    qint64 bodySize = 0;
    quint64 bodyHash = Proxy::Fnv1a().hash;
    bool complete = false;
    QByteArray header(const char *name) const { return headerOf(headers, name); }
};

class TestClient
{
public:
    TestClient()
    {
        http_parser_init(&m_parser, HTTP_RESPONSE);
        m_parser.data = this;
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [this] { onRead(); });
        QObject::connect(&socket, &QTcpSocket::disconnected, &socket, [this] {
            closed = true;
            http_parser_execute(&m_parser, &settings(), nullptr, 0); // close-delimited end
        });
    }
    bool connectTo(quint16 port)
    {
        socket.connectToHost(QHostAddress::LocalHost, port);
        return socket.waitForConnected(5000);
    }
    void send(const QByteArray &raw) { socket.write(raw); }
    void get(const QByteArray &path, const QByteArray &host = "greeter-service",
             const QByteArray &extra = QByteArray())
    {
        send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra + "\r\n");
    }
    // For HEAD requests: the parser must know the response has no body.
    void expectHeadResponse() { m_headNext = true; }
    bool waitForResponses(int n, int timeoutMs = 10000)
    {
        return runUntil([&] { return completeCount() >= n; }, timeoutMs);
    }
    bool waitForClose(int timeoutMs = 10000)
    {
        return runUntil([&] { return closed; }, timeoutMs);
    }
    int completeCount() const
    {
        int n = 0;
        for (const auto &r : responses)
            n += r.complete ? 1 : 0;
        return n;
    }

    QTcpSocket socket;
    QList<Response> responses;
    bool closed = false;
    bool parseError = false;
    int informational = 0; // 1xx responses seen

private:
    static http_parser_settings &settings()
    {
        static http_parser_settings s = [] {
            http_parser_settings st;
            http_parser_settings_init(&st);
            st.on_message_begin = [](http_parser *p) {
                auto *c = static_cast<TestClient *>(p->data);
                c->responses.append(Response());
                c->m_lastWasValue = false;
                return 0;
            };
            st.on_header_field = [](http_parser *p, const char *at, size_t len) {
                auto *c = static_cast<TestClient *>(p->data);
                Headers &h = c->responses.last().headers;
                if (c->m_lastWasValue || h.isEmpty())
                    h.append({QByteArray(at, qsizetype(len)), QByteArray()});
                else
                    h.last().first.append(at, qsizetype(len));
                c->m_lastWasValue = false;
                return 0;
            };
            st.on_header_value = [](http_parser *p, const char *at, size_t len) {
                auto *c = static_cast<TestClient *>(p->data);
                c->responses.last().headers.last().second.append(at, qsizetype(len));
                c->m_lastWasValue = true;
                return 0;
            };
            st.on_headers_complete = [](http_parser *p) {
                auto *c = static_cast<TestClient *>(p->data);
                c->responses.last().status = int(p->status_code);
                if (p->status_code / 100 == 1) {
                    c->responses.removeLast(); // 100 Continue: not a response of its own
                    ++c->informational;
                    c->m_informational = true;
                    return 0;
                }
                if (c->m_headNext) {
                    c->m_headNext = false;
                    return 1;
                }
                return 0;
            };
            st.on_body = [](http_parser *p, const char *at, size_t len) {
                auto *c = static_cast<TestClient *>(p->data);
                Response &r = c->responses.last();
                r.bodySize += qint64(len);
                Proxy::Fnv1a h{r.bodyHash};
                h.add(at, qsizetype(len));
                r.bodyHash = h.hash;
                if (r.body.size() < 1024 * 1024)
                    r.body.append(at, qMin<qsizetype>(qsizetype(len), 1024 * 1024 - r.body.size()));
                return 0;
            };
            st.on_message_complete = [](http_parser *p) {
                auto *c = static_cast<TestClient *>(p->data);
                if (c->m_informational) {
                    c->m_informational = false;
                    return 0;
                }
                c->responses.last().complete = true;
                return 0;
            };
            return st;
        }();
        return s;
    }
    void onRead()
    {
        const QByteArray data = socket.readAll();
        const size_t n =
            http_parser_execute(&m_parser, &settings(), data.constData(), size_t(data.size()));
        if (HTTP_PARSER_ERRNO(&m_parser) != HPE_OK || n != size_t(data.size()))
            parseError = true;
    }

    http_parser m_parser;
    bool m_lastWasValue = false;
    bool m_headNext = false;
    bool m_informational = false;
};

// The decision a plain route gives: the request as it came, to `primary`, mirrored to
// `mirrors` (authority given per mirror).
inline Routing::RouteDecision forward(const Routing::RequestView &v, const Routing::Target &primary,
                                      const QList<Routing::MirrorTarget> &mirrors = {})
{
    Routing::RouteDecision d;
    d.action = Routing::RouteDecision::Action::Forward;
    d.destination = primary;
    d.method = v.method;
    d.authority = v.authority;
    d.path = v.path;
    d.requestHeaders = v.headers;
    d.mirrors = mirrors;
    return d;
}

inline Routing::MirrorTarget mirrorTo(const Routing::Target &target, const QByteArray &authority)
{
    Routing::MirrorTarget m;
    m.target = target;
    m.authority = authority;
    return m;
}

inline Routing::Target target(const QString &host, const QString &subset = QString())
{
    Routing::Target t;
    t.host = host;
    t.subset = subset;
    return t;
}

// A proxy with two bound backends (greeter-service:v1 and :v2) and a decision function the
// test controls (default: everything to v1, mirrored to v2 as greeter-service-shadow).
struct ProxyRig
{
    Proxy::Settings settings;
    std::unique_ptr<Proxy::Server> server;
    TestBackend v1{"v1"};
    TestBackend v2{"v2"};
    std::function<Routing::RouteDecision(const Routing::RequestView &)> decide =
        [](const Routing::RequestView &v) {
            return forward(
                v, target(QStringLiteral("greeter-service"), QStringLiteral("v1")),
                {mirrorTo(target(QStringLiteral("greeter-service"), QStringLiteral("v2")),
                          "greeter-service-shadow")});
        };
    QList<Observe::Exchange> exchanges;

    ProxyRig() { settings.workers = 2; }
    bool start()
    {
        if (!v1.start() || !v2.start())
            return false;
        server = std::make_unique<Proxy::Server>(settings);
        Proxy::Bindings bindings;
        bindings.add(target(QStringLiteral("greeter-service"), QStringLiteral("v1")),
                     Proxy::Endpoint::make(QStringLiteral("127.0.0.1"), v1.port()));
        bindings.add(target(QStringLiteral("greeter-service"), QStringLiteral("v2")),
                     Proxy::Endpoint::make(QStringLiteral("127.0.0.1"), v2.port()));
        server->setBindings(bindings);
        server->setDecider(
            Proxy::makeDecider([this](const Routing::RequestView &v) { return decide(v); }));
        return server->start();
    }
    quint16 port() const { return server->port(); }
    void collect() { exchanges += server->recorder()->drain(); }
    bool waitForExchanges(int n, int timeoutMs = 10000)
    {
        return runUntil(
            [&] {
                collect();
                return exchanges.size() >= n;
            },
            timeoutMs);
    }
    Proxy::Stats stats() const { return server->snapshot(); }
};

} // namespace TestSupport
