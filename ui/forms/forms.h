#pragma once

#include "forms/location.h"

#include <QString>

#include <functional>
#include <optional>

class QWidget;

namespace Model {
struct Headers;
struct Config;
} // namespace Model

namespace Forms {

class FormBuilder;
class FormHost;

// One form page per outline item kind. Each reads the host's current config at build time and
// writes every finished edit back through the host.
QWidget *buildVirtualServiceForm(FormHost &host, const Location &at);
QWidget *buildRuleForm(FormHost &host, const Location &at);
QWidget *buildMatchForm(FormHost &host, const Location &at);
QWidget *buildDestinationForm(FormHost &host, const Location &at);
QWidget *buildMirrorForm(FormHost &host, const Location &at);
QWidget *buildDestinationRuleForm(FormHost &host, const Location &at);
QWidget *buildSubsetForm(FormHost &host, const Location &at);
QWidget *buildOtherForm(FormHost &host, const Location &at);

// Request/response header operations (set, add, remove) of a route or a destination, under
// the builder's `field` ("headers").
void addHeadersEditor(FormBuilder &b, const QString &field,
                      const std::optional<Model::Headers> &value,
                      std::function<std::optional<Model::Headers> &(Model::Config &)> headers);

} // namespace Forms
