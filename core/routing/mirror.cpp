#include "routing/mirror.h"

#include <cmath>

namespace Routing {

namespace {
constexpr quint32 kMillion = 1000000;
}

QByteArray shadowHost(const QByteArray &host)
{
    static const QByteArray suffix = QByteArrayLiteral("-shadow");
    const qsizetype colon = host.lastIndexOf(':');
    const bool hasPort = colon >= 0 && host.indexOf(']', colon) < 0;
    if (!hasPort)
        return host + suffix;
    QByteArray out;
    out.reserve(host.size() + suffix.size());
    out.append(host.constData(), colon);
    out.append(suffix);
    out.append(host.constData() + colon, host.size() - colon);
    return out;
}

quint32 fractionalNumerator(double percent)
{
    if (!(percent > 0.0)) // also NaN
        return 0;
    const double scaled = percent * 10000.0;
    if (scaled >= double(kMillion))
        return kMillion;
    return quint32(scaled); // truncation, as Go's uint32(float64)
}

bool shouldMirror(double percent, double random01)
{
    const quint32 numerator = fractionalNumerator(percent);
    if (numerator == 0)
        return false;
    if (numerator >= kMillion)
        return true;
    double r = random01;
    if (!(r >= 0.0))
        r = 0.0;
    quint64 draw = quint64(std::floor(r * double(kMillion)));
    if (draw >= kMillion)
        draw = kMillion - 1;
    return draw < numerator;
}

} // namespace Routing
