#pragma once

// The `mirrorscope` executable as a child of an end-to-end test.
#include "../core/proxy/testbackend.h"

#include <QProcess>
#include <QRegularExpression>

namespace TestSupport {

// The child process with its output collected while the test's event loop runs (the in-test
// backends live in that loop, so the test never blocks in waitFor* while the child needs them).
class Child
{
public:
    Child()
    {
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process,
                         [this] { out += process.readAllStandardOutput(); });
        QObject::connect(&process, &QProcess::readyReadStandardError, &process,
                         [this] { err += process.readAllStandardError(); });
    }
    ~Child()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill(); // the pid we started, nothing else
            process.waitForFinished(5000);
        }
    }
    bool start(const QStringList &args)
    {
        process.start(QStringLiteral(MIRRORSCOPE_BINARY), args);
        return process.waitForStarted(10000);
    }
    // The proxy's port from "proxy listening on http://127.0.0.1:PORT" (`proxy`) or "proxy on
    // http://127.0.0.1:PORT" (`demo`); 0 when it did not come.
    quint16 waitForListenPort(int timeoutMs = 15000)
    {
        const QRegularExpression re(
            QStringLiteral("(?:listening on|proxy on) http://127\\.0\\.0\\.1:(\\d+)"));
        QRegularExpressionMatch m;
        runUntil(
            [&] {
                m = re.match(QString::fromUtf8(out));
                return m.hasMatch() || process.state() == QProcess::NotRunning;
            },
            timeoutMs);
        return m.hasMatch() ? quint16(m.captured(1).toUInt()) : 0;
    }
    bool waitForExit(int timeoutMs = 60000)
    {
        const bool done =
            runUntil([&] { return process.state() == QProcess::NotRunning; }, timeoutMs);
        out += process.readAllStandardOutput();
        err += process.readAllStandardError();
        return done;
    }
    bool exitedCleanly() const
    {
        return process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    }
    QString all() const { return QString::fromUtf8(out + "\n--- stderr ---\n" + err); }

    QProcess process;
    QByteArray out;
    QByteArray err;
};

// A finished run of the executable: how it ended and what it printed.
struct Run
{
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    QString all;
    QByteArray err;
};

// Runs the executable to its end (or the timeout: exitCode stays -1, a crash exit).
inline Run runToEnd(const QStringList &args, int timeoutMs = 30000)
{
    Child c;
    Run r;
    if (!c.start(args) || !c.waitForExit(timeoutMs))
        return r;
    r.exitCode = c.process.exitCode();
    r.exitStatus = c.process.exitStatus();
    r.all = c.all();
    r.err = c.err;
    return r;
}

} // namespace TestSupport
