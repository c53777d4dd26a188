#include "observe/masking.h"

namespace Observe::Masking {

namespace {

bool equalsIgnoreCase(const QByteArray &a, const char *literal)
{
    return a.compare(QByteArrayView(literal), Qt::CaseInsensitive) == 0;
}

// "name=value" -> "name=••••"; a pair without '=' is all value, as browsers read it.
QByteArray maskPair(const QByteArray &pair)
{
    const QByteArray trimmed = pair.trimmed();
    if (trimmed.isEmpty())
        return trimmed;
    const qsizetype eq = trimmed.indexOf('=');
    if (eq < 0)
        return mask();
    return trimmed.left(eq).trimmed() + '=' + mask();
}

} // namespace

QByteArray mask()
{
    return QByteArrayLiteral("\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2");
}

bool isSensitiveHeader(const QByteArray &name)
{
    return equalsIgnoreCase(name, "authorization") ||
           equalsIgnoreCase(name, "proxy-authorization") || equalsIgnoreCase(name, "cookie") ||
           equalsIgnoreCase(name, "set-cookie");
}

QByteArray maskCredentials(const QByteArray &value)
{
    const QByteArray trimmed = value.trimmed();
    if (trimmed.isEmpty())
        return trimmed;
    // The scheme is a token followed by whitespace ("Bearer x", "Basic x", "Digest a=b, ...").
    // A lone token has no scheme to keep: all of it may be the secret.
    const qsizetype space = trimmed.indexOf(' ');
    if (space <= 0)
        return mask();
    return trimmed.left(space) + ' ' + mask();
}

QByteArray maskCookieHeader(const QByteArray &value)
{
    QByteArray out;
    for (const QByteArray &pair : value.split(';')) {
        const QByteArray masked = maskPair(pair);
        if (masked.isEmpty())
            continue;
        if (!out.isEmpty())
            out += "; ";
        out += masked;
    }
    return out;
}

QByteArray maskSetCookie(const QByteArray &value)
{
    // Only the first pair is the cookie; the rest are attributes (Path, Expires, HttpOnly...).
    const qsizetype semicolon = value.indexOf(';');
    if (semicolon < 0)
        return maskPair(value);
    return maskPair(value.left(semicolon)) + value.mid(semicolon);
}

QByteArray maskHeaderValue(const QByteArray &name, const QByteArray &value)
{
    if (equalsIgnoreCase(name, "authorization") || equalsIgnoreCase(name, "proxy-authorization"))
        return maskCredentials(value);
    if (equalsIgnoreCase(name, "cookie"))
        return maskCookieHeader(value);
    if (equalsIgnoreCase(name, "set-cookie"))
        return maskSetCookie(value);
    return value;
}

Headers maskHeaders(const Headers &headers)
{
    Headers out = headers;
    for (auto &h : out)
        h.second = maskHeaderValue(h.first, h.second);
    return out;
}

Exchange maskExchange(const Exchange &exchange)
{
    Exchange out = exchange;
    out.requestHeaders = maskHeaders(exchange.requestHeaders);
    out.primary.responseHeaders = maskHeaders(exchange.primary.responseHeaders);
    for (Leg &m : out.mirrors)
        m.responseHeaders = maskHeaders(m.responseHeaders);
    return out;
}

} // namespace Observe::Masking
