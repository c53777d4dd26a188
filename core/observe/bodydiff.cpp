#include "observe/bodydiff.h"

#include "observe/noise.h"

#include <QByteArrayView>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

namespace Observe {

namespace {

constexpr int kMaxRendered = 200;
// Myers' edit distance is searched up to this many inserted + deleted lines; past it the
// differing middle is compared line by line (time O(lines * kMaxEdit), memory O(kMaxEdit^2)).
constexpr int kMaxEdit = 400;
// Leftover elements of an order-insensitive array are paired by a noise-aware structural
// comparison only while leftovers(primary) * leftovers(mirror) stays under this.
constexpr qsizetype kMaxPairProbes = 4096;

QString shorten(QString s)
{
    if (s.size() > kMaxRendered) {
        s.truncate(kMaxRendered - 1);
        s += QChar(0x2026); // …
    }
    return s;
}

QByteArrayView mediaType(QByteArrayView contentType)
{
    const qsizetype semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.first(semi)).trimmed();
}

bool isJsonType(QByteArrayView contentType)
{
    const QByteArrayView t = mediaType(contentType);
    return t.compare("application/json", Qt::CaseInsensitive) == 0 ||
           (t.size() > 5 && t.last(5).compare("+json", Qt::CaseInsensitive) == 0);
}

bool isBinaryType(QByteArrayView contentType)
{
    const QByteArray t = mediaType(contentType).toByteArray().toLower();
    if (t.isEmpty())
        return false;
    if (t.startsWith("image/"))
        return !t.endsWith("+xml"); // SVG is text
    if (t.startsWith("audio/") || t.startsWith("video/") || t.startsWith("font/"))
        return true;
    static const char *const binary[] = {
        "application/octet-stream", "application/pdf",     "application/zip",
        "application/gzip",         "application/x-gzip",  "application/protobuf",
        "application/x-protobuf",   "application/grpc",    "application/wasm",
        "application/x-tar",        "application/msgpack", "application/cbor",
    };
    for (const char *b : binary) {
        if (t == b || (t.startsWith(b) && t.at(qstrlen(b)) == '+'))
            return true;
    }
    return false;
}

bool isIdentityEncoding(QByteArrayView encoding)
{
    const QByteArrayView e = encoding.trimmed();
    return e.isEmpty() || e.compare("identity", Qt::CaseInsensitive) == 0;
}

QByteArrayView skipSpace(QByteArrayView body)
{
    if (body.startsWith("\xEF\xBB\xBF"))
        body = body.sliced(3);
    qsizetype i = 0;
    while (i < body.size() &&
           (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
        ++i;
    return body.sliced(i);
}

bool startsLikeJson(QByteArrayView body)
{
    const QByteArrayView b = skipSpace(body);
    return !b.isEmpty() && (b[0] == '{' || b[0] == '[');
}

// Valid UTF-8 without NUL bytes; an incomplete sequence at the end passes when the body was
// cut there.
bool looksLikeText(QByteArrayView b, bool cut)
{
    const qsizetype n = b.size();
    qsizetype i = 0;
    while (i < n) {
        const quint8 c = quint8(b[i]);
        if (c < 0x80) {
            if (c == 0)
                return false;
            ++i;
            continue;
        }
        int extra = 0;
        if (c >= 0xC2 && c <= 0xDF)
            extra = 1;
        else if (c >= 0xE0 && c <= 0xEF)
            extra = 2;
        else if (c >= 0xF0 && c <= 0xF4)
            extra = 3;
        else
            return false;
        for (int k = 1; k <= extra; ++k) {
            if (i + k >= n)
                return cut; // cut inside the last character
            if ((quint8(b[i + k]) & 0xC0) != 0x80)
                return false;
        }
        i += extra + 1;
    }
    return true;
}

enum class Hint { Empty, Json, Text, Binary };

Hint classify(const BodyInput &in)
{
    if (in.wholeSize() == 0)
        return Hint::Empty;
    if (!isIdentityEncoding(in.contentEncoding))
        return Hint::Binary;
    if (isJsonType(in.contentType))
        return Hint::Json;
    if (isBinaryType(in.contentType))
        return Hint::Binary;
    if (!looksLikeText(in.prefix, !in.complete()))
        return Hint::Binary;
    return startsLikeJson(in.prefix) ? Hint::Json : Hint::Text;
}

QString hex(quint64 v)
{
    return QString::number(v, 16).rightJustified(16, QLatin1Char('0'));
}

QString sizeText(qint64 bytes)
{
    return QStringLiteral("%1 bytes").arg(bytes);
}

QString renderNumber(double d)
{
    if (std::floor(d) == d && std::fabs(d) < 9007199254740992.0)
        return QString::number(qint64(d));
    return QString::number(d, 'g', QLocale::FloatingPointShortest);
}

QString renderJson(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return renderNumber(v.toDouble());
    case QJsonValue::String: {
        // Only the first characters are shown: escape no more than that.
        const QString s = v.toString();
        QString out = QStringLiteral("\"");
        for (qsizetype i = 0; i < s.size() && out.size() < kMaxRendered + 2; ++i) {
            const QChar c = s.at(i);
            if (c == u'"' || c == u'\\') {
                out += QLatin1Char('\\');
                out += c;
            } else if (c == u'\n') {
                out += QLatin1String("\\n");
            } else if (c.unicode() < 0x20) {
                out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
            } else {
                out += c;
            }
        }
        out += QLatin1Char('"');
        return shorten(out);
    }
    case QJsonValue::Array:
        return shorten(
            QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)));
    case QJsonValue::Object:
        return shorten(
            QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact)));
    case QJsonValue::Undefined:
        break;
    }
    return QString();
}

// Collects the differences: rule-ignored ones into `ignored`, learned noise flagged, the rest
// counted; lists at most maxFields of them.
class Sink
{
public:
    Sink(BodyDiff &out, const CompareOptions &options, const NoiseContext &noise)
        : m_out(out), m_options(options), m_noise(noise)
    {
    }

    template <typename Render>
    void add(FieldDiff::Kind kind, const QString &path, bool ruleIgnored, Render &&render)
    {
        if (ruleIgnored) {
            if (m_out.ignored.size() < qMax(1, m_options.maxFields) &&
                !m_out.ignored.contains(path))
                m_out.ignored.append(path);
            return;
        }
        const bool noisy = m_noise.learned && m_noise.learned(path);
        if (!noisy)
            ++m_counted;
        if (m_out.fields.size() >= qMax(0, m_options.maxFields)) {
            ++m_out.omittedFields;
            return;
        }
        FieldDiff d;
        d.kind = kind;
        d.path = path;
        d.noisy = noisy;
        if (m_noise.renderValues)
            render(d);
        m_out.fields.append(std::move(d));
    }

    bool anything() const
    {
        return !m_out.fields.isEmpty() || m_out.omittedFields > 0 || !m_out.ignored.isEmpty();
    }
    qsizetype counted() const { return m_counted; }

    // What was collected so far, to take back when a walk has to start over another way.
    struct Mark
    {
        qsizetype fields, ignored, counted;
        int omitted;
    };
    Mark mark() const
    {
        return {m_out.fields.size(), m_out.ignored.size(), m_counted, m_out.omittedFields};
    }
    void rollback(const Mark &m)
    {
        m_out.fields.resize(m.fields);
        m_out.ignored.resize(m.ignored);
        m_counted = m.counted;
        m_out.omittedFields = m.omitted;
    }

private:
    BodyDiff &m_out;
    const CompareOptions &m_options;
    const NoiseContext &m_noise;
    qsizetype m_counted = 0;
};

// --- JSON ------------------------------------------------------------------------------------

class JsonDiffer
{
public:
    // sink == nullptr: a probe that only answers "is there a difference that counts?"
    JsonDiffer(const CompareOptions &options, const NoiseContext &noise, Sink *sink)
        : m_options(options), m_noise(noise), m_sink(sink)
    {
    }

    void setBase(std::vector<PathSegment> path) { m_path = std::move(path); }
    bool found() const { return m_found; }

    void diff(const QJsonValue &a, const QJsonValue &b)
    {
        if (m_found)
            return;
        const QJsonValue::Type ta = a.type();
        const QJsonValue::Type tb = b.type();
        if (ta != tb) {
            report(FieldDiff::Kind::TypeChanged, a, b);
            return;
        }
        switch (ta) {
        case QJsonValue::Object:
            diffObjects(a.toObject(), b.toObject());
            return;
        case QJsonValue::Array:
            if (m_options.arrayOrderInsensitive)
                diffArraysUnordered(a.toArray(), b.toArray());
            else
                diffArrays(a.toArray(), b.toArray());
            return;
        case QJsonValue::Double:
            if (!numbersEqual(a, b))
                report(FieldDiff::Kind::Changed, a, b);
            return;
        default:
            if (a != b)
                report(FieldDiff::Kind::Changed, a, b);
            return;
        }
    }

private:
    bool numbersEqual(const QJsonValue &a, const QJsonValue &b) const
    {
        const double x = a.toDouble();
        const double y = b.toDouble();
        if (x == y) {
            // Beyond 2^53 doubles lose integers: ids must still differ by one.
            if (std::fabs(x) >= 9007199254740992.0)
                return a.toInteger() == b.toInteger();
            return true;
        }
        const double delta = std::fabs(x - y);
        const double allowed =
            std::max(m_options.absoluteTolerance,
                     m_options.relativeTolerance * std::max(std::fabs(x), std::fabs(y)));
        return delta <= allowed;
    }

    void diffObjects(const QJsonObject &a, const QJsonObject &b)
    {
        // QJsonObject iterates its keys in sorted order: one merge walk.
        auto ia = a.constBegin(), ib = b.constBegin();
        const auto ea = a.constEnd(), eb = b.constEnd();
        while ((ia != ea || ib != eb) && !m_found) {
            int order;
            if (ia == ea)
                order = 1;
            else if (ib == eb)
                order = -1;
            else
                order = QString::compare(ia.key(), ib.key());
            if (order < 0) {
                m_path.push_back(PathSegment::ofKey(ia.key()));
                report(FieldDiff::Kind::Removed, ia.value(), QJsonValue(QJsonValue::Undefined));
                m_path.pop_back();
                ++ia;
            } else if (order > 0) {
                m_path.push_back(PathSegment::ofKey(ib.key()));
                report(FieldDiff::Kind::Added, QJsonValue(QJsonValue::Undefined), ib.value());
                m_path.pop_back();
                ++ib;
            } else {
                m_path.push_back(PathSegment::ofKey(ia.key()));
                diff(ia.value(), ib.value());
                m_path.pop_back();
                ++ia;
                ++ib;
            }
        }
    }

    void diffArrays(const QJsonArray &a, const QJsonArray &b)
    {
        const qsizetype common = std::min(a.size(), b.size());
        for (qsizetype i = 0; i < common && !m_found; ++i) {
            m_path.push_back(PathSegment::ofIndex(int(i)));
            diff(a.at(i), b.at(i));
            m_path.pop_back();
        }
        for (qsizetype i = common; i < a.size() && !m_found; ++i)
            reportAt(int(i), FieldDiff::Kind::Removed, a.at(i), QJsonValue(QJsonValue::Undefined));
        for (qsizetype i = common; i < b.size() && !m_found; ++i)
            reportAt(int(i), FieldDiff::Kind::Added, QJsonValue(QJsonValue::Undefined), b.at(i));
    }

    // A multiset: equal elements are paired first (by hash), then leftovers that differ only in
    // noise or within tolerance, then the rest in order; what remains is Removed / Added.
    void diffArraysUnordered(const QJsonArray &a, const QJsonArray &b)
    {
        std::vector<bool> usedB(size_t(b.size()), false);
        QMultiHash<size_t, qsizetype> byHash;
        byHash.reserve(b.size());
        for (qsizetype j = 0; j < b.size(); ++j)
            byHash.insert(qHash(b.at(j)), j);
        std::vector<qsizetype> leftA, leftB;
        for (qsizetype i = 0; i < a.size(); ++i) {
            const QJsonValue v = a.at(i);
            bool paired = false;
            for (auto it = byHash.constFind(qHash(v)); it != byHash.cend() && it.key() == qHash(v);
                 ++it) {
                const qsizetype j = it.value();
                if (!usedB[size_t(j)] && b.at(j) == v) {
                    usedB[size_t(j)] = true;
                    paired = true;
                    break;
                }
            }
            if (!paired)
                leftA.push_back(i);
        }
        for (qsizetype j = 0; j < b.size(); ++j) {
            if (!usedB[size_t(j)])
                leftB.push_back(j);
        }
        if (leftA.empty() && leftB.empty())
            return;
        if (!m_sink) { // a probe needs no more than "they differ"
            m_found = true;
            return;
        }

        std::vector<std::pair<qsizetype, qsizetype>> pairs;
        std::vector<bool> takenB(leftB.size(), false);
        std::vector<qsizetype> restA;
        if (qsizetype(leftA.size()) * qsizetype(leftB.size()) <= kMaxPairProbes) {
            for (const qsizetype i : leftA) {
                bool paired = false;
                for (size_t k = 0; k < leftB.size(); ++k) {
                    if (takenB[k])
                        continue;
                    JsonDiffer probe(m_options, m_noise, nullptr);
                    std::vector<PathSegment> base = m_path;
                    base.push_back(PathSegment::ofIndex(int(i)));
                    probe.setBase(std::move(base));
                    probe.diff(a.at(i), b.at(leftB[k]));
                    if (!probe.found()) {
                        takenB[k] = true;
                        pairs.emplace_back(i, leftB[k]);
                        paired = true;
                        break;
                    }
                }
                if (!paired)
                    restA.push_back(i);
            }
        } else {
            restA = leftA;
        }
        std::vector<qsizetype> restB;
        for (size_t k = 0; k < leftB.size(); ++k) {
            if (!takenB[k])
                restB.push_back(leftB[k]);
        }
        // What is left is paired in order: one changed element shows as its changed fields.
        const size_t common = std::min(restA.size(), restB.size());
        for (size_t k = 0; k < common; ++k)
            pairs.emplace_back(restA[k], restB[k]);
        std::sort(pairs.begin(), pairs.end());
        for (const auto &[i, j] : pairs) {
            m_path.push_back(PathSegment::ofIndex(int(i)));
            diff(a.at(i), b.at(j));
            m_path.pop_back();
        }
        for (size_t k = common; k < restA.size(); ++k)
            reportAt(int(restA[k]), FieldDiff::Kind::Removed, a.at(restA[k]),
                     QJsonValue(QJsonValue::Undefined));
        for (size_t k = common; k < restB.size(); ++k)
            reportAt(int(restB[k]), FieldDiff::Kind::Added, QJsonValue(QJsonValue::Undefined),
                     b.at(restB[k]));
    }

    void reportAt(int index, FieldDiff::Kind kind, const QJsonValue &a, const QJsonValue &b)
    {
        m_path.push_back(PathSegment::ofIndex(index));
        report(kind, a, b);
        m_path.pop_back();
    }

    void report(FieldDiff::Kind kind, const QJsonValue &a, const QJsonValue &b)
    {
        const bool ruleIgnored =
            m_noise.rules &&
            m_noise.rules->pathIgnored(m_path.data(), qsizetype(m_path.size()), m_noise.endpoint);
        if (!m_sink) {
            if (!ruleIgnored) {
                const QString path = renderJsonPath(m_path.data(), qsizetype(m_path.size()));
                if (!(m_noise.learned && m_noise.learned(path)))
                    m_found = true;
            }
            return;
        }
        m_sink->add(kind, renderJsonPath(m_path.data(), qsizetype(m_path.size())), ruleIgnored,
                    [&](FieldDiff &d) {
                        d.primaryValue = renderJson(a);
                        d.mirrorValue = renderJson(b);
                    });
    }

    const CompareOptions &m_options;
    const NoiseContext &m_noise;
    Sink *m_sink;
    std::vector<PathSegment> m_path;
    bool m_found = false;
};

struct ParsedJson
{
    bool ok = false;
    QJsonValue value{QJsonValue::Undefined};
    QString error;
};

ParsedJson parseJson(const QByteArray &body, bool jsonType)
{
    ParsedJson p;
    QJsonParseError e;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &e);
    if (e.error == QJsonParseError::NoError) {
        p.ok = true;
        p.value = doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
        return p;
    }
    p.error = QStringLiteral("%1 at offset %2").arg(e.errorString()).arg(e.offset);
    if (jsonType && !startsLikeJson(body)) {
        // QJsonDocument takes only objects and arrays; a JSON body may be a bare scalar.
        QJsonParseError e2;
        const QJsonDocument wrapped = QJsonDocument::fromJson(QByteArray('[' + body + ']'), &e2);
        if (e2.error == QJsonParseError::NoError && wrapped.array().size() == 1) {
            p.ok = true;
            p.value = wrapped.array().at(0);
            p.error.clear();
        }
    }
    return p;
}

// --- JSON, the fast way ----------------------------------------------------------------------

// Walks both raw JSON texts in lockstep without building documents: the usual pair (same
// shape, same keys in the same order, a few values different) is compared with no allocation
// but for the differences found. An object whose keys differ, or an array compared as a
// multiset, is handed to JsonDiffer (parsed on its own); anything the scanner does not take
// (a syntax error, deep nesting, escaped keys, a bare scalar) makes run() return false and the
// whole body goes the QJsonDocument way, which also explains what is not valid.
class FastJson
{
public:
    FastJson(QByteArrayView a, QByteArrayView b, const CompareOptions &options,
             const NoiseContext &noise, Sink &sink)
        : m_a{a.data(), a.data() + a.size()}, m_b{b.data(), b.data() + b.size()},
          m_options(options), m_noise(noise), m_sink(sink)
    {
        m_path.reserve(32);
    }

    bool run()
    {
        const Sink::Mark start = m_sink.mark();
        m_a.space();
        m_b.space();
        if (m_a.p == m_a.e || m_b.p == m_b.e || (*m_a.p != '{' && *m_a.p != '[') ||
            (*m_b.p != '{' && *m_b.p != '['))
            return false;
        bool ok = value(0);
        if (ok) {
            m_a.space();
            m_b.space();
            ok = m_a.p == m_a.e && m_b.p == m_b.e;
        }
        if (!ok)
            m_sink.rollback(start);
        return ok;
    }

private:
    static constexpr int kMaxDepth = 500;

    struct Cursor
    {
        const char *p;
        const char *e;

        void space()
        {
            while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
                ++p;
        }
        bool eat(char c)
        {
            space();
            if (p < e && *p == c) {
                ++p;
                return true;
            }
            return false;
        }
        // A string at p (opening quote); false when malformed. *escaped: it holds a backslash.
        bool string(bool *escaped = nullptr)
        {
            if (p >= e || *p != '"')
                return false;
            ++p;
            while (p < e) {
                const quint8 c = quint8(*p);
                if (c == '"') {
                    ++p;
                    return true;
                }
                if (c < 0x20)
                    return false;
                if (c >= 0x80) { // UTF-8 is only legal inside strings: checked here
                    const int extra = c >= 0xC2 && c <= 0xDF   ? 1
                                      : c >= 0xE0 && c <= 0xEF ? 2
                                      : c >= 0xF0 && c <= 0xF4 ? 3
                                                               : -1;
                    if (extra < 0 || e - p <= extra)
                        return false;
                    for (int k = 1; k <= extra; ++k) {
                        if ((quint8(p[k]) & 0xC0) != 0x80)
                            return false;
                    }
                    p += extra + 1;
                    continue;
                }
                if (c == '\\') {
                    if (escaped)
                        *escaped = true;
                    if (p + 1 >= e)
                        return false;
                    const char x = p[1];
                    if (x == 'u') {
                        if (p + 6 > e)
                            return false;
                        for (int k = 2; k < 6; ++k) {
                            if (!isxdigit(quint8(p[k])))
                                return false;
                        }
                        p += 6;
                        continue;
                    }
                    if (!strchr("\"\\/bfnrt", x) || x == 0)
                        return false;
                    p += 2;
                    continue;
                }
                ++p;
            }
            return false;
        }
        bool number(bool *integral)
        {
            const char *s = p;
            *integral = true;
            if (p < e && *p == '-')
                ++p;
            if (p >= e || !isdigit(quint8(*p)))
                return false;
            if (*p == '0')
                ++p;
            else
                while (p < e && isdigit(quint8(*p)))
                    ++p;
            if (p < e && *p == '.') {
                *integral = false;
                ++p;
                if (p >= e || !isdigit(quint8(*p)))
                    return false;
                while (p < e && isdigit(quint8(*p)))
                    ++p;
            }
            if (p < e && (*p == 'e' || *p == 'E')) {
                *integral = false;
                ++p;
                if (p < e && (*p == '+' || *p == '-'))
                    ++p;
                if (p >= e || !isdigit(quint8(*p)))
                    return false;
                while (p < e && isdigit(quint8(*p)))
                    ++p;
            }
            return p > s;
        }
        bool literal(const char *word)
        {
            const qsizetype n = qsizetype(strlen(word));
            if (e - p < n || memcmp(p, word, size_t(n)) != 0)
                return false;
            p += n;
            return true;
        }
        // Skips one value, checking its syntax.
        bool skip(int depth)
        {
            space();
            if (p >= e || depth > kMaxDepth)
                return false;
            switch (*p) {
            case '{':
                ++p;
                if (eat('}'))
                    return true;
                do {
                    space();
                    if (!string() || !eat(':') || !skip(depth + 1))
                        return false;
                } while (eat(','));
                return eat('}');
            case '[':
                ++p;
                if (eat(']'))
                    return true;
                do {
                    if (!skip(depth + 1))
                        return false;
                } while (eat(','));
                return eat(']');
            case '"':
                return string();
            case 't':
                return literal("true");
            case 'f':
                return literal("false");
            case 'n':
                return literal("null");
            default: {
                bool integral;
                return number(&integral);
            }
            }
        }
    };

    struct Seg
    {
        QByteArrayView key; // raw, no escapes
        int index;          // >= 0: array element
    };

    static char kindOf(char c)
    {
        switch (c) {
        case '{':
        case '[':
        case '"':
        case 'n':
            return c;
        case 't':
        case 'f':
            return 'b';
        default:
            return (c == '-' || (c >= '0' && c <= '9')) ? '0' : 0;
        }
    }

    std::vector<PathSegment> fullPath() const
    {
        std::vector<PathSegment> out;
        out.reserve(m_path.size());
        for (const Seg &s : m_path)
            out.push_back(s.index >= 0 ? PathSegment::ofIndex(s.index)
                                       : PathSegment::ofKey(QString::fromUtf8(s.key)));
        return out;
    }

    // Raw JSON of one value, whitespace outside strings dropped, shortened.
    static QString render(QByteArrayView raw)
    {
        if (raw.isEmpty())
            return QString();
        // Rendered for every difference found: written through a pointer into a stack buffer
        // (one byte past the limit for an escape pair), then decoded once.
        constexpr qsizetype kLimit = 4 * kMaxRendered;
        char buffer[kLimit + 2];
        char *out = buffer;
        bool inString = false;
        for (qsizetype i = 0; i < raw.size() && out - buffer < kLimit; ++i) {
            const char c = raw[i];
            if (inString) {
                *out++ = c;
                if (c == '\\' && i + 1 < raw.size())
                    *out++ = raw[++i];
                else if (c == '"')
                    inString = false;
            } else if (c == '"') {
                inString = true;
                *out++ = c;
            } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                *out++ = c;
            }
        }
        return shorten(QString::fromUtf8(buffer, out - buffer));
    }

    // A value as JsonDiffer renders it (decoded strings, numbers as doubles, keys sorted).
    static QString renderAsDocument(QByteArrayView raw)
    {
        if (raw.isEmpty())
            return QString();
        QByteArray wrapped;
        wrapped.reserve(raw.size() + 2);
        wrapped += '[';
        wrapped += raw;
        wrapped += ']';
        return renderJson(QJsonDocument::fromJson(wrapped).array().at(0));
    }

    // A key written as .key in a JSON path (else ['key']).
    static bool isIdentifier(QByteArrayView key)
    {
        if (key.isEmpty())
            return false;
        for (qsizetype i = 0; i < key.size(); ++i) {
            const char c = key[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                  (i > 0 && c >= '0' && c <= '9')))
                return false;
        }
        return true;
    }

    // renderJsonPath(fullPath()) without building the segments: keys that are ASCII
    // identifiers (nearly all) are appended as they are.
    QString renderPath() const
    {
        // The usual path (identifier keys, indices) is ASCII: written into a stack buffer and
        // converted once, instead of a QString append per character.
        char buffer[256];
        qsizetype n = 0;
        buffer[n++] = '$';
        bool plain = true;
        for (const Seg &s : m_path) {
            if (n + s.key.size() + 24 > qsizetype(sizeof(buffer))) {
                plain = false;
                break;
            }
            if (s.index >= 0) {
                n += std::snprintf(buffer + n, sizeof(buffer) - size_t(n), "[%d]", s.index);
                continue;
            }
            if (!isIdentifier(s.key)) {
                plain = false;
                break;
            }
            buffer[n++] = '.';
            std::memcpy(buffer + n, s.key.data(), size_t(s.key.size()));
            n += s.key.size();
        }
        if (plain)
            return QString::fromLatin1(buffer, n);

        QString out;
        out.reserve(64);
        out += QLatin1Char('$');
        for (const Seg &s : m_path) {
            if (s.index >= 0) {
                out += QLatin1Char('[');
                out += QString::number(s.index);
                out += QLatin1Char(']');
                continue;
            }
            if (isIdentifier(s.key)) {
                out += QLatin1Char('.');
                out += QLatin1String(s.key.data(), s.key.size());
            } else {
                appendJsonPathKey(out, QString::fromUtf8(s.key));
            }
        }
        return out;
    }

    void report(FieldDiff::Kind kind, QByteArrayView a, QByteArrayView b)
    {
        bool ignored = false;
        if (m_noise.rules && m_noise.rules->hasJsonPathRules()) {
            const std::vector<PathSegment> path = fullPath();
            ignored =
                m_noise.rules->pathIgnored(path.data(), qsizetype(path.size()), m_noise.endpoint);
        }
        m_sink.add(kind, renderPath(), ignored, [&](FieldDiff &d) {
            d.primaryValue = m_sorted ? renderAsDocument(a) : render(a);
            d.mirrorValue = m_sorted ? renderAsDocument(b) : render(b);
        });
    }

    // Both subtrees (from..to) through QJsonDocument and JsonDiffer.
    bool domDiff(QByteArrayView a, QByteArrayView b)
    {
        const QJsonDocument da = QJsonDocument::fromJson(a.toByteArray());
        const QJsonDocument db = QJsonDocument::fromJson(b.toByteArray());
        if (da.isNull() || db.isNull())
            return false;
        JsonDiffer differ(m_options, m_noise, &m_sink);
        differ.setBase(fullPath());
        differ.diff(da.isArray() ? QJsonValue(da.array()) : QJsonValue(da.object()),
                    db.isArray() ? QJsonValue(db.array()) : QJsonValue(db.object()));
        return true;
    }

    bool numbersEqual(QByteArrayView a, QByteArrayView b, bool integral) const
    {
        const double x = a.toDouble();
        const double y = b.toDouble();
        if (x == y) {
            if (integral && std::fabs(x) >= 9007199254740992.0) {
                bool okA = false, okB = false;
                const qlonglong ia = a.toLongLong(&okA), ib = b.toLongLong(&okB);
                return okA && okB ? ia == ib : true;
            }
            return true;
        }
        const double allowed =
            std::max(m_options.absoluteTolerance,
                     m_options.relativeTolerance * std::max(std::fabs(x), std::fabs(y)));
        return std::fabs(x - y) <= allowed;
    }

    static bool stringsEqual(QByteArrayView a, QByteArrayView b)
    {
        // Escapes may spell the same text differently ("\u0041" and "A").
        const QJsonDocument da = QJsonDocument::fromJson('[' + a.toByteArray() + ']');
        const QJsonDocument db = QJsonDocument::fromJson('[' + b.toByteArray() + ']');
        return da.array().at(0) == db.array().at(0);
    }

    bool value(int depth)
    {
        m_a.space();
        m_b.space();
        if (m_a.p >= m_a.e || m_b.p >= m_b.e || depth > kMaxDepth)
            return false;
        const char ka = kindOf(*m_a.p), kb = kindOf(*m_b.p);
        if (!ka || !kb)
            return false;
        const char *sa = m_a.p, *sb = m_b.p;
        if (ka != kb) {
            if (!m_a.skip(depth) || !m_b.skip(depth))
                return false;
            report(FieldDiff::Kind::TypeChanged, {sa, m_a.p - sa}, {sb, m_b.p - sb});
            return true;
        }
        switch (ka) {
        case '{':
            return object(depth);
        case '[':
            return array(depth);
        case '"': {
            bool escaped = false;
            if (!m_a.string(&escaped) || !m_b.string(&escaped))
                return false;
            const QByteArrayView ra(sa, m_a.p - sa), rb(sb, m_b.p - sb);
            if (ra != rb && !(escaped && stringsEqual(ra, rb)))
                report(FieldDiff::Kind::Changed, ra, rb);
            return true;
        }
        case '0': {
            bool ia = true, ib = true;
            if (!m_a.number(&ia) || !m_b.number(&ib))
                return false;
            const QByteArrayView ra(sa, m_a.p - sa), rb(sb, m_b.p - sb);
            if (ra != rb && !numbersEqual(ra, rb, ia && ib))
                report(FieldDiff::Kind::Changed, ra, rb);
            return true;
        }
        default: { // true, false, null
            if (!m_a.skip(depth) || !m_b.skip(depth))
                return false;
            const QByteArrayView ra(sa, m_a.p - sa), rb(sb, m_b.p - sb);
            if (ra != rb)
                report(FieldDiff::Kind::Changed, ra, rb);
            return true;
        }
        }
    }

    // Hands both containers starting at sa / sb to the document-based differ.
    bool viaDom(const char *sa, const char *sb, const Sink::Mark &mark, int depth)
    {
        m_sink.rollback(mark);
        m_a.p = sa;
        m_b.p = sb;
        if (!m_a.skip(depth) || !m_b.skip(depth))
            return false;
        return domDiff({sa, m_a.p - sa}, {sb, m_b.p - sb});
    }

    // One object's members: raw keys (plain ASCII, no escapes) and where each value lies.
    struct Member
    {
        QByteArrayView key;
        const char *value;
        const char *end;
    };
    enum class Members { Ok, Unsorted, Invalid };

    // Reads the object at c.p (its '{') to past its '}', members sorted by key. Unsorted: a key
    // this walk cannot order as QJsonObject does (escaped, non-ASCII, duplicated).
    static Members members(Cursor &c, int depth, std::vector<Member> &out)
    {
        ++c.p;
        if (c.eat('}'))
            return Members::Ok;
        bool plain = true;
        do {
            c.space();
            const char *k = c.p;
            bool escaped = false;
            if (!c.string(&escaped))
                return Members::Invalid;
            const QByteArrayView key(k + 1, c.p - k - 2);
            if (!c.eat(':'))
                return Members::Invalid;
            c.space();
            const char *v = c.p;
            if (!c.skip(depth + 1))
                return Members::Invalid;
            out.push_back({key, v, c.p});
            if (escaped)
                plain = false;
        } while (c.eat(','));
        if (!c.eat('}'))
            return Members::Invalid;
        for (const Member &m : out) {
            for (const char ch : m.key) {
                if (quint8(ch) >= 0x80)
                    plain = false;
            }
        }
        if (!plain)
            return Members::Unsorted;
        std::sort(out.begin(), out.end(),
                  [](const Member &x, const Member &y) { return x.key.compare(y.key) < 0; });
        for (size_t i = 1; i < out.size(); ++i) {
            if (out[i - 1].key == out[i].key)
                return Members::Unsorted;
        }
        return Members::Ok;
    }

    // Two objects whose keys differ: merged in sorted key order, as JsonDiffer walks
    // QJsonObjects, and so is everything below (m_sorted), with values rendered as it renders
    // them: the same differences in the same order, without building documents.
    bool sortedObject(const char *sa, const char *sb, const Sink::Mark &mark, int depth)
    {
        m_sink.rollback(mark);
        m_a.p = sa;
        m_b.p = sb;
        std::vector<Member> ma, mb;
        const Members ra = members(m_a, depth, ma);
        const Members rb = members(m_b, depth, mb);
        if (ra == Members::Invalid || rb == Members::Invalid)
            return false;
        if (ra == Members::Unsorted || rb == Members::Unsorted)
            return viaDom(sa, sb, mark, depth);
        const Cursor endA = m_a, endB = m_b;
        ++m_sorted;
        size_t i = 0, j = 0;
        bool ok = true;
        while (ok && (i < ma.size() || j < mb.size())) {
            const int order = i == ma.size()   ? 1
                              : j == mb.size() ? -1
                                               : ma[i].key.compare(mb[j].key);
            if (order < 0) {
                m_path.push_back({ma[i].key, -1});
                report(FieldDiff::Kind::Removed, {ma[i].value, ma[i].end - ma[i].value}, {});
                m_path.pop_back();
                ++i;
            } else if (order > 0) {
                m_path.push_back({mb[j].key, -1});
                report(FieldDiff::Kind::Added, {}, {mb[j].value, mb[j].end - mb[j].value});
                m_path.pop_back();
                ++j;
            } else {
                m_a.p = ma[i].value;
                m_b.p = mb[j].value;
                m_path.push_back({ma[i].key, -1});
                ok = value(depth + 1);
                m_path.pop_back();
                ++i;
                ++j;
            }
        }
        --m_sorted;
        m_a = endA;
        m_b = endB;
        return ok;
    }

    bool object(int depth)
    {
        const char *sa = m_a.p, *sb = m_b.p;
        const Sink::Mark mark = m_sink.mark();
        if (m_sorted)
            return sortedObject(sa, sb, mark, depth);
        ++m_a.p;
        ++m_b.p;
        const bool emptyA = m_a.eat('}'), emptyB = m_b.eat('}');
        if (emptyA && emptyB)
            return true;
        if (emptyA != emptyB)
            return sortedObject(sa, sb, mark, depth);
        do {
            m_a.space();
            m_b.space();
            const char *ka = m_a.p, *kb = m_b.p;
            bool escaped = false;
            if (!m_a.string(&escaped) || !m_b.string(&escaped))
                return false;
            const QByteArrayView keyA(ka + 1, m_a.p - ka - 2), keyB(kb + 1, m_b.p - kb - 2);
            if (escaped || keyA != keyB)
                return sortedObject(sa, sb, mark, depth);
            if (!m_a.eat(':') || !m_b.eat(':'))
                return false;
            m_path.push_back({keyA, -1});
            const bool ok = value(depth + 1);
            m_path.pop_back();
            if (!ok)
                return false;
            const bool moreA = m_a.eat(','), moreB = m_b.eat(',');
            if (moreA != moreB)
                return sortedObject(sa, sb, mark, depth);
            if (!moreA)
                break;
        } while (true);
        return m_a.eat('}') && m_b.eat('}');
    }

    bool array(int depth)
    {
        const char *sa = m_a.p, *sb = m_b.p;
        if (m_options.arrayOrderInsensitive)
            return viaDom(sa, sb, m_sink.mark(), depth);
        ++m_a.p;
        ++m_b.p;
        bool moreA = !m_a.eat(']'), moreB = !m_b.eat(']');
        int index = 0;
        while (moreA && moreB) {
            m_path.push_back({{}, index});
            const bool ok = value(depth + 1);
            m_path.pop_back();
            if (!ok)
                return false;
            ++index;
            moreA = m_a.eat(',');
            moreB = m_b.eat(',');
            if (!moreA && !m_a.eat(']'))
                return false;
            if (!moreB && !m_b.eat(']'))
                return false;
        }
        // One side has more elements: each is Removed (primary) or Added (mirror).
        Cursor &rest = moreA ? m_a : m_b;
        while (moreA || moreB) {
            rest.space();
            const char *s = rest.p;
            if (!rest.skip(depth + 1))
                return false;
            m_path.push_back({{}, index++});
            if (moreA)
                report(FieldDiff::Kind::Removed, {s, rest.p - s}, {});
            else
                report(FieldDiff::Kind::Added, {}, {s, rest.p - s});
            m_path.pop_back();
            if (!rest.eat(',')) {
                if (!rest.eat(']'))
                    return false;
                moreA = moreB = false;
            }
        }
        return true;
    }

    Cursor m_a;
    Cursor m_b;
    const CompareOptions &m_options;
    const NoiseContext &m_noise;
    Sink &m_sink;
    std::vector<Seg> m_path;
    int m_sorted = 0; // > 0: inside objects whose keys differ (see sortedObject)
};

// --- text ------------------------------------------------------------------------------------

struct Lines
{
    std::vector<QByteArrayView> line;
    std::vector<size_t> hash;

    explicit Lines(QByteArrayView body)
    {
        qsizetype start = 0;
        while (start < body.size()) {
            qsizetype end = body.indexOf('\n', start);
            if (end < 0)
                end = body.size();
            const QByteArrayView l = body.sliced(start, end - start);
            line.push_back(l);
            hash.push_back(qHash(l));
            start = end + 1;
        }
    }
    qsizetype size() const { return qsizetype(line.size()); }
};

bool sameLine(const Lines &a, qsizetype i, const Lines &b, qsizetype j)
{
    return a.hash[size_t(i)] == b.hash[size_t(j)] && a.line[size_t(i)] == b.line[size_t(j)];
}

QString renderLine(QByteArrayView line)
{
    return shorten(
        QString::fromUtf8(line.first(std::min<qsizetype>(line.size(), 4 * kMaxRendered))));
}

void diffText(const BodyInput &pa, const BodyInput &pb, Sink &sink)
{
    const Lines a(pa.prefix);
    const Lines b(pb.prefix);
    qsizetype lo = 0;
    while (lo < a.size() && lo < b.size() && sameLine(a, lo, b, lo))
        ++lo;
    qsizetype hiA = a.size(), hiB = b.size();
    while (hiA > lo && hiB > lo && sameLine(a, hiA - 1, b, hiB - 1)) {
        --hiA;
        --hiB;
    }
    const qsizetype n = hiA - lo, m = hiB - lo;
    if (n == 0 && m == 0)
        return;

    auto changed = [&](qsizetype i, qsizetype j) {
        sink.add(FieldDiff::Kind::Changed, QStringLiteral("line %1").arg(i + 1), false,
                 [&](FieldDiff &d) {
                     d.primaryValue = renderLine(a.line[size_t(i)]);
                     d.mirrorValue = renderLine(b.line[size_t(j)]);
                 });
    };
    auto removed = [&](qsizetype i) {
        sink.add(FieldDiff::Kind::Removed, QStringLiteral("line %1").arg(i + 1), false,
                 [&](FieldDiff &d) { d.primaryValue = renderLine(a.line[size_t(i)]); });
    };
    auto added = [&](qsizetype j) {
        sink.add(FieldDiff::Kind::Added, QStringLiteral("line %1").arg(j + 1), false,
                 [&](FieldDiff &d) { d.mirrorValue = renderLine(b.line[size_t(j)]); });
    };
    // A run of deletions and insertions between equal lines: pairs are Changed lines.
    auto flush = [&](std::vector<qsizetype> &dels, std::vector<qsizetype> &ins) {
        const size_t common = std::min(dels.size(), ins.size());
        for (size_t k = 0; k < common; ++k)
            changed(dels[k], ins[k]);
        for (size_t k = common; k < dels.size(); ++k)
            removed(dels[k]);
        for (size_t k = common; k < ins.size(); ++k)
            added(ins[k]);
        dels.clear();
        ins.clear();
    };

    // Myers' O((N+M)D) shortest edit script over the differing middle, D bounded.
    const qsizetype maxD = std::min<qsizetype>(n + m, kMaxEdit);
    const qsizetype offset = maxD + 1;
    std::vector<qsizetype> v(size_t(2 * maxD + 3), 0);
    std::vector<std::vector<qsizetype>> trace;
    bool done = false;
    for (qsizetype d = 0; d <= maxD && !done; ++d) {
        trace.push_back(v);
        for (qsizetype k = -d; k <= d; k += 2) {
            qsizetype x;
            if (k == -d || (k != d && v[size_t(k - 1 + offset)] < v[size_t(k + 1 + offset)]))
                x = v[size_t(k + 1 + offset)];
            else
                x = v[size_t(k - 1 + offset)] + 1;
            qsizetype y = x - k;
            while (x < n && y < m && sameLine(a, lo + x, b, lo + y)) {
                ++x;
                ++y;
            }
            v[size_t(k + offset)] = x;
            if (x >= n && y >= m) {
                done = true;
                break;
            }
        }
    }

    std::vector<qsizetype> dels, ins;
    if (!done) {
        // Too different to align within the bound: line i against line i.
        for (qsizetype k = 0; k < std::max(n, m); ++k) {
            if (k < n && k < m) {
                if (!sameLine(a, lo + k, b, lo + k))
                    changed(lo + k, lo + k);
            } else if (k < n) {
                removed(lo + k);
            } else {
                added(lo + k);
            }
        }
        return;
    }

    // Walk the trace back from (n, m) to (0, 0): the script in reverse, equal lines included.
    enum class Op : char { Equal, Delete, Insert };
    std::vector<std::pair<Op, qsizetype>> script; // (op, index in a or b relative to lo)
    qsizetype x = n, y = m;
    for (qsizetype d = qsizetype(trace.size()) - 1; d >= 0; --d) {
        const std::vector<qsizetype> &vd = trace[size_t(d)];
        const qsizetype k = x - y;
        qsizetype prevK;
        if (k == -d || (k != d && vd[size_t(k - 1 + offset)] < vd[size_t(k + 1 + offset)]))
            prevK = k + 1;
        else
            prevK = k - 1;
        const qsizetype prevX = vd[size_t(prevK + offset)];
        const qsizetype prevY = prevX - prevK;
        while (x > prevX && y > prevY) {
            --x;
            --y;
            script.emplace_back(Op::Equal, x);
        }
        if (d > 0) {
            if (x == prevX)
                script.emplace_back(Op::Insert, y - 1);
            else
                script.emplace_back(Op::Delete, x - 1);
        }
        x = prevX;
        y = prevY;
    }
    for (auto it = script.rbegin(); it != script.rend(); ++it) {
        switch (it->first) {
        case Op::Equal:
            flush(dels, ins);
            break;
        case Op::Delete:
            dels.push_back(lo + it->second);
            break;
        case Op::Insert:
            ins.push_back(lo + it->second);
            break;
        }
    }
    flush(dels, ins);
}

// --- binary ----------------------------------------------------------------------------------

void diffBinary(const BodyInput &a, const BodyInput &b, Sink &sink)
{
    if (a.wholeSize() != b.wholeSize()) {
        sink.add(FieldDiff::Kind::Changed, QStringLiteral("size"), false, [&](FieldDiff &d) {
            d.primaryValue = sizeText(a.wholeSize());
            d.mirrorValue = sizeText(b.wholeSize());
        });
        return;
    }
    if (a.hash && b.hash) {
        if (a.hash != b.hash) {
            sink.add(FieldDiff::Kind::Changed, QStringLiteral("hash"), false, [&](FieldDiff &d) {
                d.primaryValue = hex(a.hash);
                d.mirrorValue = hex(b.hash);
            });
        }
        return;
    }
    const qsizetype common = std::min(a.prefix.size(), b.prefix.size());
    for (qsizetype i = 0; i < common; ++i) {
        if (a.prefix.at(i) != b.prefix.at(i)) {
            sink.add(FieldDiff::Kind::Changed, QStringLiteral("byte %1").arg(i), false,
                     [&](FieldDiff &d) {
                         d.primaryValue = QStringLiteral("0x%1").arg(quint8(a.prefix.at(i)), 2, 16,
                                                                     QLatin1Char('0'));
                         d.mirrorValue = QStringLiteral("0x%1").arg(quint8(b.prefix.at(i)), 2, 16,
                                                                    QLatin1Char('0'));
                     });
            return;
        }
    }
}

BodyDiff::Mode modeOfEqual(const BodyInput &in)
{
    if (isJsonType(in.contentType))
        return BodyDiff::Mode::Json;
    if (!isIdentityEncoding(in.contentEncoding) || isBinaryType(in.contentType))
        return BodyDiff::Mode::Binary;
    return startsLikeJson(in.prefix) ? BodyDiff::Mode::Json : BodyDiff::Mode::Text;
}

} // namespace

bool sameBody(const BodyInput &a, const BodyInput &b)
{
    if (a.wholeSize() != b.wholeSize())
        return false;
    if (a.hash && b.hash)
        return a.hash == b.hash;
    return a.complete() && b.complete() && a.prefix == b.prefix;
}

QString generalizeIndices(const QString &path)
{
    if (!path.startsWith(u'$') || !path.contains(u'['))
        return path;
    QString out;
    out.reserve(path.size());
    qsizetype i = 0;
    while (i < path.size()) {
        const QChar c = path.at(i);
        if (c == u'[' && i + 1 < path.size()) {
            const QChar next = path.at(i + 1);
            if (next == u'\'' || next == u'"') {
                // a quoted key: copy through its closing quote (escapes included)
                out += c;
                out += next;
                i += 2;
                while (i < path.size()) {
                    const QChar k = path.at(i);
                    out += k;
                    ++i;
                    if (k == u'\\' && i < path.size()) {
                        out += path.at(i++);
                    } else if (k == next) {
                        break;
                    }
                }
                continue;
            }
            qsizetype j = i + 1;
            while (j < path.size() && path.at(j).isDigit())
                ++j;
            if (j > i + 1 && j < path.size() && path.at(j) == u']') {
                out += QLatin1String("[*]");
                i = j + 1;
                continue;
            }
        }
        out += c;
        ++i;
    }
    return out;
}

BodyDiff diffBodies(const BodyInput &primary, const BodyInput &mirror,
                    const CompareOptions &options, const NoiseContext &noise)
{
    BodyDiff out;
    if (sameBody(primary, mirror)) {
        out.mode = modeOfEqual(primary);
        return out;
    }
    Sink sink(out, options, noise);
    const Hint ha = classify(primary);
    const Hint hb = classify(mirror);
    const bool cut = !primary.complete() || !mirror.complete();

    if (ha == Hint::Binary || hb == Hint::Binary) {
        out.mode = BodyDiff::Mode::Binary;
        out.truncated =
            cut && !(primary.hash && mirror.hash) && primary.wholeSize() == mirror.wholeSize();
        diffBinary(primary, mirror, sink);
    } else if ((ha == Hint::Json || hb == Hint::Json) && !cut && ha != Hint::Empty &&
               hb != Hint::Empty &&
               FastJson(primary.prefix, mirror.prefix, options, noise, sink).run()) {
        out.mode = BodyDiff::Mode::Json;
    } else if ((ha == Hint::Json || hb == Hint::Json) && !cut) {
        const bool typeA = isJsonType(primary.contentType);
        const bool typeB = isJsonType(mirror.contentType);
        const ParsedJson ja = ha == Hint::Empty ? ParsedJson() : parseJson(primary.prefix, typeA);
        const ParsedJson jb = hb == Hint::Empty ? ParsedJson() : parseJson(mirror.prefix, typeB);
        if ((ja.ok || ha == Hint::Empty) && (jb.ok || hb == Hint::Empty)) {
            out.mode = BodyDiff::Mode::Json;
            JsonDiffer differ(options, noise, &sink);
            if (ha == Hint::Empty || hb == Hint::Empty) {
                const bool ignored =
                    noise.rules && noise.rules->pathIgnored(nullptr, 0, noise.endpoint);
                const QJsonValue a = ja.value, b = jb.value;
                sink.add(ha == Hint::Empty ? FieldDiff::Kind::Added : FieldDiff::Kind::Removed,
                         QStringLiteral("$"), ignored, [&](FieldDiff &d) {
                             d.primaryValue = renderJson(a);
                             d.mirrorValue = renderJson(b);
                         });
            } else {
                differ.diff(ja.value, jb.value);
            }
        } else {
            // Not JSON on at least one side: say which, then compare as text.
            out.mode = BodyDiff::Mode::Text;
            if (ja.ok != jb.ok) {
                const bool ignored =
                    noise.rules && noise.rules->pathIgnored(nullptr, 0, noise.endpoint);
                auto describe = [](const ParsedJson &p, Hint h) {
                    if (h == Hint::Empty)
                        return QStringLiteral("empty body");
                    return p.ok ? QStringLiteral("valid JSON")
                                : shorten(QStringLiteral("not valid JSON: ") + p.error);
                };
                sink.add(FieldDiff::Kind::TypeChanged, QStringLiteral("$"), ignored,
                         [&](FieldDiff &d) {
                             d.primaryValue = describe(ja, ha);
                             d.mirrorValue = describe(jb, hb);
                         });
            }
            diffText(primary, mirror, sink);
        }
    } else {
        out.mode = BodyDiff::Mode::Text;
        out.truncated = cut;
        diffText(primary, mirror, sink);
    }

    // The kept prefixes agree but the bodies do not: the difference lies past the prefix.
    if (!sink.anything() && out.mode != BodyDiff::Mode::Json) {
        out.truncated = cut;
        sink.add(FieldDiff::Kind::Changed, QStringLiteral("body"), false, [&](FieldDiff &d) {
            d.primaryValue =
                sizeText(primary.wholeSize()) +
                (primary.hash ? QStringLiteral(", hash ") + hex(primary.hash) : QString());
            d.mirrorValue =
                sizeText(mirror.wholeSize()) +
                (mirror.hash ? QStringLiteral(", hash ") + hex(mirror.hash) : QString());
        });
    }
    out.equal = sink.counted() == 0;
    return out;
}

BodyDiff diffBodies(const QByteArray &primary, const QByteArray &mirror,
                    const QByteArray &primaryContentType, const QByteArray &mirrorContentType,
                    const CompareOptions &options, const NoiseRules *rules)
{
    BodyInput a;
    a.prefix = primary;
    a.contentType = primaryContentType;
    BodyInput b;
    b.prefix = mirror;
    b.contentType = mirrorContentType;
    NoiseContext noise;
    noise.rules = rules;
    return diffBodies(a, b, options, noise);
}

} // namespace Observe
