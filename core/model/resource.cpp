#include "yaml/document.h"

#include "model/resource.h"

#include "model/codec.h"

namespace Model {

namespace {

QString metadataString(const Yaml::Node &metadata, const char *key)
{
    const Yaml::Node *v = metadata.isMap() ? metadata.get(key) : nullptr;
    if (!v || !v->isScalar() || v->isPlainNull())
        return QString();
    return QString::fromStdString(v->text());
}

void setMetadataString(Yaml::Node &metadata, const char *key, const QString &value)
{
    if (value.isEmpty()) {
        if (metadata.isMap())
            metadata.remove(key);
        return;
    }
    if (!metadata.isMap())
        metadata = Yaml::Node::map();
    Yaml::Node n = Yaml::Node::scalar(value.toStdString());
    if (n.typeName() != "string")
        n.setStyle(Yaml::Node::Style::DoubleQuoted);
    metadata.set(key, n);
}

} // namespace

QString Resource::name() const
{
    return metadataString(metadata, "name");
}

QString Resource::namespaceName() const
{
    return metadataString(metadata, "namespace");
}

void Resource::setName(const QString &name)
{
    setMetadataString(metadata, "name", name);
}

void Resource::setNamespaceName(const QString &ns)
{
    setMetadataString(metadata, "namespace", ns);
}

QString Resource::displayName() const
{
    const QString ns = namespaceName();
    return ns.isEmpty() ? kind + QLatin1Char('/') + name()
                        : kind + QLatin1Char('/') + ns + QLatin1Char('/') + name();
}

Resource Resource::makeVirtualService(const QString &name, const VirtualService &vs,
                                      const QString &ns)
{
    Resource r;
    r.type = Type::VirtualService;
    r.apiVersion = QStringLiteral("networking.istio.io/v1");
    r.kind = QStringLiteral("VirtualService");
    r.setName(name);
    r.setNamespaceName(ns);
    r.virtualService = vs;
    return r;
}

Resource Resource::makeDestinationRule(const QString &name, const DestinationRule &dr,
                                       const QString &ns)
{
    Resource r;
    r.type = Type::DestinationRule;
    r.apiVersion = QStringLiteral("networking.istio.io/v1");
    r.kind = QStringLiteral("DestinationRule");
    r.setName(name);
    r.setNamespaceName(ns);
    r.destinationRule = dr;
    return r;
}

QString resolveHost(const QString &host, const QString &ns)
{
    if (host.isEmpty() || host.contains(QLatin1Char('.')) || host.contains(QLatin1Char('*')))
        return host;
    return host + QLatin1Char('.') + (ns.isEmpty() ? QStringLiteral("default") : ns) +
           QStringLiteral(".svc.cluster.local");
}

Config Config::fromDocuments(const std::vector<Yaml::Document> &documents)
{
    Config c;
    for (const Yaml::Document &d : documents)
        c.resources.append(fromNode(d));
    return c;
}

std::vector<Yaml::Node> Config::toNodes() const
{
    std::vector<Yaml::Node> out;
    out.reserve(static_cast<std::size_t>(resources.size()));
    for (const Resource &r : resources)
        out.push_back(toNode(r));
    return out;
}

QList<const Resource *> Config::virtualServices() const
{
    QList<const Resource *> out;
    for (const Resource &r : resources) {
        if (r.isVirtualService())
            out.append(&r);
    }
    return out;
}

QList<const Resource *> Config::destinationRules() const
{
    QList<const Resource *> out;
    for (const Resource &r : resources) {
        if (r.isDestinationRule())
            out.append(&r);
    }
    return out;
}

const Resource *Config::find(const QString &kind, const QString &name, const QString &ns) const
{
    for (const Resource &r : resources) {
        if (r.kind == kind && r.name() == name && (ns.isEmpty() || r.namespaceName() == ns))
            return &r;
    }
    return nullptr;
}

QList<const Resource *> Config::destinationRulesFor(const QString &host, const QString &ns) const
{
    const QString wanted = resolveHost(host, ns);
    QList<const Resource *> out;
    for (const Resource &r : resources) {
        if (r.isDestinationRule() &&
            resolveHost(r.destinationRule.host, r.namespaceName()) == wanted)
            out.append(&r);
    }
    return out;
}

QList<Subset> Config::subsetsFor(const QString &host, const QString &ns) const
{
    QList<Subset> out;
    for (const Resource *r : destinationRulesFor(host, ns))
        out.append(r->destinationRule.subsets);
    return out;
}

const Subset *Config::findSubset(const QString &host, const QString &subset,
                                 const QString &ns) const
{
    for (const Resource *r : destinationRulesFor(host, ns)) {
        if (const Subset *s = r->destinationRule.findSubset(subset))
            return s;
    }
    return nullptr;
}

} // namespace Model
