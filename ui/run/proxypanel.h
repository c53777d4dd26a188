#pragma once

#include "proxy/settings.h"
#include "run/runcontroller.h"

#include <QWidget>

class QAction;
class QCheckBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace Ui {

// The proxy's controls on the Run page: where it listens, how many workers, the mirror safety
// bounds, Start/Stop, and its live counters. Values are kept in QSettings ("proxy/...") and
// apply at the next Start: the proxy cannot change them while it runs.
class ProxyPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ProxyPanel(QWidget *parent = nullptr);

    void setController(RunController *controller);
    // The window's Start/Stop actions and its tool bar port box (kept equal to this one's).
    void attach(QAction *start, QAction *stop, QSpinBox *toolBarPort);

    // What Start uses. A wrong value: *error names the field and the returned settings are
    // the defaults for it.
    Proxy::Settings settings(QString *error = nullptr) const;
    // Shown on the page in red until the next Start or edit; empty clears it.
    void showError(const QString &message);
    QString message() const;

    QLineEdit *addressEdit() const { return m_address; }
    QSpinBox *portBox() const { return m_port; }
    QSpinBox *workersBox() const { return m_workers; }
    QCheckBox *allowRemoteBox() const { return m_allowRemote; }
    QCheckBox *readOnlyBox() const { return m_readOnly; }
    QSpinBox *maxInFlightBox() const { return m_maxInFlight; }
    QSpinBox *bodyCapBox() const { return m_bodyCapKiB; }
    QSpinBox *mirrorTimeoutBox() const { return m_mirrorTimeout; }
    QLabel *listeningLabel() const { return m_listening; }
    QLabel *rateLabel() const { return m_rps; }
    QLabel *connectionsLabel() const { return m_connections; }
    QLabel *dropsLabel() const { return m_drops; }

private:
    void restore();
    void store() const;
    void validateAddress();
    void onRunningChanged(bool running);
    void onSample(const RunController::ProxySample &sample);

    RunController *m_controller = nullptr;
    QLineEdit *m_address = nullptr;
    QSpinBox *m_port = nullptr;
    QSpinBox *m_workers = nullptr;
    QCheckBox *m_allowRemote = nullptr;
    QCheckBox *m_readOnly = nullptr;
    QSpinBox *m_maxInFlight = nullptr;
    QSpinBox *m_bodyCapKiB = nullptr;
    QSpinBox *m_mirrorTimeout = nullptr;
    QWidget *m_buttons = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_listening = nullptr;
    QLabel *m_rps = nullptr;
    QLabel *m_connections = nullptr;
    QLabel *m_requests = nullptr;
    QLabel *m_drops = nullptr;
    bool m_restoring = false;
};

} // namespace Ui
