#include "observe/histogram.h"

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <random>

using Observe::Histogram;

class TestHistogram : public QObject
{
    Q_OBJECT
private slots:
    void emptyReadsZero()
    {
        Histogram h;
        QCOMPARE(h.count(), 0u);
        QCOMPARE(h.percentile(0.99), 0);
    }

    void smallValuesAreExact()
    {
        Histogram h;
        for (int v = 1; v <= 100; ++v)
            h.record(v);
        QCOMPARE(h.percentile(0.5), 50);
        QCOMPARE(h.percentile(0.99), 99);
        QCOMPARE(h.percentile(1.0), 100);
        QCOMPARE(h.min(), 1);
        QCOMPARE(h.max(), 100);
    }

    void bucketsTileTheRange()
    {
        for (std::size_t i = 1; i < 5000; ++i)
            QCOMPARE(Histogram::bucketLower(i), Histogram::bucketUpper(i - 1) + 1);
        for (std::int64_t v : {0LL, 255LL, 256LL, 257LL, 1000LL, 123456789LL, (1LL << 40) + 7}) {
            const std::size_t i = Histogram::bucketIndex(v);
            QVERIFY(Histogram::bucketLower(i) <= v && v <= Histogram::bucketUpper(i));
        }
    }

    void percentilesWithinOnePercentOfExact_data()
    {
        QTest::addColumn<int>("distribution");
        QTest::newRow("lognormal latencies") << 0;
        QTest::newRow("uniform wide") << 1;
        QTest::newRow("exponential tail") << 2;
    }

    void percentilesWithinOnePercentOfExact()
    {
        QFETCH(int, distribution);
        std::mt19937_64 rng(42 + distribution);
        std::lognormal_distribution<double> logn(std::log(2000.0), 1.0);
        std::uniform_int_distribution<std::int64_t> uni(1, 50'000'000);
        std::exponential_distribution<double> expo(1.0 / 8000.0);
        std::vector<std::int64_t> values;
        Histogram h;
        for (int i = 0; i < 200000; ++i) {
            std::int64_t v = distribution == 0   ? static_cast<std::int64_t>(logn(rng))
                             : distribution == 1 ? uni(rng)
                                                 : static_cast<std::int64_t>(expo(rng));
            values.push_back(v);
            h.record(v);
        }
        std::sort(values.begin(), values.end());
        for (double q : {0.5, 0.9, 0.99, 0.999}) {
            const auto rank = static_cast<std::size_t>(std::ceil(q * values.size()));
            const double exact = static_cast<double>(values[rank - 1]);
            const double got = static_cast<double>(h.percentile(q));
            const double err = exact == 0 ? std::abs(got) : std::abs(got - exact) / exact;
            QVERIFY2(err <= 0.01, qPrintable(QStringLiteral("q=%1 exact=%2 got=%3 err=%4")
                                                 .arg(q)
                                                 .arg(exact)
                                                 .arg(got)
                                                 .arg(err)));
        }
    }

    void mergeEqualsRecordingEverything()
    {
        std::mt19937 rng(7);
        std::uniform_int_distribution<int> d(0, 1'000'000);
        Histogram a, b, all;
        for (int i = 0; i < 10000; ++i) {
            const int v = d(rng);
            (i % 3 ? a : b).record(v);
            all.record(v);
        }
        a.merge(b);
        QCOMPARE(a.count(), all.count());
        QCOMPARE(a.min(), all.min());
        QCOMPARE(a.max(), all.max());
        for (double q : {0.1, 0.5, 0.9, 0.99, 0.999})
            QCOMPARE(a.percentile(q), all.percentile(q));
        QCOMPARE(a.buckets().size(), all.buckets().size());
    }

    void cumulativeCountsForPrometheus()
    {
        Histogram h;
        for (int v : {5, 10, 10, 1000, 5000})
            h.record(v);
        QCOMPARE(h.countAtOrBelow(4), 0u);
        QCOMPARE(h.countAtOrBelow(10), 3u);
        QCOMPARE(h.countAtOrBelow(1'000'000), 5u);
    }
};

QTEST_APPLESS_MAIN(TestHistogram)
#include "tst_histogram.moc"
