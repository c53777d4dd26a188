#include "mainwindow.h"

#include "base/diagnostic.h"
#include "dashboard/dashboardwidget.h"
#include "logs/exchangemodel.h"
#include "logs/logview.h"
#include "routing/routeengine.h"
#include "run/bindingsview.h"
#include "run/runcontroller.h"
#include "run/runpage.h"
#include "validate/validator.h"
#include "yaml/document.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QScreen>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTextBlock>
#include <QToolBar>
#include <QTreeWidget>

namespace Ui {

namespace {
constexpr int kLineRole = Qt::UserRole;
constexpr int kColumnRole = Qt::UserRole + 1;
constexpr int kStatusMs = 8000;
const QString kDemoHost = QStringLiteral("greeter-service");
} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent), m_controller(new RunController(this))
{
    m_pages = new QTabWidget(this);
    m_pages->setDocumentMode(true);
    m_pages->addTab(buildEditorPage(), tr("&Editor"));
    m_runPage = new RunPage(m_pages);
    m_pages->addTab(m_runPage, tr("&Run"));
    setCentralWidget(m_pages);
    m_status = new QLabel(this);
    statusBar()->addPermanentWidget(m_status);

    buildMenus();
    buildToolBar();

    connect(m_controller, &RunController::exchanges, dashboard(), &DashboardWidget::addExchanges);
    connect(m_controller, &RunController::exchanges, logModel(), &ExchangeModel::addExchanges);
    connect(m_controller, &RunController::statusChanged, m_runPage, &RunPage::setStatus);
    connect(m_controller, &RunController::runningChanged, this, &MainWindow::updateRunState);
    connect(m_runPage->bindings(), &BindingsView::bindingsEdited, this, [this] {
        if (m_controller->isRunning()) {
            m_controller->setUserBindings(m_runPage->bindings()->userBindings());
            refreshBindings();
            statusBar()->showMessage(tr("Bindings applied to the running proxy"), kStatusMs);
        }
    });

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(400);
    connect(&m_debounce, &QTimer::timeout, this, &MainWindow::revalidate);
    connect(m_yaml, &QPlainTextEdit::textChanged, &m_debounce, qOverload<>(&QTimer::start));
    connect(m_yaml->document(), &QTextDocument::modificationChanged, this,
            &MainWindow::updateTitle);

    QFile example(QStringLiteral(":/examples/greeter-mirror.yaml"));
    if (example.open(QIODevice::ReadOnly))
        m_yaml->setPlainText(QString::fromUtf8(example.readAll()));
    m_yaml->document()->setModified(false);
    // Room for three charts and the log side by side, but never beyond the screen.
    const QRect screen = QGuiApplication::primaryScreen()->availableGeometry();
    resize(qMin(1400, screen.width()), qMin(900, screen.height()));
    updateTitle();
    revalidate();
    m_debounce.stop();
    updateRunState(false);
}

MainWindow::~MainWindow()
{
    m_controller->stop();
}

QWidget *MainWindow::buildEditorPage()
{
    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_yaml = new QPlainTextEdit(splitter);
    m_yaml->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_yaml->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_diagnostics = new QTreeWidget(splitter);
    m_diagnostics->setRootIsDecorated(false);
    m_diagnostics->setHeaderLabels(
        {tr("Severity"), tr("Code"), tr("Line"), tr("Path"), tr("Message")});
    m_diagnostics->header()->setStretchLastSection(true);
    m_diagnostics->setColumnWidth(0, 80);
    m_diagnostics->setColumnWidth(1, 130);
    m_diagnostics->setColumnWidth(2, 60);
    m_diagnostics->setColumnWidth(3, 260);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    auto go = [this](QTreeWidgetItem *item) {
        goToDiagnostic(item->data(0, kLineRole).toInt(), item->data(0, kColumnRole).toInt());
    };
    connect(m_diagnostics, &QTreeWidget::itemActivated, this, go);
    connect(m_diagnostics, &QTreeWidget::itemClicked, this, go);
    return splitter;
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open..."), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open Istio YAML"), QString(),
                                                          tr("YAML (*.yaml *.yml);;All files (*)"));
        if (!path.isEmpty())
            openFile(path);
    });
    file->addAction(tr("&Save"), QKeySequence::Save, this, [this] {
        QString path = m_path;
        if (path.isEmpty())
            path = QFileDialog::getSaveFileName(this, tr("Save YAML"), QString(),
                                                tr("YAML (*.yaml *.yml)"));
        if (!path.isEmpty())
            saveTo(path);
    });
    file->addAction(tr("Save &As..."), QKeySequence::SaveAs, this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Save YAML"), m_path, tr("YAML (*.yaml *.yml)"));
        if (!path.isEmpty())
            saveTo(path);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::closeAllWindows);
}

void MainWindow::buildToolBar()
{
    QToolBar *bar = addToolBar(tr("Run"));
    bar->setObjectName(QStringLiteral("runToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_start = bar->addAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("Start"));
    m_start->setShortcut(QKeySequence(Qt::Key_F5));
    m_start->setToolTip(tr("Run the document in the local proxy (F5)"));
    connect(m_start, &QAction::triggered, this, &MainWindow::start);
    m_stop = bar->addAction(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"));
    m_stop->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    m_stop->setToolTip(tr("Stop the proxy, the demo backends and the traffic (Shift+F5)"));
    connect(m_stop, &QAction::triggered, this, &MainWindow::stop);
    bar->addSeparator();

    bar->addWidget(new QLabel(tr(" Istio "), bar));
    m_version = new QComboBox(bar);
    const Base::IstioVersion latest = Base::IstioVersion::latest();
    for (int minor = latest.minor; minor >= 20; --minor) {
        const QString v = QStringLiteral("1.%1").arg(minor);
        m_version->addItem(minor == latest.minor ? tr("%1 (latest)").arg(v) : v, v);
    }
    m_version->setToolTip(tr("Target Istio version: checks fields it lacks; up to 1.27 the "
                             "mirror's Host gets the -shadow suffix"));
    connect(m_version, &QComboBox::currentIndexChanged, this, [this] {
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

    m_demo = bar->addAction(tr("Demo backends"));
    m_demo->setCheckable(true);
    m_demo->setChecked(true);
    m_demo->setToolTip(tr("Serve %1 v1 and v2 with the built-in greeters").arg(kDemoHost));
    connect(m_demo, &QAction::toggled, this, &MainWindow::refreshBindings);
}

bool MainWindow::openFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        QMessageBox::warning(this, tr("Open"), tr("Cannot read %1: %2").arg(path, f.errorString()));
        return false;
    }
    m_yaml->setPlainText(QString::fromUtf8(f.readAll()));
    m_yaml->document()->setModified(false);
    m_path = path;
    updateTitle();
    revalidate();
    m_debounce.stop();
    return true;
}

bool MainWindow::saveTo(const QString &path)
{
    QSaveFile f(path);
    const QByteArray bytes = m_yaml->toPlainText().toUtf8();
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        QMessageBox::warning(this, tr("Save"),
                             tr("Cannot write %1: %2").arg(path, f.errorString()));
        return false;
    }
    m_path = path;
    m_yaml->document()->setModified(false);
    updateTitle();
    return true;
}

Base::IstioVersion MainWindow::targetVersion() const
{
    const Base::IstioVersion v =
        Base::IstioVersion::fromString(m_version->currentData().toString());
    return v.valid() ? v : Base::IstioVersion::latest();
}

void MainWindow::revalidate()
{
    const QString name =
        m_path.isEmpty() ? tr("greeter-mirror.yaml") : QFileInfo(m_path).fileName();
    Yaml::ParseResult parsed = Yaml::parse(m_yaml->toPlainText().toUtf8(), name);
    Base::Diagnostics all = parsed.diagnostics;
    Validate::Options options;
    options.target = targetVersion();
    all += Validate::validate(parsed.documents, options);
    m_diagnostics->clear();
    int errors = 0, warnings = 0;
    for (const Base::Diagnostic &d : all) {
        errors += d.severity == Base::Severity::Error;
        warnings += d.severity == Base::Severity::Warning;
        auto *item = new QTreeWidgetItem(m_diagnostics);
        item->setText(0, Base::severityName(d.severity));
        item->setText(1, d.istioCode.isEmpty() ? d.code : d.istioCode + QLatin1Char('/') + d.code);
        item->setText(2, QStringLiteral("%1:%2").arg(d.line).arg(d.column));
        item->setText(3, d.path);
        item->setText(4, d.message);
        item->setToolTip(4, d.message);
        item->setData(0, kLineRole, d.line);
        item->setData(0, kColumnRole, d.column);
        if (d.severity == Base::Severity::Error)
            item->setForeground(0, QBrush(Qt::darkRed));
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
        // Keep the last good targets in the bindings table: an error mid-typing must not
        // empty it.
        if (m_controller->isRunning())
            statusBar()->showMessage(tr("The document has %n error(s): the proxy keeps running "
                                        "the last valid configuration",
                                        nullptr, errors));
    }
    emit validated(errors, warnings);
}

void MainWindow::goToDiagnostic(int line, int column)
{
    if (line <= 0)
        return;
    QTextBlock block = m_yaml->document()->findBlockByLineNumber(line - 1);
    if (!block.isValid())
        return;
    QTextCursor cursor(block);
    cursor.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor,
                        std::min(std::max(column - 1, 0), block.length() - 1));
    m_yaml->setTextCursor(cursor);
    m_yaml->centerCursor();
    m_yaml->setFocus();
}

void MainWindow::updateTitle()
{
    const QString name =
        m_path.isEmpty() ? tr("greeter-mirror.yaml") : QFileInfo(m_path).fileName();
    setWindowTitle(
        QStringLiteral("%1%2 — Mirrorscope")
            .arg(name, m_yaml->document()->isModified() ? QStringLiteral("*") : QString()));
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

void MainWindow::start()
{
    if (m_debounce.isActive()) { // typed just now: run what is on screen, not the last check
        m_debounce.stop();
        revalidate();
    }
    if (!m_configValid) {
        showPage(Page::Editor);
        for (int i = 0; i < m_diagnostics->topLevelItemCount(); ++i) {
            QTreeWidgetItem *item = m_diagnostics->topLevelItem(i);
            if (item->text(0) == Base::severityName(Base::Severity::Error)) {
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
    request.options.proxy.listenPort = quint16(m_port->value());
    request.options.target = targetVersion();
    request.options.demoBackends = demo;
    request.options.demoHost = kDemoHost;
    const QString host = demo ? kDemoHost : m_hosts.value(0);
    request.options.defaultHost = host;
    request.trafficHost = host;
    request.trafficRate = m_rate->value();

    dashboard()->reset();
    logModel()->clear();
    if (!m_controller->start(request)) {
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
    // Stop the proxy, the backends and the generator before the widgets go: their last batch
    // is folded into views that still exist.
    m_controller->stop();
    QMainWindow::closeEvent(event);
}

} // namespace Ui
