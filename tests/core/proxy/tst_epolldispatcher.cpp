// The workers' epoll event dispatcher: timers, posted events, sockets and quitting behave as
// with Qt's own dispatcher, in a thread that runs on it.
#include "proxy/epolldispatcher.h"
#include "proxy/socket.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

using Proxy::EpollDispatcher;

namespace {

// Runs a function in a fresh thread on the epoll dispatcher and returns when the thread ends.
class Runner : public QThread
{
public:
    explicit Runner(std::function<void()> body) : m_body(std::move(body))
    {
        auto *dispatcher = new EpollDispatcher;
        valid = dispatcher->isValid();
        setEventDispatcher(dispatcher);
    }
    bool valid = false;
    bool sawEpoll = false;

protected:
    void run() override
    {
        sawEpoll = qobject_cast<EpollDispatcher *>(QAbstractEventDispatcher::instance()) != nullptr;
        m_body();
    }

private:
    std::function<void()> m_body;
};

} // namespace

class TestEpollDispatcher : public QObject
{
    Q_OBJECT
private slots:
    void timersFireInOrderAndRepeat();
    void killedTimerNeverFires();
    void postedEventsAndQuit();
    void socketsReadAndWrite();
    void socketsReplacedWithinOneEventStayWatched();
    void remainingTime();
    void timersNeverFireEarly();
};

void TestEpollDispatcher::timersFireInOrderAndRepeat()
{
    QStringList order;
    int ticks = 0;
    Runner runner([&] {
        QEventLoop loop;
        QTimer repeat;
        repeat.setInterval(5);
        QObject::connect(&repeat, &QTimer::timeout, [&] {
            if (++ticks == 5) {
                repeat.stop();
                loop.quit();
            }
        });
        QTimer::singleShot(30, [&] { order << "30"; });
        QTimer::singleShot(1, [&] { order << "1"; });
        QTimer::singleShot(0, [&] { order << "0"; });
        repeat.start();
        loop.exec();
        // The 30 ms shot comes after five 5 ms ticks.
        QEventLoop wait;
        QTimer::singleShot(40, &wait, &QEventLoop::quit);
        wait.exec();
    });
    QVERIFY(runner.valid);
    runner.start();
    QVERIFY(runner.wait(10000));
    QVERIFY(runner.sawEpoll);
    QCOMPARE(ticks, 5);
    QCOMPARE(order, (QStringList{"0", "1", "30"}));
}

void TestEpollDispatcher::killedTimerNeverFires()
{
    bool fired = false;
    bool later = false;
    Runner runner([&] {
        QEventLoop loop;
        QTimer victim;
        victim.setSingleShot(true);
        QObject::connect(&victim, &QTimer::timeout, [&] { fired = true; });
        victim.start(5);
        victim.stop();
        QTimer::singleShot(30, [&] {
            later = true;
            loop.quit();
        });
        loop.exec();
    });
    runner.start();
    QVERIFY(runner.wait(10000));
    QVERIFY(later);
    QVERIFY(!fired);
}

void TestEpollDispatcher::postedEventsAndQuit()
{
    // Events posted from this thread reach an object living in the epoll thread, and quit()
    // from here ends its exec() (wakeUp + interrupt across threads).
    QThread thread;
    auto *dispatcher = new EpollDispatcher;
    QVERIFY(dispatcher->isValid());
    thread.setEventDispatcher(dispatcher);
    thread.start();
    QObject target;
    target.moveToThread(&thread);
    std::atomic<int> calls{0};
    for (int i = 0; i < 1000; ++i)
        QMetaObject::invokeMethod(
            &target, [&] { ++calls; }, Qt::QueuedConnection);
    QTRY_COMPARE_WITH_TIMEOUT(calls.load(), 1000, 10000);
    QMetaObject::invokeMethod(
        &target, [&] { target.moveToThread(qApp->thread()); }, Qt::BlockingQueuedConnection);
    thread.quit();
    QVERIFY(thread.wait(10000));
}

void TestEpollDispatcher::socketsReadAndWrite()
{
    // A server in this thread; a client in the epoll thread sends 1 MiB and reads it back.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    const quint16 port = server.serverPort();
    QByteArray echoed;
    QString error;
    Runner runner([&] {
        QTcpSocket socket;
        QEventLoop loop;
        const QByteArray payload(1024 * 1024, 'x');
        QObject::connect(&socket, &QTcpSocket::connected, [&] { socket.write(payload); });
        QObject::connect(&socket, &QTcpSocket::readyRead, [&] {
            echoed += socket.readAll();
            if (echoed.size() >= payload.size())
                loop.quit();
        });
        QObject::connect(&socket, &QTcpSocket::errorOccurred, [&] {
            error = socket.errorString();
            loop.quit();
        });
        socket.connectToHost(QHostAddress::LocalHost, port);
        loop.exec();
    });
    runner.start();
    QVERIFY(server.waitForNewConnection(10000));
    QTcpSocket *peer = server.nextPendingConnection();
    connect(peer, &QTcpSocket::readyRead, peer, [peer] { peer->write(peer->readAll()); });
    QTRY_VERIFY_WITH_TIMEOUT(runner.isFinished(), 20000);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(echoed.size(), 1024 * 1024);
}

// Interest changes are applied lazily, just before the loop waits. A handler that closes a
// socket and takes on the next one (which gets the same descriptor number) in the same event
// must still be told about the new socket: a worker dropping a keep-alive connection while the
// listener hands it a new client does exactly this.
void TestEpollDispatcher::socketsReplacedWithinOneEventStayWatched()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    connect(&server, &QTcpServer::newConnection, &server, [&server] {
        while (QTcpSocket *peer = server.nextPendingConnection()) {
            connect(peer, &QTcpSocket::readyRead, peer, [peer] { peer->write(peer->readAll()); });
            connect(peer, &QTcpSocket::disconnected, peer, &QObject::deleteLater);
        }
    });
    const quint16 port = server.serverPort();
    constexpr int kRounds = 50;
    int echoes = 0;
    int sameDescriptor = 0;
    QString error;
    Runner runner([&] {
        QEventLoop loop;
        std::unique_ptr<Proxy::Socket> socket;
        QByteArray received;
        std::function<void()> next = [&] {
            const qintptr previous = socket ? socket->descriptor() : -1;
            if (socket) {
                socket->abort(); // notifiers unregistered, descriptor closed ...
                socket.release()->deleteLater();
            }
            if (echoes == kRounds) {
                loop.quit();
                return;
            }
            // ... and, in the same event, a connected descriptor (the lowest free number: the
            // one just closed) wrapped in a new socket that only reads.
            const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_in address{};
            address.sin_family = AF_INET;
            address.sin_port = htons(port);
            address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address)) {
                error = QStringLiteral("connect: ") + QString::fromLocal8Bit(strerror(errno));
                loop.quit();
                return;
            }
            if (fd == previous)
                ++sameDescriptor;
            socket = std::make_unique<Proxy::Socket>();
            Proxy::Socket *s = socket.get();
            s->adopt(fd);
            received.clear();
            QObject::connect(s, &Proxy::Socket::readyRead, s, [&, s] {
                char buffer[16];
                const qint64 n = s->read(buffer, sizeof buffer);
                if (n > 0)
                    received.append(buffer, n);
                if (received.size() < 4)
                    return;
                if (received != "ping") {
                    error = QStringLiteral("wrong echo");
                    loop.quit();
                    return;
                }
                ++echoes;
                next();
            });
            QObject::connect(s, &Proxy::Socket::errorOccurred, s,
                             [&](QAbstractSocket::SocketError e) {
                                 error = QStringLiteral("socket error %1").arg(int(e));
                                 loop.quit();
                             });
            s->write("ping");
        };
        QTimer::singleShot(0, next);
        loop.exec();
        socket.reset();
    });
    runner.start();
    QTRY_VERIFY_WITH_TIMEOUT(runner.isFinished(), 30000);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(echoes, kRounds);
    QVERIFY2(sameDescriptor > kRounds / 2, "the case under test did not happen");
}

void TestEpollDispatcher::remainingTime()
{
    int remaining = -2;
    int afterStop = -2;
    Runner runner([&] {
        QTimer timer;
        timer.start(10000);
        remaining = timer.remainingTime();
        timer.stop();
        afterStop = timer.remainingTime();
    });
    runner.start();
    QVERIFY(runner.wait(10000));
    QVERIFY2(remaining > 9000 && remaining <= 10000, QByteArray::number(remaining));
    QCOMPARE(afterStop, -1);
}

// A timer fires after its interval, never before (a 50 ms fault delay is at least 50 ms), even
// when the loop is awake all the time for other reasons: here a 0 ms timer keeps it spinning,
// so a deadline kept in whole milliseconds would be met up to 1 ms early.
void TestEpollDispatcher::timersNeverFireEarly()
{
    QList<qint64> elapsedUs;
    Runner runner([&] {
        QEventLoop loop;
        QTimer spin;
        spin.start(0);
        QElapsedTimer clock;
        std::function<void()> next = [&] {
            if (elapsedUs.size() == 40) {
                loop.quit();
                return;
            }
            clock.start();
            QTimer::singleShot(3, Qt::CoarseTimer, [&] {
                elapsedUs.append(clock.nsecsElapsed() / 1000);
                next();
            });
        };
        next();
        loop.exec();
    });
    runner.start();
    QTRY_VERIFY_WITH_TIMEOUT(runner.isFinished(), 20000);
    QCOMPARE(elapsedUs.size(), 40);
    for (const qint64 us : std::as_const(elapsedUs))
        QVERIFY2(us >= 3000, qPrintable(QStringLiteral("a 3 ms timer fired after %1 us").arg(us)));
}

QTEST_GUILESS_MAIN(TestEpollDispatcher)
#include "tst_epolldispatcher.moc"
