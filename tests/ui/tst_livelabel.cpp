// LiveLabel: a status text that changes several times a second keeps its place in the layout,
// and still gets the room its text needs (a counter gaining digits is not clipped).
#include "widgets/livelabel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QTest>

using Ui::LiveLabel;

class TestLiveLabel : public QObject
{
    Q_OBJECT
private slots:
    void growingTextGetsItsWidth()
    {
        QWidget window;
        auto *layout = new QHBoxLayout(&window);
        auto *live = new LiveLabel(&window);
        layout->addWidget(live);
        layout->addStretch(1);
        live->label()->setText(QStringLiteral("1 shown of 1"));
        window.resize(800, 40);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTRY_VERIFY(live->width() >= live->label()->sizeHint().width());

        live->label()->setText(QStringLiteral("100,000 shown of 100,000"));
        QTRY_VERIFY2(live->width() >= live->label()->sizeHint().width(),
                     qPrintable(QStringLiteral("%1 px for a %2 px text")
                                    .arg(live->width())
                                    .arg(live->label()->sizeHint().width())));
        QCOMPARE(live->label()->width(), live->width());

        // Shorter again: the room stays (no relayout each time a digit comes and goes).
        const int wide = live->width();
        live->label()->setText(QStringLiteral("9 shown of 9"));
        QCoreApplication::processEvents();
        QCOMPARE(live->width(), wide);
    }
};

QTEST_MAIN(TestLiveLabel)
#include "tst_livelabel.moc"
