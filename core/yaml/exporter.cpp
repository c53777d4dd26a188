#include "yaml/document.h"
#include "yaml/exporter.h"

#include "model/codec.h"

namespace Yaml {

namespace {

// What the API server adds to an object; none of it can be applied back.
const char *const kServerMetadata[] = {"managedFields", "resourceVersion",   "uid",
                                       "generation",    "creationTimestamp", "selfLink"};

void clean(Node &root)
{
    if (!root.isMap())
        return;
    root.remove("status");
    Node *meta = root.get("metadata");
    if (!meta || !meta->isMap())
        return;
    for (const char *key : kServerMetadata)
        meta->remove(key);
    Node *annotations = meta->get("annotations");
    if (annotations && annotations->isMap()) {
        annotations->remove("kubectl.kubernetes.io/last-applied-configuration");
        if (annotations->size() == 0)
            meta->remove("annotations");
    }
}

Node exportOne(const Node &root, const QString &apiVersion, const ExportOptions &options)
{
    Model::Resource r = Model::fromNode(root);
    Node out = root;
    if (r.type != Model::Resource::Type::Other) {
        if (!apiVersion.isEmpty())
            r.apiVersion = apiVersion;
        out = Model::toNode(r);
    }
    if (options.clean)
        clean(out);
    return out;
}

} // namespace

QString normalizeIstioApiVersion(const QString &apiVersion)
{
    const QString v = apiVersion.trimmed();
    const QString full =
        v.contains(QLatin1Char('/')) ? v : QStringLiteral("networking.istio.io/") + v;
    return Model::isIstioNetworking(full) ? full : QString();
}

std::string exportNodes(const std::vector<Node> &roots, const ExportOptions &options)
{
    // An apiVersion Istio does not serve leaves each resource's own version unchanged; callers
    // check the option with normalizeIstioApiVersion() and report it.
    const QString apiVersion = normalizeIstioApiVersion(options.apiVersion);
    std::vector<Node> out;
    out.reserve(roots.size());
    for (const Node &root : roots)
        out.push_back(exportOne(root, apiVersion, options));
    return dumpDocuments(out);
}

std::string exportDocuments(const std::vector<Document> &documents, const ExportOptions &options)
{
    std::vector<Node> roots;
    roots.reserve(documents.size());
    for (const Document &d : documents)
        roots.push_back(d.root);
    return exportNodes(roots, options);
}

} // namespace Yaml
