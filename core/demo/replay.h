#pragma once

#include "demo/requestmix.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Observe {
struct Exchange;
}

namespace Demo {

// One recorded request the generator sends again, as it was ("{id}" is not substituted).
struct ReplayRequest
{
    RequestTemplate request; // method, path (with query), headers, body; weight unused
    QByteArray host;         // the recorded Host; empty: the generator's host
    qint64 offsetUs = 0;     // since the first request of the recording
};

struct ReplaySource
{
    QList<ReplayRequest> requests; // by offset, earliest first
    int entries = 0;               // what the source held
    int skippedMirrors = 0;        // HAR: Mirrorscope's mirror legs (copies of a primary)
    int skippedUnsent = 0;         // exchanges the proxy refused before routing (no method)
    int truncatedBodies = 0;       // only a prefix of the body was recorded: that is sent
};

// Reads the requests of a HAR 1.2 log (Mirrorscope's own, a browser's, any HAR tool's). The
// legs Mirrorscope wrote as `_leg: "mirror"` are skipped: they are copies of the primary's
// request, and replaying them would send each request twice. HTTP/2 pseudo-headers, Host
// (kept in `host`), hop-by-hop and framing headers and x-request-id (each replay gets a fresh
// one) are left out of the headers. False: *error names the place ("entry 3:
// request.url: ..."), and *out is left empty.
bool readHar(const QByteArray &json, ReplaySource *out, QString *error);
bool readHarFile(const QString &path, ReplaySource *out, QString *error);

// The requests of recorded exchanges (the log), at their recorded pacing. Only the recorded
// prefix of a request body exists; that is what is sent (truncatedBodies counts them).
ReplaySource replayFromExchanges(const QList<Observe::Exchange> &exchanges);

// The bytes of one replayed HTTP/1.1 request (keep-alive, Content-Length when there is a body).
QByteArray renderReplay(const ReplayRequest &replay, const QByteArray &defaultHost,
                        const QByteArray &requestId);

} // namespace Demo
