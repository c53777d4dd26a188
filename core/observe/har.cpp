#include "observe/har.h"

#include "proxy/http.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace Observe {

using namespace ExportText;

namespace {

using Headers = QList<QPair<QByteArray, QByteArray>>;

bool nameIs(const QByteArray &name, const char *literal)
{
    return name.compare(QByteArrayView(literal), Qt::CaseInsensitive) == 0;
}

QByteArray headerValue(const Headers &headers, const char *name)
{
    for (const auto &h : headers) {
        if (nameIs(h.first, name))
            return h.second;
    }
    return QByteArray();
}

QJsonObject nameValue(const QString &name, const QString &value)
{
    QJsonObject o;
    o[QStringLiteral("name")] = name;
    o[QStringLiteral("value")] = value;
    return o;
}

QString absoluteUrl(const Exchange &e)
{
    const QByteArray &path = e.path;
    if (path.startsWith("http://") || path.startsWith("https://"))
        return headerText(path);
    QByteArray authority = e.authority;
    if (authority.isEmpty()) // HTTP/1.0 without Host: name what it was routed to instead
        authority = e.primary.destination.host.isEmpty() ? QByteArrayLiteral("localhost")
                                                         : e.primary.destination.host.toUtf8();
    return QStringLiteral("http://") + headerText(authority) +
           (path.startsWith('/') ? headerText(path) : QLatin1Char('/') + headerText(path));
}

QJsonArray queryString(const QByteArray &path)
{
    QJsonArray out;
    const qsizetype question = path.indexOf('?');
    if (question < 0)
        return out;
    QByteArray query = path.mid(question + 1);
    const qsizetype hash = query.indexOf('#');
    if (hash >= 0)
        query.truncate(hash);
    for (const QByteArray &pair : query.split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype eq = pair.indexOf('=');
        const QByteArray name = eq < 0 ? pair : pair.left(eq);
        const QByteArray value = eq < 0 ? QByteArray() : pair.mid(eq + 1);
        out.append(nameValue(headerText(QByteArray::fromPercentEncoding(name)),
                             headerText(QByteArray::fromPercentEncoding(value))));
    }
    return out;
}

QJsonArray requestCookies(const Headers &headers)
{
    QJsonArray out;
    for (const auto &h : headers) {
        if (!nameIs(h.first, "cookie"))
            continue;
        for (const QByteArray &raw : h.second.split(';')) {
            const QByteArray pair = raw.trimmed();
            if (pair.isEmpty())
                continue;
            const qsizetype eq = pair.indexOf('=');
            out.append(nameValue(headerText(eq < 0 ? QByteArray() : pair.left(eq).trimmed()),
                                 headerText(eq < 0 ? pair : pair.mid(eq + 1).trimmed())));
        }
    }
    return out;
}

QJsonArray responseCookies(const Headers &headers)
{
    QJsonArray out;
    for (const auto &h : headers) {
        if (!nameIs(h.first, "set-cookie"))
            continue;
        const QList<QByteArray> parts = h.second.split(';');
        const QByteArray pair = parts.first().trimmed();
        const qsizetype eq = pair.indexOf('=');
        QJsonObject c = nameValue(headerText(eq < 0 ? QByteArray() : pair.left(eq).trimmed()),
                                  headerText(eq < 0 ? pair : pair.mid(eq + 1).trimmed()));
        for (qsizetype i = 1; i < parts.size(); ++i) {
            const QByteArray attribute = parts.at(i).trimmed();
            const qsizetype aeq = attribute.indexOf('=');
            const QByteArray key = (aeq < 0 ? attribute : attribute.left(aeq)).trimmed();
            const QString value = headerText(aeq < 0 ? QByteArray() : attribute.mid(aeq + 1));
            if (nameIs(key, "path"))
                c[QStringLiteral("path")] = value;
            else if (nameIs(key, "domain"))
                c[QStringLiteral("domain")] = value;
            else if (nameIs(key, "httponly"))
                c[QStringLiteral("httpOnly")] = true;
            else if (nameIs(key, "secure"))
                c[QStringLiteral("secure")] = true;
            // Expires stays in the Set-Cookie header: HAR wants ISO 8601, servers send
            // HTTP-dates, and a wrong conversion is worse than none.
        }
        out.append(c);
    }
    return out;
}

double ms(qint64 us)
{
    return us / 1000.0;
}

struct Timings
{
    double connect = -1;
    double wait = 0;
    double receive = 0;
    double total = 0;
};

Timings timingsOf(const Leg &leg)
{
    Timings t;
    if (leg.totalUs < 0)
        return t;
    const qint64 total = leg.totalUs;
    const qint64 connected = leg.connectUs >= 0 ? std::min(leg.connectUs, total) : 0;
    const qint64 firstByte =
        leg.firstByteUs >= 0 ? std::clamp(leg.firstByteUs, connected, total) : total;
    if (leg.connectUs >= 0)
        t.connect = ms(connected);
    t.wait = ms(firstByte - connected);
    t.receive = ms(total - firstByte);
    t.total = ms(total);
    return t;
}

QJsonObject content(const Leg &leg)
{
    QJsonObject c;
    c[QStringLiteral("size")] = leg.bodySize;
    const QByteArray type = headerValue(leg.responseHeaders, "content-type");
    c[QStringLiteral("mimeType")] =
        type.isEmpty() ? QStringLiteral("x-unknown") : headerText(type.trimmed());
    if (!leg.bodyPrefix.isEmpty()) {
        const bool truncated = leg.bodySize > leg.bodyPrefix.size();
        const Body b = body(leg.bodyPrefix, truncated);
        c[QStringLiteral("text")] = b.text;
        if (b.base64)
            c[QStringLiteral("encoding")] = QStringLiteral("base64");
        if (truncated)
            c[QStringLiteral("comment")] = QStringLiteral("body prefix: the first %1 of %2 bytes")
                                               .arg(leg.bodyPrefix.size())
                                               .arg(leg.bodySize);
    }
    return c;
}

QJsonObject request(const Exchange &e)
{
    QJsonObject r;
    r[QStringLiteral("method")] = QString::fromLatin1(e.method);
    r[QStringLiteral("url")] = absoluteUrl(e);
    r[QStringLiteral("httpVersion")] = QStringLiteral("HTTP/1.1");
    r[QStringLiteral("cookies")] = requestCookies(e.requestHeaders);
    QJsonArray headerList;
    if (!e.authority.isEmpty())
        headerList.append(nameValue(QStringLiteral("host"), headerText(e.authority)));
    for (const QJsonValue &h : headers(e.requestHeaders))
        headerList.append(h);
    r[QStringLiteral("headers")] = headerList;
    r[QStringLiteral("queryString")] = queryString(e.path);
    if (!e.requestBodyPrefix.isEmpty()) {
        const QByteArray type = headerValue(e.requestHeaders, "content-type");
        const bool truncated = e.requestBodySize > e.requestBodyPrefix.size();
        const Body b = body(e.requestBodyPrefix, truncated);
        QJsonObject post;
        post[QStringLiteral("mimeType")] =
            type.isEmpty() ? QStringLiteral("application/octet-stream") : headerText(type);
        post[QStringLiteral("text")] = b.text;
        if (b.base64) // HAR 1.2 has no postData encoding; the custom field says how to read it
            post[QStringLiteral("_encoding")] = QStringLiteral("base64");
        if (truncated)
            post[QStringLiteral("comment")] =
                QStringLiteral("body prefix: the first %1 of %2 bytes")
                    .arg(e.requestBodyPrefix.size())
                    .arg(e.requestBodySize);
        r[QStringLiteral("postData")] = post;
    }
    r[QStringLiteral("headersSize")] = -1;
    r[QStringLiteral("bodySize")] = e.requestBodySize;
    return r;
}

QJsonObject response(const Leg &leg)
{
    const bool answered = leg.status > 0;
    QJsonObject r;
    r[QStringLiteral("status")] = leg.status;
    QString reason;
    if (answered) {
        reason = QString::fromLatin1(Proxy::reasonPhrase(leg.status));
        if (reason == QLatin1String("Unknown"))
            reason.clear();
    }
    r[QStringLiteral("statusText")] = reason;
    r[QStringLiteral("httpVersion")] = answered ? QStringLiteral("HTTP/1.1") : QString();
    r[QStringLiteral("cookies")] = responseCookies(leg.responseHeaders);
    r[QStringLiteral("headers")] = headers(leg.responseHeaders);
    r[QStringLiteral("content")] = content(leg);
    r[QStringLiteral("redirectURL")] = headerText(headerValue(leg.responseHeaders, "location"));
    r[QStringLiteral("headersSize")] = -1;
    r[QStringLiteral("bodySize")] = answered ? leg.bodySize : qint64(-1);
    return r;
}

QJsonObject entry(const Exchange &e, const Leg &leg, bool mirror)
{
    const Timings t = timingsOf(leg);
    QJsonObject timings;
    timings[QStringLiteral("blocked")] = -1;
    timings[QStringLiteral("dns")] = -1;
    timings[QStringLiteral("ssl")] = -1;
    timings[QStringLiteral("connect")] = t.connect;
    timings[QStringLiteral("send")] = 0;
    timings[QStringLiteral("wait")] = t.wait;
    timings[QStringLiteral("receive")] = t.receive;

    QJsonObject o;
    o[QStringLiteral("startedDateTime")] = isoTime(e.start);
    o[QStringLiteral("time")] = t.total;
    o[QStringLiteral("request")] = request(e);
    o[QStringLiteral("response")] = response(leg);
    o[QStringLiteral("cache")] = QJsonObject();
    o[QStringLiteral("timings")] = timings;
    o[QStringLiteral("_requestId")] = headerText(e.requestId);
    o[QStringLiteral("_exchangeId")] = static_cast<qint64>(e.id);
    o[QStringLiteral("_leg")] = mirror ? QStringLiteral("mirror") : QStringLiteral("primary");
    o[QStringLiteral("_destination")] = destination(leg.destination);
    o[QStringLiteral("_endpoint")] = leg.endpoint;
    o[QStringLiteral("_outcome")] = outcomeName(leg.outcome);
    o[QStringLiteral("_dropReason")] = leg.dropReason;
    o[QStringLiteral("_error")] = leg.error;
    o[QStringLiteral("_virtualService")] = e.virtualService;
    o[QStringLiteral("_ruleIndex")] = e.ruleIndex;
    if (!e.ruleName.isEmpty())
        o[QStringLiteral("_rule")] = e.ruleName;
    o[QStringLiteral("_attempts")] = leg.attempts;
    return o;
}

} // namespace

HarWriter::~HarWriter()
{
    close(); // here, while tail() is still ours
}

QList<QJsonObject> HarWriter::entries(const Exchange &e)
{
    QList<QJsonObject> out;
    out.reserve(1 + e.mirrors.size());
    out.append(entry(e, e.primary, false));
    for (const Leg &m : e.mirrors)
        out.append(entry(e, m, true));
    return out;
}

QByteArray HarWriter::head()
{
    m_entries = 0;
    // Written by hand around the entries so the file can grow entry by entry; every value in
    // it goes through QJsonDocument, so it stays valid JSON.
    QJsonObject creator;
    creator[QStringLiteral("name")] = QStringLiteral("Mirrorscope");
    creator[QStringLiteral("version")] = QStringLiteral(MIRRORSCOPE_VERSION);
    const QString comment =
        options().mask
            ? QStringLiteral("Authorization, Proxy-Authorization, Cookie and Set-Cookie values "
                             "are masked")
            : QStringLiteral("not masked: credentials and cookies are as they were sent");
    return "{\"log\":{\"version\":\"1.2\",\"creator\":" +
           QJsonDocument(creator).toJson(QJsonDocument::Compact) + ",\"comment\":" +
           QJsonDocument(QJsonArray{comment}).toJson(QJsonDocument::Compact).mid(1).chopped(1) +
           ",\"pages\":[],\"entries\":[";
}

QByteArray HarWriter::record(const Exchange &exchange)
{
    QByteArray out;
    for (const QJsonObject &o : entries(exchange)) {
        out += m_entries++ == 0 ? "\n" : ",\n";
        out += QJsonDocument(o).toJson(QJsonDocument::Compact);
    }
    return out;
}

QByteArray HarWriter::tail()
{
    return "\n]}}\n";
}

bool writeHar(const QString &path, const QList<Exchange> &exchanges, const ExportOptions &options,
              QString *error)
{
    HarWriter w(options);
    bool ok = w.open(path) && w.write(exchanges);
    ok = w.close() && ok;
    if (!ok && error)
        *error = w.errorString();
    return ok;
}

QByteArray harDocument(const QList<Exchange> &exchanges, const ExportOptions &options)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    HarWriter w(options);
    w.open(&buffer);
    w.write(exchanges);
    w.close();
    return buffer.data();
}

} // namespace Observe
