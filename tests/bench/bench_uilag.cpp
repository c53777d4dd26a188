// GUI event-loop lag under load: the main window (offscreen) runs the greeter demo with the
// generator at 5,000 requests/s for N seconds (argument, default 20) while a 10 ms timer
// measures how late it fires. Prints max / p99 / mean lag, the traffic achieved and the
// process RSS at start and end, then PASS or FAIL against 50 ms (issue 5: "the UI thread never
// blocks on the proxy"). Not a ctest test: its verdict depends on the machine.
//
//   bench_uilag [SECONDS] [RATE]
#include "mainwindow.h"
#include "proxy/server.h"
#include "run/runcontroller.h"
#include "run/runpage.h"
#include "run/trafficpanel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>
#include <vector>

namespace {

constexpr double kBudgetMs = 50.0;
constexpr int kTickMs = 10;
constexpr int kConnections = 512;

double rssMiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    return -1;
}

double threadCpuMs()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// Where the GUI thread's time goes: CPU time (not wall time, so a loaded machine does not
// inflate it) of every top-level event delivery, by receiver class and event type.
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
    bool measuring = false;

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!measuring || m_depth > 0 || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        // The key first: the receiver may delete itself while handling the event.
        const std::string key = std::string(receiver->metaObject()->className()) + " / event " +
                                std::to_string(int(event->type()));
        ++m_depth;
        const double start = threadCpuMs();
        const bool result = QApplication::notify(receiver, event);
        const double spent = threadCpuMs() - start;
        --m_depth;
        Cost &c = costs[key];
        c.totalMs += spent;
        c.maxMs = std::max(c.maxMs, spent);
        ++c.count;
        return result;
    }

private:
    int m_depth = 0;
};

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    TimingApp app(argc, argv);
    Q_INIT_RESOURCE(core); // the greeter example and the schemas live in the static core
    const QStringList args = app.arguments();
    const double seconds = args.size() > 1 ? args.at(1).toDouble() : 20.0;
    const int rate = args.size() > 2 ? args.at(2).toInt() : 5000;
    if (!(seconds > 0) || rate <= 0) {
        std::fprintf(stderr, "usage: bench_uilag [SECONDS > 0] [RATE > 0]\n");
        return 2;
    }
    // The person's settings stay untouched: this run's go to a throwaway folder.
    QTemporaryDir settingsDir;
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());

    Ui::MainWindow window;
    window.show();
    window.portBox()->setValue(0);
    window.rateBox()->setValue(rate);
    // Open loop: an arrival finding every connection busy is skipped. 64 (the generator's
    // default) saturated near 3,800 req/s on a loaded 2-core machine, so 5,000 were never
    // offered; with enough connections the rate asked is the rate sent.
    window.runPage()->trafficPanel()->concurrencyBox()->setValue(kConnections);
    const double rssStart = rssMiB();

    std::vector<double> lags;
    lags.reserve(size_t(seconds * 1000 / kTickMs) + 16);
    QElapsedTimer clock;
    qint64 lastNs = 0;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(kTickMs);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        lags.push_back(std::max(0.0, double(now - lastNs) / 1e6 - kTickMs));
        lastNs = now;
    });

    window.start();
    if (!window.runController()->isRunning()) {
        std::fprintf(stderr, "bench_uilag: the demo did not start: %s\n",
                     qPrintable(window.statusBar()->currentMessage()));
        return 2;
    }
    std::printf("bench_uilag: demo on %s, generator at %d req/s for %.0f s, window %dx%d "
                "(offscreen), %d cores, %d connections\n",
                qPrintable(window.runController()->runtime()->listenText()), rate, seconds,
                window.width(), window.height(), QThread::idealThreadCount(), kConnections);
    std::fflush(stdout);

    Demo::GeneratorStats traffic;
    QObject::connect(window.runController(), &Ui::RunController::trafficProgress,
                     [&](const Demo::GeneratorStats &s) { traffic = s; });
    clock.start();
    probe.start();
    const double cpuStart = threadCpuMs();
    app.measuring = true;
    QTimer::singleShot(int(seconds * 1000), &app, [&] {
        probe.stop();
        const Proxy::Stats proxy = window.runController()->runtime()->stats();
        const double elapsed = clock.nsecsElapsed() / 1e9;
        const double rssEnd = rssMiB();
        const double guiCpuMs = threadCpuMs() - cpuStart;
        app.measuring = false;
        window.stop();
        std::vector<double> sorted = lags;
        std::sort(sorted.begin(), sorted.end());
        const auto at = [&](double q) {
            return sorted.empty() ? 0.0
                                  : sorted[std::min(sorted.size() - 1, size_t(q * sorted.size()))];
        };
        double sum = 0;
        for (double l : sorted)
            sum += l;
        const double mean = sorted.empty() ? 0 : sum / sorted.size();
        const double max = sorted.empty() ? 0 : sorted.back();
        const long over = long(
            std::count_if(sorted.begin(), sorted.end(), [](double l) { return l > kBudgetMs; }));
        std::printf("event loop lag over %zu ticks of %d ms: max %.1f ms, p99 %.1f ms, p50 %.2f "
                    "ms, mean %.2f ms, %ld ticks over %.0f ms\n",
                    sorted.size(), kTickMs, max, at(0.99), at(0.50), mean, over, kBudgetMs);
        std::printf(
            "traffic: %lld sent (%.0f req/s achieved), %lld answered, %lld failed, "
            "%lld skipped; proxy %llu requests (%.0f req/s), %llu mirrors sent, %llu "
            "dropped, %llu exchanges recorded, %llu dropped by the recorder\n",
            traffic.sent, traffic.sent / elapsed, traffic.answered(), traffic.failed(),
            traffic.skipped, (unsigned long long)proxy.requests, proxy.requests / elapsed,
            (unsigned long long)proxy.mirrorsSent, (unsigned long long)proxy.mirrorsDropped(),
            (unsigned long long)proxy.exchangesRecorded, (unsigned long long)proxy.recorderDropped);
        std::printf("RSS: %.1f MiB at start, %.1f MiB at end\n", rssStart, rssEnd);
        std::printf("GUI thread CPU: %.0f ms in %.1f s (%.1f %% of one core); the costliest "
                    "event receivers (type 43 = queued slot call):\n",
                    guiCpuMs, elapsed, guiCpuMs / (elapsed * 10));
        std::vector<std::pair<std::string, TimingApp::Cost>> top(app.costs.begin(),
                                                                 app.costs.end());
        std::sort(top.begin(), top.end(),
                  [](const auto &a, const auto &b) { return a.second.totalMs > b.second.totalMs; });
        for (size_t i = 0; i < top.size() && i < 8; ++i)
            std::printf("  %8.1f ms total, %6.1f ms max, %6ld calls  %s\n", top[i].second.totalMs,
                        top[i].second.maxMs, top[i].second.count, top[i].first.c_str());
        const bool pass = max < kBudgetMs;
        std::printf("%s: max event loop lag %.1f ms %s %.0f ms\n", pass ? "PASS" : "FAIL", max,
                    pass ? "<" : ">=", kBudgetMs);
        app.exit(pass ? 0 : 1);
    });
    return app.exec();
}
