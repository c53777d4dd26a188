#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <http_parser.h>

class QTcpSocket;

namespace Demo {

// One keep-alive connection of the traffic generator: one request at a time (no pipelining),
// connects lazily on the first send, reports each outcome through done(). After a failure or
// a Connection: close answer it reports closed() and is not used again.
class ClientConnection : public QObject
{
    Q_OBJECT
public:
    enum class Failure { None, Connect, Timeout, Reset };

    struct Request
    {
        QByteArray bytes;
        bool head = false; // HEAD: the answer carries no body whatever its headers say
        int entry = -1;    // index in the request mix
        int attempt = 0;   // 1 when resent after a reused connection was found closed
    };

    ClientConnection(const QHostAddress &address, quint16 port, int timeoutMs,
                     QObject *parent = nullptr);
    ~ClientConnection() override;

    bool isIdle() const { return m_state == State::Idle; }
    bool isClosed() const { return m_state == State::Closed; }
    void send(const Request &request); // only when idle or new
    void close();                      // abandons any request in flight without reporting it

signals:
    // status is the HTTP status when failure == None. retryable: the request met a connection
    // the server had already closed after an earlier answer; nothing of it was processed.
    void done(Demo::ClientConnection *connection, const Demo::ClientConnection::Request &request,
              int status, Demo::ClientConnection::Failure failure, qint64 latencyUs,
              bool retryable);
    void closed(Demo::ClientConnection *connection);

private:
    enum class State { New, Connecting, Idle, Busy, Closed };

    static const http_parser_settings &parserSettings();
    static int onHeadersComplete(http_parser *parser);
    static int onMessageComplete(http_parser *parser);

    void onConnected();
    void onReadyRead();
    void onDisconnected();
    void fail(Failure failure);
    void finish(int status, Failure failure, bool keepAlive);

    QHostAddress m_address;
    quint16 m_port;
    QTcpSocket *m_socket = nullptr;
    QTimer m_timeout;
    QElapsedTimer m_clock;
    State m_state = State::New;
    Request m_request;
    http_parser m_parser;
    bool m_complete = false; // set by the parser callback, handled after execute returns
    bool m_keepAlive = true;
    bool m_gotBytes = false;
    int m_answered = 0; // answers on this connection so far
};

} // namespace Demo

Q_DECLARE_METATYPE(Demo::ClientConnection::Request)
Q_DECLARE_METATYPE(Demo::ClientConnection::Failure)
