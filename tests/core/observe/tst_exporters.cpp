// CSV and JSON Lines exports: RFC 4180 quoting read back by a strict parser, one JSON object per
// line, bodies as text or base64, streaming to a file while it is open, clear errors.
#include "observe/exporters.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Observe;

namespace {

Routing::Target target(const char *subset)
{
    return {QStringLiteral("greeter-service"), QString::fromLatin1(subset), 0};
}

Exchange makeExchange(quint64 id, const QByteArray &path = "/hello")
{
    Exchange e;
    e.id = id;
    e.requestId = "req-" + QByteArray::number(id);
    e.start = QDateTime(QDate(2025, 3, 1), QTime(12, 0, 0, 123), Qt::UTC);
    e.method = "GET";
    e.authority = "greeter-service";
    e.path = path;
    e.requestHeaders = {{"accept", "*/*"}, {"x-request-id", e.requestId}};
    e.virtualService = QStringLiteral("greeter");
    e.ruleIndex = 0;
    e.primary.destination = target("v1");
    e.primary.endpoint = QStringLiteral("127.0.0.1:3001");
    e.primary.status = 200;
    e.primary.responseHeaders = {{"content-type", "application/json"}};
    e.primary.bodyPrefix = "{\"message\":\"hello\"}";
    e.primary.bodySize = e.primary.bodyPrefix.size();
    e.primary.connectUs = 100;
    e.primary.firstByteUs = 1200;
    e.primary.totalUs = 1500;
    Leg m;
    m.destination = target("v2");
    m.endpoint = QStringLiteral("127.0.0.1:3002");
    m.status = 503;
    m.totalUs = 4250;
    m.firstByteUs = 4000;
    e.mirrors.append(m);
    return e;
}

// RFC 4180 reader: fields may be quoted, "" is a quote inside quotes, quoted fields may hold
// commas, CR and LF; records end with CRLF. Returns false on anything else.
bool parseCsv(const QByteArray &text, QList<QStringList> *records)
{
    QStringList record;
    QByteArray field;
    qsizetype i = 0;
    const qsizetype n = text.size();
    while (i < n) {
        if (text.at(i) == '"') {
            ++i;
            for (;;) {
                if (i >= n)
                    return false; // unterminated quote
                if (text.at(i) == '"') {
                    if (i + 1 < n && text.at(i + 1) == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += text.at(i++);
            }
        } else {
            while (i < n && text.at(i) != ',' && text.at(i) != '\r' && text.at(i) != '\n') {
                if (text.at(i) == '"')
                    return false; // a quote in an unquoted field
                field += text.at(i++);
            }
        }
        record << QString::fromUtf8(field);
        field.clear();
        if (i < n && text.at(i) == ',') {
            ++i;
            continue;
        }
        if (i + 1 < n && text.at(i) == '\r' && text.at(i + 1) == '\n') {
            i += 2;
            records->append(record);
            record.clear();
            continue;
        }
        return false; // bare LF/CR or junk after a closing quote
    }
    return record.isEmpty();
}

QByteArray exportToBuffer(StreamWriter &w, const QList<Exchange> &list)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    w.open(&buffer);
    w.write(list);
    w.close();
    return buffer.data();
}

QString readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

} // namespace

class TestExporters : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void csvQuote_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("plain") << QStringLiteral("/hello") << QByteArray("/hello");
        QTest::newRow("empty") << QString() << QByteArray();
        QTest::newRow("comma") << QStringLiteral("a,b") << QByteArray("\"a,b\"");
        QTest::newRow("quote") << QStringLiteral("say \"hi\"") << QByteArray("\"say \"\"hi\"\"\"");
        QTest::newRow("newline") << QStringLiteral("a\nb") << QByteArray("\"a\nb\"");
        QTest::newRow("carriage return") << QStringLiteral("a\rb") << QByteArray("\"a\rb\"");
        QTest::newRow("utf-8") << QStringLiteral("grüße") << QStringLiteral("grüße").toUtf8();
    }

    void csvQuote()
    {
        QFETCH(QString, field);
        QFETCH(QByteArray, expected);
        QCOMPARE(CsvWriter::quote(field), expected);
    }

    void csvRoundTripsAwkwardFields()
    {
        Exchange awkward = makeExchange(2, "/search?q=a,b&say=\"hi\"");
        awkward.ruleName = QStringLiteral("rule, with \"quotes\"\nand a newline");
        awkward.mirrors[0].outcome = Leg::Outcome::Failed;
        awkward.mirrors[0].status = 0;
        awkward.mirrors[0].error = QStringLiteral("connect failure");
        Exchange dropped = makeExchange(3);
        dropped.mirrors[0] = Leg();
        dropped.mirrors[0].destination = target("v2");
        dropped.mirrors[0].outcome = Leg::Outcome::Dropped;
        dropped.mirrors[0].dropReason = QStringLiteral("in-flight limit");
        Exchange noMirror = makeExchange(4);
        noMirror.mirrors.clear();

        CsvWriter w;
        const QByteArray csv = exportToBuffer(w, {makeExchange(1), awkward, dropped, noMirror});
        QList<QStringList> rows;
        QVERIFY2(parseCsv(csv, &rows), csv.constData());
        QCOMPARE(rows.size(), 5);
        QCOMPARE(rows.at(0), CsvWriter::columns());
        for (const QStringList &row : rows)
            QCOMPARE(row.size(), CsvWriter::columns().size());
        auto cell = [&](int row, const char *column) {
            return rows.at(row).at(CsvWriter::columns().indexOf(QLatin1String(column)));
        };
        QCOMPARE(cell(1, "time"), QStringLiteral("2025-03-01T12:00:00.123Z"));
        QCOMPARE(cell(1, "request_id"), QStringLiteral("req-1"));
        QCOMPARE(cell(1, "primary_destination"), QStringLiteral("greeter-service:v1"));
        QCOMPARE(cell(1, "primary_status"), QStringLiteral("200"));
        QCOMPARE(cell(1, "primary_latency_ms"), QStringLiteral("1.500"));
        QCOMPARE(cell(1, "mirror_destination"), QStringLiteral("greeter-service:v2"));
        QCOMPARE(cell(1, "mirror_status"), QStringLiteral("503"));
        QCOMPARE(cell(1, "mirror_latency_ms"), QStringLiteral("4.250"));
        QCOMPARE(cell(1, "mirror_outcome"), QStringLiteral("completed"));
        QCOMPARE(cell(1, "mirror_count"), QStringLiteral("1"));
        QCOMPARE(cell(1, "rule"), QStringLiteral("http[0]"));

        QCOMPARE(cell(2, "path"), QStringLiteral("/search?q=a,b&say=\"hi\""));
        QCOMPARE(cell(2, "rule"), awkward.ruleName);
        QCOMPARE(cell(2, "mirror_outcome"), QStringLiteral("failed"));
        QCOMPARE(cell(2, "mirror_status"), QString()); // no status is empty, not 0
        QCOMPARE(cell(2, "mirror_error"), QStringLiteral("connect failure"));

        QCOMPARE(cell(3, "mirror_outcome"), QStringLiteral("dropped"));
        QCOMPARE(cell(3, "mirror_drop_reason"), QStringLiteral("in-flight limit"));
        QCOMPARE(cell(3, "mirror_latency_ms"), QString());

        QCOMPARE(cell(4, "mirror_destination"), QString());
        QCOMPARE(cell(4, "mirror_count"), QStringLiteral("0"));
    }

    void jsonLinesOneObjectPerLine()
    {
        Exchange binary = makeExchange(2);
        binary.method = "POST";
        binary.requestBodyPrefix = QByteArray("\x00\xff\xfe binary", 10);
        binary.requestBodySize = 4096;
        binary.primary.bodyPrefix = "caf\xc3\xa9 h\xc3"; // cut inside the second "é"
        binary.primary.bodySize = 100;
        Exchange sampled = makeExchange(3);
        sampled.mirrors[0] = Leg();
        sampled.mirrors[0].destination = target("v2");
        sampled.mirrors[0].outcome = Leg::Outcome::SampledOut;

        JsonLinesWriter w;
        const QByteArray text = exportToBuffer(w, {makeExchange(1), binary, sampled});
        QVERIFY(text.endsWith('\n'));
        const QList<QByteArray> lines = text.chopped(1).split('\n');
        QCOMPARE(lines.size(), 3);
        QList<QJsonObject> objects;
        for (const QByteArray &line : lines) {
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
            QVERIFY2(error.error == QJsonParseError::NoError && doc.isObject(), line.constData());
            objects << doc.object();
        }
        const QJsonObject first = objects.at(0);
        QCOMPARE(first.value(QLatin1String("requestId")).toString(), QStringLiteral("req-1"));
        QCOMPARE(first.value(QLatin1String("time")).toString(),
                 QStringLiteral("2025-03-01T12:00:00.123Z"));
        const QJsonObject primary = first.value(QLatin1String("primary")).toObject();
        QCOMPARE(primary.value(QLatin1String("status")).toInt(), 200);
        QCOMPARE(primary.value(QLatin1String("body")).toString(),
                 QStringLiteral("{\"message\":\"hello\"}"));
        QCOMPARE(primary.value(QLatin1String("bodyEncoding")).toString(), QStringLiteral("text"));
        QCOMPARE(primary.value(QLatin1String("totalMs")).toDouble(), 1.5);
        QCOMPARE(primary.value(QLatin1String("headers"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("name")),
                 QJsonValue(QStringLiteral("content-type")));
        const QJsonArray mirrors = first.value(QLatin1String("mirrors")).toArray();
        QCOMPARE(mirrors.size(), 1);
        QCOMPARE(mirrors.at(0).toObject().value(QLatin1String("status")).toInt(), 503);
        QCOMPARE(mirrors.at(0).toObject().value(QLatin1String("leg")).toString(),
                 QStringLiteral("mirror"));

        const QJsonObject request = objects.at(1).value(QLatin1String("request")).toObject();
        QCOMPARE(request.value(QLatin1String("bodyEncoding")).toString(), QStringLiteral("base64"));
        QCOMPARE(QByteArray::fromBase64(request.value(QLatin1String("body")).toString().toLatin1()),
                 binary.requestBodyPrefix);
        QCOMPARE(request.value(QLatin1String("bodySize")).toInt(), 4096);
        QCOMPARE(request.value(QLatin1String("bodyTruncated")).toBool(), true);
        // A prefix cut inside a character is still text, minus the partial character.
        const QJsonObject cut = objects.at(1).value(QLatin1String("primary")).toObject();
        QCOMPARE(cut.value(QLatin1String("bodyEncoding")).toString(), QStringLiteral("text"));
        QCOMPARE(cut.value(QLatin1String("body")).toString(), QStringLiteral("café h"));

        const QJsonObject out =
            objects.at(2).value(QLatin1String("mirrors")).toArray().at(0).toObject();
        QCOMPARE(out.value(QLatin1String("outcome")).toString(), QStringLiteral("sampled out"));
        QVERIFY(out.value(QLatin1String("totalMs")).isNull());
    }

    void streamsToFileWhileOpen()
    {
        QVERIFY(m_dir.isValid());
        const QString csvPath = m_dir.filePath(QStringLiteral("stream.csv"));
        const QString jsonlPath = m_dir.filePath(QStringLiteral("stream.jsonl"));
        CsvWriter csv;
        JsonLinesWriter jsonl;
        QVERIFY2(csv.open(csvPath), qPrintable(csv.errorString()));
        QVERIFY2(jsonl.open(jsonlPath), qPrintable(jsonl.errorString()));
        QVERIFY(readAll(csvPath).startsWith(QLatin1String("time,request_id,")));
        QVERIFY(csv.write({makeExchange(1), makeExchange(2)}));
        QVERIFY(jsonl.write({makeExchange(1), makeExchange(2)}));
        // On disk before close: a reader tailing the file sees the rows as they come.
        QCOMPARE(readAll(csvPath).count(QLatin1String("\r\n")), 3);
        QCOMPARE(readAll(jsonlPath).count(QLatin1Char('\n')), 2);
        QVERIFY(csv.write(makeExchange(3)));
        QVERIFY(jsonl.write(makeExchange(3)));
        QVERIFY(csv.close());
        QVERIFY(jsonl.close());
        QCOMPARE(csv.exchangesWritten(), 3);
        QCOMPARE(readAll(csvPath).count(QLatin1String("\r\n")), 4);
        QCOMPARE(readAll(jsonlPath).count(QLatin1Char('\n')), 3);
    }

    void wholeListFunctions()
    {
        const QString csvPath = m_dir.filePath(QStringLiteral("list.csv"));
        const QString jsonlPath = m_dir.filePath(QStringLiteral("list.jsonl"));
        QString error;
        QVERIFY2(writeCsv(csvPath, {makeExchange(1)}, {}, &error), qPrintable(error));
        QVERIFY2(writeJsonLines(jsonlPath, {makeExchange(1), makeExchange(2)}, {}, &error),
                 qPrintable(error));
        QCOMPARE(readAll(csvPath).count(QLatin1String("\r\n")), 2);
        QCOMPARE(readAll(jsonlPath).count(QLatin1Char('\n')), 2);
    }

    void unwritablePathIsAClearError()
    {
        const QString bad = m_dir.filePath(QStringLiteral("no-such-dir/out.csv"));
        CsvWriter w;
        QVERIFY(!w.open(bad));
        QVERIFY(w.failed());
        QVERIFY2(w.errorString().contains(bad), qPrintable(w.errorString()));
        QVERIFY(!w.write(makeExchange(1)));
        QVERIFY(!w.close());
        QString error;
        QVERIFY(!writeJsonLines(m_dir.path(), {makeExchange(1)}, {}, &error)); // a directory
        QVERIFY2(error.contains(m_dir.path()), qPrintable(error));
    }

    void discardRemovesTheFile()
    {
        const QString path = m_dir.filePath(QStringLiteral("discard.csv"));
        CsvWriter w;
        QVERIFY(w.open(path));
        QVERIFY(QFile::exists(path));
        w.discard();
        QVERIFY(!QFile::exists(path));
    }
};

QTEST_GUILESS_MAIN(TestExporters)
#include "tst_exporters.moc"
