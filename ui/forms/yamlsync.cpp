#include "yamlsync.h"

#include "model/codec.h"
#include "model/resource.h"
#include "yaml/document.h"

#include <QRegularExpression>
#include <QSet>
#include <QStringList>

#include <algorithm>

namespace Forms {

namespace {

// Beyond this many cells the line diff gives up on the differing middle and replaces it
// whole (still correct, only less of the person's layout kept): a form edit changes a few
// lines, so this is only reached by huge rewrites.
constexpr qsizetype kMaxDiffCells = 4'000'000;
// How far the alignment of the canonical lines with the person's lines looks ahead.
constexpr int kAlignWindow = 64;

bool isTrivia(const QString &line)
{
    const QString t = line.trimmed();
    return t.isEmpty() || t.startsWith(QLatin1Char('#'));
}

QString rstrip(const QString &s)
{
    qsizetype n = s.size();
    while (n > 0 && s.at(n - 1).isSpace())
        --n;
    return s.left(n);
}

// The person's line says what the canonical line says, maybe with a comment after it.
bool sameLine(const QString &mine, const QString &canonical)
{
    const QString m = rstrip(mine);
    const QString c = rstrip(canonical);
    if (m == c)
        return true;
    if (!m.startsWith(c) || c.trimmed().isEmpty())
        return false;
    const QString rest = m.mid(c.size());
    return rest.at(0).isSpace() && rest.trimmed().startsWith(QLatin1Char('#'));
}

// Lines with their end of line: joining them gives the text back.
QStringList splitLines(const QString &text)
{
    QStringList lines;
    qsizetype start = 0;
    while (start < text.size()) {
        qsizetype nl = text.indexOf(QLatin1Char('\n'), start);
        if (nl < 0) {
            lines.append(text.mid(start) + QLatin1Char('\n'));
            break;
        }
        lines.append(text.mid(start, nl - start + 1));
        start = nl + 1;
    }
    return lines;
}

// For each line of `a`, its index in `b` when it is kept (longest common subsequence), or -1.
QList<int> keptLines(const QStringList &a, const QStringList &b)
{
    QList<int> map(a.size(), -1);
    int pre = 0;
    while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) {
        map[pre] = pre;
        ++pre;
    }
    int suf = 0;
    while (suf < a.size() - pre && suf < b.size() - pre &&
           a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) {
        map[a.size() - 1 - suf] = int(b.size() - 1 - suf);
        ++suf;
    }
    const int n = int(a.size()) - pre - suf;
    const int m = int(b.size()) - pre - suf;
    if (n == 0 || m == 0 || qsizetype(n + 1) * (m + 1) > kMaxDiffCells)
        return map;
    // Classic LCS table over the differing middle.
    std::vector<int> len(std::size_t(n + 1) * std::size_t(m + 1), 0);
    auto at = [&](int i, int j) -> int & { return len[std::size_t(i) * std::size_t(m + 1) + j]; };
    for (int i = n - 1; i >= 0; --i)
        for (int j = m - 1; j >= 0; --j)
            at(i, j) = a[pre + i] == b[pre + j] ? at(i + 1, j + 1) + 1
                                                : std::max(at(i + 1, j), at(i, j + 1));
    int i = 0, j = 0;
    while (i < n && j < m) {
        if (a[pre + i] == b[pre + j]) {
            map[pre + i] = pre + j;
            ++i;
            ++j;
        } else if (at(i + 1, j) >= at(i, j + 1)) {
            ++i;
        } else {
            ++j;
        }
    }
    return map;
}

// For each canonical line, the person's line saying the same, in order, or -1.
QList<int> alignLines(const QStringList &canonical, const QStringList &mine)
{
    QList<int> map(canonical.size(), -1);
    int s = 0;
    for (int i = 0; i < canonical.size(); ++i) {
        int looked = 0;
        for (int t = s; t < mine.size() && looked < kAlignWindow; ++t) {
            if (isTrivia(mine[t]))
                continue;
            ++looked;
            if (sameLine(mine[t], canonical[i])) {
                map[i] = t;
                s = t + 1;
                break;
            }
        }
    }
    return map;
}

// The person's document `mine` with the change from `oldCanonical` to `newCanonical` applied
// line by line (see yamlForConfig).
QString mergeDocument(const QString &mine, const QString &oldCanonical, const QString &newCanonical)
{
    const QStringList s = splitLines(mine);
    const QStringList a = splitLines(oldCanonical);
    const QStringList b = splitLines(newCanonical);
    const QList<int> toB = keptLines(a, b);
    const QList<int> toS = alignLines(a, s);
    QString out;
    int sPos = 0, bPos = 0;
    auto triviaUpTo = [&](int end) {
        for (; sPos < end; ++sPos)
            if (isTrivia(s[sPos]))
                out += s[sPos];
    };
    for (int i = 0; i < a.size(); ++i) {
        if (toB[i] >= 0) {
            for (; bPos < toB[i]; ++bPos) // inserted before this line
                out += b[bPos];
            bPos = toB[i] + 1;
        }
        if (toS[i] >= 0) {
            triviaUpTo(toS[i]); // comments above the line stay above it (even when it goes)
            sPos = toS[i] + 1;
        }
        if (toB[i] >= 0) // kept: the person's spelling of it (with its trailing comment)
            out += toS[i] >= 0 ? s[toS[i]] : b[toB[i]];
    }
    for (; bPos < b.size(); ++bPos)
        out += b[bPos];
    triviaUpTo(int(s.size()));
    return out;
}

QString leadingTrivia(const QString &text)
{
    QString out;
    for (const QString &line : splitLines(text)) {
        if (!isTrivia(line))
            break;
        out += line;
    }
    return out;
}

QString canonical(const Model::Resource &r)
{
    return QString::fromStdString(Yaml::dump(Model::toNode(r)));
}

// `node` with its map keys in the order `like` has them (recursively; sequence items by
// position); keys `like` lacks come right after the key before them in `node`. The encoder
// writes the proto's field order, a person (or kubectl) often another one: written in the
// person's order, the old and the new encoding differ only where the edit was.
Yaml::Node orderedLike(Yaml::Node node, const Yaml::Node &like)
{
    if (node.isSequence() && like.isSequence()) {
        for (std::size_t i = 0; i < node.items().size() && i < like.items().size(); ++i)
            node.items()[i] = orderedLike(std::move(node.items()[i]), like.items()[i]);
        return node;
    }
    if (!node.isMap() || !like.isMap())
        return node;
    auto rank = [&like](const std::string &key) -> int {
        const auto &entries = like.entries();
        for (std::size_t i = 0; i < entries.size(); ++i)
            if (entries[i].key == key)
                return int(i);
        return -1;
    };
    std::vector<Yaml::Node::Entry> known, order;
    for (Yaml::Node::Entry &e : node.entries()) {
        if (const Yaml::Node *old = like.get(e.key))
            e.value = orderedLike(std::move(e.value), *old);
        if (rank(e.key) >= 0)
            known.push_back(e);
    }
    std::stable_sort(known.begin(), known.end(),
                     [&rank](const auto &a, const auto &b) { return rank(a.key) < rank(b.key); });
    order = known;
    // New keys after their predecessor in the encoder's order.
    std::string previous;
    for (const Yaml::Node::Entry &e : node.entries()) {
        if (rank(e.key) < 0) {
            auto at = order.begin();
            if (!previous.empty())
                at = std::find_if(order.begin(), order.end(),
                                  [&previous](const auto &o) { return o.key == previous; }) +
                     1;
            order.insert(at, e);
        }
        previous = e.key;
    }
    node.entries() = std::move(order);
    return node;
}

// `text` holds exactly one document that reads back as `r`.
bool readsBackAs(const QString &text, const Model::Resource &r)
{
    const Yaml::ParseResult parsed = Yaml::parse(text.toUtf8());
    if (Base::hasErrors(parsed.diagnostics) || parsed.documents.size() != 1 ||
        parsed.documents[0].listItem >= 0)
        return false;
    return Model::fromNode(parsed.documents[0]) == r;
}

bool sameConfig(const QString &text, const Model::Config &config)
{
    const Yaml::ParseResult parsed = Yaml::parse(text.toUtf8());
    return !Base::hasErrors(parsed.diagnostics) &&
           Model::Config::fromDocuments(parsed.documents) == config;
}

// One `---` section of the text.
struct Segment
{
    QString separator; // the "---" line before it (empty for the first section without one)
    QString text;
    bool hasDocument = false;
};

const QRegularExpression &separatorLine()
{
    static const QRegularExpression re(QStringLiteral("^(---|\\.\\.\\.)(\\s.*)?\\n?$"));
    return re;
}

// Splits the text into its documents, each with the comment-only sections before it; false
// when the sections do not line up one to one with `documents` (a `kind: List`, a `---` in
// an odd place): the caller then writes the whole text anew.
bool splitDocuments(const QString &text, const std::vector<Yaml::Document> &documents,
                    QList<Segment> &segments)
{
    Segment current;
    auto finish = [&] {
        segments.append(current);
        current = Segment();
    };
    for (const QString &line : splitLines(text)) {
        if (separatorLine().match(line).hasMatch()) {
            if (!current.separator.isEmpty() || !current.text.isEmpty())
                finish();
            // "..." ends a document; the next one needs no "---".
            current.separator = line.startsWith(QLatin1String("---")) ? line : QString();
            continue;
        }
        current.text += line;
    }
    if (!current.separator.isEmpty() || !current.text.isEmpty())
        finish();
    std::size_t next = 0;
    for (Segment &seg : segments) {
        const Yaml::ParseResult parsed = Yaml::parse(seg.text.toUtf8());
        if (Base::hasErrors(parsed.diagnostics) || parsed.documents.size() > 1)
            return false;
        if (parsed.documents.empty())
            continue;
        if (next >= documents.size() || parsed.documents[0].listItem >= 0 ||
            documents[next].listItem >= 0 || !(parsed.documents[0].root == documents[next].root))
            return false;
        seg.hasDocument = true;
        ++next;
    }
    return next == documents.size();
}

QString withNewline(QString s)
{
    if (!s.isEmpty() && !s.endsWith(QLatin1Char('\n')))
        s += QLatin1Char('\n');
    return s;
}

} // namespace

QString yamlForConfig(const QString &currentText, const Model::Config &config)
{
    const QString plain = QString::fromStdString(Yaml::dumpDocuments(config.toNodes()));
    const Yaml::ParseResult parsed = Yaml::parse(currentText.toUtf8());
    QList<Segment> segments;
    if (Base::hasErrors(parsed.diagnostics) ||
        !splitDocuments(currentText, parsed.documents, segments))
        return plain;

    // Per document: the sections before it (comments only) and itself.
    struct Piece
    {
        QString separator;
        QString prefix; // comment-only sections before it, with their separators
        QString text;
    };
    QList<Piece> pieces;
    QString pending;
    QString trailing;
    for (const Segment &seg : std::as_const(segments)) {
        if (!seg.hasDocument) {
            pending += seg.separator + withNewline(seg.text);
            continue;
        }
        pieces.append({seg.separator, pending, seg.text});
        pending.clear();
    }
    trailing = pending;

    QSet<int> used;
    QString out;
    for (int r = 0; r < config.resources.size(); ++r) {
        const Model::Resource &resource = config.resources[r];
        const int doc = resource.documentIndex;
        QString text;
        const Piece *piece = nullptr;
        if (doc >= 0 && doc < int(parsed.documents.size()) && !used.contains(doc) &&
            parsed.documents[std::size_t(doc)].index == doc) {
            used.insert(doc);
            piece = &pieces[doc];
        }
        const QString fresh = canonical(resource);
        text = fresh;
        if (piece) {
            const Yaml::Node &mine = parsed.documents[std::size_t(doc)].root;
            const Model::Resource before = Model::fromNode(parsed.documents[std::size_t(doc)]);
            if (before == resource) {
                text = piece->text; // untouched: byte for byte
            } else {
                const QString after =
                    QString::fromStdString(Yaml::dump(orderedLike(Model::toNode(resource), mine)));
                const QString old =
                    QString::fromStdString(Yaml::dump(orderedLike(Model::toNode(before), mine)));
                // The closest to the person's text that reads back as the resource.
                for (const QString &candidate :
                     {mergeDocument(piece->text, old, after), leadingTrivia(piece->text) + after,
                      leadingTrivia(piece->text) + fresh}) {
                    if (readsBackAs(candidate, resource)) {
                        text = candidate;
                        break;
                    }
                }
            }
        }
        // The comment-only sections that stood before the document move with it.
        QString separator = piece ? piece->separator : QString();
        if (r > 0 && separator.isEmpty())
            separator = QStringLiteral("---\n");
        out = withNewline(out) + (piece ? piece->prefix : QString()) + withNewline(separator) +
              withNewline(text);
    }
    if (!trailing.isEmpty())
        out = withNewline(out) + trailing;
    // A file without a newline at its end stays so (the diff shows only the edit).
    if (!currentText.isEmpty() && !currentText.endsWith(QLatin1Char('\n')) &&
        out.endsWith(QLatin1Char('\n')))
        out.chop(1);
    if (!sameConfig(out, config))
        return plain;
    return out;
}

Yaml::Mark markOfPath(const Yaml::Node &root, const QString &path)
{
    const Yaml::Node *node = &root;
    Yaml::Mark mark = root.mark();
    qsizetype i = 0;
    while (i < path.size()) {
        const QChar c = path.at(i);
        if (c == QLatin1Char('.')) {
            ++i;
            continue;
        }
        std::string key;
        bool isIndex = false;
        qsizetype index = -1;
        if (c == QLatin1Char('[')) {
            if (i + 1 < path.size() && path.at(i + 1) == QLatin1Char('"')) {
                QString k;
                qsizetype j = i + 2;
                for (; j < path.size() && path.at(j) != QLatin1Char('"'); ++j) {
                    if (path.at(j) == QLatin1Char('\\') && j + 1 < path.size())
                        ++j;
                    k += path.at(j);
                }
                key = k.toStdString();
                i = path.indexOf(QLatin1Char(']'), j);
                i = i < 0 ? path.size() : i + 1;
            } else {
                const qsizetype close = path.indexOf(QLatin1Char(']'), i);
                if (close < 0)
                    break;
                bool ok = false;
                index = path.mid(i + 1, close - i - 1).toLongLong(&ok);
                if (!ok)
                    break;
                isIndex = true;
                i = close + 1;
            }
        } else {
            qsizetype j = i;
            while (j < path.size() && path.at(j) != QLatin1Char('.') &&
                   path.at(j) != QLatin1Char('['))
                ++j;
            key = path.mid(i, j - i).toStdString();
            i = j;
        }
        if (isIndex) {
            if (!node->isSequence() || index < 0 || std::size_t(index) >= node->items().size())
                break;
            node = &node->items()[std::size_t(index)];
            if (node->mark().line > 0)
                mark = node->mark();
        } else {
            const Yaml::Node::Entry *entry = node->entry(key);
            if (!entry)
                break;
            node = &entry->value;
            if (entry->keyMark.line > 0)
                mark = entry->keyMark;
        }
    }
    return mark;
}

} // namespace Forms
