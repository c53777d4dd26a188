#pragma once

#include <QString>

#include <string>
#include <vector>

namespace Yaml {

struct Document;
class Node;

struct ExportOptions
{
    // apiVersion for VirtualService/DestinationRule: full ("networking.istio.io/v1beta1") or
    // short ("v1", "v1beta1", "v1alpha3").
    QString apiVersion = QStringLiteral("networking.istio.io/v1");
    // Drop what the API server adds (status, managedFields, resourceVersion, uid, generation,
    // creationTimestamp, selfLink, the last-applied-configuration annotation).
    bool clean = false;
};

// Normalizes a short apiVersion ("v1") to "networking.istio.io/v1"; returns "" when it is not a
// version Istio serves for networking kinds.
QString normalizeIstioApiVersion(const QString &apiVersion);

// kubectl-ready multi-document YAML. VirtualServices and DestinationRules get the chosen
// apiVersion and canonical key order (through Model); other kinds are written unchanged.
// Deterministic: exporting the same input twice gives the same bytes.
std::string exportDocuments(const std::vector<Document> &documents,
                            const ExportOptions &options = ExportOptions());
// Same for bare roots.
std::string exportNodes(const std::vector<Node> &roots,
                        const ExportOptions &options = ExportOptions());

} // namespace Yaml
