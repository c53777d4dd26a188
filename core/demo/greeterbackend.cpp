#include "demo/greeterbackend.h"

#include "demo/greeterconnection.h"

#include <QHostAddress>
#include <QMutexLocker>
#include <QTcpServer>
#include <QTcpSocket>

#include <cmath>

namespace Demo {

namespace {

constexpr int maxDistinctPaths = 256; // /users/<id> must not grow the table without bound

void count(QHash<QByteArray, qint64> &table, const QByteArray &key)
{
    auto it = table.find(key);
    if (it != table.end()) {
        ++it.value();
        return;
    }
    if (table.size() >= maxDistinctPaths) {
        ++table[QByteArrayLiteral("(other)")];
        return;
    }
    table.insert(key, 1);
}

} // namespace

GreeterBackend::GreeterBackend(const GreeterProfile &profile, QObject *parent)
    : QObject(parent), m_profile(profile), m_rng(std::random_device{}())
{
}

GreeterBackend::~GreeterBackend()
{
    stop();
}

bool GreeterBackend::start(quint16 port)
{
    stop();
    // Created here, not in the constructor, so the listener belongs to the thread that runs it.
    m_server = new QTcpServer(this);
    connect(m_server, &QTcpServer::newConnection, this, &GreeterBackend::onNewConnection);
    if (!m_server->listen(QHostAddress::LocalHost, port)) {
        QMutexLocker lock(&m_mutex);
        m_error = m_server->errorString();
        delete m_server;
        m_server = nullptr;
        return false;
    }
    QMutexLocker lock(&m_mutex);
    m_error.clear();
    m_port.store(m_server->serverPort());
    return true;
}

void GreeterBackend::stop()
{
    m_port.store(0);
    if (m_server) {
        m_server->close();
        delete m_server;
        m_server = nullptr;
    }
    // Connections are children: deleting them closes their sockets and cancels their timers.
    const auto connections = findChildren<GreeterConnection *>(Qt::FindDirectChildrenOnly);
    for (GreeterConnection *connection : connections)
        delete connection;
}

QString GreeterBackend::errorString() const
{
    QMutexLocker lock(&m_mutex);
    return m_error;
}

GreeterProfile GreeterBackend::profile() const
{
    QMutexLocker lock(&m_mutex);
    return m_profile;
}

void GreeterBackend::setProfile(const GreeterProfile &profile)
{
    QMutexLocker lock(&m_mutex);
    m_profile = profile;
}

void GreeterBackend::setSeed(quint64 seed)
{
    QMutexLocker lock(&m_mutex);
    m_rng.seed(seed);
}

void GreeterBackend::setRecentLimit(int limit)
{
    QMutexLocker lock(&m_mutex);
    m_recentLimit = std::max(0, limit);
    while (m_stats.recent.size() > m_recentLimit)
        m_stats.recent.removeFirst();
}

BackendStats GreeterBackend::snapshot() const
{
    QMutexLocker lock(&m_mutex);
    return m_stats;
}

void GreeterBackend::resetStats()
{
    QMutexLocker lock(&m_mutex);
    m_stats = BackendStats();
}

void GreeterBackend::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        {
            QMutexLocker lock(&m_mutex);
            ++m_stats.connectionsAccepted;
        }
        new GreeterConnection(socket, this);
    }
}

QByteArray GreeterBackend::serve(const GreeterRequest &request, bool keepAlive, bool headRequest,
                                 int *delayMs)
{
    RequestHead head;
    head.received = QDateTime::currentDateTimeUtc();
    head.method = request.method;
    head.path = request.target;
    head.host = request.host;
    head.requestId = request.requestId;
    const int query = head.path.indexOf('?');
    const QByteArray path = query >= 0 ? head.path.left(query) : head.path;

    GreeterProfile profile;
    ReplyContext context;
    context.now = head.received;
    {
        QMutexLocker lock(&m_mutex);
        profile = m_profile;
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        if (profile.errorRate > 0 && unit(m_rng) < profile.errorRate)
            context.injectedStatus = unit(m_rng) < 0.5 ? 500 : 503;
        *delayMs = static_cast<int>(std::lround(sampleDelayMs(profile, m_rng)));
        if (request.method == "POST" && path == "/users")
            context.newUserId = m_nextUserId++;
    }

    const GreeterReply reply = greeterReply(request, profile, context);
    {
        QMutexLocker lock(&m_mutex);
        ++m_stats.requests;
        count(m_stats.perPath, path);
        count(m_stats.perHost, request.host);
        count(m_stats.perMethod, request.method);
        ++m_stats.perStatus[reply.status];
        if (m_recentLimit > 0) {
            m_stats.recent.append(head);
            while (m_stats.recent.size() > m_recentLimit)
                m_stats.recent.removeFirst();
        }
    }
    emit requestReceived(head);
    return encodeResponse(reply, profile, request.requestId, keepAlive, headRequest);
}

void GreeterBackend::recordRejected(int status)
{
    QMutexLocker lock(&m_mutex);
    ++m_stats.perStatus[status];
}

} // namespace Demo
