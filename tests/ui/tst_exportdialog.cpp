// Export for kubectl…: the preview follows the apiVersion choice and the "drop cluster noise"
// box, Save writes exactly the preview, Copy puts it on the clipboard, a document with errors is
// refused (listing them) until "Export anyway", and Ctrl+E in the window opens it.
#include "dialogs/exportdialog.h"
#include "editor/settings.h"
#include "mainwindow.h"

#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QGuiApplication>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

class TestExportDialog : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void writesTheChosenApiVersion();
    void dropsClusterNoise();
    void refusesDocumentsWithErrors();
    void copiesToClipboard();
    void ctrlEOpensItFromTheWindow();

private:
    QTemporaryDir m_settingsDir;
    static QByteArray example();
};

void TestExportDialog::initTestCase()
{
    Q_INIT_RESOURCE(core);
    QStandardPaths::setTestModeEnabled(true);
    // Test mode alone would share one settings file among the ui tests, which ctest -j runs
    // at the same time: each executable gets its own folder.
    QVERIFY(m_settingsDir.isValid());
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
    QVERIFY2(Ui::Settings::open()->fileName().startsWith(m_settingsDir.path()),
             qPrintable(Ui::Settings::open()->fileName()));
    Ui::Settings::open()->clear();
}

QByteArray TestExportDialog::example()
{
    QFile f(QStringLiteral(":/examples/greeter-mirror.yaml"));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void TestExportDialog::writesTheChosenApiVersion()
{
    QTemporaryDir dir;
    Ui::ExportDialog d(example(), dir.filePath(QStringLiteral("greeter.yaml")), {},
                       Base::IstioVersion::latest());
    QVERIFY(!d.isRefusing());
    const QString v1 = d.preview()->toPlainText();
    QVERIFY(v1.contains(QLatin1String("apiVersion: networking.istio.io/v1\n")));
    QVERIFY(v1.contains(QLatin1String("kind: VirtualService")));
    QVERIFY(v1.contains(QLatin1String("kind: DestinationRule")));
    QVERIFY(!v1.startsWith(QLatin1Char('#'))); // kubectl-ready, comments are not carried

    d.apiVersionBox()->setCurrentIndex(d.apiVersionBox()->findData(QStringLiteral("v1beta1")));
    const QString beta = d.preview()->toPlainText();
    QVERIFY(beta != v1);
    QCOMPARE(beta.count(QLatin1String("apiVersion: networking.istio.io/v1beta1\n")), 2);
    QVERIFY(!beta.contains(QLatin1String("networking.istio.io/v1\n")));

    QString suggested;
    const QString out = dir.filePath(QStringLiteral("out.yaml"));
    d.setSaveFileNamePrompt([&](const QString &s) {
        suggested = s;
        return out;
    });
    QTest::mouseClick(d.saveButton(), Qt::LeftButton);
    QVERIFY(suggested.endsWith(QLatin1String("greeter-kubectl.yaml")));
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(f.readAll()), beta);
    QVERIFY(d.statusLabel()->text().contains(out));

    // The choice is remembered for the next export.
    Ui::ExportDialog next(example(), QString(), {}, Base::IstioVersion::latest());
    QCOMPARE(next.apiVersionBox()->currentData().toString(), QStringLiteral("v1beta1"));
    next.apiVersionBox()->setCurrentIndex(0);

    // An unwritable place says why.
    QString error;
    QVERIFY(!d.saveTo(dir.filePath(QStringLiteral("missing/out.yaml")), &error));
    QVERIFY(error.contains(QLatin1String("missing/out.yaml")));
    QCOMPARE(d.statusLabel()->text(), error);
}

void TestExportDialog::dropsClusterNoise()
{
    QByteArray live = example();
    live.replace("metadata:\n  name: greeter-service\nspec:\n  hosts:",
                 "metadata:\n  name: greeter-service\n  resourceVersion: \"4711\"\n"
                 "  uid: 0b6f-11\n  managedFields:\n  - manager: kubectl\nspec:\n  hosts:");
    live.append("status:\n  observedGeneration: 3\n");
    Ui::ExportDialog d(live, QString(), {}, Base::IstioVersion::latest());
    d.cleanBox()->setChecked(true);
    QString text = d.preview()->toPlainText();
    QVERIFY(!text.contains(QLatin1String("managedFields")));
    QVERIFY(!text.contains(QLatin1String("4711")));
    QVERIFY(!text.contains(QLatin1String("observedGeneration")));
    d.cleanBox()->setChecked(false);
    text = d.preview()->toPlainText();
    QVERIFY(text.contains(QLatin1String("managedFields")));
    QVERIFY(text.contains(QLatin1String("4711")));
    QCOMPARE(d.exportedText(), text);
}

void TestExportDialog::refusesDocumentsWithErrors()
{
    Base::Diagnostic error;
    error.code = QStringLiteral("MS1403");
    error.istioCode = QStringLiteral("IST0106");
    error.message = QStringLiteral("weight -15 < 0");
    error.file = QStringLiteral("bad.yaml");
    error.line = 14;
    error.column = 15;
    Base::Diagnostic warning = error;
    warning.severity = Base::Severity::Warning;
    warning.message = QStringLiteral("only a warning");
    QByteArray bad = example();
    bad.replace("weight: 100", "weight: -15");
    Ui::ExportDialog d(bad, QString(), {error, warning}, Base::IstioVersion::latest());
    QVERIFY(d.isRefusing());
    QCOMPARE(d.errorList()->count(), 1); // errors only
    QVERIFY(d.errorList()->item(0)->text().contains(QLatin1String("bad.yaml:14:15")));
    QVERIFY(d.errorList()->item(0)->text().contains(QLatin1String("weight -15 < 0")));
    QTest::mouseClick(d.exportAnywayButton(), Qt::LeftButton);
    QVERIFY(!d.isRefusing());
    QVERIFY(d.preview()->toPlainText().contains(QLatin1String("weight: -15")));
    QVERIFY(d.statusLabel()->text().contains(QLatin1String("with errors")));
}

void TestExportDialog::copiesToClipboard()
{
    Ui::ExportDialog d(example(), QString(), {}, Base::IstioVersion::latest());
    QGuiApplication::clipboard()->clear();
    QTest::mouseClick(d.copyButton(), Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), d.exportedText());
    QVERIFY(!d.exportedText().isEmpty());
}

void TestExportDialog::ctrlEOpensItFromTheWindow()
{
    Ui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTest::keyClick(&w, Qt::Key_E, Qt::ControlModifier);
    Ui::ExportDialog *d = nullptr;
    QTRY_VERIFY((d = w.findChild<Ui::ExportDialog *>()) && d->isVisible());
    QVERIFY(!d->isRefusing());
    QVERIFY(d->preview()->toPlainText().contains(QLatin1String("name: greeter-service")));
    d->close();
}

QTEST_MAIN(TestExportDialog)
#include "tst_exportdialog.moc"
