#pragma once

#include <QtGlobal>

#include <random>

namespace Demo {

// Poisson arrivals: exponential gaps with mean 1/rate, from a seeded generator so a run can be
// repeated exactly. Open loop: the times do not depend on how fast anything answers.
class ArrivalSchedule
{
public:
    ArrivalSchedule(double ratePerSecond, quint64 seed);

    double ratePerSecond() const { return m_rate; }
    double nextGapUs(); // one exponential gap in microseconds
    double nextUs();    // absolute time of the next arrival, microseconds from the start
    double lastUs() const { return m_lastUs; }

private:
    double m_rate;
    std::mt19937_64 m_rng;
    std::exponential_distribution<double> m_gap;
    double m_lastUs = 0;
};

} // namespace Demo
