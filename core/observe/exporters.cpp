#include "observe/exporters.h"

#include "observe/masking.h"

#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Observe {

// --- StreamWriter ---------------------------------------------------------------------------

StreamWriter::StreamWriter(const ExportOptions &options) : m_options(options) {}

StreamWriter::~StreamWriter()
{
    close();
}

bool StreamWriter::open(const QString &path)
{
    close();
    m_path = path;
    m_error.clear();
    m_failed = false;
    m_exchanges = 0;
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        m_error = QStringLiteral("cannot write %1: %2").arg(path, file->errorString());
        m_failed = true;
        return false;
    }
    m_file = std::move(file);
    m_device = m_file.get();
    return put(head());
}

bool StreamWriter::open(QIODevice *device)
{
    close();
    m_path.clear();
    m_error.clear();
    m_failed = false;
    m_exchanges = 0;
    m_device = device;
    return put(head());
}

bool StreamWriter::put(const QByteArray &bytes)
{
    if (m_failed || !m_device)
        return false;
    if (bytes.isEmpty())
        return true;
    if (m_device->write(bytes) != bytes.size() || (m_file && !m_file->flush())) {
        // Disk full, file removed from under us: say so once, stop writing, keep running.
        m_error =
            QStringLiteral("cannot write %1: %2")
                .arg(m_path.isEmpty() ? QStringLiteral("export") : m_path, m_device->errorString());
        m_failed = true;
        return false;
    }
    return true;
}

bool StreamWriter::write(const QList<Exchange> &batch)
{
    if (m_failed || !m_device)
        return false;
    QByteArray bytes;
    for (const Exchange &e : batch) {
        bytes += m_options.mask ? record(Masking::maskExchange(e)) : record(e);
        ++m_exchanges;
    }
    return put(bytes);
}

bool StreamWriter::close()
{
    if (!m_device)
        return !m_failed;
    put(tail());
    if (m_file) {
        m_file->close();
        if (!m_failed && m_file->error() != QFileDevice::NoError) {
            m_error = QStringLiteral("cannot write %1: %2").arg(m_path, m_file->errorString());
            m_failed = true;
        }
        m_file.reset();
    }
    m_device = nullptr;
    return !m_failed;
}

void StreamWriter::discard()
{
    const bool ownFile = m_file != nullptr;
    close();
    if (ownFile)
        QFile::remove(m_path);
}

// --- helpers --------------------------------------------------------------------------------

namespace ExportText {

QString outcomeName(Leg::Outcome outcome)
{
    switch (outcome) {
    case Leg::Outcome::Completed:
        return QStringLiteral("completed");
    case Leg::Outcome::Failed:
        return QStringLiteral("failed");
    case Leg::Outcome::SampledOut:
        return QStringLiteral("sampled out");
    case Leg::Outcome::Dropped:
        return QStringLiteral("dropped");
    case Leg::Outcome::Local:
        return QStringLiteral("local");
    }
    return QString();
}

QString destination(const Routing::Target &target)
{
    if (target.subset.isEmpty())
        return target.host;
    return target.host + QLatin1Char(':') + target.subset;
}

QString isoTime(const QDateTime &time)
{
    const QDateTime t = time.isValid() ? time.toUTC() : QDateTime::fromMSecsSinceEpoch(0, Qt::UTC);
    return t.toString(Qt::ISODateWithMs);
}

QString headerText(const QByteArray &bytes)
{
    return bytes.isValidUtf8() ? QString::fromUtf8(bytes) : QString::fromLatin1(bytes);
}

Body body(const QByteArray &prefix, bool truncated)
{
    if (prefix.isValidUtf8())
        return {QString::fromUtf8(prefix), false};
    if (truncated) {
        // The cut may have split one character of up to four bytes.
        for (int chop = 1; chop <= 3 && chop < prefix.size(); ++chop) {
            const QByteArrayView head(prefix.constData(), prefix.size() - chop);
            if (head.isValidUtf8())
                return {QString::fromUtf8(head), false};
        }
    }
    return {QString::fromLatin1(prefix.toBase64()), true};
}

QJsonArray headers(const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QJsonArray out;
    for (const auto &h : headers) {
        QJsonObject o;
        o[QStringLiteral("name")] = headerText(h.first);
        o[QStringLiteral("value")] = headerText(h.second);
        out.append(o);
    }
    return out;
}

} // namespace ExportText

using namespace ExportText;

// --- CSV ------------------------------------------------------------------------------------

QStringList CsvWriter::columns()
{
    return {QStringLiteral("time"),
            QStringLiteral("request_id"),
            QStringLiteral("method"),
            QStringLiteral("authority"),
            QStringLiteral("path"),
            QStringLiteral("virtual_service"),
            QStringLiteral("rule"),
            QStringLiteral("primary_destination"),
            QStringLiteral("primary_endpoint"),
            QStringLiteral("primary_outcome"),
            QStringLiteral("primary_status"),
            QStringLiteral("primary_latency_ms"),
            QStringLiteral("primary_error"),
            QStringLiteral("mirror_destination"),
            QStringLiteral("mirror_endpoint"),
            QStringLiteral("mirror_outcome"),
            QStringLiteral("mirror_status"),
            QStringLiteral("mirror_latency_ms"),
            QStringLiteral("mirror_error"),
            QStringLiteral("mirror_drop_reason"),
            QStringLiteral("mirror_count")};
}

QByteArray CsvWriter::quote(const QString &field)
{
    const QByteArray utf8 = field.toUtf8();
    if (!utf8.contains(',') && !utf8.contains('"') && !utf8.contains('\n') && !utf8.contains('\r'))
        return utf8;
    QByteArray out = utf8;
    out.replace('"', "\"\"");
    return '"' + out + '"';
}

namespace {

QByteArray csvRow(const QStringList &fields)
{
    QByteArray row;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i > 0)
            row += ',';
        row += CsvWriter::quote(fields.at(i));
    }
    row += "\r\n";
    return row;
}

QString statusField(int status)
{
    return status > 0 ? QString::number(status) : QString();
}

QString latencyField(qint64 us)
{
    return us >= 0 ? QString::number(us / 1000.0, 'f', 3) : QString();
}

QString ruleText(const Exchange &e)
{
    if (!e.ruleName.isEmpty())
        return e.ruleName;
    return e.ruleIndex >= 0 ? QStringLiteral("http[%1]").arg(e.ruleIndex) : QString();
}

} // namespace

QByteArray CsvWriter::head()
{
    return csvRow(columns());
}

QByteArray CsvWriter::record(const Exchange &e)
{
    QStringList f;
    f << isoTime(e.start) << headerText(e.requestId) << QString::fromLatin1(e.method)
      << headerText(e.authority) << headerText(e.path) << e.virtualService << ruleText(e);
    const Leg &p = e.primary;
    f << destination(p.destination) << p.endpoint << outcomeName(p.outcome) << statusField(p.status)
      << latencyField(p.totalUs) << p.error;
    if (e.mirrors.isEmpty()) {
        for (int i = 0; i < 7; ++i)
            f << QString();
    } else {
        const Leg &m = e.mirrors.first();
        f << destination(m.destination) << m.endpoint << outcomeName(m.outcome)
          << statusField(m.status) << latencyField(m.totalUs) << m.error << m.dropReason;
    }
    f << QString::number(e.mirrors.size());
    return csvRow(f);
}

// --- JSON Lines -----------------------------------------------------------------------------

namespace {

void putBody(QJsonObject &o, const QByteArray &prefix, qint64 size)
{
    o[QStringLiteral("bodySize")] = size;
    if (prefix.isEmpty())
        return;
    const Body b = body(prefix, size > prefix.size());
    o[QStringLiteral("body")] = b.text;
    o[QStringLiteral("bodyEncoding")] =
        b.base64 ? QStringLiteral("base64") : QStringLiteral("text");
    if (size > prefix.size())
        o[QStringLiteral("bodyTruncated")] = true;
}

QJsonValue msOrNull(qint64 us)
{
    return us >= 0 ? QJsonValue(us / 1000.0) : QJsonValue(QJsonValue::Null);
}

QJsonObject legJson(const Leg &leg, bool mirror)
{
    QJsonObject o;
    o[QStringLiteral("leg")] = mirror ? QStringLiteral("mirror") : QStringLiteral("primary");
    o[QStringLiteral("destination")] = destination(leg.destination);
    o[QStringLiteral("endpoint")] = leg.endpoint;
    o[QStringLiteral("outcome")] = outcomeName(leg.outcome);
    o[QStringLiteral("status")] = leg.status;
    if (!leg.error.isEmpty())
        o[QStringLiteral("error")] = leg.error;
    if (!leg.dropReason.isEmpty())
        o[QStringLiteral("dropReason")] = leg.dropReason;
    o[QStringLiteral("connectMs")] = msOrNull(leg.connectUs);
    o[QStringLiteral("firstByteMs")] = msOrNull(leg.firstByteUs);
    o[QStringLiteral("totalMs")] = msOrNull(leg.totalUs);
    o[QStringLiteral("attempts")] = leg.attempts;
    o[QStringLiteral("headers")] = headers(leg.responseHeaders);
    putBody(o, leg.bodyPrefix, leg.bodySize);
    if (leg.bodySize > 0)
        o[QStringLiteral("bodyHash")] = QString::number(leg.bodyHash, 16).rightJustified(16, '0');
    return o;
}

} // namespace

QByteArray JsonLinesWriter::record(const Exchange &e)
{
    QJsonObject o;
    o[QStringLiteral("id")] = static_cast<qint64>(e.id);
    o[QStringLiteral("requestId")] = headerText(e.requestId);
    o[QStringLiteral("time")] = isoTime(e.start);
    o[QStringLiteral("method")] = QString::fromLatin1(e.method);
    o[QStringLiteral("authority")] = headerText(e.authority);
    o[QStringLiteral("path")] = headerText(e.path);
    o[QStringLiteral("virtualService")] = e.virtualService;
    o[QStringLiteral("ruleIndex")] = e.ruleIndex;
    o[QStringLiteral("rule")] = ruleText(e);
    QJsonObject request;
    request[QStringLiteral("headers")] = headers(e.requestHeaders);
    putBody(request, e.requestBodyPrefix, e.requestBodySize);
    o[QStringLiteral("request")] = request;
    o[QStringLiteral("primary")] = legJson(e.primary, false);
    QJsonArray mirrors;
    for (const Leg &m : e.mirrors)
        mirrors.append(legJson(m, true));
    o[QStringLiteral("mirrors")] = mirrors;
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

// --- whole lists ----------------------------------------------------------------------------

namespace {

bool writeAll(StreamWriter &writer, const QString &path, const QList<Exchange> &exchanges,
              QString *error)
{
    bool ok = writer.open(path) && writer.write(exchanges);
    ok = writer.close() && ok;
    if (!ok && error)
        *error = writer.errorString();
    return ok;
}

} // namespace

bool writeCsv(const QString &path, const QList<Exchange> &exchanges, const ExportOptions &options,
              QString *error)
{
    CsvWriter w(options);
    return writeAll(w, path, exchanges, error);
}

bool writeJsonLines(const QString &path, const QList<Exchange> &exchanges,
                    const ExportOptions &options, QString *error)
{
    JsonLinesWriter w(options);
    return writeAll(w, path, exchanges, error);
}

} // namespace Observe
