#include "observe/endpoint.h"

namespace Observe {

namespace {

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool isHexLetter(char c)
{
    return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool isLetter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// 8-4-4-4-12 hex digits.
bool isUuid(const char *s, qsizetype n)
{
    if (n != 36)
        return false;
    for (qsizetype i = 0; i < n; ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !(isDigit(s[i]) || isHexLetter(s[i])))
            return false;
    }
    return true;
}

// Drops "http://host" from an absolute-form target (the proxy refuses those, yet the record
// keeps what came).
QByteArrayView pathPart(const QByteArray &path)
{
    QByteArrayView view(path);
    const qsizetype end = view.indexOf('?');
    if (end >= 0)
        view = view.first(end);
    const qsizetype hash = view.indexOf('#');
    if (hash >= 0)
        view = view.first(hash);
    if (!view.startsWith('/')) {
        const qsizetype scheme = view.indexOf("://");
        if (scheme > 0) {
            const qsizetype slash = view.indexOf('/', scheme + 3);
            view = slash >= 0 ? view.sliced(slash) : QByteArrayView();
        }
    }
    return view;
}

} // namespace

bool isIdentifierSegment(const char *s, qsizetype n)
{
    if (n <= 0)
        return false;
    qsizetype digits = 0, hexLetters = 0, letters = 0, numberPunct = 0, tokenPunct = 0;
    bool at = false;
    bool other = false;
    for (qsizetype i = 0; i < n; ++i) {
        const char c = s[i];
        if (isDigit(c)) {
            ++digits;
        } else if (isLetter(c)) {
            ++letters;
            if (isHexLetter(c))
                ++hexLetters;
        } else if (c == '-' || c == '.' || c == '_' || c == ':') {
            ++numberPunct;
        } else if (c == '=' || c == '+' || c == '~') {
            ++tokenPunct;
        } else if (c == '@') {
            at = true;
        } else if (c == '%' && i + 2 < n && s[i + 1] == '4' && s[i + 2] == '0') {
            at = true; // "%40": an escaped '@'
        } else {
            other = true;
        }
    }
    if (digits == n)
        return true;
    if (isUuid(s, n))
        return true;
    if (digits > 0 && digits + hexLetters == n && n >= 8)
        return true;
    if (digits > 0 && letters == 0 && digits + numberPunct == n)
        return true; // 2024-01-31, 4.17.21, 12:30
    if (at && n >= 3 && s[0] != '@')
        return true;
    if (!other && !at && n >= 20 && digits > 0 && letters > 0 &&
        digits + letters + numberPunct + tokenPunct == n)
        return true; // base64 / base64url / JWT-ish tokens
    return false;
}

QString endpointTemplate(const QByteArray &method, const QByteArray &path)
{
    const QByteArrayView view = pathPart(path);
    QByteArray out;
    out.reserve(method.size() + view.size() + 8);
    out.append(method.isEmpty() ? QByteArrayView("-") : QByteArrayView(method));
    out.append(' ');
    if (view.isEmpty()) {
        out.append('/');
        return QString::fromUtf8(out);
    }
    qsizetype start = 0;
    while (start <= view.size()) {
        qsizetype end = view.indexOf('/', start);
        if (end < 0)
            end = view.size();
        const QByteArrayView segment = view.sliced(start, end - start);
        if (isIdentifierSegment(segment.data(), segment.size()))
            out.append("{id}");
        else
            out.append(segment);
        if (end < view.size())
            out.append('/');
        start = end + 1;
    }
    return QString::fromUtf8(out);
}

} // namespace Observe
