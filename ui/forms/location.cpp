#include "location.h"

#include "model/resource.h"

#include <QRegularExpression>

namespace Forms {

using Kind = Location::Kind;

Location Location::resourceAt(const Model::Config &config, int resource)
{
    if (resource < 0 || resource >= config.resources.size())
        return {};
    const Model::Resource &r = config.resources[resource];
    const Kind kind = r.isVirtualService()    ? Kind::VirtualService
                      : r.isDestinationRule() ? Kind::DestinationRule
                                              : Kind::Other;
    return {kind, resource, -1, -1};
}

bool Location::isListItem() const
{
    switch (kind) {
    case Kind::None:
        return false;
    case Kind::Mirror:
        return index >= 0;
    default:
        return true;
    }
}

int Location::listIndex() const
{
    switch (kind) {
    case Kind::VirtualService:
    case Kind::DestinationRule:
    case Kind::Other:
        return resource;
    case Kind::Rule:
        return rule;
    default:
        return index;
    }
}

Location Location::withListIndex(int i) const
{
    Location l = *this;
    switch (kind) {
    case Kind::VirtualService:
    case Kind::DestinationRule:
    case Kind::Other:
        l.resource = i;
        break;
    case Kind::Rule:
        l.rule = i;
        break;
    default:
        l.index = i;
        break;
    }
    return l;
}

Location Location::parent() const
{
    switch (kind) {
    case Kind::Rule:
        return {Kind::VirtualService, resource, -1, -1};
    case Kind::Match:
    case Kind::Destination:
    case Kind::Mirror:
        return {Kind::Rule, resource, rule, -1};
    case Kind::Subset:
        return {Kind::DestinationRule, resource, -1, -1};
    default:
        return {};
    }
}

QString Location::path() const
{
    const QString http = QStringLiteral("spec.http[%1]").arg(rule);
    switch (kind) {
    case Kind::Rule:
        return http;
    case Kind::Match:
        return http + QStringLiteral(".match[%1]").arg(index);
    case Kind::Destination:
        return http + QStringLiteral(".route[%1]").arg(index);
    case Kind::Mirror:
        return index < 0 ? http + QStringLiteral(".mirror")
                         : http + QStringLiteral(".mirrors[%1]").arg(index);
    case Kind::Subset:
        return QStringLiteral("spec.subsets[%1]").arg(index);
    default:
        return QString();
    }
}

QString Location::key() const
{
    return QStringLiteral("%1/%2/%3/%4").arg(int(kind)).arg(resource).arg(rule).arg(index);
}

bool Location::existsIn(const Model::Config &config) const
{
    if (resource < 0 || resource >= config.resources.size())
        return false;
    const Model::Resource &r = config.resources[resource];
    if (Location::resourceAt(config, resource).kind == kind)
        return true;
    if (kind == Kind::Subset)
        return r.isDestinationRule() && index >= 0 && index < r.destinationRule.subsets.size();
    if (!r.isVirtualService() || rule < 0 || rule >= r.virtualService.http.size())
        return false;
    const Model::HTTPRoute &route = r.virtualService.http[rule];
    switch (kind) {
    case Kind::Rule:
        return true;
    case Kind::Match:
        return index >= 0 && index < route.match.size();
    case Kind::Destination:
        return index >= 0 && index < route.route.size();
    case Kind::Mirror:
        return index < 0 ? route.mirror.has_value() : index < route.mirrors.size();
    default:
        return false;
    }
}

Location Location::ofPath(const Model::Config &config, int resource, const QString &path)
{
    Location at = resourceAt(config, resource);
    if (!at.isValid())
        return at;
    static const QRegularExpression httpRe(QStringLiteral("^spec\\.http\\[(\\d+)\\]"));
    static const QRegularExpression childRe(
        QStringLiteral("^\\.(match|route|mirrors)\\[(\\d+)\\]|^\\.(mirror|mirrorPercentage|"
                       "mirrorPercent|mirror_percent)(?![A-Za-z_])"));
    static const QRegularExpression subsetRe(QStringLiteral("^spec\\.subsets\\[(\\d+)\\]"));

    if (at.kind == Kind::DestinationRule) {
        const QRegularExpressionMatch m = subsetRe.match(path);
        if (m.hasMatch()) {
            const Location s = child(Kind::Subset, resource, -1, m.captured(1).toInt());
            if (s.existsIn(config))
                return s;
        }
        return at;
    }
    if (at.kind != Kind::VirtualService)
        return at;
    const QRegularExpressionMatch m = httpRe.match(path);
    if (!m.hasMatch())
        return at;
    const Location rule = ruleAt(resource, m.captured(1).toInt());
    if (!rule.existsIn(config))
        return at;
    const QRegularExpressionMatch c = childRe.match(path.mid(m.capturedLength()));
    if (!c.hasMatch())
        return rule;
    Location sub;
    if (!c.captured(3).isEmpty()) {
        sub = child(Kind::Mirror, resource, rule.rule, -1);
    } else {
        const QString list = c.captured(1);
        const Kind kind = list == QLatin1String("match")   ? Kind::Match
                          : list == QLatin1String("route") ? Kind::Destination
                                                           : Kind::Mirror;
        sub = child(kind, resource, rule.rule, c.captured(2).toInt());
    }
    return sub.existsIn(config) ? sub : rule;
}

bool pathCovers(const QString &prefix, const QString &path)
{
    if (prefix.isEmpty())
        return true;
    if (!path.startsWith(prefix))
        return false;
    if (path.size() == prefix.size())
        return true;
    const QChar next = path.at(prefix.size());
    return next == QLatin1Char('.') || next == QLatin1Char('[');
}

Model::HTTPRoute &routeAt(Model::Config &config, const Location &at)
{
    return config.resources[at.resource].virtualService.http[at.rule];
}

const Model::HTTPRoute &routeAt(const Model::Config &config, const Location &at)
{
    return config.resources[at.resource].virtualService.http[at.rule];
}

} // namespace Forms
