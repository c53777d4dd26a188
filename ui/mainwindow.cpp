#include "mainwindow.h"

#include "base/diagnostic.h"
#include "validate/validator.h"
#include "yaml/document.h"

#include <QAction>
#include <QApplication>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QSplitter>
#include <QStatusBar>
#include <QTextBlock>
#include <QTreeWidget>

namespace Ui {

namespace {
constexpr int kLineRole = Qt::UserRole;
constexpr int kColumnRole = Qt::UserRole + 1;
} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_yaml = new QPlainTextEdit(splitter);
    m_yaml->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_yaml->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_diagnostics = new QTreeWidget(splitter);
    m_diagnostics->setRootIsDecorated(false);
    m_diagnostics->setHeaderLabels({tr("Severity"), tr("Code"), tr("Line"), tr("Path"),
                                    tr("Message")});
    m_diagnostics->header()->setStretchLastSection(true);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    setCentralWidget(splitter);
    m_status = new QLabel(this);
    statusBar()->addPermanentWidget(m_status);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(400);
    connect(&m_debounce, &QTimer::timeout, this, &MainWindow::revalidate);
    connect(m_yaml, &QPlainTextEdit::textChanged, &m_debounce, qOverload<>(&QTimer::start));
    connect(m_yaml->document(), &QTextDocument::modificationChanged, this,
            &MainWindow::updateTitle);
    connect(m_diagnostics, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        goToDiagnostic(item->data(0, kLineRole).toInt(), item->data(0, kColumnRole).toInt());
    });
    connect(m_diagnostics, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem *item) {
        goToDiagnostic(item->data(0, kLineRole).toInt(), item->data(0, kColumnRole).toInt());
    });

    buildActions();
    QFile example(QStringLiteral(":/examples/greeter-mirror.yaml"));
    if (example.open(QIODevice::ReadOnly))
        m_yaml->setPlainText(QString::fromUtf8(example.readAll()));
    m_yaml->document()->setModified(false);
    resize(1100, 760);
    updateTitle();
    revalidate();
}

void MainWindow::buildActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open..."), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open Istio YAML"), QString(), tr("YAML (*.yaml *.yml);;All files (*)"));
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
        const QString path = QFileDialog::getSaveFileName(this, tr("Save YAML"), m_path,
                                                          tr("YAML (*.yaml *.yml)"));
        if (!path.isEmpty())
            saveTo(path);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::closeAllWindows);
}

bool MainWindow::openFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        QMessageBox::warning(this, tr("Open"),
                             tr("Cannot read %1: %2").arg(path, f.errorString()));
        return false;
    }
    m_yaml->setPlainText(QString::fromUtf8(f.readAll()));
    m_yaml->document()->setModified(false);
    m_path = path;
    updateTitle();
    revalidate();
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

void MainWindow::revalidate()
{
    const QString name = m_path.isEmpty() ? tr("greeter-mirror.yaml") : QFileInfo(m_path).fileName();
    Yaml::ParseResult parsed = Yaml::parse(m_yaml->toPlainText().toUtf8(), name);
    Base::Diagnostics all = parsed.diagnostics;
    all += Validate::validate(parsed.documents);
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
    }
    m_status->setText(tr("%1 document(s): %2 error(s), %3 warning(s)")
                          .arg(parsed.documents.size())
                          .arg(errors)
                          .arg(warnings));
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
    m_yaml->setFocus();
}

void MainWindow::updateTitle()
{
    const QString name = m_path.isEmpty() ? tr("greeter-mirror.yaml") : QFileInfo(m_path).fileName();
    setWindowTitle(QStringLiteral("%1%2 — Mirrorscope")
                       .arg(name, m_yaml->document()->isModified() ? QStringLiteral("*")
                                                                   : QString()));
}

} // namespace Ui
