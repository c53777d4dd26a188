#include "routing/mirror.h"

#include <QtTest>

using namespace Routing;

class TestMirror : public QObject
{
    Q_OBJECT

private slots:
    void shadowHost_data();
    void shadowHost();
    void fractionalNumerator_data();
    void fractionalNumerator();
    void shouldMirror_data();
    void shouldMirror();
};

void TestMirror::shadowHost_data()
{
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("name") << QByteArray("httpbin") << QByteArray("httpbin-shadow");
    QTest::newRow("name:port") << QByteArray("httpbin:8000") << QByteArray("httpbin-shadow:8000");
    QTest::newRow("fqdn:port") << QByteArray("httpbin.default.svc.cluster.local:80")
                               << QByteArray("httpbin.default.svc.cluster.local-shadow:80");
    QTest::newRow("ipv4:port") << QByteArray("10.0.0.1:80") << QByteArray("10.0.0.1-shadow:80");
    QTest::newRow("ipv6:port") << QByteArray("[::1]:8080") << QByteArray("[::1]-shadow:8080");
    QTest::newRow("ipv6") << QByteArray("[::1]") << QByteArray("[::1]-shadow");
    QTest::newRow("ipv6 full") << QByteArray("[fe80::1:2]") << QByteArray("[fe80::1:2]-shadow");
    QTest::newRow("empty") << QByteArray() << QByteArray("-shadow");
}

void TestMirror::shadowHost()
{
    QFETCH(QByteArray, host);
    QFETCH(QByteArray, expected);
    QCOMPARE(Routing::shadowHost(host), expected);
}

void TestMirror::fractionalNumerator_data()
{
    QTest::addColumn<double>("percent");
    QTest::addColumn<quint32>("expected");
    QTest::newRow("100") << 100.0 << quint32(1000000);
    QTest::newRow("50") << 50.0 << quint32(500000);
    QTest::newRow("0.0001") << 0.0001 << quint32(1);
    QTest::newRow("below resolution") << 0.00001 << quint32(0);
    QTest::newRow("0") << 0.0 << quint32(0);
    QTest::newRow("negative") << -5.0 << quint32(0);
    QTest::newRow("above 100 clamps") << 150.0 << quint32(1000000);
    // Go's uint32(0.57*10000) truncates 5699.999999999999.
    QTest::newRow("truncation like Go") << 0.57 << quint32(5699);
}

void TestMirror::fractionalNumerator()
{
    QFETCH(double, percent);
    QFETCH(quint32, expected);
    QCOMPARE(Routing::fractionalNumerator(percent), expected);
}

void TestMirror::shouldMirror_data()
{
    QTest::addColumn<double>("percent");
    QTest::addColumn<double>("random");
    QTest::addColumn<bool>("expected");
    QTest::newRow("100% lowest draw") << 100.0 << 0.0 << true;
    QTest::newRow("100% highest draw") << 100.0 << 0.9999999 << true;
    QTest::newRow("0% lowest draw") << 0.0 << 0.0 << false;
    QTest::newRow("50% just below") << 50.0 << 0.499999 << true;
    QTest::newRow("50% at the boundary") << 50.0 << 0.5 << false;
    QTest::newRow("50% above") << 50.0 << 0.75 << false;
    QTest::newRow("10% inside") << 10.0 << 0.05 << true;
    QTest::newRow("10% outside") << 10.0 << 0.1 << false;
    QTest::newRow("0.0001% first slot only") << 0.0001 << 0.0 << true;
    QTest::newRow("0.0001% second slot") << 0.0001 << 0.000001 << false;
    QTest::newRow("below resolution never") << 0.00001 << 0.0 << false;
    QTest::newRow("random 1.0 clamps to last slot") << 99.9999 << 1.0 << false;
}

void TestMirror::shouldMirror()
{
    QFETCH(double, percent);
    QFETCH(double, random);
    QFETCH(bool, expected);
    QCOMPARE(Routing::shouldMirror(percent, random), expected);
}

QTEST_APPLESS_MAIN(TestMirror)
#include "tst_mirror.moc"
