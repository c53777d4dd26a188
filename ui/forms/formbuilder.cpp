#include "formbuilder.h"

#include "forms/fielddocs.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QFrame>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace Forms {

FormBuilder::FormBuilder(FormHost &host, QFormLayout *layout, const QString &docType,
                         const QString &basePath, const QString &context)
    : m_host(&host), m_layout(layout), m_docType(docType), m_basePath(basePath), m_context(context),
      m_generation(host.generation())
{
}

QString FormBuilder::path(const QString &field) const
{
    if (field.isEmpty())
        return m_basePath;
    return m_basePath.isEmpty() ? field : m_basePath + QLatin1Char('.') + field;
}

QString FormBuilder::doc(const QString &field) const
{
    return fieldDoc(m_docType + QLatin1Char('.') + field);
}

void FormBuilder::commit(const QString &what, const FormHost::Mutation &mutate) const
{
    if (m_host->generation() != m_generation)
        return;
    m_host->applyEdit(m_context.isEmpty() ? what : m_context + QStringLiteral(": ") + what, mutate);
}

void FormBuilder::commitStructural(const QString &what,
                                   const FormHost::StructuralMutation &mutate) const
{
    if (m_host->generation() != m_generation)
        return;
    m_host->applyStructuralEdit(
        m_context.isEmpty() ? what : m_context + QStringLiteral(": ") + what, mutate);
}

QWidget *FormBuilder::row(const QString &label, const QString &field, QWidget *widget,
                          const QString &pathOverride)
{
    const QString tip = doc(field);
    auto *l = new QLabel(label + QLatin1Char(':'));
    l->setToolTip(tip);
    l->setBuddy(widget->focusProxy() ? widget->focusProxy() : widget);
    widget->setToolTip(tip);
    const QString p = pathOverride.isEmpty() ? path(field) : pathOverride;
    widget->setObjectName(p);
    m_layout->addRow(l, widget);
    m_host->registerField(p, widget);
    return widget;
}

QLineEdit *FormBuilder::text(const QString &label, const QString &field, const QString &value,
                             Setter<QString> set)
{
    auto *edit = new QLineEdit(value);
    row(label, field, edit);
    QObject::connect(edit, &QLineEdit::editingFinished, edit, [=, b = *this] {
        const QString v = edit->text().trimmed();
        b.commit(QObject::tr("%1 = %2").arg(label, v.isEmpty() ? QObject::tr("(none)") : v),
                 [=](Model::Config &c) { set(c, v); });
    });
    return edit;
}

ListEdit *FormBuilder::list(const QString &label, const QString &field, const QStringList &value,
                            Setter<QStringList> set)
{
    auto *edit = new ListEdit;
    edit->setValues(value);
    row(label, field, edit);
    QObject::connect(edit, &QLineEdit::editingFinished, edit, [=, b = *this] {
        const QStringList v = edit->values();
        b.commit(QObject::tr("%1 = [%2]").arg(label, v.join(QStringLiteral(", "))),
                 [=](Model::Config &c) { set(c, v); });
    });
    return edit;
}

DurationEdit *FormBuilder::duration(const QString &label, const QString &field,
                                    const std::optional<Model::Duration> &value,
                                    Setter<std::optional<Model::Duration>> set)
{
    auto *edit = new DurationEdit;
    edit->setDuration(value);
    row(label, field, edit);
    QObject::connect(edit, &DurationEdit::durationEdited, edit,
                     [=, b = *this](const std::optional<Model::Duration> &d) {
                         b.commit(
                             QObject::tr("%1 = %2").arg(label, d ? d->text : QObject::tr("(none)")),
                             [=](Model::Config &c) { set(c, d); });
                     });
    return edit;
}

OptionalSpin *FormBuilder::integer(const QString &label, const QString &field,
                                   std::optional<qint64> value, int min, int max,
                                   Setter<std::optional<qint64>> set)
{
    auto *spin = new OptionalSpin(min, max);
    spin->setValue(value);
    row(label, field, spin);
    QObject::connect(spin, &OptionalSpin::valueEdited, spin,
                     [=, b = *this](std::optional<qint64> v) {
                         b.commit(QObject::tr("%1 = %2").arg(label, v ? QString::number(*v)
                                                                      : QObject::tr("(none)")),
                                  [=](Model::Config &c) { set(c, v); });
                     });
    return spin;
}

OptionalBoolBox *FormBuilder::boolean(const QString &label, const QString &field,
                                      std::optional<bool> value, const QString &defaultText,
                                      Setter<std::optional<bool>> set)
{
    auto *box = new OptionalBoolBox(defaultText);
    box->setValue(value);
    row(label, field, box);
    QObject::connect(box, &OptionalBoolBox::valueEdited, box,
                     [=, b = *this](std::optional<bool> v) {
                         b.commit(QObject::tr("%1 = %2").arg(label, box->comboBox()->currentText()),
                                  [=](Model::Config &c) { set(c, v); });
                     });
    return box;
}

QComboBox *FormBuilder::choice(const QString &label, const QString &field,
                               const QStringList &choices, const QString &unsetText,
                               const QString &value, Setter<QString> set)
{
    auto *combo = new QComboBox;
    for (int i = 0; i < choices.size(); ++i)
        combo->addItem(i == 0 ? unsetText : choices[i], choices[i]);
    int at = combo->findData(value);
    if (at < 0) { // a value the form does not know: shown and kept until changed
        combo->addItem(value, value);
        at = combo->count() - 1;
    }
    combo->setCurrentIndex(at);
    row(label, field, combo);
    QObject::connect(combo, &QComboBox::currentIndexChanged, combo, [=, b = *this] {
        const QString v = combo->currentData().toString();
        b.commit(QObject::tr("%1 = %2").arg(label, combo->currentText()),
                 [=](Model::Config &c) { set(c, v); });
    });
    return combo;
}

PercentEdit *FormBuilder::percent(const QString &label, const QString &field,
                                  std::optional<double> value, double unsetMeans,
                                  const QString &unsetText, Setter<std::optional<double>> set,
                                  const QString &pathOverride)
{
    auto *edit = new PercentEdit(unsetMeans, unsetText);
    edit->setPercent(value);
    row(label, field, edit, pathOverride);
    QObject::connect(edit, &PercentEdit::percentEdited, edit,
                     [=, b = *this](std::optional<double> v) {
                         b.commit(QObject::tr("%1 = %2").arg(label, v ? QString::number(*v) +
                                                                            QStringLiteral(" %")
                                                                      : QObject::tr("(none)")),
                                  [=](Model::Config &c) { set(c, v); });
                     });
    return edit;
}

RowsTable *FormBuilder::stringMap(const QString &label, const QString &field,
                                  const Model::StringMap &value, const QString &keyTitle,
                                  const QString &valueTitle, Setter<Model::StringMap> set)
{
    auto *table = new RowsTable({{keyTitle, {}, 160}, {valueTitle, {}, 0}});
    QList<RowsTable::Row> rows;
    for (const auto &e : value)
        rows.append({{e.first, e.second}, -1});
    table->setRows(rows);
    row(label, field, table);
    QObject::connect(table, &RowsTable::edited, table, [=, b = *this] {
        Model::StringMap map;
        for (const RowsTable::Row &r : table->rows()) {
            if (!r.cells.value(0).isEmpty()) // a row still being filled in
                map.insert(r.cells.value(0), r.cells.value(1));
        }
        b.commit(QObject::tr("%1 edited").arg(label), [=](Model::Config &c) { set(c, map); });
    });
    return table;
}

FormBuilder FormBuilder::group(const QString &title, const QString &field, const QString &docType,
                               bool present, std::function<void(Model::Config &, bool)> setPresent)
{
    // A check box and a framed block of rows under it, shown only while the message exists:
    // the absent ones stay one line each, so a long form reads as a list of options.
    auto *container = new QWidget;
    auto *outer = new QVBoxLayout(container);
    outer->setContentsMargins(0, 4, 0, 0);
    outer->setSpacing(2);
    auto *check = new QCheckBox(title, container);
    check->setChecked(present);
    check->setToolTip(doc(field));
    check->setObjectName(path(field));
    auto *inner = new QFrame(container);
    inner->setFrameShape(QFrame::StyledPanel);
    auto *form = new QFormLayout(inner);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    outer->addWidget(check);
    outer->addWidget(inner);
    inner->setVisible(present);
    m_layout->addRow(container);
    m_host->registerField(path(field), check);
    QObject::connect(check, &QCheckBox::toggled, check, [=, b = *this](bool on) {
        inner->setVisible(on);
        b.commit(on ? QObject::tr("add %1").arg(field) : QObject::tr("remove %1").arg(field),
                 [=](Model::Config &c) { setPresent(c, on); });
    });
    return FormBuilder(*m_host, form, docType, path(field), m_context);
}

FormBuilder FormBuilder::section(const QString &title, const QString &field, const QString &docType)
{
    auto *box = new QGroupBox(title);
    auto *form = new QFormLayout(box);
    m_layout->addRow(box);
    return FormBuilder(*m_host, form, docType, path(field), m_context);
}

QWidget *makePage(const QString &title, const QString &subtitle, QFormLayout **layout)
{
    auto *page = new QWidget;
    auto *v = new QVBoxLayout(page);
    auto *heading = new QLabel(title, page);
    QFont f = heading->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.25);
    heading->setFont(f);
    heading->setObjectName(QStringLiteral("formTitle"));
    v->addWidget(heading);
    if (!subtitle.isEmpty()) {
        auto *sub = new QLabel(subtitle, page);
        sub->setWordWrap(true);
        sub->setForegroundRole(QPalette::PlaceholderText);
        v->addWidget(sub);
    }
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    v->addLayout(form);
    v->addStretch(1);
    *layout = form;
    return page;
}

} // namespace Forms
