#pragma once

#include <QStringList>

namespace App {

// Headless sub-commands. Each returns the process exit code.
int runValidate(const QStringList &args);
int runExport(const QStringList &args);
int runProxy(const QStringList &args);  // runcommands.cpp
int runDemo(const QStringList &args);   // runcommands.cpp
QString usage();

} // namespace App
