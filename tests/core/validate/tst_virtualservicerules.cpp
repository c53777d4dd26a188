#include "rulestestutil.h"
#include "validate/regex.h"
#include "validate/reporter.h"
#include "validate/virtualservicerules.h"
#include "yaml/document.h"

#include <QDir>
#include <QFileInfo>
#include <QtTest>

using Base::Severity;

// Each failing snippet marks the line the finding must point at with a trailing "#<" comment.
class TstVirtualServiceRules : public QObject
{
    Q_OBJECT

private slots:
    void failing_data();
    void failing();
    void passing_data();
    void passing();
    void unreachableRules();
    void overlappingMatchesFixture();
    void regexHelpers();
    void wrongTypesAreSkipped();
    void invalidDatasets();
    void validCorpusHasNoErrors();
};

namespace {

QByteArray vs(const QByteArray &spec)
{
    return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: t\n" +
           spec;
}

// The usual body: one host, one forwarding route.
const QByteArray kRoute = "  http:\n  - route:\n    - destination: {host: reviews}\n";

Base::Diagnostics check(const QByteArray &yaml)
{
    return RulesTest::checkKind(yaml, "VirtualService", Validate::checkVirtualService);
}

using RulesTest::dump;
using RulesTest::markedLine;

} // namespace

void TstVirtualServiceRules::failing_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("severity");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("path");

    const int E = int(Severity::Error);
    const int W = int(Severity::Warning);
    auto row = [](const char *name, const QByteArray &spec, const char *code, int sev,
                  const QString &msg, const char *path) {
        QTest::newRow(name) << vs(spec) << QString::fromLatin1(code) << sev << msg
                            << QString::fromLatin1(path);
    };

    // 7.1 VirtualService level
    row("delegate gateways", "spec:\n  gateways: [gw] #<\n" + kRoute, "MS1001", E,
        "delegate virtual service must have no gateways specified", "spec.gateways");
    row("delegate tls",
        "spec:\n" + kRoute +
            "  tls: [{match: [{sniHosts: [a.com]}], route: [{destination: {host: a.com}}]}] #<\n",
        "MS1002", E, "delegate virtual service must have no tls route specified", "spec.tls");
    row("delegate tcp", "spec:\n  tcp: [{route: [{destination: {host: a.com}}]}] #<\n", "MS1003", E,
        "delegate virtual service must have no tcp route specified", "spec.tcp");
    row("gateway empty ns", "spec:\n  hosts: [reviews]\n  gateways:\n  - /gw #<\n" + kRoute,
        "MS1004", E, "config namespace and gateway name cannot be empty", "spec.gateways[0]");
    row("gateway bad ns", "spec:\n  hosts: [reviews]\n  gateways:\n  - Bad_NS/gw #<\n" + kRoute,
        "MS1005", E, "invalid value for namespace: \"Bad_NS\"", "spec.gateways[0]");
    row("gateway bad name", "spec:\n  hosts: [reviews]\n  gateways:\n  - ns/gw_1 #<\n" + kRoute,
        "MS1006", E, "invalid value for gateway name: \"gw_1\"", "spec.gateways[0]");
    row("legacy gateway",
        "spec:\n  hosts: [reviews]\n  gateways:\n  - bookinfo-gateway.default #<\n" + kRoute,
        "MS1007", W,
        "using legacy gatewayName format \"bookinfo-gateway.default\"; prefer the "
        "<namespace>/<name> format: \"default/bookinfo-gateway\"",
        "spec.gateways[0]");
    row("gateway fqdn", "spec:\n  hosts: [reviews]\n  gateways:\n  - gw_1 #<\n" + kRoute, "MS1008",
        E, "domain name \"gw_1\" invalid (label \"gw_1\" invalid)", "spec.gateways[0]");
    row("host label", "spec:\n  hosts:\n  - rev_iews #<\n" + kRoute, "MS1010", E,
        "domain name \"rev_iews\" invalid (label \"rev_iews\" invalid)", "spec.hosts[0]");
    row("host inner label", "spec:\n  hosts:\n  - a.b_c.com #<\n" + kRoute, "MS1010", E,
        "domain name \"b_c.com\" invalid (label \"b_c\" invalid)", "spec.hosts[0]");
    row("host partial wildcard later", "spec:\n  hosts:\n  - a.*.com #<\n" + kRoute, "MS1010", E,
        "domain name \"*.com\" invalid (label \"*\" invalid)", "spec.hosts[0]");
    const QByteArray longHost = QByteArray("a.").repeated(127) + "ab";
    row("host too long", "spec:\n  hosts:\n  - " + longHost + " #<\n" + kRoute, "MS1011", E,
        "domain name \"" + QString::fromLatin1(longHost) + "\" too long (max 255)",
        "spec.hosts[0]");
    row("host empty", "spec:\n  hosts:\n  - \"\" #<\n" + kRoute, "MS1012", E,
        "empty domain name not allowed", "spec.hosts[0]");
    row("host numeric tld", "spec:\n  hosts:\n  - foo.123 #<\n" + kRoute, "MS1013", E,
        "domain name \"123\" invalid (top level domain \"123\" cannot be all-numeric)",
        "spec.hosts[0]");
    row("sni auto name",
        "spec:\n  hosts:\n  - outbound_.abc_._.foo #<\n  gateways: [gw]\n  tls:\n  - match: "
        "[{sniHosts: [outbound_.abc_._.foo]}]\n    route: [{destination: {host: foo}}]\n",
        "MS1014", E,
        "domain name \"outbound_.abc_._.foo\" invalid (label \"abc\" invalid). should follow "
        "outbound_.<PORT>_._.<HOSTNAME> format",
        "spec.hosts[0]");
    row("star host on mesh", "spec:\n  hosts:\n  - \"*\" #<\n" + kRoute, "MS1015", E,
        "wildcard host * is not allowed for virtual services bound to the mesh gateway",
        "spec.hosts[0]");
    row("star host with mesh listed",
        "spec:\n  hosts:\n  - \"*\" #<\n  gateways: [gw, mesh]\n" + kRoute, "MS1015", E,
        "wildcard host * is not allowed for virtual services bound to the mesh gateway",
        "spec.hosts[0]");
    row("duplicate hosts", "spec:\n  hosts:\n  - a.foo.com\n  - \"*.foo.com\" #<\n" + kRoute,
        "MS1016", E, "duplicate hosts in virtual service: a.foo.com & *.foo.com", "spec.hosts[1]");
    row("no routes", "spec:\n  hosts: [reviews] #<\n", "MS1017", E,
        "http, tcp or tls must be provided in virtual service", "spec");
    row("null http route",
        "spec:\n  hosts: [reviews]\n  http:\n  - route: [{destination: {host: "
        "reviews}}]\n  - null #<\n",
        "MS1018", E, "http route may not be null", "spec.http[1]");
    row("jwt claim on mesh",
        "spec:\n  hosts: [reviews]\n  http:\n  - match:\n    - headers:\n        "
        "\"@request.auth.claims.group\": #<\n          exact: admin\n    route: [{destination: "
        "{host: reviews}}]\n",
        "MS1019", E,
        "JWT claim based routing (key: @request.auth.claims.group) is only supported for "
        "gateway, found no gateways: []",
        "spec.http[0].match[0].headers[\"@request.auth.claims.group\"]");
    row("exportTo dot and namespace",
        "spec:\n  hosts: [reviews]\n  exportTo:\n  - default\n  - . #<\n" + kRoute, "MS1020", E,
        "duplicate entries in exportTo: . and current namespace default", "spec.exportTo[1]");
    row("exportTo duplicate",
        "spec:\n  hosts: [reviews]\n  exportTo:\n  - ns1\n  - ns1 #<\n" + kRoute, "MS1021", E,
        "duplicate entries in exportTo for entry ns1", "spec.exportTo[1]");
    row("exportTo public mixed",
        "spec:\n  hosts: [reviews]\n  exportTo:\n  - \"*\" #<\n  - ns1\n" + kRoute, "MS1022", E,
        "cannot have both public (*) and non-public exportTo values for a resource",
        "spec.exportTo");
    row("exportTo none", "spec:\n  hosts: [reviews]\n  exportTo:\n  - \"~\" #<\n" + kRoute,
        "MS1023", E, "exportTo ~ (none) is not allowed for Istio configuration objects",
        "spec.exportTo[0]");
    row("exportTo invalid", "spec:\n  hosts: [reviews]\n  exportTo:\n  - Bad_NS #<\n" + kRoute,
        "MS1024", E, "only .,*,~, or a valid DNS 1123 label is allowed as exportTo entry",
        "spec.exportTo[0]");

    // 7.2 conflicts
    const QByteArray h = "spec:\n  hosts: [reviews]\n  http:\n";
    row("root with redirect",
        h + "  - name: r\n    delegate: {name: d}\n    redirect: {uri: /x} #<\n", "MS1101", E,
        "root HTTP route r must not specify redirect", "spec.http[0].redirect");
    row("root with route",
        h + "  - delegate: {name: d}\n    route: [{destination: {host: reviews}}] #<\n", "MS1102",
        E, "root HTTP route  must not specify route", "spec.http[0].route");
    row("delegate in delegate VS",
        "spec:\n  http:\n  - delegate: {name: d} #<\n    route: [{destination: {host: a}}]\n",
        "MS1103", E, "delegate HTTP route cannot contain delegate", "spec.http[0].delegate");
    row("route and redirect",
        h + "  - redirect: {uri: /x}\n    route: [{destination: {host: reviews}}] #<\n", "MS1104",
        E, "HTTP route cannot contain both route and redirect", "spec.http[0].route");
    row("fault and redirect",
        h + "  - redirect: {uri: /x}\n    fault: {abort: {httpStatus: 500}} #<\n", "MS1105", E,
        "HTTP route cannot contain both fault and redirect", "spec.http[0].fault");
    row("rewrite and redirect", h + "  - redirect: {uri: /x}\n    rewrite: {uri: /y} #<\n",
        "MS1106", E, "HTTP route rule cannot contain both rewrite and redirect",
        "spec.http[0].rewrite");
    row("direct and redirect",
        h + "  - redirect: {uri: /x}\n    directResponse: {status: 200} #<\n", "MS1107", E,
        "HTTP route rule cannot contain both direct_response and redirect",
        "spec.http[0].directResponse");
    row("route and direct",
        h + "  - directResponse: {status: 200}\n    route: [{destination: {host: reviews}}] #<\n",
        "MS1108", E, "HTTP route cannot contain both route and direct_response",
        "spec.http[0].route");
    row("fault and direct",
        h + "  - directResponse: {status: 200}\n    fault: {abort: {httpStatus: 500}} #<\n",
        "MS1109", E, "HTTP route cannot contain both fault and direct_response",
        "spec.http[0].fault");
    row("rewrite and direct", h + "  - directResponse: {status: 200}\n    rewrite: {uri: /y} #<\n",
        "MS1110", E, "HTTP route rule cannot contain both rewrite and direct_response",
        "spec.http[0].rewrite");
    row("nothing to do", h + "  - timeout: 5s #<\n", "MS1111", E,
        "HTTP route, redirect or direct_response is required", "spec.http[0]");
    row("mirror and mirrors",
        h + "  - route: [{destination: {host: reviews}}]\n    mirror: {host: a}\n    mirrors: "
            "[{destination: {host: b}}] #<\n",
        "MS1112", E, "HTTP route cannot contain both mirror and mirrors", "spec.http[0].mirrors");

    // 7.3 mirror
    const QByteArray r = h + "  - route: [{destination: {host: reviews}}]\n";
    row("mirror_percent max", r + "    mirror: {host: a}\n    mirror_percent: 150 #<\n", "MS1201",
        E, "mirror_percent must have a max value of 100 (it has 150)",
        "spec.http[0].mirror_percent");
    row("mirrorPercent deprecated", r + "    mirror: {host: a}\n    mirrorPercent: 50 #<\n",
        "MS1202", W, "using deprecated setting \"mirrorPercent\", use \"mirrorPercentage\" instead",
        "spec.http[0].mirrorPercent");
    row("mirror_percent deprecated", r + "    mirror: {host: a}\n    mirror_percent: 50 #<\n",
        "MS1202", W,
        "using deprecated setting \"mirror_percent\", use \"mirrorPercentage\" instead",
        "spec.http[0].mirror_percent");
    row("mirrorPercentage max",
        r + "    mirror: {host: a}\n    mirrorPercentage: {value: 150} #<\n", "MS1203", E,
        "mirror_percentage must have a max value of 100 (it has 150.000000)",
        "spec.http[0].mirrorPercentage.value");
    row("mirrorPercentage min", r + "    mirror: {host: a}\n    mirrorPercentage: {value: -5} #<\n",
        "MS1204", E, "mirror_percentage must have a min value of 0 (it has -5.000000)",
        "spec.http[0].mirrorPercentage.value");
    row("mirrors null", r + "    mirrors:\n    - null #<\n", "MS1205", E, "mirror cannot be null",
        "spec.http[0].mirrors[0]");
    row("mirrors no destination", r + "    mirrors:\n    - percentage: {value: 5} #<\n", "MS1206",
        E, "destination is required for mirrors", "spec.http[0].mirrors[0]");
    row("mirrors percentage max",
        r + "    mirrors:\n    - destination: {host: a}\n      percentage: {value: 101} #<\n",
        "MS1207", E, "mirror percentage must have a max value of 100 (it has 101.000000)",
        "spec.http[0].mirrors[0].percentage.value");
    row("mirrors percentage min",
        r + "    mirrors:\n    - destination: {host: a}\n      percentage: {value: -1} #<\n",
        "MS1208", E, "mirror percentage must have a min value of 0 (it has -1.000000)",
        "spec.http[0].mirrors[0].percentage.value");
    row("mirror host star", r + "    mirror: {host: \"*\"} #<\n", "MS1405", E,
        "invalid destination host *", "spec.http[0].mirror.host");

    // 7.4 matches
    auto m = [&](const QByteArray &match) {
        return h + "  - match:\n    - " + match + "\n    route: [{destination: {host: reviews}}]\n";
    };
    row("header null",
        h + "  - match:\n    - headers:\n        x-a: #<\n    route: "
            "[{destination: {host: reviews}}]\n",
        "MS1301", E, "header match x-a cannot be null", "spec.http[0].match[0].headers[\"x-a\"]");
    row("header empty name", m("headers: {\"\": {exact: a}} #<"), "MS1302", E,
        "header name cannot be empty", "spec.http[0].match[0].headers[\"\"]");
    row("header bad name", m("headers: {\"x a\": {exact: a}} #<"), "MS1303", E,
        "header name x a is not a valid header name", "spec.http[0].match[0].headers[\"x a\"]");
    row("withoutHeaders bad name", m("withoutHeaders: {\"x(a)\": {exact: a}} #<"), "MS1303", E,
        "header name x(a) is not a valid header name",
        "spec.http[0].match[0].withoutHeaders[\"x(a)\"]");
    row("empty prefix method", m("method: {prefix: \"\"} #<"), "MS1304", E,
        "\"method\": prefix string match should not be empty",
        "spec.http[0].match[0].method.prefix");
    row("empty prefix header", m("headers: {x-a: {prefix: \"\"}} #<"), "MS1304", E,
        "\"headers\": prefix string match should not be empty",
        "spec.http[0].match[0].headers[\"x-a\"].prefix");
    row("empty regex", m("uri: {regex: \"\"} #<"), "MS1305", E,
        "\"uri\": regex string match should not be empty", "spec.http[0].match[0].uri.regex");
    const QByteArray longRe = QByteArray("a").repeated(1025);
    row("regex too large", m("uri: {regex: \"" + longRe + "\"} #<"), "MS1306", E,
        "\"uri\": regex is too large, max length allowed is 1024",
        "spec.http[0].match[0].uri.regex");
    row("regex lookahead", m("uri: {regex: \"^(?!/admin).*\"} #<"), "MS1307", E,
        "\"uri\": error parsing regexp: invalid or unsupported Perl syntax: `(?!`; Istio uses RE2 "
        "style regex-based match (https://github.com/google/re2/wiki/Syntax)",
        "spec.http[0].match[0].uri.regex");
    row("regex backreference", m("headers: {x-a: {regex: \"(a)\\\\1\"}} #<"), "MS1307", E,
        "\"headers\": error parsing regexp: invalid escape sequence: `\\1`; Istio uses RE2 style "
        "regex-based match (https://github.com/google/re2/wiki/Syntax)",
        "spec.http[0].match[0].headers[\"x-a\"].regex");
    row("regex missing repeat arg", m("queryParams: {q: {regex: \"*a\"}} #<"), "MS1307", E,
        "\"queryParams\": error parsing regexp: missing argument to repetition operator: `*`; "
        "Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)",
        "spec.http[0].match[0].queryParams.q.regex");
    row("match port", m("port: 70000 #<"), "MS1308", E,
        "port number 70000 must be in the range 1..65535", "spec.http[0].match[0].port");
    row("sourceLabels key",
        h + "  - match:\n    - sourceLabels:\n        bad key!: v #<\n    "
            "route: [{destination: {host: reviews}}]\n",
        "MS1309", E, "invalid tag key: \"bad key!\"",
        "spec.http[0].match[0].sourceLabels[\"bad key!\"]");
    row("sourceLabels value", m("sourceLabels: {app: \"-bad\"} #<"), "MS1310", E,
        "invalid tag value: \"-bad\"", "spec.http[0].match[0].sourceLabels.app");
    row("sourceNamespace", m("sourceNamespace: Bad_NS #<"), "MS1311", E,
        "sourceNamespace match Bad_NS is invalid", "spec.http[0].match[0].sourceNamespace");
    row("uppercase header", m("headers: {X-User: {exact: a}} #<"), "MS1312", W,
        "header name X-User is not lowercase; header match keys should be lowercase",
        "spec.http[0].match[0].headers[\"X-User\"]");
    row("match gateway", m("gateways: [Bad_NS/gw] #<"), "MS1005", E,
        "invalid value for namespace: \"Bad_NS\"", "spec.http[0].match[0].gateways[0]");

    // 7.5 destinations
    row("null destination entry", h + "  - route:\n    - null #<\n", "MS1401", E,
        "weight may not be nil", "spec.http[0].route[0]");
    row("destination missing", h + "  - route:\n    - weight: 100 #<\n", "MS1402", E,
        "destination is required", "spec.http[0].route[0]");
    row("negative weight",
        h + "  - route:\n    - destination: {host: a}\n      weight: 115\n    - destination: "
            "{host: b}\n      weight: -15 #<\n",
        "MS1403", E, "weight -15 < 0", "spec.http[0].route[1].weight");
    row("total weight zero",
        h + "  - route:\n    - {destination: {host: a}, weight: 0} #<\n    - {destination: "
            "{host: b}}\n",
        "MS1404", E, "total destination weight = 0", "spec.http[0].route");
    row("destination star", h + "  - route:\n    - destination: {host: \"*\"} #<\n", "MS1405", E,
        "invalid destination host *", "spec.http[0].route[0].destination.host");
    row("destination bad host", h + "  - route:\n    - destination: {host: a_b} #<\n", "MS1010", E,
        "domain name \"a_b\" invalid (label \"a_b\" invalid)",
        "spec.http[0].route[0].destination.host");
    row("destination IP host", h + "  - route:\n    - destination: {host: 10.0.0.1} #<\n", "MS1013",
        E, "domain name \"0.0.1\" invalid (top level domain \"1\" cannot be all-numeric)",
        "spec.http[0].route[0].destination.host");
    row("destination subset", h + "  - route:\n    - destination: {host: a, subset: V_1} #<\n",
        "MS1406", E, "subset name is invalid: V_1", "spec.http[0].route[0].destination.subset");
    row("destination port", h + "  - route:\n    - destination: {host: a, port: {number: 0}} #<\n",
        "MS1407", E, "port number 0 must be in the range 1..65535",
        "spec.http[0].route[0].destination.port.number");

    // 7.6 header operations
    row("header op empty name",
        r + "    headers:\n      request:\n        set:\n          \"\": v #<\n", "MS1501", E,
        "header name cannot be empty", "spec.http[0].headers.request.set[\"\"]");
    row("header op pseudo",
        r + "    headers:\n      request:\n        add:\n          \":path\": v #<\n", "MS1502", E,
        "invalid header \":path\": header cannot have \":\" prefix",
        "spec.http[0].headers.request.add[\":path\"]");
    row("header op remove host",
        r + "    headers:\n      request:\n        remove:\n        - Host #<\n", "MS1503", E,
        "invalid header \"Host\": cannot set Host header",
        "spec.http[0].headers.request.remove[0]");
    row("header op response host",
        r + "    headers:\n      response:\n        set:\n          host: v #<\n", "MS1503", E,
        "invalid header \"host\": cannot set Host header",
        "spec.http[0].headers.response.set.host");
    row("header value control char",
        r + "    headers:\n      response:\n        set:\n          x-a: \"a\\x01b\" #<\n",
        "MS1504", E, QStringLiteral("header value configuration a\x01") + "b is invalid",
        "spec.http[0].headers.response.set[\"x-a\"]");
    row("header value formatter",
        h + "  - route:\n    - destination: {host: a}\n      headers: {request: {add: {x-a: "
            "\"abc%123\"}}} #<\n",
        "MS1505", E,
        "header value configuration: invalid header configuration. Un-terminated variable "
        "expression 'abc%123'",
        "spec.http[0].route[0].headers.request.add[\"x-a\"]");
    row("authority twice",
        r + "    rewrite: {authority: a.com}\n    headers:\n      request:\n        set:\n       "
            "   host: b.com #<\n",
        "MS1506", E,
        "authority header cannot be set multiple times: have \"a.com\", attempting to set "
        "\"b.com\"",
        "spec.http[0].headers.request.set.host");

    // 7.7 redirect, rewrite, direct response
    row("redirect empty", h + "  - redirect: {redirectCode: 301} #<\n", "MS1601", E,
        "redirect must specify URI, authority, scheme, or port", "spec.http[0].redirect");
    row("redirect code", h + "  - redirect: {uri: /x, redirectCode: 200} #<\n", "MS1602", E,
        "200 is not a valid redirect code, must be 3xx", "spec.http[0].redirect.redirectCode");
    row("redirect scheme", h + "  - redirect: {uri: /x, scheme: ftp} #<\n", "MS1603", E,
        "invalid redirect scheme, must be \"http\" or \"https\"", "spec.http[0].redirect.scheme");
    row("redirect port", h + "  - redirect: {port: 70000} #<\n", "MS1604", E,
        "port number 70000 must be in the range 1..65535", "spec.http[0].redirect.port");
    row("redirect uri and prefixRewrite", h + "  - redirect: {uri: /x, prefixRewrite: /y} #<\n",
        "MS1605", E, "redirect may only specify one of uri or prefix_rewrite",
        "spec.http[0].redirect.prefixRewrite");
    row("redirect prefixRewrite exact match",
        h + "  - match: [{uri: {exact: /a}}]\n    redirect: {prefixRewrite: /y} #<\n", "MS1606", E,
        "redirect prefix_rewrite requires all URI matches to use prefix match type",
        "spec.http[0].redirect.prefixRewrite");
    row("rewrite uri and regex",
        r + "    rewrite: {uri: /a, uriRegexRewrite: {match: a, rewrite: b}} #<\n", "MS1607", E,
        "rewrite may only contain one of URI or UriRegexRewrite", "spec.http[0].rewrite");
    row("rewrite empty", r + "    rewrite: {} #<\n", "MS1608", E,
        "rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI "
        "or UriRegexRewrite may be specified",
        "spec.http[0].rewrite");
    row("regex rewrite incomplete", r + "    rewrite: {uriRegexRewrite: {match: a}} #<\n", "MS1609",
        E, "UriRegexRewrite requires both Rewrite and Match fields to be specified",
        "spec.http[0].rewrite.uriRegexRewrite");
    row("regex rewrite bad regex",
        r + "    rewrite: {uriRegexRewrite: {match: \"(a\", rewrite: b}} #<\n", "MS1307", E,
        "\"HTTPRewrite.UriRegexRewrite.Match\": error parsing regexp: missing closing ): `(a`; "
        "Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)",
        "spec.http[0].rewrite.uriRegexRewrite.match");
    row("direct status", h + "  - directResponse: {status: 700} #<\n", "MS1610", E,
        "HTTP status 700 is not in range 200-599", "spec.http[0].directResponse.status");
    const QByteArray big = QByteArray("x").repeated(1024 * 1024 + 1);
    row("direct body too large",
        h + "  - directResponse:\n      status: 200\n      body: {string: " + big + "} #<\n",
        "MS1611", E,
        "large direct_responses may impact control plane performance, must be less than 1MB",
        "spec.http[0].directResponse.body");
    const QByteArray large = QByteArray("x").repeated(100 * 1024 + 1);
    row("direct body large",
        h + "  - directResponse:\n      status: 200\n      body: {string: " + large + "} #<\n",
        "MS1612", W, "large direct_responses may impact control plane performance",
        "spec.http[0].directResponse.body");

    // 7.8 retries, timeout, fault, CORS
    row("attempts negative", r + "    retries: {attempts: -1} #<\n", "MS1701", E,
        "attempts cannot be negative", "spec.http[0].retries.attempts");
    row("retry policy when disabled", r + "    retries: {attempts: 0, perTryTimeout: 2s} #<\n",
        "MS1702", E, "http retry policy configured when attempts are set to 0 (disabled)",
        "spec.http[0].retries");
    row("retryOn bad", r + "    retries: {attempts: 2, retryOn: \"5xx,bogus\"} #<\n", "MS1703", E,
        "\"bogus\" is not a valid retryOn policy", "spec.http[0].retries.retryOn");
    row("timeout below 1ms", r + "    timeout: 500us #<\n", "MS1704", E,
        "duration must be greater than 1ms", "spec.http[0].timeout");
    row("perTryTimeout precision", r + "    retries: {attempts: 1, perTryTimeout: 1500us} #<\n",
        "MS1705", E, "only durations to ms precision are supported",
        "spec.http[0].retries.perTryTimeout");
    row("maxAge seconds", r + "    corsPolicy: {maxAge: 1500ms} #<\n", "MS1706", E,
        "max_age duration is accurate only to seconds precision", "spec.http[0].corsPolicy.maxAge");
    row("fault empty", r + "    fault: {} #<\n", "MS1707", E,
        "HTTP fault injection must have an abort and/or a delay", "spec.http[0].fault");
    row("fault percentage",
        r + "    fault: {abort: {httpStatus: 500, percentage: {value: 0.00001}}} #<\n", "MS1708", E,
        "percentage 1e-05 is neither 0.0, nor in range [0.0001, 100.0]",
        "spec.http[0].fault.abort.percentage.value");
    row("fault percentage over",
        r + "    fault: {delay: {fixedDelay: 1s, percentage: {value: 150}}} #<\n", "MS1708", E,
        "percentage 150 is neither 0.0, nor in range [0.0001, 100.0]",
        "spec.http[0].fault.delay.percentage.value");
    row("fault delay percent", r + "    fault: {delay: {fixedDelay: 1s, percent: 101}} #<\n",
        "MS1709", E, "percentage 101 is not in range 0..100", "spec.http[0].fault.delay.percent");
    row("abort status", r + "    fault: {abort: {httpStatus: 100}} #<\n", "MS1710", E,
        "HTTP status 100 is not in range 200-599", "spec.http[0].fault.abort.httpStatus");
    row("abort grpc", r + "    fault: {abort: {grpcStatus: NOPE}} #<\n", "MS1711", E,
        "gRPC status \"NOPE\" is not supported. See "
        "https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported "
        "codes, for example 'NOT_FOUND'",
        "spec.http[0].fault.abort.grpcStatus");
    row("abort http2", r + "    fault: {abort: {http2Error: x}} #<\n", "MS1712", E,
        "HTTP/2 abort fault injection not supported yet", "spec.http[0].fault.abort.http2Error");
    row("abort no type", r + "    fault: {abort: {percentage: {value: 5}}} #<\n", "MS1713", W,
        "abort configured, but error type not set", "spec.http[0].fault.abort");
    row("exponential delay", r + "    fault: {delay: {exponentialDelay: 1s}} #<\n", "MS1714", E,
        "exponentialDelay not supported yet", "spec.http[0].fault.delay.exponentialDelay");
    row("fixed delay below 1ms", r + "    fault: {delay: {fixedDelay: 0s}} #<\n", "MS1704", E,
        "duration must be greater than 1ms", "spec.http[0].fault.delay.fixedDelay");
    row("cors origin empty", r + "    corsPolicy: {allowOrigins: [{exact: \"\"}]} #<\n", "MS1715",
        E, "'' is not a valid match type for CORS allow origins",
        "spec.http[0].corsPolicy.allowOrigins[0]");
    row("cors origin regex", r + "    corsPolicy: {allowOrigins: [{regex: \"(?=a)\"}]} #<\n",
        "MS1307", E,
        "\"corsPolicy.allowOrigins\": error parsing regexp: invalid or unsupported Perl syntax: "
        "`(?=`; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)",
        "spec.http[0].corsPolicy.allowOrigins[0].regex");
    row("cors method", r + "    corsPolicy: {allowMethods: [GET, get]} #<\n", "MS1716", E,
        "\"get\" is not a supported HTTP method", "spec.http[0].corsPolicy.allowMethods[1]");
    row("cors header empty", r + "    corsPolicy: {allowHeaders: [\"\"]} #<\n", "MS1717", E,
        "header name cannot be empty", "spec.http[0].corsPolicy.allowHeaders[0]");
    row("cors header invalid", r + "    corsPolicy: {exposeHeaders: [\"x y\"]} #<\n", "MS1718", E,
        "header name x y is not a valid header name", "spec.http[0].corsPolicy.exposeHeaders[0]");

    // 7.9 tls and tcp
    const QByteArray t = "spec:\n  hosts: [a.com]\n";
    row("tls no match", t + "  tls:\n  - route: [{destination: {host: a.com}}] #<\n", "MS1801", E,
        "TLS route must have at least one match condition", "spec.tls[0]");
    row("tls null match",
        t + "  tls:\n  - match:\n    - null #<\n    route: [{destination: {host: a.com}}]\n",
        "MS1802", E, "TLS match may not be null", "spec.tls[0].match[0]");
    row("tls no sni",
        t + "  tls:\n  - match:\n    - port: 443 #<\n    route: [{destination: {host: a.com}}]\n",
        "MS1803", E, "TLS match must have at least one SNI host", "spec.tls[0].match[0]");
    row("tls sni ip",
        t + "  tls:\n  - match:\n    - sniHosts:\n      - 10.1.1.1 #<\n    route: "
            "[{destination: {host: a.com}}]\n",
        "MS1804", W,
        "using an IP address (\"10.1.1.1\") goes against SNI spec and most clients do not "
        "support this",
        "spec.tls[0].match[0].sniHosts[0]");
    row("tls sni not covered",
        "spec:\n  hosts: [a.com, b.com]\n  tls:\n  - match:\n    - sniHosts:\n      - c.com "
        "#<\n    route: [{destination: {host: a.com}}]\n",
        "MS1805", E,
        "SNI host \"c.com\" is not a compatible subset of any of the virtual service hosts: "
        "[a.com, b.com]",
        "spec.tls[0].match[0].sniHosts[0]");
    row("tls no route", t + "  tls:\n  - match: [{sniHosts: [a.com]}] #<\n", "MS1806", E,
        "TLS route is required", "spec.tls[0]");
    row("tcp null match",
        t + "  tcp:\n  - match:\n    - null #<\n    route: [{destination: {host: a.com}}]\n",
        "MS1807", E, "tcp match may not be nil", "spec.tcp[0].match[0]");
    row("tcp no route", t + "  tcp:\n  - match: [{port: 80}] #<\n", "MS1808", E,
        "TCP route is required", "spec.tcp[0]");
    row("tcp subnet cidr",
        t + "  tcp:\n  - match: [{destinationSubnets: [10.0.0.0/33]}] #<\n    route: "
            "[{destination: {host: a.com}}]\n",
        "MS1809", E, "10.0.0.0/33 is not a valid CIDR block",
        "spec.tcp[0].match[0].destinationSubnets[0]");
    row("tcp subnet ip",
        t + "  tcp:\n  - match: [{destinationSubnets: [10.0.0.256]}] #<\n    route: "
            "[{destination: {host: a.com}}]\n",
        "MS1810", E, "10.0.0.256 is not a valid IP", "spec.tcp[0].match[0].destinationSubnets[0]");
    row("tcp port",
        t + "  tcp:\n  - match: [{port: 65536}] #<\n    route: [{destination: {host: a.com}}]\n",
        "MS1811", E, "port number 65536 must be in the range 1..65535",
        "spec.tcp[0].match[0].port");
    row("tcp total weight",
        t + "  tcp:\n  - route:\n    - {destination: {host: a.com}, weight: 0} #<\n    - "
            "{destination: {host: b.com}, weight: 0}\n",
        "MS1404", E, "total destination weight = 0", "spec.tcp[0].route");

    // metadata
    QTest::newRow("always reject")
        << QByteArray("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  "
                      "name: t\n  annotations:\n    internal.istio.io/webhook-always-reject: "
                      "\"true\" #<\nspec: {}\n")
        << "MS1025" << E
        << "\"internal.istio.io/webhook-always-reject\" annotation found, rejecting"
        << "metadata.annotations[\"internal.istio.io/webhook-always-reject\"]";
    QTest::newRow("internal parents")
        << QByteArray("apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  "
                      "name: t\n  annotations:\n    internal.istio.io/parents: x #<\n"
                      "spec: {hosts: [a], http: [{route: [{destination: {host: a}}]}]}\n")
        << "MS1026" << E
        << "\"internal.istio.io/parents\" annotation found, this may not be set by users"
        << "metadata.annotations[\"internal.istio.io/parents\"]";
    QTest::newRow("dry-run annotation")
        << QByteArray(
               "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  "
               "name: t\n  namespace: ns\n  annotations:\n    istio.io/dry-run: \"true\" #<\n"
               "spec: {hosts: [a], http: [{route: [{destination: {host: a}}]}]}\n")
        << "MS1027" << E
        << "ns/t has unsupported annotation istio.io/dry-run, please remove the annotation"
        << "metadata.annotations[\"istio.io/dry-run\"]";
}

void TstVirtualServiceRules::failing()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, code);
    QFETCH(int, severity);
    QFETCH(QString, message);
    QFETCH(QString, path);

    const Base::Diagnostics ds = check(yaml);
    const auto it = std::find_if(ds.begin(), ds.end(), [&](const Base::Diagnostic &d) {
        return d.code == code && d.path == path;
    });
    QVERIFY2(it != ds.end(), qPrintable("missing " + code + " at " + path + "; got:\n" + dump(ds)));
    QCOMPARE(it->message, message);
    QCOMPARE(int(it->severity), severity);
    QCOMPARE(it->line, markedLine(yaml));
    QCOMPARE(it->file, QStringLiteral("t.yaml"));
    if (it->severity == Severity::Error)
        QCOMPARE(it->istioCode, QStringLiteral("IST0106"));
}

void TstVirtualServiceRules::passing_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("code");
    auto row = [](const char *name, const QByteArray &spec, const char *code) {
        QTest::newRow(name) << vs(spec) << QString::fromLatin1(code);
    };
    const QByteArray h = "spec:\n  hosts: [reviews]\n  http:\n";
    const QByteArray r = h + "  - route: [{destination: {host: reviews}}]\n";
    auto m = [&](const QByteArray &match) {
        return h + "  - match:\n    - " + match + "\n    route: [{destination: {host: reviews}}]\n";
    };
    row("delegate without gateways", "spec:\n" + kRoute, "MS1001");
    row("gateway ns/name", "spec:\n  hosts: [reviews]\n  gateways: [istio-system/gw]\n" + kRoute,
        "MS1005");
    row("gateway plain name", "spec:\n  hosts: [reviews]\n  gateways: [gw]\n" + kRoute, "MS1007");
    row("later gateways unchecked after a plain name",
        "spec:\n  hosts: [reviews]\n  gateways: [mesh, Bad_NS/gw]\n" + kRoute, "MS1005");
    row("wildcard host", "spec:\n  hosts: [\"*.foo.com\", bar.com]\n" + kRoute, "MS1010");
    row("ip host", "spec:\n  hosts: [10.0.0.1, \"::1\"]\n" + kRoute, "MS1013");
    row("star on gateway", "spec:\n  hosts: [\"*\"]\n  gateways: [gw]\n" + kRoute, "MS1015");
    row("distinct hosts", "spec:\n  hosts: [a.foo.com, b.foo.com, \"*.bar.com\"]\n" + kRoute,
        "MS1016");
    row("tcp only", "spec:\n  hosts: [a.com]\n  tcp: [{route: [{destination: {host: a.com}}]}]\n",
        "MS1017");
    row("jwt claim on gateway",
        "spec:\n  hosts: [reviews]\n  gateways: [gw]\n  http:\n  - match: [{headers: "
        "{\"@request.auth.claims.group\": {exact: a}}}]\n    route: [{destination: {host: "
        "reviews}}]\n",
        "MS1019");
    row("exportTo dot", "spec:\n  hosts: [reviews]\n  exportTo: [\".\", other]\n" + kRoute,
        "MS1020");
    row("exportTo star alone", "spec:\n  hosts: [reviews]\n  exportTo: [\"*\"]\n" + kRoute,
        "MS1022");
    row("root route delegate only", h + "  - delegate: {name: d, namespace: ns}\n", "MS1102");
    row("redirect alone", h + "  - redirect: {uri: /x, redirectCode: 302}\n", "MS1104");
    row("direct response alone", h + "  - directResponse: {status: 503, body: {string: down}}\n",
        "MS1108");
    row("mirrors alone", r + "    mirrors: [{destination: {host: a}, percentage: {value: 100}}]\n",
        "MS1112");
    row("mirrorPercentage bounds",
        r + "    mirror: {host: a}\n    mirrorPercentage: {value: 100}\n", "MS1203");
    row("mirrorPercentage zero", r + "    mirror: {host: a}\n    mirrorPercentage: {value: 0}\n",
        "MS1204");
    row("empty uri prefix allowed", m("uri: {prefix: \"\"}"), "MS1304");
    row("pseudo header match", m("headers: {\":authority\": {exact: a}}"), "MS1303");
    row("presence regex star", m("withoutHeaders: {x-a: {regex: \"*\"}}"), "MS1307");
    row("valid regex", m("uri: {regex: \"^/api/v[0-9]+/.*\"}"), "MS1307");
    row("case insensitive regex", m("headers: {x-a: {regex: \"(?i)foo\"}}"), "MS1307");
    row("match port ok", m("port: 8080"), "MS1308");
    row("labels ok", m("sourceLabels: {app.kubernetes.io/name: web, version: v1}"), "MS1309");
    row("sourceNamespace ok", m("sourceNamespace: team-a"), "MS1311");
    row("lowercase header", m("headers: {x-user: {exact: a}}"), "MS1312");
    row("weights without sum 100",
        h + "  - route:\n    - {destination: {host: a}, weight: 30}\n    - {destination: {host: "
            "b}, weight: 30}\n",
        "MS1404");
    row("single zero weight", h + "  - route:\n    - {destination: {host: a}, weight: 0}\n",
        "MS1404");
    row("subset ok", h + "  - route: [{destination: {host: a, subset: v1, port: {number: 80}}}]\n",
        "MS1406");
    row("header ops ok",
        r + "    headers: {request: {set: {x-a: \"%HOSTNAME%\", host: b.com}, remove: [x-b]}, "
            "response: {add: {x-c: \"100%%\"}}}\n",
        "MS1505");
    row("authority once", r + "    rewrite: {authority: a.com}\n", "MS1506");
    row("redirect prefixRewrite with prefix match",
        h + "  - match: [{uri: {prefix: /a}}]\n    redirect: {prefixRewrite: /b}\n", "MS1606");
    row("redirect derivePort", h + "  - redirect: {derivePort: FROM_PROTOCOL_DEFAULT}\n", "MS1601");
    row("regex rewrite ok",
        r + "    rewrite: {uriRegexRewrite: {match: \"^/a(.*)\", rewrite: \"/b\\\\1\"}}\n",
        "MS1609");
    row("direct status 600", h + "  - directResponse: {status: 600}\n", "MS1610");
    row("retries ok",
        r + "    retries: {attempts: 3, perTryTimeout: 2s, retryOn: \"5xx,503,reset\"}\n",
        "MS1703");
    row("retries disabled bare", r + "    retries: {attempts: 0}\n", "MS1702");
    row("durations ok", r + "    timeout: 1.5s\n    corsPolicy: {maxAge: 24h}\n", "MS1705");
    row("timeout exactly 1ms", r + "    timeout: 1ms\n", "MS1704");
    row("fault ok",
        r + "    fault: {delay: {fixedDelay: 7s, percentage: {value: 0.1}}, abort: "
            "{grpcStatus: UNAVAILABLE, percentage: {value: 100}}}\n",
        "MS1708");
    row("cors ok",
        r + "    corsPolicy: {allowOrigins: [{prefix: https://}], allowMethods: [GET, "
            "\"*\"], allowHeaders: [\"*\", x-a]}\n",
        "MS1716");
    row("tls ok",
        "spec:\n  hosts: [\"*.a.com\"]\n  tls:\n  - match: [{sniHosts: [b.a.com], port: 443, "
        "destinationSubnets: [10.0.0.0/8, \"2001:db8::/32\"]}]\n    route: [{destination: {host: "
        "b.a.com}}]\n",
        "MS1805");
    row("tcp subnet ok",
        "spec:\n  hosts: [a.com]\n  tcp: [{match: [{destinationSubnets: [10.1.2.3]}], route: "
        "[{destination: {host: a.com}}]}]\n",
        "MS1810");
}

void TstVirtualServiceRules::passing()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, code);
    const Base::Diagnostics ds = check(yaml);
    const bool found = std::any_of(ds.begin(), ds.end(),
                                   [&](const Base::Diagnostic &d) { return d.code == code; });
    QVERIFY2(!found, qPrintable(dump(ds)));
    QVERIFY2(!hasErrors(ds), qPrintable(dump(ds)));
}

void TstVirtualServiceRules::unreachableRules()
{
    const QByteArray yaml = vs("spec:\n  hosts: [a]\n  http:\n"
                               "  - route: [{destination: {host: a}}]\n" // #0
                               "  - name: second\n"                      // #1
                               "    route: [{destination: {host: b}}]\n"
                               "  - match: [{uri: {exact: /x}}, {name: m, uri: {exact: /y}}]\n"
                               "    route: [{destination: {host: a}}]\n");
    const Base::Diagnostics ds = check(yaml);
    QStringList got;
    for (const auto &d : ds) {
        QCOMPARE(d.severity, Severity::Warning);
        QCOMPARE(d.istioCode, QStringLiteral("IST0130"));
        QCOMPARE(d.code, QStringLiteral("MS1901"));
        got << d.path + QLatin1Char(' ') + d.message;
    }
    QCOMPARE(got, QStringList({
                      "spec.http[1] virtualService rule \"second\" not used (only the last rule "
                      "can have no matches)",
                      "spec.http[2] virtualService rule #2 not used (route without matches "
                      "defined before)",
                      "spec.http[2] virtualService rule #2 not used (route without matches "
                      "defined before)",
                  }));
}

// Istio's analyzer fixtures with the VirtualServices analyzers_test.go expects a message for.
void TstVirtualServiceRules::overlappingMatchesFixture()
{
    const QString dir = QStringLiteral(MIRRORSCOPE_SHARED_DIR "/conformance/istio-corpus/valid/");
    const QString dup =
        dir + "istio__istio__pkg_config_analysis_analyzers_testdata_virtualservice_dupmatches.yaml";
    const QString over = dir + "istio__istio__pkg_config_analysis_analyzers_testdata_"
                               "virtualservice_overlappingmatches.yaml";
    if (!QFileInfo::exists(dup) || !QFileInfo::exists(over))
        QSKIP("shared conformance corpus not available");

    QMap<QString, QSet<QString>> byName; // VS name -> IST codes
    QStringList messages;
    for (const QString &file : {dup, over}) {
        const Yaml::ParseResult parsed = Yaml::parseFile(file);
        for (const Yaml::Document &doc : parsed.documents) {
            Base::Diagnostics out;
            Validate::Reporter r(doc, out);
            Validate::checkVirtualService(doc, r);
            for (const auto &d : out) {
                QVERIFY2(d.severity != Severity::Error, qPrintable(d.message));
                byName[QString::fromStdString(doc.name())].insert(d.istioCode);
                messages << QString::fromStdString(doc.name()) + ": " + d.message;
            }
        }
    }
    const QMap<QString, QSet<QString>> expected = {
        {"sample-foo-cluster01", {"IST0130"}},
        {"duplicate-match", {"IST0130", "IST0131"}},
        {"almost-duplicate-match", {"IST0131"}},
        {"duplicate-tcp-match", {"IST0130", "IST0131"}},
        {"duplicate-empty-tcp", {"IST0130"}},
        {"almost-duplicate-tcp-match", {"IST0131"}},
        {"tls-routing", {"IST0130", "IST0131"}},
        {"tls-routing-almostmatch", {"IST0131"}},
        {"non-method-get", {"IST0131"}},
        {"overlapping-in-single-match", {"IST0131"}},
        {"overlapping-in-two-matches", {"IST0131"}},
        {"overlapping-mathes-with-different-methods", {"IST0131"}},
    };
    QCOMPARE(byName, expected);
    QVERIFY2(messages.contains(
                 "duplicate-match: virtualService rule \"send /api/v1/products to sample.bar\" "
                 "match #0 is not used (duplicate/overlapping match in rule \"send "
                 "/api/v1/products to sample.foo\")"),
             qPrintable(messages.join('\n')));
    QVERIFY2(messages.contains("overlapping-in-two-matches: virtualService rule \"send products to "
                               "sample.bar\" match #0 of prefix /api/v1/products is not used "
                               "(duplicate/overlapping match in rule #0 of prefix "
                               "/api/v1/product on \"send product to sample.foo\")"),
             qPrintable(messages.join('\n')));
}

void TstVirtualServiceRules::regexHelpers()
{
    std::string err;
    QVERIFY(Validate::compileIstioRegex("^/api/(v1|v2)/.*$", &err));
    QVERIFY(!Validate::compileIstioRegex("a{2,1}", &err));
    QCOMPARE(QString::fromStdString(err),
             QStringLiteral("error parsing regexp: invalid repeat count: `{2,1}`"));
    QVERIFY(!Validate::compileIstioRegex("(?<=a)b", &err));
    QVERIFY(Validate::fullMatch("/api/v[0-9]+", "/api/v12"));
    QVERIFY(!Validate::fullMatch("/api/v[0-9]+", "/api/v12/x")); // full match, not search
    QVERIFY(Validate::fullMatch("(?i)GET", "get"));
    QVERIFY(!Validate::fullMatch("(?!x)", "y"));             // does not compile: never matches
    QVERIFY(Validate::fullMatch("/api/v[0-9]+", "/api/v3")); // cached path
}

void TstVirtualServiceRules::wrongTypesAreSkipped()
{
    // Type errors belong to the schema checker: no crash and no misleading webhook message.
    const Base::Diagnostics ds = check(vs("spec:\n  hosts: reviews\n  http:\n  - route:\n    - "
                                          "destination: {host: 12}\n      weight: \"50\"\n"
                                          "    mirrorPercentage: {value: high}\n    timeout: 5\n"));
    QVERIFY2(ds.isEmpty(), qPrintable(dump(ds)));
    QVERIFY(check(vs("spec: [1, 2]\n")).isEmpty());
}

void TstVirtualServiceRules::invalidDatasets()
{
    const QString dir = QStringLiteral(MIRRORSCOPE_SHARED_DIR "/conformance/istio-corpus/invalid/");
    if (!QDir(dir).exists())
        QSKIP("shared conformance corpus not available");
    for (const char *name :
         {"istio__istio__pkg_test_datasets_validation_dataset_networking-v1alpha3-VirtualService-"
          "invalid.yaml",
          "istio__istio__pkg_test_datasets_validation_dataset_networking-v1beta-VirtualService-"
          "invalid.yaml",
          "istio__istio__istioctl_pkg_validate_validate_test.go__invalidVirtualServiceYAML.yaml"}) {
        const Yaml::ParseResult parsed = Yaml::parseFile(dir + name);
        QCOMPARE(parsed.documents.size(), std::size_t(1));
        Base::Diagnostics ds;
        Validate::Reporter r(parsed.documents[0], ds);
        Validate::checkVirtualService(parsed.documents[0], r);
        QCOMPARE(ds.size(), 1);
        QCOMPARE(ds[0].message, QStringLiteral("weight -15 < 0"));
        QCOMPARE(ds[0].path, QStringLiteral("spec.http[0].route[1].weight"));
        QCOMPARE(ds[0].line, 15);
    }
    {
        const Yaml::ParseResult parsed = Yaml::parseFile(
            dir + "istio__istio__pkg_test_datasets_validation_dataset_networking-v1alpha3-"
                  "VirtualService-regexp-invalid.yaml");
        QCOMPARE(parsed.documents.size(), std::size_t(1));
        Base::Diagnostics ds;
        Validate::Reporter r(parsed.documents[0], ds);
        Validate::checkVirtualService(parsed.documents[0], r);
        QCOMPARE(ds.size(), 1);
        QCOMPARE(ds[0].code, QStringLiteral("MS1307"));
        QCOMPARE(ds[0].message,
                 QStringLiteral("\"uri\": error parsing regexp: invalid or unsupported Perl "
                                "syntax: `(?!`; Istio uses RE2 style regex-based match "
                                "(https://github.com/google/re2/wiki/Syntax)"));
        QCOMPARE(ds[0].line, 13);
    }
    {
        const Yaml::ParseResult parsed =
            Yaml::parseFile(dir + "istio__istio__istioctl_pkg_validate_validate_test.go__"
                                  "invalidVirtualServiceV1Beta1.yaml");
        QCOMPARE(parsed.documents.size(), std::size_t(1));
        Base::Diagnostics ds;
        Validate::Reporter r(parsed.documents[0], ds);
        Validate::checkVirtualService(parsed.documents[0], r);
        QCOMPARE(ds.size(), 1);
        QCOMPARE(ds[0].message,
                 QStringLiteral("http, tcp or tls must be provided in virtual service"));
    }
}

void TstVirtualServiceRules::validCorpusHasNoErrors()
{
    const QDir dir(QStringLiteral(MIRRORSCOPE_SHARED_DIR "/conformance/istio-corpus/valid"));
    if (!dir.exists())
        QSKIP("shared conformance corpus not available");
    int checked = 0;
    for (const QFileInfo &fi : dir.entryInfoList({"*.yaml"}, QDir::Files)) {
        const Yaml::ParseResult parsed = Yaml::parseFile(fi.filePath());
        for (const Yaml::Document &doc : parsed.documents) {
            if (doc.kind() != "VirtualService")
                continue;
            Base::Diagnostics ds;
            Validate::Reporter r(doc, ds);
            Validate::checkVirtualService(doc, r);
            ++checked;
            for (const auto &d : ds) {
                // Analyzer fixtures may show unreachable rules; legacy names and
                // mirrorPercent are warnings.
                QVERIFY2(d.severity != Severity::Error,
                         qPrintable(fi.fileName() + ": " + d.path + ": " + d.message));
            }
        }
    }
    QVERIFY(checked >= 80);
}

QTEST_APPLESS_MAIN(TstVirtualServiceRules)
#include "tst_virtualservicerules.moc"
