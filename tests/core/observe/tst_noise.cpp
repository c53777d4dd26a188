#include "observe/noise.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace Observe;

class TestNoise : public QObject
{
    Q_OBJECT

private:
    static bool matches(const QString &pattern, const QString &path)
    {
        const auto p = JsonPathPattern::parse(pattern);
        const auto segments = JsonPathPattern::parsePath(path);
        if (!p || !segments)
            return false;
        return p->matches(segments->constData(), segments->size());
    }

private slots:
    void renderPaths()
    {
        const QList<PathSegment> path = {PathSegment::ofKey(QStringLiteral("user")),
                                         PathSegment::ofKey(QStringLiteral("name"))};
        QCOMPARE(renderJsonPath(path.constData(), path.size()), QStringLiteral("$.user.name"));
        const QList<PathSegment> items = {PathSegment::ofKey(QStringLiteral("items")),
                                          PathSegment::ofIndex(2)};
        QCOMPARE(renderJsonPath(items.constData(), items.size()), QStringLiteral("$.items[2]"));
        const QList<PathSegment> quoted = {
            PathSegment::ofKey(QStringLiteral("a b")), PathSegment::ofKey(QStringLiteral("it's")),
            PathSegment::ofKey(QStringLiteral("2x")), PathSegment::ofKey(QString())};
        QCOMPARE(renderJsonPath(quoted.constData(), quoted.size()),
                 QStringLiteral("$['a b']['it\\'s']['2x']['']"));
        QCOMPARE(renderJsonPath(nullptr, 0), QStringLiteral("$"));

        // A rendered path parses back to the same segments.
        const auto back =
            JsonPathPattern::parsePath(QStringLiteral("$['a b']['it\\'s']['2x']['']"));
        QVERIFY(back);
        QCOMPARE(back->size(), 4);
        QCOMPARE(back->at(1).key, QStringLiteral("it's"));
        QCOMPARE(back->at(3).key, QString());
    }

    void patternMatching_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("match");
        QTest::newRow("exact") << "$.timestamp"
                               << "$.timestamp" << true;
        QTest::newRow("below a match") << "$.timestamp"
                                       << "$.timestamp.nanos" << true;
        QTest::newRow("longer key") << "$.timestamp"
                                    << "$.timestamps" << false;
        QTest::newRow("other key") << "$.timestamp"
                                   << "$.time" << false;
        QTest::newRow("[*] any index") << "$.items[*].id"
                                       << "$.items[3].id" << true;
        QTest::newRow("[*] other field") << "$.items[*].id"
                                         << "$.items[3].name" << false;
        QTest::newRow("[*] the array") << "$.items[*].id"
                                       << "$.items" << false;
        QTest::newRow(".* any key") << "$.*.updatedAt"
                                    << "$.user.updatedAt" << true;
        QTest::newRow(".* any index") << "$.*.updatedAt"
                                      << "$[4].updatedAt" << true;
        QTest::newRow(".* one level only") << "$.*.updatedAt"
                                           << "$.a.b.updatedAt" << false;
        QTest::newRow(".. any depth") << "$..traceId"
                                      << "$.a.b[2].traceId" << true;
        QTest::newRow(".. zero levels") << "$..traceId"
                                        << "$.traceId" << true;
        QTest::newRow(".. no match") << "$..traceId"
                                     << "$.a.spanId" << false;
        QTest::newRow("index") << "$.items[0]"
                               << "$.items[0].x" << true;
        QTest::newRow("other index") << "$.items[0]"
                                     << "$.items[1]" << false;
        QTest::newRow("quoted") << "$['a b'].c"
                                << "$['a b'].c" << true;
        QTest::newRow("double quoted") << "$[\"a b\"]"
                                       << "$['a b'].c" << true;
        QTest::newRow("root") << "$"
                              << "$.anything[1]" << true;
    }

    void patternMatching()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, path);
        QFETCH(bool, match);
        QCOMPARE(matches(pattern, path), match);
    }

    void badPatterns_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("error");
        QTest::newRow("no $") << "items.id"
                              << "a JSON path starts with '$' at character 1";
        QTest::newRow("open bracket") << "$.items["
                                      << "unterminated '[' at character 8";
        QTest::newRow("bad index") << "$.items[x]"
                                   << "expected an index, '*' or a quoted key "
                                      "after '[' at character 9";
        QTest::newRow("empty key") << "$.a..b.[0]"
                                   << "empty key at character 8";
        QTest::newRow("trailing dot") << "$."
                                      << "empty key at character 3";
        QTest::newRow("bare descent") << "$.."
                                      << "'..' must be followed by a key at character 3";
        QTest::newRow("unterminated quote") << "$['a"
                                            << "unterminated quoted key at character 2";
        QTest::newRow("junk") << "$x"
                              << "unexpected 'x' at character 2";
    }

    void badPatterns()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, error);
        QString why;
        QVERIFY(!JsonPathPattern::parse(pattern, &why));
        QCOMPARE(why, error);
    }

    void defaultHeaders()
    {
        const NoiseRules rules;
        for (const char *name :
             {"Date", "server", "X-Request-Id", "content-length", "Connection", "keep-alive",
              "Transfer-Encoding", "x-envoy-upstream-service-time"})
            QVERIFY2(rules.headerIgnored(QByteArrayView(name), QString()), name);
        QVERIFY(!rules.headerIgnored("content-type", QString()));
        QVERIFY(!rules.headerIgnored("etag", QString()));
        QVERIFY(NoiseRules::defaultIgnoredHeaders().contains(QStringLiteral("date")));
        // Every listed name is ignored in any case, and nothing of the same length is.
        for (const QString &name : NoiseRules::defaultIgnoredHeaders()) {
            QVERIFY2(NoiseRules::isDefaultIgnoredHeader(name.toLatin1()), qPrintable(name));
            QVERIFY2(NoiseRules::isDefaultIgnoredHeader(name.toUpper().toLatin1()),
                     qPrintable(name));
            QByteArray other = name.toLatin1();
            other[other.size() - 1] = '_';
            QVERIFY2(!NoiseRules::isDefaultIgnoredHeader(other), other.constData());
        }
        QVERIFY(!NoiseRules::isDefaultIgnoredHeader("x-request-ie"));
        QVERIFY(!NoiseRules::isDefaultIgnoredHeader(""));
    }

    void headerRules()
    {
        NoiseRules rules;
        QVERIFY(rules.addHeader(QStringLiteral("ETag")));
        QVERIFY(rules.addHeader(QStringLiteral("x-b3-*")));
        QVERIFY(rules.addHeader(QStringLiteral("set-cookie"), QStringLiteral("get /login")));
        QVERIFY(rules.addHeader(QStringLiteral("x-cache"), QStringLiteral("/assets/{id}")));
        QVERIFY(rules.headerIgnored("etag", QString()));
        QVERIFY(rules.headerIgnored("X-B3-TraceId", QStringLiteral("GET /a")));
        QVERIFY(!rules.headerIgnored("x-b4-traceid", QStringLiteral("GET /a")));
        // per endpoint: only there (the method is normalized to upper case)
        QVERIFY(rules.headerIgnored("Set-Cookie", QStringLiteral("GET /login")));
        QVERIFY(!rules.headerIgnored("Set-Cookie", QStringLiteral("POST /login")));
        QVERIFY(!rules.headerIgnored("Set-Cookie", QString()));
        // an endpoint without a method: every method
        QVERIFY(rules.headerIgnored("x-cache", QStringLiteral("GET /assets/{id}")));
        QVERIFY(rules.headerIgnored("x-cache", QStringLiteral("HEAD /assets/{id}")));
        QVERIFY(!rules.headerIgnored("x-cache", QStringLiteral("GET /other")));

        QString error;
        QVERIFY(!rules.addHeader(QStringLiteral("bad header"), QString(), &error));
        QCOMPARE(error, QStringLiteral("'bad header' is not a header name"));
        QVERIFY(!rules.addHeader(QStringLiteral("etag"), QStringLiteral("users"), &error));
        QCOMPARE(error, QStringLiteral("endpoint 'users' is not \"METHOD /path\" or \"/path\""));
        QCOMPARE(rules.rules().size(), 4);
        QVERIFY(rules.addHeader(QStringLiteral("etag"))); // again: no duplicate
        QCOMPARE(rules.rules().size(), 4);
    }

    void pathRulesPerEndpoint()
    {
        NoiseRules rules;
        QVERIFY(!rules.hasJsonPathRules());
        QVERIFY(rules.addJsonPath(QStringLiteral("$.timestamp")));
        QVERIFY(
            rules.addJsonPath(QStringLiteral("$.items[*].id"), QStringLiteral("GET /users/{id}")));
        QVERIFY(rules.hasJsonPathRules());
        QVERIFY(rules.pathIgnored(QStringLiteral("$.timestamp"), QStringLiteral("GET /x")));
        QVERIFY(
            rules.pathIgnored(QStringLiteral("$.items[7].id"), QStringLiteral("GET /users/{id}")));
        QVERIFY(!rules.pathIgnored(QStringLiteral("$.items[7].id"), QStringLiteral("GET /orders")));
        QVERIFY(!rules.pathIgnored(QStringLiteral("$.items[7].id"), QString()));

        QString error;
        QVERIFY(!rules.addJsonPath(QStringLiteral("$.items["), QString(), &error));
        QCOMPARE(error, QStringLiteral("'$.items[': unterminated '[' at character 8"));

        QVERIFY(
            rules.remove({NoiseRules::Rule::Kind::JsonPath, QStringLiteral("$.timestamp"), {}}));
        QVERIFY(!rules.pathIgnored(QStringLiteral("$.timestamp"), QString()));
        QVERIFY(
            !rules.remove({NoiseRules::Rule::Kind::JsonPath, QStringLiteral("$.timestamp"), {}}));
    }

    void jsonRoundTrip()
    {
        NoiseRules rules;
        QVERIFY(rules.addHeader(QStringLiteral("etag")));
        QVERIFY(rules.addJsonPath(QStringLiteral("$.timestamp")));
        QVERIFY(rules.addJsonPath(QStringLiteral("$['a b'][*]")));
        QVERIFY(
            rules.addJsonPath(QStringLiteral("$.items[*].id"), QStringLiteral("GET /users/{id}")));
        QVERIFY(rules.addHeader(QStringLiteral("set-cookie"), QStringLiteral("GET /users/{id}")));
        const QJsonObject json = rules.toJson();
        QCOMPARE(json.value(QLatin1String("headers")).toArray(),
                 QJsonArray{QStringLiteral("etag")});
        QCOMPARE(json.value(QLatin1String("jsonPaths")).toArray().size(), 2);
        QCOMPARE(json.value(QLatin1String("endpoints"))
                     .toObject()
                     .value(QLatin1String("GET /users/{id}"))
                     .toObject()
                     .value(QLatin1String("jsonPaths"))
                     .toArray(),
                 QJsonArray{QStringLiteral("$.items[*].id")});

        // Through text, as a saved workspace would hold it.
        const QJsonObject reread = QJsonDocument::fromJson(QJsonDocument(json).toJson()).object();
        QStringList errors;
        const NoiseRules back = NoiseRules::fromJson(reread, &errors);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(u'\n')));
        QCOMPARE(back.rules().size(), rules.rules().size());
        for (const NoiseRules::Rule &r : rules.rules())
            QVERIFY2(back.rules().contains(r), qPrintable(r.pattern));
        QVERIFY(
            back.pathIgnored(QStringLiteral("$.items[1].id"), QStringLiteral("GET /users/{id}")));
        QCOMPARE(back.toJson(), json);
    }

    void badRuleErrors()
    {
        const QJsonObject json =
            QJsonDocument::fromJson(
                "{"
                "\"headers\": [\"etag\", \"bad header\"],"
                "\"jsonPaths\": [\"$.ok\", \"$.items[\", 5],"
                "\"color\": \"blue\","
                "\"endpoints\": {"
                "\"GET /a\": {\"jsonPaths\": [\"nope\"], \"headers\": [\"x-ok\"]},"
                "\"users\": {\"jsonPaths\": [\"$.x\"]},"
                "\"GET /b\": [\"$.y\"]"
                "}"
                "}")
                .object();
        QStringList errors;
        const NoiseRules rules = NoiseRules::fromJson(json, &errors);
        errors.sort();
        const QStringList expected = {
            QStringLiteral("color: unknown field"),
            QStringLiteral("endpoints['GET /a'].jsonPaths[0]: 'nope': a JSON path starts with "
                           "'$' at character 1"),
            QStringLiteral("endpoints['GET /b']: expected an object"),
            QStringLiteral("endpoints['users']: endpoint 'users' is not \"METHOD /path\" or "
                           "\"/path\""),
            QStringLiteral("headers[1]: 'bad header' is not a header name"),
            QStringLiteral("jsonPaths[1]: '$.items[': unterminated '[' at character 8"),
            QStringLiteral("jsonPaths[2]: expected a string"),
        };
        QCOMPARE(errors, expected);
        // the good entries are kept
        QCOMPARE(rules.rules().size(), 3);
        QVERIFY(rules.headerIgnored("etag", QString()));
        QVERIFY(rules.pathIgnored(QStringLiteral("$.ok"), QString()));
        QVERIFY(rules.headerIgnored("x-ok", QStringLiteral("GET /a")));

        errors.clear();
        NoiseRules::fromJson(QJsonObject{{QStringLiteral("endpoints"), 3}}, &errors);
        QCOMPARE(errors, QStringList{QStringLiteral("endpoints: expected an object")});
    }
};

QTEST_APPLESS_MAIN(TestNoise)
#include "tst_noise.moc"
