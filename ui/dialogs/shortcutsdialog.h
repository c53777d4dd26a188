#pragma once

#include <QDialog>

class QAction;
class QTreeWidget;

namespace Ui {

// Help ▸ Keyboard Shortcuts: every action of the window that has a shortcut, read from the
// actions themselves so the list cannot drift from what the keys do. An action's
// "shortcutLabel" property, when set, names it instead of its text.
class ShortcutsDialog : public QDialog
{
    Q_OBJECT
public:
    ShortcutsDialog(const QList<QAction *> &actions, QWidget *parent = nullptr);
    QTreeWidget *table() const { return m_table; }

private:
    QTreeWidget *m_table = nullptr;
};

} // namespace Ui
