#pragma once

#include "base/istioversion.h"
#include "model/resource.h"
#include "routing/routedecision.h"

#include <QMainWindow>
#include <QTimer>

class QAction;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QSpinBox;
class QTabWidget;
class QTreeWidget;

namespace Ui {

class DashboardWidget;
class ExchangeModel;
class RunController;
class RunPage;

// Mirrorscope's window: the Editor page (the document's YAML, validated as one types, with
// Istio's diagnostics; clicking one goes to its line) and the Run page (bindings, status line,
// dashboard, log). Start runs the document in the local proxy (with the built-in greeter
// v1/v2 and generated traffic when the demo is on); edits that validate are applied to the
// running proxy live.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum class Page { Editor, Run };

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    bool openFile(const QString &path);
    void showPage(Page page);
    Page currentPage() const;

    QPlainTextEdit *yamlEditor() const { return m_yaml; }
    QTreeWidget *diagnosticsView() const { return m_diagnostics; }
    QAction *startAction() const { return m_start; }
    QAction *stopAction() const { return m_stop; }
    QAction *demoAction() const { return m_demo; }
    QSpinBox *portBox() const { return m_port; }
    QSpinBox *rateBox() const { return m_rate; }
    QComboBox *versionBox() const { return m_version; }
    RunController *runController() const { return m_controller; }
    RunPage *runPage() const { return m_runPage; }
    DashboardWidget *dashboard() const;
    ExchangeModel *logModel() const;
    int errorCount() const { return m_errors; }

public slots:
    void revalidate();
    void start();
    void stop();

signals:
    void validated(int errors, int warnings);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QWidget *buildEditorPage();
    void buildMenus();
    void buildToolBar();
    bool saveTo(const QString &path);
    void goToDiagnostic(int line, int column);
    void updateTitle();
    void updateRunState(bool running);
    void refreshBindings();
    Base::IstioVersion targetVersion() const;

    QTabWidget *m_pages = nullptr;
    QPlainTextEdit *m_yaml = nullptr;
    QTreeWidget *m_diagnostics = nullptr;
    RunPage *m_runPage = nullptr;
    RunController *m_controller = nullptr;
    QAction *m_start = nullptr;
    QAction *m_stop = nullptr;
    QAction *m_demo = nullptr;
    QComboBox *m_version = nullptr;
    QSpinBox *m_port = nullptr;
    QSpinBox *m_rate = nullptr;
    QLabel *m_status = nullptr;
    QTimer m_debounce;
    QString m_path;

    // The last document that validated without errors: what Start runs and what a live edit
    // sends to the running proxy.
    Model::Config m_config;
    bool m_configValid = false;
    int m_errors = 0;
    QList<Routing::Target> m_targets;
    QStringList m_hosts;
};

} // namespace Ui
