#pragma once

#include "base/diagnostic.h"
#include "base/istioversion.h"
#include "yaml/document.h"

#include <vector>

namespace Validate {

struct Options
{
    Base::IstioVersion target = Base::IstioVersion::latest();
    // When true (default), unknown fields inside VirtualService/DestinationRule are errors, as
    // the API server's strict field validation reports them. They are kept either way.
    bool strictFields = true;
};

// Checks a set of loaded documents as one set (the files given to `validate FILE...`, or the
// editor's document): the CRD schema (MS01xx), Istio's webhook rules with Istio's messages
// (MS1xxx VirtualService, MS2xxx DestinationRule), cross-resource and analyzer checks
// (MS3xxx, mirror-aware) and the target version (MS4xxx). Other kinds are reported once as
// info ("kept as is"). Every diagnostic carries the document's file, a field path and the
// line:column of that field. Never throws.
Base::Diagnostics validate(const std::vector<Yaml::Document> &documents,
                           const Options &options = {});

} // namespace Validate
