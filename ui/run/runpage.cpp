#include "runpage.h"

#include "dashboard/dashboardwidget.h"
#include "logs/logview.h"
#include "run/bindingsview.h"

#include <QLabel>
#include <QSplitter>
#include <QVBoxLayout>

namespace Ui {

RunPage::RunPage(QWidget *parent) : QWidget(parent)
{
    m_status = new QLabel(this);
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

    m_dashboard = new DashboardWidget(this);
    m_log = new LogView(this);

    auto *top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(bindingsBox);
    top->addWidget(m_dashboard);
    top->setStretchFactor(0, 0);
    top->setStretchFactor(1, 1);
    top->setSizes({350, 1050});

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(top);
    split->addWidget(m_log);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({480, 300});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_status);
    layout->addWidget(split, 1);
}

void RunPage::setStatus(const QString &richText)
{
    m_status->setText(richText);
}

} // namespace Ui
