#pragma once

#include "routing/routedecision.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>

namespace Proxy {

// Where a bound destination lives. Parsed once; the request path only reads it.
struct Endpoint
{
    QString host;         // "127.0.0.1" or a host name
    QHostAddress address; // set when host is a literal address (no DNS on the request path)
    quint16 port = 0;
    QByteArray key; // "127.0.0.1:3001": pool key and the Leg's endpoint text
    QString text;   // the same as a QString (shared into every Exchange leg)

    bool isValid() const { return port != 0 && !host.isEmpty(); }
    static Endpoint make(const QString &host, quint16 port);
};

// host[:port][:subset] -> endpoint, as given by `--bind greeter-service:v1=127.0.0.1:3001`.
struct Binding
{
    Routing::Target target;
    Endpoint endpoint;
};

// "greeter-service:v2", "greeter-service:8080:v2": the spelling --bind accepts on its left side.
QString bindingKey(const Routing::Target &target);

class Bindings
{
public:
    // Parses "HOST[:PORT][:SUBSET]=[http://]ADDRESS:PORT". On error returns false and sets *error.
    static bool parse(const QString &spec, Binding *out, QString *error);
    // Parses many specs; stops at the first bad one (error names it).
    static bool parseAll(const QStringList &specs, Bindings *out, QString *error);

    void add(const Binding &binding); // replaces an existing binding for the same target
    void add(const Routing::Target &target, const Endpoint &endpoint);
    // Exact host+subset+port, then host+subset without port, then the host alone.
    const Binding *find(const Routing::Target &target) const;
    const QList<Binding> &all() const { return m_bindings; }
    bool isEmpty() const { return m_bindings.isEmpty(); }

    // The 503 body for an unbound destination: names the binding to add.
    static QByteArray missingBindingMessage(const Routing::Target &target);

private:
    QList<Binding> m_bindings;
};

} // namespace Proxy
