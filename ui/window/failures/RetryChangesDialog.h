#pragma once

#include "session/SpecChange.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace Brigade {

// Retry with Changes: what the retried tasks change (their fetch URL's host, a header, their
// own timeout and attempts), checked as the command line's retry-failed --set-* options are
// (SpecChange::check). OK stays off until the change is one that can be made.
class RetryChangesDialog : public QDialog
{
    Q_OBJECT
public:
    explicit RetryChangesDialog(int tasks, QWidget *parent = nullptr);

    SpecChange change() const;
    QLineEdit *hostEdit() const { return m_host; }
    QLineEdit *headerEdit() const { return m_header; }
    QSpinBox *timeoutBox() const { return m_timeout; }
    QSpinBox *attemptsBox() const { return m_attempts; }
    QLabel *problemLabel() const { return m_problem; }
    QDialogButtonBox *buttons() const { return m_buttons; }

private:
    // The change as entered, or why it cannot be made.
    Result<SpecChange> entered() const;
    void recheck();

    QLineEdit *m_host;
    QLineEdit *m_header;
    QSpinBox *m_timeout;
    QSpinBox *m_attempts;
    QLabel *m_problem;
    QDialogButtonBox *m_buttons;
};

} // namespace Brigade
