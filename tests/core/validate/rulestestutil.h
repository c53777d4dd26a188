#pragma once

// Shared by the rule tests: parse a snippet, run one kind's checks, find the marked line.
#include "base/diagnostic.h"
#include "validate/reporter.h"
#include "yaml/document.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

namespace RulesTest {

// Diagnostics of `check` (checkVirtualService / checkDestinationRule) over the documents of
// `yaml` whose kind is `kind`.
template <typename Check>
Base::Diagnostics checkKind(const QByteArray &yaml, const char *kind, Check check)
{
    Base::Diagnostics out;
    const Yaml::ParseResult parsed = Yaml::parse(yaml, QStringLiteral("t.yaml"));
    for (const Yaml::Document &doc : parsed.documents) {
        if (doc.kind() != kind)
            continue;
        Validate::Reporter r(doc, out);
        check(doc, r);
    }
    return out;
}

// Failing snippets mark the line a finding must point at with a trailing "#<" comment.
inline int markedLine(const QByteArray &yaml)
{
    const QList<QByteArray> lines = yaml.split('\n');
    for (int i = 0; i < lines.size(); ++i) {
        if (lines[i].contains("#<"))
            return i + 1;
    }
    return -1;
}

// One line per diagnostic, for failure messages.
inline QString dump(const Base::Diagnostics &ds)
{
    QStringList s;
    for (const auto &d : ds)
        s << QStringLiteral("%1 %2:%3 %4 %5")
                 .arg(d.code, d.path)
                 .arg(d.line)
                 .arg(Base::severityName(d.severity), d.message);
    return s.join(QLatin1Char('\n'));
}

} // namespace RulesTest
