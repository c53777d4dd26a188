#pragma once

#include "demo/arrivalschedule.h"
#include "demo/clientconnection.h"
#include "demo/latencyreservoir.h"
#include "demo/replay.h"
#include "demo/requestmix.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTimer>

#include <memory>
#include <random>

namespace Demo {

struct GeneratorConfig
{
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    quint16 port = 0;
    QByteArray host = "greeter-service"; // Host header
    double ratePerSecond = 50;
    double durationSeconds = 0; // 0 = until stop()
    RequestMix mix = RequestMix::defaultMix();
    int maxConnections = 64;
    int timeoutMs = 5000; // per request, connect included
    quint64 seed = 0;     // 0 = a fresh random seed per run
    int maxUserId = 1000; // "{id}" is drawn uniformly from 1..maxUserId
    bool addRequestId = true;
    int tickMs = 2; // how often due arrivals are sent
    // Replay instead of the mix when not empty: each request once, in order, then the run
    // ends (or earlier, at durationSeconds). Original pacing keeps the recording's gaps
    // (ratePerSecond is not used); otherwise they go out evenly at ratePerSecond.
    QList<ReplayRequest> replay;
    bool replayOriginalPacing = true;
};

// Every arrival ends up in exactly one bucket:
// arrivals == sent + skipped, sent == answered() + failed() + inFlight + abandoned.
struct GeneratorStats
{
    bool running = false;
    qint64 elapsedMs = 0;
    qint64 arrivals = 0;
    qint64 sent = 0;
    qint64 skipped = 0; // generator saturated: no idle connection and the pool at its cap
    qint64 inFlight = 0;
    qint64 abandoned = 0; // in flight when stop() was called
    qint64 answered2xx = 0;
    qint64 answered3xx = 0;
    qint64 answered4xx = 0;
    qint64 answered5xx = 0;
    qint64 answeredOther = 0;
    qint64 failedConnect = 0;
    qint64 failedTimeout = 0;
    qint64 failedReset = 0;
    qint64 retried = 0; // resent once after meeting a connection the server had closed
    int connections = 0;
    qint64 planned = 0;         // replay: requests to send in all; 0 for the mix
    QList<qint64> sentPerEntry; // by index in the mix (empty for a replay)
    LatencySummary latency;     // answered requests only, from write to complete answer

    qint64 answered() const
    {
        return answered2xx + answered3xx + answered4xx + answered5xx + answeredOther;
    }
    qint64 failed() const { return failedConnect + failedTimeout + failedReset; }
};

// Open-loop HTTP/1.1 load: Poisson arrivals at a fixed rate whatever the answers do, sent over a
// pool of keep-alive connections that grows up to a cap. A timer every few milliseconds sends
// the arrivals that are due; nothing blocks or spins.
class TrafficGenerator : public QObject
{
    Q_OBJECT
public:
    explicit TrafficGenerator(QObject *parent = nullptr);
    ~TrafficGenerator() override;

    // Why the configuration cannot run ("the rate must be above 0"), empty when it can. The
    // port is not checked: the Runtime fills it in.
    static QString checkConfig(const GeneratorConfig &config);
    // False (and nothing starts) when already running, the port is 0 or checkConfig() objects.
    bool start(const GeneratorConfig &config);
    // Ends the run now: requests in flight are counted as abandoned; finished() follows.
    void stop();

    bool isRunning() const { return m_running; }
    GeneratorStats stats() const;
    const GeneratorConfig &config() const { return m_config; }

signals:
    void progress(const Demo::GeneratorStats &stats); // at most every 100 ms
    void finished(const Demo::GeneratorStats &stats);

private:
    void tick();
    void arrive();
    double nextArrivalUs();
    bool dispatch(const ClientConnection::Request &request);
    void onDone(ClientConnection *connection, const ClientConnection::Request &request, int status,
                ClientConnection::Failure failure, qint64 latencyUs, bool retryable);
    void onClosed(ClientConnection *connection);
    void maybeFinish();
    void finish();
    void closeAll();

    GeneratorConfig m_config;
    bool m_running = false;
    bool m_scheduling = false; // false once the duration is over: only draining remains
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastProgressMs = 0;
    double m_nextArrivalUs = 0;
    std::unique_ptr<ArrivalSchedule> m_schedule;
    std::mt19937_64 m_rng; // mix and user ids, separate from the arrival times
    QList<ClientConnection *> m_pool;
    LatencyReservoir m_latency;
    GeneratorStats m_stats;
    quint64 m_sequence = 0;
    qsizetype m_replayIndex = 0; // next replay request to send
    QByteArray m_runTag;
};

} // namespace Demo

Q_DECLARE_METATYPE(Demo::GeneratorStats)
