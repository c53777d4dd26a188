// The form of one match (HTTPMatchRequest): its conditions as one table.
#include "forms.h"

#include "forms/formbuilder.h"
#include "forms/structure.h"
#include "model/resource.h"

#include <QCoreApplication>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>
#include <QTableWidget>

namespace Forms {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Forms::MatchForm", text);
}

const QStringList kFields = {QStringLiteral("uri"),          QStringLiteral("scheme"),
                             QStringLiteral("method"),       QStringLiteral("authority"),
                             QStringLiteral("header"),       QStringLiteral("queryParam"),
                             QStringLiteral("withoutHeader")};
const QString kPresent = QStringLiteral("present");
const QStringList kKinds = {QStringLiteral("exact"), QStringLiteral("prefix"),
                            QStringLiteral("regex"), kPresent};

QString kindText(const Model::StringMatch &m)
{
    return m.isPresence() ? kPresent : Model::StringMatch::kindName(m.kind);
}

Model::StringMatch::Kind kindOf(const QString &text)
{
    if (text == QLatin1String("exact"))
        return Model::StringMatch::Kind::Exact;
    if (text == QLatin1String("prefix"))
        return Model::StringMatch::Kind::Prefix;
    if (text == QLatin1String("regex"))
        return Model::StringMatch::Kind::Regex;
    return Model::StringMatch::Kind::None;
}

QString keyPath(const QString &parent, const QString &key)
{
    return QString::fromStdString(Yaml::childPath(parent.toStdString(), key.toStdString()));
}

// Everything the conditions table shows, read back from its rows. `originals` are the
// StringMatches the rows were made from (by row tag), so keys the table does not show survive.
struct Conditions
{
    std::optional<Model::StringMatch> uri, scheme, method, authority;
    Model::StringMatchMap headers, queryParams, withoutHeaders;
    QString error;
};

Conditions readConditions(const QList<RowsTable::Row> &rows,
                          const QList<Model::StringMatch> &originals)
{
    Conditions out;
    for (int i = 0; i < rows.size(); ++i) {
        const RowsTable::Row &row = rows[i];
        const QString field = row.cells.value(0);
        const QString name = row.cells.value(1);
        Model::StringMatch m = row.tag >= 0 ? originals.value(row.tag) : Model::StringMatch{};
        m.kind = kindOf(row.cells.value(2));
        m.value = m.isPresence() ? QString() : row.cells.value(3);
        std::optional<Model::StringMatch> *single = field == QLatin1String("uri")      ? &out.uri
                                                    : field == QLatin1String("scheme") ? &out.scheme
                                                    : field == QLatin1String("method") ? &out.method
                                                    : field == QLatin1String("authority")
                                                        ? &out.authority
                                                        : nullptr;
        if (single) {
            if (*single) {
                out.error = tr("Row %1: a match has only one %2 condition; put the other one "
                               "in a second match (matches are ORed).")
                                .arg(i + 1)
                                .arg(field);
                return out;
            }
            *single = m;
            continue;
        }
        if (name.isEmpty()) {
            if (m.value.isEmpty())
                continue; // a row still being filled in
            out.error = tr("Row %1: a %2 condition needs a name.").arg(i + 1).arg(field);
            return out;
        }
        Model::StringMatchMap &map = field == QLatin1String("header")       ? out.headers
                                     : field == QLatin1String("queryParam") ? out.queryParams
                                                                            : out.withoutHeaders;
        if (map.contains(name)) {
            out.error = tr("Row %1: %2 \"%3\" appears twice.").arg(i + 1).arg(field, name);
            return out;
        }
        map.insert(name, m);
    }
    return out;
}

} // namespace

QWidget *buildMatchForm(FormHost &host, const Location &at)
{
    const Model::HTTPMatchRequest &match = routeAt(host.config(), at).match[at.index];
    QFormLayout *form = nullptr;
    QWidget *page = makePage(tr("Match %1 of rule %2").arg(at.index + 1).arg(at.rule + 1),
                             tr("All conditions of a match must hold; the rule applies when any "
                                "of its matches holds. Header and query parameter names go in "
                                "the Name column."),
                             &form);
    auto M = [at](Model::Config &c) -> Model::HTTPMatchRequest & {
        return routeAt(c, at).match[at.index];
    };
    FormBuilder b(host, form, QStringLiteral("HTTPMatchRequest"), at.path(),
                  Structure::describe(host.config(), at));
    b.text(tr("Name"), QStringLiteral("name"), match.name, [M](Model::Config &c, const QString &v) {
         M(c).name = v;
     })->setPlaceholderText(tr("optional, shown in access logs"));

    auto *table = new RowsTable({{tr("Field"), kFields, 120},
                                 {tr("Name"), {}, 120},
                                 {tr("Kind"), kKinds, 90},
                                 {tr("Value"), {}, 0}});
    QList<RowsTable::Row> rows;
    QList<Model::StringMatch> originals;
    QStringList rowPaths;
    auto addRow = [&](const QString &field, const QString &name, const Model::StringMatch &m,
                      const QString &path) {
        rows.append({{field, name, kindText(m), m.value}, int(originals.size())});
        originals.append(m);
        rowPaths.append(path);
    };
    const QString base = at.path();
    const QList<QPair<QString, const std::optional<Model::StringMatch> *>> singles = {
        {QStringLiteral("uri"), &match.uri},
        {QStringLiteral("scheme"), &match.scheme},
        {QStringLiteral("method"), &match.method},
        {QStringLiteral("authority"), &match.authority}};
    for (const auto &[field, value] : singles) {
        if (*value)
            addRow(field, QString(), **value, base + QLatin1Char('.') + field);
    }
    const QList<QPair<QString, const Model::StringMatchMap *>> maps = {
        {QStringLiteral("header"), &match.headers},
        {QStringLiteral("queryParam"), &match.queryParams},
        {QStringLiteral("withoutHeader"), &match.withoutHeaders}};
    const QStringList mapKeys = {QStringLiteral("headers"), QStringLiteral("queryParams"),
                                 QStringLiteral("withoutHeaders")};
    for (int i = 0; i < maps.size(); ++i) {
        for (const auto &e : *maps[i].second)
            addRow(maps[i].first, e.first, e.second,
                   keyPath(base + QLatin1Char('.') + mapKeys[i], e.first));
    }
    table->setRows(rows);
    table->setNewRowCells({QStringLiteral("header"), QString(), QStringLiteral("exact")});
    table->table()->setObjectName(QStringLiteral("conditions"));
    b.row(tr("Conditions"), QStringLiteral("conditions"), table, base);
    for (int i = 0; i < rowPaths.size(); ++i)
        host.registerField(rowPaths[i], table, i);
    for (const QString &key : mapKeys)
        host.registerField(base + QLatin1Char('.') + key, table);

    auto *error = new QLabel;
    error->setObjectName(QStringLiteral("conditionsError"));
    error->setWordWrap(true);
    QPalette p = error->palette();
    p.setColor(QPalette::WindowText, QColor(183, 28, 28));
    error->setPalette(p);
    error->hide();
    form->addRow(QString(), error);
    QObject::connect(table, &RowsTable::edited, table, [b, table, originals, error, M] {
        const Conditions read = readConditions(table->rows(), originals);
        error->setText(read.error);
        error->setVisible(!read.error.isEmpty());
        if (!read.error.isEmpty())
            return;
        b.commit(tr("conditions edited"), [M, read](Model::Config &c) {
            Model::HTTPMatchRequest &m = M(c);
            m.uri = read.uri;
            m.scheme = read.scheme;
            m.method = read.method;
            m.authority = read.authority;
            m.headers = read.headers;
            m.queryParams = read.queryParams;
            m.withoutHeaders = read.withoutHeaders;
        });
    });

    b.boolean(tr("Ignore URI case"), QStringLiteral("ignoreUriCase"), match.ignoreUriCase,
              tr("not set (false)"),
              [M](Model::Config &c, const std::optional<bool> &v) { M(c).ignoreUriCase = v; });
    b.integer(tr("Port"), QStringLiteral("port"), match.port, 1, 65535,
              [M](Model::Config &c, const std::optional<qint64> &v) { M(c).port = v; })
        ->spinBox()
        ->setSpecialValueText(tr("any"));
    b.stringMap(tr("Source labels"), QStringLiteral("sourceLabels"), match.sourceLabels,
                tr("Label"), tr("Value"),
                [M](Model::Config &c, const Model::StringMap &v) { M(c).sourceLabels = v; });
    b.list(tr("Gateways"), QStringLiteral("gateways"), match.gateways,
           [M](Model::Config &c, const QStringList &v) { M(c).gateways = v; })
        ->setPlaceholderText(tr("not set: the VirtualService's gateways"));
    b.text(tr("Source namespace"), QStringLiteral("sourceNamespace"), match.sourceNamespace,
           [M](Model::Config &c, const QString &v) { M(c).sourceNamespace = v; });
    b.text(tr("Stat prefix"), QStringLiteral("statPrefix"), match.statPrefix,
           [M](Model::Config &c, const QString &v) { M(c).statPrefix = v; });
    return page;
}

} // namespace Forms
