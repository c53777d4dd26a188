#pragma once

#include "base/istioversion.h"
#include "validate/reporter.h"
#include "yaml/document.h"

namespace Validate {

// Target-Istio-version checks (MS4xxx) for one VirtualService or DestinationRule document.
//
// A field newer than the target is an Error when that version's CRD does not know it and
// strictFields is on (the API server rejects unknown fields under strict field validation),
// a Warning when the field would be pruned silently or is accepted but not implemented
// (`mirrors` on 1.19). apiVersion networking.istio.io/v1 before 1.22 is always an Error: the
// older CRDs do not serve that version at all.
//
// MS4001 mirrors (1.20)            MS4007 match.statPrefix (1.15)
// MS4002 apiVersion v1 (1.22)      MS4008 rewrite.uriRegexRewrite (1.19)
// MS4003 mirrorPercentage (1.5)    MS4009 corsPolicy.unmatchedPreflights (1.23)
// MS4004 match.withoutHeaders (1.5) MS4010 retries.backoff (1.26)
// MS4005 delegate (1.6)            MS4011 retries.retryIgnorePreviousHosts (1.26)
// MS4006 directResponse (1.15)     MS4012 redirect.prefixRewrite (1.31)
// MS4100 info: the Host header mirrored requests carry on the target (-shadow up to 1.27)
void checkVersion(const Yaml::Document &doc, Reporter &reporter, const Base::IstioVersion &target,
                  bool strictFields);

// The Host a mirrored request carries: `authority` with `-shadow` appended before the port
// when the target appends the suffix (up to 1.27), else unchanged.
std::string mirroredHost(const std::string &authority, const Base::IstioVersion &target);

} // namespace Validate
