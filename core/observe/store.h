#pragma once

#include "observe/comparison.h"
#include "observe/exchange.h"

#include <QByteArray>
#include <QHash>
#include <QList>

#include <deque>
#include <functional>
#include <optional>

namespace Observe {

struct StoreSettings
{
    int capacity = 100000; // exchanges kept; the oldest go first
    // Body bytes kept per leg (and of the request); longer prefixes are cut here. bodySize and
    // bodyHash keep describing the whole body.
    int bodyCapBytes = 16 * 1024;
    // All kept bodies together: past it the oldest exchanges lose their bodies (not their
    // record), so a run of large responses cannot take the memory the bound was sized for.
    qint64 bodyBudgetBytes = qint64(128) << 20;
};

// The bounded exchange store behind the log, lookups and exports. Each exchange is packed into
// one byte record (varints, known header names as one byte, the x-request-id echoed on every
// leg written once; ~430 bytes for a greeter exchange without bodies) plus one for its bodies,
// instead of the ~40 small heap objects an Exchange holds. Reads unpack (a few microseconds).
// bench_observe measures it: 100,000 greeter-like exchanges with 0.2-2 KiB bodies take ~260 MB
// of resident memory with the comparator's learning state included. Not thread-safe: the Hub
// locks around it.
class Store
{
public:
    struct Entry
    {
        Exchange exchange;
        QList<Comparison> comparisons; // as compared when it arrived (one per mirror)
        bool bodiesDropped = false;    // over the body budget: prefixes gone, sizes/hashes kept
    };

    // An exchange packed outside the store's lock (Hub), then inserted.
    struct Packed
    {
        quint64 id = 0;
        quint64 requestIdHash = 0;
        QByteArray record;
        QByteArray bodies;
    };
    static Packed pack(const Exchange &exchange, const QList<Comparison> &comparisons,
                       int bodyCapBytes);

    explicit Store(const StoreSettings &settings = {});

    // A smaller capacity drops the oldest now; a new body cap applies to exchanges added later.
    void setSettings(const StoreSettings &settings);
    const StoreSettings &settings() const { return m_settings; }

    void add(const Exchange &exchange, const QList<Comparison> &comparisons = {});
    void insert(Packed &&packed);
    void clear(); // counters too

    qsizetype size() const { return qsizetype(m_slots.size()); }
    bool isEmpty() const { return m_slots.empty(); }
    quint64 added() const { return m_added; }
    quint64 dropped() const { return m_dropped; }             // evicted by the capacity
    quint64 bodiesDropped() const { return m_bodiesDropped; } // bodies shed for the budget
    qint64 bodyBytes() const { return m_bodyBytes; }
    qint64 recordBytes() const { return m_recordBytes; }

    std::optional<Entry> find(quint64 id) const;
    // The newest exchange with this x-request-id.
    std::optional<Entry> findByRequestId(const QByteArray &requestId) const;
    Entry at(qsizetype index) const; // 0 = the oldest kept
    // Oldest first; stop early by returning false.
    void forEach(const std::function<bool(const Entry &)> &visit) const;
    QList<Exchange> exchanges(qsizetype from = 0, qsizetype count = -1) const;

private:
    struct Slot
    {
        quint64 id = 0;
        quint64 requestIdHash = 0;
        QByteArray record;
        QByteArray bodies;
        bool bodiesDropped = false;
    };
    Entry unpack(const Slot &slot) const;
    const Slot *slotForSeq(quint64 seq) const;
    void evictOldest();
    void enforceBudget();

    StoreSettings m_settings;
    std::deque<Slot> m_slots;
    quint64 m_firstSeq = 0; // sequence number of m_slots.front()
    quint64 m_stripSeq = 0; // next slot to shed its bodies when over the budget
    // Exchange ids normally only grow (the proxy numbers them): while every id kept is larger
    // than the one before, find() searches m_slots by id and m_byId stays empty; the first id
    // out of order builds m_byId (exchange id -> sequence), kept from then on.
    bool m_idsAscending = true;
    QHash<quint64, quint64> m_byId;
    QHash<quint64, quint64> m_byRequestId; // hash of x-request-id -> sequence (checked on read)
    quint64 m_added = 0;
    quint64 m_dropped = 0;
    quint64 m_bodiesDropped = 0;
    qint64 m_bodyBytes = 0;
    qint64 m_recordBytes = 0;
};

} // namespace Observe
