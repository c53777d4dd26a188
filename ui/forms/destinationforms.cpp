// Forms of a route destination and of a mirror: host, subset picker, port, and the weight or
// the mirror percentage.
#include "forms.h"

#include "forms/formbuilder.h"
#include "forms/structure.h"
#include "model/resource.h"

#include <QComboBox>
#include <QCompleter>
#include <QCoreApplication>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>

#include <cmath>

namespace Forms {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Forms::DestinationForms", text);
}

constexpr int kNewSubsetRole = Qt::UserRole + 1;

// Read and write access to one Destination of the config (a route's, a mirror's).
struct DestinationRef
{
    std::function<Model::Destination &(Model::Config &)> get;
    std::function<const Model::Destination &(const Model::Config &)> read;
};

template <typename F> DestinationRef makeRef(F f)
{
    return {[f](Model::Config &c) -> Model::Destination & { return f(c); },
            [f](const Model::Config &c) -> const Model::Destination & { return f(c); }};
}

QStringList knownHosts(const Model::Config &config)
{
    QStringList hosts;
    for (const Model::Resource &r : config.resources) {
        if (r.isVirtualService())
            hosts += r.virtualService.hosts;
        else if (r.isDestinationRule() && !r.destinationRule.host.isEmpty())
            hosts.append(r.destinationRule.host);
    }
    hosts.removeDuplicates();
    return hosts;
}

QString labelsText(const Model::StringMap &labels)
{
    QStringList parts;
    for (const auto &e : labels)
        parts.append(e.first + QLatin1Char('=') + e.second);
    return parts.join(QStringLiteral(", "));
}

void fillSubsets(QComboBox *combo, const Model::Config &config, const Model::Destination &d,
                 const QString &ns)
{
    const QSignalBlocker block(combo);
    combo->clear();
    combo->addItem(tr("(none: all endpoints of the host)"), QString());
    QStringList names;
    for (const Model::Subset &s : config.subsetsFor(d.host, ns)) {
        if (names.contains(s.name))
            continue;
        names.append(s.name);
        combo->addItem(s.labels.isEmpty()
                           ? s.name
                           : QStringLiteral("%1   (%2)").arg(s.name, labelsText(s.labels)),
                       s.name);
    }
    if (!d.subset.isEmpty() && !names.contains(d.subset)) {
        combo->addItem(tr("%1   (not in any DestinationRule of this host)").arg(d.subset),
                       d.subset);
        combo->setItemData(combo->count() - 1, QColor(183, 28, 28), Qt::ForegroundRole);
    }
    combo->insertSeparator(combo->count());
    combo->addItem(tr("New subset…"));
    combo->setItemData(combo->count() - 1, true, kNewSubsetRole);
    combo->setCurrentIndex(qMax(0, combo->findData(d.subset)));
}

void addDestinationFields(FormBuilder &b, const Model::Destination &d, const QString &ns,
                          const DestinationRef &D)
{
    FormHost &host = b.host();
    QLineEdit *hostEdit = b.text(tr("Host"), QStringLiteral("host"), d.host,
                                 [D](Model::Config &c, const QString &v) { D.get(c).host = v; });
    auto *completer = new QCompleter(knownHosts(host.config()), hostEdit);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    hostEdit->setCompleter(completer);

    auto *combo = new QComboBox;
    combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    fillSubsets(combo, host.config(), d, ns);
    b.row(tr("Subset"), QStringLiteral("subset"), combo);
    FormHost *h = &host;
    // The list depends on the host field and on the DestinationRules: refill after each edit.
    host.onRefresh([combo, h, D, ns] { fillSubsets(combo, h->config(), D.read(h->config()), ns); });
    QObject::connect(combo, &QComboBox::currentIndexChanged, combo, [b, combo, h, D, ns] {
        if (!combo->currentData(kNewSubsetRole).toBool()) {
            const QString subset = combo->currentData().toString();
            b.commit(tr("subset = %1").arg(subset.isEmpty() ? tr("(none)") : subset),
                     [D, subset](Model::Config &c) { D.get(c).subset = subset; });
            return;
        }
        const Model::Destination current = D.read(h->config());
        const QString name = h->askSubsetName(
            current.host, Structure::suggestSubsetName(h->config(), current.host, ns));
        if (name.isEmpty()) { // cancelled: show the subset again
            fillSubsets(combo, h->config(), current, ns);
            return;
        }
        b.commitStructural(tr("new subset %1 of %2").arg(name, current.host),
                           [D, name, ns, host = current.host](Model::Config &c) {
                               Structure::addSubsetForHost(c, host, ns, name);
                               D.get(c).subset = name;
                               return Location();
                           });
    });
    b.integer(tr("Port"), QStringLiteral("port"), d.portNumber(), 1, 65535,
              [D](Model::Config &c, const std::optional<qint64> &p) { D.get(c).setPortNumber(p); })
        ->spinBox()
        ->setSpecialValueText(tr("not set (the service's only port)"));
}

QString percentText(double v)
{
    return QString::number(v, 'f', std::abs(v - std::round(v)) < 0.05 ? 0 : 1) +
           QStringLiteral(" %");
}

// "75 % of the rule's traffic" for destination `index` if its weight were `weight`.
QString shareText(const Model::HTTPRoute &route, int index, std::optional<int> weight)
{
    if (route.route.size() <= 1)
        return tr("100 % (only destination)");
    long long total = 0;
    for (int i = 0; i < route.route.size(); ++i)
        total += qMax(0, i == index ? weight.value_or(0) : route.route[i].weight.value_or(0));
    if (total <= 0)
        return tr("0 % (all weights are 0)");
    return tr("%1 of the rule's traffic")
        .arg(percentText(100.0 * qMax(0, weight.value_or(0)) / double(total)));
}

} // namespace

QWidget *buildDestinationForm(FormHost &host, const Location &at)
{
    const Model::Resource &res = host.config().resources[at.resource];
    const Model::HTTPRouteDestination &rd = routeAt(host.config(), at).route[at.index];
    QFormLayout *form = nullptr;
    QWidget *page =
        makePage(tr("Destination %1 of rule %2").arg(at.index + 1).arg(at.rule + 1),
                 tr("Where matching requests go. With several destinations each one gets "
                    "weight / sum of weights of the traffic."),
                 &form);
    const QString context = Structure::describe(host.config(), at);
    auto RD = [at](auto &c) -> auto &
    {
        return routeAt(c, at).route[at.index];
    };
    FormBuilder db(host, form, QStringLiteral("Destination"),
                   at.path() + QStringLiteral(".destination"), context);
    addDestinationFields(db, rd.destination, res.namespaceName(),
                         makeRef([RD](auto &c) -> auto & { return RD(c).destination; }));

    FormBuilder b(host, form, QStringLiteral("HTTPRouteDestination"), at.path(), context);
    auto *weight = new WeightEdit;
    weight->setWeight(rd.weight);
    b.row(tr("Weight"), QStringLiteral("weight"), weight);
    FormHost *h = &host;
    auto refresh = [weight, h, at] {
        weight->setShareText(shareText(routeAt(h->config(), at), at.index,
                                       routeAt(h->config(), at).route[at.index].weight));
    };
    refresh();
    host.onRefresh(refresh);
    QObject::connect(weight, &WeightEdit::weightPreview, weight, [weight, h, at](int w) {
        weight->setShareText(shareText(routeAt(h->config(), at), at.index, w));
    });
    QObject::connect(weight, &WeightEdit::weightEdited, weight,
                     [b, RD, refresh](std::optional<int> w) {
                         b.commit(tr("weight = %1").arg(w ? QString::number(*w) : tr("(none)")),
                                  [RD, w](Model::Config &c) { RD(c).weight = w; });
                         refresh(); // also when nothing changed: drop a drag's preview
                     });
    addHeadersEditor(
        b, QStringLiteral("headers"), rd.headers,
        [RD](Model::Config &c) -> std::optional<Model::Headers> & { return RD(c).headers; });
    return page;
}

QWidget *buildMirrorForm(FormHost &host, const Location &at)
{
    const Model::Resource &res = host.config().resources[at.resource];
    const Model::HTTPRoute &route = routeAt(host.config(), at);
    const bool single = at.index < 0;
    QFormLayout *form = nullptr;
    QWidget *page = makePage(
        single ? tr("Mirror of rule %1").arg(at.rule + 1)
               : tr("Mirror %1 of rule %2").arg(at.index + 1).arg(at.rule + 1),
        tr("A fire-and-forget copy of each matching request (the given share of them) goes to "
           "this destination; its responses are discarded, the client gets the routed one."),
        &form);
    const QString context = Structure::describe(host.config(), at);
    const QString ns = res.namespaceName();
    if (single) {
        auto R = [at](Model::Config &c) -> Model::HTTPRoute & { return routeAt(c, at); };
        FormBuilder db(host, form, QStringLiteral("Destination"), at.path(), context);
        addDestinationFields(db, *route.mirror, ns,
                             makeRef([at](auto &c) -> auto & { return *routeAt(c, at).mirror; }));
        FormBuilder b(host, form, QStringLiteral("HTTPRoute"), at.parent().path(), context);
        const double unsetMeans = route.mirrorPercent ? double(*route.mirrorPercent) : 100.0;
        b.percent(
            tr("Percentage"), QStringLiteral("mirrorPercentage"), route.mirrorPercentage,
            unsetMeans,
            route.mirrorPercent
                ? tr("not set: mirrorPercent %1 % applies").arg(*route.mirrorPercent)
                : tr("not set: 100 % mirrored"),
            [R](Model::Config &c, const std::optional<double> &p) { R(c).mirrorPercentage = p; });
        if (route.mirrorPercent) {
            const QString key =
                route.mirrorPercentSpelling == Model::HTTPRoute::MirrorPercentSpelling::SnakeCase
                    ? QStringLiteral("mirror_percent")
                    : QStringLiteral("mirrorPercent");
            auto *note = new QLabel(tr("%1 (deprecated integer; Istio ignores it once "
                                       "mirrorPercentage is set)")
                                        .arg(*route.mirrorPercent));
            b.row(key, QStringLiteral("mirrorPercent"), note,
                  at.parent().path() + QLatin1Char('.') + key);
        }
        return page;
    }
    const Model::HTTPMirrorPolicy &policy = route.mirrors[at.index];
    auto P = [at](auto &c) -> auto &
    {
        return routeAt(c, at).mirrors[at.index];
    };
    FormBuilder db(host, form, QStringLiteral("Destination"),
                   at.path() + QStringLiteral(".destination"), context);
    addDestinationFields(db, policy.destination, ns,
                         makeRef([P](auto &c) -> auto & { return P(c).destination; }));
    FormBuilder b(host, form, QStringLiteral("HTTPMirrorPolicy"), at.path(), context);
    b.percent(tr("Percentage"), QStringLiteral("percentage"), policy.percentage, 100,
              tr("not set: 100 % mirrored"),
              [P](Model::Config &c, const std::optional<double> &p) { P(c).percentage = p; });
    return page;
}

} // namespace Forms
