#pragma once

#include <QColor>

namespace Ui {

// One colour per role everywhere (charts, bars, the matrix, the log): a person learns "blue is
// v1, orange is the mirror" once. Matplotlib's categorical colours, readable on white and for
// most colour-blind viewers.
namespace Palette {
inline QColor primary()
{
    return QColor(0x1f, 0x77, 0xb4);
}
inline QColor mirror()
{
    return QColor(0xff, 0x7f, 0x0e);
}
// The n-th version of a role (0 = the first primary / the first mirror): later primaries stay in
// blues, later mirrors take the next colours of the same scheme, so a second mirror never looks
// like the first.
inline QColor version(bool mirrored, int ordinal)
{
    static const QColor primaries[] = {primary(), QColor(0x17, 0xbe, 0xcf),
                                       QColor(0x7f, 0x7f, 0x7f)};
    static const QColor mirrors[] = {mirror(), QColor(0x2c, 0xa0, 0x2c), QColor(0x94, 0x67, 0xbd),
                                     QColor(0x8c, 0x56, 0x4b), QColor(0xe3, 0x77, 0xc2)};
    if (ordinal < 0)
        ordinal = 0;
    return mirrored ? mirrors[ordinal % 5] : primaries[ordinal % 3];
}
// Status classes in the stacked chart: success green, redirects grey, client errors amber,
// server errors red, no answer at all dark red.
inline QColor statusClass(int hundreds) // 2..5, 0 = failed
{
    switch (hundreds) {
    case 2:
        return QColor(0x4c, 0xaf, 0x50);
    case 3:
        return QColor(0x9e, 0x9e, 0x9e);
    case 4:
        return QColor(0xff, 0xb3, 0x00);
    case 5:
        return QColor(0xe5, 0x39, 0x35);
    default:
        return QColor(0x8b, 0x00, 0x00);
    }
}
inline QColor mismatch()
{
    return QColor(0xfd, 0xe0, 0xdc);
}
// Differences flagged as learned noise: shown, but not a mismatch.
inline QColor noise()
{
    return QColor(0xee, 0xee, 0xee);
}
inline QColor missing()
{
    return QColor(0xf8, 0xd0, 0xd0);
}
} // namespace Palette

} // namespace Ui
