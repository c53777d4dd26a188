#include "yaml/document.h"

#include <QTemporaryDir>
#include <QtTest>

using Yaml::Node;

namespace {

Yaml::ParseResult parseText(const char *text)
{
    return Yaml::parse(QByteArray(text), QStringLiteral("in.yaml"));
}

QStringList codes(const Yaml::ParseResult &r)
{
    QStringList out;
    for (const Base::Diagnostic &d : r.diagnostics)
        out << d.code;
    return out;
}

// The node at a dotted path of map keys and [i] indexes, or nullptr.
const Node *at(const Node &root, const QString &path)
{
    const Node *n = &root;
    for (const QString &part : path.split(QLatin1Char('.'))) {
        QString key = part;
        int index = -1;
        const int bracket = part.indexOf(QLatin1Char('['));
        if (bracket >= 0) {
            key = part.left(bracket);
            index = part.mid(bracket + 1).chopped(1).toInt();
        }
        if (!key.isEmpty())
            n = n ? n->get(key.toStdString()) : nullptr;
        if (n && index >= 0)
            n = (n->isSequence() && index < int(n->items().size())) ? &n->items()[index] : nullptr;
    }
    return n;
}

} // namespace

class TestParser : public QObject
{
    Q_OBJECT

private slots:
    void nestedMarks()
    {
        const auto r = parseText("apiVersion: networking.istio.io/v1\n" // 1
                                 "kind: VirtualService\n"               // 2
                                 "spec:\n"                              // 3
                                 "  http:\n"                            // 4
                                 "  - route:\n"                         // 5
                                 "    - destination:\n"                 // 6
                                 "        host: reviews\n"              // 7
                                 "      weight: 90\n");                 // 8
        QVERIFY(r.diagnostics.isEmpty());
        QCOMPARE(r.documents.size(), size_t(1));
        const Node &root = r.documents[0].root;
        const Node *route = at(root, QStringLiteral("spec.http[0].route[0]"));
        QVERIFY(route && route->isMap());
        QCOMPARE(route->mark().line, 6);
        QCOMPARE(route->mark().column, 7);
        const Node::Entry *host = route->get("destination")->entry("host");
        QVERIFY(host);
        QCOMPARE(host->keyMark.line, 7);
        QCOMPARE(host->keyMark.column, 9);
        QCOMPARE(host->value.mark().line, 7);
        QCOMPARE(host->value.mark().column, 15);
        const Node::Entry *weight = route->entry("weight");
        QCOMPARE(weight->keyMark.line, 8);
        QCOMPARE(weight->keyMark.column, 7);
        QCOMPARE(weight->value.mark().column, 15);
        QCOMPARE(weight->value.toInt(), std::optional<std::int64_t>(90));
    }

    void columnsCountCharactersNotBytes()
    {
        // "é" is two bytes in UTF-8; an editor shows the value at column 6.
        const auto r = parseText("a: 1\né: ñx\n");
        const Node::Entry *e = r.documents.at(0).root.entry("é");
        QVERIFY(e);
        QCOMPARE(e->value.mark().line, 2);
        QCOMPARE(e->value.mark().column, 4);
        QCOMPARE(e->value.text(), std::string("ñx"));
    }

    void crlfAndByteOrderMark()
    {
        const auto r = parseText("\xEF\xBB\xBF"
                                 "a: 1\r\nb:\r\n  c: \"x\"\r\n");
        QVERIFY(r.diagnostics.isEmpty());
        const Node::Entry *c = r.documents.at(0).root.get("b")->entry("c");
        QCOMPARE(c->value.text(), std::string("x"));
        QCOMPARE(c->keyMark.line, 3);
        QCOMPARE(c->keyMark.column, 3);
        QCOMPARE(c->value.style(), Node::Style::DoubleQuoted);
    }

    void scalarStyles()
    {
        const auto r = parseText("plain: 100\n"
                                 "double: \"100\"\n"
                                 "single: 'it''s'\n"
                                 "literal: |\n  line1\n  line2\n"
                                 "folded: >-\n  a\n  b\n"
                                 "tagged: !!str 100\n"
                                 "anchored: &x \"q\"\n"
                                 "custom: !foo bar\n");
        QVERIFY(r.diagnostics.isEmpty());
        const Node &root = r.documents.at(0).root;
        QCOMPARE(root.get("plain")->style(), Node::Style::Plain);
        QCOMPARE(root.get("plain")->typeName(), std::string("integer"));
        QCOMPARE(root.get("double")->style(), Node::Style::DoubleQuoted);
        QCOMPARE(root.get("double")->typeName(), std::string("string"));
        QCOMPARE(root.get("single")->style(), Node::Style::SingleQuoted);
        QCOMPARE(root.get("single")->text(), std::string("it's"));
        QCOMPARE(root.get("literal")->style(), Node::Style::Literal);
        QCOMPARE(root.get("literal")->text(), std::string("line1\nline2\n"));
        QCOMPARE(root.get("folded")->style(), Node::Style::Folded);
        QCOMPARE(root.get("folded")->text(), std::string("a b"));
        QCOMPARE(root.get("tagged")->tag(), std::string("!!str"));
        QCOMPARE(root.get("tagged")->typeName(), std::string("string"));
        QCOMPARE(root.get("anchored")->style(), Node::Style::DoubleQuoted);
        QCOMPARE(root.get("custom")->tag(), std::string("!foo"));
        QCOMPARE(root.get("custom")->style(), Node::Style::Plain);
    }

    void nullsAndEmptyValues()
    {
        const auto r = parseText("a:\nb: null\nc: ~\nd: \"\"\nnull: 1\n");
        const Node &root = r.documents.at(0).root;
        QVERIFY(root.get("a")->isNull());
        // An empty value points at its key, not at the next line.
        QCOMPARE(root.get("a")->mark().line, 1);
        QVERIFY(root.get("b")->isPlainNull());
        QVERIFY(root.get("c")->isPlainNull());
        QVERIFY(!root.get("d")->isPlainNull());
        QCOMPARE(root.get("d")->typeName(), std::string("string"));
        QVERIFY(root.has("null"));
    }

    void flowCollections()
    {
        const auto r = parseText("hosts: [a, \"b\"]\nlabels: {app: x, version: v1}\n");
        const Node &root = r.documents.at(0).root;
        QCOMPARE(root.get("hosts")->size(), size_t(2));
        QCOMPARE(root.get("hosts")->items()[1].style(), Node::Style::DoubleQuoted);
        QCOMPARE(root.get("labels")->get("version")->text(), std::string("v1"));
        QCOMPARE(root.get("labels")->entry("version")->keyMark.column, 18);
    }

    void multiDocumentIndexes()
    {
        const auto r = parseText("# leading comment\n---\na: 1\n---\n# only a comment\n---\n- x\n"
                                 "---\nplain scalar\n");
        QVERIFY(r.diagnostics.isEmpty());
        QCOMPARE(r.documents.size(), size_t(3));
        QCOMPARE(r.documents[0].index, 0);
        QCOMPARE(r.documents[1].index, 1);
        QVERIFY(r.documents[1].root.isSequence()); // not a map: still returned
        QCOMPARE(r.documents[1].root.mark().line, 7);
        QVERIFY(r.documents[2].root.isScalar());
        QCOMPARE(r.documents[0].listItem, -1);
        QCOMPARE(r.documents[0].file, QStringLiteral("in.yaml"));
    }

    void listExpansion()
    {
        const auto r = parseText("kind: Gateway\n"
                                 "---\n"
                                 "apiVersion: v1\n"
                                 "kind: List\n"
                                 "items:\n"
                                 "- kind: VirtualService\n" // 6
                                 "  metadata:\n"
                                 "    name: a\n"
                                 "- kind: DestinationRule\n" // 9
                                 "  metadata:\n"
                                 "    name: b\n"
                                 "    name: c\n" // 12: duplicate inside item 1
                                 "---\n"
                                 "kind: ServiceEntry\n");
        QCOMPARE(r.documents.size(), size_t(4));
        QCOMPARE(r.documents[1].kind(), std::string("VirtualService"));
        QCOMPARE(r.documents[1].listItem, 0);
        QCOMPARE(r.documents[1].index, 1);
        QCOMPARE(r.documents[2].kind(), std::string("DestinationRule"));
        QCOMPARE(r.documents[2].listItem, 1);
        QCOMPARE(r.documents[2].index, 2);
        QCOMPARE(r.documents[2].root.mark().line, 9);
        QCOMPARE(r.documents[2].root.get("metadata")->entry("name")->keyMark.line, 12);
        QCOMPARE(r.documents[3].kind(), std::string("ServiceEntry"));
        QCOMPARE(r.documents[3].index, 3);
        QCOMPARE(r.documents[3].listItem, -1);
        QCOMPARE(r.diagnostics.size(), 1);
        QCOMPARE(r.diagnostics[0].document, 2);
    }

    void listWithoutItemsIsAnOrdinaryDocument()
    {
        const auto r = parseText("kind: List\nmetadata: {}\n");
        QCOMPARE(r.documents.size(), size_t(1));
        QCOMPARE(r.documents[0].listItem, -1);
        const auto empty = parseText("kind: List\nitems: []\n");
        QCOMPARE(empty.documents.size(), size_t(0));
        QVERIFY(empty.diagnostics.isEmpty());
    }

    void documentAccessors()
    {
        const auto r = parseText("apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\n"
                                 "metadata:\n  name: reviews\n  namespace: bookinfo\n---\n"
                                 "apiVersion: 1\nkind: [a]\nmetadata:\n  name: \"true\"\n");
        const Yaml::Document &a = r.documents.at(0);
        QCOMPARE(a.apiVersion(), std::string("networking.istio.io/v1beta1"));
        QCOMPARE(a.kind(), std::string("VirtualService"));
        QCOMPARE(a.name(), std::string("reviews"));
        QCOMPARE(a.namespaceName(), std::string("bookinfo"));
        const Yaml::Document &b = r.documents.at(1);
        QCOMPARE(b.apiVersion(), std::string()); // a number, not a string
        QCOMPARE(b.kind(), std::string());
        QCOMPARE(b.name(), std::string("true")); // quoted: a string
        QCOMPARE(b.namespaceName(), std::string());
    }

    void duplicateKey()
    {
        const auto r = parseText("spec:\n"
                                 "  route:\n"
                                 "    weight: 10\n"
                                 "    host: a\n"
                                 "    weight: 20\n");
        QCOMPARE(codes(r), QStringList{QStringLiteral("MS0003")});
        const Base::Diagnostic &d = r.diagnostics[0];
        QCOMPARE(d.severity, Base::Severity::Error);
        QCOMPARE(d.message, QStringLiteral("duplicate key \"weight\" (first at line 3)"));
        QCOMPARE(d.line, 5);
        QCOMPARE(d.column, 5);
        QCOMPARE(d.file, QStringLiteral("in.yaml"));
        QVERIFY(d.istioCode.isEmpty());
        QCOMPARE(d.document, 0);
        // The document is still returned; the later value wins, as in kubectl.
        const Node *route = r.documents.at(0).root.get("spec")->get("route");
        QCOMPARE(route->size(), size_t(2));
        QCOMPARE(route->get("weight")->text(), std::string("20"));
    }

    void duplicateKeyInBigMap()
    {
        std::string text;
        for (int i = 0; i < 100; ++i)
            text += "k" + std::to_string(i) + ": " + std::to_string(i) + "\n";
        text += "k42: again\n";
        const auto r = Yaml::parse(QByteArray::fromStdString(text));
        QCOMPARE(codes(r), QStringList{QStringLiteral("MS0003")});
        QCOMPARE(r.diagnostics[0].line, 101);
        QCOMPARE(r.diagnostics[0].message,
                 QStringLiteral("duplicate key \"k42\" (first at line 43)"));
        QCOMPARE(r.documents.at(0).root.size(), size_t(100));
    }

    void sameKeyInSiblingMapsIsFine()
    {
        const auto r = parseText("- weight: 1\n- weight: 2\n");
        QVERIFY(r.diagnostics.isEmpty());
    }

    void complexKey()
    {
        const auto r = parseText("? [a, b]\n: v\nok: 1\n");
        QCOMPARE(codes(r), QStringList{QStringLiteral("MS0004")});
        QCOMPARE(r.diagnostics[0].line, 1);
        QCOMPARE(r.diagnostics[0].column, 3);
        QCOMPARE(r.documents.at(0).root.size(), size_t(1));
        QVERIFY(r.documents.at(0).root.has("ok"));
    }

    void tabIndentation()
    {
        const auto r = parseText("spec:\n  hosts:\n  - a\n\tgateways: [x]\n");
        QCOMPARE(codes(r), QStringList{QStringLiteral("MS0002")});
        QCOMPARE(r.diagnostics[0].line, 4);
        QCOMPARE(r.diagnostics[0].column, 1);
        QVERIFY2(r.diagnostics[0].message.contains(QStringLiteral("tab")),
                 qPrintable(r.diagnostics[0].message));
        QVERIFY(r.documents.empty());

        const auto nested = parseText("a:\n  b:\n  \tc: 1\n");
        QCOMPARE(codes(nested), QStringList{QStringLiteral("MS0002")});
        QCOMPARE(nested.diagnostics[0].line, 3);
        QCOMPARE(nested.diagnostics[0].column, 3);
    }

    void tabsInsideValuesAreFine()
    {
        const auto r = parseText("a: \"x\ty\"\nb: |\n  \tindented\nc: 1 \t\n");
        QVERIFY(r.diagnostics.isEmpty());
        QCOMPARE(r.documents.at(0).root.get("b")->text(), std::string("\tindented\n"));
    }

    void badIndentation()
    {
        const auto r = parseText("metadata:\n  name: a\n namespace: b\n");
        QCOMPARE(codes(r), QStringList{QStringLiteral("MS0002")});
        QCOMPARE(r.diagnostics[0].line, 3);
        QVERIFY(!r.diagnostics[0].message.isEmpty());
        QVERIFY(!r.diagnostics[0].message.contains(QStringLiteral("tab")));

        const auto deeper = parseText("a:\n  b: 1\n    c: 2\n");
        QCOMPARE(codes(deeper), QStringList{QStringLiteral("MS0002")});
        QCOMPARE(deeper.diagnostics[0].line, 3);
    }

    void unterminatedQuote_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::newRow("double") << QByteArray("a: 1\nb: \"reviews\nc: 2\n") << 2 << 4;
        QTest::newRow("single") << QByteArray("a: 'x''\n") << 1 << 4;
        QTest::newRow("escaped quote at end") << QByteArray("a: \"x\\\"\n") << 1 << 4;
        QTest::newRow("in flow") << QByteArray("a: [\"x]\n") << 1 << 5;
    }

    void unterminatedQuote()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, line);
        QFETCH(int, column);
        const auto r = Yaml::parse(text, QStringLiteral("q.yaml"));
        QVERIFY(!r.diagnostics.isEmpty());
        QCOMPARE(r.diagnostics[0].code, QStringLiteral("MS0002"));
        QCOMPARE(r.diagnostics[0].line, line);
        QCOMPARE(r.diagnostics[0].column, column);
        QCOMPARE(r.diagnostics[0].file, QStringLiteral("q.yaml"));
    }

    void terminatedQuotesAcrossLines()
    {
        const auto r = parseText("a: \"multi\n  line\"\nb: 'it''s\n  ok'\n");
        QVERIFY(r.diagnostics.isEmpty());
        QCOMPARE(r.documents.at(0).root.get("a")->text(), std::string("multi line"));
    }

    void errorKeepsEarlierDocuments()
    {
        const auto r = parseText("kind: A\n---\nkind: B\n---\nkind: C\nspec: [1, 2\n");
        QCOMPARE(r.documents.size(), size_t(2));
        QCOMPARE(r.documents[1].kind(), std::string("B"));
        QCOMPARE(codes(r), QStringList{QStringLiteral("MS0002")});
        QVERIFY(r.diagnostics[0].line >= 6);
        QVERIFY(!r.diagnostics[0].message.isEmpty());
    }

    void strayFlowIndicatorEndsParsing()
    {
        // yaml-cpp alone loops forever on this; the parser reports it instead.
        const auto r = parseText("a: 1\n---\n,\nb: 2\n");
        QCOMPARE(r.documents.size(), size_t(1));
        QCOMPARE(codes(r), QStringList{QStringLiteral("MS0002")});
        QCOMPARE(r.diagnostics[0].message, QStringLiteral("unexpected character ','"));
        QCOMPARE(r.diagnostics[0].line, 3);
        QCOMPARE(r.diagnostics[0].column, 1);
    }

    void undefinedAlias()
    {
        const auto r = parseText("a: *nope\n");
        QCOMPARE(codes(r), QStringList{QStringLiteral("MS0002")});
        QCOMPARE(r.diagnostics[0].line, 1);
        QCOMPARE(r.diagnostics[0].column, 4);
    }

    void aliasIsACopy()
    {
        const auto r = parseText("base: &dest\n  host: reviews\n  subset: v1\n"
                                 "mirror: *dest\nname: &n \"x\"\nother: *n\n");
        QVERIFY(r.diagnostics.isEmpty());
        const Node &root = r.documents.at(0).root;
        QCOMPARE(*root.get("mirror"), *root.get("base"));
        QCOMPARE(root.get("mirror")->get("subset")->text(), std::string("v1"));
        QCOMPARE(root.get("mirror")->mark().line, 4); // where the alias is written
        QCOMPARE(root.get("other")->style(), Node::Style::DoubleQuoted);
    }

    void aliasBomb()
    {
        QByteArray text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
        for (int i = 1; i < 9; ++i) {
            text += QStringLiteral("a%1: &a%1 [").arg(i).toUtf8();
            for (int k = 0; k < 10; ++k)
                text += QStringLiteral("*a%1, ").arg(i - 1).toUtf8();
            text += "]\n";
        }
        const auto r = Yaml::parse(text);
        QVERIFY(codes(r).contains(QStringLiteral("MS0007")));
        QVERIFY(r.documents.empty());
    }

    void binaryJunk_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<int>("documents");
        QTest::newRow("nul") << QByteArray("a: 1\nb: x\0y\n", 12) << 2 << 5 << 0;
        QTest::newRow("invalid utf-8") << QByteArray("a: é\nb: \xFF\xFE\n") << 2 << 4 << 0;
        QTest::newRow("truncated utf-8") << QByteArray("a: \xC3") << 1 << 4 << 0;
        QTest::newRow("control char") << QByteArray("a: \x01\n") << 1 << 4 << 0;
        QTest::newRow("utf-16") << QByteArray("\xFF\xFE"
                                              "a\0:\0",
                                              6)
                                << 1 << 1 << 0;
        QTest::newRow("later document")
            << QByteArray("kind: A\n---\nkind: B\n---\nx: \x80\n") << 5 << 4 << 2;
    }

    void binaryJunk()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(int, documents);
        const auto r = Yaml::parse(text, QStringLiteral("junk.bin"));
        QVERIFY(!r.diagnostics.isEmpty());
        QCOMPARE(r.diagnostics[0].code, QStringLiteral("MS0006"));
        QCOMPARE(r.diagnostics[0].severity, Base::Severity::Error);
        QCOMPARE(r.diagnostics[0].line, line);
        QCOMPARE(r.diagnostics[0].column, column);
        QCOMPARE(r.diagnostics[0].file, QStringLiteral("junk.bin"));
        QCOMPARE(int(r.documents.size()), documents);
    }

    void randomBytesNeverCrash()
    {
        // Deterministic pseudo-random input, including bytes that look like YAML syntax.
        std::uint32_t seed = 12345;
        const char alphabet[] = "ab: -[]{}\"'\n\t#&*!|>%@`,?~\\";
        for (int round = 0; round < 300; ++round) {
            QByteArray text;
            for (int i = 0; i < 200; ++i) {
                seed = seed * 1664525u + 1013904223u;
                const std::uint32_t v = seed >> 24;
                text += (round % 2) ? char(v) : alphabet[v % (sizeof alphabet - 1)];
            }
            const auto r = Yaml::parse(text);
            for (const Base::Diagnostic &d : r.diagnostics) {
                QVERIFY(d.code.startsWith(QStringLiteral("MS000")));
                if (d.severity == Base::Severity::Error)
                    QVERIFY2(d.line >= 1, qPrintable(d.message));
            }
        }
    }

    void emptyInput_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("comments") << QByteArray("# one\n  # two\n");
        QTest::newRow("separators") << QByteArray("---\n# c\n---\n...\n");
        QTest::newRow("blank") << QByteArray("\n\n   \n");
    }

    void emptyInput()
    {
        QFETCH(QByteArray, text);
        const auto r = Yaml::parse(text, QStringLiteral("e.yaml"));
        QCOMPARE(r.documents.size(), size_t(0));
        QCOMPARE(codes(r), QStringList{QStringLiteral("MS0005")});
        QCOMPARE(r.diagnostics[0].severity, Base::Severity::Warning);
        QCOMPARE(r.diagnostics[0].message, QStringLiteral("file contains no YAML documents"));
        QCOMPARE(r.diagnostics[0].file, QStringLiteral("e.yaml"));
    }

    void deepNesting()
    {
        const auto flow = Yaml::parse(QByteArray(100000, '['));
        QVERIFY(codes(flow).contains(QStringLiteral("MS0007")));
        QVERIFY(flow.documents.empty());
        QCOMPARE(flow.diagnostics[0].line, 1);

        std::string block;
        for (int i = 0; i < 1000; ++i)
            block += std::string(std::size_t(2 * i), ' ') + "k:\n";
        const auto blockResult = Yaml::parse(QByteArray::fromStdString(block));
        QCOMPARE(codes(blockResult), QStringList{QStringLiteral("MS0007")});
        QVERIFY(blockResult.diagnostics[0].line > 1);

        // Nesting a real file could have is fine.
        std::string ok;
        for (int i = 0; i < 60; ++i)
            ok += std::string(std::size_t(2 * i), ' ') + "k:\n";
        QVERIFY(Yaml::parse(QByteArray::fromStdString(ok)).diagnostics.isEmpty());
    }

    void fiftyMegabytes()
    {
        const QByteArray doc = "apiVersion: networking.istio.io/v1beta1\n"
                               "kind: VirtualService\n"
                               "metadata:\n"
                               "  name: reviews\n"
                               "spec:\n"
                               "  hosts:\n"
                               "  - reviews\n"
                               "  http:\n"
                               "  - route:\n"
                               "    - destination:\n"
                               "        host: reviews\n"
                               "        subset: v2\n"
                               "      weight: 90\n"
                               "    mirror:\n"
                               "      host: reviews\n"
                               "    mirrorPercentage:\n"
                               "      value: 12.5\n"
                               "    timeout: \"1.5s\"\n"
                               "---\n";
        const int count = int(50 * 1024 * 1024 / doc.size()) + 1;
        QByteArray text;
        text.reserve(qsizetype(count) * doc.size());
        for (int i = 0; i < count; ++i)
            text += doc;
        QVERIFY(text.size() >= 50 * 1024 * 1024);
        const auto r = Yaml::parse(text);
        QVERIFY(r.diagnostics.isEmpty());
        QCOMPARE(int(r.documents.size()), count);
        QCOMPARE(r.documents.back().index, count - 1);
        QCOMPARE(r.documents.back().root.mark().line, (count - 1) * 19 + 1);
    }

    void parseFileReadsAndReports()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("vs.yaml"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("kind: VirtualService\nmetadata:\n  name: x\n");
        f.close();
        const auto ok = Yaml::parseFile(path);
        QVERIFY(ok.diagnostics.isEmpty());
        QCOMPARE(ok.documents.at(0).name(), std::string("x"));
        QCOMPARE(ok.documents.at(0).file, path);

        const QString missing = dir.filePath(QStringLiteral("missing.yaml"));
        const auto bad = Yaml::parseFile(missing);
        QCOMPARE(codes(bad), QStringList{QStringLiteral("MS0001")});
        QVERIFY(bad.diagnostics[0].message.startsWith(QStringLiteral("cannot read ") + missing +
                                                      QStringLiteral(": ")));
        QCOMPARE(bad.diagnostics[0].line, 0);
        QCOMPARE(bad.diagnostics[0].file, missing);
        QVERIFY(bad.documents.empty());

        const auto directory = Yaml::parseFile(dir.path());
        QCOMPARE(codes(directory), QStringList{QStringLiteral("MS0001")});
    }
};

QTEST_APPLESS_MAIN(TestParser)
#include "tst_parser.moc"
