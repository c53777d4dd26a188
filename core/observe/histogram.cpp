#include "histogram.h"

#include <algorithm>
#include <cmath>

namespace Observe {

namespace {
constexpr int kLinearBits = 8;                     // values < 256 are exact
constexpr std::int64_t kLinear = 1 << kLinearBits; // 256
constexpr std::int64_t kHalf = kLinear / 2;        // 128 sub-buckets per power of two

int msb(std::uint64_t v)
{
    return 63 - __builtin_clzll(v);
}
} // namespace

std::size_t Histogram::bucketIndex(std::int64_t value)
{
    if (value < kLinear)
        return static_cast<std::size_t>(std::max<std::int64_t>(value, 0));
    const int shift = msb(static_cast<std::uint64_t>(value)) - (kLinearBits - 1);
    const std::int64_t sub = value >> shift; // in [128, 256)
    return static_cast<std::size_t>(kLinear + (shift - 1) * kHalf + (sub - kHalf));
}

std::int64_t Histogram::bucketLower(std::size_t index)
{
    const auto i = static_cast<std::int64_t>(index);
    if (i < kLinear)
        return i;
    const std::int64_t shift = (i - kLinear) / kHalf + 1;
    const std::int64_t sub = (i - kLinear) % kHalf + kHalf;
    return sub << shift;
}

std::int64_t Histogram::bucketUpper(std::size_t index)
{
    const auto i = static_cast<std::int64_t>(index);
    if (i < kLinear)
        return i;
    const std::int64_t shift = (i - kLinear) / kHalf + 1;
    return bucketLower(index) + (std::int64_t(1) << shift) - 1;
}

void Histogram::record(std::int64_t value, std::uint64_t count)
{
    if (count == 0)
        return;
    value = std::max<std::int64_t>(value, 0);
    const std::size_t index = bucketIndex(value);
    if (index >= m_counts.size())
        m_counts.resize(index + 1 + kHalf, 0);
    m_counts[index] += count;
    if (m_count == 0) {
        m_min = m_max = value;
    } else {
        m_min = std::min(m_min, value);
        m_max = std::max(m_max, value);
    }
    m_count += count;
    m_sum += value * static_cast<std::int64_t>(count);
}

void Histogram::merge(const Histogram &other)
{
    if (other.m_count == 0)
        return;
    if (other.m_counts.size() > m_counts.size())
        m_counts.resize(other.m_counts.size(), 0);
    for (std::size_t i = 0; i < other.m_counts.size(); ++i)
        m_counts[i] += other.m_counts[i];
    if (m_count == 0) {
        m_min = other.m_min;
        m_max = other.m_max;
    } else {
        m_min = std::min(m_min, other.m_min);
        m_max = std::max(m_max, other.m_max);
    }
    m_count += other.m_count;
    m_sum += other.m_sum;
}

void Histogram::clear()
{
    m_counts.clear();
    m_count = 0;
    m_min = m_max = m_sum = 0;
}

std::int64_t Histogram::percentile(double q) const
{
    if (m_count == 0)
        return 0;
    q = std::clamp(q, 0.0, 1.0);
    const auto rank = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(m_count))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < m_counts.size(); ++i) {
        seen += m_counts[i];
        if (seen >= rank) {
            const std::int64_t mid = (bucketLower(i) + bucketUpper(i) + 1) / 2;
            return std::clamp(mid, m_min, m_max);
        }
    }
    return m_max;
}

std::vector<Histogram::Bucket> Histogram::buckets() const
{
    std::vector<Bucket> out;
    for (std::size_t i = 0; i < m_counts.size(); ++i) {
        if (m_counts[i])
            out.push_back({bucketUpper(i), m_counts[i]});
    }
    return out;
}

std::uint64_t Histogram::countAtOrBelow(std::int64_t bound) const
{
    std::uint64_t n = 0;
    for (std::size_t i = 0; i < m_counts.size() && bucketLower(i) <= bound; ++i) {
        if (bucketUpper(i) <= bound)
            n += m_counts[i];
        else // partly below: count it only when the whole bucket's values are <= bound
            break;
    }
    return n;
}

} // namespace Observe
