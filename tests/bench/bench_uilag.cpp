// GUI event-loop lag under load: the main window (offscreen) runs the greeter demo while
// RATE requests/s (default 5,000) go through its proxy for SECONDS (default 20), and a 10 ms
// timer measures how late it fires. Prints max / p99 / mean lag, the rate the proxy really
// served, the GUI thread's CPU, the process RSS at start and end, the costliest event handlers
// (in CPU ms, which a loaded machine does not inflate) and the slow ones next to each lag
// spike, then PASS or FAIL against 50 ms (issue 5: "the UI thread never blocks on the proxy").
// Not a ctest test: its verdict depends on the machine.
//
// The load comes from outside the window's process when wrk is installed: a paced wrk (a Lua
// script spacing requests to RATE, the demo generator's mix) against the proxy the window
// started. In process, the demo's generator shares the 2 cores of a small machine with the
// window, the proxy and the backends, and its threads run niced: on a loaded machine it fell
// far short of 5,000 req/s, which measured the generator, not the window. Without wrk (or with
// --in-process) the window's own generator is used, and the output says so.
//
//   bench_uilag [SECONDS] [RATE] [--in-process] [--grab FILE.png]
#include "mainwindow.h"
#include "proxy/server.h"
#include "run/runcontroller.h"
#include "run/runpage.h"
#include "run/trafficpanel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QPixmap>
#include <QProcess>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QWindow>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>
#include <vector>

namespace {

constexpr double kBudgetMs = 50.0;
constexpr int kTickMs = 10;
constexpr int kConnections = 512; // the in-process generator's
constexpr int kWrkConnections = 64;
constexpr double kSlowEventMs = 4.0;
constexpr double kSpikeMs = 25.0;

// Paces wrk to a rate (wrk alone sends as fast as it can): each request takes the next slot of
// a fixed schedule, and a connection waits for its slot. Behind schedule by more than 100 ms
// (the proxy could not keep up), the schedule restarts from now rather than bursting to catch
// up: open loop, like the demo generator. The mix is the generator's default (80 % GET /hello,
// 15 % GET /users/{id}, 5 % POST /users).
const char kPacer[] = R"LUA(
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *out);
]]
local now_ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, now_ts) -- CLOCK_MONOTONIC
  return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
end

local period_ms = 1
local next_ms = nil
wrk.headers["Host"] = "greeter-service"
wrk.headers["User-Agent"] = "mirrorscope-bench"

function init(args)
  period_ms = 1000 / tonumber(args[1])
end

function delay()
  local now = now_ms()
  if next_ms == nil or next_ms < now - 100 then
    next_ms = now
  end
  next_ms = next_ms + period_ms
  local wait = next_ms - now
  if wait < 1 then
    return 0
  end
  return math.floor(wait)
end

function request()
  local pick = math.random(100)
  local id = tostring(math.random(1000))
  if pick <= 80 then
    return wrk.format("GET", "/hello")
  elseif pick <= 95 then
    return wrk.format("GET", "/users/" .. id)
  end
  return wrk.format("POST", "/users", {["Content-Type"] = "application/json"},
                    '{"name":"user-' .. id .. '","plan":"demo"}')
end
)LUA";

QByteArray procStatus(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(int(qstrlen(field))).trimmed();
    return {};
}

double memoryMiB(const char *field)
{
    const QByteArray v = procStatus(field);
    return v.isEmpty() ? -1 : v.split(' ').value(0).toDouble() / 1024.0;
}

double threadCpuMs()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

// Where the GUI thread's time goes: CPU time (not wall time, so a loaded machine does not
// inflate it) of every top-level event delivery, by receiver class (and object name: the
// window's timers are named) and event type.
class TimingApp : public QApplication
{
public:
    using QApplication::QApplication;
    struct Cost
    {
        double totalMs = 0;
        double maxMs = 0;
        long count = 0;
    };
    std::map<std::string, Cost> costs;
    // Single deliveries of kSlowEventMs of CPU or more, with when they ended (ms since the
    // measurement began): what the lag spikes line up with.
    struct Slow
    {
        double atMs;
        double cpuMs;
        double wallMs;
        std::string key;
    };
    std::vector<Slow> slow;
    QElapsedTimer clock;
    bool measuring = false;

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!measuring || m_depth > 0 || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        // The key first: the receiver may delete itself while handling the event.
        std::string key = receiver->metaObject()->className();
        if (!receiver->objectName().isEmpty())
            key += " " + receiver->objectName().toStdString();
        key += " / event " + std::to_string(int(event->type()));
        ++m_depth;
        const double start = threadCpuMs();
        const qint64 wallStart = clock.nsecsElapsed();
        const bool result = QApplication::notify(receiver, event);
        const double spent = threadCpuMs() - start;
        const qint64 wallEnd = clock.nsecsElapsed();
        --m_depth;
        Cost &c = costs[key];
        c.totalMs += spent;
        c.maxMs = std::max(c.maxMs, spent);
        ++c.count;
        if (spent >= kSlowEventMs)
            slow.push_back({wallEnd / 1e6, spent, (wallEnd - wallStart) / 1e6, key});
        return result;
    }

private:
    int m_depth = 0;
};

// wrk, paced to the rate, against the proxy; stopped (by its pid, through QProcess) with the
// bench.
class ExternalLoad
{
public:
    bool start(const QString &listen, int rate, double seconds, QString *why)
    {
        const QString wrk = QStandardPaths::findExecutable(QStringLiteral("wrk"));
        if (wrk.isEmpty()) {
            *why = QStringLiteral("wrk is not installed");
            return false;
        }
        QFile script(m_dir.filePath(QStringLiteral("pace.lua")));
        if (!m_dir.isValid() || !script.open(QIODevice::WriteOnly) ||
            script.write(kPacer) != qint64(sizeof(kPacer) - 1)) {
            *why = QStringLiteral("cannot write wrk's script");
            return false;
        }
        script.close();
        m_process.setProgram(wrk);
        // One thread: 5,000 req/s is little for wrk, and every thread is a core taken from
        // the window. It runs a little longer than the measurement, which stops it.
        m_process.setArguments({QStringLiteral("-t1"), QStringLiteral("-c%1").arg(kWrkConnections),
                                QStringLiteral("-d%1s").arg(int(seconds) + 5),
                                QStringLiteral("--timeout"), QStringLiteral("5s"),
                                QStringLiteral("-s"), script.fileName(),
                                QStringLiteral("http://%1/").arg(listen), QStringLiteral("--"),
                                QString::number(rate)});
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start();
        if (!m_process.waitForStarted(5000)) {
            *why = QStringLiteral("wrk did not start: %1").arg(m_process.errorString());
            return false;
        }
        return true;
    }
    bool running() const { return m_process.state() != QProcess::NotRunning; }
    qint64 pid() const { return m_process.processId(); }
    QByteArray output() const { return m_output; }
    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
        m_output = m_process.readAll();
    }
    ~ExternalLoad() { stop(); }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    QByteArray m_output;
};

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    TimingApp app(argc, argv);
    Q_INIT_RESOURCE(core); // the greeter example and the schemas live in the static core
    QStringList args = app.arguments().mid(1);
    const bool inProcess = args.removeAll(QStringLiteral("--in-process")) > 0;
    QString grabPath;
    if (const qsizetype g = args.indexOf(QStringLiteral("--grab")); g >= 0) {
        grabPath = args.value(g + 1);
        args.remove(g, std::min<qsizetype>(2, args.size() - g));
    }
    const double seconds = args.size() > 0 ? args.at(0).toDouble() : 20.0;
    const int rate = args.size() > 1 ? args.at(1).toInt() : 5000;
    if (!(seconds > 0) || rate <= 0 || args.size() > 2 ||
        (app.arguments().contains(QStringLiteral("--grab")) && grabPath.isEmpty())) {
        std::fprintf(stderr, "usage: bench_uilag [SECONDS > 0] [RATE > 0] [--in-process] "
                             "[--grab FILE.png]\n");
        return 2;
    }
    // The person's settings stay untouched: this run's go to a throwaway folder.
    QTemporaryDir settingsDir;
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());

    Ui::MainWindow window;
    window.show();
    // The window's first paint before the load: a person sees the window before pressing
    // Start, and painting it all once is no lag caused by the proxy.
    for (QElapsedTimer shown; shown.elapsed() < 5000 && !window.windowHandle()->isExposed();)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    QCoreApplication::processEvents();
    window.portBox()->setValue(0);
    // wrk or the window's generator: decided once the proxy's port is known. The generator is
    // off at Start, so both ways measure the same start-up.
    window.rateBox()->setValue(0);
    // Open loop: an arrival finding every connection busy is skipped. 64 (the generator's
    // default) saturated near 3,800 req/s on a loaded 2-core machine, so 5,000 were never
    // offered; with enough connections the rate asked is the rate sent.
    window.runPage()->trafficPanel()->concurrencyBox()->setValue(kConnections);
    const double rssStart = memoryMiB("VmRSS:");

    window.start();
    if (!window.runController()->isRunning()) {
        std::fprintf(stderr, "bench_uilag: the demo did not start: %s\n",
                     qPrintable(window.statusBar()->currentMessage()));
        return 2;
    }
    // Start shows the Run page: its first paint (every chart) comes before the load, as a
    // person sees the page before traffic arrives.
    QCoreApplication::processEvents();
    const QString listen = window.runController()->runtime()->listenText();
    ExternalLoad wrk;
    QString load;
    QString whyNotWrk = QStringLiteral("--in-process");
    const bool usingWrk = !inProcess && wrk.start(listen, rate, seconds, &whyNotWrk);
    if (usingWrk) {
        load = QStringLiteral("wrk (pid %1, 1 thread, %2 connections, paced)")
                   .arg(wrk.pid())
                   .arg(kWrkConnections);
    } else {
        Demo::GeneratorConfig g = window.runPage()->trafficPanel()->startConfig();
        g.ratePerSecond = rate;
        g.host = "greeter-service";
        g.port = 0; // the proxy's
        if (!window.runController()->startTraffic(g)) {
            std::fprintf(stderr, "bench_uilag: the generator did not start: %s\n",
                         qPrintable(window.runController()->trafficError()));
            return 2;
        }
        load = QStringLiteral("the window's own generator (%1; it shares the cores with the "
                              "window and runs niced), %2 connections")
                   .arg(whyNotWrk)
                   .arg(kConnections);
    }
    std::printf("bench_uilag: demo on %s, %d req/s offered for %.0f s by %s; window %dx%d "
                "(offscreen), %d cores\n",
                qPrintable(listen), rate, seconds, qPrintable(load), window.width(),
                window.height(), QThread::idealThreadCount());
    std::fflush(stdout);

    std::vector<double> lags;
    std::vector<double> lagAt; // when each late tick fired, ms since the measurement began
    lags.reserve(size_t(seconds * 1000 / kTickMs) + 16);
    QElapsedTimer &clock = app.clock;
    qint64 lastNs = 0;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(kTickMs);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        const double lag = std::max(0.0, double(now - lastNs) / 1e6 - kTickMs);
        lags.push_back(lag);
        if (lag >= kSpikeMs)
            lagAt.push_back(now / 1e6);
        lastNs = now;
    });
    // RSS every 5 s: bounded means it levels off once the hub's store is full (100,000
    // exchanges, 20-25 s at 5,000 req/s), not that it stays where it started.
    std::vector<double> rssEvery5s;
    QTimer rssProbe;
    rssProbe.setInterval(5000);
    QObject::connect(&rssProbe, &QTimer::timeout,
                     [&] { rssEvery5s.push_back(memoryMiB("VmRSS:")); });
    Demo::GeneratorStats traffic;
    QObject::connect(window.runController(), &Ui::RunController::trafficProgress,
                     [&](const Demo::GeneratorStats &s) { traffic = s; });

    const Proxy::Stats proxyStart = window.runController()->runtime()->stats();
    clock.start();
    probe.start();
    rssProbe.start();
    const double cpuStart = threadCpuMs();
    app.measuring = true;
    QTimer::singleShot(int(seconds * 1000), &app, [&] {
        probe.stop();
        rssProbe.stop();
        const Proxy::Stats proxy = window.runController()->runtime()->stats();
        const double elapsed = double(clock.nsecsElapsed()) / 1e9;
        const double rssEnd = memoryMiB("VmRSS:");
        const double rssPeak = memoryMiB("VmHWM:");
        const double guiCpuMs = threadCpuMs() - cpuStart;
        app.measuring = false;
        const bool wrkRanThrough = wrk.running();
        wrk.stop();
        window.stop();
        if (!grabPath.isEmpty())
            window.grab().save(grabPath);

        std::vector<double> sorted = lags;
        std::sort(sorted.begin(), sorted.end());
        const auto at = [&](double q) {
            return sorted.empty() ? 0.0
                                  : sorted[std::min(sorted.size() - 1, size_t(q * sorted.size()))];
        };
        double sum = 0;
        for (double l : sorted)
            sum += l;
        const double mean = sorted.empty() ? 0 : sum / double(sorted.size());
        const double max = sorted.empty() ? 0 : sorted.back();
        const long over = long(
            std::count_if(sorted.begin(), sorted.end(), [](double l) { return l > kBudgetMs; }));
        std::printf("event loop lag over %zu ticks of %d ms: max %.1f ms, p99 %.1f ms, p50 %.2f "
                    "ms, mean %.2f ms, %ld ticks over %.0f ms\n",
                    sorted.size(), kTickMs, max, at(0.99), at(0.50), mean, over, kBudgetMs);
        const quint64 served = proxy.requests - proxyStart.requests;
        std::printf("traffic: %d req/s offered, the proxy served %llu requests = %.0f req/s "
                    "achieved (%.0f %%), %llu mirrors sent, %llu dropped, %llu exchanges "
                    "recorded, %llu dropped by the recorder\n",
                    rate, (unsigned long long)served, double(served) / elapsed,
                    100.0 * double(served) / elapsed / rate,
                    (unsigned long long)(proxy.mirrorsSent - proxyStart.mirrorsSent),
                    (unsigned long long)(proxy.mirrorsDropped() - proxyStart.mirrorsDropped()),
                    (unsigned long long)(proxy.exchangesRecorded - proxyStart.exchangesRecorded),
                    (unsigned long long)(proxy.recorderDropped - proxyStart.recorderDropped));
        if (!usingWrk)
            std::printf("generator: %lld sent, %lld answered, %lld failed, %lld skipped (no "
                        "idle connection)\n",
                        traffic.sent, traffic.answered(), traffic.failed(), traffic.skipped);
        else if (!wrkRanThrough)
            std::printf("wrk ended before the measurement did:\n%s\n", wrk.output().constData());
        std::printf("RSS: %.1f MiB at start, %.1f MiB at end, %.1f MiB peak; every 5 s:", rssStart,
                    rssEnd, rssPeak);
        for (double r : rssEvery5s)
            std::printf(" %.0f", r);
        std::printf(" MiB\n");
        std::printf("GUI thread CPU: %.0f ms in %.1f s (%.1f %% of one core); the costliest "
                    "event receivers (type 1 = timer, 43 = queued slot call, 76 = layout, 77 = "
                    "paint):\n",
                    guiCpuMs, elapsed, guiCpuMs / (elapsed * 10));
        std::vector<std::pair<std::string, TimingApp::Cost>> top(app.costs.begin(),
                                                                 app.costs.end());
        std::sort(top.begin(), top.end(),
                  [](const auto &a, const auto &b) { return a.second.totalMs > b.second.totalMs; });
        for (size_t i = 0; i < top.size() && i < 8; ++i)
            std::printf("  %8.1f ms total, %6.1f ms max, %6ld calls  %s\n", top[i].second.totalMs,
                        top[i].second.maxMs, top[i].second.count, top[i].first.c_str());
        // Each lag spike with the slow deliveries that ended in the 100 ms before it: a spike
        // without any is the machine (the GUI thread waiting for a core), not the window.
        std::printf("lag spikes of %.0f ms or more: %zu\n", kSpikeMs, lagAt.size());
        for (size_t i = 0; i < lagAt.size() && i < 12; ++i) {
            std::printf("  at %7.0f ms:", lagAt[i]);
            bool any = false;
            for (const TimingApp::Slow &s : app.slow) {
                if (s.atMs > lagAt[i] || s.atMs < lagAt[i] - 100)
                    continue;
                std::printf(" [%s: %.1f ms CPU, %.1f ms wall]", s.key.c_str(), s.cpuMs, s.wallMs);
                any = true;
            }
            std::printf("%s\n", any ? "" : " no slow handler: the thread waited for a core");
        }
        const bool pass = max < kBudgetMs;
        std::printf("%s: max event loop lag %.1f ms %s %.0f ms\n", pass ? "PASS" : "FAIL", max,
                    pass ? "<" : ">=", kBudgetMs);
        app.exit(pass ? 0 : 1);
    });
    return app.exec();
}
