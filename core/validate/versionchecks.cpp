#include "versionchecks.h"

#include "validate/analyzers.h"

#include <string>

namespace Validate {

namespace {

const Yaml::Node *mapAt(const Yaml::Node *parent, std::string_view key)
{
    const Yaml::Node *n = parent ? parent->get(key) : nullptr;
    return n && n->isMap() ? n : nullptr;
}

const Yaml::Node *seqAt(const Yaml::Node *parent, std::string_view key)
{
    const Yaml::Node *n = parent ? parent->get(key) : nullptr;
    return n && n->isSequence() ? n : nullptr;
}

class VersionChecker
{
public:
    VersionChecker(Reporter &reporter, const Base::IstioVersion &target, bool strictFields)
        : m_reporter(reporter), m_target(target), m_strict(strictFields)
    {
    }

    // Reports `field` (found at `at`) when the target is older than major.minor.
    // `acceptedFrom` is the first release whose CRD already knew the field (it then is only
    // ignored, not rejected); 0 means the same release that implements it.
    void require(const char *code, const char *label, const std::string &path, const Yaml::Node *at,
                 int major, int minor, int acceptedMinor = 0)
    {
        if (!at || m_target.atLeast(major, minor))
            return;
        const bool knownToCrd = acceptedMinor > 0 && m_target.atLeast(major, acceptedMinor);
        const Base::Severity severity =
            !knownToCrd && m_strict ? Base::Severity::Error : Base::Severity::Warning;
        m_reporter.report(severity, code, "", path, at->mark(),
                          QStringLiteral("`%1` needs Istio %2.%3 or later (target is %4)")
                              .arg(QLatin1String(label))
                              .arg(major)
                              .arg(minor)
                              .arg(m_target.toString()));
    }

    Reporter &reporter() { return m_reporter; }
    const Base::IstioVersion &target() const { return m_target; }

private:
    Reporter &m_reporter;
    Base::IstioVersion m_target;
    bool m_strict;
};

std::string scalarText(const Yaml::Node *n)
{
    return n && n->isScalar() ? n->text() : std::string();
}

// The authority a client of this rule is expected to send: the rewritten authority when the
// rule rewrites it (the mirror sees the request after rewrites), else the VirtualService's
// first host, with the port the rule matches or routes to.
std::string expectedAuthority(const Yaml::Node *spec, const Yaml::Node &rule)
{
    std::string host =
        scalarText(mapAt(&rule, "rewrite") ? rule.get("rewrite")->get("authority") : nullptr);
    if (host.empty()) {
        const Yaml::Node *hosts = seqAt(spec, "hosts");
        if (hosts && !hosts->items().empty())
            host = scalarText(&hosts->items().front());
    }
    if (host.empty() || host.find('*') != std::string::npos)
        return {};
    std::optional<std::int64_t> port;
    if (const Yaml::Node *matches = seqAt(&rule, "match"); matches && !matches->items().empty()) {
        if (const Yaml::Node *p = matches->items().front().get("port"); p && p->isScalar())
            port = p->toInt();
    }
    if (!port) {
        const Yaml::Node *route = seqAt(&rule, "route");
        const Yaml::Node *first = route && !route->items().empty()
                                      ? mapAt(&route->items().front(), "destination")
                                      : nullptr;
        const Yaml::Node *p = mapAt(first, "port");
        if (const Yaml::Node *n = p ? p->get("number") : nullptr; n && n->isScalar())
            port = n->toInt();
    }
    if (port && host.find(':') == std::string::npos)
        host += ":" + std::to_string(*port);
    return host;
}

void checkRule(VersionChecker &c, const Yaml::Node *spec, const Yaml::Node &rule,
               const std::string &rulePath)
{
    auto child = [&](const char *key) { return Yaml::childPath(rulePath, key); };

    const Yaml::Node *mirrors = rule.get("mirrors");
    // istio/api 1.19 carries the field (hidden), Istio implements it from 1.20.
    c.require("MS4001", "mirrors", child("mirrors"), mirrors, 1, 20, 19);
    c.require("MS4003", "mirrorPercentage", child("mirrorPercentage"), rule.get("mirrorPercentage"),
              1, 5);
    c.require("MS4005", "delegate", child("delegate"), rule.get("delegate"), 1, 6);
    c.require("MS4006", "directResponse", child("directResponse"), rule.get("directResponse"), 1,
              15);
    if (const Yaml::Node *matches = seqAt(&rule, "match")) {
        for (std::size_t k = 0; k < matches->items().size(); ++k) {
            const Yaml::Node &m = matches->items()[k];
            const std::string mPath = Yaml::indexPath(child("match"), k);
            c.require("MS4004", "withoutHeaders", Yaml::childPath(mPath, "withoutHeaders"),
                      m.get("withoutHeaders"), 1, 5);
            c.require("MS4007", "statPrefix", Yaml::childPath(mPath, "statPrefix"),
                      m.get("statPrefix"), 1, 15);
        }
    }
    if (const Yaml::Node *rewrite = mapAt(&rule, "rewrite"))
        c.require("MS4008", "uriRegexRewrite", Yaml::childPath(child("rewrite"), "uriRegexRewrite"),
                  rewrite->get("uriRegexRewrite"), 1, 19);
    if (const Yaml::Node *cors = mapAt(&rule, "corsPolicy"))
        c.require("MS4009", "corsPolicy.unmatchedPreflights",
                  Yaml::childPath(child("corsPolicy"), "unmatchedPreflights"),
                  cors->get("unmatchedPreflights"), 1, 23);
    if (const Yaml::Node *retries = mapAt(&rule, "retries")) {
        c.require("MS4010", "retries.backoff", Yaml::childPath(child("retries"), "backoff"),
                  retries->get("backoff"), 1, 26);
        c.require("MS4011", "retries.retryIgnorePreviousHosts",
                  Yaml::childPath(child("retries"), "retryIgnorePreviousHosts"),
                  retries->get("retryIgnorePreviousHosts"), 1, 26);
    }
    if (const Yaml::Node *redirect = mapAt(&rule, "redirect"))
        c.require("MS4012", "redirect.prefixRewrite",
                  Yaml::childPath(child("redirect"), "prefixRewrite"),
                  redirect->get("prefixRewrite"), 1, 31);

    // Which Host the mirror copy carries depends on the target: services that route or
    // authorize on Host see a different value up to 1.27.
    const Yaml::Node *mirror = mapAt(&rule, "mirror");
    const bool hasMirrors = mirrors && mirrors->isSequence() && !mirrors->items().empty();
    // Mirrors on a redirect or directResponse rule are never applied (analyzer MS3105).
    if ((!mirror && !hasMirrors) || !seqAt(&rule, "route"))
        return;
    const Base::IstioVersion &target = c.target();
    const std::string authority = expectedAuthority(spec, rule);
    const QString version = target.toString();
    QString message;
    if (target.appendsShadowSuffix()) {
        message = authority.empty()
                      ? QStringLiteral("mirrored requests carry the request's Host with -shadow "
                                       "appended before the port on Istio %1 (the -shadow suffix "
                                       "is appended up to 1.27)")
                            .arg(version)
                      : QStringLiteral("mirrored requests carry Host %1 on Istio %2 (the -shadow "
                                       "suffix is appended up to 1.27)")
                            .arg(QString::fromStdString(mirroredHost(authority, target)), version);
    } else {
        message = authority.empty()
                      ? QStringLiteral("mirrored requests carry the request's Host unchanged on "
                                       "Istio %1 (the -shadow suffix is appended only up to 1.27)")
                            .arg(version)
                      : QStringLiteral("mirrored requests carry Host %1 on Istio %2 (unchanged: "
                                       "the -shadow suffix is appended only up to 1.27)")
                            .arg(QString::fromStdString(authority), version);
    }
    const char *field = mirror ? "mirror" : "mirrors";
    c.reporter().info("MS4100", child(field), rule.get(field), message);
}

} // namespace

std::string mirroredHost(const std::string &authority, const Base::IstioVersion &target)
{
    if (!target.appendsShadowSuffix() || authority.empty())
        return authority;
    // Envoy inserts the suffix before the port: httpbin:8000 -> httpbin-shadow:8000.
    const std::size_t colon = authority.rfind(':');
    const bool hasPort =
        colon != std::string::npos && authority.find(']', colon) == std::string::npos;
    if (!hasPort)
        return authority + "-shadow";
    return authority.substr(0, colon) + "-shadow" + authority.substr(colon);
}

void checkVersion(const Yaml::Document &doc, Reporter &reporter, const Base::IstioVersion &target,
                  bool strictFields)
{
    const bool isVs = isIstioResource(doc, "VirtualService");
    if (!isVs && !isIstioResource(doc, "DestinationRule"))
        return;
    VersionChecker c(reporter, target, strictFields);
    if (doc.apiVersion() == "networking.istio.io/v1" && !target.supportsApiV1()) {
        // Not a pruned field but an unserved version: rejected whatever the field validation.
        reporter.error("MS4002", "apiVersion", doc.root.get("apiVersion"),
                       QStringLiteral("`networking.istio.io/v1` needs Istio 1.22 or later "
                                      "(target is %1)")
                           .arg(target.toString()),
                       "");
    }
    if (!isVs)
        return;
    const Yaml::Node *spec = mapAt(&doc.root, "spec");
    const Yaml::Node *rules = seqAt(spec, "http");
    if (!rules)
        return;
    for (std::size_t i = 0; i < rules->items().size(); ++i) {
        const Yaml::Node &rule = rules->items()[i];
        if (rule.isMap())
            checkRule(c, spec, rule, Yaml::indexPath("spec.http", i));
    }
}

} // namespace Validate
