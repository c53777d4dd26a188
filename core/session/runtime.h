#pragma once

#include "base/diagnostic.h"
#include "base/istioversion.h"
#include "demo/greeterprofile.h"
#include "demo/trafficgenerator.h"
#include "observe/exchange.h"
#include "proxy/binding.h"
#include "proxy/settings.h"
#include "proxy/stats.h"

#include <QObject>
#include <QStringList>

#include <atomic>
#include <memory>

namespace Model {
struct Config;
}
namespace Routing {
class RouteEngine;
}
namespace Proxy {
class Server;
}
namespace Demo {
class DemoBackends;
}
namespace Observe {
class Hub;
struct Comparison;
} // namespace Observe
class QThread;

namespace Session {

// One running loop: the route engine built from the document, the proxy serving it, the
// built-in demo backends when asked, and the traffic generator. The CLI (`proxy`, `demo`) and
// the GUI's Start button drive the same object; it owns no widget.
class Runtime : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        Proxy::Settings proxy;
        Base::IstioVersion target = Base::IstioVersion::latest();
        QString defaultHost;       // route Host-less / unknown-Host requests here (demo: on)
        bool demoBackends = false; // start greeter v1/v2 and bind <host>:v1 / :v2 to them
        QString demoHost = QStringLiteral("greeter-service");
        Demo::GreeterProfile v1 = Demo::GreeterProfile::v1();
        Demo::GreeterProfile v2 = Demo::GreeterProfile::v2();
    };

    explicit Runtime(QObject *parent = nullptr);
    ~Runtime() override;

    // Starts (or restarts) with this configuration. False: errorString() says why; nothing runs.
    bool start(const Model::Config &config, const Proxy::Bindings &bindings,
               const Options &options);
    void stop();
    bool isRunning() const;
    QString errorString() const { return m_error; }

    // Live reconfiguration: a new engine for new requests; in-flight ones finish on the old.
    void updateConfig(const Model::Config &config);
    void setBindings(const Proxy::Bindings &bindings);
    Proxy::Bindings bindings() const;
    // Targets of the config that have no binding ("greeter-service:v2").
    QStringList unboundTargets() const;

    // The generator runs in its own thread (like the demo backends and the proxy's workers), so
    // thousands of requests per second never load the GUI's event loop.
    bool startTraffic(const Demo::GeneratorConfig &config); // port 0 = the proxy's port
    void stopTraffic();
    Demo::GeneratorStats trafficStats() const;

    quint16 port() const;
    QString listenText() const; // "127.0.0.1:8080"
    Proxy::Stats stats() const;
    Proxy::Server *server() const { return m_server.get(); }
    // Compares, aggregates and stores every exchange in its own thread ("observe"), so neither
    // the proxy's workers nor the GUI pay for body diffs. Its snapshot(), find(),
    // storedExchanges() and withComparator() may be called from any thread. It lives as long as
    // the Runtime; start() empties it.
    Observe::Hub *hub() const { return m_hub; }
    // Returns once the hub has taken every batch drained so far (call after stop() before
    // reading a final snapshot). Does not wait for the observed() signals queued to this thread.
    void flushObservations();
    // Exchanges not given to the hub because it was too far behind (kMaxObservePending queued):
    // counted, never queued without bound when the proxy outruns the comparison.
    quint64 observeDropped() const { return m_observeDropped.load(); }
    static constexpr qint64 kMaxObservePending = 20000;
    QStringList engineWarnings() const;

signals:
    // New exchanges from the proxy's recorder, as drained (before the hub compared them): the
    // CLI's streamed exports. Counts and aggregates are the hub's (hub()->snapshot()).
    void exchanges(const QList<Observe::Exchange> &batch);
    // The same exchanges after the hub compared them: comparisons[i] belongs to batch[i] (one
    // Comparison per mirror leg). Emitted in this object's thread, shortly after exchanges().
    void observed(const QList<Observe::Exchange> &batch,
                  const QList<QList<Observe::Comparison>> &comparisons);
    // The generator's run ended (its duration passed, or stopTraffic()). In this thread.
    void trafficFinished(const Demo::GeneratorStats &stats);
    // The generator's counters while it runs (at most every 100 ms). In this thread.
    void trafficProgress(const Demo::GeneratorStats &stats);

private:
    void drain();

    std::unique_ptr<Proxy::Server> m_server;
    std::shared_ptr<const Routing::RouteEngine> m_engine;
    std::unique_ptr<Demo::DemoBackends> m_demo;
    QThread *m_trafficThread = nullptr;
    Demo::TrafficGenerator *m_generator = nullptr; // lives in m_trafficThread
    QThread *m_observeThread = nullptr;
    Observe::Hub *m_hub = nullptr; // lives in m_observeThread
    std::shared_ptr<std::atomic<qint64>> m_observePending =
        std::make_shared<std::atomic<qint64>>(0);
    std::atomic<quint64> m_observeDropped{0};
    Options m_options;
    QString m_error;
};

} // namespace Session
