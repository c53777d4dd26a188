#pragma once

#include "proxy/binding.h"
#include "proxy/pendingexchange.h"

#include <QHash>
#include <QObject>

#include <list>

class QTimer;

namespace Proxy {

class UpstreamPool;
class Worker;

// Fire-and-forget copies of requests (Envoy's shadow writer): one per sampled mirror, sent once
// the whole request body is buffered, on a keep-alive pool of its own, with its own timeout and
// a bound on how many are in flight. Nothing here can delay the client's response: the client's
// connection hands over a complete request and never hears back.
class MirrorSender : public QObject
{
    Q_OBJECT
public:
    explicit MirrorSender(Worker *worker);
    ~MirrorSender() override;

    // Sends the copy; the leg (exchange->mirrors[legIndex]) gets its outcome and the exchange is
    // told when it is done. Over the in-flight bound the leg is dropped and counted at once.
    void send(const ExchangePtr &exchange, int legIndex, const Endpoint &endpoint,
              const QByteArray &head, const QByteArray &body, bool headRequest);
    int inFlight() const { return int(m_jobs.size()); }

    // Circuit breaker per mirror endpoint: a dead mirror target would otherwise cost a socket,
    // a timer and a failed connect for every mirrored request (1.8x the proxy's CPU, measured).
    // After this many consecutive connect failures the endpoint's mirrors are dropped ("endpoint
    // down") for a cooldown; then one probe goes through: success closes the circuit, failure
    // reopens it with twice the cooldown, up to the maximum.
    static constexpr int kFailuresToOpen = 5;
    static constexpr qint64 kInitialCooldownMs = 250;
    static constexpr qint64 kMaxCooldownMs = 5000;
    // Tests only: moves the breaker's clock forward so cooldowns pass without sleeping.
    static void advanceBreakerClockForTesting(qint64 ms);

private:
    class Job;
    friend class Job;
    struct Breaker
    {
        int consecutiveFailures = 0;
        bool open = false;          // mirrors are dropped until reopenAtMs
        bool probeInFlight = false; // half-open: one mirror is finding out
        qint64 reopenAtMs = 0;
        qint64 cooldownMs = kInitialCooldownMs;
    };
    static qint64 breakerNowMs();
    // False when the endpoint's circuit is open (or its one probe is already out); *probe is set
    // when this mirror is that probe.
    bool admit(const Endpoint &endpoint, bool *probe);
    void connectSucceeded(Job *job);
    void connectFailed(Job *job); // refused or never connected in time
    void start(Job *job);
    void finish(Job *job);
    void armTimer();
    void onTimer();

    Worker *m_worker;
    UpstreamPool *m_pool;
    // Every mirror has the same timeout, so send order is deadline order: one timer suffices.
    std::list<Job *> m_jobs;
    QTimer *m_timer;
    // Only endpoints that have failed are here; a healthy mirror costs one failed lookup.
    QHash<QByteArray, Breaker> m_breakers;
};

} // namespace Proxy
