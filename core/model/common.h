#pragma once

#include "yaml/node.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

namespace Model {

// A map that keeps its keys in source order (header matches, labels, header operations).
// YAML maps are ordered on disk and the order is what a person reads, so it is kept.
template <typename V> struct OrderedMap
{
    using Entry = std::pair<QString, V>;
    QList<Entry> entries;

    bool isEmpty() const { return entries.isEmpty(); }
    qsizetype size() const { return entries.size(); }
    auto begin() const { return entries.begin(); }
    auto end() const { return entries.end(); }
    auto begin() { return entries.begin(); }
    auto end() { return entries.end(); }

    bool contains(const QString &key) const { return find(key) != nullptr; }
    const V *find(const QString &key) const
    {
        for (const Entry &e : entries) {
            if (e.first == key)
                return &e.second;
        }
        return nullptr;
    }
    V *find(const QString &key)
    {
        for (Entry &e : entries) {
            if (e.first == key)
                return &e.second;
        }
        return nullptr;
    }
    V value(const QString &key, const V &fallback = V()) const
    {
        const V *v = find(key);
        return v ? *v : fallback;
    }
    QStringList keys() const
    {
        QStringList out;
        for (const Entry &e : entries)
            out.append(e.first);
        return out;
    }
    // Replaces in place when present (order kept), else appends.
    void insert(const QString &key, V v)
    {
        if (V *old = find(key))
            *old = std::move(v);
        else
            entries.append(Entry(key, std::move(v)));
    }
    bool remove(const QString &key)
    {
        for (qsizetype i = 0; i < entries.size(); ++i) {
            if (entries[i].first == key) {
                entries.removeAt(i);
                return true;
            }
        }
        return false;
    }
    bool operator==(const OrderedMap &o) const { return entries == o.entries; }
    bool operator!=(const OrderedMap &o) const { return !(*this == o); }
};

using StringMap = OrderedMap<QString>;

// Istio StringMatch: a oneof of exact / prefix / regex. Kind None is the empty match `{}`,
// which in header and query matches means "present with any value".
struct StringMatch
{
    enum class Kind { None, Exact, Prefix, Regex };
    Kind kind = Kind::None;
    QString value;
    Yaml::Node extra; // unknown keys (and a second oneof member), source order

    static StringMatch exact(const QString &v) { return {Kind::Exact, v, {}}; }
    static StringMatch prefix(const QString &v) { return {Kind::Prefix, v, {}}; }
    static StringMatch regex(const QString &v) { return {Kind::Regex, v, {}}; }
    static StringMatch presence() { return {}; }
    bool isPresence() const { return kind == Kind::None; }
    // "exact", "prefix", "regex" or "" (the YAML key of the kind).
    static QString kindName(Kind k);

    bool operator==(const StringMatch &o) const;
    bool operator!=(const StringMatch &o) const { return !(*this == o); }
};

using StringMatchMap = OrderedMap<StringMatch>;

// A google.protobuf.Duration as written ("1.5s"): the text is what is written back; ms is
// the parsed value (std::nullopt when Go's time.ParseDuration would reject the text).
struct Duration
{
    QString text;
    std::optional<qint64> ms;

    static Duration fromText(const QString &text);
    static Duration fromMs(qint64 ms); // shortest Go form: 100ms, 5s, 1m30s
    bool isValid() const { return ms.has_value(); }

    bool operator==(const Duration &o) const { return text == o.text && ms == o.ms; }
    bool operator!=(const Duration &o) const { return !(*this == o); }
};

// A Percent message {value: double} is modelled as std::optional<double> on its owner.
// Its owner also keeps the source node of the Percent map (`...Source`) so that an unchanged
// value is written back as the source spelled it ("50.0") and unknown keys inside the Percent
// map survive. Those source nodes are ignored by operator==.

} // namespace Model
