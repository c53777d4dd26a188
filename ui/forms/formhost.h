#pragma once

#include "forms/location.h"

#include <QString>

#include <functional>

class QWidget;

namespace Model {
struct Config;
}

namespace Forms {

// What a form needs from the editor that shows it. Forms never keep a Model::Config of their
// own: each finished edit is a mutation of the editor's current config.
class FormHost
{
public:
    using Mutation = std::function<void(Model::Config &)>;
    using StructuralMutation = std::function<Location(Model::Config &)>;

    virtual ~FormHost() = default;
    virtual const Model::Config &config() const = 0;
    // Changes only values: the outline keeps its items and the form its widgets. Emits
    // FormEditor::edited when the config changed; returns whether it did.
    virtual bool applyEdit(const QString &description, const Mutation &mutate) = 0;
    // Adds or removes items (a new subset): the outline and the form are rebuilt afterwards,
    // selecting the returned Location (the current one when invalid).
    virtual bool applyStructuralEdit(const QString &description,
                                     const StructuralMutation &mutate) = 0;
    // Registers a field for selectPath() and diagnostics marking. `path` is the diagnostic
    // path relative to the resource ("spec.http[0].timeout"); `row` a row of a RowsTable.
    virtual void registerField(const QString &path, QWidget *widget, int row = -1) = 0;
    // Called after every edit, for labels computed from other fields (a weight's share).
    virtual void onRefresh(std::function<void()> refresh) = 0;
    // Name of a new subset of `host` (suggestion pre-filled); empty when cancelled.
    virtual QString askSubsetName(const QString &host, const QString &suggestion) = 0;
    // Changes whenever the form is rebuilt: a late signal from a widget that is going away
    // (focus-out while the page is torn down) must not edit the new config.
    virtual int generation() const = 0;
};

} // namespace Forms
