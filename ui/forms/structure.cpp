#include "structure.h"

#include "model/resource.h"

#include <QCoreApplication>

namespace Forms::Structure {

using Kind = Location::Kind;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Forms::Structure", text);
}

QString uniqueResourceName(const Model::Config &config, const QString &kind, const QString &base)
{
    auto taken = [&](const QString &name) {
        for (const Model::Resource &r : config.resources) {
            if (r.kind == kind && r.name() == name)
                return true;
        }
        return false;
    };
    if (!taken(base))
        return base;
    for (int i = 2;; ++i) {
        const QString name = QStringLiteral("%1-%2").arg(base).arg(i);
        if (!taken(name))
            return name;
    }
}

QString firstHost(const Model::VirtualService &vs)
{
    for (const QString &h : vs.hosts) {
        if (!h.contains(QLatin1Char('*')))
            return h;
    }
    return QStringLiteral("my-service");
}

// The destination new routes and mirrors of a rule start from: the rule's first destination
// (host and port), else the VirtualService's first host.
Model::Destination baseDestination(const Model::Config &config, const Location &rule)
{
    const Model::Resource &r = config.resources[rule.resource];
    const Model::HTTPRoute &route = r.virtualService.http.value(rule.rule);
    Model::Destination d;
    if (!route.route.isEmpty() && !route.route.first().destination.host.isEmpty()) {
        d.host = route.route.first().destination.host;
        d.port = route.route.first().destination.port;
    } else {
        d.host = firstHost(r.virtualService);
    }
    return d;
}

// A mirror goes to a subset the rule does not route to (v2 next to v1), when there is one.
Model::Destination newMirrorDestination(const Model::Config &config, const Location &rule)
{
    Model::Destination d = baseDestination(config, rule);
    const Model::Resource &r = config.resources[rule.resource];
    const Model::HTTPRoute &route = r.virtualService.http.value(rule.rule);
    QStringList routed;
    for (const Model::HTTPRouteDestination &rd : route.route)
        routed.append(rd.destination.subset);
    for (const Model::Subset &s : config.subsetsFor(d.host, r.namespaceName())) {
        if (!routed.contains(s.name)) {
            d.subset = s.name;
            break;
        }
    }
    return d;
}

Model::HTTPRoute newRule(const Model::Config &config, int resource)
{
    Model::HTTPRouteDestination rd;
    rd.destination.host = firstHost(config.resources[resource].virtualService);
    Model::HTTPRoute route;
    route.route.append(rd);
    return route;
}

Model::HTTPMatchRequest newMatch()
{
    Model::HTTPMatchRequest m;
    m.uri = Model::StringMatch::prefix(QStringLiteral("/"));
    return m;
}

Model::HTTPRouteDestination newDestination(const Model::Config &config, const Location &rule)
{
    Model::HTTPRouteDestination rd;
    rd.destination = baseDestination(config, rule);
    // A second destination starts with weight 0, so adding it does not move traffic yet.
    if (!routeAt(config, rule).route.isEmpty())
        rd.weight = 0;
    return rd;
}

Model::Subset newSubset(const QString &name)
{
    Model::Subset s;
    s.name = name;
    s.labels.insert(QStringLiteral("version"), name);
    return s;
}

// Istio forbids `mirror` together with `mirrors`: a second mirror turns the single one into
// the first entry of `mirrors`, its percentage (or the deprecated integer one) included.
void mirrorToMirrors(Model::HTTPRoute &route)
{
    if (!route.mirror)
        return;
    Model::HTTPMirrorPolicy p;
    p.destination = *route.mirror;
    if (route.mirrorPercentage) {
        p.percentage = route.mirrorPercentage;
        p.percentageSource = route.mirrorPercentageSource;
    } else if (route.mirrorPercent) {
        p.percentage = double(*route.mirrorPercent);
    }
    route.mirrors.prepend(p);
    route.mirror.reset();
    route.mirrorPercentage.reset();
    route.mirrorPercentageSource = Yaml::Node();
    route.mirrorPercent.reset();
}

template <typename T> Location insertAt(QList<T> &list, int pos, T value, const Location &like)
{
    pos = qBound(0, pos, int(list.size()));
    list.insert(pos, std::move(value));
    return like.withListIndex(pos);
}

template <typename T> Location removeAt(QList<T> &list, const Location &at)
{
    list.removeAt(at.listIndex());
    if (list.isEmpty())
        return at.parent();
    return at.withListIndex(qMin(at.listIndex(), int(list.size()) - 1));
}

template <typename T> Location moveIn(QList<T> &list, const Location &at, int to)
{
    const int from = at.listIndex();
    to = qBound(0, to, int(list.size()) - 1);
    if (from == to || from < 0 || from >= list.size())
        return {};
    list.move(from, to);
    return at.withListIndex(to);
}

Model::Resource copyOf(const Model::Config &config, const Model::Resource &r)
{
    Model::Resource copy = r;
    copy.setName(uniqueResourceName(config, r.kind, r.name() + QStringLiteral("-copy")));
    copy.documentIndex = -1;
    copy.listItem = -1;
    copy.mark = {};
    return copy;
}

} // namespace

int siblingCount(const Model::Config &config, const Location &at)
{
    if (!at.existsIn(config))
        return 0;
    switch (at.kind) {
    case Kind::VirtualService:
    case Kind::DestinationRule:
    case Kind::Other:
        return int(config.resources.size());
    case Kind::Rule:
        return int(config.resources[at.resource].virtualService.http.size());
    case Kind::Match:
        return int(routeAt(config, at).match.size());
    case Kind::Destination:
        return int(routeAt(config, at).route.size());
    case Kind::Mirror:
        return at.index < 0 ? 1 : int(routeAt(config, at).mirrors.size());
    case Kind::Subset:
        return int(config.resources[at.resource].destinationRule.subsets.size());
    case Kind::None:
        break;
    }
    return 0;
}

Location addVirtualService(Model::Config &config)
{
    Model::VirtualService vs;
    vs.hosts.append(QStringLiteral("my-service"));
    Model::HTTPRouteDestination rd;
    rd.destination.host = vs.hosts.first();
    Model::HTTPRoute route;
    route.route.append(rd);
    vs.http.append(route);
    config.resources.append(Model::Resource::makeVirtualService(
        uniqueResourceName(config, QStringLiteral("VirtualService"), QStringLiteral("my-service")),
        vs));
    return Location::resourceAt(config, int(config.resources.size()) - 1);
}

Location addDestinationRule(Model::Config &config, const QString &host)
{
    Model::DestinationRule dr;
    dr.host = host.isEmpty() ? QStringLiteral("my-service") : host;
    const QString base = dr.host.section(QLatin1Char('.'), 0, 0);
    config.resources.append(Model::Resource::makeDestinationRule(
        uniqueResourceName(config, QStringLiteral("DestinationRule"), base), dr));
    return Location::resourceAt(config, int(config.resources.size()) - 1);
}

Location addChild(Model::Config &config, const Location &at, Kind kind)
{
    if (!at.existsIn(config))
        return {};
    if (at.kind == Kind::VirtualService && kind == Kind::Rule) {
        auto &http = config.resources[at.resource].virtualService.http;
        return insertAt(http, int(http.size()), newRule(config, at.resource),
                        Location::ruleAt(at.resource, 0));
    }
    if (at.kind == Kind::DestinationRule && kind == Kind::Subset) {
        auto &subsets = config.resources[at.resource].destinationRule.subsets;
        const QString name =
            suggestSubsetName(config, config.resources[at.resource].destinationRule.host,
                              config.resources[at.resource].namespaceName());
        return insertAt(subsets, int(subsets.size()), newSubset(name),
                        Location::child(Kind::Subset, at.resource, -1, 0));
    }
    if (at.kind != Kind::Rule)
        return {};
    const Location like = Location::child(kind, at.resource, at.rule, 0);
    switch (kind) {
    case Kind::Match: {
        auto &list = routeAt(config, at).match;
        return insertAt(list, int(list.size()), newMatch(), like);
    }
    case Kind::Destination: {
        const Model::HTTPRouteDestination rd = newDestination(config, at);
        auto &list = routeAt(config, at).route;
        return insertAt(list, int(list.size()), rd, like);
    }
    case Kind::Mirror: {
        const Model::Destination d = newMirrorDestination(config, at);
        Model::HTTPRoute &route = routeAt(config, at);
        if (!route.mirror && route.mirrors.isEmpty()) {
            route.mirror = d;
            return Location::child(Kind::Mirror, at.resource, at.rule, -1);
        }
        mirrorToMirrors(route);
        Model::HTTPMirrorPolicy p;
        p.destination = d;
        return insertAt(route.mirrors, int(route.mirrors.size()), p, like);
    }
    default:
        return {};
    }
}

Location addSibling(Model::Config &config, const Location &at)
{
    switch (at.kind) {
    case Kind::VirtualService:
    case Kind::DestinationRule: {
        if (!at.existsIn(config))
            return {};
        Location added = at.kind == Kind::VirtualService ? addVirtualService(config)
                                                         : addDestinationRule(config);
        // Right after the current resource, not at the end of the file.
        const Location moved = move(config, added, at.resource + 1);
        return moved.isValid() ? moved : added;
    }
    case Kind::Rule: {
        if (!at.existsIn(config))
            return {};
        auto &http = config.resources[at.resource].virtualService.http;
        return insertAt(http, at.rule + 1, newRule(config, at.resource), at);
    }
    case Kind::Match:
        if (!at.existsIn(config))
            return {};
        return insertAt(routeAt(config, at).match, at.index + 1, newMatch(), at);
    case Kind::Destination: {
        if (!at.existsIn(config))
            return {};
        const Model::HTTPRouteDestination rd = newDestination(config, at.parent());
        return insertAt(routeAt(config, at).route, at.index + 1, rd, at);
    }
    case Kind::Mirror: {
        if (!at.existsIn(config))
            return {};
        const Model::Destination d = newMirrorDestination(config, at.parent());
        Model::HTTPRoute &route = routeAt(config, at);
        const int after = at.index < 0 ? 0 : at.index;
        mirrorToMirrors(route);
        Model::HTTPMirrorPolicy p;
        p.destination = d;
        return insertAt(route.mirrors, after + 1, p,
                        Location::child(Kind::Mirror, at.resource, at.rule, 0));
    }
    case Kind::Subset: {
        if (!at.existsIn(config))
            return {};
        Model::Resource &r = config.resources[at.resource];
        const QString name = suggestSubsetName(config, r.destinationRule.host, r.namespaceName());
        return insertAt(r.destinationRule.subsets, at.index + 1, newSubset(name), at);
    }
    default:
        return {};
    }
}

Location duplicate(Model::Config &config, const Location &at)
{
    if (!at.existsIn(config))
        return {};
    switch (at.kind) {
    case Kind::VirtualService:
    case Kind::DestinationRule:
    case Kind::Other: {
        const Model::Resource copy = copyOf(config, config.resources[at.resource]);
        return insertAt(config.resources, at.resource + 1, copy, at);
    }
    case Kind::Rule: {
        auto &http = config.resources[at.resource].virtualService.http;
        Model::HTTPRoute copy = http[at.rule];
        if (!copy.name.isEmpty())
            copy.name += QStringLiteral("-copy");
        return insertAt(http, at.rule + 1, copy, at);
    }
    case Kind::Match: {
        auto &list = routeAt(config, at).match;
        return insertAt(list, at.index + 1, list[at.index], at);
    }
    case Kind::Destination: {
        auto &list = routeAt(config, at).route;
        return insertAt(list, at.index + 1, list[at.index], at);
    }
    case Kind::Mirror: {
        Model::HTTPRoute &route = routeAt(config, at);
        const int from = at.index < 0 ? 0 : at.index;
        mirrorToMirrors(route);
        return insertAt(route.mirrors, from + 1, route.mirrors[from],
                        Location::child(Kind::Mirror, at.resource, at.rule, 0));
    }
    case Kind::Subset: {
        auto &subsets = config.resources[at.resource].destinationRule.subsets;
        Model::Subset copy = subsets[at.index];
        copy.name += QStringLiteral("-copy");
        return insertAt(subsets, at.index + 1, copy, at);
    }
    case Kind::None:
        break;
    }
    return {};
}

Location remove(Model::Config &config, const Location &at)
{
    if (!at.existsIn(config))
        return {};
    switch (at.kind) {
    case Kind::VirtualService:
    case Kind::DestinationRule:
    case Kind::Other: {
        config.resources.removeAt(at.resource);
        if (config.resources.isEmpty())
            return {Kind::None, -1, -1, -1};
        return Location::resourceAt(config, qMin(at.resource, int(config.resources.size()) - 1));
    }
    case Kind::Rule:
        return removeAt(config.resources[at.resource].virtualService.http, at);
    case Kind::Match:
        return removeAt(routeAt(config, at).match, at);
    case Kind::Destination:
        return removeAt(routeAt(config, at).route, at);
    case Kind::Mirror: {
        Model::HTTPRoute &route = routeAt(config, at);
        if (at.index >= 0)
            return removeAt(route.mirrors, at);
        // The percentages belong to the single mirror: they go with it.
        route.mirror.reset();
        route.mirrorPercentage.reset();
        route.mirrorPercentageSource = Yaml::Node();
        route.mirrorPercent.reset();
        return at.parent();
    }
    case Kind::Subset:
        return removeAt(config.resources[at.resource].destinationRule.subsets, at);
    case Kind::None:
        break;
    }
    return {};
}

Location move(Model::Config &config, const Location &at, int to)
{
    if (!at.isListItem() || !at.existsIn(config))
        return {};
    switch (at.kind) {
    case Kind::VirtualService:
    case Kind::DestinationRule:
    case Kind::Other: {
        const Location moved = moveIn(config.resources, at, to);
        return moved.isValid() ? Location::resourceAt(config, moved.resource) : moved;
    }
    case Kind::Rule:
        return moveIn(config.resources[at.resource].virtualService.http, at, to);
    case Kind::Match:
        return moveIn(routeAt(config, at).match, at, to);
    case Kind::Destination:
        return moveIn(routeAt(config, at).route, at, to);
    case Kind::Mirror:
        return moveIn(routeAt(config, at).mirrors, at, to);
    case Kind::Subset:
        return moveIn(config.resources[at.resource].destinationRule.subsets, at, to);
    case Kind::None:
        break;
    }
    return {};
}

QString suggestSubsetName(const Model::Config &config, const QString &host, const QString &ns)
{
    QStringList names;
    for (const Model::Subset &s : config.subsetsFor(host, ns))
        names.append(s.name);
    for (int i = 1;; ++i) {
        const QString name = QStringLiteral("v%1").arg(i);
        if (!names.contains(name))
            return name;
    }
}

Location addSubsetForHost(Model::Config &config, const QString &host, const QString &ns,
                          const QString &name)
{
    const QList<const Model::Resource *> rules = config.destinationRulesFor(host, ns);
    int index = -1;
    for (int i = 0; i < config.resources.size() && !rules.isEmpty(); ++i) {
        if (&config.resources.at(i) == rules.first()) // at(): no detach, same addresses
            index = i;
    }
    if (index < 0) {
        const Location dr = addDestinationRule(config, host);
        index = dr.resource;
        config.resources[index].setNamespaceName(ns);
    }
    auto &subsets = config.resources[index].destinationRule.subsets;
    subsets.append(newSubset(name));
    return Location::child(Kind::Subset, index, -1, int(subsets.size()) - 1);
}

QString describe(const Model::Config &config, const Location &at)
{
    if (at.resource < 0 || at.resource >= config.resources.size())
        return QString();
    const Model::Resource &r = config.resources[at.resource];
    const QString resource = r.kind + QLatin1Char(' ') + r.name();
    const QString rule = tr("rule %1").arg(at.rule + 1);
    switch (at.kind) {
    case Kind::Rule:
        return tr("%1 of %2").arg(rule, resource);
    case Kind::Match:
        return tr("match %1 of %2").arg(at.index + 1).arg(rule);
    case Kind::Destination:
        return tr("destination %1 of %2").arg(at.index + 1).arg(rule);
    case Kind::Mirror:
        return at.index < 0 ? tr("mirror of %1").arg(rule)
                            : tr("mirror %1 of %2").arg(at.index + 1).arg(rule);
    case Kind::Subset:
        return tr("subset %1 of %2").arg(r.destinationRule.subsets.value(at.index).name, resource);
    default:
        return resource;
    }
}

} // namespace Forms::Structure
