#pragma once

#include "base/diagnostic.h"
#include "validate/reporter.h"
#include "yaml/document.h"

#include <string>
#include <string_view>
#include <vector>

namespace Validate {

// Cross-resource and mirror-aware checks (MS3xxx) over a whole set of loaded documents, in the
// spirit of `istioctl analyze`, but offline: only what is loaded is known, so a reference to a
// resource that is not loaded is an info, not an error.
//
// MS3101 IST0101 route/mirror subset not defined in a loaded DestinationRule for the host
// MS3102       info: no DestinationRule for that host is loaded at all
// MS3103       mirror equals the rule's only route destination
// MS3104       mirror target is also a weighted route destination of the same rule
// MS3105       mirror on a redirect / directResponse rule (never applied)
// MS3106       mirrorPercentage with mirrors (it applies only to mirror)
// MS3109 IST0109 several mesh-bound VirtualServices define the same host
// MS3110 IST0002 deprecated fields (fault.delay.percent, fault.abort.percent, allowOrigin)

// networking.istio.io/{v1,v1beta1,v1alpha3} with this kind.
bool isIstioResource(const Yaml::Document &doc, std::string_view kind);
// metadata.namespace, "default" when absent (as istioctl analyze assumes for local files).
std::string namespaceOf(const Yaml::Document &doc);
// The form used to compare hosts: short names are completed in the namespace, so `reviews` in
// ns foo, `reviews.foo` and `reviews.foo.svc.cluster.local` compare equal. Lowercase.
std::string canonicalHost(const std::string &host, const std::string &ns);
// Istio's analyzer form (util.ConvertHostToFQDN): only dot-less, non-wildcard names are
// completed. Used where Istio's messages print the host.
std::string istioFqdn(const std::string &host, const std::string &ns);
// Istio's host.Name.Matches: equal, or `pattern` is a wildcard covering `host`.
bool hostMatches(const std::string &pattern, const std::string &host);

void checkSubsetReferences(const std::vector<Yaml::Document> &documents, Base::Diagnostics &out);
void checkMirrorTargets(const Yaml::Document &doc, Reporter &reporter);
void checkConflictingMeshHosts(const std::vector<Yaml::Document> &documents,
                               Base::Diagnostics &out);
void checkDeprecations(const Yaml::Document &doc, Reporter &reporter);

// All of the above.
void runAnalyzers(const std::vector<Yaml::Document> &documents, Base::Diagnostics &out);

} // namespace Validate
