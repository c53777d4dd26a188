#pragma once

#include "observe/exporters.h"

#include <QJsonObject>

namespace Observe {

// HTTP Archive 1.2 (http://www.softwareishard.com/blog/har-12-spec/), so a run opens in a
// browser's devtools (Network > Import HAR) or any HAR viewer.
//
// Each leg of an exchange is one entry: the primary first, then each mirror in order. The legs
// of one exchange share `_requestId` (the x-request-id every leg carried) and say which they
// are in `_leg` ("primary" | "mirror"); `_destination` is "host:subset", `_endpoint` the local
// address it was bound to, `_outcome` "completed" | "failed" | "sampled out" | "dropped" |
// "local", `_dropReason` and `_error` the reasons ("" when none), `_exchangeId` the proxy's
// sequence number.
//
// Legs that never sent (SampledOut, Dropped) are kept as entries, not left out: a request id
// then always shows all the legs the rule asked for, and the reason a mirror is missing is in
// the same place as the mirror. Such an entry has response.status 0 (what devtools show for a
// request without a response), statusText "", time 0, all timings 0 except the ones HAR lets
// be -1. A failed leg without an HTTP status (connect failure, reset) is status 0 as well.
//
// The request is the one the client sent (method, Host as `url` authority, path, headers);
// the mirror copy differs from it only in Host (the -shadow suffix, where the Istio version
// appends it) and the rule's header operations, which the record does not keep separately.
// Bodies are prefixes (the first KiBs); content.comment says when one is cut. headersSize is
// -1 (the record keeps the headers, not the bytes on the wire).
//
// Timings: `connect` is the time until the upstream connection was there (-1 when the record
// has none), `wait` from then to the first response byte, `receive` to the last; `send` is 0
// (the request is streamed through while it arrives); `time` = their sum = the leg's total.
class HarWriter : public StreamWriter
{
public:
    explicit HarWriter(const ExportOptions &options = {}) : StreamWriter(options) {}
    ~HarWriter() override;

    qint64 entriesWritten() const { return m_entries; }

    // The entries for one exchange (primary, then mirrors), already masked if wanted.
    static QList<QJsonObject> entries(const Exchange &exchange);

protected:
    QByteArray head() override;
    QByteArray record(const Exchange &exchange) override;
    QByteArray tail() override;

private:
    qint64 m_entries = 0;
};

bool writeHar(const QString &path, const QList<Exchange> &exchanges, const ExportOptions &options,
              QString *error);
// The whole document in memory (tests, clipboard).
QByteArray harDocument(const QList<Exchange> &exchanges, const ExportOptions &options = {});

} // namespace Observe
