#include "diagnostic.h"

#include <algorithm>

namespace Base {

QString severityName(Severity s)
{
    switch (s) {
    case Severity::Info:
        return QStringLiteral("info");
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Error:
        return QStringLiteral("error");
    }
    return QStringLiteral("error");
}

bool hasErrors(const Diagnostics &diagnostics)
{
    return std::any_of(diagnostics.begin(), diagnostics.end(),
                       [](const Diagnostic &d) { return d.severity == Severity::Error; });
}

QString formatDiagnostic(const Diagnostic &d)
{
    QString where = d.file.isEmpty() ? QStringLiteral("<input>") : d.file;
    where += QStringLiteral(":%1:%2").arg(std::max(d.line, 1)).arg(std::max(d.column, 1));
    QString text = where + QStringLiteral(": ") + severityName(d.severity) + QLatin1Char(' ');
    text += (d.istioCode.isEmpty() ? d.code : d.istioCode) + QLatin1Char(' ') + d.message;
    if (!d.path.isEmpty())
        text += QStringLiteral(" (at ") + d.path + QLatin1Char(')');
    if (!d.istioCode.isEmpty())
        text += QStringLiteral(" [") + d.code + QLatin1Char(']');
    return text;
}

} // namespace Base
