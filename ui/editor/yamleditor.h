#pragma once

#include <QPlainTextEdit>
#include <QTimer>
#include <QWidget>

class QUndoStack;

namespace Ui {

class NoticeBar;

// The YAML text widget: line numbers, wavy underlines under lines with errors, and file drops
// left to the window (dropping a file opens it instead of pasting its path).
class CodeEdit : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit CodeEdit(QWidget *parent = nullptr);

    // 1-based lines (and columns) to underline; severity 2 error, 1 warning.
    struct Mark
    {
        int line = 0;
        int column = 0;
        int severity = 2;
    };
    void setMarks(const QList<Mark> &marks);
    int lineNumberAreaWidth() const;
    // The actions shown first in the context menu instead of QPlainTextEdit's own undo/redo
    // (which the shared undo stack replaces).
    void setUndoActions(QAction *undo, QAction *redo);

protected:
    bool event(QEvent *e) override;
    void resizeEvent(QResizeEvent *e) override;
    void contextMenuEvent(QContextMenuEvent *e) override;
    bool canInsertFromMimeData(const QMimeData *source) const override;
    void dragEnterEvent(QDragEnterEvent *e) override;
    void dragMoveEvent(QDragMoveEvent *e) override;
    void dropEvent(QDropEvent *e) override;

private:
    friend class LineNumberArea;
    void paintLineNumbers(QPaintEvent *e);
    void updateLineNumberArea(const QRect &rect, int dy);
    void updateMarks();

    QWidget *m_lineNumbers = nullptr;
    QList<Mark> m_marks;
    QAction *m_undo = nullptr;
    QAction *m_redo = nullptr;
};

// The document's YAML pane, self-contained so other editors (the forms) can sit beside it and
// share its undo stack.
//
// Every change of the text is one QUndoStack command: typing coalesces into one step until the
// person pauses (pauseInterval(), also when paused() fires for re-validation), leaves the
// pane, or pastes; replaceText() (a form edit, a reformat) is always a step of its own. Undo
// and redo change only the text that differs, so the view keeps its scroll position and the
// cursor lands where the change was. The stack's clean state is the "saved" state.
//
// A YAML syntax error is shown in an error bar above the text with a "Go to line:column"
// button; it never replaces the text.
class YamlEditor : public QWidget
{
    Q_OBJECT
public:
    explicit YamlEditor(QWidget *parent = nullptr);
    ~YamlEditor() override;

    CodeEdit *textEdit() const { return m_edit; }
    QUndoStack *undoStack() const { return m_stack; }
    NoticeBar *errorBar() const { return m_errorBar; }

    QString text() const;
    // A new document: the text, no undo history, clean.
    void loadText(const QString &text);
    // One undo step named `description` ("Change weight") that replaces the whole text;
    // unchanged text adds no step. Emits textReplaced().
    void replaceText(const QString &text, const QString &description);
    // Ends the current typing step: the next keystroke starts a new one.
    void closeEditStep();
    bool isModified() const;
    void setPauseInterval(int ms) { m_pause.setInterval(ms); }
    // True while typing has not been followed by a pause yet.
    bool isTyping() const { return m_pause.isActive(); }

    // Puts the cursor at a 1-based line:column and shows it; `focus` false leaves the keyboard
    // focus where it is (following a selection in the forms).
    void goTo(int line, int column, bool focus = true);
    void showSyntaxError(int line, int column, const QString &message);
    void clearSyntaxError();
    void setMarks(const QList<CodeEdit::Mark> &marks) { m_edit->setMarks(marks); }

signals:
    // The person typed and then paused: time to re-parse.
    void paused();
    // The text changed by undo, redo, replaceText() or loadText(): re-parse now.
    void textReplaced();
    void modificationChanged(bool modified);

private:
    friend class TextCommand;
    void onContentsChange(int position, int removed, int added);
    // Sets the text by replacing only the part that differs; no undo step of its own.
    void applyText(const QString &text);

    CodeEdit *m_edit = nullptr;
    NoticeBar *m_errorBar = nullptr;
    QUndoStack *m_stack = nullptr;
    QTimer m_pause;
    QString m_committed; // the text as the undo stack's current state knows it
    int m_burst = 0;     // typing commands of the same burst merge into one
    bool m_applying = false;
};

} // namespace Ui
