// Import + validate a generated file of N VirtualServices (default 1,000) with their
// DestinationRules, as `mirrorscope validate` does. Prints documents/s and MB/s.
// Usage: bench_validate [N] [REPEATS]
#include "validate/validator.h"
#include "yaml/document.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

QByteArray generate(int count)
{
    QByteArray out;
    for (int i = 0; i < count; ++i) {
        const QByteArray n = QByteArray::number(i);
        out += "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n"
               "  name: svc-" + n + "\n  namespace: team-" + QByteArray::number(i % 7) + "\n"
               "spec:\n  hosts:\n  - svc-" + n + "\n  http:\n"
               "  - name: api\n    match:\n    - uri:\n        prefix: /api/v2\n"
               "      headers:\n        x-canary:\n          exact: \"true\"\n"
               "    route:\n    - destination:\n        host: svc-" + n + "\n"
               "        subset: v2\n        port:\n          number: 8080\n      weight: 90\n"
               "    - destination:\n        host: svc-" + n + "\n        subset: v1\n"
               "        port:\n          number: 8080\n      weight: 10\n"
               "    timeout: 1.5s\n    retries:\n      attempts: 3\n      perTryTimeout: 500ms\n"
               "      retryOn: 5xx,connect-failure\n"
               "  - route:\n    - destination:\n        host: svc-" + n + "\n        subset: v1\n"
               "    mirror:\n      host: svc-" + n + "\n      subset: v2\n"
               "    mirrorPercentage:\n      value: 12.5\n"
               "    headers:\n      request:\n        set:\n          x-mirrored-by: mirrorscope\n"
               "---\n"
               "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n"
               "  name: svc-" + n + "\n  namespace: team-" + QByteArray::number(i % 7) + "\n"
               "spec:\n  host: svc-" + n + "\n  subsets:\n  - name: v1\n    labels:\n"
               "      version: v1\n  - name: v2\n    labels:\n      version: v2\n---\n";
    }
    return out;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int count = argc > 1 ? std::max(1, atoi(argv[1])) : 1000;
    const int repeats = argc > 2 ? std::max(1, atoi(argv[2])) : 5;
    const QByteArray text = generate(count);
    std::vector<double> parseMs, validateMs;
    std::size_t docs = 0;
    int errors = 0;
    for (int r = 0; r < repeats; ++r) {
        QElapsedTimer t;
        t.start();
        Yaml::ParseResult parsed = Yaml::parse(text, QStringLiteral("generated.yaml"));
        parseMs.push_back(t.nsecsElapsed() / 1e6);
        t.restart();
        const Base::Diagnostics diagnostics = Validate::validate(parsed.documents);
        validateMs.push_back(t.nsecsElapsed() / 1e6);
        docs = parsed.documents.size();
        errors = static_cast<int>(std::count_if(
            diagnostics.begin(), diagnostics.end(),
            [](const Base::Diagnostic &d) { return d.severity == Base::Severity::Error; }));
    }
    std::sort(parseMs.begin(), parseMs.end());
    std::sort(validateMs.begin(), validateMs.end());
    const double p = parseMs[parseMs.size() / 2], v = validateMs[validateMs.size() / 2];
    const double mb = text.size() / 1e6;
    std::printf("input: %d VirtualServices + %d DestinationRules, %zu documents, %.2f MB\n", count,
                count, docs, mb);
    std::printf("median of %d runs: parse %.1f ms, validate %.1f ms, total %.1f ms\n", repeats,
                p, v, p + v);
    std::printf("throughput: %.0f documents/s, %.2f MB/s (error diagnostics: %d)\n",
                docs / ((p + v) / 1000.0), mb / ((p + v) / 1000.0), errors);
    std::printf("target: 1,000 VirtualServices under 1 s -> %s\n",
                (count >= 1000 && p + v < 1000.0) ? "met" : "see numbers");
    return 0;
}
