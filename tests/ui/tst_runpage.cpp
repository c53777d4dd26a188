// The Run page's proxy and traffic panels as a person uses them: proxy settings reach the proxy
// at Start and are kept; a bad address or a busy port is said on the page; the traffic panel
// starts and stops traffic while the proxy keeps running, its counters move; a HAR file and the
// log's recorded requests replay; a broken mix row or HAR file is named, nothing starts.
#include "editor/settings.h"
#include "mainwindow.h"
#include "observe/har.h"
#include "observe/hub.h"
#include "proxy/server.h"
#include "run/proxypanel.h"
#include "run/runcontroller.h"
#include "run/runpage.h"
#include "run/trafficpanel.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

namespace {

Observe::Exchange recorded(quint64 id, qint64 offsetMs, const QByteArray &path)
{
    Observe::Exchange e;
    e.id = id;
    e.start = QDateTime(QDate(2025, 3, 1), QTime(9, 30), Qt::UTC).addMSecs(offsetMs);
    e.method = "GET";
    e.authority = "greeter-service";
    e.path = path;
    e.primary.status = 200;
    return e;
}

} // namespace

class TestRunPage : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init() { Ui::Settings::open()->clear(); }
    void proxySettingsApplyAtStartAndAreKept();
    void badAddressAndBusyPortAreSaidOnThePage();
    void trafficStartsAndStopsWhileTheProxyRuns();
    void replaysHarAndRecordedExchanges();
    void brokenInputIsNamedAndNothingStarts();

private:
    // A window on any free port, running the demo without traffic of its own.
    static bool startQuiet(Ui::MainWindow &w);
    QTemporaryDir m_settingsDir;
};

void TestRunPage::initTestCase()
{
    Q_INIT_RESOURCE(core);
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_settingsDir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QVERIFY(Ui::Settings::open()->fileName().startsWith(m_settingsDir.path()));
}

bool TestRunPage::startQuiet(Ui::MainWindow &w)
{
    w.portBox()->setValue(0); // tests never take a fixed port
    w.rateBox()->setValue(0);
    w.startAction()->trigger();
    return w.runController()->isRunning();
}

void TestRunPage::proxySettingsApplyAtStartAndAreKept()
{
    {
        Ui::MainWindow w;
        Ui::ProxyPanel *p = w.runPage()->proxyPanel();
        // One value in two places: the tool bar's port box and the panel's.
        w.portBox()->setValue(0);
        QCOMPARE(p->portBox()->value(), 0);
        p->workersBox()->setValue(2);
        p->readOnlyBox()->setChecked(true);
        p->maxInFlightBox()->setValue(77);
        p->bodyCapBox()->setValue(64);
        p->mirrorTimeoutBox()->setValue(1500);
        QVERIFY(p->mirrorTimeoutBox()->toolTip().contains(QLatin1String("next Start")));

        QSignalSpy sampled(w.runController(), &Ui::RunController::sampled);
        w.rateBox()->setValue(300); // the default mix has 5 % POST: read-only drops them
        QCOMPARE(w.runPage()->trafficPanel()->rateBox()->value(), 300);
        w.startAction()->trigger();
        QVERIFY2(w.runController()->isRunning(), qPrintable(w.statusBar()->currentMessage()));
        const Proxy::Settings &applied = w.runController()->runtime()->server()->settings();
        QCOMPARE(applied.workers, 2);
        QVERIFY(applied.readOnlyMirroring);
        QCOMPARE(applied.maxInFlightMirrors, 77);
        QCOMPARE(applied.mirrorBodyBufferBytes, qint64(64 * 1024));
        QCOMPARE(applied.mirrorTimeoutMs, 1500);

        // Live status: where it listens, and the read-only drops by reason.
        QTRY_VERIFY_WITH_TIMEOUT(w.runController()->lastSample().stats.mirrorsDroppedReadOnly > 0,
                                 20000);
        QVERIFY(sampled.wait(10000));
        QCOMPARE(p->listeningLabel()->text(),
                 QStringLiteral("http://") + w.runController()->runtime()->listenText());
        QVERIFY2(p->dropsLabel()->text().contains(QLatin1String("read-only")),
                 qPrintable(p->dropsLabel()->text()));
        QVERIFY(p->dropsLabel()->text().at(0) != u'0');
        w.stopAction()->trigger();
        QCOMPARE(p->listeningLabel()->text(), QStringLiteral("not running"));
    }
    // A new window (next session) has the same values.
    Ui::MainWindow again;
    Ui::ProxyPanel *p = again.runPage()->proxyPanel();
    QCOMPARE(p->workersBox()->value(), 2);
    QVERIFY(p->readOnlyBox()->isChecked());
    QCOMPARE(p->maxInFlightBox()->value(), 77);
    QCOMPARE(p->mirrorTimeoutBox()->value(), 1500);
    QCOMPARE(again.portBox()->value(), 0);
    QCOMPARE(again.rateBox()->value(), 300);
}

void TestRunPage::badAddressAndBusyPortAreSaidOnThePage()
{
    Ui::MainWindow w;
    Ui::ProxyPanel *p = w.runPage()->proxyPanel();
    w.rateBox()->setValue(0);
    p->addressEdit()->setText(QStringLiteral("300.1.2.3"));
    QVERIFY2(p->message().contains(QLatin1String("\"300.1.2.3\" is not an IP address")),
             qPrintable(p->message()));
    w.startAction()->trigger();
    QVERIFY(!w.runController()->isRunning());
    QCOMPARE(w.currentPage(), Ui::MainWindow::Page::Run);
    QVERIFY(w.statusBar()->currentMessage().contains(QLatin1String("not an IP address")));

    // A real address that is not loopback: refused until "Allow remote" is ticked.
    p->addressEdit()->setText(QStringLiteral("192.0.2.1"));
    QVERIFY2(p->message().contains(QLatin1String("Allow remote")), qPrintable(p->message()));
    p->allowRemoteBox()->setChecked(true);
    QVERIFY(p->message().isEmpty());
    // No such address on this machine: the proxy cannot bind, and the page says so.
    w.portBox()->setValue(0);
    w.startAction()->trigger();
    QVERIFY(!w.runController()->isRunning());
    QVERIFY2(p->message().startsWith(QLatin1String("Not running:")), qPrintable(p->message()));
    p->allowRemoteBox()->setChecked(false);

    // A busy port: the proxy takes a free one and the panel says which was taken.
    p->addressEdit()->setText(QStringLiteral("127.0.0.1"));
    QTcpServer busy;
    QVERIFY(busy.listen(QHostAddress::LocalHost, 0));
    p->portBox()->setValue(busy.serverPort());
    QCOMPARE(w.portBox()->value(), int(busy.serverPort()));
    w.startAction()->trigger();
    QVERIFY2(w.runController()->isRunning(), qPrintable(w.statusBar()->currentMessage()));
    QVERIFY(w.runController()->runtime()->port() != busy.serverPort());
    QVERIFY2(p->message().contains(QStringLiteral("port %1 is taken").arg(busy.serverPort())),
             qPrintable(p->message()));
    w.stopAction()->trigger();
}

void TestRunPage::trafficStartsAndStopsWhileTheProxyRuns()
{
    Ui::MainWindow w;
    Ui::TrafficPanel *t = w.runPage()->trafficPanel();
    QVERIFY(!t->startAction()->isEnabled()); // nothing to send to yet
    QVERIFY(startQuiet(w));
    QVERIFY(t->startAction()->isEnabled());
    QVERIFY(!t->stopAction()->isEnabled());

    Ui::RunController *c = w.runController();
    QSignalSpy progress(c, &Ui::RunController::trafficProgress);
    QSignalSpy finished(c, &Ui::RunController::trafficFinished);
    t->rateBox()->setValue(200);
    t->concurrencyBox()->setValue(8);
    t->startAction()->trigger();
    QVERIFY2(c->isTrafficRunning(), qPrintable(t->message()));
    QVERIFY(t->stopAction()->isEnabled());
    // The counters move while it runs.
    QTRY_VERIFY_WITH_TIMEOUT(t->lastStats().answered() >= 20, 20000);
    QVERIFY(progress.count() > 0);
    QVERIFY2(t->countersLabel()->text().contains(QLatin1String("Running")),
             qPrintable(t->countersLabel()->text()));
    QVERIFY(t->countersLabel()->text().contains(QLatin1String("achieved")));

    t->stopAction()->trigger();
    QVERIFY(finished.wait(10000));
    QVERIFY(!c->isTrafficRunning());
    QVERIFY(!t->stopAction()->isEnabled());
    QVERIFY(c->isRunning()); // the proxy keeps running
    QVERIFY(t->countersLabel()->text().contains(QLatin1String("Finished")));
    const auto last = finished.first().first().value<Demo::GeneratorStats>();
    QVERIFY(last.sent >= 20);
    QCOMPARE(last.sent, last.answered() + last.failed() + last.abandoned);

    // A duration ends the run by itself; the mix comes from the table.
    t->mixTable()->setRowCount(1);
    t->mixTable()->item(0, Ui::TrafficPanel::Path)->setText(QStringLiteral("/users/{id}"));
    t->durationBox()->setValue(0.5);
    t->startAction()->trigger();
    QVERIFY(c->isTrafficRunning());
    QVERIFY(finished.wait(15000));
    QVERIFY(!c->isTrafficRunning());
    const auto timed = finished.last().first().value<Demo::GeneratorStats>();
    QVERIFY(timed.sent > 0);
    QCOMPARE(timed.sentPerEntry, QList<qint64>{timed.sent});
    w.stopAction()->trigger();
    QVERIFY(!t->startAction()->isEnabled());
}

void TestRunPage::replaysHarAndRecordedExchanges()
{
    Ui::MainWindow w;
    Ui::TrafficPanel *t = w.runPage()->trafficPanel();
    QVERIFY(startQuiet(w));
    Ui::RunController *c = w.runController();
    QSignalSpy finished(c, &Ui::RunController::trafficFinished);

    QTemporaryDir dir;
    const QString har = dir.filePath(QStringLiteral("session.har"));
    QString error;
    QVERIFY(Observe::writeHar(
        har, {recorded(1, 0, "/hello"), recorded(2, 30, "/users/7"), recorded(3, 60, "/hello?x=1")},
        {}, &error));
    t->setSource(Ui::TrafficPanel::Source::Har);
    t->setHarPath(har);
    t->pacingBox()->setCurrentIndex(0); // original pacing
    QVERIFY2(t->startTraffic(), qPrintable(t->message()));
    QVERIFY(t->message().contains(QLatin1String("Replaying 3 request")));
    QVERIFY(finished.wait(15000));
    auto stats = finished.last().first().value<Demo::GeneratorStats>();
    QCOMPARE(stats.planned, 3);
    QCOMPARE(stats.sent, 3);
    QCOMPARE(stats.answered(), 3);
    QVERIFY(t->countersLabel()->text().contains(QLatin1String("replayed 3 of 3")));

    // The log now holds those three: replay them at a chosen rate.
    c->runtime()->flushObservations();
    QTRY_COMPARE_WITH_TIMEOUT(c->runtime()->hub()->storedExchanges().size(), 3, 10000);
    t->setSource(Ui::TrafficPanel::Source::Recorded);
    t->pacingBox()->setCurrentIndex(1);
    t->rateBox()->setValue(100);
    QVERIFY2(t->startTraffic(), qPrintable(t->message()));
    QVERIFY(finished.wait(15000));
    stats = finished.last().first().value<Demo::GeneratorStats>();
    QCOMPARE(stats.planned, 3);
    QCOMPARE(stats.answered(), 3);
    QTRY_COMPARE_WITH_TIMEOUT(c->hub()->snapshot()->exchanges, quint64(6), 10000);
    w.stopAction()->trigger();
}

void TestRunPage::brokenInputIsNamedAndNothingStarts()
{
    Ui::MainWindow w;
    Ui::TrafficPanel *t = w.runPage()->trafficPanel();
    // Before the proxy runs: said, not started.
    t->setSource(Ui::TrafficPanel::Source::Mix);
    t->rateBox()->setValue(50);
    QVERIFY(!t->startTraffic());
    QVERIFY2(t->message().contains(QLatin1String("the proxy is not running")),
             qPrintable(t->message()));

    QVERIFY(startQuiet(w));
    Ui::RunController *c = w.runController();
    // A mix row with a bad path is named as it is typed, and blocks Start traffic.
    t->mixTable()->item(1, Ui::TrafficPanel::Path)->setText(QStringLiteral("users"));
    QVERIFY2(t->message().contains(QLatin1String("request mix row 2, path")),
             qPrintable(t->message()));
    t->rateBox()->setValue(50);
    QVERIFY(!t->startTraffic());
    QVERIFY(!c->isTrafficRunning());
    t->mixTable()->item(1, Ui::TrafficPanel::Path)->setText(QStringLiteral("/users"));
    t->mixTable()->item(0, Ui::TrafficPanel::Headers)->setText(QStringLiteral("no colon"));
    QVERIFY2(t->message().contains(QLatin1String("request mix row 1, headers")),
             qPrintable(t->message()));
    t->mixTable()->item(0, Ui::TrafficPanel::Headers)->setText(QStringLiteral("X-A: 1"));
    QVERIFY(t->message().isEmpty());

    // A HAR with a bad entry: the file, the entry and the field.
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("bad.har"));
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"log":{"entries":[{"startedDateTime":"2025-03-01T09:30:00Z",)"
            R"("request":{"method":"GET","url":"/ok"}},{"startedDateTime":"2025-03-01T09:30:01Z",)"
            R"("request":{"method":"GET","url":"/ok","headers":[{"name":"x"}]}}]}})");
    f.close();
    t->setSource(Ui::TrafficPanel::Source::Har);
    t->setHarPath(bad);
    QVERIFY(!t->startTraffic());
    QVERIFY2(
        t->message().contains(QLatin1String("bad.har: entry 1: request.headers[0].value: missing")),
        qPrintable(t->message()));
    t->setHarPath(dir.filePath(QStringLiteral("gone.har")));
    QVERIFY(!t->startTraffic());
    QVERIFY2(t->message().contains(QLatin1String("gone.har")), qPrintable(t->message()));
    // Rate 0 without original pacing.
    t->setSource(Ui::TrafficPanel::Source::Mix);
    t->rateBox()->setValue(0);
    QVERIFY(!t->startTraffic());
    QVERIFY2(t->message().contains(QLatin1String("rate must be above 0")),
             qPrintable(t->message()));
    QVERIFY(!c->isTrafficRunning());
    QVERIFY(c->isRunning());
    w.stopAction()->trigger();
}

QTEST_MAIN(TestRunPage)
#include "tst_runpage.moc"
