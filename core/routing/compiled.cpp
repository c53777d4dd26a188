#include "routing/compiled.h"

#include <re2/re2.h>

namespace Routing {

namespace {

char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

size_t portSeparator(std::string_view authority)
{
    const size_t colon = authority.rfind(':');
    if (colon == std::string_view::npos)
        return colon;
    if (authority.find(']', colon) != std::string_view::npos)
        return std::string_view::npos; // "[::1]": the colons are the address
    return colon;
}

} // namespace

bool CompiledStringMatch::matches(std::string_view text) const
{
    const std::string_view v = view(value);
    switch (kind) {
    case Kind::Presence:
        return true;
    case Kind::Exact:
        return ignoreCase ? equalsIgnoreCase(text, v) : text == v;
    case Kind::Prefix:
        if (text.size() < v.size())
            return false;
        return ignoreCase ? equalsIgnoreCase(text.substr(0, v.size()), v)
                          : text.substr(0, v.size()) == v;
    case Kind::Regex:
        return regex && RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *regex);
    }
    return false;
}

int CompiledConfig::findService(std::string_view host) const
{
    const auto exact =
        exactHosts.constFind(QByteArray::fromRawData(host.data(), qsizetype(host.size())));
    if (exact != exactHosts.constEnd())
        return exact.value();

    // Envoy matches wildcard domains against the Host as sent; Istio adds no short-name
    // aliases for them, so neither does this.
    for (const Wildcard &w : wildcards) {
        const std::string_view suffix = view(w.suffix);
        if (suffix.empty() ||
            (host.size() > suffix.size() && host.substr(host.size() - suffix.size()) == suffix))
            return w.service;
    }
    return -1;
}

std::string_view normalizedHost(std::string_view authority, char *buffer, size_t bufferSize,
                                std::string &spill)
{
    std::string_view host = authority;
    const size_t colon = portSeparator(host);
    if (colon != std::string_view::npos)
        host = host.substr(0, colon);
    if (!host.empty() && host.back() == '.')
        host.remove_suffix(1);
    char *out = buffer;
    if (host.size() > bufferSize) {
        spill.resize(host.size());
        out = spill.data();
    }
    for (size_t i = 0; i < host.size(); ++i)
        out[i] = lower(host[i]);
    return std::string_view(out, host.size());
}

int authorityPort(std::string_view authority)
{
    const size_t colon = portSeparator(authority);
    if (colon == std::string_view::npos || colon + 1 >= authority.size())
        return -1;
    int port = 0;
    for (size_t i = colon + 1; i < authority.size(); ++i) {
        const char c = authority[i];
        if (c < '0' || c > '9' || port > 65535)
            return -1;
        port = port * 10 + (c - '0');
    }
    return port <= 65535 ? port : -1;
}

} // namespace Routing
