#pragma once

#include "observe/exchange.h"

#include <QByteArray>
#include <QList>
#include <QPair>

namespace Observe {

// Secret masking for everything that leaves the process: HAR / CSV / JSON Lines exports, the
// UI's paired log, the JSON report. Exports mask by default; a person turns it off per export
// (`--no-mask`), never globally.
//
// Masked headers (names case-insensitive) and how:
// - Authorization, Proxy-Authorization: the scheme stays, the credentials go
//   ("Bearer eyJ..." -> "Bearer ••••"; a value without a scheme -> "••••").
// - Cookie: every cookie keeps its name, its value goes ("sid=abc; lang=en" ->
//   "sid=••••; lang=••••").
// - Set-Cookie: the cookie's value goes, its attributes stay ("sid=abc; Path=/; HttpOnly" ->
//   "sid=••••; Path=/; HttpOnly"), so a reader still sees what the server asked for.
// Other headers and bodies are left as they are.
namespace Masking {

using Headers = QList<QPair<QByteArray, QByteArray>>;

// "••••" (four U+2022 BULLET, UTF-8).
QByteArray mask();

bool isSensitiveHeader(const QByteArray &name);

// The value as it may be shown; unchanged for headers that are not sensitive.
QByteArray maskHeaderValue(const QByteArray &name, const QByteArray &value);

// Masking of one kind of value, for callers that already know what it is (cookie tables).
QByteArray maskCredentials(const QByteArray &authorizationValue);
QByteArray maskCookieHeader(const QByteArray &cookieValue);
QByteArray maskSetCookie(const QByteArray &setCookieValue);

Headers maskHeaders(const Headers &headers);

// A copy with the request headers and every leg's response headers masked.
Exchange maskExchange(const Exchange &exchange);

} // namespace Masking

} // namespace Observe
