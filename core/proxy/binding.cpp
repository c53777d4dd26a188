#include "proxy/binding.h"

namespace Proxy {

Endpoint Endpoint::make(const QString &host, quint16 port)
{
    Endpoint e;
    e.host = host;
    e.port = port;
    QHostAddress address;
    if (address.setAddress(host))
        e.address = address;
    const bool v6 = e.address.protocol() == QAbstractSocket::IPv6Protocol;
    e.text = (v6 ? QLatin1Char('[') + host + QLatin1Char(']') : host) + QLatin1Char(':') +
             QString::number(port);
    e.key = e.text.toUtf8();
    return e;
}

QString bindingKey(const Routing::Target &target)
{
    QString key = target.host;
    if (target.port > 0)
        key += QLatin1Char(':') + QString::number(target.port);
    if (!target.subset.isEmpty())
        key += QLatin1Char(':') + target.subset;
    return key;
}

static bool parsePort(const QString &text, int *port)
{
    bool ok = false;
    const int value = text.toInt(&ok);
    if (!ok || value < 1 || value > 65535)
        return false;
    *port = value;
    return true;
}

bool Bindings::parse(const QString &spec, Binding *out, QString *error)
{
    auto fail = [&](const QString &why) {
        if (error)
            *error = QStringLiteral("invalid binding \"%1\": %2").arg(spec, why);
        return false;
    };
    const qsizetype eq = spec.indexOf(QLatin1Char('='));
    if (eq < 0)
        return fail(QStringLiteral("expected HOST[:PORT][:SUBSET]=ADDRESS:PORT, e.g. "
                                   "greeter-service:v1=127.0.0.1:3001"));
    const QString left = spec.left(eq).trimmed();
    QString right = spec.mid(eq + 1).trimmed();

    Binding b;
    const QStringList parts = left.split(QLatin1Char(':'));
    if (parts.isEmpty() || parts.first().isEmpty())
        return fail(QStringLiteral("the destination host is empty"));
    if (parts.size() > 3)
        return fail(
            QStringLiteral("the destination has too many ':' parts (HOST[:PORT][:SUBSET])"));
    b.target.host = parts.at(0);
    if (parts.size() == 2) {
        int port = 0;
        if (parsePort(parts.at(1), &port))
            b.target.port = port;
        else
            b.target.subset = parts.at(1);
    } else if (parts.size() == 3) {
        int port = 0;
        if (!parsePort(parts.at(1), &port))
            return fail(QStringLiteral("\"%1\" is not a port (1-65535)").arg(parts.at(1)));
        b.target.port = port;
        b.target.subset = parts.at(2);
    }
    if (parts.size() >= 2 && parts.last().isEmpty())
        return fail(QStringLiteral("the subset after ':' is empty"));

    if (right.startsWith(QLatin1String("https://"), Qt::CaseInsensitive))
        return fail(QStringLiteral("https endpoints are not supported; use http://ADDRESS:PORT"));
    if (right.startsWith(QLatin1String("http://"), Qt::CaseInsensitive))
        right = right.mid(7);
    if (right.endsWith(QLatin1Char('/')))
        right.chop(1);
    if (right.contains(QLatin1Char('/')))
        return fail(QStringLiteral("the endpoint must not carry a path"));
    QString host;
    QString portText;
    if (right.startsWith(QLatin1Char('['))) {
        const qsizetype close = right.indexOf(QLatin1Char(']'));
        if (close < 0 || right.mid(close + 1, 1) != QLatin1String(":"))
            return fail(QStringLiteral("expected [IPv6]:PORT"));
        host = right.mid(1, close - 1);
        portText = right.mid(close + 2);
    } else {
        const qsizetype colon = right.lastIndexOf(QLatin1Char(':'));
        if (colon < 0)
            return fail(QStringLiteral("the endpoint needs a port, e.g. 127.0.0.1:3001"));
        host = right.left(colon);
        portText = right.mid(colon + 1);
    }
    if (host.isEmpty())
        return fail(QStringLiteral("the endpoint address is empty"));
    int port = 0;
    if (!parsePort(portText, &port))
        return fail(QStringLiteral("\"%1\" is not a port (1-65535)").arg(portText));
    b.endpoint = Endpoint::make(host, quint16(port));
    *out = b;
    return true;
}

bool Bindings::parseAll(const QStringList &specs, Bindings *out, QString *error)
{
    Bindings result;
    for (const QString &spec : specs) {
        Binding b;
        if (!parse(spec, &b, error))
            return false;
        result.add(b);
    }
    *out = result;
    return true;
}

static bool sameTarget(const Routing::Target &a, const Routing::Target &b)
{
    return a.port == b.port && a.subset == b.subset &&
           a.host.compare(b.host, Qt::CaseInsensitive) == 0;
}

void Bindings::add(const Binding &binding)
{
    for (Binding &b : m_bindings) {
        if (sameTarget(b.target, binding.target)) {
            b.endpoint = binding.endpoint;
            return;
        }
    }
    m_bindings.append(binding);
}

void Bindings::add(const Routing::Target &target, const Endpoint &endpoint)
{
    add(Binding{target, endpoint});
}

const Binding *Bindings::find(const Routing::Target &target) const
{
    Routing::Target probe = target;
    for (const Binding &b : m_bindings) {
        if (sameTarget(b.target, probe))
            return &b;
    }
    probe.port = 0;
    for (const Binding &b : m_bindings) {
        if (sameTarget(b.target, probe))
            return &b;
    }
    probe.subset.clear();
    for (const Binding &b : m_bindings) {
        if (sameTarget(b.target, probe))
            return &b;
    }
    return nullptr;
}

QByteArray Bindings::missingBindingMessage(const Routing::Target &target)
{
    const QString key = bindingKey(target);
    return QStringLiteral("no binding for %1; add --bind %1=127.0.0.1:PORT\n").arg(key).toUtf8();
}

} // namespace Proxy
