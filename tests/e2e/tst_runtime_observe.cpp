// The running loop's observation path: the demo greeter through the proxy, every exchange
// compared and counted by the Runtime's hub in its own thread, and handed back with its
// comparisons for the views.
#include "demo/trafficgenerator.h"
#include "model/resource.h"
#include "observe/hub.h"
#include "session/runtime.h"
#include "yaml/document.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

class TestRuntimeObserve : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { Q_INIT_RESOURCE(core); }

    void demoExchangesAreComparedInTheObserveThread()
    {
        Yaml::ParseResult parsed =
            Yaml::parseFile(QStringLiteral(":/examples/greeter-mirror.yaml"));
        QVERIFY(!Base::hasErrors(parsed.diagnostics));
        const Model::Config config = Model::Config::fromDocuments(parsed.documents);

        Session::Runtime runtime;
        Session::Runtime::Options options;
        options.proxy.listenPort = 0;
        options.demoBackends = true;
        options.defaultHost = options.demoHost;
        QVERIFY2(runtime.start(config, Proxy::Bindings(), options),
                 qPrintable(runtime.errorString()));
        QVERIFY(runtime.hub());
        QVERIFY(runtime.hub()->thread() != QThread::currentThread());

        QList<Observe::Exchange> seen;
        int mismatchedPairs = 0;
        int pairs = 0;
        bool aligned = true;
        connect(&runtime, &Session::Runtime::observed, this,
                [&](const QList<Observe::Exchange> &batch,
                    const QList<QList<Observe::Comparison>> &comparisons) {
                    QVERIFY(QThread::currentThread() == thread());
                    aligned = aligned && batch.size() == comparisons.size();
                    for (qsizetype i = 0; i < batch.size() && i < comparisons.size(); ++i) {
                        aligned = aligned && comparisons[i].size() == batch[i].mirrors.size();
                        for (const Observe::Comparison &c : comparisons[i]) {
                            ++pairs;
                            mismatchedPairs += c.mismatch() ? 1 : 0;
                        }
                    }
                    seen += batch;
                });

        // What the proxy's recorder handed over: every one of them must come back compared.
        quint64 drained = 0;
        connect(&runtime, &Session::Runtime::exchanges, this,
                [&](const QList<Observe::Exchange> &batch) { drained += quint64(batch.size()); });

        Demo::GeneratorConfig g;
        g.ratePerSecond = 200;
        g.durationSeconds = 0;
        g.seed = 7;
        QVERIFY(runtime.startTraffic(g));
        // Enough traffic that the demo's v2 (one JSON field different on /users) shows up.
        QTRY_VERIFY_WITH_TIMEOUT(seen.size() >= 150, 30000);
        runtime.stopTraffic();
        runtime.stop();
        runtime.flushObservations();
        QCOMPARE(runtime.observeDropped(), quint64(0));
        QTRY_COMPARE_WITH_TIMEOUT(quint64(seen.size()), drained, 10000);

        QVERIFY(aligned);
        QVERIFY(pairs > 0);
        QVERIFY2(mismatchedPairs > 0, "the demo's v2 differs from v1: some pairs must mismatch");
        const auto snapshot = runtime.hub()->snapshot();
        QCOMPARE(snapshot->exchanges, drained);
        QCOMPARE(snapshot->pairing.mismatches, quint64(mismatchedPairs));
        QVERIFY(!snapshot->endpointsJson().isEmpty());
        // The greeters name their version on purpose (x-served-by, $.version): the demo ignores
        // those, so the differences shown are the real ones (v2's extra $.locale, its 5xx).
        QStringList fields;
        for (const Observe::FieldStat &f : snapshot->pairing.topFields)
            fields << f.path;
        QVERIFY2(fields.contains(QStringLiteral("$.locale")), qPrintable(fields.join(',')));
        QVERIFY2(!fields.contains(QStringLiteral("$.version")), qPrintable(fields.join(',')));
        QVERIFY2(!fields.contains(QStringLiteral("$.greeting")),
                 qPrintable(fields.join(QLatin1Char(','))));
        QVERIFY2(!fields.contains(QStringLiteral("x-served-by")), qPrintable(fields.join(',')));
        QVERIFY(runtime.hub()->find(seen.last().id).has_value());

        // A new run starts from an empty hub.
        QVERIFY2(runtime.start(config, Proxy::Bindings(), options),
                 qPrintable(runtime.errorString()));
        runtime.flushObservations();
        QCOMPARE(runtime.hub()->snapshot()->exchanges, 0u);
        QCOMPARE(runtime.hub()->storedCount(), 0);
        runtime.stop();
    }
};

QTEST_GUILESS_MAIN(TestRuntimeObserve)
#include "tst_runtime_observe.moc"
