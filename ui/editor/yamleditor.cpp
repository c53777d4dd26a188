#include "yamleditor.h"

#include "noticebar.h"

#include <QAction>
#include <QApplication>
#include <QContextMenuEvent>
#include <QFontDatabase>
#include <QMenu>
#include <QMimeData>
#include <QPainter>
#include <QPushButton>
#include <QTextBlock>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>

namespace Ui {

namespace {
constexpr int kTypingId = 0x59414d4c; // "YAML": typing commands merge only with each other

// A drop of local files means "open it", which the window does; the text edit would paste the
// path instead.
bool isFileDrop(const QMimeData *mime)
{
    if (!mime || !mime->hasUrls())
        return false;
    for (const QUrl &url : mime->urls())
        if (url.isLocalFile())
            return true;
    return false;
}
} // namespace

class LineNumberArea : public QWidget
{
public:
    explicit LineNumberArea(CodeEdit *edit) : QWidget(edit), m_edit(edit) {}
    QSize sizeHint() const override { return QSize(m_edit->lineNumberAreaWidth(), 0); }

protected:
    void paintEvent(QPaintEvent *e) override { m_edit->paintLineNumbers(e); }

private:
    CodeEdit *m_edit;
};

// One change of the text. Typing commands of one burst merge into the first, so a word typed
// is one step; the first redo() is skipped because the text already shows the change.
class TextCommand : public QUndoCommand
{
public:
    TextCommand(YamlEditor *editor, const QString &before, const QString &after, int burst,
                const QString &description)
        : QUndoCommand(description), m_editor(editor), m_before(before), m_after(after),
          m_burst(burst)
    {
    }

    int id() const override { return m_burst >= 0 ? kTypingId : -1; }
    bool mergeWith(const QUndoCommand *other) override
    {
        const auto *o = static_cast<const TextCommand *>(other);
        if (o->m_editor != m_editor || o->m_burst != m_burst)
            return false;
        m_after = o->m_after;
        return true;
    }
    void undo() override { m_editor->applyText(m_before); }
    void redo() override
    {
        if (m_skipFirstRedo) {
            m_skipFirstRedo = false;
            return;
        }
        m_editor->applyText(m_after);
    }
    void setSkipFirstRedo() { m_skipFirstRedo = true; }

private:
    YamlEditor *m_editor;
    QString m_before;
    QString m_after;
    int m_burst; // -1: not typing (never merges)
    bool m_skipFirstRedo = false;
};

// --- CodeEdit ---------------------------------------------------------------------------

CodeEdit::CodeEdit(QWidget *parent) : QPlainTextEdit(parent)
{
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setLineWrapMode(QPlainTextEdit::NoWrap);
    // The shared QUndoStack is the only history: two histories would disagree after a form
    // edit.
    setUndoRedoEnabled(false);
    setTabChangesFocus(false);
    m_lineNumbers = new LineNumberArea(this);
    connect(this, &QPlainTextEdit::blockCountChanged, this,
            [this] { setViewportMargins(lineNumberAreaWidth(), 0, 0, 0); });
    connect(this, &QPlainTextEdit::updateRequest, this, &CodeEdit::updateLineNumberArea);
    setViewportMargins(lineNumberAreaWidth(), 0, 0, 0);
}

int CodeEdit::lineNumberAreaWidth() const
{
    int digits = 1;
    for (int max = qMax(1, blockCount()); max >= 10; max /= 10)
        ++digits;
    return 8 + fontMetrics().horizontalAdvance(QLatin1Char('9')) * qMax(3, digits);
}

void CodeEdit::updateLineNumberArea(const QRect &rect, int dy)
{
    if (dy)
        m_lineNumbers->scroll(0, dy);
    else
        m_lineNumbers->update(0, rect.y(), m_lineNumbers->width(), rect.height());
}

void CodeEdit::resizeEvent(QResizeEvent *e)
{
    QPlainTextEdit::resizeEvent(e);
    const QRect cr = contentsRect();
    m_lineNumbers->setGeometry(QRect(cr.left(), cr.top(), lineNumberAreaWidth(), cr.height()));
}

void CodeEdit::paintLineNumbers(QPaintEvent *e)
{
    QPainter painter(m_lineNumbers);
    const QPalette pal = palette();
    painter.fillRect(e->rect(), pal.color(QPalette::AlternateBase));
    QTextBlock block = firstVisibleBlock();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    int bottom = top + qRound(blockBoundingRect(block).height());
    const int current = textCursor().blockNumber();
    while (block.isValid() && top <= e->rect().bottom()) {
        if (block.isVisible() && bottom >= e->rect().top()) {
            const bool marked = std::any_of(m_marks.cbegin(), m_marks.cend(), [&](const Mark &m) {
                return m.line == block.blockNumber() + 1 && m.severity >= 2;
            });
            QFont f = font();
            f.setBold(block.blockNumber() == current || marked);
            painter.setFont(f);
            painter.setPen(pal.color(block.blockNumber() == current ? QPalette::Text
                                                                    : QPalette::PlaceholderText));
            painter.drawText(0, top, m_lineNumbers->width() - 4, fontMetrics().height(),
                             Qt::AlignRight, QString::number(block.blockNumber() + 1));
        }
        block = block.next();
        top = bottom;
        bottom = top + qRound(blockBoundingRect(block).height());
    }
}

void CodeEdit::setMarks(const QList<Mark> &marks)
{
    m_marks = marks;
    updateMarks();
    m_lineNumbers->update();
}

void CodeEdit::updateMarks()
{
    QList<QTextEdit::ExtraSelection> selections;
    for (const Mark &m : std::as_const(m_marks)) {
        const QTextBlock block = document()->findBlockByNumber(m.line - 1);
        if (m.line <= 0 || !block.isValid())
            continue;
        QTextEdit::ExtraSelection sel;
        sel.cursor = QTextCursor(block);
        const int from = qBound(0, m.column - 1, qMax(0, block.length() - 1));
        sel.cursor.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor, from);
        if (from >= block.length() - 1) // nothing after the column: underline the line
            sel.cursor.movePosition(QTextCursor::StartOfBlock);
        sel.cursor.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
        sel.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        // Red and amber are meanings here, not decoration: the same in light and dark themes.
        sel.format.setUnderlineColor(m.severity >= 2 ? QColor(0xd0, 0x30, 0x30)
                                                     : QColor(0xd0, 0x90, 0x10));
        selections.append(sel);
    }
    setExtraSelections(selections);
}

void CodeEdit::setUndoActions(QAction *undo, QAction *redo)
{
    m_undo = undo;
    m_redo = redo;
}

bool CodeEdit::event(QEvent *e)
{
    // Ctrl+Z / Ctrl+Shift+Z belong to the window's Edit menu (the shared undo stack), not to
    // the text edit's disabled history.
    if (e->type() == QEvent::ShortcutOverride) {
        auto *ke = static_cast<QKeyEvent *>(e);
        if (ke->matches(QKeySequence::Undo) || ke->matches(QKeySequence::Redo) ||
            (ke->key() == Qt::Key_Z &&
             ke->modifiers() == (Qt::ControlModifier | Qt::ShiftModifier))) {
            e->ignore();
            return true;
        }
    }
    return QPlainTextEdit::event(e);
}

void CodeEdit::contextMenuEvent(QContextMenuEvent *e)
{
    QMenu *menu = createStandardContextMenu(e->pos());
    const QList<QAction *> actions = menu->actions();
    QAction *first = actions.value(0);
    for (QAction *a : actions)
        if (a->objectName() == QLatin1String("edit-undo") ||
            a->objectName() == QLatin1String("edit-redo")) {
            first = actions.value(actions.indexOf(a) + 1);
            menu->removeAction(a);
        }
    if (m_undo && m_redo)
        menu->insertActions(first, {m_undo, m_redo});
    menu->exec(e->globalPos());
    delete menu;
}

bool CodeEdit::canInsertFromMimeData(const QMimeData *source) const
{
    return !isFileDrop(source) && QPlainTextEdit::canInsertFromMimeData(source);
}

void CodeEdit::dragEnterEvent(QDragEnterEvent *e)
{
    if (isFileDrop(e->mimeData())) {
        e->ignore(); // passes on to the window, which opens the file
        return;
    }
    QPlainTextEdit::dragEnterEvent(e);
}

void CodeEdit::dragMoveEvent(QDragMoveEvent *e)
{
    if (isFileDrop(e->mimeData())) {
        e->ignore();
        return;
    }
    QPlainTextEdit::dragMoveEvent(e);
}

void CodeEdit::dropEvent(QDropEvent *e)
{
    if (isFileDrop(e->mimeData())) {
        e->ignore();
        return;
    }
    QPlainTextEdit::dropEvent(e);
}

// --- YamlEditor -------------------------------------------------------------------------

YamlEditor::YamlEditor(QWidget *parent) : QWidget(parent), m_stack(new QUndoStack(this))
{
    // Steps share their text buffers, yet each kept step may pin one whole version of the
    // document: bound the history.
    m_stack->setUndoLimit(1000);
    m_errorBar = new NoticeBar(this);
    m_edit = new CodeEdit(this);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_errorBar);
    layout->addWidget(m_edit, 1);

    m_pause.setSingleShot(true);
    m_pause.setInterval(400);
    connect(&m_pause, &QTimer::timeout, this, [this] {
        closeEditStep();
        emit paused();
    });
    connect(m_edit->document(), &QTextDocument::contentsChange, this,
            &YamlEditor::onContentsChange);
    connect(m_stack, &QUndoStack::cleanChanged, this,
            [this](bool clean) { emit modificationChanged(!clean); });
    // Leaving the pane ends the step: coming back and typing is a new one. It also ends the
    // pause at once: whatever the person turns to next (the forms beside the text, Start) must
    // see what was typed, not the document before it.
    connect(qApp, &QApplication::focusChanged, this, [this](QWidget *old, QWidget *now) {
        if (old != m_edit || now == m_edit)
            return;
        closeEditStep();
        if (m_pause.isActive()) {
            m_pause.stop();
            emit paused();
        }
    });
}

YamlEditor::~YamlEditor()
{
    // The undo stack is a child, deleted by ~QWidget after this class is gone; ~QUndoStack emits
    // cleanChanged(), which must not reach modificationChanged() on a half-destroyed editor.
    m_stack->disconnect(this);
}

QString YamlEditor::text() const
{
    return m_edit->toPlainText();
}

bool YamlEditor::isModified() const
{
    return !m_stack->isClean();
}

void YamlEditor::loadText(const QString &text)
{
    m_pause.stop();
    m_applying = true;
    m_edit->setPlainText(text);
    m_applying = false;
    m_committed = m_edit->toPlainText();
    closeEditStep();
    m_stack->clear(); // also marks it clean (cleanChanged when it was not)
    emit textReplaced();
}

void YamlEditor::replaceText(const QString &text, const QString &description)
{
    closeEditStep();
    if (text == m_edit->toPlainText())
        return;
    m_pause.stop();
    m_stack->push(new TextCommand(this, m_committed, text, -1, description));
}

void YamlEditor::closeEditStep()
{
    ++m_burst;
}

void YamlEditor::onContentsChange(int position, int removed, int added)
{
    Q_UNUSED(position)
    if (m_applying)
        return;
    const QString now = m_edit->toPlainText();
    if (now == m_committed)
        return; // a format-only change
    // A paste is a step of its own. Deleting or typing over a selection starts a new step
    // that the following keys join (typing over "100" with "-15" is one step); single keys
    // coalesce.
    const bool paste = added > 1;
    if (paste || removed > 1)
        closeEditStep();
    auto *command = new TextCommand(this, m_committed, now, m_burst, tr("Edit YAML"));
    command->setSkipFirstRedo();
    m_committed = now;
    m_stack->push(command); // merges into the open step when it is one
    if (paste)
        closeEditStep();
    m_pause.start();
}

void YamlEditor::applyText(const QString &text)
{
    // Replace only the differing middle: the view keeps its scroll position and the cursor
    // ends where the change was, as a person expects from undo.
    const QString old = m_edit->toPlainText();
    qsizetype prefix = 0;
    const qsizetype shorter = qMin(old.size(), text.size());
    while (prefix < shorter && old.at(prefix) == text.at(prefix))
        ++prefix;
    qsizetype suffix = 0;
    while (suffix < shorter - prefix &&
           old.at(old.size() - 1 - suffix) == text.at(text.size() - 1 - suffix))
        ++suffix;
    m_pause.stop();
    m_applying = true;
    QTextCursor c(m_edit->document());
    c.beginEditBlock();
    c.setPosition(int(prefix));
    c.setPosition(int(old.size() - suffix), QTextCursor::KeepAnchor);
    c.insertText(text.mid(prefix, text.size() - suffix - prefix));
    c.endEditBlock();
    m_applying = false;
    m_committed = m_edit->toPlainText();
    m_edit->setTextCursor(c);
    m_edit->ensureCursorVisible();
    closeEditStep();
    emit textReplaced();
}

void YamlEditor::goTo(int line, int column, bool focus)
{
    if (line <= 0)
        return;
    const QTextBlock block = m_edit->document()->findBlockByNumber(line - 1);
    if (!block.isValid())
        return;
    QTextCursor cursor(block);
    cursor.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor,
                        std::min(std::max(column - 1, 0), block.length() - 1));
    m_edit->setTextCursor(cursor);
    m_edit->centerCursor();
    if (focus)
        m_edit->setFocus();
}

void YamlEditor::showSyntaxError(int line, int column, const QString &message)
{
    const QString where =
        line > 0 ? tr("line %1, column %2").arg(line).arg(column) : tr("unknown position");
    m_errorBar->showMessage(NoticeBar::Kind::Error,
                            tr("<b>YAML error</b> at %1: %2. Start and the running proxy keep "
                               "the last valid document.")
                                .arg(where, message.toHtmlEscaped()));
    if (line > 0)
        m_errorBar->addButton(tr("Go to %1:%2").arg(line).arg(column),
                              [this, line, column] { goTo(line, column); });
}

void YamlEditor::clearSyntaxError()
{
    if (m_errorBar->isVisible())
        m_errorBar->dismiss();
}

} // namespace Ui
