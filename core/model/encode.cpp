// model -> Yaml::Node, in the proto's field order, `extra` after the known fields.
#include "model/codec.h"

#include <charconv>
#include <cmath>
#include <string>

namespace Model {

namespace {

using Yaml::Node;

// A string scalar that reads back as a string: quoted when a plain scalar would be typed as
// something else ("100", "true", "", "null").
Node stringNode(const QString &s)
{
    Node n = Node::scalar(s.toStdString());
    if (n.typeName() != "string")
        n.setStyle(Node::Style::DoubleQuoted);
    return n;
}

Node intNode(qint64 v)
{
    return Node::scalar(std::to_string(v));
}

Node boolNode(bool v)
{
    return Node::scalar(v ? "true" : "false");
}

Node stringListNode(const QStringList &list)
{
    Node n = Node::sequence();
    for (const QString &s : list)
        n.append(stringNode(s));
    return n;
}

Node stringMapNode(const StringMap &map)
{
    Node n = Node::map();
    for (const auto &e : map)
        n.entries().push_back({e.first.toStdString(), {}, stringNode(e.second)});
    return n;
}

Node stringMatchMapNode(const StringMatchMap &map)
{
    Node n = Node::map();
    for (const auto &e : map)
        n.entries().push_back({e.first.toStdString(), {}, encodeStringMatch(e.second)});
    return n;
}

// The Percent map: the source spelling of value while it still reads as the same number, and
// the source's other keys.
Node percentNode(double value, const Node &source)
{
    Node n = Node::map();
    const Node *sv = source.isMap() ? source.get("value") : nullptr;
    if (sv && sv->toDouble() && *sv->toDouble() == value)
        n.set("value", *sv);
    else if (sv || !source.isMap() || value != 0.0) // `{}` stays `{}` while it means 0
        n.set("value", Node::scalar(formatNumber(value)));
    if (source.isMap()) {
        for (const Node::Entry &e : source.entries()) {
            if (e.key != "value")
                n.entries().push_back(e);
        }
    }
    return n;
}

// Builds one message map. Known fields are added in proto order; finish() appends the extra
// entries whose key the model did not write (the model wins over a stale extra entry).
class MapWriter
{
public:
    void add(const char *key, Node value)
    {
        m_node.entries().push_back({key, {}, std::move(value)});
    }
    void string(const char *key, const QString &v)
    {
        if (!v.isEmpty())
            add(key, stringNode(v));
    }
    void strings(const char *key, const QStringList &v)
    {
        if (!v.isEmpty())
            add(key, stringListNode(v));
    }
    void stringMap(const char *key, const StringMap &v)
    {
        if (!v.isEmpty())
            add(key, stringMapNode(v));
    }
    void matchMap(const char *key, const StringMatchMap &v)
    {
        if (!v.isEmpty())
            add(key, stringMatchMapNode(v));
    }
    template <typename T> void integer(const char *key, const std::optional<T> &v)
    {
        if (v)
            add(key, intNode(static_cast<qint64>(*v)));
    }
    void boolean(const char *key, const std::optional<bool> &v)
    {
        if (v)
            add(key, boolNode(*v));
    }
    void duration(const char *key, const std::optional<Duration> &v)
    {
        if (!v)
            return;
        QString text = v->text;
        if (text.isEmpty() && v->ms)
            text = Duration::fromMs(*v->ms).text;
        add(key, stringNode(text));
    }
    void percent(const char *key, const std::optional<double> &v, const Node &source)
    {
        if (v)
            add(key, percentNode(*v, source));
    }
    template <typename T, typename E>
    void message(const char *key, const std::optional<T> &v, E encode)
    {
        if (v)
            add(key, encode(*v));
    }
    template <typename T, typename E> void list(const char *key, const QList<T> &v, E encode)
    {
        if (v.isEmpty())
            return;
        Node seq = Node::sequence();
        for (const T &item : v)
            seq.append(encode(item));
        add(key, std::move(seq));
    }
    void node(const char *key, const Node &v)
    {
        if (!v.isNull())
            add(key, v);
    }
    Node finish(const Node &extra)
    {
        if (extra.isMap()) {
            for (const Node::Entry &e : extra.entries()) {
                if (!m_node.has(e.key))
                    m_node.entries().push_back(e);
            }
        }
        return std::move(m_node);
    }

private:
    Node m_node = Node::map();
};

Node encodePortSelector(const PortSelector &p)
{
    MapWriter w;
    w.integer("number", p.number);
    return w.finish(p.extra);
}

Node encodeHeaderOperations(const HeaderOperations &h)
{
    MapWriter w;
    w.stringMap("set", h.set);
    w.stringMap("add", h.add);
    w.strings("remove", h.remove);
    return w.finish(h.extra);
}

Node encodeHeaders(const Headers &h)
{
    MapWriter w;
    w.message("request", h.request, encodeHeaderOperations);
    w.message("response", h.response, encodeHeaderOperations);
    return w.finish(h.extra);
}

Node encodeMatch(const HTTPMatchRequest &m)
{
    MapWriter w;
    w.string("name", m.name);
    w.message("uri", m.uri, encodeStringMatch);
    w.message("scheme", m.scheme, encodeStringMatch);
    w.message("method", m.method, encodeStringMatch);
    w.message("authority", m.authority, encodeStringMatch);
    w.matchMap("headers", m.headers);
    w.integer("port", m.port);
    w.stringMap("sourceLabels", m.sourceLabels);
    w.strings("gateways", m.gateways);
    w.matchMap("queryParams", m.queryParams);
    w.boolean("ignoreUriCase", m.ignoreUriCase);
    w.matchMap("withoutHeaders", m.withoutHeaders);
    w.string("sourceNamespace", m.sourceNamespace);
    w.string("statPrefix", m.statPrefix);
    return w.finish(m.extra);
}

Node encodeRouteDestination(const HTTPRouteDestination &d)
{
    MapWriter w;
    if (!d.destination.isEmpty())
        w.add("destination", encodeDestination(d.destination));
    w.integer("weight", d.weight);
    w.message("headers", d.headers, encodeHeaders);
    return w.finish(d.extra);
}

Node encodeRedirect(const HTTPRedirect &r)
{
    MapWriter w;
    w.string("uri", r.uri);
    w.string("authority", r.authority);
    w.integer("port", r.port);
    w.string("derivePort", r.derivePort);
    w.string("scheme", r.scheme);
    w.integer("redirectCode", r.redirectCode);
    w.string("prefixRewrite", r.prefixRewrite);
    return w.finish(r.extra);
}

Node encodeBody(const HTTPBody &b)
{
    MapWriter w;
    if (b.kind == HTTPBody::Kind::String)
        w.add("string", stringNode(b.value));
    else if (b.kind == HTTPBody::Kind::Bytes)
        w.add("bytes", stringNode(b.value));
    return w.finish(b.extra);
}

Node encodeDirectResponse(const HTTPDirectResponse &r)
{
    MapWriter w;
    w.integer("status", r.status);
    w.message("body", r.body, encodeBody);
    return w.finish(r.extra);
}

Node encodeDelegate(const Delegate &d)
{
    MapWriter w;
    w.string("name", d.name);
    w.string("namespace", d.namespaceName);
    return w.finish(d.extra);
}

Node encodeRegexRewrite(const RegexRewrite &r)
{
    MapWriter w;
    w.string("match", r.match);
    w.string("rewrite", r.rewrite);
    return w.finish(r.extra);
}

Node encodeRewrite(const HTTPRewrite &r)
{
    MapWriter w;
    w.string("uri", r.uri);
    w.string("authority", r.authority);
    w.message("uriRegexRewrite", r.uriRegexRewrite, encodeRegexRewrite);
    return w.finish(r.extra);
}

Node encodeRetry(const HTTPRetry &r)
{
    MapWriter w;
    w.integer("attempts", r.attempts);
    w.duration("perTryTimeout", r.perTryTimeout);
    w.string("retryOn", r.retryOn);
    w.boolean("retryRemoteLocalities", r.retryRemoteLocalities);
    w.boolean("retryIgnorePreviousHosts", r.retryIgnorePreviousHosts);
    w.duration("backoff", r.backoff);
    return w.finish(r.extra);
}

Node encodeDelay(const FaultDelay &d)
{
    MapWriter w;
    w.integer("percent", d.percent);
    w.duration("fixedDelay", d.fixedDelay);
    w.duration("exponentialDelay", d.exponentialDelay);
    w.percent("percentage", d.percentage, d.percentageSource);
    return w.finish(d.extra);
}

Node encodeAbort(const FaultAbort &a)
{
    MapWriter w;
    w.integer("httpStatus", a.httpStatus);
    w.string("grpcStatus", a.grpcStatus);
    w.string("http2Error", a.http2Error);
    w.percent("percentage", a.percentage, a.percentageSource);
    return w.finish(a.extra);
}

Node encodeFault(const HTTPFaultInjection &f)
{
    MapWriter w;
    w.message("delay", f.delay, encodeDelay);
    w.message("abort", f.abort, encodeAbort);
    return w.finish(f.extra);
}

Node encodeMirrorPolicy(const HTTPMirrorPolicy &m)
{
    MapWriter w;
    if (!m.destination.isEmpty())
        w.add("destination", encodeDestination(m.destination));
    w.percent("percentage", m.percentage, m.percentageSource);
    return w.finish(m.extra);
}

Node encodeCors(const CorsPolicy &c)
{
    MapWriter w;
    w.strings("allowOrigin", c.allowOrigin);
    w.list("allowOrigins", c.allowOrigins, encodeStringMatch);
    w.strings("allowMethods", c.allowMethods);
    w.strings("allowHeaders", c.allowHeaders);
    w.strings("exposeHeaders", c.exposeHeaders);
    w.duration("maxAge", c.maxAge);
    w.boolean("allowCredentials", c.allowCredentials);
    w.string("unmatchedPreflights", c.unmatchedPreflights);
    return w.finish(c.extra);
}

Node encodeSubset(const Subset &s)
{
    MapWriter w;
    w.string("name", s.name);
    w.stringMap("labels", s.labels);
    w.node("trafficPolicy", s.trafficPolicy);
    return w.finish(s.extra);
}

Node identity(const Node &n)
{
    return n;
}

} // namespace

std::string formatNumber(double value)
{
    if (std::isnan(value))
        return ".nan";
    if (std::isinf(value))
        return value > 0 ? ".inf" : "-.inf";
    if (value == std::floor(value) && std::fabs(value) < 1e15)
        return std::to_string(static_cast<long long>(value));
    // Shortest round-trip digits in fixed notation: YAML 1.1 readers do not all take "1e-05".
    char buf[512];
    const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
    if (res.ec != std::errc())
        return std::to_string(value);
    return std::string(buf, res.ptr);
}

Node encodeStringMatch(const StringMatch &m)
{
    MapWriter w;
    if (m.kind != StringMatch::Kind::None)
        w.add(StringMatch::kindName(m.kind).toLatin1().constData(), stringNode(m.value));
    return w.finish(m.extra);
}

Node encodeDestination(const Destination &d)
{
    MapWriter w;
    w.string("host", d.host);
    w.string("subset", d.subset);
    w.message("port", d.port, encodePortSelector);
    return w.finish(d.extra);
}

Node encodeHTTPRoute(const HTTPRoute &r)
{
    MapWriter w;
    w.string("name", r.name);
    w.list("match", r.match, encodeMatch);
    w.list("route", r.route, encodeRouteDestination);
    w.message("redirect", r.redirect, encodeRedirect);
    w.message("directResponse", r.directResponse, encodeDirectResponse);
    w.message("delegate", r.delegate, encodeDelegate);
    w.message("rewrite", r.rewrite, encodeRewrite);
    w.duration("timeout", r.timeout);
    w.message("retries", r.retries, encodeRetry);
    w.message("fault", r.fault, encodeFault);
    w.message("mirror", r.mirror, encodeDestination);
    w.list("mirrors", r.mirrors, encodeMirrorPolicy);
    w.integer(r.mirrorPercentSpelling == HTTPRoute::MirrorPercentSpelling::SnakeCase
                  ? "mirror_percent"
                  : "mirrorPercent",
              r.mirrorPercent);
    w.percent("mirrorPercentage", r.mirrorPercentage, r.mirrorPercentageSource);
    w.message("corsPolicy", r.corsPolicy, encodeCors);
    w.message("headers", r.headers, encodeHeaders);
    return w.finish(r.extra);
}

Node encodeVirtualService(const VirtualService &vs)
{
    MapWriter w;
    w.strings("hosts", vs.hosts);
    w.strings("gateways", vs.gateways);
    w.list("http", vs.http, encodeHTTPRoute);
    w.list("tls", vs.tls, identity);
    w.list("tcp", vs.tcp, identity);
    w.strings("exportTo", vs.exportTo);
    return w.finish(vs.extra);
}

Node encodeDestinationRule(const DestinationRule &dr)
{
    MapWriter w;
    w.string("host", dr.host);
    w.node("trafficPolicy", dr.trafficPolicy);
    w.list("subsets", dr.subsets, encodeSubset);
    w.strings("exportTo", dr.exportTo);
    w.node("workloadSelector", dr.workloadSelector);
    return w.finish(dr.extra);
}

Node toNode(const Resource &r)
{
    if (r.type == Resource::Type::Other) {
        // Kept as read; only what the caller changed through the Resource is written over.
        Node out = r.raw.isNull() ? Node::map() : r.raw;
        if (!out.isMap())
            return out;
        const Node *api = out.get("apiVersion");
        if (!r.apiVersion.isEmpty() && (!api || api->text() != r.apiVersion.toStdString()))
            out.set("apiVersion", stringNode(r.apiVersion));
        const Node *kind = out.get("kind");
        if (!r.kind.isEmpty() && (!kind || kind->text() != r.kind.toStdString()))
            out.set("kind", stringNode(r.kind));
        const Node *meta = out.get("metadata");
        if (meta ? !(*meta == r.metadata) : !r.metadata.isNull())
            out.set("metadata", r.metadata);
        return out;
    }
    MapWriter w;
    w.string("apiVersion", r.apiVersion);
    w.string("kind", r.kind);
    w.node("metadata", r.metadata);
    if (const Node *badSpec = r.extra.isMap() ? r.extra.get("spec") : nullptr) {
        w.add("spec", *badSpec); // not a map in the source: written back where it was
    } else {
        Node spec = r.type == Resource::Type::VirtualService
                        ? encodeVirtualService(r.virtualService)
                        : encodeDestinationRule(r.destinationRule);
        if (spec.size() > 0)
            w.add("spec", std::move(spec));
    }
    return w.finish(r.extra);
}

} // namespace Model
