#pragma once

#include "demo/trafficgenerator.h"

#include <QElapsedTimer>
#include <QWidget>

class QAction;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace Ui {

class RunController;

// The traffic generator's panel on the Run page: rate, duration, concurrency and the request
// mix (a small table), or a replay (a HAR file, or the requests the log recorded) at the
// recording's pacing or at the rate; Start/Stop traffic while the proxy runs, and live
// counters. The values are kept in QSettings ("traffic/...").
class TrafficPanel : public QWidget
{
    Q_OBJECT
public:
    enum class Source { Mix, Har, Recorded };
    enum MixColumn { Method, Path, Weight, Headers, Body, MixColumnCount };

    explicit TrafficPanel(QWidget *parent = nullptr);

    void setController(RunController *controller);
    // The tool bar's rate box: the same value as this panel's (what Start sends).
    void attach(QSpinBox *toolBarRate);

    // The configuration Start traffic uses. Empty *error: it can run. A wrong cell or file:
    // *error names it ("request mix row 2, path: ...", "run.har: entry 3: request.url: ...").
    Demo::GeneratorConfig generatorConfig(QString *error) const;
    // The mix configuration Start (F5) sends with the proxy; a broken mix table falls back to
    // the default mix (the panel shows the table's error).
    Demo::GeneratorConfig startConfig() const;
    Demo::RequestMix mix(QString *error) const;
    void setMix(const Demo::RequestMix &mix);

    void setSource(Source source);
    Source source() const;
    void setHarPath(const QString &path);

    QAction *startAction() const { return m_startAction; }
    QAction *stopAction() const { return m_stopAction; }
    QAction *replayHarAction() const { return m_replayHarAction; }
    QSpinBox *rateBox() const { return m_rate; }
    QDoubleSpinBox *durationBox() const { return m_duration; }
    QSpinBox *concurrencyBox() const { return m_concurrency; }
    QComboBox *sourceBox() const { return m_source; }
    QComboBox *pacingBox() const { return m_pacing; }
    QTableWidget *mixTable() const { return m_mix; }
    QLabel *countersLabel() const { return m_counters; }
    QString message() const;
    const Demo::GeneratorStats &lastStats() const { return m_last; }

public slots:
    bool startTraffic();
    void stopTraffic();
    // Asks for a HAR file (File ▸ Replay HAR…), then replays it.
    void replayHarFile();

private:
    void showMessage(const QString &text, bool error);
    void updateState();
    void showStats(const Demo::GeneratorStats &stats);
    void restore();
    void store() const;
    void addMixRow(const Demo::RequestTemplate &entry);

    RunController *m_controller = nullptr;
    QComboBox *m_source = nullptr;
    QLineEdit *m_harPath = nullptr;
    QWidget *m_harRow = nullptr;
    QComboBox *m_pacing = nullptr;
    QSpinBox *m_rate = nullptr;
    QDoubleSpinBox *m_duration = nullptr;
    QSpinBox *m_concurrency = nullptr;
    QTableWidget *m_mix = nullptr;
    QWidget *m_mixBox = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_counters = nullptr;
    QAction *m_startAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_replayHarAction = nullptr;
    Demo::GeneratorStats m_last;
    qint64 m_rateSent = 0; // for the achieved rate over the last progress interval
    qint64 m_rateMs = 0;
    double m_achieved = 0;
    bool m_restoring = false;
};

} // namespace Ui
