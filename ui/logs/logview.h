#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QTableView;

namespace Ui {

class ExchangeModel;

// The paired exchange log: a table, newest at the bottom, following new rows unless the
// person paused it or scrolled up to read.
class LogView : public QWidget
{
    Q_OBJECT
public:
    explicit LogView(QWidget *parent = nullptr);

    ExchangeModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QCheckBox *pauseBox() const { return m_pause; }
    bool isFollowing() const { return m_follow; }

private:
    void updateCount();

    ExchangeModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QCheckBox *m_pause = nullptr;
    QLabel *m_count = nullptr;
    bool m_follow = true;
    bool m_adjusting = false;
};

} // namespace Ui
