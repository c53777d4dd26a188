#include "observe/metrics.h"
#include "observe/metricsserver.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QThread>
#include <QtTest>

#include <atomic>

using namespace Observe;

namespace {

// ------------------------------------------------------------------ exposition parsing ---

struct Sample
{
    QByteArray name;
    QMap<QString, QString> labels;
    QByteArray value;
};

struct Exposition
{
    QList<Sample> samples;
    QMap<QByteArray, QByteArray> types; // family -> type
    QMap<QByteArray, QByteArray> help;
    QString error; // the first format problem found, with its line

    // Sum of the samples named `name` whose labels include all of `match`.
    double sum(const QByteArray &name, const QMap<QString, QString> &match = {}) const
    {
        double total = 0;
        for (const Sample &s : samples) {
            if (s.name != name)
                continue;
            bool ok = true;
            for (auto it = match.begin(); it != match.end() && ok; ++it)
                ok = s.labels.value(it.key(), QStringLiteral("\x01")) == it.value();
            if (ok)
                total += s.value.toDouble();
        }
        return total;
    }
    QList<Sample> find(const QByteArray &name, const QMap<QString, QString> &match = {}) const
    {
        QList<Sample> out;
        for (const Sample &s : samples) {
            bool ok = s.name == name;
            for (auto it = match.begin(); it != match.end() && ok; ++it)
                ok = s.labels.value(it.key(), QStringLiteral("\x01")) == it.value();
            if (ok)
                out << s;
        }
        return out;
    }
};

QByteArray familyOf(const QByteArray &sample, const QMap<QByteArray, QByteArray> &types)
{
    if (types.contains(sample))
        return sample;
    for (const char *suffix : {"_bucket", "_sum", "_count"}) {
        if (sample.endsWith(suffix)) {
            const QByteArray base = sample.chopped(int(qstrlen(suffix)));
            if (types.value(base) == "histogram")
                return base;
        }
    }
    return {};
}

// A strict reader of the text format 0.0.4: HELP and TYPE once per family and before its
// samples, a family's samples together, label values unescaped.
Exposition parse(const QByteArray &text)
{
    Exposition e;
    if (!text.endsWith('\n'))
        e.error = QStringLiteral("does not end with a newline");
    QByteArray current;
    QSet<QByteArray> closed;
    int lineNo = 0;
    for (const QByteArray &line : text.split('\n')) {
        ++lineNo;
        auto fail = [&](const QString &why) {
            if (e.error.isEmpty())
                e.error =
                    QStringLiteral("line %1: %2: %3").arg(lineNo).arg(why, QString::fromUtf8(line));
        };
        if (line.isEmpty())
            continue;
        if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
            const QList<QByteArray> parts = line.mid(7).split(' ');
            const QByteArray name = parts.value(0);
            if (name != current) {
                if (closed.contains(name))
                    fail(QStringLiteral("family appears twice"));
                if (!current.isEmpty())
                    closed.insert(current);
                current = name;
            }
            if (line.startsWith("# TYPE ")) {
                if (e.types.contains(name))
                    fail(QStringLiteral("second TYPE"));
                e.types[name] = parts.value(1);
            } else {
                if (e.help.contains(name))
                    fail(QStringLiteral("second HELP"));
                e.help[name] = line.mid(7 + name.size() + 1);
            }
            continue;
        }
        if (line.startsWith('#'))
            continue;
        Sample s;
        int i = 0;
        while (i < line.size() && line[i] != '{' && line[i] != ' ')
            ++i;
        s.name = line.left(i);
        if (i < line.size() && line[i] == '{') {
            ++i;
            while (i < line.size() && line[i] != '}') {
                const int eq = line.indexOf('=', i);
                if (eq < 0 || eq + 1 >= line.size() || line[eq + 1] != '"') {
                    fail(QStringLiteral("bad label"));
                    break;
                }
                const QString key = QString::fromUtf8(line.mid(i, eq - i));
                QByteArray value;
                int j = eq + 2;
                for (; j < line.size() && line[j] != '"'; ++j) {
                    if (line[j] == '\\' && j + 1 < line.size()) {
                        const char n = line[++j];
                        value += n == 'n' ? '\n' : n;
                        if (n != 'n' && n != '\\' && n != '"')
                            fail(QStringLiteral("bad escape"));
                    } else {
                        value += line[j];
                    }
                }
                if (s.labels.contains(key))
                    fail(QStringLiteral("label twice"));
                s.labels[key] = QString::fromUtf8(value);
                i = j + 1;
                if (i < line.size() && line[i] == ',')
                    ++i;
            }
            ++i; // '}'
        }
        if (i >= line.size() || line[i] != ' ')
            fail(QStringLiteral("no value"));
        s.value = line.mid(i + 1);
        bool ok = false;
        s.value.toDouble(&ok);
        if (!ok && s.value != "+Inf")
            fail(QStringLiteral("value is not a number"));
        const QByteArray family = familyOf(s.name, e.types);
        if (family.isEmpty() || family != current)
            fail(QStringLiteral("sample outside its family"));
        e.samples << s;
    }
    return e;
}

// --------------------------------------------------------------------------- exchanges ---

Leg leg(const QString &host, const QString &subset, int status, qint64 totalUs,
        qint64 bodySize = 10)
{
    Leg l;
    l.destination.host = host;
    l.destination.subset = subset;
    l.status = status;
    l.totalUs = totalUs;
    l.bodySize = bodySize;
    return l;
}

const QString kHost = QStringLiteral("greeter-service.default.svc.cluster.local");

Exchange exchange(int primaryStatus = 200, qint64 primaryUs = 2000)
{
    Exchange e;
    e.method = "GET";
    e.authority = "greeter-service";
    e.path = "/hello";
    e.ruleIndex = 0;
    e.requestBodySize = 0;
    e.primary = leg(kHost, QStringLiteral("v1"), primaryStatus, primaryUs);
    return e;
}

Exchange mirrored(int mirrorStatus, Leg::Outcome outcome = Leg::Outcome::Completed)
{
    Exchange e = exchange();
    Leg m = leg(kHost, QStringLiteral("v2"), mirrorStatus, 9000);
    m.outcome = outcome;
    e.mirrors << m;
    return e;
}

QMap<QString, QString> labels(std::initializer_list<std::pair<QString, QString>> list)
{
    QMap<QString, QString> m;
    for (const auto &p : list)
        m.insert(p.first, p.second);
    return m;
}

// ------------------------------------------------------------------------------- HTTP ---

struct Response
{
    int status = 0;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    bool closed = false;
};

// Parses one response from `data` (Content-Length framed); nullopt while incomplete.
std::optional<Response> takeResponse(QByteArray &data, bool head)
{
    const int end = data.indexOf("\r\n\r\n");
    if (end < 0)
        return std::nullopt;
    Response r;
    const QList<QByteArray> lines = data.left(end).split('\n');
    r.status = lines.value(0).split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const int colon = lines[i].indexOf(':');
        r.headers[lines[i].left(colon).trimmed().toLower()] = lines[i].mid(colon + 1).trimmed();
    }
    const int length = head ? 0 : r.headers.value("content-length").toInt();
    if (data.size() < end + 4 + length)
        return std::nullopt;
    r.body = data.mid(end + 4, length);
    data.remove(0, end + 4 + length);
    return r;
}

// A client on the test's event loop (the server lives in the same thread, so nothing blocks).
class Client
{
public:
    explicit Client(quint16 port)
    {
        QObject::connect(&m_socket, &QTcpSocket::readyRead,
                         [this] { m_data += m_socket.readAll(); });
        m_socket.connectToHost(QHostAddress::LocalHost, port);
    }
    void send(const QByteArray &raw) { m_socket.write(raw); }
    // head: the answer to a HEAD request (no body follows its Content-Length).
    std::optional<Response> receive(bool head = false, int timeoutMs = 5000)
    {
        std::optional<Response> r;
        if (!QTest::qWaitFor([&] { return bool(r = takeResponse(m_data, head)); }, timeoutMs))
            return std::nullopt;
        return r;
    }
    QByteArray unread() const { return m_data; }
    bool waitClosed(int timeoutMs = 5000)
    {
        return QTest::qWaitFor(
            [&] { return m_socket.state() == QAbstractSocket::UnconnectedState; }, timeoutMs);
    }
    QTcpSocket &socket() { return m_socket; }

private:
    QTcpSocket m_socket;
    QByteArray m_data;
};

} // namespace

class TestMetrics : public QObject
{
    Q_OBJECT
private slots:
    void requestsAreSplitByMirroredAndVersion();
    void histogramsAreCumulative();
    void bytesHistograms();
    void labelValuesAreEscaped();
    void responseFlags_data();
    void responseFlags();
    void comparisonsAndMismatchKinds();
    void proxyStats();
    void formatIsValidForPromtool();
    void feedAndRenderOnTwoThreads();
    void resetStartsOver();

    void serverAnswersMetrics();
    void serverIndexNotFoundAndMethods();
    void serverKeepAliveAndSeveralScrapers();
    void serverLimits();
    void serverRefusesNonLoopback();
    void parseAddress();
};

void TestMetrics::requestsAreSplitByMirroredAndVersion()
{
    Metrics m;
    QList<Exchange> batch;
    for (int i = 0; i < 3; ++i)
        batch << exchange();
    batch << mirrored(500) << mirrored(200);
    batch << mirrored(0, Leg::Outcome::SampledOut);
    Exchange dropped = mirrored(0, Leg::Outcome::Dropped);
    dropped.mirrors[0].dropReason = QStringLiteral("in-flight limit");
    batch << dropped;
    m.addBatch(batch);

    const Exposition e = parse(m.render());
    QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
    QCOMPARE(e.types.value("istio_requests_total"), QByteArray("counter"));
    // 7 primaries (every exchange), 2 mirrors that were sent: SampledOut/Dropped are no requests.
    QCOMPARE(e.sum("istio_requests_total", labels({{"mirrored", "false"}})), 7.0);
    QCOMPARE(e.sum("istio_requests_total", labels({{"mirrored", "true"}})), 2.0);
    QCOMPARE(
        e.sum("istio_requests_total", labels({{"mirrored", "true"}, {"response_code", "500"}})),
        1.0);
    const QList<Sample> v1 = e.find("istio_requests_total", labels({{"mirrored", "false"}}));
    QCOMPARE(v1.size(), 1);
    QCOMPARE(v1[0].labels, labels({{"reporter", "source"},
                                   {"destination_service", kHost},
                                   {"destination_service_name", "greeter-service"},
                                   {"destination_version", "v1"},
                                   {"response_code", "200"},
                                   {"request_protocol", "http"},
                                   {"response_flags", "-"},
                                   {"mirrored", "false"}}));
    QCOMPARE(e.sum("istio_requests_total", labels({{"destination_version", "v2"}})), 2.0);

    QCOMPARE(e.sum("mirrorscope_exchanges_total"), 7.0);
    QCOMPARE(e.sum("mirrorscope_mirrors_total", labels({{"outcome", "completed"}})), 2.0);
    QCOMPARE(e.sum("mirrorscope_mirrors_total", labels({{"outcome", "sampled_out"}})), 1.0);
    QCOMPARE(e.sum("mirrorscope_mirrors_total", labels({{"outcome", "dropped"}})), 1.0);
    QCOMPARE(e.sum("mirrorscope_mirror_drops_total",
                   labels({{"reason", "in_flight_limit"}, {"destination_version", "v2"}})),
             1.0);
    QCOMPARE(e.sum("mirrorscope_mirror_drops_total"), 1.0);
    // No comparisons were given: nothing counted as compared.
    QCOMPARE(e.sum("mirrorscope_comparisons_total"), 0.0);
    // No proxy stats given: no proxy metrics.
    QVERIFY(!e.types.contains("mirrorscope_proxy_requests_total"));
}

void TestMetrics::histogramsAreCumulative()
{
    Metrics m;
    // 0.4 ms, exactly 1 ms (le is inclusive), 3 ms, 700 ms, and 70 minutes (above every bound).
    const QList<qint64> us{400, 1000, 3000, 700000, 4200000000LL};
    for (qint64 t : us)
        m.add(exchange(200, t));
    const Exposition e = parse(m.render());
    QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
    QCOMPARE(e.types.value("istio_request_duration_milliseconds"), QByteArray("histogram"));
    const QList<Sample> buckets = e.find("istio_request_duration_milliseconds_bucket");
    QCOMPARE(buckets.size(), int(Metrics::defaultBuckets().size()) + 1);
    QStringList les;
    double previous = 0;
    for (const Sample &s : buckets) {
        les << s.labels.value(QStringLiteral("le"));
        QVERIFY2(s.value.toDouble() >= previous, "buckets must be cumulative");
        previous = s.value.toDouble();
    }
    QCOMPARE(les, QStringList({"0.5",   "1",      "5",      "10",      "25",      "50",    "100",
                               "250",   "500",    "1000",   "2500",    "5000",    "10000", "30000",
                               "60000", "300000", "600000", "1800000", "3600000", "+Inf"}));
    auto bucket = [&](const char *le) {
        return e.sum("istio_request_duration_milliseconds_bucket",
                     labels({{"le", QString::fromLatin1(le)}}));
    };
    QCOMPARE(bucket("0.5"), 1.0);
    QCOMPARE(bucket("1"), 2.0);
    QCOMPARE(bucket("5"), 3.0);
    QCOMPARE(bucket("500"), 3.0);
    QCOMPARE(bucket("1000"), 4.0);
    QCOMPARE(bucket("3600000"), 4.0);
    QCOMPARE(bucket("+Inf"), 5.0);
    QCOMPARE(e.sum("istio_request_duration_milliseconds_count"), 5.0);
    QCOMPARE(e.sum("istio_request_duration_milliseconds_sum"), 0.4 + 1.0 + 3.0 + 700.0 + 4200000.0);
    // Every series carries the request's labels on its buckets, _sum and _count.
    for (const Sample &s : e.find("istio_request_duration_milliseconds_count"))
        QCOMPARE(s.labels.value(QStringLiteral("destination_version")), QStringLiteral("v1"));
}

void TestMetrics::bytesHistograms()
{
    Metrics m;
    Exchange e1 = mirrored(200);
    e1.requestBodySize = 1234;
    e1.primary.bodySize = 7;
    e1.mirrors[0].bodySize = 70000;
    m.add(e1);
    const Exposition e = parse(m.render());
    QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
    QCOMPARE(e.types.value("istio_request_bytes"), QByteArray("histogram"));
    QCOMPARE(e.types.value("istio_response_bytes"), QByteArray("histogram"));
    // The mirror carries the same request body.
    QCOMPARE(e.sum("istio_request_bytes_sum", labels({{"mirrored", "true"}})), 1234.0);
    QCOMPARE(e.sum("istio_request_bytes_bucket", labels({{"mirrored", "true"}, {"le", "1000"}})),
             0.0);
    QCOMPARE(e.sum("istio_request_bytes_bucket", labels({{"mirrored", "true"}, {"le", "2500"}})),
             1.0);
    QCOMPARE(e.sum("istio_response_bytes_sum", labels({{"mirrored", "false"}})), 7.0);
    QCOMPARE(e.sum("istio_response_bytes_sum", labels({{"mirrored", "true"}})), 70000.0);
    QCOMPARE(e.sum("istio_response_bytes_bucket", labels({{"mirrored", "true"}, {"le", "60000"}})),
             0.0);
    QCOMPARE(e.sum("istio_response_bytes_bucket", labels({{"mirrored", "true"}, {"le", "300000"}})),
             1.0);
}

void TestMetrics::labelValuesAreEscaped()
{
    const QString nasty = QStringLiteral("we\"ird\\host\nnä.me");
    QCOMPARE(Metrics::escapeLabelValue(nasty), QByteArray("we\\\"ird\\\\host\\nnä.me"));
    Metrics m;
    Exchange e1 = exchange();
    e1.primary.destination.host = nasty;
    e1.primary.destination.subset = QStringLiteral("v\"1");
    m.add(e1);
    const QByteArray text = m.render();
    QVERIFY(text.contains("destination_service=\"we\\\"ird\\\\host\\nnä.me\""));
    const Exposition e = parse(text);
    QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
    const QList<Sample> s = e.find("istio_requests_total");
    QCOMPARE(s.size(), 1);
    QCOMPARE(s[0].labels.value(QStringLiteral("destination_service")), nasty);
    QCOMPARE(s[0].labels.value(QStringLiteral("destination_service_name")),
             QStringLiteral("we\"ird\\host\nnä"));
    QCOMPARE(s[0].labels.value(QStringLiteral("destination_version")), QStringLiteral("v\"1"));
}

void TestMetrics::responseFlags_data()
{
    QTest::addColumn<int>("outcome");
    QTest::addColumn<QString>("error");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("ruleIndex");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("flags");
    const int completed = int(Leg::Outcome::Completed), failed = int(Leg::Outcome::Failed),
              local = int(Leg::Outcome::Local);
    QTest::newRow("ok") << completed << QString() << 200 << 0 << QByteArray() << "-";
    QTest::newRow("5xx answered") << completed << QString() << 503 << 0 << QByteArray() << "-";
    QTest::newRow("connect failure")
        << failed << "connect failure" << 503 << 0 << QByteArray() << "UF";
    QTest::newRow("timeout") << failed << "timeout" << 504 << 0 << QByteArray() << "UT";
    QTest::newRow("reset before response") << failed << "reset" << 503 << 0 << QByteArray() << "UC";
    QTest::newRow("reset mid-response") << failed << "reset" << 0 << 0 << QByteArray() << "UR";
    QTest::newRow("bad response") << failed << "bad response" << 502 << 0 << QByteArray() << "UPE";
    QTest::newRow("unbound") << failed << "unbound destination" << 503 << 0 << QByteArray() << "NC";
    QTest::newRow("client gone") << failed << "client disconnected" << 0 << 0 << QByteArray()
                                 << "DC";
    QTest::newRow("refused") << failed << "bad request: invalid header name" << 400 << -1
                             << QByteArray() << "DPE";
    QTest::newRow("431") << failed << "request header fields too large" << 431 << -1 << QByteArray()
                         << "DPE";
    QTest::newRow("no route") << local << QString() << 404 << -1 << QByteArray("no route") << "NR";
    QTest::newRow("fault abort") << local << QString() << 503 << 0
                                 << QByteArray("fault filter abort") << "FI";
    QTest::newRow("direct response") << local << QString() << 200 << 0 << QByteArray("hi") << "-";
}

void TestMetrics::responseFlags()
{
    QFETCH(int, outcome);
    QFETCH(QString, error);
    QFETCH(int, status);
    QFETCH(int, ruleIndex);
    QFETCH(QByteArray, body);
    QFETCH(QString, flags);
    Exchange e1 = exchange(status);
    e1.ruleIndex = ruleIndex;
    e1.primary.outcome = Leg::Outcome(outcome);
    e1.primary.error = error;
    e1.primary.bodyPrefix = body;
    if (ruleIndex < 0)
        e1.primary.destination = {};
    QCOMPARE(Metrics::responseFlags(e1, e1.primary), flags);

    Metrics m;
    m.add(e1);
    const Exposition e = parse(m.render());
    QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
    const QList<Sample> s = e.find("istio_requests_total");
    QCOMPARE(s.size(), 1);
    QCOMPARE(s[0].labels.value(QStringLiteral("response_flags")), flags);
    QCOMPARE(s[0].labels.value(QStringLiteral("response_code")), QString::number(status));
    if (ruleIndex < 0) {
        QCOMPARE(s[0].labels.value(QStringLiteral("destination_service")),
                 QStringLiteral("unknown"));
        QCOMPARE(s[0].labels.value(QStringLiteral("destination_version")),
                 QStringLiteral("unknown"));
    }
}

void TestMetrics::comparisonsAndMismatchKinds()
{
    Metrics m;
    QList<Exchange> batch;
    QList<QList<Comparison>> comparisons;
    auto compare = [](bool status, bool headers, bool body) {
        Comparison c;
        c.comparable = true;
        c.statusEqual = status;
        if (!headers) {
            FieldDiff d;
            d.path = QStringLiteral("content-type");
            c.headerDiffs << d;
        }
        c.body.equal = body;
        return c;
    };
    batch << mirrored(200) << mirrored(500) << mirrored(500) << mirrored(200) << mirrored(200);
    comparisons << QList<Comparison>{compare(true, true, true)}
                << QList<Comparison>{compare(false, true, false)}
                << QList<Comparison>{compare(false, true, true)}
                << QList<Comparison>{compare(true, false, true)};
    // The fifth exchange has no comparison (the list is shorter): not compared.
    Comparison notComparable;
    notComparable.comparable = false;
    batch << mirrored(0, Leg::Outcome::Failed);
    comparisons << QList<Comparison>{} << QList<Comparison>{notComparable};
    m.addBatch(batch, comparisons);

    // A learned-noise header difference is no mismatch.
    Exchange noisy = mirrored(200);
    Comparison c = compare(true, true, true);
    FieldDiff d;
    d.noisy = true;
    c.headerDiffs << d;
    m.add(noisy, {c});

    const Exposition e = parse(m.render());
    QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
    const auto v2 = [](const char *kind) {
        return labels({{"destination_version", "v2"}, {"kind", QString::fromLatin1(kind)}});
    };
    QCOMPARE(e.sum("mirrorscope_comparisons_total", labels({{"destination_version", "v2"}})), 5.0);
    QCOMPARE(e.sum("mirrorscope_comparison_mismatches_total", v2("status")), 2.0);
    QCOMPARE(e.sum("mirrorscope_comparison_mismatches_total", v2("body")), 1.0);
    QCOMPARE(e.sum("mirrorscope_comparison_mismatches_total", v2("headers")), 1.0);
    QCOMPARE(e.sum("mirrorscope_comparisons_mismatched_total"), 3.0);
    QCOMPARE(e.find("mirrorscope_comparison_mismatches_total").size(), 3);
    // The failed mirror is a request with response_code 0.
    QCOMPARE(e.sum("istio_requests_total", labels({{"mirrored", "true"}, {"response_code", "0"}})),
             1.0);

    // Compared, never mismatched: every kind is there with 0, so ratios exist at once.
    Metrics clean;
    clean.add(mirrored(200), {compare(true, true, true)});
    const Exposition e2 = parse(clean.render());
    QCOMPARE(e2.find("mirrorscope_comparison_mismatches_total").size(), 3);
    QCOMPARE(e2.sum("mirrorscope_comparison_mismatches_total"), 0.0);
}

void TestMetrics::proxyStats()
{
    Metrics m;
    Proxy::Stats stats;
    stats.requests = 120;
    stats.responses2xx = 100;
    stats.responses5xx = 20;
    stats.mirrorsDroppedEndpointDown = 4;
    stats.mirrorsDroppedInFlightLimit = 3;
    stats.connectionsOpen = 2;
    stats.bytesIn = 5000;
    m.setProxyStats(stats);
    Exposition e = parse(m.render());
    QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
    QCOMPARE(e.sum("mirrorscope_proxy_requests_total"), 120.0);
    QCOMPARE(e.sum("mirrorscope_proxy_responses_total", labels({{"code_class", "5xx"}})), 20.0);
    QCOMPARE(e.sum("mirrorscope_proxy_responses_total"), 120.0);
    QCOMPARE(e.sum("mirrorscope_proxy_mirror_drops_total", labels({{"reason", "endpoint_down"}})),
             4.0);
    QCOMPARE(e.sum("mirrorscope_proxy_mirror_drops_total"), 7.0);
    QCOMPARE(e.types.value("mirrorscope_proxy_connections_open"), QByteArray("gauge"));
    QCOMPARE(e.sum("mirrorscope_proxy_connections_open"), 2.0);
    QCOMPARE(e.sum("mirrorscope_proxy_received_bytes_total"), 5000.0);
    for (auto it = e.types.begin(); it != e.types.end(); ++it)
        QVERIFY2(!e.help.value(it.key()).isEmpty(), it.key().constData());

    // A source is asked at every render, in render()'s thread.
    int calls = 0;
    m.setProxyStatsSource([&calls] {
        Proxy::Stats s;
        s.requests = quint64(++calls) * 10;
        return s;
    });
    QCOMPARE(parse(m.render()).sum("mirrorscope_proxy_requests_total"), 10.0);
    QCOMPARE(parse(m.render()).sum("mirrorscope_proxy_requests_total"), 20.0);
    m.setProxyStatsSource({}); // back to the pushed snapshot
    QCOMPARE(parse(m.render()).sum("mirrorscope_proxy_requests_total"), 120.0);
}

void TestMetrics::formatIsValidForPromtool()
{
    Metrics m;
    Exchange e1 = mirrored(503, Leg::Outcome::Completed);
    e1.primary.destination.host = QStringLiteral("quo\"te\\d\nhost");
    m.add(e1);
    m.setProxyStats(Proxy::Stats());
    const QByteArray text = m.render();
    const Exposition e = parse(text);
    QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
    const QString promtool = QStandardPaths::findExecutable(QStringLiteral("promtool"));
    if (promtool.isEmpty())
        QSKIP("promtool (Debian package prometheus) is not installed: only the test's own parser "
              "checked the format");
    QProcess p;
    p.start(promtool, {QStringLiteral("check"), QStringLiteral("metrics")});
    QVERIFY(p.waitForStarted());
    p.write(text);
    p.closeWriteChannel();
    QVERIFY(p.waitForFinished(30000));
    const QByteArray out = p.readAllStandardOutput() + p.readAllStandardError();
    // Exit 1 is a parse error, 3 lint findings: the only one allowed is the unit in Istio's
    // own metric name, which dashboards depend on.
    QVERIFY2(p.exitCode() == 0 || p.exitCode() == 3, out.constData());
    for (const QByteArray &line : out.trimmed().split('\n')) {
        if (line.isEmpty())
            continue;
        QVERIFY2(line.startsWith("istio_request_duration_milliseconds") &&
                     line.contains("milliseconds"),
                 out.constData());
    }
}

void TestMetrics::feedAndRenderOnTwoThreads()
{
    Metrics m;
    constexpr int kBatches = 400;
    std::atomic<bool> done{false};
    QThread *feeder = QThread::create([&] {
        for (int i = 0; i < kBatches; ++i)
            m.addBatch({exchange(), mirrored(i % 2 ? 500 : 200)});
        done = true;
    });
    feeder->start();
    int renders = 0;
    double last = 0;
    while (!done.load()) {
        const Exposition e = parse(m.render());
        QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
        const double now = e.sum("mirrorscope_exchanges_total");
        QVERIFY(now >= last); // counters never go back
        // A batch is merged at once: requests are always 3 per 2 exchanges.
        QCOMPARE(e.sum("istio_requests_total"), now * 1.5);
        last = now;
        ++renders;
    }
    QVERIFY(feeder->wait(30000));
    delete feeder;
    const Exposition e = parse(m.render());
    QCOMPARE(e.sum("mirrorscope_exchanges_total"), 2.0 * kBatches);
    QCOMPARE(e.sum("istio_requests_total", labels({{"mirrored", "true"}})), double(kBatches));
    QCOMPARE(e.sum("istio_requests_total", labels({{"response_code", "500"}})),
             double(kBatches / 2));
    QVERIFY(renders > 0);
}

void TestMetrics::resetStartsOver()
{
    Metrics m;
    m.add(mirrored(200));
    QCOMPARE(parse(m.render()).sum("istio_requests_total"), 2.0);
    m.reset();
    const Exposition e = parse(m.render());
    QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
    QCOMPARE(e.sum("istio_requests_total"), 0.0);
    QCOMPARE(e.find("istio_requests_total").size(), 0);
    QCOMPARE(e.sum("mirrorscope_exchanges_total"), 0.0);
}

// ----------------------------------------------------------------------------- server ---

void TestMetrics::serverAnswersMetrics()
{
    auto metrics = std::make_shared<Metrics>();
    metrics->add(mirrored(500));
    MetricsServer server(metrics);
    QVERIFY2(server.listen(QHostAddress::LocalHost, 0), qPrintable(server.errorString()));
    QVERIFY(server.port() != 0);
    QCOMPARE(server.url(), QStringLiteral("http://127.0.0.1:%1/metrics").arg(server.port()));

    QSignalSpy scraped(&server, &MetricsServer::scraped);
    Client client(server.port());
    client.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/plain\r\n\r\n");
    const auto r = client.receive();
    QVERIFY(r);
    QCOMPARE(r->status, 200);
    QCOMPARE(r->headers.value("content-type"),
             QByteArray("text/plain; version=0.0.4; charset=utf-8"));
    const Exposition e = parse(r->body);
    QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
    QCOMPARE(
        e.sum("istio_requests_total", labels({{"mirrored", "true"}, {"response_code", "500"}})),
        1.0);
    QCOMPARE(scraped.count(), 1);
    QCOMPARE(server.scrapes(), quint64(1));

    // Fed after the first scrape: the next one sees it. A query string is ignored.
    metrics->add(mirrored(500));
    client.send("GET /metrics?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const auto r2 = client.receive();
    QVERIFY(r2);
    QCOMPARE(parse(r2->body).sum("istio_requests_total", labels({{"response_code", "500"}})), 2.0);
}

void TestMetrics::serverIndexNotFoundAndMethods()
{
    MetricsServer server(std::make_shared<Metrics>());
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    {
        Client c(server.port());
        c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        const auto r = c.receive();
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        QVERIFY(r->body.contains("/metrics"));
    }
    {
        Client c(server.port());
        c.send("GET /stats/prometheus HTTP/1.1\r\nHost: x\r\n\r\n");
        const auto r = c.receive();
        QVERIFY(r);
        QCOMPARE(r->status, 404);
        QVERIFY(r->body.contains("/metrics"));
    }
    for (const QByteArray &method : {QByteArray("POST"), QByteArray("DELETE"), QByteArray("PUT")}) {
        Client c(server.port());
        c.send(method + " /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
        const auto r = c.receive();
        QVERIFY(r);
        QCOMPARE(r->status, 405);
        QCOMPARE(r->headers.value("allow"), QByteArray("GET, HEAD"));
        QVERIFY(c.waitClosed()); // the body it did not read ends the connection
    }
    {
        Client c(server.port());
        c.send("complete nonsense\r\n\r\n");
        const auto r = c.receive();
        QVERIFY(r);
        QCOMPARE(r->status, 400);
        QVERIFY(c.waitClosed());
    }
    QCOMPARE(server.scrapes(), quint64(0));
}

void TestMetrics::serverKeepAliveAndSeveralScrapers()
{
    auto metrics = std::make_shared<Metrics>();
    metrics->add(exchange());
    MetricsServer server(metrics);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));

    // Two pipelined requests on one connection, then a HEAD: all answered, in order.
    Client c(server.port());
    c.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r1 = c.receive();
    auto r2 = c.receive();
    QVERIFY(r1 && r2);
    QCOMPARE(r1->status, 200);
    QCOMPARE(r2->status, 404);
    c.send("HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    auto r3 = c.receive(true);
    QVERIFY(r3);
    QCOMPARE(r3->status, 200);
    QVERIFY(r3->headers.value("content-length").toInt() > 0); // the GET's length
    QVERIFY(c.waitClosed());
    QCOMPARE(c.unread(), QByteArray()); // and no body after the head

    // Several scrapers at once.
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < 6; ++i) {
        clients.push_back(std::make_unique<Client>(server.port()));
        clients.back()->send("GET /metrics HTTP/1.0\r\n\r\n");
    }
    for (auto &client : clients) {
        // HTTP/1.0 closes after the answer.
        QVERIFY(client->waitClosed());
    }
    QCOMPARE(server.scrapes(), quint64(8)); // GET, HEAD and six GETs
}

void TestMetrics::serverLimits()
{
    MetricsServer server(std::make_shared<Metrics>());
    MetricsServer::Limits limits;
    limits.maxHeadBytes = 1024;
    limits.idleTimeoutMs = 300;
    limits.maxConnections = 2;
    server.setLimits(limits);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    {
        Client c(server.port());
        c.send("GET /metrics HTTP/1.1\r\nX-Big: " + QByteArray(4000, 'a') + "\r\n\r\n");
        const auto r = c.receive();
        QVERIFY(r);
        QCOMPARE(r->status, 431);
        QVERIFY(c.waitClosed());
    }
    {
        // A head that never completes: 408, then the connection is closed.
        Client c(server.port());
        c.send("GET /metrics HTTP/1.1\r\nHost: x\r\n");
        const auto r = c.receive();
        QVERIFY(r);
        QCOMPARE(r->status, 408);
        QVERIFY(c.waitClosed());
    }
    {
        // A connection that says nothing is closed after the idle timeout.
        Client c(server.port());
        QVERIFY(QTest::qWaitFor(
            [&] { return c.socket().state() == QAbstractSocket::ConnectedState; }, 5000));
        QVERIFY(c.waitClosed());
    }
    {
        // Over maxConnections: 503 for the third while two idle ones are held.
        Client a(server.port()), b(server.port());
        QVERIFY(QTest::qWaitFor(
            [&] {
                return a.socket().state() == QAbstractSocket::ConnectedState &&
                       b.socket().state() == QAbstractSocket::ConnectedState;
            },
            5000));
        Client third(server.port());
        third.send("GET /metrics HTTP/1.1\r\n\r\n");
        const auto r = third.receive();
        QVERIFY(r);
        QCOMPARE(r->status, 503);
    }
}

void TestMetrics::serverRefusesNonLoopback()
{
    MetricsServer server(std::make_shared<Metrics>());
    QVERIFY(!server.listen(QHostAddress(QStringLiteral("192.0.2.10")), 0));
    QVERIFY2(server.errorString().contains(QStringLiteral("not a loopback address")),
             qPrintable(server.errorString()));
    QVERIFY(server.errorString().contains(QStringLiteral("192.0.2.10")));
    QVERIFY(!server.isListening());
    QVERIFY(!server.listen(QHostAddress::Any, 0));
    QVERIFY(server.errorString().contains(QStringLiteral("loopback")));
    QVERIFY(!server.isListening());
    // A taken port is a clear error too.
    MetricsServer first(std::make_shared<Metrics>());
    QVERIFY(first.listen(QHostAddress::LocalHost, 0));
    QVERIFY(!server.listen(QHostAddress::LocalHost, first.port()));
    QVERIFY2(server.errorString().contains(QString::number(first.port())),
             qPrintable(server.errorString()));
}

void TestMetrics::parseAddress()
{
    QHostAddress a;
    quint16 port = 1;
    QString error;
    QVERIFY(MetricsServer::parseAddress(QStringLiteral("127.0.0.1:9464"), &a, &port, &error));
    QCOMPARE(a, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(port, quint16(9464));
    QVERIFY(MetricsServer::parseAddress(QStringLiteral("9465"), &a, &port));
    QCOMPARE(a, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(port, quint16(9465));
    QVERIFY(MetricsServer::parseAddress(QStringLiteral("localhost:0"), &a, &port));
    QCOMPARE(port, quint16(0));
    QVERIFY(MetricsServer::parseAddress(QStringLiteral("[::1]:9466"), &a, &port));
    QCOMPARE(a, QHostAddress(QHostAddress::LocalHostIPv6));
    for (const QString &bad : {QStringLiteral("127.0.0.1:"), QStringLiteral("127.0.0.1:99999"),
                               QStringLiteral("example.com:9464"), QStringLiteral("::1:9464"),
                               QStringLiteral(""), QStringLiteral("[::1]9464")}) {
        error.clear();
        QVERIFY2(!MetricsServer::parseAddress(bad, &a, &port, &error), qPrintable(bad));
        QVERIFY2(error.contains(QLatin1Char('"') + bad + QLatin1Char('"')), qPrintable(error));
    }
}

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
