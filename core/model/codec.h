#pragma once

#include "model/resource.h"

#include <string>

// Conversion between Yaml::Node trees and the typed model.
//
// Decoding is lenient and never throws: a value of the wrong type (a string weight) leaves the
// typed field unset and is kept in the owning struct's `extra`, so encoding writes it back.
// Reporting such problems is the validator's job (it works on the raw nodes).
//
// Encoding writes keys in the proto's field order (apiVersion, kind, metadata, spec, then other
// top-level keys), each struct's `extra` after its known fields, ints as ints, durations as
// their text, percentages as the source spelled them while unchanged, else as a minimal
// decimal (50, 12.5).
namespace Model {

Resource fromNode(const Yaml::Document &document);
Resource fromNode(const Yaml::Node &root);
Yaml::Node toNode(const Resource &resource);

// Message-level codecs, for editors that work on one part (e.g. a route's YAML pane).
HTTPRoute decodeHTTPRoute(const Yaml::Node &node);
Yaml::Node encodeHTTPRoute(const HTTPRoute &route);
VirtualService decodeVirtualService(const Yaml::Node &spec);
Yaml::Node encodeVirtualService(const VirtualService &vs);
DestinationRule decodeDestinationRule(const Yaml::Node &spec);
Yaml::Node encodeDestinationRule(const DestinationRule &dr);
Destination decodeDestination(const Yaml::Node &node);
Yaml::Node encodeDestination(const Destination &destination);
StringMatch decodeStringMatch(const Yaml::Node &node);
Yaml::Node encodeStringMatch(const StringMatch &match);

// Shortest decimal that reads back as `value`, never in exponent form: 50, 12.5, 0.0001.
std::string formatNumber(double value);

// True for networking.istio.io VirtualService/DestinationRule (any served version).
bool isIstioNetworking(const QString &apiVersion);

} // namespace Model
