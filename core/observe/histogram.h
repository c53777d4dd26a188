#pragma once

#include <cstdint>
#include <vector>

namespace Observe {

// Log-linear latency histogram (HdrHistogram's layout; Debian 12 packages no C++ HdrHistogram):
// values below 256 have a bucket each, above that every power of two is split into 128 equal
// buckets, so a bucket is at most 1/128 of its value wide and a percentile read at the bucket's
// middle is within 0.4 % of the exact one. Mergeable (add the counts), grows on demand, about
// 1 KiB per decade of range in use. Values are non-negative integers (microseconds here).
class Histogram
{
public:
    void record(std::int64_t value, std::uint64_t count = 1);
    void merge(const Histogram &other);
    void clear();

    std::uint64_t count() const { return m_count; }
    std::int64_t min() const { return m_count ? m_min : 0; }
    std::int64_t max() const { return m_count ? m_max : 0; }
    double mean() const { return m_count ? static_cast<double>(m_sum) / m_count : 0.0; }
    // q in [0, 1]: the value at rank ceil(q * count), 0 when empty.
    std::int64_t percentile(double q) const;

    // Buckets in use, for charts and Prometheus: upper bound of each bucket (inclusive) and
    // its count, in increasing order, empty buckets skipped.
    struct Bucket
    {
        std::int64_t upper;
        std::uint64_t count;
    };
    std::vector<Bucket> buckets() const;
    // Count of values <= bound (Prometheus' cumulative `le` buckets).
    std::uint64_t countAtOrBelow(std::int64_t bound) const;

    static std::size_t bucketIndex(std::int64_t value);
    static std::int64_t bucketLower(std::size_t index);
    static std::int64_t bucketUpper(std::size_t index);

private:
    std::vector<std::uint64_t> m_counts;
    std::uint64_t m_count = 0;
    std::int64_t m_min = 0;
    std::int64_t m_max = 0;
    std::int64_t m_sum = 0;
};

} // namespace Observe
