#include "cli.h"

#include "base/diagnostic.h"
#include "base/istioversion.h"
#include "validate/validator.h"
#include "yaml/document.h"
#include "yaml/exporter.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTextStream>

#include <cstdio>

namespace App {

namespace {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

bool isUnreadable(const Base::Diagnostics &diagnostics)
{
    for (const Base::Diagnostic &d : diagnostics) {
        if (d.code == QLatin1String("MS0001"))
            return true;
    }
    return false;
}

QJsonObject toJson(const Base::Diagnostic &d)
{
    QJsonObject o;
    o[QStringLiteral("file")] = d.file;
    o[QStringLiteral("line")] = d.line;
    o[QStringLiteral("column")] = d.column;
    o[QStringLiteral("severity")] = Base::severityName(d.severity);
    o[QStringLiteral("code")] = d.code;
    if (!d.istioCode.isEmpty())
        o[QStringLiteral("istioCode")] = d.istioCode;
    o[QStringLiteral("path")] = d.path;
    o[QStringLiteral("document")] = d.document;
    o[QStringLiteral("message")] = d.message;
    return o;
}

} // namespace

QString usage()
{
    return QStringLiteral(
        "Usage: mirrorscope [FILE]                 open the editor (the greeter example when no "
        "FILE)\n"
        "       mirrorscope validate [--format text|json] [--istio-version V] FILE...\n"
        "       mirrorscope export FILE [--api-version v1|v1beta1|v1alpha3] [--clean] [-o OUT]\n"
        "       mirrorscope proxy FILE... --bind HOST[:PORT][:SUBSET]=127.0.0.1:PORT ... "
        "[--listen 127.0.0.1:8080]\n"
        "                         [--workers N] [--istio-version V] [--default-host HOST] "
        "[--duration S] [--report FILE]\n"
        "                         [--har FILE] [--jsonl FILE] [--csv FILE] [--no-mask] "
        "[--noise FILE]\n"
        "       mirrorscope demo [--rate R] [--duration S] [--listen ADDR:PORT] [--report FILE]\n"
        "                         [--har FILE] [--jsonl FILE] [--csv FILE] [--no-mask] "
        "[--noise FILE]\n"
        "       mirrorscope --demo                 open the window and start the greeter demo\n"
        "       mirrorscope --help | --version\n"
        "\n"
        "validate  checks the files as one set: YAML syntax, Istio's CRD schema, Istio's\n"
        "          webhook rules with Istio's messages, mirror-aware cross-resource checks and\n"
        "          the target Istio version (default: latest). Exit 0 clean (warnings allowed),\n"
        "          1 errors found, 2 a file could not be read.\n"
        "export    writes kubectl-ready YAML (stable key order; --clean drops status and\n"
        "          cluster metadata). Other kinds are written unchanged.\n"
        "proxy     serves the VirtualService on loopback: each request goes to the bound v1\n"
        "          endpoint, mirrors go fire-and-forget to v2 as Istio would; a summary line\n"
        "          every few seconds (latency, v1 x v2 mismatch rate), a JSON report at exit\n"
        "          (Ctrl-C / SIGTERM stop cleanly).\n"
        "demo      the same with built-in greeter v1/v2 backends and generated traffic.\n"
        "          --har / --jsonl / --csv write every exchange while running (HAR: one entry\n"
        "          per leg, v1 then mirrors); credentials and cookies masked unless --no-mask.\n"
        "          --noise FILE: JSON noise rules (headers / JSON paths whose differences do\n"
        "          not count, everywhere or per endpoint), as the GUI's Noise Rules exports.\n"
        "Run `mirrorscope COMMAND --help` for each command's options.\n");
}

int runValidate(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Validate Istio VirtualServices and "
                                               "DestinationRules as one set."));
    p.addHelpOption();
    p.addOption({QStringLiteral("format"), QStringLiteral("text or json"), QStringLiteral("format"),
                 QStringLiteral("text")});
    p.addOption({QStringLiteral("istio-version"),
                 QStringLiteral("Target Istio version (e.g. 1.27), default latest"),
                 QStringLiteral("version"), QStringLiteral("latest")});
    p.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("YAML files"),
                            QStringLiteral("FILE..."));
    if (!p.parse(arguments)) {
        err() << p.errorText() << "\n";
        return 2;
    }
    if (p.isSet(QStringLiteral("help"))) {
        out() << p.helpText();
        return 0;
    }
    const QString format = p.value(QStringLiteral("format"));
    if (format != QLatin1String("text") && format != QLatin1String("json")) {
        err() << "validate: --format must be text or json, not " << format << "\n";
        return 2;
    }
    Validate::Options options;
    options.target = Base::IstioVersion::fromString(p.value(QStringLiteral("istio-version")));
    if (!options.target.valid()) {
        err() << "validate: --istio-version must look like 1.27 or be latest\n";
        return 2;
    }
    const QStringList files = p.positionalArguments();
    if (files.isEmpty()) {
        err() << "validate: no FILE given\n" << usage();
        return 2;
    }

    std::vector<Yaml::Document> documents;
    Base::Diagnostics diagnostics;
    for (const QString &file : files) {
        Yaml::ParseResult parsed = Yaml::parseFile(file);
        diagnostics += parsed.diagnostics;
        for (Yaml::Document &d : parsed.documents)
            documents.push_back(std::move(d));
    }
    diagnostics += Validate::validate(documents, options);
    std::stable_sort(diagnostics.begin(), diagnostics.end(),
                     [](const Base::Diagnostic &a, const Base::Diagnostic &b) {
                         if (a.file != b.file)
                             return false; // keep file order as given
                         return std::make_pair(a.line, a.column) < std::make_pair(b.line, b.column);
                     });

    int errors = 0, warnings = 0;
    for (const Base::Diagnostic &d : diagnostics) {
        errors += d.severity == Base::Severity::Error;
        warnings += d.severity == Base::Severity::Warning;
    }
    if (format == QLatin1String("json")) {
        QJsonArray list;
        for (const Base::Diagnostic &d : diagnostics)
            list.append(toJson(d));
        QJsonObject root;
        root[QStringLiteral("files")] = QJsonArray::fromStringList(files);
        root[QStringLiteral("documents")] = static_cast<int>(documents.size());
        root[QStringLiteral("errors")] = errors;
        root[QStringLiteral("warnings")] = warnings;
        root[QStringLiteral("diagnostics")] = list;
        out() << QJsonDocument(root).toJson(QJsonDocument::Indented);
    } else {
        for (const Base::Diagnostic &d : diagnostics)
            out() << Base::formatDiagnostic(d) << "\n";
        out() << documents.size() << " document(s) in " << files.size() << " file(s): " << errors
              << " error(s), " << warnings << " warning(s)\n";
    }
    out().flush();
    if (isUnreadable(diagnostics))
        return 2;
    return errors ? 1 : 0;
}

int runExport(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Write kubectl-ready YAML."));
    p.addHelpOption();
    p.addOption({QStringLiteral("api-version"), QStringLiteral("v1 (default), v1beta1, v1alpha3"),
                 QStringLiteral("version"), QStringLiteral("v1")});
    p.addOption(
        {QStringLiteral("clean"), QStringLiteral("Drop status and cluster metadata (managedFields, "
                                                 "resourceVersion, uid, ...)")});
    p.addOption({{QStringLiteral("o"), QStringLiteral("output")},
                 QStringLiteral("Write to FILE instead of standard output"),
                 QStringLiteral("FILE")});
    p.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("YAML file"));
    if (!p.parse(arguments)) {
        err() << p.errorText() << "\n";
        return 2;
    }
    if (p.isSet(QStringLiteral("help"))) {
        out() << p.helpText();
        return 0;
    }
    const QStringList files = p.positionalArguments();
    if (files.size() != 1) {
        err() << "export: exactly one FILE is needed\n" << usage();
        return 2;
    }
    const QString api = p.value(QStringLiteral("api-version"));
    if (api != QLatin1String("v1") && api != QLatin1String("v1beta1") &&
        api != QLatin1String("v1alpha3")) {
        err() << "export: --api-version must be v1, v1beta1 or v1alpha3, not " << api << "\n";
        return 2;
    }
    Yaml::ParseResult parsed = Yaml::parseFile(files.first());
    if (Base::hasErrors(parsed.diagnostics)) {
        for (const Base::Diagnostic &d : parsed.diagnostics)
            err() << Base::formatDiagnostic(d) << "\n";
        return isUnreadable(parsed.diagnostics) ? 2 : 1;
    }
    Yaml::ExportOptions options;
    options.apiVersion = QStringLiteral("networking.istio.io/") + api;
    options.clean = p.isSet(QStringLiteral("clean"));
    const std::string yaml = Yaml::exportDocuments(parsed.documents, options);
    if (p.isSet(QStringLiteral("output"))) {
        QSaveFile f(p.value(QStringLiteral("output")));
        if (!f.open(QIODevice::WriteOnly) ||
            f.write(yaml.data(), static_cast<qint64>(yaml.size())) < 0 || !f.commit()) {
            err() << "export: cannot write " << f.fileName() << ": " << f.errorString() << "\n";
            return 2;
        }
    } else {
        fwrite(yaml.data(), 1, yaml.size(), stdout);
    }
    return 0;
}

} // namespace App
