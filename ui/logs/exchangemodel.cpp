#include "exchangemodel.h"

#include "dashboard/palette.h"

#include <QBrush>
#include <QFont>

#include <utility>

namespace Ui {

namespace {

QString legStatus(const Observe::Leg &leg, int *code)
{
    using Outcome = Observe::Leg::Outcome;
    *code = leg.status;
    switch (leg.outcome) {
    case Outcome::SampledOut:
        return QObject::tr("sampled out");
    case Outcome::Dropped:
        return QObject::tr("dropped: %1").arg(leg.dropReason);
    case Outcome::Failed:
        return leg.status ? QStringLiteral("%1 (%2)").arg(leg.status).arg(leg.error) : leg.error;
    case Outcome::Completed:
    case Outcome::Local:
        break;
    }
    return QString::number(leg.status);
}

double legMs(const Observe::Leg &leg)
{
    return leg.totalUs >= 0 ? leg.totalUs / 1000.0 : -1;
}

} // namespace

ExchangeModel::ExchangeModel(QObject *parent) : QAbstractTableModel(parent) {}

int ExchangeModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ExchangeModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

ExchangeModel::Row ExchangeModel::rowFor(const Observe::Exchange &e)
{
    Row r;
    r.time = e.start.isValid() ? e.start.toLocalTime().time() : QTime::currentTime();
    r.method = e.method;
    r.path = e.path;
    if (!e.ruleName.isEmpty())
        r.rule = e.ruleName;
    else if (e.ruleIndex >= 0)
        r.rule = QStringLiteral("%1 http[%2]").arg(e.virtualService).arg(e.ruleIndex);
    else
        r.rule = e.virtualService.isEmpty() ? QObject::tr("(no route)") : e.virtualService;
    r.v1Status = legStatus(e.primary, &r.v1Code);
    r.v1Ms = legMs(e.primary);
    if (e.mirrors.isEmpty()) {
        r.v2Status = QStringLiteral("—");
        return r;
    }
    const Observe::Leg &m = e.mirrors.first();
    r.v2Status = legStatus(m, &r.v2Code);
    r.v2Ms = m.outcome == Observe::Leg::Outcome::Completed ? legMs(m) : -1;
    using Outcome = Observe::Leg::Outcome;
    if ((m.outcome == Outcome::Completed || m.outcome == Outcome::Failed) &&
        e.primary.outcome != Outcome::Local)
        r.pairing = e.primary.status / 100 == m.status / 100 ? Pairing::Match : Pairing::Mismatch;
    return r;
}

QVariant ExchangeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const Row &r = m_rows[size_t(index.row())];
    if (role == Qt::DisplayRole) {
        auto ms = [](double v) { return v < 0 ? QString() : QString::number(v, 'f', 1); };
        switch (index.column()) {
        case Time:
            return r.time.toString(QStringLiteral("HH:mm:ss.zzz"));
        case Method:
            return QString::fromLatin1(r.method);
        case Path:
            return QString::fromUtf8(r.path);
        case Rule:
            return r.rule;
        case V1Status:
            return r.v1Status;
        case V1Latency:
            return ms(r.v1Ms);
        case V2Status:
            return r.v2Status;
        case V2Latency:
            return ms(r.v2Ms);
        case Match:
            return r.pairing == Pairing::Match      ? tr("match")
                   : r.pairing == Pairing::Mismatch ? tr("MISMATCH")
                                                    : QString();
        }
    } else if (role == Qt::ToolTipRole && index.column() == Path) {
        return QString::fromUtf8(r.path);
    } else if (role == Qt::TextAlignmentRole) {
        if (index.column() == V1Latency || index.column() == V2Latency)
            return int(Qt::AlignRight | Qt::AlignVCenter);
    } else if (role == Qt::ForegroundRole) {
        if (index.column() == V1Status && (r.v1Code >= 500 || r.v1Code == 0))
            return QBrush(Qt::darkRed);
        if (index.column() == V2Status && r.v2Code >= 500)
            return QBrush(Qt::darkRed);
    } else if (role == Qt::BackgroundRole && r.pairing == Pairing::Mismatch) {
        return QBrush(Palette::mismatch());
    } else if (role == Qt::FontRole && index.column() == Match && r.pairing == Pairing::Mismatch) {
        QFont f;
        f.setBold(true);
        return f;
    }
    return {};
}

QVariant ExchangeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ForegroundRole) {
        if (section == V1Status || section == V1Latency)
            return QBrush(Palette::primary());
        if (section == V2Status || section == V2Latency)
            return QBrush(Palette::mirror());
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    static const char *const names[ColumnCount] = {
        QT_TR_NOOP("Time"),      QT_TR_NOOP("Method"),    QT_TR_NOOP("Path"),
        QT_TR_NOOP("Rule"),      QT_TR_NOOP("v1 status"), QT_TR_NOOP("v1 ms"),
        QT_TR_NOOP("v2 status"), QT_TR_NOOP("v2 ms"),     QT_TR_NOOP("v1 vs v2")};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

ExchangeModel::Pairing ExchangeModel::pairing(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].pairing : Pairing::NoPair;
}

void ExchangeModel::setMaxRows(int rows)
{
    m_maxRows = qMax(1, rows);
    append({}); // trims to the new cap
}

void ExchangeModel::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (!paused)
        append(std::exchange(m_pending, {}));
}

void ExchangeModel::addExchanges(const QList<Observe::Exchange> &batch)
{
    m_totalSeen += quint64(batch.size());
    // Only the newest maxRows of a batch can ever be shown.
    const int skip = qMax(0, int(batch.size()) - m_maxRows);
    std::deque<Row> rows;
    for (int i = skip; i < batch.size(); ++i)
        rows.push_back(rowFor(batch.at(i)));
    if (m_paused) {
        for (Row &r : rows)
            m_pending.push_back(std::move(r));
        while (int(m_pending.size()) > m_maxRows)
            m_pending.pop_front();
        return;
    }
    append(std::move(rows));
}

void ExchangeModel::append(std::deque<Row> &&rows)
{
    const int incoming = int(rows.size());
    const int overflow = int(m_rows.size()) + incoming - m_maxRows;
    if (overflow > 0) {
        const int remove = qMin(overflow, int(m_rows.size()));
        if (remove > 0) {
            beginRemoveRows(QModelIndex(), 0, remove - 1);
            m_rows.erase(m_rows.begin(), m_rows.begin() + remove);
            endRemoveRows();
        }
        while (int(rows.size()) > m_maxRows)
            rows.pop_front();
    }
    if (rows.empty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows(QModelIndex(), first, first + int(rows.size()) - 1);
    for (Row &r : rows)
        m_rows.push_back(std::move(r));
    endInsertRows();
}

void ExchangeModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_pending.clear();
    m_totalSeen = 0;
    endResetModel();
}

} // namespace Ui
