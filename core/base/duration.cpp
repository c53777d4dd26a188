#include "duration.h"

#include <cctype>
#include <cmath>

namespace Base {

namespace {

struct Unit
{
    std::string_view name;
    double ns;
};

// Longest names first so "ms" wins over "m".
constexpr Unit kUnits[] = {{"ns", 1.0},      {"us", 1e3},       {"\xC2\xB5s", 1e3},
                           {"\xCE\xBCs", 1e3}, {"ms", 1e6},       {"s", 1e9},
                           {"m", 60e9},      {"h", 3600e9}};

} // namespace

std::optional<std::int64_t> parseGoDurationNs(std::string_view s, std::string *error)
{
    auto fail = [&](const char *why) -> std::optional<std::int64_t> {
        if (error)
            *error = std::string("time: ") + why + " \"" + std::string(s) + "\"";
        return std::nullopt;
    };
    std::string_view t = s;
    bool negative = false;
    if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
        negative = t[0] == '-';
        t.remove_prefix(1);
    }
    if (t == "0")
        return 0;
    if (t.empty())
        return fail("invalid duration");
    long double total = 0;
    while (!t.empty()) {
        std::size_t i = 0;
        long double value = 0;
        bool digits = false;
        while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) {
            value = value * 10 + (t[i] - '0');
            ++i;
            digits = true;
        }
        if (i < t.size() && t[i] == '.') {
            ++i;
            long double scale = 0.1L;
            while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) {
                value += (t[i] - '0') * scale;
                scale /= 10;
                ++i;
                digits = true;
            }
        }
        if (!digits)
            return fail("invalid duration");
        t.remove_prefix(i);
        std::size_t unitLen = 0;
        while (unitLen < t.size() && t[unitLen] != '.' &&
               !std::isdigit(static_cast<unsigned char>(t[unitLen])))
            ++unitLen;
        if (unitLen == 0)
            return fail("missing unit in duration");
        const std::string_view unit = t.substr(0, unitLen);
        const Unit *found = nullptr;
        for (const Unit &u : kUnits) {
            if (u.name == unit) {
                found = &u;
                break;
            }
        }
        if (!found)
            return fail("unknown unit in duration");
        total += value * found->ns;
        if (total > 9.2e18L)
            return fail("invalid duration");
        t.remove_prefix(unitLen);
    }
    const auto ns = static_cast<std::int64_t>(std::llround(total));
    return negative ? -ns : ns;
}

std::optional<std::int64_t> parseDurationMs(std::string_view text)
{
    auto ns = parseGoDurationNs(text);
    if (!ns)
        return std::nullopt;
    return *ns / 1000000;
}

std::string formatDurationMs(std::int64_t ms)
{
    if (ms == 0)
        return "0s";
    std::string out;
    if (ms < 0) {
        out = "-";
        ms = -ms;
    }
    if (ms < 1000)
        return out + std::to_string(ms) + "ms";
    const std::int64_t h = ms / 3600000;
    const std::int64_t m = (ms / 60000) % 60;
    const std::int64_t sMs = ms % 60000;
    if (h)
        out += std::to_string(h) + "h";
    if (h || m)
        out += std::to_string(m) + "m";
    if (sMs || (!h && !m)) {
        out += std::to_string(sMs / 1000);
        if (sMs % 1000) {
            std::string frac = std::to_string(sMs % 1000);
            frac = std::string(3 - frac.size(), '0') + frac;
            while (!frac.empty() && frac.back() == '0')
                frac.pop_back();
            out += "." + frac;
        }
        out += "s";
    } else if (h && !m) {
        out.erase(out.size() - 2); // "1h0m" -> "1h"
    }
    return out;
}

} // namespace Base
