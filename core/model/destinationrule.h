#pragma once

#include "model/common.h"

#include <QList>
#include <QString>
#include <QStringList>

// Typed DestinationRule (networking/v1alpha3/destination_rule.proto), members in proto order.
// Traffic policies are kept as their YAML maps: Mirrorscope reads only hosts and subsets.
namespace Model {

struct Subset
{
    QString name;
    StringMap labels;
    Yaml::Node trafficPolicy; // null node when absent
    Yaml::Node extra;
    bool operator==(const Subset &o) const;
    bool operator!=(const Subset &o) const { return !(*this == o); }
};

struct DestinationRule
{
    QString host;
    Yaml::Node trafficPolicy; // null node when absent
    QList<Subset> subsets;
    QStringList exportTo;
    Yaml::Node workloadSelector; // null node when absent
    Yaml::Node extra;

    const Subset *findSubset(const QString &name) const;
    QStringList subsetNames() const;
    bool operator==(const DestinationRule &o) const;
    bool operator!=(const DestinationRule &o) const { return !(*this == o); }
};

} // namespace Model
