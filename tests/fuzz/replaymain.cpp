// The fuzz entry points as a plain program (builds without MIRRORSCOPE_FUZZ): every file given
// on the command line, or every file inside a folder given, goes once through
// LLVMFuzzerTestOneInput. A crash, sanitizer report or hang fails the test that runs it.
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QStringList>

#include <cstdint>
#include <cstdio>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    QStringList files;
    for (int i = 1; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        if (QFileInfo(arg).isDir()) {
            QDirIterator it(arg, QDir::Files | QDir::NoDotAndDotDot | QDir::Hidden,
                            QDirIterator::Subdirectories);
            QStringList inFolder;
            while (it.hasNext())
                inFolder << it.next();
            inFolder.sort(); // the same order every run
            files << inFolder;
        } else {
            files << arg;
        }
    }
    for (const QString &path : std::as_const(files)) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            fprintf(stderr, "cannot read %s\n", qPrintable(path));
            return 2;
        }
        const QByteArray bytes = f.readAll();
        fprintf(stderr, "replaying %s (%lld bytes)\n", qPrintable(path), qlonglong(bytes.size()));
        LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(bytes.constData()),
                               size_t(bytes.size()));
    }
    fprintf(stderr, "%lld inputs replayed\n", qlonglong(files.size()));
    return 0;
}
