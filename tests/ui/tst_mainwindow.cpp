// The window as a person uses it: the greeter example loads clean, a broken weight shows
// Istio's diagnostic after the debounce and clicking it goes to the line, Start runs the demo
// (log rows and chart points arrive), Stop stops, and a document with errors does not start.
#include "dashboard/dashboardwidget.h"
#include "dialogs/shortcutsdialog.h"
#include "editor/settings.h"
#include "logs/exchangemodel.h"
#include "logs/logview.h"
#include "mainwindow.h"
#include "observe/hub.h"
#include "run/bindingsview.h"
#include "run/runcontroller.h"
#include "run/runpage.h"

#include <QAction>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTreeWidget>

#include "windowtestutil.h"

using namespace TestSupport;

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void greeterLoadsClean();
    void brokenWeightShowsDiagnosticAndGoesToLine();
    void startRunsTheDemoAndStopStops();
    void liveEditKeepsRunningOnErrors();
    void startWithErrorsSaysWhy();
    void f1ListsTheShortcuts();

private:
    QTemporaryDir m_settingsDir;
};

void TestMainWindow::initTestCase()
{
    Q_INIT_RESOURCE(core);
    // Window geometry, recent files and the target version go to the test location.
    QStandardPaths::setTestModeEnabled(true);
    // Test mode alone would share one settings file among the ui tests, which ctest -j runs
    // at the same time: each executable gets its own folder.
    QVERIFY(m_settingsDir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QVERIFY2(Ui::Settings::open()->fileName().startsWith(m_settingsDir.path()),
             qPrintable(Ui::Settings::open()->fileName()));
    Ui::Settings::open()->clear();
}

void TestMainWindow::greeterLoadsClean()
{
    Ui::MainWindow w;
    QVERIFY(w.yamlEditor()->toPlainText().contains(QLatin1String("kind: VirtualService")));
    QVERIFY(w.yamlEditor()->toPlainText().contains(QLatin1String("kind: DestinationRule")));
    QCOMPARE(w.errorCount(), 0);
    QVERIFY(!findDiagnostic(w.diagnosticsView(), QStringLiteral("IST0106")));
    // Both greeter destinations are listed and go to the demo: nothing is red.
    Ui::BindingsView *b = w.runPage()->bindings();
    QCOMPARE(b->rowCount(), 2);
    QCOMPARE(b->missingCount(), 0);
    QVERIFY(b->item(0, 1)->text().startsWith(QLatin1String("demo")));
    // Without the demo backends nobody serves them: both rows turn red.
    w.demoAction()->setChecked(false);
    QCOMPARE(b->missingCount(), 2);
    QVERIFY(b->isMissing(0) && b->isMissing(1));
}

void TestMainWindow::brokenWeightShowsDiagnosticAndGoesToLine()
{
    Ui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    typeOver(w.yamlEditor(), QStringLiteral("100"), QStringLiteral("-15"));
    QVERIFY(w.yamlEditor()->toPlainText().contains(QLatin1String("weight: -15")));
    QTRY_VERIFY(findDiagnostic(w.diagnosticsView(), QStringLiteral("IST0106")));
    QTreeWidgetItem *item = findDiagnostic(w.diagnosticsView(), QStringLiteral("IST0106"));
    QVERIFY(item->text(4).contains(QLatin1String("-15")));
    QVERIFY(w.errorCount() > 0);

    const int line = item->text(2).section(QLatin1Char(':'), 0, 0).toInt();
    const QTextBlock weightBlock =
        w.yamlEditor()->document()->find(QStringLiteral("weight: -15")).block();
    QCOMPARE(line, weightBlock.blockNumber() + 1);
    // Somewhere else first, then a click on the diagnostic brings the cursor to its line.
    QTextCursor top(w.yamlEditor()->document());
    w.yamlEditor()->setTextCursor(top);
    QCOMPARE(w.yamlEditor()->textCursor().blockNumber(), 0);
    QTreeWidget *view = w.diagnosticsView();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualItemRect(item).center());
    QCOMPARE(w.yamlEditor()->textCursor().blockNumber(), line - 1);
}

void TestMainWindow::startRunsTheDemoAndStopStops()
{
    Ui::MainWindow w;
    w.portBox()->setValue(0); // any free port: tests never take a fixed one
    w.rateBox()->setValue(80);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.startAction()->isEnabled());
    QVERIFY(!w.stopAction()->isEnabled());

    w.startAction()->trigger();
    QVERIFY2(w.runController()->isRunning(), qPrintable(w.statusBar()->currentMessage()));
    QCOMPARE(w.currentPage(), Ui::MainWindow::Page::Run);
    QVERIFY(!w.startAction()->isEnabled());
    QVERIFY(w.stopAction()->isEnabled());
    QVERIFY(w.runController()->runtime()->port() != 0);
    QVERIFY(w.runController()->runtime()->unboundTargets().isEmpty());

    Ui::ExchangeModel *log = w.logModel();
    QTRY_VERIFY_WITH_TIMEOUT(log->rowCount() > 0, 15000);
    QVERIFY(log->index(0, Ui::ExchangeModel::V1Status).data().toString().startsWith(u'2'));
    QVERIFY(!log->index(0, Ui::ExchangeModel::V2Latency).data().toString().isEmpty());

    // The log follows the newest row.
    QTableView *table = w.runPage()->log()->table();
    QTRY_VERIFY_WITH_TIMEOUT(table->verticalScrollBar()->maximum() > 0, 15000);
    QTRY_COMPARE(table->verticalScrollBar()->value(), table->verticalScrollBar()->maximum());

    Ui::DashboardWidget *d = w.dashboard();
    QLineSeries *v1 = d->rateSeries(Ui::Timeline::Primary);
    QLineSeries *v2 = d->rateSeries(Ui::Timeline::Mirror);
    QTRY_VERIFY_WITH_TIMEOUT(v1->count() > 0 && v2->count() > 0, 15000);
    // A full second at 80 req/s shows up as a rate well above zero for both.
    QTRY_VERIFY_WITH_TIMEOUT(v1->points().last().y() > 10 && v2->points().last().y() > 10, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(d->latencySeries(Ui::Timeline::Mirror, true)->count() > 0, 15000);
    QCOMPARE(v1->name(), QStringLiteral("v1"));
    QCOMPARE(v2->name(), QStringLiteral("v2 (mirror)"));
    QVERIFY(w.runPage()->statusLine()->text().contains(w.runController()->runtime()->listenText()));

    w.stopAction()->trigger();
    QVERIFY(!w.runController()->isRunning());
    QVERIFY(w.startAction()->isEnabled());
    QVERIFY(!w.stopAction()->isEnabled());
    QVERIFY(w.runPage()->statusLine()->text().startsWith(QLatin1String("Stopped")));
    // Stop drained the recorder into the views: the log saw every exchange the run recorded.
    const quint64 observed = w.runController()->hub()->snapshot()->exchanges;
    QVERIFY(observed > 0);
    QCOMPARE(log->totalSeen(), observed);
    QVERIFY(w.runPage()->statusLine()->text().contains(QLocale().toString(observed)));
}

void TestMainWindow::liveEditKeepsRunningOnErrors()
{
    Ui::MainWindow w;
    w.portBox()->setValue(0);
    w.rateBox()->setValue(0); // no generated traffic needed
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.startAction()->trigger();
    QVERIFY(w.runController()->isRunning());
    typeOver(w.yamlEditor(), QStringLiteral("100"), QStringLiteral("-15"));
    QTRY_VERIFY(w.statusBar()->currentMessage().contains(QLatin1String("last valid")));
    QVERIFY(w.runController()->isRunning());
    typeOver(w.yamlEditor(), QStringLiteral("-15"), QStringLiteral("100"));
    QTRY_VERIFY(w.statusBar()->currentMessage().contains(QLatin1String("applied")));
    QCOMPARE(w.errorCount(), 0);
    QVERIFY(w.runController()->isRunning());
    w.setUnsavedPrompt([](const QString &) { return QMessageBox::Discard; });
    QVERIFY(w.close()); // closing stops the proxy
    QVERIFY(!w.runController()->isRunning());
}

void TestMainWindow::startWithErrorsSaysWhy()
{
    Ui::MainWindow w;
    w.portBox()->setValue(0);
    w.yamlEditor()->setPlainText(w.yamlEditor()->toPlainText().replace(
        QLatin1String("weight: 100"), QLatin1String("weight: -15")));
    w.showPage(Ui::MainWindow::Page::Run);
    w.startAction()->trigger(); // before the debounce fired: Start checks what is on screen
    QVERIFY(!w.runController()->isRunning());
    QCOMPARE(w.currentPage(), Ui::MainWindow::Page::Editor);
    QVERIFY(w.statusBar()->currentMessage().contains(QLatin1String("Cannot start")));
    QVERIFY(w.diagnosticsView()->currentItem());
    QVERIFY(w.diagnosticsView()->currentItem()->text(1).contains(QLatin1String("IST0106")));
    QVERIFY(w.startAction()->isEnabled());
}

void TestMainWindow::f1ListsTheShortcuts()
{
    Ui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTest::keyClick(&w, Qt::Key_F1);
    Ui::ShortcutsDialog *d = nullptr;
    QTRY_VERIFY((d = w.findChild<Ui::ShortcutsDialog *>()) && d->isVisible());
    QMap<QString, QString> keys;
    for (int i = 0; i < d->table()->topLevelItemCount(); ++i)
        keys.insert(d->table()->topLevelItem(i)->text(0), d->table()->topLevelItem(i)->text(1));
    QCOMPARE(keys.value(QStringLiteral("Export for kubectl")), QStringLiteral("Ctrl+E"));
    QCOMPARE(keys.value(QStringLiteral("Start")), QStringLiteral("F5"));
    QCOMPARE(keys.value(QStringLiteral("Stop")), QStringLiteral("Shift+F5"));
    QCOMPARE(keys.value(QStringLiteral("Run page")), QStringLiteral("Ctrl+2"));
    QVERIFY(keys.value(QStringLiteral("Redo")).startsWith(QLatin1String("Ctrl+Shift+Z")));
    QCOMPARE(keys.value(QStringLiteral("Undo")), QStringLiteral("Ctrl+Z"));
    QCOMPARE(keys.value(QStringLiteral("Save As")), QStringLiteral("Ctrl+Shift+S"));
    d->close();
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
