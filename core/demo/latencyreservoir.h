#pragma once

#include <QList>
#include <QtGlobal>

#include <random>

namespace Demo {

struct LatencySummary
{
    qint64 count = 0; // every sample seen, not only the kept ones
    qint64 meanUs = 0;
    qint64 p50Us = 0;
    qint64 p90Us = 0;
    qint64 p99Us = 0;
    qint64 maxUs = 0;
};

// Keeps a uniform sample of at most `capacity` latencies (reservoir sampling) so a long run
// has bounded memory; mean and max are exact.
class LatencyReservoir
{
public:
    explicit LatencyReservoir(int capacity = 10000, quint64 seed = 1);

    void add(qint64 us);
    void clear();
    LatencySummary summary() const;

private:
    int m_capacity;
    QList<qint64> m_samples;
    qint64 m_count = 0;
    double m_sum = 0;
    qint64 m_max = 0;
    std::mt19937_64 m_rng;
};

} // namespace Demo
