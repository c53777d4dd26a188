#pragma once

#include "observe/aggregates.h"
#include "observe/comparison.h"
#include "observe/exchange.h"
#include "observe/store.h"
#include "observe/timeseries.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace Observe {

// What the dashboard, the endpoint table and the metrics read: an immutable copy of the
// aggregates at one moment of the hub's clock.
struct Snapshot
{
    qint64 nowMs = 0;       // the hub's clock when taken
    qint64 startMs = 0;     // the run's start (reset)
    quint64 generation = 0; // batches added since the start; equal: same data
    quint64 exchanges = 0;
    double ratePerSecond = 0;

    qsizetype stored = 0; // exchanges in the store now
    int storeCapacity = 0;
    quint64 storeDropped = 0;       // evicted by the capacity (the aggregates still count them)
    quint64 storeBodiesDropped = 0; // kept without bodies (body budget)
    qint64 storeBytes = 0;          // packed records + kept bodies (payload, not malloc overhead)

    QList<VersionSummary> versions; // primaries first, then mirrors
    PairSummary pairing;            // every primary x mirror pair together
    QList<PairSummary> pairings;    // per primary version x mirror version
    QList<GroupSummary> rules;
    QList<GroupSummary> endpoints; // most exchanges first
    QList<VersionSeries> series;   // per version, tiers as TimeSeries::kTiers

    const VersionSummary *version(const QString &label) const;
    // The report's per-endpoint summary: [{endpoint, exchanges, ratePerSecond, versions, pairs}].
    // The report's "summary" (CLI `--report` and the GUI's export): exchanges, and per version
    // the figures of versionJson plus status classes, with rates averaged over the whole run.
    QJsonObject summaryJson() const;
    QJsonArray endpointsJson() const;
    QJsonArray rulesJson() const;
};

// Where observed exchanges go: each batch is compared (primary against every mirror), counted in
// the aggregates and kept in the bounded store. Lives in (or is called from) one worker thread:
// addBatch() must not run on two threads at once. snapshot(), find() and the store reads are
// thread-safe; they lock only for as long as copying takes (the comparison runs unlocked).
class Hub : public QObject
{
    Q_OBJECT
public:
    // Milliseconds since the epoch; called from addBatch()'s thread and from snapshot()'s
    // callers, so it must be thread-safe (the default, the wall clock, is).
    using Clock = std::function<qint64()>;

    explicit Hub(QObject *parent = nullptr);
    Hub(const StoreSettings &store, Clock clock, QObject *parent = nullptr);
    ~Hub() override;

    void setStoreSettings(const StoreSettings &settings);
    StoreSettings storeSettings() const;
    // The comparator (options, noise rules, learned noise) from any thread: fn runs between two
    // batches' comparisons, never during one.
    void withComparator(const std::function<void(Comparator &)> &fn);
    void setCompareOptions(const CompareOptions &options);

    // Rebuilt when data arrived or the clock entered a new second since the last one; else the
    // same object again. Cheap enough for a 10 Hz UI timer.
    std::shared_ptr<const Snapshot> snapshot() const;

    std::optional<Store::Entry> find(quint64 exchangeId) const;
    std::optional<Store::Entry> findByRequestId(const QByteArray &requestId) const;
    qsizetype storedCount() const;
    // Oldest first; exports page through with from/count so the lock is held briefly.
    QList<Exchange> storedExchanges(qsizetype from = 0, qsizetype count = -1) const;

public slots:
    void addBatch(const QList<Observe::Exchange> &batch);
    // A new run: empties the store and the aggregates, the clock's now is the start.
    void reset();

signals:
    void batchAdded(int exchanges);
    // Every batch with its comparisons (comparisons[i] for batch[i]), emitted from addBatch()'s
    // thread after the batch was counted: views that list exchanges use it.
    void compared(const QList<Observe::Exchange> &batch,
                  const QList<QList<Observe::Comparison>> &comparisons);

private:
    std::shared_ptr<const Snapshot> build(qint64 nowMs) const;

    Clock m_clock;
    // Two locks so a snapshot never waits for a batch's comparisons (the slow part): m_compare
    // guards the comparator, m_mutex the store and the aggregates.
    std::mutex m_compareMutex;
    Comparator m_comparator;
    mutable std::mutex m_mutex;
    Store m_store;
    mutable Aggregates m_aggregates; // advance() moves its clock on when a snapshot is built
    quint64 m_generation = 0;
    mutable std::shared_ptr<const Snapshot> m_snapshot;
};

} // namespace Observe
