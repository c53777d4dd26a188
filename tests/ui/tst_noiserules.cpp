// Noise rules as a person keeps them: added in the Noise Rules dialog (checked as typed), they
// are in the running comparator at once, so a later difference in that field no longer counts
// as a mismatch; they are saved with the document and come back in a new window on the same
// file; a bad pattern says why and saves nothing; a right-click rule from the log is saved too;
// the demo's own rules are shown read-only and never saved; import refuses a bad file naming it.
#include "dialogs/noiserulesdialog.h"
#include "editor/settings.h"
#include "logs/detailpane.h"
#include "logs/logview.h"
#include "mainwindow.h"
#include "observe/hub.h"
#include "run/runcontroller.h"
#include "run/runpage.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <QTreeWidget>

using Observe::Exchange;
using Observe::Leg;
using Rule = Observe::NoiseRules::Rule;

namespace {

quint64 g_nextId = 1;

Leg jsonLeg(const QString &subset, const QByteArray &body)
{
    Leg l;
    l.destination = {QStringLiteral("greeter-service"), subset, 0};
    l.endpoint = QStringLiteral("127.0.0.1:1");
    l.status = 200;
    l.totalUs = 2000;
    l.responseHeaders = {{"content-type", "application/json"}};
    l.bodyPrefix = body;
    l.bodySize = body.size();
    l.bodyHash = qHash(body);
    return l;
}

// v1 and v2 answer the same but for $.locale, as the greeters do on /users/{id}.
Exchange localeDiffers()
{
    Exchange e;
    e.id = g_nextId++;
    e.requestId = "req-" + QByteArray::number(e.id);
    e.start = QDateTime::currentDateTimeUtc();
    e.method = "GET";
    e.authority = "greeter-service";
    e.path = "/users/" + QByteArray::number(e.id);
    e.virtualService = QStringLiteral("greeter-service");
    e.ruleIndex = 0;
    e.primary = jsonLeg(QStringLiteral("v1"), R"({"name":"Ada","locale":"en"})");
    e.mirrors << jsonLeg(QStringLiteral("v2"), R"({"name":"Ada","locale":"fr"})");
    return e;
}

Observe::NoiseRules comparatorRules(Ui::MainWindow &w)
{
    Observe::NoiseRules rules;
    w.runController()->hub()->withComparator(
        [&rules](Observe::Comparator &c) { rules = c.noiseRules(); });
    return rules;
}

// What the comparator makes of a pair differing only in $.locale now.
bool localeCountsAsMismatch(Ui::MainWindow &w)
{
    bool mismatch = false;
    bool bodyEqual = false;
    w.runController()->hub()->withComparator([&](Observe::Comparator &c) {
        const QList<Observe::Comparison> cs = c.compare(localeDiffers());
        mismatch = cs.value(0).mismatch();
        bodyEqual = cs.value(0).body.equal;
    });
    return mismatch || !bodyEqual;
}

int rowWith(QTreeWidget *list, const QString &pattern, const QString &origin)
{
    for (int i = 0; i < list->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = list->topLevelItem(i);
        if (item->text(Ui::NoiseRulesDialog::PatternColumn) == pattern &&
            item->text(Ui::NoiseRulesDialog::OriginColumn) == origin)
            return i;
    }
    return -1;
}

QString savedNoise(const QString &file)
{
    return Ui::Settings::open()->value("noise/perFile").toMap().value(file).toString();
}

} // namespace

class TestNoiseRules : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void addedRuleIsAppliedAndSurvivesANewWindow();
    void badPatternSaysWhyAndSavesNothing();
    void rightClickRuleFromTheLogIsSaved();
    void demoRulesShowReadOnlyAndAreNotSaved();
    void importRefusesABadFileAndExportRoundTrips();

private:
    QString freshFile(const QString &name);

    QTemporaryDir m_settingsDir;
    QTemporaryDir m_dir;
};

void TestNoiseRules::initTestCase()
{
    Q_INIT_RESOURCE(core);
    QStandardPaths::setTestModeEnabled(true);
    // Each ui test executable gets its own settings folder (ctest -j runs them together).
    QVERIFY(m_settingsDir.isValid());
    QVERIFY(m_dir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QVERIFY2(Ui::Settings::open()->fileName().startsWith(m_settingsDir.path()),
             qPrintable(Ui::Settings::open()->fileName()));
    Ui::Settings::open()->clear();
}

QString TestNoiseRules::freshFile(const QString &name)
{
    QFile example(QStringLiteral(":/examples/greeter-mirror.yaml"));
    if (!example.open(QIODevice::ReadOnly))
        return {};
    const QString path = QDir(m_dir.path()).filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(example.readAll()) < 0)
        return {};
    return path;
}

void TestNoiseRules::addedRuleIsAppliedAndSurvivesANewWindow()
{
    const QString path = freshFile(QStringLiteral("greeter.yaml"));
    QVERIFY(!path.isEmpty());
    {
        Ui::MainWindow w;
        QVERIFY(w.openFile(path));
        QVERIFY(w.noiseRules().isEmpty());
        // Before the rule: a $.locale difference is a body mismatch.
        QVERIFY(localeCountsAsMismatch(w));

        Ui::NoiseRulesDialog *d = w.showNoiseRules();
        QVERIFY(d);
        QCOMPARE(d->editableRowCount(), 0);
        // The default ignored headers are listed, read-only.
        const int date = rowWith(d->ruleList(), QStringLiteral("date"), QStringLiteral("default"));
        QVERIFY(date >= 0);
        QVERIFY(!d->removeRow(date));
        d->kindBox()->setCurrentIndex(d->kindBox()->findText(QStringLiteral("JSON path")));
        QTest::keyClicks(d->patternEdit(), QStringLiteral("$.locale"));
        QVERIFY2(d->errorLabel()->text().isEmpty(), qPrintable(d->errorLabel()->text()));
        QVERIFY(d->addButton()->isEnabled());
        QSignalSpy changed(d, &Ui::NoiseRulesDialog::rulesChanged);
        QTest::mouseClick(d->addButton(), Qt::LeftButton);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(d->editableRowCount(), 1);
        QVERIFY(rowWith(d->ruleList(), QStringLiteral("$.locale"), QStringLiteral("you")) == 0);
        QVERIFY(d->patternEdit()->text().isEmpty());

        // In the comparator at once: the same difference no longer counts.
        QVERIFY(comparatorRules(w).pathIgnored(QStringLiteral("$.locale"), QString()));
        QVERIFY(!localeCountsAsMismatch(w));
        QVERIFY(w.noiseRules().pathIgnored(QStringLiteral("$.locale"), QString()));
        QVERIFY(savedNoise(path).contains(QLatin1String("$.locale")));
        d->close();
    }
    {
        // A new window on the same file has the rule back, in the comparator too.
        Ui::MainWindow w;
        QVERIFY(comparatorRules(w).isEmpty()); // the example, not the file
        QVERIFY(w.openFile(path));
        QCOMPARE(w.noiseRules().rules().size(), 1);
        QCOMPARE(w.noiseRules().rules().first().pattern, QStringLiteral("$.locale"));
        QVERIFY(!localeCountsAsMismatch(w));
        Ui::NoiseRulesDialog *d = w.showNoiseRules();
        const int row = rowWith(d->ruleList(), QStringLiteral("$.locale"), QStringLiteral("you"));
        QCOMPARE(row, 0);
        // Removing it: counted again, and gone from the settings.
        QVERIFY(d->removeRow(row));
        QVERIFY(localeCountsAsMismatch(w));
        QVERIFY(savedNoise(path).isEmpty());
        d->close();
    }
    {
        Ui::MainWindow w;
        QVERIFY(w.openFile(path));
        QVERIFY(w.noiseRules().isEmpty());
    }
}

void TestNoiseRules::badPatternSaysWhyAndSavesNothing()
{
    const QString path = freshFile(QStringLiteral("bad.yaml"));
    Ui::MainWindow w;
    QVERIFY(w.openFile(path));
    Ui::NoiseRulesDialog *d = w.showNoiseRules();
    QSignalSpy changed(d, &Ui::NoiseRulesDialog::rulesChanged);

    QTest::keyClicks(d->patternEdit(), QStringLiteral("$.items["));
    // Said while typing, with NoiseRules' own words, and Add is off.
    QVERIFY2(d->errorLabel()->text().contains(QLatin1String("unterminated '['")),
             qPrintable(d->errorLabel()->text()));
    QVERIFY(d->errorLabel()->text().contains(QLatin1String("$.items[")));
    QVERIFY(!d->addButton()->isEnabled());
    QString error;
    QVERIFY(!d->addFromFields(&error)); // Enter does the same
    QVERIFY(error.contains(QLatin1String("unterminated")));
    QTest::keyClick(d->patternEdit(), Qt::Key_Return);

    // A header name with a space, and a malformed endpoint.
    d->patternEdit()->clear();
    d->kindBox()->setCurrentIndex(d->kindBox()->findText(QStringLiteral("Header")));
    QTest::keyClicks(d->patternEdit(), QStringLiteral("x trace"));
    QVERIFY2(d->errorLabel()->text().contains(QLatin1String("is not a header name")),
             qPrintable(d->errorLabel()->text()));
    QVERIFY(!d->addButton()->isEnabled());
    d->patternEdit()->clear();
    QTest::keyClicks(d->patternEdit(), QStringLiteral("x-trace"));
    QVERIFY(d->addButton()->isEnabled());
    QTest::keyClicks(d->endpointEdit(), QStringLiteral("users"));
    QVERIFY2(d->errorLabel()->text().contains(QLatin1String("endpoint")),
             qPrintable(d->errorLabel()->text()));
    QVERIFY(!d->addButton()->isEnabled());

    QCOMPARE(changed.count(), 0);
    QCOMPARE(d->editableRowCount(), 0);
    QVERIFY(w.noiseRules().isEmpty());
    QVERIFY(comparatorRules(w).isEmpty());
    QVERIFY(savedNoise(path).isEmpty());

    // Fixed, the same rule goes in, for that endpoint only.
    d->endpointEdit()->clear();
    QTest::keyClicks(d->endpointEdit(), QStringLiteral("get /users/{id}"));
    QVERIFY(d->addButton()->isEnabled());
    QVERIFY(d->addFromFields());
    QVERIFY(comparatorRules(w).headerIgnored("X-Trace", QStringLiteral("GET /users/{id}")));
    QVERIFY(!comparatorRules(w).headerIgnored("X-Trace", QStringLiteral("GET /hello")));
    QCOMPARE(d->ruleList()->topLevelItem(0)->text(Ui::NoiseRulesDialog::WhereColumn),
             QStringLiteral("GET /users/{id}"));
    d->close();
}

void TestNoiseRules::rightClickRuleFromTheLogIsSaved()
{
    const QString path = freshFile(QStringLiteral("log.yaml"));
    Ui::MainWindow w;
    QVERIFY(w.openFile(path));
    // An exchange in the hub as the proxy would record it (nothing runs: no other batch).
    const Exchange e = localeDiffers();
    w.runController()->hub()->addBatch({e});
    Ui::DetailPane *pane = w.runPage()->log()->detail();
    pane->showExchange(e.id);
    int row = -1;
    for (int i = 0; i < pane->diffList()->topLevelItemCount(); ++i)
        if (pane->diffList()->topLevelItem(i)->text(1) == QLatin1String("$.locale"))
            row = i;
    QVERIFY2(row >= 0, "the detail pane lists $.locale as a difference");
    QString error;
    QVERIFY2(pane->ignoreField(row, false, &error), qPrintable(error));

    QVERIFY(w.noiseRules().pathIgnored(QStringLiteral("$.locale"), QString()));
    QVERIFY(savedNoise(path).contains(QLatin1String("$.locale")));
    Ui::MainWindow again;
    QVERIFY(again.openFile(path));
    QVERIFY(!localeCountsAsMismatch(again));
}

void TestNoiseRules::demoRulesShowReadOnlyAndAreNotSaved()
{
    const QString path = freshFile(QStringLiteral("demo.yaml"));
    Ui::MainWindow w;
    QVERIFY(w.openFile(path));
    Ui::NoiseRulesDialog *d = w.showNoiseRules();
    QTest::keyClicks(d->patternEdit(), QStringLiteral("$.locale"));
    QVERIFY(d->addFromFields());
    d->close();

    w.portBox()->setValue(0); // any free port
    w.rateBox()->setValue(1);
    QVERIFY(w.demoAction()->isChecked());
    w.startAction()->trigger();
    QVERIFY2(w.runController()->isRunning(), qPrintable(w.statusBar()->currentMessage()));
    // The demo's rules on top of the person's.
    const Observe::NoiseRules inForce = comparatorRules(w);
    QVERIFY(inForce.pathIgnored(QStringLiteral("$.locale"), QString()));
    QVERIFY(inForce.pathIgnored(QStringLiteral("$.version"), QString()));
    QVERIFY(inForce.headerIgnored("x-served-by", QString()));

    d = w.showNoiseRules();
    const int demoRow = rowWith(d->ruleList(), QStringLiteral("$.version"), QStringLiteral("demo"));
    QVERIFY(demoRow >= 0);
    QVERIFY(!d->removeRow(demoRow)); // read-only
    QVERIFY(rowWith(d->ruleList(), QStringLiteral("x-served-by"), QStringLiteral("demo")) >= 0);
    QCOMPARE(d->editableRowCount(), 1);
    // Adding one while running keeps the demo's in force.
    QTest::keyClicks(d->patternEdit(), QStringLiteral("$.time"));
    QVERIFY(d->addFromFields());
    QVERIFY(comparatorRules(w).pathIgnored(QStringLiteral("$.version"), QString()));
    QVERIFY(comparatorRules(w).pathIgnored(QStringLiteral("$.time"), QString()));
    d->close();
    w.stopAction()->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(!w.runController()->isRunning(), 15000);

    const QString saved = savedNoise(path);
    QVERIFY(saved.contains(QLatin1String("$.locale")) && saved.contains(QLatin1String("$.time")));
    QVERIFY2(!saved.contains(QLatin1String("$.version")), qPrintable(saved));
    QVERIFY(!saved.contains(QLatin1String("x-served-by")));
}

void TestNoiseRules::importRefusesABadFileAndExportRoundTrips()
{
    const QString path = freshFile(QStringLiteral("import.yaml"));
    Ui::MainWindow w;
    QVERIFY(w.openFile(path));
    Ui::NoiseRulesDialog *d = w.showNoiseRules();

    const QString bad = QDir(m_dir.path()).filePath(QStringLiteral("bad-noise.json"));
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"jsonPaths": ["$.ok"], "endpoints": {"GET /a": {"jsonPaths": ["$.b", "$.a["]}}})");
    f.close();
    QString error;
    QVERIFY(!d->importFrom(bad, &error));
    QVERIFY2(error.contains(bad), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("endpoints['GET /a'].jsonPaths[1]")), qPrintable(error));
    QVERIFY(d->errorLabel()->text().contains(QLatin1String("Nothing imported")));
    QCOMPARE(d->editableRowCount(), 0);
    QVERIFY(savedNoise(path).isEmpty());

    QVERIFY(!d->importFrom(QDir(m_dir.path()).filePath(QStringLiteral("missing.json")), &error));
    QVERIFY(error.contains(QLatin1String("missing.json")));

    const QString good = QDir(m_dir.path()).filePath(QStringLiteral("good-noise.json"));
    QFile g(good);
    QVERIFY(g.open(QIODevice::WriteOnly));
    g.write(
        R"({"headers": ["x-trace"], "endpoints": {"/users/{id}": {"jsonPaths": ["$.locale"]}}})");
    g.close();
    d->setFilePrompt([&good](bool save, const QString &) { return save ? QString() : good; });
    QPushButton *importButton = nullptr;
    for (QPushButton *b : d->findChildren<QPushButton *>())
        if (b->text().startsWith(QLatin1String("&Import")))
            importButton = b;
    QVERIFY(importButton);
    QTest::mouseClick(importButton, Qt::LeftButton);
    QCOMPARE(d->editableRowCount(), 2);
    QVERIFY(comparatorRules(w).pathIgnored(QStringLiteral("$.locale"),
                                           QStringLiteral("GET /users/{id}")));
    QVERIFY(savedNoise(path).contains(QLatin1String("x-trace")));

    const QString out = QDir(m_dir.path()).filePath(QStringLiteral("out-noise.json"));
    QVERIFY(d->exportTo(out, &error));
    QString reread;
    const auto loaded = Ui::NoiseRulesDialog::loadFile(out, &reread);
    QVERIFY2(loaded, qPrintable(reread));
    QCOMPARE(loaded->rules(), w.noiseRules().rules());
    d->close();
}

QTEST_MAIN(TestNoiseRules)
#include "tst_noiserules.moc"
