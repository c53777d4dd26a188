#include "base/duration.h"

#include <QtTest>

class TestDuration : public QObject
{
    Q_OBJECT

private slots:
    void parsesGoDurations_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ns");
        QTest::newRow("1.5s") << "1.5s" << qint64(1500000000);
        QTest::newRow("100ms") << "100ms" << qint64(100000000);
        QTest::newRow("1h30m") << "1h30m" << qint64(5400) * 1000000000;
        QTest::newRow("2h45m30.5s") << "2h45m30.5s" << qint64(9930500) * 1000000;
        QTest::newRow("10us") << "10us" << qint64(10000);
        QTest::newRow("10µs micro sign") << "10\u00B5s" << qint64(10000);
        QTest::newRow("10μs greek mu") << "10\u03BCs" << qint64(10000);
        QTest::newRow("5ns") << "5ns" << qint64(5);
        QTest::newRow("0") << "0" << qint64(0);
        QTest::newRow(".5s") << ".5s" << qint64(500000000);
        QTest::newRow("negative") << "-1s" << qint64(-1000000000);
    }

    void parsesGoDurations()
    {
        QFETCH(QString, text);
        QFETCH(qint64, ns);
        const auto parsed = Base::parseGoDurationNs(text.toStdString());
        QVERIFY(parsed.has_value());
        QCOMPARE(qint64(*parsed), ns);
    }

    void rejectsWhatGoRejects_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("bare number") << "5";
        QTest::newRow("empty") << "";
        QTest::newRow("unknown unit") << "1x";
        QTest::newRow("space") << "5 s";
        QTest::newRow("only unit") << "s";
        QTest::newRow("dot only") << ".s";
        QTest::newRow("sign only") << "-";
        QTest::newRow("trailing number") << "1s5";
    }

    void rejectsWhatGoRejects()
    {
        QFETCH(QString, text);
        std::string error;
        QVERIFY(!Base::parseGoDurationNs(text.toStdString(), &error));
        QVERIFY(error.rfind("time: ", 0) == 0);
        QVERIFY(!Base::parseDurationMs(text.toStdString()));
    }

    void milliseconds()
    {
        QCOMPARE(Base::parseDurationMs("1.5s"), std::optional<std::int64_t>(1500));
        QCOMPARE(Base::parseDurationMs("100ms"), std::optional<std::int64_t>(100));
        QCOMPARE(Base::parseDurationMs("500us"), std::optional<std::int64_t>(0));
    }

    void formats()
    {
        QCOMPARE(Base::formatDurationMs(100), std::string("100ms"));
        QCOMPARE(Base::formatDurationMs(5000), std::string("5s"));
        QCOMPARE(Base::formatDurationMs(90000), std::string("1m30s"));
        QCOMPARE(Base::formatDurationMs(3600000), std::string("1h"));
        QCOMPARE(Base::formatDurationMs(1500), std::string("1.5s"));
        QCOMPARE(Base::formatDurationMs(0), std::string("0s"));
        QCOMPARE(Base::formatDurationMs(3601000), std::string("1h0m1s"));
        QCOMPARE(Base::formatDurationMs(5400000), std::string("1h30m"));
        QCOMPARE(Base::formatDurationMs(-250), std::string("-250ms"));
    }

    void formatParsesBack()
    {
        for (std::int64_t ms : {1, 999, 1000, 1001, 61500, 3599999, 86400000}) {
            const std::string text = Base::formatDurationMs(ms);
            QCOMPARE(Base::parseDurationMs(text), std::optional<std::int64_t>(ms));
        }
    }
};

QTEST_APPLESS_MAIN(TestDuration)
#include "tst_duration.moc"
