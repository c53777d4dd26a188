#include "shortcutsdialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Ui {

ShortcutsDialog::ShortcutsDialog(const QList<QAction *> &actions, QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Keyboard Shortcuts"));
    m_table = new QTreeWidget(this);
    m_table->setRootIsDecorated(false);
    m_table->setHeaderLabels({tr("Action"), tr("Shortcut")});
    m_table->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    for (const QAction *a : actions) {
        if (a->shortcuts().isEmpty())
            continue;
        QStringList keys;
        for (const QKeySequence &k : a->shortcuts())
            keys << k.toString(QKeySequence::NativeText);
        // A fixed label where the text changes ("Undo Edit YAML").
        QString name = a->property("shortcutLabel").toString();
        if (name.isEmpty())
            name = a->text();
        name.remove(QLatin1Char('&'));
        if (name.endsWith(QLatin1String("...")))
            name.chop(3);
        auto *item = new QTreeWidgetItem(m_table, {name, keys.join(tr(" or "))});
        item->setToolTip(0, a->toolTip());
    }
    auto *note = new QLabel(tr("In the diagnostics list, Enter or a click goes to the line. "
                               "Typing in the YAML pane is undone one pause at a time."),
                            this);
    note->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_table, 1);
    layout->addWidget(note);
    layout->addWidget(buttons);
    resize(460, 480);
}

} // namespace Ui
