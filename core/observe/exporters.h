#pragma once

#include "observe/exchange.h"

#include <QByteArray>
#include <QDateTime>
#include <QFile>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

class QIODevice;
class QJsonArray;

namespace Observe {

struct ExportOptions
{
    // Authorization / Proxy-Authorization / Cookie / Set-Cookie values masked (masking.h).
    bool mask = true;
};

// Exports written while a run goes on: open() writes what comes before the records (a CSV
// header row, the HAR log head), write() appends a batch as it arrives and flushes it, so the
// file grows during the run and memory stays flat, close() completes the file (the HAR's closing
// brackets). Nothing is kept between batches. Errors are values: once a write fails the writer
// stops writing and errorString() names the file and the reason.
class StreamWriter
{
public:
    // Completes the file (subclasses with a tail() close in their own destructor, while their
    // tail() can still be called).
    virtual ~StreamWriter();
    StreamWriter(const StreamWriter &) = delete;
    StreamWriter &operator=(const StreamWriter &) = delete;

    // Creates (truncates) the file. False: errorString() says why; nothing was written.
    bool open(const QString &path);
    // Writes to a device the caller opened and keeps (in-memory exports, tests).
    bool open(QIODevice *device);
    bool write(const QList<Exchange> &batch);
    bool write(const Exchange &exchange) { return write(QList<Exchange>{exchange}); }
    // Completes and closes; safe to call twice. False when any write failed.
    bool close();
    // Closes and removes the file: the run never started, an empty export would mislead.
    void discard();

    bool isOpen() const { return m_device != nullptr; }
    bool failed() const { return m_failed; }
    QString path() const { return m_path; }
    QString errorString() const { return m_error; }
    qint64 exchangesWritten() const { return m_exchanges; }
    const ExportOptions &options() const { return m_options; }

protected:
    explicit StreamWriter(const ExportOptions &options);
    virtual QByteArray head() { return QByteArray(); }
    // The bytes for one exchange (already masked when the options say so).
    virtual QByteArray record(const Exchange &exchange) = 0;
    virtual QByteArray tail() { return QByteArray(); }

private:
    bool put(const QByteArray &bytes);

    ExportOptions m_options;
    std::unique_ptr<QFile> m_file;
    QIODevice *m_device = nullptr;
    QString m_path;
    QString m_error;
    bool m_failed = false;
    qint64 m_exchanges = 0;
};

// CSV (RFC 4180: comma separated, CRLF line ends, fields with a comma, quote, CR or LF quoted,
// quotes doubled), UTF-8, a header row, one row per exchange:
//   time, request_id, method, authority, path, virtual_service, rule,
//   primary_destination, primary_endpoint, primary_outcome, primary_status,
//   primary_latency_ms, primary_error,
//   mirror_destination, mirror_endpoint, mirror_outcome, mirror_status, mirror_latency_ms,
//   mirror_error, mirror_drop_reason, mirror_count
// The mirror columns are the first mirror's (empty without one); mirror_count says how many
// there were. An absent status or latency is an empty field, not 0.
class CsvWriter : public StreamWriter
{
public:
    explicit CsvWriter(const ExportOptions &options = {}) : StreamWriter(options) {}
    static QStringList columns();
    static QByteArray quote(const QString &field);

protected:
    QByteArray head() override;
    QByteArray record(const Exchange &exchange) override;
};

// JSON Lines: one compact JSON object per exchange and line, every leg, headers as
// [{"name","value"}] in wire order, body prefixes as text (UTF-8) or base64 with
// "bodyEncoding": "base64".
class JsonLinesWriter : public StreamWriter
{
public:
    explicit JsonLinesWriter(const ExportOptions &options = {}) : StreamWriter(options) {}

protected:
    QByteArray record(const Exchange &exchange) override;
};

// Whole-list conveniences (the GUI's "Export…" over what the log holds).
bool writeCsv(const QString &path, const QList<Exchange> &exchanges, const ExportOptions &options,
              QString *error);
bool writeJsonLines(const QString &path, const QList<Exchange> &exchanges,
                    const ExportOptions &options, QString *error);

// Helpers shared by the exporters (and the HAR writer).
namespace ExportText {

// "completed", "failed", "sampled out", "dropped", "local".
QString outcomeName(Leg::Outcome outcome);
// "greeter-service:v2" (host, and the subset when there is one).
QString destination(const Routing::Target &target);
// ISO 8601, UTC, milliseconds: "2025-03-01T12:00:00.123Z"; the epoch for an invalid time.
QString isoTime(const QDateTime &time);
// Header names and values: UTF-8 when they are, Latin-1 (RFC 9110's legacy) otherwise.
QString headerText(const QByteArray &bytes);

// A body prefix as JSON can carry it.
struct Body
{
    QString text;
    bool base64 = false;
};
// UTF-8 text when it is; a prefix cut inside a multi-byte character (`truncated`) is still
// text, without the partial character; anything else base64.
Body body(const QByteArray &prefix, bool truncated);

// [{"name": ..., "value": ...}, ...]
QJsonArray headers(const QList<QPair<QByteArray, QByteArray>> &headers);

} // namespace ExportText

} // namespace Observe
