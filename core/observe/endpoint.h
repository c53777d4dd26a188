#pragma once

#include <QByteArray>
#include <QString>

namespace Observe {

// The endpoint an exchange belongs to, for per-endpoint aggregates and noise rules: the method
// and the path without its query, with identifier-like segments folded ("GET /users/{id}").
QString endpointTemplate(const QByteArray &method, const QByteArray &path);

} // namespace Observe
