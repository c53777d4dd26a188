#include "node.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace Yaml {

Node Node::null(Mark m)
{
    Node n;
    n.m_mark = m;
    return n;
}

Node Node::scalar(std::string value, Style style, Mark m)
{
    Node n;
    n.m_kind = Kind::Scalar;
    n.m_text = std::move(value);
    n.m_style = style;
    n.m_mark = m;
    return n;
}

Node Node::sequence(Mark m)
{
    Node n;
    n.m_kind = Kind::Sequence;
    n.m_mark = m;
    return n;
}

Node Node::map(Mark m)
{
    Node n;
    n.m_kind = Kind::Map;
    n.m_mark = m;
    return n;
}

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool isPlainTyped(const Node &n)
{
    return n.isScalar() && !n.isQuoted() && (n.tag().empty() || n.tag() != "!!str");
}

} // namespace

bool Node::isPlainNull() const
{
    if (m_kind == Kind::Null)
        return true;
    if (!isPlainTyped(*this))
        return false;
    return m_text.empty() || m_text == "~" || m_text == "null" || m_text == "Null" ||
           m_text == "NULL";
}

std::optional<bool> Node::toBool() const
{
    if (!isPlainTyped(*this))
        return std::nullopt;
    const std::string l = lower(m_text);
    // Kubernetes' YAML (go-yaml v2, YAML 1.1) reads these as booleans.
    if (l == "true" || l == "yes" || l == "on" || l == "y")
        return true;
    if (l == "false" || l == "no" || l == "off" || l == "n")
        return false;
    return std::nullopt;
}

std::optional<std::int64_t> Node::toInt() const
{
    if (!isPlainTyped(*this) || m_text.empty())
        return std::nullopt;
    std::string t = m_text;
    t.erase(std::remove(t.begin(), t.end(), '_'), t.end());
    int base = 10;
    std::size_t start = (t[0] == '-' || t[0] == '+') ? 1 : 0;
    if (t.size() > start + 2 && t[start] == '0' && (t[start + 1] == 'x' || t[start + 1] == 'X'))
        base = 16;
    else if (t.size() > start + 2 && t[start] == '0' && (t[start + 1] == 'o'))
        return std::nullopt;
    for (std::size_t i = start + (base == 16 ? 2 : 0); i < t.size(); ++i) {
        if (!(base == 16 ? std::isxdigit(static_cast<unsigned char>(t[i]))
                         : std::isdigit(static_cast<unsigned char>(t[i]))))
            return std::nullopt;
    }
    if (t.size() == start)
        return std::nullopt;
    errno = 0;
    char *end = nullptr;
    const long long v = std::strtoll(t.c_str(), &end, base);
    if (errno == ERANGE || end != t.c_str() + t.size())
        return std::nullopt;
    return static_cast<std::int64_t>(v);
}

std::optional<double> Node::toDouble() const
{
    if (!isPlainTyped(*this) || m_text.empty())
        return std::nullopt;
    if (auto i = toInt())
        return static_cast<double>(*i);
    const std::string l = lower(m_text);
    if (l == ".inf" || l == "+.inf")
        return HUGE_VAL;
    if (l == "-.inf")
        return -HUGE_VAL;
    if (l == ".nan")
        return std::nan("");
    // YAML float: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    std::size_t i = 0;
    const std::string &t = m_text;
    if (i < t.size() && (t[i] == '-' || t[i] == '+'))
        ++i;
    bool digits = false;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) {
        ++i;
        digits = true;
    }
    if (i < t.size() && t[i] == '.') {
        ++i;
        while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) {
            ++i;
            digits = true;
        }
    }
    if (!digits)
        return std::nullopt;
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        if (i < t.size() && (t[i] == '-' || t[i] == '+'))
            ++i;
        bool exp = false;
        while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) {
            ++i;
            exp = true;
        }
        if (!exp)
            return std::nullopt;
    }
    if (i != t.size())
        return std::nullopt;
    return std::strtod(t.c_str(), nullptr);
}

std::string Node::typeName() const
{
    switch (m_kind) {
    case Kind::Null:
        return "null";
    case Kind::Sequence:
        return "array";
    case Kind::Map:
        return "object";
    case Kind::Scalar:
        break;
    }
    if (isPlainNull())
        return "null";
    if (toBool())
        return "boolean";
    if (toInt())
        return "integer";
    if (toDouble())
        return "number";
    return "string";
}

const Node::Entry *Node::entry(std::string_view key) const
{
    if (m_kind != Kind::Map)
        return nullptr;
    for (const Entry &e : m_entries) {
        if (e.key == key)
            return &e;
    }
    return nullptr;
}

const Node *Node::get(std::string_view key) const
{
    const Entry *e = entry(key);
    return e ? &e->value : nullptr;
}

Node *Node::get(std::string_view key)
{
    return const_cast<Node *>(static_cast<const Node *>(this)->get(key));
}

Node &Node::set(std::string_view key, Node value, Mark keyMark)
{
    if (m_kind != Kind::Map) {
        *this = map(m_mark);
    }
    for (Entry &e : m_entries) {
        if (e.key == key) {
            e.value = std::move(value);
            return e.value;
        }
    }
    m_entries.push_back(Entry{std::string(key), keyMark, std::move(value)});
    return m_entries.back().value;
}

bool Node::remove(std::string_view key)
{
    auto it = std::find_if(m_entries.begin(), m_entries.end(),
                           [&](const Entry &e) { return e.key == key; });
    if (it == m_entries.end())
        return false;
    m_entries.erase(it);
    return true;
}

bool Node::operator==(const Node &o) const
{
    const bool nullA = isPlainNull(), nullB = o.isPlainNull();
    if (nullA || nullB)
        return nullA == nullB;
    if (m_kind != o.m_kind)
        return false;
    switch (m_kind) {
    case Kind::Null:
        return true;
    case Kind::Scalar:
        if (m_text != o.m_text) {
            // 100 and 100.0 are the same number; "100" (quoted) is not.
            if (isQuoted() || o.isQuoted())
                return false;
            auto a = toDouble(), b = o.toDouble();
            return a && b && *a == *b;
        }
        return typeName() == o.typeName();
    case Kind::Sequence:
        return m_items == o.m_items;
    case Kind::Map:
        if (m_entries.size() != o.m_entries.size())
            return false;
        for (std::size_t i = 0; i < m_entries.size(); ++i) {
            if (m_entries[i].key != o.m_entries[i].key ||
                m_entries[i].value != o.m_entries[i].value)
                return false;
        }
        return true;
    }
    return false;
}

namespace {
bool isIdentifier(std::string_view key)
{
    if (key.empty())
        return false;
    for (char c : key) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
            return false;
    }
    return true;
}
} // namespace

std::string childPath(const std::string &parent, std::string_view key)
{
    if (isIdentifier(key))
        return parent.empty() ? std::string(key) : parent + "." + std::string(key);
    std::string quoted = "[\"";
    for (char c : key) {
        if (c == '"' || c == '\\')
            quoted += '\\';
        quoted += c;
    }
    quoted += "\"]";
    return parent + quoted;
}

std::string indexPath(const std::string &parent, std::size_t index)
{
    return parent + "[" + std::to_string(index) + "]";
}

} // namespace Yaml
