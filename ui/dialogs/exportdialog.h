#pragma once

#include "base/diagnostic.h"
#include "base/istioversion.h"

#include <QDialog>

#include <functional>

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;

namespace Ui {

// "Export for kubectl…": the document as `kubectl apply -f` takes it, written by core's
// exporter (Yaml::exportDocuments): the apiVersion Istio should serve it under, optionally
// without the cluster's noise (status, managedFields, …), previewed live, then copied or saved.
// A document with errors is refused first, with the errors listed: istiod would reject it,
// and "Export anyway" is a deliberate second click.
class ExportDialog : public QDialog
{
    Q_OBJECT
public:
    ExportDialog(const QByteArray &yaml, const QString &documentPath,
                 const Base::Diagnostics &diagnostics, const Base::IstioVersion &target,
                 QWidget *parent = nullptr);

    QComboBox *apiVersionBox() const { return m_api; }
    QCheckBox *cleanBox() const { return m_clean; }
    QPlainTextEdit *preview() const { return m_preview; }
    QListWidget *errorList() const { return m_errors; }
    QPushButton *exportAnywayButton() const { return m_anyway; }
    QPushButton *copyButton() const { return m_copy; }
    QPushButton *saveButton() const { return m_save; }
    QLabel *statusLabel() const { return m_status; }
    // True while the dialog shows the errors instead of the export.
    bool isRefusing() const;

    // The exported text for the current choices.
    QString exportedText() const { return m_text; }
    // Atomic (QSaveFile). False: statusLabel() and `error` say why.
    bool saveTo(const QString &path, QString *error = nullptr);
    // Replaces the "Save export" file dialog (tests); an empty path cancels.
    void setSaveFileNamePrompt(std::function<QString(const QString &suggested)> prompt)
    {
        m_prompt = std::move(prompt);
    }

public slots:
    void exportAnyway();
    void copyToClipboard();
    void save();

private:
    void regenerate();

    QByteArray m_yaml;
    QString m_documentPath;
    QString m_text;
    QStackedWidget *m_pages = nullptr;
    QListWidget *m_errors = nullptr;
    QPushButton *m_anyway = nullptr;
    QComboBox *m_api = nullptr;
    QCheckBox *m_clean = nullptr;
    QPlainTextEdit *m_preview = nullptr;
    QPushButton *m_copy = nullptr;
    QPushButton *m_save = nullptr;
    QLabel *m_status = nullptr;
    std::function<QString(const QString &)> m_prompt;
};

} // namespace Ui
