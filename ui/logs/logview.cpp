#include "logview.h"

#include "logs/exchangemodel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QScrollBar>
#include <QTableView>
#include <QVBoxLayout>

namespace Ui {

LogView::LogView(QWidget *parent) : QWidget(parent), m_model(new ExchangeModel(this))
{
    m_table = new QTableView(this);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
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
    // Widths from the widest text each column shows, measured once; the path takes the rest.
    const QFontMetrics fm = m_table->fontMetrics();
    const char *const widest[ExchangeModel::ColumnCount] = {"00:00:00.000__",
                                                            "OPTIONS_",
                                                            "",
                                                            "greeter-service http[00]__",
                                                            "v1 status__",
                                                            "0000.0___",
                                                            "dropped: in-flight limit",
                                                            "0000.0___",
                                                            "MISMATCH__"};
    for (int c = 0; c < ExchangeModel::ColumnCount; ++c)
        if (c != ExchangeModel::Path)
            m_table->setColumnWidth(c, fm.horizontalAdvance(QLatin1String(widest[c])) + 12);
    columns->setSectionResizeMode(ExchangeModel::Path, QHeaderView::Stretch);

    m_pause = new QCheckBox(tr("&Pause"), this);
    m_pause->setToolTip(tr("Hold the log still to read it; new exchanges wait and appear when "
                           "you resume."));
    m_count = new QLabel(this);
    auto *clear = new QPushButton(tr("Clear"), this);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("<b>Log</b>: paired exchanges, newest at the bottom"), this));
    bar->addStretch(1);
    bar->addWidget(m_count);
    bar->addWidget(m_pause);
    bar->addWidget(clear);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_table);

    connect(m_pause, &QCheckBox::toggled, this, [this](bool on) {
        m_model->setPaused(on);
        updateCount();
    });
    connect(clear, &QPushButton::clicked, m_model, &ExchangeModel::clear);
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
    updateCount();
}

void LogView::updateCount()
{
    QString text = tr("%1 shown of %2").arg(m_model->rowCount()).arg(m_model->totalSeen());
    if (m_model->isPaused() && m_model->pendingCount())
        text += tr(", %1 waiting").arg(m_model->pendingCount());
    m_count->setText(text);
}

} // namespace Ui
