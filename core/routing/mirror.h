#pragma once

#include <QByteArray>

// The small pure pieces of mirroring, kept apart like Envoy's shadow_writer_impl.cc so they
// can be table-tested on their own.
namespace Routing {

// Envoy's shadowAppendedHost(): "-shadow" goes before the port. The port separator is the
// last ':' and only when no ']' follows it, so IPv6 literals keep their colons:
// httpbin -> httpbin-shadow, httpbin:8000 -> httpbin-shadow:8000,
// [::1]:8080 -> [::1]-shadow:8080, [::1] -> [::1]-shadow.
QByteArray shadowHost(const QByteArray &host);

// Istio's translatePercentToFractionalPercent: a Percent becomes the numerator of a fraction
// of 1,000,000 as Go's uint32(value*10000), so anything below 0.0001 % is 0 (never).
// Out-of-range values are clamped to [0, 1,000,000].
quint32 fractionalNumerator(double percent);

// Envoy's runtime fraction check for a Percent: a draw in [0, 1,000,000) taken from
// `random01` (in [0, 1)) is sampled when it is below the numerator. 100 always samples,
// 0 never does.
bool shouldMirror(double percent, double random01);

} // namespace Routing
