#pragma once

#include "session/SubmitIntake.h"

#include <QMessageBox>
#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>

class QWidget;

namespace Brigade {

class RunSession;
class TaskStore;

// Asks once per opened batch, before anything of it first runs, whether to run the
// programs and commands it declares: a batch file from someone else must not run code
// silently. Batches of built-in ops run without a question. (The command line does not
// ask: whoever types `brigade run` chose the file.)
//
// The question is window-modal and asynchronous: the window's event loop, and so every
// live view, runs on while it waits.
class UserCodeGate : public QObject
{
    Q_OBJECT
public:
    UserCodeGate(RunSession *session, QWidget *window);
    ~UserCodeGate() override;

    // True when the session's batch runs no code of the user's, or the user agreed for this
    // batch. Otherwise asks (once: a question already up only learns the new then), returns
    // false, and calls then() if the user agrees while the same batch is still loaded.
    bool allows(std::function<void()> then);
    // The question while it is shown, else null.
    QMessageBox *question() const { return m_box; }

    // Tasks added to the run later (File › Add Tasks…) carry code nobody has looked at: asks
    // before those of the file at path are added, listing the commands and programs they
    // would run (code, from RunSession::checkTasksFrom). Window-modal and asynchronous like
    // the batch's question; then(agreed) follows the answer (closing the box declines).
    // Every file is asked about, whatever was agreed before.
    void confirmAdded(const QString &path, const SubmitIntake::UserCode &code,
                      std::function<void(bool agreed)> then);
    // The latest of those questions while it is shown, else null.
    QMessageBox *addedQuestion() const { return m_addedBox; }

signals:
    void asked();
    void answered(bool agreed);
    void addedAsked();

private:
    void onFinished(bool agreed);

    RunSession *m_session;
    QWidget *m_window;
    QPointer<QMessageBox> m_box;
    QPointer<QMessageBox> m_addedBox;
    std::weak_ptr<const TaskStore> m_agreed; // the batch the user agreed to run
    std::weak_ptr<const TaskStore> m_asked;  // the batch the question is about
    std::function<void()> m_then;
};

} // namespace Brigade
