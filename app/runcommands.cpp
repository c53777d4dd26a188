// `mirrorscope proxy` and `mirrorscope demo`: the headless main job.
#include "cli.h"
#include "unixsignals.h"

#include "model/resource.h"
#include "observe/exporters.h"
#include "observe/har.h"
#include "observe/hub.h"
#include "observe/metrics.h"
#include "observe/metricsserver.h"
#include "proxy/server.h"
#include "session/runtime.h"
#include "validate/validator.h"
#include "yaml/document.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSaveFile>
#include <QTcpServer>
#include <QTextStream>
#include <QTimer>

#include <cmath>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

namespace App {

namespace {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

// "127.0.0.1:8080", "8080", ":8080", "[::1]:8080", "0.0.0.0:80"
bool parseListen(const QString &text, QHostAddress *address, quint16 *port, QString *error)
{
    QString host = QStringLiteral("127.0.0.1");
    QString portText = text;
    const int colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon >= 0) {
        host = text.left(colon);
        portText = text.mid(colon + 1);
        if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
            host = host.mid(1, host.size() - 2);
        if (host.isEmpty())
            host = QStringLiteral("127.0.0.1");
    }
    bool ok = false;
    const uint p = portText.toUInt(&ok);
    if (!ok || p > 65535) {
        *error = QStringLiteral("--listen %1: the port must be a number 0..65535").arg(text);
        return false;
    }
    if (host == QLatin1String("localhost"))
        host = QStringLiteral("127.0.0.1");
    QHostAddress a;
    if (!a.setAddress(host)) {
        *error = QStringLiteral("--listen %1: %2 is not an IP address").arg(text, host);
        return false;
    }
    *address = a;
    *port = static_cast<quint16>(p);
    return true;
}

void addCommonOptions(QCommandLineParser &p, const QString &defaultListen)
{
    p.addHelpOption();
    p.addOption({QStringLiteral("listen"),
                 QStringLiteral("Address:port to listen on (default %1)").arg(defaultListen),
                 QStringLiteral("addr:port"), defaultListen});
    p.addOption({QStringLiteral("allow-remote"),
                 QStringLiteral("Allow a non-loopback listen address. The proxy relays to "
                                "services on this machine's loopback, so anyone who can reach "
                                "the address could reach them.")});
    p.addOption({QStringLiteral("workers"), QStringLiteral("Worker threads (default: cores)"),
                 QStringLiteral("N"), QStringLiteral("0")});
    p.addOption({QStringLiteral("istio-version"),
                 QStringLiteral("Target Istio version: drives the mirror's -shadow Host suffix "
                                "(appended up to 1.27) (default latest)"),
                 QStringLiteral("version"), QStringLiteral("latest")});
    p.addOption({QStringLiteral("duration"),
                 QStringLiteral("Stop after S seconds (0 = until Ctrl-C)"), QStringLiteral("S")});
    p.addOption({QStringLiteral("report"),
                 QStringLiteral("Write the JSON summary report to FILE at exit: per version, the "
                                "v1 x v2 comparison, per endpoint and rule, mirror drops, "
                                "learned noise"),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("har"),
                 QStringLiteral("Write every exchange to FILE as HTTP Archive 1.2 while running "
                                "(one entry per leg: v1, then each mirror; opens in a browser's "
                                "devtools)"),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("jsonl"),
                 QStringLiteral("Write every exchange to FILE as JSON Lines while running (one "
                                "object per exchange with all legs, headers and body prefixes)"),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("csv"),
                 QStringLiteral("Write one CSV row per exchange to FILE while running (v1 and "
                                "first mirror status, latency, outcome)"),
                 QStringLiteral("FILE")});
    p.addOption(
        {QStringLiteral("no-mask"),
         QStringLiteral(
             "Export Authorization, Proxy-Authorization, Cookie and Set-Cookie "
             "values as sent (default: masked, e.g. \"Bearer \u2022\u2022\u2022\u2022\")")});
    p.addOption({QStringLiteral("metrics"),
                 QStringLiteral("Serve Prometheus metrics with Istio's names at "
                                "http://ADDR:PORT/metrics (loopback only; port 0 = any free port)"),
                 QStringLiteral("addr:port")});
    p.addOption({QStringLiteral("interval"),
                 QStringLiteral("Seconds between summary lines (rates, p50/p99 per version, "
                                "mismatch rate) (default 2)"),
                 QStringLiteral("S"), QStringLiteral("2")});
    p.addOption({QStringLiteral("noise"),
                 QStringLiteral("Noise rules from FILE (JSON: {\"headers\": [...], "
                                "\"jsonPaths\": [...], \"endpoints\": {\"GET /users/{id}\": "
                                "{...}}}): differences there between v1 and a mirror do not count; "
                                "the GUI's Noise Rules dialog exports this format"),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("read-only-mirroring"),
                 QStringLiteral("Mirror only GET, HEAD and OPTIONS requests")});
    p.addOption({QStringLiteral("mirror-timeout"),
                 QStringLiteral("Mirror timeout in ms (default 5000)"), QStringLiteral("ms"),
                 QStringLiteral("5000")});
    p.addOption({QStringLiteral("max-inflight-mirrors"),
                 QStringLiteral("Mirrors in flight before new ones are dropped (default 1024, "
                                "Envoy's default circuit breaker)"),
                 QStringLiteral("N"), QStringLiteral("1024")});
    p.addOption({QStringLiteral("mirror-buffer"),
                 QStringLiteral("Request body bytes buffered for a mirror; past it the mirror "
                                "of that request is dropped (default 1048576, as Envoy)"),
                 QStringLiteral("bytes"), QStringLiteral("1048576")});
    p.addOption({QStringLiteral("idle-timeout"),
                 QStringLiteral("Close a client connection quiet for this many ms (default "
                                "60000)"),
                 QStringLiteral("ms"), QStringLiteral("60000")});
    p.addOption({QStringLiteral("request-headers-timeout"),
                 QStringLiteral("Answer 408 when a request's headers take longer than this many "
                                "ms (default 10000; 0 = no limit)"),
                 QStringLiteral("ms"), QStringLiteral("10000")});
    p.addOption({QStringLiteral("max-connections"),
                 QStringLiteral("Client connections open at once; at the limit the longest-idle "
                                "one is closed (default 0 = from the open-file limit)"),
                 QStringLiteral("N"), QStringLiteral("0")});
}

// Fills runtime options from the common flags; false with a message on bad input (exit 2).
bool commonOptions(const QCommandLineParser &p, Session::Runtime::Options *o, double *duration,
                   int *interval, QString *error)
{
    if (!parseListen(p.value(QStringLiteral("listen")), &o->proxy.listenAddress,
                     &o->proxy.listenPort, error))
        return false;
    o->proxy.allowRemote = p.isSet(QStringLiteral("allow-remote"));
    if (!o->proxy.listenAddress.isLoopback() && !o->proxy.allowRemote) {
        *error = QStringLiteral(
                     "refusing to listen on %1: the proxy relays to services on this machine's "
                     "loopback, so listening beyond 127.0.0.1 exposes them to the network. Add "
                     "--allow-remote if that is what you want.")
                     .arg(o->proxy.listenAddress.toString());
        return false;
    }
    bool ok = false;
    o->proxy.workers = p.value(QStringLiteral("workers")).toInt(&ok);
    if (!ok || o->proxy.workers < 0 || o->proxy.workers > 256) {
        *error = QStringLiteral("--workers must be a number 0..256");
        return false;
    }
    o->target = Base::IstioVersion::fromString(p.value(QStringLiteral("istio-version")));
    if (!o->target.valid()) {
        *error = QStringLiteral("--istio-version must look like 1.27 or be latest");
        return false;
    }
    if (p.isSet(QStringLiteral("duration"))) {
        *duration = p.value(QStringLiteral("duration")).toDouble(&ok);
        if (!ok || *duration < 0) {
            *error = QStringLiteral("--duration must be a number of seconds >= 0");
            return false;
        }
    }
    *interval = p.value(QStringLiteral("interval")).toInt(&ok);
    if (!ok || *interval < 1) {
        *error = QStringLiteral("--interval must be a whole number of seconds >= 1");
        return false;
    }
    o->proxy.readOnlyMirroring = p.isSet(QStringLiteral("read-only-mirroring"));
    // The proxy's numeric settings: each a whole number at or above its minimum.
    auto number = [&p, error](const char *option, qint64 minimum, const char *unit, auto *out) {
        bool valid = false;
        const qint64 v = p.value(QLatin1String(option)).toLongLong(&valid);
        if (!valid || v < minimum ||
            v > qint64(std::numeric_limits<std::remove_pointer_t<decltype(out)>>::max())) {
            *error = QStringLiteral("--%1 must be %2 >= %3")
                         .arg(QLatin1String(option), QLatin1String(unit))
                         .arg(minimum);
            return false;
        }
        *out = std::remove_pointer_t<decltype(out)>(v);
        return true;
    };
    return number("mirror-timeout", 1, "milliseconds", &o->proxy.mirrorTimeoutMs) &&
           number("max-inflight-mirrors", 0, "a number", &o->proxy.maxInFlightMirrors) &&
           number("mirror-buffer", 0, "a number of bytes", &o->proxy.mirrorBodyBufferBytes) &&
           number("idle-timeout", 1, "milliseconds", &o->proxy.idleTimeoutMs) &&
           number("request-headers-timeout", 0, "milliseconds",
                  &o->proxy.requestHeadersTimeoutMs) &&
           number("max-connections", 0, "a number", &o->proxy.maxConnections);
}

// --noise FILE: the person's noise rules. Any bad entry refuses the file (exit 2) with every
// entry named, rather than run with part of what was asked for.
bool loadNoiseRules(const QCommandLineParser &p, Observe::NoiseRules *rules, QString *error)
{
    if (!p.isSet(QStringLiteral("noise")))
        return true;
    QString why;
    const auto loaded = Observe::NoiseRules::load(p.value(QStringLiteral("noise")), &why);
    if (!loaded) {
        *error = QStringLiteral("--noise ") + why;
        return false;
    }
    *rules = *loaded;
    return true;
}

// Mirror drops by reason, named as the mirrorscope_proxy_mirror_drops_total labels.
QJsonObject mirrorDropsJson(const Proxy::Stats &s)
{
    QJsonObject o;
    o[QStringLiteral("in_flight_limit")] = static_cast<qint64>(s.mirrorsDroppedInFlightLimit);
    o[QStringLiteral("body_over_buffer_limit")] = static_cast<qint64>(s.mirrorsDroppedBodyLimit);
    o[QStringLiteral("read_only_mirroring")] = static_cast<qint64>(s.mirrorsDroppedReadOnly);
    o[QStringLiteral("unbound_destination")] = static_cast<qint64>(s.mirrorsDroppedUnbound);
    o[QStringLiteral("client_disconnected")] = static_cast<qint64>(s.mirrorsDroppedClientGone);
    o[QStringLiteral("endpoint_down")] = static_cast<qint64>(s.mirrorsDroppedEndpointDown);
    return o;
}

// The identities every run must satisfy, spelled out so a reader (or the soak script) need not
// know which counters make up which side: requests = answered + failed (refused requests are
// answered by the proxy itself and counted in both), mirrors = delivered + failed + dropped (by
// reason) + sampled out + in flight.
QJsonObject accountingJson(const Proxy::Stats &s)
{
    QJsonObject o;
    o[QStringLiteral("requests")] = static_cast<qint64>(s.requests);
    o[QStringLiteral("answered")] = static_cast<qint64>(s.answered());
    o[QStringLiteral("failed")] = static_cast<qint64>(s.responsesNone);
    o[QStringLiteral("refused")] = static_cast<qint64>(s.badRequests);
    o[QStringLiteral("requestsAddUp")] = s.requests == s.answered() + s.responsesNone;
    o[QStringLiteral("mirrors")] = static_cast<qint64>(s.mirrors);
    o[QStringLiteral("mirrorsDelivered")] = static_cast<qint64>(s.mirrorsCompleted);
    o[QStringLiteral("mirrorsFailed")] = static_cast<qint64>(s.mirrorsFailed);
    o[QStringLiteral("mirrorsDropped")] = static_cast<qint64>(s.mirrorsDropped());
    o[QStringLiteral("mirrorsSampledOut")] = static_cast<qint64>(s.mirrorsSampledOut);
    o[QStringLiteral("mirrorsInFlight")] = static_cast<qint64>(s.mirrorsInFlight);
    o[QStringLiteral("mirrorsAddUp")] = s.mirrors == s.mirrorsCompleted + s.mirrorsFailed +
                                                         s.mirrorsDropped() + s.mirrorsSampledOut +
                                                         s.mirrorsInFlight;
    return o;
}

QJsonObject statsJson(const Proxy::Stats &s)
{
    QJsonObject o;
#define MIRRORSCOPE_STATS_JSON(name) o[QStringLiteral(#name)] = static_cast<qint64>(s.name);
    MIRRORSCOPE_PROXY_COUNTERS(MIRRORSCOPE_STATS_JSON)
#undef MIRRORSCOPE_STATS_JSON
    o[QStringLiteral("mirrorsDropped")] = static_cast<qint64>(s.mirrorsDropped());
    o[QStringLiteral("recorderDropped")] = static_cast<qint64>(s.recorderDropped);
    o[QStringLiteral("mirrorDrops")] = mirrorDropsJson(s);
    o[QStringLiteral("accounting")] = accountingJson(s);
    return o;
}

QJsonObject generatorJson(const Demo::GeneratorStats &g)
{
    QJsonObject o;
    o[QStringLiteral("sent")] = g.sent;
    o[QStringLiteral("skipped")] = g.skipped;
    o[QStringLiteral("answered")] = g.answered();
    o[QStringLiteral("answered2xx")] = g.answered2xx;
    o[QStringLiteral("answered5xx")] = g.answered5xx;
    o[QStringLiteral("failed")] = g.failed();
    o[QStringLiteral("abandoned")] = g.abandoned;
    return o;
}

// "12.3%", "10%", "0.05%": three significant digits are enough to read a trend.
QString percent(double rate)
{
    return QString::number(rate * 100.0, 'g', 3) + QLatin1Char('%');
}

// "mismatch 12.3% (status 2.1%, body 10%)": the kinds that occurred; empty before any pair
// was compared (a run without mirrors, or mirrors that all failed).
QString mismatchText(const Observe::PairSummary &p)
{
    if (!p.comparable)
        return {};
    QStringList kinds;
    if (p.statusMismatches)
        kinds << QStringLiteral("status ") + percent(p.rate(p.statusMismatches));
    if (p.headerMismatches)
        kinds << QStringLiteral("headers ") + percent(p.rate(p.headerMismatches));
    if (p.bodyMismatches)
        kinds << QStringLiteral("body ") + percent(p.rate(p.bodyMismatches));
    QString s = QStringLiteral("mismatch ") + percent(p.rate(p.mismatches));
    if (!kinds.isEmpty())
        s += QStringLiteral(" (") + kinds.join(QStringLiteral(", ")) + QLatin1Char(')');
    return s;
}

// "1.94 ms", "31.2 ms", "412 ms": three significant figures for the summary line.
QString formatMs(double us)
{
    const double ms = us / 1000.0;
    return ms < 10 ? QString::number(ms, 'f', 2) + QStringLiteral(" ms")
                   : QString::number(ms, 'f', ms < 100 ? 1 : 0) + QStringLiteral(" ms");
}

// "v1 142 p50 1.9 ms p99 4.1 ms 2xx 142 | v2 (mirror) 142 p50 8.2 ms p99 31 ms 2xx 135 5xx 7 |
// mismatch 12.3% (status 4.9%, body 100%)", from the hub's aggregates.
QString summaryLine(const Observe::Snapshot &snapshot)
{
    QStringList parts;
    for (const Observe::VersionSummary &v : snapshot.versions) {
        QString s = QStringLiteral("%1 %2").arg(v.label).arg(v.legs);
        if (v.latency.count)
            s += QStringLiteral(" p50 %1 p99 %2")
                     .arg(formatMs(double(v.latency.p50Us)), formatMs(double(v.latency.p99Us)));
        for (int c = 1; c <= 5; ++c) {
            if (v.statusClasses[c])
                s += QStringLiteral(" %1xx %2").arg(c).arg(v.statusClasses[c]);
        }
        if (v.failed)
            s += QStringLiteral(" failed %1").arg(v.failed);
        if (v.dropped)
            s += QStringLiteral(" dropped %1").arg(v.dropped);
        if (v.sampledOut)
            s += QStringLiteral(" sampled-out %1").arg(v.sampledOut);
        parts << s;
    }
    const QString mismatch = mismatchText(snapshot.pairing);
    if (!mismatch.isEmpty())
        parts << mismatch;
    return parts.join(QStringLiteral(" | "));
}

// A report is read after the run: its rates are averages over the whole run, not the live
// view's last 10 seconds (which an idle end of run would pull towards zero).
void averageRates(QJsonObject *group, double seconds)
{
    auto average = [seconds](double count) {
        return seconds > 0 ? std::round(count / seconds * 100.0) / 100.0 : 0.0;
    };
    if (group->contains(QLatin1String("exchanges")))
        (*group)[QStringLiteral("ratePerSecond")] =
            average(group->value(QLatin1String("exchanges")).toDouble());
    QJsonArray versions = group->value(QLatin1String("versions")).toArray();
    for (qsizetype i = 0; i < versions.size(); ++i) {
        QJsonObject v = versions.at(i).toObject();
        v[QStringLiteral("ratePerSecond")] = average(v.value(QLatin1String("requests")).toDouble());
        versions[i] = v;
    }
    (*group)[QStringLiteral("versions")] = versions;
}

QJsonArray averageRates(QJsonArray groups, double seconds)
{
    for (qsizetype i = 0; i < groups.size(); ++i) {
        QJsonObject g = groups.at(i).toObject();
        averageRates(&g, seconds);
        groups[i] = g;
    }
    return groups;
}

// The report's observation part, from the hub's final snapshot: per version, the v1 x v2
// pairing, per endpoint, per rule, the store and the noise the comparator learned.
void addObservations(QJsonObject *report, const Observe::Snapshot &snapshot,
                     const QList<Observe::LearnedNoise> &learned)
{
    const double seconds = double(snapshot.nowMs - snapshot.startMs) / 1000.0;
    (*report)[QStringLiteral("summary")] = snapshot.summaryJson();

    QJsonObject pairing = Observe::pairJson(snapshot.pairing);
    QJsonArray byVersion;
    for (const Observe::PairSummary &p : snapshot.pairings)
        byVersion.append(Observe::pairJson(p));
    pairing[QStringLiteral("byVersion")] = byVersion;
    (*report)[QStringLiteral("pairing")] = pairing;
    (*report)[QStringLiteral("endpoints")] = averageRates(snapshot.endpointsJson(), seconds);
    (*report)[QStringLiteral("rules")] = averageRates(snapshot.rulesJson(), seconds);

    QJsonObject store;
    store[QStringLiteral("stored")] = static_cast<qint64>(snapshot.stored);
    store[QStringLiteral("capacity")] = snapshot.storeCapacity;
    store[QStringLiteral("dropped")] = static_cast<qint64>(snapshot.storeDropped);
    store[QStringLiteral("bodiesDropped")] = static_cast<qint64>(snapshot.storeBodiesDropped);
    store[QStringLiteral("bytes")] = snapshot.storeBytes;
    (*report)[QStringLiteral("store")] = store;

    QJsonArray noise;
    for (const Observe::LearnedNoise &n : learned) {
        QJsonObject o;
        o[QStringLiteral("where")] = n.where == Observe::LearnedNoise::Where::Header
                                         ? QStringLiteral("header")
                                         : QStringLiteral("body");
        o[QStringLiteral("endpoint")] = n.endpoint;
        o[QStringLiteral("path")] = n.path;
        o[QStringLiteral("observations")] = static_cast<qint64>(n.observations);
        o[QStringLiteral("flagged")] = static_cast<qint64>(n.flagged);
        if (n.rejected)
            o[QStringLiteral("rejected")] = true;
        noise.append(o);
    }
    (*report)[QStringLiteral("learnedNoise")] = noise;
}

// --har / --jsonl / --csv: files written while the run goes on, fed by Runtime::exchanges and
// completed at exit (Ctrl-C and SIGTERM included). Declared before the runtime, so it outlives
// every batch the runtime can emit.
class ExportFiles
{
public:
    // Opens every file asked for, before anything listens. False: `error` names the option and
    // the file, and nothing is left behind.
    bool open(const QCommandLineParser &p, QString *error)
    {
        Observe::ExportOptions options;
        options.mask = !p.isSet(QStringLiteral("no-mask"));
        QStringList seen{p.isSet(QStringLiteral("report"))
                             ? QFileInfo(p.value(QStringLiteral("report"))).absoluteFilePath()
                             : QString()};
        QStringList seenOption{QStringLiteral("--report")};
        for (const QString &option :
             {QStringLiteral("har"), QStringLiteral("jsonl"), QStringLiteral("csv")}) {
            if (!p.isSet(option))
                continue;
            const QString path = p.value(option);
            const qsizetype clash = seen.indexOf(QFileInfo(path).absoluteFilePath());
            if (path.isEmpty() || clash >= 0) {
                *error = path.isEmpty() ? QStringLiteral("--%1 needs a file name").arg(option)
                                        : QStringLiteral("--%1 %2: %3 writes the same file")
                                              .arg(option, path, seenOption.at(clash));
                discard();
                return false;
            }
            seen << QFileInfo(path).absoluteFilePath();
            seenOption << QStringLiteral("--") + option;
            File f;
            f.option = option;
            if (option == QLatin1String("har"))
                f.writer = std::make_unique<Observe::HarWriter>(options);
            else if (option == QLatin1String("jsonl"))
                f.writer = std::make_unique<Observe::JsonLinesWriter>(options);
            else
                f.writer = std::make_unique<Observe::CsvWriter>(options);
            if (!f.writer->open(path)) {
                *error = QStringLiteral("--%1: %2").arg(option, f.writer->errorString());
                discard();
                return false;
            }
            m_files.push_back(std::move(f));
        }
        return true;
    }

    void attach(Session::Runtime &runtime)
    {
        if (m_files.empty())
            return;
        QObject::connect(&runtime, &Session::Runtime::exchanges, &runtime,
                         [this](const QList<Observe::Exchange> &batch) {
                             for (File &f : m_files) {
                                 if (f.writer->isOpen() && !f.writer->write(batch) &&
                                     f.writer->failed() && !f.warned) {
                                     f.warned = true;
                                     err()
                                         << "warning: --" << f.option << ": "
                                         << f.writer->errorString() << "; the export stops here\n";
                                     err().flush();
                                 }
                             }
                         });
    }

    // The run never started: remove the files rather than leave empty exports.
    void discard()
    {
        for (File &f : m_files)
            f.writer->discard();
        m_files.clear();
    }

    // Completes every file and says where it is. False when one could not be written.
    bool finish()
    {
        bool ok = true;
        for (File &f : m_files) {
            if (!f.writer->close()) {
                err() << "cannot complete --" << f.option << ": " << f.writer->errorString()
                      << "\n";
                ok = false;
                continue;
            }
            out() << f.option << " written to " << f.writer->path() << " ("
                  << f.writer->exchangesWritten() << " exchanges";
            if (auto *har = dynamic_cast<Observe::HarWriter *>(f.writer.get()))
                out() << ", " << har->entriesWritten() << " entries";
            out() << (f.writer->options().mask ? ", secrets masked" : ", not masked") << ")\n";
        }
        out().flush();
        err().flush();
        return ok;
    }

private:
    struct File
    {
        QString option;
        std::unique_ptr<Observe::StreamWriter> writer;
        bool warned = false;
    };
    std::vector<File> m_files;
};

// Runs the loop until the duration ends or a signal arrives; prints summary lines; writes the
// report. Returns the exit code.
int runLoop(Session::Runtime &runtime, double duration, int interval, const QString &reportPath,
            const QJsonObject &reportBase, bool withGenerator, ExportFiles &exports,
            const QString &metricsAddress)
{
    // Prometheus endpoint on its own loopback port, fed with the hub's compared batches so the
    // comparison mismatch counters count what the report and the summary line show.
    std::shared_ptr<Observe::Metrics> metrics;
    std::unique_ptr<Observe::MetricsServer> metricsServer;
    if (!metricsAddress.isEmpty()) {
        QHostAddress address;
        quint16 port = 0;
        QString error;
        metrics = std::make_shared<Observe::Metrics>();
        metrics->setProxyStatsSource([&runtime] { return runtime.stats(); });
        metricsServer = std::make_unique<Observe::MetricsServer>(metrics);
        if (!Observe::MetricsServer::parseAddress(metricsAddress, &address, &port, &error) ||
            !metricsServer->listen(address, port)) {
            err() << "--metrics " << metricsAddress << ": "
                  << (error.isEmpty() ? metricsServer->errorString() : error) << "\n";
            err().flush();
            runtime.stop();
            exports.discard();
            return 2;
        }
        QObject::connect(&runtime, &Session::Runtime::observed, metricsServer.get(),
                         [metrics](const QList<Observe::Exchange> &batch,
                                   const QList<QList<Observe::Comparison>> &comparisons) {
                             metrics->addBatch(batch, comparisons);
                         });
        out() << "metrics at " << metricsServer->url() << "\n";
        out().flush();
    }

    UnixSignals unixSignals;
    QElapsedTimer clock;
    clock.start();
    quint64 lastRequests = 0;
    qint64 lastMs = 0;
    auto printLine = [&] {
        const Proxy::Stats s = runtime.stats();
        const qint64 now = clock.elapsed();
        const double rps =
            now > lastMs ? (s.requests - lastRequests) * 1000.0 / (now - lastMs) : 0.0;
        lastRequests = s.requests;
        lastMs = now;
        out() << QStringLiteral("[%1s] %2 req/s, %3 requests, mirrors %4 sent %5 dropped | ")
                     .arg(now / 1000, 3)
                     .arg(rps, 0, 'f', 1)
                     .arg(s.requests)
                     .arg(s.mirrorsSent)
                     .arg(s.mirrorsDropped())
              << summaryLine(*runtime.hub()->snapshot()) << "\n";
        out().flush();
    };
    QTimer ticker;
    QObject::connect(&ticker, &QTimer::timeout, printLine);
    ticker.start(interval * 1000);

    bool stopping = false;
    auto finish = [&] {
        if (stopping)
            return;
        stopping = true;
        QCoreApplication::quit();
    };
    QObject::connect(&unixSignals, &UnixSignals::terminate, finish);
    QTimer deadline;
    deadline.setSingleShot(true);
    if (duration > 0 && !withGenerator) {
        QObject::connect(&deadline, &QTimer::timeout, finish);
        deadline.start(static_cast<int>(duration * 1000));
    }
    if (withGenerator) {
        QObject::connect(&runtime, &Session::Runtime::trafficFinished, [&] {
            // Give mirrors in flight a moment to land before the last summary.
            QTimer::singleShot(300, finish);
        });
    }
    QCoreApplication::exec();

    const Demo::GeneratorStats generated = runtime.trafficStats();
    runtime.stopTraffic();
    const Proxy::Stats stats = runtime.stats();
    runtime.stop();              // drains the recorder into the hub
    runtime.flushObservations(); // and waits until the hub has counted every batch
    const std::shared_ptr<const Observe::Snapshot> snapshot = runtime.hub()->snapshot();
    out() << "final: " << summaryLine(*snapshot) << "\n";
    out() << QStringLiteral("stopped after %1 s: %2 requests, %3 exchanges recorded, mirrors "
                            "%4 sent, %5 completed, %6 failed, %7 dropped\n")
                 .arg(clock.elapsed() / 1000.0, 0, 'f', 1)
                 .arg(stats.requests)
                 .arg(snapshot->exchanges)
                 .arg(stats.mirrorsSent)
                 .arg(stats.mirrorsCompleted)
                 .arg(stats.mirrorsFailed)
                 .arg(stats.mirrorsDropped());
    if (const quint64 dropped = runtime.observeDropped())
        out() << QStringLiteral("%1 exchanges were answered but not observed: the comparison "
                                "fell behind (queue of %2)\n")
                     .arg(dropped)
                     .arg(Session::Runtime::kMaxObservePending);
    out().flush();
    const int exportsCode = exports.finish() ? 0 : 2;
    if (reportPath.isEmpty())
        return exportsCode;
    QJsonObject report = reportBase;
    report[QStringLiteral("mirrorscope")] = QStringLiteral(MIRRORSCOPE_VERSION);
    report[QStringLiteral("durationSeconds")] = clock.elapsed() / 1000.0;
    report[QStringLiteral("endedAt")] = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    report[QStringLiteral("proxy")] = statsJson(stats);
    QList<Observe::LearnedNoise> learned;
    Observe::NoiseRules rules;
    runtime.hub()->withComparator([&learned, &rules](Observe::Comparator &c) {
        learned = c.learnedNoise();
        rules = c.noiseRules();
    });
    addObservations(&report, *snapshot, learned);
    // Exchanges the proxy answered but the comparison could not keep up with (its queue is
    // bounded): they are in proxy.requests, not in summary.exchanges. 0 unless the observe
    // thread was starved.
    QJsonObject store = report.value(QLatin1String("store")).toObject();
    store[QStringLiteral("notObserved")] = static_cast<qint64>(runtime.observeDropped());
    report[QStringLiteral("store")] = store;
    // The rules in force (--noise and the demo's), in the --noise format so a report's rules can
    // be fed to the next run; the default ignored headers come on top.
    report[QStringLiteral("noiseRules")] = rules.toJson();
    if (withGenerator)
        report[QStringLiteral("generator")] = generatorJson(generated);
    QSaveFile f(reportPath);
    const QByteArray bytes = QJsonDocument(report).toJson(QJsonDocument::Indented);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        err() << "cannot write report " << reportPath << ": " << f.errorString() << "\n";
        return 2;
    }
    out() << "report written to " << reportPath << "\n";
    return exportsCode;
}

QJsonArray bindingsJson(const Proxy::Bindings &bindings)
{
    QJsonArray a;
    for (const Proxy::Binding &b : bindings.all())
        a.append(Proxy::bindingKey(b.target) + QLatin1Char('=') + b.endpoint.text);
    return a;
}

} // namespace

int runProxy(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Serve a VirtualService locally: route each request to its bound v1 endpoint and mirror "
        "it, fire and forget, as Istio would."));
    addCommonOptions(p, QStringLiteral("127.0.0.1:8080"));
    p.addOption({QStringLiteral("bind"),
                 QStringLiteral("HOST[:PORT][:SUBSET]=ADDRESS:PORT, e.g. "
                                "greeter-service:v1=127.0.0.1:3001 (repeat)"),
                 QStringLiteral("binding")});
    p.addOption({QStringLiteral("default-host"),
                 QStringLiteral("Route requests whose Host matches no VirtualService as if they "
                                "were for HOST (lets `curl 127.0.0.1:8080/` work)"),
                 QStringLiteral("HOST")});
    p.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("VirtualService YAML"),
                            QStringLiteral("FILE..."));
    if (!p.parse(arguments)) {
        err() << p.errorText() << "\n";
        return 2;
    }
    if (p.isSet(QStringLiteral("help"))) {
        out() << p.helpText();
        return 0;
    }
    Session::Runtime::Options options;
    double duration = 0;
    int interval = 2;
    QString error;
    Observe::NoiseRules noise;
    if (!commonOptions(p, &options, &duration, &interval, &error) ||
        !loadNoiseRules(p, &noise, &error)) {
        err() << "proxy: " << error << "\n";
        return 2;
    }
    options.defaultHost = p.value(QStringLiteral("default-host"));
    Proxy::Bindings bindings;
    if (!Proxy::Bindings::parseAll(p.values(QStringLiteral("bind")), &bindings, &error)) {
        err() << "proxy: " << error << "\n";
        return 2;
    }
    const QStringList files = p.positionalArguments();
    if (files.isEmpty()) {
        err() << "proxy: no FILE given\n" << usage();
        return 2;
    }
    std::vector<Yaml::Document> documents;
    Base::Diagnostics diagnostics;
    for (const QString &file : files) {
        Yaml::ParseResult parsed = Yaml::parseFile(file);
        diagnostics += parsed.diagnostics;
        for (Yaml::Document &d : parsed.documents)
            documents.push_back(std::move(d));
    }
    Validate::Options vo;
    vo.target = options.target;
    diagnostics += Validate::validate(documents, vo);
    bool unreadable = false;
    for (const Base::Diagnostic &d : diagnostics) {
        unreadable |= d.code == QLatin1String("MS0001");
        if (d.severity != Base::Severity::Info)
            err() << Base::formatDiagnostic(d) << "\n";
    }
    if (unreadable)
        return 2;
    if (Base::hasErrors(diagnostics)) {
        err() << "proxy: the configuration has errors (above); fix them first, as istiod would "
                 "reject it\n";
        return 1;
    }
    const Model::Config config = Model::Config::fromDocuments(documents);

    QCoreApplication::setApplicationName(QStringLiteral("mirrorscope"));
    ExportFiles exports;
    if (!exports.open(p, &error)) {
        err() << "proxy: " << error << "\n";
        return 2;
    }
    Session::Runtime runtime;
    // The CLI reads only the aggregates (report, summary line) and streams its exports from the
    // raw exchanges, so it keeps few whole exchanges: memory stays small on long runs.
    {
        Observe::StoreSettings store = runtime.hub()->storeSettings();
        store.capacity = 5000;
        runtime.hub()->setStoreSettings(store);
    }
    // Before start: the demo adds its own rules to these.
    runtime.hub()->withComparator([&noise](Observe::Comparator &c) { c.setNoiseRules(noise); });
    if (!runtime.start(config, bindings, options)) {
        err() << "proxy: " << runtime.errorString() << "\n";
        exports.discard();
        return 2;
    }
    exports.attach(runtime);
    out() << "mirrorscope proxy listening on http://" << runtime.listenText() << "\n";
    for (const QString &w : runtime.engineWarnings())
        err() << "warning: " << w << "\n";
    for (const QString &t : runtime.unboundTargets())
        err() << "warning: no binding for " << t
              << ": requests routed to it get 503 and mirrors to it are dropped (add --bind " << t
              << "=127.0.0.1:PORT)\n";
    err().flush();
    out().flush();
    QJsonObject base;
    base[QStringLiteral("command")] = QStringLiteral("proxy");
    base[QStringLiteral("files")] = QJsonArray::fromStringList(files);
    base[QStringLiteral("listen")] = runtime.listenText();
    base[QStringLiteral("istioVersion")] = options.target.toString();
    base[QStringLiteral("bindings")] = bindingsJson(runtime.bindings());
    base[QStringLiteral("startedAt")] = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    return runLoop(runtime, duration, interval, p.value(QStringLiteral("report")), base, false,
                   exports, p.value(QStringLiteral("metrics")));
}

int runDemo(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "The greeter demo, headless: built-in greeter v1 and v2, the proxy serving the greeter "
        "example (all traffic to v1, every request mirrored to v2) and generated traffic."));
    addCommonOptions(p, QStringLiteral("127.0.0.1:8080"));
    p.addOption({QStringLiteral("rate"), QStringLiteral("Requests per second (default 50)"),
                 QStringLiteral("R"), QStringLiteral("50")});
    p.addOption({QStringLiteral("file"),
                 QStringLiteral("Use this VirtualService instead of the greeter example"),
                 QStringLiteral("FILE")});
    if (!p.parse(arguments)) {
        err() << p.errorText() << "\n";
        return 2;
    }
    if (p.isSet(QStringLiteral("help"))) {
        out() << p.helpText();
        return 0;
    }
    Session::Runtime::Options options;
    double duration = 10;
    int interval = 2;
    QString error;
    Observe::NoiseRules noise;
    if (!commonOptions(p, &options, &duration, &interval, &error) ||
        !loadNoiseRules(p, &noise, &error)) {
        err() << "demo: " << error << "\n";
        return 2;
    }
    bool ok = false;
    const double rate = p.value(QStringLiteral("rate")).toDouble(&ok);
    if (!ok || rate <= 0 || rate > 1e6) {
        err() << "demo: --rate must be a number of requests per second > 0\n";
        return 2;
    }
    const QString file = p.isSet(QStringLiteral("file"))
                             ? p.value(QStringLiteral("file"))
                             : QStringLiteral(":/examples/greeter-mirror.yaml");
    Yaml::ParseResult parsed = Yaml::parseFile(file);
    if (Base::hasErrors(parsed.diagnostics)) {
        for (const Base::Diagnostic &d : parsed.diagnostics)
            err() << Base::formatDiagnostic(d) << "\n";
        return 2;
    }
    const Model::Config config = Model::Config::fromDocuments(parsed.documents);
    options.demoBackends = true;
    options.defaultHost = options.demoHost;
    ExportFiles exports;
    if (!exports.open(p, &error)) {
        err() << "demo: " << error << "\n";
        return 2;
    }

    // The demo is for a person at a laptop: if 8080 is taken, take any free port instead.
    if (options.proxy.listenPort != 0 && !p.isSet(QStringLiteral("listen"))) {
        QTcpServer probe;
        if (!probe.listen(options.proxy.listenAddress, options.proxy.listenPort))
            options.proxy.listenPort = 0;
    }
    Session::Runtime runtime;
    // The CLI reads only the aggregates (report, summary line) and streams its exports from the
    // raw exchanges, so it keeps few whole exchanges: memory stays small on long runs.
    {
        Observe::StoreSettings store = runtime.hub()->storeSettings();
        store.capacity = 5000;
        runtime.hub()->setStoreSettings(store);
    }
    // Before start: the demo adds its own rules to these.
    runtime.hub()->withComparator([&noise](Observe::Comparator &c) { c.setNoiseRules(noise); });
    if (!runtime.start(config, Proxy::Bindings(), options)) {
        err() << "demo: " << runtime.errorString() << "\n";
        exports.discard();
        return 2;
    }
    exports.attach(runtime);
    out() << "mirrorscope demo: greeter v1 and v2 on loopback, proxy on http://"
          << runtime.listenText() << " (try: curl http://" << runtime.listenText() << "/hello)\n";
    out() << "traffic: " << rate << " req/s, Poisson arrivals, "
          << (duration > 0 ? QString::number(duration) + QStringLiteral(" s")
                           : QStringLiteral("until Ctrl-C"))
          << "; every request goes to v1 and is mirrored to v2\n";
    out().flush();
    Demo::GeneratorConfig g;
    g.ratePerSecond = rate;
    g.durationSeconds = duration;
    g.host = options.demoHost.toUtf8();
    if (!runtime.startTraffic(g)) {
        err() << "demo: the traffic generator did not start\n";
        exports.discard();
        return 2;
    }
    QJsonObject base;
    base[QStringLiteral("command")] = QStringLiteral("demo");
    base[QStringLiteral("listen")] = runtime.listenText();
    base[QStringLiteral("rate")] = rate;
    base[QStringLiteral("istioVersion")] = options.target.toString();
    base[QStringLiteral("bindings")] = bindingsJson(runtime.bindings());
    base[QStringLiteral("startedAt")] = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    return runLoop(runtime, duration, interval, p.value(QStringLiteral("report")), base, true,
                   exports, p.value(QStringLiteral("metrics")));
}

} // namespace App
