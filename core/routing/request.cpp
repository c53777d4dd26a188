#include "routing/request.h"

namespace Routing {

namespace {

// Header names are ASCII tokens, so folding A-Z is all HTTP's case-insensitivity needs.
bool sameName(const QByteArray &a, const QByteArray &b)
{
    return a.size() == b.size() && qstrnicmp(a.constData(), b.constData(), a.size()) == 0;
}

} // namespace

QByteArray headerValue(const Headers &headers, const QByteArray &name, bool *found)
{
    for (const Header &h : headers) {
        if (sameName(h.first, name)) {
            if (found)
                *found = true;
            return h.second;
        }
    }
    if (found)
        *found = false;
    return QByteArray();
}

bool hasHeader(const Headers &headers, const QByteArray &name)
{
    for (const Header &h : headers) {
        if (sameName(h.first, name))
            return true;
    }
    return false;
}

// Envoy's OVERWRITE_IF_EXISTS_OR_ADD: one header remains, at the place of the first one, so
// the order a backend sees stays as the client sent it.
void setHeader(Headers &headers, const QByteArray &name, const QByteArray &value)
{
    qsizetype first = -1;
    for (qsizetype i = 0; i < headers.size();) {
        if (sameName(headers.at(i).first, name)) {
            if (first < 0) {
                first = i;
                headers[i] = Header(name, value);
                ++i;
            } else {
                headers.removeAt(i);
            }
        } else {
            ++i;
        }
    }
    if (first < 0)
        headers.append(Header(name, value));
}

// Envoy's APPEND_IF_EXISTS_OR_ADD appends another entry (a separate header line on
// HTTP/1.1, which RFC 9110 defines as equal to the comma-joined value).
void addHeader(Headers &headers, const QByteArray &name, const QByteArray &value)
{
    headers.append(Header(name, value));
}

void removeHeader(Headers &headers, const QByteArray &name)
{
    headers.removeIf([&name](const Header &h) { return sameName(h.first, name); });
}

} // namespace Routing
