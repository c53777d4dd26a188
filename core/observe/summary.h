#pragma once

#include "observe/exchange.h"
#include "observe/histogram.h"

#include <QJsonObject>
#include <QMap>
#include <QString>

namespace Observe {

// Running totals per destination version for the headless summary line and the JSON report:
// requests, status classes, failures and a latency histogram, primary and mirrored legs apart.
// Fed with batches of Exchanges from the proxy's recorder; cheap enough for the CLI's thread.
class Summary
{
public:
    struct Version
    {
        QString label; // "v1", "v2 (mirror)", or the host when there is no subset
        bool mirrored = false;
        quint64 legs = 0;
        quint64 status[6] = {}; // index 1..5 = 1xx..5xx, 0 = no status (failed)
        quint64 failed = 0;
        quint64 sampledOut = 0;
        quint64 dropped = 0;
        QMap<QString, quint64> dropReasons;
        QMap<QString, quint64> errors;
        Histogram latencyUs;
    };

    void add(const Exchange &exchange);
    void addAll(const QList<Exchange> &exchanges);

    quint64 exchanges() const { return m_exchanges; }
    const QMap<QString, Version> &versions() const { return m_versions; }
    // Pairs where both the primary and a mirror answered: how often v2's status class differs.
    quint64 pairs() const { return m_pairs; }
    quint64 statusMismatches() const { return m_statusMismatches; }

    // "v1 142 req p50 1.9 ms p99 4.1 ms 2xx 142 | v2 (mirror) 142 p50 8.2 ms p99 31 ms 5xx 7"
    QString line() const;
    QJsonObject toJson() const;

private:
    Version &version(const Leg &leg, bool mirrored);

    QMap<QString, Version> m_versions;
    quint64 m_exchanges = 0;
    quint64 m_pairs = 0;
    quint64 m_statusMismatches = 0;
};

QString formatMs(double us);

} // namespace Observe
