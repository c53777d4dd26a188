#include "demo/arrivalschedule.h"

#include <algorithm>

namespace Demo {

ArrivalSchedule::ArrivalSchedule(double ratePerSecond, quint64 seed)
    : m_rate(std::max(ratePerSecond, 1e-6)), m_rng(seed), m_gap(m_rate / 1e6)
{
}

double ArrivalSchedule::nextGapUs()
{
    return m_gap(m_rng);
}

double ArrivalSchedule::nextUs()
{
    m_lastUs += nextGapUs();
    return m_lastUs;
}

} // namespace Demo
