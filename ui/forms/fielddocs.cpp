#include "fielddocs.h"

#include <QCoreApplication>
#include <QHash>

namespace Forms {

namespace {

struct Doc
{
    const char *key;
    const char *text;
};

// Condensed from Istio's networking/v1alpha3 virtual_service.proto and destination_rule.proto
// field comments.
const Doc kDocs[] = {
    {"Resource.name", "metadata.name: the resource's name, unique per kind in its namespace."},
    {"Resource.namespace",
     "metadata.namespace: short host names are resolved in this namespace (empty: default)."},
    {"VirtualService.hosts",
     "The destination hosts to which traffic is being sent: a DNS name (wildcard only as the "
     "first label), an IP, or a short name resolved in the VirtualService's namespace."},
    {"VirtualService.gateways",
     "The gateways and sidecars that should apply these routes (<namespace>/<name>); the "
     "reserved word mesh means all sidecars. Empty means mesh only."},
    {"VirtualService.exportTo",
     "Namespaces to which this VirtualService is exported: \".\" its own namespace, \"*\" all "
     "namespaces. Empty means all namespaces."},
    {"VirtualService.http",
     "An ordered list of route rules for HTTP traffic; the first rule matching a request is "
     "used."},
    {"HTTPRoute.name", "The name assigned to the route for debugging purposes (access logs)."},
    {"HTTPRoute.match",
     "Match conditions to be satisfied for the rule to be activated. Conditions inside one "
     "match are ANDed; the matches of a rule are ORed. No match: the rule matches everything."},
    {"HTTPRoute.route",
     "A HTTP rule can either return a direct_response, redirect or forward (default) traffic. "
     "Weights are relative: each destination gets weight / sum of weights."},
    {"HTTPRoute.redirect", "A HTTP rule can either return a direct_response, redirect or "
                           "forward (default) traffic. Redirect answers with a 3xx."},
    {"HTTPRoute.directResponse",
     "A static response (status and body) returned to the client instead of forwarding."},
    {"HTTPRoute.delegate",
     "Delegate the route to another VirtualService (name, namespace). Only one level."},
    {"HTTPRoute.rewrite",
     "Rewrite HTTP URIs and Authority headers before forwarding. Cannot be used with redirect."},
    {"HTTPRoute.timeout", "Timeout for HTTP requests, default is disabled. A Go duration: 5s, "
                          "250ms, 1m30s."},
    {"HTTPRoute.retries", "Retry policy for HTTP requests."},
    {"HTTPRoute.fault",
     "Fault injection policy to apply on HTTP traffic at the client side. Timeouts and "
     "retries are not enabled when faults are enabled."},
    {"HTTPRoute.mirror",
     "Mirror HTTP traffic to another destination in addition to forwarding the requests to "
     "the intended destination. Mirrored traffic is on a best effort basis: responses from "
     "the mirror are discarded."},
    {"HTTPRoute.mirrors",
     "Specifies the destinations to mirror HTTP traffic in addition to the original "
     "destination, each with its own percentage. Cannot be combined with mirror."},
    {"HTTPRoute.mirrorPercentage",
     "Percentage of the traffic to be mirrored by the mirror field. If not set, all traffic "
     "(100%) is mirrored. Max value is 100."},
    {"HTTPRoute.mirrorPercent",
     "Deprecated: use mirrorPercentage. Percentage (0-100) of the traffic mirrored by the "
     "mirror field; ignored when mirrorPercentage is set."},
    {"HTTPRoute.fault.delay",
     "Delay requests before forwarding, emulating various failures such as network issues or "
     "an overloaded upstream."},
    {"HTTPRoute.fault.abort",
     "Abort HTTP request attempts and return error codes back to downstream, emulating a "
     "faulty upstream."},
    {"HTTPRoute.corsPolicy", "Cross-Origin Resource Sharing policy (CORS)."},
    {"HTTPRoute.headers", "Header manipulation rules for requests and responses."},
    {"HTTPMatchRequest.name",
     "The name assigned to a match; concatenated with the parent route's name in access logs."},
    {"HTTPMatchRequest.conditions",
     "URI, scheme, method and authority matches (case-sensitive), and header, query "
     "parameter and without-header matches. Kind exact, prefix or regex (RE2); \"present\" "
     "(headers only) matches any value."},
    {"HTTPMatchRequest.ignoreUriCase",
     "Flag to specify whether the URI matching should be case-insensitive (exact and prefix "
     "URI matches only)."},
    {"HTTPMatchRequest.port", "Specifies the ports on the host that is being addressed."},
    {"HTTPMatchRequest.sourceLabels",
     "One or more labels that constrain the applicability of a rule to source (client) "
     "workloads with the given labels."},
    {"HTTPMatchRequest.gateways",
     "Names of gateways where the rule should be applied; overrides the VirtualService's "
     "gateways."},
    {"HTTPMatchRequest.sourceNamespace",
     "Source namespace constraining the applicability of a rule to workloads in that "
     "namespace."},
    {"HTTPMatchRequest.statPrefix",
     "The human readable prefix to use when emitting statistics for this route."},
    {"HTTPRouteDestination.weight",
     "Weight specifies the relative proportion of traffic to be forwarded to the destination: "
     "weight / sum of all weights. With one destination the weight is ignored (100%)."},
    {"HTTPRouteDestination.headers",
     "Header manipulation rules applied only when this destination is chosen."},
    {"Destination.host",
     "The name of a service from the service registry (short names are resolved in the "
     "VirtualService's namespace)."},
    {"Destination.subset",
     "The name of a subset within the service, defined in a DestinationRule for the host."},
    {"Destination.port",
     "Port on the host that is being addressed. Needed only when the service exposes several "
     "ports (0: not set)."},
    {"HTTPMirrorPolicy.percentage",
     "Percentage of the traffic to be mirrored to this destination. If not set, all traffic "
     "(100%) is mirrored. Max value is 100."},
    {"HeaderOperations.set", "Overwrite the headers specified by key with the given values."},
    {"HeaderOperations.add",
     "Append the given values to the headers specified by keys (comma-separated)."},
    {"HeaderOperations.remove", "Remove the specified headers (comma-separated names)."},
    {"HTTPRewrite.uri",
     "Rewrite the path (or the prefix) portion of the URI with this value; replaces the "
     "matched prefix."},
    {"HTTPRewrite.authority", "Rewrite the Authority/Host header with this value."},
    {"HTTPRewrite.uriRegexRewrite",
     "Rewrite the path portion of the URI with the specified regex (RE2 match, \\1-style "
     "rewrite). Not together with uri."},
    {"RegexRewrite.match",
     "RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)."},
    {"RegexRewrite.rewrite",
     "The string that should replace into matching portions of original URI. Capture groups "
     "in the pattern can be referenced in the new URI (\\1)."},
    {"Delegate.name", "Name specifies the name of the delegate VirtualService."},
    {"Delegate.namespace",
     "Namespace specifies the namespace where the delegate VirtualService resides (default: "
     "the root VirtualService's)."},
    {"HTTPRedirect.uri", "On a redirect, overwrite the Path portion of the URL with this value."},
    {"HTTPRedirect.authority",
     "On a redirect, overwrite the Authority/Host portion of the URL with this value."},
    {"HTTPRedirect.port", "On a redirect, overwrite the port portion of the URL (0: not set)."},
    {"HTTPRedirect.derivePort",
     "On a redirect, dynamically set the port: FROM_PROTOCOL_DEFAULT (80/443) or "
     "FROM_REQUEST_PORT."},
    {"HTTPRedirect.scheme", "On a redirect, overwrite the scheme portion of the URL (http or "
                            "https)."},
    {"HTTPRedirect.redirectCode",
     "On a redirect, specifies the HTTP status code to use; default 301."},
    {"HTTPRedirect.prefixRewrite",
     "On a redirect, replace the matched prefix of the path (prefix matches only)."},
    {"HTTPDirectResponse.status", "Specifies the HTTP response status to be returned."},
    {"HTTPDirectResponse.body",
     "Specifies the content of the response body: a string, or bytes (base64). Empty: no body."},
    {"HTTPRetry.attempts",
     "Number of retries to be allowed for a given request; 0 disables retries."},
    {"HTTPRetry.perTryTimeout",
     "Timeout per attempt for a given request, including the initial call and any retries "
     "(at least 1ms). Default: the route's timeout."},
    {"HTTPRetry.retryOn",
     "Specifies the conditions under which retry takes place: comma-separated Envoy retry "
     "policies (5xx, gateway-error, connect-failure, ...) and HTTP status codes."},
    {"HTTPRetry.retryRemoteLocalities",
     "Flag to specify whether the retries should retry to other localities."},
    {"HTTPRetry.retryIgnorePreviousHosts",
     "Flag to specify whether the retries should ignore previously tried hosts (default "
     "true)."},
    {"HTTPRetry.backoff", "Specifies the minimum duration between retry attempts (Envoy "
                          "default 25ms)."},
    {"Delay.fixedDelay", "Add a fixed delay before forwarding the request (at least 1ms)."},
    {"Delay.percentage",
     "Percentage of requests on which the delay will be injected (0-100). If left "
     "unspecified, no request will be delayed."},
    {"Abort.httpStatus", "HTTP status code to use to abort the Http request."},
    {"Abort.grpcStatus", "GRPC status code to use to abort the request (e.g. UNAVAILABLE)."},
    {"Abort.percentage",
     "Percentage of requests to be aborted with the error code provided. If not specified, no "
     "request will be aborted."},
    {"CorsPolicy.allowOrigins",
     "String patterns that match allowed origins. An origin is allowed if any of the string "
     "matchers match."},
    {"CorsPolicy.allowMethods",
     "List of HTTP methods allowed to access the resource (Access-Control-Allow-Methods)."},
    {"CorsPolicy.allowHeaders",
     "List of HTTP headers that can be used when requesting the resource "
     "(Access-Control-Allow-Headers)."},
    {"CorsPolicy.exposeHeaders", "A list of HTTP headers that the browsers are allowed to access "
                                 "(Access-Control-Expose-Headers)."},
    {"CorsPolicy.maxAge",
     "Specifies how long the results of a preflight request can be cached (whole seconds)."},
    {"CorsPolicy.allowCredentials",
     "Indicates whether the caller is allowed to send the actual request (not the preflight) "
     "using credentials."},
    {"CorsPolicy.unmatchedPreflights",
     "Preflight requests that do not match the configured allowed origin: FORWARD (default) "
     "to the upstream, or IGNORE."},
    {"DestinationRule.host",
     "The name of a service from the service registry; short names are resolved in the "
     "DestinationRule's namespace."},
    {"DestinationRule.subsets",
     "One or more named sets that represent individual versions of a service."},
    {"DestinationRule.exportTo",
     "Namespaces to which this DestinationRule is exported (\".\" own, \"*\" all)."},
    {"Subset.name",
     "Name of the subset. The service name and the subset name can be used for traffic "
     "splitting in a route rule."},
    {"Subset.labels",
     "Labels apply a filter over the endpoints of a service in the service registry (e.g. "
     "version: v2)."},
};

} // namespace

QString fieldDoc(const QString &key)
{
    static const QHash<QString, const char *> docs = [] {
        QHash<QString, const char *> h;
        for (const Doc &d : kDocs)
            h.insert(QString::fromLatin1(d.key), d.text);
        return h;
    }();
    const char *text = docs.value(key, nullptr);
    return text ? QCoreApplication::translate("Forms::FieldDocs", text) : QString();
}

} // namespace Forms
