#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

namespace Routing {

using Header = QPair<QByteArray, QByteArray>; // name as received, value
using Headers = QList<Header>;

// Case-insensitive header helpers over a Headers list (names compared with ASCII folding).
QByteArray headerValue(const Headers &headers, const QByteArray &name, bool *found = nullptr);
bool hasHeader(const Headers &headers, const QByteArray &name);
void setHeader(Headers &headers, const QByteArray &name, const QByteArray &value);
void addHeader(Headers &headers, const QByteArray &name, const QByteArray &value);
void removeHeader(Headers &headers, const QByteArray &name);

// What the route engine sees of a request: the head only, bytes as received.
struct RequestView
{
    QByteArray method = "GET";
    QByteArray scheme = "http";
    QByteArray authority; // Host header (or absolute-form authority), may carry ":port"
    QByteArray path = "/"; // origin-form target including the query string
    Headers headers;      // without Host
    quint16 port = 0;     // the port the proxy listens on (HTTPMatchRequest.port)
};

} // namespace Routing
