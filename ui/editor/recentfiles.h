#pragma once

#include <QStringList>

namespace Ui {

// The "Open Recent" list, kept in the settings (newest first, at most kMax absolute paths).
class RecentFiles
{
public:
    static constexpr int kMax = 10;

    static QStringList list();
    // Moves `path` to the front (adding it when new) and drops the oldest beyond kMax.
    static void add(const QString &path);
    static void remove(const QString &path);
    static void clear();
    // Drops the files that no longer exist; returns them (to tell the person).
    static QStringList prune();
};

} // namespace Ui
