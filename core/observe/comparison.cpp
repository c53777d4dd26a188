#include "observe/comparison.h"

namespace Observe {

// Placeholder until the body/header comparison lands: status and latency only.
struct Comparator::Private
{
    CompareOptions options;
};

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

QList<Comparison> Comparator::compare(const Exchange &exchange)
{
    QList<Comparison> out;
    out.reserve(exchange.mirrors.size());
    for (int i = 0; i < exchange.mirrors.size(); ++i) {
        const Leg &mirror = exchange.mirrors.at(i);
        Comparison c;
        c.mirrorIndex = i;
        c.comparable = exchange.primary.status > 0 && mirror.status > 0 &&
                       exchange.primary.outcome == Leg::Outcome::Completed;
        if (c.comparable) {
            c.primaryStatus = exchange.primary.status;
            c.mirrorStatus = mirror.status;
            c.statusEqual = c.primaryStatus == c.mirrorStatus;
            c.latencyDeltaUs = mirror.totalUs - exchange.primary.totalUs;
        }
        out.append(c);
    }
    return out;
}

} // namespace Observe
