// A real Prometheus scrapes Mirrorscope's metrics endpoint and answers PromQL over them: the
// names, labels and format are what Prometheus (and so Istio's dashboards) takes.
#include "observe/metrics.h"
#include "observe/metricsserver.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QUrlQuery>
#include <QtTest>

using namespace Observe;

namespace {

Leg leg(const QString &subset, int status, qint64 totalUs)
{
    Leg l;
    l.destination.host = QStringLiteral("greeter-service");
    l.destination.subset = subset;
    l.status = status;
    l.totalUs = totalUs;
    l.bodySize = 42;
    return l;
}

// 7 requests: primary v1 answers 200 to all, the mirrored v2 answers 500 to two of them.
QList<Exchange> knownExchanges()
{
    QList<Exchange> batch;
    for (int i = 0; i < 7; ++i) {
        Exchange e;
        e.id = quint64(i + 1);
        e.method = "GET";
        e.path = "/hello";
        e.ruleIndex = 0;
        e.primary = leg(QStringLiteral("v1"), 200, 2000 + i * 100);
        e.mirrors << leg(QStringLiteral("v2"), i < 2 ? 500 : 200, 8000 + i * 100);
        batch << e;
    }
    return batch;
}

// A port nothing listens on now (bound to port 0, then released).
quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

struct Reply
{
    int status = 0;
    QByteArray body;
    QString error;
};

Reply get(QNetworkAccessManager &nam, const QUrl &url)
{
    Reply r;
    QNetworkRequest request(url);
    request.setTransferTimeout(10000);
    QNetworkReply *reply = nam.get(request);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(15000))
        r.error = QStringLiteral("no answer from %1").arg(url.toString());
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    if (r.error.isEmpty() && reply->error() != QNetworkReply::NoError)
        r.error = reply->errorString();
    reply->deleteLater();
    return r;
}

// The single value of an instant vector query; empty when there is none (yet).
QString queryValue(QNetworkAccessManager &nam, quint16 port, const QString &promql,
                   QString *problem)
{
    QUrl url(QStringLiteral("http://127.0.0.1:%1/api/v1/query").arg(port));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("query"), promql);
    url.setQuery(q);
    const Reply r = get(nam, url);
    const QJsonObject o = QJsonDocument::fromJson(r.body).object();
    if (!r.error.isEmpty() || o.value(QStringLiteral("status")).toString() != "success") {
        *problem = QStringLiteral("%1: %2 %3").arg(promql, r.error, QString::fromUtf8(r.body));
        return {};
    }
    const QJsonArray result =
        o.value(QStringLiteral("data")).toObject().value(QStringLiteral("result")).toArray();
    if (result.size() != 1)
        return {};
    return result.at(0).toObject().value(QStringLiteral("value")).toArray().at(1).toString();
}

} // namespace

class TestPrometheus : public QObject
{
    Q_OBJECT
private slots:
    void prometheusScrapesAndQueries();
};

void TestPrometheus::prometheusScrapesAndQueries()
{
    const QString prometheus = QStandardPaths::findExecutable(QStringLiteral("prometheus"));
    if (prometheus.isEmpty())
        QSKIP("no prometheus executable in PATH (Debian package prometheus; .ci/setup installs "
              "it)");

    auto metrics = std::make_shared<Metrics>();
    metrics->addBatch(knownExchanges());
    MetricsServer server(metrics);
    QVERIFY2(server.listen(QHostAddress::LocalHost, 0), qPrintable(server.errorString()));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile config(dir.filePath(QStringLiteral("prometheus.yml")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(QStringLiteral("global:\n"
                                "  scrape_interval: 1s\n"
                                "  scrape_timeout: 1s\n"
                                "  evaluation_interval: 1s\n"
                                "scrape_configs:\n"
                                "  - job_name: mirrorscope\n"
                                "    static_configs:\n"
                                "      - targets: ['127.0.0.1:%1']\n")
                     .arg(server.port())
                     .toUtf8());
    config.close();

    const quint16 webPort = freePort();
    QVERIFY(webPort != 0);
    QProcess process;
    QByteArray log;
    connect(&process, &QProcess::readyReadStandardError, &process,
            [&] { log += process.readAllStandardError(); });
    process.setProcessChannelMode(QProcess::SeparateChannels);
    process.setStandardOutputFile(QProcess::nullDevice());
    process.start(prometheus,
                  {QStringLiteral("--config.file=") + config.fileName(),
                   QStringLiteral("--storage.tsdb.path=") + dir.filePath(QStringLiteral("data")),
                   QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(webPort)});
    QVERIFY2(process.waitForStarted(10000), qPrintable(process.errorString()));
    // Always stopped, whatever fails below: the process we started, by its pid.
    auto stop = qScopeGuard([&] {
        if (process.state() != QProcess::NotRunning) {
            process.terminate();
            if (!process.waitForFinished(10000)) {
                process.kill();
                process.waitForFinished(5000);
            }
        }
    });

    // Prometheus logs this line once its web API answers (or exits when it cannot start).
    QTRY_VERIFY2_WITH_TIMEOUT(log.contains("Server is ready to receive web requests") ||
                                  process.state() == QProcess::NotRunning,
                              log.constData(), 30000);
    QVERIFY2(process.state() == QProcess::Running, log.constData());

    QNetworkAccessManager nam;
    nam.setProxy(QNetworkProxy::NoProxy);
    const Reply ready = get(nam, QUrl(QStringLiteral("http://127.0.0.1:%1/-/ready").arg(webPort)));
    QVERIFY2(ready.status == 200, qPrintable(ready.error + QString::fromUtf8(ready.body)));

    // Paced by Prometheus' scrapes of our server: after each, ask again, for at most 60 s.
    QSignalSpy scraped(&server, &MetricsServer::scraped);
    const QString mirrored500 =
        QStringLiteral("sum(istio_requests_total{mirrored=\"true\",response_code=\"500\"})");
    QString value, problem;
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 60000) {
        value = queryValue(nam, webPort, mirrored500, &problem);
        if (!value.isEmpty())
            break;
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY2(process.state() == QProcess::Running, log.constData());
        scraped.wait(5000);
    }
    QVERIFY2(!value.isEmpty(), qPrintable(QStringLiteral("no value for %1 within 60 s; log:\n%2")
                                              .arg(mirrored500, QString::fromUtf8(log))));
    QCOMPARE(value, QStringLiteral("2"));

    // The rest of what was scraped, as a mesh's dashboards would ask for it.
    auto query = [&](const QString &promql) {
        QString why;
        const QString v = queryValue(nam, webPort, promql, &why);
        if (!why.isEmpty())
            qWarning() << why;
        return v;
    };
    QCOMPARE(query(QStringLiteral("up{job=\"mirrorscope\"}")), QStringLiteral("1"));
    QCOMPARE(query(QStringLiteral("sum(istio_requests_total{reporter=\"source\","
                                  "destination_version=\"v1\",mirrored=\"false\"})")),
             QStringLiteral("7"));
    QCOMPARE(query(QStringLiteral("sum(istio_requests_total{destination_version=\"v2\"})")),
             QStringLiteral("7"));
    QCOMPARE(query(QStringLiteral("sum(istio_request_duration_milliseconds_count{"
                                  "destination_service_name=\"greeter-service\"})")),
             QStringLiteral("14"));
    // Every v1 leg took 2-2.6 ms: the median from the buckets is within the (1, 5] bucket.
    const double p50 =
        query(QStringLiteral("histogram_quantile(0.5, sum by (le) ("
                             "istio_request_duration_milliseconds_bucket{destination_version="
                             "\"v1\"}))"))
            .toDouble();
    QVERIFY2(p50 > 1 && p50 <= 5, qPrintable(QString::number(p50)));

    stop.dismiss();
    process.terminate();
    QVERIFY2(process.waitForFinished(15000), "prometheus did not stop on SIGTERM");
}

QTEST_GUILESS_MAIN(TestPrometheus)
#include "tst_prometheus.moc"
