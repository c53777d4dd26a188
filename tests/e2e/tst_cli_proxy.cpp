// `mirrorscope proxy` and `mirrorscope demo` as a user runs them: the real executable on
// loopback, in-test backends bound to it, a raw HTTP client, SIGTERM to stop, the JSON report.
#include "childprocess.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace TestSupport;

namespace {

QString greeterExample()
{
    return QStringLiteral(MIRRORSCOPE_SOURCE_DIR "/resources/examples/greeter-mirror.yaml");
}

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        qWarning("report %s is not JSON: %s", qPrintable(path), qPrintable(error.errorString()));
    return doc.object();
}

// summary.versions[] entry with this label ("v1", "v2 (mirror)"), or an empty object.
QJsonObject versionOf(const QJsonObject &report, const QString &label)
{
    const QJsonArray versions = report.value(QLatin1String("summary"))
                                    .toObject()
                                    .value(QLatin1String("versions"))
                                    .toArray();
    for (const QJsonValue &v : versions) {
        if (v.toObject().value(QLatin1String("version")).toString() == label)
            return v.toObject();
    }
    return {};
}

// The entry of a report array (endpoints, rules, ...) whose `key` is `value`, or an empty object.
QJsonObject entryOf(const QJsonArray &array, const QString &key, const QString &value)
{
    for (const QJsonValue &v : array) {
        if (v.toObject().value(key).toString() == value)
            return v.toObject();
    }
    return {};
}

} // namespace

class TestCliProxy : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFile::exists(QStringLiteral(MIRRORSCOPE_BINARY)), MIRRORSCOPE_BINARY);
    }

    void proxiesMirrorsAndStopsOnSigterm()
    {
        TestBackend v1("v1");
        TestBackend v2("v2");
        QVERIFY(v1.start());
        QVERIFY(v2.start());
        const QString report = m_dir.filePath(QStringLiteral("proxy-report.json"));
        QFile::remove(report);

        Child proxy;
        QVERIFY(proxy.start(
            {QStringLiteral("proxy"), greeterExample(), QStringLiteral("--bind"),
             QStringLiteral("greeter-service:v1=") + v1.endpoint(), QStringLiteral("--bind"),
             QStringLiteral("greeter-service:v2=") + v2.endpoint(), QStringLiteral("--listen"),
             QStringLiteral("127.0.0.1:0"), QStringLiteral("--workers"), QStringLiteral("2"),
             QStringLiteral("--interval"), QStringLiteral("1"), QStringLiteral("--report"),
             report}));
        const quint16 port = proxy.waitForListenPort();
        QVERIFY2(port != 0, qPrintable(proxy.all()));

        // What `curl -H 'Host: greeter-service' http://127.0.0.1:PORT/hello` does.
        TestClient client;
        QVERIFY(client.connectTo(port));
        client.get("/hello", "greeter-service", "user-agent: curl/7.88.1\r\naccept: */*\r\n");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 200);
        QCOMPARE(client.responses[0].body, QByteArray("v1"));

        QVERIFY(runUntil([&] { return v2.completed() == 1; }, 10000));
        QCOMPARE(v1.heads(), 1);
        QCOMPARE(v2.requests[0].method, QByteArray("GET"));
        QCOMPARE(v2.requests[0].path, QByteArray("/hello"));
        QCOMPARE(v2.requests[0].header("host"),
                 QByteArray("greeter-service")); // latest: no -shadow
        QCOMPARE(v2.requests[0].header("user-agent"), QByteArray("curl/7.88.1"));
        client.socket.disconnectFromHost();
        // The per-second summary line shows the exchange once both legs are done: stop only
        // then, so the report is about a finished exchange, not a mirror cut off by the stop.
        QVERIFY2(runUntil([&] { return proxy.out.contains("v2 (mirror) 1"); }, 10000),
                 qPrintable(proxy.all()));

        // SIGTERM: a clean stop with the report written.
        proxy.process.terminate();
        QVERIFY2(proxy.waitForExit(), qPrintable(proxy.all()));
        QCOMPARE(proxy.process.exitStatus(), QProcess::NormalExit);
        QVERIFY2(proxy.process.exitCode() == 0, qPrintable(proxy.all()));
        QVERIFY2(proxy.out.contains("report written to"), qPrintable(proxy.all()));

        const QJsonObject r = readJson(report);
        QVERIFY2(!r.isEmpty(), qPrintable(proxy.all()));
        QCOMPARE(r.value(QLatin1String("command")).toString(), QStringLiteral("proxy"));
        const QJsonObject stats = r.value(QLatin1String("proxy")).toObject();
        QCOMPARE(stats.value(QLatin1String("requests")).toInt(), 1);
        QCOMPARE(stats.value(QLatin1String("mirrorsSent")).toInt(), 1);
        QCOMPARE(stats.value(QLatin1String("mirrorsCompleted")).toInt(), 1);
        QCOMPARE(
            r.value(QLatin1String("summary")).toObject().value(QLatin1String("exchanges")).toInt(),
            1);
        const QJsonObject primary = versionOf(r, QStringLiteral("v1"));
        const QJsonObject mirror = versionOf(r, QStringLiteral("v2 (mirror)"));
        QCOMPARE(primary.value(QLatin1String("legs")).toInt(), 1);
        QCOMPARE(mirror.value(QLatin1String("legs")).toInt(), 1);
        QCOMPARE(mirror.value(QLatin1String("mirrored")).toBool(), true);
        QCOMPARE(primary.value(QLatin1String("statusClasses"))
                     .toObject()
                     .value(QLatin1String("2xx"))
                     .toInt(),
                 1);
        // The backends answer "v1" and "v2": one compared pair whose bodies differ.
        const QJsonObject pairing = r.value(QLatin1String("pairing")).toObject();
        QCOMPARE(pairing.value(QLatin1String("compared")).toInt(), 1);
        QCOMPARE(pairing.value(QLatin1String("mismatches"))
                     .toObject()
                     .value(QLatin1String("body"))
                     .toInt(),
                 1);
        QCOMPARE(pairing.value(QLatin1String("mismatches"))
                     .toObject()
                     .value(QLatin1String("status"))
                     .toInt(),
                 0);
        QVERIFY2(proxy.out.contains("mismatch 100% ("), qPrintable(proxy.all()));
        const QJsonObject hello = entryOf(r.value(QLatin1String("endpoints")).toArray(),
                                          QStringLiteral("endpoint"), QStringLiteral("GET /hello"));
        QCOMPARE(hello.value(QLatin1String("exchanges")).toInt(), 1);
        QCOMPARE(r.value(QLatin1String("store")).toObject().value(QLatin1String("stored")).toInt(),
                 1);
        const QJsonArray bindings = r.value(QLatin1String("bindings")).toArray();
        QCOMPARE(bindings.size(), 2);
        QVERIFY(bindings.contains(QStringLiteral("greeter-service:v1=") + v1.endpoint()));
    }

    void unboundTargetIsWarnedAbout()
    {
        TestBackend v1("v1");
        QVERIFY(v1.start());
        Child proxy;
        QVERIFY(proxy.start({QStringLiteral("proxy"), greeterExample(), QStringLiteral("--bind"),
                             QStringLiteral("greeter-service:v1=") + v1.endpoint(),
                             QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")}));
        const quint16 port = proxy.waitForListenPort();
        QVERIFY2(port != 0, qPrintable(proxy.all()));
        // The example names port 3000, so the key the warning suggests carries it. The user
        // must see it while the proxy runs, not only after Ctrl-C.
        const QByteArray warning = "no binding for greeter-service:3000:v2";
        QVERIFY(runUntil([&] { return proxy.err.contains(warning); }, 3000));
        TestClient client;
        QVERIFY(client.connectTo(port));
        client.get("/hello");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].body, QByteArray("v1")); // v2 missing never hurts v1
        proxy.process.terminate();
        QVERIFY(proxy.waitForExit());
        QCOMPARE(proxy.process.exitCode(), 0);
        QVERIFY2(proxy.err.contains(warning), qPrintable(proxy.all()));
    }

    void nonLoopbackListenNeedsAllowRemote()
    {
        const Run r = runToEnd({QStringLiteral("proxy"), greeterExample(), QStringLiteral("--bind"),
                                QStringLiteral("greeter-service:v1=127.0.0.1:1"),
                                QStringLiteral("--listen"), QStringLiteral("0.0.0.0:0")});
        QCOMPARE(r.exitStatus, QProcess::NormalExit);
        QVERIFY2(r.exitCode == 2, qPrintable(r.all));
        QVERIFY2(r.err.contains("--allow-remote"), qPrintable(r.all));
        QVERIFY2(r.err.contains("0.0.0.0"), qPrintable(r.all));
        QVERIFY(!r.all.contains(QLatin1String("listening on")));

        const Run demo = runToEnd({QStringLiteral("demo"), QStringLiteral("--listen"),
                                   QStringLiteral("0.0.0.0:0"), QStringLiteral("--duration"),
                                   QStringLiteral("1")});
        QVERIFY2(demo.exitCode == 2, qPrintable(demo.all));
        QVERIFY(demo.err.contains("--allow-remote"));
    }

    // The proxy's limits are set from the command line; a client trickling its head meets the
    // header timeout the person gave (408, as nginx's client_header_timeout).
    void proxySettingsFromTheCommandLine()
    {
        TestBackend v1("v1");
        QVERIFY(v1.start());
        Child proxy;
        QVERIFY(proxy.start({QStringLiteral("proxy"), greeterExample(), QStringLiteral("--bind"),
                             QStringLiteral("greeter-service:v1=") + v1.endpoint(),
                             QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                             QStringLiteral("--request-headers-timeout"), QStringLiteral("300"),
                             QStringLiteral("--idle-timeout"), QStringLiteral("20000"),
                             QStringLiteral("--max-connections"), QStringLiteral("50"),
                             QStringLiteral("--mirror-buffer"), QStringLiteral("4096")}));
        const quint16 port = proxy.waitForListenPort();
        QVERIFY2(port != 0, qPrintable(proxy.all()));
        TestClient slow;
        QVERIFY(slow.connectTo(port));
        slow.send("GET /hello HTTP/1.1\r\nHost: greeter-service\r\n"); // never finished
        QVERIFY(slow.waitForResponses(1, 10000));
        QCOMPARE(slow.responses[0].status, 408);
        QVERIFY(slow.waitForClose());
        TestClient client;
        QVERIFY(client.connectTo(port));
        client.get("/hello");
        QVERIFY(client.waitForResponses(1));
        QCOMPARE(client.responses[0].status, 200);
        proxy.process.terminate();
        QVERIFY(proxy.waitForExit());
        QCOMPARE(proxy.process.exitCode(), 0);
    }

    void badProxySettingsAreRefused_data()
    {
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("value");
        QTest::newRow("mirror-buffer") << "--mirror-buffer"
                                       << "-1";
        QTest::newRow("idle-timeout") << "--idle-timeout"
                                      << "0";
        QTest::newRow("request-headers-timeout") << "--request-headers-timeout"
                                                 << "soon";
        QTest::newRow("max-connections") << "--max-connections"
                                         << "-5";
        QTest::newRow("max-inflight-mirrors") << "--max-inflight-mirrors"
                                              << "x";
        QTest::newRow("mirror-timeout") << "--mirror-timeout"
                                        << "0";
    }

    void badProxySettingsAreRefused()
    {
        QFETCH(QString, option);
        QFETCH(QString, value);
        const Run r =
            runToEnd({QStringLiteral("proxy"), greeterExample(), QStringLiteral("--bind"),
                      QStringLiteral("greeter-service:v1=127.0.0.1:1"), QStringLiteral("--listen"),
                      QStringLiteral("127.0.0.1:0"), option, value});
        QVERIFY2(r.exitCode == 2, qPrintable(r.all));
        QVERIFY2(r.err.contains(option.toUtf8()), qPrintable(r.all));
        QVERIFY(!r.all.contains(QLatin1String("listening on")));
    }

    void configWithErrorsIsRefused()
    {
        const QString bad = m_dir.filePath(QStringLiteral("bad.yaml"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("apiVersion: networking.istio.io/v1\n"
                "kind: VirtualService\n"
                "metadata:\n"
                "  name: greeter\n"
                "spec:\n"
                "  hosts:\n"
                "  - greeter-service\n"
                "  http:\n"
                "  - route:\n"
                "    - destination:\n"
                "        host: greeter-service\n"
                "      weight: -15\n");
        f.close();
        const Run r = runToEnd({QStringLiteral("proxy"), bad, QStringLiteral("--bind"),
                                QStringLiteral("greeter-service=127.0.0.1:1"),
                                QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
        QCOMPARE(r.exitStatus, QProcess::NormalExit);
        QVERIFY2(r.exitCode == 1, qPrintable(r.all));
        QVERIFY2(r.err.contains(bad.toUtf8() + ":12:15: error IST0106"), qPrintable(r.all));
        QVERIFY(!r.all.contains(QLatin1String("listening on")));

        const Run missing =
            runToEnd({QStringLiteral("proxy"), m_dir.filePath(QStringLiteral("missing.yaml")),
                      QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
        QVERIFY2(missing.exitCode == 2, qPrintable(missing.all));

        const Run badBind = runToEnd({QStringLiteral("proxy"), greeterExample(),
                                      QStringLiteral("--bind"), QStringLiteral("nonsense"),
                                      QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
        QVERIFY2(badBind.exitCode == 2, qPrintable(badBind.all));
    }

    void demoRunsHeadless()
    {
        const QString report = m_dir.filePath(QStringLiteral("demo-report.json"));
        QFile::remove(report);
        const Run r =
            runToEnd({QStringLiteral("demo"), QStringLiteral("--duration"), QStringLiteral("2"),
                      QStringLiteral("--rate"), QStringLiteral("50"), QStringLiteral("--listen"),
                      QStringLiteral("127.0.0.1:0"), QStringLiteral("--report"), report},
                     60000);
        QCOMPARE(r.exitStatus, QProcess::NormalExit);
        QVERIFY2(r.exitCode == 0, qPrintable(r.all));
        const QJsonObject j = readJson(report);
        QVERIFY2(!j.isEmpty(), qPrintable(r.all));
        QCOMPARE(j.value(QLatin1String("command")).toString(), QStringLiteral("demo"));
        const QJsonObject generator = j.value(QLatin1String("generator")).toObject();
        const int sent = generator.value(QLatin1String("sent")).toInt();
        // 50 req/s for 2 s, Poisson: 100 expected, sd 10.
        QVERIFY2(sent >= 50 && sent <= 150, qPrintable(r.all));
        const QJsonObject v1 = versionOf(j, QStringLiteral("v1"));
        const QJsonObject v2 = versionOf(j, QStringLiteral("v2 (mirror)"));
        const int v1Legs = v1.value(QLatin1String("legs")).toInt();
        const int v2Legs = v2.value(QLatin1String("legs")).toInt();
        QVERIFY2(v1Legs > 0, qPrintable(r.all));
        QVERIFY2(v2Legs > 0, qPrintable(r.all));
        QVERIFY(v2.value(QLatin1String("mirrored")).toBool());
        // Every request reached v1 and was mirrored to v2 (the greeter example: 100 %).
        QCOMPARE(
            v1Legs,
            j.value(QLatin1String("summary")).toObject().value(QLatin1String("exchanges")).toInt());
        QCOMPARE(v2Legs, v1Legs);
        QVERIFY(v1.value(QLatin1String("statusClasses"))
                    .toObject()
                    .value(QLatin1String("2xx"))
                    .toInt() > 0);
        // The comparison kept up with 50 req/s: every answered exchange was observed.
        QCOMPARE(j.value(QLatin1String("store")).toObject().value(QLatin1String("notObserved")),
                 QJsonValue(0));
        // The summary lines carry the mismatch rate.
        QVERIFY2(r.all.contains(QLatin1String("| mismatch ")), qPrintable(r.all));

        // Per version: latency percentiles, status codes, bytes.
        for (const QJsonObject &v : {v1, v2}) {
            const QJsonObject latency = v.value(QLatin1String("latencyMs")).toObject();
            QVERIFY2(latency.value(QLatin1String("p99")).toDouble() > 0, qPrintable(r.all));
            QVERIFY(latency.value(QLatin1String("p999")).toDouble() >=
                    latency.value(QLatin1String("p50")).toDouble());
            QVERIFY(
                v.value(QLatin1String("status")).toObject().value(QLatin1String("200")).toInt() >
                0);
            QVERIFY(v.value(QLatin1String("responseBytes")).toDouble() > 0);
            QVERIFY(v.value(QLatin1String("ratePerSecond")).toDouble() > 0);
        }

        // Pairing: every pair compared; the demo's v2 adds "locale" to GET /users/{id} only (its
        // version naming fields are demo noise rules), so some pairs differ in the body and
        // others do not, and the field is named with an example request.
        const QJsonObject pairing = j.value(QLatin1String("pairing")).toObject();
        const int compared = pairing.value(QLatin1String("compared")).toInt();
        QVERIFY2(compared > 0 && compared <= v2Legs, qPrintable(r.all));
        const QJsonObject mismatches = pairing.value(QLatin1String("mismatches")).toObject();
        QVERIFY(mismatches.value(QLatin1String("any")).toInt() > 0);
        QVERIFY(mismatches.value(QLatin1String("body")).toInt() > 0);
        QVERIFY(mismatches.value(QLatin1String("body")).toInt() < compared);
        QVERIFY(pairing.value(QLatin1String("latencyDeltaMs"))
                    .toObject()
                    .contains(QLatin1String("p99")));
        int matrixTotal = 0;
        for (const QJsonValue &cell : pairing.value(QLatin1String("statusMatrix")).toArray())
            matrixTotal += cell.toObject().value(QLatin1String("count")).toInt();
        QCOMPARE(matrixTotal, compared);
        const QJsonObject locale = entryOf(pairing.value(QLatin1String("topFields")).toArray(),
                                           QStringLiteral("path"), QStringLiteral("$.locale"));
        QVERIFY(locale.value(QLatin1String("count")).toInt() > 0);
        QVERIFY(locale.value(QLatin1String("count")).toInt() < compared);
        QVERIFY(!locale.value(QLatin1String("example"))
                     .toObject()
                     .value(QLatin1String("requestId"))
                     .toString()
                     .isEmpty());
        const QJsonArray byVersion = pairing.value(QLatin1String("byVersion")).toArray();
        QCOMPARE(byVersion.size(), 1);
        QCOMPARE(byVersion[0].toObject().value(QLatin1String("mirror")).toString(),
                 QStringLiteral("v2 (mirror)"));

        // Per endpoint (the generator's mix: /hello, /users/<n>, POST /users) and per rule.
        const QJsonArray endpoints = j.value(QLatin1String("endpoints")).toArray();
        const QJsonObject users =
            entryOf(endpoints, QStringLiteral("endpoint"), QStringLiteral("GET /users/{id}"));
        QVERIFY2(users.value(QLatin1String("exchanges")).toInt() > 0, qPrintable(r.all));
        QVERIFY(users.value(QLatin1String("pairs"))
                    .toObject()
                    .value(QLatin1String("compared"))
                    .toInt() > 0);
        int endpointTotal = 0;
        for (const QJsonValue &e : endpoints)
            endpointTotal += e.toObject().value(QLatin1String("exchanges")).toInt();
        QCOMPARE(endpointTotal, v1Legs);
        const QJsonArray rules = j.value(QLatin1String("rules")).toArray();
        QCOMPARE(rules.size(), 1);
        QCOMPARE(rules[0].toObject().value(QLatin1String("exchanges")).toInt(), v1Legs);

        // Store, mirror drops by reason, learned noise: present and consistent.
        const QJsonObject store = j.value(QLatin1String("store")).toObject();
        QCOMPARE(store.value(QLatin1String("stored")).toInt(), v1Legs);
        QCOMPARE(store.value(QLatin1String("dropped")).toInt(), 0);
        const QJsonObject drops = j.value(QLatin1String("proxy"))
                                      .toObject()
                                      .value(QLatin1String("mirrorDrops"))
                                      .toObject();
        QVERIFY(drops.contains(QLatin1String("in_flight_limit")));
        QVERIFY(j.value(QLatin1String("learnedNoise")).isArray());
    }
};

QTEST_GUILESS_MAIN(TestCliProxy)
#include "tst_cli_proxy.moc"
