#include "observe/endpoint.h"

#include <QtTest>

using Observe::endpointTemplate;

class TestEndpoint : public QObject
{
    Q_OBJECT
private slots:
    void folds_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QString>("expected");
        // clang-format off
        QTest::newRow("numeric ids") << QByteArray("GET") << QByteArray("/users/42/orders/7")
                                     << "GET /users/{id}/orders/{id}";
        QTest::newRow("query dropped") << QByteArray("GET") << QByteArray("/hello?name=bob&id=3")
                                       << "GET /hello";
        QTest::newRow("fragment dropped") << QByteArray("GET") << QByteArray("/docs#intro")
                                          << "GET /docs";
        QTest::newRow("versions and api stay") << QByteArray("GET") << QByteArray("/api/v1/users/9")
                                               << "GET /api/v1/users/{id}";
        QTest::newRow("v2beta1 stays") << QByteArray("GET") << QByteArray("/apis/v2beta1/items")
                                       << "GET /apis/v2beta1/items";
        QTest::newRow("uuid") << QByteArray("DELETE")
                              << QByteArray("/carts/3f2b8c1e-9a4d-4e2f-8b1a-0c9d7e6f5a4b/items")
                              << "DELETE /carts/{id}/items";
        QTest::newRow("uppercase uuid") << QByteArray("GET")
                                        << QByteArray("/x/3F2B8C1E-9A4D-4E2F-8B1A-0C9D7E6F5A4B")
                                        << "GET /x/{id}";
        QTest::newRow("object id (24 hex)") << QByteArray("GET")
                                            << QByteArray("/posts/507f1f77bcf86cd799439011")
                                            << "GET /posts/{id}";
        QTest::newRow("sha1") << QByteArray("GET")
                              << QByteArray("/commits/da39a3ee5e6b4b0d3255bfef95601890afd80709")
                              << "GET /commits/{id}";
        QTest::newRow("8 hex with digit") << QByteArray("GET") << QByteArray("/blobs/0a1b2c3d")
                                          << "GET /blobs/{id}";
        QTest::newRow("hex word without digit stays") << QByteArray("GET")
                                                      << QByteArray("/cafe/deadbeef")
                                                      << "GET /cafe/deadbeef";
        QTest::newRow("short hex stays") << QByteArray("GET") << QByteArray("/colors/ff00aa")
                                         << "GET /colors/ff00aa";
        QTest::newRow("date") << QByteArray("GET") << QByteArray("/reports/2024-01-31")
                              << "GET /reports/{id}";
        QTest::newRow("package version") << QByteArray("GET") << QByteArray("/pkg/lodash/4.17.21")
                                         << "GET /pkg/lodash/{id}";
        QTest::newRow("base64url token") << QByteArray("POST")
                                         << QByteArray("/reset/dGhpcyBpcyBhIHRva2VuMTIz_-")
                                         << "POST /reset/{id}";
        QTest::newRow("jwt-ish token") << QByteArray("GET")
                                       << QByteArray("/s/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.abc123")
                                       << "GET /s/{id}";
        QTest::newRow("long word without digits stays")
            << QByteArray("GET") << QByteArray("/internationalization-settings")
            << "GET /internationalization-settings";
        QTest::newRow("file with digits stays") << QByteArray("GET")
                                                << QByteArray("/files/report2024.pdf")
                                                << "GET /files/report2024.pdf";
        QTest::newRow("email") << QByteArray("GET") << QByteArray("/users/bob@example.com/prefs")
                               << "GET /users/{id}/prefs";
        QTest::newRow("escaped email") << QByteArray("GET") << QByteArray("/users/bob%40example.com")
                                       << "GET /users/{id}";
        QTest::newRow("trailing slash kept") << QByteArray("GET") << QByteArray("/users/42/")
                                             << "GET /users/{id}/";
        QTest::newRow("root") << QByteArray("GET") << QByteArray("/") << "GET /";
        QTest::newRow("empty path") << QByteArray("GET") << QByteArray() << "GET /";
        QTest::newRow("query only") << QByteArray("GET") << QByteArray("?a=1") << "GET /";
        QTest::newRow("empty method") << QByteArray() << QByteArray("/x/1") << "- /x/{id}";
        QTest::newRow("absolute form") << QByteArray("GET")
                                       << QByteArray("http://greeter:8080/users/5?x=1")
                                       << "GET /users/{id}";
        QTest::newRow("absolute form no path") << QByteArray("GET")
                                               << QByteArray("http://greeter:8080")
                                               << "GET /";
        QTest::newRow("asterisk") << QByteArray("OPTIONS") << QByteArray("*") << "OPTIONS *";
        QTest::newRow("greeter") << QByteArray("POST") << QByteArray("/users") << "POST /users";
        // clang-format on
    }

    void folds()
    {
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, path);
        QFETCH(QString, expected);
        QCOMPARE(endpointTemplate(method, path), expected);
    }

    void nonUtf8BytesDoNotBreakTheTemplate()
    {
        const QString t = endpointTemplate("GET", QByteArray("/files/\xff\xfe/7"));
        QVERIFY(t.startsWith(QLatin1String("GET /files/")));
        QVERIFY(t.endsWith(QLatin1String("/{id}")));
    }
};

QTEST_GUILESS_MAIN(TestEndpoint)
#include "tst_endpoint.moc"
