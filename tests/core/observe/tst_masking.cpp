// Secret masking: the header rules, the exchange copy, and every export with masking on and off.
#include "observe/exporters.h"
#include "observe/har.h"
#include "observe/masking.h"

#include <QBuffer>
#include <QTest>

using namespace Observe;

namespace {

const QByteArray bullets = "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2";

// A completed exchange whose request and both responses carry credentials and cookies.
Exchange exchangeWithSecrets()
{
    Exchange e;
    e.id = 7;
    e.requestId = "req-7";
    e.start = QDateTime::currentDateTimeUtc();
    e.method = "GET";
    e.authority = "greeter-service";
    e.path = "/hello";
    e.requestHeaders = {{"Authorization", "Bearer s3cr3t-token"},
                        {"Cookie", "session=s3cr3t-session; theme=dark"},
                        {"Proxy-Authorization", "Basic czNjcjN0"},
                        {"accept", "*/*"}};
    e.primary.destination = {QStringLiteral("greeter-service"), QStringLiteral("v1"), 0};
    e.primary.endpoint = QStringLiteral("127.0.0.1:3001");
    e.primary.status = 200;
    e.primary.responseHeaders = {{"set-cookie", "sid=s3cr3t-sid; Path=/; HttpOnly"},
                                 {"content-type", "text/plain"}};
    e.primary.bodyPrefix = "hello";
    e.primary.bodySize = 5;
    e.primary.totalUs = 1500;
    Leg mirror;
    mirror.destination = {QStringLiteral("greeter-service"), QStringLiteral("v2"), 0};
    mirror.endpoint = QStringLiteral("127.0.0.1:3002");
    mirror.status = 200;
    mirror.responseHeaders = {{"Set-Cookie", "sid=s3cr3t-mirror-sid"}};
    mirror.totalUs = 2500;
    e.mirrors.append(mirror);
    return e;
}

QByteArray exportWith(StreamWriter &writer, const Exchange &e)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    writer.open(&buffer);
    writer.write(e);
    writer.close();
    return buffer.data();
}

} // namespace

class TestMasking : public QObject
{
    Q_OBJECT

private slots:
    void headerValues_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("bearer keeps scheme")
            << QByteArray("Authorization") << QByteArray("Bearer eyJhbGciOi.x.y")
            << "Bearer " + bullets;
        QTest::newRow("basic, lower-case name")
            << QByteArray("authorization") << QByteArray("Basic dXNlcjpwYXNz")
            << "Basic " + bullets;
        QTest::newRow("digest with parameters")
            << QByteArray("AUTHORIZATION") << QByteArray("Digest username=\"a\", response=\"b\"")
            << "Digest " + bullets;
        QTest::newRow("lone token: all secret")
            << QByteArray("Authorization") << QByteArray("s3cr3t") << bullets;
        QTest::newRow("empty stays empty")
            << QByteArray("Authorization") << QByteArray() << QByteArray();
        QTest::newRow("proxy-authorization") << QByteArray("Proxy-Authorization")
                                             << QByteArray("Basic czNjcjN0") << "Basic " + bullets;
        QTest::newRow("cookie keeps names")
            << QByteArray("Cookie") << QByteArray("session=abc; theme=dark")
            << "session=" + bullets + "; theme=" + bullets;
        QTest::newRow("cookie without '='")
            << QByteArray("cookie") << QByteArray("justavalue;a=1") << bullets + "; a=" + bullets;
        QTest::newRow("set-cookie keeps attributes")
            << QByteArray("Set-Cookie") << QByteArray("sid=abc123; Path=/; Secure; HttpOnly")
            << "sid=" + bullets + "; Path=/; Secure; HttpOnly";
        QTest::newRow("set-cookie alone")
            << QByteArray("set-cookie") << QByteArray("sid=abc123") << "sid=" + bullets;
        QTest::newRow("other headers untouched")
            << QByteArray("x-request-id") << QByteArray("Bearer not-a-secret")
            << QByteArray("Bearer not-a-secret");
    }

    void headerValues()
    {
        QFETCH(QByteArray, name);
        QFETCH(QByteArray, value);
        QFETCH(QByteArray, expected);
        QCOMPARE(Masking::maskHeaderValue(name, value), expected);
        QCOMPARE(Masking::isSensitiveHeader(name), value != expected || value.isEmpty());
    }

    void exchangeCopyMasksEveryLeg()
    {
        const Exchange original = exchangeWithSecrets();
        const Exchange masked = Masking::maskExchange(original);
        QCOMPARE(masked.requestHeaders.at(0).second, "Bearer " + bullets);
        QCOMPARE(masked.requestHeaders.at(1).second, "session=" + bullets + "; theme=" + bullets);
        QCOMPARE(masked.requestHeaders.at(2).second, "Basic " + bullets);
        QCOMPARE(masked.requestHeaders.at(3).second, QByteArray("*/*"));
        QCOMPARE(masked.primary.responseHeaders.at(0).second,
                 "sid=" + bullets + "; Path=/; HttpOnly");
        QCOMPARE(masked.mirrors.at(0).responseHeaders.at(0).second, "sid=" + bullets);
        // Everything else is the same record; the original is left alone.
        QCOMPARE(masked.requestId, original.requestId);
        QCOMPARE(masked.primary.bodyPrefix, original.primary.bodyPrefix);
        QCOMPARE(original.requestHeaders.at(0).second, QByteArray("Bearer s3cr3t-token"));
    }

    void exportsMaskUnlessTurnedOff_data()
    {
        QTest::addColumn<QString>("format");
        QTest::newRow("har") << QStringLiteral("har");
        QTest::newRow("jsonl") << QStringLiteral("jsonl");
        QTest::newRow("csv") << QStringLiteral("csv");
    }

    void exportsMaskUnlessTurnedOff()
    {
        QFETCH(QString, format);
        auto make = [&](bool mask) -> std::unique_ptr<StreamWriter> {
            ExportOptions o;
            o.mask = mask;
            if (format == QLatin1String("har"))
                return std::make_unique<HarWriter>(o);
            if (format == QLatin1String("jsonl"))
                return std::make_unique<JsonLinesWriter>(o);
            return std::make_unique<CsvWriter>(o);
        };
        const Exchange e = exchangeWithSecrets();
        const QByteArray masked = exportWith(*make(true), e);
        QVERIFY(!masked.isEmpty());
        QVERIFY2(!masked.contains("s3cr3t"), masked.constData());
        const QByteArray plain = exportWith(*make(false), e);
        if (format == QLatin1String("csv")) {
            // CSV has no header columns: nothing to mask, nothing leaks either way.
            QVERIFY(!plain.contains("s3cr3t"));
            return;
        }
        QVERIFY(masked.contains(bullets));
        QVERIFY(masked.contains("Bearer " + bullets));
        QVERIFY(masked.contains("session"));
        QVERIFY(plain.contains("Bearer s3cr3t-token"));
        QVERIFY(plain.contains("s3cr3t-session"));
        QVERIFY(plain.contains("s3cr3t-mirror-sid"));
        QVERIFY(!plain.contains(bullets));
    }
};

QTEST_GUILESS_MAIN(TestMasking)
#include "tst_masking.moc"
