#include "demo/replay.h"

#include "observe/exchange.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <limits>

namespace Demo {

namespace {

using Headers = QList<QPair<QByteArray, QByteArray>>;

// Headers a replay must not copy: the connection's own (hop-by-hop, framing), the Host (it is
// written from `host`), and the request id (each replay is a new request and gets a new one).
bool dropHeader(const QByteArray &name)
{
    static const char *const dropped[] = {
        "host", "content-length",   "transfer-encoding", "connection",  "keep-alive", "upgrade",
        "te",   "proxy-connection", "trailer",           "x-request-id"};
    if (name.startsWith(':')) // HTTP/2 pseudo-headers in browsers' HARs
        return true;
    for (const char *d : dropped)
        if (name.compare(QByteArrayView(d), Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

bool isToken(const QByteArray &s)
{
    if (s.isEmpty())
        return false;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 32 || u >= 127 || QByteArrayView("()<>@,;:\\\"/[]?={}").contains(c))
            return false;
    }
    return true;
}

bool hasLineBreakOrNul(const QByteArray &s)
{
    return s.contains('\r') || s.contains('\n') || s.contains('\0');
}

bool hasSpaceOrControl(const QByteArray &s)
{
    return std::any_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) <= 32 || c == 127; });
}

// "http://host:port/path?q#frag" → authority and "/path?q"; "/path" → path. False otherwise.
bool splitUrl(const QByteArray &url, QByteArray *authority, QByteArray *path)
{
    QByteArray rest;
    if (url.startsWith('/')) {
        *path = url;
    } else {
        const QByteArray lower = url.left(8).toLower();
        qsizetype schemeEnd = -1;
        if (lower.startsWith("http://"))
            schemeEnd = 7;
        else if (lower.startsWith("https://"))
            schemeEnd = 8;
        if (schemeEnd < 0)
            return false;
        rest = url.mid(schemeEnd);
        qsizetype slash = rest.indexOf('/');
        const qsizetype question = rest.indexOf('?');
        if (question >= 0 && (slash < 0 || question < slash))
            slash = question; // "http://host?x" has an empty path
        *authority = slash < 0 ? rest : rest.left(slash);
        const qsizetype at = authority->lastIndexOf('@'); // user info is not part of Host
        if (at >= 0)
            *authority = authority->mid(at + 1);
        if (authority->isEmpty())
            return false;
        *path = slash < 0 ? QByteArray("/") : rest.mid(slash);
        if (path->startsWith('?'))
            path->prepend('/');
    }
    const qsizetype hash = path->indexOf('#'); // fragments never go on the wire
    if (hash >= 0)
        path->truncate(hash);
    return true;
}

QString quoted(const QString &s)
{
    return QLatin1Char('"') + (s.size() > 80 ? s.left(77) + QStringLiteral("...") : s) +
           QLatin1Char('"');
}

class HarReader
{
public:
    bool read(const QByteArray &json, ReplaySource *out, QString *error);

private:
    bool fail(const QString &where, const QString &what)
    {
        m_error = where + QStringLiteral(": ") + what;
        return false;
    }
    bool readEntry(int index, const QJsonValue &value, ReplaySource *out, QDateTime *started);
    bool readHeaders(const QString &where, const QJsonObject &request, Headers *headers,
                     QByteArray *host);
    bool readBody(const QString &where, const QJsonObject &request, Headers *headers,
                  QByteArray *body);

    QString m_error;
};

bool HarReader::read(const QByteArray &json, ReplaySource *out, QString *error)
{
    *out = ReplaySource();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    bool ok = false;
    if (parseError.error != QJsonParseError::NoError) {
        fail(QStringLiteral("not JSON"),
             QStringLiteral("%1 at byte %2").arg(parseError.errorString()).arg(parseError.offset));
    } else if (!doc.isObject() || !doc.object().value(QLatin1String("log")).isObject()) {
        fail(QStringLiteral("log"), QStringLiteral("missing or not an object (not a HAR file)"));
    } else if (!doc.object()
                    .value(QLatin1String("log"))
                    .toObject()
                    .value(QLatin1String("entries"))
                    .isArray()) {
        fail(QStringLiteral("log.entries"), QStringLiteral("missing or not an array"));
    } else {
        const QJsonArray entries = doc.object()
                                       .value(QLatin1String("log"))
                                       .toObject()
                                       .value(QLatin1String("entries"))
                                       .toArray();
        out->entries = int(entries.size());
        QList<QDateTime> starts;
        ok = true;
        for (int i = 0; i < entries.size() && ok; ++i) {
            QDateTime started;
            const qsizetype before = out->requests.size();
            ok = readEntry(i, entries.at(i), out, &started);
            if (ok && out->requests.size() > before)
                starts.append(started);
        }
        if (ok && !starts.isEmpty()) {
            // Offsets from the earliest entry; the order is the recording's (stable by time).
            const QDateTime first = *std::min_element(starts.begin(), starts.end());
            for (qsizetype i = 0; i < starts.size(); ++i)
                out->requests[i].offsetUs = first.msecsTo(starts.at(i)) * 1000;
            std::stable_sort(out->requests.begin(), out->requests.end(),
                             [](const ReplayRequest &a, const ReplayRequest &b) {
                                 return a.offsetUs < b.offsetUs;
                             });
        }
    }
    if (!ok) {
        *out = ReplaySource();
        if (error)
            *error = m_error;
    }
    return ok;
}

bool HarReader::readEntry(int index, const QJsonValue &value, ReplaySource *out, QDateTime *started)
{
    const QString where = QStringLiteral("entry %1").arg(index);
    if (!value.isObject())
        return fail(where, QStringLiteral("not an object"));
    const QJsonObject entry = value.toObject();
    if (entry.value(QLatin1String("_leg")).toString() == QLatin1String("mirror")) {
        ++out->skippedMirrors;
        return true;
    }
    const QJsonValue startedValue = entry.value(QLatin1String("startedDateTime"));
    if (!startedValue.isString())
        return fail(where + QStringLiteral(": startedDateTime"),
                    QStringLiteral("missing or not a string"));
    *started = QDateTime::fromString(startedValue.toString(), Qt::ISODateWithMs);
    if (!started->isValid())
        return fail(where + QStringLiteral(": startedDateTime"),
                    quoted(startedValue.toString()) +
                        QStringLiteral(" is not an ISO 8601 date and time"));

    if (!entry.value(QLatin1String("request")).isObject())
        return fail(where + QStringLiteral(": request"),
                    QStringLiteral("missing or not an object"));
    const QJsonObject request = entry.value(QLatin1String("request")).toObject();

    ReplayRequest replay;
    const QJsonValue method = request.value(QLatin1String("method"));
    if (!method.isString())
        return fail(where + QStringLiteral(": request.method"),
                    QStringLiteral("missing or not a string"));
    replay.request.method = method.toString().toUtf8();
    if (!isToken(replay.request.method))
        return fail(where + QStringLiteral(": request.method"),
                    quoted(method.toString()) + QStringLiteral(" is not an HTTP method"));

    const QJsonValue url = request.value(QLatin1String("url"));
    if (!url.isString())
        return fail(where + QStringLiteral(": request.url"),
                    QStringLiteral("missing or not a string"));
    const QByteArray urlBytes = url.toString().toUtf8();
    if (!splitUrl(urlBytes, &replay.host, &replay.request.path))
        return fail(where + QStringLiteral(": request.url"),
                    quoted(url.toString()) +
                        QStringLiteral(" is neither an http(s) URL nor a path starting with /"));
    if (hasSpaceOrControl(replay.request.path))
        return fail(where + QStringLiteral(": request.url"),
                    quoted(url.toString()) +
                        QStringLiteral(" has a space or control character in its path"));

    const QString requestWhere = where + QStringLiteral(": request");
    if (!readHeaders(requestWhere, request, &replay.request.headers, &replay.host))
        return false;
    if (!readBody(requestWhere, request, &replay.request.headers, &replay.request.body))
        return false;
    if (hasSpaceOrControl(replay.host))
        return fail(where + QStringLiteral(": request.url"),
                    quoted(QString::fromUtf8(replay.host)) + QStringLiteral(" is not a host"));
    out->requests.append(replay);
    return true;
}

bool HarReader::readHeaders(const QString &where, const QJsonObject &request, Headers *headers,
                            QByteArray *host)
{
    const QJsonValue list = request.value(QLatin1String("headers"));
    if (list.isUndefined() || list.isNull())
        return true; // required by HAR 1.2, but nothing is lost without it
    if (!list.isArray())
        return fail(where + QStringLiteral(".headers"), QStringLiteral("not an array"));
    const QJsonArray array = list.toArray();
    for (int j = 0; j < array.size(); ++j) {
        const QString at = where + QStringLiteral(".headers[%1]").arg(j);
        if (!array.at(j).isObject())
            return fail(at, QStringLiteral("not an object"));
        const QJsonObject h = array.at(j).toObject();
        if (!h.value(QLatin1String("name")).isString())
            return fail(at + QStringLiteral(".name"), QStringLiteral("missing or not a string"));
        if (!h.value(QLatin1String("value")).isString())
            return fail(at + QStringLiteral(".value"), QStringLiteral("missing or not a string"));
        const QByteArray name = h.value(QLatin1String("name")).toString().toUtf8();
        const QByteArray value = h.value(QLatin1String("value")).toString().toUtf8();
        if (name.compare("host", Qt::CaseInsensitive) == 0 ||
            name.compare(":authority", Qt::CaseInsensitive) == 0) {
            if (!value.isEmpty())
                *host = value; // the Host sent wins over the URL's authority: it was routed on
            continue;
        }
        if (dropHeader(name))
            continue;
        if (!isToken(name))
            return fail(at + QStringLiteral(".name"),
                        quoted(QString::fromUtf8(name)) + QStringLiteral(" is not a header name"));
        if (hasLineBreakOrNul(value))
            return fail(at + QStringLiteral(".value"),
                        QStringLiteral("contains a line break (it would split the request)"));
        headers->append(qMakePair(name, value));
    }
    return true;
}

bool HarReader::readBody(const QString &where, const QJsonObject &request, Headers *headers,
                         QByteArray *body)
{
    const QJsonValue post = request.value(QLatin1String("postData"));
    if (post.isUndefined() || post.isNull())
        return true;
    if (!post.isObject())
        return fail(where + QStringLiteral(".postData"), QStringLiteral("not an object"));
    const QJsonObject p = post.toObject();
    const QJsonValue text = p.value(QLatin1String("text"));
    if (!text.isUndefined() && !text.isString())
        return fail(where + QStringLiteral(".postData.text"), QStringLiteral("not a string"));
    const QString encoding = p.value(QLatin1String("_encoding")).isString()
                                 ? p.value(QLatin1String("_encoding")).toString()
                                 : p.value(QLatin1String("encoding")).toString();
    if (encoding == QLatin1String("base64")) {
        const auto decoded = QByteArray::fromBase64Encoding(
            text.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return fail(where + QStringLiteral(".postData.text"),
                        QStringLiteral("not valid base64 (the entry says it is)"));
        *body = decoded.decoded;
    } else if (!encoding.isEmpty()) {
        return fail(where + QStringLiteral(".postData.encoding"),
                    quoted(encoding) + QStringLiteral(" is not an encoding HAR knows (base64)"));
    } else {
        *body = text.toString().toUtf8();
    }
    if (text.isUndefined() && p.value(QLatin1String("params")).isArray() &&
        !p.value(QLatin1String("params")).toArray().isEmpty())
        return fail(where + QStringLiteral(".postData"),
                    QStringLiteral("has params but no text: form bodies need postData.text"));
    // The body's type: when the headers do not say it, the postData does.
    const QByteArray mime = p.value(QLatin1String("mimeType")).toString().toUtf8();
    const bool typed = std::any_of(headers->begin(), headers->end(), [](const auto &h) {
        return h.first.compare("content-type", Qt::CaseInsensitive) == 0;
    });
    if (!typed && !mime.isEmpty() && !body->isEmpty() && !hasLineBreakOrNul(mime))
        headers->append(qMakePair(QByteArray("Content-Type"), mime));
    return true;
}

} // namespace

bool readHar(const QByteArray &json, ReplaySource *out, QString *error)
{
    return HarReader().read(json, out, error);
}

bool readHarFile(const QString &path, ReplaySource *out, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *out = ReplaySource();
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    QString why;
    if (!readHar(file.readAll(), out, &why)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, why);
        return false;
    }
    return true;
}

ReplaySource replayFromExchanges(const QList<Observe::Exchange> &exchanges)
{
    ReplaySource out;
    out.entries = int(exchanges.size());
    qint64 first = std::numeric_limits<qint64>::max();
    for (const Observe::Exchange &e : exchanges)
        if (!e.method.isEmpty() && isToken(e.method) && e.path.startsWith('/'))
            first = std::min(first, e.startUs);
    for (const Observe::Exchange &e : exchanges) {
        // A request the proxy refused before routing (400, 431) may have no method or path
        // worth sending again: it is counted, not replayed.
        if (e.method.isEmpty() || !isToken(e.method) || !e.path.startsWith('/') ||
            hasSpaceOrControl(e.path)) {
            ++out.skippedUnsent;
            continue;
        }
        ReplayRequest r;
        r.request.method = e.method;
        r.request.path = e.path;
        for (const auto &h : e.requestHeaders)
            if (!dropHeader(h.first) && !hasLineBreakOrNul(h.second))
                r.request.headers.append(h);
        r.request.body = e.requestBodyPrefix;
        if (e.requestBodySize > e.requestBodyPrefix.size())
            ++out.truncatedBodies;
        r.host = e.authority;
        r.offsetUs = std::max<qint64>(0, e.startUs - first);
        out.requests.append(r);
    }
    std::stable_sort(
        out.requests.begin(), out.requests.end(),
        [](const ReplayRequest &a, const ReplayRequest &b) { return a.offsetUs < b.offsetUs; });
    return out;
}

QByteArray renderReplay(const ReplayRequest &replay, const QByteArray &defaultHost,
                        const QByteArray &requestId)
{
    const RequestTemplate &r = replay.request;
    QByteArray out;
    out.reserve(160 + r.path.size() + r.body.size());
    out += r.method + ' ' + r.path +
           " HTTP/1.1\r\nHost: " + (replay.host.isEmpty() ? defaultHost : replay.host) + "\r\n";
    bool agent = false;
    for (const auto &header : r.headers) {
        out += header.first + ": " + header.second + "\r\n";
        agent = agent || header.first.compare("user-agent", Qt::CaseInsensitive) == 0;
    }
    if (!agent)
        out += "User-Agent: mirrorscope-replay\r\n";
    if (!requestId.isEmpty())
        out += "x-request-id: " + requestId + "\r\n";
    if (!r.body.isEmpty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH")
        out += "Content-Length: " + QByteArray::number(r.body.size()) + "\r\n";
    out += "\r\n";
    out += r.body;
    return out;
}

} // namespace Demo
