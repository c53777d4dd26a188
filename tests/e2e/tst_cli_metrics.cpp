// `mirrorscope demo --metrics 127.0.0.1:0` as a user runs it: the URL it prints serves
// Prometheus text in which the demo's primary and mirrored requests show up apart and the
// comparison counters count v2's differences, and a bad address is refused with exit 2.
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

namespace {

// The value of the one sample of `name` whose labels contain every one of `labels`; -1 when
// there is no such sample.
double sampleValue(const QByteArray &body, const QByteArray &name, const QByteArrayList &labels)
{
    for (const QByteArray &line : body.split('\n')) {
        if (!line.startsWith(name + '{'))
            continue;
        const qsizetype close = line.lastIndexOf('}');
        const QByteArray labelText = line.mid(name.size() + 1, close - name.size() - 1);
        bool all = true;
        for (const QByteArray &l : labels)
            all = all && labelText.split(',').contains(l);
        if (all)
            return line.mid(close + 1).trimmed().toDouble();
    }
    return -1;
}

} // namespace

class TestCliMetrics : public QObject
{
    Q_OBJECT
private slots:
    void demoServesIstioMetrics();
    void badAddressIsRefused();
};

void TestCliMetrics::demoServesIstioMetrics()
{
    QProcess child;
    QByteArray out;
    connect(&child, &QProcess::readyReadStandardOutput, &child,
            [&] { out += child.readAllStandardOutput(); });
    child.start(QStringLiteral(MIRRORSCOPE_BINARY),
                {"demo", "--duration", "30", "--rate", "50", "--metrics", "127.0.0.1:0"});
    QVERIFY(child.waitForStarted(10000));
    const QRegularExpression re(QStringLiteral("metrics at (http://127\\.0\\.0\\.1:\\d+/metrics)"));
    QTRY_VERIFY_WITH_TIMEOUT(re.match(QString::fromUtf8(out)).hasMatch(), 20000);
    const QUrl url(re.match(QString::fromUtf8(out)).captured(1));

    QNetworkAccessManager nam;
    QByteArray body;
    auto scrape = [&] {
        QNetworkReply *reply = nam.get(QNetworkRequest(url));
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished() && !done.wait(10000))
            return false;
        body = reply->readAll();
        reply->deleteLater();
        return reply->error() == QNetworkReply::NoError;
    };
    // Wait (by scraping again) until both legs have been counted.
    QTRY_VERIFY_WITH_TIMEOUT(scrape() && body.contains("mirrored=\"true\"") &&
                                 body.contains("mirrored=\"false\""),
                             20000);
    QVERIFY(body.contains("# TYPE istio_requests_total counter"));
    QVERIFY(body.contains("istio_request_duration_milliseconds_bucket"));
    QVERIFY(body.contains("destination_version=\"v2\""));

    // The comparison counters are fed from the compared batches: the demo's v2 answers with a
    // different JSON body ("version", "locale") and fails ~3 % of requests with 500/503, so
    // both the body and the status kinds count up.
    const QByteArray v2 = "destination_version=\"v2\"";
    auto mismatches = [&](const QByteArray &kind) {
        return sampleValue(body, "mirrorscope_comparison_mismatches_total",
                           {v2, "kind=\"" + kind + '"'});
    };
    QTRY_VERIFY_WITH_TIMEOUT(scrape() && mismatches("body") > 0 && mismatches("status") > 0, 25000);
    const double compared = sampleValue(body, "mirrorscope_comparisons_total", {v2});
    const double mismatched = sampleValue(body, "mirrorscope_comparisons_mismatched_total", {v2});
    QVERIFY2(compared > 0, body.constData());
    QVERIFY2(mismatched > 0 && mismatched <= compared, body.constData());
    QVERIFY2(mismatches("body") <= compared, body.constData());

    child.terminate(); // SIGTERM: the run stops cleanly
    QVERIFY(child.waitForFinished(20000));
    QCOMPARE(child.exitStatus(), QProcess::NormalExit);
    QCOMPARE(child.exitCode(), 0);
}

void TestCliMetrics::badAddressIsRefused()
{
    QProcess child;
    child.start(QStringLiteral(MIRRORSCOPE_BINARY),
                {"demo", "--duration", "5", "--metrics", "10.1.2.3:9464"});
    QVERIFY(child.waitForFinished(30000));
    QCOMPARE(child.exitCode(), 2);
    QVERIFY2(child.readAllStandardError().contains("--metrics"), "the error names the option");
}

QTEST_GUILESS_MAIN(TestCliMetrics)
#include "tst_cli_metrics.moc"
