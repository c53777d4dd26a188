#pragma once

#include "demo/greeterprofile.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QMutex>
#include <QObject>
#include <QString>

#include <atomic>
#include <random>

class QTcpServer;

namespace Demo {

// The head of one request as a backend saw it: enough to show "v2 received it".
struct RequestHead
{
    QDateTime received; // UTC
    QByteArray method;
    QByteArray path;
    QByteArray host;
    QByteArray requestId; // x-request-id, empty when absent
};

struct BackendStats
{
    qint64 requests = 0;
    qint64 connectionsAccepted = 0;
    QHash<QByteArray, qint64> perPath; // path without query; beyond 256 paths: "(other)"
    QHash<QByteArray, qint64> perHost;
    QHash<QByteArray, qint64> perMethod;
    QMap<int, qint64> perStatus;
    QList<RequestHead> recent; // oldest first, at most recentLimit
};

// A greeter stand-in: HTTP/1.1 with keep-alive and pipelining on 127.0.0.1, answers delayed by
// per-request timers so the event loop never blocks. start()/stop() run in the thread the
// backend lives in (DemoBackends puts it in its own); the members marked thread-safe may be
// called from any thread.
class GreeterBackend : public QObject
{
    Q_OBJECT
public:
    explicit GreeterBackend(const GreeterProfile &profile = GreeterProfile::v1(),
                            QObject *parent = nullptr);
    ~GreeterBackend() override;

    bool start(quint16 port = 0); // binds 127.0.0.1:port (0 = any free port)
    void stop();                  // closes the listener and every connection

    // Thread-safe.
    bool isListening() const { return m_port.load() != 0; }
    quint16 port() const { return m_port.load(); }
    QString errorString() const;
    GreeterProfile profile() const;
    void setProfile(const GreeterProfile &profile);
    void setSeed(quint64 seed);
    void setRecentLimit(int limit);
    BackendStats snapshot() const;
    void resetStats();

signals:
    void requestReceived(const Demo::RequestHead &head);

private:
    friend class GreeterConnection;
    // Called by a connection for each complete request: counts it, decides the fault and the
    // delay, returns the encoded response.
    QByteArray serve(const GreeterRequest &request, bool keepAlive, bool headRequest, int *delayMs);
    void recordRejected(int status); // 400/413/431 answered by the connection itself
    void onNewConnection();

    QTcpServer *m_server = nullptr;
    std::atomic<quint16> m_port{0};

    mutable QMutex m_mutex; // guards everything below
    GreeterProfile m_profile;
    std::mt19937_64 m_rng;
    QString m_error;
    int m_recentLimit = 50;
    qint64 m_nextUserId = 1;
    BackendStats m_stats;
};

} // namespace Demo

Q_DECLARE_METATYPE(Demo::RequestHead)
