// "Export Exchanges…": what the hub stored, written as HAR, CSV, JSON Lines or the summary
// report, read in pages, secrets masked unless the person unticks the box, and a file that
// cannot be written is an error naming it.
#include "dialogs/exchangeexport.h"
#include "observe/hub.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using Observe::Exchange;
using Observe::Leg;
using Format = Ui::ExchangeExportDialog::Format;

namespace {

Leg leg(const QString &subset, int status)
{
    Leg l;
    l.destination = {QStringLiteral("greeter-service"), subset, 0};
    l.endpoint = QStringLiteral("127.0.0.1:1");
    l.status = status;
    l.totalUs = 3000;
    l.firstByteUs = 2000;
    l.connectUs = 100;
    l.responseHeaders = {{"content-type", "application/json"},
                         {"set-cookie", "sid=abc123; Path=/"}};
    l.bodyPrefix = R"({"message":"Hello"})";
    l.bodySize = l.bodyPrefix.size();
    return l;
}

QList<Exchange> exchanges(int n, quint64 firstId = 1)
{
    QList<Exchange> out;
    for (int i = 0; i < n; ++i) {
        Exchange e;
        e.id = firstId + quint64(i);
        e.requestId = "req-" + QByteArray::number(e.id);
        e.start = QDateTime::fromMSecsSinceEpoch(1700000000000 + i, QTimeZone::utc());
        e.method = "GET";
        e.authority = "greeter-service";
        e.path = "/hello/" + QByteArray::number(i);
        e.requestHeaders = {{"authorization", "Bearer s3cret-token"}};
        e.virtualService = QStringLiteral("greeter-service");
        e.ruleIndex = 0;
        e.primary = leg(QStringLiteral("v1"), 200);
        e.mirrors << leg(QStringLiteral("v2"), 200);
        out << e;
    }
    return out;
}

QByteArray read(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestExchangeExport : public QObject
{
    Q_OBJECT
private slots:
    void harHasEveryLegMasked();
    void jsonLinesPagesThroughTheStore();
    void unmaskedWhenAsked();
    void csvAndReport();
    void dialogWritesWhatItsFieldsSay();
    void unwritableFileIsAnErrorNamingIt();
};

void TestExchangeExport::harHasEveryLegMasked()
{
    Observe::Hub hub;
    hub.addBatch(exchanges(3));
    Ui::ExchangeExportDialog dialog(&hub, {});
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("run.har"));
    QString error;
    QVERIFY2(dialog.exportTo(path, Format::Har, true, &error), qPrintable(error));
    const QByteArray bytes = read(path);
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parse);
    QVERIFY2(parse.error == QJsonParseError::NoError, qPrintable(parse.errorString()));
    const QJsonArray entries =
        doc.object()[QStringLiteral("log")].toObject()[QStringLiteral("entries")].toArray();
    QCOMPARE(entries.size(), 6); // primary and mirror of each exchange
    QVERIFY(!bytes.contains("s3cret"));
    QVERIFY(!bytes.contains("abc123"));
    QVERIFY(bytes.contains("Bearer \xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2"));
}

void TestExchangeExport::jsonLinesPagesThroughTheStore()
{
    Observe::Hub hub;
    const int n = Ui::ExchangeExportDialog::kPageSize * 2 + 17; // three pages
    hub.addBatch(exchanges(n));
    Ui::ExchangeExportDialog dialog(&hub, {});
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("run.jsonl"));
    QString error;
    QVERIFY2(dialog.exportTo(path, Format::JsonLines, true, &error), qPrintable(error));
    const QList<QByteArray> lines = read(path).trimmed().split('\n');
    QCOMPARE(lines.size(), n);
    // In store order, each once.
    QCOMPARE(QJsonDocument::fromJson(lines.first()).object()[QStringLiteral("path")].toString(),
             QStringLiteral("/hello/0"));
    QCOMPARE(QJsonDocument::fromJson(lines.last()).object()[QStringLiteral("path")].toString(),
             QStringLiteral("/hello/%1").arg(n - 1));
    QVERIFY(!read(path).contains("s3cret"));
}

void TestExchangeExport::unmaskedWhenAsked()
{
    Observe::Hub hub;
    hub.addBatch(exchanges(2));
    Ui::ExchangeExportDialog dialog(&hub, {});
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("raw.jsonl"));
    QVERIFY(dialog.exportTo(path, Format::JsonLines, false));
    QVERIFY(read(path).contains("Bearer s3cret-token"));
    QVERIFY(read(path).contains("sid=abc123"));
}

void TestExchangeExport::csvAndReport()
{
    Observe::Hub hub;
    hub.addBatch(exchanges(4));
    QJsonObject base;
    base[QStringLiteral("summary")] = QJsonObject{{QStringLiteral("exchanges"), 4}};
    Ui::ExchangeExportDialog dialog(&hub, base);
    QTemporaryDir dir;
    const QString csv = dir.filePath(QStringLiteral("run.csv"));
    QVERIFY(dialog.exportTo(csv, Format::Csv, true));
    const QList<QByteArray> rows = read(csv).trimmed().split('\n');
    QCOMPARE(rows.size(), 5); // header + 4
    QVERIFY(rows.first().startsWith("time,request_id,method"));

    const QString report = dir.filePath(QStringLiteral("report.json"));
    QVERIFY(dialog.exportTo(report, Format::Report, true));
    const QJsonObject json = QJsonDocument::fromJson(read(report)).object();
    QCOMPARE(json[QStringLiteral("summary")].toObject()[QStringLiteral("exchanges")].toInt(), 4);
    const QJsonObject observed = json[QStringLiteral("observed")].toObject();
    QCOMPARE(observed[QStringLiteral("exchanges")].toInt(), 4);
    QCOMPARE(observed[QStringLiteral("versions")].toArray().size(), 2);
    QCOMPARE(observed[QStringLiteral("endpoints")].toArray().size(), 1); // GET /hello/{id}
}

void TestExchangeExport::dialogWritesWhatItsFieldsSay()
{
    Observe::Hub hub;
    hub.addBatch(exchanges(2));
    Ui::ExchangeExportDialog dialog(&hub, {});
    QVERIFY(dialog.maskBox()->isChecked()); // masking is on by default
    QVERIFY(dialog.statusLabel()->text().contains(QStringLiteral("2 exchanges")));
    QTemporaryDir dir;
    dialog.pathEdit()->setText(dir.filePath(QStringLiteral("out.har")));
    dialog.formatBox()->setCurrentIndex(dialog.formatBox()->findData(int(Format::JsonLines)));
    QCOMPARE(dialog.pathEdit()->text(),
             dir.filePath(QStringLiteral("out.jsonl"))); // suffix follows
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    dialog.exportButton()->click();
    QCOMPARE(accepted.count(), 1);
    QCOMPARE(read(dir.filePath(QStringLiteral("out.jsonl"))).trimmed().split('\n').size(), 2);
}

void TestExchangeExport::unwritableFileIsAnErrorNamingIt()
{
    Observe::Hub hub;
    hub.addBatch(exchanges(1));
    Ui::ExchangeExportDialog dialog(&hub, {});
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("missing/run.har"));
    for (Format format : {Format::Har, Format::Report}) {
        QString error;
        QVERIFY(!dialog.exportTo(bad, format, true, &error));
        QVERIFY2(error.contains(bad), qPrintable(error));
    }
    // Through the dialog: it stays open and says why.
    dialog.pathEdit()->setText(bad);
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    dialog.exportButton()->click();
    QCOMPARE(accepted.count(), 0);
    QVERIFY(dialog.statusLabel()->text().contains(bad));
}

QTEST_MAIN(TestExchangeExport)
#include "tst_exchangeexport.moc"
