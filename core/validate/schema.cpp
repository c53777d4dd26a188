#include "schema.h"

#include "validate/virtualservicerules.h"

#include "base/duration.h"

#include <QFile>

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Q_INIT_RESOURCE must be called outside any namespace; the core library is static, so the
// schema.qrc resources are only registered once this has run.
static void initSchemaResource()
{
    Q_INIT_RESOURCE(schema);
}

namespace Validate {

namespace {

// ---------------------------------------------------------------------------------------------
// Values: what a YAML node becomes after kubectl's YAML -> JSON conversion and the API server's
// JSON decoding (integral numbers are int64, so 150.0 is the integer 150).

enum class JType { Null, Boolean, Integer, Number, String, Object, Array };

struct Value
{
    JType type = JType::Null;
    bool b = false;
    std::int64_t i = 0;
    double d = 0;
};

Value classify(const Yaml::Node &n)
{
    Value v;
    switch (n.kind()) {
    case Yaml::Node::Kind::Null:
        return v;
    case Yaml::Node::Kind::Sequence:
        v.type = JType::Array;
        return v;
    case Yaml::Node::Kind::Map:
        v.type = JType::Object;
        return v;
    case Yaml::Node::Kind::Scalar:
        break;
    }
    if (n.isPlainNull())
        return v;
    if (n.isQuoted() || n.tag() == "!!str") {
        v.type = JType::String;
        return v;
    }
    if (auto b = n.toBool()) {
        v.type = JType::Boolean;
        v.b = *b;
        return v;
    }
    if (auto i = n.toInt()) {
        v.type = JType::Integer;
        v.i = *i;
        v.d = static_cast<double>(*i);
        return v;
    }
    if (auto d = n.toDouble()) {
        // JSON has no 150.0: Go writes the float 150 as "150", which decodes as an int64.
        if (std::isfinite(*d) && std::trunc(*d) == *d && std::fabs(*d) < 9.2e18) {
            v.type = JType::Integer;
            v.i = static_cast<std::int64_t>(*d);
            v.d = *d;
        } else {
            v.type = JType::Number;
            v.d = *d;
        }
        return v;
    }
    v.type = JType::String;
    return v;
}

const char *schemaTypeName(JType t)
{
    switch (t) {
    case JType::Null:
        return "null";
    case JType::Boolean:
        return "boolean";
    case JType::Integer:
        return "integer";
    case JType::Number:
        return "number";
    case JType::String:
        return "string";
    case JType::Object:
        return "object";
    case JType::Array:
        return "array";
    }
    return "null";
}

// The format kube-openapi infers from a decoded JSON value (int64 / float64), for its
// format-aware type check.
const char *dataFormat(JType t)
{
    if (t == JType::Integer)
        return "int64";
    if (t == JType::Number)
        return "double";
    return "";
}

using IstioChecks::goFloat; // Go's %v of a float64
using IstioChecks::goQuote; // Go's %q

// A field.Error's bad value, as ErrorBody prints it: strings quoted, numbers and bools bare.
std::string badValue(const Yaml::Node &n, const Value &v)
{
    switch (v.type) {
    case JType::Null:
        return "\"null\"";
    case JType::Boolean:
        return v.b ? "true" : "false";
    case JType::Integer:
        return std::to_string(v.i);
    case JType::Number:
        return goFloat(v.d);
    case JType::String:
        return goQuote(n.text());
    case JType::Object:
        return "\"object\"";
    case JType::Array:
        return "\"array\"";
    }
    return "\"\"";
}

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

// ---------------------------------------------------------------------------------------------
// The compiled schema.

// The CEL rules of Istio's CRDs whose text we recognise exactly; others are not evaluated.
enum class CelRule {
    Duration,            // duration(self) >= duration('1ms')
    KeysWithoutWildcard, // self.all(key, !key.contains("*"))
    KeysNotEmpty,        // self.all(key, key.size() != 0)
    ValueWithoutWildcard // !self.contains("*")
};

struct Rule
{
    CelRule kind;
    std::string message;
};

struct EnumValue
{
    Value value;
    std::string text; // for strings, and for the message
};

struct Schema
{
    std::string name; // property name when this is a property
    std::string type;
    std::string format;
    bool nullable = false;
    bool preserveUnknown = false;
    bool intOrString = false;
    std::vector<Schema> properties; // sorted by name
    std::vector<std::string> required;
    std::unique_ptr<Schema> items;
    std::unique_ptr<Schema> additional;
    bool additionalAllowed = false; // additionalProperties: true
    std::vector<EnumValue> enumValues;
    std::optional<double> minimum, maximum;
    bool exclusiveMinimum = false, exclusiveMaximum = false;
    std::optional<std::int64_t> minLength, maxLength, minItems, maxItems, minProperties,
        maxProperties;
    std::string patternText;
    std::shared_ptr<RE2> pattern;
    std::vector<Schema> oneOf, anyOf, allOf;
    std::unique_ptr<Schema> notSchema;
    std::vector<Rule> rules;

    const Schema *property(std::string_view key) const
    {
        auto it = std::lower_bound(properties.begin(), properties.end(), key,
                                   [](const Schema &s, std::string_view k) { return s.name < k; });
        return it != properties.end() && it->name == key ? &*it : nullptr;
    }
};

std::optional<std::int64_t> intOf(const Yaml::Node &n)
{
    const Value v = classify(n);
    if (v.type == JType::Integer)
        return v.i;
    return std::nullopt;
}

Schema compile(const Yaml::Node &n)
{
    Schema s;
    if (!n.isMap())
        return s;
    for (const Yaml::Node::Entry &e : n.entries()) {
        const std::string &k = e.key;
        const Yaml::Node &v = e.value;
        if (k == "type") {
            s.type = v.text();
        } else if (k == "format") {
            s.format = v.text();
        } else if (k == "nullable") {
            s.nullable = v.toBool().value_or(false);
        } else if (k == "x-kubernetes-preserve-unknown-fields") {
            s.preserveUnknown = v.toBool().value_or(false);
        } else if (k == "x-kubernetes-int-or-string") {
            s.intOrString = v.toBool().value_or(false);
        } else if (k == "properties" && v.isMap()) {
            for (const Yaml::Node::Entry &p : v.entries()) {
                Schema child = compile(p.value);
                child.name = p.key;
                s.properties.push_back(std::move(child));
            }
            std::sort(s.properties.begin(), s.properties.end(),
                      [](const Schema &a, const Schema &b) { return a.name < b.name; });
        } else if (k == "required" && v.isSequence()) {
            for (const Yaml::Node &r : v.items())
                s.required.push_back(r.text());
        } else if (k == "items") {
            s.items = std::make_unique<Schema>(compile(v));
        } else if (k == "additionalProperties") {
            if (v.isMap())
                s.additional = std::make_unique<Schema>(compile(v));
            else
                s.additionalAllowed = v.toBool().value_or(false);
        } else if (k == "enum" && v.isSequence()) {
            for (const Yaml::Node &item : v.items())
                s.enumValues.push_back(EnumValue{classify(item), item.text()});
        } else if (k == "minimum") {
            s.minimum = v.toDouble();
        } else if (k == "maximum") {
            s.maximum = v.toDouble();
        } else if (k == "exclusiveMinimum") {
            s.exclusiveMinimum = v.toBool().value_or(false);
        } else if (k == "exclusiveMaximum") {
            s.exclusiveMaximum = v.toBool().value_or(false);
        } else if (k == "minLength") {
            s.minLength = intOf(v);
        } else if (k == "maxLength") {
            s.maxLength = intOf(v);
        } else if (k == "minItems") {
            s.minItems = intOf(v);
        } else if (k == "maxItems") {
            s.maxItems = intOf(v);
        } else if (k == "minProperties") {
            s.minProperties = intOf(v);
        } else if (k == "maxProperties") {
            s.maxProperties = intOf(v);
        } else if (k == "pattern") {
            s.patternText = v.text();
            RE2::Options options;
            options.set_log_errors(false);
            auto re = std::make_shared<RE2>(s.patternText, options);
            if (re->ok())
                s.pattern = std::move(re);
        } else if ((k == "oneOf" || k == "anyOf" || k == "allOf") && v.isSequence()) {
            std::vector<Schema> &list = k == "oneOf" ? s.oneOf : k == "anyOf" ? s.anyOf : s.allOf;
            for (const Yaml::Node &item : v.items())
                list.push_back(compile(item));
        } else if (k == "not") {
            s.notSchema = std::make_unique<Schema>(compile(v));
        } else if (k == "x-kubernetes-validations" && v.isSequence()) {
            for (const Yaml::Node &item : v.items()) {
                const Yaml::Node *rule = item.get("rule");
                const Yaml::Node *message = item.get("message");
                if (!rule)
                    continue;
                const std::string &text = rule->text();
                std::optional<CelRule> kind;
                if (text == "duration(self) >= duration('1ms')")
                    kind = CelRule::Duration;
                else if (text == "self.all(key, !key.contains(\"*\"))")
                    kind = CelRule::KeysWithoutWildcard;
                else if (text == "self.all(key, key.size() != 0)")
                    kind = CelRule::KeysNotEmpty;
                else if (text == "!self.contains(\"*\")")
                    kind = CelRule::ValueWithoutWildcard;
                if (kind) // the API server uses the rule text when there is no message
                    s.rules.push_back(Rule{*kind, message ? message->text() : text});
            }
        }
    }
    return s;
}

struct Schemas
{
    bool ok = false;
    Schema virtualService;
    Schema destinationRule;
};

bool loadOne(const QString &resource, Schema &out)
{
    QFile file(resource);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const Yaml::ParseResult parsed = Yaml::parse(file.readAll(), resource);
    if (parsed.documents.empty() || Base::hasErrors(parsed.diagnostics))
        return false;
    out = compile(parsed.documents.front().root);
    return out.type == "object" && out.property("spec") != nullptr;
}

Schemas load()
{
    initSchemaResource();
    Schemas s;
    s.ok = loadOne(QStringLiteral(":/schema/virtualservice.schema.yaml"), s.virtualService) &&
           loadOne(QStringLiteral(":/schema/destinationrule.schema.yaml"), s.destinationRule);
    return s;
}

const Schemas &schemas()
{
    static const Schemas s = [] {
        try {
            return load();
        } catch (...) {
            return Schemas();
        }
    }();
    return s;
}

// ---------------------------------------------------------------------------------------------
// Validation.

struct Ctx
{
    Reporter *reporter = nullptr; // nullptr: silent (evaluating a oneOf/anyOf/not branch)
    bool strict = true;
    bool failed = false;

    bool silent() const { return reporter == nullptr; }

    void fail(Base::Severity severity, const char *code, const std::string &path, Yaml::Mark mark,
              const std::string &message)
    {
        if (severity == Base::Severity::Error)
            failed = true;
        if (reporter)
            reporter->report(severity, code, "", path, mark, qs(message));
    }
    void error(const char *code, const std::string &path, Yaml::Mark mark,
               const std::string &message)
    {
        fail(Base::Severity::Error, code, path, mark, message);
    }
    // In a silent branch the first error decides; nothing more to learn.
    bool done() const { return silent() && failed; }
};

void check(const Yaml::Node &n, const Schema &s, const std::string &path, Yaml::Mark keyMark,
           Ctx &ctx, bool property);

// A null for a non-nullable field: the API server prunes it before validating (Kubernetes
// >= 1.20, PruneNonNullableNullsWithoutDefaults), so it is not rejected; say so, since the
// field the person wrote is silently dropped.
bool isPrunedNull(const Yaml::Node &n, const Schema &s)
{
    return !s.nullable && classify(n).type == JType::Null;
}

bool matches(const Yaml::Node &n, const Schema &s, const std::string &path)
{
    Ctx silent;
    check(n, s, path, n.mark(), silent, false);
    return !silent.failed;
}

std::string typeError(const std::string &path, const std::string &type, const std::string &got)
{
    // field.TypeInvalid(path, got, "<path> in body must be of type <type>: <got>")
    return "Invalid value: " + goQuote(got) + ": " + path + " in body must be of type " + type +
           ": " + goQuote(got);
}

// kube-openapi's typeValidator. Returns false (after reporting) on a mismatch.
bool checkType(const Value &v, const Schema &s, const std::string &path, Yaml::Mark mark, Ctx &ctx)
{
    if (s.type.empty())
        return true;
    const std::string got = schemaTypeName(v.type);
    const bool isIntFloat = v.type == JType::Integer && s.type == "number";
    const bool typeMatches = got == s.type || isIntFloat;
    const bool stringOrArray = v.type == JType::String || v.type == JType::Array;
    if (!stringOrArray && !s.format.empty() && !(typeMatches || s.format == dataFormat(v.type))) {
        ctx.error("MS0101", path, mark, typeError(path, s.format, dataFormat(v.type)));
        return false;
    }
    if (s.type != "number" && s.type != "integer" && !s.format.empty() && stringOrArray)
        return true;
    if (!typeMatches) {
        ctx.error("MS0101", path, mark, typeError(path, s.type, got));
        return false;
    }
    return true;
}

bool enumEquals(const Value &v, const Yaml::Node &n, const EnumValue &e)
{
    if (v.type == JType::String || e.value.type == JType::String)
        return v.type == e.value.type && n.text() == e.text;
    if (v.type == JType::Integer || v.type == JType::Number)
        return (e.value.type == JType::Integer || e.value.type == JType::Number) &&
               v.d == e.value.d;
    if (v.type == JType::Boolean)
        return e.value.type == JType::Boolean && v.b == e.value.b;
    return v.type == e.value.type && v.type == JType::Null;
}

void checkEnum(const Yaml::Node &n, const Value &v, const Schema &s, const std::string &path,
               Ctx &ctx)
{
    if (s.enumValues.empty())
        return;
    for (const EnumValue &e : s.enumValues) {
        if (enumEquals(v, n, e))
            return;
    }
    std::string supported;
    for (const EnumValue &e : s.enumValues) {
        if (!supported.empty())
            supported += ", ";
        supported += goQuote(e.text);
    }
    ctx.error("MS0104", path, n.mark(),
              "Unsupported value: " + badValue(n, v) + ": supported values: " + supported);
}

// Go's strconv range checks behind kube-openapi's IsValueValidAgainstRange.
bool inFormatRange(const Value &v, const Schema &s)
{
    if (s.type != "integer")
        return true;
    if (v.type == JType::Number) // a float too large for int64
        return false;
    if (s.format == "int32")
        return v.i >= INT32_MIN && v.i <= INT32_MAX;
    if (s.format == "uint32")
        return v.i >= 0 && v.i <= static_cast<std::int64_t>(UINT32_MAX);
    if (s.format == "uint64")
        return v.i >= 0;
    return true;
}

void checkNumber(const Yaml::Node &n, const Value &v, const Schema &s, const std::string &path,
                 Ctx &ctx)
{
    if (!inFormatRange(v, s)) {
        const std::string detail =
            s.format.empty()
                ? "Checked value must be of type " + s.type + " (default format) in " + path
                : "Checked value must be of type " + s.type + " with format " + s.format + " in " +
                      path;
        ctx.error("MS0105", path, n.mark(), "Invalid value: \"\": " + detail);
        if (ctx.done())
            return;
    }
    const bool native = v.type == JType::Integer;
    if (s.maximum) {
        const bool over = native
                              ? (s.exclusiveMaximum ? v.i >= static_cast<std::int64_t>(*s.maximum)
                                                    : v.i > static_cast<std::int64_t>(*s.maximum))
                              : (s.exclusiveMaximum ? v.d >= *s.maximum : v.d > *s.maximum);
        if (over) {
            const std::string bound = native ? std::to_string(static_cast<std::int64_t>(*s.maximum))
                                             : goFloat(*s.maximum);
            ctx.error("MS0105", path, n.mark(),
                      "Invalid value: " + badValue(n, v) + ": " + path +
                          " in body should be less than " +
                          (s.exclusiveMaximum ? "" : "or equal to ") + bound);
            if (ctx.done())
                return;
        }
    }
    if (s.minimum) {
        const bool under = native
                               ? (s.exclusiveMinimum ? v.i <= static_cast<std::int64_t>(*s.minimum)
                                                     : v.i < static_cast<std::int64_t>(*s.minimum))
                               : (s.exclusiveMinimum ? v.d <= *s.minimum : v.d < *s.minimum);
        if (under) {
            const std::string bound = native ? std::to_string(static_cast<std::int64_t>(*s.minimum))
                                             : goFloat(*s.minimum);
            ctx.error("MS0105", path, n.mark(),
                      "Invalid value: " + badValue(n, v) + ": " + path +
                          " in body should be greater than " +
                          (s.exclusiveMinimum ? "" : "or equal to ") + bound);
        }
    }
}

std::int64_t runeCount(const std::string &s)
{
    std::int64_t count = 0;
    for (unsigned char c : s) {
        if ((c & 0xC0) != 0x80)
            ++count;
    }
    return count;
}

bool isBase64(const std::string &s)
{
    // Go's base64.StdEncoding: padded, standard alphabet; CR/LF are ignored.
    std::string t;
    for (char c : s) {
        if (c != '\r' && c != '\n')
            t += c;
    }
    if (t.size() % 4 != 0)
        return false;
    std::size_t pad = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
        const char c = t[i];
        if (c == '=') {
            ++pad;
            continue;
        }
        if (pad > 0)
            return false;
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/'))
            return false;
    }
    return pad <= 2;
}

void checkString(const Yaml::Node &n, const Schema &s, const std::string &path, Ctx &ctx)
{
    const std::string &text = n.text();
    if (s.maxLength && runeCount(text) > *s.maxLength) {
        ctx.error("MS0105", path, n.mark(),
                  "Too long: may not be more than " + std::to_string(*s.maxLength) +
                      (*s.maxLength == 1 ? " byte" : " bytes"));
        if (ctx.done())
            return;
    }
    if (s.minLength && runeCount(text) < *s.minLength) {
        ctx.error("MS0105", path, n.mark(),
                  "Invalid value: " + goQuote(text) + ": " + path + " in body should be at least " +
                      std::to_string(*s.minLength) + " chars long");
        if (ctx.done())
            return;
    }
    if (s.pattern && !RE2::PartialMatch(text, *s.pattern)) {
        ctx.error("MS0105", path, n.mark(),
                  "Invalid value: " + goQuote(text) + ": " + path + " in body should match '" +
                      s.patternText + "'");
        if (ctx.done())
            return;
    }
    if (s.format == "byte" && !isBase64(text))
        ctx.error("MS0101", path, n.mark(), typeError(path, "byte", text));
}

void checkRules(const Yaml::Node &n, const Value &v, const Schema &s, const std::string &path,
                Ctx &ctx)
{
    // CEL rules run only on the structural schema, never inside a oneOf branch.
    if (ctx.silent())
        return;
    for (const Rule &rule : s.rules) {
        bool ok = true;
        std::string prefix;
        switch (rule.kind) {
        case CelRule::Duration: {
            if (v.type != JType::String)
                continue;
            const auto ns = Base::parseGoDurationNs(n.text());
            if (!ns)
                prefix = "type conversion error from 'string' to 'google.protobuf.Duration' "
                         "evaluating rule: ";
            ok = ns && *ns >= 1000000;
            break;
        }
        case CelRule::ValueWithoutWildcard:
            if (v.type != JType::String)
                continue;
            ok = n.text().find('*') == std::string::npos;
            break;
        case CelRule::KeysWithoutWildcard:
        case CelRule::KeysNotEmpty:
            if (!n.isMap())
                continue;
            for (const Yaml::Node::Entry &e : n.entries()) {
                if (rule.kind == CelRule::KeysNotEmpty ? e.key.empty()
                                                       : e.key.find('*') != std::string::npos)
                    ok = false;
            }
            break;
        }
        if (!ok) {
            // field.Invalid(path, <schema type>, message): the value shown is the type.
            ctx.error("MS0107", path, n.mark(),
                      "Invalid value: " + goQuote(s.type.empty() ? "object" : s.type) + ": " +
                          prefix + rule.message);
        }
    }
}

void checkCombinators(const Yaml::Node &n, const Schema &s, const std::string &path, Ctx &ctx)
{
    const std::string quoted = goQuote(path);
    // kube-openapi returns these as plain errors; the API server wraps them as
    // field.Invalid(<root>, "", message).
    if (!s.anyOf.empty()) {
        const bool any = std::any_of(s.anyOf.begin(), s.anyOf.end(),
                                     [&](const Schema &b) { return matches(n, b, path); });
        if (!any) {
            ctx.error("MS0106", path, n.mark(),
                      "Invalid value: \"\": " + quoted +
                          " must validate at least one schema (anyOf)");
            if (ctx.done())
                return;
        }
    }
    if (!s.oneOf.empty()) {
        int valid = 0;
        for (const Schema &b : s.oneOf)
            valid += matches(n, b, path) ? 1 : 0;
        if (valid != 1) {
            // Istio's oneOfs are [not(anyOf(required a, required b...)), required a, ...]:
            // "at most one of a, b": only setting two or more of them fails.
            const std::string found =
                valid == 0 ? "Found none valid"
                           : "Found " + std::to_string(valid) + " valid alternatives";
            ctx.error("MS0106", path, n.mark(),
                      "Invalid value: \"\": " + quoted +
                          " must validate one and only one schema (oneOf). " + found);
            if (ctx.done())
                return;
        }
    }
    if (!s.allOf.empty()) {
        // Each branch reports its own errors (an allOf of oneOfs in the DestinationRule);
        // the API server adds "must validate all the schemas (allOf)", which says nothing more.
        for (const Schema &b : s.allOf) {
            Ctx branch;
            branch.reporter = ctx.reporter;
            branch.strict = ctx.strict;
            checkCombinators(n, b, path, branch);
            if (branch.failed) {
                ctx.failed = true;
                if (ctx.done())
                    return;
            }
        }
    }
    if (s.notSchema && matches(n, *s.notSchema, path))
        ctx.error("MS0106", path, n.mark(),
                  "Invalid value: \"\": " + quoted + " must not validate the schema (not)");
}

void checkObject(const Yaml::Node &n, const Schema &s, const std::string &path, Ctx &ctx, bool root)
{
    for (const std::string &key : s.required) {
        const Yaml::Node *child = n.get(key);
        // A null the API server prunes counts as absent. Inside a oneOf branch (no properties)
        // the field's nullability is unknown; none of the fields Istio's oneOfs name is
        // nullable.
        const Schema *ps = s.property(key);
        if (!child || (ps ? isPrunedNull(*child, *ps) : classify(*child).type == JType::Null)) {
            const std::string childPath = Yaml::childPath(path, key);
            ctx.error("MS0102", childPath, n.mark(), childPath + ": Required value");
            if (ctx.done())
                return;
        }
    }
    const std::int64_t count = static_cast<std::int64_t>(n.size());
    if (s.maxProperties && count > *s.maxProperties) {
        ctx.error("MS0105", path, n.mark(),
                  "Too many: " + std::to_string(count) + ": must have at most " +
                      std::to_string(*s.maxProperties) + " items");
        if (ctx.done())
            return;
    }
    if (s.minProperties && count < *s.minProperties) {
        ctx.error("MS0105", path, n.mark(),
                  "Invalid value: " + std::to_string(count) + ": " + path +
                      " in body should have at least " + std::to_string(*s.minProperties) +
                      " properties");
        if (ctx.done())
            return;
    }
    for (const Yaml::Node::Entry &e : n.entries()) {
        if (root && (e.key == "apiVersion" || e.key == "kind" || e.key == "metadata"))
            continue;
        const std::string childPath = Yaml::childPath(path, e.key);
        const Schema *ps = s.property(e.key);
        if (!ps && s.additional)
            ps = s.additional.get();
        if (!ps) {
            // Pruning and strict field validation happen before validation and only look at
            // the structural schema: a oneOf branch never makes a field known or unknown.
            if (!ctx.silent() && !s.preserveUnknown && !s.additionalAllowed)
                ctx.fail(ctx.strict ? Base::Severity::Error : Base::Severity::Warning, "MS0103",
                         childPath, e.keyMark, "unknown field " + goQuote(childPath));
            continue;
        }
        // The status subresource: the API server resets status on create and update.
        if (root && e.key == "status")
            continue;
        // A required field's null is reported once, as missing (above).
        if (isPrunedNull(e.value, *ps) &&
            std::find(s.required.begin(), s.required.end(), e.key) != s.required.end())
            continue;
        check(e.value, *ps, childPath, e.keyMark, ctx, true);
        if (ctx.done())
            return;
    }
}

void checkArray(const Yaml::Node &n, const Schema &s, const std::string &path, Ctx &ctx)
{
    const std::int64_t count = static_cast<std::int64_t>(n.size());
    if (s.maxItems && count > *s.maxItems) {
        ctx.error("MS0105", path, n.mark(),
                  "Too many: " + std::to_string(count) + ": must have at most " +
                      std::to_string(*s.maxItems) + " items");
        if (ctx.done())
            return;
    }
    if (s.minItems && count < *s.minItems) {
        ctx.error("MS0105", path, n.mark(),
                  "Invalid value: " + std::to_string(count) + ": " + path +
                      " in body should have at least " + std::to_string(*s.minItems) + " items");
        if (ctx.done())
            return;
    }
    if (!s.items)
        return;
    for (std::size_t i = 0; i < n.items().size(); ++i) {
        const Yaml::Node &item = n.items()[i];
        check(item, *s.items, Yaml::indexPath(path, i), item.mark(), ctx, false);
        if (ctx.done())
            return;
    }
}

void checkValue(const Yaml::Node &n, const Schema &s, const std::string &path, Yaml::Mark keyMark,
                Ctx &ctx, bool root)
{
    const Value v = classify(n);
    Yaml::Mark mark = n.mark();
    if (mark.line == 0)
        mark = keyMark;
    if (v.type == JType::Null) {
        if (s.nullable || s.type.empty())
            return;
        // Array items are not pruned: a null item is a type error.
        ctx.error("MS0101", path, mark, typeError(path, s.type, "null"));
        return;
    }
    if (!checkType(v, s, path, mark, ctx))
        return;
    checkCombinators(n, s, path, ctx);
    if (ctx.done())
        return;
    switch (v.type) {
    case JType::Object:
        checkObject(n, s, path, ctx, root);
        break;
    case JType::Array:
        checkArray(n, s, path, ctx);
        break;
    case JType::String:
        checkString(n, s, path, ctx);
        break;
    case JType::Integer:
    case JType::Number:
        checkNumber(n, v, s, path, ctx);
        break;
    case JType::Boolean:
    case JType::Null:
        break;
    }
    if (ctx.done())
        return;
    checkEnum(n, v, s, path, ctx);
    if (ctx.done())
        return;
    checkRules(n, v, s, path, ctx);
}

void check(const Yaml::Node &n, const Schema &s, const std::string &path, Yaml::Mark keyMark,
           Ctx &ctx, bool property)
{
    // A property's null is pruned by the API server rather than rejected (see isPrunedNull).
    if (property && isPrunedNull(n, s)) {
        if (!s.type.empty())
            ctx.fail(Base::Severity::Warning, "MS0101", path, keyMark,
                     typeError(path, s.type, "null") +
                         " (the API server drops null fields instead of rejecting them)");
        return;
    }
    checkValue(n, s, path, keyMark, ctx, false);
}

// ---------------------------------------------------------------------------------------------
// Metadata (ObjectMeta), which the CRD schema leaves to the API server.

const char *const kObjectMetaFields[] = {"name",
                                         "generateName",
                                         "namespace",
                                         "selfLink",
                                         "uid",
                                         "resourceVersion",
                                         "generation",
                                         "creationTimestamp",
                                         "deletionTimestamp",
                                         "deletionGracePeriodSeconds",
                                         "labels",
                                         "annotations",
                                         "ownerReferences",
                                         "finalizers",
                                         "managedFields"};

const char *goJsonType(JType t)
{
    switch (t) {
    case JType::Null:
        return "null";
    case JType::Boolean:
        return "bool";
    case JType::Integer:
    case JType::Number:
        return "number";
    case JType::String:
        return "string";
    case JType::Object:
        return "object";
    case JType::Array:
        return "array";
    }
    return "null";
}

std::string unmarshalError(JType got, const std::string &field, const char *goType)
{
    return std::string("json: cannot unmarshal ") + goJsonType(got) +
           " into Go struct field ObjectMeta." + field + " of type " + goType;
}

std::string regexError(const std::string &message, const std::string &regex,
                       const std::vector<std::string> &examples)
{
    std::string s = message + " (e.g. ";
    for (std::size_t i = 0; i < examples.size(); ++i) {
        if (i > 0)
            s += " or ";
        s += "'" + examples[i] + "', ";
    }
    return s + "regex used for validation is '" + regex + "')";
}

const char kDns1123Label[] = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const char kDns1123Subdomain[] = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

std::vector<std::string> dns1123SubdomainErrors(const std::string &value)
{
    static const RE2 re(kDns1123Subdomain);
    std::vector<std::string> errors;
    if (value.size() > 253)
        errors.push_back("must be no more than 253 characters");
    if (!RE2::FullMatch(value, re))
        errors.push_back(regexError(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
            "'-' or '.', and must start and end with an alphanumeric character",
            kDns1123Subdomain, {"example.com"}));
    return errors;
}

std::vector<std::string> dns1123LabelErrors(const std::string &value)
{
    static const RE2 re(kDns1123Label);
    std::vector<std::string> errors;
    if (value.size() > 63)
        errors.push_back("must be no more than 63 characters");
    if (!RE2::FullMatch(value, re))
        errors.push_back(regexError("a lowercase RFC 1123 label must consist of lower case "
                                    "alphanumeric characters or '-', and must start and end "
                                    "with an alphanumeric character",
                                    kDns1123Label, {"my-name", "123-abc"}));
    return errors;
}

void checkMetadata(const Yaml::Node &root, Ctx &ctx)
{
    const Yaml::Node::Entry *entry = root.entry("metadata");
    const std::string nameRequired =
        "metadata.name: Required value: name or generateName is required";
    if (!entry || classify(entry->value).type == JType::Null) {
        ctx.error("MS0108", "metadata.name", entry ? entry->keyMark : root.mark(), nameRequired);
        return;
    }
    const Yaml::Node &meta = entry->value;
    if (!meta.isMap()) {
        ctx.error("MS0108", "metadata", meta.mark(),
                  typeError("metadata", "object", schemaTypeName(classify(meta).type)));
        return;
    }
    for (const Yaml::Node::Entry &e : meta.entries()) {
        const std::string path = Yaml::childPath("metadata", e.key);
        const bool known =
            std::find_if(std::begin(kObjectMetaFields), std::end(kObjectMetaFields),
                         [&](const char *f) { return e.key == f; }) != std::end(kObjectMetaFields);
        if (!known) {
            ctx.fail(ctx.strict ? Base::Severity::Error : Base::Severity::Warning, "MS0103", path,
                     e.keyMark, "unknown field " + goQuote(path));
            continue;
        }
        const Value v = classify(e.value);
        if (v.type == JType::Null)
            continue;
        if (e.key == "name" || e.key == "generateName" || e.key == "namespace") {
            if (v.type != JType::String)
                ctx.error("MS0108", path, e.value.mark(), unmarshalError(v.type, path, "string"));
        } else if (e.key == "labels" || e.key == "annotations") {
            if (v.type != JType::Object) {
                ctx.error("MS0108", path, e.value.mark(),
                          unmarshalError(v.type, path, "map[string]string"));
                continue;
            }
            for (const Yaml::Node::Entry &kv : e.value.entries()) {
                const JType t = classify(kv.value).type;
                if (t != JType::String && t != JType::Null)
                    ctx.error("MS0108", Yaml::childPath(path, kv.key), kv.value.mark(),
                              unmarshalError(t, path, "string"));
            }
        }
    }
    const Yaml::Node *name = meta.get("name");
    const Yaml::Node *generateName = meta.get("generateName");
    const bool hasName = name && classify(*name).type == JType::String && !name->text().empty();
    const bool hasGenerateName = generateName && classify(*generateName).type == JType::String &&
                                 !generateName->text().empty();
    const bool nameMistyped = name && classify(*name).type != JType::String &&
                              classify(*name).type != JType::Null; // reported above
    if (!hasName && !hasGenerateName) {
        if (!nameMistyped)
            ctx.error("MS0108", "metadata.name", name ? name->mark() : meta.mark(), nameRequired);
    } else if (hasName) {
        for (const std::string &message : dns1123SubdomainErrors(name->text()))
            ctx.error("MS0108", "metadata.name", name->mark(),
                      "Invalid value: " + goQuote(name->text()) + ": " + message);
    }
    const Yaml::Node *ns = meta.get("namespace");
    if (ns && classify(*ns).type == JType::String && !ns->text().empty()) {
        for (const std::string &message : dns1123LabelErrors(ns->text()))
            ctx.error("MS0108", "metadata.namespace", ns->mark(),
                      "Invalid value: " + goQuote(ns->text()) + ": " + message);
    }
}

const std::string kGroupPrefix = "networking.istio.io/";

} // namespace

bool schemaAvailable()
{
    return schemas().ok;
}

void checkSchema(const Yaml::Document &doc, Reporter &reporter, bool strictFields)
{
    const Yaml::Node &root = doc.root;
    if (!root.isMap())
        return;
    Ctx ctx;
    ctx.reporter = &reporter;
    ctx.strict = strictFields;

    const std::string apiVersion = doc.apiVersion();
    const std::string kind = doc.kind();
    // kubectl's client-side checks ("error validating data: [apiVersion not set, ...]").
    if (apiVersion.empty())
        ctx.error("MS0108", "apiVersion", root.mark(), "apiVersion not set");
    if (kind.empty())
        ctx.error("MS0108", "kind", root.mark(), "kind not set");
    if (kind != "VirtualService" && kind != "DestinationRule")
        return;
    if (!apiVersion.empty()) {
        if (apiVersion.compare(0, kGroupPrefix.size(), kGroupPrefix) != 0)
            return;
        const std::string version = apiVersion.substr(kGroupPrefix.size());
        if (version != "v1" && version != "v1beta1" && version != "v1alpha3")
            return;
    }

    const Schemas &all = schemas();
    if (!all.ok) {
        ctx.error("MS0100", std::string(), root.mark(),
                  "the embedded Istio CRD schema could not be loaded (broken build)");
        return;
    }
    checkMetadata(root, ctx);
    const Schema &schema = kind == "VirtualService" ? all.virtualService : all.destinationRule;
    checkValue(root, schema, std::string(), root.mark(), ctx, true);
}

} // namespace Validate
