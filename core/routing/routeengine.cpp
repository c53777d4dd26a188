#include "routing/routeengine.h"

#include "model/resource.h"
#include "routing/compiled.h"
#include "routing/mirror.h"

#include <re2/re2.h>

#include <cmath>
#include <random>

namespace Routing {

namespace {

// ---------------------------------------------------------------------------------------
// Compilation: Model::Config -> CompiledConfig
// ---------------------------------------------------------------------------------------

const QString kMesh = QStringLiteral("mesh");

QString effectiveNamespace(const QString &ns)
{
    return ns.isEmpty() ? QStringLiteral("default") : ns;
}

QString gatewayName(const QString &gateway)
{
    const qsizetype slash = gateway.lastIndexOf(QLatin1Char('/'));
    return slash >= 0 ? gateway.mid(slash + 1) : gateway;
}

std::shared_ptr<const re2::RE2> compileRegex(const QString &pattern, const QString &where,
                                             QStringList &warnings)
{
    const QByteArray utf8 = pattern.toUtf8();
    auto re = std::make_shared<re2::RE2>(re2::StringPiece(utf8.constData(), size_t(utf8.size())),
                                         RE2::Quiet);
    if (!re->ok()) {
        warnings.append(QStringLiteral("%1: regex \"%2\" is not valid RE2 (%3); it never matches")
                            .arg(where, pattern, QString::fromStdString(re->error())));
        return nullptr;
    }
    return re;
}

CompiledStringMatch compileStringMatch(const Model::StringMatch &m, const QString &where,
                                       QStringList &warnings, bool ignoreCase = false)
{
    CompiledStringMatch out;
    out.value = m.value.toUtf8();
    switch (m.kind) {
    case Model::StringMatch::Kind::None:
        out.kind = CompiledStringMatch::Kind::Presence;
        break;
    case Model::StringMatch::Kind::Exact:
        out.kind = CompiledStringMatch::Kind::Exact;
        out.ignoreCase = ignoreCase;
        break;
    case Model::StringMatch::Kind::Prefix:
        out.kind = CompiledStringMatch::Kind::Prefix;
        out.ignoreCase = ignoreCase;
        break;
    case Model::StringMatch::Kind::Regex:
        out.kind = CompiledStringMatch::Kind::Regex;
        out.regex = compileRegex(m.value, where, warnings);
        break;
    }
    return out;
}

std::vector<CompiledHeaderMatch> compileHeaderMatches(const Model::StringMatchMap &map,
                                                      bool without, const QString &where,
                                                      QStringList &warnings)
{
    std::vector<CompiledHeaderMatch> out;
    for (const auto &[key, match] : map) {
        const QByteArray name = key.toLower().toUtf8();
        CompiledHeaderMatch h;
        // Istio skips these keys in `headers`: they have fields of their own.
        if (name == "uri" || name == "scheme" || name == "method" || name == "authority")
            continue;
        if (name == ":method")
            h.source = CompiledHeaderMatch::Source::Method;
        else if (name == ":scheme")
            h.source = CompiledHeaderMatch::Source::Scheme;
        else if (name == ":authority" || name == "host")
            h.source = CompiledHeaderMatch::Source::Authority;
        else if (name == ":path")
            h.source = CompiledHeaderMatch::Source::Path;
        h.name = name;
        // Istio special-cases `withoutHeaders: {x: {regex: "*"}}` as "x is present".
        if (without && match.kind == Model::StringMatch::Kind::Regex &&
            match.value == QLatin1String("*"))
            h.match.kind = CompiledStringMatch::Kind::Presence;
        else
            h.match = compileStringMatch(match, where + QLatin1Char('.') + key, warnings);
        out.push_back(std::move(h));
    }
    return out;
}

// A route or mirror may be written in the VirtualService with or without a port; the
// Binding key keeps it as written.
Target makeTarget(const Model::Destination &d)
{
    Target t;
    t.host = d.host;
    t.subset = d.subset;
    t.port = int(d.portNumber().value_or(0));
    return t;
}

HeaderOps compileHeaderOps(const std::optional<Model::HeaderOperations> &ops, bool request)
{
    HeaderOps out;
    if (!ops)
        return out;
    auto isAuthority = [](const QString &k) {
        return k.compare(QLatin1String("host"), Qt::CaseInsensitive) == 0 ||
               k.compare(QLatin1String(":authority"), Qt::CaseInsensitive) == 0;
    };
    // Istio turns a request `host`/`:authority` set or add into an authority rewrite.
    for (const auto &[k, v] : ops->set) {
        if (request && isAuthority(k))
            out.authority = v.toUtf8();
        else
            out.set.append(Header(k.toUtf8(), v.toUtf8()));
    }
    for (const auto &[k, v] : ops->add) {
        if (request && isAuthority(k))
            out.authority = v.toUtf8();
        else
            out.add.append(Header(k.toUtf8(), v.toUtf8()));
    }
    for (const QString &k : ops->remove)
        out.remove.append(k.toUtf8());
    return out;
}

// Go's http.StatusText is non-empty for exactly these codes; Istio's parseRetryOn takes a
// number as a retriable status code only when it is one of them.
bool isKnownStatus(int code)
{
    static const int known[] = {100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208,
                                226, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402, 403,
                                404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416,
                                417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431, 451, 500,
                                501, 502, 503, 504, 505, 506, 507, 508, 510, 511};
    return std::find(std::begin(known), std::end(known), code) != std::end(known);
}

// Istio's retry.ConvertPolicy: absent = the mesh default; attempts <= 0 (an unset attempts
// included) = no retries; otherwise the default with the given fields overridden.
RetryPolicy compileRetries(const std::optional<Model::HTTPRetry> &in)
{
    RetryPolicy out;
    out.retriableStatusCodes = {503}; // Istio adds 503 unless EXCLUDE_503_FROM_DEFAULT_RETRY
    if (!in)
        return out;
    if (in->attempts.value_or(0) <= 0) {
        out.attempts = 0;
        out.retryOn.clear();
        out.retriableStatusCodes.clear();
        return out;
    }
    out.attempts = *in->attempts;
    if (!in->retryOn.isEmpty()) {
        out.retryOn.clear();
        out.retriableStatusCodes.clear();
        const QStringList parts = in->retryOn.split(QLatin1Char(','));
        for (QString part : parts) {
            part = part.trimmed();
            if (part.isEmpty())
                continue;
            bool isNumber = false;
            const int code = part.toInt(&isNumber);
            if (isNumber && isKnownStatus(code))
                out.retriableStatusCodes.append(code);
            else
                out.retryOn.append(part);
        }
        if (!out.retriableStatusCodes.isEmpty() &&
            !out.retryOn.contains(QLatin1String("retriable-status-codes")))
            out.retryOn.append(QStringLiteral("retriable-status-codes"));
    }
    if (in->perTryTimeout && in->perTryTimeout->ms)
        out.perTryTimeoutMs = *in->perTryTimeout->ms;
    if (in->backoff && in->backoff->ms)
        out.backoffMs = *in->backoff->ms;
    return out;
}

int grpcCode(const QString &name)
{
    static const char *const names[] = {"OK",
                                        "CANCELLED",
                                        "UNKNOWN",
                                        "INVALID_ARGUMENT",
                                        "DEADLINE_EXCEEDED",
                                        "NOT_FOUND",
                                        "ALREADY_EXISTS",
                                        "PERMISSION_DENIED",
                                        "RESOURCE_EXHAUSTED",
                                        "FAILED_PRECONDITION",
                                        "ABORTED",
                                        "OUT_OF_RANGE",
                                        "UNIMPLEMENTED",
                                        "INTERNAL",
                                        "UNAVAILABLE",
                                        "DATA_LOSS",
                                        "UNAUTHENTICATED"};
    for (int i = 0; i < int(std::size(names)); ++i) {
        if (name.compare(QLatin1String(names[i]), Qt::CaseInsensitive) == 0)
            return i;
    }
    return -1;
}

// Istio's mergeHTTPRoute: the delegate's rule keeps its own fields and inherits each one it
// lacks from the root rule; names join as "root-delegate".
Model::HTTPRoute mergeDelegated(const Model::HTTPRoute &root, Model::HTTPRoute child)
{
    if (child.name.isEmpty())
        child.name = root.name;
    else if (!root.name.isEmpty())
        child.name = root.name + QLatin1Char('-') + child.name;
    if (!child.rewrite)
        child.rewrite = root.rewrite;
    if (!child.directResponse)
        child.directResponse = root.directResponse;
    if (!child.timeout)
        child.timeout = root.timeout;
    if (!child.retries)
        child.retries = root.retries;
    if (!child.fault)
        child.fault = root.fault;
    if (!child.mirror)
        child.mirror = root.mirror;
    if (!child.mirrorPercent)
        child.mirrorPercent = root.mirrorPercent;
    if (!child.mirrorPercentage)
        child.mirrorPercentage = root.mirrorPercentage;
    if (!child.corsPolicy)
        child.corsPolicy = root.corsPolicy;
    if (child.mirrors.isEmpty())
        child.mirrors = root.mirrors;
    if (!child.headers)
        child.headers = root.headers;
    return child;
}

class Compiler
{
public:
    Compiler(const Model::Config &config, const RouteEngine::Options &options, CompiledConfig &out)
        : m_config(config), m_options(options), m_out(out)
    {
    }

    void run();

private:
    CompiledRule compileRule(const Model::HTTPRoute &route, int index, const QString &where,
                             const QStringList &roles, const QString &ns, int depth);
    void addTarget(const Target &t)
    {
        if (!m_out.targets.contains(t))
            m_out.targets.append(t);
    }
    void addHosts(const QStringList &hosts, const QString &ns, int service);

    const Model::Config &m_config;
    const RouteEngine::Options &m_options;
    CompiledConfig &m_out;
};

void Compiler::run()
{
    for (const Model::Resource &r : m_config.resources) {
        if (!r.isVirtualService())
            continue;
        const Model::VirtualService &vs = r.virtualService;
        if (vs.hosts.isEmpty())
            continue; // a delegate: reached only through a root's `delegate`
        CompiledVirtualService cvs;
        cvs.name = r.name();
        cvs.namespaceName = effectiveNamespace(r.namespaceName());

        // Which gateway(s) the local proxy plays for this VirtualService. It stands in for a
        // sidecar, so a mesh-bound (or gateway-less) VirtualService is read as the sidecar
        // reads it: matches that name only other gateways are skipped. A VirtualService bound
        // only to named gateways would otherwise never apply locally, which surprises more
        // than it helps, so for it the proxy plays those gateways.
        QStringList roles;
        if (vs.gateways.isEmpty() || vs.gateways.contains(kMesh)) {
            roles.append(kMesh);
        } else {
            for (const QString &g : vs.gateways)
                roles.append(gatewayName(g));
        }

        for (int i = 0; i < vs.http.size(); ++i) {
            const QString where =
                QStringLiteral("VirtualService %1 spec.http[%2]").arg(cvs.name).arg(i);
            cvs.rules.push_back(compileRule(vs.http.at(i), i, where, roles, cvs.namespaceName, 0));
        }
        const int service = int(m_out.services.size());
        m_out.services.push_back(std::move(cvs));
        addHosts(vs.hosts, m_out.services.back().namespaceName, service);
    }

    std::stable_sort(m_out.wildcards.begin(), m_out.wildcards.end(),
                     [](const CompiledConfig::Wildcard &a, const CompiledConfig::Wildcard &b) {
                         return a.suffix.size() > b.suffix.size();
                     });
    m_out.knownHosts = m_out.hosts.join(QStringLiteral(", "));

    if (!m_options.defaultHost.isEmpty()) {
        m_out.defaultAuthority = m_options.defaultHost.toUtf8();
        char buffer[256];
        std::string spill;
        m_out.defaultService = m_out.findService(
            normalizedHost(view(m_out.defaultAuthority), buffer, sizeof buffer, spill));
        if (m_out.defaultService < 0)
            m_out.warnings.append(
                QStringLiteral("default host \"%1\" matches no VirtualService host")
                    .arg(m_options.defaultHost));
    }
}

void Compiler::addHosts(const QStringList &hosts, const QString &ns, int service)
{
    const QByteArray nsBytes = ns.toLower().toUtf8();
    for (const QString &written : hosts) {
        if (!m_out.hosts.contains(written))
            m_out.hosts.append(written);
        QByteArray h = written.trimmed().toLower().toUtf8();
        if (h.endsWith('.'))
            h.chop(1);
        if (h == "*" || h.startsWith("*.")) {
            CompiledConfig::Wildcard w;
            w.suffix = h.mid(1);
            w.service = service;
            m_out.wildcards.push_back(std::move(w));
            continue;
        }
        // Istio's ResolveShortnameToFQDN: a name without a dot (and not an IP) lives in the
        // VirtualService's namespace.
        QByteArray fqdn = h;
        if (!h.contains('.') && !h.contains(':'))
            fqdn = h + '.' + nsBytes + ".svc.cluster.local";
        QList<QByteArray> keys{fqdn};
        // The names a sidecar's virtual host also answers to for a cluster service.
        static const QByteArray clusterSuffix = ".svc.cluster.local";
        if (fqdn.endsWith(clusterSuffix)) {
            const QByteArray nameNs = fqdn.chopped(clusterSuffix.size());
            const qsizetype dot = nameNs.indexOf('.');
            if (dot > 0 && nameNs.indexOf('.', dot + 1) < 0) {
                keys.append(nameNs + ".svc");
                keys.append(nameNs);
                keys.append(nameNs.left(dot));
            }
        }
        for (const QByteArray &k : keys) {
            if (!m_out.exactHosts.contains(k)) // the first VirtualService for a host wins
                m_out.exactHosts.insert(k, service);
        }
    }
}

CompiledRule Compiler::compileRule(const Model::HTTPRoute &route, int index, const QString &where,
                                   const QStringList &roles, const QString &ns, int depth)
{
    QStringList &warnings = m_out.warnings;
    CompiledRule rule;
    rule.name = route.name;
    rule.index = index;

    for (int m = 0; m < route.match.size(); ++m) {
        const Model::HTTPMatchRequest &in = route.match.at(m);
        const QString mw = where + QStringLiteral(".match[%1]").arg(m);
        CompiledMatch cm;
        cm.index = m;
        if (!in.gateways.isEmpty()) {
            cm.applies = false;
            for (const QString &g : in.gateways) {
                if (roles.contains(gatewayName(g)))
                    cm.applies = true;
            }
        }
        const bool ignoreCase = in.ignoreUriCase.value_or(false);
        if (in.uri)
            cm.uri = compileStringMatch(*in.uri, mw + QStringLiteral(".uri"), warnings, ignoreCase);
        if (in.scheme)
            cm.scheme = compileStringMatch(*in.scheme, mw + QStringLiteral(".scheme"), warnings);
        if (in.method)
            cm.method = compileStringMatch(*in.method, mw + QStringLiteral(".method"), warnings);
        if (in.authority)
            cm.authority =
                compileStringMatch(*in.authority, mw + QStringLiteral(".authority"), warnings);
        cm.headers =
            compileHeaderMatches(in.headers, false, mw + QStringLiteral(".headers"), warnings);
        cm.withoutHeaders = compileHeaderMatches(in.withoutHeaders, true,
                                                 mw + QStringLiteral(".withoutHeaders"), warnings);
        for (const auto &[key, match] : in.queryParams) {
            CompiledQueryMatch q;
            q.name = key.toUtf8();
            q.match =
                compileStringMatch(match, mw + QStringLiteral(".queryParams.") + key, warnings);
            cm.queryParams.push_back(std::move(q));
        }
        if (in.port)
            cm.port = int(*in.port);
        rule.matches.push_back(std::move(cm));
    }

    if (route.headers) {
        rule.request = compileHeaderOps(route.headers->request, true);
        rule.response = compileHeaderOps(route.headers->response, false);
    }
    if (route.timeout && route.timeout->ms && *route.timeout->ms > 0)
        rule.timeoutMs = *route.timeout->ms; // "0s" is Envoy's "no timeout", like absent
    rule.retries = compileRetries(route.retries);

    if (route.rewrite) {
        if (!route.rewrite->uri.isEmpty())
            rule.uriRewrite = route.rewrite->uri.toUtf8();
        if (route.rewrite->uriRegexRewrite && !route.rewrite->uriRegexRewrite->match.isEmpty()) {
            rule.regexRewrite =
                compileRegex(route.rewrite->uriRegexRewrite->match,
                             where + QStringLiteral(".rewrite.uriRegexRewrite"), warnings);
            rule.regexSubstitution = route.rewrite->uriRegexRewrite->rewrite.toStdString();
        }
        rule.authorityRewrite = route.rewrite->authority.toUtf8();
    }

    if (route.fault) {
        if (const auto &delay = route.fault->delay) {
            rule.hasDelay = delay->fixedDelay && delay->fixedDelay->ms;
            rule.delayMs = rule.hasDelay ? *delay->fixedDelay->ms : 0;
            // Istio's TranslateFault: percentage, else the deprecated integer percent, whose
            // default 0 delays nothing.
            rule.delayPercent =
                delay->percentage ? *delay->percentage : double(delay->percent.value_or(0));
        }
        if (const auto &abort = route.fault->abort) {
            rule.grpcStatus = abort->grpcStatus.isEmpty() ? -1 : grpcCode(abort->grpcStatus);
            rule.hasAbort = abort->httpStatus.has_value() || rule.grpcStatus >= 0;
            rule.abortStatus = abort->httpStatus ? *abort->httpStatus : 200;
            rule.abortPercent = abort->percentage.value_or(0.0); // unset: nothing aborted
        }
    }

    // Which action: Istio checks redirect, then directResponse, then delegate, then route.
    if (route.redirect) {
        const Model::HTTPRedirect &r = *route.redirect;
        rule.kind = CompiledRule::Kind::Redirect;
        rule.redirectStatus = r.redirectCode.value_or(301);
        if (!r.uri.isEmpty())
            rule.redirectUri = r.uri.toUtf8();
        else if (!r.prefixRewrite.isEmpty())
            rule.redirectPrefixRewrite = r.prefixRewrite.toUtf8();
        rule.redirectAuthority = r.authority.toUtf8();
        rule.redirectScheme = r.scheme.toUtf8();
        rule.redirectPort = int(r.port.value_or(0));
        if (r.derivePort == QLatin1String("FROM_REQUEST_PORT"))
            rule.derivePort = CompiledRule::DerivePort::RequestPort;
        else if (r.derivePort == QLatin1String("FROM_PROTOCOL_DEFAULT"))
            rule.derivePort = CompiledRule::DerivePort::ProtocolDefault;
        return rule; // a redirect never mirrors
    }
    if (route.directResponse) {
        const Model::HTTPDirectResponse &dr = *route.directResponse;
        rule.kind = CompiledRule::Kind::DirectResponse;
        rule.directStatus = dr.status.value_or(200);
        if (dr.body) {
            if (dr.body->kind == Model::HTTPBody::Kind::String)
                rule.directBody = dr.body->value.toUtf8();
            else if (dr.body->kind == Model::HTTPBody::Kind::Bytes)
                rule.directBody = QByteArray::fromBase64(dr.body->value.toLatin1());
        }
        return rule; // never mirrors either
    }
    if (route.delegate) {
        rule.kind = CompiledRule::Kind::Delegate;
        const QString dns = route.delegate->namespaceName.isEmpty()
                                ? ns
                                : effectiveNamespace(route.delegate->namespaceName);
        const Model::Resource *target = nullptr;
        for (const Model::Resource &r : m_config.resources) {
            if (r.isVirtualService() && r.name() == route.delegate->name &&
                effectiveNamespace(r.namespaceName()) == dns) {
                target = &r;
                break;
            }
        }
        if (!target || depth > 0) {
            // Istio supports one level of delegation and drops a route whose delegate is
            // missing.
            warnings.append(
                QStringLiteral("%1: delegate %2/%3 %4; the rule is skipped")
                    .arg(where, dns, route.delegate->name,
                         target ? QStringLiteral("is nested") : QStringLiteral("not found")));
            return rule;
        }
        const Model::VirtualService &dvs = target->virtualService;
        for (int i = 0; i < dvs.http.size(); ++i) {
            const QString dw =
                QStringLiteral("VirtualService %1 spec.http[%2]").arg(target->name()).arg(i);
            rule.delegated.push_back(compileRule(mergeDelegated(route, dvs.http.at(i)), index, dw,
                                                 roles, dns, depth + 1));
        }
        return rule;
    }
    if (route.route.isEmpty())
        return rule; // nothing to do: Kind::Empty matches but answers 404 like Envoy's NR

    rule.kind = CompiledRule::Kind::Forward;
    for (const Model::HTTPRouteDestination &rd : route.route) {
        CompiledDestination d;
        d.target = makeTarget(rd.destination);
        d.weight = std::max(0, rd.weight.value_or(0));
        if (rd.headers) {
            d.request = compileHeaderOps(rd.headers->request, true);
            d.response = compileHeaderOps(rd.headers->response, false);
        }
        rule.totalWeight += d.weight;
        addTarget(d.target);
        rule.destinations.push_back(std::move(d));
    }

    // Istio's MirrorPercent: mirrorPercentage, else the deprecated mirrorPercent, else 100;
    // an explicit 0 builds no mirror policy at all.
    if (route.mirror && !route.mirror->host.isEmpty()) {
        double percent = 100.0;
        if (route.mirrorPercentage)
            percent = *route.mirrorPercentage;
        else if (route.mirrorPercent)
            percent = double(*route.mirrorPercent);
        if (percent > 0) {
            rule.mirrors.push_back({makeTarget(*route.mirror), percent});
            addTarget(rule.mirrors.back().target);
        }
    }
    // `mirrors` exists from Istio 1.20; an older control plane ignores the unknown field.
    if (m_options.target.supportsMirrors()) {
        for (const Model::HTTPMirrorPolicy &mp : route.mirrors) {
            if (mp.destination.host.isEmpty())
                continue;
            const double percent = mp.percentage.value_or(100.0);
            if (percent > 0) {
                rule.mirrors.push_back({makeTarget(mp.destination), percent});
                addTarget(rule.mirrors.back().target);
            }
        }
    }
    return rule;
}

// ---------------------------------------------------------------------------------------
// Decision
// ---------------------------------------------------------------------------------------

struct RequestParts
{
    const RequestView &request;
    std::string_view authority;
    std::string_view path;  // without the query string
    std::string_view query; // after '?', without a fragment
    int authorityPort = -1;
};

// Envoy matches a header condition against all values of that header joined with ','.
bool headerText(const Headers &headers, const QByteArray &name, QByteArray &joined,
                std::string_view &out)
{
    const Header *first = nullptr;
    bool multiple = false;
    for (const Header &h : headers) {
        if (h.first.size() == name.size() &&
            qstrnicmp(h.first.constData(), name.constData(), name.size()) == 0) {
            if (!first) {
                first = &h;
            } else {
                if (!multiple)
                    joined = first->second;
                multiple = true;
                joined += ',';
                joined += h.second;
            }
        }
    }
    if (!first)
        return false;
    out = multiple ? view(joined) : view(first->second);
    return true;
}

bool headerMatches(const CompiledHeaderMatch &h, const RequestParts &req)
{
    std::string_view text;
    QByteArray joined;
    switch (h.source) {
    case CompiledHeaderMatch::Source::Method:
        text = view(req.request.method);
        break;
    case CompiledHeaderMatch::Source::Scheme:
        text = view(req.request.scheme);
        break;
    case CompiledHeaderMatch::Source::Authority:
        text = req.authority;
        break;
    case CompiledHeaderMatch::Source::Path:
        text = view(req.request.path);
        break;
    case CompiledHeaderMatch::Source::Header:
        if (!headerText(req.request.headers, h.name, joined, text))
            return false;
        break;
    }
    return h.match.matches(text);
}

// Envoy reads the first occurrence of a query key, undecoded; "?key" has the value "".
bool queryValue(std::string_view query, std::string_view name, std::string_view &out)
{
    size_t pos = 0;
    while (pos <= query.size()) {
        size_t end = query.find('&', pos);
        if (end == std::string_view::npos)
            end = query.size();
        const std::string_view pair = query.substr(pos, end - pos);
        const size_t eq = pair.find('=');
        const std::string_view key = pair.substr(0, eq);
        if (!pair.empty() && key == name) {
            out = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
            return true;
        }
        pos = end + 1;
    }
    return false;
}

bool matches(const CompiledMatch &m, const RequestParts &req)
{
    if (!m.applies)
        return false;
    if (m.uri && !m.uri->matches(req.path))
        return false;
    if (m.scheme && !m.scheme->matches(view(req.request.scheme)))
        return false;
    if (m.method && !m.method->matches(view(req.request.method)))
        return false;
    if (m.authority && !m.authority->matches(req.authority))
        return false;
    // The listener port stands for the service port a sidecar would have caught the request
    // on; a client naming the port in Host ("greeter-service:3000") says the same.
    if (m.port && *m.port != int(req.request.port) && *m.port != req.authorityPort)
        return false;
    for (const CompiledHeaderMatch &h : m.headers) {
        if (!headerMatches(h, req))
            return false;
    }
    for (const CompiledHeaderMatch &h : m.withoutHeaders) {
        if (headerMatches(h, req)) // an absent header cannot match, so it passes
            return false;
    }
    for (const CompiledQueryMatch &q : m.queryParams) {
        std::string_view value;
        if (!queryValue(req.query, view(q.name), value) || !q.match.matches(value))
            return false;
    }
    return true;
}

// Which match of a rule applies: -1 for a rule without matches, -2 for none.
int matchingIndex(const CompiledRule &rule, const RequestParts &req)
{
    if (rule.matches.empty())
        return -1;
    for (const CompiledMatch &m : rule.matches) {
        if (matches(m, req))
            return m.index;
    }
    return -2;
}

const CompiledMatch *findMatch(const CompiledRule &rule, int index)
{
    for (const CompiledMatch &m : rule.matches) {
        if (m.index == index)
            return &m;
    }
    return nullptr;
}

// Envoy prefix_rewrite: the route's matched prefix is replaced. A match without `uri` is
// Istio's prefix "/" route (so "/v2" + "/hello" gives "/v2hello", as in the mesh); exact and
// regex routes have the whole path replaced (the query string stays).
QByteArray replacePrefix(const QByteArray &replacement, const CompiledStringMatch *uri,
                         const RequestParts &req)
{
    const QByteArray &full = req.request.path;
    qsizetype cut = 1;
    if (uri && uri->kind == CompiledStringMatch::Kind::Prefix)
        cut = uri->value.size();
    else if (uri)
        cut = qsizetype(req.path.size());
    if (full.isEmpty() || full.at(0) != '/')
        cut = std::min<qsizetype>(cut, full.size());
    return replacement + full.mid(std::min(cut, full.size()));
}

template <typename Random> bool sample(double percent, Random &random)
{
    const quint32 numerator = fractionalNumerator(percent);
    if (numerator == 0)
        return false;
    if (numerator >= 1000000)
        return true;
    return shouldMirror(percent, random());
}

void applyRemoves(Headers &headers, const HeaderOps &ops)
{
    for (const QByteArray &name : ops.remove)
        removeHeader(headers, name);
}

void applySetsAndAdds(Headers &headers, const HeaderOps &ops)
{
    for (const Header &h : ops.set)
        setHeader(headers, h.first, h.second);
    for (const Header &h : ops.add)
        addHeader(headers, h.first, h.second);
}

void appendResponseOps(RouteDecision &d, const HeaderOps &ops)
{
    if (ops.isEmpty())
        return;
    d.responseSet += ops.set;
    d.responseAdd += ops.add;
    d.responseRemove += ops.remove;
}

QByteArray redirectLocation(const CompiledRule &rule, const CompiledMatch *match,
                            const RequestParts &req)
{
    const QByteArray &requestScheme = req.request.scheme;
    const QByteArray scheme = rule.redirectScheme.isEmpty() ? requestScheme : rule.redirectScheme;

    QByteArray path;
    if (rule.redirectUri) {
        // Envoy path_redirect: the original query survives unless the new path has its own.
        path = *rule.redirectUri;
        if (!path.contains('?') && !req.query.empty())
            path += '?' + QByteArray(req.query.data(), qsizetype(req.query.size()));
    } else if (rule.redirectPrefixRewrite) {
        path = replacePrefix(*rule.redirectPrefixRewrite,
                             match && match->uri ? &*match->uri : nullptr, req);
    } else {
        path = req.request.path;
    }

    QByteArray host;
    QByteArray port;
    if (rule.redirectPort > 0)
        port = ':' + QByteArray::number(rule.redirectPort);
    else if (rule.derivePort == CompiledRule::DerivePort::RequestPort) {
        const int p = req.authorityPort > 0 ? req.authorityPort : int(req.request.port);
        if (p > 0)
            port = ':' + QByteArray::number(p);
    }
    if (!rule.redirectAuthority.isEmpty()) {
        host = rule.redirectAuthority; // Envoy host_redirect drops the request's port
    } else {
        host = QByteArray(req.authority.data(), qsizetype(req.authority.size()));
        if (req.authorityPort >= 0) {
            // Envoy keeps the request's port unless a new port is given, or the scheme
            // changes away from one whose default port the request used. FROM_PROTOCOL_DEFAULT
            // means "the new scheme's default port", so the request's port goes too.
            bool strip =
                !port.isEmpty() || rule.derivePort == CompiledRule::DerivePort::ProtocolDefault;
            if (scheme != requestScheme) {
                strip |= requestScheme == "https" && req.authorityPort == 443;
                strip |= requestScheme == "http" && req.authorityPort == 80;
            }
            if (strip)
                host.truncate(host.lastIndexOf(':'));
        }
    }
    return scheme + "://" + host + port + path;
}

template <typename Random>
void fillForward(RouteDecision &d, const CompiledRule &rule, const CompiledMatch *match,
                 const CompiledMatch *rootMatch, const RequestParts &req,
                 const Base::IstioVersion &target, Random &random)
{
    d.action = RouteDecision::Action::Forward;

    // Weighted pick, as Envoy's weighted_clusters (0-weight destinations get nothing; a
    // single destination gets everything whatever its weight).
    const CompiledDestination *dest = &rule.destinations.front();
    if (rule.destinations.size() > 1 && rule.totalWeight > 0) {
        const double r = random();
        qint64 draw = qint64(std::floor(r * rule.totalWeight));
        draw = std::clamp<qint64>(draw, 0, rule.totalWeight - 1);
        qint64 end = 0;
        for (const CompiledDestination &c : rule.destinations) {
            end += c.weight;
            if (draw < end) {
                dest = &c;
                break;
            }
        }
    }
    d.destination = dest->target;

    // Path rewrite, on the path the request arrived with.
    if (rule.uriRewrite) {
        const CompiledMatch *m = match && match->uri ? match : rootMatch;
        d.path = replacePrefix(*rule.uriRewrite, m && m->uri ? &*m->uri : nullptr, req);
    } else if (rule.regexRewrite) {
        // Envoy regex_rewrite: RE2::GlobalReplace over the path; the query is kept.
        std::string p(req.path);
        RE2::GlobalReplace(&p, *rule.regexRewrite, rule.regexSubstitution);
        d.path = QByteArray::fromStdString(p);
        if (size_t(req.request.path.size()) > req.path.size())
            d.path += req.request.path.mid(qsizetype(req.path.size()));
    }

    // Header operations. Istio folds a single destination's operations into the route's
    // lists after the rule's own; Envoy then removes first and applies the set/add list in
    // order. So: removes (rule, destination), then rule set/add, then destination set/add:
    // on a conflict the destination wins. (With several weighted destinations Envoy applies
    // the cluster's operations before the route's; the single-destination order is used for
    // both because it is the one users write and read.)
    if (!rule.request.isEmpty() || !dest->request.isEmpty()) {
        applyRemoves(d.requestHeaders, rule.request);
        applyRemoves(d.requestHeaders, dest->request);
        applySetsAndAdds(d.requestHeaders, rule.request);
        applySetsAndAdds(d.requestHeaders, dest->request);
    }
    appendResponseOps(d, rule.response);
    appendResponseOps(d, dest->response);

    // Authority: a header-operation host first, rewrite.authority last (Envoy applies
    // host_rewrite after the header parsers); a destination's host counts only when the rule
    // has no rewrite of its own.
    if (rule.request.authority)
        d.authority = *rule.request.authority;
    if (!rule.authorityRewrite.isEmpty())
        d.authority = rule.authorityRewrite;
    else if (dest->request.authority && !rule.request.authority)
        d.authority = *dest->request.authority;

    d.timeoutMs = rule.timeoutMs;
    d.retries = rule.retries;

    // Fault filter: delay and abort are drawn independently, delay first.
    if (rule.hasDelay && sample(rule.delayPercent, random))
        d.delayMs = rule.delayMs;
    if (rule.hasAbort && sample(rule.abortPercent, random)) {
        d.action = RouteDecision::Action::FaultAbort;
        d.status = rule.abortStatus;
        if (rule.grpcStatus >= 0)
            d.responseSet.append(Header("grpc-status", QByteArray::number(rule.grpcStatus)));
        return; // the router never runs, so nothing is mirrored
    }

    if (!rule.mirrors.empty()) {
        // The shadow copies the final request headers, so it carries the rewritten authority.
        const QByteArray mirrorAuthority =
            target.appendsShadowSuffix() ? shadowHost(d.authority) : d.authority;
        d.mirrors.reserve(qsizetype(rule.mirrors.size()));
        for (const CompiledMirror &m : rule.mirrors) {
            MirrorTarget mt;
            mt.target = m.target;
            mt.percent = m.percent;
            mt.sampled = sample(m.percent, random);
            mt.authority = mirrorAuthority;
            d.mirrors.append(std::move(mt));
        }
    }
}

template <typename Random>
bool applyRule(RouteDecision &d, const CompiledRule &rule, int matchIndex,
               const CompiledMatch *rootMatch, const RequestParts &req,
               const Base::IstioVersion &target, Random &random)
{
    const CompiledMatch *match = matchIndex >= 0 ? findMatch(rule, matchIndex) : nullptr;
    d.ruleName = rule.name;
    d.matchIndex = matchIndex;
    switch (rule.kind) {
    case CompiledRule::Kind::Forward:
        fillForward(d, rule, match, rootMatch, req, target, random);
        return true;
    case CompiledRule::Kind::Redirect:
        d.action = RouteDecision::Action::Redirect;
        d.status = rule.redirectStatus;
        d.location = redirectLocation(rule, match ? match : rootMatch, req);
        appendResponseOps(d, rule.response);
        return true;
    case CompiledRule::Kind::DirectResponse:
        d.action = RouteDecision::Action::DirectResponse;
        d.status = rule.directStatus;
        d.body = rule.directBody;
        appendResponseOps(d, rule.response);
        return true;
    case CompiledRule::Kind::Empty:
        d.action = RouteDecision::Action::NoRoute;
        d.status = 404;
        d.body = "rule " + rule.name.toUtf8() + " has no route, redirect or directResponse";
        return true;
    case CompiledRule::Kind::Delegate:
        for (const CompiledRule &child : rule.delegated) {
            const int childMatch = matchingIndex(child, req);
            if (childMatch == -2)
                continue;
            return applyRule(d, child, childMatch, match, req, target, random);
        }
        return false;
    }
    return false;
}

} // namespace

// ---------------------------------------------------------------------------------------

RouteEngine::RouteEngine(const Model::Config &config, const Options &options) : m_options(options)
{
    auto compiled = std::make_unique<CompiledConfig>();
    Compiler(config, m_options, *compiled).run();
    m_compiled = std::move(compiled);
}

RouteEngine::~RouteEngine() = default;

namespace {

template <typename Random>
RouteDecision decideWith(const CompiledConfig &c, const RouteEngine::Options &options,
                         const RequestView &request, Random &random)
{
    RouteDecision d;
    d.method = request.method;
    d.path = request.path;
    d.authority = request.authority;
    d.requestHeaders = request.headers; // implicitly shared until a header operation

    char buffer[256];
    std::string spill;
    int service =
        c.findService(normalizedHost(view(request.authority), buffer, sizeof buffer, spill));
    if (service < 0 && c.defaultService >= 0) {
        // Routed as if the client had named the default host: matches, the forwarded Host
        // and the mirror's Host all see it.
        service = c.defaultService;
        d.authority = c.defaultAuthority;
    }
    if (service < 0) {
        d.action = RouteDecision::Action::NoRoute;
        d.status = 404;
        d.body = "no VirtualService host matches Host \"" + request.authority +
                 "\"; known hosts: " +
                 (c.knownHosts.isEmpty() ? QByteArray("(none)") : c.knownHosts.toUtf8());
        return d;
    }

    const CompiledVirtualService &vs = c.services[size_t(service)];
    d.virtualService = vs.name;

    RequestParts req{request, view(d.authority), {}, {}, -1};
    req.authorityPort = authorityPort(req.authority);
    const std::string_view target = view(request.path);
    const size_t q = target.find('?');
    const size_t hash = target.find('#');
    req.path = target.substr(0, std::min(q, hash));
    if (q != std::string_view::npos)
        req.query =
            target.substr(q + 1, hash == std::string_view::npos || hash < q ? std::string_view::npos
                                                                            : hash - q - 1);

    for (const CompiledRule &rule : vs.rules) {
        const int matchIndex = matchingIndex(rule, req);
        if (matchIndex == -2)
            continue;
        d.ruleIndex = rule.index;
        if (applyRule(d, rule, matchIndex, nullptr, req, options.target, random))
            return d;
        d.ruleIndex = -1; // a delegate none of whose rules matched: go on
        d.ruleName.clear();
        d.matchIndex = -1;
    }

    d.action = RouteDecision::Action::NoRoute;
    d.status = 404;
    d.body = "no rule of VirtualService " + vs.name.toUtf8() + " matches " + request.method + ' ' +
             request.path;
    return d;
}

} // namespace

RouteDecision RouteEngine::decide(const RequestView &request) const
{
    thread_local std::mt19937_64 generator{std::random_device{}()};
    auto random = [] { return std::generate_canonical<double, 53>(generator); };
    return decideWith(*m_compiled, m_options, request, random);
}

RouteDecision RouteEngine::decide(const RequestView &request, const RandomSource &random) const
{
    if (!random)
        return decide(request);
    return decideWith(*m_compiled, m_options, request, random);
}

QList<Target> RouteEngine::targets() const
{
    return m_compiled->targets;
}

QStringList RouteEngine::hosts() const
{
    return m_compiled->hosts;
}

const RouteEngine::Options &RouteEngine::options() const
{
    return m_options;
}

QStringList RouteEngine::warnings() const
{
    return m_compiled->warnings;
}

} // namespace Routing
