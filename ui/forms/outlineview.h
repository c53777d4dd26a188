#pragma once

#include "forms/location.h"

#include <QSet>
#include <QTreeWidget>

namespace Model {
struct Config;
}

namespace Forms {

// The document's outline: VirtualServices → HTTP rules in order → matches, destinations,
// mirrors; DestinationRules → subsets; other kinds as single items. Each item carries its
// Location. Structural edits are requested by signal (the FormEditor performs them on the
// model and repopulates): Insert, Delete, Ctrl+D, Ctrl+Up/Down, drag and drop among siblings.
class OutlineView : public QTreeWidget
{
    Q_OBJECT
public:
    explicit OutlineView(QWidget *parent = nullptr);

    // Rebuilds all items (expanded state kept by item key; new items expanded).
    void populate(const Model::Config &config);
    // Updates texts in place (the items are the same, only values changed).
    void updateTexts(const Model::Config &config);
    Location currentLocation() const;
    Location locationOf(const QTreeWidgetItem *item) const;
    QTreeWidgetItem *itemFor(const Location &at) const;
    bool select(const Location &at);
    QList<QTreeWidgetItem *> allItems() const;

signals:
    void addRequested();
    void duplicateRequested();
    void deleteRequested();
    void moveRequested(const Forms::Location &from, int to);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    QTreeWidgetItem *addItem(QTreeWidgetItem *parent, const Location &at);
    void setTexts(QTreeWidgetItem *item, const Model::Config &config, const Location &at);
    bool canDropOn(const Location &from, const Location &to) const;

    QSet<QString> m_collapsed;
};

} // namespace Forms
