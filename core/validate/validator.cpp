#include "validator.h"

#include "validate/analyzers.h"
#include "validate/destinationrulerules.h"
#include "validate/reporter.h"
#include "validate/schema.h"
#include "validate/versionchecks.h"
#include "validate/virtualservicerules.h"

#include <algorithm>
#include <exception>
#include <functional>

namespace Validate {

namespace {

const std::string kNetworkingGroup = "networking.istio.io/";

// Runs one module; a bug in a module (or an exception from a library below it) becomes an
// error diagnostic instead of escaping: errors are values in core.
void guarded(Reporter &reporter, const char *what, const std::function<void()> &check)
{
    try {
        check();
    } catch (const std::exception &e) {
        reporter.error("MS3000", std::string(), nullptr,
                       QStringLiteral("internal error in %1: %2")
                           .arg(QLatin1String(what), QString::fromLocal8Bit(e.what())),
                       "");
    } catch (...) {
        reporter.error("MS3000", std::string(), nullptr,
                       QStringLiteral("internal error in %1").arg(QLatin1String(what)), "");
    }
}

void checkDocument(const Yaml::Document &doc, Reporter &reporter, const Options &options)
{
    if (!doc.root.isMap()) {
        reporter.error("MS0009", std::string(), &doc.root,
                       QStringLiteral("document is %1, not a map: a Kubernetes resource is a "
                                      "map with apiVersion, kind, metadata and spec")
                           .arg(QString::fromStdString(doc.root.isSequence() ? "an array"
                                                       : doc.root.isNull()   ? "null"
                                                                             : "a scalar")),
                       "");
        return;
    }
    const std::string apiVersion = doc.apiVersion();
    const std::string kind = doc.kind();
    if (apiVersion.empty() || kind.empty()) {
        // The schema module says which of the two is missing, with its own messages.
        guarded(reporter, "schema", [&] { checkSchema(doc, reporter, options.strictFields); });
        return;
    }
    const bool networking = apiVersion.compare(0, kNetworkingGroup.size(), kNetworkingGroup) == 0;
    if (networking && !isIstioResource(doc, kind)) {
        reporter.error("MS3010", "apiVersion", doc.root.get("apiVersion"),
                       QStringLiteral("apiVersion %1 is not served by Istio (use "
                                      "networking.istio.io/v1, v1beta1 or v1alpha3)")
                           .arg(QString::fromStdString(apiVersion)),
                       "");
        return;
    }
    if (networking && (kind == "VirtualService" || kind == "DestinationRule")) {
        guarded(reporter, "schema", [&] { checkSchema(doc, reporter, options.strictFields); });
        if (kind == "VirtualService")
            guarded(reporter, "VirtualService rules", [&] { checkVirtualService(doc, reporter); });
        else
            guarded(reporter, "DestinationRule rules",
                    [&] { checkDestinationRule(doc, reporter); });
        return;
    }
    reporter.info(
        "MS3001", "kind", doc.root.get("kind"),
        QStringLiteral("kind %1 kept as is (not checked)").arg(QString::fromStdString(kind)));
}

} // namespace

Base::Diagnostics validate(const std::vector<Yaml::Document> &documents, const Options &options)
{
    Base::Diagnostics out;
    for (const Yaml::Document &doc : documents) {
        Reporter reporter(doc, out);
        checkDocument(doc, reporter, options);
    }

    const Yaml::Document placeholder;
    Reporter setReporter(documents.empty() ? placeholder : documents.front(), out);
    guarded(setReporter, "analyzers", [&] { runAnalyzers(documents, out); });

    for (const Yaml::Document &doc : documents) {
        Reporter reporter(doc, out);
        guarded(reporter, "version checks",
                [&] { checkVersion(doc, reporter, options.target, options.strictFields); });
    }

    std::stable_sort(out.begin(), out.end(),
                     [](const Base::Diagnostic &a, const Base::Diagnostic &b) {
                         if (a.file != b.file)
                             return a.file < b.file;
                         if (a.line != b.line)
                             return a.line < b.line;
                         return a.column < b.column;
                     });
    return out;
}

} // namespace Validate
