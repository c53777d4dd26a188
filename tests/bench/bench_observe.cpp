// Observation pipeline: demo-like exchanges (see Generator) pushed through Observe::Hub::addBatch
// on one thread in batches of 100, as Session::Runtime feeds it, noise learning on: comparison,
// endpoint folding, aggregates, store. Prints exchanges/s (this thread's CPU time: one core) and
// the resident memory before and after the store fills to its bound, what a snapshot costs and
// where the time goes stage by stage; then PASS/FAIL against issue 4's targets (>= 50,000
// exchanges/s on one core, the store at its default bound under 300 MB). Exit code 0 either
// way: the numbers depend on the machine.
// Usage: bench_observe [EXCHANGES_AFTER_FILL] [STORE_CAPACITY]
#include "observe/endpoint.h"
#include "observe/hub.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>

namespace {

using Observe::Exchange;
using Observe::Leg;

// This thread's CPU time: on a shared machine wall time also counts other processes' turns.
qint64 cpuNs()
{
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Instructions this thread retires in user space (perf_event_open): unlike time, the same on a
// busy machine as on an idle one, so before/after comparisons hold. -1 where not permitted.
class InstructionCounter
{
public:
    InstructionCounter()
    {
        perf_event_attr attr;
        std::memset(&attr, 0, sizeof(attr));
        attr.type = PERF_TYPE_HARDWARE;
        attr.size = sizeof(attr);
        attr.config = PERF_COUNT_HW_INSTRUCTIONS;
        attr.exclude_kernel = 1;
        attr.exclude_hv = 1;
        m_fd = int(syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
    }
    ~InstructionCounter()
    {
        if (m_fd >= 0)
            close(m_fd);
    }
    qint64 read() const
    {
        quint64 value = 0;
        if (m_fd < 0 || ::read(m_fd, &value, sizeof(value)) != sizeof(value))
            return -1;
        return qint64(value);
    }

private:
    int m_fd = -1;
};

qint64 residentKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

quint64 fnv1a(const QByteArray &bytes)
{
    quint64 h = 0xcbf29ce484222325ULL;
    for (char c : bytes) {
        h ^= quint8(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

// Demo-like traffic, as the proxy records it from the greeter demo and from a small REST API
// behind it: 50 endpoints (/hello, /health and 12 resources x 4 routes with numeric ids), JSON
// bodies of a few hundred bytes, one mirror per exchange. v2 answers the same body (55 %), one
// field different (30 %), an added "locale" field like the demo's v2 (12 %) or 500/503 (3 %);
// /health answers text. Headers as a real server sends them (x-served-by and etag differ when
// the versions or the bodies do). Requests repeat (/hello always, ids from a small range) so
// noise learning finds two v1 answers to the same request, whose "time" field moves on each
// second. Every field gets its own allocation, as the proxy's parser gives them: shared
// literals would make the store look smaller than it is.
class Generator
{
public:
    Generator()
    {
        static const char *const resources[] = {
            "users",    "orders",  "products", "carts",     "invoices", "reviews",
            "payments", "coupons", "stores",   "shipments", "accounts", "sessions",
        };
        for (const char *r : resources) {
            const QByteArray base = QByteArray("/api/v1/") + r;
            m_routes.append({"GET", base, false, false, r});
            m_routes.append({"GET", base + '/', true, false, r});
            m_routes.append({"POST", base, false, true, r});
            m_routes.append({"GET", base + '/', true, false, r, "/history"});
        }
    }

    int endpoints() const { return int(m_routes.size()) + 2; }

    Exchange next(quint64 id, qint64 nowMs)
    {
        Exchange e;
        e.id = id;
        e.requestId = uuid();
        e.start = QDateTime::fromMSecsSinceEpoch(nowMs, Qt::UTC);
        e.startUs = qint64(id) * 20;
        const int pick = int(m_rng() % 100);
        const qint64 entity = 1 + qint64(m_rng() % 500);
        QByteArray resource = "greeting";
        bool text = false;
        if (pick < 30) {
            e.method = QByteArray("GET");
            e.path = QByteArray("/hello");
        } else if (pick < 35) {
            e.method = QByteArray("GET");
            e.path = QByteArray("/health");
            text = true;
        } else {
            const Route &r = m_routes.at(qsizetype(m_rng() % quint64(m_routes.size())));
            resource = r.resource;
            e.method = QByteArray(r.method);
            e.path = QByteArray(r.path);
            if (r.withId)
                e.path += QByteArray::number(entity) + r.suffix;
            if (r.withBody) {
                e.requestBodyPrefix =
                    QByteArray(R"({"name":")") + r.resource + '-' + QByteArray::number(entity) +
                    QByteArray(R"(","email":"user)") + QByteArray::number(entity) +
                    QByteArray(R"(@example.com","tags":["a","b"]})");
                e.requestBodySize = e.requestBodyPrefix.size();
            }
        }
        e.authority = QByteArray("greeter-service");
        e.requestHeaders = {
            {QByteArray("host"), QByteArray("greeter-service")},
            {QByteArray("user-agent"), QByteArray("mirrorscope-demo/0.4")},
            {QByteArray("accept"), QByteArray("application/json")},
            {QByteArray("accept-encoding"), QByteArray("identity")},
            {QByteArray("x-request-id"), QByteArray(e.requestId)},
            {QByteArray("x-forwarded-proto"), QByteArray("http")},
            {QByteArray("traceparent"),
             QByteArray("00-") + uuid().replace('-', "") + QByteArray("-00f067aa0ba902b7-01")},
        };
        if (!e.requestBodyPrefix.isEmpty()) {
            e.requestHeaders.append({QByteArray("content-type"), QByteArray("application/json")});
            e.requestHeaders.append(
                {QByteArray("content-length"), QByteArray::number(e.requestBodySize)});
        }
        e.virtualService = m_vs;
        e.ruleIndex = 0;
        e.ruleName = m_rule;

        const int variant = int(m_rng() % 100);
        const bool fail = variant >= 97;
        const int status = e.method == "POST" ? 201 : 200;
        QByteArray v1Body, v2Body, type;
        if (text) {
            type = "text/plain; charset=utf-8";
            v1Body = QByteArray("ok v1\n");
            v2Body = QByteArray("ok v2\n");
        } else {
            type = "application/json";
            v1Body = body(resource, entity, nowMs, Variant::Same);
            v2Body = body(resource, entity, nowMs,
                          variant < 55   ? Variant::Same
                          : variant < 85 ? Variant::OneField
                                         : Variant::Locale);
        }
        e.primary = leg(e, m_v1, status, type, v1Body, 1500 + qint64(m_rng() % 3000));
        if (fail && !text) {
            const int code = m_rng() % 2 ? 500 : 503;
            v2Body = QByteArray(R"({"error":"injected failure","version":"v2","locale":"en"})");
            e.mirrors.append(leg(e, m_v2, code, type, v2Body, 8000 + qint64(m_rng() % 30000)));
        } else {
            e.mirrors.append(leg(e, m_v2, status, type, v2Body, 8000 + qint64(m_rng() % 30000)));
        }
        return e;
    }

private:
    struct Route
    {
        const char *method;
        QByteArray path;
        bool withId;
        bool withBody;
        const char *resource;
        const char *suffix = "";
    };
    enum class Variant { Same, OneField, Locale };

    QByteArray uuid()
    {
        static const char hex[] = "0123456789abcdef";
        QByteArray out(36, '-');
        for (int i = 0; i < 36; ++i) {
            if (i != 8 && i != 13 && i != 18 && i != 23)
                out[i] = hex[m_rng() % 16];
        }
        return out;
    }

    // 250-600 bytes; what a request answers depends on the request only, but for "time" (ISO,
    // whole seconds of the clock: two v1 answers a second apart differ there).
    static QByteArray body(const QByteArray &resource, qint64 entity, qint64 nowMs, Variant variant)
    {
        const QByteArray id = QByteArray::number(entity);
        QByteArray b = QByteArray(R"({"id":)") + id + QByteArray(R"(,"name":")") + resource + '-' +
                       id + QByteArray(R"(","status":")") +
                       (variant == Variant::OneField ? "ACTIVE" : "active") +
                       QByteArray(R"(","host":"greeter-7d9f8c6b5-x2k4q")");
        if (variant == Variant::Locale)
            b += R"(,"locale":"en")";
        b += QByteArray(R"(,"time":")") +
             QDateTime::fromMSecsSinceEpoch(nowMs / 1000 * 1000, Qt::UTC)
                 .toString(Qt::ISODate)
                 .toLatin1() +
             QByteArray(R"(","items":[)");
        const int items = 1 + int(entity % 4);
        for (int i = 0; i < items; ++i) {
            if (i)
                b += ',';
            b += QByteArray(R"({"sku":"SKU-)") + QByteArray::number(entity * 10 + i) +
                 QByteArray(R"(","qty":)") + QByteArray::number(1 + i) +
                 QByteArray(R"(,"price":)") + QByteArray::number(9.99 + i * 5 + entity % 7) +
                 QByteArray(R"(,"tags":["new","sale"]})");
        }
        b += QByteArray(R"(],"links":{"self":"/api/v1/)") + resource + '/' + id +
             QByteArray(R"(","next":null}})");
        return b;
    }

    Leg leg(const Exchange &e, const QString &subset, int status, const QByteArray &type,
            const QByteArray &body, qint64 totalUs)
    {
        Leg l;
        l.destination = {m_host, subset, 0};
        l.endpoint = subset == m_v2 ? m_v2Endpoint : m_v1Endpoint;
        l.status = status;
        l.bodyPrefix = QByteArray(body.constData(), body.size()); // its own allocation
        l.bodySize = l.bodyPrefix.size();
        l.bodyHash = fnv1a(l.bodyPrefix);
        l.responseHeaders = {
            {QByteArray("Content-Type"), QByteArray(type)},
            {QByteArray("Content-Length"), QByteArray::number(l.bodySize)},
            {QByteArray("Date"), QByteArray("Sat, 01 Jun 2024 12:00:") +
                                     QByteArray::number(10 + e.start.time().second() % 50) +
                                     QByteArray(" GMT")},
            {QByteArray("Server"), QByteArray("greeter")},
            {QByteArray("Cache-Control"), QByteArray("no-store")},
            {QByteArray("ETag"),
             QByteArray("W/\"") + QByteArray::number(l.bodyHash & 0xffffffff, 16) + '"'},
            {QByteArray("Vary"), QByteArray("Accept-Encoding")},
            {QByteArray("x-served-by"), QByteArray("greeter-") + subset.toUtf8()},
            {QByteArray("x-request-id"), QByteArray(e.requestId)},
        };
        l.connectUs = 50;
        l.firstByteUs = totalUs - 100;
        l.totalUs = totalUs;
        return l;
    }

    std::mt19937_64 m_rng{20240601};
    QList<Route> m_routes;
    // Shared as the route engine shares them.
    const QString m_host = QStringLiteral("greeter-service");
    const QString m_v1 = QStringLiteral("v1");
    const QString m_v2 = QStringLiteral("v2");
    const QString m_vs = QStringLiteral("greeter");
    const QString m_rule = QStringLiteral("mirror-to-v2");
    const QString m_v1Endpoint = QStringLiteral("127.0.0.1:3001");
    const QString m_v2Endpoint = QStringLiteral("127.0.0.1:3002");
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const qint64 extra = argc > 1 ? QByteArray(argv[1]).toLongLong() : 200000;
    Observe::StoreSettings settings;
    if (argc > 2)
        settings.capacity = QByteArray(argv[2]).toInt();
    constexpr int kBatch = 100; // Runtime drains the proxy's exchanges in batches about this size

    auto now = std::make_shared<std::atomic<qint64>>(QDateTime::currentMSecsSinceEpoch());
    Observe::Hub hub(settings, [now] { return now->load(); });
    Generator generator;
    quint64 id = 0;
    qint64 hubNs = 0;
    qint64 hubCpuNs = 0;
    qint64 lastCpuNs = 0;
    const InstructionCounter instructions;
    qint64 hubInstructions = 0;
    auto run = [&](qint64 count) {
        qint64 done = 0;
        qint64 ns = 0;
        qint64 cpu = 0;
        while (done < count) {
            QList<Exchange> batch;
            const int n = int(std::min<qint64>(kBatch, count - done));
            batch.reserve(n);
            for (int i = 0; i < n; ++i)
                batch.append(generator.next(++id, now->load()));
            QElapsedTimer t;
            t.start();
            const qint64 i0 = instructions.read();
            const qint64 c0 = cpuNs();
            hub.addBatch(batch);
            cpu += cpuNs() - c0;
            hubInstructions += instructions.read() - i0;
            ns += t.nsecsElapsed();
            *now += 2; // 100 exchanges per 2 ms of the fake clock: 50,000/s
            done += n;
        }
        hubNs += ns;
        hubCpuNs += cpu;
        lastCpuNs = cpu;
        return ns;
    };

    const qint64 rssBefore = residentKiB();
    std::printf("store bound %d exchanges, body cap %d B/leg, body budget %lld MiB\n",
                settings.capacity, settings.bodyCapBytes,
                static_cast<long long>(settings.bodyBudgetBytes >> 20));
    std::printf("RSS before: %.1f MB\n", rssBefore / 1024.0);

    const qint64 fillNs = run(settings.capacity);
    const qint64 rssFull = residentKiB();
    auto snap = hub.snapshot();
    std::printf("fill %d: %.0f exchanges/s wall, %.0f/s CPU; RSS after fill: %.1f MB (+%.1f MB), "
                "store payload %.1f MB (%lld stored, %llu without bodies)\n",
                settings.capacity, settings.capacity / (fillNs / 1e9),
                settings.capacity / (lastCpuNs / 1e9), rssFull / 1024.0,
                (rssFull - rssBefore) / 1024.0, snap->storeBytes / 1048576.0,
                static_cast<long long>(snap->stored),
                static_cast<unsigned long long>(snap->storeBodiesDropped));

    const qint64 steadyNs = run(extra);
    const qint64 rssAfter = residentKiB();
    snap = hub.snapshot();
    std::printf("steady %lld more (store at its bound, evicting): %.0f exchanges/s wall "
                "(%.2f us each), %.0f/s CPU (%.2f us each); RSS %.1f MB\n",
                static_cast<long long>(extra), extra / (steadyNs / 1e9), steadyNs / 1e3 / extra,
                extra / (lastCpuNs / 1e9), lastCpuNs / 1e3 / extra, rssAfter / 1024.0);

    // A 10 Hz UI: each snapshot after new data is a rebuild.
    QElapsedTimer t;
    t.start();
    constexpr int kSnapshots = 50;
    for (int i = 0; i < kSnapshots; ++i) {
        *now += 100;
        snap = hub.snapshot();
    }
    std::printf("snapshot rebuild: %.2f ms (%lld endpoints, %lld versions, %lld points/version)\n",
                t.nsecsElapsed() / 1e6 / kSnapshots, static_cast<long long>(snap->endpoints.size()),
                static_cast<long long>(snap->versions.size()),
                static_cast<long long>(snap->series.value(0).tiers[0].size() +
                                       snap->series.value(0).tiers[1].size() +
                                       snap->series.value(0).tiers[2].size()));

    // Where the time goes: the same kind of exchanges through each stage on its own.
    {
        Observe::Comparator comparator;
        Observe::Aggregates aggregates(now->load());
        Observe::Store store;
        volatile qsizetype templateChars = 0; // keeps the templates from being optimised away
        qint64 compareNs = 0, templateNs = 0, packNs = 0, insertNs = 0, aggregateNs = 0;
        constexpr int kStage = 20000;
        for (int done = 0; done < kStage; done += kBatch) {
            QList<Exchange> batch;
            for (int i = 0; i < kBatch; ++i)
                batch.append(generator.next(++id, now->load()));
            // Stage by stage over the batch (as the hub runs them: a batch at a time).
            QList<QList<Observe::Comparison>> compared;
            QList<QString> endpoints;
            std::vector<Observe::Store::Packed> packed;
            // The comparator hands out the endpoint template it computes (as in the hub).
            endpoints.resize(kBatch);
            qint64 s = cpuNs();
            for (int i = 0; i < kBatch; ++i)
                compared.append(comparator.compare(batch[i], &endpoints[i]));
            compareNs += cpuNs() - s;
            // What computing the template again would cost (the hub no longer does).
            s = cpuNs();
            for (const Exchange &e : batch)
                templateChars += Observe::endpointTemplate(e.method, e.path).size();
            templateNs += cpuNs() - s;
            s = cpuNs();
            for (int i = 0; i < kBatch; ++i)
                packed.push_back(
                    Observe::Store::pack(batch[i], compared[i], settings.bodyCapBytes));
            packNs += cpuNs() - s;
            s = cpuNs();
            for (Observe::Store::Packed &p : packed)
                store.insert(std::move(p));
            insertNs += cpuNs() - s;
            s = cpuNs();
            for (int i = 0; i < kBatch; ++i)
                aggregates.add(batch[i], compared[i], now->load(), endpoints[i]);
            aggregateNs += cpuNs() - s;
            *now += 2;
        }
        std::printf("per exchange (CPU, stage by stage over 100-exchange batches): compare "
                    "(endpoint template included) %.2f us, [endpoint template alone %.2f us, not "
                    "repeated by the hub], pack %.2f us, "
                    "store insert %.2f us, aggregates %.2f us\n",
                    compareNs / 1e3 / kStage, templateNs / 1e3 / kStage, packNs / 1e3 / kStage,
                    insertNs / 1e3 / kStage, aggregateNs / 1e3 / kStage);
    }

    const Observe::PairSummary &p = snap->pairing;
    std::printf(
        "pairs %llu compared %llu: status mismatches %llu, header %llu, body %llu; "
        "top field %s (%llu)\n",
        static_cast<unsigned long long>(p.pairs), static_cast<unsigned long long>(p.comparable),
        static_cast<unsigned long long>(p.statusMismatches),
        static_cast<unsigned long long>(p.headerMismatches),
        static_cast<unsigned long long>(p.bodyMismatches),
        p.topFields.isEmpty() ? "-" : qPrintable(p.topFields.first().path),
        static_cast<unsigned long long>(p.topFields.isEmpty() ? 0 : p.topFields.first().count));
    std::printf("comparator: %s\n", p.bodyMismatches ? "compares bodies (diffs found)"
                                                     : "status only (no body diffs found)");
    const double hubExchanges = double(settings.capacity + extra);
    const double cpuRate = hubExchanges / (hubCpuNs / 1e9);
    std::printf("total: %.0f exchanges through the hub, %.0f exchanges/s wall, %.0f/s CPU\n",
                hubExchanges, hubExchanges / (hubNs / 1e9), cpuRate);
    if (instructions.read() >= 0)
        std::printf("hub: %.0f instructions per exchange (user space; independent of the load)\n",
                    double(hubInstructions) / hubExchanges);
    else
        std::printf("hub: instructions per exchange not available (no hardware counters)\n");
    std::printf("%s: %.0f exchanges/s on one core (CPU time of the hub's thread), target 50000\n",
                cpuRate >= 50000 ? "PASS" : "FAIL", cpuRate);
    const double rssMb = std::max(rssFull, rssAfter) / 1024.0;
    std::printf("%s: RSS %.1f MB with the store at its bound of %d, target < 300 MB\n",
                rssMb < 300 ? "PASS" : "FAIL", rssMb, settings.capacity);
    return 0;
}
