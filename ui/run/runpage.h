#pragma once

#include <QWidget>

class QAction;
class QLabel;
class QSpinBox;
class QTabWidget;

namespace Ui {

class BindingsView;
class DashboardWidget;
class LogView;
class ProxyPanel;
class RunController;
class TrafficPanel;

// The Run page: where each destination goes, the proxy's and the traffic's controls (tabs beside
// the dashboard), the status line, the dashboard and the log.
class RunPage : public QWidget
{
    Q_OBJECT
public:
    explicit RunPage(QWidget *parent = nullptr);

    BindingsView *bindings() const { return m_bindings; }
    DashboardWidget *dashboard() const { return m_dashboard; }
    LogView *log() const { return m_log; }
    ProxyPanel *proxyPanel() const { return m_proxy; }
    TrafficPanel *trafficPanel() const { return m_traffic; }
    QTabWidget *controlTabs() const { return m_tabs; }
    void showProxyPanel();   // brings its tab to the front (a setting is wrong)
    void showTrafficPanel(); // likewise

    // The panels follow the controller (running state, counters) and drive its traffic.
    void setController(RunController *controller);
    // The window's Start/Stop actions and its tool bar boxes, kept equal to the panels' own.
    void attachToolBar(QAction *start, QAction *stop, QSpinBox *port, QSpinBox *rate);
    QLabel *statusLine() const { return m_status; }

public slots:
    void setStatus(const QString &richText);

private:
    BindingsView *m_bindings = nullptr;
    DashboardWidget *m_dashboard = nullptr;
    LogView *m_log = nullptr;
    QLabel *m_status = nullptr;
    QTabWidget *m_tabs = nullptr;
    ProxyPanel *m_proxy = nullptr;
    TrafficPanel *m_traffic = nullptr;
};

} // namespace Ui
