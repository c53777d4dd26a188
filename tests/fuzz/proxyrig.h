#pragma once

// The proxy's request path, in process and in one thread, for the fuzz targets: a real
// Proxy::Worker (the object that owns client connections, upstream pools and the mirror sender
// in a running Proxy::Server) with a fixed route table from YAML, a client connection made of a
// socket pair, and a loopback backend bound as greeter-service v1 and v2.
//
// Why a Worker and not a whole Server: the Server hands connections to worker threads; driving
// the Worker in the fuzzer's own thread keeps every run deterministic and lets the rig tell when
// the proxy has nothing left to do, instead of waiting for a guessed time.

#include "proxy/worker.h"

#include <QByteArray>
#include <QList>
#include <QObject>

#include <http_parser.h>

#include <functional>
#include <memory>

class QTcpServer;
class QTcpSocket;

namespace Routing {
class RouteEngine;
}

namespace FuzzRig {

// A QCoreApplication for the life of the process (sockets and timers need one), SIGPIPE
// ignored. Safe to call more than once.
void initQt(int *argc, char ***argv);
// With FUZZ_TRACE=1 in the environment, prints what the client received (for looking at what a
// replayed input does).
void trace(const QByteArray &received);

// A loopback HTTP/1.1 server: parses each request with http-parser and answers it once it is
// complete, either with a small fixed JSON response (keep-alive) or, when a script is set, with
// the script's bytes followed by closing the connection (so a truncated or open-ended response
// ends at EOF rather than by a timeout).
class Backend : public QObject
{
public:
    Backend();
    ~Backend() override;
    bool start();
    quint16 port() const;
    void setScript(const QByteArray &script, bool enabled);
    int openConnections() const { return int(m_peers.size()); }

private:
    struct Peer
    {
        Backend *backend;
        QTcpSocket *socket;
        http_parser parser;
        bool answered = false;
    };
    void onNewConnection();
    void onReadyRead(Peer *peer);
    void answer(Peer *peer);
    void forget(Peer *peer);
    static int cbMessageComplete(http_parser *p);

    QTcpServer *m_server;
    QList<Peer *> m_peers;
    QByteArray m_script;
    bool m_scripted = false;
};

class ProxyRig
{
public:
    ProxyRig();
    ~ProxyRig();
    Backend &backend() { return m_backend; }
    // One client connection through a fresh worker: sends `clientBytes`, runs the event loop
    // until the proxy has nothing more to do, reads whatever came back, closes the client side
    // and runs again until every object of that connection is gone. Returns the client's view.
    QByteArray run(const QByteArray &clientBytes);

private:
    void settle(Proxy::Worker *worker, int clientFd, QByteArray *received);

    Backend m_backend;
    std::shared_ptr<const Routing::RouteEngine> m_engine;
    Proxy::Bindings m_bindings;
};

} // namespace FuzzRig
