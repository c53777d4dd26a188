#include "routing/request.h"

#include <QtTest>

using namespace Routing;

class TestRequest : public QObject
{
    Q_OBJECT

private slots:
    void headerValueIsCaseInsensitive();
    void headerValueReportsAbsence();
    void setHeaderReplacesAllInPlace();
    void setHeaderAppendsWhenAbsent();
    void addHeaderKeepsExisting();
    void removeHeaderRemovesEveryOccurrence();
};

void TestRequest::headerValueIsCaseInsensitive()
{
    const Headers h{{"Content-Type", "text/plain"}, {"X-Trace", "a"}, {"x-trace", "b"}};
    bool found = false;
    QCOMPARE(headerValue(h, "content-type", &found), QByteArray("text/plain"));
    QVERIFY(found);
    QCOMPARE(headerValue(h, "X-TRACE"), QByteArray("a")); // the first occurrence
    QVERIFY(hasHeader(h, "x-TrAcE"));
}

void TestRequest::headerValueReportsAbsence()
{
    const Headers h{{"Accept", "*/*"}};
    bool found = true;
    QCOMPARE(headerValue(h, "accept-encoding", &found), QByteArray());
    QVERIFY(!found);
    QVERIFY(!hasHeader(h, "accep"));
}

void TestRequest::setHeaderReplacesAllInPlace()
{
    Headers h{{"A", "1"}, {"X-Env", "dev"}, {"B", "2"}, {"x-env", "qa"}};
    setHeader(h, "x-env", "prod");
    const Headers expected{{"A", "1"}, {"x-env", "prod"}, {"B", "2"}};
    QCOMPARE(h, expected);
}

void TestRequest::setHeaderAppendsWhenAbsent()
{
    Headers h{{"A", "1"}};
    setHeader(h, "x-new", "v");
    QCOMPARE(h.size(), 2);
    QCOMPARE(h.last(), Header("x-new", "v"));
}

void TestRequest::addHeaderKeepsExisting()
{
    Headers h{{"x-tag", "a"}};
    addHeader(h, "X-Tag", "b");
    const Headers expected{{"x-tag", "a"}, {"X-Tag", "b"}};
    QCOMPARE(h, expected);
}

void TestRequest::removeHeaderRemovesEveryOccurrence()
{
    Headers h{{"Cookie", "a"}, {"A", "1"}, {"cookie", "b"}};
    removeHeader(h, "COOKIE");
    const Headers expected{{"A", "1"}};
    QCOMPARE(h, expected);
    removeHeader(h, "missing");
    QCOMPARE(h, expected);
}

QTEST_APPLESS_MAIN(TestRequest)
#include "tst_request.moc"
