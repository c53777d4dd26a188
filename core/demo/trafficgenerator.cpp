#include "demo/trafficgenerator.h"

#include <QCoreApplication>
#include <QUuid>

#include <algorithm>
#include <limits>
#include <utility>

namespace Demo {

namespace {
constexpr qint64 progressIntervalMs = 100;
}

// The timer is a child so that moveToThread() (the Runtime runs the generator in its own
// thread) takes it along.
TrafficGenerator::TrafficGenerator(QObject *parent) : QObject(parent), m_timer(this)
{
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &TrafficGenerator::tick);
}

TrafficGenerator::~TrafficGenerator()
{
    m_timer.stop();
    closeAll();
}

QString TrafficGenerator::checkConfig(const GeneratorConfig &config)
{
    const bool originalPacing = !config.replay.isEmpty() && config.replayOriginalPacing;
    if (!originalPacing && !(config.ratePerSecond > 0))
        return QCoreApplication::translate("Demo::TrafficGenerator", "the rate must be above 0");
    if (config.replay.isEmpty() && config.mix.isEmpty())
        return QCoreApplication::translate("Demo::TrafficGenerator",
                                           "the request mix has no entry with a weight above 0");
    if (config.durationSeconds < 0)
        return QCoreApplication::translate("Demo::TrafficGenerator",
                                           "the duration must not be negative");
    return QString();
}

bool TrafficGenerator::start(const GeneratorConfig &config)
{
    if (m_running || config.port == 0 || !checkConfig(config).isEmpty())
        return false;
    m_config = config;
    m_config.maxConnections = std::max(1, m_config.maxConnections);
    m_config.maxUserId = std::max(1, m_config.maxUserId);
    m_config.tickMs = std::clamp(m_config.tickMs, 1, 50);

    const quint64 seed = config.seed != 0 ? config.seed : std::random_device{}();
    m_schedule = std::make_unique<ArrivalSchedule>(std::max(m_config.ratePerSecond, 1e-6), seed);
    m_rng.seed(seed ^ 0x9e3779b97f4a7c15ULL);
    m_latency.clear();
    m_stats = GeneratorStats();
    m_stats.running = true;
    if (m_config.replay.isEmpty())
        m_stats.sentPerEntry = QList<qint64>(m_config.mix.entries().size(), 0);
    m_stats.planned = m_config.replay.size();
    m_sequence = 0;
    m_replayIndex = 0;
    // Request ids unique across runs yet cheap per request: one random tag plus a counter.
    m_runTag = QUuid::createUuid().toByteArray(QUuid::WithoutBraces).left(8);

    m_running = true;
    m_scheduling = true;
    m_lastProgressMs = 0;
    m_clock.start();
    m_nextArrivalUs = nextArrivalUs();
    m_timer.start(m_config.tickMs);
    return true;
}

void TrafficGenerator::stop()
{
    if (!m_running)
        return;
    m_stats.abandoned += m_stats.inFlight;
    m_stats.inFlight = 0;
    closeAll();
    finish();
}

GeneratorStats TrafficGenerator::stats() const
{
    GeneratorStats s = m_stats;
    s.running = m_running;
    s.connections = static_cast<int>(m_pool.size());
    if (m_running)
        s.elapsedMs = m_clock.elapsed();
    s.latency = m_latency.summary();
    return s;
}

void TrafficGenerator::tick()
{
    const double nowUs = static_cast<double>(m_clock.nsecsElapsed()) / 1000.0;
    const double endUs = m_config.durationSeconds > 0 ? m_config.durationSeconds * 1e6
                                                      : std::numeric_limits<double>::infinity();
    // Open loop: every arrival whose time has passed goes out now, however many that is.
    while (m_scheduling && m_nextArrivalUs <= nowUs && m_nextArrivalUs < endUs) {
        arrive();
        if (!m_running)
            return;
        m_nextArrivalUs = nextArrivalUs();
    }
    if (m_scheduling && (m_nextArrivalUs >= endUs || nowUs >= endUs))
        m_scheduling = false;

    const qint64 nowMs = m_clock.elapsed();
    if (nowMs - m_lastProgressMs >= progressIntervalMs) {
        m_lastProgressMs = nowMs;
        emit progress(stats());
    }
    maybeFinish();
}

double TrafficGenerator::nextArrivalUs()
{
    if (m_config.replay.isEmpty())
        return m_schedule->nextUs();
    if (m_replayIndex >= m_config.replay.size())
        return std::numeric_limits<double>::infinity(); // all sent: only draining remains
    if (m_config.replayOriginalPacing)
        return double(m_config.replay.at(m_replayIndex).offsetUs);
    return double(m_replayIndex) * 1e6 / m_config.ratePerSecond;
}

void TrafficGenerator::arrive()
{
    ++m_stats.arrivals;
    if (!m_config.replay.isEmpty()) {
        const ReplayRequest &replay = m_config.replay.at(m_replayIndex++);
        ClientConnection::Request request;
        request.bytes =
            renderReplay(replay, m_config.host,
                         m_config.addRequestId ? m_runTag + '-' + QByteArray::number(++m_sequence)
                                               : QByteArray());
        request.head = replay.request.method == "HEAD";
        if (!dispatch(request)) {
            ++m_stats.skipped;
            return;
        }
        ++m_stats.sent;
        return;
    }
    const QList<RequestTemplate> &entries = m_config.mix.entries();
    const int index = m_config.mix.pick(std::uniform_real_distribution<double>(0.0, 1.0)(m_rng));
    const int userId = std::uniform_int_distribution<int>(1, m_config.maxUserId)(m_rng);
    const QByteArray requestId =
        m_config.addRequestId ? m_runTag + '-' + QByteArray::number(++m_sequence) : QByteArray();

    ClientConnection::Request request;
    request.bytes = renderRequest(entries.at(index), m_config.host, userId, requestId);
    request.head = entries.at(index).method == "HEAD";
    request.entry = index;
    if (!dispatch(request)) {
        ++m_stats.skipped; // counted, never silently dropped
        return;
    }
    ++m_stats.sent;
    ++m_stats.sentPerEntry[index];
}

bool TrafficGenerator::dispatch(const ClientConnection::Request &request)
{
    ClientConnection *connection = nullptr;
    for (ClientConnection *candidate : std::as_const(m_pool)) {
        if (candidate->isIdle()) {
            connection = candidate;
            break;
        }
    }
    if (!connection) {
        if (m_pool.size() >= m_config.maxConnections)
            return false;
        connection =
            new ClientConnection(m_config.address, m_config.port, m_config.timeoutMs, this);
        connect(connection, &ClientConnection::done, this, &TrafficGenerator::onDone);
        connect(connection, &ClientConnection::closed, this, &TrafficGenerator::onClosed);
        m_pool.append(connection);
    }
    ++m_stats.inFlight;
    connection->send(request);
    return true;
}

void TrafficGenerator::onDone(ClientConnection *connection,
                              const ClientConnection::Request &request, int status,
                              ClientConnection::Failure failure, qint64 latencyUs, bool retryable)
{
    Q_UNUSED(connection);
    if (!m_running)
        return;
    --m_stats.inFlight;
    if (retryable && request.attempt == 0) {
        // Like any HTTP client, resend once when a pooled connection turns out to be closed:
        // the server never saw the request, so this is not a failure of the target.
        ClientConnection::Request again = request;
        again.attempt = 1;
        connection->disconnect(this);
        m_pool.removeOne(connection);
        connection->deleteLater();
        if (dispatch(again)) {
            ++m_stats.retried;
            return;
        }
    }
    switch (failure) {
    case ClientConnection::Failure::None:
        m_latency.add(latencyUs);
        if (status >= 200 && status < 300)
            ++m_stats.answered2xx;
        else if (status >= 300 && status < 400)
            ++m_stats.answered3xx;
        else if (status >= 400 && status < 500)
            ++m_stats.answered4xx;
        else if (status >= 500 && status < 600)
            ++m_stats.answered5xx;
        else
            ++m_stats.answeredOther;
        break;
    case ClientConnection::Failure::Connect:
        ++m_stats.failedConnect;
        break;
    case ClientConnection::Failure::Timeout:
        ++m_stats.failedTimeout;
        break;
    case ClientConnection::Failure::Reset:
        ++m_stats.failedReset;
        break;
    }
    maybeFinish();
}

void TrafficGenerator::onClosed(ClientConnection *connection)
{
    connection->disconnect(this);
    m_pool.removeOne(connection);
    connection->deleteLater(); // we may be inside one of its signals
}

void TrafficGenerator::maybeFinish()
{
    if (m_running && !m_scheduling && m_stats.inFlight == 0)
        finish();
}

void TrafficGenerator::finish()
{
    m_timer.stop();
    closeAll();
    m_stats.elapsedMs = m_clock.elapsed(); // frozen: the run is over
    m_running = false;
    m_stats.running = false;
    const GeneratorStats last = stats();
    emit finished(last);
}

void TrafficGenerator::closeAll()
{
    const QList<ClientConnection *> pool = m_pool;
    m_pool.clear();
    for (ClientConnection *connection : pool) {
        connection->disconnect(this);
        connection->close();
        connection->deleteLater();
    }
}

} // namespace Demo
