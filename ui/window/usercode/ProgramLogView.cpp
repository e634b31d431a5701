#include "ProgramLogView.h"

#include "session/RunSession.h"
#include "window/shared/Formatting.h"
#include "window/shared/StatusStyle.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCursor>
#include <QVBoxLayout>

namespace Brigade {

ProgramLogView::ProgramLogView(RunSession *session, QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_session(session)
    , m_chooser(new QComboBox)
    , m_status(new QLabel)
    , m_text(new QPlainTextEdit)
{
    setObjectName(QStringLiteral("programLogView"));
    setWindowTitle(tr("Program Log"));
    m_chooser->setObjectName(QStringLiteral("programChooser"));
    m_chooser->setToolTip(tr("The program whose log is shown"));
    m_chooser->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_status->setForegroundRole(QPalette::PlaceholderText);
    m_text->setObjectName(QStringLiteral("programLogText"));
    m_text->setReadOnly(true);
    m_text->setUndoRedoEnabled(false);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setMaximumBlockCount(ProgramLog::MaxLines); // as many as the engine keeps
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setPlaceholderText(tr("Nothing yet: a program's log fills once a worker starts it."));

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Program:")));
    top->addWidget(m_chooser);
    top->addStretch(1);
    top->addWidget(m_status);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_text, 1);
    const int ch = fontMetrics().averageCharWidth();
    resize(ch * 110, fontMetrics().height() * 32);

    connect(m_chooser, &QComboBox::activated, this, [this](int index) {
        m_program = m_chooser->itemText(index);
        reload();
    });
    connect(session, &RunSession::programLogChanged, this, &ProgramLogView::onLogChanged);
}

void ProgramLogView::showProgram(const QString &program)
{
    m_program = program;
    updateChooser();
    reload();
    show();
    raise();
    activateWindow();
}

void ProgramLogView::batchChanged()
{
    if (!m_session)
        return;
    const auto batch = m_session->opened().batch;
    if (!batch || !batch->programs.contains(m_program))
        m_program = batch && !batch->programs.isEmpty() ? batch->programs.firstKey() : QString();
    updateChooser();
    reload();
}

void ProgramLogView::onLogChanged(const QStringList &programs)
{
    if (!isVisible())
        return; // read when shown
    if (m_session && m_session->programLog() != m_log) {
        reload();
        return;
    }
    if (m_chooser->count() < programs.size())
        updateChooser(); // a program the batch did not declare cannot run, but be safe
    if (programs.contains(m_program))
        appendNew();
}

void ProgramLogView::updateChooser()
{
    QStringList names;
    if (m_session && m_session->opened().batch)
        names = m_session->opened().batch->programs.keys();
    if (const auto log = m_session ? m_session->programLog() : nullptr) {
        for (const QString &name : log->programs()) {
            if (!name.isEmpty() && !names.contains(name))
                names << name;
        }
    }
    if (!m_program.isEmpty() && !names.contains(m_program))
        names << m_program;
    names.sort();
    m_chooser->clear();
    m_chooser->addItems(names);
    m_chooser->setCurrentIndex(names.indexOf(m_program));
}

void ProgramLogView::reload()
{
    m_log = m_session ? m_session->programLog() : nullptr;
    m_seen = 0;
    m_text->clear();
    setWindowTitle(m_program.isEmpty() ? tr("Program Log") : tr("Program Log — %1").arg(m_program));
    appendNew();
}

void ProgramLogView::appendNew()
{
    if (!m_log || m_program.isEmpty()) {
        m_status->clear();
        return;
    }
    qint64 total = 0;
    const QList<ProgramLog::Line> lines = m_log->linesSince(m_program, m_seen, &total);
    if (total < m_seen) { // the log was cleared for a new run of the batch
        m_text->clear();
        m_seen = 0;
    }
    m_seen = total;
    m_status->setText(total > ProgramLog::MaxLines
                              ? tr("%1 lines, the last %2 shown")
                                        .arg(Formatting::count(total),
                                             Formatting::count(ProgramLog::MaxLines))
                              : Formatting::counted(total, tr("%1 line"), tr("%1 lines")));
    if (lines.isEmpty())
        return;

    QScrollBar *bar = m_text->verticalScrollBar();
    const bool following = bar->value() >= bar->maximum() - 2;
    const QColor dim = palette().color(QPalette::PlaceholderText);
    QTextCharFormat prefix;
    prefix.setForeground(dim);
    QTextCharFormat out;
    QTextCharFormat err;
    err.setForeground(StatusStyle::color(TaskStatus::Failed));
    QTextCharFormat event;
    event.setForeground(dim);
    event.setFontItalic(true);

    QTextCursor cursor(m_text->document());
    cursor.movePosition(QTextCursor::End);
    cursor.beginEditBlock();
    bool first = m_text->document()->isEmpty();
    for (const ProgramLog::Line &line : lines) {
        if (!first)
            cursor.insertBlock();
        first = false;
        cursor.insertText(
                QStringLiteral("%1 w%2 ").arg(QString::number(double(line.atMs) / 1000.0, 'f', 3),
                                              line.worker >= 0 ? QString::number(line.worker)
                                                               : QStringLiteral("-")),
                prefix);
        switch (line.stream) {
        case ProgramLog::Stderr:
            cursor.insertText(line.text, err);
            break;
        case ProgramLog::Event:
            cursor.insertText(line.text, event);
            break;
        default:
            cursor.insertText(line.text, out);
            break;
        }
    }
    cursor.endEditBlock();
    if (following)
        bar->setValue(bar->maximum());
}

} // namespace Brigade
