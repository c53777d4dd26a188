#pragma once

#include "observe/exchange.h"

#include <QAbstractTableModel>
#include <QTime>

#include <deque>

namespace Ui {

// The log: one row per exchange, the primary (v1) and its first mirror (v2) side by side,
// newest at the bottom. Rows are kept compact (not whole Exchanges) and bounded: past the cap
// the oldest go, removed and inserted in one range per batch so a view never relayouts per row.
// While paused the rows stay still; what arrives meanwhile waits (bounded too) and is shown on
// resume.
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

    explicit ExchangeModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void setMaxRows(int rows);
    int maxRows() const { return m_maxRows; }
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    int pendingCount() const { return int(m_pending.size()); }
    quint64 totalSeen() const { return m_totalSeen; }
    Pairing pairing(int row) const;

public slots:
    void addExchanges(const QList<Observe::Exchange> &batch);
    void clear();

private:
    struct Row
    {
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
    };
    static Row rowFor(const Observe::Exchange &e);
    void append(std::deque<Row> &&rows);

    std::deque<Row> m_rows;
    std::deque<Row> m_pending;
    int m_maxRows = 5000;
    bool m_paused = false;
    quint64 m_totalSeen = 0;
};

} // namespace Ui
