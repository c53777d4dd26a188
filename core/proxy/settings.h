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

    // Envoy's default circuit breaker for a cluster (max_requests 1024) bounds the mesh's
    // mirrors the same way: past it a mirror is dropped ("in-flight limit"), never queued.
    int maxInFlightMirrors = 1024;
    qint64 mirrorBodyBufferBytes = 1024 * 1024;
    int mirrorTimeoutMs = 5000;
    bool readOnlyMirroring = false; // when on, only GET/HEAD/OPTIONS are mirrored

    int idleTimeoutMs = 60000; // no byte either way on a client connection for this long
    // From the first byte of a request to the end of its headers (nginx's client_header_timeout,
    // Envoy's request_headers_timeout): a client trickling its head byte by byte (slowloris)
    // keeps the idle timer happy but not this one. Past it: 408 and close. 0: no limit.
    int requestHeadersTimeoutMs = 10000;
    int maxHeaderBytes = 64 * 1024; // request line + headers; beyond: 431
    int maxHeaderCount = 100;       // Envoy's max_headers_count; beyond: 431
    // Client connections open at once, all workers together. At the limit a new connection
    // closes the longest-quiet connection that has no request in progress (as nginx reuses
    // keep-alive connections), or is closed itself when there is none. 0: derived from the
    // process's file descriptor limit (each client may hold an upstream and a mirror socket).
    int maxConnections = 0;
    int bodyPrefixBytes = 64 * 1024; // body kept per leg (and of the request) in the Exchange
    int upstreamConnectTimeoutMs = 5000;
    qint64 retryBufferBytes = 1024 * 1024; // request bodies up to this size can be replayed
    int maxIdleUpstreamPerEndpoint = 64;   // per worker
    int recorderCapacity = 100000;
};

} // namespace Proxy
