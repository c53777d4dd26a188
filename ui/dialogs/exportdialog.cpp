#include "exportdialog.h"

#include "editor/settings.h"
#include "yaml/document.h"
#include "yaml/exporter.h"

#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGuiApplication>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollBar>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace Ui {

namespace {
const char *const kApiKey = "export/apiVersion";
const char *const kCleanKey = "export/dropClusterNoise";
const char *const kDirKey = "export/lastDirectory";
} // namespace

ExportDialog::ExportDialog(const QByteArray &yaml, const QString &documentPath,
                           const Base::Diagnostics &diagnostics, const Base::IstioVersion &target,
                           QWidget *parent)
    : QDialog(parent), m_yaml(yaml), m_documentPath(documentPath)
{
    setWindowTitle(tr("Export for kubectl"));
    auto settings = Settings::open();

    // Page 0: the refusal, with what istiod would reject.
    auto *refusal = new QWidget(this);
    auto *refusalLayout = new QVBoxLayout(refusal);
    refusalLayout->setContentsMargins(0, 0, 0, 0);
    Base::Diagnostics errors;
    for (const Base::Diagnostic &d : diagnostics)
        if (d.severity == Base::Severity::Error)
            errors.append(d);
    auto *why =
        new QLabel(tr("<b>The document has %n error(s).</b> <code>kubectl apply</code> (istiod's "
                      "validation) would reject it. Fix them in the editor, or export anyway.",
                      nullptr, int(errors.size())),
                   refusal);
    why->setWordWrap(true);
    refusalLayout->addWidget(why);
    m_errors = new QListWidget(refusal);
    m_errors->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    for (const Base::Diagnostic &d : std::as_const(errors))
        m_errors->addItem(Base::formatDiagnostic(d));
    refusalLayout->addWidget(m_errors, 1);
    auto *refusalButtons = new QDialogButtonBox(refusal);
    m_anyway = refusalButtons->addButton(tr("Export &Anyway"), QDialogButtonBox::AcceptRole);
    refusalButtons->addButton(QDialogButtonBox::Cancel);
    connect(m_anyway, &QPushButton::clicked, this, &ExportDialog::exportAnyway);
    connect(refusalButtons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    refusalLayout->addWidget(refusalButtons);

    // Page 1: the export.
    auto *exporter = new QWidget(this);
    auto *form = new QFormLayout;
    m_api = new QComboBox(exporter);
    for (const char *v : {"v1", "v1beta1", "v1alpha3"}) {
        const QString version = QString::fromLatin1(v);
        m_api->addItem(QStringLiteral("networking.istio.io/") + version, version);
    }
    m_api->setItemData(0, tr("Served from Istio 1.22; the current API"), Qt::ToolTipRole);
    m_api->setItemData(1, tr("Served by every Istio release since 1.5"), Qt::ToolTipRole);
    m_api->setItemData(2, tr("The oldest API; still served, deprecated"), Qt::ToolTipRole);
    const QString fallback =
        target.supportsApiV1() ? QStringLiteral("v1") : QStringLiteral("v1beta1");
    const int at = m_api->findData(settings->value(kApiKey, fallback).toString());
    m_api->setCurrentIndex(at >= 0 ? at : 0);
    form->addRow(tr("&apiVersion:"), m_api);
    m_clean = new QCheckBox(tr("&Drop cluster noise (status, managedFields, resourceVersion, uid, "
                               "generation, creationTimestamp, last-applied annotation)"),
                            exporter);
    m_clean->setChecked(settings->value(kCleanKey, true).toBool());
    form->addRow(QString(), m_clean);
    m_preview = new QPlainTextEdit(exporter);
    m_preview->setReadOnly(true);
    m_preview->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_status = new QLabel(exporter);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *buttons = new QDialogButtonBox(exporter);
    m_copy = buttons->addButton(tr("&Copy to Clipboard"), QDialogButtonBox::ActionRole);
    m_save = buttons->addButton(tr("&Save..."), QDialogButtonBox::ActionRole);
    buttons->addButton(QDialogButtonBox::Close);
    connect(m_copy, &QPushButton::clicked, this, &ExportDialog::copyToClipboard);
    connect(m_save, &QPushButton::clicked, this, &ExportDialog::save);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *exportLayout = new QVBoxLayout(exporter);
    exportLayout->setContentsMargins(0, 0, 0, 0);
    exportLayout->addLayout(form);
    exportLayout->addWidget(m_preview, 1);
    exportLayout->addWidget(m_status);
    exportLayout->addWidget(buttons);

    m_pages = new QStackedWidget(this);
    m_pages->addWidget(refusal);
    m_pages->addWidget(exporter);
    m_pages->setCurrentIndex(errors.isEmpty() ? 1 : 0);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_pages);

    connect(m_api, &QComboBox::currentIndexChanged, this, &ExportDialog::regenerate);
    connect(m_clean, &QCheckBox::toggled, this, &ExportDialog::regenerate);
    regenerate();
    resize(760, 620);
}

bool ExportDialog::isRefusing() const
{
    return m_pages->currentIndex() == 0;
}

void ExportDialog::exportAnyway()
{
    m_pages->setCurrentIndex(1);
    m_status->setText(tr("Exported with errors: the API server may refuse it."));
}

void ExportDialog::regenerate()
{
    const QString file = m_documentPath.isEmpty() ? QStringLiteral("document.yaml")
                                                  : QFileInfo(m_documentPath).fileName();
    const Yaml::ParseResult parsed = Yaml::parse(m_yaml, file);
    Yaml::ExportOptions options;
    options.apiVersion = m_api->currentData().toString();
    options.clean = m_clean->isChecked();
    m_text = QString::fromStdString(Yaml::exportDocuments(parsed.documents, options));
    // Keep the reading position when only the apiVersion line changed.
    const int scroll = m_preview->verticalScrollBar()->value();
    m_preview->setPlainText(m_text);
    m_preview->verticalScrollBar()->setValue(scroll);
    auto settings = Settings::open();
    settings->setValue(kApiKey, options.apiVersion);
    settings->setValue(kCleanKey, options.clean);
    if (!isRefusing())
        m_status->setText(tr("%n resource(s), ", nullptr, int(parsed.documents.size())) +
                          tr("%n line(s)", nullptr, int(m_text.count(QLatin1Char('\n')))));
}

void ExportDialog::copyToClipboard()
{
    QGuiApplication::clipboard()->setText(m_text);
    m_status->setText(tr("Copied to the clipboard: paste it into `kubectl apply -f -`."));
}

bool ExportDialog::saveTo(const QString &path, QString *error)
{
    QSaveFile f(path);
    const QByteArray bytes = m_text.toUtf8();
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        const QString why = tr("Cannot write %1: %2").arg(path, f.errorString());
        m_status->setText(why);
        if (error)
            *error = why;
        return false;
    }
    m_status->setText(tr("Wrote %1 (%n byte(s)).", nullptr, int(bytes.size())).arg(path));
    Settings::open()->setValue(kDirKey, QFileInfo(path).absolutePath());
    return true;
}

void ExportDialog::save()
{
    const QFileInfo doc(m_documentPath);
    const QString dir =
        Settings::open()
            ->value(kDirKey, m_documentPath.isEmpty() ? QString() : doc.absolutePath())
            .toString();
    const QString base =
        m_documentPath.isEmpty() ? QStringLiteral("mirror") : doc.completeBaseName();
    const QString suggested = (dir.isEmpty() ? QString() : dir + QLatin1Char('/')) + base +
                              QStringLiteral("-kubectl.yaml");
    const QString path =
        m_prompt ? m_prompt(suggested)
                 : QFileDialog::getSaveFileName(this, tr("Save Export"), suggested,
                                                tr("YAML (*.yaml *.yml);;All files (*)"));
    if (!path.isEmpty())
        saveTo(path);
}

} // namespace Ui
