#pragma once

#include "proxy/binding.h"
#include "proxy/pendingexchange.h"

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

private:
    class Job;
    friend class Job;
    void start(Job *job);
    void finish(Job *job);
    void armTimer();
    void onTimer();

    Worker *m_worker;
    UpstreamPool *m_pool;
    // Every mirror has the same timeout, so send order is deadline order: one timer suffices.
    std::list<Job *> m_jobs;
    QTimer *m_timer;
};

} // namespace Proxy
