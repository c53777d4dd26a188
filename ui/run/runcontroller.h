#pragma once

#include "model/resource.h"
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

    void updateConfig(const Model::Config &config);
    void setUserBindings(const Proxy::Bindings &bindings);
    Session::Runtime *runtime() { return &m_runtime; }
    QString statusText() const { return m_status; }

signals:
    void exchanges(const QList<Observe::Exchange> &batch);
    void runningChanged(bool running);
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
};

} // namespace Ui
