#include "istioversion.h"

#include <QStringList>

namespace Base {

IstioVersion IstioVersion::fromString(const QString &text)
{
    const QString t = text.trimmed();
    if (t.compare(QStringLiteral("latest"), Qt::CaseInsensitive) == 0)
        return latest();
    const QStringList parts = t.split(QLatin1Char('.'));
    if (parts.size() < 2 || parts.size() > 3)
        return {0, 0};
    bool okMaj = false, okMin = false;
    const int maj = parts[0].toInt(&okMaj);
    const int min = parts[1].toInt(&okMin);
    if (!okMaj || !okMin || maj < 1 || min < 0)
        return {0, 0};
    return {maj, min};
}

} // namespace Base
