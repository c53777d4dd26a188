// Istio's webhook rules for VirtualService, ported from istio/istio pkg/config/validation
// (validation.go ValidateVirtualService, virtualservice.go validateHTTPRoute*,
// agent/validation.go). Messages are Istio's, with Go's %q / %v / %f / %d formatting. Errors use
// istioCode IST0106.
//
// Code   Severity  Message
// MS1001 error     delegate virtual service must have no gateways specified
// MS1002 error     delegate virtual service must have no tls route specified
// MS1003 error     delegate virtual service must have no tcp route specified
// MS1004 error     config namespace and gateway name cannot be empty
// MS1005 error     invalid value for namespace: %q
// MS1006 error     invalid value for gateway name: %q
// MS1007 warning   using legacy gatewayName format %q; prefer the <namespace>/<name> format: %q
// MS1008 error     (gateway name checked as FQDN) domain name ... (texts of MS1010-MS1013)
// MS1010 error     domain name %q invalid (label %q invalid)
// MS1011 error     domain name %q too long (max 255)
// MS1012 error     empty domain name not allowed
// MS1013 error     domain name %q invalid (top level domain %q cannot be all-numeric)
// MS1014 error     domain name %q invalid (label %q invalid). should follow
//                  outbound_.<PORT>_._.<HOSTNAME> format  (auto-generated SNI names)
// MS1015 error     wildcard host * is not allowed for virtual services bound to the mesh gateway
// MS1016 error     duplicate hosts in virtual service: %s & %s
// MS1017 error     http, tcp or tls must be provided in virtual service
// MS1018 error     http route may not be null
// MS1019 error     JWT claim based routing (key: %s) is only supported for gateway, found no
//                  gateways: %v
// MS1020 error     duplicate entries in exportTo: . and current namespace %s
// MS1021 error     duplicate entries in exportTo for entry %s
// MS1022 error     cannot have both public (*) and non-public exportTo values for a resource
// MS1023 error     exportTo ~ (none) is not allowed for Istio configuration objects
// MS1024 error     only .,*,~, or a valid DNS 1123 label is allowed as exportTo entry
// MS1025 error     "%q annotation found, rejecting" (internal.istio.io/webhook-always-reject)
// MS1026 error     %q annotation found, this may not be set by users
// MS1027 error     %s/%s has unsupported annotation %s, please remove the annotation
// MS1101 error     root HTTP route %s must not specify redirect
// MS1102 error     root HTTP route %s must not specify route
// MS1103 error     delegate HTTP route cannot contain delegate
// MS1104 error     HTTP route cannot contain both route and redirect
// MS1105 error     HTTP route cannot contain both fault and redirect
// MS1106 error     HTTP route rule cannot contain both rewrite and redirect
// MS1107 error     HTTP route rule cannot contain both direct_response and redirect
// MS1108 error     HTTP route cannot contain both route and direct_response
// MS1109 error     HTTP route cannot contain both fault and direct_response
// MS1110 error     HTTP route rule cannot contain both rewrite and direct_response
// MS1111 error     HTTP route, redirect or direct_response is required
// MS1112 error     HTTP route cannot contain both mirror and mirrors
// MS1201 error     mirror_percent must have a max value of 100 (it has %d)
// MS1202 warning   using deprecated setting "mirrorPercent", use "mirrorPercentage" instead
//                  (the key as written: "mirror_percent" when spelled so)
// MS1203 error     mirror_percentage must have a max value of 100 (it has %f)
// MS1204 error     mirror_percentage must have a min value of 0 (it has %f)
// MS1205 error     mirror cannot be null
// MS1206 error     destination is required for mirrors
// MS1207 error     mirror percentage must have a max value of 100 (it has %f)
// MS1208 error     mirror percentage must have a min value of 0 (it has %f)
// MS1301 error     header match %v cannot be null
// MS1302 error     header name cannot be empty
// MS1303 error     header name %s is not a valid header name
// MS1304 error     %q: prefix string match should not be empty
// MS1305 error     %q: regex string match should not be empty
// MS1306 error     %q: regex is too large, max length allowed is 1024
// MS1307 error     %q: <Go regexp error>; Istio uses RE2 style regex-based match
//                  (https://github.com/google/re2/wiki/Syntax)
// MS1308 error     port number %d must be in the range 1..65535 (match port)
// MS1309 error     invalid tag key: %q [(DNS prefix is too long) | (name is too long)]
// MS1310 error     invalid tag value: %q
// MS1311 error     sourceNamespace match %s is invalid
// MS1312 warning   header name %s is not lowercase; header match keys should be lowercase
//                  (Mirrorscope advice, no Istio code)
// MS1401 error     weight may not be nil
// MS1402 error     destination is required
// MS1403 error     weight %d < 0
// MS1404 error     total destination weight = 0
// MS1405 error     invalid destination host *
// MS1406 error     subset name is invalid: %s
// MS1407 error     port number %d must be in the range 1..65535 (destination port)
// MS1501 error     header name cannot be empty (header operations)
// MS1502 error     invalid header %q: header cannot have ":" prefix
// MS1503 error     invalid header %q: cannot set Host header
// MS1504 error     header value configuration %s is invalid
// MS1505 error     header value configuration: invalid header configuration. ...
// MS1506 error     authority header cannot be set multiple times: have %q, attempting to set %q
// MS1601 error     redirect must specify URI, authority, scheme, or port
// MS1602 error     %d is not a valid redirect code, must be 3xx
// MS1603 error     invalid redirect scheme, must be "http" or "https"
// MS1604 error     port number %d must be in the range 1..65535 (redirect port)
// MS1605 error     redirect may only specify one of uri or prefix_rewrite
// MS1606 error     redirect prefix_rewrite requires all URI matches to use prefix match type
// MS1607 error     rewrite may only contain one of URI or UriRegexRewrite
// MS1608 error     rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only
//                  one of URI or UriRegexRewrite may be specified
// MS1609 error     UriRegexRewrite requires both Rewrite and Match fields to be specified
// MS1610 error     HTTP status %d is not in range 200-599 (direct response)
// MS1611 error     large direct_responses may impact control plane performance, must be less
//                  than 1MB
// MS1612 warning   large direct_responses may impact control plane performance (> 100KB)
// MS1701 error     attempts cannot be negative
// MS1702 error     http retry policy configured when attempts are set to 0 (disabled)
// MS1703 error     %q is not a valid retryOn policy
// MS1704 error     duration must be greater than 1ms
// MS1705 error     only durations to ms precision are supported
// MS1706 error     max_age duration is accurate only to seconds precision
// MS1707 error     HTTP fault injection must have an abort and/or a delay
// MS1708 error     percentage %v is neither 0.0, nor in range [0.0001, 100.0]
// MS1709 error     percentage %v is not in range 0..100 (deprecated fault.delay.percent)
// MS1710 error     HTTP status %d is not in range 200-599 (fault abort)
// MS1711 error     gRPC status %q is not supported. See
//                  https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of
//                  supported codes, for example 'NOT_FOUND'
// MS1712 error     HTTP/2 abort fault injection not supported yet
// MS1713 warning   abort configured, but error type not set
// MS1714 error     exponentialDelay not supported yet
// MS1715 error     '%v' is not a valid match type for CORS allow origins
// MS1716 error     %q is not a supported HTTP method
// MS1717 error     header name cannot be empty (CORS allow/expose headers)
// MS1718 error     header name %s is not a valid header name (CORS allow/expose headers)
// MS1801 error     TLS route must have at least one match condition
// MS1802 error     TLS match may not be null
// MS1803 error     TLS match must have at least one SNI host
// MS1804 warning   using an IP address (%q) goes against SNI spec and most clients do not
//                  support this
// MS1805 error     SNI host %q is not a compatible subset of any of the virtual service hosts:
//                  [%s]
// MS1806 error     TLS route is required
// MS1807 error     tcp match may not be nil
// MS1808 error     TCP route is required
// MS1809 error     %v is not a valid CIDR block
// MS1810 error     %v is not a valid IP
// MS1811 error     port number %d must be in the range 1..65535 (tls/tcp match port)
// MS1901 warning   virtualService rule %v not used (%s)                       [IST0130]
// MS1902 info      virtualService rule %v match %v is not used (duplicate/overlapping match in
//                  rule %v)                                                   [IST0131]

#include "virtualservicerules.h"

#include "base/duration.h"
#include "validate/regex.h"

#include <QByteArray>
#include <QHostAddress>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

namespace Validate {

using Yaml::Node;

namespace IstioChecks {

namespace {

bool isAlnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// [a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?
bool matchesDns1123Label(std::string_view s)
{
    if (s.empty() || !isAlnum(s.front()) || !isAlnum(s.back()))
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return isAlnum(c) || c == '-'; });
}

bool isWildcardDns1123Label(std::string_view s)
{
    if (s.size() > 63)
        return false;
    if (s == "*" || matchesDns1123Label(s))
        return true;
    if (s.substr(0, 2) == "*-" && matchesDns1123Label(s.substr(2)))
        return true;
    return s.substr(0, 1) == "*" && matchesDns1123Label(s.substr(1));
}

// (?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool isQualifiedName(std::string_view s)
{
    if (s.empty() || !isAlnum(s.front()) || !isAlnum(s.back()))
        return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return isAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

// strconv.Atoi succeeds: optional sign, decimal digits, fits in int64.
bool goAtoiOk(std::string_view s)
{
    std::size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
    if (i >= s.size())
        return false;
    for (std::size_t j = i; j < s.size(); ++j) {
        if (s[j] < '0' || s[j] > '9')
            return false;
    }
    std::int64_t v = 0;
    std::string_view digits = s.substr(i);
    auto res = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (res.ec == std::errc::result_out_of_range)
        return s[0] == '-' && digits == "9223372036854775808";
    return res.ec == std::errc();
}

std::vector<std::string_view> split(std::string_view s, char sep)
{
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t pos = s.find(sep, start);
        if (pos == std::string_view::npos) {
            out.push_back(s.substr(start));
            return out;
        }
        out.push_back(s.substr(start, pos - start));
        start = pos + 1;
    }
}

DomainResult fail(DomainProblem p, std::string message)
{
    return DomainResult{p, std::move(message)};
}

DomainResult preconditions(std::string_view name)
{
    if (name.size() > 255)
        return fail(DomainProblem::TooLong, "domain name " + goQuote(name) + " too long (max 255)");
    if (name.empty())
        return fail(DomainProblem::Empty, "empty domain name not allowed");
    return {};
}

// agent.ValidateDNS1123Labels. Istio names the part it was given (the rest after the first
// label for wildcard domains), so the quoted domain can be a suffix of the host.
DomainResult dns1123Labels(std::string_view domain)
{
    const auto parts = split(domain, '.');
    const std::string_view tld = parts.back();
    if (goAtoiOk(tld))
        return fail(DomainProblem::NumericTld, "domain name " + goQuote(domain) +
                                                   " invalid (top level domain " + goQuote(tld) +
                                                   " cannot be all-numeric)");
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i == parts.size() - 1 && parts[i].empty())
            return {};
        if (!isDns1123Label(parts[i]))
            return fail(DomainProblem::InvalidLabel, "domain name " + goQuote(domain) +
                                                         " invalid (label " + goQuote(parts[i]) +
                                                         " invalid)");
    }
    return {};
}

bool containsDigit(std::string_view s)
{
    return std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool containsLetter(std::string_view s)
{
    return std::any_of(s.begin(), s.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

std::string_view trimDots(std::string_view s)
{
    while (!s.empty() && s.front() == '.')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == '.')
        s.remove_suffix(1);
    return s;
}

} // namespace

bool isDns1123Label(std::string_view value)
{
    return value.size() <= 63 && matchesDns1123Label(value);
}

DomainResult wildcardDomain(std::string_view domain)
{
    if (auto pre = preconditions(domain); !pre.ok())
        return pre;
    const std::size_t dot = domain.find('.');
    const std::string_view first = domain.substr(0, dot);
    if (!isWildcardDns1123Label(first))
        return fail(DomainProblem::InvalidLabel, "domain name " + goQuote(domain) +
                                                     " invalid (label " + goQuote(first) +
                                                     " invalid)");
    if (dot != std::string_view::npos)
        return dns1123Labels(domain.substr(dot + 1));
    return {};
}

DomainResult fqdn(std::string_view name)
{
    if (auto pre = preconditions(name); !pre.ok())
        return pre;
    return dns1123Labels(name);
}

// agent.ValidateWildcardDomainForVirtualServiceBoundToGateway
static DomainResult gatewayBoundDomain(bool sni, std::string_view domain)
{
    if (auto pre = preconditions(domain); !pre.ok())
        return pre;
    if (sni && domain.substr(0, 9) == "outbound_") {
        const auto parts = split(domain, '_');
        const std::string format = "outbound_.<PORT>_._.<HOSTNAME>";
        if (parts.size() < 4)
            return fail(DomainProblem::SniFormat, "domain name " + std::string(domain) +
                                                      " invalid, should follow '" + format +
                                                      "' format");
        const std::string_view port = trimDots(parts[1]);
        const std::string_view host = trimDots(parts[3]);
        if (!containsDigit(port))
            return fail(DomainProblem::SniFormat,
                        "domain name " + goQuote(domain) + " invalid (label " + goQuote(port) +
                            " invalid). should follow " + format + " format");
        if (!containsLetter(host))
            return fail(DomainProblem::SniFormat,
                        "domain name " + goQuote(domain) + " invalid (label " + goQuote(host) +
                            " invalid). should follow " + format + " format");
        return {};
    }
    return wildcardDomain(domain);
}

bool isValidIpAddress(std::string_view value)
{
    if (value.find(':') != std::string_view::npos) {
        // netip.ParseAddr: IPv6, optionally with a non-empty zone.
        const std::size_t pct = value.find('%');
        if (pct != std::string_view::npos && pct + 1 == value.size())
            return false;
        QHostAddress a;
        return a.setAddress(QString::fromUtf8(value.data(), int(value.size()))) &&
               a.protocol() == QAbstractSocket::IPv6Protocol;
    }
    // Dotted quad, no leading zeros (netip is strict).
    const auto parts = split(value, '.');
    if (parts.size() != 4)
        return false;
    for (auto p : parts) {
        if (p.empty() || p.size() > 3 || (p.size() > 1 && p[0] == '0'))
            return false;
        int v = 0;
        for (char c : p) {
            if (c < '0' || c > '9')
                return false;
            v = v * 10 + (c - '0');
        }
        if (v > 255)
            return false;
    }
    return true;
}

std::string labelKeyError(const std::string &key)
{
    // ^(dnsprefix/)?(qualifiedName)$ with the prefix's and the name's length limits.
    const std::size_t slash = key.find('/');
    std::string_view prefix;
    std::string_view name = key;
    if (slash != std::string::npos) {
        prefix = std::string_view(key).substr(0, slash);
        name = std::string_view(key).substr(slash + 1);
        bool ok = !prefix.empty();
        for (auto label : split(prefix, '.'))
            ok = ok && matchesDns1123Label(label);
        if (!ok)
            return "invalid tag key: " + goQuote(key);
    }
    if (!isQualifiedName(name))
        return "invalid tag key: " + goQuote(key);
    if (prefix.size() > 253)
        return "invalid tag key: " + goQuote(key) + " (DNS prefix is too long)";
    if (name.size() > 63)
        return "invalid tag key: " + goQuote(key) + " (name is too long)";
    return {};
}

std::string labelValueError(const std::string &value)
{
    if (value.empty() || isQualifiedName(value))
        return {};
    return "invalid tag value: " + goQuote(value);
}

std::string goQuote(std::string_view s)
{
    static const char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\a':
            out += "\\a";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\v':
            out += "\\v";
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                out += "\\x";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else {
                out += char(c); // UTF-8 passes through, as Go prints printable runes
            }
        }
    }
    out += '"';
    return out;
}

std::string goFloat(double v)
{
    // fmt %v of a float64: shortest representation, %e form when the exponent is < -4 or >= 21.
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    auto sci = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string s(buf, sci.ptr);
    const std::size_t e = s.find('e');
    const int exp = std::atoi(s.c_str() + e + 1);
    if (exp < -4 || exp >= 21)
        return s; // to_chars writes e-05 / e+21 like Go
    auto fixed = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    return std::string(buf, fixed.ptr);
}

std::string effectiveNamespace(const Yaml::Document &doc)
{
    const std::string ns = doc.namespaceName();
    return ns.empty() ? std::string("default") : ns;
}

bool checkAnnotations(const Yaml::Document &doc, Reporter &r, const SharedCodes &codes)
{
    const Node *metadata = doc.root.get("metadata");
    const Node *annotations = metadata ? metadata->get("annotations") : nullptr;
    if (!annotations || !annotations->isMap())
        return false;
    const std::string base = "metadata.annotations";
    if (const auto *e = annotations->entry("istio.io/dry-run")) {
        // Only AuthorizationPolicy supports dry-run.
        r.error(codes.dryRun, Yaml::childPath(base, e->key), &e->value,
                QString::fromStdString(effectiveNamespace(doc) + "/" + doc.name() +
                                       " has unsupported annotation istio.io/dry-run, please "
                                       "remove the annotation"));
        return true;
    }
    if (const auto *e = annotations->entry("internal.istio.io/webhook-always-reject")) {
        r.error(codes.alwaysReject, Yaml::childPath(base, e->key), &e->value,
                QString::fromStdString(goQuote(e->key) + " annotation found, rejecting"));
        return true;
    }
    for (const char *internal :
         {"internal.istio.io/parent-namespace", "internal.istio.io/parents"}) {
        if (const auto *e = annotations->entry(internal)) {
            r.error(codes.internalAnnotation, Yaml::childPath(base, e->key), &e->value,
                    QString::fromStdString(goQuote(e->key) +
                                           " annotation found, this may not be set by users"));
            return true;
        }
    }
    return false;
}

void checkExportTo(const Node *exportTo, const std::string &path, const std::string &ns,
                   bool destinationRuleWithSelector, Reporter &r, const SharedCodes &codes)
{
    if (!exportTo || !exportTo->isSequence() || exportTo->items().empty())
        return;
    const auto &items = exportTo->items();
    for (const Node &item : items) {
        if (!item.isScalar() || item.typeName() != "string")
            return; // a type error: the schema checker reports it
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string &e = items[i].text();
        const std::string key = e == "." ? ns : e;
        const std::string p = Yaml::indexPath(path, i);
        auto report = [&](const char *code, const std::string &msg) {
            r.error(code, p, &items[i], QString::fromStdString(msg));
        };
        if (seen.count(key)) {
            if (key != e)
                report(codes.exportToDuplicatePrivate,
                       "duplicate entries in exportTo: . and current namespace " + ns);
            else
                report(codes.exportToDuplicate, "duplicate entries in exportTo for entry " + e);
            continue;
        }
        if (key == "~")
            report(codes.exportToNone,
                   "exportTo ~ (none) is not allowed for Istio configuration objects");
        else if (key != "." && key != "*" && !isDns1123Label(key))
            report(codes.exportToInvalid,
                   "only .,*,~, or a valid DNS 1123 label is allowed as exportTo entry");
        else
            seen.insert(key);
    }
    if (destinationRuleWithSelector && !seen.empty()) {
        if (seen.count(ns)) {
            if (seen.size() > 1)
                r.error(codes.exportToSelectorMultiple, path, exportTo,
                        QStringLiteral("destination rule with workload selector cannot have "
                                       "multiple entries in exportTo"));
        } else {
            r.error(codes.exportToSelectorBeyond, path, exportTo,
                    QStringLiteral("destination rule with workload selector cannot have exportTo "
                                   "beyond current namespace"));
        }
    }
    if (seen.count("*") && items.size() > 1)
        r.error(codes.exportToPublicMixed, path, exportTo,
                QStringLiteral("cannot have both public (*) and non-public exportTo values for a "
                               "resource"));
}

} // namespace IstioChecks

namespace {

using namespace IstioChecks;

const SharedCodes kCodes{"MS1020", "MS1021", "MS1022", "MS1023", "MS1024",
                         "",       "",       "MS1025", "MS1026", "MS1027"};

// ---- raw tree access (nothing assumed about types) ----

const Node *get(const Node *map, std::string_view key)
{
    return map && map->isMap() ? map->get(key) : nullptr;
}

// A proto message/list field is non-nil when the key is there with a non-null value.
bool isSet(const Node *n)
{
    return n && !n->isPlainNull();
}

bool isString(const Node *n)
{
    return n && n->isScalar() && n->typeName() == "string";
}

// Go's zero value when absent or null; std::nullopt when the value has another type.
std::optional<std::string> stringField(const Node *n)
{
    if (!isSet(n))
        return std::string();
    if (isString(n))
        return n->text();
    return std::nullopt;
}

std::optional<std::int64_t> intField(const Node *n)
{
    if (!isSet(n))
        return std::int64_t(0);
    return n->toInt();
}

const std::vector<Node> *seq(const Node *n)
{
    return n && n->isSequence() ? &n->items() : nullptr;
}

std::size_t seqSize(const Node *n)
{
    return n && n->isSequence() ? n->items().size() : 0;
}

// A field of the wrong type: Istio's decoder would fail, the schema checker reports it.
bool wrongKind(const Node *n, Node::Kind kind)
{
    return isSet(n) && n->kind() != kind;
}

QString q(const std::string &s)
{
    return QString::fromStdString(s);
}

std::string num(std::int64_t v)
{
    return std::to_string(v);
}

std::string goFixed(double v)
{
    return QString::number(v, 'f', 6).toStdString();
}

std::string child(const std::string &p, std::string_view key)
{
    return Yaml::childPath(p, key);
}

std::string index(const std::string &p, std::size_t i)
{
    return Yaml::indexPath(p, i);
}

class VsChecker
{
public:
    VsChecker(const Yaml::Document &doc, Reporter &r) : m_doc(doc), m_r(r) {}
    void run();

private:
    void error(const char *code, const std::string &path, const Node *at, const std::string &msg)
    {
        m_r.error(code, path, at, q(msg));
    }
    void warning(const char *code, const std::string &path, const Node *at, const std::string &msg)
    {
        m_r.warning(code, path, at, q(msg));
    }
    // Findings about a map key (a header or label name) point at the key itself.
    void errorAt(const char *code, const std::string &path, Yaml::Mark mark, const std::string &msg)
    {
        m_r.report(Base::Severity::Error, code, "IST0106", path, mark, q(msg));
    }

    void domain(const DomainResult &d, const std::string &path, const Node *at,
                const char *codeOverride = nullptr);
    void gatewayNames(const Node *gateways, const std::string &path);
    void hosts();
    void jwtClaims();
    void httpRoute(const Node &route, const std::string &path);
    void routeConflicts(const Node &route, const std::string &path);
    void matchRequests(const Node &route, const std::string &path);
    void stringMatch(const Node *sm, const std::string &path, const char *where,
                     bool allowEmptyPrefix);
    void regex(const Node *re, const std::string &path, const char *where);
    void headerName(const std::string &name, const std::string &path, Yaml::Mark at, bool match);
    void labels(const Node *labels, const std::string &path);
    void port(const Node *port, const std::string &path, const char *code, bool skipZero);
    void headerOperations(const Node *headers, const std::string &path);
    void headerValue(const Node *value, const std::string &path);
    void cors(const Node *cors, const std::string &path);
    void fault(const Node *fault, const std::string &path);
    void percentage(const Node *p, const std::string &path);
    void duration(const Node *d, const std::string &path);
    void mirrors(const Node *mirrors, const std::string &path);
    void destination(const Node *dest, const std::string &path);
    void redirect(const Node &route, const std::string &path);
    void directResponse(const Node *dr, const std::string &path);
    void retries(const Node *retries, const std::string &path);
    void rewrite(const Node *rewrite, const std::string &path);
    void authorityRewrite(const Node &route, const std::string &path);
    void routeDestinations(const Node *route, const std::string &path, bool http);
    void tlsRoute(const Node &route, const std::string &path);
    void tcpRoute(const Node &route, const std::string &path);
    void subnet(const Node *n, const std::string &path);
    void unreachableRules(const char *kind, bool http);

    const Yaml::Document &m_doc;
    Reporter &m_r;
    const Node *m_spec = nullptr;
    std::string m_ns;
    bool m_gatewaySemantics = false;
    bool m_delegate = false; // no hosts: a delegate VirtualService
    std::vector<std::string> m_hosts;
    std::vector<std::string> m_gateways;
};

void VsChecker::domain(const DomainResult &d, const std::string &path, const Node *at,
                       const char *codeOverride)
{
    static const char *codes[] = {"", "MS1010", "MS1011", "MS1012", "MS1013", "MS1014"};
    if (d.ok())
        return;
    error(codeOverride ? codeOverride : codes[int(d.problem)], path, at, d.message);
}

std::vector<std::string> stringItems(const Node *n)
{
    std::vector<std::string> out;
    if (const auto *items = seq(n)) {
        for (const Node &item : *items) {
            if (isString(&item))
                out.push_back(item.text());
        }
    }
    return out;
}

void VsChecker::run()
{
    if (checkAnnotations(m_doc, m_r, kCodes))
        return;
    m_spec = m_doc.root.get("spec");
    if (!m_spec || !m_spec->isMap())
        return;
    m_ns = effectiveNamespace(m_doc);
    if (const Node *a = get(get(&m_doc.root, "metadata"), "annotations"))
        m_gatewaySemantics = isString(get(a, "internal.istio.io/route-semantics")) &&
                             get(a, "internal.istio.io/route-semantics")->text() == "gateway";

    const Node *hostsNode = m_spec->get("hosts");
    const Node *gatewaysNode = m_spec->get("gateways");
    const Node *http = m_spec->get("http");
    const Node *tls = m_spec->get("tls");
    const Node *tcp = m_spec->get("tcp");
    m_hosts = stringItems(hostsNode);
    m_gateways = stringItems(gatewaysNode);
    m_delegate = !wrongKind(hostsNode, Node::Kind::Sequence) && seqSize(hostsNode) == 0;

    if (m_delegate) {
        if (seqSize(gatewaysNode) != 0)
            error("MS1001", "spec.gateways", gatewaysNode,
                  "delegate virtual service must have no gateways specified");
        if (seqSize(tls) != 0)
            error("MS1002", "spec.tls", tls,
                  "delegate virtual service must have no tls route specified");
        if (seqSize(tcp) != 0)
            error("MS1003", "spec.tcp", tcp,
                  "delegate virtual service must have no tcp route specified");
    }

    bool appliesToGateway = false;
    if (seqSize(gatewaysNode) != 0) {
        gatewayNames(gatewaysNode, "spec.gateways");
        appliesToGateway =
            std::find(m_gateways.begin(), m_gateways.end(), "mesh") == m_gateways.end();
    }
    if (!appliesToGateway)
        jwtClaims();
    if (!wrongKind(hostsNode, Node::Kind::Sequence))
        hosts();

    const bool typesOk = !wrongKind(http, Node::Kind::Sequence) &&
                         !wrongKind(tls, Node::Kind::Sequence) &&
                         !wrongKind(tcp, Node::Kind::Sequence);
    if (typesOk && seqSize(http) == 0 && seqSize(tls) == 0 && seqSize(tcp) == 0)
        error("MS1017", "spec", m_spec, "http, tcp or tls must be provided in virtual service");

    if (const auto *routes = seq(http)) {
        for (std::size_t i = 0; i < routes->size(); ++i) {
            const Node &route = (*routes)[i];
            const std::string p = index("spec.http", i);
            if (route.isPlainNull())
                error("MS1018", p, &route, "http route may not be null");
            else if (route.isMap())
                httpRoute(route, p);
        }
    }
    if (const auto *routes = seq(tls)) {
        for (std::size_t i = 0; i < routes->size(); ++i) {
            if ((*routes)[i].isMap())
                tlsRoute((*routes)[i], index("spec.tls", i));
        }
    }
    if (const auto *routes = seq(tcp)) {
        for (std::size_t i = 0; i < routes->size(); ++i) {
            if ((*routes)[i].isMap())
                tcpRoute((*routes)[i], index("spec.tcp", i));
        }
    }

    checkExportTo(m_spec->get("exportTo"), "spec.exportTo", m_ns, false, m_r, kCodes);

    unreachableRules("http", true);
    unreachableRules("tcp", false);
    unreachableRules("tls", false);
}

// validateGatewayNames. Istio stops at the first name without a '/' (it returns from the loop),
// so later entries are not checked; the same happens here.
void VsChecker::gatewayNames(const Node *gateways, const std::string &path)
{
    const auto *items = seq(gateways);
    if (!items)
        return;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const Node &g = (*items)[i];
        if (!isString(&g))
            continue;
        const std::string &name = g.text();
        const std::string p = index(path, i);
        const std::size_t slash = name.find('/');
        if (slash == std::string::npos) {
            if (name.find('.') != std::string::npos) {
                const auto parts = split(name, '.');
                const std::string recommended = std::string(parts[1]) + "/" + std::string(parts[0]);
                warning("MS1007", p, &g,
                        "using legacy gatewayName format " + goQuote(name) +
                            "; prefer the <namespace>/<name> format: " + goQuote(recommended));
            }
            domain(fqdn(name), p, &g, "MS1008");
            return;
        }
        const std::string ns = name.substr(0, slash);
        const std::string gw = name.substr(slash + 1);
        if (ns.empty() || gw.empty())
            error("MS1004", p, &g, "config namespace and gateway name cannot be empty");
        if (!isDns1123Label(ns))
            error("MS1005", p, &g, "invalid value for namespace: " + goQuote(ns));
        if (!isDns1123Label(gw) && !m_gatewaySemantics)
            error("MS1006", p, &g, "invalid value for gateway name: " + goQuote(gw));
    }
}

std::string goStringList(const std::vector<std::string> &v)
{
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i)
        out += (i ? " " : "") + v[i];
    return out + "]";
}

// jwt.ToRoutingClaim(key).Match
bool isJwtClaimKey(const std::string &key)
{
    static const std::string prefix = "@request.auth.claims";
    if (key.size() < prefix.size())
        return false;
    std::string head = key.substr(0, prefix.size());
    std::transform(head.begin(), head.end(), head.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    if (head != prefix)
        return false;
    const std::string rest = key.substr(prefix.size());
    if (rest.size() > 1 && rest[0] == '.')
        return true;
    return rest.size() > 2 && rest.front() == '[' && rest.back() == ']';
}

void VsChecker::jwtClaims()
{
    const auto *routes = seq(m_spec->get("http"));
    if (!routes)
        return;
    for (std::size_t i = 0; i < routes->size(); ++i) {
        const auto *matches = seq(get(&(*routes)[i], "match"));
        if (!matches)
            continue;
        for (std::size_t j = 0; j < matches->size(); ++j) {
            for (const char *field : {"headers", "withoutHeaders"}) {
                const Node *headers = get(&(*matches)[j], field);
                if (!headers || !headers->isMap())
                    continue;
                for (const auto &e : headers->entries()) {
                    if (isJwtClaimKey(e.key))
                        errorAt("MS1019",
                                child(child(index(child(index("spec.http", i), "match"), j), field),
                                      e.key),
                                e.keyMark,
                                "JWT claim based routing (key: " + e.key +
                                    ") is only supported for gateway, found no gateways: " +
                                    goStringList(m_gateways));
                }
            }
        }
    }
}

// host.Name.Matches: wildcard-aware overlap in either direction.
bool hostsOverlap(const std::string &n, const std::string &o)
{
    const bool nw = !n.empty() && n[0] == '*';
    const bool ow = !o.empty() && o[0] == '*';
    auto endsWith = [](const std::string &s, const std::string &suffix) {
        return s.size() >= suffix.size() &&
               s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (nw) {
        if (ow)
            return n.size() < o.size() ? endsWith(o.substr(1), n.substr(1))
                                       : endsWith(n.substr(1), o.substr(1));
        return endsWith(o, n.substr(1));
    }
    if (ow)
        return endsWith(n, o.substr(1));
    return n == o;
}

// host.Name.SubsetOf: n is covered by o.
bool hostSubsetOf(const std::string &n, const std::string &o)
{
    const bool nw = !n.empty() && n[0] == '*';
    const bool ow = !o.empty() && o[0] == '*';
    auto endsWith = [](const std::string &s, const std::string &suffix) {
        return s.size() >= suffix.size() &&
               s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (nw) {
        if (ow)
            return n.size() >= o.size() && endsWith(n.substr(1), o.substr(1));
        return false;
    }
    if (ow)
        return endsWith(n, o.substr(1));
    return n == o;
}

bool hasSniHosts(const Node *spec)
{
    if (const auto *routes = seq(get(spec, "tls"))) {
        for (const Node &route : *routes) {
            if (const auto *matches = seq(get(&route, "match"))) {
                for (const Node &m : *matches) {
                    if (seqSize(get(&m, "sniHosts")) > 0)
                        return true;
                }
            }
        }
    }
    return false;
}

void VsChecker::hosts()
{
    const auto *items = seq(m_spec->get("hosts"));
    if (!items)
        return;
    const bool gatewayBound = !m_gateways.empty() && std::find(m_gateways.begin(), m_gateways.end(),
                                                               "mesh") == m_gateways.end();
    const bool appliesToMesh = !gatewayBound;
    const bool sni = hasSniHosts(m_spec);
    bool allValid = true;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const Node &h = (*items)[i];
        if (!isString(&h)) {
            allValid = false;
            continue;
        }
        const std::string &host = h.text();
        const DomainResult d = gatewayBound ? gatewayBoundDomain(sni, host) : wildcardDomain(host);
        const std::string p = index("spec.hosts", i);
        if (!d.ok()) {
            if (!isValidIpAddress(host)) {
                domain(d, p, &h);
                allValid = false;
            }
        } else if (appliesToMesh && host == "*") {
            error("MS1015", p, &h,
                  "wildcard host * is not allowed for virtual services bound to the mesh gateway");
            allValid = false;
        }
    }
    if (!allValid)
        return;
    for (std::size_t i = 0; i < items->size(); ++i) {
        for (std::size_t j = i + 1; j < items->size(); ++j) {
            const std::string &a = (*items)[i].text();
            const std::string &b = (*items)[j].text();
            if (hostsOverlap(a, b))
                error("MS1016", index("spec.hosts", j), &(*items)[j],
                      "duplicate hosts in virtual service: " + a + " & " + b);
        }
    }
}

void VsChecker::httpRoute(const Node &route, const std::string &path)
{
    routeConflicts(route, path);
    matchRequests(route, path);
    headerOperations(route.get("headers"), child(path, "headers"));
    cors(route.get("corsPolicy"), child(path, "corsPolicy"));
    fault(route.get("fault"), child(path, "fault"));

    for (const char *key : {"mirrorPercent", "mirror_percent"}) {
        const auto *e = route.entry(key);
        if (!e || e->value.isPlainNull())
            continue;
        const std::string p = child(path, key);
        if (auto v = e->value.toInt(); v && *v > 100)
            error("MS1201", p, &e->value,
                  "mirror_percent must have a max value of 100 (it has " + num(*v) + ")");
        warning("MS1202", p, &e->value,
                std::string("using deprecated setting \"") + key +
                    "\", use \"mirrorPercentage\" instead");
    }
    if (const Node *mp = route.get("mirrorPercentage"); isSet(mp) && mp->isMap()) {
        const Node *value = mp->get("value");
        if (auto v = isSet(value) ? value->toDouble() : std::optional<double>(0.0)) {
            const std::string p = child(child(path, "mirrorPercentage"), "value");
            const Node *at = value ? value : mp;
            if (*v > 100)
                error("MS1203", p, at,
                      "mirror_percentage must have a max value of 100 (it has " + goFixed(*v) +
                          ")");
            if (*v < 0)
                error("MS1204", p, at,
                      "mirror_percentage must have a min value of 0 (it has " + goFixed(*v) + ")");
        }
    }
    destination(route.get("mirror"), child(path, "mirror"));
    mirrors(route.get("mirrors"), child(path, "mirrors"));
    redirect(route, path);
    directResponse(route.get("directResponse"), child(path, "directResponse"));
    retries(route.get("retries"), child(path, "retries"));
    rewrite(route.get("rewrite"), child(path, "rewrite"));
    authorityRewrite(route, path);
    routeDestinations(route.get("route"), child(path, "route"), true);
    duration(route.get("timeout"), child(path, "timeout"));
}

void VsChecker::routeConflicts(const Node &route, const std::string &path)
{
    const Node *redirect = route.get("redirect");
    const Node *routes = route.get("route");
    const Node *fault = route.get("fault");
    const Node *rewrite = route.get("rewrite");
    const Node *direct = route.get("directResponse");
    const Node *delegate = route.get("delegate");
    const std::string name = stringField(route.get("name")).value_or("");
    auto at = [&](const char *key) { return child(path, key); };

    if (!m_delegate && isSet(delegate)) { // a root route: only delegate may be given
        if (isSet(redirect))
            error("MS1101", at("redirect"), redirect,
                  "root HTTP route " + name + " must not specify redirect");
        if (isSet(routes))
            error("MS1102", at("route"), routes,
                  "root HTTP route " + name + " must not specify route");
        return;
    }
    if (m_delegate && isSet(delegate))
        error("MS1103", at("delegate"), delegate, "delegate HTTP route cannot contain delegate");

    const bool hasRoutes = seqSize(routes) > 0;
    if (isSet(redirect)) {
        if (hasRoutes)
            error("MS1104", at("route"), routes,
                  "HTTP route cannot contain both route and redirect");
        if (isSet(fault))
            error("MS1105", at("fault"), fault,
                  "HTTP route cannot contain both fault and redirect");
        if (isSet(rewrite))
            error("MS1106", at("rewrite"), rewrite,
                  "HTTP route rule cannot contain both rewrite and redirect");
        if (isSet(direct))
            error("MS1107", at("directResponse"), direct,
                  "HTTP route rule cannot contain both direct_response and redirect");
    } else if (isSet(direct)) {
        if (hasRoutes)
            error("MS1108", at("route"), routes,
                  "HTTP route cannot contain both route and direct_response");
        if (isSet(fault))
            error("MS1109", at("fault"), fault,
                  "HTTP route cannot contain both fault and direct_response");
        if (isSet(rewrite))
            error("MS1110", at("rewrite"), rewrite,
                  "HTTP route rule cannot contain both rewrite and direct_response");
    } else if (!hasRoutes && !wrongKind(routes, Node::Kind::Sequence)) {
        error("MS1111", path, &route, "HTTP route, redirect or direct_response is required");
    }
    if (isSet(route.get("mirror")) && seqSize(route.get("mirrors")) > 0)
        error("MS1112", at("mirrors"), route.get("mirrors"),
              "HTTP route cannot contain both mirror and mirrors");
}

// RFC 7230 token characters.
bool isHeaderToken(const std::string &name)
{
    static const std::string extra = "!#$%&'*+-.^_`|~";
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return isAlnum(c) || extra.find(c) != std::string::npos;
    });
}

void VsChecker::headerName(const std::string &name, const std::string &path, Yaml::Mark at,
                           bool match)
{
    if (name.empty()) {
        errorAt("MS1302", path, at, "header name cannot be empty");
        return;
    }
    if (isJwtClaimKey(name))
        return;
    static const std::set<std::string> pseudo = {":method", ":scheme", ":authority", ":path",
                                                 ":status"};
    if (pseudo.count(name))
        return;
    if (!isHeaderToken(name)) {
        errorAt("MS1303", path, at, "header name " + name + " is not a valid header name");
        return;
    }
    if (match && std::any_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
        m_r.report(
            Base::Severity::Warning, "MS1312", "", path, at,
            q("header name " + name + " is not lowercase; header match keys should be lowercase"));
}

void VsChecker::regex(const Node *re, const std::string &path, const char *where)
{
    const auto value = stringField(re);
    if (!value)
        return;
    const std::string w = goQuote(where);
    if (value->empty()) {
        error("MS1305", path, re, w + ": regex string match should not be empty");
        return;
    }
    if (value->size() > 1024) {
        error("MS1306", path, re, w + ": regex is too large, max length allowed is 1024");
        return;
    }
    std::string err;
    if (!compileIstioRegex(*value, &err))
        error("MS1307", path, re,
              w + ": " + err +
                  "; Istio uses RE2 style regex-based match "
                  "(https://github.com/google/re2/wiki/Syntax)");
}

// validateStringMatch (allowEmptyPrefix = false) and validateStringMatchRegexp (true, for uri).
void VsChecker::stringMatch(const Node *sm, const std::string &path, const char *where,
                            bool allowEmptyPrefix)
{
    if (!sm || !sm->isMap())
        return;
    if (const auto *e = sm->entry("prefix"); e && !allowEmptyPrefix && !e->value.isPlainNull()) {
        if (auto v = stringField(&e->value); v && v->empty())
            error("MS1304", child(path, "prefix"), &e->value,
                  goQuote(where) + ": prefix string match should not be empty");
    }
    if (const auto *e = sm->entry("regex"); e && !e->value.isPlainNull())
        regex(&e->value, child(path, "regex"), where);
}

void VsChecker::labels(const Node *labels, const std::string &path)
{
    if (!labels || !labels->isMap())
        return;
    for (const auto &e : labels->entries()) {
        const std::string p = child(path, e.key);
        if (const std::string err = labelKeyError(e.key); !err.empty())
            errorAt("MS1309", p, e.keyMark, err);
        if (auto v = stringField(&e.value)) {
            if (const std::string err = labelValueError(*v); !err.empty())
                error("MS1310", p, &e.value, err);
        }
    }
}

void VsChecker::port(const Node *port, const std::string &path, const char *code, bool skipZero)
{
    const auto v = intField(port);
    if (!v || (skipZero && *v == 0))
        return;
    if (*v < 1 || *v > 65535)
        error(code, path, port, "port number " + num(*v) + " must be in the range 1..65535");
}

void VsChecker::matchRequests(const Node &route, const std::string &path)
{
    const auto *matches = seq(route.get("match"));
    if (!matches)
        return;
    for (std::size_t j = 0; j < matches->size(); ++j) {
        const Node &m = (*matches)[j];
        if (!m.isMap())
            continue;
        const std::string mp = index(child(path, "match"), j);
        if (const Node *headers = m.get("headers"); headers && headers->isMap()) {
            for (const auto &e : headers->entries()) {
                const std::string p = child(child(mp, "headers"), e.key);
                if (e.value.isPlainNull())
                    errorAt("MS1301", p, e.keyMark, "header match " + e.key + " cannot be null");
                headerName(e.key, p, e.keyMark, true);
                stringMatch(&e.value, p, "headers", false);
            }
        }
        if (const Node *headers = m.get("withoutHeaders"); headers && headers->isMap()) {
            for (const auto &e : headers->entries()) {
                const std::string p = child(child(mp, "withoutHeaders"), e.key);
                headerName(e.key, p, e.keyMark, true);
                // `regex: "*"` is not RE2: Istio turns it into a presence match.
                const Node *re = get(&e.value, "regex");
                if (!(isString(re) && re->text() == "*"))
                    stringMatch(&e.value, p, "withoutHeaders", false);
            }
        }
        stringMatch(m.get("uri"), child(mp, "uri"), "uri", true);
        stringMatch(m.get("scheme"), child(mp, "scheme"), "scheme", false);
        stringMatch(m.get("method"), child(mp, "method"), "method", false);
        stringMatch(m.get("authority"), child(mp, "authority"), "authority", false);
        if (const Node *qp = m.get("queryParams"); qp && qp->isMap()) {
            for (const auto &e : qp->entries())
                stringMatch(&e.value, child(child(mp, "queryParams"), e.key), "queryParams", false);
        }
    }
    for (std::size_t j = 0; j < matches->size(); ++j) {
        const Node &m = (*matches)[j];
        if (!m.isMap())
            continue;
        const std::string mp = index(child(path, "match"), j);
        port(m.get("port"), child(mp, "port"), "MS1308", true);
        labels(m.get("sourceLabels"), child(mp, "sourceLabels"));
        gatewayNames(m.get("gateways"), child(mp, "gateways"));
        if (auto ns = stringField(m.get("sourceNamespace"));
            ns && !ns->empty() && !isDns1123Label(*ns))
            error("MS1311", child(mp, "sourceNamespace"), m.get("sourceNamespace"),
                  "sourceNamespace match " + *ns + " is invalid");
    }
}

bool equalsIgnoreCase(const std::string &a, const char *b)
{
    const std::string_view bv(b);
    if (a.size() != bv.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(bv[i])))
            return false;
    }
    return true;
}

// Port of Envoy's header formatter parser (Istio's validateHeaderValue); "" when valid.
std::string headerFormatterError(const std::string &v)
{
    enum State {
        Literal,
        VarName,
        ExpectArray,
        ExpectString,
        String,
        ExpectDelimOrEnd,
        ExpectArgsEnd,
        ExpectVarEnd
    };
    State state = Literal;
    for (std::size_t pos = 0; pos < v.size(); ++pos) {
        const char ch = v[pos];
        const bool hasNext = pos + 1 < v.size();
        switch (state) {
        case Literal:
            if (ch != '%')
                break;
            if (!hasNext)
                return "invalid header configuration. Un-escaped %";
            if (v[pos + 1] == '%') {
                ++pos;
                break;
            }
            state = VarName;
            break;
        case VarName:
            if (ch == '%')
                state = Literal;
            else if (ch == '(')
                state = ExpectArray;
            break;
        case ExpectArray:
            if (ch == '[')
                state = ExpectString;
            else if (ch != ' ')
                state = String;
            break;
        case ExpectDelimOrEnd:
            if (ch == ',')
                state = ExpectString;
            else if (ch == ']')
                state = ExpectArgsEnd;
            else if (ch != ' ')
                return "invalid header configuration. Expecting ',', ']', or whitespace";
            break;
        case ExpectString:
            if (ch == '"')
                state = String;
            else if (ch != ' ')
                return "invalid header configuration. Expecting '\"'";
            break;
        case String:
            if (ch == '\\') {
                if (!hasNext)
                    return "invalid header configuration. Un-terminated backslash in JSON string";
                ++pos;
            } else if (ch == ')') {
                state = ExpectVarEnd;
            } else if (ch == '"') {
                state = ExpectDelimOrEnd;
            }
            break;
        case ExpectArgsEnd:
            if (ch == ')')
                state = ExpectVarEnd;
            else if (ch != ' ')
                return "invalid header configuration. Expecting ')' or whitespace after '{}', but "
                       "found '{}'";
            break;
        case ExpectVarEnd:
            if (ch == '%')
                state = Literal;
            else if (ch != ' ')
                return "invalid header configuration. Expecting '%' or whitespace after";
            break;
        }
    }
    if (state != Literal)
        return "invalid header configuration. Un-terminated variable expression '" + v + "'";
    return {};
}

void VsChecker::headerValue(const Node *value, const std::string &path)
{
    const auto v = stringField(value);
    if (!v)
        return;
    const bool badChar = std::any_of(v->begin(), v->end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u <= 0x08) || (u >= 0x0A && u <= 0x1F) || u == 0x7F;
    });
    if (badChar) {
        error("MS1504", path, value, "header value configuration " + *v + " is invalid");
        return;
    }
    if (const std::string err = headerFormatterError(*v); !err.empty())
        error("MS1505", path, value, "header value configuration: " + err);
}

void VsChecker::headerOperations(const Node *headers, const std::string &path)
{
    if (!headers || !headers->isMap())
        return;
    for (const char *side : {"request", "response"}) {
        const Node *ops = headers->get(side);
        if (!ops || !ops->isMap())
            continue;
        const bool request = std::string_view(side) == "request";
        const std::string sp = child(path, side);
        auto checkName = [&](const std::string &name, const std::string &p, Yaml::Mark at,
                             bool addOrSet) {
            if (name.empty()) {
                errorAt("MS1501", p, at, "header name cannot be empty");
                return;
            }
            const bool isHost = equalsIgnoreCase(name, "host");
            const bool internal = name[0] == ':' || isHost;
            if (request && addOrSet) {
                // The authority may be set here; validateAuthorityRewrite checks it.
                if (internal && !(equalsIgnoreCase(name, ":authority") || isHost))
                    errorAt("MS1502", p, at,
                            "invalid header " + goQuote(name) +
                                ": header cannot have \":\" prefix");
                return;
            }
            if (isHost)
                errorAt("MS1503", p, at,
                        "invalid header " + goQuote(name) + ": cannot set Host header");
            else if (internal)
                errorAt("MS1502", p, at,
                        "invalid header " + goQuote(name) + ": header cannot have \":\" prefix");
        };
        for (const char *op : {"add", "set"}) {
            const Node *m = ops->get(op);
            if (!m || !m->isMap())
                continue;
            for (const auto &e : m->entries()) {
                const std::string p = child(child(sp, op), e.key);
                checkName(e.key, p, e.keyMark, true);
                headerValue(&e.value, p);
            }
        }
        if (const auto *remove = seq(ops->get("remove"))) {
            for (std::size_t i = 0; i < remove->size(); ++i) {
                if (isString(&(*remove)[i]))
                    checkName((*remove)[i].text(), index(child(sp, "remove"), i),
                              (*remove)[i].mark(), false);
            }
        }
    }
}

void VsChecker::authorityRewrite(const Node &route, const std::string &path)
{
    auto current = stringField(get(route.get("rewrite"), "authority"));
    if (!current)
        return;
    const Node *request = get(route.get("headers"), "request");
    for (const char *op : {"set", "add"}) {
        const Node *m = get(request, op);
        if (!m || !m->isMap())
            continue;
        for (const auto &e : m->entries()) {
            if (!equalsIgnoreCase(e.key, ":authority") && !equalsIgnoreCase(e.key, "host"))
                continue;
            const auto v = stringField(&e.value);
            if (!v)
                continue;
            if (!current->empty()) {
                error("MS1506", child(child(child(child(path, "headers"), "request"), op), e.key),
                      &e.value,
                      "authority header cannot be set multiple times: have " + goQuote(*current) +
                          ", attempting to set " + goQuote(*v));
                return;
            }
            current = *v;
        }
    }
}

void VsChecker::cors(const Node *cors, const std::string &path)
{
    if (!cors || !cors->isMap())
        return;
    if (const auto *origins = seq(cors->get("allowOrigins"))) {
        for (std::size_t i = 0; i < origins->size(); ++i) {
            const Node &o = (*origins)[i];
            if (!o.isMap())
                continue;
            const std::string p = index(child(path, "allowOrigins"), i);
            std::optional<std::string> match = std::string();
            for (const char *k : {"exact", "prefix", "regex"}) {
                if (isSet(o.get(k)))
                    match = stringField(o.get(k));
            }
            if (!match)
                continue;
            if (match->empty()) {
                error("MS1715", p, &o,
                      "'" + *match + "' is not a valid match type for CORS allow origins");
                continue;
            }
            if (const auto *e = o.entry("regex"); e && !e->value.isPlainNull())
                regex(&e->value, child(p, "regex"), "corsPolicy.allowOrigins");
        }
    }
    static const std::set<std::string> methods = {"GET",    "HEAD",    "POST",    "PUT",   "PATCH",
                                                  "DELETE", "CONNECT", "OPTIONS", "TRACE", "*"};
    if (const auto *items = seq(cors->get("allowMethods"))) {
        for (std::size_t i = 0; i < items->size(); ++i) {
            if (isString(&(*items)[i]) && !methods.count((*items)[i].text()))
                error("MS1716", index(child(path, "allowMethods"), i), &(*items)[i],
                      goQuote((*items)[i].text()) + " is not a supported HTTP method");
        }
    }
    for (const char *field : {"allowHeaders", "exposeHeaders"}) {
        if (const auto *items = seq(cors->get(field))) {
            for (std::size_t i = 0; i < items->size(); ++i) {
                const Node &h = (*items)[i];
                if (!isString(&h))
                    continue;
                const std::string p = index(child(path, field), i);
                if (h.text().empty())
                    error("MS1717", p, &h, "header name cannot be empty");
                else if (h.text() != "*" && !isHeaderToken(h.text()))
                    error("MS1718", p, &h,
                          "header name " + h.text() + " is not a valid header name");
            }
        }
    }
    const Node *maxAge = cors->get("maxAge");
    duration(maxAge, child(path, "maxAge"));
    if (auto s = stringField(maxAge); s && !s->empty()) {
        if (auto ns = Base::parseGoDurationNs(*s); ns && *ns > 0 && *ns % 1000000000 != 0)
            error("MS1706", child(path, "maxAge"), maxAge,
                  "max_age duration is accurate only to seconds precision");
    }
}

// agent.ValidateDuration. A string Go cannot parse is the schema checker's to report.
void VsChecker::duration(const Node *d, const std::string &path)
{
    if (!isString(d))
        return;
    const auto ns = Base::parseGoDurationNs(d->text());
    if (!ns)
        return;
    if (*ns < 1000000)
        error("MS1704", path, d, "duration must be greater than 1ms");
    else if (*ns % 1000000 != 0)
        error("MS1705", path, d, "only durations to ms precision are supported");
}

void VsChecker::percentage(const Node *p, const std::string &path)
{
    if (!isSet(p) || !p->isMap())
        return;
    const Node *value = p->get("value");
    const auto v = isSet(value) ? value->toDouble() : std::optional<double>(0.0);
    if (!v)
        return;
    if (*v < 0.0 || *v > 100.0 || (*v > 0.0 && *v < 0.0001))
        error("MS1708", child(path, "value"), value ? value : p,
              "percentage " + goFloat(*v) + " is neither 0.0, nor in range [0.0001, 100.0]");
}

void VsChecker::fault(const Node *fault, const std::string &path)
{
    if (!isSet(fault) || !fault->isMap())
        return;
    const Node *abort = fault->get("abort");
    const Node *delay = fault->get("delay");
    if (!isSet(abort) && !isSet(delay))
        error("MS1707", path, fault, "HTTP fault injection must have an abort and/or a delay");
    if (isSet(abort) && abort->isMap()) {
        const std::string ap = child(path, "abort");
        percentage(abort->get("percentage"), child(ap, "percentage"));
        if (const Node *grpc = abort->get("grpcStatus"); isSet(grpc)) {
            static const std::set<std::string> codes = {"OK",
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
            if (isString(grpc) && !codes.count(grpc->text()))
                error("MS1711", child(ap, "grpcStatus"), grpc,
                      "gRPC status " + goQuote(grpc->text()) +
                          " is not supported. See "
                          "https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list "
                          "of supported codes, for example 'NOT_FOUND'");
        } else if (const Node *h2 = abort->get("http2Error"); isSet(h2)) {
            error("MS1712", child(ap, "http2Error"), h2,
                  "HTTP/2 abort fault injection not supported yet");
        } else if (const Node *status = abort->get("httpStatus"); isSet(status)) {
            if (auto v = status->toInt(); v && (*v < 200 || *v > 600))
                error("MS1710", child(ap, "httpStatus"), status,
                      "HTTP status " + num(*v) + " is not in range 200-599");
        } else {
            warning("MS1713", ap, abort, "abort configured, but error type not set");
        }
    }
    if (isSet(delay) && delay->isMap()) {
        const std::string dp = child(path, "delay");
        percentage(delay->get("percentage"), child(dp, "percentage"));
        if (const Node *pct = delay->get("percent"); isSet(pct)) {
            if (auto v = pct->toInt(); v && (*v < 0 || *v > 100))
                error("MS1709", child(dp, "percent"), pct,
                      "percentage " + num(*v) + " is not in range 0..100");
        }
        if (const Node *fixed = delay->get("fixedDelay"); isSet(fixed)) {
            duration(fixed, child(dp, "fixedDelay"));
        } else if (const Node *exp = delay->get("exponentialDelay"); isSet(exp)) {
            duration(exp, child(dp, "exponentialDelay"));
            error("MS1714", child(dp, "exponentialDelay"), exp,
                  "exponentialDelay not supported yet");
        }
    }
}

void VsChecker::destination(const Node *dest, const std::string &path)
{
    if (!isSet(dest) || !dest->isMap())
        return;
    const Node *hostNode = dest->get("host");
    if (auto host = stringField(hostNode)) {
        const std::string hp = child(path, "host");
        const Node *at = hostNode ? hostNode : dest;
        if (*host == "*")
            error("MS1405", hp, at, "invalid destination host *");
        else
            domain(wildcardDomain(*host), hp, at);
    }
    if (auto subset = stringField(dest->get("subset"));
        subset && !subset->empty() && !isDns1123Label(*subset))
        error("MS1406", child(path, "subset"), dest->get("subset"),
              "subset name is invalid: " + *subset);
    if (const Node *p = dest->get("port"); isSet(p) && p->isMap())
        port(p->get("number") ? p->get("number") : p, child(child(path, "port"), "number"),
             "MS1407", false);
}

void VsChecker::mirrors(const Node *mirrors, const std::string &path)
{
    const auto *items = seq(mirrors);
    if (!items)
        return;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const Node &m = (*items)[i];
        const std::string p = index(path, i);
        if (m.isPlainNull()) {
            error("MS1205", p, &m, "mirror cannot be null");
            continue;
        }
        if (!m.isMap())
            continue;
        const Node *dest = m.get("destination");
        if (!isSet(dest)) {
            error("MS1206", p, &m, "destination is required for mirrors");
            continue;
        }
        destination(dest, child(p, "destination"));
        const Node *pct = m.get("percentage");
        if (!isSet(pct) || !pct->isMap())
            continue;
        const Node *value = pct->get("value");
        const auto v = isSet(value) ? value->toDouble() : std::optional<double>(0.0);
        if (!v)
            continue;
        const std::string vp = child(child(p, "percentage"), "value");
        if (*v > 100)
            error("MS1207", vp, value,
                  "mirror percentage must have a max value of 100 (it has " + goFixed(*v) + ")");
        if (*v < 0)
            error("MS1208", vp, value,
                  "mirror percentage must have a min value of 0 (it has " + goFixed(*v) + ")");
    }
}

// validateHTTPRedirect: Istio returns the first problem only.
void VsChecker::redirect(const Node &route, const std::string &path)
{
    const Node *redirect = route.get("redirect");
    if (!isSet(redirect) || !redirect->isMap())
        return;
    const std::string rp = child(path, "redirect");
    const auto uri = stringField(redirect->get("uri"));
    const auto authority = stringField(redirect->get("authority"));
    const auto scheme = stringField(redirect->get("scheme"));
    const auto prefixRewrite = stringField(redirect->get("prefixRewrite"));
    const bool hasPort = isSet(redirect->get("port")) || isSet(redirect->get("derivePort"));
    if (!uri || !authority || !scheme || !prefixRewrite)
        return;
    if (uri->empty() && authority->empty() && !hasPort && scheme->empty() &&
        prefixRewrite->empty()) {
        error("MS1601", rp, redirect, "redirect must specify URI, authority, scheme, or port");
        return;
    }
    if (!uri->empty() && !prefixRewrite->empty()) {
        error("MS1605", child(rp, "prefixRewrite"), redirect->get("prefixRewrite"),
              "redirect may only specify one of uri or prefix_rewrite");
        return;
    }
    if (!prefixRewrite->empty()) {
        if (const auto *matches = seq(route.get("match"))) {
            for (const Node &m : *matches) {
                const Node *u = get(&m, "uri");
                if (isSet(u) && u->isMap() && !isSet(u->get("prefix"))) {
                    error("MS1606", child(rp, "prefixRewrite"), redirect->get("prefixRewrite"),
                          "redirect prefix_rewrite requires all URI matches to use prefix match "
                          "type");
                    return;
                }
            }
        }
    }
    if (const Node *code = redirect->get("redirectCode"); isSet(code)) {
        if (auto v = code->toInt(); v && *v != 0 && (*v < 300 || *v > 399)) {
            error("MS1602", child(rp, "redirectCode"), code,
                  num(*v) + " is not a valid redirect code, must be 3xx");
            return;
        }
    }
    if (!scheme->empty() && *scheme != "http" && *scheme != "https") {
        error("MS1603", child(rp, "scheme"), redirect->get("scheme"),
              "invalid redirect scheme, must be \"http\" or \"https\"");
        return;
    }
    if (const Node *p = redirect->get("port"); isSet(p)) {
        if (auto v = p->toInt(); v && *v > 65535)
            error("MS1604", child(rp, "port"), p,
                  "port number " + num(*v) + " must be in the range 1..65535");
    }
}

void VsChecker::directResponse(const Node *dr, const std::string &path)
{
    if (!isSet(dr) || !dr->isMap())
        return;
    if (const Node *body = dr->get("body"); isSet(body) && body->isMap()) {
        std::size_t size = 0;
        if (auto s = stringField(body->get("string")); s && isSet(body->get("string")))
            size = s->size();
        else if (auto b = stringField(body->get("bytes")); b && isSet(body->get("bytes")))
            size = std::size_t(QByteArray::fromBase64(QByteArray::fromStdString(*b)).size());
        const std::string bp = child(path, "body");
        if (size > 1024 * 1024)
            error("MS1611", bp, body,
                  "large direct_responses may impact control plane performance, must be less "
                  "than 1MB");
        else if (size > 100 * 1024)
            warning("MS1612", bp, body,
                    "large direct_responses may impact control plane performance");
    }
    const Node *status = dr->get("status");
    if (auto v = intField(status); v && (*v < 200 || *v > 600))
        error("MS1610", child(path, "status"), status ? status : dr,
              "HTTP status " + num(*v) + " is not in range 200-599");
}

// Go's http.StatusText knows these codes; any of them is a valid retryOn entry.
bool isKnownHttpStatus(std::int64_t c)
{
    static const std::set<int> known = {
        100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301,
        302, 303, 304, 305, 307, 308, 400, 401, 402, 403, 404, 405, 406, 407, 408, 409,
        410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428,
        429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511};
    return known.count(int(c)) > 0;
}

void VsChecker::retries(const Node *retries, const std::string &path)
{
    if (!isSet(retries) || !retries->isMap())
        return;
    const auto attempts = intField(retries->get("attempts"));
    if (!attempts)
        return;
    if (*attempts < 0)
        error("MS1701", child(path, "attempts"), retries->get("attempts"),
              "attempts cannot be negative");
    const auto retryOn = stringField(retries->get("retryOn"));
    if (*attempts == 0 && (isSet(retries->get("perTryTimeout")) || (retryOn && !retryOn->empty()) ||
                           isSet(retries->get("retryRemoteLocalities"))))
        error("MS1702", path, retries,
              "http retry policy configured when attempts are set to 0 (disabled)");
    duration(retries->get("perTryTimeout"), child(path, "perTryTimeout"));
    if (retryOn && !retryOn->empty()) {
        static const std::set<std::string> policies = {"5xx",
                                                       "gateway-error",
                                                       "reset",
                                                       "reset-before-request",
                                                       "connect-failure",
                                                       "retriable-4xx",
                                                       "refused-stream",
                                                       "retriable-status-codes",
                                                       "retriable-headers",
                                                       "envoy-ratelimited",
                                                       "http3-post-connect-failure",
                                                       "cancelled",
                                                       "deadline-exceeded",
                                                       "internal",
                                                       "resource-exhausted",
                                                       "unavailable"};
        for (auto policy : split(*retryOn, ',')) {
            std::int64_t code = 0;
            if (goAtoiOk(policy)) {
                std::string_view digits = policy;
                if (digits[0] == '+')
                    digits.remove_prefix(1);
                std::from_chars(digits.data(), digits.data() + digits.size(), code);
            }
            if (!isKnownHttpStatus(code) && !policies.count(std::string(policy)))
                error("MS1703", child(path, "retryOn"), retries->get("retryOn"),
                      goQuote(policy) + " is not a valid retryOn policy");
        }
    }
    duration(retries->get("backoff"), child(path, "backoff"));
}

void VsChecker::rewrite(const Node *rewrite, const std::string &path)
{
    if (!isSet(rewrite) || !rewrite->isMap())
        return;
    const auto uri = stringField(rewrite->get("uri"));
    const auto authority = stringField(rewrite->get("authority"));
    const Node *regexRewrite = rewrite->get("uriRegexRewrite");
    if (!uri || !authority)
        return;
    if (!uri->empty() && isSet(regexRewrite)) {
        error("MS1607", path, rewrite, "rewrite may only contain one of URI or UriRegexRewrite");
        return;
    }
    if (uri->empty() && !isSet(regexRewrite) && authority->empty()) {
        error("MS1608", path, rewrite,
              "rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one "
              "of URI or UriRegexRewrite may be specified");
        return;
    }
    if (!isSet(regexRewrite) || !regexRewrite->isMap())
        return;
    const std::string rp = child(path, "uriRegexRewrite");
    const auto match = stringField(regexRewrite->get("match"));
    const auto rw = stringField(regexRewrite->get("rewrite"));
    if (!match || !rw)
        return;
    if (match->empty() || rw->empty()) {
        error("MS1609", rp, regexRewrite,
              "UriRegexRewrite requires both Rewrite and Match fields to be specified");
        return;
    }
    regex(regexRewrite->get("match"), child(rp, "match"), "HTTPRewrite.UriRegexRewrite.Match");
}

// validateHTTPRouteDestinations / validateRouteDestinations (http adds header operations).
void VsChecker::routeDestinations(const Node *route, const std::string &path, bool http)
{
    const auto *items = seq(route);
    if (!items)
        return;
    std::int64_t total = 0;
    bool weightsReadable = true;
    for (std::size_t i = 0; i < items->size(); ++i) {
        const Node &d = (*items)[i];
        const std::string p = index(path, i);
        if (d.isPlainNull()) {
            error("MS1401", p, &d, "weight may not be nil");
            continue;
        }
        if (!d.isMap()) {
            weightsReadable = false;
            continue;
        }
        const Node *dest = d.get("destination");
        if (!isSet(dest))
            error("MS1402", p, &d, "destination is required");
        if (http)
            headerOperations(d.get("headers"), child(p, "headers"));
        if (!m_gatewaySemantics)
            destination(dest, child(p, "destination"));
        const Node *weight = d.get("weight");
        const auto w = intField(weight);
        if (!w) {
            weightsReadable = false;
            continue;
        }
        if (*w < 0)
            error("MS1403", child(p, "weight"), weight, "weight " + num(*w) + " < 0");
        total += *w;
    }
    if (weightsReadable && items->size() > 1 && total == 0)
        error("MS1404", path, route, "total destination weight = 0");
}

void VsChecker::subnet(const Node *n, const std::string &path)
{
    if (!isString(n))
        return;
    const std::string &s = n->text();
    if (std::count(s.begin(), s.end(), '/') == 1) {
        // netip.ParsePrefix: an address and a decimal prefix length within range.
        const std::size_t slash = s.find('/');
        const std::string addr = s.substr(0, slash);
        const std::string bits = s.substr(slash + 1);
        const bool v6 = addr.find(':') != std::string::npos;
        const bool bitsOk =
            !bits.empty() && bits.size() <= 3 &&
            std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
            !(bits.size() > 1 && bits[0] == '0') && std::stoi(bits) <= (v6 ? 128 : 32);
        if (!bitsOk || !isValidIpAddress(addr) || addr.find('%') != std::string::npos)
            error("MS1809", path, n, s + " is not a valid CIDR block");
        return;
    }
    if (!isValidIpAddress(s))
        error("MS1810", path, n, s + " is not a valid IP");
}

void VsChecker::tlsRoute(const Node &route, const std::string &path)
{
    const Node *match = route.get("match");
    const auto *matches = seq(match);
    if (!wrongKind(match, Node::Kind::Sequence) && seqSize(match) == 0)
        error("MS1801", path, &route, "TLS route must have at least one match condition");
    // isGateway() is true unless "mesh" is listed, even with no gateways at all.
    const bool gatewayBound =
        std::find(m_gateways.begin(), m_gateways.end(), "mesh") == m_gateways.end();
    for (std::size_t j = 0; matches && j < matches->size(); ++j) {
        const Node &m = (*matches)[j];
        const std::string mp = index(child(path, "match"), j);
        if (m.isPlainNull()) {
            error("MS1802", mp, &m, "TLS match may not be null");
            continue;
        }
        if (!m.isMap())
            continue;
        const Node *sni = m.get("sniHosts");
        if (!wrongKind(sni, Node::Kind::Sequence) && seqSize(sni) == 0)
            error("MS1803", mp, &m, "TLS match must have at least one SNI host");
        if (const auto *hosts = seq(sni)) {
            for (std::size_t k = 0; k < hosts->size(); ++k) {
                const Node &h = (*hosts)[k];
                if (!isString(&h))
                    continue;
                const std::string hp = index(child(mp, "sniHosts"), k);
                const DomainResult d =
                    gatewayBound ? gatewayBoundDomain(true, h.text()) : wildcardDomain(h.text());
                if (!d.ok()) {
                    if (isValidIpAddress(h.text()))
                        warning("MS1804", hp, &h,
                                "using an IP address (" + goQuote(h.text()) +
                                    ") goes against SNI spec and most clients do not support this");
                    else
                        domain(d, hp, &h);
                    continue;
                }
                const bool covered =
                    std::any_of(m_hosts.begin(), m_hosts.end(),
                                [&](const std::string &vh) { return hostSubsetOf(h.text(), vh); });
                if (!covered) {
                    std::string joined;
                    for (std::size_t x = 0; x < m_hosts.size(); ++x)
                        joined += (x ? ", " : "") + m_hosts[x];
                    error("MS1805", hp, &h,
                          "SNI host " + goQuote(h.text()) +
                              " is not a compatible subset of any of the virtual service hosts: [" +
                              joined + "]");
                }
            }
        }
        if (const auto *subnets = seq(m.get("destinationSubnets"))) {
            for (std::size_t k = 0; k < subnets->size(); ++k)
                subnet(&(*subnets)[k], index(child(mp, "destinationSubnets"), k));
        }
        port(m.get("port"), child(mp, "port"), "MS1811", true);
        labels(m.get("sourceLabels"), child(mp, "sourceLabels"));
        gatewayNames(m.get("gateways"), child(mp, "gateways"));
    }
    const Node *routes = route.get("route");
    if (!wrongKind(routes, Node::Kind::Sequence) && seqSize(routes) == 0)
        error("MS1806", path, &route, "TLS route is required");
    routeDestinations(routes, child(path, "route"), false);
}

void VsChecker::tcpRoute(const Node &route, const std::string &path)
{
    if (const auto *matches = seq(route.get("match"))) {
        for (std::size_t j = 0; j < matches->size(); ++j) {
            const Node &m = (*matches)[j];
            const std::string mp = index(child(path, "match"), j);
            if (m.isPlainNull()) {
                error("MS1807", mp, &m, "tcp match may not be nil");
                continue;
            }
            if (!m.isMap())
                continue;
            if (const auto *subnets = seq(m.get("destinationSubnets"))) {
                for (std::size_t k = 0; k < subnets->size(); ++k)
                    subnet(&(*subnets)[k], index(child(mp, "destinationSubnets"), k));
            }
            port(m.get("port"), child(mp, "port"), "MS1811", true);
            labels(m.get("sourceLabels"), child(mp, "sourceLabels"));
            gatewayNames(m.get("gateways"), child(mp, "gateways"));
        }
    }
    const Node *routes = route.get("route");
    if (!wrongKind(routes, Node::Kind::Sequence) && seqSize(routes) == 0)
        error("MS1808", path, &route, "TCP route is required");
    routeDestinations(routes, child(path, "route"), false);
}

// ---- unreachable rules / shadowed matches (analyzeUnreachable*Rules) ----

bool isProtoMapField(const std::string &key)
{
    return key == "headers" || key == "queryParams" || key == "withoutHeaders" ||
           key == "sourceLabels";
}

bool isZeroScalar(const Node &n)
{
    if (n.isPlainNull())
        return true;
    if (!n.isScalar())
        return false;
    if (auto b = n.toBool())
        return !*b;
    if (auto d = n.toDouble())
        return *d == 0.0;
    return n.text().empty();
}

std::string canonicalScalar(const Node &n)
{
    if (auto b = n.toBool())
        return *b ? "true" : "false";
    if (auto d = n.toDouble())
        return goFloat(*d);
    return goQuote(n.text());
}

// Stands in for Istio's asJSON(match): Go's encoding/json drops zero-valued fields (omitempty)
// and empty maps/lists but keeps empty messages ({}); map keys are sorted. Two matches are
// duplicates when these strings are equal.
std::string canonical(const Node &n, bool protoMap, bool dropName)
{
    if (n.isSequence()) {
        std::string out = "[";
        for (const Node &item : n.items())
            out += canonical(item, false, false) + ",";
        return out + "]";
    }
    if (!n.isMap())
        return n.isPlainNull() ? "null" : canonicalScalar(n);
    std::map<std::string, std::string> fields;
    for (const auto &e : n.entries()) {
        if (dropName && e.key == "name")
            continue;
        const Node &v = e.value;
        if (!protoMap) {
            if (isZeroScalar(v))
                continue;
            if ((v.isSequence() || (v.isMap() && isProtoMapField(e.key))) && v.size() == 0)
                continue;
        }
        fields[e.key] = canonical(v, !protoMap && isProtoMapField(e.key), false);
    }
    std::string out = "{";
    for (const auto &[k, v] : fields)
        out += goQuote(k) + ":" + v + ",";
    return out + "}";
}

std::string quotedOr(const Node *named, std::size_t index)
{
    if (auto name = stringField(get(named, "name")); name && !name->empty())
        return goQuote(*name);
    return "#" + std::to_string(index);
}

struct PrefixMatch
{
    std::string routeStr;
    std::string matchStr;
    std::string prefix;
    std::int64_t port = 0;
    std::string method;
    std::string authority;
    std::map<std::string, std::string> headers;
    std::map<std::string, std::string> queryParams;
    std::map<std::string, std::string> withoutHeaders;
};

std::string exactOrPrefix(const Node *sm)
{
    const std::string exact = stringField(get(sm, "exact")).value_or("");
    if (!exact.empty())
        return "exact:" + exact;
    const std::string prefix = stringField(get(sm, "prefix")).value_or("");
    if (!prefix.empty())
        return "prefix:" + prefix;
    return {};
}

std::map<std::string, std::string> exactOrPrefixMap(const Node *m)
{
    std::map<std::string, std::string> out;
    if (m && m->isMap()) {
        for (const auto &e : m->entries())
            out[e.key] = exactOrPrefix(&e.value);
    }
    return out;
}

bool startsWith(const std::string &s, const std::string &prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

bool mapCovered(const std::map<std::string, std::string> &a,
                const std::map<std::string, std::string> &b)
{
    if (a.size() != b.size())
        return false;
    for (const auto &[k, v] : a) {
        auto it = b.find(k);
        if (it == b.end() || (v != it->second && !startsWith(v, it->second)))
            return false;
    }
    return true;
}

// coveredValidation: does the earlier prefix match a cover the later b?
bool covered(const PrefixMatch &a, const PrefixMatch &b)
{
    if (!startsWith(b.prefix, a.prefix) || a.port != b.port)
        return false;
    if (a.method != b.method && !startsWith(a.method, b.method))
        return false;
    if (a.authority != b.authority && !startsWith(a.authority, b.authority))
        return false;
    return mapCovered(a.headers, b.headers) && mapCovered(a.queryParams, b.queryParams) &&
           mapCovered(a.withoutHeaders, b.withoutHeaders);
}

void VsChecker::unreachableRules(const char *kind, bool http)
{
    const auto *routes = seq(m_spec->get(kind));
    if (!routes)
        return;
    const std::string base = std::string("spec.") + kind;
    auto routeName = [&](std::size_t i) {
        return http ? quotedOr(&(*routes)[i], i) : "#" + std::to_string(i);
    };
    auto unreachable = [&](std::size_t i, const std::string &reason) {
        m_r.warning("MS1901", index(base, i), &(*routes)[i],
                    q("virtualService rule " + routeName(i) + " not used (" + reason + ")"),
                    "IST0130");
    };
    auto ineffective = [&](const std::string &path, const Node *at, const std::string &rule,
                           const std::string &match, const std::string &dup) {
        m_r.info("MS1902", path, at,
                 q("virtualService rule " + rule + " match " + match +
                   " is not used (duplicate/overlapping match in rule " + dup + ")"),
                 "IST0131");
    };

    std::map<std::string, std::size_t> seen;
    long emptyMatch = -1;
    std::vector<std::pair<PrefixMatch, std::pair<std::string, const Node *>>> prefixMatches;
    for (std::size_t i = 0; i < routes->size(); ++i) {
        const Node &route = (*routes)[i];
        if (!route.isMap())
            continue;
        const Node *matchNode = route.get("match");
        if (wrongKind(matchNode, Node::Kind::Sequence))
            continue;
        const auto *matches = seq(matchNode);
        if (!matches || matches->empty()) {
            if (emptyMatch >= 0)
                unreachable(i, "only the last rule can have no matches");
            emptyMatch = long(i);
            continue;
        }
        std::size_t duplicates = 0;
        for (std::size_t j = 0; j < matches->size(); ++j) {
            const Node &m = (*matches)[j];
            if (emptyMatch >= 0) {
                unreachable(i, "route without matches defined before");
                continue;
            }
            const std::string key = canonical(m, false, http);
            const std::string mp = index(child(index(base, i), "match"), j);
            const std::string matchName = http ? quotedOr(&m, j) : "#" + std::to_string(j);
            if (auto it = seen.find(key); it != seen.end()) {
                ineffective(mp, &m, routeName(i), matchName, routeName(it->second));
                ++duplicates;
                continue;
            }
            seen[key] = i;
            if (!http || !m.isMap())
                continue;
            const std::string prefix = stringField(get(m.get("uri"), "prefix")).value_or("");
            if (prefix.empty())
                continue;
            PrefixMatch pm;
            pm.routeStr = routeName(i);
            pm.matchStr = matchName;
            pm.prefix = prefix;
            pm.port = intField(m.get("port")).value_or(0);
            pm.method = exactOrPrefix(m.get("method"));
            if (pm.method.empty())
                pm.method = "exact:GET";
            pm.authority = exactOrPrefix(m.get("authority"));
            pm.headers = exactOrPrefixMap(m.get("headers"));
            pm.queryParams = exactOrPrefixMap(m.get("queryParams"));
            pm.withoutHeaders = exactOrPrefixMap(m.get("withoutHeaders"));
            prefixMatches.push_back({pm, {mp, &m}});
        }
        if (duplicates == matches->size())
            unreachable(i, "all matches used by prior rules");
    }
    for (std::size_t a = 0; a < prefixMatches.size(); ++a) {
        for (std::size_t b = a + 1; b < prefixMatches.size(); ++b) {
            const PrefixMatch &pa = prefixMatches[a].first;
            const PrefixMatch &pb = prefixMatches[b].first;
            if (pb.prefix == pa.prefix || !covered(pa, pb))
                continue;
            ineffective(prefixMatches[b].second.first, prefixMatches[b].second.second, pb.routeStr,
                        pb.matchStr + " of prefix " + pb.prefix,
                        pa.matchStr + " of prefix " + pa.prefix + " on " + pa.routeStr);
        }
    }
}

} // namespace

void checkVirtualService(const Yaml::Document &doc, Reporter &r)
{
    try {
        VsChecker(doc, r).run();
    } catch (...) {
        // Errors are values: a bug here must not take the caller down.
    }
}

} // namespace Validate
