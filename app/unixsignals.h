#pragma once

#include <QObject>

class QSocketNotifier;

namespace App {

// Turns SIGINT/SIGTERM into a Qt signal (self-pipe: the handler only writes a byte), so
// `proxy` and `demo` stop cleanly and write their report.
class UnixSignals : public QObject
{
    Q_OBJECT
public:
    explicit UnixSignals(QObject *parent = nullptr);
    ~UnixSignals() override;

signals:
    void terminate(int signalNumber);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace App
