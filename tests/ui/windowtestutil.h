#pragma once

// Small helpers the main-window tests share.
#include <QPlainTextEdit>
#include <QTest>
#include <QTextCursor>
#include <QTreeWidget>

namespace TestSupport {

// The diagnostics list's row whose code column mentions `code`, or null.
inline QTreeWidgetItem *findDiagnostic(QTreeWidget *view, const QString &code)
{
    for (int i = 0; i < view->topLevelItemCount(); ++i)
        if (view->topLevelItem(i)->text(1).contains(code))
            return view->topLevelItem(i);
    return nullptr;
}

// Selects `from` in the editor and types `typed` over it, key by key, as a person would.
inline void typeOver(QPlainTextEdit *editor, const QString &from, const QString &typed)
{
    QTextCursor c = editor->document()->find(from);
    QVERIFY2(!c.isNull(), qPrintable(from));
    editor->setTextCursor(c);
    QTest::keyClicks(editor, typed);
}

} // namespace TestSupport
