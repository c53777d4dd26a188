#pragma once

#include "base/diagnostic.h"
#include "yaml/document.h"

#include <string>

namespace Validate {

// Builds Diagnostics for one document: file, document index, path and the line:column of the
// node the path names. Each validation module (schema, webhook rules, analyzers, version)
// reports through one of these.
class Reporter
{
public:
    Reporter(const Yaml::Document &doc, Base::Diagnostics &out) : m_doc(doc), m_out(out) {}

    void report(Base::Severity severity, const char *code, const char *istioCode,
                const std::string &path, const Yaml::Mark &mark, const QString &message);
    void error(const char *code, const std::string &path, const Yaml::Node *at,
               const QString &message, const char *istioCode = "IST0106");
    void warning(const char *code, const std::string &path, const Yaml::Node *at,
                 const QString &message, const char *istioCode = "IST0106");
    void info(const char *code, const std::string &path, const Yaml::Node *at,
              const QString &message, const char *istioCode = "");

    const Yaml::Document &document() const { return m_doc; }

private:
    const Yaml::Document &m_doc;
    Base::Diagnostics &m_out;
};

} // namespace Validate
