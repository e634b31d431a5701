#pragma once

#include "core/Result.h"

#include <QString>
#include <QVector>

namespace Brigade {

// Some tasks of a batch as a batch file of their own (a failure group to run again later,
// or elsewhere): the task lines copied from the batch as they were written, after its
// defaults line when it has one, so each task means what it meant.
namespace BatchSubset {

// Copies the lines numbered lines (1-based, as TaskSpec::line) of batchPath, with its
// defaults line, to outPath (written whole or not at all). Returns the tasks written.
Result<qint64> write(const QString &batchPath, QVector<int> lines, const QString &outPath);

} // namespace BatchSubset

} // namespace Brigade
