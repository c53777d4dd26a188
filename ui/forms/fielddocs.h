#pragma once

#include <QString>

namespace Forms {

// Istio's one-line description of a field, for tooltips. `key` is "Message.field" with the
// proto message and JSON field names: "HTTPRoute.timeout", "Destination.subset". Empty when
// unknown.
QString fieldDoc(const QString &key);

} // namespace Forms
