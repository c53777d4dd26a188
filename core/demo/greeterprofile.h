#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QPair>
#include <QString>

#include <random>

namespace Demo {

// How a built-in greeter answers: the knobs the demo turns to make v1 and v2 look different.
struct GreeterProfile
{
    enum class BodyVariant {
        Plain,      // {"greeting","version","host","time"}
        WithLocale, // the same plus "locale":"en", so a response comparison finds a difference
    };

    QString version = QStringLiteral("v1");
    // Delay before each answer: baseMs + Exp(jitterMeanMs), and with tailProbability an extra
    // Exp(tailMeanMs) so a slow tail shows in p99 without moving the median much.
    double baseMs = 1.0;
    double jitterMeanMs = 1.0;
    double tailProbability = 0.0;
    double tailMeanMs = 0.0;
    // Share of /hello and /users answers replaced by 500 or 503 (half each). /health is never
    // failed on purpose: the demo uses it to tell "backend down" from "backend told to fail".
    double errorRate = 0.0;
    BodyVariant body = BodyVariant::Plain;

    static GreeterProfile v1(); // ~2 ms mean, tiny tail, plain body
    static GreeterProfile v2(); // ~10 ms mean, 40 ms tail, 3 % 5xx, "locale" on /users/{id}
};

// One delay draw in milliseconds (never negative, capped at 60 s).
double sampleDelayMs(const GreeterProfile &profile, std::mt19937_64 &rng);

struct GreeterRequest
{
    QByteArray method;
    QByteArray target; // origin-form, may carry a query string
    QByteArray host;   // Host header as received
    QByteArray requestId;
    QByteArray body;
};

struct GreeterReply
{
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers; // extra headers (Allow, ...)
};

// What the caller decided outside the pure reply: the clock, the fault and the next user id.
struct ReplyContext
{
    QDateTime now;
    int injectedStatus = 0; // 0 = answer normally
    qint64 newUserId = 1;
};

// The greeter's routes, as a plain function over plain data:
// GET /hello, GET /users/<digits>, POST /users (JSON object body), GET /health; else 404.
GreeterReply greeterReply(const GreeterRequest &request, const GreeterProfile &profile,
                          const ReplyContext &context);

// A full HTTP/1.1 response. HEAD answers carry the GET headers without the body.
QByteArray encodeResponse(const GreeterReply &reply, const GreeterProfile &profile,
                          const QByteArray &requestId, bool keepAlive, bool headRequest);

} // namespace Demo
