#include "observe/exchange.h"

namespace Observe {

// The rules written beside the type in exchange.h, as code. Views and exporters may rely on
// them (a Completed leg has a status, a Dropped leg a reason, ...).
static bool legTimingsConsistent(const Leg &leg)
{
    if (leg.connectUs < -1 || leg.firstByteUs < -1 || leg.totalUs < -1)
        return false;
    if (leg.firstByteUs >= 0 && leg.totalUs >= 0 && leg.firstByteUs > leg.totalUs)
        return false;
    return leg.bodySize >= leg.bodyPrefix.size() && leg.attempts >= 1;
}

static bool isHttpStatus(int status)
{
    return status >= 100 && status <= 599;
}

static bool primaryConsistent(const Leg &leg)
{
    if (!legTimingsConsistent(leg) || !leg.dropReason.isEmpty())
        return false;
    switch (leg.outcome) {
    case Leg::Outcome::Completed:
    case Leg::Outcome::Local:
        return isHttpStatus(leg.status) && leg.error.isEmpty();
    case Leg::Outcome::Failed:
        return !leg.error.isEmpty() && (leg.status == 0 || isHttpStatus(leg.status));
    case Leg::Outcome::SampledOut:
    case Leg::Outcome::Dropped:
        return false;
    }
    return false;
}

static bool mirrorConsistent(const Leg &leg)
{
    if (!legTimingsConsistent(leg))
        return false;
    switch (leg.outcome) {
    case Leg::Outcome::Completed:
        return isHttpStatus(leg.status) && leg.error.isEmpty() && leg.dropReason.isEmpty();
    case Leg::Outcome::Failed:
        return !leg.error.isEmpty() && leg.dropReason.isEmpty() &&
               (leg.status == 0 || isHttpStatus(leg.status));
    case Leg::Outcome::SampledOut:
        return leg.status == 0 && leg.error.isEmpty() && leg.dropReason.isEmpty() &&
               leg.bodySize == 0 && leg.responseHeaders.isEmpty();
    case Leg::Outcome::Dropped:
        return !leg.dropReason.isEmpty() && leg.error.isEmpty() && leg.status == 0;
    case Leg::Outcome::Local:
        return false;
    }
    return false;
}

bool Exchange::isConsistent() const
{
    if (requestBodySize < requestBodyPrefix.size())
        return false;
    if (!primaryConsistent(primary))
        return false;
    if (primary.outcome == Leg::Outcome::Local && !mirrors.isEmpty())
        return false;
    for (const Leg &mirror : mirrors) {
        if (!mirrorConsistent(mirror))
            return false;
    }
    return true;
}

} // namespace Observe
