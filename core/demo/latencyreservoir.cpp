#include "demo/latencyreservoir.h"

#include <algorithm>
#include <cmath>

namespace Demo {

LatencyReservoir::LatencyReservoir(int capacity, quint64 seed)
    : m_capacity(std::max(1, capacity)), m_rng(seed)
{
}

void LatencyReservoir::add(qint64 us)
{
    ++m_count;
    m_sum += static_cast<double>(us);
    m_max = std::max(m_max, us);
    if (m_samples.size() < m_capacity) {
        m_samples.append(us);
        return;
    }
    const qint64 slot = std::uniform_int_distribution<qint64>(0, m_count - 1)(m_rng);
    if (slot < m_capacity)
        m_samples[slot] = us;
}

void LatencyReservoir::clear()
{
    m_samples.clear();
    m_count = 0;
    m_sum = 0;
    m_max = 0;
}

LatencySummary LatencyReservoir::summary() const
{
    LatencySummary s;
    s.count = m_count;
    if (m_samples.isEmpty())
        return s;
    QList<qint64> sorted = m_samples;
    std::sort(sorted.begin(), sorted.end());
    // Nearest-rank percentile.
    const auto rank = [&sorted](double q) {
        const qsizetype n = sorted.size();
        const qsizetype index = static_cast<qsizetype>(std::ceil(q * static_cast<double>(n))) - 1;
        return sorted.at(std::clamp<qsizetype>(index, 0, n - 1));
    };
    s.meanUs = static_cast<qint64>(std::llround(m_sum / static_cast<double>(m_count)));
    s.p50Us = rank(0.50);
    s.p90Us = rank(0.90);
    s.p99Us = rank(0.99);
    s.maxUs = m_max;
    return s;
}

} // namespace Demo
