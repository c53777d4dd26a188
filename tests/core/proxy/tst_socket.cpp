// Proxy::Socket, the proxy's own non-blocking TCP stream, against QTcpServer/QTcpSocket peers on
// 127.0.0.1. The proxy tests cover it end to end; these pin down the contract its users rely on.
#include "proxy/epolldispatcher.h"
#include "proxy/socket.h"

#include <QEventLoop>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <functional>
#include <memory>

#include <sys/socket.h>
#include <unistd.h>

using Proxy::Socket;

namespace {

quint16 closedPort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

// A connected pair: our Socket and the server's end of it.
struct Pair
{
    QTcpServer server;
    Socket socket;
    QTcpSocket *peer = nullptr;
    QByteArray received; // what the peer read

    bool connect()
    {
        if (!server.listen(QHostAddress::LocalHost, 0))
            return false;
        socket.connectToHost(QHostAddress::LocalHost, server.serverPort());
        if (!server.waitForNewConnection(10000))
            return false;
        peer = server.nextPendingConnection();
        QObject::connect(peer, &QTcpSocket::readyRead, peer,
                         [this] { received += peer->readAll(); });
        QSignalSpy connected(&socket, &Socket::connected);
        return socket.state() == Socket::State::Connected || connected.wait(10000);
    }
};

// Runs a function in a fresh thread on the epoll dispatcher.
class Runner : public QThread
{
public:
    explicit Runner(std::function<void()> body) : m_body(std::move(body))
    {
        setEventDispatcher(new Proxy::EpollDispatcher);
    }

protected:
    void run() override { m_body(); }

private:
    std::function<void()> m_body;
};

} // namespace

class TestSocket : public QObject
{
    Q_OBJECT
private slots:
    void refusedConnectionIsAnErrorNotADisconnect()
    {
        Socket s;
        QSignalSpy errors(&s, &Socket::errorOccurred);
        QSignalSpy gone(&s, &Socket::disconnected);
        s.connectToHost(QHostAddress::LocalHost, closedPort());
        QCOMPARE(errors.count(), 0); // never from inside the call
        QVERIFY(errors.wait(10000));
        QCOMPARE(errors.at(0).at(0).value<QAbstractSocket::SocketError>(),
                 QAbstractSocket::ConnectionRefusedError);
        QCOMPARE(gone.count(), 0);
        QCOMPARE(s.state(), Socket::State::Unconnected);
    }

    void writesMadeWhileConnectingAreSent()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        Socket s;
        s.connectToHost(QStringLiteral("localhost"), server.serverPort()); // a name: resolved
        s.write("GET / HTTP/1.1\r\n\r\n");
        QCOMPARE(s.bytesToWrite(), qint64(18));
        // The lookup and the connect need the event loop: no blocking wait here.
        QTRY_VERIFY_WITH_TIMEOUT(server.hasPendingConnections(), 10000);
        QTcpSocket *peer = server.nextPendingConnection();
        QByteArray received;
        connect(peer, &QTcpSocket::readyRead, peer, [&] { received += peer->readAll(); });
        received += peer->readAll(); // what came while the connection was pending
        QTRY_COMPARE_WITH_TIMEOUT(received, QByteArray("GET / HTTP/1.1\r\n\r\n"), 10000);
        QCOMPARE(s.bytesToWrite(), qint64(0));
    }

    void peerCloseEndsTheStreamAfterItsLastBytes()
    {
        Pair p;
        QVERIFY(p.connect());
        QByteArray got;
        connect(&p.socket, &Socket::readyRead, this, [&] {
            char buffer[4];
            qint64 n;
            while ((n = p.socket.read(buffer, sizeof buffer)) > 0)
                got.append(buffer, n);
        });
        QSignalSpy gone(&p.socket, &Socket::disconnected);
        p.peer->write("goodbye, proxy");
        p.peer->disconnectFromHost();
        QVERIFY(gone.wait(10000));
        QCOMPARE(got, QByteArray("goodbye, proxy"));
        QCOMPARE(gone.count(), 1);
        char c;
        QCOMPARE(p.socket.read(&c, 1), qint64(-1));
        QCOMPARE(p.socket.state(), Socket::State::Unconnected);
    }

    // Backpressure: a readyRead handler that does not read is not called again (level-
    // triggered readiness would call it on every loop iteration) until it reads.
    void aConsumerThatDoesNotReadIsLeftAloneUntilItReads()
    {
        Pair p;
        QVERIFY(p.connect());
        int calls = 0;
        connect(&p.socket, &Socket::readyRead, this, [&] { ++calls; });
        p.peer->write("abc");
        QTRY_COMPARE_WITH_TIMEOUT(calls, 1, 10000);
        for (int i = 0; i < 50; ++i)
            QCoreApplication::processEvents(); // each iteration polls the descriptor again
        QCOMPARE(calls, 1);
        QVERIFY(p.socket.readSuspended());
        char buffer[16];
        QCOMPARE(p.socket.read(buffer, sizeof buffer), qint64(3));
        QCOMPARE(QByteArray(buffer, 3), QByteArray("abc"));
        QVERIFY(!p.socket.readSuspended());
        p.peer->write("more");
        QTRY_COMPARE_WITH_TIMEOUT(calls, 2, 10000);
    }

    // A graceful close sends everything queued, then FIN; the socket reports the end once the
    // peer has closed its side too.
    void gracefulCloseSendsEverythingThenFin()
    {
        Pair p;
        QVERIFY(p.connect());
        QSignalSpy gone(&p.socket, &Socket::disconnected);
        bool peerSawEnd = false;
        connect(p.peer, &QTcpSocket::disconnected, this, [&] { peerSawEnd = true; });
        const QByteArray payload(4 << 20, 'x');
        p.socket.write(payload);
        p.socket.disconnectFromHost();
        QCOMPARE(p.socket.state(), Socket::State::Closing);
        p.socket.write("late"); // after the close: dropped, not sent
        QTRY_VERIFY_WITH_TIMEOUT(peerSawEnd, 20000);
        QCOMPARE(p.received.size(), payload.size());
        QVERIFY(p.received == payload);
        QVERIFY(gone.count() == 1 || gone.wait(10000)); // the peer closed: the linger ends
        QCOMPARE(p.socket.state(), Socket::State::Unconnected);
    }

    // A socket destroyed with a flush pending (written, then deleted in the same event) is
    // forgotten by the dispatcher; the other sockets of that iteration are still flushed.
    void socketDeletedWithAFlushPendingIsForgotten()
    {
        int pairA[2];
        int pairB[2];
        QVERIFY(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pairA) == 0);
        QVERIFY(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pairB) == 0);
        QByteArray readB;
        Runner runner([&] {
            auto doomed = std::make_unique<Socket>();
            auto kept = std::make_unique<Socket>();
            if (!doomed->adopt(pairA[0]) || !kept->adopt(pairB[0]))
                return;
            QEventLoop loop;
            QTimer::singleShot(0, &loop, [&] {
                doomed->write("never");
                kept->write("flushed");
                doomed.reset(); // both asked for a flush before the loop waits
                QTimer::singleShot(0, &loop, &QEventLoop::quit);
            });
            loop.exec();
        });
        runner.start();
        QVERIFY(runner.wait(20000));
        char buffer[32];
        ssize_t n;
        while ((n = ::read(pairB[1], buffer, sizeof buffer)) > 0) {
            readB.append(buffer, n);
            if (readB.size() >= 7)
                break;
        }
        QCOMPARE(readB, QByteArray("flushed"));
        n = ::read(pairA[1], buffer, sizeof buffer); // the doomed socket's descriptor is closed
        QCOMPARE(n, ssize_t(0));
        ::close(pairA[1]);
        ::close(pairB[1]);
    }
};

QTEST_GUILESS_MAIN(TestSocket)
#include "tst_socket.moc"
