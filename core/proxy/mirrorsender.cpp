#include "proxy/mirrorsender.h"

#include "proxy/upstream.h"
#include "proxy/worker.h"

#include <QTimer>

namespace Proxy {

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
      m_pool(new UpstreamPool(worker->settings().maxIdleUpstreamPerEndpoint,
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
    auto *job = new Job;
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
