// The legal combinations of an Exchange's legs (Observe::Exchange::isConsistent), as the proxy
// produces them: every rule with a legal and an illegal case.
#include "observe/exchange.h"

#include <QTest>

using Observe::Exchange;
using Observe::Leg;
using Outcome = Leg::Outcome;

Q_DECLARE_METATYPE(Observe::Exchange)

static Leg leg(Outcome outcome, int status = 0, const QString &error = {},
               const QString &dropReason = {})
{
    Leg l;
    l.outcome = outcome;
    l.status = status;
    l.error = error;
    l.dropReason = dropReason;
    return l;
}

static Exchange make(const Leg &primary, const QList<Leg> &mirrors = {})
{
    Exchange e;
    e.primary = primary;
    e.mirrors = mirrors;
    return e;
}

class TestExchangeRecord : public QObject
{
    Q_OBJECT
private slots:
    void legalCombinations_data()
    {
        QTest::addColumn<bool>("legal");
        QTest::addColumn<Exchange>("exchange");
        const Leg ok = leg(Outcome::Completed, 200);
        QTest::newRow("completed + mirror completed")
            << true << make(ok, {leg(Outcome::Completed, 500)});
        QTest::newRow("primary ok, mirror failed")
            << true << make(ok, {leg(Outcome::Failed, 0, QStringLiteral("timeout"))});
        QTest::newRow("primary failed 503, mirror sent")
            << true
            << make(leg(Outcome::Failed, 503, QStringLiteral("connect failure")),
                    {leg(Outcome::Completed, 200)});
        QTest::newRow("primary reset mid-response")
            << true << make(leg(Outcome::Failed, 0, QStringLiteral("reset")));
        QTest::newRow("mirror sampled out") << true << make(ok, {leg(Outcome::SampledOut)});
        QTest::newRow("mirror dropped")
            << true << make(ok, {leg(Outcome::Dropped, 0, {}, QStringLiteral("in-flight limit"))});
        QTest::newRow("local answer") << true << make(leg(Outcome::Local, 404));

        QTest::newRow("completed without status") << false << make(leg(Outcome::Completed));
        QTest::newRow("failed without error") << false << make(leg(Outcome::Failed, 503));
        QTest::newRow("local with a mirror")
            << false << make(leg(Outcome::Local, 302), {leg(Outcome::Completed, 200)});
        QTest::newRow("primary sampled out") << false << make(leg(Outcome::SampledOut));
        QTest::newRow("primary dropped")
            << false << make(leg(Outcome::Dropped, 0, {}, QStringLiteral("x")));
        QTest::newRow("mirror local") << false << make(ok, {leg(Outcome::Local, 200)});
        QTest::newRow("dropped without reason") << false << make(ok, {leg(Outcome::Dropped)});
        QTest::newRow("dropped with status")
            << false << make(ok, {leg(Outcome::Dropped, 200, {}, QStringLiteral("x"))});
        QTest::newRow("sampled out with status")
            << false << make(ok, {leg(Outcome::SampledOut, 200)});
        QTest::newRow("status out of range") << false << make(leg(Outcome::Completed, 42));
        Leg late = ok;
        late.firstByteUs = 20;
        late.totalUs = 10;
        QTest::newRow("first byte after total") << false << make(late);
        Leg prefix = ok;
        prefix.bodyPrefix = "abc";
        prefix.bodySize = 2;
        QTest::newRow("prefix longer than body") << false << make(prefix);
        Leg noAttempt = ok;
        noAttempt.attempts = 0;
        QTest::newRow("zero attempts") << false << make(noAttempt);
    }
    void legalCombinations()
    {
        QFETCH(bool, legal);
        QFETCH(Exchange, exchange);
        QCOMPARE(exchange.isConsistent(), legal);
    }
};

QTEST_APPLESS_MAIN(TestExchangeRecord)
#include "tst_exchangerecord.moc"
