#include "logview.h"

#include "logs/detailpane.h"
#include "logs/exchangemodel.h"
#include "widgets/livelabel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace Ui {

namespace {
constexpr int kAppendIntervalMs = 250;
constexpr int kRowsPerAppend = 1000;
} // namespace

LogView::LogView(QWidget *parent)
    : QWidget(parent), m_model(new ExchangeModel(this)), m_filter(new ExchangeFilter(this))
{
    // Rows at most 4 times a second, at most 1,000 a time: at 5,000 exchanges/s, one batch per
    // insert and repaint kept the event loop busy (ExchangeModel::setCoalescing).
    m_model->setCoalescing(kAppendIntervalMs, kRowsPerAppend);
    m_filter->setSourceModel(m_model);
    m_table = new QTableView(this);
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    // Fixed row heights and column widths: measuring 5,000 rows' contents per batch would
    // cost more than the proxy does.
    QHeaderView *rows = m_table->verticalHeader();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    rows->hide();
    QHeaderView *columns = m_table->horizontalHeader();
    columns->setSectionResizeMode(QHeaderView::Interactive);
    // Widths from the widest text each column shows, measured once; the comparison takes the
    // rest.
    const QFontMetrics fm = m_table->fontMetrics();
    const char *const widest[ExchangeModel::ColumnCount] = {"00:00:00.000__",
                                                            "OPTIONS_",
                                                            "/users/0000/orders__",
                                                            "greeter-service http[00]__",
                                                            "v1 status__",
                                                            "0000.0___",
                                                            "dropped: in-flight limit",
                                                            "0000.0___",
                                                            ""};
    for (int c = 0; c < ExchangeModel::ColumnCount; ++c)
        if (c != ExchangeModel::Match)
            m_table->setColumnWidth(c, fm.horizontalAdvance(QLatin1String(widest[c])) + 12);
    columns->setStretchLastSection(true);

    m_pause = new QCheckBox(tr("&Pause"), this);
    m_pause->setToolTip(tr("Hold the log still to read it; new exchanges wait and appear when "
                           "you resume."));
    // Rewritten on every append: a LiveLabel, so the count never relayouts the window.
    auto *count = new LiveLabel(this);
    m_count = count->label();
    auto *clear = new QPushButton(tr("Clear"), this);
    auto *exportButton = new QPushButton(tr("Export…"), this);
    exportButton->setToolTip(tr("Write the recorded exchanges as HAR, CSV or JSON Lines, or the "
                                "summary report"));
    connect(exportButton, &QPushButton::clicked, this, &LogView::exportRequested);
    auto *noiseButton = new QPushButton(tr("Noise rules…"), this);
    noiseButton->setToolTip(tr("Headers and JSON paths whose differences do not count, saved "
                               "with the document"));
    connect(noiseButton, &QPushButton::clicked, this, &LogView::noiseRulesRequested);
    m_path = new QLineEdit(this);
    m_path->setPlaceholderText(tr("path contains…"));
    m_path->setClearButtonEnabled(true);
    m_status = new QLineEdit(this);
    m_status->setPlaceholderText(tr("status: 5xx, 503, failed"));
    m_status->setClearButtonEnabled(true);
    m_status->setMaximumWidth(fm.horizontalAdvance(QStringLiteral("status: 5xx, 503, failed__")));
    m_mismatchOnly = new QCheckBox(tr("&Mismatches only"), this);
    m_version = new QComboBox(this);
    m_version->addItem(tr("any version"), QString());
    m_version->setToolTip(tr("Only exchanges that went to this version (as primary or mirror)"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("<b>Log</b>"), this));
    bar->addWidget(m_path, 2);
    bar->addWidget(m_status, 1);
    bar->addWidget(m_version);
    bar->addWidget(m_mismatchOnly);
    bar->addStretch(1);
    bar->addWidget(count);
    bar->addWidget(m_pause);
    bar->addWidget(clear);
    bar->addWidget(noiseButton);
    bar->addWidget(exportButton);

    m_detail = new DetailPane(this);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(m_detail);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    // Shown once a row is selected: while watching, the table has the height.
    m_detail->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(split, 1);

    connect(m_pause, &QCheckBox::toggled, this, [this](bool on) {
        m_model->setPaused(on);
        updateCount();
    });
    connect(clear, &QPushButton::clicked, m_model, &ExchangeModel::clear);
    connect(m_path, &QLineEdit::textChanged, m_filter, &ExchangeFilter::setPathFilter);
    connect(m_status, &QLineEdit::textChanged, m_filter, &ExchangeFilter::setStatusFilter);
    connect(m_mismatchOnly, &QCheckBox::toggled, m_filter, &ExchangeFilter::setMismatchOnly);
    connect(m_version, &QComboBox::currentIndexChanged, this,
            [this](int) { m_filter->setVersionFilter(m_version->currentData().toString()); });
    connect(m_model, &ExchangeModel::versionsChanged, this, [this](const QStringList &versions) {
        for (const QString &v : versions)
            if (m_version->findData(v) < 0)
                m_version->addItem(v, v);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                m_detail->setVisible(current.isValid());
                m_detail->showExchange(
                    current.isValid() ? current.data(ExchangeModel::ExchangeIdRole).toULongLong()
                                      : 0);
            });
    connect(m_detail, &DetailPane::noiseChanged, this, &LogView::message);
    // Follow the newest row unless the person scrolled up to read: the next batch must not
    // undo that. The view lays out new rows later, so follow the scroll range, not the insert.
    QScrollBar *scroll = m_table->verticalScrollBar();
    connect(scroll, &QScrollBar::rangeChanged, this, [this, scroll](int, int max) {
        if (!m_follow)
            return;
        m_adjusting = true;
        scroll->setValue(max);
        m_adjusting = false;
    });
    connect(scroll, &QScrollBar::valueChanged, this, [this, scroll](int value) {
        if (!m_adjusting)
            m_follow = value >= scroll->maximum() - 1;
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &LogView::updateCount);
    connect(m_model, &QAbstractItemModel::modelReset, this, &LogView::updateCount);
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &LogView::updateCount);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &LogView::updateCount);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &LogView::updateCount);
    updateCount();
}

void LogView::setHub(Observe::Hub *hub)
{
    m_detail->setHub(hub);
}

void LogView::addObserved(const QList<Observe::Exchange> &batch,
                          const QList<QList<Observe::Comparison>> &comparisons)
{
    m_model->addObserved(batch, comparisons);
}

void LogView::selectRow(int row)
{
    const QModelIndex index = m_filter->index(row, 0);
    m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                          QItemSelectionModel::Rows);
}

void LogView::updateCount()
{
    QString text = tr("%1 shown of %2").arg(m_filter->rowCount()).arg(m_model->totalSeen());
    if (m_model->isPaused() && m_model->pendingCount())
        text += tr(", %1 waiting").arg(m_model->pendingCount());
    m_count->setText(text);
}

} // namespace Ui
