// The form of one HTTP rule (HTTPRoute): everything but its matches, destinations and mirrors,
// which have their own forms (their outline items).
#include "forms.h"

#include "forms/formbuilder.h"
#include "forms/structure.h"
#include "model/resource.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace Forms {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Forms::RuleForm", text);
}

using RouteRef = std::function<Model::HTTPRoute &(Model::Config &)>;

template <typename T> void setPresent(std::optional<T> &o, bool on)
{
    if (on)
        ensure(o);
    else
        o.reset();
}

void addRewrite(FormBuilder &b, const Model::HTTPRoute &route, const RouteRef &R)
{
    FormBuilder g = b.group(tr("Rewrite"), QStringLiteral("rewrite"), QStringLiteral("HTTPRewrite"),
                            route.rewrite.has_value(),
                            [R](Model::Config &c, bool on) { setPresent(R(c).rewrite, on); });
    const Model::HTTPRewrite v = route.rewrite.value_or(Model::HTTPRewrite{});
    g.text(tr("URI prefix"), QStringLiteral("uri"), v.uri,
           [R](Model::Config &c, const QString &s) { ensure(R(c).rewrite).uri = s; });
    FormBuilder rx(b.host(), g.layout(), QStringLiteral("RegexRewrite"),
                   g.path(QStringLiteral("uriRegexRewrite")), b.context());
    const Model::RegexRewrite r = v.uriRegexRewrite.value_or(Model::RegexRewrite{});
    auto regex = [R](Model::Config &c, bool match, const QString &s) {
        Model::HTTPRewrite &rw = ensure(R(c).rewrite);
        Model::RegexRewrite &x = ensure(rw.uriRegexRewrite);
        (match ? x.match : x.rewrite) = s;
        if (x.match.isEmpty() && x.rewrite.isEmpty() && x.extra.size() == 0)
            rw.uriRegexRewrite.reset();
    };
    rx.text(tr("URI regex"), QStringLiteral("match"), r.match,
            [regex](Model::Config &c, const QString &s) { regex(c, true, s); })
        ->setPlaceholderText(tr("RE2, e.g. ^/api/v1/(.*)"));
    rx.text(tr("Regex rewrite"), QStringLiteral("rewrite"), r.rewrite,
            [regex](Model::Config &c, const QString &s) { regex(c, false, s); })
        ->setPlaceholderText(tr("e.g. /v2/\\1"));
    g.text(tr("Authority"), QStringLiteral("authority"), v.authority,
           [R](Model::Config &c, const QString &s) { ensure(R(c).rewrite).authority = s; });
}

void addRedirect(FormBuilder &b, const Model::HTTPRoute &route, const RouteRef &R)
{
    FormBuilder g = b.group(tr("Redirect (answers with a 3xx instead of forwarding)"),
                            QStringLiteral("redirect"), QStringLiteral("HTTPRedirect"),
                            route.redirect.has_value(),
                            [R](Model::Config &c, bool on) { setPresent(R(c).redirect, on); });
    const Model::HTTPRedirect v = route.redirect.value_or(Model::HTTPRedirect{});
    g.text(tr("URI"), QStringLiteral("uri"), v.uri,
           [R](Model::Config &c, const QString &s) { ensure(R(c).redirect).uri = s; });
    g.text(tr("Authority"), QStringLiteral("authority"), v.authority,
           [R](Model::Config &c, const QString &s) { ensure(R(c).redirect).authority = s; });
    g.integer(
        tr("Port"), QStringLiteral("port"), v.port, 1, 65535,
        [R](Model::Config &c, const std::optional<qint64> &p) { ensure(R(c).redirect).port = p; });
    g.choice(
        tr("Derive port"), QStringLiteral("derivePort"),
        {QString(), QStringLiteral("FROM_PROTOCOL_DEFAULT"), QStringLiteral("FROM_REQUEST_PORT")},
        tr("not set"), v.derivePort,
        [R](Model::Config &c, const QString &s) { ensure(R(c).redirect).derivePort = s; });
    g.choice(tr("Scheme"), QStringLiteral("scheme"),
             {QString(), QStringLiteral("http"), QStringLiteral("https")}, tr("keep the request's"),
             v.scheme,
             [R](Model::Config &c, const QString &s) { ensure(R(c).redirect).scheme = s; });
    g.integer(tr("Redirect code"), QStringLiteral("redirectCode"),
              v.redirectCode ? std::optional<qint64>(*v.redirectCode) : std::nullopt, 100, 999,
              [R](Model::Config &c, const std::optional<qint64> &code) {
                  ensure(R(c).redirect).redirectCode =
                      code ? std::optional<int>(int(*code)) : std::nullopt;
              })
        ->spinBox()
        ->setSpecialValueText(tr("not set (301)"));
    g.text(tr("Prefix rewrite"), QStringLiteral("prefixRewrite"), v.prefixRewrite,
           [R](Model::Config &c, const QString &s) { ensure(R(c).redirect).prefixRewrite = s; });
}

void addDirectResponse(FormBuilder &b, const Model::HTTPRoute &route, const RouteRef &R)
{
    FormBuilder g = b.group(
        tr("Direct response (answers without forwarding)"), QStringLiteral("directResponse"),
        QStringLiteral("HTTPDirectResponse"), route.directResponse.has_value(),
        [R](Model::Config &c, bool on) { setPresent(R(c).directResponse, on); });
    const Model::HTTPDirectResponse v = route.directResponse.value_or(Model::HTTPDirectResponse{});
    g.integer(tr("Status"), QStringLiteral("status"),
              v.status ? std::optional<qint64>(*v.status) : std::nullopt, 100, 999,
              [R](Model::Config &c, const std::optional<qint64> &s) {
                  ensure(R(c).directResponse).status =
                      s ? std::optional<int>(int(*s)) : std::nullopt;
              });
    const Model::HTTPBody body = v.body.value_or(Model::HTTPBody{});
    const QString kind = body.kind == Model::HTTPBody::Kind::String  ? QStringLiteral("string")
                         : body.kind == Model::HTTPBody::Kind::Bytes ? QStringLiteral("bytes")
                                                                     : QString();
    g.choice(tr("Body kind"), QStringLiteral("body"),
             {QString(), QStringLiteral("string"), QStringLiteral("bytes")}, tr("no body"), kind,
             [R](Model::Config &c, const QString &k) {
                 Model::HTTPDirectResponse &d = ensure(R(c).directResponse);
                 if (k.isEmpty()) {
                     d.body.reset();
                     return;
                 }
                 ensure(d.body).kind = k == QLatin1String("bytes") ? Model::HTTPBody::Kind::Bytes
                                                                   : Model::HTTPBody::Kind::String;
             });
    g.text(tr("Body"), QStringLiteral("body"), body.value, [R](Model::Config &c, const QString &s) {
         Model::HTTPBody &bd = ensure(ensure(R(c).directResponse).body);
         bd.value = s;
         if (bd.kind == Model::HTTPBody::Kind::None)
             bd.kind = Model::HTTPBody::Kind::String;
     })->setPlaceholderText(tr("text (string) or base64 (bytes)"));
}

void addDelegate(FormBuilder &b, const Model::HTTPRoute &route, const RouteRef &R)
{
    FormBuilder g = b.group(tr("Delegate (to another VirtualService)"), QStringLiteral("delegate"),
                            QStringLiteral("Delegate"), route.delegate.has_value(),
                            [R](Model::Config &c, bool on) { setPresent(R(c).delegate, on); });
    const Model::Delegate v = route.delegate.value_or(Model::Delegate{});
    g.text(tr("Name"), QStringLiteral("name"), v.name,
           [R](Model::Config &c, const QString &s) { ensure(R(c).delegate).name = s; });
    g.text(tr("Namespace"), QStringLiteral("namespace"), v.namespaceName,
           [R](Model::Config &c, const QString &s) { ensure(R(c).delegate).namespaceName = s; });
}

void addRetries(FormBuilder &b, const Model::HTTPRoute &route, const RouteRef &R)
{
    FormBuilder g = b.group(tr("Retries"), QStringLiteral("retries"), QStringLiteral("HTTPRetry"),
                            route.retries.has_value(),
                            [R](Model::Config &c, bool on) { setPresent(R(c).retries, on); });
    const Model::HTTPRetry v = route.retries.value_or(Model::HTTPRetry{});
    g.integer(tr("Attempts"), QStringLiteral("attempts"),
              v.attempts ? std::optional<qint64>(*v.attempts) : std::nullopt, 0, 1000,
              [R](Model::Config &c, const std::optional<qint64> &a) {
                  ensure(R(c).retries).attempts = a ? std::optional<int>(int(*a)) : std::nullopt;
              });
    g.duration(tr("Per-try timeout"), QStringLiteral("perTryTimeout"), v.perTryTimeout,
               [R](Model::Config &c, const std::optional<Model::Duration> &d) {
                   ensure(R(c).retries).perTryTimeout = d;
               });
    g.text(tr("Retry on"), QStringLiteral("retryOn"), v.retryOn,
           [R](Model::Config &c, const QString &s) { ensure(R(c).retries).retryOn = s; })
        ->setPlaceholderText(tr("e.g. 5xx,connect-failure,reset"));
    g.boolean(tr("Other localities"), QStringLiteral("retryRemoteLocalities"),
              v.retryRemoteLocalities, tr("not set"),
              [R](Model::Config &c, const std::optional<bool> &on) {
                  ensure(R(c).retries).retryRemoteLocalities = on;
              });
    g.boolean(tr("Ignore previous hosts"), QStringLiteral("retryIgnorePreviousHosts"),
              v.retryIgnorePreviousHosts, tr("not set (true)"),
              [R](Model::Config &c, const std::optional<bool> &on) {
                  ensure(R(c).retries).retryIgnorePreviousHosts = on;
              });
    g.duration(tr("Backoff"), QStringLiteral("backoff"), v.backoff,
               [R](Model::Config &c, const std::optional<Model::Duration> &d) {
                   ensure(R(c).retries).backoff = d;
               });
}

// `fault` holds a delay and/or an abort: each has its own group, and the fault goes away with
// the last of them.
void tidyFault(Model::HTTPRoute &r)
{
    if (r.fault && !r.fault->delay && !r.fault->abort && r.fault->extra.size() == 0)
        r.fault.reset();
}

void addFault(FormBuilder &b, const Model::HTTPRoute &route, const RouteRef &R)
{
    const Model::HTTPFaultInjection f = route.fault.value_or(Model::HTTPFaultInjection{});
    FormBuilder d =
        b.group(tr("Fault: delay"), QStringLiteral("fault.delay"), QStringLiteral("Delay"),
                f.delay.has_value(), [R](Model::Config &c, bool on) {
                    setPresent(ensure(R(c).fault).delay, on);
                    tidyFault(R(c));
                });
    const Model::FaultDelay dv = f.delay.value_or(Model::FaultDelay{});
    d.duration(tr("Fixed delay"), QStringLiteral("fixedDelay"), dv.fixedDelay,
               [R](Model::Config &c, const std::optional<Model::Duration> &v) {
                   ensure(ensure(R(c).fault).delay).fixedDelay = v;
               });
    d.percent(tr("Percentage"), QStringLiteral("percentage"), dv.percentage, 0,
              tr("not set: no request is delayed"),
              [R](Model::Config &c, const std::optional<double> &p) {
                  ensure(ensure(R(c).fault).delay).percentage = p;
              });
    if (dv.percent)
        d.layout()->addRow(tr("percent:"),
                           new QLabel(tr("%1 (deprecated integer; used only while percentage "
                                         "is not set)")
                                          .arg(*dv.percent)));

    FormBuilder a =
        b.group(tr("Fault: abort"), QStringLiteral("fault.abort"), QStringLiteral("Abort"),
                f.abort.has_value(), [R](Model::Config &c, bool on) {
                    setPresent(ensure(R(c).fault).abort, on);
                    tidyFault(R(c));
                });
    const Model::FaultAbort av = f.abort.value_or(Model::FaultAbort{});
    a.integer(tr("HTTP status"), QStringLiteral("httpStatus"),
              av.httpStatus ? std::optional<qint64>(*av.httpStatus) : std::nullopt, 100, 999,
              [R](Model::Config &c, const std::optional<qint64> &s) {
                  ensure(ensure(R(c).fault).abort).httpStatus =
                      s ? std::optional<int>(int(*s)) : std::nullopt;
              });
    a.text(tr("gRPC status"), QStringLiteral("grpcStatus"), av.grpcStatus,
           [R](Model::Config &c, const QString &s) {
               ensure(ensure(R(c).fault).abort).grpcStatus = s;
           })
        ->setPlaceholderText(tr("e.g. UNAVAILABLE"));
    a.percent(tr("Percentage"), QStringLiteral("percentage"), av.percentage, 0,
              tr("not set: no request is aborted"),
              [R](Model::Config &c, const std::optional<double> &p) {
                  ensure(ensure(R(c).fault).abort).percentage = p;
              });
}

void addCors(FormBuilder &b, const Model::HTTPRoute &route, const RouteRef &R)
{
    FormBuilder g = b.group(tr("CORS policy"), QStringLiteral("corsPolicy"),
                            QStringLiteral("CorsPolicy"), route.corsPolicy.has_value(),
                            [R](Model::Config &c, bool on) { setPresent(R(c).corsPolicy, on); });
    const Model::CorsPolicy v = route.corsPolicy.value_or(Model::CorsPolicy{});

    auto *origins = new RowsTable(
        {{tr("Kind"),
          {QStringLiteral("exact"), QStringLiteral("prefix"), QStringLiteral("regex")},
          90},
         {tr("Origin"), {}, 0}});
    QList<RowsTable::Row> rows;
    for (int i = 0; i < v.allowOrigins.size(); ++i)
        rows.append(
            {{Model::StringMatch::kindName(v.allowOrigins[i].kind), v.allowOrigins[i].value}, i});
    origins->setRows(rows);
    g.row(tr("Allow origins"), QStringLiteral("allowOrigins"), origins);
    const QList<Model::StringMatch> original = v.allowOrigins;
    QObject::connect(origins, &RowsTable::edited, origins, [g, origins, original, R] {
        QList<Model::StringMatch> list;
        for (const RowsTable::Row &row : origins->rows()) {
            if (row.cells.value(1).isEmpty())
                continue;
            // Start from the entry the row came from: keys the form does not show stay.
            Model::StringMatch m = row.tag >= 0 ? original.value(row.tag) : Model::StringMatch{};
            const QString kind = row.cells.value(0);
            m.kind = kind == QLatin1String("prefix")  ? Model::StringMatch::Kind::Prefix
                     : kind == QLatin1String("regex") ? Model::StringMatch::Kind::Regex
                                                      : Model::StringMatch::Kind::Exact;
            m.value = row.cells.value(1);
            list.append(m);
        }
        g.commit(tr("allow origins edited"),
                 [R, list](Model::Config &c) { ensure(R(c).corsPolicy).allowOrigins = list; });
    });
    g.list(
        tr("Allow methods"), QStringLiteral("allowMethods"), v.allowMethods,
        [R](Model::Config &c, const QStringList &l) { ensure(R(c).corsPolicy).allowMethods = l; });
    g.list(
        tr("Allow headers"), QStringLiteral("allowHeaders"), v.allowHeaders,
        [R](Model::Config &c, const QStringList &l) { ensure(R(c).corsPolicy).allowHeaders = l; });
    g.list(
        tr("Expose headers"), QStringLiteral("exposeHeaders"), v.exposeHeaders,
        [R](Model::Config &c, const QStringList &l) { ensure(R(c).corsPolicy).exposeHeaders = l; });
    g.duration(tr("Max age"), QStringLiteral("maxAge"), v.maxAge,
               [R](Model::Config &c, const std::optional<Model::Duration> &d) {
                   ensure(R(c).corsPolicy).maxAge = d;
               });
    g.boolean(tr("Allow credentials"), QStringLiteral("allowCredentials"), v.allowCredentials,
              tr("not set"), [R](Model::Config &c, const std::optional<bool> &on) {
                  ensure(R(c).corsPolicy).allowCredentials = on;
              });
    g.choice(tr("Unmatched preflights"), QStringLiteral("unmatchedPreflights"),
             {QString(), QStringLiteral("UNSPECIFIED"), QStringLiteral("FORWARD"),
              QStringLiteral("IGNORE")},
             tr("not set (forward)"), v.unmatchedPreflights,
             [R](Model::Config &c, const QString &s) {
                 ensure(R(c).corsPolicy).unmatchedPreflights = s;
             });
}

} // namespace

QWidget *buildRuleForm(FormHost &host, const Location &at)
{
    const Model::HTTPRoute &route = routeAt(host.config(), at);
    QFormLayout *form = nullptr;
    QWidget *page = makePage(
        route.name.isEmpty() ? tr("Rule %1").arg(at.rule + 1)
                             : tr("Rule %1: %2").arg(at.rule + 1).arg(route.name),
        tr("Rules are tried in order; the first one whose match fits the request is used. Its "
           "matches, destinations and mirrors are items below it in the outline."),
        &form);
    const RouteRef R = [at](Model::Config &c) -> Model::HTTPRoute & { return routeAt(c, at); };
    FormBuilder b(host, form, QStringLiteral("HTTPRoute"), at.path(),
                  Structure::describe(host.config(), at));
    b.text(tr("Name"), QStringLiteral("name"), route.name, [R](Model::Config &c, const QString &v) {
         R(c).name = v;
     })->setPlaceholderText(tr("optional, shown in access logs"));
    b.duration(
        tr("Timeout"), QStringLiteral("timeout"), route.timeout,
        [R](Model::Config &c, const std::optional<Model::Duration> &d) { R(c).timeout = d; });

    // Children are edited in their own forms; these buttons add one and select it.
    auto *buttons = new QWidget;
    auto *row = new QHBoxLayout(buttons);
    row->setContentsMargins(0, 0, 0, 0);
    const QList<QPair<QString, Location::Kind>> adds = {
        {tr("Add match"), Location::Kind::Match},
        {tr("Add destination"), Location::Kind::Destination},
        {tr("Add mirror"), Location::Kind::Mirror}};
    for (const auto &[text, kind] : adds) {
        auto *button = new QPushButton(text, buttons);
        row->addWidget(button);
        QObject::connect(button, &QPushButton::clicked, button, [b, at, kind = kind, text = text] {
            b.commitStructural(text.toLower(), [at, kind](Model::Config &c) {
                return Structure::addChild(c, at, kind);
            });
        });
    }
    row->addStretch();
    form->addRow(QString(), buttons);

    addHeadersEditor(
        b, QStringLiteral("headers"), route.headers,
        [R](Model::Config &c) -> std::optional<Model::Headers> & { return R(c).headers; });
    addRewrite(b, route, R);
    addRetries(b, route, R);
    addFault(b, route, R);
    addCors(b, route, R);
    addRedirect(b, route, R);
    addDirectResponse(b, route, R);
    addDelegate(b, route, R);
    return page;
}

} // namespace Forms
