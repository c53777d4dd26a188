#include "proxy/mirrorsender.h"

#include "proxy/upstream.h"
#include "proxy/worker.h"

#include <QTimer>

#include <atomic>

namespace Proxy {

namespace {
std::atomic<qint64> s_breakerClockOffsetMs{0};
}

class MirrorSender::Job final : public UpstreamClient
{
public:
    MirrorSender *sender = nullptr;
    ExchangePtr exchange;
    int legIndex = 0;
    Endpoint endpoint;
    QByteArray head;
    QByteArray body;
    bool headRequest = false;
    bool staleRetried = false;
    bool probe = false; // the one mirror a half-open circuit let through
    UpstreamConnection *connection = nullptr;
    qint64 deadlineUs = 0;
    std::list<Job *>::iterator position;
    Fnv1a hash;

    Observe::Leg &leg() { return exchange->exchange.mirrors[legIndex]; }
    qint64 sinceStart() const { return monotonicUs() - exchange->exchange.startUs; }

    void upstreamConnected() override
    {
        if (leg().connectUs < 0)
            leg().connectUs = sinceStart();
        sender->connectSucceeded(this);
    }
    void upstreamHeaders(ResponseHead &response) override
    {
        Observe::Leg &l = leg();
        l.firstByteUs = sinceStart();
        l.status = response.status;
        l.responseHeaders = response.headers;
    }
    void upstreamBody(const char *data, qsizetype len) override
    {
        Observe::Leg &l = leg();
        hash.add(data, len);
        l.bodySize += len;
        const qsizetype room = sender->m_worker->settings().bodyPrefixBytes - l.bodyPrefix.size();
        if (room > 0)
            l.bodyPrefix.append(data, qMin(room, len));
    }
    void upstreamComplete() override
    {
        Observe::Leg &l = leg();
        l.outcome = Observe::Leg::Outcome::Completed;
        l.bodyHash = hash.hash;
        l.totalUs = sinceStart();
        Counters::bump(sender->m_worker->counters().mirrorsCompleted);
        sender->m_pool->release(connection);
        connection = nullptr;
        sender->finish(this);
    }
    void upstreamFailed(UpstreamError error) override
    {
        const bool stale = !staleRetried && connection->wasReused() &&
                           !connection->receivedBytes() &&
                           error == UpstreamError::ResetBeforeHeaders;
        connection->discard();
        connection = nullptr;
        if (error == UpstreamError::ConnectFailure)
            sender->connectFailed(this);
        if (stale) {
            // A pooled connection the mirror closed while idle: try once on a fresh one.
            staleRetried = true;
            sender->start(this);
            return;
        }
        fail(error == UpstreamError::ConnectFailure ? QStringLiteral("connect failure")
             : error == UpstreamError::BadResponse  ? QStringLiteral("bad response")
                                                    : QStringLiteral("reset"));
    }
    void fail(const QString &error)
    {
        Observe::Leg &l = leg();
        l.outcome = Observe::Leg::Outcome::Failed;
        l.error = error;
        l.bodyHash = hash.hash;
        l.totalUs = sinceStart();
        Counters::bump(sender->m_worker->counters().mirrorsFailed);
        sender->finish(this);
    }
};

MirrorSender::MirrorSender(Worker *worker)
    : QObject(worker), m_worker(worker),
      // Keep as many idle mirror connections as mirrors may be in flight: a slow v2 holds
      // hundreds at once, and capping the idle ones lower turns every burst of answers into
      // as many closes and, a moment later, as many new connects (measured: 15 % of mirrors
      // reconnecting at 200 ms v2 latency with a cap of 64).
      m_pool(new UpstreamPool(qMax(worker->settings().maxIdleUpstreamPerEndpoint,
                                   worker->settings().maxInFlightMirrors),
                              worker->settings().upstreamConnectTimeoutMs, this)),
      m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &MirrorSender::onTimer);
}

MirrorSender::~MirrorSender()
{
    // Shutting down: the exchanges these belong to are not recorded.
    for (Job *job : m_jobs) {
        if (job->connection)
            job->connection->discard();
        delete job;
    }
    m_jobs.clear();
}

void MirrorSender::advanceBreakerClockForTesting(qint64 ms)
{
    s_breakerClockOffsetMs.fetch_add(ms, std::memory_order_relaxed);
}

qint64 MirrorSender::breakerNowMs()
{
    return monotonicUs() / 1000 + s_breakerClockOffsetMs.load(std::memory_order_relaxed);
}

bool MirrorSender::admit(const Endpoint &endpoint, bool *probe)
{
    *probe = false;
    if (m_breakers.isEmpty())
        return true;
    const auto it = m_breakers.find(endpoint.key);
    if (it == m_breakers.end() || !it->open)
        return true;
    if (it->probeInFlight || breakerNowMs() < it->reopenAtMs)
        return false;
    it->probeInFlight = true;
    *probe = true;
    return true;
}

void MirrorSender::connectSucceeded(Job *job)
{
    // The endpoint is reachable: whatever state it was in, it starts over closed.
    job->probe = false;
    if (!m_breakers.isEmpty())
        m_breakers.remove(job->endpoint.key);
}

void MirrorSender::connectFailed(Job *job)
{
    const bool wasProbe = job->probe;
    job->probe = false;
    Breaker &b = m_breakers[job->endpoint.key];
    if (b.open) {
        // Mirrors sent before the circuit opened may still fail; only the probe decides.
        if (!wasProbe)
            return;
        b.probeInFlight = false;
        b.cooldownMs = qMin(b.cooldownMs * 2, kMaxCooldownMs);
        b.reopenAtMs = breakerNowMs() + b.cooldownMs;
        return;
    }
    if (++b.consecutiveFailures >= kFailuresToOpen) {
        b.open = true;
        b.reopenAtMs = breakerNowMs() + b.cooldownMs;
    }
}

void MirrorSender::send(const ExchangePtr &exchange, int legIndex, const Endpoint &endpoint,
                        const QByteArray &head, const QByteArray &body, bool headRequest)
{
    Counters &counters = m_worker->counters();
    if (int(m_jobs.size()) >= m_worker->settings().maxInFlightMirrors) {
        Observe::Leg &leg = exchange->exchange.mirrors[legIndex];
        leg.outcome = Observe::Leg::Outcome::Dropped;
        leg.dropReason = QStringLiteral("in-flight limit");
        Counters::bump(counters.mirrorsDroppedInFlightLimit);
        m_worker->legDone(exchange);
        return;
    }
    bool probe = false;
    if (!admit(endpoint, &probe)) {
        Observe::Leg &leg = exchange->exchange.mirrors[legIndex];
        leg.outcome = Observe::Leg::Outcome::Dropped;
        leg.dropReason = QStringLiteral("endpoint down");
        Counters::bump(counters.mirrorsDroppedEndpointDown);
        m_worker->legDone(exchange);
        return;
    }
    auto *job = new Job;
    job->probe = probe;
    job->sender = this;
    job->exchange = exchange;
    job->legIndex = legIndex;
    job->endpoint = endpoint;
    job->head = head;
    job->body = body;
    job->headRequest = headRequest;
    job->deadlineUs = monotonicUs() + qint64(m_worker->settings().mirrorTimeoutMs) * 1000;
    job->position = m_jobs.insert(m_jobs.end(), job);
    Counters::bump(counters.mirrorsSent);
    counters.mirrorsInFlight.store(m_jobs.size(), std::memory_order_relaxed);
    start(job);
    if (!m_timer->isActive())
        armTimer();
}

void MirrorSender::start(Job *job)
{
    bool reused = false;
    job->connection = m_pool->acquire(job->endpoint, &reused);
    if (reused && job->leg().connectUs < 0)
        job->leg().connectUs = job->sinceStart();
    if (reused)
        connectSucceeded(job);
    job->connection->begin(job, job->headRequest);
    job->connection->write(job->head);
    if (!job->body.isEmpty())
        job->connection->write(job->body);
    if (!reused || job->staleRetried) {
        // Only a reused connection may need the bytes again (stale keep-alive); the socket now
        // holds its own copy, so in-flight mirrors do not pin their bodies twice.
        job->head = QByteArray();
        job->body = QByteArray();
    }
}

void MirrorSender::finish(Job *job)
{
    if (job->probe)
        connectFailed(job); // cannot happen today; a lost probe must not pin the circuit open
    m_jobs.erase(job->position);
    m_worker->counters().mirrorsInFlight.store(m_jobs.size(), std::memory_order_relaxed);
    ExchangePtr exchange = std::move(job->exchange);
    delete job;
    m_worker->legDone(exchange);
}

void MirrorSender::armTimer()
{
    if (m_jobs.empty())
        return;
    const qint64 waitUs = m_jobs.front()->deadlineUs - monotonicUs();
    m_timer->start(int(qMax<qint64>(0, (waitUs + 999) / 1000)));
}

void MirrorSender::onTimer()
{
    const qint64 now = monotonicUs();
    while (!m_jobs.empty() && m_jobs.front()->deadlineUs <= now) {
        Job *job = m_jobs.front();
        if (job->leg().connectUs < 0)
            connectFailed(job); // never connected: as good as a connect timeout
        if (job->connection) {
            job->connection->discard();
            job->connection = nullptr;
        }
        Counters::bump(m_worker->counters().mirrorsTimedOut);
        job->fail(QStringLiteral("timeout")); // erases it from m_jobs
    }
    armTimer();
}

} // namespace Proxy
