#pragma once

#include "validate/reporter.h"
#include "yaml/document.h"

namespace Validate {

// Checks a VirtualService or DestinationRule (networking.istio.io v1, v1beta1, v1alpha3)
// against the OpenAPI v3 schema of Istio's CRD, embedded in the library, the way the
// Kubernetes API server does on `kubectl apply`: structural types, required fields, unknown
// fields (strict field validation), enums, ranges, the oneOfs Istio uses for "at most one
// of", the CEL rules whose text is known (Duration >= 1ms, label wildcards) and the object
// metadata (name present, DNS-1123 name and namespace). Messages are the API server's
// field errors; every diagnostic has the line:column of the offending node.
//
// Codes: MS0100 schema unavailable (a build problem), MS0101 type, MS0102 required, MS0103
// unknown field (Error when strictFields, else Warning), MS0104 enum, MS0105 range, length,
// pattern, item count, MS0106 oneOf/anyOf/allOf/not, MS0107 CEL rule (Duration, wildcards),
// MS0108 apiVersion/kind/metadata.
//
// A document without apiVersion or kind gets MS0108 for what is missing (whatever its kind);
// other kinds, and networking.istio.io versions Istio does not serve, are left alone.
void checkSchema(const Yaml::Document &doc, Reporter &reporter, bool strictFields);

// True when the embedded schemas loaded and compiled (false only for a broken build).
bool schemaAvailable();

} // namespace Validate
