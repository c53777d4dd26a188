#pragma once

#include "forms/fieldwidgets.h"
#include "forms/formhost.h"
#include "model/common.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

class QComboBox;
class QFormLayout;
class QGroupBox;
class QLineEdit;

namespace Forms {

template <typename T> T &ensure(std::optional<T> &o)
{
    if (!o)
        o.emplace();
    return *o;
}

// Builds the rows of one form (or of one group inside it): each row gets a label, Istio's
// description as tooltip (`docType`.`field`), a field path for selectPath() (`basePath`.`field`)
// and a handler that turns the finished edit into one FormHost::applyEdit().
class FormBuilder
{
public:
    template <typename T> using Setter = std::function<void(Model::Config &, const T &)>;

    FormBuilder(FormHost &host, QFormLayout *layout, const QString &docType,
                const QString &basePath, const QString &context);

    FormHost &host() const { return *m_host; }
    QFormLayout *layout() const { return m_layout; }
    QString path(const QString &field) const;
    QString doc(const QString &field) const;
    const QString &context() const { return m_context; }
    // One finished edit (ignored when the form has been rebuilt since it was made).
    void commit(const QString &what, const FormHost::Mutation &mutate) const;
    void commitStructural(const QString &what, const FormHost::StructuralMutation &mutate) const;

    // Adds a labelled row and registers `widget` at path(field) (or `pathOverride`).
    QWidget *row(const QString &label, const QString &field, QWidget *widget,
                 const QString &pathOverride = QString());
    QLineEdit *text(const QString &label, const QString &field, const QString &value,
                    Setter<QString> set);
    ListEdit *list(const QString &label, const QString &field, const QStringList &value,
                   Setter<QStringList> set);
    DurationEdit *duration(const QString &label, const QString &field,
                           const std::optional<Model::Duration> &value,
                           Setter<std::optional<Model::Duration>> set);
    OptionalSpin *integer(const QString &label, const QString &field, std::optional<qint64> value,
                          int min, int max, Setter<std::optional<qint64>> set);
    OptionalBoolBox *boolean(const QString &label, const QString &field, std::optional<bool> value,
                             const QString &defaultText, Setter<std::optional<bool>> set);
    // `choices` are YAML values; the first one is shown as `unsetText` and means "not set".
    QComboBox *choice(const QString &label, const QString &field, const QStringList &choices,
                      const QString &unsetText, const QString &value, Setter<QString> set);
    PercentEdit *percent(const QString &label, const QString &field, std::optional<double> value,
                         double unsetMeans, const QString &unsetText,
                         Setter<std::optional<double>> set,
                         const QString &pathOverride = QString());
    // A key → value table (labels, header set/add).
    RowsTable *stringMap(const QString &label, const QString &field, const Model::StringMap &value,
                         const QString &keyTitle, const QString &valueTitle,
                         Setter<Model::StringMap> set);

    // A checkable group for an optional message: unchecking removes the message, checking adds
    // an empty one; the rows inside are hidden while it is absent. The returned builder adds
    // rows inside the group, with `docType` and the path of `field`.
    FormBuilder group(const QString &title, const QString &field, const QString &docType,
                      bool present, std::function<void(Model::Config &, bool)> setPresent);
    // A plain titled section.
    FormBuilder section(const QString &title, const QString &field, const QString &docType);

private:
    FormHost *m_host;
    QFormLayout *m_layout;
    QString m_docType;
    QString m_basePath;
    QString m_context;
    int m_generation;
};

// A title and an explanation at the top of a form page.
QWidget *makePage(const QString &title, const QString &subtitle, QFormLayout **layout);

} // namespace Forms
