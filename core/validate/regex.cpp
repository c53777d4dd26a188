#include "regex.h"

#include <re2/re2.h>

#include <memory>
#include <mutex>
#include <unordered_map>

namespace Validate {

namespace {

RE2::Options goOptions()
{
    // Go's regexp.Compile: UTF-8, Perl classes and \b, leftmost-first, no logging.
    RE2::Options o;
    o.set_log_errors(false);
    o.set_encoding(RE2::Options::EncodingUTF8);
    return o;
}

// Go's regexp/syntax ErrorCode strings, so the message reads like Istio's webhook output.
const char *goErrorText(RE2::ErrorCode code)
{
    switch (code) {
    case RE2::ErrorBadEscape:
        return "invalid escape sequence";
    case RE2::ErrorBadCharClass:
        return "invalid character class";
    case RE2::ErrorBadCharRange:
        return "invalid character class range";
    case RE2::ErrorMissingBracket:
        return "missing closing ]";
    case RE2::ErrorMissingParen:
        return "missing closing )";
    case RE2::ErrorUnexpectedParen:
        return "unexpected )";
    case RE2::ErrorTrailingBackslash:
        return "trailing backslash at end of expression";
    case RE2::ErrorRepeatArgument:
        return "missing argument to repetition operator";
    case RE2::ErrorRepeatSize:
        return "invalid repeat count";
    case RE2::ErrorRepeatOp:
        return "invalid nested repetition operator";
    case RE2::ErrorBadPerlOp:
        return "invalid or unsupported Perl syntax";
    case RE2::ErrorBadUTF8:
        return "invalid UTF-8";
    case RE2::ErrorBadNamedCapture:
        return "invalid named capture";
    case RE2::ErrorPatternTooLarge:
        return "expression too large";
    default:
        return nullptr;
    }
}

struct Cache
{
    std::mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<const RE2>> compiled;
};

Cache &cache()
{
    static Cache c;
    return c;
}

// Route tables hold a few hundred regexes at most; past this the cache starts over rather than
// growing without bound on generated input.
constexpr std::size_t kMaxCached = 4096;

} // namespace

bool compileIstioRegex(const std::string &pattern, std::string *error)
{
    try {
        RE2 re(pattern, goOptions());
        if (re.ok())
            return true;
        if (error) {
            const char *go = goErrorText(re.error_code());
            if (go)
                *error = std::string("error parsing regexp: ") + go + ": `" + re.error_arg() + "`";
            else
                *error = "error parsing regexp: " + re.error();
        }
    } catch (...) {
        if (error)
            *error = "error parsing regexp: regexp/syntax: internal error";
    }
    return false;
}

bool fullMatch(const std::string &pattern, std::string_view text)
{
    std::shared_ptr<const RE2> re;
    try {
        Cache &c = cache();
        {
            std::lock_guard<std::mutex> lock(c.mutex);
            auto it = c.compiled.find(pattern);
            if (it != c.compiled.end())
                re = it->second;
        }
        if (!re) {
            auto fresh = std::make_shared<const RE2>(pattern, goOptions());
            std::lock_guard<std::mutex> lock(c.mutex);
            if (c.compiled.size() >= kMaxCached)
                c.compiled.clear();
            re = c.compiled.emplace(pattern, std::move(fresh)).first->second;
        }
        if (!re->ok())
            return false;
        return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *re);
    } catch (...) {
        return false;
    }
}

} // namespace Validate
