#include "analyzers.h"

#include <QStringList>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <optional>
#include <set>

namespace Validate {

namespace {

const std::string kClusterSuffix = "svc.cluster.local";

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

std::string scalarText(const Yaml::Node *n)
{
    return n && n->isScalar() ? n->text() : std::string();
}

const Yaml::Node *mapAt(const Yaml::Node *parent, std::string_view key)
{
    const Yaml::Node *n = parent ? parent->get(key) : nullptr;
    return n && n->isMap() ? n : nullptr;
}

const Yaml::Node *seqAt(const Yaml::Node *parent, std::string_view key)
{
    const Yaml::Node *n = parent ? parent->get(key) : nullptr;
    return n && n->isSequence() ? n : nullptr;
}

const Yaml::Node *specOf(const Yaml::Document &doc)
{
    return doc.root.isMap() ? mapAt(&doc.root, "spec") : nullptr;
}

enum class DestinationRole { Route, Mirror };

struct DestinationRef
{
    DestinationRole role;
    const Yaml::Node *destination; // the Destination map
    std::string path;              // path of the Destination map
};

// Every Destination a VirtualService sends traffic (or copies of it) to.
std::vector<DestinationRef> destinationsOf(const Yaml::Node *spec)
{
    std::vector<DestinationRef> refs;
    if (!spec)
        return refs;
    for (const char *section : {"http", "tcp", "tls"}) {
        const Yaml::Node *rules = seqAt(spec, section);
        if (!rules)
            continue;
        const std::string sectionPath = Yaml::childPath("spec", section);
        for (std::size_t i = 0; i < rules->items().size(); ++i) {
            const Yaml::Node &rule = rules->items()[i];
            if (!rule.isMap())
                continue;
            const std::string rulePath = Yaml::indexPath(sectionPath, i);
            if (const Yaml::Node *route = seqAt(&rule, "route")) {
                const std::string routePath = Yaml::childPath(rulePath, "route");
                for (std::size_t j = 0; j < route->items().size(); ++j) {
                    if (const Yaml::Node *d = mapAt(&route->items()[j], "destination"))
                        refs.push_back(
                            {DestinationRole::Route, d,
                             Yaml::childPath(Yaml::indexPath(routePath, j), "destination")});
                }
            }
            if (const Yaml::Node *mirror = mapAt(&rule, "mirror"))
                refs.push_back(
                    {DestinationRole::Mirror, mirror, Yaml::childPath(rulePath, "mirror")});
            if (const Yaml::Node *mirrors = seqAt(&rule, "mirrors")) {
                const std::string mirrorsPath = Yaml::childPath(rulePath, "mirrors");
                for (std::size_t j = 0; j < mirrors->items().size(); ++j) {
                    if (const Yaml::Node *d = mapAt(&mirrors->items()[j], "destination"))
                        refs.push_back(
                            {DestinationRole::Mirror, d,
                             Yaml::childPath(Yaml::indexPath(mirrorsPath, j), "destination")});
                }
            }
        }
    }
    return refs;
}

std::optional<std::int64_t> portOf(const Yaml::Node *destination)
{
    const Yaml::Node *port = mapAt(destination, "port");
    const Yaml::Node *number = port ? port->get("number") : nullptr;
    if (!number || !number->isScalar())
        return std::nullopt;
    return number->toInt();
}

// Same host (namespace-resolved), subset and port. A port given on one side only is not
// treated as the same: the mirror would then use the listener port, which may differ.
bool sameDestination(const Yaml::Node *a, const Yaml::Node *b, const std::string &ns)
{
    return canonicalHost(scalarText(a->get("host")), ns) ==
               canonicalHost(scalarText(b->get("host")), ns) &&
           scalarText(a->get("subset")) == scalarText(b->get("subset")) && portOf(a) == portOf(b);
}

QString describe(const Yaml::Node *destination)
{
    QString text = q(scalarText(destination->get("host")));
    const std::string subset = scalarText(destination->get("subset"));
    if (!subset.empty())
        text += QLatin1Char(' ') + q(subset);
    return text;
}

bool exportedToAll(const Yaml::Node *spec)
{
    const Yaml::Node *exportTo = seqAt(spec, "exportTo");
    if (!exportTo || exportTo->items().empty())
        return true;
    return std::any_of(exportTo->items().begin(), exportTo->items().end(),
                       [](const Yaml::Node &n) { return scalarText(&n) == "*"; });
}

bool boundToMesh(const Yaml::Node *spec)
{
    const Yaml::Node *gateways = seqAt(spec, "gateways");
    if (!gateways || gateways->items().empty())
        return true;
    return std::any_of(gateways->items().begin(), gateways->items().end(),
                       [](const Yaml::Node &n) { return scalarText(&n) == "mesh"; });
}

} // namespace

bool isIstioResource(const Yaml::Document &doc, std::string_view kind)
{
    if (!doc.root.isMap() || doc.kind() != kind)
        return false;
    const std::string api = doc.apiVersion();
    return api == "networking.istio.io/v1" || api == "networking.istio.io/v1beta1" ||
           api == "networking.istio.io/v1alpha3";
}

std::string namespaceOf(const Yaml::Document &doc)
{
    const std::string ns = doc.namespaceName();
    return ns.empty() ? std::string("default") : ns;
}

std::string canonicalHost(const std::string &host, const std::string &ns)
{
    const std::string h = lower(host);
    if (h.empty() || h[0] == '*')
        return h;
    const auto dots = std::count(h.begin(), h.end(), '.');
    if (dots == 0)
        return h + "." + lower(ns) + "." + kClusterSuffix;
    if (dots == 1)
        return h + "." + kClusterSuffix;
    if (dots == 2 && h.size() > 4 && h.compare(h.size() - 4, 4, ".svc") == 0)
        return h + ".cluster.local";
    return h;
}

std::string istioFqdn(const std::string &host, const std::string &ns)
{
    if (host.empty() || host[0] == '*' || host.find('.') != std::string::npos)
        return host;
    return host + "." + ns + "." + kClusterSuffix;
}

bool hostMatches(const std::string &pattern, const std::string &host)
{
    if (pattern == host)
        return true;
    if (pattern == "*")
        return true;
    if (pattern.size() > 1 && pattern[0] == '*') {
        const std::string suffix = pattern.substr(1); // ".foo.com"
        return host.size() > suffix.size() &&
               host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0;
    }
    return false;
}

void checkSubsetReferences(const std::vector<Yaml::Document> &documents, Base::Diagnostics &out)
{
    struct Rule
    {
        std::string host; // canonical
        std::set<std::string> subsets;
    };
    std::vector<Rule> rules;
    for (const Yaml::Document &doc : documents) {
        if (!isIstioResource(doc, "DestinationRule"))
            continue;
        const Yaml::Node *spec = specOf(doc);
        const std::string host = scalarText(spec ? spec->get("host") : nullptr);
        if (host.empty())
            continue;
        Rule rule{canonicalHost(host, namespaceOf(doc)), {}};
        if (const Yaml::Node *subsets = seqAt(spec, "subsets")) {
            for (const Yaml::Node &s : subsets->items())
                if (s.isMap())
                    rule.subsets.insert(scalarText(s.get("name")));
        }
        rules.push_back(std::move(rule));
    }

    for (const Yaml::Document &doc : documents) {
        if (!isIstioResource(doc, "VirtualService"))
            continue;
        Reporter reporter(doc, out);
        const std::string ns = namespaceOf(doc);
        for (const DestinationRef &ref : destinationsOf(specOf(doc))) {
            const Yaml::Node *subsetNode = ref.destination->get("subset");
            const std::string subset = scalarText(subsetNode);
            const std::string host = scalarText(ref.destination->get("host"));
            if (subset.empty() || host.empty())
                continue;
            const std::string wanted = canonicalHost(host, ns);
            bool ruleFound = false;
            bool subsetFound = false;
            for (const Rule &rule : rules) {
                if (!hostMatches(rule.host, wanted))
                    continue;
                ruleFound = true;
                subsetFound = subsetFound || rule.subsets.count(subset) > 0;
            }
            const std::string path = Yaml::childPath(ref.path, "subset");
            if (!ruleFound) {
                // A set of files is rarely the whole mesh: the rule may be applied separately.
                reporter.info("MS3102", path, subsetNode,
                              QStringLiteral("subset %1 of host %2: no DestinationRule for %2 "
                                             "is loaded (it may live in another file)")
                                  .arg(q(subset), q(host)));
            } else if (!subsetFound) {
                const QString refType = ref.role == DestinationRole::Route
                                            ? QStringLiteral("host+subset in destinationrule")
                                            : QStringLiteral("mirror+subset in destinationrule");
                reporter.error("MS3101", path, subsetNode,
                               QStringLiteral("Referenced %1 not found: \"%2+%3\"")
                                   .arg(refType, q(host), q(subset)),
                               "IST0101");
            }
        }
    }
}

void checkMirrorTargets(const Yaml::Document &doc, Reporter &reporter)
{
    if (!isIstioResource(doc, "VirtualService"))
        return;
    const Yaml::Node *rules = seqAt(specOf(doc), "http");
    if (!rules)
        return;
    const std::string ns = namespaceOf(doc);
    for (std::size_t i = 0; i < rules->items().size(); ++i) {
        const Yaml::Node &rule = rules->items()[i];
        if (!rule.isMap())
            continue;
        const std::string rulePath = Yaml::indexPath("spec.http", i);

        struct Target
        {
            const Yaml::Node *destination;
            std::string path;
        };
        std::vector<Target> mirrors;
        if (const Yaml::Node *mirror = mapAt(&rule, "mirror"))
            mirrors.push_back({mirror, Yaml::childPath(rulePath, "mirror")});
        const Yaml::Node *mirrorList = seqAt(&rule, "mirrors");
        if (mirrorList) {
            for (std::size_t j = 0; j < mirrorList->items().size(); ++j) {
                if (const Yaml::Node *d = mapAt(&mirrorList->items()[j], "destination"))
                    mirrors.push_back(
                        {d,
                         Yaml::childPath(Yaml::indexPath(Yaml::childPath(rulePath, "mirrors"), j),
                                         "destination")});
            }
        }

        if (const Yaml::Node *percentage = rule.get("mirrorPercentage");
            percentage && mirrorList && !rule.has("mirror")) {
            reporter.warning("MS3106", Yaml::childPath(rulePath, "mirrorPercentage"), percentage,
                             QStringLiteral("mirrorPercentage applies only to mirror, not to "
                                            "mirrors; set percentage on each mirrors entry"),
                             "");
        }

        const bool hasMirror = rule.has("mirror") || rule.has("mirrors");
        if (!hasMirror)
            continue;
        for (const char *terminal : {"redirect", "directResponse"}) {
            if (!rule.has(terminal))
                continue;
            const char *field = rule.has("mirror") ? "mirror" : "mirrors";
            const char *verb = rule.has("mirror") ? "is" : "are";
            reporter.warning(
                "MS3105", Yaml::childPath(rulePath, field), rule.get(field),
                QStringLiteral("%1 %2 never applied on a rule with %3 (Istio mirrors "
                               "only rules that forward with route)")
                    .arg(QLatin1String(field), QLatin1String(verb), QLatin1String(terminal)),
                "");
        }

        struct Served
        {
            const Yaml::Node *destination;
            std::int64_t weight;
        };
        std::vector<Served> served;
        std::size_t routeCount = 0;
        if (const Yaml::Node *route = seqAt(&rule, "route")) {
            for (const Yaml::Node &entry : route->items()) {
                const Yaml::Node *d = mapAt(&entry, "destination");
                if (!d)
                    continue;
                ++routeCount;
                const Yaml::Node *w = entry.get("weight");
                served.push_back({d, w && w->isScalar() ? w->toInt().value_or(0) : 0});
            }
        }
        if (served.empty())
            continue;
        // With one destination the weight is ignored; with several, weight 0 gets nothing.
        std::vector<Served> receiving;
        if (routeCount == 1) {
            receiving = served;
        } else {
            for (const Served &s : served)
                if (s.weight > 0)
                    receiving.push_back(s);
        }
        std::int64_t total = 0;
        for (const Served &s : receiving)
            total += s.weight;

        for (const Target &mirror : mirrors) {
            if (receiving.size() == 1) {
                if (sameDestination(mirror.destination, receiving.front().destination, ns)) {
                    reporter.warning(
                        "MS3103", mirror.path, mirror.destination,
                        QStringLiteral("mirror sends a copy to the same destination that serves "
                                       "the request (%1): the destination would receive every "
                                       "request twice")
                            .arg(describe(mirror.destination)),
                        "");
                }
                continue;
            }
            for (const Served &s : receiving) {
                if (!sameDestination(mirror.destination, s.destination, ns))
                    continue;
                const double share = total > 0 ? 100.0 * double(s.weight) / double(total) : 0.0;
                reporter.warning(
                    "MS3104", mirror.path, mirror.destination,
                    QStringLiteral("%1 is both a weighted route destination (weight %2 of %3, "
                                   "%4% of requests) and a mirror target of the same rule: the "
                                   "requests routed to it are mirrored to it as well, so it "
                                   "receives those requests twice")
                        .arg(describe(mirror.destination))
                        .arg(s.weight)
                        .arg(total)
                        .arg(share, 0, 'g', 4),
                    "");
            }
        }
    }
}

void checkConflictingMeshHosts(const std::vector<Yaml::Document> &documents, Base::Diagnostics &out)
{
    struct Use
    {
        std::size_t doc;
        std::size_t hostIndex;
    };
    // Scoped FQDN "<scope>/<fqdn>" as Istio keys it; scope "*" = exported to all namespaces.
    std::vector<std::string> order;
    std::map<std::string, std::vector<Use>> groups;
    auto scopeOf = [](const std::string &key) { return key.substr(0, key.find('/')); };
    auto hostOf = [](const std::string &key) { return key.substr(key.find('/') + 1); };

    for (std::size_t d = 0; d < documents.size(); ++d) {
        const Yaml::Document &doc = documents[d];
        if (!isIstioResource(doc, "VirtualService"))
            continue;
        const Yaml::Node *spec = specOf(doc);
        const Yaml::Node *hosts = seqAt(spec, "hosts");
        if (!hosts || !boundToMesh(spec))
            continue;
        const std::string ns = namespaceOf(doc);
        std::set<std::string> scopes;
        if (exportedToAll(spec)) {
            scopes.insert("*");
        } else {
            for (const Yaml::Node &e : seqAt(spec, "exportTo")->items()) {
                const std::string target = scalarText(&e);
                scopes.insert(target == "." ? ns : target);
            }
        }
        for (const std::string &scope : scopes) {
            for (std::size_t h = 0; h < hosts->items().size(); ++h) {
                const std::string host = scalarText(&hosts->items()[h]);
                if (host.empty())
                    continue;
                const std::string key = scope + "/" + istioFqdn(host, ns);
                if (!groups.count(key))
                    order.push_back(key);
                groups[key].push_back({d, h});
            }
        }
    }

    std::set<std::pair<std::size_t, std::size_t>> reported;
    for (const std::string &key : order) {
        std::vector<Use> uses = groups[key];
        // A VirtualService exported to all namespaces is also visible in a namespace scope.
        if (scopeOf(key) != "*") {
            for (const std::string &other : order) {
                if (scopeOf(other) == "*" && hostMatches(hostOf(other), hostOf(key)))
                    uses.insert(uses.end(), groups[other].begin(), groups[other].end());
            }
        }
        std::vector<std::size_t> vsDocs;
        for (const Use &u : uses)
            if (std::find(vsDocs.begin(), vsDocs.end(), u.doc) == vsDocs.end())
                vsDocs.push_back(u.doc);
        if (vsDocs.size() < 2)
            continue;
        QStringList names;
        for (std::size_t d : vsDocs)
            names << q(namespaceOf(documents[d]) + "/" + documents[d].name());
        const QString message =
            QStringLiteral("The VirtualServices %1 associated with mesh gateway define the same "
                           "host %2 which can lead to undefined behavior. This can be fixed by "
                           "merging the conflicting VirtualServices into a single resource.")
                .arg(names.join(QLatin1Char(',')), q(key));
        for (const Use &u : uses) {
            if (!reported.insert({u.doc, u.hostIndex}).second)
                continue;
            const Yaml::Document &doc = documents[u.doc];
            Reporter reporter(doc, out);
            const Yaml::Node *hosts = seqAt(specOf(doc), "hosts");
            reporter.error("MS3109", Yaml::indexPath("spec.hosts", u.hostIndex),
                           &hosts->items()[u.hostIndex], message, "IST0109");
        }
    }
}

void checkDeprecations(const Yaml::Document &doc, Reporter &reporter)
{
    if (!isIstioResource(doc, "VirtualService"))
        return;
    const Yaml::Node *rules = seqAt(specOf(doc), "http");
    if (!rules)
        return;
    auto deprecated = [&](const std::string &path, const Yaml::Node *at, const char *field,
                          const char *replacement) {
        reporter.warning("MS3110", path, at,
                         QStringLiteral("Deprecated: HTTPRoute.%1 is deprecated; use HTTPRoute.%2")
                             .arg(QLatin1String(field), QLatin1String(replacement)),
                         "IST0002");
    };
    for (std::size_t i = 0; i < rules->items().size(); ++i) {
        const Yaml::Node &rule = rules->items()[i];
        const std::string rulePath = Yaml::indexPath("spec.http", i);
        if (const Yaml::Node *fault = mapAt(&rule, "fault")) {
            for (const char *kind : {"delay", "abort"}) {
                const Yaml::Node *percent =
                    mapAt(fault, kind) ? fault->get(kind)->get("percent") : nullptr;
                // Like Istio: only a percent that does something (> 0) is worth a warning.
                if (!percent || !percent->isScalar() || percent->toInt().value_or(0) <= 0)
                    continue;
                const std::string field = std::string("fault.") + kind + ".percent";
                deprecated(
                    Yaml::childPath(Yaml::childPath(Yaml::childPath(rulePath, "fault"), kind),
                                    "percent"),
                    percent, field.c_str(), (field + "age").c_str());
            }
        }
        if (const Yaml::Node *origin = seqAt(mapAt(&rule, "corsPolicy"), "allowOrigin");
            origin && !origin->items().empty()) {
            deprecated(Yaml::childPath(Yaml::childPath(rulePath, "corsPolicy"), "allowOrigin"),
                       origin, "corsPolicy.allowOrigin", "corsPolicy.allowOrigins");
        }
    }
}

void runAnalyzers(const std::vector<Yaml::Document> &documents, Base::Diagnostics &out)
{
    checkSubsetReferences(documents, out);
    checkConflictingMeshHosts(documents, out);
    for (const Yaml::Document &doc : documents) {
        Reporter reporter(doc, out);
        checkMirrorTargets(doc, reporter);
        checkDeprecations(doc, reporter);
    }
}

} // namespace Validate
