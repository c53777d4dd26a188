#pragma once

#include "yaml/node.h"

#include <QString>

#include <vector>

namespace Model {
struct Config;
}

namespace Yaml {
struct Document;
}

namespace Forms {

// The YAML text for a config the forms produced, written so that a person's text survives
// where the edit did not touch it.
//
// Core's encoder and emitter (Model::toNode + Yaml::dump) write every value, unknown fields
// included, but the tree has no comments and one canonical layout. So the new text is that
// output merged into the current text: documents whose resource did not change are kept byte
// for byte (comments, quoting, indentation); in a changed document only the lines that differ
// between the old and the new canonical form are replaced, so comments and untouched lines
// around the edit stay too. Every merged document is parsed again and compared with the
// config; where a merge does not give exactly the config (the person's layout differs too
// much from the canonical one), that document is written canonically (keeping its leading
// comment), and if even the whole text does not read back as `config`, it is
// Yaml::dumpDocuments(config.toNodes()). The result always parses to `config`.
QString yamlForConfig(const QString &currentText, const Model::Config &config);

// The position of the node at a diagnostic-style field path ("spec.http[0].route[1].weight",
// headers["x-user"]) in `root`: a map entry's key position, an item's own position. When the
// path goes further than the tree, the deepest existing node's; line 0 when `root` has none.
Yaml::Mark markOfPath(const Yaml::Node &root, const QString &path);

} // namespace Forms
