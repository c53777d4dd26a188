#pragma once

#include <QDialog>
#include <QJsonObject>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace Observe {
class Hub;
}

namespace Ui {

// "Export Exchanges…": what the hub's store holds, as HAR (a browser's devtools open it), CSV,
// JSON Lines, or the run's summary report (JSON). The store is read in pages, so a large one
// never sits in memory twice; a progress dialog shows for large stores and can cancel (the
// partial file is removed). Secrets (Authorization, Cookie, Set-Cookie) are masked unless the
// person unticks the box for this export.
class ExchangeExportDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Format { Har, Csv, JsonLines, Report };
    static constexpr int kPageSize = 1000;
    // Exchanges from which a progress dialog shows.
    static constexpr int kProgressFrom = 5000;

    // report: what the summary report starts with (the run's summary); the hub's per-version,
    // per-endpoint and per-rule aggregates are added.
    ExchangeExportDialog(Observe::Hub *hub, const QJsonObject &report, QWidget *parent = nullptr);

    QComboBox *formatBox() const { return m_format; }
    QLineEdit *pathEdit() const { return m_path; }
    QCheckBox *maskBox() const { return m_mask; }
    QPushButton *exportButton() const { return m_export; }
    QLabel *statusLabel() const { return m_status; }

    // Writes the file. False and *error (naming the file) when it could not be written or was
    // cancelled.
    bool exportTo(const QString &path, Format format, bool mask, QString *error = nullptr);
    static QString suffix(Format format);

public slots:
    void exportNow(); // with what the dialog's fields say

private:
    bool writeReport(const QString &path, QString *error);
    void browse();

    Observe::Hub *m_hub = nullptr;
    QJsonObject m_report;
    QComboBox *m_format = nullptr;
    QLineEdit *m_path = nullptr;
    QCheckBox *m_mask = nullptr;
    QPushButton *m_export = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace Ui
