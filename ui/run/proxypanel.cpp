#include "proxypanel.h"

#include "editor/settings.h"
#include "widgets/livelabel.h"

#include <QAction>
#include <QCheckBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSpinBox>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>

namespace Ui {

namespace {
const char *const kAddressKey = "proxy/listenAddress";
const char *const kPortKey = "proxy/listenPort";
const char *const kWorkersKey = "proxy/workers";
const char *const kAllowRemoteKey = "proxy/allowRemote";
const char *const kReadOnlyKey = "proxy/readOnlyMirroring";
const char *const kMaxInFlightKey = "proxy/maxInFlightMirrors";
const char *const kBodyCapKey = "proxy/mirrorBodyCapKiB";
const char *const kTimeoutKey = "proxy/mirrorTimeoutMs";

QString atNextStart(const QString &tip)
{
    return tip + QObject::tr(" Applies at the next Start.");
}

// The status values change twice a second while running: each in a LiveLabel (added to the
// form as *holder), so a new value repaints the label and does not relayout the window.
QLabel *valueLabel(QWidget *parent, QWidget **holder)
{
    auto *live = new Ui::LiveLabel(parent);
    QLabel *label = live->label();
    label->setText(QStringLiteral("–"));
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    *holder = live;
    return label;
}
} // namespace

ProxyPanel::ProxyPanel(QWidget *parent) : QWidget(parent)
{
    const Proxy::Settings defaults;

    m_address = new QLineEdit(this);
    m_address->setPlaceholderText(QStringLiteral("127.0.0.1"));
    m_address->setToolTip(atNextStart(
        tr("IP address the proxy listens on. Loopback (127.0.0.1, ::1) keeps it on this machine; "
           "anything else needs \"Allow remote\".")));
    m_port = new QSpinBox(this);
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(tr("any"));
    m_port->setToolTip(atNextStart(tr("Port; \"any\" (0) takes a free one. If the port is taken, "
                                      "Start takes a free one and says so.")));
    auto *listen = new QHBoxLayout;
    listen->setContentsMargins(0, 0, 0, 0);
    listen->addWidget(m_address, 1);
    listen->addWidget(new QLabel(QStringLiteral(":"), this));
    listen->addWidget(m_port);

    m_workers = new QSpinBox(this);
    m_workers->setRange(0, 64);
    m_workers->setSpecialValueText(tr("auto (%1)").arg(qMax(1, QThread::idealThreadCount())));
    m_workers->setToolTip(atNextStart(
        tr("Worker threads, each with its own connections and upstream pools; auto: one per "
           "CPU core.")));
    m_allowRemote = new QCheckBox(tr("Allow remote (listen beyond loopback)"), this);
    m_allowRemote->setToolTip(atNextStart(
        tr("The proxy forwards to whatever the bindings name: listening beyond loopback "
           "exposes that to the network.")));

    m_readOnly = new QCheckBox(tr("Read-only mirroring (GET, HEAD, OPTIONS only)"), this);
    m_readOnly->setToolTip(atNextStart(
        tr("Mirror only requests that change nothing, so v2 never writes what v1 already wrote; "
           "the others are counted as dropped (\"read-only\").")));
    m_maxInFlight = new QSpinBox(this);
    m_maxInFlight->setRange(1, 1000000);
    m_maxInFlight->setToolTip(atNextStart(
        tr("Mirrors waiting for v2 at once; beyond this a mirror is dropped and counted "
           "(\"in-flight limit\"), never queued, so a slow v2 cannot slow v1.")));
    m_bodyCapKiB = new QSpinBox(this);
    m_bodyCapKiB->setRange(0, 1024 * 1024);
    m_bodyCapKiB->setSuffix(tr(" KiB"));
    m_bodyCapKiB->setToolTip(atNextStart(
        tr("Request body the mirror may buffer; a larger body is not mirrored (counted as "
           "\"body limit\").")));
    m_mirrorTimeout = new QSpinBox(this);
    m_mirrorTimeout->setRange(100, 600000);
    m_mirrorTimeout->setSingleStep(500);
    m_mirrorTimeout->setSuffix(tr(" ms"));
    m_mirrorTimeout->setToolTip(
        atNextStart(tr("How long v2 may take to answer a mirror before it is abandoned (counted as "
                       "timed out).")));

    auto *settingsBox = new QGroupBox(tr("Proxy"), this);
    auto *form = new QFormLayout(settingsBox);
    form->addRow(tr("&Listen:"), listen);
    form->addRow(tr("&Workers:"), m_workers);
    form->addRow(QString(), m_allowRemote);
    auto *safetyBox = new QGroupBox(tr("Mirror safety"), this);
    auto *safety = new QFormLayout(safetyBox);
    safety->addRow(m_readOnly);
    safety->addRow(tr("Max in-flight &mirrors:"), m_maxInFlight);
    safety->addRow(tr("Mirror &body cap:"), m_bodyCapKiB);
    safety->addRow(tr("Mirror &timeout:"), m_mirrorTimeout);

    m_buttons = new QWidget(this);
    auto *buttons = new QHBoxLayout(m_buttons);
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addStretch(1);

    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();

    auto *statusBox = new QGroupBox(tr("Status"), this);
    auto *status = new QFormLayout(statusBox);
    QWidget *listening = nullptr, *rps = nullptr, *connections = nullptr, *requests = nullptr,
            *drops = nullptr;
    m_listening = valueLabel(statusBox, &listening);
    m_rps = valueLabel(statusBox, &rps);
    m_connections = valueLabel(statusBox, &connections);
    m_requests = valueLabel(statusBox, &requests);
    m_drops = valueLabel(statusBox, &drops);
    m_requests->setWordWrap(true);
    m_drops->setWordWrap(true);
    m_drops->setToolTip(tr("Mirrors not sent, by reason: in-flight limit, body limit, "
                           "read-only, unbound, client gone, endpoint down"));
    status->addRow(tr("Listening:"), listening);
    status->addRow(tr("Requests/s:"), rps);
    status->addRow(tr("Open connections:"), connections);
    status->addRow(tr("Requests:"), requests);
    status->addRow(tr("Mirror drops:"), drops);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(settingsBox);
    layout->addWidget(safetyBox);
    layout->addWidget(m_buttons);
    layout->addWidget(m_message);
    layout->addWidget(statusBox);
    layout->addStretch(1);

    m_address->setText(defaults.listenAddress.toString());
    m_port->setValue(8080);
    m_workers->setValue(defaults.workers);
    m_allowRemote->setChecked(defaults.allowRemote);
    m_readOnly->setChecked(defaults.readOnlyMirroring);
    m_maxInFlight->setValue(defaults.maxInFlightMirrors);
    m_bodyCapKiB->setValue(int(defaults.mirrorBodyBufferBytes / 1024));
    m_mirrorTimeout->setValue(defaults.mirrorTimeoutMs);
    restore();

    auto changed = [this] {
        if (m_restoring)
            return;
        store();
        validateAddress();
    };
    connect(m_address, &QLineEdit::textChanged, this, changed);
    for (QSpinBox *box : {m_port, m_workers, m_maxInFlight, m_bodyCapKiB, m_mirrorTimeout})
        connect(box, &QSpinBox::valueChanged, this, changed);
    for (QCheckBox *box : {m_allowRemote, m_readOnly})
        connect(box, &QCheckBox::toggled, this, changed);
    validateAddress();
}

void ProxyPanel::setController(RunController *controller)
{
    m_controller = controller;
    connect(controller, &RunController::runningChanged, this, &ProxyPanel::onRunningChanged);
    connect(controller, &RunController::sampled, this, &ProxyPanel::onSample);
    connect(controller, &RunController::startFailed, this,
            [this](const QString &error) { showError(tr("Not running: %1").arg(error)); });
    onRunningChanged(controller->isRunning());
}

void ProxyPanel::attach(QAction *start, QAction *stop, QSpinBox *toolBarPort)
{
    auto *layout = static_cast<QHBoxLayout *>(m_buttons->layout());
    for (QAction *action : {start, stop}) {
        auto *button = new QToolButton(m_buttons);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        layout->insertWidget(layout->count() - 1, button);
    }
    if (toolBarPort) {
        // Two views of one value: the tool bar's box for a quick change, this one persisted.
        toolBarPort->setValue(m_port->value());
        connect(toolBarPort, &QSpinBox::valueChanged, m_port, &QSpinBox::setValue);
        connect(m_port, &QSpinBox::valueChanged, toolBarPort, &QSpinBox::setValue);
    }
}

Proxy::Settings ProxyPanel::settings(QString *error) const
{
    Proxy::Settings s;
    QString why;
    const QString text = m_address->text().trimmed();
    QHostAddress address;
    if (text.isEmpty())
        address = QHostAddress(QHostAddress::LocalHost);
    else if (!address.setAddress(text))
        why = tr("listen address \"%1\" is not an IP address (for example 127.0.0.1)").arg(text);
    if (why.isEmpty() && !address.isLoopback() && !m_allowRemote->isChecked())
        why = tr("listen address %1 is not loopback: tick \"Allow remote\" to expose the proxy "
                 "to the network")
                  .arg(text);
    if (why.isEmpty())
        s.listenAddress = address;
    s.listenPort = quint16(m_port->value());
    s.allowRemote = m_allowRemote->isChecked();
    s.workers = m_workers->value();
    s.readOnlyMirroring = m_readOnly->isChecked();
    s.maxInFlightMirrors = m_maxInFlight->value();
    s.mirrorBodyBufferBytes = qint64(m_bodyCapKiB->value()) * 1024;
    s.mirrorTimeoutMs = m_mirrorTimeout->value();
    if (error)
        *error = why;
    return s;
}

void ProxyPanel::showError(const QString &message)
{
    m_message->setText(message);
    m_message->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_message->setVisible(!message.isEmpty());
}

QString ProxyPanel::message() const
{
    return m_message->isHidden() ? QString() : m_message->text();
}

void ProxyPanel::restore()
{
    m_restoring = true;
    auto st = Settings::open();
    m_address->setText(st->value(kAddressKey, m_address->text()).toString());
    m_port->setValue(st->value(kPortKey, m_port->value()).toInt());
    m_workers->setValue(st->value(kWorkersKey, m_workers->value()).toInt());
    m_allowRemote->setChecked(st->value(kAllowRemoteKey, m_allowRemote->isChecked()).toBool());
    m_readOnly->setChecked(st->value(kReadOnlyKey, m_readOnly->isChecked()).toBool());
    m_maxInFlight->setValue(st->value(kMaxInFlightKey, m_maxInFlight->value()).toInt());
    m_bodyCapKiB->setValue(st->value(kBodyCapKey, m_bodyCapKiB->value()).toInt());
    m_mirrorTimeout->setValue(st->value(kTimeoutKey, m_mirrorTimeout->value()).toInt());
    m_restoring = false;
}

void ProxyPanel::store() const
{
    auto st = Settings::open();
    st->setValue(kAddressKey, m_address->text().trimmed());
    st->setValue(kPortKey, m_port->value());
    st->setValue(kWorkersKey, m_workers->value());
    st->setValue(kAllowRemoteKey, m_allowRemote->isChecked());
    st->setValue(kReadOnlyKey, m_readOnly->isChecked());
    st->setValue(kMaxInFlightKey, m_maxInFlight->value());
    st->setValue(kBodyCapKey, m_bodyCapKiB->value());
    st->setValue(kTimeoutKey, m_mirrorTimeout->value());
}

void ProxyPanel::validateAddress()
{
    QString error;
    settings(&error);
    showError(error);
}

void ProxyPanel::onRunningChanged(bool running)
{
    if (running) {
        QString error;
        settings(&error);
        const QString notice = m_controller->notice();
        showError(error);
        if (error.isEmpty() && !notice.isEmpty()) {
            m_message->setText(tr("Note: %1").arg(notice));
            m_message->setStyleSheet(QString());
            m_message->show();
        }
    } else {
        m_listening->setText(tr("not running"));
        m_rps->setText(QStringLiteral("–"));
        m_connections->setText(QStringLiteral("–"));
    }
}

void ProxyPanel::onSample(const RunController::ProxySample &sample)
{
    const QLocale l;
    const Proxy::Stats &s = sample.stats;
    m_listening->setText(QStringLiteral("http://") + sample.listen);
    m_rps->setText(l.toString(sample.requestsPerSecond, 'f', 1));
    m_connections->setText(l.toString(s.connectionsOpen));
    m_requests->setText(
        tr("%1 (mirrors %2 sent, %3 in flight)")
            .arg(l.toString(s.requests), l.toString(s.mirrorsSent), l.toString(s.mirrorsInFlight)));
    m_drops->setText(
        tr("%1 (in-flight limit %2, body limit %3, read-only %4, unbound %5, client gone %6, "
           "endpoint down %7)")
            .arg(l.toString(s.mirrorsDropped()), l.toString(s.mirrorsDroppedInFlightLimit),
                 l.toString(s.mirrorsDroppedBodyLimit), l.toString(s.mirrorsDroppedReadOnly),
                 l.toString(s.mirrorsDroppedUnbound), l.toString(s.mirrorsDroppedClientGone),
                 l.toString(s.mirrorsDroppedEndpointDown)));
}

} // namespace Ui
