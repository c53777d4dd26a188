#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

namespace Observe {

class NoiseRules;

// One difference between the primary's and a mirror's response.
struct FieldDiff
{
    enum class Kind { Changed, Added, Removed, TypeChanged };
    Kind kind = Kind::Changed;
    // "$.user.name", "$.items[2]", "$['a b']" (JSON); "line 3" (text: the primary's line, the
    // mirror's for Added); "size", "hash", "byte 10" (binary); "body" (the kept prefixes are
    // equal, the rest of the bodies differs); "content-type" (a header, lower case)
    QString path;
    QString primaryValue; // short rendering (at most ~200 characters), empty when Added
    QString mirrorValue;  // empty when Removed
    // Learned noise: the primary itself answered the same request differently in this field, so
    // the difference is shown but does not make a mismatch.
    bool noisy = false;
};

struct BodyDiff
{
    enum class Mode { Json, Text, Binary };
    Mode mode = Mode::Binary;
    bool equal = true;       // no difference other than noise (rules or learned)
    bool truncated = false;  // only the kept body prefixes were compared (sizes/hashes still are)
    QList<FieldDiff> fields; // at most CompareOptions::maxFields, noisy ones included
    int omittedFields = 0;   // differences found beyond maxFields (counted, not listed)
    QStringList ignored;     // paths that differed but a noise rule ignores (at most maxFields)
};

struct CompareOptions
{
    double relativeTolerance = 0.0; // numbers equal when |a-b| <= max(abs, rel * max(|a|,|b|))
    double absoluteTolerance = 0.0;
    bool arrayOrderInsensitive = false;
    int maxFields = 50; // diffs kept per comparison; the rest are counted, not listed
};

// One response body as a leg recorded it: a prefix of the body and what describes the whole.
struct BodyInput
{
    QByteArray prefix;
    qint64 size = -1; // the whole body; -1 = prefix.size()
    quint64 hash = 0; // FNV-1a 64 of the whole body; 0 = unknown
    QByteArray contentType;
    QByteArray contentEncoding; // non-identity: compared as binary (not decoded)

    qint64 wholeSize() const { return size < 0 ? prefix.size() : size; }
    bool complete() const { return wholeSize() <= prefix.size(); }
};

// Decides which differences are noise. rules: dropped (listed in BodyDiff::ignored);
// learned(path): kept, flagged FieldDiff::noisy. endpoint: for per-endpoint rules.
struct NoiseContext
{
    const NoiseRules *rules = nullptr;
    QString endpoint;
    std::function<bool(const QString &path)> learned;
    // false: FieldDiff::primaryValue / mirrorValue stay empty (learning needs only the paths,
    // and rendering the values is much of what a difference costs).
    bool renderValues = true;
};

// Compares two response bodies: JSON structurally (content type application/json or *+json,
// or a body that starts like an object or array), text by lines, anything else by size and
// hash. Pure, never throws; time and memory bounded by the prefix sizes.
BodyDiff diffBodies(const BodyInput &primary, const BodyInput &mirror,
                    const CompareOptions &options, const NoiseContext &noise = {});
BodyDiff diffBodies(const QByteArray &primary, const QByteArray &mirror,
                    const QByteArray &primaryContentType, const QByteArray &mirrorContentType,
                    const CompareOptions &options, const NoiseRules *rules = nullptr);

// True when the whole bodies are known to be equal without looking inside: equal sizes and
// equal whole-body hashes, or (hashes unknown) both kept completely and byte-equal.
bool sameBody(const BodyInput &a, const BodyInput &b);

// "$.items[3].id" -> "$.items[*].id": the key learned noise is kept under.
QString generalizeIndices(const QString &path);

} // namespace Observe
