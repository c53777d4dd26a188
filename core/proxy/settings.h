#pragma once

#include <QHostAddress>

namespace Proxy {

struct Settings
{
    QHostAddress listenAddress = QHostAddress(QHostAddress::LocalHost);
    quint16 listenPort = 0; // 0: any free port
    // The proxy forwards to whatever the bindings name; listening beyond loopback exposes that
    // to the network, so it must be asked for.
    bool allowRemote = false;
    int workers = 0; // 0: QThread::idealThreadCount()

    int maxInFlightMirrors = 1000;
    qint64 mirrorBodyBufferBytes = 1024 * 1024;
    int mirrorTimeoutMs = 5000;
    bool readOnlyMirroring = false; // when on, only GET/HEAD/OPTIONS are mirrored

    int idleTimeoutMs = 60000;       // no byte either way on a client connection for this long
    int maxHeaderBytes = 64 * 1024;  // request line + headers; beyond: 431
    int bodyPrefixBytes = 64 * 1024; // body kept per leg (and of the request) in the Exchange
    int upstreamConnectTimeoutMs = 5000;
    qint64 retryBufferBytes = 1024 * 1024; // request bodies up to this size can be replayed
    int maxIdleUpstreamPerEndpoint = 64;   // per worker
    int recorderCapacity = 100000;
};

} // namespace Proxy
