#pragma once

#include "observe/exchange.h"

#include <memory>

namespace Proxy {

// An Exchange whose legs are still running. The primary and each mirror sent hold a reference;
// the last leg to finish hands the record to the recorder (Worker::legDone). Worker-thread only.
struct PendingExchange
{
    Observe::Exchange exchange;
    int pendingLegs = 1; // the primary, plus one per mirror handed to the sender
};
using ExchangePtr = std::shared_ptr<PendingExchange>;

} // namespace Proxy
