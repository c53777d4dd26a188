#include "proxyrig.h"

#include "model/resource.h"
#include "proxy/decider.h"
#include "routing/routeengine.h"
#include "yaml/document.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <sys/socket.h>
#include <unistd.h>

namespace FuzzRig {

// The route table every request-path input meets: each kind of rule the proxy handles on its
// own (direct response, redirect, fault abort) and forwarding with rewrites, header operations
// on both halves, a regex match and a mirror.
static const char kRoutes[] = R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: greeter-service
spec:
  hosts:
  - greeter-service
  http:
  - name: direct
    match:
    - uri:
        prefix: /direct
    directResponse:
      status: 418
      body:
        string: short and stout
  - name: redirect
    match:
    - uri:
        exact: /old
    redirect:
      uri: /new
      authority: elsewhere.example
  - name: abort
    match:
    - headers:
        x-fault:
          exact: abort
    fault:
      abort:
        httpStatus: 503
        percentage:
          value: 100
    route:
    - destination:
        host: greeter-service
        subset: v1
  - name: api
    match:
    - uri:
        regex: /api/v[0-9]+/.*
      method:
        exact: POST
    - headers:
        x-api:
          prefix: "yes"
    rewrite:
      uri: /rewritten
      authority: api.internal
    headers:
      request:
        set:
          x-route: api
        add:
          x-added: "1"
        remove:
        - x-secret
      response:
        set:
          x-served-by: mirrorscope
        add:
          x-extra: "2"
        remove:
        - server
    route:
    - destination:
        host: greeter-service
        subset: v1
    mirror:
      host: greeter-service
      subset: v2
    mirrorPercentage:
      value: 100
    timeout: 5s
  - name: unbound
    match:
    - uri:
        prefix: /nowhere
    route:
    - destination:
        host: greeter-service
        subset: v9
    mirror:
      host: greeter-service
      subset: v8
  - route:
    - destination:
        host: greeter-service
        subset: v1
      weight: 100
    mirror:
      host: greeter-service
      subset: v2
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: greeter-service
spec:
  host: greeter-service
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
)";

static constexpr quint16 kListenPort = 8080; // what absolute-form requests must name
static constexpr int kLivelockMs = 5000;
static constexpr int kShortTimerMs = 300;

void initQt(int *argc, char ***argv)
{
    if (QCoreApplication::instance())
        return;
    signal(SIGPIPE, SIG_IGN);
    // The plain UNIX dispatcher: processEvents() says truthfully whether it did anything.
    qputenv("QT_NO_GLIB", "1");
    static int fallbackArgc = 1;
    static char name[] = "fuzz";
    static char *fallbackArgv[] = {name, nullptr};
    int *ac = argc ? argc : &fallbackArgc;
    char **av = argv ? *argv : fallbackArgv;
    new QCoreApplication(*ac, av); // lives as long as the process
}

void trace(const QByteArray &received)
{
    static const bool on = qEnvironmentVariableIntValue("FUZZ_TRACE") != 0;
    if (on)
        fprintf(stderr, "--- client received %lld bytes:\n%s\n---\n", qlonglong(received.size()),
                received.left(4096).constData());
}

// ------------------------------------------------------------------------------- Backend ---

Backend::Backend() : m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &Backend::onNewConnection);
}

Backend::~Backend()
{
    for (Peer *peer : std::as_const(m_peers)) {
        peer->socket->disconnect(this);
        delete peer->socket;
        delete peer;
    }
}

bool Backend::start()
{
    return m_server->listen(QHostAddress::LocalHost, 0);
}

quint16 Backend::port() const
{
    return m_server->serverPort();
}

void Backend::setScript(const QByteArray &script, bool enabled)
{
    m_script = script;
    m_scripted = enabled;
}

void Backend::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        auto *peer = new Peer{this, socket, {}};
        http_parser_init(&peer->parser, HTTP_REQUEST);
        peer->parser.data = peer;
        m_peers.append(peer);
        socket->setParent(nullptr);
        connect(socket, &QTcpSocket::readyRead, this, [this, peer] { onReadyRead(peer); });
        // Queued: disconnectFromHost() in answer() can emit it at once, from inside the parser.
        connect(
            socket, &QTcpSocket::disconnected, this, [this, peer] { forget(peer); },
            Qt::QueuedConnection);
        if (socket->bytesAvailable() > 0)
            onReadyRead(peer);
    }
}

int Backend::cbMessageComplete(http_parser *p)
{
    auto *peer = static_cast<Peer *>(p->data);
    peer->backend->answer(peer);
    return 0;
}

void Backend::onReadyRead(Peer *peer)
{
    static const http_parser_settings settings = [] {
        http_parser_settings s;
        http_parser_settings_init(&s);
        s.on_message_complete = &Backend::cbMessageComplete;
        return s;
    }();
    const QByteArray bytes = peer->socket->readAll();
    if (peer->answered && m_scripted)
        return;
    http_parser_execute(&peer->parser, &settings, bytes.constData(), size_t(bytes.size()));
    if (HTTP_PARSER_ERRNO(&peer->parser) != HPE_OK && !peer->answered) {
        // The proxy must only ever send well-formed requests upstream.
        fprintf(stderr, "fuzz backend: the proxy sent a malformed request: %s\n%s\n",
                http_errno_description(HTTP_PARSER_ERRNO(&peer->parser)), bytes.constData());
        abort();
    }
}

void Backend::answer(Peer *peer)
{
    if (m_scripted) {
        if (peer->answered)
            return;
        peer->answered = true;
        peer->socket->write(m_script);
        peer->socket->disconnectFromHost(); // flushes, then closes: the response ends at EOF
        return;
    }
    static const QByteArray head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                                   "server: fuzz\r\ncontent-length: 17\r\n\r\n";
    peer->socket->write(head);
    if (peer->parser.method != HTTP_HEAD)
        peer->socket->write("{\"hello\":\"world\"}");
}

void Backend::forget(Peer *peer)
{
    if (!m_peers.removeOne(peer))
        return;
    peer->socket->disconnect(this);
    peer->socket->deleteLater();
    delete peer;
}

// ------------------------------------------------------------------------------ ProxyRig ---

ProxyRig::ProxyRig()
{
    if (!m_backend.start()) {
        fprintf(stderr, "fuzz rig: cannot listen on 127.0.0.1\n");
        abort();
    }
    const Yaml::ParseResult parsed = Yaml::parse(QByteArray(kRoutes), QStringLiteral("rig.yaml"));
    if (!parsed.diagnostics.empty()) {
        fprintf(stderr, "fuzz rig: route table does not parse\n");
        abort();
    }
    Routing::RouteEngine::Options options;
    options.defaultHost = QStringLiteral("greeter-service");
    m_engine = std::make_shared<const Routing::RouteEngine>(
        Model::Config::fromDocuments(parsed.documents), options);
    const Proxy::Endpoint endpoint =
        Proxy::Endpoint::make(QStringLiteral("127.0.0.1"), m_backend.port());
    for (const char *subset : {"v1", "v2"}) {
        Routing::Target t;
        t.host = QStringLiteral("greeter-service");
        t.subset = QString::fromLatin1(subset);
        m_bindings.add(t, endpoint);
    }
}

ProxyRig::~ProxyRig() = default;

// Reads what the proxy sent the client (so its writes never block); false when nothing came.
static bool drainClient(int fd, QByteArray *received)
{
    bool any = false;
    char buf[16384];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0)
            return any;
        any = true;
        if (received->size() < 1024 * 1024)
            received->append(buf, qsizetype(n));
    }
}

// The soonest of the worker's running timers that is due within kShortTimerMs, or -1.
static int nextShortTimerMs(Proxy::Worker *worker)
{
    int soonest = -1;
    const auto timers = worker->findChildren<QTimer *>();
    for (const QTimer *t : timers) {
        const int left = t->remainingTime();
        if (t->isActive() && left >= 0 && left <= kShortTimerMs && (soonest < 0 || left < soonest))
            soonest = left;
    }
    return soonest;
}

void ProxyRig::settle(Proxy::Worker *worker, int clientFd, QByteArray *received)
{
    QEventLoop loop;
    QElapsedTimer clock;
    clock.start();
    int quiet = 0, waits = 0;
    const auto busy = [worker] {
        if (!worker)
            return false;
        const Proxy::Counters &c = worker->counters();
        // Rejected heads are recorded too (without counting as requests), hence "<".
        return c.exchangesRecorded.load() < c.requests.load() || c.mirrorsInFlight.load() > 0;
    };
    while (clock.elapsed() < kLivelockMs) {
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        bool any = loop.processEvents(QEventLoop::AllEvents);
        if (clientFd >= 0 && drainClient(clientFd, received))
            any = true;
        if (any) {
            quiet = 0;
            continue;
        }
        if (++quiet < 3)
            continue;
        // Nothing is ready. A short timer of the proxy's (retry backoff, fault delay) is part
        // of the request's way through: wait for it. Long ones (idle, route and connect
        // timeouts: seconds) are not waited for, the client closing ends those.
        const int timerMs = worker ? nextShortTimerMs(worker) : -1;
        if (timerMs >= 0) {
            QTimer::singleShot(timerMs + 1, &loop, [] {});
            loop.processEvents(QEventLoop::WaitForMoreEvents);
            quiet = 0;
            continue;
        }
        // A request still in flight may wait on the kernel (a loopback connect completing) for
        // a moment; anything longer is the proxy waiting for the client (more body bytes),
        // which is a fine place to stop.
        if (!busy() || waits >= 3)
            return;
        ++waits;
        QTimer::singleShot(2, &loop, [] {});
        loop.processEvents(QEventLoop::WaitForMoreEvents);
        quiet = 0;
    }
    fprintf(stderr, "fuzz rig: the proxy kept busy for %d ms on one input (livelock)\n",
            kLivelockMs);
    abort();
}

QByteArray ProxyRig::run(const QByteArray &clientBytes)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) {
        perror("socketpair");
        abort();
    }
    Proxy::SharedState shared;
    // Small limits, so that inputs of a few KiB reach every bound and its answer.
    shared.settings.maxHeaderBytes = 2048;
    shared.settings.bodyPrefixBytes = 256;
    shared.settings.mirrorBodyBufferBytes = 1024;
    shared.settings.retryBufferBytes = 1024;
    shared.settings.maxInFlightMirrors = 4;
    shared.listenPort = kListenPort;
    shared.decider = std::make_shared<Proxy::EngineDecider<Routing::RouteEngine>>(m_engine);
    shared.bindings = std::make_shared<const Proxy::Bindings>(m_bindings);

    QByteArray received;
    auto worker = std::make_unique<Proxy::Worker>(&shared, 0);
    worker->addConnection(sv[1]); // the worker's socket owns sv[1] from here on

    qsizetype sent = 0;
    bool settled = false;
    while (sent < clientBytes.size()) {
        const ssize_t n =
            ::write(sv[0], clientBytes.constData() + sent, size_t(clientBytes.size() - sent));
        if (n > 0) {
            sent += n;
            settled = false;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            break; // the proxy closed the connection: the rest is never read
        if (settled)
            break; // the proxy stopped reading (backpressure or a pause): the rest waits
        // The socket buffer is full: let the proxy read, then try again.
        settle(worker.get(), sv[0], &received);
        settled = true;
    }
    settle(worker.get(), sv[0], &received);
    ::close(sv[0]); // the client goes away: whatever is in flight is aborted
    settle(worker.get(), -1, &received);
    worker->shutdown(QThread::currentThread());
    worker.reset();
    settle(nullptr, -1, &received);
    return received;
}

} // namespace FuzzRig
