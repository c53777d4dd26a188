// Yaml::Node -> model. Lenient by design: a value of the wrong type is never guessed at; its
// entry stays in the owner's `extra` (and the typed field stays unset), so the validator can
// report it from the raw tree and the encoder writes it back unchanged.
#include "yaml/document.h"

#include "model/codec.h"

#include <algorithm>
#include <climits>
#include <string>
#include <vector>

namespace Model {

namespace {

using Yaml::Node;

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

bool isString(const Node &n)
{
    return n.isScalar() && n.typeName() == "string";
}

// Calls field(key, value) for each entry of a map; entries it does not take (unknown key, wrong
// type, or a repeated key) are collected, in order, into the returned `extra` node (null when
// there are none).
template <typename F> Node decodeFields(const Node &node, F &&field)
{
    Node extra;
    if (!node.isMap())
        return extra;
    std::vector<std::string> taken;
    for (const Node::Entry &e : node.entries()) {
        const bool repeated = std::find(taken.begin(), taken.end(), e.key) != taken.end();
        if (!repeated && field(e.key, e.value)) {
            taken.push_back(e.key);
            continue;
        }
        if (extra.isNull())
            extra = Node::map(node.mark());
        extra.entries().push_back(e);
    }
    return extra;
}

// Strings: an empty string is "not set" in the model, so it is left in `extra` to be written
// back as it was.
bool readString(const Node &n, QString &out)
{
    if (!isString(n) || n.text().empty())
        return false;
    out = qs(n.text());
    return true;
}

bool readInt(const Node &n, std::optional<int> &out)
{
    const auto v = n.toInt();
    if (!v || *v < INT_MIN || *v > INT_MAX)
        return false;
    out = static_cast<int>(*v);
    return true;
}

bool readInt64(const Node &n, std::optional<qint64> &out)
{
    const auto v = n.toInt();
    if (!v)
        return false;
    out = static_cast<qint64>(*v);
    return true;
}

bool readBool(const Node &n, std::optional<bool> &out)
{
    const auto v = n.toBool();
    if (!v)
        return false;
    out = *v;
    return true;
}

bool readDuration(const Node &n, std::optional<Duration> &out)
{
    if (!isString(n))
        return false;
    out = Duration::fromText(qs(n.text()));
    return true;
}

bool readStringList(const Node &n, QStringList &out)
{
    if (!n.isSequence())
        return false;
    QStringList list;
    for (const Node &item : n.items()) {
        if (!isString(item))
            return false;
        list.append(qs(item.text()));
    }
    out = list;
    return true;
}

bool readStringMap(const Node &n, StringMap &out)
{
    if (!n.isMap())
        return false;
    StringMap map;
    for (const Node::Entry &e : n.entries()) {
        if (!isString(e.value) || map.contains(qs(e.key)))
            return false;
        map.entries.append({qs(e.key), qs(e.value.text())});
    }
    out = map;
    return true;
}

bool readStringMatchMap(const Node &n, StringMatchMap &out)
{
    if (!n.isMap())
        return false;
    StringMatchMap map;
    for (const Node::Entry &e : n.entries()) {
        if (!e.value.isMap() || map.contains(qs(e.key)))
            return false;
        map.entries.append({qs(e.key), decodeStringMatch(e.value)});
    }
    out = map;
    return true;
}

// A Percent map {value: double}. `{}` is a set Percent of 0 (proto3), as Istio reads it.
bool readPercent(const Node &n, std::optional<double> &out, Node &source)
{
    if (!n.isMap())
        return false;
    double value = 0.0;
    if (const Node *v = n.get("value")) {
        const auto d = v->toDouble();
        if (!d)
            return false;
        value = *d;
    }
    out = value;
    source = n;
    return true;
}

template <typename T, typename D> bool readMessage(const Node &n, std::optional<T> &out, D decode)
{
    if (!n.isMap())
        return false;
    out = decode(n);
    return true;
}

template <typename T, typename D> bool readMessageList(const Node &n, QList<T> &out, D decode)
{
    if (!n.isSequence())
        return false;
    for (const Node &item : n.items()) {
        if (!item.isMap())
            return false;
    }
    QList<T> list;
    for (const Node &item : n.items())
        list.append(decode(item));
    out = list;
    return true;
}

bool readNodeList(const Node &n, QList<Node> &out)
{
    if (!n.isSequence())
        return false;
    out = QList<Node>(n.items().begin(), n.items().end());
    return true;
}

bool readMapNode(const Node &n, Node &out)
{
    if (!n.isMap())
        return false;
    out = n;
    return true;
}

PortSelector decodePortSelector(const Node &n)
{
    PortSelector p;
    p.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "number")
            return readInt64(v, p.number);
        return false;
    });
    return p;
}

HeaderOperations decodeHeaderOperations(const Node &n)
{
    HeaderOperations h;
    h.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "set")
            return readStringMap(v, h.set);
        if (k == "add")
            return readStringMap(v, h.add);
        if (k == "remove")
            return readStringList(v, h.remove);
        return false;
    });
    return h;
}

Headers decodeHeaders(const Node &n)
{
    Headers h;
    h.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "request")
            return readMessage(v, h.request, decodeHeaderOperations);
        if (k == "response")
            return readMessage(v, h.response, decodeHeaderOperations);
        return false;
    });
    return h;
}

HTTPMatchRequest decodeMatch(const Node &n)
{
    HTTPMatchRequest m;
    m.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "name")
            return readString(v, m.name);
        if (k == "uri")
            return readMessage(v, m.uri, decodeStringMatch);
        if (k == "scheme")
            return readMessage(v, m.scheme, decodeStringMatch);
        if (k == "method")
            return readMessage(v, m.method, decodeStringMatch);
        if (k == "authority")
            return readMessage(v, m.authority, decodeStringMatch);
        if (k == "headers")
            return readStringMatchMap(v, m.headers);
        if (k == "port")
            return readInt64(v, m.port);
        if (k == "sourceLabels")
            return readStringMap(v, m.sourceLabels);
        if (k == "gateways")
            return readStringList(v, m.gateways);
        if (k == "queryParams")
            return readStringMatchMap(v, m.queryParams);
        if (k == "ignoreUriCase")
            return readBool(v, m.ignoreUriCase);
        if (k == "withoutHeaders")
            return readStringMatchMap(v, m.withoutHeaders);
        if (k == "sourceNamespace")
            return readString(v, m.sourceNamespace);
        if (k == "statPrefix")
            return readString(v, m.statPrefix);
        return false;
    });
    return m;
}

bool readDestination(const Node &n, Destination &out)
{
    if (!n.isMap())
        return false;
    out = decodeDestination(n);
    return true;
}

HTTPRouteDestination decodeRouteDestination(const Node &n)
{
    HTTPRouteDestination d;
    d.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "destination")
            return readDestination(v, d.destination);
        if (k == "weight")
            return readInt(v, d.weight);
        if (k == "headers")
            return readMessage(v, d.headers, decodeHeaders);
        return false;
    });
    return d;
}

HTTPRedirect decodeRedirect(const Node &n)
{
    HTTPRedirect r;
    r.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "uri")
            return readString(v, r.uri);
        if (k == "authority")
            return readString(v, r.authority);
        if (k == "port")
            return readInt64(v, r.port);
        if (k == "derivePort")
            return readString(v, r.derivePort);
        if (k == "scheme")
            return readString(v, r.scheme);
        if (k == "redirectCode")
            return readInt(v, r.redirectCode);
        if (k == "prefixRewrite")
            return readString(v, r.prefixRewrite);
        return false;
    });
    return r;
}

HTTPBody decodeBody(const Node &n)
{
    HTTPBody b;
    b.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        // A second oneof member stays in extra (validation reports the conflict).
        if (b.kind != HTTPBody::Kind::None || !isString(v))
            return false;
        if (k == "string")
            b.kind = HTTPBody::Kind::String;
        else if (k == "bytes")
            b.kind = HTTPBody::Kind::Bytes;
        else
            return false;
        b.value = qs(v.text());
        return true;
    });
    return b;
}

HTTPDirectResponse decodeDirectResponse(const Node &n)
{
    HTTPDirectResponse r;
    r.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "status")
            return readInt(v, r.status);
        if (k == "body")
            return readMessage(v, r.body, decodeBody);
        return false;
    });
    return r;
}

Delegate decodeDelegate(const Node &n)
{
    Delegate d;
    d.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "name")
            return readString(v, d.name);
        if (k == "namespace")
            return readString(v, d.namespaceName);
        return false;
    });
    return d;
}

RegexRewrite decodeRegexRewrite(const Node &n)
{
    RegexRewrite r;
    r.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "match")
            return readString(v, r.match);
        if (k == "rewrite")
            return readString(v, r.rewrite);
        return false;
    });
    return r;
}

HTTPRewrite decodeRewrite(const Node &n)
{
    HTTPRewrite r;
    r.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "uri")
            return readString(v, r.uri);
        if (k == "authority")
            return readString(v, r.authority);
        if (k == "uriRegexRewrite")
            return readMessage(v, r.uriRegexRewrite, decodeRegexRewrite);
        return false;
    });
    return r;
}

HTTPRetry decodeRetry(const Node &n)
{
    HTTPRetry r;
    r.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "attempts")
            return readInt(v, r.attempts);
        if (k == "perTryTimeout")
            return readDuration(v, r.perTryTimeout);
        if (k == "retryOn")
            return readString(v, r.retryOn);
        if (k == "retryRemoteLocalities")
            return readBool(v, r.retryRemoteLocalities);
        if (k == "retryIgnorePreviousHosts")
            return readBool(v, r.retryIgnorePreviousHosts);
        if (k == "backoff")
            return readDuration(v, r.backoff);
        return false;
    });
    return r;
}

FaultDelay decodeDelay(const Node &n)
{
    FaultDelay d;
    d.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "percent")
            return readInt(v, d.percent);
        if (k == "fixedDelay")
            return readDuration(v, d.fixedDelay);
        if (k == "exponentialDelay")
            return readDuration(v, d.exponentialDelay);
        if (k == "percentage")
            return readPercent(v, d.percentage, d.percentageSource);
        return false;
    });
    return d;
}

FaultAbort decodeAbort(const Node &n)
{
    FaultAbort a;
    a.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "httpStatus")
            return readInt(v, a.httpStatus);
        if (k == "grpcStatus")
            return readString(v, a.grpcStatus);
        if (k == "http2Error")
            return readString(v, a.http2Error);
        if (k == "percentage")
            return readPercent(v, a.percentage, a.percentageSource);
        return false;
    });
    return a;
}

HTTPFaultInjection decodeFault(const Node &n)
{
    HTTPFaultInjection f;
    f.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "delay")
            return readMessage(v, f.delay, decodeDelay);
        if (k == "abort")
            return readMessage(v, f.abort, decodeAbort);
        return false;
    });
    return f;
}

HTTPMirrorPolicy decodeMirrorPolicy(const Node &n)
{
    HTTPMirrorPolicy m;
    m.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "destination")
            return readDestination(v, m.destination);
        if (k == "percentage")
            return readPercent(v, m.percentage, m.percentageSource);
        return false;
    });
    return m;
}

bool readStringMatchList(const Node &n, QList<StringMatch> &out)
{
    return readMessageList(n, out, decodeStringMatch);
}

CorsPolicy decodeCors(const Node &n)
{
    CorsPolicy c;
    c.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "allowOrigin")
            return readStringList(v, c.allowOrigin);
        if (k == "allowOrigins")
            return readStringMatchList(v, c.allowOrigins);
        if (k == "allowMethods")
            return readStringList(v, c.allowMethods);
        if (k == "allowHeaders")
            return readStringList(v, c.allowHeaders);
        if (k == "exposeHeaders")
            return readStringList(v, c.exposeHeaders);
        if (k == "maxAge")
            return readDuration(v, c.maxAge);
        if (k == "allowCredentials")
            return readBool(v, c.allowCredentials);
        if (k == "unmatchedPreflights")
            return readString(v, c.unmatchedPreflights);
        return false;
    });
    return c;
}

Subset decodeSubset(const Node &n)
{
    Subset s;
    s.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "name")
            return readString(v, s.name);
        if (k == "labels")
            return readStringMap(v, s.labels);
        if (k == "trafficPolicy")
            return readMapNode(v, s.trafficPolicy);
        return false;
    });
    return s;
}

} // namespace

StringMatch decodeStringMatch(const Node &n)
{
    StringMatch m;
    m.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        // Only the first oneof member is typed; a second one stays in extra.
        if (m.kind != StringMatch::Kind::None || !isString(v))
            return false;
        if (k == "exact")
            m.kind = StringMatch::Kind::Exact;
        else if (k == "prefix")
            m.kind = StringMatch::Kind::Prefix;
        else if (k == "regex")
            m.kind = StringMatch::Kind::Regex;
        else
            return false;
        m.value = qs(v.text()); // "" is meaningful here (exact: "" matches ?key)
        return true;
    });
    return m;
}

Destination decodeDestination(const Node &n)
{
    Destination d;
    d.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "host")
            return readString(v, d.host);
        if (k == "subset")
            return readString(v, d.subset);
        if (k == "port")
            return readMessage(v, d.port, decodePortSelector);
        return false;
    });
    return d;
}

HTTPRoute decodeHTTPRoute(const Node &n)
{
    HTTPRoute r;
    r.extra = decodeFields(n, [&](const std::string &k, const Node &v) {
        if (k == "name")
            return readString(v, r.name);
        if (k == "match")
            return readMessageList(v, r.match, decodeMatch);
        if (k == "route")
            return readMessageList(v, r.route, decodeRouteDestination);
        if (k == "redirect")
            return readMessage(v, r.redirect, decodeRedirect);
        if (k == "directResponse")
            return readMessage(v, r.directResponse, decodeDirectResponse);
        if (k == "delegate")
            return readMessage(v, r.delegate, decodeDelegate);
        if (k == "rewrite")
            return readMessage(v, r.rewrite, decodeRewrite);
        if (k == "timeout")
            return readDuration(v, r.timeout);
        if (k == "retries")
            return readMessage(v, r.retries, decodeRetry);
        if (k == "fault")
            return readMessage(v, r.fault, decodeFault);
        if (k == "mirror")
            return readMessage(v, r.mirror, decodeDestination);
        if (k == "mirrors")
            return readMessageList(v, r.mirrors, decodeMirrorPolicy);
        if (k == "mirrorPercent" || k == "mirror_percent") {
            // Both spellings at once: the second stays in extra.
            if (r.mirrorPercent || !readInt64(v, r.mirrorPercent))
                return false;
            r.mirrorPercentSpelling = k == "mirrorPercent"
                                          ? HTTPRoute::MirrorPercentSpelling::CamelCase
                                          : HTTPRoute::MirrorPercentSpelling::SnakeCase;
            return true;
        }
        if (k == "mirrorPercentage")
            return readPercent(v, r.mirrorPercentage, r.mirrorPercentageSource);
        if (k == "corsPolicy")
            return readMessage(v, r.corsPolicy, decodeCors);
        if (k == "headers")
            return readMessage(v, r.headers, decodeHeaders);
        return false;
    });
    return r;
}

VirtualService decodeVirtualService(const Node &spec)
{
    VirtualService vs;
    vs.extra = decodeFields(spec, [&](const std::string &k, const Node &v) {
        if (k == "hosts")
            return readStringList(v, vs.hosts);
        if (k == "gateways")
            return readStringList(v, vs.gateways);
        if (k == "http")
            return readMessageList(v, vs.http, decodeHTTPRoute);
        if (k == "tls")
            return readNodeList(v, vs.tls);
        if (k == "tcp")
            return readNodeList(v, vs.tcp);
        if (k == "exportTo")
            return readStringList(v, vs.exportTo);
        return false;
    });
    return vs;
}

DestinationRule decodeDestinationRule(const Node &spec)
{
    DestinationRule dr;
    dr.extra = decodeFields(spec, [&](const std::string &k, const Node &v) {
        if (k == "host")
            return readString(v, dr.host);
        if (k == "trafficPolicy")
            return readMapNode(v, dr.trafficPolicy);
        if (k == "subsets")
            return readMessageList(v, dr.subsets, decodeSubset);
        if (k == "exportTo")
            return readStringList(v, dr.exportTo);
        if (k == "workloadSelector")
            return readMapNode(v, dr.workloadSelector);
        return false;
    });
    return dr;
}

bool isIstioNetworking(const QString &apiVersion)
{
    return apiVersion == QLatin1String("networking.istio.io/v1") ||
           apiVersion == QLatin1String("networking.istio.io/v1beta1") ||
           apiVersion == QLatin1String("networking.istio.io/v1alpha3");
}

Resource fromNode(const Node &root)
{
    Resource r;
    r.mark = root.mark();
    const Node *api = root.get("apiVersion");
    const Node *kind = root.get("kind");
    if (api && isString(*api))
        r.apiVersion = qs(api->text());
    if (kind && isString(*kind))
        r.kind = qs(kind->text());
    if (const Node *meta = root.get("metadata"))
        r.metadata = *meta;

    const bool typed =
        isIstioNetworking(r.apiVersion) &&
        (r.kind == QLatin1String("VirtualService") || r.kind == QLatin1String("DestinationRule"));
    if (!typed) {
        r.type = Resource::Type::Other;
        r.raw = root;
        return r;
    }
    r.type = r.kind == QLatin1String("VirtualService") ? Resource::Type::VirtualService
                                                       : Resource::Type::DestinationRule;
    r.extra = decodeFields(root, [&](const std::string &k, const Node &v) {
        if (k == "apiVersion" || k == "kind" || k == "metadata")
            return true; // read above
        if (k == "spec" && v.isMap()) {
            if (r.type == Resource::Type::VirtualService)
                r.virtualService = decodeVirtualService(v);
            else
                r.destinationRule = decodeDestinationRule(v);
            return true;
        }
        return false;
    });
    return r;
}

Resource fromNode(const Yaml::Document &document)
{
    Resource r = fromNode(document.root);
    r.file = document.file;
    r.documentIndex = document.index;
    r.listItem = document.listItem;
    return r;
}

} // namespace Model
