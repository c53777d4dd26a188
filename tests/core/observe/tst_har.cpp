// HAR 1.2 export: every field the spec requires is there with the right JSON type, legs of one
// exchange pair up by request id, never-sent legs are entries with status 0, the streaming
// writer grows the file as batches come and completes it at close.
#include "observe/har.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Observe;

namespace {

Routing::Target target(const char *subset)
{
    return {QStringLiteral("greeter-service"), QString::fromLatin1(subset), 3000};
}

Leg completed(const char *subset, int status, qint64 totalUs)
{
    Leg l;
    l.destination = target(subset);
    l.endpoint = QStringLiteral("127.0.0.1:300") + QLatin1String(subset).right(1);
    l.status = status;
    l.responseHeaders = {{"content-type", "application/json"}, {"content-length", "19"}};
    l.bodyPrefix = "{\"message\":\"hello\"}";
    l.bodySize = l.bodyPrefix.size();
    l.connectUs = 150;
    l.firstByteUs = totalUs - 200;
    l.totalUs = totalUs;
    return l;
}

Exchange makeExchange(quint64 id)
{
    Exchange e;
    e.id = id;
    e.requestId = "req-" + QByteArray::number(id);
    e.start = QDateTime(QDate(2025, 3, 1), QTime(12, 0, 0, 123), Qt::UTC).addMSecs(qint64(id));
    e.method = "GET";
    e.authority = "greeter-service";
    e.path = "/hello";
    e.requestHeaders = {{"user-agent", "curl/7.88.1"}, {"x-request-id", e.requestId}};
    e.virtualService = QStringLiteral("greeter");
    e.ruleIndex = 0;
    e.primary = completed("v1", 200, 2000);
    e.mirrors.append(completed("v2", 200, 5000));
    return e;
}

// Every shape an exchange can take (exchange.h lists the legal combinations).
QList<Exchange> sampleExchanges()
{
    QList<Exchange> list;
    list << makeExchange(1);

    Exchange post = makeExchange(2);
    post.method = "POST";
    post.path = "/greet?name=J%C3%BCrgen&lang=de&flag";
    post.requestHeaders << qMakePair(QByteArray("content-type"), QByteArray("application/json"))
                        << qMakePair(QByteArray("cookie"), QByteArray("session=abc; theme=dark"));
    post.requestBodyPrefix = "{\"name\":\"J\xc3\xbcrgen\"}";
    post.requestBodySize = 2048;
    post.primary.responseHeaders << qMakePair(QByteArray("set-cookie"),
                                              QByteArray("sid=xyz; Path=/; HttpOnly; Secure"));
    post.mirrors[0].outcome = Leg::Outcome::Failed;
    post.mirrors[0].status = 0;
    post.mirrors[0].error = QStringLiteral("connect failure");
    post.mirrors[0].responseHeaders.clear();
    post.mirrors[0].bodyPrefix.clear();
    post.mirrors[0].bodySize = 0;
    post.mirrors[0].firstByteUs = -1;
    post.mirrors[0].connectUs = -1;
    list << post;

    Exchange dropped = makeExchange(3);
    dropped.mirrors[0] = Leg();
    dropped.mirrors[0].destination = target("v2");
    dropped.mirrors[0].outcome = Leg::Outcome::Dropped;
    dropped.mirrors[0].dropReason = QStringLiteral("in-flight limit");
    Leg sampledOut;
    sampledOut.destination = target("v3");
    sampledOut.outcome = Leg::Outcome::SampledOut;
    dropped.mirrors.append(sampledOut);
    list << dropped;

    Exchange redirect = makeExchange(4);
    redirect.mirrors.clear();
    redirect.primary = Leg();
    redirect.primary.outcome = Leg::Outcome::Local;
    redirect.primary.status = 301;
    redirect.primary.responseHeaders = {{"location", "http://greeter-service/v2/hello"}};
    redirect.primary.totalUs = 40;
    list << redirect;

    Exchange reset = makeExchange(5);
    reset.primary.outcome = Leg::Outcome::Failed;
    reset.primary.status = 0;
    reset.primary.error = QStringLiteral("reset");
    reset.primary.bodyPrefix = QByteArray("\x89PNG\r\n\x1a\n\x00\x01", 10); // binary
    reset.primary.bodySize = 100000;
    reset.primary.firstByteUs = 900;
    reset.primary.totalUs = 1000;
    reset.authority.clear(); // HTTP/1.0 without Host
    list << reset;
    return list;
}

// --- a HAR 1.2 walker ---------------------------------------------------------------------

class HarCheck
{
public:
    QStringList problems;

    void check(const QJsonDocument &doc)
    {
        if (!doc.isObject())
            return fail(QStringLiteral("document is not an object"));
        const QJsonObject log = object(doc.object(), QStringLiteral("log"), QStringLiteral(""));
        string(log, QStringLiteral("version"), QStringLiteral("log"));
        if (log.value(QLatin1String("version")).toString() != QLatin1String("1.2"))
            fail(QStringLiteral("log.version is not 1.2"));
        const QJsonObject creator = object(log, QStringLiteral("creator"), QStringLiteral("log"));
        string(creator, QStringLiteral("name"), QStringLiteral("log.creator"));
        string(creator, QStringLiteral("version"), QStringLiteral("log.creator"));
        optional(log, QStringLiteral("pages"), QJsonValue::Array, QStringLiteral("log"));
        optional(log, QStringLiteral("comment"), QJsonValue::String, QStringLiteral("log"));
        const QJsonArray entries = array(log, QStringLiteral("entries"), QStringLiteral("log"));
        for (qsizetype i = 0; i < entries.size(); ++i)
            entry(entries.at(i).toObject(), QStringLiteral("entries[%1]").arg(i));
    }

private:
    void fail(const QString &p) { problems << p; }

    QJsonValue need(const QJsonObject &o, const QString &key, QJsonValue::Type type,
                    const QString &where)
    {
        const QJsonValue v = o.value(key);
        if (v.isUndefined())
            fail(QStringLiteral("%1.%2 missing").arg(where, key));
        else if (v.type() != type)
            fail(QStringLiteral("%1.%2 has JSON type %3, wanted %4")
                     .arg(where, key)
                     .arg(int(v.type()))
                     .arg(int(type)));
        return v;
    }
    void optional(const QJsonObject &o, const QString &key, QJsonValue::Type type,
                  const QString &where)
    {
        if (o.contains(key))
            need(o, key, type, where);
    }
    QString string(const QJsonObject &o, const QString &key, const QString &where)
    {
        return need(o, key, QJsonValue::String, where).toString();
    }
    double number(const QJsonObject &o, const QString &key, const QString &where)
    {
        return need(o, key, QJsonValue::Double, where).toDouble();
    }
    QJsonObject object(const QJsonObject &o, const QString &key, const QString &where)
    {
        return need(o, key, QJsonValue::Object, where).toObject();
    }
    QJsonArray array(const QJsonObject &o, const QString &key, const QString &where)
    {
        return need(o, key, QJsonValue::Array, where).toArray();
    }

    void nameValues(const QJsonArray &list, const QString &where)
    {
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString at = QStringLiteral("%1[%2]").arg(where).arg(i);
            if (!list.at(i).isObject()) {
                fail(at + QStringLiteral(" is not an object"));
                continue;
            }
            string(list.at(i).toObject(), QStringLiteral("name"), at);
            string(list.at(i).toObject(), QStringLiteral("value"), at);
        }
    }

    void entry(const QJsonObject &e, const QString &at)
    {
        static const QRegularExpression iso(QStringLiteral(
            "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)$"));
        const QString started = string(e, QStringLiteral("startedDateTime"), at);
        if (!iso.match(started).hasMatch())
            fail(QStringLiteral("%1.startedDateTime %2 is not ISO 8601 with ms and zone")
                     .arg(at, started));
        const double time = number(e, QStringLiteral("time"), at);
        if (time < 0)
            fail(at + QStringLiteral(".time < 0"));

        const QString rq = at + QStringLiteral(".request");
        const QJsonObject request = object(e, QStringLiteral("request"), at);
        string(request, QStringLiteral("method"), rq);
        const QString url = string(request, QStringLiteral("url"), rq);
        if (!url.startsWith(QLatin1String("http://")))
            fail(QStringLiteral("%1.url %2 is not absolute").arg(rq, url));
        string(request, QStringLiteral("httpVersion"), rq);
        nameValues(array(request, QStringLiteral("cookies"), rq), rq + QStringLiteral(".cookies"));
        nameValues(array(request, QStringLiteral("headers"), rq), rq + QStringLiteral(".headers"));
        nameValues(array(request, QStringLiteral("queryString"), rq),
                   rq + QStringLiteral(".queryString"));
        if (request.contains(QLatin1String("postData"))) {
            const QJsonObject post = object(request, QStringLiteral("postData"), rq);
            string(post, QStringLiteral("mimeType"), rq + QStringLiteral(".postData"));
            optional(post, QStringLiteral("text"), QJsonValue::String, rq);
            optional(post, QStringLiteral("params"), QJsonValue::Array, rq);
        }
        number(request, QStringLiteral("headersSize"), rq);
        number(request, QStringLiteral("bodySize"), rq);

        const QString rs = at + QStringLiteral(".response");
        const QJsonObject response = object(e, QStringLiteral("response"), at);
        number(response, QStringLiteral("status"), rs);
        string(response, QStringLiteral("statusText"), rs);
        string(response, QStringLiteral("httpVersion"), rs);
        nameValues(array(response, QStringLiteral("cookies"), rs), rs + QStringLiteral(".cookies"));
        nameValues(array(response, QStringLiteral("headers"), rs), rs + QStringLiteral(".headers"));
        const QJsonObject content = object(response, QStringLiteral("content"), rs);
        const QString ct = rs + QStringLiteral(".content");
        number(content, QStringLiteral("size"), ct);
        string(content, QStringLiteral("mimeType"), ct);
        optional(content, QStringLiteral("text"), QJsonValue::String, ct);
        optional(content, QStringLiteral("encoding"), QJsonValue::String, ct);
        string(response, QStringLiteral("redirectURL"), rs);
        number(response, QStringLiteral("headersSize"), rs);
        number(response, QStringLiteral("bodySize"), rs);

        object(e, QStringLiteral("cache"), at);
        const QString tm = at + QStringLiteral(".timings");
        const QJsonObject timings = object(e, QStringLiteral("timings"), at);
        double sum = 0;
        for (const char *key : {"send", "wait", "receive"}) {
            const double v = number(timings, QString::fromLatin1(key), tm);
            if (v < 0)
                fail(QStringLiteral("%1.%2 < 0").arg(tm, QLatin1String(key)));
            sum += v;
        }
        for (const char *key : {"blocked", "dns", "connect", "ssl"}) {
            if (!timings.contains(QLatin1String(key)))
                continue;
            const double v = number(timings, QString::fromLatin1(key), tm);
            if (v < -1 || (v < 0 && v != -1))
                fail(QStringLiteral("%1.%2 is neither -1 nor >= 0").arg(tm, QLatin1String(key)));
            if (v > 0 && QLatin1String(key) != QLatin1String("ssl")) // ssl is inside connect
                sum += v;
        }
        if (qAbs(sum - time) > 0.002)
            fail(QStringLiteral("%1.time %2 is not the sum of its timings %3")
                     .arg(at)
                     .arg(time)
                     .arg(sum));

        for (const char *key : {"_requestId", "_leg", "_destination", "_endpoint", "_outcome",
                                "_dropReason", "_error"})
            string(e, QString::fromLatin1(key), at);
    }
};

QJsonObject parse(const QByteArray &bytes, QJsonParseError *error)
{
    return QJsonDocument::fromJson(bytes, error).object();
}

QJsonArray entriesOf(const QByteArray &har)
{
    return QJsonDocument::fromJson(har)
        .object()
        .value(QLatin1String("log"))
        .toObject()
        .value(QLatin1String("entries"))
        .toArray();
}

} // namespace

class TestHar : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void everyRequiredFieldIsThereAndTyped()
    {
        const QByteArray har = harDocument(sampleExchanges());
        QJsonParseError error;
        const QJsonObject root = parse(har, &error);
        QVERIFY2(error.error == QJsonParseError::NoError,
                 qPrintable(error.errorString() + QStringLiteral(" at %1").arg(error.offset)));
        HarCheck check;
        check.check(QJsonDocument(root));
        QVERIFY2(check.problems.isEmpty(), qPrintable(check.problems.join(QLatin1Char('\n'))));
        const QJsonObject log = root.value(QLatin1String("log")).toObject();
        QCOMPARE(log.value(QLatin1String("creator")).toObject().value(QLatin1String("version")),
                 QJsonValue(QStringLiteral(MIRRORSCOPE_VERSION)));
        // 5 exchanges: 2 + 2 + 3 (dropped and sampled-out mirrors are kept) + 1 (local) + 2
        QCOMPARE(log.value(QLatin1String("entries")).toArray().size(), 10);
    }

    void theWalkerCatchesMistakes()
    {
        // The checker itself must fail on a broken document, or the test above proves nothing.
        QJsonObject root = QJsonDocument::fromJson(harDocument({makeExchange(1)})).object();
        QJsonObject log = root.value(QLatin1String("log")).toObject();
        QJsonArray entries = log.value(QLatin1String("entries")).toArray();
        QJsonObject first = entries.at(0).toObject();
        QJsonObject response = first.value(QLatin1String("response")).toObject();
        response[QStringLiteral("status")] = QStringLiteral("200"); // a string, not a number
        response.remove(QStringLiteral("redirectURL"));
        first[QStringLiteral("response")] = response;
        first[QStringLiteral("startedDateTime")] = QStringLiteral("2025-03-01 12:00:00");
        entries[0] = first;
        log[QStringLiteral("entries")] = entries;
        root[QStringLiteral("log")] = log;
        HarCheck check;
        check.check(QJsonDocument(root));
        QCOMPARE(check.problems.size(), 3);
    }

    void legsPairUpByRequestId()
    {
        const QList<Exchange> list = sampleExchanges();
        const QJsonArray entries = entriesOf(harDocument(list));
        qsizetype i = 0;
        for (const Exchange &e : list) {
            // The primary first, then each mirror in order, all with the exchange's request id.
            const QJsonObject primary = entries.at(i++).toObject();
            QCOMPARE(primary.value(QLatin1String("_requestId")).toString(),
                     QString::fromLatin1(e.requestId));
            QCOMPARE(primary.value(QLatin1String("_leg")).toString(), QStringLiteral("primary"));
            // A local answer (the redirect) went to no destination.
            QCOMPARE(primary.value(QLatin1String("_destination")).toString(),
                     e.primary.outcome == Leg::Outcome::Local
                         ? QString()
                         : QStringLiteral("greeter-service:v1"));
            for (const Leg &m : e.mirrors) {
                const QJsonObject mirror = entries.at(i++).toObject();
                QCOMPARE(mirror.value(QLatin1String("_requestId")).toString(),
                         QString::fromLatin1(e.requestId));
                QCOMPARE(mirror.value(QLatin1String("_leg")).toString(), QStringLiteral("mirror"));
                QCOMPARE(mirror.value(QLatin1String("_destination")).toString(),
                         QStringLiteral("greeter-service:") + m.destination.subset);
                QCOMPARE(mirror.value(QLatin1String("startedDateTime")),
                         primary.value(QLatin1String("startedDateTime")));
            }
        }
        QCOMPARE(i, entries.size());
    }

    void neverSentLegsAreStatusZeroEntries()
    {
        const QJsonArray entries = entriesOf(harDocument(sampleExchanges()));
        // sampleExchanges()[2]: primary, dropped mirror, sampled-out mirror at entries 4..6
        const QJsonObject dropped = entries.at(5).toObject();
        QCOMPARE(dropped.value(QLatin1String("_outcome")).toString(), QStringLiteral("dropped"));
        QCOMPARE(dropped.value(QLatin1String("_dropReason")).toString(),
                 QStringLiteral("in-flight limit"));
        QCOMPARE(dropped.value(QLatin1String("response")).toObject().value(QLatin1String("status")),
                 QJsonValue(0));
        QCOMPARE(dropped.value(QLatin1String("time")).toDouble(), 0.0);
        const QJsonObject sampled = entries.at(6).toObject();
        QCOMPARE(sampled.value(QLatin1String("_outcome")).toString(),
                 QStringLiteral("sampled out"));
        QCOMPARE(sampled.value(QLatin1String("response")).toObject().value(QLatin1String("status")),
                 QJsonValue(0));
    }

    void requestAndResponseDetails()
    {
        const QJsonArray entries = entriesOf(harDocument(sampleExchanges(), {false}));
        const QJsonObject first = entries.at(0).toObject();
        QCOMPARE(first.value(QLatin1String("startedDateTime")).toString(),
                 QStringLiteral("2025-03-01T12:00:00.124Z"));
        QCOMPARE(first.value(QLatin1String("time")).toDouble(), 2.0);
        const QJsonObject timings = first.value(QLatin1String("timings")).toObject();
        QCOMPARE(timings.value(QLatin1String("connect")).toDouble(), 0.15);
        QCOMPARE(timings.value(QLatin1String("wait")).toDouble(), 1.65);
        QCOMPARE(timings.value(QLatin1String("receive")).toDouble(), 0.2);
        const QJsonObject response = first.value(QLatin1String("response")).toObject();
        QCOMPARE(response.value(QLatin1String("statusText")).toString(), QStringLiteral("OK"));
        const QJsonObject content = response.value(QLatin1String("content")).toObject();
        QCOMPARE(content.value(QLatin1String("mimeType")).toString(),
                 QStringLiteral("application/json"));
        QCOMPARE(content.value(QLatin1String("text")).toString(),
                 QStringLiteral("{\"message\":\"hello\"}"));
        QVERIFY(!content.contains(QLatin1String("encoding")));

        const QJsonObject post = entries.at(2).toObject();
        const QJsonObject request = post.value(QLatin1String("request")).toObject();
        QCOMPARE(request.value(QLatin1String("url")).toString(),
                 QStringLiteral("http://greeter-service/greet?name=J%C3%BCrgen&lang=de&flag"));
        const QJsonArray query = request.value(QLatin1String("queryString")).toArray();
        QCOMPARE(query.size(), 3);
        QCOMPARE(query.at(0).toObject().value(QLatin1String("value")).toString(),
                 QStringLiteral("Jürgen"));
        QCOMPARE(query.at(2).toObject().value(QLatin1String("value")).toString(), QString());
        const QJsonObject postData = request.value(QLatin1String("postData")).toObject();
        QCOMPARE(postData.value(QLatin1String("mimeType")).toString(),
                 QStringLiteral("application/json"));
        QCOMPARE(postData.value(QLatin1String("text")).toString(),
                 QStringLiteral("{\"name\":\"Jürgen\"}"));
        QCOMPARE(request.value(QLatin1String("bodySize")).toInt(), 2048);
        const QJsonArray cookies = request.value(QLatin1String("cookies")).toArray();
        QCOMPARE(cookies.size(), 2);
        QCOMPARE(cookies.at(1).toObject().value(QLatin1String("name")).toString(),
                 QStringLiteral("theme"));
        QCOMPARE(cookies.at(1).toObject().value(QLatin1String("value")).toString(),
                 QStringLiteral("dark"));
        const QJsonObject setCookie = post.value(QLatin1String("response"))
                                          .toObject()
                                          .value(QLatin1String("cookies"))
                                          .toArray()
                                          .at(0)
                                          .toObject();
        QCOMPARE(setCookie.value(QLatin1String("name")).toString(), QStringLiteral("sid"));
        QCOMPARE(setCookie.value(QLatin1String("value")).toString(), QStringLiteral("xyz"));
        QCOMPARE(setCookie.value(QLatin1String("path")).toString(), QStringLiteral("/"));
        QCOMPARE(setCookie.value(QLatin1String("httpOnly")).toBool(), true);
        QCOMPARE(setCookie.value(QLatin1String("secure")).toBool(), true);
        const QJsonObject failedMirror = entries.at(3).toObject();
        QCOMPARE(failedMirror.value(QLatin1String("_error")).toString(),
                 QStringLiteral("connect failure"));
        QCOMPARE(
            failedMirror.value(QLatin1String("timings")).toObject().value(QLatin1String("connect")),
            QJsonValue(-1));

        const QJsonObject redirect = entries.at(7).toObject();
        QCOMPARE(redirect.value(QLatin1String("_outcome")).toString(), QStringLiteral("local"));
        QCOMPARE(redirect.value(QLatin1String("response"))
                     .toObject()
                     .value(QLatin1String("redirectURL"))
                     .toString(),
                 QStringLiteral("http://greeter-service/v2/hello"));

        const QJsonObject reset = entries.at(8).toObject();
        QCOMPARE(
            reset.value(QLatin1String("request")).toObject().value(QLatin1String("url")).toString(),
            QStringLiteral("http://greeter-service/hello")); // routed host stands in
        const QJsonObject binary = reset.value(QLatin1String("response"))
                                       .toObject()
                                       .value(QLatin1String("content"))
                                       .toObject();
        QCOMPARE(binary.value(QLatin1String("encoding")).toString(), QStringLiteral("base64"));
        QCOMPARE(QByteArray::fromBase64(binary.value(QLatin1String("text")).toString().toLatin1()),
                 QByteArray("\x89PNG\r\n\x1a\n\x00\x01", 10));
        QCOMPARE(binary.value(QLatin1String("size")).toInt(), 100000);
        QVERIFY(
            binary.value(QLatin1String("comment")).toString().contains(QLatin1String("100000")));
    }

    void emptyRunIsStillAValidHar()
    {
        QJsonParseError error;
        const QJsonObject root = parse(harDocument({}), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        HarCheck check;
        check.check(QJsonDocument(root));
        QVERIFY2(check.problems.isEmpty(), qPrintable(check.problems.join(QLatin1Char('\n'))));
        QCOMPARE(entriesOf(harDocument({})).size(), 0);
    }

    void streamingWriterGrowsTheFileAndCompletesIt()
    {
        QVERIFY(m_dir.isValid());
        const QString path = m_dir.filePath(QStringLiteral("run.har"));
        auto fileText = [&] {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        {
            HarWriter w;
            QVERIFY2(w.open(path), qPrintable(w.errorString()));
            QVERIFY(w.write({makeExchange(1), makeExchange(2)}));
            const QByteArray during = fileText();
            QVERIFY(during.contains("\"_requestId\":\"req-2\""));
            QVERIFY(QJsonDocument::fromJson(during).isNull()); // not closed yet
            QVERIFY(w.write(makeExchange(3)));
            QCOMPARE(w.entriesWritten(), 6);
            // No close(): the destructor completes the document (an early return in a caller
            // must not leave a broken file).
        }
        QJsonParseError error;
        const QJsonObject root = parse(fileText(), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        HarCheck check;
        check.check(QJsonDocument(root));
        QVERIFY2(check.problems.isEmpty(), qPrintable(check.problems.join(QLatin1Char('\n'))));
        QCOMPARE(entriesOf(fileText()).size(), 6);
    }

    void writeListAndErrors()
    {
        const QString path = m_dir.filePath(QStringLiteral("list.har"));
        QString error;
        QVERIFY2(writeHar(path, sampleExchanges(), {}, &error), qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(entriesOf(f.readAll()).size(), 10);
        const QString bad = m_dir.filePath(QStringLiteral("missing/run.har"));
        QVERIFY(!writeHar(bad, sampleExchanges(), {}, &error));
        QVERIFY2(error.contains(bad), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestHar)
#include "tst_har.moc"
