#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace Demo {

// One kind of request the generator sends. "{id}" in path and body becomes a random user id.
struct RequestTemplate
{
    QByteArray method = "GET";
    QByteArray path = "/hello";
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    double weight = 1.0;
};

// A weighted list of request templates.
class RequestMix
{
public:
    // 80% GET /hello, 15% GET /users/{id}, 5% POST /users with a small JSON body.
    static RequestMix defaultMix();

    void add(const RequestTemplate &entry); // ignored when the weight is not positive
    const QList<RequestTemplate> &entries() const { return m_entries; }
    bool isEmpty() const { return m_entries.isEmpty(); }
    double totalWeight() const { return m_total; }

    // Index of the entry a uniform draw u in [0, 1) selects; -1 when empty.
    int pick(double u) const;

private:
    QList<RequestTemplate> m_entries;
    QList<double> m_cumulative;
    double m_total = 0;
};

// The bytes of one HTTP/1.1 request (keep-alive, Content-Length when a body is present).
QByteArray renderRequest(const RequestTemplate &entry, const QByteArray &host, int userId,
                         const QByteArray &requestId);

} // namespace Demo
