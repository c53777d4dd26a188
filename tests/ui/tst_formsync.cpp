// The forms docked beside the YAML pane, as a person uses them: a form edit becomes the YAML
// at once (one undo step, comments and unknown fields kept), a YAML edit reaches the forms
// after the pause, a YAML syntax error leaves the forms as they were (read-only, saying why),
// undo restores both, a diagnostic click selects the field and the line, an outline click
// shows the item's line, and the subset picker lists the DestinationRule's subsets.
#include "editor/noticebar.h"
#include "editor/settings.h"
#include "editor/yamleditor.h"
#include "forms/fieldwidgets.h"
#include "forms/formeditor.h"
#include "forms/outlineview.h"
#include "forms/yamlsync.h"
#include "mainwindow.h"
#include "model/resource.h"
#include "yaml/document.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QUndoStack>

#include "windowtestutil.h"

using Forms::Location;
using Kind = Forms::Location::Kind;
using namespace TestSupport;

namespace {

// Comments in both documents and fields the forms do not know.
const char kCommented[] = R"(# Header comment: who owns this.
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: greeter-service
spec:
  hosts:
  - greeter-service
  http:
  - route:
    # v1 answers
    - destination:
        host: greeter-service
        subset: v1
        futureField: keep-me
      weight: 100
    mirror:
      host: greeter-service
      subset: v2
---
# The subsets.
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: greeter-service
spec:
  host: greeter-service
  subsets:
  - name: v1   # stable
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
)";

Model::Config configOf(const QString &text)
{
    return Model::Config::fromDocuments(Yaml::parse(text.toUtf8()).documents);
}

QString cursorLine(Ui::MainWindow &w)
{
    return w.yamlEditor()->textCursor().block().text();
}

} // namespace

class TestFormSync : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanupTestCase();
    void formsAreDockedBesideTheYaml();
    void formEditBecomesYamlAsOneStep();
    void yamlEditReachesTheForm();
    void invalidYamlKeepsTheForms();
    void undoAfterFormEditRestoresBoth();
    void diagnosticClickSelectsFieldAndLine();
    void outlineClickShowsTheLine();
    void subsetPickerListsTheSubsets();
    void unknownFieldsAndCommentsSurviveAFormEdit();
    void mergeKeepsCommentsNearTheEdit();
    void mergeFallsBackWhenLayoutDiffers();
    void splitterSizesArePersisted();

private:
    Forms::FormEditor *forms() const { return m_window->formEditor(); }
    template <typename T> T *field(const QString &path) const
    {
        return qobject_cast<T *>(forms()->fieldWidget(path));
    }
    // The first destination's weight, from the form as it is now (it may have been rebuilt).
    int shownWeight() const
    {
        auto *w = field<Forms::WeightEdit>(QStringLiteral("spec.http[0].route[0].weight"));
        return w ? w->spinBox()->value() : -1;
    }
    void setWeightInForm(int weight);

    QTemporaryDir m_settingsDir;
    Ui::MainWindow *m_window = nullptr;
};

void TestFormSync::initTestCase()
{
    Q_INIT_RESOURCE(core);
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_settingsDir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    Ui::Settings::open()->clear();
}

void TestFormSync::init()
{
    if (m_window) {
        // One window for all tests (building one is the slow part): back to the example, no
        // history, nothing selected in the forms.
        QFile example(QStringLiteral(":/examples/greeter-mirror.yaml"));
        QVERIFY(example.open(QIODevice::ReadOnly));
        m_window->yamlPane()->loadText(QString::fromUtf8(example.readAll()));
        QVERIFY(forms()->select(Location::resourceAt(forms()->config(), 0)));
        QVERIFY(!forms()->isStale());
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window));
        return;
    }
    m_window = new Ui::MainWindow;
    m_window->setUnsavedPrompt([](const QString &) { return QMessageBox::Discard; });
    m_window->yamlPane()->setPauseInterval(150); // the pause's length is not under test
    m_window->showPage(Ui::MainWindow::Page::Editor);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window));
}

void TestFormSync::cleanupTestCase()
{
    delete m_window;
    m_window = nullptr;
}

void TestFormSync::setWeightInForm(int weight)
{
    QVERIFY(forms()->select(Location::child(Kind::Destination, 0, 0, 0)));
    auto *edit = field<Forms::WeightEdit>(QStringLiteral("spec.http[0].route[0].weight"));
    QVERIFY(edit);
    edit->spinBox()->setFocus();
    edit->spinBox()->selectAll();
    QTest::keyClicks(edit->spinBox(), QString::number(weight));
    QTest::keyClick(edit->spinBox(), Qt::Key_Return);
}

void TestFormSync::formsAreDockedBesideTheYaml()
{
    auto *split = m_window->findChild<QSplitter *>(QStringLiteral("formsSplitter"));
    QVERIFY(split);
    QCOMPARE(split->orientation(), Qt::Horizontal);
    QCOMPARE(split->widget(0), forms());
    QCOMPARE(split->widget(1), m_window->yamlPane());
    QVERIFY(forms()->isVisible());
    QVERIFY(forms()->width() > 200);
    // The diagnostics list sits below both.
    auto *outer = m_window->findChild<QSplitter *>(QStringLiteral("editorSplitter"));
    QCOMPARE(outer->widget(0), split);
    QCOMPARE(outer->widget(1), m_window->diagnosticsView());
    // The example is in the outline: the VirtualService and the DestinationRule.
    QCOMPARE(forms()->outline()->topLevelItemCount(), 2);
    QVERIFY(!forms()->isStale());
}

void TestFormSync::formEditBecomesYamlAsOneStep()
{
    const QString before = m_window->yamlEditor()->toPlainText();
    setWeightInForm(70);
    const QString after = m_window->yamlEditor()->toPlainText();
    QVERIFY2(after.contains(QLatin1String("      weight: 70\n")), qPrintable(after));
    QVERIFY(!after.contains(QLatin1String("weight: 100")));
    // Only that line changed: the example's header comment and layout are kept.
    QCOMPARE(QString(after).replace(QLatin1String("weight: 70"), QLatin1String("weight: 100")),
             before);
    QCOMPARE(m_window->errorCount(), 0);
    QCOMPARE(configOf(after), forms()->config());
    QCOMPARE(m_window->undoStack()->count(), 1);
    QVERIFY(m_window->undoAction()->text().contains(QLatin1String("weight"), Qt::CaseInsensitive));
    QVERIFY(m_window->isModified());
    // The field kept the focus: feeding the config back did not rebuild the form.
    auto *edit = field<Forms::WeightEdit>(QStringLiteral("spec.http[0].route[0].weight"));
    QVERIFY(edit && edit->isAncestorOf(QApplication::focusWidget()));
}

void TestFormSync::yamlEditReachesTheForm()
{
    QVERIFY(forms()->select(Location::child(Kind::Destination, 0, 0, 0)));
    QCOMPARE(shownWeight(), 100);
    typeOver(m_window->yamlEditor(), QStringLiteral("weight: 100"), QStringLiteral("weight: 40"));
    QTRY_COMPARE_WITH_TIMEOUT(shownWeight(), 40, 10000);
    QCOMPARE(forms()->config().resources[0].virtualService.http[0].route[0].weight,
             std::optional<int>(40));
    // The outline keeps the selection.
    QCOMPARE(forms()->currentLocation(), Location::child(Kind::Destination, 0, 0, 0));
}

void TestFormSync::invalidYamlKeepsTheForms()
{
    QVERIFY(forms()->select(Location::child(Kind::Destination, 0, 0, 0)));
    const Model::Config good = forms()->config();
    // An unclosed flow sequence: the YAML no longer parses.
    typeOver(m_window->yamlEditor(), QStringLiteral("  http:"), QStringLiteral("  http: ["));
    QTRY_VERIFY_WITH_TIMEOUT(forms()->isStale(), 10000);
    QVERIFY(m_window->yamlPane()->errorBar()->isVisible());
    QVERIFY(m_window->yamlPane()->errorBar()->text().contains(QLatin1String("YAML error")));
    // Nothing wiped: same config, same outline, same values; read-only with a reason.
    QCOMPARE(forms()->config(), good);
    QCOMPARE(forms()->outline()->topLevelItemCount(), 2);
    QCOMPARE(shownWeight(), 100);
    auto *reason = forms()->findChild<QLabel *>(QStringLiteral("formsStaleLabel"));
    QVERIFY(reason && reason->isVisible());
    QVERIFY2(reason->text().contains(QLatin1String("line")), qPrintable(reason->text()));
    auto *edit = field<Forms::WeightEdit>(QStringLiteral("spec.http[0].route[0].weight"));
    QVERIFY(!edit->isEnabled());

    // Fixed again: editable, and the error bar is gone.
    m_window->undoAction()->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(!forms()->isStale(), 10000);
    QVERIFY(!reason->isVisible());
    QVERIFY(!m_window->yamlPane()->errorBar()->isVisible());
    QVERIFY(field<Forms::WeightEdit>(QStringLiteral("spec.http[0].route[0].weight"))->isEnabled());
}

void TestFormSync::undoAfterFormEditRestoresBoth()
{
    const QString original = m_window->yamlEditor()->toPlainText();
    setWeightInForm(55);
    QCOMPARE(shownWeight(), 55);
    QVERIFY(m_window->yamlEditor()->toPlainText().contains(QLatin1String("weight: 55")));

    m_window->undoAction()->trigger();
    QCOMPARE(m_window->yamlEditor()->toPlainText(), original);
    QCOMPARE(shownWeight(), 100);
    QCOMPARE(forms()->config(), configOf(original));
    QVERIFY(!m_window->isModified());

    m_window->redoAction()->trigger();
    QVERIFY(m_window->yamlEditor()->toPlainText().contains(QLatin1String("weight: 55")));
    QCOMPARE(shownWeight(), 55);

    // A YAML edit after it undoes separately from the form edit.
    typeOver(m_window->yamlEditor(), QStringLiteral("weight: 55"), QStringLiteral("weight: 60"));
    QTRY_COMPARE_WITH_TIMEOUT(shownWeight(), 60, 10000);
    m_window->undoAction()->trigger();
    QCOMPARE(shownWeight(), 55);
    m_window->undoAction()->trigger();
    QCOMPARE(shownWeight(), 100);
    QCOMPARE(m_window->yamlEditor()->toPlainText(), original);
}

void TestFormSync::diagnosticClickSelectsFieldAndLine()
{
    typeOver(m_window->yamlEditor(), QStringLiteral("weight: 100"), QStringLiteral("weight: -15"));
    QTreeWidgetItem *item = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (item = findDiagnostic(m_window->diagnosticsView(), QStringLiteral("IST0106"))), 10000);
    // Select something else first, so the click has to move both.
    QVERIFY(forms()->select(Location::resourceAt(forms()->config(), 1)));
    m_window->yamlEditor()->moveCursor(QTextCursor::Start);

    QTreeWidget *view = m_window->diagnosticsView();
    view->scrollToItem(item);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualItemRect(item).center());

    QCOMPARE(forms()->currentLocation(), Location::child(Kind::Destination, 0, 0, 0));
    QCOMPARE(forms()->currentFieldPath(), QStringLiteral("spec.http[0].route[0].weight"));
    QWidget *weight = forms()->currentField();
    QVERIFY(weight);
    QTRY_VERIFY(weight == QApplication::focusWidget() ||
                weight->isAncestorOf(QApplication::focusWidget()));
    // Marked as a problem, with the message in its tooltip.
    QVERIFY(weight->property("problem").toBool());
    QVERIFY(weight->toolTip().contains(QLatin1String("IST0106")));
    // And the YAML shows the line.
    QCOMPARE(cursorLine(*m_window).trimmed(), QStringLiteral("weight: -15"));
}

void TestFormSync::outlineClickShowsTheLine()
{
    Forms::OutlineView *outline = forms()->outline();
    QTreeWidgetItem *mirror = outline->itemFor(Location::child(Kind::Mirror, 0, 0, -1));
    QVERIFY(mirror);
    outline->setFocus();
    outline->scrollToItem(mirror);
    QTest::mouseClick(outline->viewport(), Qt::LeftButton, {},
                      outline->visualItemRect(mirror).center());
    QCOMPARE(forms()->currentLocation(), Location::child(Kind::Mirror, 0, 0, -1));
    QCOMPARE(cursorLine(*m_window), QStringLiteral("    mirror:"));
    QVERIFY(outline->hasFocus()); // the outline keeps the keyboard

    // A field that gets the focus shows its own line.
    QTreeWidgetItem *dr = outline->itemFor(Location::resourceAt(forms()->config(), 1));
    outline->setCurrentItem(dr);
    QCOMPARE(cursorLine(*m_window), QStringLiteral("apiVersion: networking.istio.io/v1"));
    auto *host = forms()->fieldWidget(QStringLiteral("spec.host"));
    QVERIFY(host);
    host->setFocus();
    QCOMPARE(cursorLine(*m_window), QStringLiteral("  host: greeter-service"));
}

void TestFormSync::subsetPickerListsTheSubsets()
{
    QVERIFY(forms()->select(Location::child(Kind::Destination, 0, 0, 0)));
    auto *combo = field<QComboBox>(QStringLiteral("spec.http[0].route[0].destination.subset"));
    QVERIFY(combo);
    QStringList listed;
    for (int i = 0; i < combo->count(); ++i)
        listed.append(combo->itemData(i).toString());
    QVERIFY2(listed.contains(QLatin1String("v1")) && listed.contains(QLatin1String("v2")),
             qPrintable(listed.join(QLatin1Char(','))));
    QCOMPARE(combo->currentData().toString(), QStringLiteral("v1"));

    // A subset added in the YAML is offered after the pause.
    QTextCursor end = m_window->yamlEditor()->textCursor();
    end.movePosition(QTextCursor::End);
    m_window->yamlEditor()->setTextCursor(end);
    m_window->yamlEditor()->setFocus();
    // Pasted, as a block (typing Enter would auto-indent).
    m_window->yamlEditor()->textCursor().insertText(
        QStringLiteral("  - name: canary\n    labels:\n      version: canary\n"));
    QTRY_VERIFY_WITH_TIMEOUT(
        forms()->config().findSubset(QStringLiteral("greeter-service"), QStringLiteral("canary")),
        10000);
    combo = field<QComboBox>(QStringLiteral("spec.http[0].route[0].destination.subset"));
    QVERIFY(combo && combo->findData(QStringLiteral("canary")) >= 0);
    // Picking it writes the YAML.
    combo->setCurrentIndex(combo->findData(QStringLiteral("canary")));
    const QString yaml = m_window->yamlEditor()->toPlainText();
    QVERIFY2(yaml.contains(QLatin1String("        subset: canary\n")), qPrintable(yaml));
    QCOMPARE(m_window->errorCount(), 0);
}

void TestFormSync::unknownFieldsAndCommentsSurviveAFormEdit()
{
    m_window->yamlPane()->loadText(QString::fromLatin1(kCommented));
    QCOMPARE(forms()->outline()->topLevelItemCount(), 2);
    QVERIFY(findDiagnostic(m_window->diagnosticsView(), QStringLiteral("MS01"))); // futureField
    setWeightInForm(80);
    const QString after = m_window->yamlEditor()->toPlainText();
    QCOMPARE(after, QString::fromLatin1(kCommented)
                        .replace(QLatin1String("weight: 100"), QLatin1String("weight: 80")));
    // The same for a structural edit: delete the mirror.
    QVERIFY(forms()->select(Location::child(Kind::Mirror, 0, 0, -1)));
    forms()->deleteItem();
    const QString deleted = m_window->yamlEditor()->toPlainText();
    QVERIFY2(!deleted.contains(QLatin1String("mirror:")), qPrintable(deleted));
    QVERIFY(deleted.contains(QLatin1String("futureField: keep-me")));
    QVERIFY(deleted.contains(QLatin1String("# Header comment: who owns this.")));
    QVERIFY(deleted.contains(QLatin1String("    # v1 answers\n")));
    QVERIFY(deleted.contains(QLatin1String("  - name: v1   # stable\n")));
    QCOMPARE(configOf(deleted), forms()->config());
}

void TestFormSync::mergeKeepsCommentsNearTheEdit()
{
    Model::Config c = configOf(QString::fromLatin1(kCommented));
    c.resources[0].virtualService.http[0].route[0].weight = 90;
    c.resources[1].destinationRule.subsets[0].labels.insert(QStringLiteral("track"),
                                                            QStringLiteral("stable"));
    const QString out = Forms::yamlForConfig(QString::fromLatin1(kCommented), c);
    QCOMPARE(configOf(out), c);
    QVERIFY(out.contains(QLatin1String("    # v1 answers\n    - destination:")));
    QVERIFY(out.contains(QLatin1String("# The subsets.\n")));
    QVERIFY(out.contains(QLatin1String("  - name: v1   # stable\n")));
    QVERIFY(out.contains(QLatin1String("futureField: keep-me")));
}

void TestFormSync::mergeFallsBackWhenLayoutDiffers()
{
    // Indented sequences and flow style: the merge cannot splice lines, yet the result is
    // exactly the config, keeps the document's leading comment and the untouched document.
    const QString text = QStringLiteral("# top\n"
                                        "apiVersion: networking.istio.io/v1\n"
                                        "kind: VirtualService\n"
                                        "metadata: {name: a}\n"
                                        "spec:\n"
                                        "    hosts: [a]\n"
                                        "    http:\n"
                                        "      - route:\n"
                                        "          - destination: {host: a, subset: v1}\n"
                                        "---\n"
                                        "kind: ConfigMap   # not Istio\n"
                                        "apiVersion: v1\n"
                                        "data: {x: '1'}\n");
    Model::Config c = configOf(text);
    QCOMPARE(c.resources.size(), 2);
    c.resources[0].virtualService.http[0].route[0].destination.subset = QStringLiteral("v2");
    const QString out = Forms::yamlForConfig(text, c);
    QCOMPARE(configOf(out), c);
    QVERIFY2(out.startsWith(QLatin1String("# top\n")), qPrintable(out));
    QVERIFY2(out.endsWith(QLatin1String("---\nkind: ConfigMap   # not Istio\napiVersion: v1\n"
                                        "data: {x: '1'}\n")),
             qPrintable(out));
    // Text that does not parse: the plain canonical output.
    const QString broken = QStringLiteral("a: [\n");
    QCOMPARE(configOf(Forms::yamlForConfig(broken, c)), c);
}

void TestFormSync::splitterSizesArePersisted()
{
    auto *split = m_window->findChild<QSplitter *>(QStringLiteral("formsSplitter"));
    split->setSizes({300, 900});
    const QList<int> sizes = split->sizes();
    m_window->close();
    const QVariantMap saved = Ui::Settings::open()->value("window/splitters").toMap();
    QVERIFY(saved.contains(QStringLiteral("formsSplitter")));
    QVERIFY(saved.contains(QStringLiteral("formsOutlineSplitter")));
    delete m_window;
    m_window = new Ui::MainWindow;
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
    QCOMPARE(m_window->findChild<QSplitter *>(QStringLiteral("formsSplitter"))->sizes(), sizes);
}

QTEST_MAIN(TestFormSync)
#include "tst_formsync.moc"
