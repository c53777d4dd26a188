#pragma once

#include <QByteArrayView>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace Observe {

// One step of a JSON path: an object key or an array index.
struct PathSegment
{
    QString key;    // when index < 0
    int index = -1; // >= 0: an array element

    static PathSegment ofKey(const QString &key) { return {key, -1}; }
    static PathSegment ofIndex(int index) { return {QString(), index}; }
};

// "$.user.name", "$.items[2]", "$['a b']": keys that are identifiers use the dot form, others
// the bracket form with ' and \ escaped.
QString renderJsonPath(const PathSegment *segments, qsizetype count);
void appendJsonPathKey(QString &path, const QString &key);

// A JSON path pattern as noise rules write it:
//   $.timestamp, $.items[*].id, $.*.updatedAt, $..traceId, $['a b'][0]
// `*` (after a dot or in brackets) stands for any one key or index, `..` for any number of
// levels (zero included). A pattern also matches everything below what it names: `$.debug`
// ignores `$.debug.trace[3]` as well.
class JsonPathPattern
{
public:
    // nullopt and *error = "unterminated '[' at character 8" when the text is not a pattern.
    static std::optional<JsonPathPattern> parse(const QString &text, QString *error = nullptr);
    // A concrete path (no wildcards) back into segments; nullopt when it is not one.
    static std::optional<QList<PathSegment>> parsePath(const QString &text);

    QString text() const { return m_text; }
    bool matches(const PathSegment *segments, qsizetype count) const;

private:
    struct Step
    {
        enum class Type { Key, Index, Any, Descent };
        Type type = Type::Key;
        QString key;
        int index = -1;
    };
    bool matchFrom(qsizetype step, const PathSegment *segments, qsizetype at,
                   qsizetype count) const;

    QString m_text;
    std::vector<Step> m_steps;
};

// What a person has declared noise: response headers and JSON paths whose differences between
// the primary and a mirror do not count, for every endpoint or for one ("GET /users/{id}", as
// Observe::endpointTemplate writes it; "/users/{id}" without a method means every method).
// Headers listed by defaultIgnoredHeaders() are always ignored on top of these.
class NoiseRules
{
public:
    struct Rule
    {
        enum class Kind { Header, JsonPath };
        Kind kind = Kind::JsonPath;
        QString pattern;  // lower-case header name (may hold `*`), or a JSON path pattern
        QString endpoint; // empty: every endpoint
        bool operator==(const Rule &other) const
        {
            return kind == other.kind && pattern == other.pattern && endpoint == other.endpoint;
        }
    };

    NoiseRules();
    ~NoiseRules();
    NoiseRules(const NoiseRules &);
    NoiseRules &operator=(const NoiseRules &);

    // false and *error (naming the entry) when the name, path or endpoint is malformed. Adding
    // a rule already present is a no-op that succeeds.
    bool addHeader(const QString &name, const QString &endpoint = {}, QString *error = nullptr);
    bool addJsonPath(const QString &path, const QString &endpoint = {}, QString *error = nullptr);
    bool add(const Rule &rule, QString *error = nullptr);
    bool remove(const Rule &rule);
    void clear();

    QList<Rule> rules() const; // in the order added
    bool isEmpty() const { return m_rules.isEmpty(); }
    bool hasJsonPathRules() const { return m_hasPathRules; }
    bool hasEndpointRules() const { return !m_byEndpoint.isEmpty(); }

    // name: any case. True also for the default ignored headers.
    bool headerIgnored(QByteArrayView name, const QString &endpoint) const;
    bool pathIgnored(const PathSegment *segments, qsizetype count, const QString &endpoint) const;
    bool pathIgnored(const QString &path, const QString &endpoint) const;

    // {"headers": [...], "jsonPaths": [...], "endpoints": {"GET /users/{id}": {"headers": [...],
    //  "jsonPaths": [...]}}}
    QJsonObject toJson() const;
    // Keeps every valid entry; each bad one adds an error naming it
    // ("endpoints['GET /a'].jsonPaths[1]: '$.a[': unterminated '[' at character 4").
    static NoiseRules fromJson(const QJsonObject &json, QStringList *errors = nullptr);
    // A rules file (the toJson() format, as the CLI's --noise and the GUI's import read it).
    // Any bad entry refuses the whole file: nullopt and *error = "FILE: entry: why; ...".
    static std::optional<NoiseRules> load(const QString &path, QString *error);

    // Date, Server, X-Request-Id, Content-Length, the hop-by-hop headers and
    // x-envoy-upstream-service-time: they differ between any two answers.
    static QStringList defaultIgnoredHeaders();
    static bool isDefaultIgnoredHeader(QByteArrayView name);
    // "get  /users/{id}" -> "GET /users/{id}"; empty for an empty text; nullopt when malformed.
    static std::optional<QString> normalizeEndpoint(const QString &text, QString *error = nullptr);

private:
    struct Bucket
    {
        QStringList headerExact; // lower case
        QStringList headerGlobs; // lower case, with '*'
        std::vector<JsonPathPattern> paths;
    };
    const Bucket *bucketFor(const QString &endpoint) const;
    void rebuild();

    QList<Rule> m_rules;
    Bucket m_global;
    QHash<QString, Bucket> m_byEndpoint; // "GET /a" and "/a" (every method)
    bool m_hasPathRules = false;
};

} // namespace Observe
