#include "proxy/server.h"

#include "proxy/epolldispatcher.h"
#include "proxy/recorder.h"
#include "proxy/worker.h"

#include <QTcpServer>
#include <QThread>
#include <QTimer>

#include <sys/resource.h>
#include <unistd.h>

namespace Proxy {

class Listener : public QTcpServer
{
public:
    explicit Listener(Server *server) : QTcpServer(server), m_server(server)
    {
        // A burst of connects must not overflow the kernel's accept queue (Qt's default is 50):
        // dropped SYNs cost the client a 1 s retransmit before the limits below can even act.
        setListenBacklogSize(1024);
        // Qt stops accepting for good on EMFILE/ENFILE (SocketResourceError). A proxy must
        // come back once descriptors are free again.
        connect(this, &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError) {
            QTimer::singleShot(100, this, [this] {
                if (isListening())
                    resumeAccepting();
            });
        });
    }

protected:
    // The descriptor goes to a worker thread as it is: the socket object is created there, so
    // the worker owns it (no QTcpSocket ever crosses threads).
    void incomingConnection(qintptr descriptor) override { m_server->dispatch(descriptor); }

private:
    Server *m_server;
};

Server::Server(const Settings &settings, QObject *parent)
    : QObject(parent), m_shared(std::make_unique<SharedState>()),
      m_recorder(new Recorder(settings.recorderCapacity, this))
{
    m_shared->settings = settings;
    m_shared->recorder = m_recorder;
    m_shared->bindings = std::make_shared<const Bindings>();
}

Server::~Server()
{
    stop();
}

const Settings &Server::settings() const
{
    return m_shared->settings;
}

namespace {

// Raises the soft descriptor limit to the hard one (as Go's runtime does for every program):
// the 1024 default would cap the proxy at a few hundred clients. Returns the soft limit.
rlim_t raiseDescriptorLimit()
{
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
        return 1024;
    if (lim.rlim_cur < lim.rlim_max) {
        rlimit raised = lim;
        raised.rlim_cur = lim.rlim_max == RLIM_INFINITY ? rlim_t(1) << 20 : lim.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
            lim = raised;
    }
    return lim.rlim_cur;
}

// Each client connection may hold an upstream and a mirror socket too; some descriptors are
// the process's own (files, the GUI, the metrics port).
int defaultMaxConnections(rlim_t descriptors)
{
    const rlim_t usable = descriptors > 256 ? descriptors - 128 : descriptors / 2;
    return int(qBound<rlim_t>(16, usable / 3, 100000));
}

// Workers run on epoll (see epolldispatcher.h for the measurements behind it).
// MIRRORSCOPE_EVENT_DISPATCHER=qt keeps Qt's own, for comparison and as an escape hatch.
void installDispatcher(QThread *thread)
{
    if (qEnvironmentVariable("MIRRORSCOPE_EVENT_DISPATCHER") == QLatin1String("qt"))
        return;
    auto *dispatcher = new EpollDispatcher;
    if (dispatcher->isValid())
        thread->setEventDispatcher(dispatcher); // the thread owns it from here
    else
        delete dispatcher;
}

} // namespace

bool Server::start()
{
    if (isRunning())
        return true;
    const Settings &s = m_shared->settings;
    if (!s.listenAddress.isLoopback() && !s.allowRemote) {
        m_error = QStringLiteral("refusing to listen on %1: it is not a loopback address, and the "
                                 "proxy would forward anyone's requests to your local services. "
                                 "Use 127.0.0.1, or allow remote clients explicitly "
                                 "(allowRemote / --allow-remote).")
                      .arg(s.listenAddress.toString());
        return false;
    }
    m_listener = new Listener(this);
    if (!m_listener->listen(s.listenAddress, s.listenPort)) {
        m_error = QStringLiteral("cannot listen on %1:%2: %3")
                      .arg(s.listenAddress.toString())
                      .arg(s.listenPort)
                      .arg(m_listener->errorString());
        delete m_listener;
        m_listener = nullptr;
        return false;
    }
    m_shared->listenPort = m_listener->serverPort();
    const rlim_t descriptors = raiseDescriptorLimit();
    m_shared->maxConnections =
        s.maxConnections > 0 ? s.maxConnections : defaultMaxConnections(descriptors);
    const int n = s.workers > 0 ? s.workers : qMax(1, QThread::idealThreadCount());
    for (int i = 0; i < n; ++i) {
        auto *thread = new QThread;
        thread->setObjectName(QStringLiteral("proxy-worker-%1").arg(i));
        installDispatcher(thread);
        auto *worker = new Worker(m_shared.get(), i);
        worker->moveToThread(thread);
        thread->start();
        m_threads.append(thread);
        m_workers.append(worker);
    }
    m_error.clear();
    return true;
}

void Server::stop()
{
    if (m_listener) {
        m_listener->close();
        delete m_listener;
        m_listener = nullptr;
    }
    QThread *here = QThread::currentThread();
    for (int i = 0; i < m_workers.size(); ++i) {
        Worker *worker = m_workers.at(i);
        QThread *thread = m_threads.at(i);
        QMetaObject::invokeMethod(
            worker, [worker, here] { worker->shutdown(here); }, Qt::BlockingQueuedConnection);
        thread->quit();
        thread->wait();
        worker->counters().addTo(m_retired);
        delete worker;
        delete thread;
    }
    m_workers.clear();
    m_threads.clear();
}

bool Server::isRunning() const
{
    return m_listener && m_listener->isListening();
}

quint16 Server::port() const
{
    return m_listener ? m_listener->serverPort() : 0;
}

QHostAddress Server::address() const
{
    return m_listener ? m_listener->serverAddress() : QHostAddress();
}

void Server::dispatch(qintptr descriptor)
{
    if (m_workers.isEmpty()) {
        ::close(int(descriptor));
        return;
    }
    Worker *worker = m_workers.at(m_next);
    m_next = (m_next + 1) % int(m_workers.size());
    QMetaObject::invokeMethod(
        worker, [worker, descriptor] { worker->addConnection(descriptor); }, Qt::QueuedConnection);
}

void Server::setDecider(std::shared_ptr<const Decider> decider)
{
    std::lock_guard<std::mutex> lock(m_shared->configMutex);
    m_shared->decider = std::move(decider);
    m_shared->configGeneration.fetch_add(1, std::memory_order_acq_rel);
}

void Server::setBindings(const Bindings &bindings)
{
    std::lock_guard<std::mutex> lock(m_shared->configMutex);
    m_shared->bindings = std::make_shared<const Bindings>(bindings);
    m_shared->configGeneration.fetch_add(1, std::memory_order_acq_rel);
}

Bindings Server::bindings() const
{
    std::lock_guard<std::mutex> lock(m_shared->configMutex);
    return *m_shared->bindings;
}

Stats Server::snapshot() const
{
    Stats s = m_retired;
    for (const Worker *w : m_workers)
        w->counters().addTo(s);
    s.recorderDropped = m_recorder->dropped();
    s.recorderQueued = quint64(m_recorder->size());
    return s;
}

} // namespace Proxy
