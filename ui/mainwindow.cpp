#include "mainwindow.h"

#include "dashboard/dashboardwidget.h"
#include "dialogs/exchangeexport.h"
#include "dialogs/exportdialog.h"
#include "dialogs/noiserulesdialog.h"
#include "dialogs/shortcutsdialog.h"
#include "editor/noticebar.h"
#include "editor/recentfiles.h"
#include "editor/settings.h"
#include "editor/yamleditor.h"
#include "forms/formeditor.h"
#include "forms/yamlsync.h"
#include "logs/detailpane.h"
#include "logs/exchangemodel.h"
#include "logs/logview.h"
#include "observe/hub.h"
#include "routing/routeengine.h"
#include "run/bindingsview.h"
#include "run/proxypanel.h"
#include "run/runcontroller.h"
#include "run/runpage.h"
#include "run/trafficpanel.h"
#include "validate/validator.h"
#include "yaml/document.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QGuiApplication>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QPushButton>
#include <QSaveFile>
#include <QScreen>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>
#include <QToolButton>
#include <QTreeWidget>
#include <QUndoStack>
#include <QVBoxLayout>

#include <cmath>

namespace Ui {

namespace {
constexpr int kLineRole = Qt::UserRole;
constexpr int kColumnRole = Qt::UserRole + 1;
constexpr int kSeverityRole = Qt::UserRole + 2;
constexpr int kIndexRole = Qt::UserRole + 3; // index in m_lastDiagnostics
constexpr int kStatusMs = 8000;
constexpr int kOldestIstioMinor = 22; // the oldest release still serving networking/v1
const QString kDemoHost = QStringLiteral("greeter-service");
const QString kExampleName = QStringLiteral("greeter-mirror.yaml");
const QString kExampleKey = QStringLiteral(":example");
const char *const kGeometryKey = "window/geometry";
const char *const kStateKey = "window/state";
const char *const kSplittersKey = "window/splitters";
const char *const kPageKey = "window/page";
const char *const kVersionKey = "istio/targetVersion";
const char *const kDirKey = "files/lastDirectory";
const char *const kBindingsKey = "bindings/perFile";
const char *const kNoiseKey = "noise/perFile"; // file -> NoiseRules::toJson, compact

// File ▸ New: the smallest useful mirroring setup, valid as it stands.
const char *const kNewDocument =
    R"(# Every request goes to v1; a copy of each is mirrored to v2 (its answer is dropped).
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: my-service
spec:
  hosts:
  - my-service
  http:
  - route:
    - destination:
        host: my-service
        subset: v1
    mirror:
      host: my-service
      subset: v2
    mirrorPercentage:
      value: 100.0
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: my-service
spec:
  host: my-service
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
)";

QIcon themed(const char *name, QStyle::StandardPixmap fallback, const QStyle *style)
{
    return QIcon::fromTheme(QString::fromLatin1(name), style->standardIcon(fallback));
}

QString localFileOf(const QMimeData *mime)
{
    if (!mime || !mime->hasUrls())
        return {};
    for (const QUrl &url : mime->urls())
        if (url.isLocalFile())
            return url.toLocalFile();
    return {};
}
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_controller(new RunController(this)),
      m_watcher(new QFileSystemWatcher(this))
{
    setAcceptDrops(true);
    auto *central = new QWidget(this);
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    m_notice = new NoticeBar(central);
    centralLayout->addWidget(m_notice);
    m_pages = new QTabWidget(central);
    m_pages->setDocumentMode(true);
    m_pages->addTab(buildEditorPage(), tr("&Editor"));
    m_runPage = new RunPage(m_pages);
    m_pages->addTab(m_runPage, tr("&Run"));
    centralLayout->addWidget(m_pages, 1);
    setCentralWidget(central);
    m_status = new QLabel(this);
    statusBar()->addPermanentWidget(m_status);

    buildActions();
    buildMenus();
    buildToolBar();
    m_runPage->setController(m_controller);
    m_runPage->attachToolBar(m_start, m_stop, m_port, m_rate);

    // The dashboard reads the hub's snapshots; the log takes the hub's compared batches.
    dashboard()->setHub(m_controller->hub());
    m_runPage->log()->setHub(m_controller->hub());
    connect(m_controller, &RunController::observed, m_runPage->log(), &LogView::addObserved);
    connect(m_runPage->log(), &LogView::exportRequested, this, &MainWindow::showExchangeExport);
    connect(m_runPage->log(), &LogView::noiseRulesRequested, this, &MainWindow::showNoiseRules);
    // A right-click rule or accepted learned noise lands in the comparator: keep it too.
    connect(m_runPage->log()->detail(), &DetailPane::noiseChanged, this,
            &MainWindow::takeNoiseRulesFromComparator);
    connect(m_runPage->log(), &LogView::message, this,
            [this](const QString &text) { statusBar()->showMessage(text, kStatusMs); });
    connect(m_controller, &RunController::statusChanged, m_runPage, &RunPage::setStatus);
    connect(m_controller, &RunController::runningChanged, this, &MainWindow::updateRunState);
    connect(m_runPage->bindings(), &BindingsView::bindingsEdited, this, [this] {
        storeBindings();
        if (m_controller->isRunning()) {
            m_controller->setUserBindings(m_runPage->bindings()->userBindings());
            refreshBindings();
            if (!m_restoringBindings)
                statusBar()->showMessage(tr("Bindings applied to the running proxy"), kStatusMs);
        }
    });

    connect(m_yamlPane, &YamlEditor::paused, this, &MainWindow::revalidate);
    connect(m_yamlPane, &YamlEditor::textReplaced, this, &MainWindow::revalidate);
    connect(m_yamlPane, &YamlEditor::modificationChanged, this, &MainWindow::updateTitle);
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, &MainWindow::onFileChangedOnDisk);

    // Room for three charts and the log side by side, but never beyond the screen; the last
    // session's geometry wins when there is one.
    const QRect screen = QGuiApplication::primaryScreen()->availableGeometry();
    resize(qMin(1400, screen.width()), qMin(900, screen.height()));
    restoreSettings();

    QFile example(QStringLiteral(":/examples/greeter-mirror.yaml"));
    m_untitledName = kExampleName;
    if (example.open(QIODevice::ReadOnly))
        m_yamlPane->loadText(QString::fromUtf8(example.readAll())); // validates (textReplaced)
    restoreBindings();
    restoreNoiseRules();
    updateTitle();
    updateRunState(false);
    statusBar()->clearMessage();
}

MainWindow::~MainWindow()
{
    m_controller->stop();
}

QWidget *MainWindow::buildEditorPage()
{
    m_editorSplitter = new QSplitter(Qt::Vertical, this);
    m_editorSplitter->setObjectName(QStringLiteral("editorSplitter"));
    // The forms beside the YAML (both show the same document), the diagnostics below both.
    m_formsSplitter = new QSplitter(Qt::Horizontal, m_editorSplitter);
    m_formsSplitter->setObjectName(QStringLiteral("formsSplitter"));
    m_formsSplitter->setChildrenCollapsible(false);
    m_forms = new Forms::FormEditor(m_formsSplitter);
    m_forms->setObjectName(QStringLiteral("formEditor"));
    m_yamlPane = new YamlEditor(m_formsSplitter);
    m_yamlPane->setObjectName(QStringLiteral("yamlPane"));
    m_formsSplitter->setStretchFactor(0, 2);
    m_formsSplitter->setStretchFactor(1, 3);
    m_formsSplitter->setSizes({560, 840});
    connect(m_forms, &Forms::FormEditor::edited, this, &MainWindow::applyFormEdit);
    connect(m_forms, &Forms::FormEditor::locationSelected, this, &MainWindow::showFormLocation);
    m_diagnostics = new QTreeWidget(m_editorSplitter);
    m_diagnostics->setObjectName(QStringLiteral("diagnosticsView"));
    m_diagnostics->setRootIsDecorated(false);
    m_diagnostics->setHeaderLabels(
        {tr("Severity"), tr("Code"), tr("Line"), tr("Path"), tr("Message")});
    m_diagnostics->header()->setStretchLastSection(true);
    m_diagnostics->setColumnWidth(0, 90);
    m_diagnostics->setColumnWidth(1, 130);
    m_diagnostics->setColumnWidth(2, 60);
    m_diagnostics->setColumnWidth(3, 260);
    m_editorSplitter->setStretchFactor(0, 3);
    m_editorSplitter->setStretchFactor(1, 1);
    connect(m_diagnostics, &QTreeWidget::itemActivated, this, &MainWindow::activateDiagnostic);
    connect(m_diagnostics, &QTreeWidget::itemClicked, this, &MainWindow::activateDiagnostic);
    return m_editorSplitter;
}

void MainWindow::activateDiagnostic(QTreeWidgetItem *item)
{
    const int line = item->data(0, kLineRole).toInt();
    const int column = item->data(0, kColumnRole).toInt();
    const int index = item->data(0, kIndexRole).toInt();
    // The field in the form takes the keyboard; the YAML shows the line beside it. Without
    // such a field (a syntax error, the forms stale) the YAML takes the keyboard.
    const bool inForm = !m_forms->isStale() && index >= 0 && index < m_lastDiagnostics.size() &&
                        m_forms->selectDiagnostic(m_lastDiagnostics.at(index));
    if (inForm)
        m_yamlPane->goTo(line, column, false);
    else
        goToDiagnostic(line, column);
}

void MainWindow::applyFormEdit(const Model::Config &config, const QString &description)
{
    // Core's encoder writes the config, merged into the text so comments, layout and unknown
    // fields outside the edit stay; one undo step, which re-validates and feeds the forms
    // back (an equal config, so the field being edited keeps the focus).
    QString step = description;
    if (!step.isEmpty())
        step[0] = step.at(0).toUpper();
    m_yamlPane->replaceText(Forms::yamlForConfig(m_yamlPane->text(), config), step);
}

void MainWindow::showFormLocation(int resource, const QString &path)
{
    if (m_forms->isStale() || resource < 0 || resource >= m_forms->config().resources.size())
        return;
    const Model::Resource &r = m_forms->config().resources.at(resource);
    for (const Yaml::Document &d : m_formDocuments) {
        if (d.index != r.documentIndex)
            continue;
        const Yaml::Mark at = Forms::markOfPath(d.root, path);
        // Follow the selection without taking the keyboard from the outline or the field.
        m_yamlPane->goTo(at.line, at.column, false);
        return;
    }
}

void MainWindow::buildActions()
{
    const QStyle *s = style();
    m_new = new QAction(themed("document-new", QStyle::SP_FileIcon, s), tr("&New"), this);
    m_new->setShortcut(QKeySequence::New);
    m_new->setToolTip(tr("A new document: one VirtualService mirroring v1 to v2 (Ctrl+N)"));
    connect(m_new, &QAction::triggered, this, [this] {
        if (maybeSave())
            newDocument();
    });
    m_open =
        new QAction(themed("document-open", QStyle::SP_DialogOpenButton, s), tr("&Open..."), this);
    m_open->setShortcut(QKeySequence::Open);
    m_open->setToolTip(tr("Open Istio YAML, also `kubectl get ... -o yaml` output (Ctrl+O)"));
    connect(m_open, &QAction::triggered, this, [this] {
        if (!maybeSave())
            return;
        const QString path = askFileName(false, QString());
        if (!path.isEmpty())
            openFile(path);
    });
    m_save =
        new QAction(themed("document-save", QStyle::SP_DialogSaveButton, s), tr("&Save"), this);
    m_save->setShortcut(QKeySequence::Save);
    m_save->setToolTip(tr("Save the document (Ctrl+S)"));
    connect(m_save, &QAction::triggered, this, &MainWindow::save);
    m_saveAs = new QAction(themed("document-save-as", QStyle::SP_DialogSaveButton, s),
                           tr("Save &As..."), this);
    // Not QKeySequence::SaveAs: it has no binding on some Linux desktops.
    m_saveAs->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    connect(m_saveAs, &QAction::triggered, this, &MainWindow::saveAs);
    m_export = new QAction(themed("document-export", QStyle::SP_ArrowRight, s),
                           tr("&Export for kubectl..."), this);
    m_export->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_export->setIconText(tr("Export"));
    m_export->setToolTip(tr("YAML that `kubectl apply -f` takes: apiVersion, without cluster "
                            "noise, previewed (Ctrl+E)"));
    connect(m_export, &QAction::triggered, this, &MainWindow::showExportDialog);
    m_quit =
        new QAction(themed("application-exit", QStyle::SP_DialogCloseButton, s), tr("&Quit"), this);
    m_quit->setShortcut(QKeySequence::Quit);
    connect(m_quit, &QAction::triggered, this, &QWidget::close);

    QUndoStack *stack = m_yamlPane->undoStack();
    m_undo = stack->createUndoAction(this, tr("&Undo"));
    m_undo->setIcon(themed("edit-undo", QStyle::SP_ArrowBack, s));
    m_undo->setShortcut(QKeySequence::Undo);
    m_undo->setProperty("shortcutLabel", tr("Undo"));
    m_redo = stack->createRedoAction(this, tr("&Redo"));
    m_redo->setIcon(themed("edit-redo", QStyle::SP_ArrowForward, s));
    // Ctrl+Shift+Z everywhere, and Ctrl+Y where that is the platform's redo.
    QList<QKeySequence> redoKeys{QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)};
    for (const QKeySequence &k : QKeySequence::keyBindings(QKeySequence::Redo))
        if (!redoKeys.contains(k))
            redoKeys << k;
    m_redo->setShortcuts(redoKeys);
    m_redo->setProperty("shortcutLabel", tr("Redo"));
    m_yamlPane->textEdit()->setUndoActions(m_undo, m_redo);

    m_editorPage = new QAction(tr("&Editor"), this);
    m_editorPage->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    m_editorPage->setProperty("shortcutLabel", tr("Editor page"));
    connect(m_editorPage, &QAction::triggered, this, [this] { showPage(Page::Editor); });
    m_runPageAction = new QAction(tr("&Run"), this);
    m_runPageAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    m_runPageAction->setProperty("shortcutLabel", tr("Run page"));
    connect(m_runPageAction, &QAction::triggered, this, [this] { showPage(Page::Run); });

    m_shortcuts = new QAction(themed("help-keybord-shortcuts", QStyle::SP_DialogHelpButton, s),
                              tr("&Keyboard Shortcuts"), this);
    m_shortcuts->setShortcut(QKeySequence(Qt::Key_F1));
    connect(m_shortcuts, &QAction::triggered, this, &MainWindow::showShortcuts);
    m_about = new QAction(themed("help-about", QStyle::SP_MessageBoxInformation, s),
                          tr("&About Mirrorscope"), this);
    connect(m_about, &QAction::triggered, this, &MainWindow::showAbout);

    m_start = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("Start"), this);
    m_start->setShortcut(QKeySequence(Qt::Key_F5));
    m_start->setToolTip(tr("Run the document in the local proxy (F5)"));
    connect(m_start, &QAction::triggered, this, &MainWindow::start);
    m_stop = new QAction(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"), this);
    m_stop->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    m_stop->setToolTip(tr("Stop the proxy, the demo backends and the traffic (Shift+F5)"));
    connect(m_stop, &QAction::triggered, this, &MainWindow::stop);
    m_demo = new QAction(tr("Demo backends"), this);
    m_demo->setCheckable(true);
    m_demo->setChecked(true);
    m_demo->setToolTip(tr("Serve %1 v1 and v2 with the built-in greeters").arg(kDemoHost));
    connect(m_demo, &QAction::toggled, this, &MainWindow::refreshBindings);
    m_noiseAction = new QAction(tr("&Noise Rules..."), this);
    m_noiseAction->setToolTip(
        tr("Headers and JSON paths whose differences between v1 and a mirror do not count"));
    connect(m_noiseAction, &QAction::triggered, this, &MainWindow::showNoiseRules);
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_new);
    file->addAction(m_open);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    // Built when it opens: files deleted meanwhile are pruned then, and the person is told.
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    file->addSeparator();
    file->addAction(m_save);
    file->addAction(m_saveAs);
    file->addAction(m_export);
    file->addAction(tr("Export E&xchanges..."), this, &MainWindow::showExchangeExport);
    file->addSeparator();
    file->addAction(m_quit);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_undo);
    edit->addAction(m_redo);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_editorPage);
    view->addAction(m_runPageAction);

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    run->addAction(m_start);
    run->addAction(m_stop);
    run->addSeparator();
    run->addAction(m_demo);
    run->addAction(m_noiseAction);
    run->addSeparator();
    run->addAction(m_runPage->trafficPanel()->startAction());
    run->addAction(m_runPage->trafficPanel()->stopAction());
    run->addAction(m_runPage->trafficPanel()->replayHarAction());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_shortcuts);
    help->addAction(m_about);
    rebuildRecentMenu();
}

void MainWindow::buildToolBar()
{
    QToolBar *files = addToolBar(tr("File"));
    files->setObjectName(QStringLiteral("fileToolBar"));
    files->setMovable(false);
    files->addAction(m_open);
    files->addAction(m_save);
    files->addAction(m_undo);
    files->addAction(m_redo);
    files->addAction(m_export);
    // The one file action whose icon says little: its name beside it.
    if (auto *b = qobject_cast<QToolButton *>(files->widgetForAction(m_export)))
        b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);

    QToolBar *bar = addToolBar(tr("Run"));
    bar->setObjectName(QStringLiteral("runToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addAction(m_start);
    bar->addAction(m_stop);
    bar->addSeparator();

    bar->addWidget(new QLabel(tr(" Istio "), bar));
    m_version = new QComboBox(bar);
    const Base::IstioVersion latest = Base::IstioVersion::latest();
    for (int minor = latest.minor; minor >= kOldestIstioMinor; --minor) {
        const QString v = QStringLiteral("%1.%2").arg(latest.major).arg(minor);
        m_version->addItem(minor == latest.minor ? tr("%1 (latest)").arg(v) : v, v);
    }
    m_version->setToolTip(tr("Target Istio version: checks fields it lacks; up to 1.27 the "
                             "mirror's Host gets the -shadow suffix"));
    connect(m_version, &QComboBox::currentIndexChanged, this, [this] {
        Settings::open()->setValue(kVersionKey, targetVersion().toString());
        revalidate();
        if (m_controller->isRunning())
            statusBar()->showMessage(tr("The new Istio version applies at the next Start"),
                                     kStatusMs);
    });
    bar->addWidget(m_version);

    bar->addWidget(new QLabel(tr("  Listen 127.0.0.1:"), bar));
    m_port = new QSpinBox(bar);
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(tr("any"));
    m_port->setValue(8080);
    m_port->setToolTip(tr("Proxy port; \"any\" (0) takes a free one. If the port is taken "
                          "Start takes a free one and says so."));
    bar->addWidget(m_port);

    bar->addWidget(new QLabel(tr("  Traffic "), bar));
    m_rate = new QSpinBox(bar);
    m_rate->setRange(0, 5000);
    m_rate->setValue(50);
    m_rate->setSuffix(tr(" req/s"));
    m_rate->setSpecialValueText(tr("off"));
    m_rate->setToolTip(tr("Generated requests per second (Poisson arrivals); off: only your "
                          "own requests"));
    bar->addWidget(m_rate);
    bar->addSeparator();
    bar->addAction(m_demo);
}

QList<QSplitter *> MainWindow::splitters() const
{
    // The Run page's splitters are named here, in creation order, so their sizes can be kept.
    QList<QSplitter *> all{m_editorSplitter, m_formsSplitter};
    if (auto *outline = m_forms->findChild<QSplitter *>(QStringLiteral("formsOutlineSplitter")))
        all << outline;
    int n = 0;
    for (QSplitter *s : m_runPage->findChildren<QSplitter *>()) {
        if (s->objectName().isEmpty())
            s->setObjectName(QStringLiteral("runSplitter%1").arg(n));
        ++n;
        all << s;
    }
    return all;
}

void MainWindow::restoreSettings()
{
    auto settings = Settings::open();
    restoreGeometry(settings->value(kGeometryKey).toByteArray());
    restoreState(settings->value(kStateKey).toByteArray());
    const QVariantMap sizes = settings->value(kSplittersKey).toMap();
    for (QSplitter *s : splitters())
        if (sizes.contains(s->objectName()))
            s->restoreState(sizes.value(s->objectName()).toByteArray());
    const int version = m_version->findData(settings->value(kVersionKey).toString());
    if (version >= 0) {
        const QSignalBlocker block(m_version); // validated once the document is loaded
        m_version->setCurrentIndex(version);
    }
    m_pages->setCurrentIndex(qBound(0, settings->value(kPageKey, 0).toInt(), 1));
}

void MainWindow::saveSettings()
{
    auto settings = Settings::open();
    settings->setValue(kGeometryKey, saveGeometry());
    settings->setValue(kStateKey, saveState());
    QVariantMap sizes;
    for (QSplitter *s : splitters())
        sizes.insert(s->objectName(), s->saveState());
    settings->setValue(kSplittersKey, sizes);
    settings->setValue(kPageKey, m_pages->currentIndex());
    settings->setValue(kVersionKey, targetVersion().toString());
}

QString MainWindow::displayName() const
{
    return m_path.isEmpty() ? m_untitledName : QFileInfo(m_path).fileName();
}

bool MainWindow::isModified() const
{
    return m_yamlPane->isModified();
}

QPlainTextEdit *MainWindow::yamlEditor() const
{
    return m_yamlPane->textEdit();
}

QUndoStack *MainWindow::undoStack() const
{
    return m_yamlPane->undoStack();
}

QString MainWindow::askFileName(bool save, const QString &suggested)
{
    if (m_filePrompt)
        return m_filePrompt(save, suggested);
    const QString filter = tr("YAML (*.yaml *.yml);;All files (*)");
    return save ? QFileDialog::getSaveFileName(this, tr("Save YAML"), suggested, filter)
                : QFileDialog::getOpenFileName(this, tr("Open Istio YAML"), suggested, filter);
}

bool MainWindow::maybeSave()
{
    if (!isModified())
        return true;
    QMessageBox::StandardButton answer;
    if (m_unsavedPrompt) {
        answer = m_unsavedPrompt(displayName());
    } else {
        QMessageBox box(QMessageBox::Warning, tr("Unsaved Changes"),
                        tr("Save the changes to %1?").arg(displayName()),
                        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
        box.setInformativeText(tr("Without saving, your changes are lost."));
        box.setDefaultButton(QMessageBox::Save);
        answer = QMessageBox::StandardButton(box.exec());
    }
    if (answer == QMessageBox::Save)
        return save();
    return answer == QMessageBox::Discard;
}

void MainWindow::loadDocument(const QString &text, const QString &path, const QByteArray &diskBytes)
{
    if (!m_path.isEmpty())
        m_watcher->removePath(m_path);
    m_path = path;
    m_diskBytes = diskBytes;
    m_notice->dismiss();
    if (!path.isEmpty())
        watch(path);
    m_yamlPane->loadText(text); // re-validates
    restoreBindings();
    restoreNoiseRules();
    updateTitle();
}

void MainWindow::newDocument()
{
    m_untitledName = tr("Untitled.yaml");
    loadDocument(QString::fromUtf8(kNewDocument), QString(), QByteArray());
    showPage(Page::Editor);
    statusBar()->showMessage(tr("New document: one VirtualService mirroring v1 to v2"), kStatusMs);
}

bool MainWindow::openFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        const QString why = tr("Cannot open %1: %2").arg(path, f.errorString());
        m_notice->showMessage(NoticeBar::Kind::Error, why.toHtmlEscaped());
        statusBar()->showMessage(why, kStatusMs);
        if (!QFileInfo::exists(path))
            RecentFiles::remove(path);
        return false;
    }
    const QByteArray bytes = f.readAll();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    loadDocument(QString::fromUtf8(bytes), absolute, bytes);
    RecentFiles::add(absolute);
    Settings::open()->setValue(kDirKey, QFileInfo(absolute).absolutePath());
    QString message;
    if (m_listItems > 0)
        message = m_listItems == 1 ? tr("1 resource from a kubectl List")
                                   : tr("%1 resources from a kubectl List").arg(m_listItems);
    else
        message = tr("Opened %1: %n document(s)", nullptr, m_documents).arg(displayName());
    if (m_errors > 0)
        message += tr(", %n error(s)", nullptr, m_errors);
    statusBar()->showMessage(message, kStatusMs);
    return true;
}

bool MainWindow::confirmAndOpen(const QString &path)
{
    return maybeSave() && openFile(path);
}

bool MainWindow::save()
{
    if (m_path.isEmpty())
        return saveAs();
    return saveTo(m_path);
}

bool MainWindow::saveAs()
{
    QString suggested = m_path;
    if (suggested.isEmpty()) {
        const QString dir = Settings::open()->value(kDirKey, QDir::homePath()).toString();
        suggested = QDir(dir).filePath(m_untitledName);
    }
    const QString path = askFileName(true, suggested);
    return !path.isEmpty() && saveTo(path);
}

bool MainWindow::saveTo(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const QByteArray bytes = m_yamlPane->text().toUtf8();
    QSaveFile f(absolute);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        // QSaveFile wrote to a temporary file: the old file is untouched.
        const QString why = f.errorString();
        m_notice->showMessage(NoticeBar::Kind::Error,
                              tr("<b>Not saved.</b> Cannot write %1: %2. The document keeps its "
                                 "unsaved changes.")
                                  .arg(absolute.toHtmlEscaped(), why.toHtmlEscaped()));
        m_notice->addButton(tr("Save &As..."), [this] { saveAs(); });
        statusBar()->showMessage(tr("Not saved: %1").arg(why), kStatusMs);
        return false;
    }
    if (!m_path.isEmpty() && m_path != absolute)
        m_watcher->removePath(m_path);
    m_path = absolute;
    m_diskBytes = bytes;
    watch(absolute);
    m_yamlPane->closeEditStep();
    m_yamlPane->undoStack()->setClean();
    m_notice->dismiss();
    RecentFiles::add(absolute);
    Settings::open()->setValue(kDirKey, QFileInfo(absolute).absolutePath());
    storeBindings();   // the bindings now belong to this file
    storeNoiseRules(); // and so do the noise rules
    updateTitle();
    statusBar()->showMessage(tr("Saved %1").arg(absolute), kStatusMs);
    return true;
}

void MainWindow::watch(const QString &path)
{
    if (QFileInfo::exists(path) && !m_watcher->files().contains(path))
        m_watcher->addPath(path);
}

void MainWindow::onFileChangedOnDisk(const QString &path)
{
    if (path != m_path)
        return;
    // Editors (and QSaveFile) save by renaming a new file over the old one: the watch ends
    // with the old file, so watch the path again.
    watch(path);
    if (!QFileInfo::exists(path)) {
        m_notice->showMessage(NoticeBar::Kind::Warning,
                              tr("<b>%1</b> was deleted or moved on disk. Save writes it again.")
                                  .arg(displayName().toHtmlEscaped()));
        m_notice->addButton(tr("&Save"), [this] { save(); });
        return;
    }
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return;
    const QByteArray bytes = f.readAll();
    if (bytes == m_diskBytes)
        return; // our own save, or a touch: nothing to offer
    m_notice->showMessage(
        NoticeBar::Kind::Warning,
        tr("<b>%1</b> changed on disk.").arg(displayName().toHtmlEscaped()) +
            (isModified() ? tr(" Reloading discards your unsaved changes.") : QString()));
    m_notice->addButton(tr("&Reload"), [this] { reloadFromDisk(); });
    m_notice->addButton(tr("&Keep Mine"), [this, bytes] {
        // The document now differs from the file: it is unsaved until saved again.
        m_diskBytes = bytes;
        m_yamlPane->undoStack()->resetClean();
        m_notice->dismiss();
    });
}

void MainWindow::reloadFromDisk()
{
    const QString path = m_path;
    if (!openFile(path))
        return;
    statusBar()->showMessage(tr("Reloaded %1 from disk").arg(displayName()), kStatusMs);
}

void MainWindow::rebuildRecentMenu()
{
    const QStringList gone = RecentFiles::prune();
    if (!gone.isEmpty()) {
        QStringList names;
        for (const QString &f : gone)
            names << QFileInfo(f).fileName();
        statusBar()->showMessage(tr("Removed from Open Recent, no longer on disk: %1")
                                     .arg(names.join(QLatin1String(", "))),
                                 kStatusMs);
    }
    m_recentMenu->clear();
    const QStringList files = RecentFiles::list();
    int n = 0;
    for (const QString &f : files) {
        const QFileInfo info(f);
        const QString label = n < 9 ? QStringLiteral("&%1  %2").arg(n + 1).arg(info.fileName())
                                    : QStringLiteral("%1  %2").arg(n + 1).arg(info.fileName());
        QAction *a = m_recentMenu->addAction(label + QStringLiteral("  —  ") +
                                             QDir::toNativeSeparators(info.absolutePath()));
        a->setData(f);
        a->setToolTip(f);
        connect(a, &QAction::triggered, this, [this, f] {
            if (!QFileInfo::exists(f)) {
                RecentFiles::remove(f);
                statusBar()->showMessage(
                    tr("%1 is no longer on disk; removed from Open Recent").arg(f), kStatusMs);
                return;
            }
            confirmAndOpen(f);
        });
        ++n;
    }
    if (files.isEmpty()) {
        m_recentMenu->addAction(tr("No recent files"))->setEnabled(false);
    } else {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("&Clear Menu"), this, [] { RecentFiles::clear(); });
    }
}

ExportDialog *MainWindow::showExportDialog()
{
    if (m_yamlPane->isTyping())
        revalidate(); // export what is on screen
    auto *dialog = new ExportDialog(m_yamlPane->text().toUtf8(), m_path, m_lastDiagnostics,
                                    targetVersion(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    return dialog;
}

ExchangeExportDialog *MainWindow::showExchangeExport()
{
    QJsonObject report;
    if (const auto snapshot = m_controller->hub()->snapshot())
        report[QStringLiteral("summary")] = snapshot->summaryJson();
    auto *dialog = new ExchangeExportDialog(m_controller->hub(), report, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    return dialog;
}

void MainWindow::showShortcuts()
{
    auto *dialog = new ShortcutsDialog({m_new, m_open, m_save, m_saveAs, m_export, m_quit, m_undo,
                                        m_redo, m_editorPage, m_runPageAction, m_start, m_stop,
                                        m_runPage->trafficPanel()->startAction(),
                                        m_runPage->trafficPanel()->stopAction(),
                                        m_runPage->trafficPanel()->replayHarAction(), m_shortcuts},
                                       this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About Mirrorscope"),
        tr("<h3>Mirrorscope %1</h3>"
           "<p>Author Istio traffic mirroring, run it in a local proxy, compare v1 with the "
           "mirrored v2, and export YAML that <code>kubectl apply -f</code> takes.</p>"
           "<p>Validation follows Istio's CRD schemas and istiod's rules (target Istio %2). "
           "Built with Qt %3.</p>")
            .arg(QStringLiteral(MIRRORSCOPE_VERSION), targetVersion().toString(),
                 QString::fromLatin1(qVersion())));
}

Base::IstioVersion MainWindow::targetVersion() const
{
    const Base::IstioVersion v =
        Base::IstioVersion::fromString(m_version->currentData().toString());
    return v.valid() ? v : Base::IstioVersion::latest();
}

void MainWindow::revalidate()
{
    Yaml::ParseResult parsed = Yaml::parse(m_yamlPane->text().toUtf8(), displayName());
    Base::Diagnostics all = parsed.diagnostics;
    Validate::Options options;
    options.target = targetVersion();
    all += Validate::validate(parsed.documents, options);
    m_lastDiagnostics = all;
    m_documents = int(parsed.documents.size());
    m_listItems = 0;
    for (const Yaml::Document &d : parsed.documents)
        m_listItems += d.listItem >= 0;

    m_diagnostics->clear();
    int errors = 0, warnings = 0;
    QList<CodeEdit::Mark> marks;
    const Base::Diagnostic *syntax = nullptr;
    for (const Base::Diagnostic &d : std::as_const(m_lastDiagnostics)) {
        errors += d.severity == Base::Severity::Error;
        warnings += d.severity == Base::Severity::Warning;
        if (!syntax && d.severity == Base::Severity::Error &&
            d.code.startsWith(QLatin1String("MS00")))
            syntax = &d;
        auto *item = new QTreeWidgetItem(m_diagnostics);
        item->setText(0, Base::severityName(d.severity));
        // Icons, not colours: they follow the theme and do not rely on colour alone.
        item->setIcon(0, style()->standardIcon(d.severity == Base::Severity::Error
                                                   ? QStyle::SP_MessageBoxCritical
                                               : d.severity == Base::Severity::Warning
                                                   ? QStyle::SP_MessageBoxWarning
                                                   : QStyle::SP_MessageBoxInformation));
        item->setText(1, d.istioCode.isEmpty() ? d.code : d.istioCode + QLatin1Char('/') + d.code);
        item->setText(2, QStringLiteral("%1:%2").arg(d.line).arg(d.column));
        item->setText(3, d.path);
        item->setText(4, d.message);
        item->setToolTip(4, d.message);
        item->setData(0, kLineRole, d.line);
        item->setData(0, kColumnRole, d.column);
        item->setData(0, kSeverityRole, int(d.severity));
        item->setData(0, kIndexRole, int(&d - m_lastDiagnostics.constData()));
        if (d.line > 0 && d.severity != Base::Severity::Info)
            marks.append({d.line, d.column, d.severity == Base::Severity::Error ? 2 : 1});
    }
    m_yamlPane->setMarks(marks);
    if (syntax) {
        m_yamlPane->showSyntaxError(syntax->line, syntax->column, syntax->message);
        // Never wipe the forms over a typo: they keep the last document that parsed.
        m_forms->setStale(tr("Read-only: the YAML does not parse (line %1, column %2). The forms "
                             "show the last readable document.")
                              .arg(syntax->line)
                              .arg(syntax->column));
    } else {
        m_yamlPane->clearSyntaxError();
        m_formDocuments = parsed.documents;
        m_forms->setStale(QString());
        m_forms->setDocuments(m_formDocuments);
        m_forms->setDiagnostics(m_lastDiagnostics);
    }
    m_errors = errors;
    m_status->setText(tr("%1 document(s): %2 error(s), %3 warning(s)")
                          .arg(parsed.documents.size())
                          .arg(errors)
                          .arg(warnings));

    if (errors == 0) {
        m_config = Model::Config::fromDocuments(parsed.documents);
        m_configValid = true;
        const Routing::RouteEngine engine(m_config);
        m_targets = engine.targets();
        m_hosts = engine.hosts();
        refreshBindings();
        if (m_controller->isRunning()) {
            m_controller->updateConfig(m_config);
            statusBar()->showMessage(tr("Configuration applied to the running proxy"), kStatusMs);
        }
    } else {
        m_configValid = false;
        // Keep the last good model and targets: an error mid-typing must not empty the
        // bindings table (or, later, the forms).
        if (m_controller->isRunning())
            statusBar()->showMessage(tr("The document has %n error(s): the proxy keeps running "
                                        "the last valid configuration",
                                        nullptr, errors));
    }
    emit validated(errors, warnings);
}

void MainWindow::goToDiagnostic(int line, int column)
{
    m_yamlPane->goTo(line, column);
}

void MainWindow::updateTitle()
{
    // "greeter-mirror.yaml • — Mirrorscope": the dot says "unsaved", as in other editors.
    setWindowTitle(QStringLiteral("%1%2 — Mirrorscope")
                       .arg(displayName(), isModified() ? QStringLiteral(" •") : QString()));
}

void MainWindow::showPage(Page page)
{
    m_pages->setCurrentIndex(page == Page::Editor ? 0 : 1);
}

MainWindow::Page MainWindow::currentPage() const
{
    return m_pages->currentIndex() == 0 ? Page::Editor : Page::Run;
}

DashboardWidget *MainWindow::dashboard() const
{
    return m_runPage->dashboard();
}

ExchangeModel *MainWindow::logModel() const
{
    return m_runPage->log()->model();
}

void MainWindow::refreshBindings()
{
    const Proxy::Bindings running = m_controller->runtime()->bindings();
    m_runPage->bindings()->showTargets(m_targets, m_demo->isChecked(), kDemoHost,
                                       m_controller->isRunning() ? &running : nullptr);
}

QString MainWindow::bindingsKey() const
{
    return m_path.isEmpty() ? kExampleKey : m_path;
}

void MainWindow::storeBindings()
{
    if (m_restoringBindings)
        return;
    QVariantMap mine;
    const Proxy::Bindings user = m_runPage->bindings()->userBindings();
    for (const Proxy::Binding &b : user.all())
        mine.insert(Proxy::bindingKey(b.target), b.endpoint.text);
    auto settings = Settings::open();
    QVariantMap all = settings->value(kBindingsKey).toMap();
    if (mine.isEmpty())
        all.remove(bindingsKey());
    else
        all.insert(bindingsKey(), mine);
    // Only files someone may open again keep theirs: the settings must not grow forever.
    const QStringList recent = RecentFiles::list();
    for (auto it = all.begin(); it != all.end();) {
        if (it.key() != bindingsKey() && it.key() != kExampleKey && !recent.contains(it.key()))
            it = all.erase(it);
        else
            ++it;
    }
    settings->setValue(kBindingsKey, all);
}

void MainWindow::restoreBindings()
{
    const QVariantMap mine =
        Settings::open()->value(kBindingsKey).toMap().value(bindingsKey()).toMap();
    BindingsView *view = m_runPage->bindings();
    m_restoringBindings = true;
    // Through the table, as if typed: the view keeps the person's entries itself.
    for (auto it = mine.cbegin(); it != mine.cend(); ++it) {
        for (int row = 0; row < view->rowCount(); ++row) {
            QTableWidgetItem *dest = view->item(row, BindingsView::Destination);
            QTableWidgetItem *endpoint = view->item(row, BindingsView::Endpoint);
            if (dest && endpoint && dest->text() == it.key()) {
                endpoint->setText(it.value().toString());
                break;
            }
        }
    }
    m_restoringBindings = false;
}

void MainWindow::storeNoiseRules()
{
    const QString key = bindingsKey();
    auto settings = Settings::open();
    QVariantMap all = settings->value(kNoiseKey).toMap();
    if (m_noiseRules.isEmpty())
        all.remove(key);
    else
        all.insert(key, QString::fromUtf8(
                            QJsonDocument(m_noiseRules.toJson()).toJson(QJsonDocument::Compact)));
    // Like the bindings: only files someone may open again keep theirs.
    const QStringList recent = RecentFiles::list();
    for (auto it = all.begin(); it != all.end();) {
        if (it.key() != key && it.key() != kExampleKey && !recent.contains(it.key()))
            it = all.erase(it);
        else
            ++it;
    }
    settings->setValue(kNoiseKey, all);
}

void MainWindow::restoreNoiseRules()
{
    const QString saved =
        Settings::open()->value(kNoiseKey).toMap().value(bindingsKey()).toString();
    QStringList errors;
    m_noiseRules = saved.isEmpty() ? Observe::NoiseRules()
                                   : Observe::NoiseRules::fromJson(
                                         QJsonDocument::fromJson(saved.toUtf8()).object(), &errors);
    if (!errors.isEmpty()) // edited by hand, or by a newer version: keep what is valid
        statusBar()->showMessage(
            tr("Some saved noise rules were dropped: %1").arg(errors.join(QStringLiteral("; "))),
            kStatusMs);
    if (m_noiseDialog)
        m_noiseDialog->setRules(m_noiseRules);
    applyNoiseRules();
}

void MainWindow::applyNoiseRules()
{
    Observe::NoiseRules rules = m_noiseRules;
    for (const Observe::NoiseRules::Rule &r : std::as_const(m_runtimeNoise))
        rules.add(r);
    m_controller->hub()->withComparator(
        [&rules](Observe::Comparator &c) { c.setNoiseRules(rules); });
}

void MainWindow::takeNoiseRulesFromComparator()
{
    QList<Observe::NoiseRules::Rule> inForce;
    m_controller->hub()->withComparator(
        [&inForce](Observe::Comparator &c) { inForce = c.noiseRules().rules(); });
    Observe::NoiseRules mine;
    for (const Observe::NoiseRules::Rule &r : std::as_const(inForce))
        if (!m_runtimeNoise.contains(r))
            mine.add(r);
    if (mine.rules() == m_noiseRules.rules())
        return; // a rejection, or nothing added
    m_noiseRules = mine;
    storeNoiseRules();
    if (m_noiseDialog)
        m_noiseDialog->setRules(m_noiseRules);
}

NoiseRulesDialog *MainWindow::showNoiseRules()
{
    if (m_noiseDialog) {
        m_noiseDialog->raise();
        m_noiseDialog->activateWindow();
        return m_noiseDialog;
    }
    auto *dialog = new NoiseRulesDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setRules(m_noiseRules);
    dialog->setFixedRules(m_runtimeNoise, tr("demo"));
    connect(dialog, &NoiseRulesDialog::rulesChanged, this,
            [this](const Observe::NoiseRules &rules) {
                m_noiseRules = rules;
                storeNoiseRules();
                applyNoiseRules();
                statusBar()->showMessage(
                    m_controller->isRunning()
                        ? tr("Noise rules saved and applied to the running comparison")
                        : tr("Noise rules saved with %1").arg(displayName()),
                    kStatusMs);
            });
    m_noiseDialog = dialog;
    dialog->open();
    return dialog;
}

void MainWindow::start()
{
    if (m_yamlPane->isTyping()) { // typed just now: run what is on screen, not the last check
        m_yamlPane->closeEditStep();
        revalidate();
    }
    if (!m_configValid) {
        showPage(Page::Editor);
        for (int i = 0; i < m_diagnostics->topLevelItemCount(); ++i) {
            QTreeWidgetItem *item = m_diagnostics->topLevelItem(i);
            if (item->data(0, kSeverityRole).toInt() == int(Base::Severity::Error)) {
                m_diagnostics->setCurrentItem(item);
                break;
            }
        }
        statusBar()->showMessage(tr("Cannot start: the document has %n error(s), listed below "
                                    "the editor. istiod would reject it too.",
                                    nullptr, m_errors));
        return;
    }
    if (m_config.virtualServices().isEmpty()) {
        statusBar()->showMessage(tr("Cannot start: the document has no VirtualService"));
        return;
    }
    const bool demo = m_demo->isChecked();
    RunController::Request request;
    request.config = m_config;
    request.bindings = m_runPage->bindings()->userBindings();
    QString proxyError;
    request.options.proxy = m_runPage->proxyPanel()->settings(&proxyError);
    if (!proxyError.isEmpty()) {
        showPage(Page::Run);
        m_runPage->showProxyPanel();
        statusBar()->showMessage(tr("Cannot start: %1").arg(proxyError));
        return;
    }
    request.options.proxy.listenPort = quint16(m_port->value());
    request.traffic = m_runPage->trafficPanel()->startConfig();
    request.options.target = targetVersion();
    request.options.demoBackends = demo;
    request.options.demoHost = kDemoHost;
    const QString host = demo ? kDemoHost : m_hosts.value(0);
    request.options.defaultHost = host;
    request.trafficHost = host;
    request.trafficRate = m_rate->value();

    dashboard()->reset();
    logModel()->clear();
    // The person's rules first; the run adds its own (the demo's) on top.
    m_runtimeNoise.clear();
    applyNoiseRules();
    const bool started = m_controller->start(request);
    QList<Observe::NoiseRules::Rule> inForce;
    m_controller->hub()->withComparator(
        [&inForce](Observe::Comparator &c) { inForce = c.noiseRules().rules(); });
    const QList<Observe::NoiseRules::Rule> mine = m_noiseRules.rules();
    for (const Observe::NoiseRules::Rule &r : inForce)
        if (!mine.contains(r))
            m_runtimeNoise.append(r);
    if (m_noiseDialog)
        m_noiseDialog->setFixedRules(m_runtimeNoise, tr("demo"));
    if (!started) {
        statusBar()->showMessage(tr("Cannot start: %1").arg(m_controller->errorString()));
        m_runPage->setStatus(
            tr("Not running: %1").arg(m_controller->errorString().toHtmlEscaped()));
        return;
    }
    showPage(Page::Run);
    QString message = tr("Running on http://%1").arg(m_controller->runtime()->listenText());
    if (!m_controller->notice().isEmpty())
        message += QStringLiteral(" (") + m_controller->notice() + QLatin1Char(')');
    const QStringList unbound = m_controller->runtime()->unboundTargets();
    if (!unbound.isEmpty())
        message += tr("; no binding for %1: requests to it get 503").arg(unbound.join(", "));
    statusBar()->showMessage(message);
}

void MainWindow::stop()
{
    m_controller->stop();
}

void MainWindow::updateRunState(bool running)
{
    m_start->setEnabled(!running);
    m_stop->setEnabled(running);
    m_port->setEnabled(!running);
    m_rate->setEnabled(!running);
    m_demo->setEnabled(!running);
    dashboard()->setLive(running);
    refreshBindings();
    if (!running)
        statusBar()->showMessage(tr("Stopped"), kStatusMs);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    saveSettings();
    // Stop the proxy, the backends and the generator before the widgets go: their last batch
    // is folded into views that still exist.
    m_controller->stop();
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!localFileOf(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QString path = localFileOf(event->mimeData());
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    // After the drop returns: a modal question inside a drop blocks the source application.
    QMetaObject::invokeMethod(
        this, [this, path] { confirmAndOpen(path); }, Qt::QueuedConnection);
}

} // namespace Ui
