#include "routing/routedecision.h"

namespace Routing {

QString Target::toString() const
{
    QString out = host;
    if (port > 0)
        out += QLatin1Char(':') + QString::number(port);
    if (!subset.isEmpty())
        out += QLatin1Char(':') + subset;
    return out;
}

} // namespace Routing
