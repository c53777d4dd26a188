#pragma once

#include "demo/greeterprofile.h"

#include <QObject>
#include <QString>

class QThread;

namespace Demo {

class GreeterBackend;

// Owns the two greeter stand-ins, each in its own thread so neither the proxy's workers nor the
// GUI share an event loop with them. The backends' thread-safe members (port, snapshot,
// setProfile, resetStats) may be used directly; start/stop go through this class.
class DemoBackends : public QObject
{
    Q_OBJECT
public:
    explicit DemoBackends(QObject *parent = nullptr);
    ~DemoBackends() override;

    // Starts v1 and v2 (port 0 = any free port). On failure nothing stays running.
    bool start(const GreeterProfile &v1 = GreeterProfile::v1(),
               const GreeterProfile &v2 = GreeterProfile::v2(), quint16 v1Port = 0,
               quint16 v2Port = 0);
    void stop(); // closes listeners and connections, joins the threads; safe to call twice

    bool isRunning() const { return m_v1 != nullptr; }
    quint16 v1Port() const;
    quint16 v2Port() const;
    GreeterBackend *v1() const { return m_v1; }
    GreeterBackend *v2() const { return m_v2; }
    QString errorString() const { return m_error; }

private:
    struct Started
    {
        GreeterBackend *backend = nullptr;
        QThread *thread = nullptr;
    };
    Started startOne(const GreeterProfile &profile, quint16 port, const QString &name);
    static void stopOne(GreeterBackend *&backend, QThread *&thread);

    GreeterBackend *m_v1 = nullptr;
    GreeterBackend *m_v2 = nullptr;
    QThread *m_v1Thread = nullptr;
    QThread *m_v2Thread = nullptr;
    QString m_error;
};

} // namespace Demo
