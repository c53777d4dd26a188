// Observation pipeline: generated greeter-like exchanges (JSON bodies 0.2-2 KiB, a primary and
// one mirror, v2 adding a field and answering 3 % 5xx) pushed through Observe::Hub on one thread:
// comparison, aggregates, store. Prints exchanges/s, the resident memory before and after the
// store fills to its bound, and what a snapshot costs. Numbers only, never pass/fail.
// Usage: bench_observe [EXCHANGES_AFTER_FILL] [STORE_CAPACITY]
#include "observe/endpoint.h"
#include "observe/hub.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <atomic>
#include <cstdio>
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

// Every field gets its own allocation, as the proxy's parser gives them: shared literals would
// make the store look smaller than it is.
class Generator
{
public:
    Exchange next(quint64 id, qint64 nowMs)
    {
        Exchange e;
        e.id = id;
        e.requestId = uuid();
        e.start = QDateTime::fromMSecsSinceEpoch(nowMs, Qt::UTC);
        e.startUs = qint64(id) * 20;
        const int route = int(m_rng() % 10);
        const qint64 user = qint64(m_rng() % 100000);
        if (route < 5) {
            e.method = QByteArray("GET");
            e.path = QByteArray("/hello?name=user") + QByteArray::number(user);
        } else if (route < 8) {
            e.method = QByteArray("GET");
            e.path = QByteArray("/users/") + QByteArray::number(user);
        } else if (route < 9) {
            e.method = QByteArray("POST");
            e.path = QByteArray("/users");
            e.requestBodyPrefix = QByteArray(R"({"name":"user)") + QByteArray::number(user) +
                                  QByteArray(R"(","email":"user)") + QByteArray::number(user) +
                                  QByteArray(R"(@example.com"})");
            e.requestBodySize = e.requestBodyPrefix.size();
        } else {
            e.method = QByteArray("GET");
            e.path = QByteArray("/health");
        }
        e.authority = QByteArray("greeter-service");
        e.requestHeaders = {
            {QByteArray("host"), QByteArray("greeter-service")},
            {QByteArray("user-agent"), QByteArray("mirrorscope-demo/0.4")},
            {QByteArray("accept"), QByteArray("application/json")},
            {QByteArray("x-request-id"), QByteArray(e.requestId)},
            {QByteArray("x-forwarded-proto"), QByteArray("http")},
        };
        if (!e.requestBodyPrefix.isEmpty())
            e.requestHeaders.append(
                {QByteArray("content-length"), QByteArray::number(e.requestBodySize)});
        e.virtualService = m_vs;
        e.ruleIndex = 0;
        e.ruleName = m_rule;

        const qint64 time = nowMs;
        // Both versions answer the same request with the same data: one size per exchange.
        m_size = std::uniform_int_distribution<int>(200, 2048)(m_rng);
        e.primary = leg(e, m_v1, 200, time, false, 2000 + qint64(m_rng() % 3000));
        const bool fail = m_rng() % 100 < 3;
        e.mirrors.append(leg(e, m_v2, fail ? (m_rng() % 2 ? 500 : 503) : 200, time + 3, true,
                             8000 + qint64(m_rng() % 30000)));
        return e;
    }

private:
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

    QByteArray body(const QString &version, qint64 time, bool v2, int size)
    {
        QByteArray b = QByteArray(R"({"greeting":"Hello from greeter )") + version.toUtf8() +
                       QByteArray(R"(","version":")") + version.toUtf8() +
                       QByteArray(R"(","host":"greeter-)") + version.toUtf8() +
                       QByteArray(R"(-7d9f8c6b5-x2k4q","time":")") + QByteArray::number(time) + '"';
        if (v2)
            b += R"(,"locale":"en")";
        b += R"(,"items":[)";
        for (int i = 0; b.size() < size - 40; ++i) {
            if (i)
                b += ',';
            b += R"({"id":)" + QByteArray::number(i) + R"(,"name":"item )" + QByteArray::number(i) +
                 R"(","price":)" + QByteArray::number(i * 3 + 1) + '}';
        }
        b += "]}";
        return b;
    }

    Leg leg(const Exchange &e, const QString &subset, int status, qint64 time, bool v2,
            qint64 totalUs)
    {
        Leg l;
        l.destination = {m_host, subset, 0};
        l.endpoint = v2 ? m_v2Endpoint : m_v1Endpoint;
        l.status = status;
        if (status >= 500) {
            l.bodyPrefix = QByteArray(R"({"error":"injected failure","status":)") +
                           QByteArray::number(status) + '}';
        } else {
            l.bodyPrefix = body(subset, time, v2, m_size);
        }
        l.bodySize = l.bodyPrefix.size();
        l.bodyHash = fnv1a(l.bodyPrefix);
        l.responseHeaders = {
            {QByteArray("content-type"), QByteArray("application/json")},
            {QByteArray("content-length"), QByteArray::number(l.bodySize)},
            {QByteArray("date"), QByteArray("Tue, 14 Nov 2023 22:13:") +
                                     QByteArray::number(10 + time / 1000 % 50) +
                                     QByteArray(" GMT")},
            {QByteArray("server"), QByteArray("greeter/") + subset.toUtf8()},
            {QByteArray("x-request-id"), QByteArray(e.requestId)},
        };
        l.connectUs = 50;
        l.firstByteUs = totalUs - 100;
        l.totalUs = totalUs;
        return l;
    }

    std::mt19937_64 m_rng{20240601};
    int m_size = 200;
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
    constexpr int kBatch = 500;

    auto now = std::make_shared<std::atomic<qint64>>(QDateTime::currentMSecsSinceEpoch());
    Observe::Hub hub(settings, [now] { return now->load(); });
    Generator generator;
    quint64 id = 0;
    qint64 hubNs = 0;
    qint64 hubCpuNs = 0;
    qint64 lastCpuNs = 0;
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
            const qint64 c0 = cpuNs();
            hub.addBatch(batch);
            cpu += cpuNs() - c0;
            ns += t.nsecsElapsed();
            *now += 10; // 500 exchanges per 10 ms of the fake clock: 50,000/s
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
            qint64 s = cpuNs();
            for (const Exchange &e : batch)
                compared.append(comparator.compare(e));
            compareNs += cpuNs() - s;
            s = cpuNs();
            for (const Exchange &e : batch)
                endpoints.append(Observe::endpointTemplate(e.method, e.path));
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
            *now += 10;
        }
        std::printf("per exchange (CPU, stage by stage over 500-exchange batches): compare %.2f "
                    "us, endpoint template %.2f "
                    "us, pack %.2f us, "
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
    std::printf("total: %.0f exchanges through the hub, %.0f exchanges/s wall, %.0f/s CPU\n",
                hubExchanges, hubExchanges / (hubNs / 1e9), hubExchanges / (hubCpuNs / 1e9));
    return 0;
}
