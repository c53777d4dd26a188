#include "detailpane.h"

#include "dashboard/palette.h"
#include "observe/endpoint.h"
#include "observe/hub.h"
#include "observe/masking.h"
#include "observe/noise.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QSplitter>
#include <QTextBrowser>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cstring>
#include <functional>

namespace Ui {

namespace {

const QString kFieldScheme = QStringLiteral("field:");

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

QString kindName(Observe::FieldDiff::Kind kind)
{
    switch (kind) {
    case Observe::FieldDiff::Kind::Added:
        return QObject::tr("only in the mirror");
    case Observe::FieldDiff::Kind::Removed:
        return QObject::tr("only in v1");
    case Observe::FieldDiff::Kind::TypeChanged:
        return QObject::tr("type changed");
    case Observe::FieldDiff::Kind::Changed:
        break;
    }
    return QObject::tr("changed");
}

QString versionOf(const Observe::Leg &leg)
{
    return leg.destination.subset.isEmpty() ? leg.destination.host : leg.destination.subset;
}

// A JSON value in the body's own order (QJsonObject sorts its keys, so a body shown through it
// would not read as the service wrote it). Scalars and keys keep their source text.
struct JsonNode
{
    enum class Kind { Object, Array, Scalar } kind = Kind::Scalar;
    QString text;                                // a scalar's (or a key's) JSON text as written
    QList<std::pair<QString, JsonNode>> members; // object: raw key token, value
    QList<JsonNode> items;                       // array
};

// Reads a document QJsonDocument has already accepted; false on anything unexpected (then the
// caller shows it through QJsonDocument after all).
class JsonReader
{
public:
    explicit JsonReader(const QByteArray &text) : m_text(text) {}
    bool read(JsonNode *root)
    {
        if (!value(root, 0))
            return false;
        skipSpace();
        return m_pos == m_text.size();
    }

private:
    static constexpr int kMaxDepth = 512;
    void skipSpace()
    {
        while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' ||
                                         m_text[m_pos] == '\n' || m_text[m_pos] == '\r'))
            ++m_pos;
    }
    bool take(char c)
    {
        skipSpace();
        if (m_pos < m_text.size() && m_text[m_pos] == c) {
            ++m_pos;
            return true;
        }
        return false;
    }
    bool string(QString *out)
    {
        const qsizetype start = m_pos++;
        while (m_pos < m_text.size() && m_text[m_pos] != '"')
            m_pos += m_text[m_pos] == '\\' ? 2 : 1;
        if (m_pos >= m_text.size())
            return false;
        ++m_pos;
        *out = QString::fromUtf8(m_text.mid(start, m_pos - start));
        return true;
    }
    bool value(JsonNode *node, int depth)
    {
        skipSpace();
        if (m_pos >= m_text.size() || depth > kMaxDepth)
            return false;
        const char c = m_text[m_pos];
        if (c == '{') {
            ++m_pos;
            node->kind = JsonNode::Kind::Object;
            if (take('}'))
                return true;
            do {
                skipSpace();
                QString key;
                if (m_pos >= m_text.size() || m_text[m_pos] != '"' || !string(&key) || !take(':'))
                    return false;
                node->members.append({key, JsonNode()});
                if (!value(&node->members.last().second, depth + 1))
                    return false;
            } while (take(','));
            return take('}');
        }
        if (c == '[') {
            ++m_pos;
            node->kind = JsonNode::Kind::Array;
            if (take(']'))
                return true;
            do {
                node->items.append(JsonNode());
                if (!value(&node->items.last(), depth + 1))
                    return false;
            } while (take(','));
            return take(']');
        }
        node->kind = JsonNode::Kind::Scalar;
        if (c == '"')
            return string(&node->text);
        const qsizetype start = m_pos;
        while (m_pos < m_text.size() && !strchr(" \t\r\n,]}", m_text[m_pos]))
            ++m_pos;
        node->text = QString::fromUtf8(m_text.mid(start, m_pos - start));
        return m_pos > start;
    }

    const QByteArray &m_text;
    qsizetype m_pos = 0;
};

// The key a path names: the JSON string token decoded (escapes are rare: only then the parser).
QString keyOf(const QString &token)
{
    if (!token.contains(QLatin1Char('\\')))
        return token.mid(1, token.size() - 2);
    const QJsonDocument d =
        QJsonDocument::fromJson((QLatin1Char('[') + token + QLatin1Char(']')).toUtf8());
    return d.array().at(0).toString();
}

// Pretty-prints JSON line by line in the body's order, knowing each line's path
// ("$.user.name"), so the lines of differing fields (and everything below an added or removed
// one) can be highlighted.
class JsonHtml
{
public:
    JsonHtml(const QHash<QString, int> &rows,
             const std::function<QString(int, const QString &)> &mark)
        : m_rows(rows), m_mark(mark)
    {
    }
    QString html;

    void value(const JsonNode &v, const QString &path, const QString &prefix, int indent,
               bool comma, int inherited)
    {
        const int row = m_rows.value(path, inherited);
        const QString tail = comma ? QStringLiteral(",") : QString();
        if (v.kind == JsonNode::Kind::Object) {
            if (v.members.isEmpty())
                return line(indent, prefix + QStringLiteral("{}") + tail, row);
            line(indent, prefix + QStringLiteral("{"), row);
            for (qsizetype i = 0; i < v.members.size(); ++i) {
                const auto &[key, member] = v.members[i];
                QString child = path;
                Observe::appendJsonPathKey(child, keyOf(key));
                value(member, child, key + QStringLiteral(": "), indent + 1,
                      i + 1 < v.members.size(), row);
            }
            line(indent, QStringLiteral("}") + tail, row);
        } else if (v.kind == JsonNode::Kind::Array) {
            if (v.items.isEmpty())
                return line(indent, prefix + QStringLiteral("[]") + tail, row);
            line(indent, prefix + QStringLiteral("["), row);
            for (qsizetype i = 0; i < v.items.size(); ++i)
                value(v.items[i], path + QStringLiteral("[%1]").arg(i), QString(), indent + 1,
                      i + 1 < v.items.size(), row);
            line(indent, QStringLiteral("]") + tail, row);
        } else {
            line(indent, prefix + v.text + tail, row);
        }
    }

private:
    void line(int indent, const QString &text, int row)
    {
        html += m_mark(row, QString(indent * 2, QLatin1Char(' ')) + text) + QLatin1Char('\n');
    }
    const QHash<QString, int> &m_rows;
    std::function<QString(int, const QString &)> m_mark;
};

QTextBrowser *makeBrowser(QWidget *parent)
{
    auto *b = new QTextBrowser(parent);
    b->setOpenLinks(false);
    b->setContextMenuPolicy(Qt::CustomContextMenu);
    b->setLineWrapMode(QTextEdit::NoWrap);
    return b;
}

} // namespace

DetailPane::DetailPane(QWidget *parent) : QWidget(parent)
{
    m_title = new QLabel(tr("Select an exchange in the log to see it in full."), this);
    m_title->setTextFormat(Qt::RichText);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_secrets = new QCheckBox(tr("Show secrets"), this);
    m_secrets->setToolTip(tr("Show Authorization, Cookie and Set-Cookie values instead of ••••"));
    m_mirrorPick = new QComboBox(this);
    m_mirrorPick->setToolTip(tr("Which mirror to compare with v1"));
    m_mirrorPick->hide();

    m_request = makeBrowser(this);
    m_primary = makeBrowser(this);
    m_mirror = makeBrowser(this);
    auto *sides = new QSplitter(Qt::Horizontal, this);
    sides->addWidget(m_request);
    sides->addWidget(m_primary);
    sides->addWidget(m_mirror);

    m_diffs = new QTreeWidget(this);
    m_diffs->setRootIsDecorated(false);
    m_diffs->setHeaderLabels({tr("Where"), tr("Field"), tr("v1"), tr("Mirror"), tr("Note")});
    m_diffs->setContextMenuPolicy(Qt::CustomContextMenu);
    m_diffs->setToolTip(tr("Right-click a field to ignore it as noise"));
    m_diffs->header()->setSectionResizeMode(QHeaderView::Interactive);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(sides);
    split->addWidget(m_diffs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_title, 1);
    bar->addWidget(m_mirrorPick);
    bar->addWidget(m_secrets);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(split, 1);

    connect(m_secrets, &QCheckBox::toggled, this, &DetailPane::render);
    connect(m_mirrorPick, &QComboBox::currentIndexChanged, this, &DetailPane::render);
    connect(m_diffs, &QTreeWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        QTreeWidgetItem *item = m_diffs->itemAt(pos);
        if (item)
            openMenu(m_diffs->viewport(), pos, m_diffs->indexOfTopLevelItem(item));
    });
    for (QTextBrowser *b : {m_request, m_primary, m_mirror}) {
        connect(b, &QTextBrowser::customContextMenuRequested, this, [this, b](const QPoint &pos) {
            const QString anchor = b->anchorAt(pos);
            if (anchor.startsWith(kFieldScheme)) {
                openMenu(b->viewport(), pos, anchor.mid(kFieldScheme.size()).toInt());
                return;
            }
            QMenu *menu = b->createStandardContextMenu(pos);
            menu->exec(b->viewport()->mapToGlobal(pos));
            delete menu;
        });
        connect(b, &QTextBrowser::anchorClicked, this, [this](const QUrl &url) {
            const QString s = url.toString();
            if (s.startsWith(kFieldScheme))
                m_diffs->setCurrentItem(m_diffs->topLevelItem(s.mid(kFieldScheme.size()).toInt()));
        });
    }
}

void DetailPane::showExchange(quint64 id)
{
    m_id = id;
    m_entry.reset();
    if (id && m_hub)
        m_entry = m_hub->find(id);
    m_endpoint = m_entry
                     ? Observe::endpointTemplate(m_entry->exchange.method, m_entry->exchange.path)
                     : QString();
    const QSignalBlocker block(m_mirrorPick);
    m_mirrorPick->clear();
    if (m_entry)
        for (const Observe::Leg &m : m_entry->exchange.mirrors)
            m_mirrorPick->addItem(tr("mirror %1").arg(versionOf(m)));
    m_mirrorPick->setVisible(m_mirrorPick->count() > 1);
    render();
}

void DetailPane::render()
{
    m_fields.clear();
    m_diffs->clear();
    if (!m_entry) {
        m_title->setText(m_id ? tr("Exchange %1 is no longer in the store (the oldest go first "
                                   "once it is full).")
                                    .arg(m_id)
                              : tr("Select an exchange in the log to see it in full."));
        for (QTextBrowser *b : {m_request, m_primary, m_mirror})
            b->clear();
        return;
    }
    const Observe::Exchange &e = m_entry->exchange;
    const int mirrorIndex = qMax(0, m_mirrorPick->currentIndex());
    const Observe::Comparison *comparison = nullptr;
    for (const Observe::Comparison &c : m_entry->comparisons)
        if (c.mirrorIndex == mirrorIndex && c.comparable)
            comparison = &c;
    if (comparison) {
        if (!comparison->statusEqual) {
            Field f;
            f.status = true;
            f.path = tr("status");
            f.primaryValue = QString::number(comparison->primaryStatus);
            f.mirrorValue = QString::number(comparison->mirrorStatus);
            m_fields << f;
        }
        for (const Observe::FieldDiff &d : comparison->headerDiffs) {
            Field f;
            f.header = true;
            f.path = d.path;
            f.primaryValue = d.primaryValue;
            f.mirrorValue = d.mirrorValue;
            f.kind = d.kind;
            f.noisy = d.noisy;
            m_fields << f;
        }
        for (const Observe::FieldDiff &d : comparison->body.fields) {
            Field f;
            f.path = d.path;
            f.primaryValue = d.primaryValue;
            f.mirrorValue = d.mirrorValue;
            f.kind = d.kind;
            f.noisy = d.noisy;
            m_fields << f;
        }
    }
    refreshIgnored();

    QString title = QStringLiteral("<b>%1 %2</b> &nbsp; %3")
                        .arg(esc(QString::fromLatin1(e.method)), esc(QString::fromUtf8(e.path)),
                             esc(m_endpoint));
    if (!comparison)
        title += tr(" &nbsp; (not compared)");
    else if (comparison->mismatch())
        title += tr(" &nbsp; <b>differs</b> in %n field(s)", nullptr,
                    int(std::count_if(m_fields.cbegin(), m_fields.cend(),
                                      [](const Field &f) { return !f.noisy && !f.ignoredNow; })));
    else
        title += tr(" &nbsp; match");
    if (m_entry->bodiesDropped)
        title += tr(" &nbsp; (bodies dropped: the store's body budget was full)");
    m_title->setText(title);

    // The request
    QString req = QStringLiteral("<b>%1</b><br>%2 %3<br>")
                      .arg(tr("Request"), esc(QString::fromLatin1(e.method)),
                           esc(QString::fromUtf8(e.authority + e.path)));
    req += tr("request id %1<br>rule %2 http[%3] %4<br>")
               .arg(esc(QString::fromLatin1(e.requestId)), esc(e.virtualService))
               .arg(e.ruleIndex)
               .arg(esc(e.ruleName));
    req += headersHtml(e.requestHeaders, false);
    if (e.requestBodySize > 0)
        req += bodyHtml(e.requestBodyPrefix, e.requestBodySize, QByteArray(), false, false);
    m_request->setHtml(req);

    m_primary->setHtml(legHtml(e.primary, false, versionOf(e.primary)));
    if (mirrorIndex < e.mirrors.size())
        m_mirror->setHtml(legHtml(e.mirrors[mirrorIndex], true,
                                  versionOf(e.mirrors[mirrorIndex]) + tr(" (mirror)")));
    else
        m_mirror->setHtml(tr("<i>No mirror: the rule does not mirror this request.</i>"));

    const bool secrets = m_secrets->isChecked();
    for (const Field &f : m_fields) {
        auto value = [&](const QString &v) {
            return f.header && !secrets ? QString::fromUtf8(Observe::Masking::maskHeaderValue(
                                              f.path.toUtf8(), v.toUtf8()))
                                        : v;
        };
        QString note = f.status ? QString() : kindName(f.kind);
        if (f.noisy)
            note = tr("learned noise (v1 itself varies here)");
        if (f.ignoredNow)
            note = tr("ignored by a noise rule from now on");
        auto *item = new QTreeWidgetItem(m_diffs, {f.status   ? tr("status")
                                                   : f.header ? tr("header")
                                                              : tr("body"),
                                                   f.path, value(f.primaryValue),
                                                   value(f.mirrorValue), note});
        if (!f.noisy && !f.ignoredNow)
            for (int c = 0; c < 5; ++c)
                item->setBackground(c, Palette::mismatch());
    }
    for (int c = 0; c < 4; ++c)
        m_diffs->resizeColumnToContents(c);
}

void DetailPane::refreshIgnored()
{
    if (!m_hub)
        return;
    Observe::NoiseRules rules;
    m_hub->withComparator([&rules](Observe::Comparator &c) { rules = c.noiseRules(); });
    for (Field &f : m_fields) {
        if (f.status)
            continue;
        f.ignoredNow =
            f.header ? rules.headerIgnored(f.path.toUtf8(), m_endpoint)
                     : f.path.startsWith(QLatin1Char('$')) && rules.pathIgnored(f.path, m_endpoint);
    }
}

QString DetailPane::legHtml(const Observe::Leg &leg, bool mirror, const QString &title) const
{
    using Outcome = Observe::Leg::Outcome;
    const QColor colour = mirror ? Palette::mirror() : Palette::primary();
    QString html =
        QStringLiteral("<b style=\"color:%1\">%2</b> &nbsp; ").arg(colour.name(), esc(title));
    const QLocale l;
    switch (leg.outcome) {
    case Outcome::SampledOut:
        return html + tr("not sent (sampled out)");
    case Outcome::Dropped:
        return html + tr("dropped: %1").arg(esc(leg.dropReason));
    case Outcome::Failed:
        html += tr("<b>failed</b>: %1 ").arg(esc(leg.error));
        break;
    case Outcome::Completed:
    case Outcome::Local:
        break;
    }
    bool statusDiffers = false;
    for (const Field &f : m_fields)
        statusDiffers = statusDiffers || f.status;
    const QString status = leg.status ? QString::number(leg.status) : QString();
    html += statusDiffers ? QStringLiteral("<span style=\"background-color:%1\"><b>%2</b></span>")
                                .arg(Palette::mismatch().name(), status)
                          : QStringLiteral("<b>%1</b>").arg(status);
    if (leg.totalUs >= 0)
        html += QStringLiteral(" &nbsp; %1 ms").arg(l.toString(leg.totalUs / 1000.0, 'f', 1));
    html += QStringLiteral("<br>") + esc(leg.endpoint) + QStringLiteral("<br>");
    html += headersHtml(leg.responseHeaders, true);
    QByteArray type;
    for (const auto &h : leg.responseHeaders)
        if (h.first.compare("content-type", Qt::CaseInsensitive) == 0)
            type = h.second;
    html += bodyHtml(leg.bodyPrefix, leg.bodySize, type, true, mirror);
    return html;
}

QString DetailPane::headersHtml(const QList<QPair<QByteArray, QByteArray>> &headers,
                                bool highlight) const
{
    QHash<QString, int> rows;
    if (highlight)
        for (int i = 0; i < m_fields.size(); ++i)
            if (m_fields[i].header)
                rows.insert(m_fields[i].path, i);
    const bool secrets = m_secrets->isChecked();
    QString html = QStringLiteral("<pre>");
    for (const auto &h : headers) {
        const QByteArray value =
            secrets ? h.second : Observe::Masking::maskHeaderValue(h.first, h.second);
        const QString text =
            QString::fromLatin1(h.first) + QStringLiteral(": ") + QString::fromUtf8(value);
        const int row = rows.value(QString::fromLatin1(h.first.toLower()), -1);
        if (row < 0) {
            html += esc(text) + QLatin1Char('\n');
            continue;
        }
        const QColor bg = m_fields[row].noisy || m_fields[row].ignoredNow ? Palette::noise()
                                                                          : Palette::mismatch();
        html += QStringLiteral("<a href=\"%1%2\" style=\"color:#000000; text-decoration:none\">"
                               "<span style=\"background-color:%3\">%4</span></a>\n")
                    .arg(kFieldScheme)
                    .arg(row)
                    .arg(bg.name(), esc(text));
    }
    return html + QStringLiteral("</pre>");
}

QString DetailPane::bodyHtml(const QByteArray &prefix, qint64 size, const QByteArray &contentType,
                             bool highlight, bool mirrorSide) const
{
    Q_UNUSED(contentType);
    Q_UNUSED(mirrorSide);
    QHash<QString, int> rows;
    if (highlight)
        for (int i = 0; i < m_fields.size(); ++i)
            if (!m_fields[i].header && !m_fields[i].status)
                rows.insert(m_fields[i].path, i);
    auto mark = [this](int row, const QString &text) {
        if (row < 0)
            return esc(text);
        const QColor bg = m_fields[row].noisy || m_fields[row].ignoredNow ? Palette::noise()
                                                                          : Palette::mismatch();
        return QStringLiteral("<a href=\"%1%2\" style=\"color:#000000; text-decoration:none\">"
                              "<span style=\"background-color:%3\">%4</span></a>")
            .arg(kFieldScheme)
            .arg(row)
            .arg(bg.name(), esc(text));
    };
    QString html;
    const QLocale l;
    if (size > prefix.size())
        html += tr("<i>first %1 of %2 bytes kept</i><br>")
                    .arg(l.toString(prefix.size()), l.toString(size));
    if (prefix.isEmpty())
        return html + tr("<i>empty body</i>");
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(prefix, &error);
    JsonNode root;
    if (error.error == QJsonParseError::NoError && !doc.isNull() &&
        JsonReader(prefix).read(&root)) {
        JsonHtml json(rows, mark);
        json.value(root, QStringLiteral("$"), QString(), 0, false, -1);
        return html + QStringLiteral("<pre>") + json.html + QStringLiteral("</pre>");
    }
    const QString text = QString::fromUtf8(prefix);
    if (text.contains(QChar::ReplacementCharacter) || prefix.contains('\0'))
        return html + tr("<i>binary body, %1 bytes</i>").arg(l.toString(size));
    QString out = QStringLiteral("<pre>");
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i)
        out += mark(rows.value(QStringLiteral("line %1").arg(i + 1), -1), lines[i]) +
               QLatin1Char('\n');
    return html + out + QStringLiteral("</pre>");
}

QMenu *DetailPane::fieldMenu(int row, QWidget *parent)
{
    if (row < 0 || row >= m_fields.size() || m_fields[row].status)
        return nullptr;
    const Field &f = m_fields[row];
    auto *menu = new QMenu(parent);
    const bool nameable = f.header || f.path.startsWith(QLatin1Char('$'));
    QAction *here = menu->addAction(tr("Ignore This Field (Noise) for %1").arg(m_endpoint));
    QAction *everywhere = menu->addAction(tr("Ignore This Field (Noise) Everywhere"));
    for (QAction *a : {here, everywhere}) {
        a->setEnabled(nameable && m_hub);
        if (!nameable)
            a->setToolTip(tr("A noise rule names a header or a JSON path, not a text line"));
    }
    connect(here, &QAction::triggered, this, [this, row] { ignoreField(row, true); });
    connect(everywhere, &QAction::triggered, this, [this, row] { ignoreField(row, false); });
    if (f.noisy) {
        menu->addSeparator();
        connect(menu->addAction(tr("Accept Learned Noise as a Rule")), &QAction::triggered, this,
                [this, row] { acceptLearned(row); });
        connect(menu->addAction(tr("Reject Learned Noise: It Is a Real Difference")),
                &QAction::triggered, this, [this, row] { rejectLearned(row); });
    }
    return menu;
}

void DetailPane::openMenu(QWidget *on, const QPoint &pos, int row)
{
    QMenu *menu = fieldMenu(row, this);
    if (!menu)
        return;
    menu->exec(on->mapToGlobal(pos));
    delete menu;
}

bool DetailPane::ignoreField(int row, bool thisEndpointOnly, QString *error)
{
    QString why;
    if (!m_hub || row < 0 || row >= m_fields.size() || m_fields[row].status) {
        why = tr("no field to ignore");
    } else {
        const Field &f = m_fields[row];
        const QString endpoint = thisEndpointOnly ? m_endpoint : QString();
        const QString pattern = f.header ? f.path : Observe::generalizeIndices(f.path);
        if (!f.header && !f.path.startsWith(QLatin1Char('$'))) {
            why = tr("%1 is not a JSON field: a noise rule cannot name it").arg(f.path);
        } else {
            bool ok = false;
            m_hub->withComparator([&](Observe::Comparator &c) {
                Observe::NoiseRules rules = c.noiseRules();
                ok = f.header ? rules.addHeader(pattern, endpoint, &why)
                              : rules.addJsonPath(pattern, endpoint, &why);
                if (ok)
                    c.setNoiseRules(rules);
            });
            if (ok) {
                emit noiseChanged(thisEndpointOnly
                                      ? tr("Noise rule added: %1 is ignored for %2 from now on")
                                            .arg(pattern, endpoint)
                                      : tr("Noise rule added: %1 is ignored everywhere from now on")
                                            .arg(pattern));
                render();
                return true;
            }
        }
    }
    if (error)
        *error = why;
    emit noiseChanged(tr("No noise rule added: %1").arg(why));
    return false;
}

bool DetailPane::acceptLearned(int row, QString *error)
{
    if (!m_hub || row < 0 || row >= m_fields.size() || !m_fields[row].noisy)
        return false;
    const Field f = m_fields[row];
    const auto where =
        f.header ? Observe::LearnedNoise::Where::Header : Observe::LearnedNoise::Where::Body;
    const QString path = f.header ? f.path : Observe::generalizeIndices(f.path);
    bool ok = false;
    QString why;
    m_hub->withComparator(
        [&](Observe::Comparator &c) { ok = c.acceptLearnedNoise(where, m_endpoint, path, &why); });
    if (error)
        *error = why;
    emit noiseChanged(
        ok ? tr("Learned noise accepted: %1 is a noise rule for %2").arg(path, m_endpoint)
           : tr("Not accepted: %1").arg(why));
    if (ok)
        render();
    return ok;
}

bool DetailPane::rejectLearned(int row)
{
    if (!m_hub || row < 0 || row >= m_fields.size() || !m_fields[row].noisy)
        return false;
    const Field f = m_fields[row];
    const auto where =
        f.header ? Observe::LearnedNoise::Where::Header : Observe::LearnedNoise::Where::Body;
    const QString path = f.header ? f.path : Observe::generalizeIndices(f.path);
    bool ok = false;
    m_hub->withComparator(
        [&](Observe::Comparator &c) { ok = c.rejectLearnedNoise(where, m_endpoint, path); });
    emit noiseChanged(ok ? tr("%1 counts as a difference again for %2").arg(path, m_endpoint)
                         : tr("%1 is no longer learned noise").arg(path));
    return ok;
}

} // namespace Ui
