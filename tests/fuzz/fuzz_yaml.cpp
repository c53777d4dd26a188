// Fuzz target: YAML import and validation, as `mirrorscope validate` and the editor run them on
// a file from anywhere: Yaml::parse -> Model::Config -> Validate::validate, then export and
// the route engine built from the same documents deciding one request.
#include "model/resource.h"
#include "routing/routeengine.h"
#include "validate/validator.h"
#include "yaml/document.h"
#include "yaml/exporter.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    const Yaml::ParseResult parsed = Yaml::parse(text, QStringLiteral("fuzz.yaml"));
    const Model::Config config = Model::Config::fromDocuments(parsed.documents);
    const Base::Diagnostics diagnostics = Validate::validate(parsed.documents);
    (void)diagnostics;
    const std::string exported = Yaml::exportDocuments(parsed.documents);
    (void)exported;

    const Routing::RouteEngine engine(config);
    Routing::RequestView request;
    request.method = "POST";
    request.authority = "reviews";
    request.path = "/api/v1/items?id=7";
    request.headers = {{"end-user", "jason"}, {"x-request-id", "fuzz"}};
    request.port = 9080;
    const Routing::RouteDecision decision = engine.decide(request, [] { return 0.5; });
    (void)decision;
    return 0;
}
