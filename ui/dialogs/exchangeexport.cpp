#include "exchangeexport.h"

#include "observe/har.h"
#include "observe/hub.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressDialog>
#include <QPushButton>
#include <QSaveFile>
#include <QVBoxLayout>

#include <memory>

namespace Ui {

QString ExchangeExportDialog::suffix(Format format)
{
    switch (format) {
    case Format::Har:
        return QStringLiteral("har");
    case Format::Csv:
        return QStringLiteral("csv");
    case Format::JsonLines:
        return QStringLiteral("jsonl");
    case Format::Report:
        break;
    }
    return QStringLiteral("json");
}

ExchangeExportDialog::ExchangeExportDialog(Observe::Hub *hub, const QJsonObject &report,
                                           QWidget *parent)
    : QDialog(parent), m_hub(hub), m_report(report)
{
    setWindowTitle(tr("Export Exchanges"));
    m_format = new QComboBox(this);
    m_format->addItem(tr("HAR (browser devtools, HAR viewers)"), int(Format::Har));
    m_format->addItem(tr("CSV (one row per exchange)"), int(Format::Csv));
    m_format->addItem(tr("JSON Lines (every leg, headers and bodies)"), int(Format::JsonLines));
    m_format->addItem(tr("Summary report (JSON)"), int(Format::Report));
    m_path = new QLineEdit(this);
    m_path->setText(QDir::home().filePath(QStringLiteral("mirrorscope-exchanges.har")));
    auto *browse = new QPushButton(tr("Browse…"), this);
    m_mask = new QCheckBox(tr("Mask secrets (Authorization, Cookie, Set-Cookie)"), this);
    m_mask->setChecked(true);
    m_mask->setToolTip(tr("Credentials and cookie values become •••• in the file; the header "
                          "names, schemes and cookie names stay."));
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    const qsizetype stored = m_hub ? m_hub->storedCount() : 0;
    m_status->setText(stored ? tr("%1 exchanges recorded.").arg(QLocale().toString(stored))
                             : tr("No exchanges recorded yet: the file will hold none."));

    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);
    auto *form = new QFormLayout;
    form->addRow(tr("&Format:"), m_format);
    form->addRow(tr("&File:"), pathRow);
    form->addRow(QString(), m_mask);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_export = buttons->addButton(tr("&Export"), QDialogButtonBox::AcceptRole);
    m_export->setDefault(true);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    connect(browse, &QPushButton::clicked, this, &ExchangeExportDialog::browse);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_export, &QPushButton::clicked, this, &ExchangeExportDialog::exportNow);
    // The file's suffix follows the format while the person has not typed another.
    connect(m_format, &QComboBox::currentIndexChanged, this, [this] {
        const auto format = Format(m_format->currentData().toInt());
        QFileInfo info(m_path->text());
        m_path->setText(
            info.dir().filePath(info.completeBaseName() + QLatin1Char('.') + suffix(format)));
        m_mask->setEnabled(format != Format::Report);
    });
}

void ExchangeExportDialog::browse()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Exchanges"), m_path->text());
    if (!path.isEmpty())
        m_path->setText(path);
}

void ExchangeExportDialog::exportNow()
{
    const QString path = m_path->text().trimmed();
    QString error;
    if (path.isEmpty()) {
        m_status->setText(tr("Choose a file to write."));
        return;
    }
    if (!exportTo(path, Format(m_format->currentData().toInt()), m_mask->isChecked(), &error)) {
        m_status->setText(error);
        return;
    }
    m_status->setText(tr("Written to %1").arg(QDir::toNativeSeparators(path)));
    accept();
}

bool ExchangeExportDialog::exportTo(const QString &path, Format format, bool mask, QString *error)
{
    if (format == Format::Report)
        return writeReport(path, error);
    Observe::ExportOptions options;
    options.mask = mask;
    std::unique_ptr<Observe::StreamWriter> writer;
    if (format == Format::Har)
        writer = std::make_unique<Observe::HarWriter>(options);
    else if (format == Format::Csv)
        writer = std::make_unique<Observe::CsvWriter>(options);
    else
        writer = std::make_unique<Observe::JsonLinesWriter>(options);
    if (!writer->open(path)) {
        if (error)
            *error = writer->errorString();
        return false;
    }
    const qsizetype total = m_hub ? m_hub->storedCount() : 0;
    std::unique_ptr<QProgressDialog> progress;
    if (total >= kProgressFrom) {
        progress = std::make_unique<QProgressDialog>(
            tr("Writing %1…").arg(QFileInfo(path).fileName()), tr("Cancel"), 0, int(total), this);
        progress->setWindowModality(Qt::WindowModal);
        progress->setMinimumDuration(300);
    }
    // Pages keep the hub's lock short; a run going on meanwhile may evict the oldest, so the
    // last id written tells where to go on without writing one twice.
    quint64 lastId = 0;
    qsizetype from = 0;
    while (m_hub) {
        const QList<Observe::Exchange> page = m_hub->storedExchanges(from, kPageSize);
        if (page.isEmpty())
            break;
        QList<Observe::Exchange> fresh;
        for (const Observe::Exchange &e : page)
            if (e.id > lastId || lastId == 0)
                fresh << e;
        if (!fresh.isEmpty())
            lastId = fresh.last().id;
        if (!writer->write(fresh))
            break;
        from += page.size();
        if (progress) {
            progress->setValue(int(qMin(from, total)));
            if (progress->wasCanceled()) {
                writer->discard();
                if (error)
                    *error = tr("Export cancelled; %1 was removed").arg(path);
                return false;
            }
        }
        if (page.size() < kPageSize)
            break;
    }
    if (!writer->close()) {
        if (error)
            *error = writer->errorString();
        return false;
    }
    return true;
}

bool ExchangeExportDialog::writeReport(const QString &path, QString *error)
{
    QJsonObject report = m_report;
    if (m_hub) {
        const std::shared_ptr<const Observe::Snapshot> s = m_hub->snapshot();
        QJsonObject observed;
        observed[QStringLiteral("exchanges")] = qint64(s->exchanges);
        observed[QStringLiteral("stored")] = qint64(s->stored);
        observed[QStringLiteral("durationSeconds")] = double(s->nowMs - s->startMs) / 1000.0;
        QJsonArray versions;
        for (const Observe::VersionSummary &v : s->versions)
            versions.append(Observe::versionJson(v));
        observed[QStringLiteral("versions")] = versions;
        observed[QStringLiteral("pairs")] = Observe::pairJson(s->pairing);
        QJsonArray pairings;
        for (const Observe::PairSummary &p : s->pairings)
            pairings.append(Observe::pairJson(p));
        observed[QStringLiteral("pairings")] = pairings;
        observed[QStringLiteral("endpoints")] = s->endpointsJson();
        observed[QStringLiteral("rules")] = s->rulesJson();
        report[QStringLiteral("observed")] = observed;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(QJsonDocument(report).toJson(QJsonDocument::Indented)) < 0 || !file.commit()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace Ui
