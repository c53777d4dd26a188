#pragma once

#include <QByteArray>
#include <QString>

namespace Observe {

// The endpoint an exchange belongs to, for per-endpoint aggregates and noise rules: the method
// and the path without its query, with identifier-like segments folded ("GET /users/{id}").
//
// A segment is folded to `{id}` when it is all digits, a UUID, hex of 8 or more digits with at
// least one decimal digit (object ids, hashes), digits joined by `-._:` (dates, versions of a
// package), an e-mail address, or a token of 20 or more URL-safe/base64 characters with a digit.
// Words ("users", "v1", "api", "deadbeef", "report2024.pdf") stay. An absolute-form target
// ("http://host/path") is reduced to its path; an empty path is "/", an empty method "-".
QString endpointTemplate(const QByteArray &method, const QByteArray &path);

// True when one path segment (no '/') would be folded by endpointTemplate.
bool isIdentifierSegment(const char *segment, qsizetype size);

} // namespace Observe
