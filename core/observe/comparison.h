#pragma once

#include "observe/exchange.h"

#include <QList>
#include <QString>

#include <memory>

namespace Observe {

class NoiseRules;

// One difference between the primary's and a mirror's response.
struct FieldDiff
{
    enum class Kind { Changed, Added, Removed, TypeChanged };
    Kind kind = Kind::Changed;
    QString path;         // "$.user.name", "$.items[2]", "line 3", "content-type" (a header)
    QString primaryValue; // short rendering (at most ~200 characters), empty when Added
    QString mirrorValue;  // empty when Removed
};

struct BodyDiff
{
    enum class Mode { Json, Text, Binary };
    Mode mode = Mode::Binary;
    bool equal = true;
    bool truncated = false; // only the kept body prefixes were compared (sizes/hashes still are)
    QList<FieldDiff> fields;
    QStringList ignored; // paths that differed but are noise (a rule, or learned)
};

// The primary leg against one mirror leg of the same request.
struct Comparison
{
    int mirrorIndex = 0;     // index into Exchange::mirrors
    bool comparable = false; // both legs produced an HTTP status; false: nothing below is set
    int primaryStatus = 0;
    int mirrorStatus = 0;
    bool statusEqual = true;
    qint64 latencyDeltaUs = 0;    // mirror totalUs - primary totalUs
    QList<FieldDiff> headerDiffs; // after noise rules (Date, Server, ... ignored by default)
    BodyDiff body;

    bool headersEqual() const { return headerDiffs.isEmpty(); }
    bool mismatch() const { return comparable && (!statusEqual || !headersEqual() || !body.equal); }
};

struct CompareOptions
{
    double relativeTolerance = 0.0; // numbers equal when |a-b| <= max(abs, rel * max(|a|,|b|))
    double absoluteTolerance = 0.0;
    bool arrayOrderInsensitive = false;
    int maxFields = 50; // diffs kept per comparison; the rest are counted, not listed
};

// Compares every mirror leg of an exchange with its primary, applying noise rules and learning
// noise from primaries (two v1 answers to the same request that differ in a field make that field
// noisy). Not thread-safe: one per observing thread.
class Comparator
{
public:
    Comparator();
    ~Comparator();
    Comparator(const Comparator &) = delete;
    Comparator &operator=(const Comparator &) = delete;

    void setOptions(const CompareOptions &options);
    CompareOptions options() const;

    // One Comparison per entry of exchange.mirrors (comparable = false where a leg has no status).
    QList<Comparison> compare(const Exchange &exchange);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Observe
