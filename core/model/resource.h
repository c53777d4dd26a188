#pragma once

#include "model/destinationrule.h"
#include "model/virtualservice.h"

#include <QList>
#include <QString>

#include <vector>

namespace Yaml {
struct Document;
}

namespace Model {

// One Kubernetes object. VirtualServices and DestinationRules of networking.istio.io are typed;
// anything else (Gateway, Service, a Deployment...) is kept whole in `raw` and written back
// unchanged.
struct Resource
{
    enum class Type { Other, VirtualService, DestinationRule };

    Type type = Type::Other;
    QString apiVersion; // e.g. "networking.istio.io/v1"
    QString kind;
    Yaml::Node metadata;             // kept as written (ordered); see name()/namespaceName()
    VirtualService virtualService;   // when type == VirtualService
    DestinationRule destinationRule; // when type == DestinationRule
    // Typed kinds: top-level keys other than apiVersion/kind/metadata/spec (e.g. status), and
    // `spec` itself when it is not a map. Type::Other: unused.
    Yaml::Node extra;
    Yaml::Node raw; // Type::Other: the whole object as read

    // Where it came from (not part of ==).
    QString file;
    int documentIndex = -1;
    int listItem = -1;
    Yaml::Mark mark;

    bool isVirtualService() const { return type == Type::VirtualService; }
    bool isDestinationRule() const { return type == Type::DestinationRule; }
    QString name() const;          // metadata.name ("" when absent)
    QString namespaceName() const; // metadata.namespace ("" when absent)
    void setName(const QString &name);
    void setNamespaceName(const QString &ns);
    // "kind/name" or "kind/namespace/name" for lists and messages.
    QString displayName() const;

    static Resource makeVirtualService(const QString &name, const VirtualService &vs = {},
                                       const QString &ns = QString());
    static Resource makeDestinationRule(const QString &name, const DestinationRule &dr = {},
                                        const QString &ns = QString());

    bool operator==(const Resource &o) const;
    bool operator!=(const Resource &o) const { return !(*this == o); }
};

// The resources of one or more files, in order, with the lookups the route engine, the
// validator and the editor need. Pointers returned stay valid until `resources` changes.
struct Config
{
    QList<Resource> resources;

    static Config fromDocuments(const std::vector<Yaml::Document> &documents);
    std::vector<Yaml::Node> toNodes() const;

    QList<const Resource *> virtualServices() const;
    QList<const Resource *> destinationRules() const;
    const Resource *find(const QString &kind, const QString &name,
                         const QString &ns = QString()) const;
    // DestinationRules whose host is `host`, comparing hosts after short-name resolution
    // (a short name is resolved in the namespace of the resource that uses it; `ns` is the
    // namespace of the caller, e.g. the VirtualService).
    QList<const Resource *> destinationRulesFor(const QString &host,
                                                const QString &ns = QString()) const;
    QList<Subset> subsetsFor(const QString &host, const QString &ns = QString()) const;
    const Subset *findSubset(const QString &host, const QString &subset,
                             const QString &ns = QString()) const;

    bool operator==(const Config &o) const { return resources == o.resources; }
    bool operator!=(const Config &o) const { return !(*this == o); }
};

// Istio's host resolution: a short name ("reviews", no dot) becomes
// "reviews.<ns>.svc.cluster.local" (ns "default" when empty); anything else is unchanged.
QString resolveHost(const QString &host, const QString &ns);

} // namespace Model
