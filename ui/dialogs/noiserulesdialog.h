#pragma once

#include "observe/noise.h"

#include <QDialog>

#include <functional>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace Ui {

// "Noise rules…": the response headers and JSON paths whose differences between v1 and a mirror
// do not count, for every endpoint or for one. The person's rules can be added (checked as they
// type, with NoiseRules' own error text), removed, imported from and exported to a JSON file
// (the format `--noise FILE` reads). Rules put in force by someone else (the demo's) and the
// headers ignored by default are listed too, read-only, so the list says everything that is
// ignored. Every change is emitted at once (rulesChanged): the main window saves it with the
// document and applies it to the running comparator.
class NoiseRulesDialog : public QDialog
{
    Q_OBJECT
public:
    enum Column { KindColumn, WhereColumn, PatternColumn, OriginColumn, ColumnCount };
    // A file name to import from (save == false) or export to; empty cancels.
    using FilePrompt = std::function<QString(bool save, const QString &suggested)>;

    explicit NoiseRulesDialog(QWidget *parent = nullptr);

    void setRules(const Observe::NoiseRules &rules);
    Observe::NoiseRules rules() const { return m_rules; }
    // Read-only rows for rules in force that are not the person's ("demo").
    void setFixedRules(const QList<Observe::NoiseRules::Rule> &rules, const QString &origin);

    QTreeWidget *ruleList() const { return m_list; }
    QComboBox *kindBox() const { return m_kind; }
    QLineEdit *patternEdit() const { return m_pattern; }
    QLineEdit *endpointEdit() const { return m_endpoint; }
    QLabel *errorLabel() const { return m_error; }
    QPushButton *addButton() const { return m_add; }
    QPushButton *removeButton() const { return m_remove; }
    // Rows of the list that are the person's rules (removable) come first.
    int editableRowCount() const { return int(m_rules.rules().size()); }

    // Adds what the fields say. False and *error (also shown) when it is not a valid rule.
    bool addFromFields(QString *error = nullptr);
    // Removes the person's rule shown in `row`; false for a read-only row.
    bool removeRow(int row);
    // Adds every rule of a `--noise` JSON file. A file with any bad entry adds nothing: *error
    // (also shown) names the file and each bad entry.
    bool importFrom(const QString &path, QString *error = nullptr);
    // The person's rules as JSON (atomic). False and *error when it cannot be written.
    bool exportTo(const QString &path, QString *error = nullptr);
    void setFilePrompt(FilePrompt prompt) { m_filePrompt = std::move(prompt); }

    // Reads a `--noise` file: nullopt and *error ("FILE: endpoints['GET /a'].jsonPaths[1]: ...")
    // when it cannot be read, is not a JSON object or has a bad entry.
    static std::optional<Observe::NoiseRules> loadFile(const QString &path, QString *error);

signals:
    void rulesChanged(const Observe::NoiseRules &rules);

private:
    std::optional<Observe::NoiseRules::Rule> ruleFromFields(QString *error) const;
    void validateFields();
    void rebuildList();
    void showError(const QString &text, bool isError = true);
    QString askFileName(bool save, const QString &suggested);

    Observe::NoiseRules m_rules;
    QList<Observe::NoiseRules::Rule> m_fixed;
    QString m_fixedOrigin;
    QTreeWidget *m_list = nullptr;
    QComboBox *m_kind = nullptr;
    QLineEdit *m_pattern = nullptr;
    QLineEdit *m_endpoint = nullptr;
    QLabel *m_error = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_remove = nullptr;
    FilePrompt m_filePrompt;
};

} // namespace Ui
