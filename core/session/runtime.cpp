#include "runtime.h"

#include "base/threadpriority.h"
#include "demo/demobackends.h"
#include "model/resource.h"
#include "observe/hub.h"
#include "proxy/decider.h"
#include "proxy/recorder.h"
#include "proxy/server.h"
#include "routing/routeengine.h"

#include <QThread>

namespace Session {

Runtime::Runtime(QObject *parent)
    : QObject(parent), m_trafficThread(new QThread), m_generator(new Demo::TrafficGenerator)
{
    m_trafficThread->setObjectName(QStringLiteral("traffic-generator"));
    m_generator->moveToThread(m_trafficThread);
    connect(m_trafficThread, &QThread::finished, m_generator, &QObject::deleteLater);
    connect(m_generator, &Demo::TrafficGenerator::finished, this, &Runtime::trafficFinished,
            Qt::QueuedConnection);
    connect(m_generator, &Demo::TrafficGenerator::progress, this, &Runtime::trafficProgress,
            Qt::QueuedConnection);
    // The generator and the hub make and digest load; the proxy's workers and the window's
    // event loop come first when the CPU is short (see threadpriority.h).
    connect(
        m_trafficThread, &QThread::started, m_trafficThread,
        [] { Base::lowerCurrentThreadPriority(); }, Qt::DirectConnection);
    m_trafficThread->start();

    qRegisterMetaType<QList<Observe::Exchange>>();
    qRegisterMetaType<QList<QList<Observe::Comparison>>>();
    m_observeThread = new QThread;
    m_observeThread->setObjectName(QStringLiteral("observe"));
    m_hub = new Observe::Hub;
    m_hub->moveToThread(m_observeThread);
    connect(m_observeThread, &QThread::finished, m_hub, &QObject::deleteLater);
    connect(m_hub, &Observe::Hub::compared, this, &Runtime::observed, Qt::QueuedConnection);
    connect(
        m_observeThread, &QThread::started, m_observeThread,
        [] { Base::lowerCurrentThreadPriority(); }, Qt::DirectConnection);
    m_observeThread->start();
}

Runtime::~Runtime()
{
    stop();
    m_trafficThread->quit();
    m_trafficThread->wait();
    delete m_trafficThread;
    m_observeThread->quit();
    m_observeThread->wait();
    delete m_observeThread;
}

void Runtime::flushObservations()
{
    // Queued calls run in order: once this empty one ran, every earlier addBatch() has.
    QMetaObject::invokeMethod(
        m_hub, [] {}, Qt::BlockingQueuedConnection);
}

bool Runtime::start(const Model::Config &config, const Proxy::Bindings &bindings,
                    const Options &options)
{
    stop();
    m_options = options;
    m_observeDropped = 0;
    m_error.clear();
    QMetaObject::invokeMethod(m_hub, &Observe::Hub::reset, Qt::QueuedConnection);

    Proxy::Bindings effective = bindings;
    if (options.demoBackends) {
        m_demo = std::make_unique<Demo::DemoBackends>();
        if (!m_demo->start(options.v1, options.v2)) {
            m_error = tr("demo backends did not start: %1").arg(m_demo->errorString());
            m_demo.reset();
            return false;
        }
        // Bind the demo host's subsets unless the person bound them elsewhere.
        auto bindDemo = [&](const QString &subset, quint16 port) {
            Routing::Target t{options.demoHost, subset, 0};
            if (!effective.find(t) || effective.find(t)->target.subset != subset)
                effective.add(t, Proxy::Endpoint::make(QStringLiteral("127.0.0.1"), port));
        };
        bindDemo(QStringLiteral("v1"), m_demo->v1Port());
        bindDemo(QStringLiteral("v2"), m_demo->v2Port());
        // The greeters name their version in x-served-by and in the body ($.version, $.greeting:
        // handy with curl); those differences are by design, not regressions, so the demo starts
        // with them as visible noise rules and shows what v2 really changes ($.locale, 5xx).
        m_hub->withComparator([](Observe::Comparator &c) {
            Observe::NoiseRules rules = c.noiseRules();
            rules.addHeader(QStringLiteral("x-served-by"));
            rules.addJsonPath(QStringLiteral("$.version"));
            rules.addJsonPath(QStringLiteral("$.greeting")); // "Hello from greeter v2"
            c.setNoiseRules(rules);
        });
    }

    m_server = std::make_unique<Proxy::Server>(options.proxy);
    Routing::RouteEngine::Options engineOptions;
    engineOptions.target = options.target;
    engineOptions.defaultHost = options.defaultHost;
    m_engine = std::make_shared<const Routing::RouteEngine>(config, engineOptions);
    m_server->setDecider(std::make_shared<Proxy::EngineDecider<Routing::RouteEngine>>(m_engine));
    m_server->setBindings(effective);
    connect(m_server->recorder(), &Proxy::Recorder::exchangesReady, this, &Runtime::drain,
            Qt::QueuedConnection);
    if (!m_server->start()) {
        m_error = m_server->errorString();
        m_server.reset();
        if (m_demo) {
            m_demo->stop();
            m_demo.reset();
        }
        return false;
    }
    return true;
}

void Runtime::stop()
{
    stopTraffic();
    if (m_server) {
        m_server->stop();
        drain();
        m_server.reset();
    }
    if (m_demo) {
        m_demo->stop();
        m_demo.reset();
    }
}

bool Runtime::isRunning() const
{
    return m_server && m_server->isRunning();
}

void Runtime::updateConfig(const Model::Config &config)
{
    if (!m_server)
        return;
    Routing::RouteEngine::Options engineOptions;
    engineOptions.target = m_options.target;
    engineOptions.defaultHost = m_options.defaultHost;
    m_engine = std::make_shared<const Routing::RouteEngine>(config, engineOptions);
    m_server->setDecider(std::make_shared<Proxy::EngineDecider<Routing::RouteEngine>>(m_engine));
}

void Runtime::setBindings(const Proxy::Bindings &bindings)
{
    if (m_server)
        m_server->setBindings(bindings);
}

Proxy::Bindings Runtime::bindings() const
{
    return m_server ? m_server->bindings() : Proxy::Bindings();
}

QStringList Runtime::unboundTargets() const
{
    QStringList out;
    if (!m_engine || !m_server)
        return out;
    const Proxy::Bindings b = m_server->bindings();
    for (const Routing::Target &t : m_engine->targets()) {
        if (!b.find(t))
            out << Proxy::bindingKey(t);
    }
    out.removeDuplicates();
    return out;
}

bool Runtime::startTraffic(const Demo::GeneratorConfig &config)
{
    Demo::GeneratorConfig c = config;
    if (c.port == 0)
        c.port = port();
    bool ok = false;
    Demo::TrafficGenerator *g = m_generator;
    QMetaObject::invokeMethod(
        g, [g, c, &ok] { ok = g->start(c); }, Qt::BlockingQueuedConnection);
    return ok;
}

void Runtime::stopTraffic()
{
    Demo::TrafficGenerator *g = m_generator;
    QMetaObject::invokeMethod(
        g, [g] { g->stop(); }, Qt::BlockingQueuedConnection);
}

Demo::GeneratorStats Runtime::trafficStats() const
{
    Demo::GeneratorStats stats;
    Demo::TrafficGenerator *g = m_generator;
    QMetaObject::invokeMethod(
        g, [g, &stats] { stats = g->stats(); }, Qt::BlockingQueuedConnection);
    return stats;
}

quint16 Runtime::port() const
{
    return m_server ? m_server->port() : 0;
}

QString Runtime::listenText() const
{
    if (!m_server)
        return QString();
    return QStringLiteral("%1:%2").arg(m_server->address().toString()).arg(m_server->port());
}

Proxy::Stats Runtime::stats() const
{
    return m_server ? m_server->snapshot() : Proxy::Stats();
}

QStringList Runtime::engineWarnings() const
{
    return m_engine ? m_engine->warnings() : QStringList();
}

void Runtime::drain()
{
    if (!m_server)
        return;
    const QList<Observe::Exchange> batch = m_server->recorder()->drain();
    if (batch.isEmpty())
        return;
    Observe::Hub *hub = m_hub;
    if (m_observePending->load() + batch.size() > kMaxObservePending) {
        m_observeDropped += quint64(batch.size());
    } else {
        *m_observePending += batch.size();
        std::shared_ptr<std::atomic<qint64>> pending = m_observePending;
        QMetaObject::invokeMethod(
            hub,
            [hub, batch, pending] {
                hub->addBatch(batch);
                *pending -= batch.size();
            },
            Qt::QueuedConnection);
    }
    emit exchanges(batch);
}

} // namespace Session
