#include "yaml/document.h"

#include <QDir>
#include <QDirIterator>
#include <QtTest>

using Yaml::Node;

namespace {

Node parseOne(const std::string &text)
{
    const auto r = Yaml::parse(QByteArray::fromStdString(text));
    if (r.documents.size() != 1 || !r.diagnostics.isEmpty()) {
        for (const Base::Diagnostic &d : r.diagnostics)
            qWarning("%s", qPrintable(Base::formatDiagnostic(d)));
        return Node::scalar("<parse failed>");
    }
    return r.documents[0].root;
}

// The emitted scalar for a one-key map, without "k: " and the newline.
std::string emittedValue(const Node &value)
{
    Node root = Node::map();
    root.set("k", value);
    const std::string out = Yaml::dump(root);
    return out.substr(3, out.size() - 4);
}

QByteArray show(const std::string &s)
{
    return QByteArray::fromStdString(s);
}

} // namespace

class TestEmitter : public QObject
{
    Q_OBJECT

private slots:
    void kubectlLayout()
    {
        const Node root = parseOne("apiVersion: networking.istio.io/v1\n"
                                   "kind: VirtualService\n"
                                   "metadata: {name: reviews, labels: {}}\n"
                                   "spec:\n"
                                   "    hosts: [reviews, \"ratings\"]\n"
                                   "    http:\n"
                                   "        -   route:\n"
                                   "              - destination: {host: reviews, subset: v1}\n"
                                   "                weight: 90\n"
                                   "            mirror: {host: reviews}\n"
                                   "            retries: []\n"
                                   "            timeout:\n");
        const std::string expected = "apiVersion: networking.istio.io/v1\n"
                                     "kind: VirtualService\n"
                                     "metadata:\n"
                                     "  name: reviews\n"
                                     "  labels: {}\n"
                                     "spec:\n"
                                     "  hosts:\n"
                                     "  - reviews\n"
                                     "  - \"ratings\"\n"
                                     "  http:\n"
                                     "  - route:\n"
                                     "    - destination:\n"
                                     "        host: reviews\n"
                                     "        subset: v1\n"
                                     "      weight: 90\n"
                                     "    mirror:\n"
                                     "      host: reviews\n"
                                     "    retries: []\n"
                                     "    timeout: null\n";
        QCOMPARE(show(Yaml::dump(root)), show(expected));
    }

    void nestedSequences()
    {
        const Node root = parseOne("- [a, [b, c], []]\n- {}\n- - x\n");
        QCOMPARE(show(Yaml::dump(root)), show("- - a\n  - - b\n    - c\n  - []\n- {}\n- - x\n"));
    }

    void rootScalarsAndEmptyCollections()
    {
        QCOMPARE(show(Yaml::dump(Node::map())), show("{}\n"));
        QCOMPARE(show(Yaml::dump(Node::sequence())), show("[]\n"));
        QCOMPARE(show(Yaml::dump(Node::null())), show("null\n"));
        QCOMPARE(show(Yaml::dump(Node::scalar("hello"))), show("hello\n"));
        QCOMPARE(show(Yaml::dump(Node::scalar("a\nb"))), show("|-\n  a\n  b\n"));
    }

    void scalarQuoting_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("style");
        QTest::addColumn<QString>("expected");
        const int plain = int(Node::Style::Plain), dq = int(Node::Style::DoubleQuoted),
                  sq = int(Node::Style::SingleQuoted), folded = int(Node::Style::Folded);
        QTest::newRow("word") << "reviews" << plain << "reviews";
        QTest::newRow("number stays plain") << "100" << plain << "100";
        QTest::newRow("bool stays plain") << "true" << plain << "true";
        QTest::newRow("quoted number stays quoted") << "100" << dq << "\"100\"";
        QTest::newRow("quoted word stays quoted") << "reviews" << dq << "\"reviews\"";
        QTest::newRow("single stays single") << "it's" << sq << "'it''s'";
        QTest::newRow("empty plain is null") << "" << plain << "null";
        QTest::newRow("empty quoted") << "" << dq << "\"\"";
        QTest::newRow("colon space") << "a: b" << plain << "\"a: b\"";
        QTest::newRow("space hash") << "a #b" << plain << "\"a #b\"";
        QTest::newRow("hash inside word") << "a#b" << plain << "a#b";
        QTest::newRow("url") << "http://x:80/p" << plain << "http://x:80/p";
        QTest::newRow("leading space") << " a" << plain << "\" a\"";
        QTest::newRow("trailing space") << "a " << plain << "\"a \"";
        QTest::newRow("leading dash space") << "- a" << plain << "\"- a\"";
        QTest::newRow("negative number") << "-5" << plain << "-5";
        QTest::newRow("dash word") << "-foo" << plain << "-foo";
        QTest::newRow("glob host") << "*.example.com" << plain << "\"*.example.com\"";
        QTest::newRow("star") << "*" << plain << "\"*\"";
        QTest::newRow("bracket") << "[a]" << plain << "\"[a]\"";
        QTest::newRow("brace") << "{a}" << plain << "\"{a}\"";
        QTest::newRow("quote char") << "\"x" << plain << "\"\\\"x\"";
        QTest::newRow("ampersand") << "&x" << plain << "\"&x\"";
        QTest::newRow("bang") << "!x" << plain << "\"!x\"";
        QTest::newRow("pipe") << "|" << plain << "\"|\"";
        QTest::newRow("percent") << "%x" << plain << "\"%x\"";
        QTest::newRow("at") << "@x" << plain << "\"@x\"";
        QTest::newRow("backtick") << "`x" << plain << "\"`x\"";
        QTest::newRow("trailing colon") << "a:" << plain << "\"a:\"";
        QTest::newRow("document marker") << "---" << plain << "\"---\"";
        QTest::newRow("tab") << "a\tb" << plain << "\"a\\tb\"";
        QTest::newRow("control") << "a\x01"
                                    "b"
                                 << dq << "\"a\\x01b\"";
        QTest::newRow("backslash") << "a\\b" << dq << "\"a\\\\b\"";
        QTest::newRow("unicode") << "héllo ✓" << plain << "héllo ✓";
        QTest::newRow("line separator") << "a\u2028b" << plain << "\"a\\u2028b\"";
        QTest::newRow("folded one line") << "a b" << folded << "\"a b\"";
        QTest::newRow("regex") << "^/api/v[0-9]+$" << dq << "\"^/api/v[0-9]+$\"";
    }

    void scalarQuoting()
    {
        QFETCH(QString, text);
        QFETCH(int, style);
        QFETCH(QString, expected);
        const Node n = Node::scalar(text.toStdString(), Node::Style(style));
        QCOMPARE(QString::fromStdString(emittedValue(n)), expected);
    }

    void keys_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("expected");
        QTest::newRow("identifier") << "host"
                                    << "host";
        QTest::newRow("header name") << "x-user"
                                     << "x-user";
        QTest::newRow("dotted") << "app.kubernetes.io/name"
                                << "app.kubernetes.io/name";
        QTest::newRow("colon space") << "a: b"
                                     << "\"a: b\"";
        QTest::newRow("empty") << ""
                               << "\"\"";
        QTest::newRow("bool word") << "true"
                                   << "\"true\"";
        QTest::newRow("yes") << "yes"
                             << "\"yes\"";
        QTest::newRow("number") << "8080"
                                << "\"8080\"";
        QTest::newRow("null word") << "null"
                                   << "\"null\"";
        QTest::newRow("yaml 1.1 octal") << "0o17"
                                        << "\"0o17\"";
        QTest::newRow("merge key") << "<<"
                                   << "\"<<\"";
        QTest::newRow("newline") << "a\nb"
                                 << "\"a\\nb\"";
        QTest::newRow("leading star") << "*x"
                                      << "\"*x\"";
    }

    void keys()
    {
        QFETCH(QString, key);
        QFETCH(QString, expected);
        Node root = Node::map();
        root.set(key.toStdString(), Node::scalar("v"));
        QCOMPARE(QString::fromStdString(Yaml::dump(root)), expected + QStringLiteral(": v\n"));
        // And the key reads back as written.
        const Node back = parseOne(Yaml::dump(root));
        QCOMPARE(QString::fromStdString(back.entries().at(0).key), key);
    }

    void literalBlocks()
    {
        Node root = Node::map();
        root.set("clip", Node::scalar("line1\nline2\n", Node::Style::DoubleQuoted));
        root.set("strip", Node::scalar("line1\n\nline3"));
        Node seq = Node::sequence();
        seq.append(Node::scalar("a\nb\n", Node::Style::Literal));
        root.set("list", seq);
        const std::string out = Yaml::dump(root);
        QCOMPARE(show(out), show("clip: |\n  line1\n  line2\n"
                                 "strip: |-\n  line1\n\n  line3\n"
                                 "list:\n- |\n  a\n  b\n"));
        QCOMPARE(parseOne(out), root);
    }

    void unsafeMultiLineIsDoubleQuoted_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("leading space") << " a\nb"
                                       << "\" a\\nb\"";
        QTest::newRow("leading newline") << "\na"
                                         << "\"\\na\"";
        QTest::newRow("two trailing newlines") << "a\n\n"
                                               << "\"a\\n\\n\"";
        QTest::newRow("blank line of spaces") << "a\n  \nb"
                                              << "\"a\\n  \\nb\"";
        QTest::newRow("carriage return") << "a\r\nb"
                                         << "\"a\\r\\nb\"";
    }

    void unsafeMultiLineIsDoubleQuoted()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const Node n = Node::scalar(text.toStdString(), Node::Style::DoubleQuoted);
        QCOMPARE(QString::fromStdString(emittedValue(n)), expected);
        Node root = Node::map();
        root.set("k", n);
        QCOMPARE(parseOne(Yaml::dump(root)).get("k")->text(), text.toStdString());
    }

    void tagsAreKept()
    {
        const Node root = parseOne("a: !!str 100\nb: !custom {x: 1}\nc: !!str\n");
        const std::string out = Yaml::dump(root);
        QCOMPARE(show(out), show("a: !!str 100\nb: !custom\n  x: 1\nc: !!str \"\"\n"));
        QCOMPARE(parseOne(out).get("a")->typeName(), std::string("string"));
    }

    void dumpDocumentsJoins()
    {
        std::vector<Node> roots{parseOne("a: 1\n"), parseOne("- b\n")};
        QCOMPARE(show(Yaml::dumpDocuments(roots)), show("a: 1\n---\n- b\n"));
        QCOMPARE(show(Yaml::dumpDocuments({})), show(""));
        const auto back = Yaml::parse(QByteArray::fromStdString(Yaml::dumpDocuments(roots)));
        QCOMPARE(back.documents.size(), size_t(2));
    }

    void roundTripHandmade_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("special strings")
            << QByteArray("a: \"true\"\nb: 'yes'\nc: \"on\"\nd: \"null\"\ne: \"~\"\nf: \"1e3\"\n"
                          "g: \"0x1F\"\nh: \"\"\ni: \" padded \"\nj: \"a: b\"\nk: \"a #b\"\n"
                          "l: \"- x\"\nm: \"? x\"\nn: \"[x]\"\no: \"#x\"\np: \"'\"\nq: '\"'\n");
        QTest::newRow("typed plain")
            << QByteArray("a: 1\nb: -2.5\nc: true\nd: off\ne: ~\nf: null\ng:\nh: 0x1F\ni: .inf\n");
        QTest::newRow("unicode") << QByteArray(
            "name: \"héllo wörld ✓ 日本\"\nplain: ñandú\nemoji: \"😀\"\n");
        QTest::newRow("escapes") << QByteArray("a: \"tab\\there\"\nb: \"bell\\a\"\nc: \"nl\\n\"\n"
                                               "d: \"\\u2028\"\ne: \"back\\\\slash\"\n");
        QTest::newRow("empty values") << QByteArray("a: {}\nb: []\nc: \"\"\nd:\ne: [{}, []]\n");
        QTest::newRow("nested sequences")
            << QByteArray("- - - a\n    - b\n  - []\n- - {x: [1, [2, [3]]]}\n");
        QTest::newRow("keys needing quotes")
            << QByteArray("\"a: b\": 1\nx-user: 2\n\"\": 3\n\"true\": 4\n\"#k\": 5\n\"k \": 6\n");
        QTest::newRow("literal and folded")
            << QByteArray("a: |\n  one\n  two\nb: |-\n  x\n\n  y\nc: >\n  folded\n  text\n\n"
                          "  para\nd: |+\n  keep\n\n");
        QTest::newRow("multi-line quoted") << QByteArray("a: \"one\\ntwo\"\nb: \"x\\n\"\n");
        QTest::newRow("root sequence of maps")
            << QByteArray("- name: a\n  hosts:\n  - x\n  - y\n- name: b\n");
        QTest::newRow("root scalar") << QByteArray("--- \"just a string\"\n");
        QTest::newRow("root literal") << QByteArray("--- |\n  text\n  more\n");
        QTest::newRow("aliases") << QByteArray(
            "base: &b {host: a, port: {number: 80}}\ncopy: *b\nlist: [*b, *b]\n");
        QTest::newRow("flow in block") << QByteArray("m: {a: [1, 2], b: {c: d}}\n");
    }

    void roundTripHandmade()
    {
        QFETCH(QByteArray, text);
        const auto first = Yaml::parse(text);
        QVERIFY(first.diagnostics.isEmpty());
        QCOMPARE(first.documents.size(), size_t(1));
        const Node &original = first.documents[0].root;
        const std::string out = Yaml::dump(original);
        const auto second = Yaml::parse(QByteArray::fromStdString(out));
        QVERIFY2(second.diagnostics.isEmpty(), out.c_str());
        QCOMPARE(second.documents.size(), size_t(1));
        QVERIFY2(second.documents[0].root == original, out.c_str());
        QCOMPARE(show(Yaml::dump(second.documents[0].root)), show(out));
    }

    void roundTripDistinguishesTypes()
    {
        // The equality used above does tell a quoted "100" from 100.
        QVERIFY(parseOne("a: \"100\"\n") != parseOne("a: 100\n"));
        QVERIFY(parseOne("a: \"true\"\n") != parseOne("a: true\n"));
        QVERIFY(parseOne(Yaml::dump(parseOne("a: \"100\"\n"))) != parseOne("a: 100\n"));
    }

    void roundTripCorpus()
    {
        const QDir corpus(QStringLiteral(MIRRORSCOPE_SHARED_DIR "/conformance/istio-corpus"));
        if (!corpus.exists())
            QSKIP("shared conformance corpus not available");
        int files = 0, documents = 0;
        for (const QString &sub : {QStringLiteral("valid"), QStringLiteral("invalid")}) {
            QDirIterator it(corpus.filePath(sub), {QStringLiteral("*.yaml")}, QDir::Files);
            while (it.hasNext()) {
                const QString path = it.next();
                const auto parsed = Yaml::parseFile(path);
                QVERIFY2(!Base::hasErrors(parsed.diagnostics), qPrintable(path));
                std::vector<Node> roots;
                for (const Yaml::Document &d : parsed.documents)
                    roots.push_back(d.root);
                const std::string out = Yaml::dumpDocuments(roots);
                const auto again = Yaml::parse(QByteArray::fromStdString(out));
                QVERIFY2(again.diagnostics.isEmpty(), qPrintable(path));
                QCOMPARE(again.documents.size(), roots.size());
                for (std::size_t i = 0; i < roots.size(); ++i)
                    QVERIFY2(again.documents[i].root == roots[i],
                             qPrintable(path + QStringLiteral(" document %1").arg(i)));
                std::vector<Node> againRoots;
                for (const Yaml::Document &d : again.documents)
                    againRoots.push_back(d.root);
                QVERIFY2(Yaml::dumpDocuments(againRoots) == out, qPrintable(path));
                ++files;
                documents += int(roots.size());
            }
        }
        QVERIFY(files > 50);
        QVERIFY(documents > files);
    }

    void codeBuiltTreesAreStable()
    {
        Node root = Node::map();
        Node &meta = root.set("metadata", Node::map());
        meta.set("name", Node::scalar("reviews"));
        meta.set("annotations", Node::map()).set("note", Node::scalar("a: b #c"));
        Node hosts = Node::sequence();
        hosts.append(Node::scalar("*.svc.cluster.local"));
        hosts.append(Node::scalar("100", Node::Style::DoubleQuoted));
        root.set("hosts", hosts);
        const std::string once = Yaml::dump(root);
        const std::string twice = Yaml::dump(root);
        QCOMPARE(show(once), show(twice));
        const Node back = parseOne(once);
        QCOMPARE(back, root);
        QCOMPARE(show(Yaml::dump(back)), show(once));
    }
};

QTEST_APPLESS_MAIN(TestEmitter)
#include "tst_emitter.moc"
