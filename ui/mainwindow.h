#pragma once

#include <QMainWindow>
#include <QTimer>

class QPlainTextEdit;
class QTreeWidget;
class QLabel;

namespace Ui {

// The editor as it stands while the proxy is being built: the document's YAML, validated as
// one types (debounced), with Istio's diagnostics beside it; clicking one goes to its line.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);

    bool openFile(const QString &path);
    QPlainTextEdit *yamlEditor() const { return m_yaml; }
    QTreeWidget *diagnosticsView() const { return m_diagnostics; }

public slots:
    void revalidate();

signals:
    void validated(int errors, int warnings);

private:
    void buildActions();
    bool saveTo(const QString &path);
    void goToDiagnostic(int line, int column);
    void updateTitle();

    QPlainTextEdit *m_yaml = nullptr;
    QTreeWidget *m_diagnostics = nullptr;
    QLabel *m_status = nullptr;
    QTimer m_debounce;
    QString m_path;
};

} // namespace Ui
