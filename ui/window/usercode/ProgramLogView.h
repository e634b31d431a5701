#pragma once

#include "core/ProgramLog.h"

#include <QPointer>
#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QPlainTextEdit;

namespace Brigade {

class RunSession;

// A window with what one long-lived program wrote on stdout and stderr, from every worker,
// and what happened to it (started, ready, stopped, broken). It follows the engine's
// ProgramLog live: the session's coalesced programLogChanged() brings only the new lines
// in, and the view keeps following the end unless the user has scrolled up.
class ProgramLogView : public QWidget
{
    Q_OBJECT
public:
    explicit ProgramLogView(RunSession *session, QWidget *parent = nullptr);

    // Shows the window with program's log (raised, if it was open).
    void showProgram(const QString &program);
    // The session has a new batch: its programs, and its (empty) log.
    void batchChanged();

    QString program() const { return m_program; }
    QComboBox *programChooser() const { return m_chooser; }
    QPlainTextEdit *textView() const { return m_text; }

private:
    void onLogChanged(const QStringList &programs);
    void updateChooser();
    void reload();
    void appendNew();

    QPointer<RunSession> m_session;
    std::shared_ptr<const ProgramLog> m_log; // the one shown; a new batch has another
    QString m_program;
    qint64 m_seen = 0; // lines of m_program's log shown (ProgramLog::count())
    QComboBox *m_chooser;
    QLabel *m_status;
    QPlainTextEdit *m_text;
};

} // namespace Brigade
