#pragma once

#include <QWidget>

class QLabel;

namespace Ui {

class BindingsView;
class DashboardWidget;
class LogView;

// The Run page: where each destination goes, the status line, the dashboard and the log.
class RunPage : public QWidget
{
    Q_OBJECT
public:
    explicit RunPage(QWidget *parent = nullptr);

    BindingsView *bindings() const { return m_bindings; }
    DashboardWidget *dashboard() const { return m_dashboard; }
    LogView *log() const { return m_log; }
    QLabel *statusLine() const { return m_status; }

public slots:
    void setStatus(const QString &richText);

private:
    BindingsView *m_bindings = nullptr;
    DashboardWidget *m_dashboard = nullptr;
    LogView *m_log = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace Ui
