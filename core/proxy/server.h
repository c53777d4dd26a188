#pragma once

#include "proxy/binding.h"
#include "proxy/decider.h"
#include "proxy/settings.h"
#include "proxy/stats.h"

#include <QObject>
#include <QVector>

#include <memory>

class QThread;

namespace Proxy {

class Listener;
class Recorder;
class Worker;
struct SharedState;

// The embedded reverse proxy: a listener on loopback handing connections round-robin to N
// worker threads. start()/stop() belong to the owner's thread; while running, snapshot(),
// recorder() and setDecider()/setBindings() may be called from any thread.
class Server : public QObject
{
    Q_OBJECT
public:
    explicit Server(const Settings &settings = {}, QObject *parent = nullptr);
    ~Server() override;

    bool start(); // false: errorString() says why (port taken, non-loopback refused, ...)
    void stop();
    bool isRunning() const;
    QString errorString() const { return m_error; }
    quint16 port() const;
    QHostAddress address() const;
    const Settings &settings() const;

    // Live configuration: takes effect for the next request on every worker; requests in
    // flight finish on what they started with.
    void setDecider(std::shared_ptr<const Decider> decider);
    void setBindings(const Bindings &bindings);
    Bindings bindings() const;

    Recorder *recorder() const { return m_recorder; }
    Stats snapshot() const;

private:
    friend class Listener;
    void dispatch(qintptr descriptor);

    std::unique_ptr<SharedState> m_shared;
    Recorder *m_recorder;
    Listener *m_listener = nullptr;
    QVector<Worker *> m_workers;
    QVector<QThread *> m_threads;
    int m_next = 0;
    Stats m_retired; // counters of stopped workers
    QString m_error;
};

} // namespace Proxy
