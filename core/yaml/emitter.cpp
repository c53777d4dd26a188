#include "yaml/document.h"

#include <cctype>
#include <cstdio>
#include <string_view>

namespace Yaml {

namespace {

// Code point of the UTF-8 sequence at s[i] and its length; a stray byte is itself, length 1.
std::uint32_t decodeAt(std::string_view s, std::size_t i, int *len)
{
    const auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + static_cast<std::size_t>(n) > s.size()) {
        *len = 1;
        return c;
    }
    std::uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
        if ((b & 0xC0) != 0x80) {
            *len = 1;
            return c;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    *len = n;
    return cp;
}

// Characters that only a double-quoted scalar can carry: controls (tab and newline aside),
// DEL, C1 controls, the Unicode line/paragraph separators and the byte order mark.
bool isSpecialCodePoint(std::uint32_t cp)
{
    return (cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 ||
           cp == 0x2029 || cp == 0xFEFF;
}

bool hasSpecialCodePoint(std::string_view s)
{
    for (std::size_t i = 0; i < s.size();) {
        int len = 1;
        if (isSpecialCodePoint(decodeAt(s, i, &len)))
            return true;
        i += static_cast<std::size_t>(len);
    }
    return false;
}

bool startsWith(std::string_view s, std::string_view prefix)
{
    return s.substr(0, prefix.size()) == prefix;
}

// Whether text written plain in block context reads back as the same characters.
bool plainSyntaxOk(std::string_view t)
{
    if (t.empty())
        return false;
    const char first = t.front(), last = t.back();
    if (first == ' ' || first == '\t' || last == ' ' || last == '\t' || last == ':')
        return false;
    if (t.find_first_of("\n\r\t") != std::string_view::npos || hasSpecialCodePoint(t))
        return false;
    if (startsWith(t, "---") || startsWith(t, "..."))
        return false;
    if (first == '-' || first == '?' || first == ':') {
        if (t.size() < 2 || t[1] == ' ')
            return false;
    } else if (std::string_view(",[]{}#&*!|>'\"%@`").find(first) != std::string_view::npos) {
        return false;
    }
    return t.find(": ") == std::string_view::npos && t.find(" #") == std::string_view::npos;
}

bool allOf(std::string_view s, const char *chars)
{
    return !s.empty() && s.find_first_not_of(chars) == std::string_view::npos;
}

// Forms that YAML 1.1 readers (go-yaml v2, so kubectl) type as numbers or timestamps even
// where Node reads a string: 0o17, 0b101, 1_000.5, 1:30 (base 60), 2024-01-31.
bool yaml11NonString(std::string_view t)
{
    std::string_view body = t;
    if (!body.empty() && (body[0] == '-' || body[0] == '+'))
        body.remove_prefix(1);
    if (body.empty())
        return false;
    if (startsWith(body, "0b") || startsWith(body, "0o") || startsWith(body, "0x"))
        return allOf(body.substr(2), "0123456789abcdefABCDEF_");
    if (std::isdigit(static_cast<unsigned char>(body[0])) || body[0] == '.')
        return allOf(body, "0123456789_.:eE+-TtZz ");
    return false;
}

// Whether a map key written plain reads back as a string for every Kubernetes YAML reader.
bool plainKeyOk(const std::string &key)
{
    if (!plainSyntaxOk(key) || key == "<<" || key == "=" || yaml11NonString(key))
        return false;
    return Node::scalar(key).typeName() == "string";
}

std::string doubleQuoted(std::string_view s)
{
    std::string out = "\"";
    out.reserve(s.size() + 2);
    for (std::size_t i = 0; i < s.size();) {
        int len = 1;
        const std::uint32_t cp = decodeAt(s, i, &len);
        switch (cp) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\r':
            out += "\\r";
            break;
        case 0:
            out += "\\0";
            break;
        default:
            if (isSpecialCodePoint(cp) && len > 1) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(cp));
                out += buf;
            } else if (isSpecialCodePoint(cp)) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(cp));
                out += buf;
            } else {
                out.append(s.substr(i, static_cast<std::size_t>(len)));
            }
        }
        i += static_cast<std::size_t>(len);
    }
    out += '"';
    return out;
}

// A literal block reads back exactly when the text has no characters needing escapes, does
// not start with whitespace (block indentation is detected from the first line), ends with at
// most one newline, and has no lines made only of blanks.
bool literalOk(const Node &n)
{
    if (!n.isScalar())
        return false;
    const std::string &t = n.text();
    if (t.find('\n') == std::string::npos || hasSpecialCodePoint(t))
        return false;
    if (t.front() == ' ' || t.front() == '\t' || t.front() == '\n')
        return false;
    if (t.size() >= 2 && t[t.size() - 1] == '\n' && t[t.size() - 2] == '\n')
        return false;
    std::size_t start = 0;
    while (start < t.size()) {
        std::size_t end = t.find('\n', start);
        if (end == std::string::npos)
            end = t.size();
        const std::string_view line(t.data() + start, end - start);
        if (!line.empty() && line.find_first_not_of(" \t") == std::string_view::npos)
            return false;
        start = end + 1;
    }
    return true;
}

class Writer
{
public:
    std::string out;

    void root(const Node &n)
    {
        if (isBlockCollection(n)) {
            if (!n.tag().empty())
                out += n.tag() + "\n";
            if (n.isMap())
                map(n, 0, false);
            else
                sequence(n, 0, false);
        } else if (literalOk(n)) {
            literal(n, 2);
        } else {
            out += inlineValue(n) + "\n";
        }
    }

private:
    static bool isBlockCollection(const Node &n)
    {
        return (n.isMap() || n.isSequence()) && n.size() > 0;
    }

    void indent(int n) { out.append(static_cast<std::size_t>(n), ' '); }

    void map(const Node &n, int level, bool firstInline)
    {
        bool first = true;
        for (const Node::Entry &e : n.entries()) {
            if (!(first && firstInline))
                indent(level);
            first = false;
            out += plainKeyOk(e.key) ? e.key : doubleQuoted(e.key);
            out += ':';
            afterKey(e.value, level);
        }
    }

    void sequence(const Node &n, int level, bool firstInline)
    {
        bool first = true;
        for (const Node &item : n.items()) {
            if (!(first && firstInline))
                indent(level);
            first = false;
            out += '-';
            afterDash(item, level);
        }
    }

    // kubectl style: a sequence under a key starts at the key's column.
    void afterKey(const Node &v, int level)
    {
        if (isBlockCollection(v)) {
            if (!v.tag().empty())
                out += ' ' + v.tag();
            out += '\n';
            if (v.isMap())
                map(v, level + 2, false);
            else
                sequence(v, v.tag().empty() ? level : level + 2, false);
        } else if (literalOk(v)) {
            out += ' ';
            literal(v, level + 2);
        } else {
            out += ' ' + inlineValue(v) + '\n';
        }
    }

    // "- key: v\n  key2: v" and "- - a\n  - b": the first child shares the dash's line.
    void afterDash(const Node &v, int level)
    {
        if (isBlockCollection(v)) {
            if (!v.tag().empty()) {
                out += ' ' + v.tag() + '\n';
                if (v.isMap())
                    map(v, level + 2, false);
                else
                    sequence(v, level + 2, false);
            } else {
                out += ' ';
                if (v.isMap())
                    map(v, level + 2, true);
                else
                    sequence(v, level + 2, true);
            }
        } else if (literalOk(v)) {
            out += ' ';
            literal(v, level + 2);
        } else {
            out += ' ' + inlineValue(v) + '\n';
        }
    }

    void literal(const Node &n, int level)
    {
        const std::string &t = n.text();
        if (!n.tag().empty())
            out += n.tag() + ' ';
        const bool trailingNewline = t.back() == '\n';
        out += trailingNewline ? "|\n" : "|-\n";
        const std::string_view body(t.data(), t.size() - (trailingNewline ? 1 : 0));
        std::size_t start = 0;
        while (start <= body.size()) {
            std::size_t end = body.find('\n', start);
            if (end == std::string_view::npos)
                end = body.size();
            if (end > start) {
                indent(level);
                out.append(body.substr(start, end - start));
            }
            out += '\n';
            start = end + 1;
        }
    }

    static std::string scalarText(const Node &n)
    {
        switch (n.kind()) {
        case Node::Kind::Null:
            return "null";
        case Node::Kind::Map:
            return "{}";
        case Node::Kind::Sequence:
            return "[]";
        case Node::Kind::Scalar:
            break;
        }
        const std::string &t = n.text();
        switch (n.style()) {
        case Node::Style::Plain:
            if (t.empty())
                return n.tag().empty() ? "null" : "\"\"";
            // A plain scalar re-read plain keeps its type (number, bool, string) by definition.
            return plainSyntaxOk(t) ? t : doubleQuoted(t);
        case Node::Style::SingleQuoted:
            if (t.find_first_of("\n\r") == std::string::npos && !hasSpecialCodePoint(t)) {
                std::string out = "'";
                for (char c : t) {
                    out += c;
                    if (c == '\'')
                        out += '\'';
                }
                return out + "'";
            }
            return doubleQuoted(t);
        case Node::Style::DoubleQuoted:
        case Node::Style::Literal:
        case Node::Style::Folded:
            break;
        }
        return doubleQuoted(t);
    }

    static std::string inlineValue(const Node &n)
    {
        const std::string text = scalarText(n);
        return n.tag().empty() ? text : n.tag() + ' ' + text;
    }
};

} // namespace

std::string dump(const Node &root)
{
    Writer w;
    w.root(root);
    return w.out;
}

std::string dumpDocuments(const std::vector<Node> &roots)
{
    std::string out;
    for (std::size_t i = 0; i < roots.size(); ++i) {
        if (i > 0)
            out += "---\n";
        out += dump(roots[i]);
    }
    return out;
}

} // namespace Yaml
