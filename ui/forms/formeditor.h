#pragma once

#include "base/diagnostic.h"
#include "forms/formhost.h"
#include "forms/location.h"
#include "model/resource.h"

#include <QPointer>
#include <QWidget>

#include <functional>
#include <vector>

class QLabel;
class QScrollArea;
class QSplitter;
class QToolBar;

namespace Yaml {
struct Document;
}

namespace Forms {

class OutlineView;

// The document as an outline and a form for the selected item, beside the YAML pane.
//
// It edits a copy of the Model::Config it was given: every finished field edit (Enter or focus
// out, a slider released, a combo choice, a row added) and every structural edit (add,
// duplicate, delete, reorder) emits edited() once with the whole new config and a description
// for the undo stack. The owner turns that into one undo step and regenerates the YAML with
// core's encoder; fields the forms do not show (the model's `extra`) pass through untouched.
// Feeding the resulting config back with setConfig() is a no-op, so the focus stays in the
// field being edited.
class FormEditor : public QWidget, private FormHost
{
    Q_OBJECT
public:
    using SubsetNamePrompt = std::function<QString(const QString &host, const QString &suggestion)>;

    explicit FormEditor(QWidget *parent = nullptr);
    ~FormEditor() override;

    // Shows a document (the YAML pane's parse result). Keeps the selected item when it still
    // exists. An equal config (==) changes nothing on screen.
    void setDocuments(const std::vector<Yaml::Document> &documents);
    void setConfig(const Model::Config &config);
    const Model::Config &config() const override { return m_config; }

    // Stale: the YAML no longer parses, so the forms show its last good state, disabled, with
    // `reason` (one line) above them; an empty reason makes them editable again.
    void setStale(const QString &reason);
    bool isStale() const { return !m_staleReason.isEmpty(); }
    QString staleReason() const { return m_staleReason; }

    // Marks the outline items and the fields of the shown form that diagnostics point at
    // (red: error, yellow: warning; the message is added to the field's tooltip). A
    // diagnostic's resource is found by its file and document index.
    void setDiagnostics(const Base::Diagnostics &diagnostics);

    // Selects the outline item of a diagnostic field path ("spec.http[0].mirrorPercentage.value")
    // and focuses the field in its form. `resource` is the index in config().resources; -1
    // means the resource of the current item when the path fits it, else the first that fits.
    // Returns false when no resource has such an item.
    bool selectPath(const QString &fieldPath, int resource = -1);
    // selectPath() for a diagnostic (its file and document pick the resource).
    bool selectDiagnostic(const Base::Diagnostic &diagnostic);
    bool select(const Location &at);
    Location currentLocation() const { return m_location; }
    int resourceOf(const Base::Diagnostic &diagnostic) const;

    OutlineView *outline() const { return m_outline; }
    QWidget *formPage() const { return m_page; }
    // The registered field of the shown form at `path` (exactly), or nullptr.
    QWidget *fieldWidget(const QString &path) const;
    // The field selectPath() focused last, and its path.
    QWidget *currentField() const { return m_currentField; }
    QString currentFieldPath() const { return m_currentFieldPath; }

    // Structural edits of the current item (outline keys, context menu and tool bar).
    void addItem();
    void addChild(Location::Kind kind);
    void duplicateItem();
    void deleteItem();
    void moveItem(int delta);

    // Replaces the "New subset…" name dialog (tests; an empty name cancels).
    void setSubsetNamePrompt(SubsetNamePrompt prompt) { m_prompt = std::move(prompt); }

signals:
    void edited(const Model::Config &config, const QString &description);
    // The user selected an item, or a field of the form got the focus (then `path` is the
    // field's path): the owner can show its line in the YAML pane.
    void locationSelected(int resource, const QString &path);

private:
    struct Field
    {
        QString path;
        QPointer<QWidget> widget;
        int row = -1;
        QString toolTip;
    };

    // FormHost
    bool applyEdit(const QString &description, const Mutation &mutate) override;
    bool applyStructuralEdit(const QString &description, const StructuralMutation &mutate) override;
    void registerField(const QString &path, QWidget *widget, int row) override;
    void onRefresh(std::function<void()> refresh) override;
    QString askSubsetName(const QString &host, const QString &suggestion) override;
    int generation() const override { return m_generation; }

    void buildToolBar();
    void showContextMenu(const QPoint &pos);
    void structural(const QString &description, const StructuralMutation &mutate);
    void rebuildOutline(const Location &select);
    void rebuildForm();
    void markProblems();
    void markOutline();
    const Field *bestField(const QString &path) const;
    void focusField(const Field &field);
    void updateActions();
    void onFocusChanged(QWidget *now);

    Model::Config m_config;
    Location m_location;
    OutlineView *m_outline = nullptr;
    QScrollArea *m_scroll = nullptr;
    QToolBar *m_toolBar = nullptr;
    QLabel *m_staleLabel = nullptr;
    QSplitter *m_splitter = nullptr;
    QString m_staleReason;
    QPointer<QWidget> m_page;
    QList<Field> m_fields;
    QList<std::function<void()>> m_refreshers;
    QList<QPair<int, Base::Diagnostic>> m_diagnostics; // resource index, diagnostic
    QPointer<QWidget> m_currentField;
    QString m_currentFieldPath;
    SubsetNamePrompt m_prompt;
    int m_generation = 0;
    bool m_populating = false;
    QAction *m_addAction = nullptr;
    QAction *m_duplicateAction = nullptr;
    QAction *m_deleteAction = nullptr;
    QAction *m_upAction = nullptr;
    QAction *m_downAction = nullptr;
};

} // namespace Forms
