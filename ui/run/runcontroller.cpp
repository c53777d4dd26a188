#include "runcontroller.h"

#include "observe/hub.h"

#include <QCoreApplication>
#include <QLocale>
#include <QTcpServer>

namespace Ui {

RunController::RunController(QObject *parent) : QObject(parent)
{
    connect(&m_runtime, &Session::Runtime::exchanges, this, &RunController::exchanges);
    connect(&m_runtime, &Session::Runtime::observed, this, &RunController::observed);
    connect(&m_runtime, &Session::Runtime::trafficProgress, this, [this](const auto &stats) {
        if (m_trafficRuns > 0)
            emit trafficProgress(stats);
    });
    connect(&m_runtime, &Session::Runtime::trafficFinished, this, [this](const auto &stats) {
        if (m_trafficRuns > 0 && --m_trafficRuns == 0)
            emit trafficFinished(stats);
    });
    m_sampler.setObjectName(QStringLiteral("statusSampler")); // names it in profiles
    m_sampler.setInterval(500);
    connect(&m_sampler, &QTimer::timeout, this, &RunController::sample);
}

RunController::~RunController()
{
    stop();
}

bool RunController::start(const Request &request)
{
    stop();
    m_error.clear();
    m_notice.clear();
    Session::Runtime::Options options = request.options;
    // A person at a laptop asked for a port they may already use: take any free one instead of
    // refusing, and say so.
    if (options.proxy.listenPort != 0) {
        QTcpServer probe;
        if (!probe.listen(options.proxy.listenAddress, options.proxy.listenPort)) {
            m_notice =
                tr("port %1 is taken, so the proxy took a free one").arg(options.proxy.listenPort);
            options.proxy.listenPort = 0;
        }
    }
    if (!m_runtime.start(request.config, request.bindings, options)) {
        m_error = m_runtime.errorString();
        emit startFailed(m_error);
        return false;
    }
    // Remember the demo's own bindings so later edits to the person's bindings keep them.
    m_demoBindings = Proxy::Bindings();
    const Proxy::Bindings bound = m_runtime.bindings();
    for (const Proxy::Binding &b : bound.all())
        if (options.demoBackends && b.target.host == options.demoHost &&
            !request.bindings.find(b.target))
            m_demoBindings.add(b);
    m_clock.start();
    m_lastMs = 0;
    m_lastRequests = 0;
    m_sampler.start();
    sample();
    emit runningChanged(true);
    if (request.trafficRate > 0) {
        Demo::GeneratorConfig g = request.traffic;
        g.ratePerSecond = request.trafficRate;
        g.host = request.trafficHost.toUtf8();
        g.replay.clear(); // Start sends the mix; a replay is started on its own
        g.port = 0;       // the proxy's
        if (!startTraffic(g))
            m_notice = tr("the traffic generator did not start: %1").arg(m_trafficError);
    }
    return true;
}

bool RunController::startTraffic(const Demo::GeneratorConfig &config)
{
    m_trafficError.clear();
    if (!m_runtime.isRunning())
        m_trafficError = tr("the proxy is not running: press Start (F5) first");
    else
        m_trafficError = Demo::TrafficGenerator::checkConfig(config);
    if (m_trafficError.isEmpty() && isTrafficRunning())
        stopTraffic(); // one run at a time: the new one replaces it
    if (m_trafficError.isEmpty() && !m_runtime.startTraffic(config))
        m_trafficError = tr("the traffic generator did not start");
    if (!m_trafficError.isEmpty())
        return false;
    ++m_trafficRuns;
    emit trafficStarted();
    return true;
}

void RunController::stopTraffic()
{
    // Its finished() comes back queued and ends the run in the views.
    m_runtime.stopTraffic();
}

void RunController::stop()
{
    if (!m_runtime.isRunning())
        return;
    m_sampler.stop();
    m_runtime.stop(); // drains the recorder: the last batch is emitted before this returns
    // The hub compares in its own thread and hands batches back queued: wait for it and deliver
    // what is queued, so the log holds every exchange of the run once Stop returns.
    m_runtime.flushObservations();
    QCoreApplication::sendPostedEvents(&m_runtime, QEvent::MetaCall);
    // The hub's count, not one kept here: the GUI thread does not fold every exchange twice.
    const std::shared_ptr<const Observe::Snapshot> observed = m_runtime.hub()->snapshot();
    const QLocale l;
    m_status = tr("Stopped. %1 exchanges recorded.")
                   .arg(l.toString(observed ? observed->exchanges : quint64(0)));
    if (const quint64 dropped = m_runtime.observeDropped())
        m_status += tr(" %1 more were answered but not observed: the comparison fell behind.")
                        .arg(l.toString(dropped));
    emit statusChanged(m_status);
    emit runningChanged(false);
}

void RunController::updateConfig(const Model::Config &config)
{
    m_runtime.updateConfig(config);
}

void RunController::setUserBindings(const Proxy::Bindings &bindings)
{
    Proxy::Bindings all = m_demoBindings;
    for (const Proxy::Binding &b : bindings.all())
        all.add(b); // the person's binding wins over the demo's for the same destination
    m_runtime.setBindings(all);
}

void RunController::sample()
{
    const Proxy::Stats s = m_runtime.stats();
    const qint64 now = m_clock.elapsed();
    const double rps = now > m_lastMs
                           ? double(s.requests - m_lastRequests) * 1000.0 / double(now - m_lastMs)
                           : 0.0;
    m_lastRequests = s.requests;
    m_lastMs = now;
    m_sample.listen = m_runtime.listenText();
    m_sample.requestsPerSecond = rps;
    m_sample.stats = s;
    emit sampled(m_sample);
    const QLocale l;
    m_status =
        tr("Listening on <b>http://%1</b> &nbsp;·&nbsp; <b>%2</b> req/s &nbsp;·&nbsp; "
           "%3 connections open &nbsp;·&nbsp; %4 requests &nbsp;·&nbsp; mirrors "
           "<b>%5</b> sent, <b>%6</b> dropped")
            .arg(m_runtime.listenText(), l.toString(rps, 'f', 1), l.toString(s.connectionsOpen),
                 l.toString(s.requests), l.toString(s.mirrorsSent), l.toString(s.mirrorsDropped()));
    emit statusChanged(m_status);
}

} // namespace Ui
