#pragma once

#include <QList>
#include <QString>

namespace Base {

enum class Severity { Info, Warning, Error };

// One finding about a loaded document: a YAML syntax error, a schema violation, an Istio
// webhook rule, a cross-resource check. Errors are values: nothing below ui/ shows a dialog.
//
// code       stable Mirrorscope rule id, e.g. "MS1203"; ranges: MS00xx YAML syntax,
//            MS01xx CRD schema, MS1xxx VirtualService rules, MS2xxx DestinationRule rules,
//            MS3xxx cross-resource / analyzer checks, MS4xxx target-version checks.
// istioCode  the istioctl analyze code where Istio has one (IST0101, IST0106, IST0130, ...).
// path       field path inside the document: "spec.http[0].mirrorPercentage.value";
//            empty for whole-document problems.
// line/column 1-based source position of the node the path names (0 = unknown).
struct Diagnostic
{
    QString code;
    QString istioCode;
    Severity severity = Severity::Error;
    QString message;
    QString path;
    QString file;
    int document = -1; // index of the document in its file, -1 when not tied to one
    int line = 0;
    int column = 0;
};

using Diagnostics = QList<Diagnostic>;

QString severityName(Severity s);
bool hasErrors(const Diagnostics &diagnostics);
// "file:line:col: error IST0106 message [MS1203]" (the CLI's text format)
QString formatDiagnostic(const Diagnostic &d);

} // namespace Base
