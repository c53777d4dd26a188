#pragma once

#include <QByteArray>
#include <QObject>
#include <QPair>
#include <QTimer>

#include <deque>

#include <http_parser.h>

class QTcpSocket;

namespace Demo {

class GreeterBackend;

// One client connection of a GreeterBackend: an explicit parse state (http_parser), answers kept
// in request order even when a later one is ready first (pipelining), an idle timer, and
// explicit 400/413/431 answers that close the connection.
class GreeterConnection : public QObject
{
    Q_OBJECT
public:
    GreeterConnection(QTcpSocket *socket, GreeterBackend *backend);
    ~GreeterConnection() override;

    static constexpr qint64 maxBodyBytes = 1024 * 1024;
    static constexpr int idleTimeoutMs = 60000;

private:
    struct Pending
    {
        QByteArray bytes;
        bool ready = false;
        bool close = false;
    };

    void onReadyRead();
    void reject(int status, const QByteArray &message);
    void markReady(quint64 sequence);
    void flush();
    void commitHeader();

    static const http_parser_settings &parserSettings();
    static int onMessageBegin(http_parser *parser);
    static int onUrl(http_parser *parser, const char *at, size_t length);
    static int onHeaderField(http_parser *parser, const char *at, size_t length);
    static int onHeaderValue(http_parser *parser, const char *at, size_t length);
    static int onHeadersComplete(http_parser *parser);
    static int onBody(http_parser *parser, const char *at, size_t length);
    static int onMessageComplete(http_parser *parser);

    QTcpSocket *m_socket;
    GreeterBackend *m_backend;
    QTimer m_idle;
    http_parser m_parser;
    bool m_stopReading = false; // after Connection: close, an error or an upgrade

    // The request being parsed.
    QByteArray m_url;
    QByteArray m_host;
    QByteArray m_requestId;
    QByteArray m_field;
    QByteArray m_value;
    bool m_inValue = false;
    QByteArray m_body;
    bool m_bodyTooLarge = false;

    std::deque<Pending> m_pending; // answers in request order
    quint64 m_firstSequence = 0;   // sequence number of m_pending.front()
};

} // namespace Demo
