#include "proxy/downstream.h"

#include "proxy/mirrorsender.h"
#include "proxy/socket.h"
#include "proxy/worker.h"

#include <QDateTime>
#include <QTimer>

#include <cstring>

namespace Proxy {

static constexpr qsizetype kReadChunk = 64 * 1024;
// Backpressure: stop reading one side while the other side has this much unsent.
static constexpr qint64 kHighWater = 1024 * 1024;
static constexpr qint64 kLowWater = 256 * 1024;

static const QByteArray kConnectFailureBody =
    QByteArrayLiteral("upstream connect error or disconnect/reset before headers. reset reason: "
                      "connection failure");
static const QByteArray kConnectionTerminationBody =
    QByteArrayLiteral("upstream connect error or disconnect/reset before headers. reset reason: "
                      "connection termination");
static const QByteArray kTimeoutBody = QByteArrayLiteral("upstream request timeout");
static const QByteArray kBadResponseBody =
    QByteArrayLiteral("upstream sent a malformed HTTP response (protocol error)");

DownstreamConnection::DownstreamConnection(Worker *worker, qintptr descriptor)
    : QObject(worker), m_worker(worker), m_socket(new Socket(this)), m_idleTimer(new QTimer(this)),
      m_auxTimer(new QTimer(this)), m_routeTimer(new QTimer(this)), m_perTryTimer(new QTimer(this)),
      m_headerTimer(new QTimer(this))
{
    if (!m_socket->adopt(descriptor)) {
        m_closing = true;
        return;
    }
    m_clientAddress = m_socket->peerAddress().toString().toLatin1();
    http_parser_init(&m_parser, HTTP_REQUEST);
    m_parser.data = this;
    m_in.reserve(kReadChunk);

    connect(m_socket, &Socket::readyRead, this, &DownstreamConnection::onReadyRead);
    connect(m_socket, &Socket::bytesWritten, this, &DownstreamConnection::onClientBytesWritten);
    connect(m_socket, &Socket::disconnected, this, &DownstreamConnection::onClientGone);

    for (QTimer *t : {m_idleTimer, m_auxTimer, m_routeTimer, m_perTryTimer, m_headerTimer})
        t->setSingleShot(true);
    // A fault delay is a promise about timing (coarse timers may fire 5 % early).
    m_auxTimer->setTimerType(Qt::PreciseTimer);
    connect(m_idleTimer, &QTimer::timeout, this, &DownstreamConnection::onIdleCheck);
    connect(m_auxTimer, &QTimer::timeout, this, &DownstreamConnection::onAuxTimer);
    connect(m_routeTimer, &QTimer::timeout, this, &DownstreamConnection::onRouteTimeout);
    connect(m_perTryTimer, &QTimer::timeout, this, &DownstreamConnection::onPerTryTimeout);
    connect(m_headerTimer, &QTimer::timeout, this, &DownstreamConnection::onHeadersTimeout);

    m_lastActivityUs = monotonicUs();
    if (m_worker->settings().idleTimeoutMs > 0)
        m_idleTimer->start(m_worker->settings().idleTimeoutMs);
}

DownstreamConnection::~DownstreamConnection()
{
    if (m_conn) {
        m_conn->discard();
        m_conn = nullptr;
    }
}

bool DownstreamConnection::isOpen() const
{
    return !m_closing;
}

void DownstreamConnection::evict()
{
    closeNow();
}

const http_parser_settings &DownstreamConnection::parserSettings()
{
    static const http_parser_settings settings = [] {
        http_parser_settings s;
        http_parser_settings_init(&s);
        s.on_message_begin = &DownstreamConnection::cbMessageBegin;
        s.on_url = &DownstreamConnection::cbUrl;
        s.on_header_field = &DownstreamConnection::cbHeaderField;
        s.on_header_value = &DownstreamConnection::cbHeaderValue;
        s.on_headers_complete = &DownstreamConnection::cbHeadersComplete;
        s.on_body = &DownstreamConnection::cbBody;
        s.on_message_complete = &DownstreamConnection::cbMessageComplete;
        return s;
    }();
    return settings;
}

// ---------------------------------------------------------------------------- client side ---

void DownstreamConnection::onReadyRead()
{
    m_lastActivityUs = monotonicUs();
    if (!m_inProcess)
        processInput();
}

void DownstreamConnection::scheduleProcessInput()
{
    if (m_processScheduled || m_closing)
        return;
    m_processScheduled = true;
    QMetaObject::invokeMethod(this, &DownstreamConnection::processInput, Qt::QueuedConnection);
}

bool DownstreamConnection::canConsume() const
{
    if (m_closing || m_pause != Pause::None)
        return false;
    if (!m_active)
        return true; // between requests: the next head (bounded by the header limit)
    if (m_local || m_discardBody)
        return true; // the body goes nowhere
    if (!m_conn)
        return false; // waiting for a retry: the body so far is in the replay log
    return m_conn->bytesToWrite() < kHighWater;
}

void DownstreamConnection::processInput()
{
    m_processScheduled = false;
    if (m_inProcess)
        return;
    m_inProcess = true;
    bool drained = false; // a short read took all there was: readiness tells when there is more
    while (!m_closing) {
        if (!canConsume()) {
            m_readBlocked = m_active && !m_bodyDone && m_pause == Pause::None;
            break;
        }
        if (m_inPos >= m_in.size()) {
            if (drained)
                break;
            m_in.resize(kReadChunk);
            const qint64 n = m_socket->read(m_in.data(), kReadChunk);
            m_in.resize(qMax<qint64>(0, n));
            m_inPos = 0;
            if (n <= 0)
                break; // nothing now; or the client closed: disconnected() follows
            drained = n < kReadChunk;
            Counters::bump(m_worker->counters().bytesIn, quint64(n));
            m_lastActivityUs = monotonicUs();
        }
        m_execStart = m_in.constData() + m_inPos;
        const size_t parsed =
            http_parser_execute(&m_parser, &parserSettings(), m_in.constData() + m_inPos,
                                size_t(m_in.size() - m_inPos));
        for (const char *c = m_execStart + parsed; c > m_execStart; --c) {
            if (c[-1] != ' ' && c[-1] != '\t') {
                m_prevNonBlank = c[-1];
                break;
            }
        }
        m_execStart = nullptr;
        m_inPos += qsizetype(parsed);
        if (m_closing)
            break;
        const http_errno err = HTTP_PARSER_ERRNO(&m_parser);
        if (err == HPE_PAUSED) {
            if (m_pause == Pause::MessageComplete)
                requestBodyComplete(); // may finish the request and unpause
            continue;
        }
        if (err != HPE_OK) {
            handleParseError(err);
            break;
        }
        noteBuffered();
    }
    m_inProcess = false;
}

void DownstreamConnection::onClientBytesWritten()
{
    m_lastActivityUs = monotonicUs();
    if (m_upstreamPaused && m_socket->bytesToWrite() < kLowWater) {
        m_upstreamPaused = false;
        if (m_conn)
            m_conn->setReadPaused(false);
    }
}

void DownstreamConnection::upstreamWritable()
{
    if (m_readBlocked && m_conn && m_conn->bytesToWrite() < kLowWater) {
        m_readBlocked = false;
        scheduleProcessInput();
    }
}

void DownstreamConnection::writeClient(const QByteArray &data)
{
    m_socket->write(data);
    Counters::bump(m_worker->counters().bytesOut, quint64(data.size()));
}

void DownstreamConnection::writeClient(const char *data, qsizetype len)
{
    m_socket->write(data, len);
    Counters::bump(m_worker->counters().bytesOut, quint64(len));
}

void DownstreamConnection::noteBuffered()
{
    qint64 held =
        m_socket->bytesToWrite() + (m_in.size() - m_inPos) + m_bodyLog.size() + m_mirrorBody.size();
    if (m_conn)
        held += m_conn->bytesToWrite();
    m_worker->counters().noteBuffered(quint64(held));
}

void DownstreamConnection::onIdleCheck()
{
    if (m_closed)
        return;
    const qint64 idleUs = qint64(m_worker->settings().idleTimeoutMs) * 1000;
    const qint64 quietUs = monotonicUs() - m_lastActivityUs;
    if (quietUs < idleUs) {
        m_idleTimer->start(int((idleUs - quietUs + 999) / 1000));
        return;
    }
    if (m_active && !m_respStarted && !m_closing) {
        // Nothing moved either way for the whole idle timeout: the client gets an answer, as
        // with Envoy's stream idle timeout, rather than a bare close. Upstream silent after a
        // complete request: 504, and the connection stays usable. Client silent mid-body: 408,
        // and the connection closes (the rest of the body will not be read).
        if (m_conn) {
            m_conn->discard();
            m_conn = nullptr;
        }
        m_auxTimer->stop();
        m_lastActivityUs = monotonicUs();
        m_idleTimer->start(m_worker->settings().idleTimeoutMs);
        if (m_bodyDone) {
            Counters::bump(m_worker->counters().upstreamTimeouts);
            answerFailure(504, QByteArrayLiteral("stream timeout"), QStringLiteral("idle timeout"));
            scheduleProcessInput();
        } else {
            m_closeAfter = true;
            answerFailure(408,
                          QByteArrayLiteral("request timeout: the request body stopped "
                                            "arriving"),
                          QStringLiteral("idle timeout"));
            closeGracefully();
        }
        return;
    }
    if (m_active)
        abortRequest(QStringLiteral("idle timeout"));
    closeNow(); // also ends a graceful close that a client never let flush
}

void DownstreamConnection::onHeadersTimeout()
{
    if (m_closing || m_active || !m_headPending)
        return; // the next head starts the timer again
    const qint64 timeoutUs = qint64(m_worker->settings().requestHeadersTimeoutMs) * 1000;
    const qint64 pendingUs = monotonicUs() - m_headStartUs;
    if (pendingUs < timeoutUs) {
        m_headerTimer->start(int((timeoutUs - pendingUs + 999) / 1000)); // a later head's
        return;
    }
    // Slowloris: the head is still incomplete, however steadily its bytes trickle in.
    const QByteArray body = "request timeout: the request headers were not complete within " +
                            QByteArray::number(m_worker->settings().requestHeadersTimeoutMs) +
                            " ms\n";
    Counters &counters = m_worker->counters();
    Counters::bump(counters.requests);
    Counters::bump(counters.badRequests);
    writeClient(localResponse(408, body, true));
    countStatus(408);
    recordRejected(408, body.trimmed());
    closeGracefully();
}

void DownstreamConnection::onClientGone()
{
    if (m_closed)
        return;
    if (m_active)
        abortRequest(QStringLiteral("client disconnected"));
    closeNow();
}

void DownstreamConnection::closeGracefully()
{
    if (m_closing)
        return;
    m_closing = true;
    // Flushes what is queued, then closes; onClientGone finishes the job.
    m_socket->disconnectFromHost();
    if (m_socket->state() == Socket::State::Unconnected)
        closeNow();
}

void DownstreamConnection::closeNow()
{
    if (m_closed)
        return;
    m_closed = true;
    m_closing = true;
    m_idleTimer->stop();
    m_auxTimer->stop();
    m_routeTimer->stop();
    m_perTryTimer->stop();
    m_headerTimer->stop();
    if (m_conn) {
        m_conn->discard();
        m_conn = nullptr;
    }
    disconnect(m_socket, nullptr, this, nullptr);
    m_socket->abort();
    m_worker->connectionClosed(this);
}

void DownstreamConnection::handleParseError(http_errno error)
{
    int status = 400;
    QByteArray body;
    if (m_rejectStatus) {
        status = m_rejectStatus;
        body = m_rejectBody;
    } else if (error == HPE_HEADER_OVERFLOW || m_headerTooLarge) {
        status = 431;
        body = QByteArrayLiteral("request header fields too large");
    } else if (error == HPE_INVALID_METHOD && !m_active &&
               m_in.mid(qMax<qsizetype>(0, m_inPos - 2)).startsWith("PRI")) {
        // "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n": HTTP/2 with prior knowledge. Say so plainly
        // (an HTTP/1.1 answer the person can read in a packet capture or curl -v) and close.
        status = 505;
        body = QByteArrayLiteral("HTTP/2 is not supported: mirrorscope's proxy speaks "
                                 "HTTP/1.1 only (the client sent the HTTP/2 connection preface)");
    } else {
        body = QByteArrayLiteral("bad request: ") + http_errno_description(error);
    }
    body += '\n';
    m_headPending = false;
    Counters::bump(m_worker->counters().badRequests);
    if (!m_active)
        Counters::bump(m_worker->counters().requests); // a refused request is still a request
    if (m_active) {
        // The body turned out to be malformed (a bad chunk size): the upstream must not see
        // the rest, and the mirrors never get an incomplete body.
        if (m_conn) {
            m_conn->discard();
            m_conn = nullptr;
        }
        dropPendingMirrors(QStringLiteral("request aborted"));
        Observe::Leg &leg = primaryLeg();
        if (!m_respStarted && !m_respDone) {
            writeClient(localResponse(status, body, true));
            countStatus(status);
            leg.outcome = Observe::Leg::Outcome::Failed;
            leg.error = QStringLiteral("bad request body");
            leg.status = status;
        } else if (!m_respDone) {
            leg.outcome = Observe::Leg::Outcome::Failed;
            leg.error = QStringLiteral("bad request body");
            leg.status = 0;
        }
        ExchangePtr exchange = std::move(m_exchange);
        resetRequest();
        m_worker->legDone(exchange);
        closeGracefully();
        return;
    }
    writeClient(localResponse(status, body, true));
    countStatus(status);
    recordRejected(status, body.trimmed());
    closeGracefully();
}

// A request refused before it was routed still gets a record, so the log and the exports show
// what the client sent and why it got a 400/431 (the counters alone can't say which request).
void DownstreamConnection::recordRejected(int status, const QByteArray &reason)
{
    auto pending = std::make_shared<PendingExchange>();
    Observe::Exchange &ex = pending->exchange;
    ex.id = m_worker->nextExchangeId();
    ex.start = QDateTime::currentDateTimeUtc();
    ex.startUs = monotonicUs();
    if (!m_url.isEmpty()) {
        // The request line was read: its method is the parser's, its target what came.
        ex.method = http_method_str(http_method(m_parser.method));
        ex.path = m_url.left(8192);
    }
    constexpr int kMaxKeptHeaders = 100; // a 431 can carry thousands
    for (const auto &h : std::as_const(m_headers)) {
        if (ex.requestHeaders.size() >= kMaxKeptHeaders)
            break;
        if (ex.authority.isEmpty() && h.first.compare("host", Qt::CaseInsensitive) == 0)
            ex.authority = h.second;
        ex.requestHeaders.append(h);
    }
    ex.primary.outcome = Observe::Leg::Outcome::Failed;
    ex.primary.status = status;
    ex.primary.error = QString::fromUtf8(reason);
    ex.primary.totalUs = 0;
    m_worker->legDone(pending);
}

// ------------------------------------------------------------------------ parser callbacks ---

int DownstreamConnection::cbMessageBegin(http_parser *p)
{
    auto *self = static_cast<DownstreamConnection *>(p->data);
    self->m_url.clear();
    self->m_headers.clear();
    self->m_lastWasValue = false;
    self->m_headerBytes = 0;
    self->m_headerTooLarge = false;
    self->m_rejectStatus = 0;
    // Lazy: the timer is not stopped when the head completes (a start and a stop per request
    // cost a timer registration each); when it fires it looks at the head pending then.
    self->m_headStartUs = self->m_lastActivityUs;
    self->m_headPending = true;
    if (const int ms = self->m_worker->settings().requestHeadersTimeoutMs;
        ms > 0 && !self->m_headerTimer->isActive())
        self->m_headerTimer->start(ms);
    return 0;
}

int DownstreamConnection::cbUrl(http_parser *p, const char *at, size_t len)
{
    auto *self = static_cast<DownstreamConnection *>(p->data);
    self->m_headerBytes += qint64(len);
    if (self->m_headerBytes > self->m_worker->settings().maxHeaderBytes) {
        self->m_headerTooLarge = true;
        return 1;
    }
    self->m_url.append(at, qsizetype(len));
    return 0;
}

int DownstreamConnection::cbHeaderField(http_parser *p, const char *at, size_t len)
{
    auto *self = static_cast<DownstreamConnection *>(p->data);
    self->m_headerBytes += qint64(len) + 4;
    if (self->m_headerBytes > self->m_worker->settings().maxHeaderBytes) {
        self->m_headerTooLarge = true;
        return 1;
    }
    if (self->m_lastWasValue || self->m_headers.isEmpty()) {
        const int maxCount = self->m_worker->settings().maxHeaderCount;
        if (maxCount > 0 && self->m_headers.size() >= maxCount) {
            self->reject(431, "request header fields too large: more than " +
                                  QByteArray::number(maxCount) + " headers");
            return 1;
        }
        if (self->m_headers.isEmpty())
            self->m_headers.reserve(16);
        appendHeaderName(self->m_headers, self->m_previousHeaders, at, qsizetype(len));
    } else {
        self->m_headers.last().first.append(at, qsizetype(len));
    }
    self->m_lastWasValue = false;
    return 0;
}

int DownstreamConnection::cbHeaderValue(http_parser *p, const char *at, size_t len)
{
    auto *self = static_cast<DownstreamConnection *>(p->data);
    self->m_headerBytes += qint64(len);
    if (self->m_headerBytes > self->m_worker->settings().maxHeaderBytes) {
        self->m_headerTooLarge = true;
        return 1;
    }
    if (self->m_headers.isEmpty())
        return 1;
    if (len > 0 && self->m_execStart) {
        // A value that starts right after a line break (and blanks) continues the previous
        // line: obs-fold. RFC 9112 §5.2 lets a server refuse it, and refusing is the only
        // safe choice for a proxy: parsers disagree on it (Transfer-Encoding smuggling).
        const char *c = at;
        while (c > self->m_execStart && (c[-1] == ' ' || c[-1] == '\t'))
            --c;
        const char before = c > self->m_execStart ? c[-1] : self->m_prevNonBlank;
        if (before == '\n') {
            self->reject(400, "bad request: obsolete line folding in header " +
                                  self->m_headers.last().first.left(64));
            return 1;
        }
    }
    appendHeaderValue(self->m_headers, self->m_previousHeaders, at, qsizetype(len));
    self->m_lastWasValue = true;
    return 0;
}

// A request can be answered and finished from inside a callback (a local answer to a client
// that sent its body without waiting for 100 Continue closes the connection): the bytes after
// the head in the same read belong to nobody then, so the parser stops there.
static int stopIfClosing(http_parser *p, bool closing)
{
    if (closing)
        http_parser_pause(p, 1);
    return 0;
}

int DownstreamConnection::cbHeadersComplete(http_parser *p)
{
    auto *self = static_cast<DownstreamConnection *>(p->data);
    if (const int rc = self->onHeadersComplete(); rc != 0)
        return rc;
    return stopIfClosing(p, self->m_closing);
}

int DownstreamConnection::cbBody(http_parser *p, const char *at, size_t len)
{
    auto *self = static_cast<DownstreamConnection *>(p->data);
    if (self->m_closing || !self->m_exchange)
        return stopIfClosing(p, self->m_closing); // a finished request's body goes nowhere
    self->onBody(at, qsizetype(len));
    return stopIfClosing(p, self->m_closing);
}

int DownstreamConnection::cbMessageComplete(http_parser *p)
{
    auto *self = static_cast<DownstreamConnection *>(p->data);
    if (self->m_closing)
        return stopIfClosing(p, true);
    self->onMessageComplete();
    return 0;
}

bool DownstreamConnection::reject(int status, const QByteArray &body)
{
    m_rejectStatus = status;
    m_rejectBody = body;
    return false;
}

// RFC 9110 §5.6.2 tchar. http-parser (non-strict build) lets a space through in field names,
// which proxies disagree about: refuse it rather than forward it.
static bool isToken(const QByteArray &name)
{
    if (name.isEmpty())
        return false;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') ||
                        (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != nullptr);
        if (!ok)
            return false;
    }
    return true;
}

// What the proxy writes into a head must not be able to start a new line or end one early:
// no CR, LF or NUL in values (no other control byte but HTAB either), names are tokens, and
// the request target and authority have no blanks. A route's header operations, rewrites and
// redirects come from configuration; this holds whatever they say.
static bool isFieldValue(const QByteArray &v)
{
    for (const char c : v) {
        const auto u = uchar(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f)
            return false;
    }
    return true;
}

static bool isTargetOrAuthority(const QByteArray &v)
{
    for (const char c : v) {
        const auto u = uchar(c);
        if (u <= 0x20 || u == 0x7f)
            return false;
    }
    return true;
}

static QByteArray invalidOutput(const Routing::RouteDecision &d)
{
    auto checkHeaders = [](const Headers &headers, const char *where) -> QByteArray {
        for (const Header &h : headers) {
            if (!isToken(h.first))
                return QByteArray(where) + " header name '" + h.first.toPercentEncoding() +
                       "' is not a valid token";
            // The value is not quoted: it may be a credential, and this text is recorded.
            if (!isFieldValue(h.second))
                return QByteArray(where) + " header " + h.first +
                       " has a value with a control character (CR, LF, NUL, ...)";
        }
        return {};
    };
    QByteArray problem = checkHeaders(d.requestHeaders, "request");
    if (problem.isEmpty())
        problem = checkHeaders(d.responseSet, "response");
    if (problem.isEmpty())
        problem = checkHeaders(d.responseAdd, "response");
    if (problem.isEmpty() && !d.method.isEmpty() && !isToken(d.method))
        problem = "method '" + d.method.toPercentEncoding() + "' is not a valid token";
    if (problem.isEmpty() && !isTargetOrAuthority(d.path))
        problem = "rewritten path '" + d.path.toPercentEncoding("/?&=") +
                  "' has a blank or control character";
    if (problem.isEmpty() && !isTargetOrAuthority(d.authority))
        problem = "rewritten authority '" + d.authority.toPercentEncoding(":") +
                  "' has a blank or control character";
    if (problem.isEmpty() && !isFieldValue(d.location))
        problem = "redirect location has a control character";
    for (const Routing::MirrorTarget &m : d.mirrors) {
        if (problem.isEmpty() && !isTargetOrAuthority(m.authority))
            problem = "mirror authority '" + m.authority.toPercentEncoding(":") +
                      "' has a blank or control character";
    }
    return problem;
}

static bool isOwnAuthority(const QByteArray &host, quint16 port, quint16 listenPort)
{
    if (port != listenPort)
        return false;
    return is(host, "127.0.0.1") || is(host, "localhost") || is(host, "::1");
}

int DownstreamConnection::onHeadersComplete()
{
    http_parser *p = &m_parser;
    const auto method = http_method(p->method);
    m_headPending = false;
    if (p->http_major != 1) {
        reject(505, "HTTP/" + QByteArray::number(p->http_major) + "." +
                        QByteArray::number(p->http_minor) +
                        " is not supported: mirrorscope's proxy speaks HTTP/1.1");
        return -1;
    }

    // Request smuggling guards (RFC 9112 §6.3): one unambiguous body length or a 400, always
    // before anything is forwarded.
    const QByteArray *host = nullptr;
    const QByteArray *contentLength = nullptr;
    const QByteArray *transferEncoding = nullptr;
    int hosts = 0, transferEncodings = 0;
    bool conflictingLengths = false;
    m_expectContinue = false;
    for (const Header &h : std::as_const(m_headers)) {
        const QByteArray &n = h.first;
        if (!isToken(n)) {
            reject(400, "bad request: invalid header name");
            return -1;
        }
        if (is(n, "host")) {
            host = &h.second;
            ++hosts;
        } else if (is(n, "content-length")) {
            if (contentLength && contentLength->trimmed() != h.second.trimmed())
                conflictingLengths = true;
            contentLength = &h.second;
        } else if (is(n, "transfer-encoding")) {
            transferEncoding = &h.second;
            ++transferEncodings;
        } else if (is(n, "expect")) {
            m_expectContinue = is(h.second.trimmed(), "100-continue");
        }
    }
    if (transferEncoding && contentLength) {
        reject(400, "bad request: both Content-Length and Transfer-Encoding");
        return -1;
    }
    if (transferEncodings > 1 ||
        (transferEncoding && !is(transferEncoding->trimmed(), "chunked"))) {
        reject(400, "bad request: only Transfer-Encoding: chunked is supported");
        return -1;
    }
    if (conflictingLengths) {
        reject(400, "bad request: conflicting Content-Length headers");
        return -1;
    }
    if (hosts > 1) {
        reject(400, "bad request: more than one Host header");
        return -1;
    }
    if (method == HTTP_CONNECT) {
        reject(405, "CONNECT is not supported: mirrorscope is a reverse proxy, not a forward "
                    "proxy");
        return -1;
    }
    QByteArray path = m_url;
    QByteArray authority = host ? *host : QByteArray();
    if (!m_url.startsWith('/') && !(m_url == "*" && method == HTTP_OPTIONS)) {
        // Absolute form: only for this proxy itself; anything else would make it an open
        // forward proxy.
        http_parser_url u;
        http_parser_url_init(&u);
        if (http_parser_parse_url(m_url.constData(), size_t(m_url.size()), 0, &u) != 0 ||
            !(u.field_set & (1 << UF_HOST))) {
            reject(400, "bad request: invalid request target");
            return -1;
        }
        const QByteArray urlHost = m_url.mid(u.field_data[UF_HOST].off, u.field_data[UF_HOST].len);
        const quint16 urlPort = (u.field_set & (1 << UF_PORT)) ? u.port : 80;
        if (!isOwnAuthority(urlHost, urlPort, m_worker->listenPort())) {
            reject(403, "absolute-form request for " + urlHost +
                            " refused: mirrorscope is not a forward proxy; send origin-form "
                            "requests with a Host header");
            return -1;
        }
        path = (u.field_set & (1 << UF_PATH)) ? m_url.mid(u.field_data[UF_PATH].off)
                                              : QByteArrayLiteral("/");
        const qsizetype fragment = path.indexOf('#');
        if (fragment >= 0)
            path.truncate(fragment);
        if (!path.startsWith('/'))
            path.prepend('/');
    }
    if (!host && !(p->http_major == 1 && p->http_minor == 0)) {
        reject(400, "bad request: HTTP/1.1 requires a Host header");
        return -1;
    }
    // Upgrades (h2c, websocket) are not proxied: the Upgrade header is dropped and the request
    // goes on as plain HTTP/1.1, as Envoy does without an upgrade config.
    p->upgrade = 0;

    m_active = true;
    m_http10 = p->http_major == 1 && p->http_minor == 0;
    m_keepAlive = http_should_keep_alive(p) != 0;
    m_headRequest = method == HTTP_HEAD;
    m_chunkedUp = (p->flags & F_CHUNKED) != 0;
    m_hasBody = m_chunkedUp || ((p->flags & F_CONTENTLENGTH) && p->content_length > 0);
    Counters &counters = m_worker->counters();
    Counters::bump(counters.requests);

    Routing::RequestView view;
    const char *methodName = http_method_str(method);
    view.method = QByteArray::fromRawData(methodName, qsizetype(strlen(methodName)));
    view.authority = authority;
    view.path = path;
    view.port = m_worker->listenPort();
    view.headers.reserve(m_headers.size() + 1);
    bool hasRequestId = false;
    for (const Header &h : std::as_const(m_headers)) {
        if (&h.second == host)
            continue;
        if (!hasRequestId && is(h.first, "x-request-id") && !h.second.isEmpty())
            hasRequestId = true;
        view.headers.append(h);
    }
    m_previousHeaders = m_headers; // shared, see appendHeaderName()
    m_headers.clear();
    if (!hasRequestId)
        view.headers.append({QByteArrayLiteral("x-request-id"), generateRequestId()});

    m_worker->refreshConfig();
    const Decider *decider = m_worker->decider();
    if (decider) {
        m_decision = decider->decide(view);
    } else {
        m_decision = Routing::RouteDecision();
        m_decision.action = Routing::RouteDecision::Action::NoRoute;
        m_decision.status = 404;
        m_decision.body = "no routing configuration is loaded";
    }

    m_exchange = std::make_shared<PendingExchange>();
    Observe::Exchange &ex = m_exchange->exchange;
    ex.id = m_worker->nextExchangeId();
    ex.requestId = *findHeader(view.headers, "x-request-id");
    ex.start = QDateTime::currentDateTimeUtc();
    ex.startUs = monotonicUs();
    ex.method = view.method;
    ex.authority = view.authority;
    ex.path = view.path;
    ex.requestHeaders = view.headers;
    ex.virtualService = m_decision.virtualService;
    ex.ruleIndex = m_decision.ruleIndex;
    ex.ruleName = m_decision.ruleName;
    ex.primary.destination = m_decision.destination;

    if (const QByteArray problem = invalidOutput(m_decision); !problem.isEmpty()) {
        // Never forwarded, never mirrored, and the response operations are not applied.
        m_decision.responseSet.clear();
        m_decision.responseAdd.clear();
        m_decision.responseRemove.clear();
        m_decision.mirrors.clear();
        answerFailure(500,
                      "the route produced a request that cannot be sent: " + problem +
                          ". Nothing was forwarded; fix the route's headers/rewrite.",
                      QStringLiteral("invalid route output: ") + QString::fromLatin1(problem));
        return 0;
    }

    using Action = Routing::RouteDecision::Action;
    switch (m_decision.action) {
    case Action::Forward:
        startForward(view);
        break;
    case Action::Redirect: {
        Headers extra{{QByteArrayLiteral("location"), m_decision.location}};
        answerLocal(m_decision.status ? m_decision.status : 301, QByteArray(), extra);
        break;
    }
    case Action::DirectResponse:
        answerLocal(m_decision.status ? m_decision.status : 200, m_decision.body, {});
        break;
    case Action::FaultAbort:
        if (m_decision.delayMs > 0) {
            m_local = true;
            m_auxKind = AuxTimer::FaultAbort;
            m_auxTimer->start(int(m_decision.delayMs));
        } else {
            answerLocal(m_decision.status ? m_decision.status : 503,
                        QByteArrayLiteral("fault filter abort"), {});
        }
        break;
    case Action::NoRoute:
        answerLocal(m_decision.status ? m_decision.status : 404, m_decision.body, {});
        break;
    }
    return 0;
}

void DownstreamConnection::startForward(const Routing::RequestView &view)
{
    const Routing::RouteDecision &d = m_decision;
    const QByteArray &method = d.method.isEmpty() ? view.method : d.method;
    const QByteArray &path = d.path.isEmpty() ? view.path : d.path;
    const QByteArray &authority = d.authority.isEmpty() ? view.authority : d.authority;

    m_requestLine.clear();
    m_requestLine.reserve(method.size() + path.size() + 12);
    m_requestLine += method;
    m_requestLine += ' ';
    m_requestLine += path;
    m_requestLine += " HTTP/1.1\r\n";

    // The final head the engine decided, minus hop-by-hop headers, plus the proxy's own.
    const QByteArray *connection = findHeader(view.headers, "connection");
    m_commonHeaders.clear();
    m_commonHeaders.reserve(512);
    bool hasForwardedFor = false, hasForwardedProto = false, hasRequestId = false;
    for (const Header &h : d.requestHeaders) {
        const QByteArray &n = h.first;
        if (isHopByHopOrFraming(n) || is(n, "host"))
            continue;
        if (connection && listedInConnection(*connection, n))
            continue;
        m_commonHeaders += n;
        m_commonHeaders += ": ";
        if (is(n, "x-forwarded-for")) {
            hasForwardedFor = true;
            m_commonHeaders += h.second;
            m_commonHeaders += ", ";
            m_commonHeaders += m_clientAddress;
        } else {
            hasForwardedProto = hasForwardedProto || is(n, "x-forwarded-proto");
            hasRequestId = hasRequestId || is(n, "x-request-id");
            m_commonHeaders += h.second;
        }
        m_commonHeaders += "\r\n";
    }
    if (!hasForwardedFor)
        m_commonHeaders += "x-forwarded-for: " + m_clientAddress + "\r\n";
    if (!hasForwardedProto)
        m_commonHeaders += "x-forwarded-proto: http\r\n";
    if (!hasRequestId)
        m_commonHeaders += "x-request-id: " + m_exchange->exchange.requestId + "\r\n";

    m_upstreamHead.clear();
    m_upstreamHead.reserve(m_requestLine.size() + m_commonHeaders.size() + authority.size() + 64);
    m_upstreamHead += m_requestLine;
    m_upstreamHead += "host: ";
    m_upstreamHead += authority;
    m_upstreamHead += "\r\n";
    m_upstreamHead += m_commonHeaders;
    if (m_chunkedUp) {
        m_upstreamHead += "transfer-encoding: chunked\r\n";
    } else if (m_parser.flags & F_CONTENTLENGTH) {
        m_upstreamHead += "content-length: ";
        m_upstreamHead += QByteArray::number(qulonglong(m_parser.content_length));
        m_upstreamHead += "\r\n";
    }
    m_upstreamHead += "\r\n";

    planMirrors(view);

    const Binding *binding = m_worker->bindings().find(d.destination);
    if (!binding) {
        Counters::bump(m_worker->counters().unboundRequests);
        answerFailure(503, Bindings::missingBindingMessage(d.destination),
                      QStringLiteral("unbound destination"));
        return;
    }
    m_endpoint = binding->endpoint;
    primaryLeg().endpoint = m_endpoint.text;
    if (d.delayMs > 0) {
        // Fault delay: nothing is read or sent until it has passed.
        m_auxKind = AuxTimer::Delay;
        m_pause = Pause::Delay;
        http_parser_pause(&m_parser, 1);
        m_auxTimer->start(int(d.delayMs));
        return;
    }
    startAttempt();
}

void DownstreamConnection::planMirrors(const Routing::RequestView &view)
{
    m_mirrorPlans.clear();
    if (m_decision.mirrors.isEmpty())
        return;
    Counters &counters = m_worker->counters();
    const bool readOnly = m_worker->settings().readOnlyMirroring;
    const bool safeMethod =
        is(view.method, "GET") || is(view.method, "HEAD") || is(view.method, "OPTIONS");
    Observe::Exchange &ex = m_exchange->exchange;
    ex.mirrors.reserve(m_decision.mirrors.size());
    Counters::bump(counters.mirrors, quint64(m_decision.mirrors.size()));
    for (const Routing::MirrorTarget &m : std::as_const(m_decision.mirrors)) {
        Observe::Leg leg;
        leg.destination = m.target;
        const Binding *binding = nullptr;
        if (!m.sampled) {
            leg.outcome = Observe::Leg::Outcome::SampledOut;
            Counters::bump(counters.mirrorsSampledOut);
        } else if (readOnly && !safeMethod) {
            leg.outcome = Observe::Leg::Outcome::Dropped;
            leg.dropReason = QStringLiteral("read-only mirroring");
            Counters::bump(counters.mirrorsDroppedReadOnly);
        } else if (!(binding = m_worker->bindings().find(m.target))) {
            leg.outcome = Observe::Leg::Outcome::Dropped;
            leg.dropReason = QStringLiteral("unbound destination");
            Counters::bump(counters.mirrorsDroppedUnbound);
        } else {
            leg.endpoint = binding->endpoint.text;
            leg.outcome = Observe::Leg::Outcome::Dropped; // until the sender says otherwise
            m_mirrorPlans.append(
                {int(ex.mirrors.size()), binding->endpoint,
                 m.authority.isEmpty()
                     ? (m_decision.authority.isEmpty() ? view.authority : m_decision.authority)
                     : m.authority});
            ++m_exchange->pendingLegs;
        }
        ex.mirrors.append(leg);
    }
}

void DownstreamConnection::dropPendingMirrors(const QString &reason)
{
    if (m_mirrorPlans.isEmpty())
        return;
    Counters &counters = m_worker->counters();
    for (const MirrorPlan &plan : std::as_const(m_mirrorPlans)) {
        Observe::Leg &leg = m_exchange->exchange.mirrors[plan.legIndex];
        leg.outcome = Observe::Leg::Outcome::Dropped;
        leg.dropReason = reason;
        if (reason == QLatin1String("body over buffer limit"))
            Counters::bump(counters.mirrorsDroppedBodyLimit);
        else
            Counters::bump(counters.mirrorsDroppedClientGone);
        m_worker->legDone(m_exchange); // never the last leg: the primary is still running
    }
    m_mirrorPlans.clear();
    m_mirrorBody = QByteArray();
}

void DownstreamConnection::sendMirrors()
{
    if (m_mirrorPlans.isEmpty())
        return;
    MirrorSender *sender = m_worker->mirrorSender();
    const bool framed = m_hasBody || (m_parser.flags & F_CONTENTLENGTH);
    for (const MirrorPlan &plan : std::as_const(m_mirrorPlans)) {
        QByteArray head;
        head.reserve(m_requestLine.size() + m_commonHeaders.size() + plan.authority.size() + 80);
        head += m_requestLine;
        head += "host: ";
        head += plan.authority;
        head += "\r\n";
        head += m_commonHeaders;
        head += "x-envoy-internal: true\r\n";
        if (framed || !m_mirrorBody.isEmpty()) {
            head += "content-length: ";
            head += QByteArray::number(m_mirrorBody.size());
            head += "\r\n";
        }
        head += "\r\n";
        sender->send(m_exchange, plan.legIndex, plan.endpoint, head, m_mirrorBody, m_headRequest);
    }
    m_mirrorPlans.clear();
    m_mirrorBody = QByteArray();
}

void DownstreamConnection::startAttempt()
{
    ++m_attempts;
    Observe::Leg &leg = primaryLeg();
    leg.attempts = m_attempts;
    m_conn = m_worker->pool()->acquire(m_endpoint, &m_connReused);
    if (m_connReused && leg.connectUs < 0)
        leg.connectUs = sinceStart();
    m_conn->begin(this, m_headRequest);
    m_conn->write(m_upstreamHead);
    if (!m_bodyLog.isEmpty())
        m_conn->write(m_bodyLog); // a retry replays what the client sent so far
    if (m_attempts == 1 && m_expectContinue && m_hasBody && !m_bodyDone)
        writeClient(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
    if (m_decision.retries.perTryTimeoutMs > 0)
        m_perTryTimer->start(int(m_decision.retries.perTryTimeoutMs));
}

void DownstreamConnection::onBody(const char *data, qsizetype len)
{
    Observe::Exchange &ex = m_exchange->exchange;
    ex.requestBodySize += len;
    const qsizetype room = m_worker->settings().bodyPrefixBytes - ex.requestBodyPrefix.size();
    if (room > 0)
        ex.requestBodyPrefix.append(data, qMin(room, len));

    if (!m_mirrorPlans.isEmpty()) {
        if (m_mirrorBody.size() + len > m_worker->settings().mirrorBodyBufferBytes)
            dropPendingMirrors(QStringLiteral("body over buffer limit"));
        else
            m_mirrorBody.append(data, len);
    }
    if (m_local || m_discardBody)
        return;

    const char *out = data;
    qsizetype outLen = len;
    if (m_chunkedUp) {
        m_scratch.clear();
        appendChunk(m_scratch, data, len);
        out = m_scratch.constData();
        outLen = m_scratch.size();
    }
    if (m_replayable) {
        if (m_bodyLog.size() + outLen > m_worker->settings().retryBufferBytes) {
            m_replayable = false;
            m_bodyLog = QByteArray();
        } else {
            m_bodyLog.append(out, outLen);
        }
    }
    if (m_conn)
        m_conn->write(out, outLen); // copied: `out` points into reused buffers
}

void DownstreamConnection::onMessageComplete()
{
    if (m_chunkedUp && !m_local && !m_discardBody) {
        static const QByteArray last = QByteArrayLiteral("0\r\n\r\n");
        if (m_replayable)
            m_bodyLog += last;
        if (m_conn)
            m_conn->write(last);
    }
    // Handle completion after execute returns; the bytes after this message stay unparsed
    // until its response is done (in-order pipelining).
    m_pause = Pause::MessageComplete;
    http_parser_pause(&m_parser, 1);
}

void DownstreamConnection::requestBodyComplete()
{
    m_bodyDone = true;
    if (m_exchange)
        sendMirrors();
    if (m_decision.timeoutMs && *m_decision.timeoutMs > 0 && !m_respDone && !m_local)
        m_routeTimer->start(int(*m_decision.timeoutMs));
    maybeFinish();
}

void DownstreamConnection::maybeFinish()
{
    if (m_active && m_bodyDone && m_respDone)
        finishRequest();
}

void DownstreamConnection::finishRequest()
{
    if (m_conn) {
        m_worker->pool()->release(m_conn);
        m_conn = nullptr;
    }
    ExchangePtr exchange = std::move(m_exchange);
    const bool close = m_closeAfter || !m_keepAlive;
    resetRequest();
    if (exchange)
        m_worker->legDone(exchange);
    if (close) {
        closeGracefully();
        return;
    }
    m_pause = Pause::None;
    http_parser_pause(&m_parser, 0);
    // A pipelined request may be waiting in the buffer, or unread because reading paused;
    // otherwise the socket says when the next one comes.
    if (!m_inProcess && (m_inPos < m_in.size() || m_socket->readSuspended()))
        scheduleProcessInput();
}

void DownstreamConnection::abortRequest(const QString &error)
{
    if (!m_active)
        return;
    if (m_conn) {
        m_conn->discard();
        m_conn = nullptr;
    }
    if (m_exchange) {
        dropPendingMirrors(QStringLiteral("client disconnected"));
        Observe::Leg &leg = primaryLeg();
        if (!m_respDone) {
            leg.outcome = Observe::Leg::Outcome::Failed;
            leg.error = error;
            leg.status = 0;
            leg.totalUs = sinceStart();
            if (!m_respStarted)
                Counters::bump(m_worker->counters().responsesNone);
        }
    }
    ExchangePtr exchange = std::move(m_exchange);
    resetRequest();
    if (exchange)
        m_worker->legDone(exchange);
}

void DownstreamConnection::resetRequest()
{
    m_auxTimer->stop();
    m_routeTimer->stop();
    m_perTryTimer->stop();
    m_active = false;
    m_bodyDone = false;
    m_respDone = false;
    m_respStarted = false;
    m_local = false;
    m_discardBody = false;
    m_chunkedUp = false;
    m_hasBody = false;
    m_expectContinue = false;
    m_respChunkedDown = false;
    m_replayable = true;
    m_staleRetried = false;
    m_connReused = false;
    m_readBlocked = false;
    m_upstreamPaused = false;
    m_attempts = 0;
    m_auxKind = AuxTimer::None;
    m_decision = Routing::RouteDecision();
    m_bodyLog.clear();
    m_mirrorBody = QByteArray();
    m_mirrorPlans.clear();
    m_responseHash = Fnv1a();
}

Observe::Leg &DownstreamConnection::primaryLeg()
{
    return m_exchange->exchange.primary;
}

qint64 DownstreamConnection::sinceStart() const
{
    return monotonicUs() - m_exchange->exchange.startUs;
}

void DownstreamConnection::countStatus(int status)
{
    Counters &c = m_worker->counters();
    switch (status / 100) {
    case 1:
        Counters::bump(c.responses1xx);
        break;
    case 2:
        Counters::bump(c.responses2xx);
        break;
    case 3:
        Counters::bump(c.responses3xx);
        break;
    case 4:
        Counters::bump(c.responses4xx);
        break;
    default:
        Counters::bump(c.responses5xx);
        break;
    }
}

void DownstreamConnection::answerLocal(int status, const QByteArray &body, const Headers &extra)
{
    Headers headers = extra;
    for (const Header &h : std::as_const(m_decision.responseSet))
        setHeaderValue(headers, h.first, h.second);
    for (const Header &h : std::as_const(m_decision.responseAdd))
        headers.append(h);
    for (const QByteArray &name : std::as_const(m_decision.responseRemove))
        removeHeaders(headers, name);
    m_local = true;
    // A client waiting for 100-continue may never send the body: do not wait for it.
    if (m_expectContinue && m_hasBody && !m_bodyDone)
        m_closeAfter = true;
    writeClient(localResponse(status, body, m_closeAfter || !m_keepAlive, headers, m_headRequest));
    countStatus(status);
    Observe::Leg &leg = primaryLeg();
    leg.outcome = Observe::Leg::Outcome::Local;
    leg.status = status;
    leg.responseHeaders = headers;
    leg.bodySize = body.size();
    leg.bodyPrefix = body.left(m_worker->settings().bodyPrefixBytes);
    Fnv1a hash;
    hash.add(body.constData(), body.size());
    leg.bodyHash = hash.hash;
    leg.totalUs = sinceStart();
    m_respDone = true;
    m_respStarted = true;
    if (m_closeAfter && !m_bodyDone) {
        m_bodyDone = true; // the rest is not read: the connection closes after this answer
        dropPendingMirrors(QStringLiteral("client disconnected"));
    }
    maybeFinish();
}

void DownstreamConnection::answerFailure(int status, const QByteArray &body, const QString &error)
{
    m_discardBody = true;
    if (m_expectContinue && m_hasBody && !m_bodyDone)
        m_closeAfter = true;
    writeClient(localResponse(status, body, m_closeAfter || !m_keepAlive, {}, m_headRequest));
    countStatus(status);
    Observe::Leg &leg = primaryLeg();
    leg.outcome = Observe::Leg::Outcome::Failed;
    leg.error = error;
    leg.status = status;
    leg.totalUs = sinceStart();
    m_respDone = true;
    m_respStarted = true;
    m_routeTimer->stop();
    m_perTryTimer->stop();
    if (m_closeAfter && !m_bodyDone) {
        m_bodyDone = true;
        dropPendingMirrors(QStringLiteral("client disconnected"));
    }
    maybeFinish();
}

// ------------------------------------------------------------------------- retries, timers ---

bool DownstreamConnection::canRetry() const
{
    return m_replayable && !m_respStarted && m_attempts <= m_decision.retries.attempts;
}

bool DownstreamConnection::retryAllowedFor(const char *kind, int status) const
{
    const QStringList &on = m_decision.retries.retryOn;
    const QLatin1String k(kind);
    if (status > 0) {
        if (on.contains(QLatin1String("5xx")) && status >= 500)
            return true;
        if (on.contains(QLatin1String("gateway-error")) && status >= 502 && status <= 504)
            return true;
        return on.contains(QLatin1String("retriable-status-codes")) &&
               m_decision.retries.retriableStatusCodes.contains(status);
    }
    if (on.contains(k) || on.contains(QLatin1String("5xx")))
        return true;
    return k == QLatin1String("connect-failure") && on.contains(QLatin1String("gateway-error"));
}

void DownstreamConnection::scheduleRetry()
{
    Counters::bump(m_worker->counters().retries);
    m_perTryTimer->stop();
    const qint64 base = qMax<qint64>(1, m_decision.retries.backoffMs);
    const qint64 backoff = qMin(base * (qint64(1) << qMin(m_attempts - 1, 10)), base * 10);
    m_auxKind = AuxTimer::Retry;
    m_auxTimer->start(int(backoff));
}

void DownstreamConnection::onAuxTimer()
{
    const AuxTimer kind = m_auxKind;
    m_auxKind = AuxTimer::None;
    if (!m_active)
        return;
    switch (kind) {
    case AuxTimer::FaultAbort:
        answerLocal(m_decision.status ? m_decision.status : 503,
                    QByteArrayLiteral("fault filter abort"), {});
        scheduleProcessInput();
        break;
    case AuxTimer::Delay:
        m_pause = Pause::None;
        http_parser_pause(&m_parser, 0);
        startAttempt();
        scheduleProcessInput();
        break;
    case AuxTimer::Retry:
        startAttempt();
        scheduleProcessInput();
        break;
    case AuxTimer::None:
        break;
    }
}

void DownstreamConnection::onRouteTimeout()
{
    if (!m_active || m_respDone)
        return;
    Counters::bump(m_worker->counters().upstreamTimeouts);
    if (m_conn) {
        m_conn->discard();
        m_conn = nullptr;
    }
    m_auxTimer->stop();
    if (!m_respStarted) {
        answerFailure(504, kTimeoutBody, QStringLiteral("timeout"));
        return;
    }
    // Headers went out already: the only way to tell the client is to end the connection
    // before the body is complete (what was already forwarded is flushed first).
    abortRequest(QStringLiteral("timeout"));
    closeGracefully();
}

void DownstreamConnection::onPerTryTimeout()
{
    if (!m_active || m_respStarted || !m_conn)
        return;
    m_conn->discard();
    m_conn = nullptr;
    if (canRetry() && retryAllowedFor("reset", 0)) {
        scheduleRetry();
        return;
    }
    Counters::bump(m_worker->counters().upstreamTimeouts);
    answerFailure(504, kTimeoutBody, QStringLiteral("timeout"));
}

// ----------------------------------------------------------------------- upstream callbacks ---

void DownstreamConnection::upstreamConnected()
{
    Observe::Leg &leg = primaryLeg();
    if (leg.connectUs < 0)
        leg.connectUs = sinceStart();
}

void DownstreamConnection::upstreamHeaders(ResponseHead &head)
{
    m_perTryTimer->stop();
    Observe::Leg &leg = primaryLeg();
    leg.firstByteUs = sinceStart();
    if (m_attempts <= m_decision.retries.attempts && retryAllowedFor("", head.status) &&
        canRetry() && m_bodyDone) {
        m_conn->discard(); // stops the parse of this response
        m_conn = nullptr;
        scheduleRetry();
        return;
    }

    Headers &h = head.headers;
    for (const Header &op : std::as_const(m_decision.responseSet))
        setHeaderValue(h, op.first, op.second);
    for (const Header &op : std::as_const(m_decision.responseAdd))
        h.append(op);
    for (const QByteArray &name : std::as_const(m_decision.responseRemove))
        removeHeaders(h, name);

    QByteArray out;
    out.reserve(256 + h.size() * 48);
    out += "HTTP/1.1 ";
    out += QByteArray::number(head.status);
    out += ' ';
    out += head.reason.isEmpty() ? reasonPhrase(head.status) : head.reason;
    out += "\r\n";
    for (const Header &header : std::as_const(h)) {
        if (isHopByHopOrFraming(header.first))
            continue;
        out += header.first;
        out += ": ";
        out += header.second;
        out += "\r\n";
    }
    if (head.noBody) {
        if (head.contentLength >= 0) {
            out += "content-length: ";
            out += QByteArray::number(head.contentLength);
            out += "\r\n";
        }
    } else if (head.contentLength >= 0 && !head.chunked) {
        out += "content-length: ";
        out += QByteArray::number(head.contentLength);
        out += "\r\n";
    } else if (m_http10) {
        m_closeAfter = true; // the end of the body is the end of the connection
    } else {
        out += "transfer-encoding: chunked\r\n";
        m_respChunkedDown = true;
    }
    if (m_closeAfter || !m_keepAlive)
        out += "connection: close\r\n";
    else if (m_http10)
        out += "connection: keep-alive\r\n";
    out += "\r\n";
    writeClient(out);
    m_respStarted = true;
    countStatus(head.status);
    leg.status = head.status;
    leg.responseHeaders = std::move(h);
}

void DownstreamConnection::upstreamBody(const char *data, qsizetype len)
{
    Observe::Leg &leg = primaryLeg();
    m_responseHash.add(data, len);
    leg.bodySize += len;
    const qsizetype room = m_worker->settings().bodyPrefixBytes - leg.bodyPrefix.size();
    if (room > 0)
        leg.bodyPrefix.append(data, qMin(room, len));
    if (m_respChunkedDown) {
        m_scratch.clear();
        appendChunk(m_scratch, data, len);
        writeClient(m_scratch);
    } else {
        writeClient(data, len);
    }
    m_lastActivityUs = monotonicUs();
    if (!m_upstreamPaused && m_socket->bytesToWrite() > kHighWater) {
        m_upstreamPaused = true;
        m_conn->setReadPaused(true);
    }
    noteBuffered();
}

void DownstreamConnection::upstreamComplete()
{
    if (m_respChunkedDown)
        writeClient(QByteArrayLiteral("0\r\n\r\n"));
    m_routeTimer->stop();
    m_perTryTimer->stop();
    Observe::Leg &leg = primaryLeg();
    leg.outcome = Observe::Leg::Outcome::Completed;
    leg.bodyHash = m_responseHash.hash;
    leg.totalUs = sinceStart();
    m_respDone = true;
    if (m_bodyDone) {
        m_worker->pool()->release(m_conn);
    } else {
        // Answered before the request body ended: that connection is out of step; the rest of
        // the body is read and dropped so the client connection stays usable.
        m_conn->discard();
        m_discardBody = true;
    }
    m_conn = nullptr;
    maybeFinish();
}

void DownstreamConnection::upstreamFailed(UpstreamError error)
{
    const bool stale =
        m_connReused && !m_conn->receivedBytes() && error == UpstreamError::ResetBeforeHeaders;
    m_conn->discard();
    m_conn = nullptr;
    m_perTryTimer->stop();
    Counters &counters = m_worker->counters();
    if (!m_respStarted) {
        if (stale && !m_staleRetried && m_replayable) {
            // The pooled connection was closed by the upstream while idle: not a failure of
            // this request, so it is replayed at once and not counted as a retry.
            m_staleRetried = true;
            --m_attempts;
            startAttempt();
            scheduleProcessInput();
            return;
        }
        const char *kind = error == UpstreamError::ConnectFailure       ? "connect-failure"
                           : error == UpstreamError::ResetBeforeHeaders ? "reset"
                                                                        : nullptr;
        if (kind && canRetry() && retryAllowedFor(kind, 0)) {
            scheduleRetry();
            return;
        }
        switch (error) {
        case UpstreamError::ConnectFailure:
            Counters::bump(counters.upstreamConnectFailures);
            answerFailure(503, kConnectFailureBody, QStringLiteral("connect failure"));
            break;
        case UpstreamError::BadResponse:
            Counters::bump(counters.upstreamBadResponses);
            answerFailure(502, kBadResponseBody, QStringLiteral("bad response"));
            break;
        default:
            Counters::bump(counters.upstreamResets);
            answerFailure(503, kConnectionTerminationBody, QStringLiteral("reset"));
            break;
        }
        scheduleProcessInput();
        return;
    }
    // Mid-response: the status is out, so the client learns of it by the connection closing.
    if (error == UpstreamError::BadResponse)
        Counters::bump(counters.upstreamBadResponses);
    else
        Counters::bump(counters.upstreamResets);
    abortRequest(error == UpstreamError::BadResponse ? QStringLiteral("bad response")
                                                     : QStringLiteral("reset"));
    closeGracefully();
}

} // namespace Proxy
