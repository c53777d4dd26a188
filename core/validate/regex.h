#pragma once

#include <string>
#include <string_view>

namespace Validate {

// Istio compiles StringMatch regexes with Go's regexp package (RE2 syntax) and Envoy runs them
// with RE2 as full-string matches. These helpers use RE2 itself, so lookaround `(?!...)` and
// back-references `\1` are rejected exactly as Istio rejects them.

// Compiles `pattern` with RE2 in the Perl-like mode Go's regexp.Compile uses. On failure returns
// false and, when `error` is given, stores Go's error text: "error parsing regexp: <code>: `<arg>`"
// (for example "error parsing regexp: invalid or unsupported Perl syntax: `(?!`").
bool compileIstioRegex(const std::string &pattern, std::string *error = nullptr);

// True when the whole of `text` matches `pattern` (Envoy safe_regex semantics). Compiled
// patterns are cached (bounded, thread-safe); a pattern that does not compile never matches.
bool fullMatch(const std::string &pattern, std::string_view text);

} // namespace Validate
