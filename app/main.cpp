#include "cli.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCoreApplication>
#include <QTextStream>
#include <QTimer>

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
    const bool demo = command == QLatin1String("--demo");
    if (command.startsWith(QLatin1Char('-')) && !demo && command != QLatin1String("--page")) {
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
    const QString file = command.startsWith(QLatin1Char('-')) ? QString() : command;
    if (!file.isEmpty())
        window.openFile(file);
    // `--page editor|run` picks the page shown first (the screenshots use it).
    const int pageAt = args.indexOf(QLatin1String("--page"));
    const QString page = pageAt > 0 ? args.value(pageAt + 1) : QString();
    window.show();
    if (demo) {
        // The demo is Start pressed for the person: greeter v1/v2, the proxy and traffic, with
        // the event loop already running so the window paints at once.
        QTimer::singleShot(0, &window, [&window, page] {
            window.startAction()->trigger();
            if (page == QLatin1String("editor"))
                window.showPage(Ui::MainWindow::Page::Editor);
        });
    } else if (page == QLatin1String("run")) {
        window.showPage(Ui::MainWindow::Page::Run);
    }
    return app.exec();
}
