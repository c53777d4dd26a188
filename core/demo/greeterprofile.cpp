#include "demo/greeterprofile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace Demo {

namespace {

// JSON string literal with proper escaping; the bodies are built by hand so the field order
// stays greeting, version, host, time as in the seed's greeter (QJsonObject sorts keys).
QByteArray jsonString(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

// withLocale: only GET /users/{id} carries v2's new field, so the demo's comparison shows one
// endpoint that changed and others that did not.
QByteArray versionFields(const GreeterProfile &profile, bool withLocale = false)
{
    QByteArray out = "\"version\":" + jsonString(profile.version);
    if (withLocale && profile.body == GreeterProfile::BodyVariant::WithLocale)
        out += ",\"locale\":\"en\"";
    return out;
}

GreeterReply jsonReply(int status, const QByteArray &object)
{
    GreeterReply reply;
    reply.status = status;
    reply.contentType = "application/json";
    reply.body = object + '\n';
    return reply;
}

GreeterReply errorReply(int status, const QString &message, const GreeterProfile &profile)
{
    return jsonReply(status,
                     "{\"error\":" + jsonString(message) + ',' + versionFields(profile) + '}');
}

GreeterReply methodNotAllowed(const QByteArray &allow, const GreeterProfile &profile)
{
    GreeterReply reply = errorReply(405, QStringLiteral("method not allowed"), profile);
    reply.headers.append(qMakePair(QByteArray("Allow"), allow));
    return reply;
}

bool isDigits(const QByteArray &text)
{
    return !text.isEmpty() && text.size() <= 18 &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

double exponential(double mean, std::mt19937_64 &rng)
{
    if (mean <= 0)
        return 0;
    return std::exponential_distribution<double>(1.0 / mean)(rng);
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Payload Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    default:
        return "Unknown";
    }
}

} // namespace

GreeterProfile GreeterProfile::v1()
{
    GreeterProfile p;
    p.version = QStringLiteral("v1");
    p.baseMs = 1.0;
    p.jitterMeanMs = 1.0;
    p.tailProbability = 0.01;
    p.tailMeanMs = 10.0;
    p.body = BodyVariant::Plain;
    return p;
}

GreeterProfile GreeterProfile::v2()
{
    GreeterProfile p;
    p.version = QStringLiteral("v2");
    p.baseMs = 5.0;
    p.jitterMeanMs = 3.0;
    p.tailProbability = 0.05;
    p.tailMeanMs = 40.0;
    p.errorRate = 0.03; // a few 500/503s, so the demo shows v2 failing where v1 does not
    p.body = BodyVariant::WithLocale;
    return p;
}

double sampleDelayMs(const GreeterProfile &profile, std::mt19937_64 &rng)
{
    double ms = std::max(0.0, profile.baseMs) + exponential(profile.jitterMeanMs, rng);
    if (profile.tailProbability > 0 &&
        std::uniform_real_distribution<double>(0.0, 1.0)(rng) < profile.tailProbability)
        ms += exponential(profile.tailMeanMs, rng);
    return std::min(ms, 60000.0);
}

GreeterReply greeterReply(const GreeterRequest &request, const GreeterProfile &profile,
                          const ReplyContext &context)
{
    QByteArray path = request.target;
    const int query = path.indexOf('?');
    if (query >= 0)
        path.truncate(query);
    const bool read = request.method == "GET" || request.method == "HEAD";

    if (path == "/health") {
        if (!read)
            return methodNotAllowed("GET, HEAD", profile);
        GreeterReply reply;
        reply.contentType = "text/plain; charset=utf-8";
        reply.body = "ok " + profile.version.toUtf8() + '\n';
        return reply;
    }

    const bool known = path == "/hello" || path == "/users" || path.startsWith("/users/");
    if (known && context.injectedStatus > 0)
        return errorReply(context.injectedStatus, QStringLiteral("injected failure"), profile);

    if (path == "/hello") {
        if (!read)
            return methodNotAllowed("GET, HEAD", profile);
        const QString time = context.now.toUTC().toString(Qt::ISODateWithMs);
        return jsonReply(
            200,
            "{\"greeting\":" + jsonString(QStringLiteral("Hello from greeter ") + profile.version) +
                ',' + versionFields(profile) +
                ",\"host\":" + jsonString(QString::fromLatin1(request.host)) +
                ",\"time\":" + jsonString(time) + '}');
    }
    if (path == "/users") {
        if (request.method != "POST")
            return methodNotAllowed("POST", profile);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(request.body, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            return errorReply(400, QStringLiteral("body is not a JSON object"), profile);
        const QString name = doc.object()
                                 .value(QStringLiteral("name"))
                                 .toString(QStringLiteral("user-%1").arg(context.newUserId));
        return jsonReply(201, "{\"id\":" + QByteArray::number(context.newUserId) +
                                  ",\"name\":" + jsonString(name) + ",\"created\":true," +
                                  versionFields(profile) + '}');
    }
    if (path.startsWith("/users/")) {
        const QByteArray id = path.mid(7);
        if (!isDigits(id))
            return errorReply(404, QStringLiteral("no such user"), profile);
        if (!read)
            return methodNotAllowed("GET, HEAD", profile);
        return jsonReply(200, "{\"id\":" + id + ",\"name\":\"user-" + id + "\"," +
                                  versionFields(profile, true) + '}');
    }
    return errorReply(404, QStringLiteral("not found"), profile);
}

QByteArray encodeResponse(const GreeterReply &reply, const GreeterProfile &profile,
                          const QByteArray &requestId, bool keepAlive, bool headRequest)
{
    QByteArray out;
    out.reserve(256 + reply.body.size());
    out +=
        "HTTP/1.1 " + QByteArray::number(reply.status) + ' ' + reasonPhrase(reply.status) + "\r\n";
    if (!reply.contentType.isEmpty())
        out += "Content-Type: " + reply.contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\n";
    // Lets a person see in any response which stand-in answered.
    out += "x-served-by: greeter-" + profile.version.toUtf8() + "\r\n";
    if (!requestId.isEmpty())
        out += "x-request-id: " + requestId + "\r\n";
    for (const auto &header : reply.headers)
        out += header.first + ": " + header.second + "\r\n";
    if (!keepAlive)
        out += "Connection: close\r\n";
    out += "\r\n";
    if (!headRequest)
        out += reply.body;
    return out;
}

} // namespace Demo
