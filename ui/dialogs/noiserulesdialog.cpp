#include "noiserulesdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Ui {

namespace {
using Rule = Observe::NoiseRules::Rule;
constexpr int kUserIndexRole = Qt::UserRole; // index in the person's rules; -1: read-only row

QString kindText(Rule::Kind kind)
{
    return kind == Rule::Kind::Header ? NoiseRulesDialog::tr("header")
                                      : NoiseRulesDialog::tr("JSON path");
}
} // namespace

NoiseRulesDialog::NoiseRulesDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Noise Rules"));
    m_list = new QTreeWidget(this);
    m_list->setColumnCount(ColumnCount);
    m_list->setHeaderLabels({tr("Kind"), tr("Where"), tr("Header / JSON path"), tr("From")});
    m_list->setRootIsDecorated(false);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_list->header()->setStretchLastSection(true);

    m_kind = new QComboBox(this);
    m_kind->addItem(tr("JSON path"), int(Rule::Kind::JsonPath));
    m_kind->addItem(tr("Header"), int(Rule::Kind::Header));
    m_pattern = new QLineEdit(this);
    m_pattern->setPlaceholderText(tr("$.timestamp, $.items[*].id, $..traceId"));
    m_endpoint = new QLineEdit(this);
    m_endpoint->setPlaceholderText(tr("everywhere (or an endpoint: GET /users/{id})"));
    m_endpoint->setToolTip(tr("An endpoint as the log shows it; \"/users/{id}\" without a method "
                              "means every method. Empty: every endpoint."));
    m_error = new QLabel(this);
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_add = new QPushButton(tr("&Add"), this);
    m_add->setEnabled(false);
    m_remove = new QPushButton(tr("&Remove"), this);
    m_remove->setEnabled(false);
    auto *importButton = new QPushButton(tr("&Import…"), this);
    importButton->setToolTip(tr("Add the rules of a JSON file (the format of --noise)"));
    auto *exportButton = new QPushButton(tr("E&xport…"), this);
    exportButton->setToolTip(tr("Write your rules as JSON, for mirrorscope proxy --noise"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Kind:"), m_kind);
    form->addRow(tr("&Pattern:"), m_pattern);
    form->addRow(tr("&Endpoint:"), m_endpoint);
    auto *addRow = new QHBoxLayout;
    addRow->addWidget(m_error, 1);
    addRow->addWidget(m_add);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_remove, QDialogButtonBox::ActionRole);
    buttons->addButton(importButton, QDialogButtonBox::ActionRole);
    buttons->addButton(exportButton, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Differences in these fields between v1 and a mirror are not "
                                "counted as mismatches. Your rules are saved with the document."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    layout->addWidget(m_list, 1);
    layout->addLayout(form);
    layout->addLayout(addRow);
    layout->addWidget(buttons);

    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] {
        m_pattern->setPlaceholderText(m_kind->currentData().toInt() == int(Rule::Kind::Header)
                                          ? tr("x-trace-id, x-cache-*")
                                          : tr("$.timestamp, $.items[*].id, $..traceId"));
        validateFields();
    });
    connect(m_pattern, &QLineEdit::textChanged, this, &NoiseRulesDialog::validateFields);
    connect(m_endpoint, &QLineEdit::textChanged, this, &NoiseRulesDialog::validateFields);
    connect(m_pattern, &QLineEdit::returnPressed, this, [this] { addFromFields(); });
    connect(m_endpoint, &QLineEdit::returnPressed, this, [this] { addFromFields(); });
    connect(m_add, &QPushButton::clicked, this, [this] { addFromFields(); });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        if (QTreeWidgetItem *item = m_list->currentItem())
            removeRow(m_list->indexOfTopLevelItem(item));
    });
    connect(m_list, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        m_remove->setEnabled(item && item->data(0, kUserIndexRole).toInt() >= 0);
    });
    connect(importButton, &QPushButton::clicked, this, [this] {
        const QString path = askFileName(false, QString());
        if (!path.isEmpty())
            importFrom(path);
    });
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString path = askFileName(true, QStringLiteral("noise-rules.json"));
        if (!path.isEmpty())
            exportTo(path);
    });
    resize(640, 480);
    rebuildList();
}

void NoiseRulesDialog::setRules(const Observe::NoiseRules &rules)
{
    m_rules = rules;
    rebuildList();
    validateFields(); // "already a rule" may have changed
}

void NoiseRulesDialog::setFixedRules(const QList<Rule> &rules, const QString &origin)
{
    m_fixed = rules;
    m_fixedOrigin = origin;
    rebuildList();
}

void NoiseRulesDialog::rebuildList()
{
    m_list->clear();
    auto addItem = [this](Rule::Kind kind, const QString &endpoint, const QString &pattern,
                          const QString &origin, int userIndex) {
        auto *item = new QTreeWidgetItem(m_list);
        item->setText(KindColumn, kindText(kind));
        item->setText(WhereColumn, endpoint.isEmpty() ? tr("everywhere") : endpoint);
        item->setText(PatternColumn, pattern);
        item->setText(OriginColumn, origin);
        item->setData(0, kUserIndexRole, userIndex);
        if (userIndex < 0) {
            // Shown so the list says all that is ignored, but not the person's to remove here.
            for (int c = 0; c < ColumnCount; ++c)
                item->setForeground(c, m_list->palette().brush(QPalette::Disabled, QPalette::Text));
            item->setToolTip(OriginColumn, tr("Read-only: not one of your rules"));
        }
    };
    const QList<Rule> mine = m_rules.rules();
    for (int i = 0; i < mine.size(); ++i)
        addItem(mine[i].kind, mine[i].endpoint, mine[i].pattern, tr("you"), i);
    for (const Rule &r : m_fixed)
        addItem(r.kind, r.endpoint, r.pattern, m_fixedOrigin, -1);
    for (const QString &h : Observe::NoiseRules::defaultIgnoredHeaders())
        addItem(Rule::Kind::Header, QString(), h, tr("default"), -1);
    m_remove->setEnabled(false);
}

std::optional<Rule> NoiseRulesDialog::ruleFromFields(QString *error) const
{
    Rule rule;
    rule.kind = Rule::Kind(m_kind->currentData().toInt());
    rule.pattern = m_pattern->text().trimmed();
    rule.endpoint = m_endpoint->text().trimmed();
    if (rule.pattern.isEmpty()) {
        *error = rule.kind == Rule::Kind::Header ? tr("Type a header name")
                                                 : tr("Type a JSON path starting with $");
        return std::nullopt;
    }
    // NoiseRules checks (and normalizes) it: its message is the one the CLI gives too.
    Observe::NoiseRules probe;
    if (!probe.add(rule, error))
        return std::nullopt;
    return probe.rules().constFirst();
}

void NoiseRulesDialog::validateFields()
{
    QString why;
    const auto rule = ruleFromFields(&why);
    if (!rule) {
        // An empty field is not an error yet: only say what to type.
        showError(m_pattern->text().trimmed().isEmpty() ? QString() : why);
        m_add->setEnabled(false);
        return;
    }
    const bool present = m_rules.rules().contains(*rule);
    showError(present ? tr("Already one of your rules") : QString(), false);
    m_add->setEnabled(!present);
}

void NoiseRulesDialog::showError(const QString &text, bool isError)
{
    m_error->setStyleSheet(isError ? QStringLiteral("color: #b00020") : QString());
    m_error->setText(text);
}

bool NoiseRulesDialog::addFromFields(QString *error)
{
    QString why;
    const auto rule = ruleFromFields(&why);
    if (!rule) {
        showError(why);
        if (error)
            *error = why;
        return false;
    }
    if (m_rules.rules().contains(*rule))
        return true;
    m_rules.add(*rule);
    m_pattern->clear();
    rebuildList();
    validateFields();
    emit rulesChanged(m_rules);
    return true;
}

bool NoiseRulesDialog::removeRow(int row)
{
    QTreeWidgetItem *item = m_list->topLevelItem(row);
    const int index = item ? item->data(0, kUserIndexRole).toInt() : -1;
    const QList<Rule> mine = m_rules.rules();
    if (index < 0 || index >= mine.size())
        return false;
    m_rules.remove(mine[index]);
    rebuildList();
    validateFields();
    emit rulesChanged(m_rules);
    return true;
}

std::optional<Observe::NoiseRules> NoiseRulesDialog::loadFile(const QString &path, QString *error)
{
    return Observe::NoiseRules::load(path, error);
}

bool NoiseRulesDialog::importFrom(const QString &path, QString *error)
{
    QString why;
    const auto loaded = loadFile(path, &why);
    if (!loaded) {
        showError(tr("Nothing imported: %1").arg(why));
        if (error)
            *error = why;
        return false;
    }
    const int before = editableRowCount();
    for (const Rule &r : loaded->rules())
        m_rules.add(r);
    rebuildList();
    validateFields();
    showError(tr("Imported %n new rule(s)", nullptr, editableRowCount() - before), false);
    emit rulesChanged(m_rules);
    return true;
}

bool NoiseRulesDialog::exportTo(const QString &path, QString *error)
{
    const QByteArray bytes = QJsonDocument(m_rules.toJson()).toJson(QJsonDocument::Indented);
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        const QString why = tr("Not exported: cannot write %1: %2").arg(path, f.errorString());
        showError(why);
        if (error)
            *error = why;
        return false;
    }
    showError(tr("Exported %n rule(s) to %1", nullptr, editableRowCount())
                  .arg(QFileInfo(path).fileName()),
              false);
    return true;
}

QString NoiseRulesDialog::askFileName(bool save, const QString &suggested)
{
    if (m_filePrompt)
        return m_filePrompt(save, suggested);
    const QString filter = tr("JSON (*.json);;All files (*)");
    return save ? QFileDialog::getSaveFileName(this, tr("Export Noise Rules"), suggested, filter)
                : QFileDialog::getOpenFileName(this, tr("Import Noise Rules"), suggested, filter);
}

} // namespace Ui
