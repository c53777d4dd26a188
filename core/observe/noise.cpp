#include "observe/noise.h"

#include <QFile>
#include <QJsonDocument>

#include <QJsonArray>

namespace Observe {

namespace {

bool isIdentifierKey(const QString &key)
{
    if (key.isEmpty())
        return false;
    for (qsizetype i = 0; i < key.size(); ++i) {
        const char16_t c = key.at(i).unicode();
        const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        const bool digit = c >= '0' && c <= '9';
        if (!letter && !(digit && i > 0))
            return false;
    }
    return true;
}

bool isTokenChar(char16_t c)
{
    // RFC 9110 tchar
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c < 128 && QByteArrayView("!#$%&'*+-.^_`|~").contains(char(c));
}

bool globMatch(QByteArrayView text, QStringView glob)
{
    // '*' = any run of characters; iterative with one backtrack point (no recursion).
    qsizetype t = 0, g = 0, starG = -1, starT = 0;
    while (t < text.size()) {
        if (g < glob.size() && glob.at(g) == u'*') {
            starG = g++;
            starT = t;
        } else if (g < glob.size() &&
                   QChar::toLower(char16_t(quint8(text.at(t)))) == glob.at(g).unicode()) {
            ++g;
            ++t;
        } else if (starG >= 0) {
            g = starG + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (g < glob.size() && glob.at(g) == u'*')
        ++g;
    return g == glob.size();
}

bool equalsLower(QByteArrayView name, const QString &lower)
{
    if (name.size() != lower.size())
        return false;
    for (qsizetype i = 0; i < name.size(); ++i) {
        if (QChar::toLower(char16_t(quint8(name.at(i)))) != lower.at(i).unicode())
            return false;
    }
    return true;
}

constexpr QByteArrayView kDefaultIgnored[] = {
    "date",       "server",     "x-request-id",     "content-length",
    "connection", "keep-alive", "proxy-connection", "transfer-encoding",
    "te",         "trailer",    "upgrade",          "x-envoy-upstream-service-time",
};

QString quoteForError(const QString &text)
{
    return QLatin1Char('\'') + text + QLatin1Char('\'');
}

} // namespace

void appendJsonPathKey(QString &path, const QString &key)
{
    if (isIdentifierKey(key)) {
        path += QLatin1Char('.');
        path += key;
        return;
    }
    path += QLatin1String("['");
    for (const QChar c : key) {
        if (c == u'\'' || c == u'\\')
            path += QLatin1Char('\\');
        path += c;
    }
    path += QLatin1String("']");
}

QString renderJsonPath(const PathSegment *segments, qsizetype count)
{
    QString path = QStringLiteral("$");
    for (qsizetype i = 0; i < count; ++i) {
        if (segments[i].index >= 0) {
            path += QLatin1Char('[');
            path += QString::number(segments[i].index);
            path += QLatin1Char(']');
        } else {
            appendJsonPathKey(path, segments[i].key);
        }
    }
    return path;
}

// --- JsonPathPattern -------------------------------------------------------------------------

std::optional<JsonPathPattern> JsonPathPattern::parse(const QString &text, QString *error)
{
    auto fail = [&](const QString &why, qsizetype at) -> std::optional<JsonPathPattern> {
        if (error)
            *error = QStringLiteral("%1 at character %2").arg(why).arg(at + 1);
        return std::nullopt;
    };
    JsonPathPattern p;
    p.m_text = text;
    if (!text.startsWith(u'$'))
        return fail(QStringLiteral("a JSON path starts with '$'"), 0);
    qsizetype i = 1;
    const qsizetype n = text.size();
    while (i < n) {
        const QChar c = text.at(i);
        if (c == u'.') {
            if (i + 1 < n && text.at(i + 1) == u'.') {
                if (!p.m_steps.empty() && p.m_steps.back().type == Step::Type::Descent)
                    return fail(QStringLiteral("'...' is not a path step"), i);
                p.m_steps.push_back({Step::Type::Descent, {}, -1});
                ++i; // the second dot starts the next step below (a key or '*')
                if (i + 1 >= n)
                    return fail(QStringLiteral("'..' must be followed by a key"), i);
                if (text.at(i + 1) == u'[') {
                    ++i; // "$..[0]": descent then a bracket step
                    continue;
                }
            }
            ++i;
            if (i < n && text.at(i) == u'*') {
                p.m_steps.push_back({Step::Type::Any, {}, -1});
                ++i;
                continue;
            }
            const qsizetype start = i;
            while (i < n && text.at(i) != u'.' && text.at(i) != u'[')
                ++i;
            if (i == start)
                return fail(QStringLiteral("empty key"), start);
            const QString key = text.mid(start, i - start);
            if (key.contains(u']') || key.contains(u'\'') || key.contains(u'*'))
                return fail(QStringLiteral("key %1 needs the ['...'] form").arg(quoteForError(key)),
                            start);
            p.m_steps.push_back({Step::Type::Key, key, -1});
        } else if (c == u'[') {
            const qsizetype open = i;
            ++i;
            if (i >= n)
                return fail(QStringLiteral("unterminated '['"), open);
            const QChar q = text.at(i);
            if (q == u'\'' || q == u'"') {
                QString key;
                ++i;
                bool closed = false;
                while (i < n) {
                    const QChar k = text.at(i);
                    if (k == u'\\' && i + 1 < n) {
                        key += text.at(i + 1);
                        i += 2;
                        continue;
                    }
                    if (k == q) {
                        closed = true;
                        ++i;
                        break;
                    }
                    key += k;
                    ++i;
                }
                if (!closed)
                    return fail(QStringLiteral("unterminated quoted key"), open);
                if (i >= n || text.at(i) != u']')
                    return fail(QStringLiteral("unterminated '['"), open);
                ++i;
                p.m_steps.push_back({Step::Type::Key, key, -1});
            } else if (q == u'*') {
                ++i;
                if (i >= n || text.at(i) != u']')
                    return fail(QStringLiteral("unterminated '['"), open);
                ++i;
                p.m_steps.push_back({Step::Type::Any, {}, -1});
            } else {
                const qsizetype start = i;
                while (i < n && text.at(i).isDigit() && text.at(i).unicode() < 128)
                    ++i;
                if (i == start)
                    return fail(QStringLiteral("expected an index, '*' or a quoted key after '['"),
                                start);
                if (i >= n || text.at(i) != u']')
                    return fail(QStringLiteral("unterminated '['"), open);
                bool ok = false;
                const int index = text.mid(start, i - start).toInt(&ok);
                if (!ok)
                    return fail(QStringLiteral("index out of range"), start);
                ++i;
                p.m_steps.push_back({Step::Type::Index, {}, index});
            }
        } else {
            return fail(QStringLiteral("unexpected '%1'").arg(c), i);
        }
    }
    return p;
}

std::optional<QList<PathSegment>> JsonPathPattern::parsePath(const QString &text)
{
    const auto pattern = parse(text);
    if (!pattern)
        return std::nullopt;
    QList<PathSegment> out;
    for (const Step &s : pattern->m_steps) {
        if (s.type == Step::Type::Key)
            out.append(PathSegment::ofKey(s.key));
        else if (s.type == Step::Type::Index)
            out.append(PathSegment::ofIndex(s.index));
        else
            return std::nullopt;
    }
    return out;
}

bool JsonPathPattern::matches(const PathSegment *segments, qsizetype count) const
{
    return matchFrom(0, segments, 0, count);
}

bool JsonPathPattern::matchFrom(qsizetype step, const PathSegment *segments, qsizetype at,
                                qsizetype count) const
{
    while (true) {
        if (step == qsizetype(m_steps.size()))
            return true; // the pattern names this path or an ancestor of it
        const Step &s = m_steps[size_t(step)];
        if (s.type == Step::Type::Descent) {
            for (qsizetype k = at; k <= count; ++k) {
                if (matchFrom(step + 1, segments, k, count))
                    return true;
            }
            return false;
        }
        if (at >= count)
            return false;
        const PathSegment &seg = segments[at];
        switch (s.type) {
        case Step::Type::Key:
            if (seg.index >= 0 || seg.key != s.key)
                return false;
            break;
        case Step::Type::Index:
            if (seg.index != s.index)
                return false;
            break;
        case Step::Type::Any:
        case Step::Type::Descent:
            break;
        }
        ++step;
        ++at;
    }
}

// --- NoiseRules ------------------------------------------------------------------------------

NoiseRules::NoiseRules() = default;
NoiseRules::~NoiseRules() = default;
NoiseRules::NoiseRules(const NoiseRules &) = default;
NoiseRules &NoiseRules::operator=(const NoiseRules &) = default;

QStringList NoiseRules::defaultIgnoredHeaders()
{
    QStringList out;
    for (const QByteArrayView name : kDefaultIgnored)
        out.append(QString::fromLatin1(name));
    return out;
}

bool NoiseRules::isDefaultIgnoredHeader(QByteArrayView name)
{
    // Asked for every header of every leg: the length picks the candidates, the bytes are
    // compared ASCII-case-insensitively in place (no qstrnicmp call per name).
    auto same = [](QByteArrayView n, QByteArrayView lower) {
        for (qsizetype i = 0; i < n.size(); ++i) {
            const char c = n[i];
            if ((c >= 'A' && c <= 'Z' ? char(c + 32) : c) != lower[i])
                return false;
        }
        return true;
    };
    // Names by length: at most two candidates per length.
    switch (name.size()) {
    case 2:
        return same(name, "te");
    case 4:
        return same(name, "date");
    case 6:
        return same(name, "server");
    case 7:
        return same(name, "trailer") || same(name, "upgrade");
    case 10:
        return same(name, "connection") || same(name, "keep-alive");
    case 12:
        return same(name, "x-request-id");
    case 14:
        return same(name, "content-length");
    case 16:
        return same(name, "proxy-connection");
    case 17:
        return same(name, "transfer-encoding");
    case 29:
        return same(name, "x-envoy-upstream-service-time");
    default:
        return false;
    }
}

std::optional<QString> NoiseRules::normalizeEndpoint(const QString &text, QString *error)
{
    const QString t = text.simplified();
    if (t.isEmpty())
        return QString();
    const qsizetype space = t.indexOf(u' ');
    const QString method = space < 0 ? QString() : t.left(space).toUpper();
    const QString path = space < 0 ? t : t.mid(space + 1);
    if (!path.startsWith(u'/') || path.contains(u' ')) {
        if (error)
            *error = QStringLiteral("endpoint %1 is not \"METHOD /path\" or \"/path\"")
                         .arg(quoteForError(text));
        return std::nullopt;
    }
    for (const QChar c : method) {
        if (!isTokenChar(c.unicode())) {
            if (error)
                *error = QStringLiteral("endpoint %1: %2 is not an HTTP method")
                             .arg(quoteForError(text), quoteForError(method));
            return std::nullopt;
        }
    }
    return method.isEmpty() ? path : method + QLatin1Char(' ') + path;
}

bool NoiseRules::add(const Rule &rule, QString *error)
{
    QString why;
    const auto endpoint = normalizeEndpoint(rule.endpoint, &why);
    if (!endpoint) {
        if (error)
            *error = why;
        return false;
    }
    Rule r = rule;
    r.endpoint = *endpoint;
    if (r.kind == Rule::Kind::Header) {
        r.pattern = r.pattern.trimmed().toLower();
        bool ok = !r.pattern.isEmpty();
        for (const QChar c : r.pattern)
            ok = ok && isTokenChar(c.unicode());
        if (!ok) {
            if (error)
                *error = QStringLiteral("%1 is not a header name").arg(quoteForError(rule.pattern));
            return false;
        }
    } else {
        r.pattern = r.pattern.trimmed();
        if (!JsonPathPattern::parse(r.pattern, &why)) {
            if (error)
                *error = QStringLiteral("%1: %2").arg(quoteForError(rule.pattern), why);
            return false;
        }
    }
    if (!m_rules.contains(r)) {
        m_rules.append(r);
        rebuild();
    }
    return true;
}

bool NoiseRules::addHeader(const QString &name, const QString &endpoint, QString *error)
{
    return add({Rule::Kind::Header, name, endpoint}, error);
}

bool NoiseRules::addJsonPath(const QString &path, const QString &endpoint, QString *error)
{
    return add({Rule::Kind::JsonPath, path, endpoint}, error);
}

bool NoiseRules::remove(const Rule &rule)
{
    Rule r = rule;
    r.endpoint = normalizeEndpoint(rule.endpoint).value_or(rule.endpoint);
    if (r.kind == Rule::Kind::Header)
        r.pattern = r.pattern.trimmed().toLower();
    else
        r.pattern = r.pattern.trimmed();
    if (!m_rules.removeOne(r))
        return false;
    rebuild();
    return true;
}

void NoiseRules::clear()
{
    m_rules.clear();
    rebuild();
}

QList<NoiseRules::Rule> NoiseRules::rules() const
{
    return m_rules;
}

void NoiseRules::rebuild()
{
    m_global = {};
    m_byEndpoint.clear();
    m_hasPathRules = false;
    for (const Rule &r : std::as_const(m_rules)) {
        Bucket &b = r.endpoint.isEmpty() ? m_global : m_byEndpoint[r.endpoint];
        if (r.kind == Rule::Kind::Header) {
            (r.pattern.contains(u'*') ? b.headerGlobs : b.headerExact).append(r.pattern);
        } else {
            b.paths.push_back(*JsonPathPattern::parse(r.pattern));
            m_hasPathRules = true;
        }
    }
}

const NoiseRules::Bucket *NoiseRules::bucketFor(const QString &endpoint) const
{
    const auto it = m_byEndpoint.constFind(endpoint);
    return it == m_byEndpoint.cend() ? nullptr : &it.value();
}

bool NoiseRules::headerIgnored(QByteArrayView name, const QString &endpoint) const
{
    if (isDefaultIgnoredHeader(name))
        return true;
    if (m_rules.isEmpty())
        return false;
    auto inBucket = [&](const Bucket *b) {
        if (!b)
            return false;
        for (const QString &h : b->headerExact) {
            if (equalsLower(name, h))
                return true;
        }
        for (const QString &g : b->headerGlobs) {
            if (globMatch(name, g))
                return true;
        }
        return false;
    };
    if (inBucket(&m_global))
        return true;
    if (m_byEndpoint.isEmpty() || endpoint.isEmpty())
        return false;
    if (inBucket(bucketFor(endpoint)))
        return true;
    const qsizetype space = endpoint.indexOf(u' ');
    return space >= 0 && inBucket(bucketFor(endpoint.mid(space + 1)));
}

bool NoiseRules::pathIgnored(const PathSegment *segments, qsizetype count,
                             const QString &endpoint) const
{
    if (!m_hasPathRules)
        return false;
    auto inBucket = [&](const Bucket *b) {
        if (!b)
            return false;
        for (const JsonPathPattern &p : b->paths) {
            if (p.matches(segments, count))
                return true;
        }
        return false;
    };
    if (inBucket(&m_global))
        return true;
    if (m_byEndpoint.isEmpty() || endpoint.isEmpty())
        return false;
    if (inBucket(bucketFor(endpoint)))
        return true;
    const qsizetype space = endpoint.indexOf(u' ');
    return space >= 0 && inBucket(bucketFor(endpoint.mid(space + 1)));
}

bool NoiseRules::pathIgnored(const QString &path, const QString &endpoint) const
{
    const auto segments = JsonPathPattern::parsePath(path);
    return segments && pathIgnored(segments->constData(), segments->size(), endpoint);
}

QJsonObject NoiseRules::toJson() const
{
    auto put = [](QJsonObject &o, const char *key, const QString &value) {
        QJsonArray a = o.value(QLatin1String(key)).toArray();
        a.append(value);
        o.insert(QLatin1String(key), a);
    };
    QJsonObject out;
    QJsonObject endpoints;
    for (const Rule &r : m_rules) {
        const char *key = r.kind == Rule::Kind::Header ? "headers" : "jsonPaths";
        if (r.endpoint.isEmpty()) {
            put(out, key, r.pattern);
        } else {
            QJsonObject e = endpoints.value(r.endpoint).toObject();
            put(e, key, r.pattern);
            endpoints.insert(r.endpoint, e);
        }
    }
    if (!endpoints.isEmpty())
        out.insert(QLatin1String("endpoints"), endpoints);
    return out;
}

std::optional<NoiseRules> NoiseRules::load(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, f.errorString());
        return std::nullopt;
    }
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &parse);
    if (parse.error != QJsonParseError::NoError) {
        *error = QStringLiteral("%1: not JSON: %2 at character %3")
                     .arg(path, parse.errorString())
                     .arg(parse.offset + 1);
        return std::nullopt;
    }
    if (!doc.isObject()) {
        *error = QStringLiteral("%1: expected an object with \"headers\", \"jsonPaths\" or "
                                "\"endpoints\"")
                     .arg(path);
        return std::nullopt;
    }
    QStringList errors;
    NoiseRules rules = fromJson(doc.object(), &errors);
    if (!errors.isEmpty()) {
        *error = QStringLiteral("%1: %2").arg(path, errors.join(QStringLiteral("; ")));
        return std::nullopt;
    }
    return rules;
}

NoiseRules NoiseRules::fromJson(const QJsonObject &json, QStringList *errors)
{
    NoiseRules rules;
    auto report = [&](const QString &message) {
        if (errors)
            errors->append(message);
    };
    auto readLists = [&](const QJsonObject &o, const QString &where, const QString &endpoint) {
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QString name = it.key();
            const QString place = where.isEmpty() ? name : where + QLatin1Char('.') + name;
            Rule::Kind kind;
            if (name == QLatin1String("headers"))
                kind = Rule::Kind::Header;
            else if (name == QLatin1String("jsonPaths"))
                kind = Rule::Kind::JsonPath;
            else if (name == QLatin1String("endpoints") && where.isEmpty())
                continue;
            else {
                report(QStringLiteral("%1: unknown field").arg(place));
                continue;
            }
            if (!it.value().isArray()) {
                report(QStringLiteral("%1: expected an array of strings").arg(place));
                continue;
            }
            const QJsonArray a = it.value().toArray();
            for (qsizetype i = 0; i < a.size(); ++i) {
                const QString entry = QStringLiteral("%1[%2]").arg(place).arg(i);
                if (!a.at(i).isString()) {
                    report(QStringLiteral("%1: expected a string").arg(entry));
                    continue;
                }
                QString why;
                if (!rules.add({kind, a.at(i).toString(), endpoint}, &why))
                    report(QStringLiteral("%1: %2").arg(entry, why));
            }
        }
    };
    readLists(json, QString(), QString());
    const QJsonValue endpoints = json.value(QLatin1String("endpoints"));
    if (!endpoints.isUndefined() && !endpoints.isObject()) {
        report(QStringLiteral("endpoints: expected an object"));
    } else {
        const QJsonObject e = endpoints.toObject();
        for (auto it = e.begin(); it != e.end(); ++it) {
            QString key = it.key();
            key.replace(QLatin1String("'"), QLatin1String("\\'"));
            const QString place = QStringLiteral("endpoints['%1']").arg(key);
            QString why;
            if (!normalizeEndpoint(it.key(), &why) || it.key().trimmed().isEmpty()) {
                report(QStringLiteral("%1: %2").arg(
                    place, why.isEmpty() ? QStringLiteral("empty endpoint") : why));
                continue;
            }
            if (!it.value().isObject()) {
                report(QStringLiteral("%1: expected an object").arg(place));
                continue;
            }
            readLists(it.value().toObject(), place, it.key());
        }
    }
    return rules;
}

} // namespace Observe
