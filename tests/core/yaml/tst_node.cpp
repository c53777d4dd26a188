#include "yaml/node.h"

#include <QtTest>

#include <cmath>

using Yaml::Node;

class TestNode : public QObject
{
    Q_OBJECT

private slots:
    void plainTyping_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("type");
        QTest::newRow("int") << "90"
                             << "integer";
        QTest::newRow("negative") << "-3"
                                  << "integer";
        QTest::newRow("hex") << "0x1F"
                             << "integer";
        QTest::newRow("underscores") << "1_000"
                                     << "integer";
        QTest::newRow("float") << "12.5"
                               << "number";
        QTest::newRow("exponent") << "1e3"
                                  << "number";
        QTest::newRow("inf") << ".inf"
                             << "number";
        QTest::newRow("true") << "true"
                              << "boolean";
        QTest::newRow("yes (YAML 1.1)") << "yes"
                                        << "boolean";
        QTest::newRow("Off") << "Off"
                             << "boolean";
        QTest::newRow("null") << "null"
                              << "null";
        QTest::newRow("tilde") << "~"
                               << "null";
        QTest::newRow("empty") << ""
                               << "null";
        QTest::newRow("word") << "reviews"
                              << "string";
        QTest::newRow("duration") << "1.5s"
                                  << "string";
        QTest::newRow("ip") << "10.0.0.1"
                            << "string";
        QTest::newRow("lone dash") << "-"
                                   << "string";
        QTest::newRow("bad exponent") << "1e"
                                      << "string";
    }

    void plainTyping()
    {
        QFETCH(QString, text);
        QFETCH(QString, type);
        QCOMPARE(QString::fromStdString(Node::scalar(text.toStdString()).typeName()), type);
    }

    void quotedIsAlwaysString()
    {
        for (const char *t : {"100", "true", "null", "", "1.5"}) {
            const Node n = Node::scalar(t, Node::Style::DoubleQuoted);
            QCOMPARE(n.typeName(), std::string("string"));
            QVERIFY(!n.toInt() && !n.toBool() && !n.toDouble() && !n.isPlainNull());
        }
        Node tagged = Node::scalar("100");
        tagged.setTag("!!str");
        QCOMPARE(tagged.typeName(), std::string("string"));
    }

    void typedViews()
    {
        QCOMPARE(Node::scalar("42").toInt(), std::optional<std::int64_t>(42));
        QCOMPARE(Node::scalar("42").toDouble(), std::optional<double>(42.0));
        QCOMPARE(Node::scalar("0.25").toDouble(), std::optional<double>(0.25));
        QVERIFY(!Node::scalar("0.25").toInt());
        QCOMPARE(Node::scalar("on").toBool(), std::optional<bool>(true));
        QCOMPARE(Node::scalar("NO").toBool(), std::optional<bool>(false));
        QVERIFY(!Node::scalar("99999999999999999999").toInt()); // out of range
        QVERIFY(std::isinf(*Node::scalar("-.inf").toDouble()));
        QVERIFY(Node::null().isPlainNull());
        QCOMPARE(Node::sequence().typeName(), std::string("array"));
        QCOMPARE(Node::map().typeName(), std::string("object"));
    }

    void mapAccess()
    {
        Node m = Node::map({3, 1});
        QVERIFY(!m.has("a"));
        m.set("a", Node::scalar("1"), {4, 3});
        m.set("b", Node::scalar("2"));
        Node &replaced = m.set("a", Node::scalar("3"));
        QCOMPARE(replaced.text(), std::string("3"));
        QCOMPARE(m.size(), size_t(2));
        QCOMPARE(m.entries()[0].key, std::string("a")); // replaced in place, order kept
        QCOMPARE(m.entry("a")->keyMark.line, 4);
        QVERIFY(m.remove("a"));
        QVERIFY(!m.remove("a"));
        QCOMPARE(m.size(), size_t(1));
        QVERIFY(!Node::scalar("x").get("a"));
        QCOMPARE(m.mark().line, 3);
    }

    void equality()
    {
        QVERIFY(Node::scalar("100") == Node::scalar("100.0")); // same number
        QVERIFY(Node::scalar("100") != Node::scalar("100", Node::Style::DoubleQuoted));
        QVERIFY(Node::scalar("x", Node::Style::SingleQuoted) ==
                Node::scalar("x", Node::Style::DoubleQuoted));
        QVERIFY(Node::scalar("x", Node::Style::Literal) == Node::scalar("x"));
        QVERIFY(Node::null() == Node::scalar("~"));
        QVERIFY(Node::null() != Node::scalar("", Node::Style::DoubleQuoted));
        QVERIFY(Node::scalar("true") != Node::scalar("true", Node::Style::DoubleQuoted));
        Node a = Node::map({1, 1}), b = Node::map({9, 9});
        a.set("k", Node::scalar("v"));
        b.set("k", Node::scalar("v"));
        QVERIFY(a == b); // marks ignored
        b.set("j", Node::scalar("v"));
        QVERIFY(a != b);
        Node c = Node::map();
        c.set("j", Node::scalar("v"));
        c.set("k", Node::scalar("v"));
        QVERIFY(b != c); // key order matters
        QVERIFY(Node::sequence() != Node::map());
    }

    void paths()
    {
        QCOMPARE(Yaml::childPath("", "spec"), std::string("spec"));
        QCOMPARE(Yaml::childPath("spec", "http"), std::string("spec.http"));
        QCOMPARE(Yaml::indexPath("spec.http", 0), std::string("spec.http[0]"));
        QCOMPARE(Yaml::childPath("headers", "x-user"), std::string("headers[\"x-user\"]"));
        QCOMPARE(Yaml::childPath("a", "q\"b"), std::string("a[\"q\\\"b\"]"));
    }
};

QTEST_APPLESS_MAIN(TestNode)
#include "tst_node.moc"
