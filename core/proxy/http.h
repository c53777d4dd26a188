#pragma once

#include "routing/request.h"

#include <QByteArray>

#include <cstring>

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

// Keep-alive peers send the same header lines message after message. A header whose name (or
// value) has the bytes of the one at the same position in the previous message shares them
// instead of allocating: two allocations fewer per header line on the request path, where
// records are allocated in a worker and freed in the observe thread (malloc's slow path).
inline bool sameBytes(const QByteArray &a, const char *at, qsizetype len)
{
    return a.size() == len && std::memcmp(a.constData(), at, size_t(len)) == 0;
}
inline void appendHeaderName(Headers &headers, const Headers &previous, const char *at,
                             qsizetype len)
{
    const qsizetype i = headers.size();
    if (i < previous.size() && sameBytes(previous.at(i).first, at, len))
        headers.append({previous.at(i).first, QByteArray()});
    else
        headers.append({QByteArray(at, len), QByteArray()});
}
// The value's bytes arrive in one piece or more: only a first piece can be shared (appending
// to a shared value copies it first, so the result is right either way).
inline void appendHeaderValue(Headers &headers, const Headers &previous, const char *at,
                              qsizetype len)
{
    const qsizetype i = headers.size() - 1;
    QByteArray &value = headers.last().second;
    if (value.isNull() && i < previous.size() && sameBytes(previous.at(i).second, at, len))
        value = previous.at(i).second;
    else
        value.append(at, len);
}

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
