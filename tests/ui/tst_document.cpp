// The window's document as a desktop editor user expects it: undo/redo of YAML edits (with the
// diagnostics following), the dirty marker, atomic saves and failed saves, recent files,
// unsaved-changes questions, drops, kubectl List files, files changed on disk, the target Istio
// version and the settings kept between sessions. Settings live in QStandardPaths' test
// location, never the user's.
#include "editor/noticebar.h"
#include "editor/recentfiles.h"
#include "editor/settings.h"
#include "editor/yamleditor.h"
#include "mainwindow.h"
#include "run/bindingsview.h"
#include "run/runpage.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDropEvent>
#include <QMenu>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTreeWidget>
#include <QUndoStack>

#include "windowtestutil.h"

using namespace TestSupport;

class TestDocument : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void undoRedoOfTypingRestoresTextAndDiagnostics();
    void pausesSeparateUndoSteps();
    void dirtyMarkerInTitle();
    void saveIsAtomicAndClearsDirty();
    void failedSaveKeepsDirtyAndSaysWhy();
    void recentFilesUpdateAndPrune();
    void unsavedChangesAreAskedAbout();
    void invalidYamlKeepsModelAndShowsError();
    void versionSelectorChangesDiagnostics();
    void kubectlListIsSaid();
    void dropOpensFile();
    void fileChangedOnDiskOffersReload();
    void settingsSurviveRestart();
    void newDocumentIsCleanAndValid();
    void shortcutsSwitchPages();

private:
    QTemporaryDir m_settingsDir;
    QString writeFile(const QString &name, const QByteArray &bytes);
    static QString example();

    QTemporaryDir m_dir;
};

void TestDocument::initTestCase()
{
    Q_INIT_RESOURCE(core);
    QStandardPaths::setTestModeEnabled(true);
    // Test mode alone would share one settings file among the ui tests, which ctest -j runs
    // at the same time: each executable gets its own folder.
    QVERIFY(m_settingsDir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QVERIFY2(Ui::Settings::open()->fileName().startsWith(m_settingsDir.path()),
             qPrintable(Ui::Settings::open()->fileName()));
    QVERIFY(m_dir.isValid());
}

void TestDocument::init()
{
    Ui::Settings::open()->clear();
}

QString TestDocument::writeFile(const QString &name, const QByteArray &bytes)
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        return {};
    return path;
}

QString TestDocument::example()
{
    QFile f(QStringLiteral(":/examples/greeter-mirror.yaml"));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

void TestDocument::undoRedoOfTypingRestoresTextAndDiagnostics()
{
    Ui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    const QString original = w.yamlEditor()->toPlainText();
    QVERIFY(!w.undoAction()->isEnabled());
    typeOver(w.yamlEditor(), QStringLiteral("100"), QStringLiteral("-15"));
    QTRY_VERIFY(findDiagnostic(w.diagnosticsView(), QStringLiteral("IST0106")));
    // Four keystrokes (over a selection), one step.
    QCOMPARE(w.undoStack()->count(), 1);
    QVERIFY(w.undoAction()->isEnabled());

    // Ctrl+Z in the editor goes to the window's undo stack.
    w.yamlEditor()->setFocus();
    QTest::keyClick(w.yamlEditor(), Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(w.yamlEditor()->toPlainText(), original);
    QVERIFY(!findDiagnostic(w.diagnosticsView(), QStringLiteral("IST0106")));
    QCOMPARE(w.errorCount(), 0);
    QVERIFY(!w.isModified());
    // The cursor is where the change was, not at the top.
    QCOMPARE(w.yamlEditor()->textCursor().block().text().trimmed(), QStringLiteral("weight: 100"));

    QTest::keyClick(w.yamlEditor(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QVERIFY(w.yamlEditor()->toPlainText().contains(QLatin1String("weight: -15")));
    QVERIFY(findDiagnostic(w.diagnosticsView(), QStringLiteral("IST0106")));
    QVERIFY(w.errorCount() > 0);
    QVERIFY(w.isModified());
    // And from the Edit menu.
    w.undoAction()->trigger();
    QCOMPARE(w.yamlEditor()->toPlainText(), original);
    w.redoAction()->trigger();
    QVERIFY(w.yamlEditor()->toPlainText().contains(QLatin1String("weight: -15")));
}

void TestDocument::pausesSeparateUndoSteps()
{
    Ui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy paused(w.yamlPane(), &Ui::YamlEditor::paused);
    typeOver(w.yamlEditor(), QStringLiteral("name: greeter-service"), QStringLiteral("name: a"));
    QVERIFY(paused.wait());
    QTest::keyClicks(w.yamlEditor(), QStringLiteral("bc"));
    QCOMPARE(w.undoStack()->count(), 2);
    w.undoAction()->trigger();
    QVERIFY(w.yamlEditor()->toPlainText().contains(QLatin1String("name: a\n")));
    w.undoAction()->trigger();
    QCOMPARE(w.yamlEditor()->toPlainText(), example());
    // A programmatic replacement (what a form edit does) is one named step.
    w.yamlPane()->replaceText(
        example().replace(QLatin1String("weight: 100"), QLatin1String("weight: -5")),
        QStringLiteral("Change weight"));
    QCOMPARE(w.undoStack()->count(), 1); // the redo history was dropped
    QCOMPARE(w.undoAction()->text().remove(QLatin1Char('&')), QStringLiteral("Undo Change weight"));
    QVERIFY(findDiagnostic(w.diagnosticsView(), QStringLiteral("IST0106"))); // weight -5 < 0
}

void TestDocument::dirtyMarkerInTitle()
{
    Ui::MainWindow w;
    QCOMPARE(w.windowTitle(), QStringLiteral("greeter-mirror.yaml — Mirrorscope"));
    typeOver(w.yamlEditor(), QStringLiteral("version: v2"), QStringLiteral("version: v3"));
    QCOMPARE(w.windowTitle(), QStringLiteral("greeter-mirror.yaml • — Mirrorscope"));
    w.undoAction()->trigger();
    QCOMPARE(w.windowTitle(), QStringLiteral("greeter-mirror.yaml — Mirrorscope"));
}

void TestDocument::saveIsAtomicAndClearsDirty()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("mirror.yaml"));
    Ui::MainWindow w;
    QString suggested;
    w.setFilePrompt([&](bool save, const QString &s) {
        suggested = s;
        return save ? path : QString();
    });
    typeOver(w.yamlEditor(), QStringLiteral("version: v2"), QStringLiteral("version: v3"));
    QVERIFY(w.isModified());
    // The embedded example has no file yet: Save asks where, suggesting its name.
    QVERIFY(w.save());
    QVERIFY(suggested.endsWith(QLatin1String("greeter-mirror.yaml")));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(f.readAll()), w.yamlEditor()->toPlainText());
    QVERIFY(!w.isModified());
    QCOMPARE(w.windowTitle(), QStringLiteral("mirror.yaml — Mirrorscope"));
    QCOMPARE(w.filePath(), QFileInfo(path).absoluteFilePath());
    // QSaveFile left nothing beside it.
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden),
             QStringList{QStringLiteral("mirror.yaml")});
    // Undo after a save makes it dirty again; redo returns to the saved state.
    w.undoAction()->trigger();
    QVERIFY(w.isModified());
    w.redoAction()->trigger();
    QVERIFY(!w.isModified());
    QCOMPARE(Ui::RecentFiles::list().value(0), QFileInfo(path).absoluteFilePath());
}

void TestDocument::failedSaveKeepsDirtyAndSaysWhy()
{
    Ui::MainWindow w;
    typeOver(w.yamlEditor(), QStringLiteral("version: v2"), QStringLiteral("version: v3"));
    const QString bad = m_dir.filePath(QStringLiteral("no/such/dir/x.yaml"));
    QVERIFY(!w.saveTo(bad));
    QVERIFY(w.isModified());
    QVERIFY(w.windowTitle().contains(QStringLiteral(" •")));
    QVERIFY(w.noticeBar()->isVisibleTo(&w));
    QVERIFY2(w.noticeBar()->text().contains(QLatin1String("Not saved")),
             qPrintable(w.noticeBar()->text()));
    QVERIFY(w.noticeBar()->text().contains(QLatin1String("no/such/dir/x.yaml")));
    QVERIFY(w.statusBar()->currentMessage().startsWith(QLatin1String("Not saved: ")));
    QVERIFY(w.statusBar()->currentMessage().size() > QStringLiteral("Not saved: ").size());
    QVERIFY(w.noticeBar()->button(QStringLiteral("Save As...")));
    QVERIFY(!QFileInfo::exists(bad));
}

void TestDocument::recentFilesUpdateAndPrune()
{
    const QString a = writeFile(QStringLiteral("a.yaml"), example().toUtf8());
    const QString b = writeFile(QStringLiteral("b.yaml"), example().toUtf8());
    Ui::MainWindow w;
    QVERIFY(w.openFile(a));
    QVERIFY(w.openFile(b));
    QCOMPARE(Ui::RecentFiles::list(), (QStringList{b, a}));
    emit w.recentMenu()->aboutToShow();
    QVERIFY(w.recentMenu()->actions().at(0)->text().contains(QLatin1String("b.yaml")));
    QVERIFY(w.recentMenu()->actions().at(1)->text().contains(QLatin1String("a.yaml")));
    // Opening a again moves it to the front; the menu opens it.
    w.recentMenu()->actions().at(1)->trigger();
    QCOMPARE(w.filePath(), a);
    QCOMPARE(Ui::RecentFiles::list(), (QStringList{a, b}));

    QVERIFY(QFile::remove(b));
    emit w.recentMenu()->aboutToShow();
    QCOMPARE(Ui::RecentFiles::list(), QStringList{a});
    QVERIFY(w.statusBar()->currentMessage().contains(QLatin1String("b.yaml")));
    QVERIFY(w.statusBar()->currentMessage().contains(QLatin1String("no longer on disk")));
    QCOMPARE(w.recentMenu()->actions().size(), 3); // a, separator, Clear Menu

    // At most ten, newest first.
    for (int i = 0; i < 12; ++i)
        Ui::RecentFiles::add(writeFile(QStringLiteral("f%1.yaml").arg(i), "{}\n"));
    QCOMPARE(Ui::RecentFiles::list().size(), Ui::RecentFiles::kMax);
    QVERIFY(Ui::RecentFiles::list().first().endsWith(QLatin1String("f11.yaml")));
}

void TestDocument::unsavedChangesAreAskedAbout()
{
    const QString other = writeFile(QStringLiteral("other.yaml"), example().toUtf8());
    Ui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QMessageBox::StandardButton answer = QMessageBox::Cancel;
    QStringList askedAbout;
    w.setUnsavedPrompt([&](const QString &name) {
        askedAbout << name;
        return answer;
    });
    // Clean: no question.
    QVERIFY(w.confirmAndOpen(other));
    QVERIFY(askedAbout.isEmpty());
    typeOver(w.yamlEditor(), QStringLiteral("version: v2"), QStringLiteral("version: v3"));

    QVERIFY(!w.confirmAndOpen(other)); // Cancel: nothing happens
    QCOMPARE(askedAbout, QStringList{QStringLiteral("other.yaml")});
    QVERIFY(w.isModified());
    QVERIFY(!w.close()); // Cancel: the window stays
    QVERIFY(w.isVisible());

    answer = QMessageBox::Save; // Save, then open
    QVERIFY(w.confirmAndOpen(other));
    QFile f(other);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().contains("version: v3"));
    QVERIFY(!w.isModified());

    typeOver(w.yamlEditor(), QStringLiteral("version: v1"), QStringLiteral("version: v0"));
    answer = QMessageBox::Discard; // New drops the change
    w.newAction()->trigger();
    QVERIFY(!w.isModified());
    QCOMPARE(w.windowTitle(), QStringLiteral("Untitled.yaml — Mirrorscope"));
    QVERIFY(w.close());
}

void TestDocument::invalidYamlKeepsModelAndShowsError()
{
    Ui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QCOMPARE(w.config().virtualServices().size(), 1);
    QCOMPARE(w.runPage()->bindings()->rowCount(), 2);
    QSignalSpy validated(&w, &Ui::MainWindow::validated);
    typeOver(w.yamlEditor(), QStringLiteral("  hosts:"), QStringLiteral("  hosts: ["));
    QVERIFY(validated.wait());
    Ui::NoticeBar *bar = w.yamlPane()->errorBar();
    QVERIFY(bar->isVisibleTo(&w));
    QVERIFY2(bar->text().contains(QLatin1String("YAML error")), qPrintable(bar->text()));
    QVERIFY(w.errorCount() > 0);
    // The model, the bindings and the text stay.
    QCOMPARE(w.config().virtualServices().size(), 1);
    QCOMPARE(w.runPage()->bindings()->rowCount(), 2);
    QVERIFY(w.yamlEditor()->toPlainText().contains(QLatin1String("hosts: [")));
    // "Go to line:column" puts the cursor on the reported line.
    QVERIFY(!bar->buttons().isEmpty());
    QPushButton *go = bar->buttons().first();
    QVERIFY(go->text().startsWith(QLatin1String("Go to ")));
    const int line = go->text().mid(6).section(QLatin1Char(':'), 0, 0).toInt();
    QVERIFY(line > 0);
    w.yamlEditor()->setTextCursor(QTextCursor(w.yamlEditor()->document()));
    go->click();
    QCOMPARE(w.yamlEditor()->textCursor().blockNumber() + 1, line);
    // Fixing it clears the bar.
    w.undoAction()->trigger();
    QVERIFY(!bar->isVisibleTo(&w));
    QCOMPARE(w.errorCount(), 0);
}

void TestDocument::versionSelectorChangesDiagnostics()
{
    // retries.backoff exists from Istio 1.26 on.
    QString text = example();
    text.replace(QLatin1String("      subset: v2\n---"),
                 QLatin1String("      subset: v2\n    retries:\n      attempts: 2\n"
                               "      backoff: 1s\n---"));
    const QString path = writeFile(QStringLiteral("backoff.yaml"), text.toUtf8());
    {
        Ui::MainWindow w;
        QVERIFY(w.openFile(path));
        QCOMPARE(w.targetVersion(), Base::IstioVersion::latest());
        QVERIFY(!findDiagnostic(w.diagnosticsView(), QStringLiteral("MS4010")));
        QCOMPARE(w.versionBox()->itemData(w.versionBox()->count() - 1).toString(),
                 QStringLiteral("1.22"));
        w.versionBox()->setCurrentIndex(w.versionBox()->findData(QStringLiteral("1.22")));
        QTreeWidgetItem *item = findDiagnostic(w.diagnosticsView(), QStringLiteral("MS4010"));
        QVERIFY(item);
        QVERIFY(item->text(4).contains(QLatin1String("1.26")));
        w.versionBox()->setCurrentIndex(w.versionBox()->findData(QStringLiteral("1.26")));
        QVERIFY(!findDiagnostic(w.diagnosticsView(), QStringLiteral("MS4010")));
        w.versionBox()->setCurrentIndex(w.versionBox()->findData(QStringLiteral("1.25")));
    }
    Ui::MainWindow again; // persisted
    QCOMPARE(again.targetVersion().toString(), QStringLiteral("1.25"));
    QVERIFY(again.openFile(path));
    QVERIFY(findDiagnostic(again.diagnosticsView(), QStringLiteral("MS4010")));
}

void TestDocument::kubectlListIsSaid()
{
    const QByteArray list = R"(apiVersion: v1
kind: List
items:
- apiVersion: networking.istio.io/v1
  kind: VirtualService
  metadata:
    name: greeter-service
    resourceVersion: "123"
  spec:
    hosts:
    - greeter-service
    http:
    - route:
      - destination:
          host: greeter-service
          subset: v1
      mirror:
        host: greeter-service
        subset: v2
- apiVersion: networking.istio.io/v1
  kind: DestinationRule
  metadata:
    name: greeter-service
  spec:
    host: greeter-service
    subsets:
    - name: v1
      labels:
        version: v1
    - name: v2
      labels:
        version: v2
- apiVersion: v1
  kind: Service
  metadata:
    name: greeter-service
  spec:
    ports:
    - port: 3000
metadata:
  resourceVersion: ""
)";
    const QString path = writeFile(QStringLiteral("kubectl.yaml"), list);
    Ui::MainWindow w;
    QVERIFY(w.openFile(path));
    QVERIFY2(w.statusBar()->currentMessage().startsWith(
                 QLatin1String("3 resources from a kubectl List")),
             qPrintable(w.statusBar()->currentMessage()));
    QCOMPARE(w.errorCount(), 0);
    QCOMPARE(w.config().virtualServices().size(), 1);
    QCOMPARE(w.runPage()->bindings()->rowCount(), 2);
}

void TestDocument::dropOpensFile()
{
    const QString path = writeFile(QStringLiteral("dropped.yaml"), example().toUtf8());
    Ui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    const QPoint at = w.rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(at, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&w, &drop);
    QTRY_COMPARE(w.filePath(), path);
    QCOMPARE(w.windowTitle(), QStringLiteral("dropped.yaml — Mirrorscope"));

    // Dropped onto the YAML pane, the file is opened too, not its path pasted.
    const QString second = writeFile(QStringLiteral("second.yaml"), example().toUtf8());
    QMimeData onEditor;
    onEditor.setUrls({QUrl::fromLocalFile(second)});
    QWidget *viewport = w.yamlEditor()->viewport();
    QDragEnterEvent enterEditor(QPoint(5, 5), Qt::CopyAction, &onEditor, Qt::LeftButton,
                                Qt::NoModifier);
    QApplication::sendEvent(viewport, &enterEditor);
    QDropEvent dropEditor(QPoint(5, 5), Qt::CopyAction, &onEditor, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(viewport, &dropEditor);
    QTRY_COMPARE(w.filePath(), second);
    QCOMPARE(w.yamlEditor()->toPlainText(), example());
    QVERIFY(!w.isModified());
}

void TestDocument::fileChangedOnDiskOffersReload()
{
    const QString path = writeFile(QStringLiteral("watched.yaml"), example().toUtf8());
    Ui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.openFile(path));
    const QString changed =
        example().replace(QLatin1String("weight: 100"), QLatin1String("weight: -1"));
    QVERIFY(!writeFile(QStringLiteral("watched.yaml"), changed.toUtf8()).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(w.noticeBar()->isVisibleTo(&w), 10000);
    QVERIFY(w.noticeBar()->text().contains(QLatin1String("changed on disk")));
    QVERIFY(w.noticeBar()->button(QStringLiteral("Reload")));
    QCOMPARE(w.yamlEditor()->toPlainText(), example()); // nothing changed by itself
    w.noticeBar()->button(QStringLiteral("Reload"))->click();
    QCOMPARE(w.yamlEditor()->toPlainText(), changed);
    QVERIFY(findDiagnostic(w.diagnosticsView(), QStringLiteral("IST0106")));
    QVERIFY(!w.noticeBar()->isVisibleTo(&w));
    QVERIFY(!w.isModified());

    // Changed again: keeping mine leaves the document unsaved (it differs from the file).
    QVERIFY(!writeFile(QStringLiteral("watched.yaml"), example().toUtf8()).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(w.noticeBar()->isVisibleTo(&w), 10000);
    w.noticeBar()->button(QStringLiteral("Keep Mine"))->click();
    QVERIFY(!w.noticeBar()->isVisibleTo(&w));
    QVERIFY(w.isModified());
    QCOMPARE(w.yamlEditor()->toPlainText(), changed);
}

void TestDocument::settingsSurviveRestart()
{
    const QString path = writeFile(QStringLiteral("bound.yaml"), example().toUtf8());
    {
        Ui::MainWindow w;
        QVERIFY(w.openFile(path));
        w.showPage(Ui::MainWindow::Page::Run);
        Ui::BindingsView *b = w.runPage()->bindings();
        QCOMPARE(b->item(0, 0)->text(), QStringLiteral("greeter-service:3000:v1"));
        b->item(0, Ui::BindingsView::Endpoint)->setText(QStringLiteral("127.0.0.1:3001"));
        QCOMPARE(b->userBindings().all().size(), 1);
        QVERIFY(w.close());
    }
    Ui::MainWindow w;
    QCOMPARE(w.currentPage(), Ui::MainWindow::Page::Run);
    // The example has no bindings of its own; the file's come back with it.
    QCOMPARE(w.runPage()->bindings()->userBindings().all().size(), 0);
    QVERIFY(w.openFile(path));
    Ui::BindingsView *b = w.runPage()->bindings();
    QCOMPARE(b->userBindings().all().size(), 1);
    QCOMPARE(b->item(0, Ui::BindingsView::Endpoint)->text(), QStringLiteral("127.0.0.1:3001"));
    QVERIFY(!w.saveGeometry().isEmpty());
    QVERIFY(!Ui::Settings::open()->value("window/geometry").toByteArray().isEmpty());
    QVERIFY(Ui::Settings::open()
                ->value("window/splitters")
                .toMap()
                .contains(QStringLiteral("editorSplitter")));
}

void TestDocument::newDocumentIsCleanAndValid()
{
    Ui::MainWindow w;
    w.newDocument();
    QCOMPARE(w.windowTitle(), QStringLiteral("Untitled.yaml — Mirrorscope"));
    QCOMPARE(w.errorCount(), 0);
    QCOMPARE(w.config().virtualServices().size(), 1);
    QVERIFY(!w.undoAction()->isEnabled());
    QVERIFY(w.filePath().isEmpty());
}

void TestDocument::shortcutsSwitchPages()
{
    Ui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.activateWindow();
    QTest::keyClick(&w, Qt::Key_2, Qt::ControlModifier);
    QCOMPARE(w.currentPage(), Ui::MainWindow::Page::Run);
    QTest::keyClick(&w, Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(w.currentPage(), Ui::MainWindow::Page::Editor);
}

QTEST_MAIN(TestDocument)
#include "tst_document.moc"
