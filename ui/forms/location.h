#pragma once

#include <QString>

namespace Model {
struct Config;
struct HTTPRoute;
struct Resource;
} // namespace Model

namespace Forms {

// One item of the outline: which resource, and where inside it. Indices are positions in the
// model's lists, so a Location is valid for the Config it was made from (a structural edit
// returns the Location of the item to select next).
struct Location
{
    enum class Kind {
        None,
        VirtualService,
        Rule,
        Match,
        Destination,
        Mirror,
        DestinationRule,
        Subset,
        Other
    };

    Kind kind = Kind::None;
    int resource = -1;
    int rule = -1;  // Rule, Match, Destination, Mirror: index in spec.http
    int index = -1; // Match: match[], Destination: route[], Mirror: mirrors[] (-1: the single
                    // `mirror` field), Subset: subsets[]

    static Location resourceAt(const Model::Config &config, int resource);
    static Location ruleAt(int resource, int rule) { return {Kind::Rule, resource, rule, -1}; }
    static Location child(Kind kind, int resource, int rule, int index)
    {
        return {kind, resource, rule, index};
    }

    bool isValid() const { return kind != Kind::None; }
    // Lives in a list that can be reordered and that items are added to (spec.http, match,
    // route, mirrors, subsets, and the resources themselves).
    bool isListItem() const;
    // Position in its list (the resource index for resource-level items).
    int listIndex() const;
    Location withListIndex(int i) const;
    Location parent() const;
    // The field path Diagnostics use, relative to the resource: "spec.http[0].route[1]";
    // empty for a whole resource.
    QString path() const;
    // A stable key for the outline (expanded state, selection).
    QString key() const;
    // Whether the location still names an existing item of `config`.
    bool existsIn(const Model::Config &config) const;

    // The deepest outline item that a diagnostic path ("spec.http[0].mirrorPercentage.value")
    // belongs to, within resource `resource`. Indices that do not exist fall back to the
    // nearest existing parent.
    static Location ofPath(const Model::Config &config, int resource, const QString &path);

    bool operator==(const Location &o) const
    {
        return kind == o.kind && resource == o.resource && rule == o.rule && index == o.index;
    }
    bool operator!=(const Location &o) const { return !(*this == o); }
};

// True when `prefix` names `path` or one of its ancestors: "spec.http[0]" covers
// "spec.http[0].route" and "spec.http[0]" but not "spec.http[01]"; "" covers everything.
bool pathCovers(const QString &prefix, const QString &path);

// Accessors for mutation lambdas; the location must exist in `config`.
Model::HTTPRoute &routeAt(Model::Config &config, const Location &at);
const Model::HTTPRoute &routeAt(const Model::Config &config, const Location &at);

} // namespace Forms
