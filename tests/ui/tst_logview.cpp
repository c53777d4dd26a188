// The paired log fed by the hub's compared batches: the "v1 vs v2" column says what differs and
// names the fields, the detail pane shows the request and both responses side by side with the
// differing fields highlighted, a right-click on a field makes it a noise rule (later
// comparisons no longer count it), learned noise is shown as such and can be accepted, secrets
// are masked unless asked, and the filter narrows the table. Plus the model's bounds and pause.
#include "dashboard/palette.h"
#include "logs/detailpane.h"
#include "logs/exchangemodel.h"
#include "logs/logview.h"
#include "observe/hub.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTextBrowser>
#include <QTextDocument>
#include <QTimeZone>
#include <QTreeWidget>

#include <atomic>
#include <ctime>
#include <memory>

using Observe::Exchange;
using Observe::Leg;
using Ui::ExchangeModel;

namespace {

const qint64 kT0 = 1700000000000;
quint64 g_nextId = 1;

Leg leg(const QString &subset, int status, const QByteArray &body,
        Leg::Outcome outcome = Leg::Outcome::Completed)
{
    Leg l;
    l.destination = {QStringLiteral("greeter-service"), subset, 0};
    l.endpoint = QStringLiteral("127.0.0.1:1");
    l.outcome = outcome;
    if (outcome == Leg::Outcome::Completed) {
        l.status = status;
        l.totalUs = subset == QLatin1String("v1") ? 2000 : 10000;
        l.responseHeaders = {{"content-type", "application/json"},
                             {"set-cookie", "sid=abc123; Path=/; HttpOnly"}};
        l.bodyPrefix = body;
        l.bodySize = body.size();
    } else if (outcome == Leg::Outcome::Dropped) {
        l.dropReason = QStringLiteral("in-flight limit");
    } else if (outcome == Leg::Outcome::Failed) {
        l.error = QStringLiteral("timeout");
    }
    return l;
}

Exchange exchange(const QByteArray &path, const QByteArray &v1Body, const QByteArray &v2Body,
                  int v2Status = 200, Leg::Outcome mirror = Leg::Outcome::Completed)
{
    Exchange e;
    e.id = g_nextId++;
    e.requestId = "req-" + QByteArray::number(e.id);
    e.start = QDateTime::fromMSecsSinceEpoch(kT0, QTimeZone::utc());
    e.method = "GET";
    e.authority = "greeter-service";
    e.path = path;
    e.requestHeaders = {{"host", "greeter-service"},
                        {"authorization", "Bearer s3cret-token"},
                        {"cookie", "sid=abc123"}};
    e.virtualService = QStringLiteral("greeter-service");
    e.ruleIndex = 0;
    e.primary = leg(QStringLiteral("v1"), 200, v1Body);
    e.mirrors << leg(QStringLiteral("v2"), v2Status, v2Body, mirror);
    return e;
}

const QByteArray kV1 = R"({"message":"Hello","version":"1"})";
const QByteArray kV2 = R"({"message":"Hello","version":"2"})";

// A hub on a fixed clock, its compared batches into a log view.
struct Fixture
{
    std::atomic<qint64> now{kT0};
    Observe::Hub hub{Observe::StoreSettings(), [this] { return now.load(); }};
    Ui::LogView view;
    Fixture()
    {
        view.setHub(&hub);
        QObject::connect(&hub, &Observe::Hub::compared, &view, &Ui::LogView::addObserved);
        hub.reset();
    }
    void add(const QList<Exchange> &batch)
    {
        hub.addBatch(batch);
        view.model()->flush(); // the rows at once, not on the view's next append tick
    }
    QString cell(int row, int column) const
    {
        const QAbstractItemModel *m = view.table()->model(); // what the table shows (filtered)
        return m->index(row, column).data().toString();
    }
    Ui::DetailPane *detail() const { return view.detail(); }
    int fieldRow(const QString &path) const
    {
        QTreeWidget *list = view.detail()->diffList();
        for (int i = 0; i < list->topLevelItemCount(); ++i)
            if (list->topLevelItem(i)->text(1) == path)
                return i;
        return -1;
    }
};

QColor backgroundAt(QTextBrowser *browser, const QString &text)
{
    const QTextCursor found = browser->document()->find(text);
    if (found.isNull())
        return QColor();
    return found.charFormat().background().color();
}

QAction *actionStarting(QMenu *menu, const QString &prefix)
{
    for (QAction *a : menu->actions())
        if (a->text().startsWith(prefix))
            return a;
    return nullptr;
}

QList<QList<Observe::Comparison>> compare(const QList<Exchange> &batch)
{
    Observe::Comparator c;
    QList<QList<Observe::Comparison>> out;
    for (const Exchange &e : batch)
        out << c.compare(e);
    return out;
}

} // namespace

class TestLogView : public QObject
{
    Q_OBJECT
private slots:
    void rowNamesTheDifferingField();
    void detailShowsBothBodiesHighlighted();
    void ignoringAFieldStopsLaterMismatches();
    void learnedNoiseIsShownAndCanBeAccepted();
    void secretsAreMaskedUntilShown();
    void filterNarrowsTheTable();
    void evictedExchangeSaysSo();
    void modelInsertsBatchAsOneRangeAndIsBounded();
    void modelPauseHoldsRowsStill();
    void modelShowsMirrorOutcomes();
    void detailKeepsTheBodysKeyOrder();
    void viewCoalescesBurstsIntoFewAppends();
    void rowTimeIsLocalTimeOfDay();
};

void TestLogView::rowNamesTheDifferingField()
{
    Fixture f;
    f.add({exchange("/hello", kV1, kV1), exchange("/hello", kV1, kV2),
           exchange("/hello", kV1, kV1, 503)});
    QCOMPARE(f.view.table()->model()->rowCount(), 3);
    QCOMPARE(f.cell(0, ExchangeModel::Match), QStringLiteral("match"));
    QCOMPARE(f.cell(1, ExchangeModel::Match), QStringLiteral("body differs: $.version"));
    QVERIFY(
        f.cell(2, ExchangeModel::Match).startsWith(QStringLiteral("status differs (200 → 503)")));
    QCOMPARE(f.view.model()->pairing(1), ExchangeModel::Pairing::Mismatch);
    QCOMPARE(f.view.model()->index(1, 0).data(Qt::BackgroundRole).value<QBrush>().color(),
             Ui::Palette::mismatch());
}

void TestLogView::detailShowsBothBodiesHighlighted()
{
    Fixture f;
    f.add({exchange("/hello", kV1, kV2)});
    Ui::DetailPane *d = f.detail();
    QVERIFY(d->isHidden()); // the table has the height until a row is selected
    f.view.selectRow(0);
    QVERIFY(!d->isHidden());
    QVERIFY(d->exchangeId() != 0);
    QVERIFY(d->titleLabel()->text().contains(QStringLiteral("GET /hello")));
    const QString v1 = d->primaryView()->toPlainText();
    const QString v2 = d->mirrorView()->toPlainText();
    QVERIFY2(v1.contains(QStringLiteral("\"version\": \"1\"")), qPrintable(v1)); // pretty-printed
    QVERIFY2(v2.contains(QStringLiteral("\"version\": \"2\"")), qPrintable(v2));
    QVERIFY(v1.contains(QStringLiteral("200")) && v1.contains(QStringLiteral("2.0 ms")));
    // The differing field is highlighted on both sides; an equal one is not.
    QCOMPARE(backgroundAt(d->primaryView(), QStringLiteral("\"version\"")),
             Ui::Palette::mismatch());
    QCOMPARE(backgroundAt(d->mirrorView(), QStringLiteral("\"version\"")), Ui::Palette::mismatch());
    QVERIFY(backgroundAt(d->mirrorView(), QStringLiteral("\"message\"")) !=
            Ui::Palette::mismatch());
    // And listed with both values.
    const int row = f.fieldRow(QStringLiteral("$.version"));
    QVERIFY(row >= 0);
    QTreeWidgetItem *item = d->diffList()->topLevelItem(row);
    QCOMPARE(item->text(2), QStringLiteral("\"1\""));
    QCOMPARE(item->text(3), QStringLiteral("\"2\""));
    QVERIFY(d->requestView()->toPlainText().contains(QStringLiteral("GET greeter-service/hello")));
}

void TestLogView::ignoringAFieldStopsLaterMismatches()
{
    Fixture f;
    f.add({exchange("/hello", kV1, kV2)});
    f.view.selectRow(0);
    QSignalSpy messages(&f.view, &Ui::LogView::message);
    const int row = f.fieldRow(QStringLiteral("$.version"));
    QVERIFY(row >= 0);
    std::unique_ptr<QMenu> menu(f.detail()->fieldMenu(row, nullptr));
    QVERIFY(menu);
    QAction *here =
        actionStarting(menu.get(), QStringLiteral("Ignore This Field (Noise) for GET /hello"));
    QVERIFY(here);
    QVERIFY(here->isEnabled());
    here->trigger();
    QCOMPARE(messages.count(), 1);
    QVERIFY(messages.first().first().toString().contains(QStringLiteral("$.version")));
    // The pane marks it as ignored from now on.
    QVERIFY(f.detail()->diffList()->topLevelItem(row)->text(4).contains(QStringLiteral("ignored")));

    // Later comparisons of the endpoint no longer count it; another endpoint still does.
    f.add({exchange("/hello", kV1, kV2), exchange("/other", kV1, kV2)});
    QCOMPARE(f.cell(1, ExchangeModel::Match), QStringLiteral("match"));
    QCOMPARE(f.cell(2, ExchangeModel::Match), QStringLiteral("body differs: $.version"));

    // "Everywhere" covers the other endpoint too.
    f.view.selectRow(2);
    std::unique_ptr<QMenu> again(
        f.detail()->fieldMenu(f.fieldRow(QStringLiteral("$.version")), nullptr));
    actionStarting(again.get(), QStringLiteral("Ignore This Field (Noise) Everywhere"))->trigger();
    f.add({exchange("/other", kV1, kV2)});
    QCOMPARE(f.cell(3, ExchangeModel::Match), QStringLiteral("match"));
    // A status line is no field a rule can name: no menu.
    f.add({exchange("/hello", kV1, kV1, 503)});
    f.view.selectRow(4);
    QVERIFY(!f.detail()->fieldMenu(f.fieldRow(QStringLiteral("status")), nullptr));
}

void TestLogView::learnedNoiseIsShownAndCanBeAccepted()
{
    Fixture f;
    auto body = [](int ts) {
        return QByteArray(R"({"message":"Hello","ts":)") + QByteArray::number(ts) + '}';
    };
    // v1 answers the same request differently in $.ts: that is noise, not a mirror difference.
    f.add({exchange("/time", body(1), body(1))});
    f.add({exchange("/time", body(2), body(2))});
    f.add({exchange("/time", body(3), body(99))});
    const QString match = f.cell(2, ExchangeModel::Match);
    QVERIFY2(match.startsWith(QStringLiteral("match (learned noise: $.ts")), qPrintable(match));
    f.view.selectRow(2);
    const int row = f.fieldRow(QStringLiteral("$.ts"));
    QVERIFY(row >= 0);
    QVERIFY(f.detail()->diffList()->topLevelItem(row)->text(4).contains(
        QStringLiteral("learned noise")));
    QCOMPARE(backgroundAt(f.detail()->mirrorView(), QStringLiteral("\"ts\"")),
             Ui::Palette::noise());
    std::unique_ptr<QMenu> menu(f.detail()->fieldMenu(row, nullptr));
    QAction *accept = actionStarting(menu.get(), QStringLiteral("Accept Learned Noise"));
    QVERIFY(accept);
    QVERIFY(actionStarting(menu.get(), QStringLiteral("Reject Learned Noise")));
    accept->trigger();
    Observe::NoiseRules rules;
    f.hub.withComparator([&](Observe::Comparator &c) { rules = c.noiseRules(); });
    QVERIFY(rules.pathIgnored(QStringLiteral("$.ts"), QStringLiteral("GET /time")));
}

void TestLogView::secretsAreMaskedUntilShown()
{
    Fixture f;
    f.add({exchange("/hello", kV1, kV2)});
    f.view.selectRow(0);
    Ui::DetailPane *d = f.detail();
    QVERIFY(!d->showSecretsBox()->isChecked());
    QString request = d->requestView()->toPlainText();
    QVERIFY2(request.contains(QStringLiteral("authorization: Bearer ••••")), qPrintable(request));
    QVERIFY(!request.contains(QStringLiteral("s3cret")));
    QVERIFY(!request.contains(QStringLiteral("abc123")));
    QVERIFY(!d->primaryView()->toPlainText().contains(QStringLiteral("abc123")));
    QVERIFY(d->primaryView()->toPlainText().contains(QStringLiteral("Path=/")));
    d->showSecretsBox()->setChecked(true);
    request = d->requestView()->toPlainText();
    QVERIFY(request.contains(QStringLiteral("Bearer s3cret-token")));
    QVERIFY(d->primaryView()->toPlainText().contains(QStringLiteral("sid=abc123")));
}

void TestLogView::filterNarrowsTheTable()
{
    Fixture f;
    f.add({exchange("/hello", kV1, kV1), exchange("/hello", kV1, kV2),
           exchange("/users/1", kV1, kV1), exchange("/users/2", kV1, kV1, 503),
           exchange("/hello", kV1, kV1, 200, Leg::Outcome::Dropped)});
    QAbstractItemModel *shown = f.view.table()->model();
    QCOMPARE(shown->rowCount(), 5);
    f.view.mismatchOnlyBox()->setChecked(true);
    QCOMPARE(shown->rowCount(), 2);
    QCOMPARE(f.cell(0, ExchangeModel::Match), QStringLiteral("body differs: $.version"));
    f.view.mismatchOnlyBox()->setChecked(false);
    f.view.pathFilterEdit()->setText(QStringLiteral("users"));
    QCOMPARE(shown->rowCount(), 2);
    f.view.statusFilterEdit()->setText(QStringLiteral("5xx"));
    QCOMPARE(shown->rowCount(), 1);
    QCOMPARE(f.cell(0, ExchangeModel::Path), QStringLiteral("/users/2"));
    f.view.pathFilterEdit()->clear();
    f.view.statusFilterEdit()->setText(QStringLiteral("dropped"));
    QCOMPARE(shown->rowCount(), 1);
    f.view.statusFilterEdit()->clear();
    // Versions seen are offered; a version nobody went to shows nothing.
    QComboBox *version = f.view.versionBox();
    QVERIFY(version->findData(QStringLiteral("v2")) >= 0);
    version->setCurrentIndex(version->findData(QStringLiteral("v2")));
    QCOMPARE(shown->rowCount(), 5);
    f.view.model()->addObserved({}, {});
    QCOMPARE(shown->rowCount(), 5);
}

void TestLogView::evictedExchangeSaysSo()
{
    Fixture f;
    Observe::StoreSettings small;
    small.capacity = 2;
    f.hub.setStoreSettings(small);
    f.add({exchange("/a", kV1, kV1), exchange("/b", kV1, kV1), exchange("/c", kV1, kV1)});
    f.view.selectRow(0);
    QVERIFY(f.detail()->titleLabel()->text().contains(QStringLiteral("no longer in the store")));
    QVERIFY(f.detail()->primaryView()->toPlainText().isEmpty());
    f.view.selectRow(2);
    QVERIFY(f.detail()->titleLabel()->text().contains(QStringLiteral("GET /c")));
}

void TestLogView::modelInsertsBatchAsOneRangeAndIsBounded()
{
    ExchangeModel m;
    QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
    QList<Exchange> batch;
    for (int i = 0; i < 40; ++i)
        batch << exchange("/users/" + QByteArray::number(i), kV1, kV1);
    m.addObserved(batch, compare(batch));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.first().at(2).toInt(), 39);
    QCOMPARE(m.index(0, ExchangeModel::V1Latency).data().toString(), QStringLiteral("2.0"));
    QCOMPARE(m.index(0, ExchangeModel::V2Latency).data().toString(), QStringLiteral("10.0"));
    QCOMPARE(m.index(0, ExchangeModel::Rule).data().toString(),
             QStringLiteral("greeter-service http[0]"));
    m.setMaxRows(30);
    QCOMPARE(m.rowCount(), 30);
    QSignalSpy removed(&m, &QAbstractItemModel::rowsRemoved);
    m.addObserved(batch.mid(0, 10), compare(batch.mid(0, 10)));
    QCOMPARE(removed.count(), 1); // one range per batch that overflowed
    QCOMPARE(m.rowCount(), 30);
    QCOMPARE(m.totalSeen(), 50u);
    QCOMPARE(m.index(29, ExchangeModel::Path).data().toString(), QStringLiteral("/users/9"));
    // A batch without comparisons (nothing compared) shows no verdict rather than a wrong one.
    m.addObserved(batch.mid(0, 1), {});
    QCOMPARE(m.index(29, ExchangeModel::Match).data().toString(), QString());
}

void TestLogView::modelPauseHoldsRowsStill()
{
    ExchangeModel m;
    QList<Exchange> five, seven;
    for (int i = 0; i < 5; ++i)
        five << exchange("/a", kV1, kV1);
    for (int i = 0; i < 7; ++i)
        seven << exchange("/b", kV1, kV1);
    m.addObserved(five, compare(five));
    m.setPaused(true);
    QSignalSpy inserted(&m, &QAbstractItemModel::rowsInserted);
    m.addObserved(seven, compare(seven));
    QCOMPARE(m.rowCount(), 5);
    QCOMPARE(m.pendingCount(), 7);
    QCOMPARE(inserted.count(), 0);
    m.setPaused(false);
    QCOMPARE(m.rowCount(), 12);
    QCOMPARE(inserted.count(), 1);
}

void TestLogView::modelShowsMirrorOutcomes()
{
    ExchangeModel m;
    QList<Exchange> batch = {exchange("/a", kV1, kV1), exchange("/a", kV1, kV1, 503),
                             exchange("/a", kV1, kV1, 0, Leg::Outcome::SampledOut),
                             exchange("/a", kV1, kV1, 0, Leg::Outcome::Dropped),
                             exchange("/a", kV1, kV1)};
    batch[4].mirrors.clear();
    m.addObserved(batch, compare(batch));
    auto cell = [&](int row, int col) { return m.index(row, col).data().toString(); };
    QCOMPARE(cell(0, ExchangeModel::Match), QStringLiteral("match"));
    QCOMPARE(cell(1, ExchangeModel::V2Status), QStringLiteral("503"));
    QVERIFY(cell(1, ExchangeModel::Match).startsWith(QStringLiteral("status differs")));
    QCOMPARE(cell(2, ExchangeModel::V2Status), QStringLiteral("sampled out"));
    QCOMPARE(cell(2, ExchangeModel::Match), QString());
    QCOMPARE(cell(3, ExchangeModel::V2Status), QStringLiteral("dropped: in-flight limit"));
    QCOMPARE(cell(4, ExchangeModel::V2Status), QStringLiteral("—"));
}

void TestLogView::rowTimeIsLocalTimeOfDay()
{
    // The Time column is the local time of day (the row computes it from the batch's UTC
    // offset, not per row): east of UTC past midnight, far west of it the day before.
    const QByteArray oldTz = qgetenv("TZ");
    const bool hadTz = qEnvironmentVariableIsSet("TZ");
    const auto timeIn = [](const char *tz) {
        qputenv("TZ", tz);
        tzset();
        ExchangeModel m;
        const QList<Exchange> batch = {exchange("/t", kV1, kV1)}; // 2023-11-14 22:13:20 UTC
        m.addObserved(batch, compare(batch));
        return m.index(0, ExchangeModel::Time).data().toString();
    };
    const QString east = timeIn("UTC-05:30"); // POSIX: five and a half hours east of UTC
    const QString west = timeIn("UTC+23:00");
    const QString utc = timeIn("UTC");
    if (hadTz)
        qputenv("TZ", oldTz);
    else
        qunsetenv("TZ");
    tzset();
    QCOMPARE(east, QStringLiteral("03:43:20.000"));
    QCOMPARE(west, QStringLiteral("23:13:20.000"));
    QCOMPARE(utc, QStringLiteral("22:13:20.000"));
}

QTEST_MAIN(TestLogView)
void TestLogView::detailKeepsTheBodysKeyOrder()
{
    // As the service wrote it, not sorted: "zeta" before "alpha", "b" before "a", the escaped
    // key kept as written and its differing value still highlighted.
    const QByteArray v1 = R"({"zeta":1,"alpha":{"b":true,"a":null},"q\"k":[2,"x"]})";
    const QByteArray v2 = R"({"zeta":1,"alpha":{"b":true,"a":null},"q\"k":[3,"x"]})";
    Fixture f;
    f.add({exchange("/order", v1, v2)});
    f.view.selectRow(0);
    const QString shown = f.detail()->primaryView()->toPlainText();
    const qsizetype zeta = shown.indexOf(QStringLiteral("\"zeta\": 1"));
    const qsizetype alpha = shown.indexOf(QStringLiteral("\"alpha\": {"));
    const qsizetype b = shown.indexOf(QStringLiteral("\"b\": true"));
    const qsizetype a = shown.indexOf(QStringLiteral("\"a\": null"));
    QVERIFY2(zeta >= 0 && alpha > zeta && b > alpha && a > b, qPrintable(shown));
    QVERIFY2(shown.contains(QStringLiteral("\"q\\\"k\": [")), qPrintable(shown));
    QCOMPARE(backgroundAt(f.detail()->mirrorView(), QStringLiteral("3")), Ui::Palette::mismatch());
    QVERIFY(backgroundAt(f.detail()->mirrorView(), QStringLiteral("\"zeta\"")) !=
            Ui::Palette::mismatch());
}

void TestLogView::viewCoalescesBurstsIntoFewAppends()
{
    // At thousands of exchanges a second, batches arrive far more often than a person can read:
    // the view counts each at once but appends rows at most a few times a second, the newest
    // first, and shows the rest on the next tick without being asked.
    Ui::LogView view;
    ExchangeModel *m = view.model();
    QSignalSpy inserted(m, &QAbstractItemModel::rowsInserted);
    QList<Exchange> batch;
    for (int i = 0; i < 10; ++i)
        batch << exchange("/burst/" + QByteArray::number(i), kV1, kV1);
    const auto comparisons = compare(batch);
    view.addObserved(batch, comparisons); // the first after a quiet spell: at once
    QCOMPARE(m->rowCount(), 10);
    QCOMPARE(inserted.count(), 1);
    for (int i = 0; i < 50; ++i)
        view.addObserved(batch, comparisons);
    QCOMPARE(m->totalSeen(), 510u);
    QCOMPARE(inserted.count(), 1); // held for the next tick
    QTRY_COMPARE_WITH_TIMEOUT(m->rowCount(), 510, 5000);
    QCOMPARE(inserted.count(), 2); // all fifty batches in one append
    QCOMPARE(m->index(509, ExchangeModel::Path).data().toString(), QStringLiteral("/burst/9"));
    // Bounded: a burst beyond one append's cap shows its newest rows; all are counted.
    QList<Exchange> big;
    for (int i = 0; i < 3000; ++i)
        big << exchange("/big/" + QByteArray::number(i), kV1, kV1);
    view.addObserved(big, compare(big));
    QTRY_COMPARE_WITH_TIMEOUT(m->incomingCount(), 0, 5000);
    QCOMPARE(m->totalSeen(), 3510u);
    QVERIFY(m->rowCount() <= 510 + 1000);
    QCOMPARE(m->index(m->rowCount() - 1, ExchangeModel::Path).data().toString(),
             QStringLiteral("/big/2999"));
    // Clear drops what is held too: nothing old comes back with the next append.
    for (int i = 0; i < 3; ++i)
        view.addObserved(batch, comparisons);
    m->clear();
    QCOMPARE(m->incomingCount(), 0);
    const QList<Exchange> after = {exchange("/after-clear", kV1, kV1)};
    view.addObserved(after, compare(after));
    QTRY_COMPARE_WITH_TIMEOUT(m->rowCount(), 1, 5000);
    QCOMPARE(m->index(0, ExchangeModel::Path).data().toString(), QStringLiteral("/after-clear"));
}

#include "tst_logview.moc"
