#include "summary.h"

#include <QJsonArray>

namespace Observe {

QString formatMs(double us)
{
    const double ms = us / 1000.0;
    return ms < 10 ? QString::number(ms, 'f', 2) + QStringLiteral(" ms")
                   : QString::number(ms, 'f', ms < 100 ? 1 : 0) + QStringLiteral(" ms");
}

Summary::Version &Summary::version(const Leg &leg, bool mirrored)
{
    QString label =
        leg.destination.subset.isEmpty() ? leg.destination.host : leg.destination.subset;
    if (label.isEmpty())
        label = QStringLiteral("(local)");
    const QString key = mirrored ? label + QStringLiteral(" (mirror)") : label;
    Version &v = m_versions[key];
    if (v.label.isEmpty()) {
        v.label = key;
        v.mirrored = mirrored;
    }
    return v;
}

void Summary::add(const Exchange &exchange)
{
    ++m_exchanges;
    auto count = [](Version &v, const Leg &leg) {
        ++v.legs;
        switch (leg.outcome) {
        case Leg::Outcome::SampledOut:
            ++v.sampledOut;
            return;
        case Leg::Outcome::Dropped:
            ++v.dropped;
            ++v.dropReasons[leg.dropReason];
            return;
        case Leg::Outcome::Failed:
            ++v.failed;
            ++v.errors[leg.error];
            break;
        case Leg::Outcome::Completed:
        case Leg::Outcome::Local:
            break;
        }
        const int cls = leg.status >= 100 && leg.status < 600 ? leg.status / 100 : 0;
        ++v.status[cls];
        if (leg.totalUs >= 0 && leg.outcome != Leg::Outcome::Failed)
            v.latencyUs.record(leg.totalUs);
    };
    count(version(exchange.primary, false), exchange.primary);
    for (const Leg &m : exchange.mirrors) {
        count(version(m, true), m);
        if (m.outcome == Leg::Outcome::Completed &&
            exchange.primary.outcome == Leg::Outcome::Completed) {
            ++m_pairs;
            if (m.status / 100 != exchange.primary.status / 100)
                ++m_statusMismatches;
        }
    }
}

void Summary::addAll(const QList<Exchange> &exchanges)
{
    for (const Exchange &e : exchanges)
        add(e);
}

QString Summary::line() const
{
    QStringList parts;
    for (const Version &v : m_versions) {
        QString s = QStringLiteral("%1 %2").arg(v.label).arg(v.legs);
        if (v.latencyUs.count())
            s += QStringLiteral(" p50 %1 p99 %2")
                     .arg(formatMs(v.latencyUs.percentile(0.5)),
                          formatMs(v.latencyUs.percentile(0.99)));
        for (int c = 1; c <= 5; ++c) {
            if (v.status[c])
                s += QStringLiteral(" %1xx %2").arg(c).arg(v.status[c]);
        }
        if (v.failed)
            s += QStringLiteral(" failed %1").arg(v.failed);
        if (v.dropped)
            s += QStringLiteral(" dropped %1").arg(v.dropped);
        if (v.sampledOut)
            s += QStringLiteral(" sampled-out %1").arg(v.sampledOut);
        parts << s;
    }
    return parts.join(QStringLiteral(" | "));
}

QJsonObject Summary::toJson() const
{
    QJsonArray versions;
    for (const Version &v : m_versions) {
        QJsonObject o;
        o[QStringLiteral("version")] = v.label;
        o[QStringLiteral("mirrored")] = v.mirrored;
        o[QStringLiteral("legs")] = static_cast<qint64>(v.legs);
        QJsonObject status;
        for (int c = 1; c <= 5; ++c)
            status[QStringLiteral("%1xx").arg(c)] = static_cast<qint64>(v.status[c]);
        o[QStringLiteral("statusClasses")] = status;
        o[QStringLiteral("failed")] = static_cast<qint64>(v.failed);
        o[QStringLiteral("sampledOut")] = static_cast<qint64>(v.sampledOut);
        o[QStringLiteral("dropped")] = static_cast<qint64>(v.dropped);
        QJsonObject reasons;
        for (auto it = v.dropReasons.begin(); it != v.dropReasons.end(); ++it)
            reasons[it.key()] = static_cast<qint64>(it.value());
        o[QStringLiteral("dropReasons")] = reasons;
        QJsonObject errors;
        for (auto it = v.errors.begin(); it != v.errors.end(); ++it)
            errors[it.key()] = static_cast<qint64>(it.value());
        o[QStringLiteral("errors")] = errors;
        QJsonObject latency;
        latency[QStringLiteral("count")] = static_cast<qint64>(v.latencyUs.count());
        for (auto [name, q] : {std::pair{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}})
            latency[QLatin1String(name)] = v.latencyUs.percentile(q) / 1000.0;
        latency[QStringLiteral("mean")] = v.latencyUs.mean() / 1000.0;
        latency[QStringLiteral("max")] = v.latencyUs.max() / 1000.0;
        o[QStringLiteral("latencyMs")] = latency;
        versions.append(o);
    }
    QJsonObject root;
    root[QStringLiteral("exchanges")] = static_cast<qint64>(m_exchanges);
    root[QStringLiteral("versions")] = versions;
    root[QStringLiteral("pairs")] = static_cast<qint64>(m_pairs);
    root[QStringLiteral("statusClassMismatches")] = static_cast<qint64>(m_statusMismatches);
    return root;
}

} // namespace Observe
