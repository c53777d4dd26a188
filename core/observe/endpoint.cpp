#include "observe/endpoint.h"

namespace Observe {

// Placeholder: strips the query; segment folding lands with the aggregates.
QString endpointTemplate(const QByteArray &method, const QByteArray &path)
{
    const int q = path.indexOf('?');
    return QString::fromLatin1(method) + QLatin1Char(' ') +
           QString::fromUtf8(q >= 0 ? path.left(q) : path);
}

} // namespace Observe
