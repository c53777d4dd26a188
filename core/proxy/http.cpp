#include "proxy/http.h"

#include <QRandomGenerator>

#include <chrono>

namespace Proxy {

static inline char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
}

bool equalsIgnoreCase(const char *a, qsizetype an, const char *b, qsizetype bn)
{
    if (an != bn)
        return false;
    for (qsizetype i = 0; i < an; ++i) {
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

const QByteArray *findHeader(const Headers &headers, const char *name, qsizetype len)
{
    for (const Header &h : headers) {
        if (equalsIgnoreCase(h.first.constData(), h.first.size(), name, len))
            return &h.second;
    }
    return nullptr;
}

void removeHeaders(Headers &headers, const QByteArray &name)
{
    headers.removeIf([&](const Header &h) { return equalsIgnoreCase(h.first, name); });
}

void setHeaderValue(Headers &headers, const QByteArray &name, const QByteArray &value)
{
    for (qsizetype i = 0; i < headers.size(); ++i) {
        if (equalsIgnoreCase(headers.at(i).first, name)) {
            headers[i].second = value;
            // Later duplicates would contradict the value just set.
            for (qsizetype j = headers.size() - 1; j > i; --j) {
                if (equalsIgnoreCase(headers.at(j).first, name))
                    headers.removeAt(j);
            }
            return;
        }
    }
    headers.append({name, value});
}

bool isHopByHopOrFraming(const QByteArray &n)
{
    switch (n.size()) {
    case 2:
        return is(n, "te");
    case 7:
        return is(n, "upgrade") || is(n, "trailer");
    case 6:
        return is(n, "expect");
    case 10:
        return is(n, "connection") || is(n, "keep-alive");
    case 14:
        return is(n, "content-length");
    case 16:
        return is(n, "proxy-connection");
    case 17:
        return is(n, "transfer-encoding");
    default:
        return false;
    }
}

bool listedInConnection(const QByteArray &value, const QByteArray &name)
{
    qsizetype start = 0;
    while (start <= value.size()) {
        qsizetype end = value.indexOf(',', start);
        if (end < 0)
            end = value.size();
        QByteArray token = value.mid(start, end - start).trimmed();
        if (equalsIgnoreCase(token, name))
            return true;
        start = end + 1;
    }
    return false;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return QByteArrayLiteral("Continue");
    case 200:
        return QByteArrayLiteral("OK");
    case 201:
        return QByteArrayLiteral("Created");
    case 202:
        return QByteArrayLiteral("Accepted");
    case 204:
        return QByteArrayLiteral("No Content");
    case 301:
        return QByteArrayLiteral("Moved Permanently");
    case 302:
        return QByteArrayLiteral("Found");
    case 303:
        return QByteArrayLiteral("See Other");
    case 304:
        return QByteArrayLiteral("Not Modified");
    case 307:
        return QByteArrayLiteral("Temporary Redirect");
    case 308:
        return QByteArrayLiteral("Permanent Redirect");
    case 400:
        return QByteArrayLiteral("Bad Request");
    case 401:
        return QByteArrayLiteral("Unauthorized");
    case 403:
        return QByteArrayLiteral("Forbidden");
    case 404:
        return QByteArrayLiteral("Not Found");
    case 405:
        return QByteArrayLiteral("Method Not Allowed");
    case 408:
        return QByteArrayLiteral("Request Timeout");
    case 413:
        return QByteArrayLiteral("Payload Too Large");
    case 429:
        return QByteArrayLiteral("Too Many Requests");
    case 431:
        return QByteArrayLiteral("Request Header Fields Too Large");
    case 500:
        return QByteArrayLiteral("Internal Server Error");
    case 501:
        return QByteArrayLiteral("Not Implemented");
    case 502:
        return QByteArrayLiteral("Bad Gateway");
    case 503:
        return QByteArrayLiteral("Service Unavailable");
    case 504:
        return QByteArrayLiteral("Gateway Timeout");
    default:
        return QByteArrayLiteral("Unknown");
    }
}

QByteArray localResponse(int status, const QByteArray &body, bool close, const Headers &extra,
                         bool headRequest)
{
    QByteArray out;
    out.reserve(160 + body.size());
    out += "HTTP/1.1 ";
    out += QByteArray::number(status);
    out += ' ';
    out += reasonPhrase(status);
    out += "\r\n";
    bool hasType = false;
    for (const Header &h : extra) {
        hasType = hasType || is(h.first, "content-type");
        out += h.first;
        out += ": ";
        out += h.second;
        out += "\r\n";
    }
    if (!body.isEmpty() && !hasType)
        out += "content-type: text/plain\r\n";
    if (status >= 200 && status != 204 && status != 304) {
        out += "content-length: ";
        out += QByteArray::number(body.size());
        out += "\r\n";
    }
    if (close)
        out += "connection: close\r\n";
    out += "\r\n";
    if (!headRequest && status >= 200 && status != 204 && status != 304)
        out += body;
    return out;
}

void appendChunk(QByteArray &out, const char *data, qsizetype len)
{
    if (len <= 0)
        return;
    out += QByteArray::number(qulonglong(len), 16);
    out += "\r\n";
    out.append(data, len);
    out += "\r\n";
}

QByteArray generateRequestId()
{
    // RFC 4122 version 4, from the per-thread-safe global generator.
    quint32 r[4];
    QRandomGenerator::global()->fillRange(r, 4);
    uchar b[16];
    memcpy(b, r, 16);
    b[6] = uchar((b[6] & 0x0f) | 0x40);
    b[8] = uchar((b[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    QByteArray out(36, Qt::Uninitialized);
    char *p = out.data();
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 15];
    }
    return out;
}

qint64 monotonicUs()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

} // namespace Proxy
