#include "observe/hub.h"

#include <QDateTime>

#include <cmath>

namespace Observe {

const VersionSummary *Snapshot::version(const QString &label) const
{
    for (const VersionSummary &v : versions) {
        if (v.label == label)
            return &v;
    }
    return nullptr;
}

QJsonObject Snapshot::summaryJson() const
{
    const double seconds = double(nowMs - startMs) / 1000.0;
    auto average = [seconds](double count) {
        return seconds > 0 ? std::round(count / seconds * 100.0) / 100.0 : 0.0;
    };
    QJsonObject summary;
    summary[QStringLiteral("exchanges")] = static_cast<qint64>(exchanges);
    summary[QStringLiteral("ratePerSecond")] = average(double(exchanges));
    QJsonArray out;
    for (const VersionSummary &v : versions) {
        QJsonObject o = versionJson(v);
        // Status classes too: the CLI's summary line's figures, and a key scripts read.
        QJsonObject classes;
        for (int c = 1; c <= 5; ++c)
            classes[QStringLiteral("%1xx").arg(c)] = static_cast<qint64>(v.statusClasses[c]);
        o[QStringLiteral("statusClasses")] = classes;
        o[QStringLiteral("ratePerSecond")] = average(double(v.requests));
        out.append(o);
    }
    summary[QStringLiteral("versions")] = out;
    return summary;
}

QJsonArray Snapshot::endpointsJson() const
{
    QJsonArray out;
    for (const GroupSummary &g : endpoints)
        out.append(groupJson(g));
    return out;
}

QJsonArray Snapshot::rulesJson() const
{
    QJsonArray out;
    for (const GroupSummary &g : rules)
        out.append(groupJson(g));
    return out;
}

Hub::Hub(QObject *parent) : Hub(StoreSettings(), Clock(), parent) {}

Hub::Hub(const StoreSettings &store, Clock clock, QObject *parent)
    : QObject(parent),
      m_clock(clock ? std::move(clock) : Clock([] { return QDateTime::currentMSecsSinceEpoch(); })),
      m_store(store), m_aggregates(m_clock())
{
}

Hub::~Hub() = default;

void Hub::setStoreSettings(const StoreSettings &settings)
{
    std::lock_guard lock(m_mutex);
    m_store.setSettings(settings);
    m_snapshot.reset();
}

StoreSettings Hub::storeSettings() const
{
    std::lock_guard lock(m_mutex);
    return m_store.settings();
}

void Hub::withComparator(const std::function<void(Comparator &)> &fn)
{
    std::lock_guard lock(m_compareMutex);
    fn(m_comparator);
}

void Hub::setCompareOptions(const CompareOptions &options)
{
    withComparator([&options](Comparator &c) { c.setOptions(options); });
}

void Hub::addBatch(const QList<Observe::Exchange> &batch)
{
    if (batch.isEmpty())
        return;
    int bodyCap = 0;
    {
        std::lock_guard lock(m_mutex);
        bodyCap = m_store.settings().bodyCapBytes;
    }
    // The expensive part (comparing bodies, templating paths, packing) runs outside m_mutex, so
    // a snapshot() from the UI thread waits only for the counting below.
    struct Prepared
    {
        QList<Comparison> comparisons;
        QString endpoint;
        Store::Packed packed;
    };
    std::vector<Prepared> prepared(size_t(batch.size()));
    std::unique_lock compareLock(m_compareMutex);
    for (qsizetype i = 0; i < batch.size(); ++i) {
        const Exchange &e = batch.at(i);
        Prepared &p = prepared[size_t(i)];
        p.comparisons = m_comparator.compare(e, &p.endpoint); // the endpoint computed once
        p.packed = Store::pack(e, p.comparisons, bodyCap);
    }
    compareLock.unlock();
    const qint64 now = m_clock();
    QList<QList<Comparison>> comparisons;
    comparisons.reserve(batch.size());
    {
        std::lock_guard lock(m_mutex);
        for (qsizetype i = 0; i < batch.size(); ++i) {
            Prepared &p = prepared[size_t(i)];
            m_aggregates.add(batch.at(i), p.comparisons, now, p.endpoint);
            m_store.insert(std::move(p.packed));
            comparisons.append(std::move(p.comparisons));
        }
        ++m_generation;
    }
    emit batchAdded(int(batch.size()));
    emit compared(batch, comparisons);
}

void Hub::reset()
{
    const qint64 now = m_clock();
    std::lock_guard lock(m_mutex);
    m_store.clear();
    m_aggregates = Aggregates(now);
    m_generation = 0;
    m_snapshot.reset();
}

std::shared_ptr<const Snapshot> Hub::snapshot() const
{
    const qint64 now = m_clock();
    std::lock_guard lock(m_mutex);
    if (m_snapshot && m_snapshot->generation == m_generation &&
        m_snapshot->nowMs / 1000 == now / 1000)
        return m_snapshot;
    m_snapshot = build(now);
    return m_snapshot;
}

std::shared_ptr<const Snapshot> Hub::build(qint64 nowMs) const
{
    m_aggregates.advance(nowMs);
    auto s = std::make_shared<Snapshot>();
    s->nowMs = nowMs;
    s->startMs = m_aggregates.startMs();
    s->generation = m_generation;
    s->exchanges = m_aggregates.exchanges();
    s->ratePerSecond = m_aggregates.ratePerSecond(nowMs);
    s->stored = m_store.size();
    s->storeCapacity = m_store.settings().capacity;
    s->storeDropped = m_store.dropped();
    s->storeBodiesDropped = m_store.bodiesDropped();
    s->storeBytes = m_store.recordBytes() + m_store.bodyBytes();
    s->versions = m_aggregates.versions(nowMs);
    s->pairing = m_aggregates.pairing();
    s->pairings = m_aggregates.pairings();
    s->rules = m_aggregates.rules(nowMs);
    s->endpoints = m_aggregates.endpoints(nowMs);
    s->series = m_aggregates.series(nowMs);
    return s;
}

std::optional<Store::Entry> Hub::find(quint64 exchangeId) const
{
    std::lock_guard lock(m_mutex);
    return m_store.find(exchangeId);
}

std::optional<Store::Entry> Hub::findByRequestId(const QByteArray &requestId) const
{
    std::lock_guard lock(m_mutex);
    return m_store.findByRequestId(requestId);
}

qsizetype Hub::storedCount() const
{
    std::lock_guard lock(m_mutex);
    return m_store.size();
}

QList<Exchange> Hub::storedExchanges(qsizetype from, qsizetype count) const
{
    std::lock_guard lock(m_mutex);
    return m_store.exchanges(from, count);
}

} // namespace Observe
