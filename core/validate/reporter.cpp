#include "reporter.h"

namespace Validate {

void Reporter::report(Base::Severity severity, const char *code, const char *istioCode,
                      const std::string &path, const Yaml::Mark &mark, const QString &message)
{
    Base::Diagnostic d;
    d.code = QString::fromLatin1(code);
    d.istioCode = QString::fromLatin1(istioCode ? istioCode : "");
    d.severity = severity;
    d.message = message;
    d.path = QString::fromStdString(path);
    d.file = m_doc.file;
    d.document = m_doc.index;
    Yaml::Mark m = mark;
    if (m.line == 0)
        m = m_doc.root.mark();
    d.line = m.line;
    d.column = m.column;
    m_out.append(d);
}

void Reporter::error(const char *code, const std::string &path, const Yaml::Node *at,
                     const QString &message, const char *istioCode)
{
    report(Base::Severity::Error, code, istioCode, path, at ? at->mark() : Yaml::Mark{},
           message);
}

void Reporter::warning(const char *code, const std::string &path, const Yaml::Node *at,
                       const QString &message, const char *istioCode)
{
    report(Base::Severity::Warning, code, istioCode, path, at ? at->mark() : Yaml::Mark{},
           message);
}

void Reporter::info(const char *code, const std::string &path, const Yaml::Node *at,
                    const QString &message, const char *istioCode)
{
    report(Base::Severity::Info, code, istioCode, path, at ? at->mark() : Yaml::Mark{},
           message);
}

} // namespace Validate
