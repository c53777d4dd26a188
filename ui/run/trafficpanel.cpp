#include "trafficpanel.h"

#include "editor/settings.h"
#include "observe/hub.h"
#include "run/runcontroller.h"
#include "widgets/livelabel.h"

#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QStyle>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace Ui {

namespace {
const char *const kSourceKey = "traffic/source";
const char *const kHarKey = "traffic/harFile";
const char *const kPacingKey = "traffic/originalPacing";
const char *const kRateKey = "traffic/rate";
const char *const kDurationKey = "traffic/durationSeconds";
const char *const kConcurrencyKey = "traffic/concurrency";
const char *const kMixKey = "traffic/mix";

bool isToken(const QString &s)
{
    if (s.isEmpty())
        return false;
    for (QChar c : s)
        if (c.unicode() <= 32 || c.unicode() >= 127 ||
            QStringLiteral("()<>@,;:\\\"/[]?={}").contains(c))
            return false;
    return true;
}

QString headersText(const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QStringList parts;
    for (const auto &h : headers)
        parts << QString::fromUtf8(h.first) + QStringLiteral(": ") + QString::fromUtf8(h.second);
    return parts.join(QStringLiteral("; "));
}

QString cell(const QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->text().trimmed() : QString();
}
} // namespace

TrafficPanel::TrafficPanel(QWidget *parent) : QWidget(parent)
{
    m_source = new QComboBox(this);
    m_source->addItem(tr("Generated request mix"), int(Source::Mix));
    m_source->addItem(tr("Replay a HAR file"), int(Source::Har));
    m_source->addItem(tr("Replay the recorded exchanges (the log)"), int(Source::Recorded));
    m_source->setToolTip(tr("What Start traffic sends: requests drawn from the mix below at the "
                            "rate, or each request of a recording once"));

    m_harPath = new QLineEdit(this);
    m_harPath->setPlaceholderText(tr("HAR file to replay"));
    m_harPath->setToolTip(tr("A HAR 1.2 file (Mirrorscope's --har, a browser's devtools "
                             "export): each entry's method, path, headers and body are sent "
                             "again; Mirrorscope's mirror legs are skipped"));
    auto *browse = new QToolButton(this);
    browse->setText(tr("Browse…"));
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("HAR File to Replay"), QFileInfo(m_harPath->text()).path(),
            tr("HAR files (*.har *.json);;All files (*)"));
        if (!path.isEmpty())
            setHarPath(path);
    });
    m_harRow = new QWidget(this);
    auto *harLayout = new QHBoxLayout(m_harRow);
    harLayout->setContentsMargins(0, 0, 0, 0);
    harLayout->addWidget(m_harPath, 1);
    harLayout->addWidget(browse);

    m_pacing = new QComboBox(this);
    m_pacing->addItem(tr("Original pacing"), true);
    m_pacing->addItem(tr("At the rate"), false);
    m_pacing->setToolTip(tr("A replay keeps the recording's gaps between requests, or sends "
                            "them evenly at the rate"));

    m_rate = new QSpinBox(this);
    m_rate->setRange(0, 50000);
    m_rate->setSuffix(tr(" req/s"));
    m_rate->setSpecialValueText(tr("off"));
    m_rate->setToolTip(tr("Requests per second (Poisson arrivals for the mix). Also what Start "
                          "(F5) sends with the proxy; off: Start sends nothing"));
    m_duration = new QDoubleSpinBox(this);
    m_duration->setRange(0, 7 * 24 * 3600);
    m_duration->setDecimals(1);
    m_duration->setSuffix(tr(" s"));
    m_duration->setSpecialValueText(tr("until stopped"));
    m_duration->setToolTip(tr("How long the traffic runs; a replay ends earlier once every "
                              "request went out"));
    m_concurrency = new QSpinBox(this);
    m_concurrency->setRange(1, 4096);
    m_concurrency->setToolTip(tr("Most connections (requests in flight) at once; an arrival "
                                 "finding them all busy is counted as skipped"));

    m_mix = new QTableWidget(0, MixColumnCount, this);
    m_mix->setHorizontalHeaderLabels(
        {tr("Method"), tr("Path"), tr("Weight"), tr("Headers"), tr("Body")});
    m_mix->horizontalHeader()->setStretchLastSection(true);
    m_mix->verticalHeader()->setDefaultSectionSize(m_mix->fontMetrics().height() + 6);
    m_mix->setColumnWidth(Method, 60);
    m_mix->setColumnWidth(Path, 120);
    m_mix->setColumnWidth(Weight, 55);
    m_mix->setColumnWidth(Headers, 140);
    m_mix->setToolTip(tr("Each row is one kind of request, drawn in proportion to its weight. "
                         "\"{id}\" in path or body becomes a random user id. Headers: "
                         "\"Name: value; Name2: value2\""));
    auto *add = new QPushButton(tr("Add"), this);
    auto *remove = new QPushButton(tr("Remove"), this);
    auto *reset = new QPushButton(tr("Default"), this);
    add->setToolTip(tr("A new row: GET /"));
    remove->setToolTip(tr("Remove the selected rows"));
    reset->setToolTip(tr("The greeter mix: 80 % GET /hello, 15 % GET /users/{id}, 5 % POST "
                         "/users"));
    connect(add, &QPushButton::clicked, this, [this] {
        Demo::RequestTemplate entry;
        entry.path = "/";
        addMixRow(entry);
        m_mix->setCurrentCell(m_mix->rowCount() - 1, Path);
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        QList<int> rows;
        for (const QModelIndex &index : m_mix->selectionModel()->selectedIndexes())
            if (!rows.contains(index.row()))
                rows << index.row();
        std::sort(rows.rbegin(), rows.rend());
        for (int row : rows)
            m_mix->removeRow(row);
        store();
        updateState();
    });
    connect(reset, &QPushButton::clicked, this, [this] { setMix(Demo::RequestMix::defaultMix()); });
    m_mixBox = new QGroupBox(tr("Request mix"), this);
    auto *mixLayout = new QVBoxLayout(m_mixBox);
    mixLayout->setContentsMargins(4, 4, 4, 4);
    mixLayout->addWidget(m_mix, 1);
    auto *mixButtons = new QHBoxLayout;
    mixButtons->addWidget(add);
    mixButtons->addWidget(remove);
    mixButtons->addWidget(reset);
    mixButtons->addStretch(1);
    mixLayout->addLayout(mixButtons);

    m_startAction =
        new QAction(style()->standardIcon(QStyle::SP_MediaSeekForward), tr("Start Traffic"), this);
    m_startAction->setShortcut(QKeySequence(Qt::Key_F6));
    m_startAction->setToolTip(tr("Send the traffic set up here through the running proxy (F6)"));
    connect(m_startAction, &QAction::triggered, this, &TrafficPanel::startTraffic);
    m_stopAction =
        new QAction(style()->standardIcon(QStyle::SP_MediaPause), tr("Stop Traffic"), this);
    m_stopAction->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F6));
    m_stopAction->setToolTip(tr("Stop the generated traffic; the proxy keeps running "
                                "(Shift+F6)"));
    connect(m_stopAction, &QAction::triggered, this, &TrafficPanel::stopTraffic);
    m_replayHarAction = new QAction(tr("Replay HAR File…"), this);
    m_replayHarAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_replayHarAction->setToolTip(tr("Choose a HAR file and send its requests through the "
                                     "running proxy (Ctrl+R)"));
    connect(m_replayHarAction, &QAction::triggered, this, &TrafficPanel::replayHarFile);

    auto *startButton = new QToolButton(this);
    startButton->setDefaultAction(m_startAction);
    startButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto *stopButton = new QToolButton(this);
    stopButton->setDefaultAction(m_stopAction);
    stopButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(startButton);
    buttons->addWidget(stopButton);
    buttons->addStretch(1);

    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();
    // Rewritten on every progress report (about 10 a second): a LiveLabel, so a new count
    // repaints it and does not relayout the window.
    auto *counters = new LiveLabel(this);
    m_counters = counters->label();
    m_counters->setText(tr("No traffic yet."));
    m_counters->setWordWrap(true);
    m_counters->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *form = new QFormLayout;
    form->addRow(tr("&Source:"), m_source);
    form->addRow(tr("&File:"), m_harRow);
    form->addRow(tr("&Pacing:"), m_pacing);
    form->addRow(tr("&Rate:"), m_rate);
    form->addRow(tr("&Duration:"), m_duration);
    form->addRow(tr("&Concurrency:"), m_concurrency);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(form);
    layout->addWidget(m_mixBox, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_message);
    layout->addWidget(counters);

    const Demo::GeneratorConfig defaults;
    m_rate->setValue(int(defaults.ratePerSecond));
    m_concurrency->setValue(defaults.maxConnections);
    restore();

    auto changed = [this] {
        if (m_restoring)
            return;
        store();
        updateState();
    };
    connect(m_source, &QComboBox::currentIndexChanged, this, changed);
    connect(m_pacing, &QComboBox::currentIndexChanged, this, changed);
    connect(m_harPath, &QLineEdit::textChanged, this, changed);
    connect(m_rate, &QSpinBox::valueChanged, this, changed);
    connect(m_duration, &QDoubleSpinBox::valueChanged, this, changed);
    connect(m_concurrency, &QSpinBox::valueChanged, this, changed);
    connect(m_mix, &QTableWidget::itemChanged, this, changed);
    updateState();
}

void TrafficPanel::setController(RunController *controller)
{
    m_controller = controller;
    connect(controller, &RunController::runningChanged, this, &TrafficPanel::updateState);
    connect(controller, &RunController::trafficStarted, this, [this] {
        m_rateSent = 0;
        m_rateMs = 0;
        m_achieved = 0;
        updateState();
    });
    connect(controller, &RunController::trafficProgress, this, &TrafficPanel::showStats);
    connect(controller, &RunController::trafficFinished, this,
            [this](const Demo::GeneratorStats &stats) {
                showStats(stats);
                updateState();
            });
    updateState();
}

void TrafficPanel::attach(QSpinBox *toolBarRate)
{
    if (!toolBarRate)
        return;
    toolBarRate->setRange(m_rate->minimum(), m_rate->maximum());
    toolBarRate->setValue(m_rate->value());
    connect(toolBarRate, &QSpinBox::valueChanged, m_rate, &QSpinBox::setValue);
    connect(m_rate, &QSpinBox::valueChanged, toolBarRate, &QSpinBox::setValue);
}

Demo::RequestMix TrafficPanel::mix(QString *error) const
{
    Demo::RequestMix mix;
    QString why;
    for (int row = 0; row < m_mix->rowCount() && why.isEmpty(); ++row) {
        const QString where = tr("request mix row %1").arg(row + 1);
        Demo::RequestTemplate entry;
        const QString method = cell(m_mix, row, Method).toUpper();
        const QString path = cell(m_mix, row, Path);
        bool numeric = false;
        const double weight = cell(m_mix, row, Weight).toDouble(&numeric);
        if (!isToken(method)) {
            why = tr("%1, method: \"%2\" is not an HTTP method").arg(where, method);
        } else if (!path.startsWith(QLatin1Char('/')) || path.contains(QLatin1Char(' '))) {
            why = tr("%1, path: \"%2\" must start with / and have no spaces").arg(where, path);
        } else if (!numeric || !(weight >= 0)) {
            why = tr("%1, weight: \"%2\" is not a number ≥ 0").arg(where, cell(m_mix, row, Weight));
        } else {
            entry.method = method.toLatin1();
            entry.path = path.toUtf8();
            entry.weight = weight;
            entry.body =
                m_mix->item(row, Body) ? m_mix->item(row, Body)->text().toUtf8() : QByteArray();
            const QStringList headers =
                cell(m_mix, row, Headers).split(QLatin1Char(';'), Qt::SkipEmptyParts);
            for (const QString &h : headers) {
                const qsizetype colon = h.indexOf(QLatin1Char(':'));
                const QString name = h.left(colon).trimmed();
                if (colon < 0 || !isToken(name)) {
                    why = tr("%1, headers: \"%2\" is not \"Name: value\"").arg(where, h.trimmed());
                    break;
                }
                entry.headers.append(
                    qMakePair(name.toLatin1(), h.mid(colon + 1).trimmed().toUtf8()));
            }
            if (why.isEmpty())
                mix.add(entry); // weight 0: kept in the table, never drawn
        }
    }
    if (why.isEmpty() && mix.isEmpty())
        why = tr("the request mix has no row with a weight above 0");
    if (error)
        *error = why;
    return why.isEmpty() ? mix : Demo::RequestMix();
}

void TrafficPanel::setMix(const Demo::RequestMix &mix)
{
    m_restoring = true;
    m_mix->setRowCount(0);
    for (const Demo::RequestTemplate &entry : mix.entries())
        addMixRow(entry);
    m_restoring = false;
    store();
    updateState();
}

void TrafficPanel::addMixRow(const Demo::RequestTemplate &entry)
{
    const bool restoring = m_restoring;
    m_restoring = true;
    const int row = m_mix->rowCount();
    m_mix->insertRow(row);
    m_mix->setItem(row, Method, new QTableWidgetItem(QString::fromLatin1(entry.method)));
    m_mix->setItem(row, Path, new QTableWidgetItem(QString::fromUtf8(entry.path)));
    m_mix->setItem(row, Weight, new QTableWidgetItem(QString::number(entry.weight)));
    m_mix->setItem(row, Headers, new QTableWidgetItem(headersText(entry.headers)));
    m_mix->setItem(row, Body, new QTableWidgetItem(QString::fromUtf8(entry.body)));
    m_restoring = restoring;
    if (!m_restoring) {
        store();
        updateState();
    }
}

Demo::GeneratorConfig TrafficPanel::generatorConfig(QString *error) const
{
    Demo::GeneratorConfig c;
    c.ratePerSecond = m_rate->value();
    c.durationSeconds = m_duration->value();
    c.maxConnections = m_concurrency->value();
    c.replayOriginalPacing = m_pacing->currentData().toBool();
    QString why;
    switch (source()) {
    case Source::Mix:
        c.mix = mix(&why);
        break;
    case Source::Har: {
        const QString path = m_harPath->text().trimmed();
        Demo::ReplaySource replay;
        if (path.isEmpty())
            why = tr("choose a HAR file to replay");
        else if (Demo::readHarFile(path, &replay, &why) && replay.requests.isEmpty())
            why = tr("%1 has no request to replay (%2 entries, %3 of them mirror legs)")
                      .arg(QFileInfo(path).fileName())
                      .arg(replay.entries)
                      .arg(replay.skippedMirrors);
        c.replay = replay.requests;
        break;
    }
    case Source::Recorded: {
        const QList<Observe::Exchange> recorded =
            m_controller ? m_controller->runtime()->hub()->storedExchanges()
                         : QList<Observe::Exchange>();
        const Demo::ReplaySource replay = Demo::replayFromExchanges(recorded);
        if (replay.requests.isEmpty())
            why = tr("the log has no recorded request to replay yet");
        c.replay = replay.requests;
        break;
    }
    }
    if (why.isEmpty())
        why = Demo::TrafficGenerator::checkConfig(c);
    if (error)
        *error = why;
    return c;
}

Demo::GeneratorConfig TrafficPanel::startConfig() const
{
    Demo::GeneratorConfig c;
    c.ratePerSecond = m_rate->value();
    c.durationSeconds = m_duration->value();
    c.maxConnections = m_concurrency->value();
    QString error;
    const Demo::RequestMix table = mix(&error);
    if (error.isEmpty())
        c.mix = table;
    return c;
}

void TrafficPanel::setSource(Source source)
{
    m_source->setCurrentIndex(m_source->findData(int(source)));
}

TrafficPanel::Source TrafficPanel::source() const
{
    return Source(m_source->currentData().toInt());
}

void TrafficPanel::setHarPath(const QString &path)
{
    m_harPath->setText(path);
}

QString TrafficPanel::message() const
{
    return m_message->isHidden() ? QString() : m_message->text();
}

bool TrafficPanel::startTraffic()
{
    QString error;
    const Demo::GeneratorConfig c = generatorConfig(&error);
    if (error.isEmpty() && !m_controller)
        error = tr("the proxy is not running");
    if (error.isEmpty() && !m_controller->startTraffic(c))
        error = m_controller->trafficError();
    if (!error.isEmpty()) {
        showMessage(tr("Traffic not started: %1").arg(error), true);
        return false;
    }
    if (c.replay.isEmpty())
        showMessage(QString(), false);
    else
        showMessage(tr("Replaying %n request(s)", nullptr, int(c.replay.size())) +
                        (c.replayOriginalPacing ? tr(" at their original pacing")
                                                : tr(" at %1 req/s").arg(c.ratePerSecond)),
                    false);
    return true;
}

void TrafficPanel::stopTraffic()
{
    if (m_controller)
        m_controller->stopTraffic();
}

void TrafficPanel::replayHarFile()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Replay HAR File"), QFileInfo(m_harPath->text()).path(),
        tr("HAR files (*.har *.json);;All files (*)"));
    if (path.isEmpty())
        return;
    setHarPath(path);
    setSource(Source::Har);
    startTraffic();
}

void TrafficPanel::showMessage(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? QStringLiteral("color: #c62828;") : QString());
    m_message->setVisible(!text.isEmpty());
}

void TrafficPanel::updateState()
{
    const bool proxy = m_controller && m_controller->isRunning();
    const bool traffic = m_controller && m_controller->isTrafficRunning();
    const Source s = source();
    m_harRow->setEnabled(s == Source::Har);
    m_pacing->setEnabled(s != Source::Mix);
    m_mixBox->setEnabled(s == Source::Mix);
    m_startAction->setEnabled(proxy);
    m_startAction->setToolTip(proxy ? tr("Send the traffic set up here through the running "
                                         "proxy (F6); a running one is replaced")
                                    : tr("Start the proxy first (F5), then the traffic (F6)"));
    m_stopAction->setEnabled(traffic);
    m_replayHarAction->setEnabled(proxy);
    // The mix table is checked as it is edited, so a typo shows before Start, not after.
    if (s == Source::Mix && !traffic) {
        QString error;
        mix(&error);
        if (!error.isEmpty())
            showMessage(error, true);
        else if (m_message->styleSheet().contains(QLatin1String("c62828")))
            showMessage(QString(), false);
    }
}

void TrafficPanel::showStats(const Demo::GeneratorStats &stats)
{
    m_last = stats;
    if (stats.elapsedMs > m_rateMs) {
        const double instant =
            double(stats.sent - m_rateSent) * 1000.0 / double(stats.elapsedMs - m_rateMs);
        // A progress report every ~100 ms is noisy: smooth over about a second.
        m_achieved = m_rateMs == 0 ? instant : 0.8 * m_achieved + 0.2 * instant;
        m_rateSent = stats.sent;
        m_rateMs = stats.elapsedMs;
    }
    if (!stats.running && stats.elapsedMs > 0)
        m_achieved = double(stats.sent) * 1000.0 / double(stats.elapsedMs);
    const QLocale l;
    QString text =
        stats.running
            ? tr("<b>Running</b> %1 s").arg(l.toString(stats.elapsedMs / 1000.0, 'f', 1))
            : tr("<b>Finished</b> after %1 s").arg(l.toString(stats.elapsedMs / 1000.0, 'f', 1));
    if (stats.planned > 0)
        text += tr(" · replayed %1 of %2").arg(l.toString(stats.sent), l.toString(stats.planned));
    text +=
        tr("<br>sent <b>%1</b> · answered <b>%2</b> (2xx %3, 4xx %4, 5xx %5) · errors <b>%6</b> "
           "· skipped %7 · in flight %8<br>achieved <b>%9</b> req/s")
            .arg(l.toString(stats.sent), l.toString(stats.answered()),
                 l.toString(stats.answered2xx), l.toString(stats.answered4xx),
                 l.toString(stats.answered5xx), l.toString(stats.failed()),
                 l.toString(stats.skipped), l.toString(stats.inFlight),
                 l.toString(m_achieved, 'f', 0));
    if (stats.answered() > 0)
        text += tr(" · latency p50 %1 ms, p99 %2 ms")
                    .arg(l.toString(stats.latency.p50Us / 1000.0, 'f', 2),
                         l.toString(stats.latency.p99Us / 1000.0, 'f', 2));
    m_counters->setText(text);
}

void TrafficPanel::restore()
{
    m_restoring = true;
    auto st = Settings::open();
    m_source->setCurrentIndex(qMax(0, m_source->findData(st->value(kSourceKey, 0).toInt())));
    m_harPath->setText(st->value(kHarKey).toString());
    m_pacing->setCurrentIndex(st->value(kPacingKey, true).toBool() ? 0 : 1);
    m_rate->setValue(st->value(kRateKey, m_rate->value()).toInt());
    m_duration->setValue(st->value(kDurationKey, 0.0).toDouble());
    m_concurrency->setValue(st->value(kConcurrencyKey, m_concurrency->value()).toInt());
    const QVariantList rows = st->value(kMixKey).toList();
    m_mix->setRowCount(0);
    if (rows.isEmpty()) {
        const Demo::RequestMix defaults = Demo::RequestMix::defaultMix();
        for (const Demo::RequestTemplate &entry : defaults.entries())
            addMixRow(entry);
    }
    for (const QVariant &v : rows) {
        const QVariantMap m = v.toMap();
        const int row = m_mix->rowCount();
        m_mix->insertRow(row);
        for (int column = 0; column < MixColumnCount; ++column)
            m_mix->setItem(row, column,
                           new QTableWidgetItem(m.value(QString::number(column)).toString()));
    }
    m_restoring = false;
}

void TrafficPanel::store() const
{
    auto st = Settings::open();
    st->setValue(kSourceKey, int(source()));
    st->setValue(kHarKey, m_harPath->text());
    st->setValue(kPacingKey, m_pacing->currentData().toBool());
    st->setValue(kRateKey, m_rate->value());
    st->setValue(kDurationKey, m_duration->value());
    st->setValue(kConcurrencyKey, m_concurrency->value());
    // The table as typed (even a broken row), so nothing the person wrote is lost.
    QVariantList rows;
    for (int row = 0; row < m_mix->rowCount(); ++row) {
        QVariantMap m;
        for (int column = 0; column < MixColumnCount; ++column)
            m.insert(QString::number(column),
                     m_mix->item(row, column) ? m_mix->item(row, column)->text() : QString());
        rows << m;
    }
    st->setValue(kMixKey, rows);
}

} // namespace Ui
