#pragma once

#include "model/resource.h"
#include "observe/comparison.h"
#include "session/runtime.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace Ui {

// The GUI's side of Start/Stop: owns the Session::Runtime (proxy, demo backends, traffic
// generator), forwards its exchange batches, and turns the proxy's counters into the status
// line twice a second. Nothing here blocks: the proxy runs on its own worker threads.
class RunController : public QObject
{
    Q_OBJECT
public:
    struct Request
    {
        Model::Config config;
        Proxy::Bindings bindings;
        Session::Runtime::Options options;
        double trafficRate = 50; // generated requests per second; 0 = none
        QString trafficHost;     // Host header of generated requests
        // The rest of the traffic started with the proxy (mix, concurrency, duration); its rate
        // and host are trafficRate and trafficHost.
        Demo::GeneratorConfig traffic;
    };

    // The proxy's counters as the status line shows them, sampled twice a second.
    struct ProxySample
    {
        QString listen; // "127.0.0.1:8080"
        double requestsPerSecond = 0;
        Proxy::Stats stats;
    };

    explicit RunController(QObject *parent = nullptr);
    ~RunController() override;

    // False: errorString() says why and nothing runs. A taken listen port falls back to any
    // free port (notice() says so).
    bool start(const Request &request);
    void stop();
    bool isRunning() const { return m_runtime.isRunning(); }
    QString errorString() const { return m_error; }
    QString notice() const { return m_notice; }

    // Traffic on its own, while the proxy runs (the generator sends to the proxy's port).
    // False: trafficError() says why and nothing starts.
    bool startTraffic(const Demo::GeneratorConfig &config);
    void stopTraffic();
    bool isTrafficRunning() const { return m_trafficRuns > 0; }
    QString trafficError() const { return m_trafficError; }
    const ProxySample &lastSample() const { return m_sample; }

    void updateConfig(const Model::Config &config);
    void setUserBindings(const Proxy::Bindings &bindings);
    Session::Runtime *runtime() { return &m_runtime; }
    // The runtime's hub (lives as long as this controller; Start empties it): the dashboard's
    // snapshots, the log's detail lookups and noise rules, the exchange exports.
    Observe::Hub *hub() const { return m_runtime.hub(); }
    QString statusText() const { return m_status; }

signals:
    void exchanges(const QList<Observe::Exchange> &batch);
    // The runtime's observed(): the batch with the hub's comparisons (comparisons[i] for batch[i]).
    void observed(const QList<Observe::Exchange> &batch,
                  const QList<QList<Observe::Comparison>> &comparisons);
    void runningChanged(bool running);
    void startFailed(const QString &error);
    void sampled(const Ui::RunController::ProxySample &sample);
    void trafficStarted();
    void trafficProgress(const Demo::GeneratorStats &stats);
    // The last traffic run ended (duration over, all replayed, Stop, or the proxy stopped).
    void trafficFinished(const Demo::GeneratorStats &stats);
    void statusChanged(const QString &text);

private:
    void sample();

    Session::Runtime m_runtime;
    Proxy::Bindings m_demoBindings; // what the runtime bound for the demo, kept across edits
    QTimer m_sampler;
    QElapsedTimer m_clock;
    quint64 m_lastRequests = 0;
    qint64 m_lastMs = 0;
    QString m_error;
    QString m_notice;
    QString m_status;
    ProxySample m_sample;
    // Runs started and not yet reported finished: a stopped run's finished() may arrive after
    // the next run started, and must not mark that one as ended.
    int m_trafficRuns = 0;
    QString m_trafficError;
};

} // namespace Ui
