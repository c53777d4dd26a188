#include "bindingsview.h"

#include "dashboard/palette.h"

#include <QHeaderView>

namespace Ui {

namespace {
constexpr int kMissingRole = Qt::UserRole + 1;

bool parseOne(const QString &key, const QString &endpoint, Proxy::Binding *out, QString *error)
{
    return Proxy::Bindings::parse(key + QLatin1Char('=') + endpoint.trimmed(), out, error);
}
} // namespace

BindingsView::BindingsView(QWidget *parent) : QTableWidget(0, ColumnCount, parent)
{
    setHorizontalHeaderLabels({tr("Destination"), tr("Bound to")});
    horizontalHeader()->setSectionResizeMode(Destination, QHeaderView::ResizeToContents);
    horizontalHeader()->setStretchLastSection(true);
    verticalHeader()->hide();
    setWordWrap(false);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                    QAbstractItemView::AnyKeyPressed);
    setToolTip(tr("Double-click \"Bound to\" to send a destination to a local process "
                  "(127.0.0.1:3001); leave it empty for the built-in demo."));
    connect(this, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (m_redrawing || item->column() != Endpoint)
            return;
        const QString key = this->item(item->row(), Destination)->text();
        QString text = item->text().trimmed();
        if (text.startsWith(tr("demo")) || text.startsWith(tr("not bound")))
            text.clear();
        if (text.isEmpty())
            m_user.remove(key);
        else
            m_user[key] = text;
        redraw();
        emit bindingsEdited();
    });
}

void BindingsView::showTargets(const QList<Routing::Target> &targets, bool demo,
                               const QString &demoHost, const Proxy::Bindings *running)
{
    m_targets = targets;
    m_demo = demo;
    m_demoHost = demoHost;
    m_hasRunning = running != nullptr;
    m_running = running ? *running : Proxy::Bindings();
    redraw();
}

Proxy::Bindings BindingsView::userBindings() const
{
    Proxy::Bindings out;
    for (auto it = m_user.cbegin(); it != m_user.cend(); ++it) {
        Proxy::Binding b;
        QString error;
        if (parseOne(it.key(), it.value(), &b, &error))
            out.add(b);
    }
    return out;
}

bool BindingsView::isMissing(int row) const
{
    const QTableWidgetItem *i = item(row, Endpoint);
    return i && i->data(kMissingRole).toBool();
}

void BindingsView::redraw()
{
    m_redrawing = true;
    setRowCount(int(m_targets.size()));
    m_missing = 0;
    const Proxy::Bindings user = userBindings();
    for (int row = 0; row < m_targets.size(); ++row) {
        const Routing::Target &t = m_targets.at(row);
        const QString key = Proxy::bindingKey(t);
        auto *dest = new QTableWidgetItem(key);
        dest->setFlags(dest->flags() & ~Qt::ItemIsEditable);
        QString text, tip;
        bool missing = false;
        Proxy::Binding parsed;
        QString error;
        const bool isDemo = m_demo && t.host == m_demoHost &&
                            (t.subset == QLatin1String("v1") || t.subset == QLatin1String("v2"));
        if (m_user.contains(key) && !parseOne(key, m_user.value(key), &parsed, &error)) {
            text = m_user.value(key);
            tip = error;
            missing = true;
        } else if (const Proxy::Binding *b = user.find(t)) {
            text = b->endpoint.text;
        } else if (isDemo) {
            const Proxy::Binding *live = m_hasRunning ? m_running.find(t) : nullptr;
            text = live ? tr("demo · %1").arg(live->endpoint.text) : tr("demo");
            tip = tr("The built-in greeter %1").arg(t.subset);
        } else if (const Proxy::Binding *live = m_hasRunning ? m_running.find(t) : nullptr) {
            text = live->endpoint.text;
        } else {
            text = tr("not bound: requests get 503");
            tip = tr("Type an address such as 127.0.0.1:3001, or turn the demo backends on "
                     "(they serve %1 v1 and v2).")
                      .arg(m_demoHost);
            missing = true;
        }
        auto *endpoint = new QTableWidgetItem(text);
        endpoint->setToolTip(tip);
        endpoint->setData(kMissingRole, missing);
        if (missing) {
            endpoint->setBackground(Palette::missing());
            endpoint->setForeground(QBrush(Qt::darkRed));
            dest->setBackground(Palette::missing());
            ++m_missing;
        }
        setItem(row, Destination, dest);
        setItem(row, Endpoint, endpoint);
    }
    m_redrawing = false;
}

} // namespace Ui
