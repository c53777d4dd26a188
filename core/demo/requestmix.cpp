#include "demo/requestmix.h"

#include <algorithm>

namespace Demo {

RequestMix RequestMix::defaultMix()
{
    RequestMix mix;
    RequestTemplate hello;
    hello.path = "/hello";
    hello.weight = 80;
    mix.add(hello);
    RequestTemplate user;
    user.path = "/users/{id}";
    user.weight = 15;
    mix.add(user);
    RequestTemplate create;
    create.method = "POST";
    create.path = "/users";
    create.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    create.body = R"({"name":"user-{id}","plan":"demo"})";
    create.weight = 5;
    mix.add(create);
    return mix;
}

void RequestMix::add(const RequestTemplate &entry)
{
    if (!(entry.weight > 0))
        return;
    m_entries.append(entry);
    m_total += entry.weight;
    m_cumulative.append(m_total);
}

int RequestMix::pick(double u) const
{
    if (m_entries.isEmpty())
        return -1;
    const double target = std::clamp(u, 0.0, 1.0) * m_total;
    const auto it = std::upper_bound(m_cumulative.begin(), m_cumulative.end(), target);
    if (it == m_cumulative.end())
        return static_cast<int>(m_entries.size()) - 1;
    return static_cast<int>(it - m_cumulative.begin());
}

QByteArray renderRequest(const RequestTemplate &entry, const QByteArray &host, int userId,
                         const QByteArray &requestId)
{
    const QByteArray id = QByteArray::number(userId);
    QByteArray path = entry.path;
    path.replace("{id}", id);
    QByteArray body = entry.body;
    body.replace("{id}", id);

    QByteArray out;
    out.reserve(160 + body.size());
    out += entry.method + ' ' + path + " HTTP/1.1\r\nHost: " + host + "\r\n";
    out += "User-Agent: mirrorscope-generator\r\n";
    if (!requestId.isEmpty())
        out += "x-request-id: " + requestId + "\r\n";
    for (const auto &header : entry.headers)
        out += header.first + ": " + header.second + "\r\n";
    if (!body.isEmpty() || entry.method == "POST" || entry.method == "PUT" ||
        entry.method == "PATCH")
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += "\r\n";
    out += body;
    return out;
}

} // namespace Demo
