#include "observe/store.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <vector>

namespace Observe {

namespace {

// ---- packing --------------------------------------------------------------------------------
// Varints (LEB128), zigzag for signed values, length-prefixed bytes. Every field of Exchange,
// Leg and Comparison is written; a field added there must be added here (tst_store's round trip
// fills every field and compares).

constexpr quint8 kFormat = 1;

// Header names seen on nearly every exchange, written as one byte instead of their text.
const char *const kHeaderNames[] = {
    "host",
    "user-agent",
    "accept",
    "accept-encoding",
    "accept-language",
    "content-type",
    "content-length",
    "connection",
    "date",
    "server",
    "x-request-id",
    "cache-control",
    "etag",
    "vary",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-envoy-upstream-service-time",
    "traceparent",
    "set-cookie",
    "cookie",
    "authorization",
    "keep-alive",
    "transfer-encoding",
    "location",
    "last-modified",
    "Host",
    "User-Agent",
    "Accept",
    "Accept-Encoding",
    "Accept-Language",
    "Content-Type",
    "Content-Length",
    "Connection",
    "Date",
    "Server",
    "X-Request-Id",
    "Cache-Control",
    "ETag",
    "Vary",
    "X-Forwarded-For",
    "X-Forwarded-Proto",
    "Set-Cookie",
    "Cookie",
    "Authorization",
    "Keep-Alive",
    "Transfer-Encoding",
    "Location",
    "Last-Modified",
    "X-Request-ID",
};
constexpr int kHeaderNameCount = int(sizeof(kHeaderNames) / sizeof(kHeaderNames[0]));

// -1 when not a known name. The names of one length are the only candidates (a few at most):
// no hash of the name and no comparison with names of other lengths.
int headerNameIndex(const QByteArray &name)
{
    constexpr qsizetype kMaxLength = 32;
    static const auto byLength = [] {
        std::array<std::vector<int>, kMaxLength + 1> l;
        for (int i = 0; i < kHeaderNameCount; ++i) {
            const size_t n = std::strlen(kHeaderNames[i]);
            if (n <= size_t(kMaxLength))
                l[n].push_back(i);
        }
        return l;
    }();
    const qsizetype n = name.size();
    if (n <= 0 || n > kMaxLength)
        return -1;
    // Short names: compared in place (a memcmp call costs more than the bytes), the last byte
    // first since names of one length mostly share their start ("content-...", "x-...").
    const char *s = name.constData();
    for (const int i : byLength[size_t(n)]) {
        const char *k = kHeaderNames[i];
        if (k[n - 1] != s[n - 1] || k[0] != s[0])
            continue;
        qsizetype j = 1;
        while (j < n - 1 && k[j] == s[j])
            ++j;
        if (j >= n - 1)
            return i;
    }
    return -1;
}

// A growable byte buffer reused for every record of a thread (no per-byte size bookkeeping
// of std::string or QByteArray).
struct Buffer
{
    std::unique_ptr<char[]> data;
    size_t size = 0;
    size_t capacity = 0;

    char *reserve(size_t more)
    {
        if (size + more > capacity) {
            const size_t grown = std::max(capacity * 2, size + more + 1024);
            std::unique_ptr<char[]> bigger(new char[grown]);
            if (size)
                std::memcpy(bigger.get(), data.get(), size);
            data = std::move(bigger);
            capacity = grown;
        }
        return data.get() + size;
    }
};

class Writer
{
public:
    explicit Writer(Buffer &buffer) : m_buf(buffer) { m_buf.size = 0; }

    void varint(quint64 v)
    {
        char *p = m_buf.reserve(10);
        char *const start = p;
        while (v >= 0x80) {
            *p++ = char(quint8(v) | 0x80);
            v >>= 7;
        }
        *p++ = char(v);
        m_buf.size += size_t(p - start);
    }
    void svarint(qint64 v) { varint((quint64(v) << 1) ^ quint64(v >> 63)); }
    void fixed64(quint64 v)
    {
        std::memcpy(m_buf.reserve(8), &v, 8);
        m_buf.size += 8;
    }
    void raw(const char *data, qsizetype n)
    {
        if (n <= 0)
            return;
        std::memcpy(m_buf.reserve(size_t(n)), data, size_t(n));
        m_buf.size += size_t(n);
    }
    void bytes(const char *data, qsizetype n)
    {
        varint(quint64(n));
        raw(data, n);
    }
    void bytes(const QByteArray &b) { bytes(b.constData(), b.size()); }
    void string(const QString &s)
    {
        // ASCII (nearly every host, subset, rule name, JSON path) in one pass without a
        // temporary; anything else through UTF-8.
        const qsizetype n = s.size();
        const size_t mark = m_buf.size;
        varint(quint64(n));
        char *out = m_buf.reserve(size_t(n));
        // constData(), not utf16(): that one copies a string it does not own (a literal, a
        // null string) to terminate it, an allocation per field.
        const QChar *in = s.constData();
        for (qsizetype i = 0; i < n; ++i) {
            const char16_t c = in[i].unicode();
            if (c >= 0x80) {
                m_buf.size = mark;
                bytes(s.toUtf8());
                return;
            }
            out[i] = char(c);
        }
        m_buf.size += size_t(n);
    }
    QByteArray take() const { return QByteArray(m_buf.data.get(), qsizetype(m_buf.size)); }
    void headers(const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &requestId)
    {
        varint(quint64(headers.size()));
        for (const auto &h : headers) {
            // Name: odd = index into kHeaderNames, even = literal of length v / 2.
            const int known = headerNameIndex(h.first);
            if (known >= 0) {
                varint(quint64(known) * 2 + 1);
            } else {
                varint(quint64(h.first.size()) * 2);
                raw(h.first.constData(), h.first.size());
            }
            // Value: 0 = the exchange's x-request-id (echoed on every leg), else length + 1.
            if (!requestId.isEmpty() && h.second.size() == requestId.size() &&
                (h.second.constData() == requestId.constData() || h.second == requestId)) {
                varint(0);
            } else {
                varint(quint64(h.second.size()) + 1);
                raw(h.second.constData(), h.second.size());
            }
        }
    }
    void leg(const Leg &l, const QByteArray &requestId)
    {
        string(l.destination.host);
        string(l.destination.subset);
        svarint(l.destination.port);
        string(l.endpoint);
        varint(quint64(l.outcome));
        string(l.error);
        string(l.dropReason);
        svarint(l.status);
        headers(l.responseHeaders, requestId);
        svarint(l.bodySize);
        fixed64(l.bodyHash);
        svarint(l.connectUs);
        svarint(l.firstByteUs);
        svarint(l.totalUs);
        svarint(l.attempts);
    }
    void fieldDiffs(const QList<FieldDiff> &diffs)
    {
        varint(quint64(diffs.size()));
        for (const FieldDiff &d : diffs) {
            varint(quint64(d.kind) | quint64(d.noisy) << 3);
            string(d.path);
            string(d.primaryValue);
            string(d.mirrorValue);
        }
    }
    void comparison(const Comparison &c)
    {
        svarint(c.mirrorIndex);
        varint(quint64(c.comparable) | quint64(c.statusEqual) << 1 | quint64(c.body.equal) << 2 |
               quint64(c.body.truncated) << 3);
        svarint(c.primaryStatus);
        svarint(c.mirrorStatus);
        svarint(c.latencyDeltaUs);
        fieldDiffs(c.headerDiffs);
        varint(quint64(c.body.mode));
        fieldDiffs(c.body.fields);
        varint(quint64(std::max(c.body.omittedFields, 0)));
        varint(quint64(c.body.ignored.size()));
        for (const QString &s : c.body.ignored)
            string(s);
    }

private:
    Buffer &m_buf;
};

class Reader
{
public:
    Reader(const QByteArray &data) : m_p(data.constData()), m_end(data.constData() + data.size()) {}
    bool ok() const { return m_ok; }

    quint64 varint()
    {
        quint64 v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_p >= m_end)
                return fail();
            const quint8 b = quint8(*m_p++);
            v |= quint64(b & 0x7f) << shift;
            if (!(b & 0x80))
                return v;
        }
        return fail();
    }
    qint64 svarint()
    {
        const quint64 v = varint();
        return qint64(v >> 1) ^ -qint64(v & 1);
    }
    int integer() { return int(svarint()); }
    quint64 fixed64()
    {
        if (m_end - m_p < 8)
            return fail();
        quint64 v;
        std::memcpy(&v, m_p, 8);
        m_p += 8;
        return v;
    }
    QByteArray raw(quint64 n)
    {
        if (quint64(m_end - m_p) < n)
            return fail(), QByteArray();
        QByteArray b(m_p, qsizetype(n));
        m_p += n;
        return b;
    }
    QByteArray bytes() { return raw(varint()); }
    QString string()
    {
        const quint64 n = varint();
        if (quint64(m_end - m_p) < n)
            return fail(), QString();
        const QString s = QString::fromUtf8(m_p, qsizetype(n));
        m_p += n;
        return s;
    }
    QList<QPair<QByteArray, QByteArray>> headers(const QByteArray &requestId)
    {
        QList<QPair<QByteArray, QByteArray>> out;
        const quint64 n = varint();
        if (n > quint64(m_end - m_p))
            return fail(), out;
        out.reserve(qsizetype(n));
        for (quint64 i = 0; i < n && m_ok; ++i) {
            const quint64 name = varint();
            QByteArray key;
            if (name & 1) {
                if ((name >> 1) >= quint64(kHeaderNameCount))
                    return fail(), out;
                key = QByteArray::fromRawData(kHeaderNames[name >> 1],
                                              qsizetype(std::strlen(kHeaderNames[name >> 1])));
            } else {
                key = raw(name >> 1);
            }
            const quint64 value = varint();
            out.append(qMakePair(key, value == 0 ? requestId : raw(value - 1)));
        }
        return out;
    }
    void leg(Leg &l, const QByteArray &requestId)
    {
        l.destination.host = string();
        l.destination.subset = string();
        l.destination.port = integer();
        l.endpoint = string();
        const quint64 outcome = varint();
        if (outcome > quint64(Leg::Outcome::Local))
            fail();
        l.outcome = Leg::Outcome(outcome);
        l.error = string();
        l.dropReason = string();
        l.status = integer();
        l.responseHeaders = headers(requestId);
        l.bodySize = svarint();
        l.bodyHash = fixed64();
        l.connectUs = svarint();
        l.firstByteUs = svarint();
        l.totalUs = svarint();
        l.attempts = integer();
    }
    QList<FieldDiff> fieldDiffs()
    {
        QList<FieldDiff> out;
        const quint64 n = varint();
        if (n > quint64(m_end - m_p))
            return fail(), out;
        for (quint64 i = 0; i < n && m_ok; ++i) {
            FieldDiff d;
            const quint64 kind = varint();
            if ((kind & 7) > quint64(FieldDiff::Kind::TypeChanged))
                fail();
            d.kind = FieldDiff::Kind(kind & 7);
            d.noisy = kind & 8;
            d.path = string();
            d.primaryValue = string();
            d.mirrorValue = string();
            out.append(d);
        }
        return out;
    }
    Comparison comparison()
    {
        Comparison c;
        c.mirrorIndex = integer();
        const quint64 flags = varint();
        c.comparable = flags & 1;
        c.statusEqual = flags & 2;
        c.body.equal = flags & 4;
        c.body.truncated = flags & 8;
        c.primaryStatus = integer();
        c.mirrorStatus = integer();
        c.latencyDeltaUs = svarint();
        c.headerDiffs = fieldDiffs();
        const quint64 mode = varint();
        if (mode > quint64(BodyDiff::Mode::Binary))
            fail();
        c.body.mode = BodyDiff::Mode(mode);
        c.body.fields = fieldDiffs();
        c.body.omittedFields = int(varint());
        const quint64 n = varint();
        if (n > quint64(m_end - m_p))
            return fail(), c;
        for (quint64 i = 0; i < n && m_ok; ++i)
            c.body.ignored.append(string());
        return c;
    }

private:
    quint64 fail()
    {
        m_ok = false;
        m_p = m_end;
        return 0;
    }
    const char *m_p;
    const char *m_end;
    bool m_ok = true;
};

quint64 hashRequestId(const QByteArray &requestId)
{
    return requestId.isEmpty() ? 0 : quint64(qHash(requestId, 0x6d697272)); // fixed seed
}

} // namespace

Store::Packed Store::pack(const Exchange &e, const QList<Comparison> &comparisons, int bodyCapBytes)
{
    thread_local Buffer buffer;
    Writer w(buffer);
    w.varint(kFormat);
    w.varint(e.id);
    w.bytes(e.requestId);
    w.varint(e.start.isValid() ? 1 : 0);
    if (e.start.isValid())
        w.svarint(e.start.toMSecsSinceEpoch());
    w.svarint(e.startUs);
    w.bytes(e.method);
    w.bytes(e.authority);
    w.bytes(e.path);
    w.headers(e.requestHeaders, e.requestId);
    w.svarint(e.requestBodySize);
    w.string(e.virtualService);
    w.svarint(e.ruleIndex);
    w.string(e.ruleName);
    w.leg(e.primary, e.requestId);
    w.varint(quint64(e.mirrors.size()));
    for (const Leg &m : e.mirrors)
        w.leg(m, e.requestId);
    w.varint(quint64(comparisons.size()));
    for (const Comparison &c : comparisons)
        w.comparison(c);

    Packed p;
    p.id = e.id;
    p.requestIdHash = hashRequestId(e.requestId);
    // An exact-size copy: the scratch buffer's slack must not be kept 100,000 times.
    p.record = w.take();

    const qsizetype cap = std::max(bodyCapBytes, 0);
    bool anyBody = !e.requestBodyPrefix.isEmpty() || !e.primary.bodyPrefix.isEmpty();
    for (const Leg &m : e.mirrors)
        anyBody = anyBody || !m.bodyPrefix.isEmpty();
    if (anyBody && cap > 0) {
        // Straight into a buffer of the exact size: the bodies are most of the bytes, and a
        // copy through the scratch buffer would move them twice.
        auto varintSize = [](quint64 v) {
            qsizetype n = 1;
            while (v >= 0x80) {
                v >>= 7;
                ++n;
            }
            return n;
        };
        auto kept = [cap](const QByteArray &prefix) { return std::min(prefix.size(), cap); };
        qsizetype total = 0;
        auto measure = [&](const QByteArray &prefix) {
            total += varintSize(quint64(kept(prefix))) + kept(prefix);
        };
        measure(e.requestBodyPrefix);
        measure(e.primary.bodyPrefix);
        for (const Leg &m : e.mirrors)
            measure(m.bodyPrefix);
        p.bodies = QByteArray(total, Qt::Uninitialized);
        char *out = p.bodies.data();
        auto body = [&](const QByteArray &prefix) {
            quint64 n = quint64(kept(prefix));
            while (n >= 0x80) {
                *out++ = char(quint8(n) | 0x80);
                n >>= 7;
            }
            *out++ = char(n);
            if (kept(prefix) > 0)
                std::memcpy(out, prefix.constData(), size_t(kept(prefix)));
            out += kept(prefix);
        };
        body(e.requestBodyPrefix);
        body(e.primary.bodyPrefix);
        for (const Leg &m : e.mirrors)
            body(m.bodyPrefix);
        Q_ASSERT(out == p.bodies.constData() + total);
    }
    return p;
}

Store::Store(const StoreSettings &settings) : m_settings(settings)
{
    m_settings.capacity = std::max(m_settings.capacity, 1);
}

void Store::setSettings(const StoreSettings &settings)
{
    m_settings = settings;
    m_settings.capacity = std::max(m_settings.capacity, 1);
    while (qsizetype(m_slots.size()) > m_settings.capacity)
        evictOldest();
    enforceBudget();
}

void Store::add(const Exchange &exchange, const QList<Comparison> &comparisons)
{
    insert(pack(exchange, comparisons, m_settings.bodyCapBytes));
}

void Store::insert(Packed &&packed)
{
    while (qsizetype(m_slots.size()) >= m_settings.capacity)
        evictOldest();
    const quint64 seq = m_firstSeq + m_slots.size();
    Slot slot;
    slot.id = packed.id;
    slot.requestIdHash = packed.requestIdHash;
    slot.record = std::move(packed.record);
    slot.bodies = std::move(packed.bodies);
    m_recordBytes += slot.record.size();
    m_bodyBytes += slot.bodies.size();
    if (m_idsAscending && !m_slots.empty() && slot.id <= m_slots.back().id) {
        m_idsAscending = false;
        for (size_t i = 0; i < m_slots.size(); ++i)
            m_byId.insert(m_slots[i].id, m_firstSeq + i);
    }
    if (!m_idsAscending)
        m_byId.insert(slot.id, seq);
    if (slot.requestIdHash)
        m_byRequestId.insert(slot.requestIdHash, seq);
    m_slots.push_back(std::move(slot));
    ++m_added;
    enforceBudget();
}

void Store::evictOldest()
{
    if (m_slots.empty())
        return;
    const Slot &slot = m_slots.front();
    const quint64 seq = m_firstSeq;
    // A later exchange may have taken the id / request id over; keep its entry then.
    if (!m_idsAscending) {
        auto id = m_byId.find(slot.id);
        if (id != m_byId.end() && *id == seq)
            m_byId.erase(id);
    }
    if (slot.requestIdHash) {
        auto rid = m_byRequestId.find(slot.requestIdHash);
        if (rid != m_byRequestId.end() && *rid == seq)
            m_byRequestId.erase(rid);
    }
    m_recordBytes -= slot.record.size();
    m_bodyBytes -= slot.bodies.size();
    m_slots.pop_front();
    ++m_firstSeq;
    ++m_dropped;
    m_stripSeq = std::max(m_stripSeq, m_firstSeq);
}

void Store::enforceBudget()
{
    const quint64 end = m_firstSeq + m_slots.size();
    // The newest exchange keeps its bodies even when it alone is over the budget.
    while (m_bodyBytes > m_settings.bodyBudgetBytes && m_stripSeq + 1 < end) {
        Slot &slot = m_slots[size_t(m_stripSeq - m_firstSeq)];
        if (!slot.bodies.isEmpty()) {
            m_bodyBytes -= slot.bodies.size();
            slot.bodies = QByteArray();
            slot.bodiesDropped = true;
            ++m_bodiesDropped;
        }
        ++m_stripSeq;
    }
}

void Store::clear()
{
    *this = Store(m_settings);
}

const Store::Slot *Store::slotForSeq(quint64 seq) const
{
    if (seq < m_firstSeq || seq - m_firstSeq >= m_slots.size())
        return nullptr;
    return &m_slots[size_t(seq - m_firstSeq)];
}

Store::Entry Store::unpack(const Slot &slot) const
{
    Entry entry;
    Exchange &e = entry.exchange;
    Reader r(slot.record);
    if (r.varint() != kFormat)
        return entry;
    e.id = r.varint();
    e.requestId = r.bytes();
    if (r.varint())
        e.start = QDateTime::fromMSecsSinceEpoch(r.svarint(), Qt::UTC);
    e.startUs = r.svarint();
    e.method = r.bytes();
    e.authority = r.bytes();
    e.path = r.bytes();
    e.requestHeaders = r.headers(e.requestId);
    e.requestBodySize = r.svarint();
    e.virtualService = r.string();
    e.ruleIndex = r.integer();
    e.ruleName = r.string();
    r.leg(e.primary, e.requestId);
    const quint64 mirrors = r.varint();
    for (quint64 i = 0; i < mirrors && r.ok(); ++i) {
        Leg leg;
        r.leg(leg, e.requestId);
        e.mirrors.append(leg);
    }
    const quint64 comparisons = r.varint();
    for (quint64 i = 0; i < comparisons && r.ok(); ++i)
        entry.comparisons.append(r.comparison());
    Q_ASSERT(r.ok()); // our own bytes: a failure is a packing bug

    entry.bodiesDropped = slot.bodiesDropped;
    if (!slot.bodies.isEmpty()) {
        Reader b(slot.bodies);
        e.requestBodyPrefix = b.bytes();
        e.primary.bodyPrefix = b.bytes();
        for (Leg &m : e.mirrors)
            m.bodyPrefix = b.bytes();
    }
    return entry;
}

std::optional<Store::Entry> Store::find(quint64 id) const
{
    if (m_idsAscending) {
        const auto it = std::lower_bound(m_slots.begin(), m_slots.end(), id,
                                         [](const Slot &s, quint64 v) { return s.id < v; });
        if (it == m_slots.end() || it->id != id)
            return std::nullopt;
        return unpack(*it);
    }
    const auto it = m_byId.constFind(id);
    if (it == m_byId.constEnd())
        return std::nullopt;
    const Slot *slot = slotForSeq(*it);
    if (!slot)
        return std::nullopt;
    return unpack(*slot);
}

std::optional<Store::Entry> Store::findByRequestId(const QByteArray &requestId) const
{
    const quint64 hash = hashRequestId(requestId);
    if (!hash)
        return std::nullopt;
    const auto it = m_byRequestId.constFind(hash);
    if (it == m_byRequestId.constEnd())
        return std::nullopt;
    const Slot *slot = slotForSeq(*it);
    if (!slot)
        return std::nullopt;
    Entry entry = unpack(*slot);
    if (entry.exchange.requestId != requestId)
        return std::nullopt; // a 64-bit hash collision
    return entry;
}

Store::Entry Store::at(qsizetype index) const
{
    if (index < 0 || index >= size())
        return Entry();
    return unpack(m_slots[size_t(index)]);
}

void Store::forEach(const std::function<bool(const Entry &)> &visit) const
{
    for (const Slot &slot : m_slots) {
        if (!visit(unpack(slot)))
            return;
    }
}

QList<Exchange> Store::exchanges(qsizetype from, qsizetype count) const
{
    QList<Exchange> out;
    from = std::max<qsizetype>(from, 0);
    const qsizetype end = count < 0 ? size() : std::min(size(), from + count);
    if (from >= end)
        return out;
    out.reserve(end - from);
    for (qsizetype i = from; i < end; ++i)
        out.append(unpack(m_slots[size_t(i)]).exchange);
    return out;
}

} // namespace Observe
