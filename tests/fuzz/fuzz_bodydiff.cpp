// Fuzz target: the response body diff (Observe::diffBodies) with noise rules. Input layout:
//   byte 0: flags   bits 0-1 / 2-3: primary / mirror content type (json, text, binary, none)
//                   bit 4: array order insensitive   bit 5: numeric tolerances
//                   bit 6: only a prefix of each body was kept (sizes and hashes are whole)
//                   bit 7: at most 3 listed fields
//   rest: primary body, "\n====\n", mirror body, optionally "\n====\n" and noise rules, one per
//   line ("$..." a JSON path rule, anything else a header rule; "@ep " prefix: per endpoint).
#include "observe/bodydiff.h"
#include "observe/noise.h"
#include "proxy/http.h"

#include <cstddef>
#include <cstdint>

static QByteArray contentType(int code)
{
    switch (code & 3) {
    case 0:
        return "application/json; charset=utf-8";
    case 1:
        return "text/plain";
    case 2:
        return "application/octet-stream";
    default:
        return QByteArray();
    }
}

static Observe::BodyInput input(const QByteArray &body, const QByteArray &type, bool prefixOnly)
{
    Observe::BodyInput in;
    in.contentType = type;
    in.size = body.size();
    Proxy::Fnv1a hash;
    hash.add(body.constData(), body.size());
    in.hash = hash.hash;
    in.prefix = prefixOnly ? body.left(body.size() / 2) : body;
    return in;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t flags = data[0];
    const QByteArray rest(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    static const QByteArray separator = "\n====\n";
    QByteArray primary = rest, mirror, rulesText;
    const qsizetype first = rest.indexOf(separator);
    if (first >= 0) {
        primary = rest.left(first);
        mirror = rest.mid(first + separator.size());
        const qsizetype second = mirror.indexOf(separator);
        if (second >= 0) {
            rulesText = mirror.mid(second + separator.size());
            mirror.truncate(second);
        }
    }

    Observe::NoiseRules rules;
    for (const QByteArray &raw : rulesText.split('\n')) {
        QString line = QString::fromUtf8(raw);
        QString endpoint;
        if (line.startsWith(QLatin1String("@ep "))) {
            endpoint = QStringLiteral("GET /users/{id}");
            line = line.mid(4);
        }
        QString error;
        if (line.startsWith(QLatin1Char('$')))
            rules.addJsonPath(line, endpoint, &error);
        else if (!line.isEmpty())
            rules.addHeader(line, endpoint, &error);
    }

    Observe::CompareOptions options;
    options.arrayOrderInsensitive = flags & 16;
    if (flags & 32) {
        options.relativeTolerance = 0.01;
        options.absoluteTolerance = 0.5;
    }
    if (flags & 128)
        options.maxFields = 3;
    const QByteArray typeA = contentType(flags), typeB = contentType(flags >> 2);

    // Both entry points: the plain one, and the recorded-leg one with learned noise.
    Observe::BodyDiff diff = Observe::diffBodies(primary, mirror, typeA, typeB, options, &rules);
    Observe::NoiseContext noise;
    noise.rules = &rules;
    noise.endpoint = QStringLiteral("GET /users/{id}");
    noise.learned = [](const QString &path) { return path.contains(QLatin1String("id")); };
    Observe::BodyDiff legDiff = Observe::diffBodies(
        input(primary, typeA, flags & 64), input(mirror, typeB, flags & 64), options, noise);
    for (const Observe::FieldDiff &f : std::as_const(legDiff.fields))
        (void)Observe::generalizeIndices(f.path);
    (void)diff;
    return 0;
}
