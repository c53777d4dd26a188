#include "runpage.h"

#include "dashboard/dashboardwidget.h"
#include "logs/logview.h"
#include "run/bindingsview.h"
#include "run/proxypanel.h"
#include "run/trafficpanel.h"
#include "widgets/livelabel.h"

#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

namespace Ui {

RunPage::RunPage(QWidget *parent) : QWidget(parent)
{
    // Rewritten twice a second while running: a LiveLabel, so that never relayouts the window.
    auto *statusHolder = new LiveLabel(this);
    m_status = statusHolder->label();
    m_status->setTextFormat(Qt::RichText);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setMargin(4);
    setStatus(tr("Not running. Press <b>Start</b> (F5) to run the document in the local "
                 "proxy."));

    auto *bindingsBox = new QWidget(this);
    auto *bindingsLayout = new QVBoxLayout(bindingsBox);
    bindingsLayout->setContentsMargins(0, 0, 0, 0);
    bindingsLayout->addWidget(
        new QLabel(tr("<b>Bindings</b>: where each destination goes"), bindingsBox));
    m_bindings = new BindingsView(bindingsBox);
    bindingsLayout->addWidget(m_bindings);

    // The controls share one column beside the charts: a person sets up the proxy and the
    // traffic once, then mostly watches.
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("runControlTabs"));
    m_tabs->addTab(bindingsBox, tr("&Bindings"));
    m_proxy = new ProxyPanel;
    auto *proxyScroll = new QScrollArea;
    proxyScroll->setObjectName(QStringLiteral("proxyTab"));
    proxyScroll->setWidgetResizable(true);
    proxyScroll->setFrameShape(QFrame::NoFrame);
    proxyScroll->setWidget(m_proxy);
    m_tabs->addTab(proxyScroll, tr("&Proxy"));
    m_traffic = new TrafficPanel;
    m_tabs->addTab(m_traffic, tr("&Traffic"));

    m_dashboard = new DashboardWidget(this);
    m_log = new LogView(this);

    auto *top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(m_tabs);
    top->addWidget(m_dashboard);
    top->setStretchFactor(0, 0);
    top->setStretchFactor(1, 1);
    top->setSizes({420, 980});

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(m_log);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({480, 300});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(statusHolder);
    layout->addWidget(split, 1);
}

void RunPage::setStatus(const QString &richText)
{
    m_status->setText(richText);
}

} // namespace Ui

namespace Ui {

void RunPage::setController(RunController *controller)
{
    m_proxy->setController(controller);
    m_traffic->setController(controller);
}

void RunPage::showProxyPanel()
{
    m_tabs->setCurrentWidget(m_tabs->findChild<QScrollArea *>(QStringLiteral("proxyTab")));
}

void RunPage::showTrafficPanel()
{
    m_tabs->setCurrentWidget(m_traffic);
}

void RunPage::attachToolBar(QAction *start, QAction *stop, QSpinBox *port, QSpinBox *rate)
{
    m_proxy->attach(start, stop, port);
    m_traffic->attach(rate);
}

} // namespace Ui
