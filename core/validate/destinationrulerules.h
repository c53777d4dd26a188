#pragma once

#include "validate/reporter.h"
#include "yaml/document.h"

namespace Validate {

// Istio's webhook rules for a DestinationRule (istio/istio pkg/config/validation:
// ValidateDestinationRule, validateSubset, validateExportTo, validateWorkloadSelector), with
// Istio's messages, over the raw YAML tree. Errors carry istioCode IST0106. Values of the wrong
// YAML type are left to the CRD schema checker. Codes MS20xx, listed at the top of the .cpp.
void checkDestinationRule(const Yaml::Document &doc, Reporter &r);

} // namespace Validate
