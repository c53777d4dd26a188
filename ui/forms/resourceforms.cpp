// Forms of whole resources: VirtualService, DestinationRule and its subsets, other kinds.
#include "forms.h"

#include "forms/formbuilder.h"
#include "forms/structure.h"
#include "model/resource.h"

#include <QCoreApplication>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>

namespace Forms {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Forms::ResourceForms", text);
}

QString tr(const char *text, const char *disambiguation, int n)
{
    return QCoreApplication::translate("Forms::ResourceForms", text, disambiguation, n);
}

using ResourceRef = std::function<Model::Resource &(Model::Config &)>;

ResourceRef resourceRef(int index)
{
    return [index](Model::Config &c) -> Model::Resource & { return c.resources[index]; };
}

void addMetadata(FormBuilder &b, const Model::Resource &r, const ResourceRef &R)
{
    FormBuilder meta(b.host(), b.layout(), QStringLiteral("Resource"), QStringLiteral("metadata"),
                     b.context());
    meta.text(tr("Name"), QStringLiteral("name"), r.name(),
              [R](Model::Config &c, const QString &v) { R(c).setName(v); });
    meta.text(tr("Namespace"), QStringLiteral("namespace"), r.namespaceName(),
              [R](Model::Config &c, const QString &v) { R(c).setNamespaceName(v); })
        ->setPlaceholderText(tr("not set (default)"));
}

QPushButton *addButton(FormBuilder &b, const QString &text)
{
    auto *button = new QPushButton(text);
    button->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);
    b.layout()->addRow(QString(), button);
    return button;
}

} // namespace

QWidget *buildVirtualServiceForm(FormHost &host, const Location &at)
{
    const Model::Resource &r = host.config().resources[at.resource];
    const Model::VirtualService &vs = r.virtualService;
    QFormLayout *form = nullptr;
    QWidget *page = makePage(tr("VirtualService %1").arg(r.name()),
                             tr("Which hosts and gateways the rules apply to. Select a rule in the "
                                "outline to edit its matches, destinations and mirrors."),
                             &form);
    const ResourceRef R = resourceRef(at.resource);
    FormBuilder b(host, form, QStringLiteral("VirtualService"), QStringLiteral("spec"),
                  Structure::describe(host.config(), at));
    addMetadata(b, r, R);
    b.list(tr("Hosts"), QStringLiteral("hosts"), vs.hosts,
           [R](Model::Config &c, const QStringList &v) { R(c).virtualService.hosts = v; });
    b.list(tr("Gateways"), QStringLiteral("gateways"), vs.gateways,
           [R](Model::Config &c, const QStringList &v) { R(c).virtualService.gateways = v; })
        ->setPlaceholderText(tr("not set: mesh (all sidecars)"));
    b.list(tr("Export to"), QStringLiteral("exportTo"), vs.exportTo,
           [R](Model::Config &c, const QStringList &v) { R(c).virtualService.exportTo = v; })
        ->setPlaceholderText(tr("not set: all namespaces"));
    QString routes = tr("%n HTTP rule(s)", nullptr, int(vs.http.size()));
    if (!vs.tls.isEmpty() || !vs.tcp.isEmpty())
        routes += tr("; %1 TLS and %2 TCP route(s), kept as written (edit them in the YAML)")
                      .arg(vs.tls.size())
                      .arg(vs.tcp.size());
    form->addRow(tr("Routes:"), new QLabel(routes));
    QPushButton *add = addButton(b, tr("Add HTTP rule"));
    QObject::connect(add, &QPushButton::clicked, add, [b, at] {
        b.commitStructural(tr("add rule"), [at](Model::Config &c) {
            return Structure::addChild(c, at, Location::Kind::Rule);
        });
    });
    return page;
}

QWidget *buildDestinationRuleForm(FormHost &host, const Location &at)
{
    const Model::Resource &r = host.config().resources[at.resource];
    const Model::DestinationRule &dr = r.destinationRule;
    QFormLayout *form = nullptr;
    QWidget *page = makePage(tr("DestinationRule %1").arg(r.name()),
                             tr("Names the subsets (versions) of a host that routes and mirrors "
                                "pick by name. Traffic policies are kept as written."),
                             &form);
    const ResourceRef R = resourceRef(at.resource);
    FormBuilder b(host, form, QStringLiteral("DestinationRule"), QStringLiteral("spec"),
                  Structure::describe(host.config(), at));
    addMetadata(b, r, R);
    b.text(tr("Host"), QStringLiteral("host"), dr.host,
           [R](Model::Config &c, const QString &v) { R(c).destinationRule.host = v; });
    b.list(tr("Export to"), QStringLiteral("exportTo"), dr.exportTo,
           [R](Model::Config &c, const QStringList &v) { R(c).destinationRule.exportTo = v; })
        ->setPlaceholderText(tr("not set: all namespaces"));
    form->addRow(tr("Subsets:"), new QLabel(dr.subsetNames().isEmpty()
                                                ? tr("none")
                                                : dr.subsetNames().join(QStringLiteral(", "))));
    if (!dr.trafficPolicy.isNull() || !dr.workloadSelector.isNull())
        form->addRow(QString(), new QLabel(tr("trafficPolicy / workloadSelector: kept as "
                                              "written (edit them in the YAML)")));
    QPushButton *add = addButton(b, tr("Add subset"));
    QObject::connect(add, &QPushButton::clicked, add, [b, at] {
        b.commitStructural(tr("add subset"), [at](Model::Config &c) {
            return Structure::addChild(c, at, Location::Kind::Subset);
        });
    });
    return page;
}

QWidget *buildSubsetForm(FormHost &host, const Location &at)
{
    const Model::Resource &r = host.config().resources[at.resource];
    const Model::Subset &s = r.destinationRule.subsets[at.index];
    QFormLayout *form = nullptr;
    QWidget *page = makePage(tr("Subset %1 of %2").arg(s.name, r.destinationRule.host),
                             tr("The labels select the host's endpoints of this version. Renaming "
                                "a subset also renames the routes and mirrors that use it."),
                             &form);
    const int ri = at.resource;
    const int si = at.index;
    FormBuilder b(host, form, QStringLiteral("Subset"), at.path(),
                  Structure::describe(host.config(), at));
    b.text(
        tr("Name"), QStringLiteral("name"), s.name, [ri, si](Model::Config &c, const QString &v) {
            Model::Resource &dr = c.resources[ri];
            const QString old = dr.destinationRule.subsets[si].name;
            dr.destinationRule.subsets[si].name = v;
            if (old.isEmpty() || v.isEmpty())
                return;
            // Keep routes and mirrors pointing at the renamed subset.
            const QString host = Model::resolveHost(dr.destinationRule.host, dr.namespaceName());
            for (Model::Resource &vs : c.resources) {
                if (!vs.isVirtualService())
                    continue;
                auto rename = [&](Model::Destination &d) {
                    if (d.subset == old && Model::resolveHost(d.host, vs.namespaceName()) == host)
                        d.subset = v;
                };
                for (Model::HTTPRoute &route : vs.virtualService.http) {
                    for (Model::HTTPRouteDestination &rd : route.route)
                        rename(rd.destination);
                    if (route.mirror)
                        rename(*route.mirror);
                    for (Model::HTTPMirrorPolicy &m : route.mirrors)
                        rename(m.destination);
                }
            }
        });
    b.stringMap(tr("Labels"), QStringLiteral("labels"), s.labels, tr("Label"), tr("Value"),
                [ri, si](Model::Config &c, const Model::StringMap &v) {
                    c.resources[ri].destinationRule.subsets[si].labels = v;
                });
    if (!s.trafficPolicy.isNull())
        form->addRow(QString(), new QLabel(tr("trafficPolicy: kept as written (edit it in the "
                                              "YAML)")));
    return page;
}

QWidget *buildOtherForm(FormHost &host, const Location &at)
{
    const Model::Resource &r = host.config().resources[at.resource];
    QFormLayout *form = nullptr;
    QWidget *page = makePage(r.displayName(),
                             tr("Mirrorscope keeps this resource as written and exports it "
                                "unchanged; edit it in the YAML."),
                             &form);
    form->addRow(tr("apiVersion:"), new QLabel(r.apiVersion));
    return page;
}

void addHeadersEditor(FormBuilder &b, const QString &field,
                      const std::optional<Model::Headers> &value,
                      std::function<std::optional<Model::Headers> &(Model::Config &)> headers)
{
    auto *tabs = new QTabWidget;
    tabs->setDocumentMode(true);
    b.row(tr("Headers"), field, tabs);
    // An operations block emptied in the form goes away instead of staying as `request: {}`.
    auto tidy = [headers](Model::Config &c) {
        std::optional<Model::Headers> &h = headers(c);
        if (!h)
            return;
        for (std::optional<Model::HeaderOperations> *ops : {&h->request, &h->response}) {
            if (*ops && (*ops)->set.isEmpty() && (*ops)->add.isEmpty() &&
                (*ops)->remove.isEmpty() && (*ops)->extra.size() == 0)
                ops->reset();
        }
        if (!h->request && !h->response && h->extra.size() == 0)
            h.reset();
    };
    for (const bool request : {true, false}) {
        auto *page = new QWidget;
        auto *form = new QFormLayout(page);
        const QString side = request ? QStringLiteral("request") : QStringLiteral("response");
        FormBuilder sb(b.host(), form, QStringLiteral("HeaderOperations"),
                       b.path(field) + QLatin1Char('.') + side, b.context());
        Model::HeaderOperations ops;
        if (value && (request ? value->request : value->response))
            ops = request ? *value->request : *value->response;
        auto opsOf = [headers, request](Model::Config &c) -> Model::HeaderOperations & {
            Model::Headers &h = ensure(headers(c));
            return ensure(request ? h.request : h.response);
        };
        sb.stringMap(tr("Set"), QStringLiteral("set"), ops.set, tr("Header"), tr("Value"),
                     [opsOf, tidy](Model::Config &c, const Model::StringMap &v) {
                         opsOf(c).set = v;
                         tidy(c);
                     });
        sb.stringMap(tr("Add"), QStringLiteral("add"), ops.add, tr("Header"), tr("Value"),
                     [opsOf, tidy](Model::Config &c, const Model::StringMap &v) {
                         opsOf(c).add = v;
                         tidy(c);
                     });
        sb.list(tr("Remove"), QStringLiteral("remove"), ops.remove,
                [opsOf, tidy](Model::Config &c, const QStringList &v) {
                    opsOf(c).remove = v;
                    tidy(c);
                });
        tabs->addTab(page, request ? tr("Request") : tr("Response"));
    }
}

} // namespace Forms
