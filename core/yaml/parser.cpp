#include "yaml/document.h"

#include <QFile>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <istream>
#include <memory>
#include <new>
#include <streambuf>
#include <string_view>
#include <unordered_map>

namespace Yaml {

namespace {

// Deeper than any real Kubernetes manifest by far, and low enough that the recursive Node
// destructor, operator== and the emitter stay far from the stack limit.
constexpr int kMaxDepth = 200;
// "Billion laughs": aliases may copy at most this many nodes in one document.
constexpr std::size_t kMaxAliasNodes = 1000000;

// Reads the caller's buffer in place: a 50 MB file is not copied into a std::string again.
class MemoryBuffer : public std::streambuf
{
public:
    MemoryBuffer(const char *begin, const char *end)
    {
        char *b = const_cast<char *>(begin); // read-only use: only the get area is set
        setg(b, b, const_cast<char *>(end));
    }
};

// Thrown by the handler to stop yaml-cpp after it has recorded its own diagnostic.
struct Abort
{
};

Base::Diagnostic makeDiagnostic(const QString &file, const char *code, Base::Severity severity,
                                const QString &message, Mark at)
{
    Base::Diagnostic d;
    d.code = QString::fromLatin1(code);
    d.severity = severity;
    d.message = message;
    d.file = file;
    d.line = at.line;
    d.column = at.column;
    return d;
}

bool isContinuationByte(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

// The 1-based line and character (not byte) column of a byte offset.
Mark markFromBytes(std::string_view src, std::size_t pos)
{
    pos = std::min(pos, src.size());
    int line = 1;
    std::size_t lineStart = 0;
    for (std::size_t i = 0; i < pos; ++i) {
        if (src[i] == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    int column = 1;
    for (std::size_t i = lineStart; i < pos; ++i) {
        if (!isContinuationByte(static_cast<unsigned char>(src[i])))
            ++column;
    }
    return {line, column};
}

// The first byte that is not valid UTF-8 or not a YAML printable character (NUL and other
// control characters), with a description; npos when the text is clean.
std::size_t findInvalidByte(std::string_view s, QString *what)
{
    const auto *p = reinterpret_cast<const unsigned char *>(s.data());
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
                *what = QStringLiteral("control character U+%1 is not allowed in YAML")
                            .arg(QStringLiteral("%1").arg(c, 4, 16, QLatin1Char('0')).toUpper());
                return i;
            }
            ++i;
            continue;
        }
        int len = 0;
        std::uint32_t cp = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            *what = QStringLiteral("invalid UTF-8 byte 0x%1")
                        .arg(QStringLiteral("%1").arg(c, 2, 16, QLatin1Char('0')).toUpper());
            return i;
        }
        bool ok = i + len <= n;
        for (int k = 1; ok && k < len; ++k) {
            ok = isContinuationByte(p[i + k]);
            if (ok)
                cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
        if (ok)
            ok = !((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
                   (cp >= 0xD800 && cp <= 0xDFFF));
        if (!ok) {
            *what = QStringLiteral("invalid UTF-8 sequence starting with byte 0x%1")
                        .arg(QStringLiteral("%1").arg(c, 2, 16, QLatin1Char('0')).toUpper());
            return i;
        }
        if ((cp >= 0x80 && cp <= 0x9F && cp != 0x85) || cp == 0xFFFE || cp == 0xFFFF) {
            *what = QStringLiteral("control character U+%1 is not allowed in YAML")
                        .arg(QStringLiteral("%1").arg(cp, 4, 16, QLatin1Char('0')).toUpper());
            return i;
        }
        i += len;
    }
    return std::string_view::npos;
}

// yaml-cpp reports resolved tags ("tag:yaml.org,2002:str"); files spell them "!!str".
std::string shortTag(const std::string &tag)
{
    static const std::string core = "tag:yaml.org,2002:";
    if (tag.empty() || tag == "?" || tag == "!")
        return {};
    if (tag.compare(0, core.size(), core) == 0)
        return "!!" + tag.substr(core.size());
    if (tag[0] == '!')
        return tag;
    return "!<" + tag + ">";
}

std::size_t countNodes(const Node &n)
{
    std::size_t count = 1;
    for (const Node &item : n.items())
        count += countNodes(item);
    for (const Node::Entry &e : n.entries())
        count += countNodes(e.value);
    return count;
}

struct RawDocument
{
    Node root;
    // Diagnostics [firstDiagnostic, endDiagnostic) were recorded while it was open.
    qsizetype firstDiagnostic = 0;
    qsizetype endDiagnostic = 0;
};

// Builds Nodes from yaml-cpp's events. yaml-cpp does the scanning; this class adds what the
// event API does not say: character columns, scalar styles, map keys, duplicate and complex
// keys, unterminated quotes, depth and alias-expansion limits.
class Builder : public YAML::EventHandler
{
public:
    Builder(std::string_view src, const QString &file, Base::Diagnostics &diagnostics)
        : m_src(src), m_file(file), m_diagnostics(diagnostics)
    {
    }

    std::vector<RawDocument> documents;

    void OnDocumentStart(const YAML::Mark &mark) override
    {
        // On some stray characters (a ',' at block level) yaml-cpp returns empty documents
        // at the same position forever.
        if (m_documentStarted && mark.pos <= m_lastDocumentPos) {
            const std::size_t p =
                std::min<std::size_t>(std::size_t(std::max(mark.pos, 0)), m_src.size());
            int len = 1;
            while (p + std::size_t(len) < m_src.size() &&
                   isContinuationByte(static_cast<unsigned char>(m_src[p + std::size_t(len)])))
                ++len;
            error("MS0002",
                  p < m_src.size() ? QStringLiteral("unexpected character '%1'")
                                         .arg(QString::fromUtf8(m_src.data() + p, len))
                                   : QStringLiteral("unexpected end of input"),
                  mark);
            throw Abort();
        }
        m_documentStarted = true;
        m_lastDocumentPos = mark.pos;
        m_stack.clear();
        m_anchors.clear();
        m_root.reset();
        m_aliasNodes = 0;
        m_documentDiagnostics = m_diagnostics.size();
    }

    void OnDocumentEnd() override
    {
        if (m_root && !m_root->isNull())
            documents.push_back(
                RawDocument{std::move(*m_root), m_documentDiagnostics, m_diagnostics.size()});
        m_root.reset();
    }

    void OnNull(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        Node n = Node::null(toMark(mark));
        // An empty value ("timeout:") gets the mark of whatever follows it; its key's
        // position is where a person looks for it.
        if (!startsWithNullWord(mark) && !m_stack.empty() && m_stack.back().node.isMap() &&
            m_stack.back().haveKey)
            n.setMark(m_stack.back().keyMark);
        add(std::move(n), anchor, startsWithNullWord(mark) ? nullWord(mark) : std::string());
    }

    void OnAlias(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        auto it = m_anchors.find(anchor);
        if (it == m_anchors.end()) {
            // yaml-cpp knows the anchor but the node is still open: `&a [*a]`.
            error("MS0002", QStringLiteral("alias refers to a node that contains it"), mark);
            add(Node::null(toMark(mark)), 0);
            return;
        }
        m_aliasNodes += it->second.size;
        if (m_aliasNodes > kMaxAliasNodes) {
            error("MS0007",
                  QStringLiteral("aliases expand to more than %1 nodes").arg(kMaxAliasNodes), mark);
            throw Abort();
        }
        Node copy = it->second.node;
        copy.setMark(toMark(mark));
        add(std::move(copy), 0);
    }

    void OnScalar(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                  const std::string &value) override
    {
        Node::Style style = Node::Style::Plain;
        if (tag != "?")
            style = styleAt(mark);
        if (style == Node::Style::SingleQuoted || style == Node::Style::DoubleQuoted)
            checkTerminated(mark, style);
        Node n = Node::scalar(value, style, toMark(mark));
        n.setTag(shortTag(tag));
        add(std::move(n), anchor);
    }

    void OnSequenceStart(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override
    {
        open(Node::sequence(toMark(mark)), tag, anchor, mark);
    }

    void OnSequenceEnd() override { close(); }

    void OnMapStart(const YAML::Mark &mark, const std::string &tag, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override
    {
        open(Node::map(toMark(mark)), tag, anchor, mark);
    }

    void OnMapEnd() override { close(); }

    Mark toMark(const YAML::Mark &m) const
    {
        if (m.pos < 0 || m.line < 0)
            return {};
        // Count characters on the mark's line; pos - column is where the line starts.
        const std::size_t pos =
            std::min<std::size_t>(static_cast<std::size_t>(m.pos), m_src.size());
        const std::size_t lineStart =
            m.column <= m.pos ? pos - static_cast<std::size_t>(m.column) : 0;
        int column = 1;
        for (std::size_t i = lineStart; i < pos; ++i) {
            if (!isContinuationByte(static_cast<unsigned char>(m_src[i])))
                ++column;
        }
        return {m.line + 1, column};
    }

private:
    struct Frame
    {
        Node node;
        YAML::anchor_t anchor = 0;
        bool haveKey = false;
        bool skipValue = false; // the key was complex: its value is dropped
        std::string key;
        Mark keyMark;
        std::unordered_map<std::string, std::size_t> index; // key -> entry, for big maps
    };

    struct Anchored
    {
        Node node;
        std::size_t size = 0;
    };

    void error(const char *code, const QString &message, const YAML::Mark &mark)
    {
        m_diagnostics.append(
            makeDiagnostic(m_file, code, Base::Severity::Error, message, toMark(mark)));
    }

    void open(Node n, const std::string &tag, YAML::anchor_t anchor, const YAML::Mark &mark)
    {
        if (static_cast<int>(m_stack.size()) >= kMaxDepth) {
            error("MS0007", QStringLiteral("nesting is deeper than %1 levels").arg(kMaxDepth),
                  mark);
            throw Abort();
        }
        n.setTag(shortTag(tag));
        Frame f;
        f.node = std::move(n);
        f.anchor = anchor;
        m_stack.push_back(std::move(f));
    }

    void close()
    {
        if (m_stack.empty())
            return;
        Node n = std::move(m_stack.back().node);
        const YAML::anchor_t anchor = m_stack.back().anchor;
        m_stack.pop_back();
        add(std::move(n), anchor);
    }

    // A finished node: the root, a sequence item, a map key or a map value.
    void add(Node n, YAML::anchor_t anchor, const std::string &nullKeyText = std::string())
    {
        if (anchor != 0)
            m_anchors[anchor] = Anchored{n, countNodes(n)};
        if (m_stack.empty()) {
            m_root = std::move(n);
            return;
        }
        Frame &f = m_stack.back();
        if (f.node.isSequence()) {
            f.node.append(std::move(n));
            return;
        }
        if (!f.haveKey) {
            f.haveKey = true;
            f.keyMark = n.mark();
            f.skipValue = false;
            if (n.isScalar()) {
                f.key = n.text();
            } else if (n.isNull()) {
                f.key = nullKeyText; // `null: x` keeps its spelling; `: x` is the empty key
            } else {
                f.skipValue = true;
                m_diagnostics.append(makeDiagnostic(
                    m_file, "MS0004", Base::Severity::Error,
                    QStringLiteral("complex (%1) map keys are not supported")
                        .arg(n.isMap() ? QStringLiteral("map") : QStringLiteral("sequence")),
                    n.mark()));
            }
            return;
        }
        f.haveKey = false;
        if (f.skipValue)
            return;
        std::vector<Node::Entry> &entries = f.node.entries();
        std::size_t found = entries.size();
        if (!f.index.empty() || entries.size() >= 32) {
            if (f.index.empty()) {
                for (std::size_t i = 0; i < entries.size(); ++i)
                    f.index.emplace(entries[i].key, i);
            }
            auto it = f.index.find(f.key);
            if (it != f.index.end())
                found = it->second;
        } else {
            for (std::size_t i = 0; i < entries.size(); ++i) {
                if (entries[i].key == f.key) {
                    found = i;
                    break;
                }
            }
        }
        if (found < entries.size()) {
            Node::Entry &first = entries[found];
            m_diagnostics.append(
                makeDiagnostic(m_file, "MS0003", Base::Severity::Error,
                               QStringLiteral("duplicate key \"%1\" (first at line %2)")
                                   .arg(QString::fromStdString(f.key))
                                   .arg(first.keyMark.line),
                               f.keyMark));
            // Like go-yaml (and so kubectl), the later value wins.
            first.value = std::move(n);
            first.keyMark = f.keyMark;
            return;
        }
        if (!f.index.empty())
            f.index.emplace(f.key, entries.size());
        entries.push_back(Node::Entry{std::move(f.key), f.keyMark, std::move(n)});
        f.key.clear();
    }

    // Skips node properties (`&anchor`, `!tag`) to the scalar's first character.
    std::size_t contentStart(const YAML::Mark &mark) const
    {
        std::size_t p = static_cast<std::size_t>(mark.pos);
        while (p < m_src.size() && (m_src[p] == '&' || m_src[p] == '!')) {
            while (p < m_src.size() && m_src[p] != ' ' && m_src[p] != '\t' && m_src[p] != '\n' &&
                   m_src[p] != '\r')
                ++p;
            while (p < m_src.size() &&
                   (m_src[p] == ' ' || m_src[p] == '\t' || m_src[p] == '\n' || m_src[p] == '\r'))
                ++p;
        }
        return p;
    }

    Node::Style styleAt(const YAML::Mark &mark) const
    {
        if (mark.pos < 0)
            return Node::Style::DoubleQuoted;
        const std::size_t p = contentStart(mark);
        if (p >= m_src.size())
            return Node::Style::Plain;
        switch (m_src[p]) {
        case '"':
            return Node::Style::DoubleQuoted;
        case '\'':
            return Node::Style::SingleQuoted;
        case '|':
            return Node::Style::Literal;
        case '>':
            return Node::Style::Folded;
        default:
            return Node::Style::Plain;
        }
    }

    std::string nullWord(const YAML::Mark &mark) const
    {
        if (mark.pos < 0)
            return {};
        const std::string_view rest = m_src.substr(static_cast<std::size_t>(mark.pos));
        for (const char *w : {"null", "Null", "NULL", "~"}) {
            const std::string_view word(w);
            if (rest.substr(0, word.size()) == word &&
                (rest.size() == word.size() ||
                 std::string_view(" \t\r\n,]}:#").find(rest[word.size()]) !=
                     std::string_view::npos))
                return std::string(word);
        }
        return {};
    }

    bool startsWithNullWord(const YAML::Mark &mark) const { return !nullWord(mark).empty(); }

    // yaml-cpp silently ends a quoted scalar at the end of the input; Kubernetes does not.
    void checkTerminated(const YAML::Mark &mark, Node::Style style)
    {
        std::size_t p = contentStart(mark);
        if (p >= m_src.size())
            return;
        const char quote = m_src[p];
        ++p;
        while (p < m_src.size()) {
            const char c = m_src[p];
            if (style == Node::Style::DoubleQuoted && c == '\\') {
                p += 2;
                continue;
            }
            if (c == quote) {
                if (style == Node::Style::SingleQuoted && p + 1 < m_src.size() &&
                    m_src[p + 1] == '\'') {
                    p += 2;
                    continue;
                }
                return;
            }
            ++p;
        }
        error("MS0002",
              style == Node::Style::DoubleQuoted
                  ? QStringLiteral("unterminated double-quoted string")
                  : QStringLiteral("unterminated single-quoted string"),
              mark);
        throw Abort();
    }

    std::string_view m_src;
    QString m_file;
    Base::Diagnostics &m_diagnostics;
    std::vector<Frame> m_stack;
    std::optional<Node> m_root;
    std::unordered_map<YAML::anchor_t, Anchored> m_anchors;
    std::size_t m_aliasNodes = 0;
    qsizetype m_documentDiagnostics = 0;
    bool m_documentStarted = false;
    int m_lastDocumentPos = 0;
};

// The leading whitespace of a line holds a tab: yaml-cpp's own message for this ("illegal map
// value", "end of map not found") does not say so.
int tabIndentColumn(std::string_view src, int line)
{
    std::size_t p = 0;
    for (int l = 1; l < line && p != std::string_view::npos; ++l) {
        p = src.find('\n', p);
        if (p != std::string_view::npos)
            ++p;
    }
    if (p == std::string_view::npos)
        return 0;
    for (std::size_t i = p; i < src.size() && (src[i] == ' ' || src[i] == '\t'); ++i) {
        if (src[i] == '\t')
            return static_cast<int>(i - p) + 1;
    }
    return 0;
}

bool endsWith(const std::string &s, std::string_view suffix)
{
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix.data(), suffix.size()) == 0;
}

// `kubectl get -o yaml` wraps resources as `kind: List` (API lists as `kind: FooList`).
Node *listItems(Node &root)
{
    if (!root.isMap())
        return nullptr;
    const Node *kind = root.get("kind");
    Node *items = root.get("items");
    if (!kind || !kind->isScalar() || !items || !items->isSequence())
        return nullptr;
    return endsWith(kind->text(), "List") ? items : nullptr;
}

} // namespace

ParseResult parse(const QByteArray &text, const QString &file)
{
    ParseResult result;
    std::string_view src(text.constData(), static_cast<std::size_t>(text.size()));
    // yaml-cpp swallows a UTF-8 byte order mark and counts positions after it.
    if (src.substr(0, 3) == "\xEF\xBB\xBF")
        src.remove_prefix(3);

    std::string_view parsed = src;
    QString what;
    const std::size_t bad = findInvalidByte(src, &what);
    if (bad != std::string_view::npos) {
        if (src.substr(0, 2) == "\xFF\xFE" || src.substr(0, 2) == "\xFE\xFF")
            what = QStringLiteral("file is UTF-16 encoded; YAML files must be UTF-8");
        result.diagnostics.append(
            makeDiagnostic(file, "MS0006", Base::Severity::Error, what, markFromBytes(src, bad)));
        // Keep the documents before the one holding the bad byte.
        std::size_t cut = 0;
        for (std::size_t p = 0; p < bad;) {
            const std::size_t eol = src.find('\n', p);
            const std::string_view line =
                src.substr(p, eol == std::string_view::npos ? std::string_view::npos : eol - p);
            if (p + 3 <= bad && (line.substr(0, 3) == "---" || line.substr(0, 3) == "...") &&
                (line.size() == 3 || line[3] == ' ' || line[3] == '\r' || line[3] == '\t'))
                cut = p;
            if (eol == std::string_view::npos)
                break;
            p = eol + 1;
        }
        parsed = src.substr(0, cut);
    }

    Builder builder(parsed, file, result.diagnostics);
    bool sawSyntaxError = false;
    try {
        MemoryBuffer buffer(parsed.data(), parsed.data() + parsed.size());
        std::istream in(&buffer);
        YAML::Parser parser(in);
        while (parser.HandleNextDocument(builder)) {
        }
    } catch (const Abort &) {
        sawSyntaxError = true;
    } catch (const YAML::DeepRecursion &e) {
        sawSyntaxError = true;
        result.diagnostics.append(makeDiagnostic(
            file, "MS0007", Base::Severity::Error,
            QStringLiteral("nesting is too deep (more than %1 levels)").arg(kMaxDepth),
            builder.toMark(e.mark)));
    } catch (const YAML::Exception &e) {
        sawSyntaxError = true;
        Mark at = builder.toMark(e.mark);
        QString message = QString::fromStdString(e.msg);
        if (const int tab = at.line > 0 ? tabIndentColumn(src, at.line) : 0) {
            message += QStringLiteral(": a tab character is used for indentation (YAML indents "
                                      "with spaces only)");
            at.column = tab;
        }
        result.diagnostics.append(
            makeDiagnostic(file, "MS0002", Base::Severity::Error, message, at));
    } catch (const std::bad_alloc &) {
        sawSyntaxError = true;
        result.diagnostics.append(makeDiagnostic(file, "MS0002", Base::Severity::Error,
                                                 QStringLiteral("out of memory"), {}));
    } catch (const std::exception &e) {
        sawSyntaxError = true;
        result.diagnostics.append(makeDiagnostic(file, "MS0002", Base::Severity::Error,
                                                 QString::fromLocal8Bit(e.what()), {}));
    } catch (...) {
        sawSyntaxError = true;
        result.diagnostics.append(makeDiagnostic(file, "MS0002", Base::Severity::Error,
                                                 QStringLiteral("cannot parse YAML"), {}));
    }

    // Number the documents (List items one by one) and tie each diagnostic recorded while a
    // document was open to it (for a List, to the item starting at or before its line).
    for (RawDocument &raw : builder.documents) {
        const int first = static_cast<int>(result.documents.size());
        if (Node *items = listItems(raw.root)) {
            std::vector<Node> taken = std::move(items->items());
            for (std::size_t i = 0; i < taken.size(); ++i) {
                Document doc;
                doc.root = std::move(taken[i]);
                doc.file = file;
                doc.index = static_cast<int>(result.documents.size());
                doc.listItem = static_cast<int>(i);
                result.documents.push_back(std::move(doc));
            }
        } else {
            Document doc;
            doc.root = std::move(raw.root);
            doc.file = file;
            doc.index = first;
            result.documents.push_back(std::move(doc));
        }
        const int end = static_cast<int>(result.documents.size());
        for (qsizetype d = raw.firstDiagnostic; d < raw.endDiagnostic; ++d) {
            Base::Diagnostic &diag = result.diagnostics[d];
            int owner = first < end ? first : -1;
            for (int i = first; i < end; ++i) {
                if (result.documents[i].root.mark().line <= diag.line)
                    owner = i;
            }
            diag.document = owner;
        }
    }

    if (builder.documents.empty() && !sawSyntaxError && !Base::hasErrors(result.diagnostics))
        result.diagnostics.append(makeDiagnostic(file, "MS0005", Base::Severity::Warning,
                                                 QStringLiteral("file contains no YAML documents"),
                                                 {}));
    return result;
}

ParseResult parseFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        ParseResult result;
        result.diagnostics.append(
            makeDiagnostic(path, "MS0001", Base::Severity::Error,
                           QStringLiteral("cannot read %1: %2").arg(path, f.errorString()), {}));
        return result;
    }
    const QByteArray data = f.readAll();
    if (f.error() != QFileDevice::NoError) {
        ParseResult result;
        result.diagnostics.append(
            makeDiagnostic(path, "MS0001", Base::Severity::Error,
                           QStringLiteral("cannot read %1: %2").arg(path, f.errorString()), {}));
        return result;
    }
    return parse(data, path);
}

} // namespace Yaml
