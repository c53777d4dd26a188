#include "observe/comparison.h"

#include "observe/endpoint.h"

#include <QHash>

#include <algorithm>
#include <list>
#include <optional>
#include <vector>

namespace Observe {

namespace {

using Headers = QList<QPair<QByteArray, QByteArray>>;

QByteArray headerValue(const Headers &headers, QByteArrayView name)
{
    for (const auto &h : headers) {
        if (h.first.size() == name.size() && h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return QByteArray();
}

BodyInput bodyInput(const Leg &leg)
{
    BodyInput in;
    in.prefix = leg.bodyPrefix;
    in.size = std::max<qint64>(leg.bodySize, leg.bodyPrefix.size());
    in.hash = leg.bodyHash;
    in.contentType = headerValue(leg.responseHeaders, "content-type");
    in.contentEncoding = headerValue(leg.responseHeaders, "content-encoding");
    return in;
}

// The endpoint key (endpointTemplate) of one exchange, computed only when a rule or a learned
// field needs it: most comparisons find nothing to look up.
class LazyEndpoint
{
public:
    explicit LazyEndpoint(const Exchange &exchange) : m_exchange(exchange) {}
    const QString &get()
    {
        if (!m_value)
            m_value = endpointTemplate(m_exchange.method, m_exchange.path);
        return *m_value;
    }

private:
    const Exchange &m_exchange;
    std::optional<QString> m_value;
};

// ASCII case-insensitive order of header names, as comparing their toLower() copies orders
// them (QByteArray::toLower only maps A-Z), without making the copies.
int compareNames(QByteArrayView a, QByteArrayView b)
{
    const qsizetype n = std::min(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i) {
        const char x = a[i] >= 'A' && a[i] <= 'Z' ? char(a[i] + 32) : a[i];
        const char y = b[i] >= 'A' && b[i] <= 'Z' ? char(b[i] + 32) : b[i];
        if (x != y)
            return quint8(x) < quint8(y) ? -1 : 1;
    }
    return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

struct HeaderEntry
{
    QByteArrayView name;  // as sent; compared with compareNames
    QByteArrayView value; // trimmed
};

// QByteArrayView::trimmed() without its out-of-line call: header values rarely have spaces to
// trim. The same white space as QByteArray::trimmed (ASCII space, \t \n \v \f \r).
QByteArrayView trimmedValue(const QByteArray &value)
{
    auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
    const char *b = value.constData();
    const char *e = b + value.size();
    while (b < e && space(*b))
        ++b;
    while (e > b && space(e[-1]))
        --e;
    return QByteArrayView(b, e - b);
}

// One leg's headers as compared: those no rule ignores, in the order sent, values trimmed.
// Computed once per leg (the primary's serves learning and every mirror), so each name is
// checked against the rules once.
void comparableHeaders(const Headers &headers, const NoiseRules &rules, LazyEndpoint &endpoint,
                       std::vector<HeaderEntry> &out)
{
    out.clear();
    out.reserve(size_t(headers.size()));
    const bool perEndpoint = rules.hasEndpointRules();
    for (const auto &h : headers) {
        if (rules.headerIgnored(h.first, perEndpoint ? endpoint.get() : QString()))
            continue;
        out.push_back({QByteArrayView(h.first), trimmedValue(h.second)});
    }
}

// By name (stable: repeated names keep their order). An insertion sort: a response has a
// dozen headers, mostly in a common order already, and std::stable_sort would allocate its
// buffer on every call.
void sortByName(std::vector<HeaderEntry> &list)
{
    for (size_t i = 1; i < list.size(); ++i) {
        const HeaderEntry entry = list[i];
        size_t j = i;
        while (j > 0 && compareNames(entry.name, list[j - 1].name) < 0) {
            list[j] = list[j - 1];
            --j;
        }
        list[j] = entry;
    }
}

// The values of one name, joined as a list header would be ("a, b"): one header line with
// "a, b" and two lines "a" and "b" say the same. [i, end) are the entries of that name.
QByteArray joinedValues(const std::vector<HeaderEntry> &list, size_t i, size_t end)
{
    QByteArray value = list[i].value.toByteArray();
    for (++i; i < end; ++i) {
        value += ", ";
        value += list[i].value;
    }
    return value;
}

size_t nameRunEnd(const std::vector<HeaderEntry> &list, size_t i)
{
    size_t end = i + 1;
    while (end < list.size() && compareNames(list[end].name, list[i].name) == 0)
        ++end;
    return end;
}

bool sameValues(const std::vector<HeaderEntry> &a, size_t i, size_t endA,
                const std::vector<HeaderEntry> &b, size_t j, size_t endB)
{
    if (endA - i == 1 && endB - j == 1)
        return a[i].value == b[j].value; // the usual case: one line each, no copy
    return joinedValues(a, i, endA) == joinedValues(b, j, endB);
}

QString lowerName(QByteArrayView name)
{
    QString out(name.size(), Qt::Uninitialized);
    QChar *d = out.data();
    for (qsizetype i = 0; i < name.size(); ++i) {
        const char c = name[i];
        d[i] = QLatin1Char(c >= 'A' && c <= 'Z' ? char(c + 32) : c);
    }
    return out;
}

QString shortValue(const QByteArray &value)
{
    QString s = QString::fromUtf8(value.left(800));
    if (s.size() > 200) {
        s.truncate(199);
        s += QChar(0x2026);
    }
    return s;
}

// The same names in the same order, each with the same value: no difference (the usual case
// between two answers of one version). Else the sorted merge below decides.
bool sameInOrder(const std::vector<HeaderEntry> &a, const std::vector<HeaderEntry> &b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (a[i].name.size() != b[i].name.size() || a[i].value != b[i].value ||
            compareNames(a[i].name, b[i].name) != 0)
            return false;
    }
    return true;
}

// The differences between two prepared header lists (comparableHeaders), by name.
// withValues false: the diffs name the headers only (learning needs no more).
template <typename Learned>
void diffHeaders(const std::vector<HeaderEntry> &primary, const std::vector<HeaderEntry> &mirror,
                 Learned &&learned, QList<FieldDiff> &out, bool withValues = true)
{
    if (sameInOrder(primary, mirror))
        return;
    // Sorted copies in scratch lists reused by every comparison of this thread.
    thread_local std::vector<HeaderEntry> a, b;
    a = primary;
    b = mirror;
    sortByName(a);
    sortByName(b);
    size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        FieldDiff d;
        const int order = j >= b.size()   ? -1
                          : i >= a.size() ? 1
                                          : compareNames(a[i].name, b[j].name);
        if (order < 0) {
            const size_t end = nameRunEnd(a, i);
            d.kind = FieldDiff::Kind::Removed;
            d.path = lowerName(a[i].name);
            if (withValues)
                d.primaryValue = shortValue(joinedValues(a, i, end));
            i = end;
        } else if (order > 0) {
            const size_t end = nameRunEnd(b, j);
            d.kind = FieldDiff::Kind::Added;
            d.path = lowerName(b[j].name);
            if (withValues)
                d.mirrorValue = shortValue(joinedValues(b, j, end));
            j = end;
        } else {
            const size_t endA = nameRunEnd(a, i), endB = nameRunEnd(b, j);
            const size_t from = i, fromB = j;
            i = endA;
            j = endB;
            if (sameValues(a, from, endA, b, fromB, endB))
                continue;
            d.kind = FieldDiff::Kind::Changed;
            d.path = lowerName(a[from].name);
            if (withValues) {
                d.primaryValue = shortValue(joinedValues(a, from, endA));
                d.mirrorValue = shortValue(joinedValues(b, fromB, endB));
            }
        }
        d.noisy = learned(d.path);
        out.append(std::move(d));
    }
}

quint64 requestKey(const Exchange &e)
{
    quint64 h = 14695981039346656037ull;
    auto add = [&h](QByteArrayView bytes) {
        for (const char c : bytes) {
            h ^= quint8(c);
            h *= 1099511628211ull;
        }
        h ^= 0xff; // separator: ("ab", "c") and ("a", "bc") differ
        h *= 1099511628211ull;
    };
    add(e.method);
    add(e.authority);
    add(e.path);
    add(e.requestBodyPrefix);
    const qint64 size = e.requestBodySize; // its bytes: only this process reads the key
    add(QByteArrayView(reinterpret_cast<const char *>(&size), sizeof(size)));
    return h;
}

// Where, endpoint and path as they are (shared, not concatenated): looked up for every
// difference a comparison finds.
struct LearnedKey
{
    LearnedNoise::Where where;
    QString endpoint;
    QString path;
    bool operator==(const LearnedKey &o) const
    {
        return where == o.where && path == o.path && endpoint == o.endpoint;
    }
};

size_t qHash(const LearnedKey &key, size_t seed = 0)
{
    return qHashMulti(seed, int(key.where), key.endpoint, key.path);
}

LearnedKey learnedKey(LearnedNoise::Where where, const QString &endpoint, const QString &path)
{
    return {where, endpoint, path};
}

} // namespace

struct Comparator::Private
{
    struct Remembered
    {
        QByteArray method;
        QByteArray authority;
        QByteArray path;
        QByteArray requestBody;
        qint64 requestBodySize = 0;
        int status = 0;
        Headers headers;
        BodyInput body;
        std::list<quint64>::iterator lru;

        bool sameRequest(const Exchange &e) const
        {
            return method == e.method && path == e.path && authority == e.authority &&
                   requestBodySize == e.requestBodySize && requestBody == e.requestBodyPrefix;
        }
        quint32 repeats = 0; // answers to this request after the first
        qint64 bytes() const { return body.prefix.size() + requestBody.size() + path.size() + 256; }
    };

    CompareOptions options;
    NoiseRules rules;
    bool learning = true;
    LearningLimits limits;
    QHash<quint64, Remembered> remembered;
    std::list<quint64> lru; // most recent first
    qint64 rememberedBytes = 0;
    QHash<LearnedKey, LearnedNoise> learned;
    // Scratch of compare(): the primary's comparable headers (for learning and every mirror)
    // and another leg's, reused so that no comparison allocates them.
    std::vector<HeaderEntry> primaryHeaders;
    std::vector<HeaderEntry> otherHeaders;

    // primaryBody: bodyInput(exchange.primary); primaryHeaders filled for it.
    void learn(const Exchange &exchange, LazyEndpoint &endpoint, const BodyInput &primaryBody);
    void addLearned(LearnedNoise::Where where, const QString &endpoint, const QString &path);
    bool isLearned(LearnedNoise::Where where, LazyEndpoint &endpoint, const QString &path) const;
    void evict();
};

void Comparator::Private::addLearned(LearnedNoise::Where where, const QString &endpoint,
                                     const QString &path)
{
    const LearnedKey key = learnedKey(where, endpoint, path);
    auto it = learned.find(key);
    if (it != learned.end()) {
        ++it->observations;
        return;
    }
    if (learned.size() >= limits.maxLearned)
        return;
    LearnedNoise n;
    n.where = where;
    n.endpoint = endpoint;
    n.path = path;
    n.observations = 1;
    learned.insert(key, n);
}

bool Comparator::Private::isLearned(LearnedNoise::Where where, LazyEndpoint &endpoint,
                                    const QString &path) const
{
    if (learned.isEmpty())
        return false;
    const auto it = learned.constFind(
        learnedKey(where, endpoint.get(),
                   where == LearnedNoise::Where::Body ? generalizeIndices(path) : path));
    return it != learned.cend() && !it->rejected;
}

void Comparator::Private::evict()
{
    while (!lru.empty() &&
           (remembered.size() > limits.maxRequests || rememberedBytes > limits.maxBytes)) {
        const auto it = remembered.find(lru.back());
        if (it != remembered.end()) {
            rememberedBytes -= it->bytes();
            remembered.erase(it);
        }
        lru.pop_back();
    }
}

void Comparator::Private::learn(const Exchange &exchange, LazyEndpoint &endpoint,
                                const BodyInput &primaryBody)
{
    const Leg &p = exchange.primary;
    if (!learning || p.outcome != Leg::Outcome::Completed || p.status <= 0)
        return;
    const quint64 key = requestKey(exchange);
    auto it = remembered.find(key);
    if (it != remembered.end() && it->sameRequest(exchange)) {
        ++it->repeats;
        const bool sampled = it->repeats <= quint32(qMax(0, limits.fullRepeats)) ||
                             limits.sampleEvery <= 1 ||
                             it->repeats % quint32(limits.sampleEvery) == 0;
        if (sampled && it->status == p.status) {
            QList<FieldDiff> headerDiffs;
            comparableHeaders(it->headers, rules, endpoint, otherHeaders);
            diffHeaders(
                otherHeaders, primaryHeaders, [](const QString &) { return false; }, headerDiffs,
                false);
            for (const FieldDiff &d : headerDiffs)
                addLearned(LearnedNoise::Where::Header, endpoint.get(), d.path);
            if (!sameBody(it->body, primaryBody)) {
                CompareOptions o = options;
                o.maxFields = 1000; // learn every field, not only those a comparison lists
                NoiseContext noise;
                noise.rules = &rules;
                noise.endpoint = rules.hasEndpointRules() ? endpoint.get() : QString();
                noise.renderValues = false; // only where they differ is learned
                const BodyDiff diff = diffBodies(it->body, primaryBody, o, noise);
                for (const FieldDiff &d : diff.fields)
                    addLearned(LearnedNoise::Where::Body, endpoint.get(),
                               generalizeIndices(d.path));
            }
        }
        rememberedBytes -= it->bytes();
        it->status = p.status;
        it->headers = p.responseHeaders;
        it->body = primaryBody;
        rememberedBytes += it->bytes();
        lru.splice(lru.begin(), lru, it->lru);
        evict();
        return;
    }
    if (it != remembered.end()) { // a hash collision: the newer request takes the slot
        rememberedBytes -= it->bytes();
        lru.erase(it->lru);
        remembered.erase(it);
    }
    Remembered r;
    r.method = exchange.method;
    r.authority = exchange.authority;
    r.path = exchange.path;
    r.requestBody = exchange.requestBodyPrefix;
    r.requestBodySize = exchange.requestBodySize;
    r.status = p.status;
    r.headers = p.responseHeaders;
    r.body = primaryBody;
    lru.push_front(key);
    r.lru = lru.begin();
    rememberedBytes += r.bytes();
    remembered.insert(key, std::move(r));
    evict();
}

Comparator::Comparator() : d(std::make_unique<Private>()) {}
Comparator::~Comparator() = default;

void Comparator::setOptions(const CompareOptions &options)
{
    d->options = options;
}
CompareOptions Comparator::options() const
{
    return d->options;
}

void Comparator::setNoiseRules(const NoiseRules &rules)
{
    d->rules = rules;
}
NoiseRules Comparator::noiseRules() const
{
    return d->rules;
}

void Comparator::setLearningEnabled(bool enabled)
{
    d->learning = enabled;
}
bool Comparator::learningEnabled() const
{
    return d->learning;
}

void Comparator::setLearningLimits(const LearningLimits &limits)
{
    d->limits = limits;
    d->evict();
}

QList<Comparison> Comparator::compare(const Exchange &exchange)
{
    return compare(exchange, nullptr);
}

QList<Comparison> Comparator::compare(const Exchange &exchange, QString *endpointKey)
{
    LazyEndpoint endpoint(exchange);
    const BodyInput primaryBody = bodyInput(exchange.primary);
    comparableHeaders(exchange.primary.responseHeaders, d->rules, endpoint, d->primaryHeaders);
    d->learn(exchange, endpoint, primaryBody);

    QList<Comparison> out;
    out.reserve(exchange.mirrors.size());
    for (int i = 0; i < exchange.mirrors.size(); ++i) {
        const Leg &mirror = exchange.mirrors.at(i);
        Comparison c;
        c.mirrorIndex = i;
        c.comparable = exchange.primary.status > 0 && mirror.status > 0 &&
                       exchange.primary.outcome == Leg::Outcome::Completed;
        if (!c.comparable) {
            out.append(c);
            continue;
        }
        c.primaryStatus = exchange.primary.status;
        c.mirrorStatus = mirror.status;
        c.statusEqual = c.primaryStatus == c.mirrorStatus;
        c.latencyDeltaUs = mirror.totalUs - exchange.primary.totalUs;

        comparableHeaders(mirror.responseHeaders, d->rules, endpoint, d->otherHeaders);
        diffHeaders(
            d->primaryHeaders, d->otherHeaders,
            [&](const QString &name) {
                return d->isLearned(LearnedNoise::Where::Header, endpoint, name);
            },
            c.headerDiffs);

        const BodyInput mirrorBody = bodyInput(mirror);
        if (sameBody(primaryBody, mirrorBody)) {
            c.body = diffBodies(primaryBody, mirrorBody, d->options); // the cheap equal answer
        } else {
            NoiseContext noise;
            noise.rules = &d->rules;
            noise.endpoint = d->rules.hasEndpointRules() ? endpoint.get() : QString();
            if (!d->learned.isEmpty()) {
                noise.learned = [&](const QString &path) {
                    return d->isLearned(LearnedNoise::Where::Body, endpoint, path);
                };
            }
            c.body = diffBodies(primaryBody, mirrorBody, d->options, noise);
        }

        // Count what learned noise hid, for the person deciding to accept or reject it.
        for (const FieldDiff &f : std::as_const(c.headerDiffs)) {
            if (f.noisy) {
                auto it = d->learned.find(
                    learnedKey(LearnedNoise::Where::Header, endpoint.get(), f.path));
                if (it != d->learned.end())
                    ++it->flagged;
            }
        }
        for (const FieldDiff &f : std::as_const(c.body.fields)) {
            if (f.noisy) {
                auto it = d->learned.find(learnedKey(LearnedNoise::Where::Body, endpoint.get(),
                                                     generalizeIndices(f.path)));
                if (it != d->learned.end())
                    ++it->flagged;
            }
        }
        out.append(std::move(c));
    }
    if (endpointKey)
        *endpointKey = endpoint.get();
    return out;
}

QList<LearnedNoise> Comparator::learnedNoise() const
{
    QList<LearnedNoise> out;
    out.reserve(d->learned.size());
    for (const LearnedNoise &n : std::as_const(d->learned))
        out.append(n);
    std::sort(out.begin(), out.end(), [](const LearnedNoise &a, const LearnedNoise &b) {
        if (a.observations != b.observations)
            return a.observations > b.observations;
        if (a.endpoint != b.endpoint)
            return a.endpoint < b.endpoint;
        return a.path < b.path;
    });
    return out;
}

bool Comparator::acceptLearnedNoise(LearnedNoise::Where where, const QString &endpoint,
                                    const QString &path, QString *error)
{
    const LearnedKey key = learnedKey(where, endpoint, path);
    if (!d->learned.contains(key)) {
        if (error)
            *error = QStringLiteral("%1 is not learned noise for %2").arg(path, endpoint);
        return false;
    }
    QString why;
    bool ok;
    if (where == LearnedNoise::Where::Header) {
        ok = d->rules.addHeader(path, endpoint, &why);
    } else if (path.startsWith(u'$')) {
        ok = d->rules.addJsonPath(path, endpoint, &why);
    } else {
        ok = false;
        why = QStringLiteral("%1 is not a JSON path: only headers and JSON fields become rules")
                  .arg(path);
    }
    if (!ok) {
        if (error)
            *error = why;
        return false;
    }
    d->learned.remove(key);
    return true;
}

bool Comparator::rejectLearnedNoise(LearnedNoise::Where where, const QString &endpoint,
                                    const QString &path)
{
    auto it = d->learned.find(learnedKey(where, endpoint, path));
    if (it == d->learned.end())
        return false;
    it->rejected = true;
    return true;
}

void Comparator::forgetLearnedNoise()
{
    d->learned.clear();
    d->remembered.clear();
    d->lru.clear();
    d->rememberedBytes = 0;
}

int Comparator::rememberedRequests() const
{
    return int(d->remembered.size());
}

} // namespace Observe
