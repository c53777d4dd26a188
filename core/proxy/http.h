#pragma once

#include "routing/request.h"

#include <QByteArray>

namespace Proxy {

using Routing::Header;
using Routing::Headers;

// Byte-level helpers for the request path: no QString, no locale.
bool equalsIgnoreCase(const char *a, qsizetype an, const char *b, qsizetype bn);
inline bool equalsIgnoreCase(const QByteArray &a, const char *b, qsizetype bn)
{
    return equalsIgnoreCase(a.constData(), a.size(), b, bn);
}
inline bool equalsIgnoreCase(const QByteArray &a, const QByteArray &b)
{
    return equalsIgnoreCase(a.constData(), a.size(), b.constData(), b.size());
}
template <qsizetype N> inline bool is(const QByteArray &name, const char (&literal)[N])
{
    return equalsIgnoreCase(name.constData(), name.size(), literal, N - 1);
}

const QByteArray *findHeader(const Headers &headers, const char *name, qsizetype len);
template <qsizetype N>
inline const QByteArray *findHeader(const Headers &headers, const char (&literal)[N])
{
    return findHeader(headers, literal, N - 1);
}
void setHeaderValue(Headers &headers, const QByteArray &name, const QByteArray &value);
void removeHeaders(Headers &headers, const QByteArray &name);

// Hop-by-hop headers (RFC 9110 §7.6.1) plus the framing headers the proxy rewrites itself.
bool isHopByHopOrFraming(const QByteArray &name);
// Names listed in a Connection header value (also hop-by-hop for this message).
bool listedInConnection(const QByteArray &connectionValue, const QByteArray &name);

QByteArray reasonPhrase(int status);
// A complete response from the proxy itself (errors, direct responses, redirects).
QByteArray localResponse(int status, const QByteArray &body, bool close, const Headers &extra = {},
                         bool headRequest = false);

void appendChunk(QByteArray &out, const char *data, qsizetype len); // one chunk, chunked coding
QByteArray generateRequestId();
qint64 monotonicUs();

struct Fnv1a
{
    quint64 hash = 14695981039346656037ull;
    void add(const char *data, qsizetype len)
    {
        quint64 h = hash;
        for (qsizetype i = 0; i < len; ++i) {
            h ^= quint8(data[i]);
            h *= 1099511628211ull;
        }
        hash = h;
    }
};

// The response half the proxy reads from an upstream (primary or mirror).
struct ResponseHead
{
    int status = 0;
    int httpMinor = 1;
    QByteArray reason;
    Headers headers;           // as received, framing headers included
    qint64 contentLength = -1; // -1: not given
    bool chunked = false;
    bool noBody = false; // HEAD request, 204, 304
    bool keepAlive = true;
};

} // namespace Proxy
