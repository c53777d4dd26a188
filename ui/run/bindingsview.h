#pragma once

#include "proxy/binding.h"
#include "routing/routedecision.h"

#include <QMap>
#include <QTableWidget>

namespace Ui {

// Every host/subset the document routes or mirrors to, and where it goes on this machine: an
// endpoint the person typed, "demo" (the built-in greeter v1/v2), or nothing, in red, because
// requests to it would get 503. The endpoint column is editable ("127.0.0.1:3001", or empty
// for the demo / unbound).
class BindingsView : public QTableWidget
{
    Q_OBJECT
public:
    enum Column { Destination, Endpoint, ColumnCount };

    explicit BindingsView(QWidget *parent = nullptr);

    // running: the proxy's bindings while it runs (demo ones included), else nullptr.
    void showTargets(const QList<Routing::Target> &targets, bool demo, const QString &demoHost,
                     const Proxy::Bindings *running);
    // What the person typed, parsed; wrong spellings are left out (and shown in red).
    Proxy::Bindings userBindings() const;
    int missingCount() const { return m_missing; }
    bool isMissing(int row) const;

signals:
    void bindingsEdited();

private:
    void redraw();

    QList<Routing::Target> m_targets;
    QMap<QString, QString> m_user; // bindingKey -> endpoint text as typed
    bool m_demo = false;
    QString m_demoHost;
    Proxy::Bindings m_running;
    bool m_hasRunning = false;
    bool m_redrawing = false;
    int m_missing = 0;
};

} // namespace Ui
