#include "demo/demobackends.h"

#include "base/threadpriority.h"

#include "demo/greeterbackend.h"

#include <QThread>

namespace Demo {

DemoBackends::DemoBackends(QObject *parent) : QObject(parent) {}

DemoBackends::~DemoBackends()
{
    stop();
}

bool DemoBackends::start(const GreeterProfile &v1, const GreeterProfile &v2, quint16 v1Port,
                         quint16 v2Port)
{
    stop();
    m_error.clear();
    Started one = startOne(v1, v1Port, QStringLiteral("greeter-v1"));
    if (!one.backend)
        return false;
    Started two = startOne(v2, v2Port, QStringLiteral("greeter-v2"));
    if (!two.backend) {
        stopOne(one.backend, one.thread);
        return false;
    }
    m_v1 = one.backend;
    m_v1Thread = one.thread;
    m_v2 = two.backend;
    m_v2Thread = two.thread;
    return true;
}

void DemoBackends::stop()
{
    stopOne(m_v1, m_v1Thread);
    stopOne(m_v2, m_v2Thread);
}

quint16 DemoBackends::v1Port() const
{
    return m_v1 ? m_v1->port() : 0;
}

quint16 DemoBackends::v2Port() const
{
    return m_v2 ? m_v2->port() : 0;
}

DemoBackends::Started DemoBackends::startOne(const GreeterProfile &profile, quint16 port,
                                             const QString &name)
{
    Started started;
    started.thread = new QThread;
    started.thread->setObjectName(name);
    started.backend = new GreeterBackend(profile);
    started.backend->moveToThread(started.thread);
    // The stand-ins make load; the proxy and the window come first (see threadpriority.h).
    QObject::connect(
        started.thread, &QThread::started, started.thread,
        [] { Base::lowerCurrentThreadPriority(); }, Qt::DirectConnection);
    started.thread->start();
    bool ok = false;
    GreeterBackend *backend = started.backend;
    // Blocking so the port is known when start() returns; the listener is created in the
    // backend's own thread.
    QMetaObject::invokeMethod(
        backend, [backend, port, &ok] { ok = backend->start(port); }, Qt::BlockingQueuedConnection);
    if (!ok) {
        m_error = QStringLiteral("%1: cannot listen on 127.0.0.1:%2: %3")
                      .arg(name)
                      .arg(port)
                      .arg(backend->errorString());
        stopOne(started.backend, started.thread);
    }
    return started;
}

void DemoBackends::stopOne(GreeterBackend *&backend, QThread *&thread)
{
    if (!backend)
        return;
    GreeterBackend *b = backend;
    // Deleted in its own thread: its sockets and timers belong there.
    QMetaObject::invokeMethod(
        b,
        [b] {
            b->stop();
            b->moveToThread(nullptr);
        },
        Qt::BlockingQueuedConnection);
    thread->quit();
    thread->wait();
    delete b;
    delete thread;
    backend = nullptr;
    thread = nullptr;
}

} // namespace Demo
