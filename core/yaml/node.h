#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace Yaml {

// 1-based source position; line 0 means "not from a file" (built in code).
struct Mark
{
    int line = 0;
    int column = 0;
};

// A YAML value as read from a file, with its source position, in document order. This is
// the lossless layer: unknown fields, other kinds and odd shapes are kept here, so nothing
// is dropped on a round trip. Strings are UTF-8. Map keys are scalars (a complex key is a
// parse diagnostic). Plain scalars are typed on demand with Kubernetes' (YAML 1.1 style)
// resolution: null/~/empty, true/false (yes/no/on/off too), ints, floats, else string.
class Node
{
public:
    enum class Kind { Null, Scalar, Sequence, Map };
    enum class Style { Plain, SingleQuoted, DoubleQuoted, Literal, Folded };

    struct Entry; // key + value (defined below: a Node cannot hold incomplete vectors portably)

    Node() = default;
    static Node null(Mark m = {});
    static Node scalar(std::string value, Style style = Style::Plain, Mark m = {});
    static Node sequence(Mark m = {});
    static Node map(Mark m = {});

    Kind kind() const { return m_kind; }
    bool isNull() const { return m_kind == Kind::Null; }
    bool isScalar() const { return m_kind == Kind::Scalar; }
    bool isSequence() const { return m_kind == Kind::Sequence; }
    bool isMap() const { return m_kind == Kind::Map; }
    Mark mark() const { return m_mark; }
    void setMark(Mark m) { m_mark = m; }
    Style style() const { return m_style; }
    void setStyle(Style s) { m_style = s; }
    const std::string &tag() const { return m_tag; } // explicit tag like "!!str", else empty
    void setTag(std::string t) { m_tag = std::move(t); }

    // Scalars. text() is the scalar's value (empty for null).
    const std::string &text() const { return m_text; }
    bool isQuoted() const { return m_style != Style::Plain; }
    // Typed views of a scalar; std::nullopt when the scalar is not of that type. A quoted
    // scalar is always a string (never a number or a bool).
    std::optional<bool> toBool() const;
    std::optional<std::int64_t> toInt() const;
    std::optional<double> toDouble() const; // ints are doubles too
    bool isPlainNull() const;               // null node, or plain "~"/"null"/""
    // Name of the YAML type as a person reads it: "string", "integer", "number", "boolean",
    // "null", "array", "object" (JSON-schema names, used in messages).
    std::string typeName() const;

    // Sequences.
    const std::vector<Node> &items() const { return m_items; }
    std::vector<Node> &items() { return m_items; }
    void append(Node n) { m_items.push_back(std::move(n)); }
    std::size_t size() const { return m_kind == Kind::Map ? m_entries.size() : m_items.size(); }

    // Maps, in document order.
    const std::vector<Entry> &entries() const { return m_entries; }
    std::vector<Entry> &entries() { return m_entries; }
    const Node *get(std::string_view key) const; // nullptr when absent (or not a map)
    Node *get(std::string_view key);
    const Entry *entry(std::string_view key) const;
    bool has(std::string_view key) const { return get(key) != nullptr; }
    // Sets key (replacing in place when present, else appending). Returns the stored node.
    Node &set(std::string_view key, Node value, Mark keyMark = {});
    bool remove(std::string_view key);

    // Structural equality: kind, scalar text (with quoted-vs-plain typing), children, keys in
    // order. Marks and styles (beyond quoted-ness) are ignored.
    bool operator==(const Node &other) const;
    bool operator!=(const Node &other) const { return !(*this == other); }

private:
    Kind m_kind = Kind::Null;
    Style m_style = Style::Plain;
    Mark m_mark;
    std::string m_tag;
    std::string m_text;
    std::vector<Node> m_items;
    std::vector<Entry> m_entries;
};

struct Node::Entry
{
    std::string key;
    Mark keyMark;
    Node value;
};

// Field paths as Diagnostics write them: "spec.http[0].route[1].destination.host".
// Keys that are not identifiers are quoted: headers["x-user"].
std::string childPath(const std::string &parent, std::string_view key);
std::string indexPath(const std::string &parent, std::size_t index);

} // namespace Yaml
