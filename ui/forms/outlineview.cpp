#include "outlineview.h"

#include "model/resource.h"

#include <QDropEvent>
#include <QHeaderView>
#include <QKeyEvent>
#include <QTimer>

#include <cmath>

namespace Forms {

namespace {

using Kind = Location::Kind;
constexpr int kKindRole = Qt::UserRole;
constexpr int kResourceRole = Qt::UserRole + 1;
constexpr int kRuleRole = Qt::UserRole + 2;
constexpr int kIndexRole = Qt::UserRole + 3;

QString matchText(const Model::StringMatch &m)
{
    if (m.isPresence())
        return OutlineView::tr("present");
    return Model::StringMatch::kindName(m.kind) + QLatin1Char(' ') + m.value;
}

QString matchSummary(const Model::HTTPMatchRequest &m)
{
    QStringList parts;
    const QList<QPair<QString, const std::optional<Model::StringMatch> *>> singles = {
        {QStringLiteral("uri"), &m.uri},
        {QStringLiteral("method"), &m.method},
        {QStringLiteral("scheme"), &m.scheme},
        {QStringLiteral("authority"), &m.authority}};
    for (const auto &[name, v] : singles) {
        if (*v)
            parts.append(name + QLatin1Char(' ') + matchText(**v));
    }
    for (const auto &e : m.headers)
        parts.append(e.first + QLatin1Char(' ') + matchText(e.second));
    for (const auto &e : m.queryParams)
        parts.append(QLatin1Char('?') + e.first + QLatin1Char(' ') + matchText(e.second));
    for (const auto &e : m.withoutHeaders)
        parts.append(OutlineView::tr("not %1 %2").arg(e.first, matchText(e.second)));
    if (m.port)
        parts.append(OutlineView::tr("port %1").arg(*m.port));
    if (!m.sourceLabels.isEmpty())
        parts.append(OutlineView::tr("from labelled sources"));
    return parts.isEmpty() ? OutlineView::tr("everything") : parts.join(QStringLiteral(", "));
}

QString destinationText(const Model::Destination &d)
{
    QString s = d.host.isEmpty() ? OutlineView::tr("(no host)") : d.host;
    if (!d.subset.isEmpty())
        s += QLatin1Char(' ') + d.subset;
    if (d.portNumber())
        s += QLatin1Char(':') + QString::number(*d.portNumber());
    return s;
}

QString percent(double v)
{
    return QString::number(v, 'f', std::abs(v - std::round(v)) < 1e-9 ? 0 : 2) +
           QStringLiteral(" %");
}

QString share(const Model::HTTPRoute &route, int i)
{
    if (route.route.size() <= 1)
        return QStringLiteral("100 %");
    long long total = 0;
    for (const Model::HTTPRouteDestination &rd : route.route)
        total += qMax(0, rd.weight.value_or(0));
    if (total <= 0)
        return QStringLiteral("0 %");
    return percent(100.0 * qMax(0, route.route[i].weight.value_or(0)) / double(total));
}

QString ruleSummary(const Model::HTTPRoute &route)
{
    QString s =
        route.match.isEmpty() ? OutlineView::tr("everything") : matchSummary(route.match.first());
    if (route.match.size() > 1)
        s += OutlineView::tr(" (+%n more)", nullptr, int(route.match.size()) - 1);
    QStringList to;
    for (int i = 0; i < route.route.size(); ++i)
        to.append(route.route[i].destination.subset.isEmpty()
                      ? destinationText(route.route[i].destination)
                      : route.route[i].destination.subset + QLatin1Char(' ') + share(route, i));
    if (route.redirect)
        to.append(OutlineView::tr("redirect"));
    if (route.directResponse)
        to.append(OutlineView::tr("direct response"));
    if (route.delegate)
        to.append(OutlineView::tr("delegate"));
    if (!to.isEmpty())
        s += QStringLiteral(" → ") + to.join(QStringLiteral(", "));
    if (route.mirror)
        s += QStringLiteral("  ⇉ ") +
             (route.mirror->subset.isEmpty() ? route.mirror->host : route.mirror->subset) +
             QLatin1Char(' ') + percent(route.effectiveMirrorPercentage());
    for (const Model::HTTPMirrorPolicy &m : route.mirrors)
        s += QStringLiteral("  ⇉ ") +
             (m.destination.subset.isEmpty() ? m.destination.host : m.destination.subset) +
             QLatin1Char(' ') + percent(m.effectivePercentage());
    return s;
}

} // namespace

OutlineView::OutlineView(QWidget *parent) : QTreeWidget(parent)
{
    setColumnCount(2);
    setHeaderLabels({tr("Outline"), tr("Summary")});
    header()->setStretchLastSection(true);
    setColumnWidth(0, 230);
    setUniformRowHeights(true);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setDragEnabled(true);
    setAcceptDrops(true);
    setDropIndicatorShown(true);
    setDragDropMode(QAbstractItemView::InternalMove);
    setContextMenuPolicy(Qt::CustomContextMenu);
    setToolTip(tr("Insert: add · Ctrl+D: duplicate · Delete: delete · Ctrl+Up/Down or drag: "
                  "reorder · right-click: more"));
    connect(this, &QTreeWidget::itemCollapsed, this,
            [this](QTreeWidgetItem *item) { m_collapsed.insert(locationOf(item).key()); });
    connect(this, &QTreeWidget::itemExpanded, this,
            [this](QTreeWidgetItem *item) { m_collapsed.remove(locationOf(item).key()); });
}

Location OutlineView::locationOf(const QTreeWidgetItem *item) const
{
    if (!item)
        return {};
    return {Kind(item->data(0, kKindRole).toInt()), item->data(0, kResourceRole).toInt(),
            item->data(0, kRuleRole).toInt(), item->data(0, kIndexRole).toInt()};
}

Location OutlineView::currentLocation() const
{
    return locationOf(currentItem());
}

QList<QTreeWidgetItem *> OutlineView::allItems() const
{
    QList<QTreeWidgetItem *> out;
    for (QTreeWidgetItemIterator it(const_cast<OutlineView *>(this)); *it; ++it)
        out.append(*it);
    return out;
}

QTreeWidgetItem *OutlineView::itemFor(const Location &at) const
{
    for (QTreeWidgetItem *item : allItems()) {
        if (locationOf(item) == at)
            return item;
    }
    return nullptr;
}

bool OutlineView::select(const Location &at)
{
    QTreeWidgetItem *item = itemFor(at);
    if (!item)
        return false;
    setCurrentItem(item);
    scrollToItem(item);
    return true;
}

QTreeWidgetItem *OutlineView::addItem(QTreeWidgetItem *parent, const Location &at)
{
    auto *item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(this);
    item->setData(0, kKindRole, int(at.kind));
    item->setData(0, kResourceRole, at.resource);
    item->setData(0, kRuleRole, at.rule);
    item->setData(0, kIndexRole, at.index);
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (at.isListItem())
        flags |= Qt::ItemIsDragEnabled | Qt::ItemIsDropEnabled;
    item->setFlags(flags);
    return item;
}

void OutlineView::populate(const Model::Config &config)
{
    const QSignalBlocker block(this);
    clear();
    for (int r = 0; r < config.resources.size(); ++r) {
        const Location res = Location::resourceAt(config, r);
        QTreeWidgetItem *top = addItem(nullptr, res);
        const Model::Resource &resource = config.resources[r];
        if (resource.isVirtualService()) {
            const auto &http = resource.virtualService.http;
            for (int i = 0; i < http.size(); ++i) {
                const Location rule = Location::ruleAt(r, i);
                QTreeWidgetItem *ruleItem = addItem(top, rule);
                for (int m = 0; m < http[i].match.size(); ++m)
                    addItem(ruleItem, Location::child(Kind::Match, r, i, m));
                for (int d = 0; d < http[i].route.size(); ++d)
                    addItem(ruleItem, Location::child(Kind::Destination, r, i, d));
                if (http[i].mirror)
                    addItem(ruleItem, Location::child(Kind::Mirror, r, i, -1));
                for (int m = 0; m < http[i].mirrors.size(); ++m)
                    addItem(ruleItem, Location::child(Kind::Mirror, r, i, m));
            }
        } else if (resource.isDestinationRule()) {
            for (int s = 0; s < resource.destinationRule.subsets.size(); ++s)
                addItem(top, Location::child(Kind::Subset, r, -1, s));
        }
    }
    for (QTreeWidgetItem *item : allItems())
        item->setExpanded(!m_collapsed.contains(locationOf(item).key()));
    updateTexts(config);
}

void OutlineView::updateTexts(const Model::Config &config)
{
    for (QTreeWidgetItem *item : allItems()) {
        const Location at = locationOf(item);
        if (at.existsIn(config))
            setTexts(item, config, at);
    }
}

void OutlineView::setTexts(QTreeWidgetItem *item, const Model::Config &config, const Location &at)
{
    const Model::Resource &r = config.resources[at.resource];
    QString name, summary;
    switch (at.kind) {
    case Kind::VirtualService: {
        name = tr("VirtualService %1").arg(r.name());
        summary = tr("hosts: %1").arg(r.virtualService.hosts.join(QStringLiteral(", ")));
        if (!r.virtualService.gateways.isEmpty())
            summary +=
                tr(" · gateways: %1").arg(r.virtualService.gateways.join(QStringLiteral(", ")));
        break;
    }
    case Kind::Rule: {
        const Model::HTTPRoute &route = routeAt(config, at);
        name = route.name.isEmpty() ? tr("rule %1").arg(at.rule + 1)
                                    : tr("rule %1: %2").arg(at.rule + 1).arg(route.name);
        summary = ruleSummary(route);
        break;
    }
    case Kind::Match: {
        const Model::HTTPMatchRequest &m = routeAt(config, at).match[at.index];
        name = m.name.isEmpty() ? tr("match %1").arg(at.index + 1)
                                : tr("match %1: %2").arg(at.index + 1).arg(m.name);
        summary = matchSummary(m);
        break;
    }
    case Kind::Destination: {
        const Model::HTTPRoute &route = routeAt(config, at);
        const Model::HTTPRouteDestination &rd = route.route[at.index];
        name = QStringLiteral("→ ") + destinationText(rd.destination);
        summary = rd.weight ? tr("weight %1 (%2)").arg(*rd.weight).arg(share(route, at.index))
                            : share(route, at.index);
        break;
    }
    case Kind::Mirror: {
        const Model::HTTPRoute &route = routeAt(config, at);
        if (at.index < 0) {
            name = tr("⇉ mirror %1").arg(destinationText(*route.mirror));
            summary = tr("%1 of requests").arg(percent(route.effectiveMirrorPercentage()));
        } else {
            const Model::HTTPMirrorPolicy &m = route.mirrors[at.index];
            name = tr("⇉ mirror %1").arg(destinationText(m.destination));
            summary = tr("%1 of requests").arg(percent(m.effectivePercentage()));
        }
        break;
    }
    case Kind::DestinationRule:
        name = tr("DestinationRule %1").arg(r.name());
        summary = tr("host: %1").arg(r.destinationRule.host);
        break;
    case Kind::Subset: {
        const Model::Subset &s = r.destinationRule.subsets[at.index];
        name = tr("subset %1").arg(s.name);
        QStringList labels;
        for (const auto &e : s.labels)
            labels.append(e.first + QLatin1Char('=') + e.second);
        summary = labels.join(QStringLiteral(", "));
        break;
    }
    case Kind::Other:
        name = r.displayName();
        summary = tr("kept as written");
        item->setForeground(0, palette().brush(QPalette::Disabled, QPalette::Text));
        break;
    case Kind::None:
        break;
    }
    item->setText(0, name);
    item->setText(1, summary);
    item->setToolTip(1, summary);
}

void OutlineView::keyPressEvent(QKeyEvent *event)
{
    const Location at = currentLocation();
    const bool ctrl = event->modifiers() & Qt::ControlModifier;
    if (ctrl && (event->key() == Qt::Key_Up || event->key() == Qt::Key_Down)) {
        if (at.isListItem())
            emit moveRequested(at, at.listIndex() + (event->key() == Qt::Key_Up ? -1 : 1));
        event->accept();
        return;
    }
    if (event->key() == Qt::Key_Insert) {
        emit addRequested();
        event->accept();
        return;
    }
    if (event->key() == Qt::Key_Delete) {
        emit deleteRequested();
        event->accept();
        return;
    }
    if (ctrl && event->key() == Qt::Key_D) {
        emit duplicateRequested();
        event->accept();
        return;
    }
    QTreeWidget::keyPressEvent(event);
}

bool OutlineView::canDropOn(const Location &from, const Location &to) const
{
    if (!from.isListItem() || !to.isListItem() || from == to)
        return false;
    const bool fromResource = !from.parent().isValid();
    const bool toResource = !to.parent().isValid();
    if (fromResource || toResource)
        return fromResource && toResource;
    return from.kind == to.kind && from.parent() == to.parent();
}

void OutlineView::dragMoveEvent(QDragMoveEvent *event)
{
    QTreeWidget::dragMoveEvent(event);
    const Location to = locationOf(itemAt(event->position().toPoint()));
    if (event->source() != this || !canDropOn(currentLocation(), to))
        event->ignore();
}

void OutlineView::dropEvent(QDropEvent *event)
{
    const Location from = currentLocation();
    const Location to = locationOf(itemAt(event->position().toPoint()));
    // The model is reordered, then the outline rebuilt from it: the view must not move items
    // itself.
    event->setDropAction(Qt::IgnoreAction);
    event->accept();
    if (event->source() != this || !canDropOn(from, to))
        return;
    const int a = from.listIndex();
    int b = to.listIndex();
    if (dropIndicatorPosition() == QAbstractItemView::AboveItem && a < b)
        --b;
    else if (dropIndicatorPosition() == QAbstractItemView::BelowItem && a > b)
        ++b;
    // After the drop handling returns: the handler rebuilds the items.
    QTimer::singleShot(0, this, [this, from, b] { emit moveRequested(from, b); });
}

} // namespace Forms
