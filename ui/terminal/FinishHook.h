#pragma once

#include "run/RunStats.h"

#include <QObject>
#include <QStringList>

namespace Brigade {

// What brigade run does when a run ends, on request: rings the terminal bell (--bell) and
// runs a command (--on-finish; see FinishCommand for its words and environment). brigade
// waits for the command and exits with its own status whatever the command's.
class FinishHook : public QObject
{
    Q_OBJECT
public:
    explicit FinishHook(QObject *parent = nullptr);

    // Rings (to stderr) if bell, then runs command if not empty; done() follows, queued,
    // when it has ended (or could not start, or failed: said on stderr).
    void run(const QStringList &command, bool bell, const RunStats &stats, const QString &journal,
             int status);

signals:
    void done();
};

} // namespace Brigade
