#include "exchangemodel.h"

#include "dashboard/palette.h"

#include <QBrush>
#include <QFont>

#include <utility>

namespace Ui {

namespace {

constexpr int kFieldsNamed = 3; // fields named in the column; the rest are "+N more"

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

QString versionOf(const Observe::Leg &leg)
{
    return leg.destination.subset.isEmpty() ? leg.destination.host : leg.destination.subset;
}

QString nameFields(const QStringList &fields)
{
    if (fields.size() <= kFieldsNamed)
        return fields.join(QStringLiteral(", "));
    return QObject::tr("%1 +%2 more")
        .arg(fields.mid(0, kFieldsNamed).join(QStringLiteral(", ")))
        .arg(fields.size() - kFieldsNamed);
}

} // namespace

ExchangeModel::ExchangeModel(QObject *parent) : QAbstractTableModel(parent)
{
    m_flushTimer.setObjectName(QStringLiteral("logFlush")); // names it in profiles
    m_flushTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &ExchangeModel::flush);
}

void ExchangeModel::setCoalescing(int intervalMs, int maxRowsPerTick)
{
    m_coalesceMs = qMax(0, intervalMs);
    m_maxRowsPerTick = qMax(1, maxRowsPerTick);
    if (m_coalesceMs == 0)
        flush();
    else
        trimIncoming();
}

int ExchangeModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ExchangeModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ExchangeModel::describe(const Observe::Exchange &exchange,
                                const QList<Observe::Comparison> &comparisons, Pairing *pairing)
{
    QStringList parts;
    QStringList noisy;
    bool compared = false;
    for (const Observe::Comparison &c : comparisons) {
        if (!c.comparable)
            continue;
        compared = true;
        QStringList what;
        if (!c.statusEqual)
            what << tr("status differs (%1 → %2)").arg(c.primaryStatus).arg(c.mirrorStatus);
        QStringList headers;
        for (const Observe::FieldDiff &d : c.headerDiffs)
            (d.noisy ? noisy : headers) << d.path;
        if (!headers.isEmpty())
            what << tr("headers differ: %1").arg(nameFields(headers));
        QStringList fields;
        for (const Observe::FieldDiff &d : c.body.fields)
            (d.noisy ? noisy : fields) << d.path;
        if (!c.body.equal) {
            const int more = c.body.omittedFields;
            QString text = fields.isEmpty() ? tr("body differs")
                                            : tr("body differs: %1").arg(nameFields(fields));
            if (more > 0 && !fields.isEmpty())
                text += tr(" (+%1 not listed)").arg(more);
            what << text;
        }
        if (what.isEmpty())
            continue;
        QString prefix;
        if (comparisons.size() > 1 && c.mirrorIndex >= 0 && c.mirrorIndex < exchange.mirrors.size())
            prefix = versionOf(exchange.mirrors[c.mirrorIndex]) + QStringLiteral(": ");
        parts << prefix + what.join(QStringLiteral("; "));
    }
    if (!compared) {
        *pairing = Pairing::NoPair;
        return QString();
    }
    if (!parts.isEmpty()) {
        *pairing = Pairing::Mismatch;
        return parts.join(QStringLiteral(" | "));
    }
    *pairing = Pairing::Match;
    noisy.removeDuplicates();
    return noisy.isEmpty() ? tr("match") : tr("match (learned noise: %1)").arg(nameFields(noisy));
}

ExchangeModel::Row ExchangeModel::rowFor(const Observe::Exchange &e,
                                         const QList<Observe::Comparison> &comparisons,
                                         qint64 localOffsetMs)
{
    Row r;
    r.id = e.id;
    // The time of day from the batch's UTC offset: QDateTime::toLocalTime() per row asked the
    // C library for the time zone each time, a third of building a row.
    constexpr qint64 kDayMs = 24 * 3600 * 1000;
    r.time = e.start.isValid()
                 ? QTime::fromMSecsSinceStartOfDay(int(
                       ((e.start.toMSecsSinceEpoch() + localOffsetMs) % kDayMs + kDayMs) % kDayMs))
                 : QTime::currentTime();
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
    r.versions << versionOf(e.primary);
    for (const Observe::Leg &m : e.mirrors)
        r.versions << versionOf(m);
    r.match = describe(e, comparisons, &r.pairing);
    if (e.mirrors.isEmpty()) {
        r.v2Status = QStringLiteral("—");
        return r;
    }
    const Observe::Leg &m = e.mirrors.first();
    r.v2Status = legStatus(m, &r.v2Code);
    r.v2Ms = m.outcome == Observe::Leg::Outcome::Completed ? legMs(m) : -1;
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
            return r.match;
        }
    } else if (role == ExchangeIdRole) {
        return r.id;
    } else if (role == Qt::ToolTipRole) {
        if (index.column() == Path)
            return QString::fromUtf8(r.path);
        if (index.column() == Match && !r.match.isEmpty())
            return r.match;
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

quint64 ExchangeModel::exchangeId(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].id : 0;
}

bool ExchangeModel::rowMatches(int row, const QString &path, const QString &status,
                               bool mismatchOnly, const QString &version) const
{
    if (row < 0 || row >= int(m_rows.size()))
        return false;
    const Row &r = m_rows[size_t(row)];
    if (mismatchOnly && r.pairing != Pairing::Mismatch)
        return false;
    if (!version.isEmpty() && !r.versions.contains(version))
        return false;
    if (!path.isEmpty() && !QString::fromUtf8(r.path).contains(path, Qt::CaseInsensitive))
        return false;
    if (status.isEmpty())
        return true;
    // "5xx": a class; "503": a code; "failed" (or any word): the status text of either leg.
    const QString s = status.trimmed().toLower();
    if (s.size() == 3 && s.endsWith(QLatin1String("xx")) && s[0].isDigit()) {
        const int hundreds = s[0].digitValue();
        return r.v1Code / 100 == hundreds || r.v2Code / 100 == hundreds;
    }
    bool isCode = false;
    const int code = s.toInt(&isCode);
    if (isCode)
        return r.v1Code == code || r.v2Code == code;
    if (s == QLatin1String("failed"))
        return r.v1Code == 0 || (r.v2Code == 0 && r.v2Status != QStringLiteral("—") &&
                                 !r.v2Status.startsWith(tr("sampled out")));
    return r.v1Status.contains(s, Qt::CaseInsensitive) ||
           r.v2Status.contains(s, Qt::CaseInsensitive);
}

void ExchangeModel::setMaxRows(int rows)
{
    m_maxRows = qMax(1, rows);
    trimIncoming();
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

void ExchangeModel::addObserved(const QList<Observe::Exchange> &batch,
                                const QList<QList<Observe::Comparison>> &comparisons)
{
    if (batch.isEmpty())
        return;
    m_totalSeen += quint64(batch.size());
    if (m_coalesceMs <= 0) {
        // Only the newest maxRows of a batch can ever be shown.
        std::deque<Row> rows;
        buildRows(batch, comparisons, qMax(0, int(batch.size()) - m_maxRows), &rows);
        take(std::move(rows));
        return;
    }
    // Only the newest maxRowsPerTick can be shown by the next append: rows for those now, and
    // the batch goes when this returns.
    const qsizetype keep = qMin(m_maxRows, m_maxRowsPerTick);
    buildRows(batch, comparisons, int(qMax<qsizetype>(0, batch.size() - keep)), &m_incoming);
    trimIncoming();
    if (m_flushTimer.isActive())
        return; // the next tick takes it
    const qint64 since = m_lastFlush.isValid() ? m_lastFlush.elapsed() : m_coalesceMs;
    if (since >= m_coalesceMs)
        flush(); // the first batch after a quiet spell shows at once
    else
        m_flushTimer.start(int(m_coalesceMs - since));
}

void ExchangeModel::trimIncoming()
{
    // Only the newest rows of a tick are shown: hold no more than that.
    const size_t keep = size_t(qMin(m_maxRows, m_coalesceMs > 0 ? m_maxRowsPerTick : m_maxRows));
    if (m_incoming.size() > keep)
        m_incoming.erase(m_incoming.begin(), m_incoming.end() - ptrdiff_t(keep));
}

void ExchangeModel::flush()
{
    m_flushTimer.stop();
    m_lastFlush.start();
    take(std::exchange(m_incoming, {})); // one removed and one inserted range per tick
}

void ExchangeModel::buildRows(const QList<Observe::Exchange> &batch,
                              const QList<QList<Observe::Comparison>> &comparisons, int skip,
                              std::deque<Row> *rows)
{
    bool newVersion = false;
    // One UTC offset per batch (a batch spans milliseconds, not a change of daylight saving).
    qint64 offsetMs = 0;
    for (int i = skip; i < batch.size(); ++i)
        if (batch.at(i).start.isValid()) {
            offsetMs = qint64(batch.at(i).start.toLocalTime().offsetFromUtc()) * 1000;
            break;
        }
    for (int i = skip; i < batch.size(); ++i) {
        rows->push_back(rowFor(batch.at(i), comparisons.value(i), offsetMs));
        for (const QString &v : rows->back().versions)
            if (!v.isEmpty() && !m_versions.contains(v)) {
                m_versions << v;
                newVersion = true;
            }
    }
    if (newVersion)
        emit versionsChanged(m_versions);
}

void ExchangeModel::take(std::deque<Row> &&rows)
{
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
    m_flushTimer.stop();
    m_incoming.clear();
    m_rows.clear();
    m_pending.clear();
    m_totalSeen = 0;
    endResetModel();
}

ExchangeFilter::ExchangeFilter(QObject *parent) : QSortFilterProxyModel(parent) {}

void ExchangeFilter::setPathFilter(const QString &text)
{
    if (m_path == text)
        return;
    m_path = text;
    invalidateRowsFilter();
}

void ExchangeFilter::setStatusFilter(const QString &text)
{
    if (m_status == text)
        return;
    m_status = text;
    invalidateRowsFilter();
}

void ExchangeFilter::setMismatchOnly(bool on)
{
    if (m_mismatchOnly == on)
        return;
    m_mismatchOnly = on;
    invalidateRowsFilter();
}

void ExchangeFilter::setVersionFilter(const QString &version)
{
    if (m_version == version)
        return;
    m_version = version;
    invalidateRowsFilter();
}

bool ExchangeFilter::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid())
        return false;
    const auto *model = qobject_cast<const ExchangeModel *>(sourceModel());
    return !model || model->rowMatches(sourceRow, m_path, m_status, m_mismatchOnly, m_version);
}

} // namespace Ui
