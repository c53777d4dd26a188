// The outline and the forms as a person uses them: every finished edit emits one new config
// whose YAML differs from the old one exactly where the edit was; untouched documents and
// unknown fields come back byte for byte; weights, subsets, mirror percentages, rule order,
// add/duplicate/delete, diagnostics paths and bad durations behave as the user sees them.
#include "forms/fieldwidgets.h"
#include "forms/formeditor.h"
#include "forms/outlineview.h"
#include "forms/structure.h"
#include "model/resource.h"
#include "validate/validator.h"
#include "yaml/document.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>
#include <QToolButton>

using Forms::FormEditor;
using Forms::Location;
using Kind = Forms::Location::Kind;

namespace {

const char kYaml[] = R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: greeter
spec:
  hosts:
  - greeter
  http:
  - name: api
    match:
    - uri:
        prefix: /api
      headers:
        x-user:
          exact: bob
    route:
    - destination:
        host: greeter
        subset: v1
        futureField: keep-me
      weight: 90
    - destination:
        host: greeter
        subset: v2
      weight: 10
    mirror:
      host: greeter
      subset: v2
    mirrorPercentage:
      value: 50.0
    experimentalThing:
      a: 1
  - name: web
    match:
    - uri:
        prefix: /web
    route:
    - destination:
        host: greeter
        subset: v1
  - name: last
    route:
    - destination:
        host: greeter
        subset: v1
status:
  observedGeneration: 3
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: greeter
spec:
  host: greeter
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
)";

std::vector<Yaml::Document> parse(const QByteArray &yaml)
{
    Yaml::ParseResult r = Yaml::parse(yaml, QStringLiteral("greeter.yaml"));
    return r.documents;
}

QString dump(const Model::Config &config)
{
    return QString::fromStdString(Yaml::dumpDocuments(config.toNodes()));
}

QStringList docs(const QString &yaml)
{
    return yaml.split(QStringLiteral("---\n"));
}

// `after` is `before` with exactly the lines `added` inserted and `removed` taken out.
bool onlyChanged(const QString &before, const QString &after, const QStringList &removed,
                 const QStringList &added)
{
    QStringList a = after.split(QLatin1Char('\n'));
    QStringList b = before.split(QLatin1Char('\n'));
    for (const QString &line : added) {
        if (!a.removeOne(line)) {
            qWarning("added line missing: %s\n%s", qPrintable(line), qPrintable(after));
            return false;
        }
    }
    for (const QString &line : removed) {
        if (!b.removeOne(line)) {
            qWarning("removed line not in the original: %s", qPrintable(line));
            return false;
        }
    }
    if (a != b)
        qWarning("other lines changed:\n--- before\n%s\n--- after\n%s", qPrintable(before),
                 qPrintable(after));
    return a == b;
}

QStringList ruleNames(const Model::Config &c)
{
    QStringList names;
    for (const Model::HTTPRoute &r : c.resources[0].virtualService.http)
        names.append(r.name);
    return names;
}

} // namespace

class TestForms : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void untouchedRoundTripIsIdentical();
    void fieldEditChangesOnlyThatField();
    void weightSlider();
    void weightSpinBox();
    void subsetPickerListsSubsetsAndCreatesOne();
    void subsetPickerCancel();
    void newSubsetWithoutDestinationRule();
    void renamingSubsetRenamesItsUsers();
    void mirrorPercentage();
    void matchConditionsTable();
    void optionalSectionsToggle();
    void reorderRulesByKeyboard();
    void deleteAndDuplicate();
    void addSecondMirrorMakesMirrors();
    void selectPathSelectsTheField();
    void diagnosticsMarkFieldAndOutline();
    void badDurationShowsErrorAndDoesNotEmit();
    void unknownFieldsSurviveEdits();
    void feedingBackTheEditKeepsTheForm();
    void screenshot();

private:
    template <typename T> T *field(const QString &path)
    {
        QWidget *w = m_editor->fieldWidget(path);
        if (!w)
            qWarning("no field %s", qPrintable(path));
        return qobject_cast<T *>(w);
    }

    FormEditor *m_editor = nullptr;
    QSignalSpy *m_spy = nullptr;
    Model::Config m_original;
    QString m_originalYaml;
};

void TestForms::init()
{
    m_original = Model::Config::fromDocuments(parse(kYaml));
    m_originalYaml = dump(m_original);
    m_editor = new FormEditor;
    m_editor->resize(900, 1000);
    m_editor->setConfig(m_original);
    m_editor->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_editor));
    m_spy = new QSignalSpy(m_editor, &FormEditor::edited);
}

void TestForms::cleanup()
{
    delete m_spy;
    delete m_editor;
    m_spy = nullptr;
    m_editor = nullptr;
}

void TestForms::untouchedRoundTripIsIdentical()
{
    // Showing every item's form edits nothing.
    for (QTreeWidgetItem *item : m_editor->outline()->allItems()) {
        m_editor->outline()->setCurrentItem(item);
        QVERIFY(m_editor->formPage());
    }
    QCOMPARE(m_editor->outline()->topLevelItemCount(), 2);
    QCOMPARE(m_spy->count(), 0);
    QCOMPARE(dump(m_editor->config()), m_originalYaml);
}

void TestForms::fieldEditChangesOnlyThatField()
{
    QVERIFY(m_editor->select(Location::ruleAt(0, 0)));
    auto *timeout = field<Forms::DurationEdit>(QStringLiteral("spec.http[0].timeout"));
    QVERIFY(timeout);
    QTest::keyClicks(timeout->lineEdit(), QStringLiteral("5s"));
    QCOMPARE(m_spy->count(), 0); // not per keystroke
    QTest::keyClick(timeout->lineEdit(), Qt::Key_Return);
    QCOMPARE(m_spy->count(), 1);
    const auto config = m_spy->at(0).at(0).value<Model::Config>();
    QVERIFY(!m_spy->at(0).at(1).toString().isEmpty());
    const QString yaml = dump(config);
    QVERIFY(onlyChanged(m_originalYaml, yaml, {}, {QStringLiteral("    timeout: 5s")}));
    QCOMPARE(docs(yaml).at(1), docs(m_originalYaml).at(1)); // the DestinationRule untouched

    // Renaming the rule: one more step, the outline follows.
    auto *name = field<QLineEdit>(QStringLiteral("spec.http[0].name"));
    name->selectAll();
    QTest::keyClicks(name, QStringLiteral("public-api"));
    QTest::keyClick(name, Qt::Key_Return);
    QCOMPARE(m_spy->count(), 2);
    QCOMPARE(m_editor->config().resources[0].virtualService.http[0].name,
             QStringLiteral("public-api"));
    QVERIFY(m_editor->outline()->currentItem()->text(0).contains(QLatin1String("public-api")));
}

void TestForms::weightSlider()
{
    QVERIFY(m_editor->select(Location::child(Kind::Destination, 0, 0, 0)));
    auto *weight = field<Forms::WeightEdit>(QStringLiteral("spec.http[0].route[0].weight"));
    QVERIFY(weight);
    QCOMPARE(weight->slider()->value(), 90);
    QVERIFY(weight->shareLabel()->text().startsWith(QLatin1String("90 %")));

    weight->slider()->setSliderDown(true);
    weight->slider()->setValue(30);
    QCOMPARE(weight->spinBox()->value(), 30);                                // live
    QVERIFY(weight->shareLabel()->text().startsWith(QLatin1String("75 %"))); // 30 / (30 + 10)
    QCOMPARE(m_spy->count(), 0);                                             // not while dragging
    weight->slider()->setSliderDown(false);                                  // release
    QCOMPARE(m_spy->count(), 1);
    const auto config = m_spy->at(0).at(0).value<Model::Config>();
    QCOMPARE(config.resources[0].virtualService.http[0].route[0].weight, std::optional<int>(30));
    QVERIFY(onlyChanged(m_originalYaml, dump(config), {QStringLiteral("      weight: 90")},
                        {QStringLiteral("      weight: 30")}));
    QVERIFY(weight->shareLabel()->text().startsWith(QLatin1String("75 %")));
    // The outline shows the new share of both destinations.
    const QTreeWidgetItem *other =
        m_editor->outline()->itemFor(Location::child(Kind::Destination, 0, 0, 1));
    QVERIFY2(other->text(1).contains(QLatin1String("25 %")), qPrintable(other->text(1)));
}

void TestForms::weightSpinBox()
{
    QVERIFY(m_editor->select(Location::child(Kind::Destination, 0, 0, 1)));
    auto *weight = field<Forms::WeightEdit>(QStringLiteral("spec.http[0].route[1].weight"));
    weight->spinBox()->selectAll();
    QTest::keyClicks(weight->spinBox(), QStringLiteral("60"));
    QCOMPARE(m_spy->count(), 0);
    QTest::keyClick(weight->spinBox(), Qt::Key_Return);
    QCOMPARE(m_spy->count(), 1);
    QCOMPARE(m_editor->config().resources[0].virtualService.http[0].route[1].weight,
             std::optional<int>(60));
    QCOMPARE(weight->slider()->value(), 60);
    QVERIFY(weight->shareLabel()->text().startsWith(QLatin1String("40 %"))); // 60 / 150
}

void TestForms::subsetPickerListsSubsetsAndCreatesOne()
{
    QVERIFY(m_editor->select(Location::child(Kind::Destination, 0, 0, 0)));
    auto *combo = field<QComboBox>(QStringLiteral("spec.http[0].route[0].destination.subset"));
    QVERIFY(combo);
    QStringList listed;
    for (int i = 0; i < combo->count(); ++i)
        listed.append(combo->itemData(i).toString());
    QVERIFY(listed.contains(QLatin1String("v1")));
    QVERIFY(listed.contains(QLatin1String("v2")));
    QCOMPARE(combo->currentData().toString(), QStringLiteral("v1"));
    QVERIFY(combo->itemText(combo->count() - 1).startsWith(QLatin1String("New subset")));

    // Picking v2 is one edit.
    combo->setCurrentIndex(combo->findData(QStringLiteral("v2")));
    QCOMPARE(m_spy->count(), 1);
    QCOMPARE(m_editor->config().resources[0].virtualService.http[0].route[0].destination.subset,
             QStringLiteral("v2"));

    QString askedHost, suggested;
    m_editor->setSubsetNamePrompt([&](const QString &host, const QString &suggestion) {
        askedHost = host;
        suggested = suggestion;
        return QStringLiteral("canary");
    });
    combo->setCurrentIndex(combo->count() - 1);
    QCOMPARE(m_spy->count(), 2);
    QCOMPARE(askedHost, QStringLiteral("greeter"));
    QCOMPARE(suggested, QStringLiteral("v3"));
    const Model::Config &c = m_editor->config();
    QCOMPARE(c.resources[1].destinationRule.subsetNames(),
             (QStringList{QStringLiteral("v1"), QStringLiteral("v2"), QStringLiteral("canary")}));
    QCOMPARE(c.resources[1].destinationRule.subsets[2].labels.value(QStringLiteral("version")),
             QStringLiteral("canary"));
    QCOMPARE(c.resources[0].virtualService.http[0].route[0].destination.subset,
             QStringLiteral("canary"));
    // The form was rebuilt: the picker lists the new subset and shows it.
    combo = field<QComboBox>(QStringLiteral("spec.http[0].route[0].destination.subset"));
    QCOMPARE(combo->currentData().toString(), QStringLiteral("canary"));
    // And the outline has the subset under the DestinationRule.
    QVERIFY(m_editor->outline()->itemFor(Location::child(Kind::Subset, 1, -1, 2)));
}

void TestForms::subsetPickerCancel()
{
    QVERIFY(m_editor->select(Location::child(Kind::Mirror, 0, 0, -1)));
    auto *combo = field<QComboBox>(QStringLiteral("spec.http[0].mirror.subset"));
    QVERIFY(combo);
    QCOMPARE(combo->currentData().toString(), QStringLiteral("v2"));
    m_editor->setSubsetNamePrompt([](const QString &, const QString &) { return QString(); });
    combo->setCurrentIndex(combo->count() - 1);
    QCOMPARE(m_spy->count(), 0);
    QCOMPARE(combo->currentData().toString(), QStringLiteral("v2"));
    QCOMPARE(m_editor->config(), m_original);
}

void TestForms::newSubsetWithoutDestinationRule()
{
    Model::Config c = m_original;
    const Location at = Forms::Structure::addSubsetForHost(c, QStringLiteral("other-svc"),
                                                           QString(), QStringLiteral("v1"));
    QCOMPARE(at.kind, Kind::Subset);
    QCOMPARE(c.resources.size(), 3);
    QCOMPARE(c.resources[2].kind, QStringLiteral("DestinationRule"));
    QCOMPARE(c.resources[2].destinationRule.host, QStringLiteral("other-svc"));
    QCOMPARE(c.resources[2].destinationRule.subsetNames(), QStringList{QStringLiteral("v1")});
}

void TestForms::renamingSubsetRenamesItsUsers()
{
    QVERIFY(m_editor->select(Location::child(Kind::Subset, 1, -1, 1)));
    auto *name = field<QLineEdit>(QStringLiteral("spec.subsets[1].name"));
    name->selectAll();
    QTest::keyClicks(name, QStringLiteral("canary"));
    QTest::keyClick(name, Qt::Key_Return);
    QCOMPARE(m_spy->count(), 1); // one step for the subset and the routes using it
    const Model::HTTPRoute &r = m_editor->config().resources[0].virtualService.http[0];
    QCOMPARE(r.route[1].destination.subset, QStringLiteral("canary"));
    QCOMPARE(r.mirror->subset, QStringLiteral("canary"));
    QCOMPARE(r.route[0].destination.subset, QStringLiteral("v1"));
}

void TestForms::mirrorPercentage()
{
    QVERIFY(m_editor->select(Location::child(Kind::Mirror, 0, 0, -1)));
    auto *percent = field<Forms::PercentEdit>(QStringLiteral("spec.http[0].mirrorPercentage"));
    QVERIFY(percent);
    QCOMPARE(percent->spinBox()->value(), 50.0);
    QCOMPARE(percent->slider()->value(), 5000);

    percent->slider()->setSliderDown(true);
    percent->slider()->setValue(1250);
    QCOMPARE(m_spy->count(), 0);
    percent->slider()->setSliderDown(false);
    QCOMPARE(m_spy->count(), 1);
    QCOMPARE(m_editor->config().resources[0].virtualService.http[0].mirrorPercentage,
             std::optional<double>(12.5));
    QVERIFY(onlyChanged(m_originalYaml, dump(m_editor->config()),
                        {QStringLiteral("      value: 50.0")},
                        {QStringLiteral("      value: 12.5")}));

    // Decimals through the spin box (Istio's resolution is 0.0001 %).
    percent->spinBox()->selectAll();
    QTest::keyClicks(percent->spinBox(), QStringLiteral("0.25"));
    QTest::keyClick(percent->spinBox(), Qt::Key_Return);
    QCOMPARE(m_spy->count(), 2);
    QCOMPARE(m_editor->config().resources[0].virtualService.http[0].mirrorPercentage,
             std::optional<double>(0.25));
    QVERIFY(m_editor->outline()
                ->itemFor(Location::child(Kind::Mirror, 0, 0, -1))
                ->text(1)
                .contains(QLatin1String("0.25 %")));

    // Unset: Istio mirrors 100 %, and the key goes away.
    percent->clearButton()->click();
    QCOMPARE(m_spy->count(), 3);
    QVERIFY(!m_editor->config().resources[0].virtualService.http[0].mirrorPercentage);
    QVERIFY(!dump(m_editor->config()).contains(QLatin1String("mirrorPercentage")));
}

void TestForms::matchConditionsTable()
{
    QVERIFY(m_editor->select(Location::child(Kind::Match, 0, 0, 0)));
    auto *rows = qobject_cast<Forms::RowsTable *>(
        m_editor->fieldWidget(QStringLiteral("spec.http[0].match[0]")));
    QVERIFY(rows);
    QTableWidget *table = rows->table();
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(qobject_cast<QComboBox *>(table->cellWidget(0, 0))->currentText(),
             QStringLiteral("uri"));
    QCOMPARE(table->item(0, 3)->text(), QStringLiteral("/api"));
    QCOMPARE(table->item(1, 1)->text(), QStringLiteral("x-user"));

    table->item(0, 3)->setText(QStringLiteral("/v2"));
    QCOMPARE(m_spy->count(), 1);
    QVERIFY(onlyChanged(m_originalYaml, dump(m_editor->config()),
                        {QStringLiteral("        prefix: /api")},
                        {QStringLiteral("        prefix: /v2")}));

    // Kind regex for the header.
    qobject_cast<QComboBox *>(table->cellWidget(1, 2))->setCurrentText(QStringLiteral("regex"));
    QCOMPARE(m_spy->count(), 2);
    const Model::HTTPMatchRequest m =
        m_editor->config().resources[0].virtualService.http[0].match[0];
    QCOMPARE(m.headers.value(QStringLiteral("x-user")), Model::StringMatch::regex("bob"));

    // Two uri conditions in one match: an error under the table, nothing emitted.
    qobject_cast<QComboBox *>(table->cellWidget(1, 0))->setCurrentText(QStringLiteral("uri"));
    QCOMPARE(m_spy->count(), 2);
    auto *error = m_editor->formPage()->findChild<QLabel *>(QStringLiteral("conditionsError"));
    QVERIFY(error && error->isVisible());
    QVERIFY(error->text().contains(QLatin1String("only one uri")));
}

void TestForms::optionalSectionsToggle()
{
    QVERIFY(m_editor->select(Location::ruleAt(0, 0)));
    auto *retries = field<QCheckBox>(QStringLiteral("spec.http[0].retries"));
    QVERIFY(retries && !retries->isChecked());
    auto *attempts = field<Forms::OptionalSpin>(QStringLiteral("spec.http[0].retries.attempts"));
    QVERIFY(attempts && !attempts->isVisible()); // absent: its rows are hidden
    retries->click();
    QVERIFY(attempts->isVisible());
    attempts->spinBox()->selectAll();
    QTest::keyClicks(attempts->spinBox(), QStringLiteral("3"));
    QTest::keyClick(attempts->spinBox(), Qt::Key_Return);
    QCOMPARE(m_spy->count(), 2);
    QVERIFY(onlyChanged(m_originalYaml, dump(m_editor->config()), {},
                        {QStringLiteral("    retries:"), QStringLiteral("      attempts: 3")}));

    // A fault delay with a percentage: the fault goes away with its last part.
    auto *delay = field<QCheckBox>(QStringLiteral("spec.http[0].fault.delay"));
    delay->click();
    auto *fixed = field<Forms::DurationEdit>(QStringLiteral("spec.http[0].fault.delay.fixedDelay"));
    QTest::keyClicks(fixed->lineEdit(), QStringLiteral("2s"));
    QTest::keyClick(fixed->lineEdit(), Qt::Key_Return);
    auto *percent =
        field<Forms::PercentEdit>(QStringLiteral("spec.http[0].fault.delay.percentage"));
    percent->spinBox()->selectAll();
    QTest::keyClicks(percent->spinBox(), QStringLiteral("10"));
    QTest::keyClick(percent->spinBox(), Qt::Key_Return);
    const Model::HTTPRoute &r = m_editor->config().resources[0].virtualService.http[0];
    QVERIFY(r.fault && r.fault->delay);
    QCOMPARE(r.fault->delay->fixedDelay->ms, std::optional<qint64>(2000));
    QCOMPARE(r.fault->delay->percentage, std::optional<double>(10));
    delay->click();
    QVERIFY(!m_editor->config().resources[0].virtualService.http[0].fault);
    retries->click();
    QCOMPARE(dump(m_editor->config()), m_originalYaml);
}

void TestForms::reorderRulesByKeyboard()
{
    QVERIFY(m_editor->select(Location::ruleAt(0, 1)));
    m_editor->outline()->setFocus();
    QTest::keyClick(m_editor->outline(), Qt::Key_Up, Qt::ControlModifier);
    QCOMPARE(m_spy->count(), 1);
    QCOMPARE(ruleNames(m_editor->config()),
             (QStringList{QStringLiteral("web"), QStringLiteral("api"), QStringLiteral("last")}));
    QCOMPARE(m_editor->currentLocation(), Location::ruleAt(0, 0)); // the moved rule stays selected
    QTest::keyClick(m_editor->outline(), Qt::Key_Up, Qt::ControlModifier); // already first
    QCOMPARE(m_spy->count(), 1);
    QTest::keyClick(m_editor->outline(), Qt::Key_Down, Qt::ControlModifier);
    QTest::keyClick(m_editor->outline(), Qt::Key_Down, Qt::ControlModifier);
    QCOMPARE(m_spy->count(), 3);
    QCOMPARE(ruleNames(m_editor->config()),
             (QStringList{QStringLiteral("api"), QStringLiteral("last"), QStringLiteral("web")}));
    QVERIFY(m_editor->outline()->currentItem()->text(0).contains(QLatin1String("web")));
    // The rules' contents moved with them.
    QCOMPARE(m_editor->config().resources[0].virtualService.http[2],
             m_original.resources[0].virtualService.http[1]);
}

void TestForms::deleteAndDuplicate()
{
    QVERIFY(m_editor->select(Location::ruleAt(0, 2)));
    QTest::keyClick(m_editor->outline(), Qt::Key_Delete);
    QCOMPARE(m_spy->count(), 1);
    QCOMPARE(ruleNames(m_editor->config()),
             (QStringList{QStringLiteral("api"), QStringLiteral("web")}));
    QCOMPARE(m_editor->currentLocation(), Location::ruleAt(0, 1));

    QVERIFY(m_editor->select(Location::ruleAt(0, 0)));
    QTest::keyClick(m_editor->outline(), Qt::Key_D, Qt::ControlModifier);
    QCOMPARE(m_spy->count(), 2);
    QCOMPARE(
        ruleNames(m_editor->config()),
        (QStringList{QStringLiteral("api"), QStringLiteral("api-copy"), QStringLiteral("web")}));
    Model::HTTPRoute copy = m_editor->config().resources[0].virtualService.http[1];
    copy.name = QStringLiteral("api");
    QCOMPARE(copy, m_original.resources[0].virtualService.http[0]);

    // Deleting the single mirror removes its percentage too.
    QVERIFY(m_editor->select(Location::child(Kind::Mirror, 0, 0, -1)));
    QTest::keyClick(m_editor->outline(), Qt::Key_Delete);
    const Model::HTTPRoute &api = m_editor->config().resources[0].virtualService.http[0];
    QVERIFY(!api.mirror && !api.mirrorPercentage);
    QCOMPARE(m_editor->currentLocation(), Location::ruleAt(0, 0));

    // Insert on a destination adds one after it, with weight 0 (traffic unchanged).
    QVERIFY(m_editor->select(Location::child(Kind::Destination, 0, 0, 0)));
    QTest::keyClick(m_editor->outline(), Qt::Key_Insert);
    const Model::HTTPRoute &api2 = m_editor->config().resources[0].virtualService.http[0];
    QCOMPARE(api2.route.size(), 3);
    QCOMPARE(api2.route[1].weight, std::optional<int>(0));
    QCOMPARE(api2.route[1].destination.host, QStringLiteral("greeter"));
    QCOMPARE(m_editor->currentLocation(), Location::child(Kind::Destination, 0, 0, 1));

    // A subset, a DestinationRule.
    QVERIFY(m_editor->select(Location::child(Kind::Subset, 1, -1, 0)));
    QTest::keyClick(m_editor->outline(), Qt::Key_Delete);
    QCOMPARE(m_editor->config().resources[1].destinationRule.subsetNames(),
             QStringList{QStringLiteral("v2")});
    QVERIFY(m_editor->select(Location::resourceAt(m_editor->config(), 1)));
    QTest::keyClick(m_editor->outline(), Qt::Key_Delete);
    QCOMPARE(m_editor->config().resources.size(), 1);
    QCOMPARE(m_spy->count(), 6);
}

void TestForms::addSecondMirrorMakesMirrors()
{
    QVERIFY(m_editor->select(Location::child(Kind::Mirror, 0, 0, -1)));
    m_editor->addItem();
    const Model::HTTPRoute &r = m_editor->config().resources[0].virtualService.http[0];
    QVERIFY(!r.mirror);
    QVERIFY(!r.mirrorPercentage);
    QCOMPARE(r.mirrors.size(), 2);
    QCOMPARE(r.mirrors[0].destination.subset, QStringLiteral("v2"));
    QCOMPARE(r.mirrors[0].percentage, std::optional<double>(50));
    QCOMPARE(m_editor->currentLocation(), Location::child(Kind::Mirror, 0, 0, 1));
    QVERIFY(m_editor->fieldWidget(QStringLiteral("spec.http[0].mirrors[1].percentage")));
}

void TestForms::selectPathSelectsTheField()
{
    QVERIFY(m_editor->selectPath(QStringLiteral("spec.http[0].mirrorPercentage.value")));
    QCOMPARE(m_editor->currentLocation(), Location::child(Kind::Mirror, 0, 0, -1));
    QCOMPARE(m_editor->currentFieldPath(), QStringLiteral("spec.http[0].mirrorPercentage"));
    QVERIFY(qobject_cast<Forms::PercentEdit *>(m_editor->currentField()));

    QVERIFY(m_editor->selectPath(QStringLiteral("spec.http[0].route[1].weight")));
    QCOMPARE(m_editor->currentLocation(), Location::child(Kind::Destination, 0, 0, 1));
    QVERIFY(qobject_cast<Forms::WeightEdit *>(m_editor->currentField()));

    QVERIFY(m_editor->selectPath(QStringLiteral("spec.http[0].route[0].destination.port.number")));
    QCOMPARE(m_editor->currentFieldPath(),
             QStringLiteral("spec.http[0].route[0].destination.port"));

    QVERIFY(
        m_editor->selectPath(QStringLiteral("spec.http[0].match[0].headers[\"x-user\"].exact")));
    QCOMPARE(m_editor->currentLocation(), Location::child(Kind::Match, 0, 0, 0));
    auto *rows = qobject_cast<Forms::RowsTable *>(m_editor->currentField());
    QVERIFY(rows);
    QCOMPARE(rows->table()->currentRow(), 1);

    QVERIFY(m_editor->selectPath(QStringLiteral("spec.http[1].timeout")));
    QCOMPARE(m_editor->currentLocation(), Location::ruleAt(0, 1));
    QCOMPARE(m_editor->currentFieldPath(), QStringLiteral("spec.http[1].timeout"));

    // Without a resource index: a DestinationRule path goes to the DestinationRule.
    QVERIFY(m_editor->selectPath(QStringLiteral("spec.subsets[1].labels.version")));
    QCOMPARE(m_editor->currentLocation(), Location::child(Kind::Subset, 1, -1, 1));
    QCOMPARE(m_editor->currentFieldPath(), QStringLiteral("spec.subsets[1].labels"));

    QVERIFY(m_editor->selectPath(QStringLiteral("spec.hosts[0]"), 0));
    QCOMPARE(m_editor->currentLocation(), Location::resourceAt(m_editor->config(), 0));
    QCOMPARE(m_editor->currentFieldPath(), QStringLiteral("spec.hosts"));
    QCOMPARE(m_spy->count(), 0);
}

void TestForms::diagnosticsMarkFieldAndOutline()
{
    QByteArray broken(kYaml);
    broken.replace("weight: 10", "weight: -15");
    const std::vector<Yaml::Document> documents = parse(broken);
    m_editor->setDocuments(documents);
    const Base::Diagnostics diagnostics = Validate::validate(documents);
    const auto it = std::find_if(diagnostics.begin(), diagnostics.end(), [](const auto &d) {
        return d.path == QLatin1String("spec.http[0].route[1].weight");
    });
    QVERIFY(it != diagnostics.end());
    m_editor->setDiagnostics(diagnostics);
    QVERIFY(m_editor->selectDiagnostic(*it));
    QCOMPARE(m_editor->currentLocation(), Location::child(Kind::Destination, 0, 0, 1));
    auto *weight = qobject_cast<Forms::WeightEdit *>(m_editor->currentField());
    QVERIFY(weight);
    QVERIFY(weight->property("problem").toBool());
    QVERIFY(weight->toolTip().contains(it->message));
    QVERIFY(!m_editor->outline()->currentItem()->icon(0).isNull());
    QVERIFY(!m_editor->outline()->itemFor(Location::ruleAt(0, 0))->icon(0).isNull());

    // Fixing it through the form, then handing over the new diagnostics, clears the mark.
    weight->spinBox()->selectAll();
    QTest::keyClicks(weight->spinBox(), QStringLiteral("10"));
    QTest::keyClick(weight->spinBox(), Qt::Key_Return);
    QCOMPARE(m_spy->count(), 1);
    const QByteArray fixed = QByteArray::fromStdString(
        Yaml::dumpDocuments(m_spy->at(0).at(0).value<Model::Config>().toNodes()));
    const Base::Diagnostics after = Validate::validate(parse(fixed));
    m_editor->setDiagnostics(after);
    QVERIFY(!weight->property("problem").toBool());
}

void TestForms::badDurationShowsErrorAndDoesNotEmit()
{
    QVERIFY(m_editor->select(Location::ruleAt(0, 0)));
    auto *timeout = field<Forms::DurationEdit>(QStringLiteral("spec.http[0].timeout"));
    QTest::keyClicks(timeout->lineEdit(), QStringLiteral("5"));
    QTest::keyClick(timeout->lineEdit(), Qt::Key_Return);
    QCOMPARE(m_spy->count(), 0);
    QVERIFY(timeout->hasError());
    QVERIFY(timeout->errorText().contains(QLatin1String("5s")));
    auto *message = timeout->findChild<QLabel *>();
    QVERIFY(message && message->isVisible());
    QCOMPARE(timeout->lineEdit()->palette().color(QPalette::Base), QColor(255, 214, 214));
    QVERIFY(!m_editor->config().resources[0].virtualService.http[0].timeout);

    timeout->lineEdit()->selectAll();
    QTest::keyClicks(timeout->lineEdit(), QStringLiteral("1m30s"));
    QTest::keyClick(timeout->lineEdit(), Qt::Key_Return);
    QCOMPARE(m_spy->count(), 1);
    QVERIFY(!timeout->hasError());
    QVERIFY(!message->isVisible());
    QCOMPARE(m_editor->config().resources[0].virtualService.http[0].timeout->ms,
             std::optional<qint64>(90000));
}

void TestForms::unknownFieldsSurviveEdits()
{
    QVERIFY(m_editor->select(Location::child(Kind::Destination, 0, 0, 0)));
    auto *port =
        field<Forms::OptionalSpin>(QStringLiteral("spec.http[0].route[0].destination.port"));
    QVERIFY(port);
    port->spinBox()->selectAll();
    QTest::keyClicks(port->spinBox(), QStringLiteral("3000"));
    QTest::keyClick(port->spinBox(), Qt::Key_Return);
    QCOMPARE(m_spy->count(), 1);
    QVERIFY(m_editor->select(Location::ruleAt(0, 2)));
    m_editor->deleteItem();
    QVERIFY(m_editor->select(Location::ruleAt(0, 0)));
    auto *name = field<QLineEdit>(QStringLiteral("spec.http[0].name"));
    name->setText(QStringLiteral("renamed"));
    QTest::keyClick(name, Qt::Key_Return);
    QCOMPARE(m_spy->count(), 3);
    const QString yaml = dump(m_editor->config());
    QVERIFY(yaml.contains(QLatin1String("        futureField: keep-me")));
    QVERIFY(yaml.contains(QLatin1String("    experimentalThing:\n      a: 1")));
    QVERIFY(yaml.contains(QLatin1String("status:\n  observedGeneration: 3")));
    QVERIFY(yaml.contains(QLatin1String("          number: 3000")));
    QCOMPARE(docs(yaml).at(1), docs(m_originalYaml).at(1));
}

void TestForms::feedingBackTheEditKeepsTheForm()
{
    // The owner regenerates the YAML from edited() and parses it again: the form stays (focus
    // and half-done work in other fields are not lost).
    connect(m_editor, &FormEditor::edited, m_editor, [this](const Model::Config &c) {
        m_editor->setDocuments(parse(QByteArray::fromStdString(Yaml::dumpDocuments(c.toNodes()))));
    });
    QVERIFY(m_editor->select(Location::ruleAt(0, 0)));
    QWidget *page = m_editor->formPage();
    auto *timeout = field<Forms::DurationEdit>(QStringLiteral("spec.http[0].timeout"));
    QTest::keyClicks(timeout->lineEdit(), QStringLiteral("2s"));
    QTest::keyClick(timeout->lineEdit(), Qt::Key_Return);
    QCOMPARE(m_spy->count(), 1);
    QCOMPARE(m_editor->formPage(), page);
    // A different document from outside (undo) rebuilds it and keeps the selected item.
    m_editor->setConfig(m_original);
    QVERIFY(m_editor->formPage() != page);
    QCOMPARE(m_editor->currentLocation(), Location::ruleAt(0, 0));
    QVERIFY(field<Forms::DurationEdit>(QStringLiteral("spec.http[0].timeout"))
                ->lineEdit()
                ->text()
                .isEmpty());
    QCOMPARE(m_spy->count(), 1);
}

void TestForms::screenshot()
{
    // MIRRORSCOPE_SCREENSHOT_DIR=<dir> writes the forms as PNGs there (for docs and review).
    const QString dir = qEnvironmentVariable("MIRRORSCOPE_SCREENSHOT_DIR");
    if (dir.isEmpty())
        QSKIP("MIRRORSCOPE_SCREENSHOT_DIR not set");
    const QList<QPair<QString, Location>> shots = {
        {QStringLiteral("forms-rule.png"), Location::ruleAt(0, 0)},
        {QStringLiteral("forms-match.png"), Location::child(Kind::Match, 0, 0, 0)},
        {QStringLiteral("forms-destination.png"), Location::child(Kind::Destination, 0, 0, 0)},
        {QStringLiteral("forms-mirror.png"), Location::child(Kind::Mirror, 0, 0, -1)},
        {QStringLiteral("forms-subset.png"), Location::child(Kind::Subset, 1, -1, 1)}};
    for (const auto &[file, at] : shots) {
        QVERIFY(m_editor->select(at));
        QCoreApplication::processEvents(); // the new page's layout
        QVERIFY(m_editor->grab().save(QDir(dir).filePath(file)));
    }
}

QTEST_MAIN(TestForms)
#include "tst_forms.moc"
