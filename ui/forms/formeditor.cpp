#include "formeditor.h"

#include "forms/fieldwidgets.h"
#include "forms/forms.h"
#include "forms/outlineview.h"
#include "forms/structure.h"
#include "yaml/document.h"

#include <QAction>
#include <QApplication>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace Forms {

namespace {

using Kind = Location::Kind;

const QColor kErrorColor(255, 205, 205);
const QColor kWarningColor(255, 240, 190);

QString kindName(Kind kind)
{
    switch (kind) {
    case Kind::VirtualService:
        return FormEditor::tr("VirtualService");
    case Kind::Rule:
        return FormEditor::tr("HTTP rule");
    case Kind::Match:
        return FormEditor::tr("match");
    case Kind::Destination:
        return FormEditor::tr("destination");
    case Kind::Mirror:
        return FormEditor::tr("mirror");
    case Kind::DestinationRule:
        return FormEditor::tr("DestinationRule");
    case Kind::Subset:
        return FormEditor::tr("subset");
    default:
        return FormEditor::tr("item");
    }
}

// Whether a diagnostic path belongs to a resource of this kind (for selectPath without an
// explicit resource).
bool pathFits(Kind kind, const QString &path)
{
    static const QStringList vs = {
        QStringLiteral("spec.http"), QStringLiteral("spec.hosts"), QStringLiteral("spec.gateways"),
        QStringLiteral("spec.tls"),  QStringLiteral("spec.tcp"),   QStringLiteral("spec.exportTo")};
    static const QStringList dr = {QStringLiteral("spec.host"), QStringLiteral("spec.subsets"),
                                   QStringLiteral("spec.trafficPolicy"),
                                   QStringLiteral("spec.workloadSelector"),
                                   QStringLiteral("spec.exportTo")};
    if (!path.startsWith(QLatin1String("spec")))
        return true;
    const QStringList &prefixes = kind == Kind::VirtualService    ? vs
                                  : kind == Kind::DestinationRule ? dr
                                                                  : QStringList();
    for (const QString &p : prefixes) {
        if (pathCovers(p, path))
            return true;
    }
    return false;
}

} // namespace

FormEditor::FormEditor(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_toolBar = new QToolBar(this);
    m_toolBar->setIconSize(QSize(16, 16));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    layout->addWidget(m_toolBar);
    m_staleLabel = new QLabel(this);
    m_staleLabel->setObjectName(QStringLiteral("formsStaleLabel"));
    m_staleLabel->setWordWrap(true);
    m_staleLabel->setTextFormat(Qt::PlainText);
    m_staleLabel->setContentsMargins(6, 4, 6, 4);
    m_staleLabel->setAutoFillBackground(true);
    m_staleLabel->setBackgroundRole(QPalette::ToolTipBase);
    m_staleLabel->setForegroundRole(QPalette::ToolTipText);
    m_staleLabel->hide();
    layout->addWidget(m_staleLabel);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_splitter = splitter;
    // Named so the window can keep its sizes with the other splitters.
    splitter->setObjectName(QStringLiteral("formsOutlineSplitter"));
    splitter->setChildrenCollapsible(false);
    m_outline = new OutlineView(splitter);
    m_scroll = new QScrollArea(splitter);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    layout->addWidget(splitter, 1);
    buildToolBar();

    connect(m_outline, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (m_populating || !item)
            return;
        m_location = m_outline->locationOf(item);
        rebuildForm();
        updateActions();
        emit locationSelected(m_location.resource, m_location.path());
    });
    connect(m_outline, &OutlineView::addRequested, this, &FormEditor::addItem);
    connect(m_outline, &OutlineView::duplicateRequested, this, &FormEditor::duplicateItem);
    connect(m_outline, &OutlineView::deleteRequested, this, &FormEditor::deleteItem);
    connect(m_outline, &OutlineView::moveRequested, this, [this](const Location &from, int to) {
        if (from != m_location)
            select(from);
        moveItem(to - from.listIndex());
    });
    connect(m_outline, &QWidget::customContextMenuRequested, this, &FormEditor::showContextMenu);
    connect(qApp, &QApplication::focusChanged, this,
            [this](QWidget *, QWidget *now) { onFocusChanged(now); });
    rebuildOutline({});
}

void FormEditor::onFocusChanged(QWidget *now)
{
    if (!now || !m_page || m_populating || !m_page->isAncestorOf(now))
        return;
    // The innermost registered field holding the focus (a spin box inside a weight editor).
    const Field *best = nullptr;
    for (const Field &f : std::as_const(m_fields)) {
        if (!f.widget || f.row >= 0 || (f.widget != now && !f.widget->isAncestorOf(now)))
            continue;
        if (!best || best->widget->isAncestorOf(f.widget))
            best = &f;
    }
    if (best)
        emit locationSelected(m_location.resource, best->path);
}

void FormEditor::setStale(const QString &reason)
{
    if (reason == m_staleReason)
        return;
    m_staleReason = reason;
    m_staleLabel->setText(reason);
    m_staleLabel->setVisible(!reason.isEmpty());
    m_toolBar->setEnabled(reason.isEmpty());
    m_splitter->setEnabled(reason.isEmpty());
}

FormEditor::~FormEditor()
{
    // Widgets of the page may still report a focus-out while they go: ignore them, and let
    // them go while this object is whole (their handlers call back into it).
    ++m_generation;
    delete m_scroll->takeWidget();
}

void FormEditor::buildToolBar()
{
    m_addAction = m_toolBar->addAction(tr("Add"), this, &FormEditor::addItem);
    m_addAction->setToolTip(tr("Add an item of the selected kind after it (Insert)"));
    m_duplicateAction = m_toolBar->addAction(tr("Duplicate"), this, &FormEditor::duplicateItem);
    m_duplicateAction->setToolTip(tr("Duplicate the selected item (Ctrl+D)"));
    m_deleteAction = m_toolBar->addAction(tr("Delete"), this, &FormEditor::deleteItem);
    m_deleteAction->setToolTip(tr("Delete the selected item (Delete)"));
    m_upAction = m_toolBar->addAction(style()->standardIcon(QStyle::SP_ArrowUp), tr("Up"), this,
                                      [this] { moveItem(-1); });
    m_upAction->setToolTip(tr("Move up: rules are tried in order (Ctrl+Up)"));
    m_downAction = m_toolBar->addAction(style()->standardIcon(QStyle::SP_ArrowDown), tr("Down"),
                                        this, [this] { moveItem(1); });
    m_downAction->setToolTip(tr("Move down (Ctrl+Down)"));
    m_toolBar->addSeparator();
    auto *newMenu = new QMenu(this);
    newMenu->addAction(tr("VirtualService"), this, [this] {
        structural(tr("add VirtualService"),
                   [](Model::Config &c) { return Structure::addVirtualService(c); });
    });
    newMenu->addAction(tr("DestinationRule"), this, [this] {
        structural(tr("add DestinationRule"),
                   [](Model::Config &c) { return Structure::addDestinationRule(c); });
    });
    auto *newButton = new QToolButton(m_toolBar);
    newButton->setText(tr("New resource"));
    newButton->setMenu(newMenu);
    newButton->setPopupMode(QToolButton::InstantPopup);
    m_toolBar->addWidget(newButton);
    updateActions();
}

void FormEditor::updateActions()
{
    const bool valid = m_location.existsIn(m_config);
    const bool list = valid && m_location.isListItem();
    m_addAction->setEnabled(!valid || m_location.kind != Kind::Other);
    m_duplicateAction->setEnabled(valid);
    m_deleteAction->setEnabled(valid);
    const int count = valid ? Structure::siblingCount(m_config, m_location) : 0;
    m_upAction->setEnabled(list && m_location.listIndex() > 0);
    m_downAction->setEnabled(list && m_location.listIndex() < count - 1);
}

void FormEditor::setDocuments(const std::vector<Yaml::Document> &documents)
{
    setConfig(Model::Config::fromDocuments(documents));
}

void FormEditor::setConfig(const Model::Config &config)
{
    if (config == m_config) {
        // Same content (e.g. the YAML regenerated from our own edit): keep the widgets and the
        // focus, take the file and document positions the diagnostics refer to.
        m_config = config;
        return;
    }
    m_config = config;
    Location keep = m_location;
    while (keep.isValid() && !keep.existsIn(m_config))
        keep = keep.parent();
    rebuildOutline(keep);
}

void FormEditor::rebuildOutline(const Location &select)
{
    m_populating = true;
    m_outline->populate(m_config);
    m_location = select.existsIn(m_config) ? select : Location::resourceAt(m_config, 0);
    m_outline->select(m_location);
    m_populating = false;
    rebuildForm();
    markOutline();
    updateActions();
}

void FormEditor::rebuildForm()
{
    ++m_generation;
    m_fields.clear();
    m_refreshers.clear();
    m_currentField = nullptr;
    m_currentFieldPath.clear();
    if (QWidget *old = m_scroll->takeWidget()) {
        old->hide(); // its focus-out edits arrive with the old generation and are dropped
        old->deleteLater();
    }
    QWidget *page = nullptr;
    if (m_location.existsIn(m_config)) {
        switch (m_location.kind) {
        case Kind::VirtualService:
            page = buildVirtualServiceForm(*this, m_location);
            break;
        case Kind::Rule:
            page = buildRuleForm(*this, m_location);
            break;
        case Kind::Match:
            page = buildMatchForm(*this, m_location);
            break;
        case Kind::Destination:
            page = buildDestinationForm(*this, m_location);
            break;
        case Kind::Mirror:
            page = buildMirrorForm(*this, m_location);
            break;
        case Kind::DestinationRule:
            page = buildDestinationRuleForm(*this, m_location);
            break;
        case Kind::Subset:
            page = buildSubsetForm(*this, m_location);
            break;
        case Kind::Other:
            page = buildOtherForm(*this, m_location);
            break;
        case Kind::None:
            break;
        }
    }
    if (!page) {
        auto *label = new QLabel(
            m_config.resources.isEmpty()
                ? tr("The document is empty. Add a VirtualService with \"New resource\".")
                : tr("Select an item in the outline."));
        label->setAlignment(Qt::AlignCenter);
        label->setWordWrap(true);
        page = label;
    }
    m_page = page;
    m_scroll->setWidget(page);
    markProblems();
}

bool FormEditor::applyEdit(const QString &description, const Mutation &mutate)
{
    Model::Config next = m_config;
    mutate(next);
    if (next == m_config)
        return false;
    m_config = std::move(next);
    m_outline->updateTexts(m_config);
    const auto refreshers = m_refreshers;
    for (const auto &refresh : refreshers)
        refresh();
    emit edited(m_config, description);
    return true;
}

bool FormEditor::applyStructuralEdit(const QString &description, const StructuralMutation &mutate)
{
    Model::Config next = m_config;
    Location select = mutate(next);
    if (next == m_config)
        return false;
    m_config = std::move(next);
    if (!select.existsIn(m_config))
        select = m_location;
    while (select.isValid() && !select.existsIn(m_config))
        select = select.parent();
    // The page is deleted later: a widget of it may be the one calling us.
    rebuildOutline(select);
    emit edited(m_config, description);
    return true;
}

void FormEditor::structural(const QString &description, const StructuralMutation &mutate)
{
    // A field still being typed in is committed first, as its own step.
    QWidget *focus = QApplication::focusWidget();
    if (focus && m_page && m_page->isAncestorOf(focus))
        focus->clearFocus();
    applyStructuralEdit(description, mutate);
}

void FormEditor::registerField(const QString &path, QWidget *widget, int row)
{
    m_fields.append({path, widget, row, widget->toolTip()});
}

void FormEditor::onRefresh(std::function<void()> refresh)
{
    m_refreshers.append(std::move(refresh));
}

QString FormEditor::askSubsetName(const QString &host, const QString &suggestion)
{
    if (m_prompt)
        return m_prompt(host, suggestion).trimmed();
    bool ok = false;
    const QString name = QInputDialog::getText(
        this, tr("New subset"),
        tr("Name of the new subset of %1.\nIt selects the endpoints labelled version: <name>; "
           "change the labels in the subset's form.")
            .arg(host),
        QLineEdit::Normal, suggestion, &ok);
    return ok ? name.trimmed() : QString();
}

// --- structural edits -----------------------------------------------------------------------

void FormEditor::addItem()
{
    if (!m_location.existsIn(m_config)) {
        structural(tr("add VirtualService"),
                   [](Model::Config &c) { return Structure::addVirtualService(c); });
        return;
    }
    const Location at = m_location;
    structural(tr("add %1 after %2").arg(kindName(at.kind), Structure::describe(m_config, at)),
               [at](Model::Config &c) { return Structure::addSibling(c, at); });
}

void FormEditor::addChild(Kind kind)
{
    const Location at = m_location;
    structural(tr("add %1 to %2").arg(kindName(kind), Structure::describe(m_config, at)),
               [at, kind](Model::Config &c) { return Structure::addChild(c, at, kind); });
}

void FormEditor::duplicateItem()
{
    const Location at = m_location;
    structural(tr("duplicate %1").arg(Structure::describe(m_config, at)),
               [at](Model::Config &c) { return Structure::duplicate(c, at); });
}

void FormEditor::deleteItem()
{
    const Location at = m_location;
    structural(tr("delete %1").arg(Structure::describe(m_config, at)),
               [at](Model::Config &c) { return Structure::remove(c, at); });
}

void FormEditor::moveItem(int delta)
{
    const Location at = m_location;
    if (!at.isListItem() || delta == 0)
        return;
    const int to = at.listIndex() + delta;
    if (to < 0 || to >= Structure::siblingCount(m_config, at))
        return;
    structural(
        tr("move %1 %2").arg(Structure::describe(m_config, at), delta < 0 ? tr("up") : tr("down")),
        [at, to](Model::Config &c) { return Structure::move(c, at, to); });
}

void FormEditor::showContextMenu(const QPoint &pos)
{
    if (QTreeWidgetItem *item = m_outline->itemAt(pos))
        m_outline->setCurrentItem(item);
    QMenu menu(this);
    const bool valid = m_location.existsIn(m_config);
    if (valid && m_location.kind != Kind::Other) {
        menu.addAction(tr("Add %1 after this").arg(kindName(m_location.kind)), this,
                       &FormEditor::addItem)
            ->setShortcut(QKeySequence(Qt::Key_Insert));
    }
    if (valid) {
        menu.addAction(tr("Duplicate"), this, &FormEditor::duplicateItem)
            ->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
        menu.addAction(tr("Delete"), this, &FormEditor::deleteItem)
            ->setShortcut(QKeySequence(Qt::Key_Delete));
    }
    if (valid && m_location.isListItem()) {
        menu.addAction(tr("Move up"), this, [this] { moveItem(-1); })
            ->setEnabled(m_upAction->isEnabled());
        menu.addAction(tr("Move down"), this, [this] { moveItem(1); })
            ->setEnabled(m_downAction->isEnabled());
    }
    menu.addSeparator();
    if (valid && m_location.kind == Kind::VirtualService)
        menu.addAction(tr("Add HTTP rule"), this, [this] { addChild(Kind::Rule); });
    if (valid && m_location.kind == Kind::Rule) {
        menu.addAction(tr("Add match"), this, [this] { addChild(Kind::Match); });
        menu.addAction(tr("Add destination"), this, [this] { addChild(Kind::Destination); });
        menu.addAction(tr("Add mirror"), this, [this] { addChild(Kind::Mirror); });
    }
    if (valid && m_location.kind == Kind::DestinationRule)
        menu.addAction(tr("Add subset"), this, [this] { addChild(Kind::Subset); });
    menu.addSeparator();
    menu.addAction(tr("New VirtualService"), this, [this] {
        structural(tr("add VirtualService"),
                   [](Model::Config &c) { return Structure::addVirtualService(c); });
    });
    menu.addAction(tr("New DestinationRule"), this, [this] {
        structural(tr("add DestinationRule"),
                   [](Model::Config &c) { return Structure::addDestinationRule(c); });
    });
    menu.exec(m_outline->viewport()->mapToGlobal(pos));
}

// --- selection and diagnostics --------------------------------------------------------------

bool FormEditor::select(const Location &at)
{
    if (!at.existsIn(m_config))
        return false;
    if (at == m_location && m_page)
        return true;
    return m_outline->select(at); // the outline's signal rebuilds the form
}

int FormEditor::resourceOf(const Base::Diagnostic &d) const
{
    for (int i = 0; i < m_config.resources.size(); ++i) {
        const Model::Resource &r = m_config.resources[i];
        if (r.documentIndex == d.document && r.file == d.file)
            return i;
    }
    // Resources the forms added have no document position until the YAML is parsed again.
    return d.document >= 0 && d.document < m_config.resources.size() ? d.document : -1;
}

bool FormEditor::selectDiagnostic(const Base::Diagnostic &diagnostic)
{
    const int resource = resourceOf(diagnostic);
    return resource >= 0 && selectPath(diagnostic.path, resource);
}

bool FormEditor::selectPath(const QString &fieldPath, int resource)
{
    if (resource < 0) {
        QList<int> order;
        if (m_location.isValid())
            order.append(m_location.resource);
        for (int i = 0; i < m_config.resources.size(); ++i) {
            if (!order.contains(i))
                order.append(i);
        }
        for (int i : order) {
            if (pathFits(Location::resourceAt(m_config, i).kind, fieldPath)) {
                resource = i;
                break;
            }
        }
    }
    if (resource < 0 || resource >= m_config.resources.size())
        return false;
    if (!select(Location::ofPath(m_config, resource, fieldPath)))
        return false;
    if (const Field *field = bestField(fieldPath))
        focusField(*field);
    return true;
}

QWidget *FormEditor::fieldWidget(const QString &path) const
{
    for (const Field &f : m_fields) {
        if (f.path == path && f.row < 0 && f.widget)
            return f.widget;
    }
    return nullptr;
}

const FormEditor::Field *FormEditor::bestField(const QString &path) const
{
    const Field *best = nullptr;
    for (const Field &f : m_fields) {
        if (!f.widget || !pathCovers(f.path, path))
            continue;
        if (!best || f.path.size() > best->path.size() ||
            (f.path.size() == best->path.size() && f.row >= 0 && best->row < 0))
            best = &f;
    }
    if (best)
        return best;
    for (const Field &f : m_fields) { // a path above the fields: its first field
        if (f.widget && pathCovers(path, f.path))
            return &f;
    }
    return nullptr;
}

void FormEditor::focusField(const Field &field)
{
    QWidget *w = field.widget;
    // Bring tab pages holding the field to the front.
    for (QWidget *c = w; c && c != m_page; c = c->parentWidget()) {
        auto *stack = qobject_cast<QStackedWidget *>(c->parentWidget());
        if (auto *tabs = stack ? qobject_cast<QTabWidget *>(stack->parentWidget()) : nullptr)
            tabs->setCurrentWidget(c);
    }
    if (auto *table = qobject_cast<RowsTable *>(w); table && field.row >= 0)
        table->selectRow(field.row);
    w->setFocus(Qt::OtherFocusReason);
    m_currentField = w;
    m_currentFieldPath = field.path;
    m_scroll->ensureWidgetVisible(w);
    // The page may not be laid out yet when it was just built.
    QTimer::singleShot(0, this, [this, w = QPointer<QWidget>(w)] {
        if (w)
            m_scroll->ensureWidgetVisible(w);
    });
}

void FormEditor::setDiagnostics(const Base::Diagnostics &diagnostics)
{
    m_diagnostics.clear();
    for (const Base::Diagnostic &d : diagnostics) {
        const int resource = resourceOf(d);
        if (resource >= 0)
            m_diagnostics.append({resource, d});
    }
    markOutline();
    markProblems();
}

void FormEditor::markOutline()
{
    QHash<QString, QPair<Base::Severity, QStringList>> marks; // by Location key
    for (const auto &[resource, d] : std::as_const(m_diagnostics)) {
        for (Location at = Location::ofPath(m_config, resource, d.path); at.isValid();
             at = at.parent()) {
            auto &mark = marks[at.key()];
            if (mark.second.isEmpty() || d.severity > mark.first)
                mark.first = d.severity;
            mark.second.append(Base::severityName(d.severity) + QStringLiteral(": ") + d.message);
        }
    }
    for (QTreeWidgetItem *item : m_outline->allItems()) {
        const auto it = marks.constFind(m_outline->locationOf(item).key());
        if (it == marks.constEnd()) {
            item->setIcon(0, QIcon());
            item->setToolTip(0, QString());
            continue;
        }
        const Base::Severity s = it->first;
        item->setIcon(0, style()->standardIcon(
                             s == Base::Severity::Error     ? QStyle::SP_MessageBoxCritical
                             : s == Base::Severity::Warning ? QStyle::SP_MessageBoxWarning
                                                            : QStyle::SP_MessageBoxInformation));
        item->setToolTip(0, it->second.mid(0, 5).join(QLatin1Char('\n')));
    }
}

void FormEditor::markProblems()
{
    for (const Field &f : std::as_const(m_fields)) { // clear the previous marks
        if (!f.widget)
            continue;
        if (auto *table = qobject_cast<RowsTable *>(f.widget); table && f.row >= 0) {
            table->setRowBackground(f.row, QColor(), QString());
        } else if (f.widget->property("problem").toBool()) {
            f.widget->setPalette(QPalette());
            f.widget->setToolTip(f.toolTip);
            f.widget->setProperty("problem", false);
        }
    }
    for (const auto &[resource, d] : std::as_const(m_diagnostics)) {
        if (resource != m_location.resource || d.path.isEmpty() ||
            d.severity == Base::Severity::Info ||
            Location::ofPath(m_config, resource, d.path) != m_location)
            continue;
        const Field *f = bestField(d.path);
        if (!f)
            continue;
        const QColor color = d.severity == Base::Severity::Error ? kErrorColor : kWarningColor;
        const QString message = Base::severityName(d.severity) + QLatin1Char(' ') +
                                (d.istioCode.isEmpty() ? d.code : d.istioCode) +
                                QStringLiteral(": ") + d.message;
        if (auto *table = qobject_cast<RowsTable *>(f->widget.data()); table && f->row >= 0) {
            table->setRowBackground(f->row, color, message);
            continue;
        }
        QPalette p = f->widget->palette();
        p.setColor(QPalette::Base, color);
        p.setColor(QPalette::Button, color);
        f->widget->setPalette(p);
        f->widget->setToolTip(f->toolTip.isEmpty() ? message
                                                   : f->toolTip + QStringLiteral("\n\n") + message);
        f->widget->setProperty("problem", true);
    }
}

} // namespace Forms
