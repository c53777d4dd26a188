#include "proxy/binding.h"

#include <QTest>

using namespace Proxy;

class TestBinding : public QObject
{
    Q_OBJECT
private slots:
    void parsesCliSpecs_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("host");
        QTest::addColumn<QString>("subset");
        QTest::addColumn<int>("port");
        QTest::addColumn<QString>("endpoint");
        QTest::newRow("host:subset") << "greeter-service:v1=127.0.0.1:3001"
                                     << "greeter-service"
                                     << "v1" << 0 << "127.0.0.1:3001";
        QTest::newRow("host only") << "greeter-service=127.0.0.1:3000"
                                   << "greeter-service"
                                   << "" << 0 << "127.0.0.1:3000";
        QTest::newRow("host:port") << "reviews:9080=http://127.0.0.1:4000/"
                                   << "reviews"
                                   << "" << 9080 << "127.0.0.1:4000";
        QTest::newRow("host:port:subset") << "reviews:9080:v2=127.0.0.1:4001"
                                          << "reviews"
                                          << "v2" << 9080 << "127.0.0.1:4001";
        QTest::newRow("named endpoint") << "a.b.svc.cluster.local:v3=localhost:8080"
                                        << "a.b.svc.cluster.local"
                                        << "v3" << 0 << "localhost:8080";
        QTest::newRow("ipv6") << "g:v1=[::1]:3001"
                              << "g"
                              << "v1" << 0 << "[::1]:3001";
    }
    void parsesCliSpecs()
    {
        QFETCH(QString, spec);
        Binding b;
        QString error;
        QVERIFY2(Bindings::parse(spec, &b, &error), qPrintable(error));
        QFETCH(QString, host);
        QFETCH(QString, subset);
        QFETCH(int, port);
        QFETCH(QString, endpoint);
        QCOMPARE(b.target.host, host);
        QCOMPARE(b.target.subset, subset);
        QCOMPARE(b.target.port, port);
        QCOMPARE(b.endpoint.text, endpoint);
    }

    void rejectsBadSpecs_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("no =") << "greeter-service:v1"
                              << "HOST[:PORT][:SUBSET]=ADDRESS:PORT";
        QTest::newRow("no port") << "greeter-service:v1=127.0.0.1"
                                 << "needs a port";
        QTest::newRow("bad port") << "greeter-service:v1=127.0.0.1:99999"
                                  << "is not a port";
        QTest::newRow("https") << "g:v1=https://127.0.0.1:443"
                               << "https endpoints are not";
        QTest::newRow("path") << "g:v1=http://127.0.0.1:80/api"
                              << "must not carry a path";
        QTest::newRow("empty host") << ":v1=127.0.0.1:80"
                                    << "host is empty";
        QTest::newRow("3 parts, no port") << "g:x:v1=127.0.0.1:80"
                                          << "\"x\" is not a port";
        QTest::newRow("too many parts") << "g:1:v1:z=127.0.0.1:80"
                                        << "too many";
    }
    void rejectsBadSpecs()
    {
        QFETCH(QString, spec);
        QFETCH(QString, mentions);
        Binding b;
        QString error;
        QVERIFY(!Bindings::parse(spec, &b, &error));
        QVERIFY2(error.contains(mentions), qPrintable(error));
        QVERIFY2(error.contains(spec), qPrintable(error)); // names the offending spec
    }

    void lookupPrefersTheMostSpecificBinding()
    {
        Bindings bindings;
        QString error;
        QVERIFY(Bindings::parseAll({QStringLiteral("greeter-service=127.0.0.1:3000"),
                                    QStringLiteral("greeter-service:v1=127.0.0.1:3001"),
                                    QStringLiteral("greeter-service:8080:v1=127.0.0.1:3081")},
                                   &bindings, &error));
        Routing::Target t{QStringLiteral("greeter-service"), QStringLiteral("v1"), 8080};
        QCOMPARE(bindings.find(t)->endpoint.port, 3081); // exact
        t.port = 9090;
        QCOMPARE(bindings.find(t)->endpoint.port, 3001); // without the port
        t.subset = QStringLiteral("v9");
        QCOMPARE(bindings.find(t)->endpoint.port, 3000); // the host alone
        t.host = QStringLiteral("other");
        QVERIFY(!bindings.find(t));
    }

    void hostMatchIgnoresCase()
    {
        Bindings bindings;
        QString error;
        QVERIFY(Bindings::parseAll({QStringLiteral("Greeter-Service:v1=127.0.0.1:3001")}, &bindings,
                                   &error));
        QVERIFY(bindings.find({QStringLiteral("greeter-service"), QStringLiteral("v1"), 0}));
        QVERIFY(!bindings.find({QStringLiteral("greeter-service"), QStringLiteral("V1"), 0}));
    }

    void laterBindingReplacesEarlier()
    {
        Bindings bindings;
        QString error;
        QVERIFY(Bindings::parseAll(
            {QStringLiteral("g:v1=127.0.0.1:1"), QStringLiteral("g:v1=127.0.0.1:2")}, &bindings,
            &error));
        QCOMPARE(bindings.all().size(), 1);
        QCOMPARE(bindings.find({QStringLiteral("g"), QStringLiteral("v1"), 0})->endpoint.port, 2);
    }

    void missingBindingMessageNamesTheFlag()
    {
        QCOMPARE(Bindings::missingBindingMessage(
                     {QStringLiteral("greeter-service"), QStringLiteral("v2"), 0}),
                 QByteArray("no binding for greeter-service:v2; add --bind "
                            "greeter-service:v2=127.0.0.1:PORT\n"));
        QCOMPARE(bindingKey({QStringLiteral("reviews"), QStringLiteral("v2"), 9080}),
                 QStringLiteral("reviews:9080:v2"));
    }
};

QTEST_APPLESS_MAIN(TestBinding)
#include "tst_binding.moc"
