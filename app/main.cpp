#include "cli.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

int main(int argc, char *argv[])
{
    Q_INIT_RESOURCE(core); // the greeter example and the schemas live in the static core library
    QStringList args;
    for (int i = 0; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    const QString command = args.value(1);

    // --help and --version must work with no display: answer before any QApplication exists.
    if (command == QLatin1String("--help") || command == QLatin1String("-h")) {
        QTextStream(stdout) << App::usage();
        return 0;
    }
    if (command == QLatin1String("--version") || command == QLatin1String("-v")) {
        QTextStream(stdout) << "mirrorscope " << MIRRORSCOPE_VERSION << "\n";
        return 0;
    }
    if (command == QLatin1String("validate") || command == QLatin1String("export") ||
        command == QLatin1String("proxy") || command == QLatin1String("demo")) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("mirrorscope"));
        QCoreApplication::setApplicationVersion(QStringLiteral(MIRRORSCOPE_VERSION));
        QStringList rest = args;
        rest.removeAt(1); // "mirrorscope validate a.yaml" -> parser sees "mirrorscope a.yaml"
        if (command == QLatin1String("validate"))
            return App::runValidate(rest);
        if (command == QLatin1String("export"))
            return App::runExport(rest);
        if (command == QLatin1String("proxy"))
            return App::runProxy(rest);
        return App::runDemo(rest);
    }
    if (command.startsWith(QLatin1Char('-')) && command != QLatin1String("--demo")) {
        QTextStream(stderr) << "mirrorscope: unknown option " << command << "\n" << App::usage();
        return 2;
    }

    // A QApplication aborts without a display unless a platform is set.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
        qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Mirrorscope"));
    QApplication::setOrganizationName(QStringLiteral("Mirrorscope"));
    QApplication::setApplicationVersion(QStringLiteral(MIRRORSCOPE_VERSION));

    Ui::MainWindow window;
    const QString file = (command.isEmpty() || command == QLatin1String("--demo")) ? QString()
                                                                                   : command;
    if (!file.isEmpty())
        window.openFile(file);
    window.show();
    return app.exec();
}
