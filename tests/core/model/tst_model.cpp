// The model's own API: the value types, helpers and lookups that the route engine and the
// editor use directly, without YAML.
#include "yaml/document.h"

#include "model/codec.h"

#include <QTest>

using namespace Model;

class TestModel : public QObject
{
    Q_OBJECT

private slots:
    void orderedMapKeepsOrder();
    void stringMatchEquality();
    void durations();
    void effectiveMirrorPercentage();
    void formatNumber_data();
    void formatNumber();
    void extraDoesNotBreakEquality();
    void builtInCodeEncodes();
    void modelWinsOverStaleExtra();
    void hostResolution();
};

void TestModel::orderedMapKeepsOrder()
{
    StringMap m;
    m.insert(QStringLiteral("z"), QStringLiteral("1"));
    m.insert(QStringLiteral("a"), QStringLiteral("2"));
    m.insert(QStringLiteral("z"), QStringLiteral("3")); // replaced in place
    QCOMPARE(m.keys(), (QStringList{QStringLiteral("z"), QStringLiteral("a")}));
    QCOMPARE(m.value(QStringLiteral("z")), QStringLiteral("3"));
    QCOMPARE(m.value(QStringLiteral("missing"), QStringLiteral("d")), QStringLiteral("d"));
    QVERIFY(m.remove(QStringLiteral("z")));
    QVERIFY(!m.remove(QStringLiteral("z")));
    QCOMPARE(m.size(), 1);

    StringMap reversed;
    reversed.insert(QStringLiteral("a"), QStringLiteral("2"));
    reversed.insert(QStringLiteral("z"), QStringLiteral("3"));
    StringMap forward;
    forward.insert(QStringLiteral("z"), QStringLiteral("3"));
    forward.insert(QStringLiteral("a"), QStringLiteral("2"));
    QVERIFY(forward != reversed); // order is part of what the user wrote
}

void TestModel::stringMatchEquality()
{
    QCOMPARE(StringMatch::prefix(QStringLiteral("/a")), StringMatch::prefix(QStringLiteral("/a")));
    QVERIFY(StringMatch::prefix(QStringLiteral("/a")) != StringMatch::exact(QStringLiteral("/a")));
    QVERIFY(StringMatch::presence().isPresence());
    QVERIFY(!StringMatch::exact(QString()).isPresence());
    QCOMPARE(StringMatch::kindName(StringMatch::Kind::Regex), QStringLiteral("regex"));
    QCOMPARE(encodeStringMatch(StringMatch::presence()).size(), std::size_t(0));
}

void TestModel::durations()
{
    const Duration d = Duration::fromText(QStringLiteral("1m30s"));
    QCOMPARE(d.ms, std::optional<qint64>(90000));
    QVERIFY(d.isValid());
    QVERIFY(!Duration::fromText(QStringLiteral("5")).isValid()); // Go rejects unitless
    QCOMPARE(Duration::fromMs(1500).text, QStringLiteral("1.5s"));
    QVERIFY(Duration::fromText(QStringLiteral("1s")) !=
            Duration::fromText(QStringLiteral("1000ms")));
}

void TestModel::effectiveMirrorPercentage()
{
    HTTPRoute r;
    QCOMPARE(r.effectiveMirrorPercentage(), 100.0);
    r.mirrorPercent = 20;
    QCOMPARE(r.effectiveMirrorPercentage(), 20.0);
    r.mirrorPercentage = 0.0; // mirrorPercentage wins, and 0 means off
    QCOMPARE(r.effectiveMirrorPercentage(), 0.0);
    HTTPMirrorPolicy p;
    QCOMPARE(p.effectivePercentage(), 100.0);
    p.percentage = 5.5;
    QCOMPARE(p.effectivePercentage(), 5.5);
}

void TestModel::formatNumber_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("text");
    QTest::newRow("int") << 50.0 << "50";
    QTest::newRow("zero") << 0.0 << "0";
    QTest::newRow("half") << 12.5 << "12.5";
    QTest::newRow("tenth") << 0.1 << "0.1";
    QTest::newRow("resolution") << 0.0001 << "0.0001";
    QTest::newRow("tiny") << 0.00001 << "0.00001";
}

void TestModel::formatNumber()
{
    QFETCH(double, value);
    QFETCH(QString, text);
    QCOMPARE(QString::fromStdString(Model::formatNumber(value)), text);
}

void TestModel::extraDoesNotBreakEquality()
{
    Destination a;
    a.host = QStringLiteral("h");
    Destination b = a;
    b.extra = Yaml::Node::map(); // emptied after an edit: still nothing extra
    QCOMPARE(a, b);
    b.extra.set("future", Yaml::Node::scalar("1"));
    QVERIFY(a != b);
}

void TestModel::builtInCodeEncodes()
{
    VirtualService vs;
    vs.hosts = QStringList{QStringLiteral("greeter-service")};
    HTTPRoute route;
    HTTPRouteDestination primary;
    primary.destination.host = QStringLiteral("greeter-service");
    primary.destination.subset = QStringLiteral("v1");
    primary.destination.setPortNumber(3000);
    primary.weight = 100;
    route.route.append(primary);
    route.mirror = primary.destination;
    route.mirror->subset = QStringLiteral("v2");
    route.mirrorPercentage = 25;
    route.timeout = Duration::fromMs(2000);
    vs.http.append(route);
    const Resource r =
        Resource::makeVirtualService(QStringLiteral("greeter"), vs, QStringLiteral("demo"));
    const QString text = QString::fromStdString(Yaml::dump(toNode(r)));
    const QString expected = QStringLiteral(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: greeter
  namespace: demo
spec:
  hosts:
  - greeter-service
  http:
  - route:
    - destination:
        host: greeter-service
        subset: v1
        port:
          number: 3000
      weight: 100
    timeout: 2s
    mirror:
      host: greeter-service
      subset: v2
      port:
        number: 3000
    mirrorPercentage:
      value: 25
)");
    QCOMPARE(text, expected);
    QCOMPARE(fromNode(toNode(r)), r);
}

void TestModel::modelWinsOverStaleExtra()
{
    // A wrong-typed weight sits in extra; once the user sets a weight, only that is written.
    HTTPRouteDestination d = HTTPRouteDestination();
    d.destination.host = QStringLiteral("a");
    d.extra = Yaml::Node::map();
    d.extra.set("weight", Yaml::Node::scalar("heavy"));
    d.extra.set("future", Yaml::Node::scalar("x"));
    HTTPRoute r;
    r.route.append(d);
    Yaml::Node n = encodeHTTPRoute(r);
    QCOMPARE(n.get("route")->items()[0].get("weight")->text(), std::string("heavy"));
    r.route[0].weight = 7;
    n = encodeHTTPRoute(r);
    const Yaml::Node &dest = n.get("route")->items()[0];
    QCOMPARE(dest.size(), std::size_t(3));
    QCOMPARE(dest.get("weight")->text(), std::string("7"));
    QCOMPARE(dest.entries().back().key, std::string("future"));
}

void TestModel::hostResolution()
{
    QCOMPARE(resolveHost(QStringLiteral("reviews"), QStringLiteral("foo")),
             QStringLiteral("reviews.foo.svc.cluster.local"));
    QCOMPARE(resolveHost(QStringLiteral("reviews"), QString()),
             QStringLiteral("reviews.default.svc.cluster.local"));
    QCOMPARE(resolveHost(QStringLiteral("reviews.foo.svc.cluster.local"), QStringLiteral("bar")),
             QStringLiteral("reviews.foo.svc.cluster.local"));
    QCOMPARE(resolveHost(QStringLiteral("*"), QStringLiteral("bar")), QStringLiteral("*"));

    Config c;
    DestinationRule dr;
    dr.host = QStringLiteral("reviews");
    Subset v1;
    v1.name = QStringLiteral("v1");
    dr.subsets.append(v1);
    c.resources.append(
        Resource::makeDestinationRule(QStringLiteral("r"), dr, QStringLiteral("foo")));
    QCOMPARE(c.subsetsFor(QStringLiteral("reviews.foo.svc.cluster.local")).size(), 1);
    QCOMPARE(c.subsetsFor(QStringLiteral("reviews"), QStringLiteral("foo")).size(), 1);
    QCOMPARE(c.subsetsFor(QStringLiteral("reviews"), QStringLiteral("bar")).size(), 0);
    QVERIFY(c.find(QStringLiteral("DestinationRule"), QStringLiteral("r"), QStringLiteral("foo")));
    QVERIFY(!c.find(QStringLiteral("DestinationRule"), QStringLiteral("r"), QStringLiteral("x")));
    QCOMPARE(c.resources[0].displayName(), QStringLiteral("DestinationRule/foo/r"));
}

QTEST_APPLESS_MAIN(TestModel)
#include "tst_model.moc"
