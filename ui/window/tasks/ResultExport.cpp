#include "ResultExport.h"

#include "TaskQuery.h"
#include "TaskTableModel.h"
#include "output/ResultWriter.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace Brigade {

namespace {
constexpr int RowsPerWrite = 16384; // bounds how long the store's lock is held
}

QString ResultExport::write(const TaskStore &store, const QVector<int> &rows, const QString &path,
                            const std::atomic_bool *cancel)
{
    // Written beside the target and renamed at the end, so a failed export never leaves
    // half a file where a good one was.
    // The partial name keeps the suffix: ResultWriter picks CSV or JSON Lines by it.
    const QFileInfo info(path);
    const QString partial = info.dir().filePath(
            QStringLiteral(".%1.partial.%2").arg(info.completeBaseName(), info.suffix()));
    ResultWriter writer;
    QString error;
    if (!writer.open(partial, &error))
        return QCoreApplication::translate("ResultExport", "Could not write to %1: %2")
                .arg(QFileInfo(path).fileName(), QFile(partial).errorString());
    for (qsizetype begin = 0; begin < rows.size(); begin += RowsPerWrite) {
        if (cancel && cancel->load()) {
            writer.close(&error);
            QFile::remove(partial);
            return QCoreApplication::translate("ResultExport", "Export cancelled");
        }
        writer.write(store, rows.mid(begin, RowsPerWrite));
    }
    if (!writer.close(&error)) {
        QFile::remove(partial);
        return QCoreApplication::translate("ResultExport", "Could not finish writing %1: %2")
                .arg(QFileInfo(path).fileName(), error);
    }
    QFile::remove(path);
    if (!QFile::rename(partial, path)) {
        QFile::remove(partial);
        return QCoreApplication::translate("ResultExport", "Could not replace %1")
                .arg(QFileInfo(path).fileName());
    }
    return {};
}

QString ResultExport::tabSeparated(const TaskStore &store, const QVector<int> &rows,
                                   const QVector<int> &columns, const QStringList &headers)
{
    QString out = headers.join(QLatin1Char('\t')) + QLatin1Char('\n');
    for (qsizetype begin = 0; begin < rows.size(); begin += RowsPerWrite) {
        const qsizetype end = qMin(rows.size(), begin + RowsPerWrite);
        store.read([&](const TaskStates &states) {
            for (qsizetype i = begin; i < end; ++i) {
                const int row = rows[i];
                for (qsizetype c = 0; c < columns.size(); ++c) {
                    QString cell
                            = TaskTableModel::displayText(store.spec(row), states[row], columns[c],
                                                          true, store.processLocked(row));
                    cell.replace(QLatin1Char('\t'), QLatin1Char(' '));
                    cell.replace(QLatin1Char('\n'), QLatin1Char(' '));
                    if (c)
                        out += QLatin1Char('\t');
                    out += cell;
                }
                out += QLatin1Char('\n');
            }
        });
    }
    return out;
}

} // namespace Brigade
