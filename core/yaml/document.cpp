#include "yaml/document.h"

namespace Yaml {

namespace {

// The text of a string scalar at path, "" when absent or of another type (a number, a map).
std::string stringAt(const Node &root, std::string_view key, std::string_view sub = {})
{
    const Node *n = root.get(key);
    if (n && !sub.empty())
        n = n->get(sub);
    if (!n || !n->isScalar() || n->typeName() != "string")
        return {};
    return n->text();
}

} // namespace

std::string Document::apiVersion() const
{
    return stringAt(root, "apiVersion");
}

std::string Document::kind() const
{
    return stringAt(root, "kind");
}

std::string Document::name() const
{
    return stringAt(root, "metadata", "name");
}

std::string Document::namespaceName() const
{
    return stringAt(root, "metadata", "namespace");
}

} // namespace Yaml
