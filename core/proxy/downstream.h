#pragma once

#include "proxy/binding.h"
#include "proxy/http.h"
#include "proxy/pendingexchange.h"
#include "proxy/upstream.h"

#include <QObject>
#include <QVector>

#include <http_parser.h>

class QTimer;

namespace Proxy {

class Socket;
class Worker;

// One client connection (shaped like qBittorrent's Http::Connection): a reused input buffer, an
// explicit parse state, an idle timer and explicit 400/403/405/431 answers. Requests on the
// connection are handled one at a time, in order: pipelined bytes wait in the buffer (and in
// TCP) until the response before them is complete. Bodies stream in both directions with
// backpressure; only bounded copies are kept (the mirror body, the replay log, body prefixes).
class DownstreamConnection : public QObject, private UpstreamClient
{
    Q_OBJECT
public:
    DownstreamConnection(Worker *worker, qintptr descriptor);
    ~DownstreamConnection() override;
    bool isOpen() const;
    // No request in progress (between requests, or still reading a head): closing it loses
    // nothing that was promised. The connection limit closes such connections first.
    bool isIdle() const { return !m_active && !m_closing; }
    qint64 lastActivityUs() const { return m_lastActivityUs; }
    void evict(); // closes it now; the worker counts it

private:
    enum class Pause { None, MessageComplete, Delay };
    enum class AuxTimer { None, Delay, FaultAbort, Retry };
    struct MirrorPlan
    {
        int legIndex;
        Endpoint endpoint;
        QByteArray authority;
    };

    // client side
    void onReadyRead();
    void onClientBytesWritten();
    void onClientGone();
    void onIdleCheck();
    void onHeadersTimeout();
    void processInput();
    void scheduleProcessInput();
    bool canConsume() const;
    void handleParseError(http_errno error);
    void recordRejected(int status, const QByteArray &reason);
    void writeClient(const QByteArray &data);
    void writeClient(const char *data, qsizetype len);
    void closeGracefully();
    void closeNow();
    void noteBuffered();

    // request lifecycle
    int onHeadersComplete();
    void onBody(const char *data, qsizetype len);
    void onMessageComplete();
    bool reject(int status, const QByteArray &body);
    void startForward(const Routing::RequestView &view);
    void startAttempt();
    void planMirrors(const Routing::RequestView &view);
    void sendMirrors();
    void dropPendingMirrors(const QString &reason);
    void answerLocal(int status, const QByteArray &body, const Headers &extra);
    void answerFailure(int status, const QByteArray &body, const QString &error);
    void requestBodyComplete();
    void maybeFinish();
    void finishRequest();
    void abortRequest(const QString &error);
    void resetRequest();
    void countStatus(int status);
    bool retryAllowedFor(const char *kind, int status) const;
    bool canRetry() const;
    void scheduleRetry();
    void onAuxTimer();
    void onRouteTimeout();
    void onPerTryTimeout();
    Observe::Leg &primaryLeg();
    qint64 sinceStart() const;

    // UpstreamClient
    void upstreamConnected() override;
    void upstreamHeaders(ResponseHead &head) override;
    void upstreamBody(const char *data, qsizetype len) override;
    void upstreamComplete() override;
    void upstreamFailed(UpstreamError error) override;
    void upstreamWritable() override;

    static int cbMessageBegin(http_parser *p);
    static int cbUrl(http_parser *p, const char *at, size_t len);
    static int cbHeaderField(http_parser *p, const char *at, size_t len);
    static int cbHeaderValue(http_parser *p, const char *at, size_t len);
    static int cbHeadersComplete(http_parser *p);
    static int cbBody(http_parser *p, const char *at, size_t len);
    static int cbMessageComplete(http_parser *p);
    static const http_parser_settings &parserSettings();

    Worker *m_worker;
    Socket *m_socket;
    QTimer *m_idleTimer;
    QTimer *m_auxTimer;    // fault delay, retry backoff
    QTimer *m_routeTimer;  // the route's timeout
    QTimer *m_perTryTimer; // retries.perTryTimeout
    QTimer *m_headerTimer; // Settings::requestHeadersTimeoutMs, from a request's first byte
    qint64 m_headStartUs = 0;
    bool m_headPending = false; // a head has begun and is not complete
    QByteArray m_clientAddress;
    http_parser m_parser;
    QByteArray m_in; // reused read buffer
    qsizetype m_inPos = 0;
    // Obs-fold detection: where the bytes of the current http_parser_execute call start, and
    // the last non-blank byte before them.
    const char *m_execStart = nullptr;
    char m_prevNonBlank = '\n';
    qint64 m_lastActivityUs = 0;
    bool m_closing = false;
    bool m_closed = false; // reported to the worker
    bool m_processScheduled = false;
    bool m_inProcess = false;
    bool m_readBlocked = false;
    bool m_upstreamPaused = false;

    // the request being parsed
    Pause m_pause = Pause::None;
    QByteArray m_url;
    Headers m_headers;
    Headers m_previousHeaders; // the last request's, to share equal bytes with
    bool m_lastWasValue = false;
    qint64 m_headerBytes = 0;
    bool m_headerTooLarge = false;
    int m_rejectStatus = 0;
    QByteArray m_rejectBody;

    // the request being served
    bool m_active = false;
    bool m_bodyDone = false;
    bool m_respDone = false;
    bool m_respStarted = false;
    bool m_keepAlive = true;
    bool m_http10 = false;
    bool m_headRequest = false;
    bool m_local = false;
    bool m_discardBody = false;
    bool m_chunkedUp = false;
    bool m_hasBody = false;
    bool m_expectContinue = false;
    bool m_closeAfter = false;
    bool m_respChunkedDown = false;
    bool m_replayable = true;
    bool m_staleRetried = false;
    bool m_connReused = false;
    int m_attempts = 0;
    AuxTimer m_auxKind = AuxTimer::None;
    Routing::RouteDecision m_decision;
    Endpoint m_endpoint;
    UpstreamConnection *m_conn = nullptr;
    QByteArray m_requestLine;   // "GET /path HTTP/1.1\r\n"
    QByteArray m_commonHeaders; // every forwarded header but Host and framing
    QByteArray m_upstreamHead;  // what the primary gets before the body
    QByteArray m_bodyLog;       // the framed body sent so far, for retries (bounded)
    QByteArray m_mirrorBody;    // the raw body for mirrors (bounded)
    QByteArray m_scratch;
    QVector<MirrorPlan> m_mirrorPlans;
    ExchangePtr m_exchange;
    Fnv1a m_responseHash;
    qint64 m_statusSent = 0;
};

} // namespace Proxy
