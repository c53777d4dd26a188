#include "observe/aggregates.h"

#include <QJsonArray>
#include <QtTest>

using namespace Observe;

namespace {

constexpr qint64 kT0 = 1699999980000; // ms since the epoch, a whole minute

Leg leg(const QString &subset, int status, qint64 totalUs)
{
    Leg l;
    l.destination.host = QStringLiteral("greeter-service");
    l.destination.subset = subset;
    l.status = status;
    l.totalUs = totalUs;
    l.bodySize = 100;
    return l;
}

Exchange exchange(quint64 id, const QByteArray &path, int primaryStatus, qint64 primaryUs,
                  int mirrorStatus = -1, qint64 mirrorUs = -1)
{
    Exchange e;
    e.id = id;
    e.requestId = "r" + QByteArray::number(id);
    e.method = "GET";
    e.path = path;
    e.virtualService = QStringLiteral("greeter");
    e.ruleIndex = 0;
    e.requestBodySize = 10;
    e.primary = leg(QStringLiteral("v1"), primaryStatus, primaryUs);
    if (mirrorStatus >= 0)
        e.mirrors.append(leg(QStringLiteral("v2"), mirrorStatus, mirrorUs));
    return e;
}

// What the comparator would say for a pair with these differences.
QList<Comparison> compared(const Exchange &e, bool headers = false,
                           const QStringList &bodyPaths = {})
{
    QList<Comparison> out;
    for (int i = 0; i < e.mirrors.size(); ++i) {
        Comparison c;
        c.mirrorIndex = i;
        c.comparable = e.primary.status > 0 && e.mirrors[i].status > 0;
        if (c.comparable) {
            c.primaryStatus = e.primary.status;
            c.mirrorStatus = e.mirrors[i].status;
            c.statusEqual = c.primaryStatus == c.mirrorStatus;
            c.latencyDeltaUs = e.mirrors[i].totalUs - e.primary.totalUs;
            if (headers)
                c.headerDiffs.append({FieldDiff::Kind::Changed, QStringLiteral("content-type"),
                                      QStringLiteral("application/json"),
                                      QStringLiteral("text/plain")});
            for (const QString &p : bodyPaths)
                c.body.fields.append(
                    {FieldDiff::Kind::Added, p, QString(), QStringLiteral("\"en\"#%1").arg(e.id)});
            c.body.equal = bodyPaths.isEmpty();
            c.body.mode = BodyDiff::Mode::Json;
        }
        out.append(c);
    }
    return out;
}

const VersionSummary *find(const QList<VersionSummary> &list, const QString &label)
{
    for (const VersionSummary &v : list) {
        if (v.label == label)
            return &v;
    }
    return nullptr;
}

const GroupSummary *find(const QList<GroupSummary> &list, const QString &key)
{
    for (const GroupSummary &g : list) {
        if (g.key == key)
            return &g;
    }
    return nullptr;
}

} // namespace

class TestAggregates : public QObject
{
    Q_OBJECT
private slots:
    void countsAndPercentilesPerVersion()
    {
        Aggregates a(kT0);
        // v1 answers in 1..1000 ms; v2 (the mirror) in twice that, every tenth with a 500.
        for (int i = 1; i <= 1000; ++i) {
            Exchange e =
                exchange(quint64(i), "/hello", 200, i * 1000, i % 10 ? 200 : 500, 2 * i * 1000);
            a.add(e, compared(e), kT0 + 500);
        }
        Exchange failed = exchange(1001, "/hello", 200, 1000, 0, -1);
        failed.mirrors[0].outcome = Leg::Outcome::Failed;
        failed.mirrors[0].error = QStringLiteral("timeout");
        a.add(failed, compared(failed), kT0 + 500);
        Exchange dropped = exchange(1002, "/hello", 200, 1000, 0, -1);
        dropped.mirrors[0].outcome = Leg::Outcome::Dropped;
        dropped.mirrors[0].dropReason = QStringLiteral("in-flight limit");
        a.add(dropped, compared(dropped), kT0 + 500);

        const auto versions = a.versions(kT0 + 1000);
        QCOMPARE(versions.size(), 2);
        QCOMPARE(versions[0].label, QStringLiteral("v1")); // primaries first
        QCOMPARE(versions[1].label, QStringLiteral("v2 (mirror)"));
        const VersionSummary &v1 = versions[0];
        QCOMPARE(v1.requests, 1002u);
        QCOMPARE(v1.statusCodes.value(200), 1002u);
        QCOMPARE(v1.statusClasses[2], 1002u);
        QCOMPARE(v1.latency.count, 1002u);
        QVERIFY(qAbs(v1.latency.p50Us - 499000) < 499000 / 200);
        QVERIFY(qAbs(v1.latency.p90Us - 898000) < 898000 / 200);
        QVERIFY(qAbs(v1.latency.p99Us - 990000) < 990000 / 200);
        QVERIFY(qAbs(v1.latency.p999Us - 999000) < 999000 / 200);
        QCOMPARE(v1.latency.maxUs, 1000000);
        QCOMPARE(v1.requestBytes, 10020u);
        QCOMPARE(v1.responseBytes, 100200u);
        QCOMPARE(v1.latencyUs.count(), 1002u); // the histogram itself, for charts and metrics

        const VersionSummary &v2 = versions[1];
        QCOMPARE(v2.legs, 1002u);
        QCOMPARE(v2.requests, 1001u); // the dropped one never reached v2
        QCOMPARE(v2.statusCodes.value(200), 900u);
        QCOMPARE(v2.statusCodes.value(500), 100u);
        QCOMPARE(v2.statusCodes.value(0), 1u);
        QCOMPARE(v2.statusClasses[5], 100u);
        QCOMPARE(v2.failed, 1u);
        QCOMPARE(v2.errors.value(QStringLiteral("timeout")), 1u);
        QCOMPARE(v2.dropped, 1u);
        QCOMPARE(v2.dropReasons.value(QStringLiteral("in-flight limit")), 1u);
        QCOMPARE(v2.latency.count, 1000u); // failed legs have no latency
        QVERIFY(qAbs(v2.latency.p50Us - 998000) < 998000 / 200);
    }

    void localAnswersAndSampledOutMirrors()
    {
        Aggregates a(kT0);
        Exchange local = exchange(1, "/old", 301, 50);
        local.primary.outcome = Leg::Outcome::Local;
        local.primary.destination = {};
        a.add(local, {}, kT0);
        Exchange sampled = exchange(2, "/hello", 200, 1000, 0, -1);
        sampled.mirrors[0].outcome = Leg::Outcome::SampledOut;
        a.add(sampled, compared(sampled), kT0);
        const auto versions = a.versions(kT0);
        QCOMPARE(find(versions, QStringLiteral("(local)"))->statusCodes.value(301), 1u);
        QCOMPARE(find(versions, QStringLiteral("v2 (mirror)"))->sampledOut, 1u);
        QCOMPARE(find(versions, QStringLiteral("v2 (mirror)"))->requests, 0u);
        QCOMPARE(a.pairing().pairs, 0u); // neither is a pair
    }

    void groupsPerRuleAndEndpoint()
    {
        Aggregates a(kT0);
        quint64 id = 0;
        for (const char *path : {"/users/1", "/users/22", "/users/333?x=1", "/hello"}) {
            Exchange e = exchange(++id, path, 200, 1000, 200, 3000);
            a.add(e, compared(e), kT0);
        }
        Exchange other = exchange(++id, "/hello", 404, 1000);
        other.virtualService = QStringLiteral("reviews");
        other.ruleIndex = 2;
        other.ruleName = QStringLiteral("catch-all");
        a.add(other, {}, kT0);
        Exchange unrouted = exchange(++id, "/nowhere", 404, 10);
        unrouted.virtualService.clear();
        unrouted.ruleIndex = -1;
        a.add(unrouted, {}, kT0);

        const auto endpoints = a.endpoints(kT0);
        QCOMPARE(endpoints.size(), 3);
        QCOMPARE(endpoints[0].key, QStringLiteral("GET /users/{id}")); // most exchanges first
        QCOMPARE(endpoints[0].exchanges, 3u);
        QCOMPARE(endpoints[0].kind, GroupSummary::Kind::Endpoint);
        QCOMPARE(endpoints[0].versions.size(), 2);
        QCOMPARE(endpoints[0].versions[1].label, QStringLiteral("v2 (mirror)"));
        QCOMPARE(endpoints[0].versions[1].latency.p50Us, 3000);
        QCOMPARE(endpoints[0].pairing.pairs, 3u);
        const GroupSummary *hello = find(endpoints, QStringLiteral("GET /hello"));
        QVERIFY(hello);
        QCOMPARE(hello->exchanges, 2u);
        QCOMPARE(hello->versions[0].statusCodes.value(404), 1u);

        const auto rules = a.rules(kT0);
        QCOMPARE(rules.size(), 3);
        const GroupSummary *greeter = find(rules, QStringLiteral("greeter/rule 0"));
        QVERIFY(greeter);
        QCOMPARE(greeter->exchanges, 4u);
        QCOMPARE(greeter->kind, GroupSummary::Kind::Rule);
        const GroupSummary *reviews = find(rules, QStringLiteral("reviews/rule 2 (catch-all)"));
        QVERIFY(reviews);
        QCOMPARE(reviews->ruleIndex, 2);
        QCOMPARE(reviews->ruleName, QStringLiteral("catch-all"));
        QCOMPARE(reviews->exchanges, 1u);
        QVERIFY(find(rules, QStringLiteral("(no rule)")));
    }

    void endpointCardinalityIsBounded()
    {
        Aggregates::Limits limits;
        limits.maxEndpoints = 3;
        Aggregates a(kT0, limits);
        for (int i = 0; i < 10; ++i) {
            Exchange e = exchange(quint64(i), "/page-" + QByteArray(1, char('a' + i)), 200, 10);
            a.add(e, {}, kT0);
        }
        const auto endpoints = a.endpoints(kT0);
        QCOMPARE(endpoints.size(), 4);
        QCOMPARE(endpoints[0].key, Aggregates::otherEndpoints());
        QCOMPARE(endpoints[0].exchanges, 7u);
    }

    void statusMatrixAndMismatchesByKind()
    {
        Aggregates a(kT0);
        quint64 id = 0;
        auto add = [&](int p, int m, bool headers, const QStringList &body, int times) {
            for (int i = 0; i < times; ++i) {
                ++id;
                Exchange e = exchange(id, "/users/" + QByteArray::number(id), p, 1000, m, 2000);
                if (m == 0) {
                    e.mirrors[0].outcome = Leg::Outcome::Failed;
                    e.mirrors[0].error = QStringLiteral("connect failure");
                }
                a.add(e, compared(e, headers, body), kT0);
            }
        };
        add(200, 200, false, {}, 50);
        add(200, 200, false, {QStringLiteral("$.locale")}, 30);
        add(200, 200, true, {QStringLiteral("$.locale"), QStringLiteral("$.time")}, 10);
        add(200, 500, false, {}, 7);
        add(404, 404, false, {}, 2);
        add(200, 0, false, {}, 1);

        const PairSummary all = a.pairing();
        QCOMPARE(all.pairs, 100u);
        QCOMPARE(all.comparable, 99u); // the failed mirror has no status to compare
        QCOMPARE(all.statusMatrix.value(qMakePair(200, 200)), 90u);
        QCOMPARE(all.statusMatrix.value(qMakePair(200, 500)), 7u);
        QCOMPARE(all.statusMatrix.value(qMakePair(404, 404)), 2u);
        QCOMPARE(all.statusMatrix.value(qMakePair(200, 0)), 1u);
        QCOMPARE(all.statusMismatches, 7u);
        QCOMPARE(all.headerMismatches, 10u);
        QCOMPARE(all.bodyMismatches, 40u);
        QCOMPARE(all.mismatches, 47u);
        QCOMPARE(all.rate(all.bodyMismatches), 40.0 / 99.0);

        QCOMPARE(all.topFields.size(), 3);
        QCOMPARE(all.topFields[0].path, QStringLiteral("$.locale"));
        QCOMPARE(all.topFields[0].count, 40u);
        QCOMPARE(all.topFields[0].where, FieldStat::Where::Body);
        // The example is the latest pair that had it: id 90, both legs in that exchange.
        QCOMPARE(all.topFields[0].exampleExchangeId, 90u);
        QCOMPARE(all.topFields[0].exampleRequestId, QByteArray("r90"));
        QCOMPARE(all.topFields[0].exampleMirrorValue, QStringLiteral("\"en\"#90"));
        QCOMPARE(all.topFields[1].count, 10u);
        QCOMPARE(all.topFields[2].count, 10u);
        QCOMPARE(all.topFields[1].where, FieldStat::Where::Header); // ties: headers first
        QCOMPARE(all.topFields[1].path, QStringLiteral("content-type"));

        const auto pairings = a.pairings();
        QCOMPARE(pairings.size(), 1);
        QCOMPARE(pairings[0].primary, QStringLiteral("v1"));
        QCOMPARE(pairings[0].mirror, QStringLiteral("v2 (mirror)"));
        QCOMPARE(pairings[0].comparable, 99u);

        const GroupSummary endpoint = a.endpoints(kT0).first();
        QCOMPARE(endpoint.key, QStringLiteral("GET /users/{id}"));
        QCOMPARE(endpoint.pairing.bodyMismatches, 40u);
        QCOMPARE(endpoint.pairing.topFields.first().path, QStringLiteral("$.locale"));

        const QJsonObject json = groupJson(endpoint);
        QCOMPARE(json[QStringLiteral("endpoint")].toString(), endpoint.key);
        const QJsonObject pairs = json[QStringLiteral("pairs")].toObject();
        QCOMPARE(pairs[QStringLiteral("mismatches")].toObject()[QStringLiteral("body")].toInt(),
                 40);
        QCOMPARE(pairs[QStringLiteral("topFields")]
                     .toArray()
                     .first()
                     .toObject()[QStringLiteral("example")]
                     .toObject()[QStringLiteral("exchangeId")]
                     .toString(),
                 QStringLiteral("90"));
        QCOMPARE(json[QStringLiteral("versions")].toArray().size(), 2);
    }

    void fieldCardinalityIsBounded()
    {
        Aggregates::Limits limits;
        limits.maxFieldsPerGroup = 2;
        Aggregates a(kT0, limits);
        Exchange e = exchange(1, "/x", 200, 1, 200, 2);
        a.add(e, compared(e, false, {"$.a", "$.b", "$.c", "$.d"}), kT0);
        QCOMPARE(a.pairing().topFields.size(), 2);
        QCOMPARE(a.pairing().otherFieldDiffs, 2u);
    }

    void learnedNoiseDoesNotCrowdOutRealDifferences()
    {
        Aggregates a(kT0);
        for (int i = 0; i < 100; ++i) {
            Exchange e = exchange(quint64(i), "/x", 200, 1, 200, 2);
            QList<Comparison> c =
                compared(e, false, i < 10 ? QStringList{"$.locale"} : QStringList{});
            c[0].body.fields.append({FieldDiff::Kind::Changed, QStringLiteral("$.time"),
                                     QStringLiteral("1"), QStringLiteral("2"), true});
            c[0].body.omittedFields = 1;
            a.add(e, c, kT0);
        }
        const PairSummary p = a.pairing();
        QCOMPARE(p.topFields.size(), 2);
        QCOMPARE(p.topFields[0].path, QStringLiteral("$.locale"));
        QCOMPARE(p.topFields[1].path, QStringLiteral("$.time"));
        QCOMPARE(p.topFields[1].count, 100u);
        QCOMPARE(p.topFields[1].noisy, 100u);
        QCOMPARE(p.otherFieldDiffs, 100u); // the comparator's omitted fields
        QCOMPARE(p.bodyMismatches, 10u);
    }

    void headerExamplesAreMaskedInTheReport()
    {
        Aggregates a(kT0);
        Exchange e = exchange(1, "/x", 200, 1, 200, 2);
        QList<Comparison> c = compared(e);
        c[0].headerDiffs.append({FieldDiff::Kind::Changed, QStringLiteral("set-cookie"),
                                 QStringLiteral("sid=secret1; Path=/"),
                                 QStringLiteral("sid=secret2; Path=/")});
        a.add(e, c, kT0);
        const QByteArray json = QJsonDocument(pairJson(a.pairing())).toJson(QJsonDocument::Compact);
        QVERIFY(!json.contains("secret"));
        QVERIFY(json.contains("Path=/"));
    }

    void latencyDeltaIsSigned()
    {
        Aggregates a(kT0);
        // Deltas -50..+149 ms: a quarter negative.
        for (int i = 0; i < 200; ++i) {
            Exchange e = exchange(quint64(i), "/hello", 200, 100000, 200, 100000 + (i - 50) * 1000);
            a.add(e, compared(e), kT0);
        }
        const LatencySummary d = a.pairing().latencyDelta;
        QCOMPARE(d.count, 200u);
        QCOMPARE(d.minUs, -50000);
        QCOMPARE(d.maxUs, 149000);
        QVERIFY2(qAbs(d.p50Us - 49000) <= 49000 / 200, qPrintable(QString::number(d.p50Us)));
        QVERIFY2(qAbs(d.p90Us - 129000) <= 129000 / 200, qPrintable(QString::number(d.p90Us)));
        QVERIFY(qAbs(d.meanUs - 49500) < 1);

        SignedHistogram h;
        for (int v : {-300, -20, -10, 0, 5})
            h.record(v);
        QCOMPARE(h.percentile(0.0), -300);
        QCOMPARE(h.percentile(0.2), -300);
        QCOMPARE(h.percentile(0.4), -20);
        QCOMPARE(h.percentile(0.6), -10);
        QCOMPARE(h.percentile(0.8), 0);
        QCOMPARE(h.percentile(1.0), 5);
        const auto buckets = h.buckets();
        QCOMPARE(buckets.size(), size_t(5));
        QCOMPARE(buckets.front().lower,
                 -300 - (Histogram::bucketUpper(Histogram::bucketIndex(300)) - 300));
        QVERIFY(buckets.front().upper <= -300);
        QCOMPARE(buckets.back().upper, 5);
    }

    void ratesOverTheLastTenSeconds()
    {
        Aggregates a(kT0);
        quint64 id = 0;
        for (int second = 0; second < 15; ++second) {
            for (int i = 0; i < 20; ++i) {
                Exchange e = exchange(++id, "/hello", 200, 1000, 200, 1000);
                a.add(e, compared(e), kT0 + second * 1000 + i * 10);
            }
        }
        // At 15.5 s, seconds 5..14 are complete: 20/s.
        QCOMPARE(a.ratePerSecond(kT0 + 15500), 20.0);
        QCOMPARE(a.versions(kT0 + 15500)[0].ratePerSecond, 20.0);
        QCOMPARE(a.endpoints(kT0 + 15500)[0].ratePerSecond, 20.0);
        // Half a minute later with no traffic: 0.
        QCOMPARE(a.ratePerSecond(kT0 + 45000), 0.0);
        QCOMPARE(a.endpoints(kT0 + 45000)[0].ratePerSecond, 0.0);
        // Two seconds into a run: averaged over the seconds it has had.
        Aggregates young(kT0);
        for (int i = 0; i < 30; ++i)
            young.add(exchange(quint64(i), "/h", 200, 1), {}, kT0 + (i < 10 ? 100 : 1100));
        QCOMPARE(young.ratePerSecond(kT0 + 2500), 15.0);
    }

    void timeSeriesTiersRollOver()
    {
        TimeSeries s(kT0);
        // One request per second for 10 minutes, latency = the second's number in ms.
        for (int sec = 0; sec < 600; ++sec)
            s.record(kT0 + sec * 1000 + 300, sec % 60 == 0 ? 5 : 2, (sec + 1) * 1000);
        const qint64 now = kT0 + 600 * 1000 - 1; // still in second 599
        const QList<SeriesPoint> seconds = s.points(0, now);
        QCOMPARE(seconds.size(), 300); // the last 5 minutes only
        QCOMPARE(seconds.first().startMs, kT0 + 300 * 1000);
        QCOMPARE(seconds.last().startMs, kT0 + 599 * 1000);
        QCOMPARE(seconds.first().requests, 1u);
        QCOMPARE(seconds.first().p50Us, 301000);        // closed bucket: fixed at roll-over
        QCOMPARE(seconds.last().p50Us, 600000);         // open bucket: so far
        QCOMPARE(seconds.first().statusClasses[5], 1u); // second 300 is a multiple of 60

        const QList<SeriesPoint> tens = s.points(1, now);
        QCOMPARE(tens.size(), 60); // the run is 10 minutes old: no buckets before its start
        QCOMPARE(tens.first().startMs, kT0);
        QCOMPARE(tens.first().requests, 10u);
        QCOMPARE(tens.first().statusClasses[5], 1u);
        QCOMPARE(tens.first().statusClasses[2], 9u);
        QVERIFY(qAbs(tens.first().p99Us - 10000) <= 50);

        const QList<SeriesPoint> minutes = s.points(2, now);
        QCOMPARE(minutes.size(), 10);
        QCOMPARE(minutes[3].requests, 60u);
        QVERIFY(qAbs(minutes[3].p50Us - 210000) <= 210000 / 200);

        // A quiet gap: buckets without traffic are zero, with no latency (a gap in the chart).
        s.record(kT0 + 900 * 1000, 2, 7000);
        const QList<SeriesPoint> after = s.points(0, kT0 + 900 * 1000);
        QCOMPARE(after.size(), 300);
        QCOMPARE(after.first().requests, 0u);
        QCOMPARE(after.first().p50Us, -1);
        QCOMPARE(after.last().requests, 1u);
        QCOMPARE(after.last().p50Us, 7000);

        // 25 hours later the 1-minute tier covers 24 h and the old minutes are gone.
        const qint64 later = kT0 + 25 * 3600 * 1000LL;
        s.record(later, 2, 1000);
        const QList<SeriesPoint> day = s.points(2, later);
        QCOMPARE(day.size(), 24 * 60);
        quint64 total = 0;
        for (const SeriesPoint &p : day)
            total += p.requests;
        QCOMPARE(total, 1u);
        QCOMPARE(s.points(1, later).size(), 360);
    }

    void seriesPerVersionThroughAggregates()
    {
        Aggregates a(kT0);
        for (int sec = 0; sec < 3; ++sec) {
            for (int i = 0; i <= sec; ++i) {
                Exchange e = exchange(quint64(sec * 10 + i), "/hello", 200, 1000, 503, 4000);
                a.add(e, compared(e), kT0 + sec * 1000);
            }
        }
        a.advance(kT0 + 3000);
        const auto series = a.series(kT0 + 3000);
        QCOMPARE(series.size(), 2);
        QCOMPARE(series[0].label, QStringLiteral("v1"));
        QCOMPARE(series[1].label, QStringLiteral("v2 (mirror)"));
        const QList<SeriesPoint> v2 = series[1].tiers[0];
        QCOMPARE(v2.size(), 4); // seconds 0..3 (3 is still filling)
        QCOMPARE(v2[2].requests, 3u);
        QCOMPARE(v2[2].statusClasses[5], 3u);
        QCOMPARE(v2[2].p99Us, 4000);
        QCOMPARE(v2[3].requests, 0u);
    }
};

QTEST_GUILESS_MAIN(TestAggregates)
#include "tst_aggregates.moc"
