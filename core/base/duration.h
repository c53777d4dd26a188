#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace Base {

// Go time.ParseDuration, which Istio's jsonpb decoder uses for google.protobuf.Duration:
// "1.5s", "100ms", "1h30m", "2h45m30.5s", "10us", "10µs", "5ns", "0". Returns nanoseconds;
// std::nullopt for anything Go rejects (a bare number other than "0", unknown unit, empty).
// A leading '-' parses (Go accepts it); validation rejects negative values separately.
std::optional<std::int64_t> parseGoDurationNs(std::string_view text, std::string *error = nullptr);

// Milliseconds when the text parses (fraction of a millisecond truncated).
std::optional<std::int64_t> parseDurationMs(std::string_view text);

// Shortest Go-style form for a whole number of milliseconds: 100ms, 5s, 1m30s, 1h, 1.5s.
std::string formatDurationMs(std::int64_t ms);

} // namespace Base
