#pragma once

#include "validate/reporter.h"
#include "yaml/document.h"

#include <string>
#include <string_view>

namespace Validate {

// Istio's webhook rules for a VirtualService (istio/istio pkg/config/validation:
// ValidateVirtualService and its helpers), with Istio's message texts, over the raw YAML tree so
// every finding has a field path and line:column. Errors carry istioCode IST0106 (what
// `istioctl analyze` reports for webhook errors); unreachable rules and shadowed matches are
// IST0130 warnings and IST0131 infos. A value of the wrong YAML type is skipped here: the CRD
// schema checker reports it. Codes: MS10xx-MS19xx, listed at the top of the .cpp.
void checkVirtualService(const Yaml::Document &doc, Reporter &r);

// Building blocks shared with the DestinationRule rules (same Istio helpers, same texts).
namespace IstioChecks {

enum class DomainProblem { None, InvalidLabel, TooLong, Empty, NumericTld, SniFormat };

struct DomainResult
{
    DomainProblem problem = DomainProblem::None;
    std::string message; // Istio's text, empty when valid
    bool ok() const { return problem == DomainProblem::None; }
};

// agent.ValidateWildcardDomain: DNS-1123 labels (max 63), at most 255 characters, a wildcard
// only as (the start of) the first label, a top-level domain that is not all-numeric.
DomainResult wildcardDomain(std::string_view domain);
// agent.ValidateFQDN: the same without wildcards.
DomainResult fqdn(std::string_view name);
bool isDns1123Label(std::string_view value);
bool isValidIpAddress(std::string_view value); // Go netip.ParseAddr
// labels.Instance.Validate for one entry: Istio's "invalid tag key: %q" / "invalid tag value: %q"
// texts; empty when valid.
std::string labelKeyError(const std::string &key);
std::string labelValueError(const std::string &value);
// Go's %q (strconv.Quote) and %v of a float64, for messages that embed values.
std::string goQuote(std::string_view s);
std::string goFloat(double v);

// Codes of the checks both kinds share, so each kind keeps its own code range.
struct SharedCodes
{
    const char *exportToDuplicatePrivate;
    const char *exportToDuplicate;
    const char *exportToPublicMixed;
    const char *exportToNone;
    const char *exportToInvalid;
    const char *exportToSelectorBeyond;   // DestinationRule with workloadSelector only
    const char *exportToSelectorMultiple; // DestinationRule with workloadSelector only
    const char *alwaysReject;
    const char *internalAnnotation;
    const char *dryRun;
};

// validateMetadata: the webhook rejects these annotations before looking at the spec. Returns
// true when the document was rejected (Istio stops there).
bool checkAnnotations(const Yaml::Document &doc, Reporter &r, const SharedCodes &codes);
// validateExportTo for spec.exportTo (`namespace` replaces "."; metadata.namespace or "default").
void checkExportTo(const Yaml::Node *exportTo, const std::string &path,
                   const std::string &namespaceName, bool destinationRuleWithSelector, Reporter &r,
                   const SharedCodes &codes);
// The namespace Istio would see for the document: metadata.namespace, else "default".
std::string effectiveNamespace(const Yaml::Document &doc);

} // namespace IstioChecks

} // namespace Validate
