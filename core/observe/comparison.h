#pragma once

#include "observe/bodydiff.h"
#include "observe/exchange.h"
#include "observe/noise.h"

#include <QList>
#include <QString>

#include <memory>

namespace Observe {

// The primary leg against one mirror leg of the same request.
struct Comparison
{
    int mirrorIndex = 0;     // index into Exchange::mirrors
    bool comparable = false; // both legs produced an HTTP status; false: nothing below is set
    int primaryStatus = 0;
    int mirrorStatus = 0;
    bool statusEqual = true;
    qint64 latencyDeltaUs = 0; // mirror totalUs - primary totalUs
    // Differing headers (path = lower-case name) after noise rules (Date, Server, ... ignored
    // by default); learned noise stays listed with FieldDiff::noisy set.
    QList<FieldDiff> headerDiffs;
    BodyDiff body;

    bool headersEqual() const
    {
        for (const FieldDiff &d : headerDiffs) {
            if (!d.noisy)
                return false;
        }
        return true;
    }
    bool mismatch() const { return comparable && (!statusEqual || !headersEqual() || !body.equal); }
};

// A field the primary itself answered differently for the same request (same method, path with
// query and request body, same status): its differences against a mirror are noise.
struct LearnedNoise
{
    enum class Where { Header, Body };
    Where where = Where::Body;
    QString endpoint;         // endpointTemplate() of the requests it was learned from
    QString path;             // header name, or body path with indices as [*] ("$.items[*].ts")
    quint64 observations = 0; // primaries that differed from the previous one here
    quint64 flagged = 0;      // mirror differences flagged noisy because of it
    bool rejected = false;    // the person said it is not noise: it counts again
};

// Compares every mirror leg of an exchange with its primary, applying noise rules and learning
// noise from primaries (two v1 answers to the same request that differ in a field make that field
// noisy). Not thread-safe: one per observing thread.
class Comparator
{
public:
    struct LearningLimits
    {
        int maxRequests = 10000;            // remembered primaries (least recently used go)
        qint64 maxBytes = 64 * 1024 * 1024; // body prefix bytes they may hold
        int maxLearned = 10000;             // learned fields; past it nothing new is learned
        // A request repeated many times (a health check, a hot GET) has shown its noisy fields
        // after a few answers: its first `fullRepeats` repeats are all diffed against the
        // answer before, then one repeat in `sampleEvery` (the diff was a third of the hub's
        // time in the demo's traffic). Counts in LearnedNoise are of diffed repeats.
        int fullRepeats = 16;
        int sampleEvery = 8;
    };

    Comparator();
    ~Comparator();
    Comparator(const Comparator &) = delete;
    Comparator &operator=(const Comparator &) = delete;

    void setOptions(const CompareOptions &options);
    CompareOptions options() const;

    void setNoiseRules(const NoiseRules &rules);
    NoiseRules noiseRules() const;

    void setLearningEnabled(bool enabled); // on by default
    bool learningEnabled() const;
    void setLearningLimits(const LearningLimits &limits);

    // One Comparison per entry of exchange.mirrors (comparable = false where a leg has no status).
    QList<Comparison> compare(const Exchange &exchange);
    // The same, and *endpointKey = endpointTemplate(method, path) of the exchange, which the
    // comparison may have needed anyway (per-endpoint rules, learned noise): callers that
    // aggregate by endpoint need not compute it again.
    QList<Comparison> compare(const Exchange &exchange, QString *endpointKey);

    // Most observed first; rejected ones included (rejected = true).
    QList<LearnedNoise> learnedNoise() const;
    // Makes the learned field a noise rule for its endpoint (then it is no longer learned).
    // False with *error for a field no rule can name (a text line, a binary body) or one not
    // learned.
    bool acceptLearnedNoise(LearnedNoise::Where where, const QString &endpoint, const QString &path,
                            QString *error = nullptr);
    // Its differences count again and it is not learned again; false when not learned.
    bool rejectLearnedNoise(LearnedNoise::Where where, const QString &endpoint,
                            const QString &path);
    // Forgets what was learned (rejections included) and the remembered primaries.
    void forgetLearnedNoise();
    int rememberedRequests() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Observe
