#include "proxy/recorder.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

using Proxy::Recorder;

static Observe::Exchange exchange(quint64 id)
{
    Observe::Exchange e;
    e.id = id;
    return e;
}

class TestRecorder : public QObject
{
    Q_OBJECT
private slots:
    void drainsInOrder()
    {
        Recorder r(10);
        for (quint64 i = 1; i <= 4; ++i)
            r.push(exchange(i));
        QCOMPARE(r.size(), 4);
        const auto first = r.drain(3);
        QCOMPARE(first.size(), 3);
        QCOMPARE(first[0].id, 1u);
        QCOMPARE(first[2].id, 3u);
        QCOMPARE(r.drain().at(0).id, 4u);
        QCOMPARE(r.size(), 0);
        QCOMPARE(r.dropped(), 0u);
    }

    void fullQueueDropsOldestAndCounts()
    {
        Recorder r(3);
        for (quint64 i = 1; i <= 5; ++i)
            r.push(exchange(i));
        QCOMPARE(r.dropped(), 2u);
        QCOMPARE(r.pushed(), 5u);
        const auto kept = r.drain();
        QCOMPARE(kept.size(), 3);
        QCOMPARE(kept[0].id, 3u); // the newest survive: a live view wants them
        QCOMPARE(kept[2].id, 5u);
    }

    void signalIsCoalesced()
    {
        Recorder r(1000);
        QSignalSpy ready(&r, &Recorder::exchangesReady);
        // Pushed from another thread, as the workers do.
        QThread *t = QThread::create([&r] {
            for (quint64 i = 0; i < 500; ++i)
                r.push(exchange(i));
        });
        t->start();
        QVERIFY(t->wait(10000));
        delete t;
        QVERIFY(ready.wait(2000));
        QCOMPARE(ready.count(), 1); // 500 pushes, one notification
        QCOMPARE(r.drain().size(), 500);
        r.push(exchange(501));
        QVERIFY(ready.wait(2000)); // a later push notifies again
        QCOMPARE(ready.count(), 2);
    }
};

QTEST_GUILESS_MAIN(TestRecorder)
#include "tst_recorder.moc"
