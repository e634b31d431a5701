#pragma once

#include <QByteArray>
#include <QString>
#include <QTemporaryDir>

namespace Brigade::Test {

// Writes data to dir/name and returns the path; a test that cannot write its own input
// stops right there (qFatal) rather than testing something else.
QString writeTestFile(const QTemporaryDir &dir, const QString &name, const QByteArray &data);

} // namespace Brigade::Test
