#pragma once

#include "routing/routedecision.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace Observe {

// One half of an exchange: what one upstream (the primary, or one mirror) did with the request.
//
// Legal combinations (checked by Exchange::isConsistent):
// - primary: Completed (status set), Failed (error set, status is what the client got: 503
//   connect failure, 504 timeout, 0 when the connection was reset mid-response), or Local (no
//   upstream: redirect, direct response, fault abort, no route; status = what was answered).
// - mirror: Completed, Failed (error set, status 0 unless an HTTP status arrived), SampledOut
//   (the percentage said no: nothing sent), Dropped (dropReason set: a bound was hit, nothing
//   or not all was sent). A mirror never exists when the primary is Local.
struct Leg
{
    enum class Outcome { Completed, Failed, SampledOut, Dropped, Local };
    Routing::Target destination;
    QString endpoint; // "127.0.0.1:3001" or "demo:v2"
    Outcome outcome = Outcome::Completed;
    QString error;      // "connect failure", "timeout", "reset", "bad response", ...
    QString dropReason; // "in-flight limit", "body over buffer limit", "read-only mirroring",
                        // "unbound destination"
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> responseHeaders;
    QByteArray bodyPrefix; // first N KiB of the response body
    qint64 bodySize = 0;
    quint64 bodyHash = 0;  // hash of the whole body (FNV-1a 64)
    // Timings in microseconds from the exchange start; -1 = did not happen.
    qint64 connectUs = -1;
    qint64 firstByteUs = -1;
    qint64 totalUs = -1;
    int attempts = 1; // 1 + retries made
};

struct Exchange
{
    quint64 id = 0;
    QByteArray requestId; // x-request-id, generated when absent; the same on every leg
    QDateTime start;      // wall clock, UTC
    qint64 startUs = 0;   // monotonic clock
    QByteArray method;
    QByteArray authority;
    QByteArray path;
    QList<QPair<QByteArray, QByteArray>> requestHeaders;
    QByteArray requestBodyPrefix;
    qint64 requestBodySize = 0;
    QString virtualService;
    int ruleIndex = -1;
    QString ruleName;
    Leg primary;
    QList<Leg> mirrors;

    bool isConsistent() const;
};

} // namespace Observe
