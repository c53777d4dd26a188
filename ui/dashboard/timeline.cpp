#include "timeline.h"

#include <QDateTime>

#include <algorithm>

namespace Ui {

void Timeline::reset(qint64 t0Ms)
{
    *this = Timeline();
    m_t0Ms = t0Ms;
}

Timeline::Class Timeline::classOf(const Observe::Leg &leg)
{
    if (leg.status < 100 || leg.status >= 600)
        return CFailed;
    switch (leg.status / 100) {
    case 1:
        return C1xx;
    case 2:
        return C2xx;
    case 3:
        return C3xx;
    case 4:
        return C4xx;
    default:
        return C5xx;
    }
}

QString Timeline::className(Class c)
{
    static const char *const names[ClassCount] = {"2xx", "3xx", "4xx", "5xx", "failed", "1xx"};
    return QString::fromLatin1(names[c]);
}

Timeline::Bucket *Timeline::bucketFor(qint64 second)
{
    if (m_buckets.empty()) {
        m_buckets.emplace_back();
        m_buckets.back().second = second;
        return &m_buckets.back();
    }
    // Exchanges finish out of order (a slow mirror lands after faster later ones), so a
    // second may arrive before or after the current ones; keep the deque contiguous.
    while (second > m_buckets.back().second) {
        const qint64 next = m_buckets.back().second + 1;
        m_buckets.emplace_back();
        m_buckets.back().second = next;
    }
    const qint64 newest = m_buckets.back().second;
    while (!m_buckets.empty() && m_buckets.front().second <= newest - kWindowSeconds)
        m_buckets.pop_front();
    if (second <= newest - kWindowSeconds)
        return nullptr;
    while (second < m_buckets.front().second) {
        const qint64 previous = m_buckets.front().second - 1;
        m_buckets.emplace_front();
        m_buckets.front().second = previous;
    }
    return &m_buckets[static_cast<size_t>(second - m_buckets.front().second)];
}

void Timeline::add(const QList<Observe::Exchange> &batch)
{
    for (const Observe::Exchange &e : batch) {
        const qint64 ms =
            e.start.isValid() ? e.start.toMSecsSinceEpoch() : QDateTime::currentMSecsSinceEpoch();
        Bucket *bucket = bucketFor(ms / 1000);
        auto count = [&](Role role, const Observe::Leg &leg) {
            using Outcome = Observe::Leg::Outcome;
            if (leg.outcome == Outcome::SampledOut || leg.outcome == Outcome::Dropped)
                return; // nothing reached the destination: not a request it served
            const QString label =
                leg.destination.subset.isEmpty() ? leg.destination.host : leg.destination.subset;
            if (!label.isEmpty())
                m_labels[role] = label;
            ++m_status[role][classOf(leg)];
            if (!bucket)
                return;
            ++bucket->legs[role];
            if (leg.outcome != Outcome::Failed && leg.totalUs >= 0)
                bucket->latencyUs[role].record(leg.totalUs);
        };
        count(Primary, e.primary);
        if (e.mirrors.isEmpty())
            continue;
        const Observe::Leg &mirror = e.mirrors.first();
        count(Mirror, mirror);
        using Outcome = Observe::Leg::Outcome;
        if ((mirror.outcome == Outcome::Completed || mirror.outcome == Outcome::Failed) &&
            e.primary.outcome != Outcome::Local)
            ++m_matrix[classOf(e.primary)][classOf(mirror)];
    }
}

QList<QPointF> Timeline::rate(Role role, qint64 nowMs) const
{
    QList<QPointF> points;
    const qint64 last = nowMs / 1000 - 1; // the current second is still filling
    const qint64 first = std::max(m_t0Ms / 1000, last - kWindowSeconds + 1);
    if (last < first)
        return points;
    points.reserve(static_cast<int>(last - first + 1));
    const qint64 front = m_buckets.empty() ? 0 : m_buckets.front().second;
    for (qint64 s = first; s <= last; ++s) {
        const qint64 i = s - front;
        const quint64 n = !m_buckets.empty() && i >= 0 && i < qint64(m_buckets.size())
                              ? m_buckets[static_cast<size_t>(i)].legs[role]
                              : 0;
        points.append(QPointF(double(s - m_t0Ms / 1000), double(n)));
    }
    return points;
}

QList<QPointF> Timeline::latencyMs(Role role, double quantile, qint64 nowMs) const
{
    QList<QPointF> points;
    const qint64 last = nowMs / 1000 - 1;
    const qint64 first = std::max(m_t0Ms / 1000, last - kWindowSeconds + 1);
    for (const Bucket &b : m_buckets) {
        // A second without answers has no latency: leave a gap rather than draw a zero.
        if (b.second < first || b.second > last || b.latencyUs[role].count() == 0)
            continue;
        points.append(QPointF(double(b.second - m_t0Ms / 1000),
                              b.latencyUs[role].percentile(quantile) / 1000.0));
    }
    return points;
}

quint64 Timeline::pairs() const
{
    quint64 n = 0;
    for (const auto &row : m_matrix)
        for (quint64 v : row)
            n += v;
    return n;
}

quint64 Timeline::mismatches() const
{
    quint64 n = 0;
    for (int r = 0; r < ClassCount; ++r)
        for (int c = 0; c < ClassCount; ++c)
            n += r == c ? 0 : m_matrix[r][c];
    return n;
}

} // namespace Ui
