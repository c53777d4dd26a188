// Istio's webhook rules for DestinationRule (istio/istio pkg/config/validation/validation.go).
// Errors use istioCode IST0106.
//
// Code   Severity  Message
// MS2001 error     domain name %q invalid (label %q invalid)            (spec.host)
// MS2002 error     domain name %q too long (max 255)
// MS2003 error     empty domain name not allowed
// MS2004 error     domain name %q invalid (top level domain %q cannot be all-numeric)
// MS2005 error     subset may not be null
// MS2006 error     duplicate subset names: %s
// MS2007 error     subset name cannot be empty
// MS2008 error     subset name is invalid: %s
// MS2009 error     invalid tag key: %q [(DNS prefix is too long) | (name is too long)]
// MS2010 error     invalid tag value: %q
// MS2011 error     destination rule with workload selector cannot have exportTo beyond current
//                  namespace
// MS2012 error     destination rule with workload selector cannot have multiple entries in
//                  exportTo
// MS2013 error     duplicate entries in exportTo: . and current namespace %s
// MS2014 error     duplicate entries in exportTo for entry %s
// MS2015 error     cannot have both public (*) and non-public exportTo values for a resource
// MS2016 error     exportTo ~ (none) is not allowed for Istio configuration objects
// MS2017 error     only .,*,~, or a valid DNS 1123 label is allowed as exportTo entry
// MS2018 error     "%q annotation found, rejecting"
// MS2019 error     %q annotation found, this may not be set by users
// MS2020 error     %s/%s has unsupported annotation %s, please remove the annotation
// MS2021 error     traffic policy must have at least one field
// MS2022 error     empty key is not supported in selector: %q
// MS2023 error     wildcard is not supported in selector: %q
// MS2024 warning   workload selector specified without labels

#include "destinationrulerules.h"

#include "validate/virtualservicerules.h"

#include <set>
#include <string>

namespace Validate {

namespace {

using Yaml::Node;
using namespace IstioChecks;

const SharedCodes kCodes{"MS2013", "MS2014", "MS2015", "MS2016", "MS2017",
                         "MS2011", "MS2012", "MS2018", "MS2019", "MS2020"};

bool isSet(const Node *n)
{
    return n && !n->isPlainNull();
}

bool isString(const Node *n)
{
    return n && n->isScalar() && n->typeName() == "string";
}

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

// validateTrafficPolicy's first rule; the nested policy checks are not ported yet.
void trafficPolicy(const Node *policy, const std::string &path, Reporter &r)
{
    if (!isSet(policy) || !policy->isMap())
        return;
    for (const char *key : {"outlierDetection", "connectionPool", "loadBalancer", "tls",
                            "portLevelSettings", "tunnel", "proxyProtocol"}) {
        if (isSet(policy->get(key)))
            return;
    }
    r.error("MS2021", path, policy, QStringLiteral("traffic policy must have at least one field"));
}

void labels(const Node *labels, const std::string &path, Reporter &r)
{
    if (!labels || !labels->isMap())
        return;
    for (const auto &e : labels->entries()) {
        const std::string p = Yaml::childPath(path, e.key);
        if (const std::string err = labelKeyError(e.key); !err.empty())
            r.error("MS2009", p, &e.value, q(err));
        if (isString(&e.value) || e.value.isPlainNull()) {
            if (const std::string err =
                    labelValueError(e.value.isPlainNull() ? "" : e.value.text());
                !err.empty())
                r.error("MS2010", p, &e.value, q(err));
        }
    }
}

void workloadSelector(const Node *selector, const std::string &path, Reporter &r)
{
    if (!isSet(selector) || !selector->isMap())
        return;
    const Node *match = selector->get("matchLabels");
    if (match && match->isMap()) {
        for (const auto &e : match->entries()) {
            const std::string v = isString(&e.value) ? e.value.text() : std::string();
            const std::string kv = goQuote(e.key + "=" + v);
            const std::string p = Yaml::childPath(Yaml::childPath(path, "matchLabels"), e.key);
            if (e.key.empty())
                r.error("MS2022", p, &e.value, q("empty key is not supported in selector: " + kv));
            if (e.key.find('*') != std::string::npos || v.find('*') != std::string::npos)
                r.error("MS2023", p, &e.value, q("wildcard is not supported in selector: " + kv));
        }
    }
    if (!match || !match->isMap() || match->size() == 0)
        r.warning("MS2024", path, selector,
                  QStringLiteral("workload selector specified without labels"));
}

} // namespace

void checkDestinationRule(const Yaml::Document &doc, Reporter &r)
{
    try {
        if (checkAnnotations(doc, r, kCodes))
            return;
        const Node *spec = doc.root.get("spec");
        if (!spec || !spec->isMap())
            return;
        const std::string ns = effectiveNamespace(doc);

        const Node *host = spec->get("host");
        if (!isSet(host) || isString(host)) {
            static const char *codes[] = {"", "MS2001", "MS2002", "MS2003", "MS2004", "MS2001"};
            const DomainResult d = wildcardDomain(isSet(host) ? host->text() : std::string());
            if (!d.ok())
                r.error(codes[int(d.problem)], "spec.host", host ? host : spec, q(d.message));
        }
        trafficPolicy(spec->get("trafficPolicy"), "spec.trafficPolicy", r);

        if (const Node *subsets = spec->get("subsets"); subsets && subsets->isSequence()) {
            std::set<std::string> names;
            for (std::size_t i = 0; i < subsets->items().size(); ++i) {
                const Node &s = subsets->items()[i];
                const std::string p = Yaml::indexPath("spec.subsets", i);
                if (s.isPlainNull()) {
                    r.error("MS2005", p, &s, QStringLiteral("subset may not be null"));
                    continue;
                }
                if (!s.isMap())
                    continue;
                const Node *nameNode = s.get("name");
                if (isSet(nameNode) && !isString(nameNode))
                    continue;
                const std::string name = isSet(nameNode) ? nameNode->text() : std::string();
                const std::string np = Yaml::childPath(p, "name");
                const Node *at = nameNode ? nameNode : &s;
                if (!names.insert(name).second)
                    r.error("MS2006", np, at, q("duplicate subset names: " + name));
                if (name.empty())
                    r.error("MS2007", np, at, QStringLiteral("subset name cannot be empty"));
                else if (!isDns1123Label(name))
                    r.error("MS2008", np, at, q("subset name is invalid: " + name));
                labels(s.get("labels"), Yaml::childPath(p, "labels"), r);
                trafficPolicy(s.get("trafficPolicy"), Yaml::childPath(p, "trafficPolicy"), r);
            }
        }

        const Node *selector = spec->get("workloadSelector");
        checkExportTo(spec->get("exportTo"), "spec.exportTo", ns, isSet(selector), r, kCodes);
        workloadSelector(selector, "spec.workloadSelector", r);
    } catch (...) {
        // Errors are values: a bug here must not take the caller down.
    }
}

} // namespace Validate
