#include "fieldwidgets.h"

#include "base/duration.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace Forms {

namespace {
const QColor kErrorBase(255, 214, 214);
const QColor kErrorText(183, 28, 28);

void setErrorLook(QWidget *w, bool error)
{
    QPalette p = w->parentWidget() ? w->parentWidget()->palette() : QPalette();
    if (error)
        p.setColor(QPalette::Base, kErrorBase);
    w->setPalette(p);
}
} // namespace

// --- ListEdit -------------------------------------------------------------------------------

ListEdit::ListEdit(QWidget *parent) : QLineEdit(parent)
{
    setPlaceholderText(tr("comma-separated"));
}

void ListEdit::setValues(const QStringList &values)
{
    setText(values.join(QStringLiteral(", ")));
}

QStringList ListEdit::values() const
{
    QStringList out;
    for (const QString &part : text().split(QLatin1Char(','))) {
        const QString v = part.trimmed();
        if (!v.isEmpty())
            out.append(v);
    }
    return out;
}

// --- DurationEdit ---------------------------------------------------------------------------

DurationEdit::DurationEdit(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    m_edit = new QLineEdit(this);
    m_edit->setPlaceholderText(tr("not set (e.g. 5s, 250ms, 1m30s)"));
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    QPalette p = m_message->palette();
    p.setColor(QPalette::WindowText, kErrorText);
    m_message->setPalette(p);
    m_message->hide();
    layout->addWidget(m_edit);
    layout->addWidget(m_message);
    setFocusProxy(m_edit);
    connect(m_edit, &QLineEdit::editingFinished, this, [this] {
        check();
        const QString text = m_edit->text().trimmed();
        if (hasError() || text == m_committed)
            return;
        m_committed = text;
        if (text.isEmpty())
            emit durationEdited(std::nullopt);
        else
            emit durationEdited(Model::Duration::fromText(text));
    });
}

void DurationEdit::setDuration(const std::optional<Model::Duration> &d)
{
    m_committed = d ? d->text : QString();
    m_edit->setText(m_committed);
    check(); // a bad duration read from the file shows as bad at once
}

void DurationEdit::check()
{
    const QString text = m_edit->text().trimmed();
    std::string why;
    if (text.isEmpty() || Base::parseGoDurationNs(text.toStdString(), &why))
        m_error.clear();
    else
        m_error = tr("Not a duration Istio accepts (%1). Write a number with a unit: 5s, "
                     "250ms, 1m30s.")
                      .arg(QString::fromStdString(why));
    m_message->setText(m_error);
    m_message->setVisible(!m_error.isEmpty());
    setErrorLook(m_edit, !m_error.isEmpty());
}

// --- OptionalSpin ---------------------------------------------------------------------------

OptionalSpin::OptionalSpin(int min, int max, QWidget *parent) : QWidget(parent), m_min(min - 1)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_spin = new QSpinBox(this);
    m_spin->setRange(m_min, max);
    m_spin->setSpecialValueText(tr("not set"));
    m_spin->setKeyboardTracking(false);
    layout->addWidget(m_spin);
    layout->addStretch();
    setFocusProxy(m_spin);
    connect(m_spin, &QSpinBox::valueChanged, this, [this] { emit valueEdited(value()); });
}

void OptionalSpin::setValue(std::optional<qint64> v)
{
    const QSignalBlocker block(m_spin);
    m_spin->setValue(v ? int(qBound(qint64(m_min + 1), qint64(*v), qint64(m_spin->maximum())))
                       : m_min);
}

std::optional<qint64> OptionalSpin::value() const
{
    if (m_spin->value() == m_min)
        return std::nullopt;
    return m_spin->value();
}

// --- OptionalBoolBox ------------------------------------------------------------------------

OptionalBoolBox::OptionalBoolBox(const QString &defaultText, QWidget *parent) : QWidget(parent)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_combo = new QComboBox(this);
    m_combo->addItem(defaultText);
    m_combo->addItem(QStringLiteral("true"));
    m_combo->addItem(QStringLiteral("false"));
    layout->addWidget(m_combo);
    layout->addStretch();
    setFocusProxy(m_combo);
    connect(m_combo, &QComboBox::currentIndexChanged, this, [this] { emit valueEdited(value()); });
}

void OptionalBoolBox::setValue(std::optional<bool> v)
{
    const QSignalBlocker block(m_combo);
    m_combo->setCurrentIndex(!v ? 0 : *v ? 1 : 2);
}

std::optional<bool> OptionalBoolBox::value() const
{
    switch (m_combo->currentIndex()) {
    case 1:
        return true;
    case 2:
        return false;
    default:
        return std::nullopt;
    }
}

// --- WeightEdit -----------------------------------------------------------------------------

WeightEdit::WeightEdit(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setRange(0, 100);
    m_slider->setPageStep(10);
    m_slider->setMinimumWidth(160);
    m_spin = new QSpinBox(this);
    m_spin->setRange(-1, 1000000);
    m_spin->setSpecialValueText(tr("not set"));
    m_spin->setKeyboardTracking(false);
    m_share = new QLabel(this);
    m_share->setMinimumWidth(170);
    layout->addWidget(m_slider, 1);
    layout->addWidget(m_spin);
    layout->addWidget(m_share);
    setFocusProxy(m_spin);

    connect(m_slider, &QSlider::valueChanged, this, [this](int v) {
        {
            const QSignalBlocker block(m_spin);
            m_spin->setValue(v);
        }
        if (m_slider->isSliderDown())
            emit weightPreview(v);
        else // keyboard, wheel, page click: each is a finished edit
            emit weightEdited(v);
    });
    connect(m_slider, &QSlider::sliderReleased, this,
            [this] { emit weightEdited(m_slider->value()); });
    connect(m_spin, &QSpinBox::valueChanged, this, [this](int v) {
        {
            const QSignalBlocker block(m_slider);
            m_slider->setValue(qBound(0, v, 100));
        }
        emit weightEdited(weight());
    });
}

void WeightEdit::setWeight(std::optional<int> w)
{
    const QSignalBlocker b1(m_slider);
    const QSignalBlocker b2(m_spin);
    m_spin->setValue(w ? qMax(0, *w) : -1);
    m_slider->setValue(w ? qBound(0, *w, 100) : 0);
}

std::optional<int> WeightEdit::weight() const
{
    return m_spin->value() < 0 ? std::nullopt : std::optional<int>(m_spin->value());
}

void WeightEdit::setShareText(const QString &text)
{
    m_share->setText(text);
}

// --- PercentEdit -------------------------------------------------------------------------

namespace {
// "12.5 %" rather than "12.5000 %": four decimals are allowed, trailing zeros are noise.
class PercentSpin : public QDoubleSpinBox
{
public:
    using QDoubleSpinBox::QDoubleSpinBox;
    QString textFromValue(double value) const override
    {
        QString text = locale().toString(value, 'f', decimals());
        const QChar point = locale().decimalPoint().at(0);
        if (text.contains(point)) {
            while (text.endsWith(QLatin1Char('0')))
                text.chop(1);
            if (text.endsWith(point))
                text.chop(1);
        }
        return text;
    }
};
} // namespace

PercentEdit::PercentEdit(double unsetMeans, const QString &unsetText, QWidget *parent)
    : QWidget(parent), m_unsetMeans(unsetMeans), m_unsetText(unsetText)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setRange(0, 10000); // hundredths of a percent
    m_slider->setPageStep(1000);
    m_slider->setMinimumWidth(160);
    m_spin = new PercentSpin(this);
    m_spin->setRange(0, 100);
    m_spin->setDecimals(4);
    m_spin->setSuffix(QStringLiteral(" %"));
    m_spin->setKeyboardTracking(false);
    m_clear = new QToolButton(this);
    m_clear->setText(tr("Unset"));
    m_clear->setToolTip(tr("Remove the percentage: %1").arg(unsetText));
    m_note = new QLabel(unsetText, this);
    layout->addWidget(m_slider, 1);
    layout->addWidget(m_spin);
    layout->addWidget(m_clear);
    layout->addWidget(m_note);
    setFocusProxy(m_spin);

    connect(m_slider, &QSlider::valueChanged, this, [this](int v) {
        {
            const QSignalBlocker block(m_spin);
            m_spin->setValue(v / 100.0);
        }
        if (!m_slider->isSliderDown())
            commit(v / 100.0);
    });
    connect(m_slider, &QSlider::sliderReleased, this,
            [this] { commit(m_slider->value() / 100.0); });
    connect(m_spin, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        {
            const QSignalBlocker block(m_slider);
            m_slider->setValue(int(std::lround(v * 100)));
        }
        commit(v);
    });
    connect(m_clear, &QToolButton::clicked, this, [this] {
        if (!m_value)
            return;
        show(std::nullopt);
        emit percentEdited(std::nullopt);
    });
}

void PercentEdit::setPercent(std::optional<double> p)
{
    show(p);
}

void PercentEdit::show(std::optional<double> p)
{
    m_value = p;
    const double v = p.value_or(m_unsetMeans);
    const QSignalBlocker b1(m_slider);
    const QSignalBlocker b2(m_spin);
    m_spin->setValue(v);
    m_slider->setValue(int(std::lround(qBound(0.0, v, 100.0) * 100)));
    m_note->setVisible(!p);
    m_clear->setEnabled(p.has_value());
}

void PercentEdit::commit(double v)
{
    if (m_value && *m_value == v)
        return;
    m_value = v;
    m_note->setVisible(false);
    m_clear->setEnabled(true);
    emit percentEdited(v);
}

// --- RowsTable ------------------------------------------------------------------------------

RowsTable::RowsTable(const QList<Column> &columns, QWidget *parent)
    : QWidget(parent), m_columns(columns)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_table = new QTableWidget(0, int(columns.size()), this);
    QStringList titles;
    for (const Column &c : columns)
        titles.append(c.title);
    m_table->setHorizontalHeaderLabels(titles);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::AllEditTriggers);
    for (int i = 0; i < columns.size(); ++i) {
        if (columns[i].width > 0) {
            m_table->horizontalHeader()->setSectionResizeMode(i, QHeaderView::Interactive);
            m_table->setColumnWidth(i, columns[i].width);
        } else {
            m_table->horizontalHeader()->setSectionResizeMode(i, QHeaderView::Stretch);
        }
    }
    auto *buttons = new QVBoxLayout;
    m_add = new QToolButton(this);
    m_add->setText(QStringLiteral("+"));
    m_add->setToolTip(tr("Add a row"));
    m_remove = new QToolButton(this);
    m_remove->setText(QStringLiteral("−"));
    m_remove->setToolTip(tr("Remove the selected row"));
    buttons->addWidget(m_add);
    buttons->addWidget(m_remove);
    buttons->addStretch();
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);
    setFocusProxy(m_table);

    connect(m_table, &QTableWidget::itemChanged, this, [this] {
        if (!m_filling)
            emit edited();
    });
    connect(m_add, &QToolButton::clicked, this, [this] { addRow(m_newRow); });
    connect(m_remove, &QToolButton::clicked, this, [this] {
        const int row = m_table->currentRow();
        if (row < 0)
            return;
        m_table->removeRow(row);
        fitHeight();
        emit edited();
    });
    fitHeight();
}

void RowsTable::insertRow(int row, const Row &data)
{
    const bool filling = m_filling;
    m_filling = true;
    m_table->insertRow(row);
    for (int c = 0; c < m_columns.size(); ++c) {
        const QString text = data.cells.value(c);
        auto *item = new QTableWidgetItem(text);
        if (c == 0)
            item->setData(Qt::UserRole, data.tag);
        m_table->setItem(row, c, item);
        if (!m_columns[c].choices.isEmpty()) {
            item->setFlags(item->flags() & ~Qt::ItemIsEditable);
            auto *combo = new QComboBox(m_table);
            combo->addItems(m_columns[c].choices);
            const int at = combo->findText(text);
            combo->setCurrentIndex(qMax(0, at));
            connect(combo, &QComboBox::currentIndexChanged, this, [this] {
                if (!m_filling)
                    emit edited();
            });
            m_table->setCellWidget(row, c, combo);
        }
    }
    m_filling = filling;
}

void RowsTable::setRows(const QList<Row> &rows)
{
    m_filling = true;
    m_table->setRowCount(0);
    for (int r = 0; r < rows.size(); ++r)
        insertRow(r, rows[r]);
    m_filling = false;
    fitHeight();
}

QList<RowsTable::Row> RowsTable::rows() const
{
    QList<Row> out;
    for (int r = 0; r < m_table->rowCount(); ++r) {
        Row row;
        for (int c = 0; c < m_columns.size(); ++c) {
            if (auto *combo = qobject_cast<QComboBox *>(m_table->cellWidget(r, c)))
                row.cells.append(combo->currentText());
            else
                row.cells.append(m_table->item(r, c) ? m_table->item(r, c)->text().trimmed()
                                                     : QString());
        }
        const QTableWidgetItem *first = m_table->item(r, 0);
        row.tag = first ? first->data(Qt::UserRole).toInt() : -1;
        out.append(row);
    }
    return out;
}

void RowsTable::addRow(const QStringList &cells)
{
    const int row = m_table->rowCount();
    insertRow(row, {cells, -1});
    fitHeight();
    m_table->setCurrentCell(row, 0);
    emit edited();
}

void RowsTable::selectRow(int row)
{
    if (row >= 0 && row < m_table->rowCount()) {
        m_table->selectRow(row);
        m_table->setCurrentCell(row, 0);
    }
}

void RowsTable::setRowBackground(int row, const QColor &color, const QString &toolTip)
{
    const bool filling = m_filling;
    m_filling = true; // colouring is not an edit
    for (int c = 0; c < m_columns.size(); ++c) {
        if (QTableWidgetItem *item = m_table->item(row, c)) {
            item->setBackground(color.isValid() ? QBrush(color) : QBrush());
            item->setToolTip(toolTip);
        }
    }
    m_filling = filling;
}

void RowsTable::fitHeight()
{
    // Tables live inside a scrolling form: show all rows (up to a few) instead of a second
    // scroll bar.
    const int rows = qBound(1, m_table->rowCount() + 1, 8);
    const int rowHeight = m_table->verticalHeader()->defaultSectionSize();
    m_table->setFixedHeight(m_table->horizontalHeader()->sizeHint().height() + rows * rowHeight +
                            2 * m_table->frameWidth());
}

} // namespace Forms
