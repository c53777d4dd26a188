#pragma once

#include <QSettings>

#include <memory>

namespace Ui::Settings {

// Mirrorscope's settings, whatever the QApplication's organization and name are (the tests'
// QTEST_MAIN sets neither): organization "Mirrorscope", application "Mirrorscope".
inline std::unique_ptr<QSettings> open()
{
    return std::make_unique<QSettings>(QStringLiteral("Mirrorscope"),
                                       QStringLiteral("Mirrorscope"));
}

} // namespace Ui::Settings
