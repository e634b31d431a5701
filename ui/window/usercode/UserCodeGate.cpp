#include "UserCodeGate.h"

#include "UserCodeSummary.h"
#include "session/RunSession.h"
#include "window/shared/Formatting.h"

#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>

namespace Brigade {

UserCodeGate::UserCodeGate(RunSession *session, QWidget *window)
    : QObject(window)
    , m_session(session)
    , m_window(window)
{}

UserCodeGate::~UserCodeGate() = default;

bool UserCodeGate::allows(std::function<void()> then)
{
    const std::shared_ptr<TaskStore> store = m_session->store();
    const std::shared_ptr<Batch> batch = m_session->opened().batch;
    if (!store || !batch || !batch->runsUserCode())
        return true;
    if (m_agreed.lock() == store)
        return true;
    m_then = std::move(then);
    if (m_box && m_asked.lock() == store)
        return false;
    delete m_box; // about a batch that is gone

    m_asked = store;
    const QString file = QFileInfo(batch->path).fileName();
    m_box = new QMessageBox(QMessageBox::Warning, tr("Run Code From This Batch?"),
                            tr("“%1” runs programs or commands of its own.").arg(file),
                            QMessageBox::NoButton, m_window);
    m_box->setObjectName(QStringLiteral("userCodeQuestion"));
    m_box->setTextFormat(Qt::RichText);
    UserCodeSummary::Options options;
    options.maxCommands = 20;
    options.fullPrograms = true;
    m_box->setInformativeText(
            tr("%1<p>They run with your rights on every machine the workers run on. Run them "
               "only if you trust where this batch came from; if in doubt, read it first "
               "(%2).</p>")
                    .arg(UserCodeSummary::html(*batch, options),
                         QDir::toNativeSeparators(batch->path).toHtmlEscaped()));
    QPushButton *run = m_box->addButton(tr("&Run Them"), QMessageBox::AcceptRole);
    run->setObjectName(QStringLiteral("runUserCode"));
    QPushButton *dont = m_box->addButton(tr("&Don't Run"), QMessageBox::RejectRole);
    dont->setObjectName(QStringLiteral("dontRunUserCode"));
    m_box->setDefaultButton(dont);
    m_box->setEscapeButton(dont);
    m_box->setWindowModality(Qt::WindowModal);
    m_box->setAttribute(Qt::WA_DeleteOnClose);
    // Closing the box counts as its escape button, Don't Run.
    connect(m_box, &QDialog::finished, this,
            [this, box = m_box.data(), run] { onFinished(box->clickedButton() == run); });
    m_box->open();
    emit asked();
    return false;
}

void UserCodeGate::confirmAdded(const QString &path, const SubmitIntake::UserCode &code,
                                std::function<void(bool)> then)
{
    // What the file runs, shown as the batch's question shows a batch's: its commands, and
    // the programs it calls (the batch's own, agreed to before, now with new arguments).
    Batch shown;
    shown.commands = code.commands;
    QStringList calls;
    const std::shared_ptr<Batch> batch = m_session->opened().batch;
    for (auto it = code.programs.cbegin(); it != code.programs.cend(); ++it) {
        if (batch && batch->programs.contains(it.key()))
            shown.programs.insert(it.key(), batch->programs.value(it.key()));
        calls << Formatting::counted(it.value(), tr("%1 task calls %2"), tr("%1 tasks call %2"))
                         .arg(QStringLiteral("<code>%1</code>").arg(it.key().toHtmlEscaped()));
    }
    UserCodeSummary::Options options;
    options.maxCommands = 20;
    options.fullPrograms = true;
    QString html = UserCodeSummary::html(shown, options);
    if (!calls.isEmpty())
        html += QStringLiteral("<br>") + calls.join(QStringLiteral("<br>"));

    const QString file = QFileInfo(path).fileName();
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Add Tasks That Run Code?"),
                                tr("The tasks of “%1” run commands or programs.").arg(file),
                                QMessageBox::NoButton, m_window);
    box->setObjectName(QStringLiteral("addedCodeQuestion"));
    box->setTextFormat(Qt::RichText);
    box->setInformativeText(
            tr("%1<p>They run with your rights on every machine the workers run on. Add them "
               "only if you trust where this file came from; if in doubt, read it first "
               "(%2). Nothing of it is added if you do not.</p>")
                    .arg(html, QDir::toNativeSeparators(path).toHtmlEscaped()));
    QPushButton *add = box->addButton(tr("&Add and Run Them"), QMessageBox::AcceptRole);
    add->setObjectName(QStringLiteral("addUserCode"));
    QPushButton *dont = box->addButton(tr("&Don't Add"), QMessageBox::RejectRole);
    dont->setObjectName(QStringLiteral("dontAddUserCode"));
    box->setDefaultButton(dont);
    box->setEscapeButton(dont);
    box->setWindowModality(Qt::WindowModal);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QDialog::finished, this,
            [box, add, then = std::move(then)] { then(box->clickedButton() == add); });
    m_addedBox = box;
    box->open();
    emit addedAsked();
}

void UserCodeGate::onFinished(bool agreed)
{
    const std::shared_ptr<const TaskStore> asked = m_asked.lock();
    std::function<void()> then = std::move(m_then);
    m_then = nullptr;
    m_asked.reset();
    const bool current = asked && asked == m_session->store();
    if (agreed && current)
        m_agreed = asked;
    emit answered(agreed);
    if (agreed && current && then)
        then();
}

} // namespace Brigade
