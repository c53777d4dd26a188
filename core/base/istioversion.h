#pragma once

#include <QString>

namespace Base {

// The Istio release a person targets. Drives validation (fields that version lacks), the
// mirror's `-shadow` host suffix (appended up to 1.27, not from 1.28) and the exported
// apiVersion (v1 needs 1.22).
struct IstioVersion
{
    int major = 1;
    int minor = 31;

    static IstioVersion latest() { return {1, 31}; }
    // "1.27", "1.27.3", "latest"; invalid text gives std::nullopt-like {0,0} (check valid()).
    static IstioVersion fromString(const QString &text);
    bool valid() const { return major > 0; }
    QString toString() const { return QStringLiteral("%1.%2").arg(major).arg(minor); }

    bool atLeast(int maj, int min) const
    {
        return major > maj || (major == maj && minor >= min);
    }
    bool appendsShadowSuffix() const { return !atLeast(1, 28); }
    bool supportsApiV1() const { return atLeast(1, 22); }
    bool supportsMirrors() const { return atLeast(1, 20); }

    bool operator==(const IstioVersion &o) const { return major == o.major && minor == o.minor; }
};

} // namespace Base
