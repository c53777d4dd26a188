#include "recentfiles.h"

#include "settings.h"

#include <QFileInfo>

namespace Ui {

namespace {
const char *const kKey = "recentFiles";

void store(const QStringList &files)
{
    Settings::open()->setValue(kKey, files);
}
} // namespace

QStringList RecentFiles::list()
{
    return Settings::open()->value(kKey).toStringList();
}

void RecentFiles::add(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList files = list();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > kMax)
        files.removeLast();
    store(files);
}

void RecentFiles::remove(const QString &path)
{
    QStringList files = list();
    if (files.removeAll(QFileInfo(path).absoluteFilePath()) > 0)
        store(files);
}

void RecentFiles::clear()
{
    store({});
}

QStringList RecentFiles::prune()
{
    QStringList files = list();
    QStringList gone;
    for (const QString &f : std::as_const(files))
        if (!QFileInfo::exists(f))
            gone.append(f);
    if (!gone.isEmpty()) {
        for (const QString &f : std::as_const(gone))
            files.removeAll(f);
        store(files);
    }
    return gone;
}

} // namespace Ui
