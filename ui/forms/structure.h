#pragma once

#include "forms/location.h"

#include <QString>

namespace Model {
struct Config;
}

// Structural edits of the outline as plain functions over the model (no widgets), so the
// outline's context menu, its keys and drag and drop all share them and tests can call them.
// Each returns the Location to select afterwards, or an invalid Location when nothing changed.
namespace Forms::Structure {

// A new item of the same kind right after `at` (Insert key). On a single `mirror`, adding a
// second one turns the rule's `mirror` into a `mirrors` list (Istio forbids both at once).
Location addSibling(Model::Config &config, const Location &at);
// A new child item of `kind` at the end of `at`'s list of them (Rule under a VirtualService;
// Match, Destination, Mirror under a Rule; Subset under a DestinationRule).
Location addChild(Model::Config &config, const Location &at, Location::Kind kind);
Location addVirtualService(Model::Config &config);
Location addDestinationRule(Model::Config &config, const QString &host = QString());
Location duplicate(Model::Config &config, const Location &at);
Location remove(Model::Config &config, const Location &at);
// Moves a list item to position `to` of the same list (Ctrl+Up/Down, drag and drop).
Location move(Model::Config &config, const Location &at, int to);
// Number of items in `at`'s list (for bounds checks of move).
int siblingCount(const Model::Config &config, const Location &at);

// Adds subset `name` (labels version: name) to the first DestinationRule of `host` as seen
// from namespace `ns`, or to a new DestinationRule for the host when there is none. Returns
// the Location of the subset.
Location addSubsetForHost(Model::Config &config, const QString &host, const QString &ns,
                          const QString &name);
// "v3": the first vN not yet a subset of `host`.
QString suggestSubsetName(const Model::Config &config, const QString &host, const QString &ns);

// What an item is called in undo descriptions: "rule 2 of VirtualService greeter".
QString describe(const Model::Config &config, const Location &at);

} // namespace Forms::Structure
