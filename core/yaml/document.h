#pragma once

#include "base/diagnostic.h"
#include "yaml/node.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace Yaml {

// One YAML document of a file (a `---` section), or one item of a `kind: List`.
struct Document
{
    Node root;
    QString file;        // as given by the caller (shown in diagnostics)
    int index = 0;       // position in the file, counting List items individually
    int listItem = -1;   // index inside the enclosing `kind: List`, -1 when not from a List
    std::string apiVersion() const; // "" when absent or not a string
    std::string kind() const;
    std::string name() const;       // metadata.name
    std::string namespaceName() const; // metadata.namespace
};

struct ParseResult
{
    std::vector<Document> documents;
    Base::Diagnostics diagnostics; // syntax problems (MS00xx), each with line:column
};

// Parses YAML text: single documents, multi-document streams (`---`), and
// `kubectl get -o yaml` output (`kind: List` with `items`: each item becomes a Document).
// Never throws, never crashes: tabs in indentation, bad indentation, duplicate keys, complex
// keys, binary junk, an empty input and very large inputs all end as diagnostics with the
// line and column where the problem is. Empty documents (only comments) are skipped.
ParseResult parse(const QByteArray &text, const QString &file = QString());
// Reads a file and parses it; an unreadable file is one MS0001 diagnostic.
ParseResult parseFile(const QString &path);

// Writes nodes as block-style YAML, deterministically: the same tree always gives the same
// bytes. Maps in their stored order, sequences of a map's key not indented (kubectl style),
// strings quoted only when a plain scalar would change type or meaning, multi-line strings
// as literal blocks. Scalars keep their quoted-ness so a quoted "100" stays a string.
std::string dump(const Node &root);
// Several documents joined by "---\n". (Not "emit": that is a Qt keyword macro.)
std::string dumpDocuments(const std::vector<Node> &roots);

} // namespace Yaml
