#pragma once

#include "observe/comparison.h"
#include "observe/exchange.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace Observe {
class Hub;
}

namespace Ui {

class DetailPane;
class ExchangeFilter;
class ExchangeModel;

// The paired exchange log: a filterable table, newest at the bottom, following new rows unless
// the person paused it or scrolled up to read, and below it the selected exchange in full
// (DetailPane).
class LogView : public QWidget
{
    Q_OBJECT
public:
    explicit LogView(QWidget *parent = nullptr);

    // Where the detail pane finds whole exchanges and noise rules go.
    void setHub(Observe::Hub *hub);

    ExchangeModel *model() const { return m_model; }
    ExchangeFilter *filter() const { return m_filter; }
    QTableView *table() const { return m_table; }
    QCheckBox *pauseBox() const { return m_pause; }
    QLineEdit *pathFilterEdit() const { return m_path; }
    QLineEdit *statusFilterEdit() const { return m_status; }
    QCheckBox *mismatchOnlyBox() const { return m_mismatchOnly; }
    QComboBox *versionBox() const { return m_version; }
    DetailPane *detail() const { return m_detail; }
    bool isFollowing() const { return m_follow; }
    // Selects the row (of what the filter shows) and shows it in the detail pane.
    void selectRow(int row);

public slots:
    void addObserved(const QList<Observe::Exchange> &batch,
                     const QList<QList<Observe::Comparison>> &comparisons);

signals:
    void message(const QString &text); // for the status bar (noise rules added, ...)
    void exportRequested();            // "Export…": the main window opens the export dialog
    void noiseRulesRequested();        // "Noise rules…": the main window opens its dialog

private:
    void updateCount();

    ExchangeModel *m_model = nullptr;
    ExchangeFilter *m_filter = nullptr;
    QTableView *m_table = nullptr;
    QCheckBox *m_pause = nullptr;
    QLineEdit *m_path = nullptr;
    QLineEdit *m_status = nullptr;
    QCheckBox *m_mismatchOnly = nullptr;
    QComboBox *m_version = nullptr;
    QLabel *m_count = nullptr;
    DetailPane *m_detail = nullptr;
    bool m_follow = true;
    bool m_adjusting = false;
};

} // namespace Ui
