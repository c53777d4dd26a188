#pragma once

#include <QHostAddress>
#include <QObject>
#include <QString>

#include <memory>

class QTcpServer;
class QTcpSocket;

namespace Observe {

class Metrics;

// The admin endpoint Prometheus scrapes: GET /metrics answers Metrics::render() as
// `text/plain; version=0.0.4`, GET / a short page pointing there, other paths 404, other
// methods 405. HTTP/1.1 with keep-alive, one small request head at a time: a head over
// maxHeadBytes gets 431, a request with a body 400, a head not complete within
// idleTimeoutMs (or a connection idle that long) is closed, at most maxConnections at once.
// Listens on loopback only unless allowRemote: the metrics name the services under test.
// Lives in (and renders in) the thread it was created in.
class MetricsServer : public QObject
{
    Q_OBJECT
public:
    struct Limits
    {
        int maxHeadBytes = 8 * 1024;
        int idleTimeoutMs = 10000;
        int maxConnections = 32;
    };

    explicit MetricsServer(std::shared_ptr<const Metrics> metrics, QObject *parent = nullptr);
    ~MetricsServer() override;

    void setLimits(const Limits &limits); // for connections accepted from now on
    Limits limits() const { return m_limits; }

    // Port 0 picks a free port (port() says which). False with errorString() when the address
    // is not loopback and allowRemote is false, or when the port cannot be bound.
    bool listen(const QHostAddress &address, quint16 port = 0, bool allowRemote = false);
    void close();
    bool isListening() const;
    QHostAddress address() const;
    quint16 port() const;
    QString errorString() const { return m_error; }
    QString url() const; // "http://127.0.0.1:9464/metrics"

    // "9464", "127.0.0.1:9464", "localhost:9464", "[::1]:9464" (port 0 allowed): what
    // `--metrics` takes. False with *error naming the text when it is not one of these.
    static bool parseAddress(const QString &text, QHostAddress *address, quint16 *port,
                             QString *error = nullptr);

    quint64 scrapes() const { return m_scrapes; }

signals:
    // A /metrics answer was written (after the write was queued).
    void scraped();

private:
    struct Connection;
    void onNewConnection();
    void onReadyRead(Connection *c);
    // True when a complete request was answered and the connection stays open for the next.
    bool handleOne(Connection *c);
    void respond(Connection *c, int status, const QByteArray &reason, const QByteArray &type,
                 const QByteArray &body, bool head, bool close,
                 const QByteArray &extraHeaders = {});
    void drop(Connection *c);

    std::shared_ptr<const Metrics> m_metrics;
    QTcpServer *m_server;
    Limits m_limits;
    QString m_error;
    quint64 m_scrapes = 0;
    int m_connections = 0;
};

} // namespace Observe
