#include "observe/bodydiff.h"
#include "observe/noise.h"

#include <QElapsedTimer>
#include <QtTest>

using namespace Observe;
using Kind = FieldDiff::Kind;

namespace {

const QByteArray kJson = "application/json";

BodyDiff json(const QByteArray &a, const QByteArray &b, const CompareOptions &options = {},
              const NoiseRules *rules = nullptr)
{
    return diffBodies(a, b, kJson, kJson, options, rules);
}

// "Changed $.a: 1 -> 2" lines, easy to compare and to read in a failure.
QStringList describe(const BodyDiff &diff)
{
    QStringList out;
    for (const FieldDiff &f : diff.fields) {
        const char *kind = f.kind == Kind::Changed   ? "Changed"
                           : f.kind == Kind::Added   ? "Added"
                           : f.kind == Kind::Removed ? "Removed"
                                                     : "TypeChanged";
        out.append(QStringLiteral("%1 %2: %3 -> %4")
                       .arg(QLatin1String(kind), f.path, f.primaryValue, f.mirrorValue));
    }
    return out;
}

quint64 fnv(const QByteArray &bytes)
{
    quint64 h = 14695981039346656037ull;
    for (const char c : bytes) {
        h ^= quint8(c);
        h *= 1099511628211ull;
    }
    return h;
}

BodyInput leg(const QByteArray &whole, qsizetype keep, const QByteArray &contentType)
{
    BodyInput in;
    in.prefix = whole.left(keep);
    in.size = whole.size();
    in.hash = fnv(whole);
    in.contentType = contentType;
    return in;
}

} // namespace

class TestBodyDiff : public QObject
{
    Q_OBJECT

private slots:
    void equalJsonIgnoresFormattingAndKeyOrder()
    {
        const BodyDiff d = json(R"({"a": 1, "b": [1, 2]})", "{\n \"b\":[1,2],\"a\":1.0}\n");
        QCOMPARE(d.mode, BodyDiff::Mode::Json);
        QVERIFY(d.equal);
        QVERIFY(d.fields.isEmpty());
    }

    void nestedObjects()
    {
        const BodyDiff d = json(R"({"user": {"name": "Ann", "age": 30, "tags": {"x": 1}},
                                     "gone": true, "a b": {"c'd": 1}})",
                                R"({"user": {"name": "Bob", "age": 30, "email": "b@x",
                                     "tags": {"x": 2}}, "a b": {"c'd": 2}})");
        QCOMPARE(d.mode, BodyDiff::Mode::Json);
        QVERIFY(!d.equal);
        QCOMPARE(describe(d), (QStringList{
                                  "Changed $['a b']['c\\'d']: 1 -> 2",
                                  "Removed $.gone: true -> ",
                                  "Added $.user.email:  -> \"b@x\"",
                                  "Changed $.user.name: \"Ann\" -> \"Bob\"",
                                  "Changed $.user.tags.x: 1 -> 2",
                              }));
    }

    void orderedArrays()
    {
        const BodyDiff d = json(R"({"items": [1, 2, 3]})", R"({"items": [1, 2, 4, {"k": 5}]})");
        QCOMPARE(describe(d),
                 (QStringList{"Changed $.items[2]: 3 -> 4", "Added $.items[3]:  -> {\"k\":5}"}));
        const BodyDiff shorter = json("[1, 2, 3]", "[1]");
        QCOMPARE(describe(shorter), (QStringList{"Removed $[1]: 2 -> ", "Removed $[2]: 3 -> "}));
    }

    void unorderedArrays()
    {
        const QByteArray a = R"({"items": [{"id": 1, "n": "a"}, {"id": 2, "n": "b"}, 7]})";
        const QByteArray b = R"({"items": [7, {"id": 2, "n": "b"}, {"id": 1, "n": "a"}]})";
        QVERIFY(!json(a, b).equal); // order matters by default
        CompareOptions o;
        o.arrayOrderInsensitive = true;
        QVERIFY(json(a, b, o).equal);

        // Multiset: equal elements pair first, one changed element shows its changed field,
        // surplus elements are Removed / Added.
        const BodyDiff changed =
            json(R"([1, 1, {"id": 3, "v": "x"}, 9])", R"([{"id": 3, "v": "y"}, 1, 9, 1, 5])", o);
        QCOMPARE(describe(changed),
                 (QStringList{"Changed $[2].v: \"x\" -> \"y\"", "Added $[4]:  -> 5"}));
        const BodyDiff dup = json("[1, 1, 2]", "[2, 1]", o);
        QCOMPARE(describe(dup), (QStringList{"Removed $[1]: 1 -> "}));

        // Elements that differ only in an ignored field still pair across positions.
        NoiseRules rules;
        QVERIFY(rules.addJsonPath(QStringLiteral("$.items[*].id")));
        const BodyDiff ignored =
            json(R"({"items": [{"id": 1, "n": "a"}, {"id": 2, "n": "b"}]})",
                 R"({"items": [{"id": 9, "n": "b"}, {"id": 8, "n": "a"}]})", o, &rules);
        QVERIFY2(ignored.equal, qPrintable(describe(ignored).join(u'\n')));
        QCOMPARE(ignored.ignored.size(), 2);
    }

    void numericTolerance()
    {
        QVERIFY(!json("[100]", "[100.5]").equal);
        CompareOptions rel;
        rel.relativeTolerance = 0.01;
        QVERIFY(json("[100]", "[100.5]", rel).equal);
        QVERIFY(json("[100]", "[101]", rel).equal);
        const BodyDiff out = json("[100]", "[102]", rel);
        QCOMPARE(describe(out), QStringList{"Changed $[0]: 100 -> 102"});
        CompareOptions abs;
        abs.absoluteTolerance = 0.5;
        QVERIFY(json("[0.1]", "[0.6]", abs).equal);
        QVERIFY(!json("[0.1]", "[0.7]", abs).equal);
        QCOMPARE(describe(json("[0.1]", "[0.25]")), QStringList{"Changed $[0]: 0.1 -> 0.25"});
        // Integers past 2^53 are ids, not measurements: one apart is a change.
        QVERIFY(!json("[9007199254740993]", "[9007199254740992]").equal);
        QVERIFY(json("[9007199254740993]", "[9007199254740993]").equal);
    }

    void typeChanges()
    {
        const BodyDiff d = json(R"({"a": "1", "b": null, "c": [1], "d": true})",
                                R"({"a": 1, "b": {}, "c": {"0": 1}, "d": "true"})");
        QCOMPARE(describe(d),
                 (QStringList{"TypeChanged $.a: \"1\" -> 1", "TypeChanged $.b: null -> {}",
                              "TypeChanged $.c: [1] -> {\"0\":1}",
                              "TypeChanged $.d: true -> \"true\""}));
    }

    void lockstepAndDocumentWaysAgree()
    {
        // The same shape: walked in lockstep, in document order.
        QCOMPARE(
            describe(json(R"({"b": 1, "a": {"x": [1, "s", true, null]}})",
                          R"({"b": 2, "a": {"x": [1, "t", false, 0]}})")),
            (QStringList{"Changed $.b: 1 -> 2", "Changed $.a.x[1]: \"s\" -> \"t\"",
                         "Changed $.a.x[2]: true -> false", "TypeChanged $.a.x[3]: null -> 0"}));
        // Other key order in one object: that object by sorted keys, the rest as it comes.
        QCOMPARE(describe(json(R"({"z": 1, "o": {"b": 1, "a": 1}, "y": [1, 2]})",
                               R"({"z": 2, "o": {"a": 2, "b": 2}, "y": [1, 2, {"k" : 3}]})")),
                 (QStringList{"Changed $.z: 1 -> 2", "Changed $.o.a: 1 -> 2",
                              "Changed $.o.b: 1 -> 2", "Added $.y[2]:  -> {\"k\":3}"}));
        // Spelled differently, equal in value.
        QVERIFY(json("{\"s\": \"\\u0041\\n\", \"n\": 1.0, \"e\": 1e2}",
                     "{\"s\": \"A\\n\", \"n\": 1, \"e\": 100}")
                    .equal);
        QVERIFY(!json("{\"s\": \"\\u0041\"}", "{\"s\": \"B\"}").equal);
        // Escaped keys and trailing junk take the document way, with the same answers.
        QCOMPARE(describe(json("{\"a\\\"b\": 1}", "{\"a\\\"b\": 2}")),
                 QStringList{"Changed $['a\"b']: 1 -> 2"});
        const BodyDiff junk = json(R"({"a": 1})", R"({"a": 2} x)");
        QCOMPARE(junk.mode, BodyDiff::Mode::Text);
        QVERIFY(junk.fields.at(0).mirrorValue.startsWith(QLatin1String("not valid JSON")));
        // Deep nesting does not exhaust the stack.
        const QByteArray deep = QByteArray(2000, '[') + QByteArray(2000, ']');
        const BodyDiff deepDiff = json(deep, QByteArray(2000, '[') + '1' + QByteArray(2000, ']'));
        QVERIFY(!deepDiff.equal);
    }

    void differingKeysAgreeWithTheDocumentWay()
    {
        // Objects whose keys differ are merged in sorted key order without building documents;
        // the answer must be the document way's. An escaped key makes the top-level object go
        // the document way: the same pair with and without it must list the same differences.
        const QList<QPair<QByteArray, QByteArray>> pairs = {
            {"\"z\": 1, \"b\": {\"y\": 1, \"x\": \"s\\u00e9\"}, \"c\": [1, 2.50, {\"k\": 1, \"j\": "
             "2}]",
             R"( "b": {"y": 2, "x": "t"}, "locale": "en", "c": [1, 2.5, {"j": 3, "k": 1}, "x"])"},
            {R"( "time": "12:00", "items": [{"sku": "A", "price": 9.99}], "v": 1e2)",
             R"( "time": "12:01", "items": [{"sku": "A", "price": 10}], "v": 100, "new": {"b": 1, "a": [true, null]})"},
            {R"( "error": "injected", "status": 500)",
             "\"id\": 7, \"name\": \"user-7\", \"tags\": [\"a\\\"b\", \"\\/c\"], \"meta\": {}"},
            {R"( "n": {}, "e": [], "o": {"p": {"q": 1}})",
             R"( "n": {"a": 1}, "e": [{}], "o": {"p": {"q": "1", "r": 2}}, "x": 1)"},
        };
        for (const auto &[a, b] : pairs) {
            const BodyDiff fast = json("{\"k0\": 0, " + a + '}', "{\"k0\": 0, " + b + '}');
            const BodyDiff document =
                json("{\"k\\u0030\": 0, " + a + '}', "{\"k0\": 0, " + b + '}');
            QVERIFY(!fast.fields.isEmpty());
            QCOMPARE(describe(fast), describe(document));
            QCOMPARE(fast.equal, document.equal);
            QCOMPARE(fast.mode, BodyDiff::Mode::Json);
        }
        // With noise: rules and learned paths inside a merged object.
        NoiseRules rules;
        QVERIFY(rules.addJsonPath(QStringLiteral("$.b.y")));
        NoiseContext noise;
        noise.rules = &rules;
        noise.learned = [](const QString &path) { return path == QLatin1String("$.locale"); };
        BodyInput a, b, ea;
        a.prefix = R"({"k0": 0, "b": {"y": 1, "x": 1}, "z": 1})";
        ea.prefix = R"({"k\u0030": 0, "b": {"y": 1, "x": 1}, "z": 1})";
        b.prefix = R"({"k0": 0, "locale": "en", "b": {"x": 2, "y": 2}})";
        a.contentType = b.contentType = ea.contentType = kJson;
        const BodyDiff fast = diffBodies(a, b, {}, noise);
        const BodyDiff document = diffBodies(ea, b, {}, noise);
        QCOMPARE(describe(fast), describe(document));
        QCOMPARE(fast.ignored, document.ignored);
        QCOMPARE(fast.ignored, QStringList{"$.b.y"});
        QCOMPARE(fast.fields.size(), 3);
        QVERIFY(fast.fields.at(1).noisy); // $.locale
        QVERIFY(!fast.equal);
    }

    void scalarJsonBodies()
    {
        const BodyDiff d = json("42", "43");
        QCOMPARE(d.mode, BodyDiff::Mode::Json);
        QCOMPARE(describe(d), QStringList{"Changed $: 42 -> 43"});
        QCOMPARE(describe(json("\"a\"", "\"b\"")), QStringList{"Changed $: \"a\" -> \"b\""});
    }

    void jsonDetectedWithoutContentType()
    {
        const BodyDiff d = diffBodies(R"({"a":1})", R"({"a":2})", {}, "text/plain", {});
        QCOMPARE(d.mode, BodyDiff::Mode::Json);
        QCOMPARE(describe(d), QStringList{"Changed $.a: 1 -> 2"});
        QCOMPARE(diffBodies("[1]", "[2]", "application/problem+json", {}, {}).mode,
                 BodyDiff::Mode::Json);
    }

    void invalidJsonOnOneSide()
    {
        const BodyDiff d = json("{\"a\": 1,\n\"b\": 2}", "{\"a\": 1,\n\"b\": }");
        QCOMPARE(d.mode, BodyDiff::Mode::Text);
        QVERIFY(!d.equal);
        QVERIFY(d.fields.size() >= 2);
        QCOMPARE(d.fields.at(0).kind, Kind::TypeChanged);
        QCOMPARE(d.fields.at(0).path, QStringLiteral("$"));
        QCOMPARE(d.fields.at(0).primaryValue, QStringLiteral("valid JSON"));
        QVERIFY2(d.fields.at(0).mirrorValue.startsWith(QLatin1String("not valid JSON: ")),
                 qPrintable(d.fields.at(0).mirrorValue));
        QVERIFY(d.fields.at(0).mirrorValue.contains(QLatin1String("at offset")));
        QCOMPARE(d.fields.at(1).path, QStringLiteral("line 2"));

        // The other side; an HTML error page against JSON.
        const BodyDiff html =
            diffBodies("<html>oops</html>", R"({"ok":true})", "text/html", kJson, {});
        QCOMPARE(html.mode, BodyDiff::Mode::Text);
        QVERIFY(html.fields.at(0).primaryValue.startsWith(QLatin1String("not valid JSON")));
        QCOMPARE(html.fields.at(0).mirrorValue, QStringLiteral("valid JSON"));

        // Both invalid: a text diff without a validity line.
        const BodyDiff both = json("{x", "{y");
        QCOMPARE(describe(both), QStringList{"Changed line 1: {x -> {y"});

        // Garbage never crashes.
        const QByteArray junk("\x7b\x22\xff\xfe\x00\x5b", 6);
        QVERIFY(!json(junk, "{}").equal);
    }

    void emptyAgainstJson()
    {
        const BodyDiff d = json("", R"({"a":1})");
        QCOMPARE(d.mode, BodyDiff::Mode::Json);
        QCOMPARE(describe(d), QStringList{"Added $:  -> {\"a\":1}"});
        QVERIFY(json("", "").equal);
    }

    void textLineDiff()
    {
        const QByteArray a = "alpha\nbeta\ngamma\ndelta\nepsilon\n";
        const QByteArray b = "alpha\nbeta\nNEW\ngamma\ndelta\nEPSILON\n";
        const BodyDiff d = diffBodies(a, b, "text/plain", "text/plain", {});
        QCOMPARE(d.mode, BodyDiff::Mode::Text);
        QVERIFY(!d.equal);
        // The insertion is aligned, not reported as every following line changed.
        QCOMPARE(describe(d),
                 (QStringList{"Added line 3:  -> NEW", "Changed line 5: epsilon -> EPSILON"}));
        const BodyDiff removed = diffBodies("a\nb\nc\n", "a\nc\n", "text/plain", "text/plain", {});
        QCOMPARE(describe(removed), QStringList{"Removed line 2: b -> "});
        // Only a trailing newline differs: no line differs, the body does.
        const BodyDiff newline = diffBodies("a\n", "a", "text/plain", "text/plain", {});
        QVERIFY(!newline.equal);
        QCOMPARE(describe(newline), QStringList{"Changed body: 2 bytes -> 1 bytes"});
    }

    void bigTextIsBounded()
    {
        // 40,000 lines, every one different: the aligner gives up at its bound and pairs lines.
        QByteArray a, b;
        for (int i = 0; i < 40000; ++i) {
            a += "line a " + QByteArray::number(i) + '\n';
            b += "line b " + QByteArray::number(i) + '\n';
        }
        QElapsedTimer timer;
        timer.start();
        const BodyDiff d = diffBodies(a, b, "text/plain", "text/plain", {});
        QVERIFY(!d.equal);
        QCOMPARE(d.fields.size(), 50);
        QCOMPARE(d.omittedFields, 40000 - 50);
        QCOMPARE(d.fields.first().path, QStringLiteral("line 1"));
        qInfo() << "40,000 differing lines diffed in" << timer.elapsed() << "ms";

        // A few changes in a big body are still aligned exactly.
        QByteArray c = a;
        c.replace("line a 20000\n", "inserted\nline a 20000\n");
        const BodyDiff few = diffBodies(a, c, "text/plain", "text/plain", {});
        QCOMPARE(describe(few), QStringList{"Added line 20001:  -> inserted"});
    }

    void binaryBodies()
    {
        const QByteArray png = "\x89PNG\r\n\x1a\n";
        BodyInput a = leg(png + "aaaa", 1024, "image/png");
        BodyInput b = leg(png + "aaab", 1024, "image/png");
        const BodyDiff d = diffBodies(a, b, {});
        QCOMPARE(d.mode, BodyDiff::Mode::Binary);
        QCOMPARE(d.fields.size(), 1);
        QCOMPARE(d.fields.at(0).path, QStringLiteral("hash"));
        QCOMPARE(d.fields.at(0).primaryValue.size(), 16);

        b = leg(png + "aaaaa", 1024, "image/png");
        QCOMPARE(describe(diffBodies(a, b, {})), QStringList{"Changed size: 12 bytes -> 13 bytes"});

        // Sniffed: NUL bytes without a content type; hashes unknown: the first differing byte.
        const BodyDiff sniffed =
            diffBodies(QByteArray("ab\0c", 4), QByteArray("ab\0d", 4), {}, {}, {});
        QCOMPARE(sniffed.mode, BodyDiff::Mode::Binary);
        QCOMPARE(describe(sniffed), QStringList{"Changed byte 3: 0x63 -> 0x64"});

        // Equal hashes: equal, whatever the prefixes say.
        a = leg(png + "x", 4, "image/png");
        b = a;
        QVERIFY(diffBodies(a, b, {}).equal);
        QVERIFY(!diffBodies(a, b, {}).truncated);
    }

    void gzipIsComparedAsBinary()
    {
        BodyInput a = leg(R"({"a":1})", 100, kJson);
        BodyInput b = leg(R"({"a":2})", 100, kJson);
        a.contentEncoding = b.contentEncoding = "gzip";
        const BodyDiff d = diffBodies(a, b, {});
        QCOMPARE(d.mode, BodyDiff::Mode::Binary);
        QCOMPARE(describe(d).size(), 1);
    }

    void truncatedPrefixes()
    {
        QByteArray whole = "{\"items\": [";
        for (int i = 0; i < 100; ++i)
            whole += "{\"n\": " + QByteArray::number(i) + "},\n";
        whole += "{}]}";
        QByteArray other = whole;
        other.replace("{\"n\": 99}", "{\"n\": -1}"); // past the kept prefix

        // Equal whole-body hashes: equal, no prefix diff needed.
        const BodyDiff same = diffBodies(leg(whole, 64, kJson), leg(whole, 64, kJson), {});
        QVERIFY(same.equal);
        QVERIFY(!same.truncated);

        // The difference lies past the prefixes: one "body" diff, truncated.
        const BodyDiff beyond = diffBodies(leg(whole, 64, kJson), leg(other, 64, kJson), {});
        QVERIFY(!beyond.equal);
        QVERIFY(beyond.truncated);
        QCOMPARE(beyond.mode, BodyDiff::Mode::Text); // a cut JSON body cannot be parsed
        QCOMPARE(beyond.fields.size(), 1);
        QCOMPARE(beyond.fields.at(0).path, QStringLiteral("body"));
        QVERIFY(beyond.fields.at(0).primaryValue.startsWith(
            QStringLiteral("%1 bytes, hash ").arg(whole.size())));

        // A difference inside the prefixes: line diff, truncated.
        QByteArray early = whole;
        early.replace("{\"n\": 1}", "{\"n\": 7}");
        const BodyDiff inside = diffBodies(leg(whole, 64, kJson), leg(early, 64, kJson), {});
        QVERIFY(inside.truncated);
        QCOMPARE(describe(inside), QStringList{"Changed line 2: {\"n\": 1}, -> {\"n\": 7},"});

        // Only one side cut: still truncated, no "not valid JSON" claim for the cut side.
        const BodyDiff oneCut =
            diffBodies(leg(whole, 64, kJson), leg(R"({"items":[]})", 64, kJson), {});
        QVERIFY(oneCut.truncated);
        for (const FieldDiff &f : oneCut.fields)
            QVERIFY(!f.primaryValue.contains(QLatin1String("not valid JSON")));
    }

    void rulesIgnoreDiffs()
    {
        NoiseRules rules;
        QVERIFY(rules.addJsonPath(QStringLiteral("$.timestamp")));
        QVERIFY(rules.addJsonPath(QStringLiteral("$.*.updatedAt")));
        QVERIFY(rules.addJsonPath(QStringLiteral("$.items[*].id")));
        const BodyDiff d = json(
            R"({"timestamp": 1, "user": {"updatedAt": "a", "name": "x"}, "items": [{"id": 1}]})",
            R"({"timestamp": 2, "user": {"updatedAt": "b", "name": "x"}, "items": [{"id": 2}]})",
            {}, &rules);
        QVERIFY(d.equal);
        QVERIFY(d.fields.isEmpty());
        // Same keys in the same order on both sides: differences in document order.
        QCOMPARE(d.ignored, (QStringList{"$.timestamp", "$.user.updatedAt", "$.items[0].id"}));

        const BodyDiff still = json(R"({"timestamp": 1, "name": "x"})",
                                    R"({"timestamp": 2, "name": "y"})", {}, &rules);
        QVERIFY(!still.equal);
        QCOMPARE(describe(still), QStringList{"Changed $.name: \"x\" -> \"y\""});
    }

    void learnedNoiseIsFlagged()
    {
        BodyInput a, b;
        a.prefix = R"({"ts": 1, "v": 1})";
        b.prefix = R"({"ts": 2, "v": 1})";
        NoiseContext noise;
        noise.learned = [](const QString &path) { return path == QLatin1String("$.ts"); };
        const BodyDiff d = diffBodies(a, b, {}, noise);
        QVERIFY(d.equal);
        QCOMPARE(d.fields.size(), 1);
        QVERIFY(d.fields.at(0).noisy);
        b.prefix = R"({"ts": 2, "v": 2})";
        QVERIFY(!diffBodies(a, b, {}, noise).equal);
    }

    void maxFieldsCounted()
    {
        QByteArray a = "{", b = "{";
        for (int i = 0; i < 60; ++i) {
            const QByteArray sep = i ? "," : "";
            a += sep + "\"k" + QByteArray::number(i) + "\": 1";
            b += sep + "\"k" + QByteArray::number(i) + "\": 2";
        }
        a += '}';
        b += '}';
        const BodyDiff d = json(a, b);
        QCOMPARE(d.fields.size(), 50);
        QCOMPARE(d.omittedFields, 10);
        CompareOptions few;
        few.maxFields = 3;
        QCOMPARE(json(a, b, few).fields.size(), 3);
    }

    void pathsOfEveryShape()
    {
        // Identifier keys and indices (the common, plain form), a key that needs brackets, and
        // a path longer than the plain form's buffer: each named as renderJsonPath names it.
        QCOMPARE(
            describe(json(R"({"a_1": {"b": [0, {"c": 1}]}})", R"({"a_1": {"b": [0, {"c": 2}]}})")),
            QStringList{"Changed $.a_1.b[1].c: 1 -> 2"});
        QCOMPARE(describe(json(R"({"x": {"a b": [1]}})", R"({"x": {"a b": [2]}})")),
                 QStringList{"Changed $.x['a b'][0]: 1 -> 2"});
        const QByteArray key(120, 'k');
        const QByteArray a = "{\"" + key + "\": {\"" + key + "\": {\"" + key + "\": 1}}}";
        const QByteArray b = "{\"" + key + "\": {\"" + key + "\": {\"" + key + "\": 2}}}";
        const QString k = QString::fromLatin1(key);
        QCOMPARE(describe(json(a, b)),
                 QStringList{QStringLiteral("Changed $.%1.%1.%1: 1 -> 2").arg(k)});
    }

    void renderedValuesDropSpaceOutsideStrings()
    {
        // A container against a scalar: the container rendered compactly, the space and the
        // escapes inside its strings kept as sent.
        QCOMPARE(
            describe(json("{\"a\": {\"k\" : \"v w\\\" x\",\n\t\"n\": [1, 2]}}", R"({"a": 5})")),
            QStringList{"TypeChanged $.a: {\"k\":\"v w\\\" x\",\"n\":[1,2]} -> 5"});
        // A long container: cut, then shortened to 200 characters ending in an ellipsis.
        QByteArray items;
        for (int i = 0; i < 300; ++i)
            items += (i ? ", " : "") + QByteArray::number(i);
        const BodyDiff d = json("{\"a\": [" + items + "]}", R"({"a": "x"})");
        QCOMPARE(d.fields.size(), 1);
        const QString shown = d.fields.at(0).primaryValue;
        QCOMPARE(shown.size(), 200);
        QVERIFY(shown.startsWith(QLatin1String("[0,1,2,3,")));
        QCOMPARE(shown.back(), QChar(0x2026));
        QCOMPARE(d.fields.at(0).mirrorValue, QStringLiteral("\"x\""));
    }

    void longValuesAreShortened()
    {
        const QByteArray big(5000, 'x');
        const BodyDiff d = json("[\"" + big + "\"]", "[\"" + big + "y\"]");
        QCOMPARE(d.fields.size(), 1);
        QVERIFY(d.fields.at(0).primaryValue.size() <= 200);
        QVERIFY(d.fields.at(0).mirrorValue.size() <= 200);
    }

    void generalize()
    {
        QCOMPARE(generalizeIndices(QStringLiteral("$.items[3].tags[12]")),
                 QStringLiteral("$.items[*].tags[*]"));
        QCOMPARE(generalizeIndices(QStringLiteral("$['a[1]'][2]")), QStringLiteral("$['a[1]'][*]"));
        QCOMPARE(generalizeIndices(QStringLiteral("line 3")), QStringLiteral("line 3"));
    }
};

QTEST_APPLESS_MAIN(TestBodyDiff)
#include "tst_bodydiff.moc"
