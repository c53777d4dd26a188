#pragma once

#include "observe/comparison.h"
#include "observe/exchange.h"

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QSortFilterProxyModel>
#include <QTime>
#include <QTimer>

#include <deque>

namespace Ui {

// The log: one row per exchange, the primary (v1) and its first mirror (v2) side by side,
// newest at the bottom, with what the hub's comparison found ("body differs: $.message").
// Rows are kept compact (not whole Exchanges: the detail pane reads those from the hub's store
// by id) and bounded: past the cap the oldest go, removed and inserted in one range per batch so
// a view never relayouts per row. While paused the rows stay still; what arrives meanwhile waits
// (bounded too) and is shown on resume.
//
// Coalescing (setCoalescing, the log view's choice): batches arrive many times a second at
// thousands of requests per second, and inserting and painting rows per batch kept the window's
// event loop busy. Coalesced, a batch is counted at once (totalSeen), the rows of its newest
// exchanges (at most maxRowsPerTick) are built at once and held, and the batch itself is let
// go; held rows are appended at most once per interval (the first batch after a quiet interval
// at once), at most maxRowsPerTick of the newest per append. What a tick skips is in the hub's
// store and in totalSeen, not in the rows: nobody reads thousands of rows a second.
// Rows are built per batch, not per tick, because the exchanges go with them: this model holds
// the last reference to each batch, and freeing a tick's thousand exchanges (headers, bodies)
// in one go took as long as building their rows (10 ms each at 5,000 requests/s), all in one
// timer event; per batch, both are spread over the batches' own small deliveries.
class ExchangeModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        Time,
        Method,
        Path,
        Rule,
        V1Status,
        V1Latency,
        V2Status,
        V2Latency,
        Match,
        ColumnCount
    };
    enum class Pairing { Match, Mismatch, NoPair };
    enum Role { ExchangeIdRole = Qt::UserRole + 1 };

    explicit ExchangeModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void setMaxRows(int rows);
    // intervalMs 0 (the default): every batch becomes rows at once.
    void setCoalescing(int intervalMs, int maxRowsPerTick);
    int coalescingMs() const { return m_coalesceMs; }
    // Rows received and not yet appended (coalescing).
    int incomingCount() const { return int(m_incoming.size()); }
    int maxRows() const { return m_maxRows; }
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    int pendingCount() const { return int(m_pending.size()); }
    quint64 totalSeen() const { return m_totalSeen; }
    Pairing pairing(int row) const;
    quint64 exchangeId(int row) const;
    // What the filter looks at.
    bool rowMatches(int row, const QString &path, const QString &status, bool mismatchOnly,
                    const QString &version) const;
    QStringList versionsSeen() const { return m_versions; }

    // "body differs: $.message", "status differs (200 → 503)", "match": the comparisons of one
    // exchange in words, as the "v1 vs v2" column shows them.
    static QString describe(const Observe::Exchange &exchange,
                            const QList<Observe::Comparison> &comparisons, Pairing *pairing);

public slots:
    // comparisons[i] belongs to batch[i] (Session::Runtime::observed).
    void addObserved(const QList<Observe::Exchange> &batch,
                     const QList<QList<Observe::Comparison>> &comparisons);
    void clear();
    // Turns what coalescing holds into rows now (Stop, tests).
    void flush();

signals:
    void versionsChanged(const QStringList &versions);

private:
    struct Row
    {
        quint64 id = 0;
        QTime time;
        QByteArray method;
        QByteArray path;
        QString rule;
        QString v1Status; // "200", or the error ("timeout") when no status came back
        int v1Code = 0;
        double v1Ms = -1;
        QString v2Status; // "200", "sampled out", "dropped: in-flight limit", "—" (no mirror)
        int v2Code = 0;
        double v2Ms = -1;
        Pairing pairing = Pairing::NoPair;
        QString match;
        QStringList versions; // the primary's and every mirror's subset (or host)
    };
    static Row rowFor(const Observe::Exchange &e, const QList<Observe::Comparison> &comparisons,
                      qint64 localOffsetMs);
    void append(std::deque<Row> &&rows);
    void buildRows(const QList<Observe::Exchange> &batch,
                   const QList<QList<Observe::Comparison>> &comparisons, int skip,
                   std::deque<Row> *rows);
    void take(std::deque<Row> &&rows); // shown, or held while paused
    void trimIncoming();
    std::deque<Row> m_incoming; // built, waiting for the next append (coalescing)
    int m_coalesceMs = 0;
    int m_maxRowsPerTick = 1000;
    QTimer m_flushTimer;
    QElapsedTimer m_lastFlush;

    std::deque<Row> m_rows;
    std::deque<Row> m_pending;
    int m_maxRows = 5000;
    bool m_paused = false;
    quint64 m_totalSeen = 0;
    QStringList m_versions;
};

// The log's filter: path (substring), status ("5xx", "503", "failed", or words of the status
// text, on either leg), mismatches only, and a version either leg went to.
class ExchangeFilter : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit ExchangeFilter(QObject *parent = nullptr);
    void setPathFilter(const QString &text);
    void setStatusFilter(const QString &text);
    void setMismatchOnly(bool on);
    void setVersionFilter(const QString &version); // empty: any

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_path;
    QString m_status;
    bool m_mismatchOnly = false;
    QString m_version;
};

} // namespace Ui
