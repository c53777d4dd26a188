#pragma once

#include <QColor>

namespace Ui {

// One colour per role everywhere (charts, bars, the matrix, the log): a person learns "blue is
// v1, orange is the mirror" once. Matplotlib's first two, readable on white and for most
// colour-blind viewers.
namespace Palette {
inline QColor primary()
{
    return QColor(0x1f, 0x77, 0xb4);
}
inline QColor mirror()
{
    return QColor(0xff, 0x7f, 0x0e);
}
inline QColor mismatch()
{
    return QColor(0xfd, 0xe0, 0xdc);
}
inline QColor missing()
{
    return QColor(0xf8, 0xd0, 0xd0);
}
} // namespace Palette

} // namespace Ui
