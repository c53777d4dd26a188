#pragma once

#include "model/common.h"

#include <QLineEdit>
#include <QStringList>
#include <QWidget>

#include <optional>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSlider;
class QSpinBox;
class QTableWidget;
class QToolButton;

// Small editors the forms are made of. Each emits one signal per finished edit (Enter, focus
// out, slider release, combo choice), never per keystroke: one signal is one undo step.
namespace Forms {

// A list of strings as one line: "a, b, c".
class ListEdit : public QLineEdit
{
    Q_OBJECT
public:
    explicit ListEdit(QWidget *parent = nullptr);
    void setValues(const QStringList &values);
    QStringList values() const;
};

// A Go duration ("1.5s", "100ms"), checked with core's parser: text that Istio would reject
// turns the field red with the parser's message below it and is not emitted.
class DurationEdit : public QWidget
{
    Q_OBJECT
public:
    explicit DurationEdit(QWidget *parent = nullptr);
    void setDuration(const std::optional<Model::Duration> &d);
    QLineEdit *lineEdit() const { return m_edit; }
    bool hasError() const { return !m_error.isEmpty(); }
    QString errorText() const { return m_error; }

signals:
    // std::nullopt when the field was cleared.
    void durationEdited(const std::optional<Model::Duration> &duration);

private:
    void check();

    QLineEdit *m_edit = nullptr;
    QLabel *m_message = nullptr;
    QString m_error;
    QString m_committed;
};

// An optional integer: a spin box whose lowest value reads "not set".
class OptionalSpin : public QWidget
{
    Q_OBJECT
public:
    OptionalSpin(int min, int max, QWidget *parent = nullptr);
    void setValue(std::optional<qint64> v);
    std::optional<qint64> value() const;
    QSpinBox *spinBox() const { return m_spin; }

signals:
    void valueEdited(std::optional<qint64> value);

private:
    QSpinBox *m_spin = nullptr;
    int m_min = 0;
};

// An optional bool as a combo: "default", "true", "false".
class OptionalBoolBox : public QWidget
{
    Q_OBJECT
public:
    explicit OptionalBoolBox(const QString &defaultText, QWidget *parent = nullptr);
    void setValue(std::optional<bool> v);
    std::optional<bool> value() const;
    QComboBox *comboBox() const { return m_combo; }

signals:
    void valueEdited(std::optional<bool> value);

private:
    QComboBox *m_combo = nullptr;
};

// A route weight: slider (0-100) and spin box side by side, and the share of the rule's
// traffic it gives, in %. Dragging the slider updates the spin box live and emits on release.
class WeightEdit : public QWidget
{
    Q_OBJECT
public:
    explicit WeightEdit(QWidget *parent = nullptr);
    void setWeight(std::optional<int> w);
    std::optional<int> weight() const;
    void setShareText(const QString &text);
    QSlider *slider() const { return m_slider; }
    QSpinBox *spinBox() const { return m_spin; }
    QLabel *shareLabel() const { return m_share; }

signals:
    void weightEdited(std::optional<int> weight);
    // While the slider is dragged (for a live share preview; not an edit).
    void weightPreview(int weight);

private:
    QSlider *m_slider = nullptr;
    QSpinBox *m_spin = nullptr;
    QLabel *m_share = nullptr;
};

// A Percent (0-100 with decimals): slider in hundredths of a percent and a spin box with four
// decimals (Istio's resolution is 0.0001 %). Unset shows `defaultText` and the value Istio uses.
class PercentEdit : public QWidget
{
    Q_OBJECT
public:
    PercentEdit(double unsetMeans, const QString &unsetText, QWidget *parent = nullptr);
    void setPercent(std::optional<double> p);
    std::optional<double> percent() const { return m_value; }
    QSlider *slider() const { return m_slider; }
    QDoubleSpinBox *spinBox() const { return m_spin; }
    QToolButton *clearButton() const { return m_clear; }

signals:
    void percentEdited(std::optional<double> percent);

private:
    void show(std::optional<double> p);
    void commit(double v);

    QSlider *m_slider = nullptr;
    QDoubleSpinBox *m_spin = nullptr;
    QToolButton *m_clear = nullptr;
    QLabel *m_note = nullptr;
    std::optional<double> m_value;
    double m_unsetMeans = 100;
    QString m_unsetText;
};

// A small table with add/remove buttons (header maps, labels, match conditions). Columns with
// choices get a combo box per cell. edited() follows a committed cell edit, a combo choice, or
// a row added or removed. Each row carries an int tag (e.g. the index of the model entry it
// came from, -1 for new rows) so editors can keep what the table does not show.
class RowsTable : public QWidget
{
    Q_OBJECT
public:
    struct Column
    {
        QString title;
        QStringList choices; // empty: free text
        int width = 0;       // 0: stretch
    };
    struct Row
    {
        QStringList cells;
        int tag = -1;
    };

    RowsTable(const QList<Column> &columns, QWidget *parent = nullptr);
    void setRows(const QList<Row> &rows);
    QList<Row> rows() const;
    QTableWidget *table() const { return m_table; }
    QToolButton *addButton() const { return m_add; }
    QToolButton *removeButton() const { return m_remove; }
    void addRow(const QStringList &cells); // as the Add button does (emits edited)
    // What the Add button puts in a new row (default: empty text, first choice).
    void setNewRowCells(const QStringList &cells) { m_newRow = cells; }
    void selectRow(int row);
    void setRowBackground(int row, const QColor &color, const QString &toolTip);

signals:
    void edited();

private:
    void insertRow(int row, const Row &data);
    void fitHeight();

    QList<Column> m_columns;
    QTableWidget *m_table = nullptr;
    QToolButton *m_add = nullptr;
    QToolButton *m_remove = nullptr;
    QStringList m_newRow;
    bool m_filling = false;
};

} // namespace Forms
