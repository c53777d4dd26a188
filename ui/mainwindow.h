#pragma once

#include "base/diagnostic.h"
#include "base/istioversion.h"
#include "model/resource.h"
#include "observe/noise.h"
#include "routing/routedecision.h"
#include "yaml/document.h"

#include <QMainWindow>
#include <QMessageBox>
#include <QPointer>

#include <functional>

class QAction;
class QComboBox;
class QFileSystemWatcher;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QSpinBox;
class QSplitter;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;
class QUndoStack;

namespace Forms {
class FormEditor;
}

namespace Ui {

class DashboardWidget;
class ExchangeModel;
class ExchangeExportDialog;
class ExportDialog;
class NoiseRulesDialog;
class NoticeBar;
class RunController;
class RunPage;
class YamlEditor;

// Mirrorscope's window: the Editor page (the document's YAML, validated after each pause in
// typing, with Istio's diagnostics; clicking one goes to its line) and the Run page (bindings,
// status line, dashboard, log). Start runs the document in the local proxy (with the built-in
// greeter v1/v2 and generated traffic when the demo is on); edits that validate are applied
// to the running proxy live.
//
// The document is a file like in any desktop editor: New/Open/Open Recent/Save/Save As,
// atomic saves, one undo stack for every edit, a dirty marker in the title, a question before
// unsaved changes are lost, a banner when the file changes on disk, drops of YAML files.
// Window layout, recent files, each file's bindings and noise rules, the target Istio version
// and the last page are kept in QSettings (organization "Mirrorscope").
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    enum class Page { Editor, Run };
    // What to do with unsaved changes: QMessageBox::Save, Discard or Cancel.
    using UnsavedPrompt = std::function<QMessageBox::StandardButton(const QString &name)>;
    // A file name to open (save == false) or to save to; empty cancels.
    using FilePrompt = std::function<QString(bool save, const QString &suggested)>;

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens without asking about unsaved changes (the command line, tests). False: the
    // window's notice bar and the status bar say why, and the current document stays.
    bool openFile(const QString &path);
    // What the menu, Open Recent and a drop do: ask about unsaved changes first.
    bool confirmAndOpen(const QString &path);
    void newDocument();
    bool save();
    bool saveAs();
    // Atomic (QSaveFile). False: the document stays dirty and the notice bar says why.
    bool saveTo(const QString &path);
    // Asks Save / Discard / Cancel when there are unsaved changes; true when it may go on.
    bool maybeSave();
    // Opens Export for kubectl… (window-modal, returns at once).
    ExportDialog *showExportDialog();
    void showShortcuts();
    // Opens "Noise rules…" (window-modal, returns at once): the document's rules, editable.
    NoiseRulesDialog *showNoiseRules();
    // The person's noise rules for this document (saved with it; the demo's are not in it).
    Observe::NoiseRules noiseRules() const { return m_noiseRules; }
    void showAbout();

    void showPage(Page page);
    Page currentPage() const;
    QString filePath() const { return m_path; }
    QString displayName() const;
    bool isModified() const;

    YamlEditor *yamlPane() const { return m_yamlPane; }
    // The outline and forms beside the YAML pane, in sync with it both ways.
    Forms::FormEditor *formEditor() const { return m_forms; }
    QPlainTextEdit *yamlEditor() const;
    QUndoStack *undoStack() const;
    QTreeWidget *diagnosticsView() const { return m_diagnostics; }
    NoticeBar *noticeBar() const { return m_notice; }
    QMenu *recentMenu() const { return m_recentMenu; }
    QAction *startAction() const { return m_start; }
    QAction *stopAction() const { return m_stop; }
    QAction *demoAction() const { return m_demo; }
    QAction *newAction() const { return m_new; }
    QAction *undoAction() const { return m_undo; }
    QAction *redoAction() const { return m_redo; }
    QAction *exportAction() const { return m_export; }
    QAction *noiseRulesAction() const { return m_noiseAction; }
    QSpinBox *portBox() const { return m_port; }
    QSpinBox *rateBox() const { return m_rate; }
    QComboBox *versionBox() const { return m_version; }
    RunController *runController() const { return m_controller; }
    RunPage *runPage() const { return m_runPage; }
    DashboardWidget *dashboard() const;
    ExchangeModel *logModel() const;
    int errorCount() const { return m_errors; }
    Base::Diagnostics diagnostics() const { return m_lastDiagnostics; }
    // The last document that validated without errors (what Start runs).
    const Model::Config &config() const { return m_config; }
    Base::IstioVersion targetVersion() const;

    // Replace the modal questions (tests).
    void setUnsavedPrompt(UnsavedPrompt prompt) { m_unsavedPrompt = std::move(prompt); }
    void setFilePrompt(FilePrompt prompt) { m_filePrompt = std::move(prompt); }

public slots:
    void revalidate();
    // "Export Exchanges…": the recorded exchanges as HAR / CSV / JSON Lines, or the report.
    ExchangeExportDialog *showExchangeExport();
    void start();
    void stop();

signals:
    void validated(int errors, int warnings);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    QWidget *buildEditorPage();
    void buildActions();
    void buildMenus();
    void buildToolBar();
    void restoreSettings();
    void saveSettings();
    void rebuildRecentMenu();
    void watch(const QString &path);
    void onFileChangedOnDisk(const QString &path);
    void reloadFromDisk();
    void loadDocument(const QString &text, const QString &path, const QByteArray &diskBytes);
    QString askFileName(bool save, const QString &suggested);
    void goToDiagnostic(int line, int column);
    void activateDiagnostic(QTreeWidgetItem *item);
    void applyFormEdit(const Model::Config &config, const QString &description);
    void showFormLocation(int resource, const QString &path);
    void updateTitle();
    void updateRunState(bool running);
    void refreshBindings();
    void storeBindings();
    void restoreBindings();
    QString bindingsKey() const;
    void storeNoiseRules();
    void restoreNoiseRules();
    // Puts the person's rules, plus those the run added (the demo's), in the comparator.
    void applyNoiseRules();
    // After the log's detail pane added a rule or accepted learned noise in the comparator.
    void takeNoiseRulesFromComparator();
    QList<QSplitter *> splitters() const;

    QTabWidget *m_pages = nullptr;
    QSplitter *m_editorSplitter = nullptr; // forms | YAML above, diagnostics below
    QSplitter *m_formsSplitter = nullptr;  // forms | YAML
    Forms::FormEditor *m_forms = nullptr;
    YamlEditor *m_yamlPane = nullptr;
    QTreeWidget *m_diagnostics = nullptr;
    NoticeBar *m_notice = nullptr;
    RunPage *m_runPage = nullptr;
    RunController *m_controller = nullptr;
    QFileSystemWatcher *m_watcher = nullptr;
    QMenu *m_recentMenu = nullptr;
    QAction *m_new = nullptr;
    QAction *m_open = nullptr;
    QAction *m_save = nullptr;
    QAction *m_saveAs = nullptr;
    QAction *m_quit = nullptr;
    QAction *m_undo = nullptr;
    QAction *m_redo = nullptr;
    QAction *m_export = nullptr;
    QAction *m_editorPage = nullptr;
    QAction *m_runPageAction = nullptr;
    QAction *m_shortcuts = nullptr;
    QAction *m_about = nullptr;
    QAction *m_start = nullptr;
    QAction *m_stop = nullptr;
    QAction *m_demo = nullptr;
    QAction *m_noiseAction = nullptr;
    QComboBox *m_version = nullptr;
    QSpinBox *m_port = nullptr;
    QSpinBox *m_rate = nullptr;
    QLabel *m_status = nullptr;
    QString m_path;         // empty: the embedded example or a new document
    QString m_untitledName; // the name shown while m_path is empty
    QByteArray m_diskBytes; // what the file held when opened or last saved
    UnsavedPrompt m_unsavedPrompt;
    FilePrompt m_filePrompt;
    bool m_restoringBindings = false;
    Observe::NoiseRules m_noiseRules; // the person's, for this document
    // Rules the running session put in force itself (the demo's): shown, never saved.
    QList<Observe::NoiseRules::Rule> m_runtimeNoise;
    QPointer<NoiseRulesDialog> m_noiseDialog;

    // The last document that validated without errors: what Start runs and what a live edit
    // sends to the running proxy.
    Model::Config m_config;
    bool m_configValid = false;
    int m_errors = 0;
    int m_documents = 0;
    int m_listItems = 0; // documents that came out of a `kind: List`
    Base::Diagnostics m_lastDiagnostics;
    // The documents the forms show (the last text that parsed): where their items' lines are.
    std::vector<Yaml::Document> m_formDocuments;
    QList<Routing::Target> m_targets;
    QStringList m_hosts;
};

} // namespace Ui
