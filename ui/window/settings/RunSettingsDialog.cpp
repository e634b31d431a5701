#include "RunSettingsDialog.h"

#include "WorkerPlacementEditor.h"
#include "net/Url.h"
#include "run/RunSettingsRules.h"
#include "session/FinishCommand.h"
#include "window/shared/ProblemLabel.h"
#include "window/shared/StatusStyle.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

#include <climits>

namespace Brigade {

namespace {

// A box for a setting, within the limits the engine's rules give it.
QSpinBox *spinBox(RunSettingsRules::Field field, const QString &suffix, const QString &tip)
{
    auto *box = new QSpinBox;
    const RunSettingsRules::Limit limit = RunSettingsRules::limit(field);
    box->setRange(int(limit.min), int(qMin<qint64>(limit.max, INT_MAX)));
    box->setSuffix(suffix);
    box->setToolTip(tip);
    box->setGroupSeparatorShown(true);
    box->setAccelerated(true);
    box->setMinimumWidth(box->fontMetrics().averageCharWidth() * 20);
    return box;
}

constexpr qint64 MiB = 1024 * 1024;

} // namespace

RunSettingsDialog::RunSettingsDialog(const RunSettings &settings, QWidget *parent)
    : QDialog(parent)
    , m_base(settings)
{
    setWindowTitle(tr("Run Settings"));
    const QString ms = tr(" ms");
    m_placement = new WorkerPlacementEditor;
    m_placement->setObjectName(QStringLiteral("workerPlacement"));
    m_concurrency = spinBox(RunSettingsRules::Field::Concurrency, QString(),
                            tr("Tasks a worker keeps in flight at once. Fetches wait on the "
                               "network, so many can share a worker."));
    m_computeThreads = spinBox(RunSettingsRules::Field::ComputeThreads, QString(),
                               tr("Threads a worker computes on. One per worker is right when "
                                  "there is a worker per core."));
    m_maxAttempts = spinBox(RunSettingsRules::Field::MaxAttempts, QString(),
                            tr("Attempts a task gets before it counts as failed, unless the "
                               "batch says otherwise."));
    m_backoffBase = spinBox(RunSettingsRules::Field::BackoffMs, ms,
                            tr("Wait before the first retry; it doubles with every further "
                               "attempt, with random jitter."));
    m_backoffMax = spinBox(RunSettingsRules::Field::BackoffMs, ms,
                           tr("The longest wait between attempts."));
    m_timeout = spinBox(RunSettingsRules::Field::TimeoutMs, ms,
                        tr("How long one attempt may take before it is stopped, unless the "
                           "batch says otherwise."));
    m_timeout->setSpecialValueText(tr("No timeout"));

    auto *tasksPage = new QWidget;
    auto *form = new QFormLayout(tasksPage);
    // Numbers read best in boxes their own size, not stretched across the dialog.
    form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    form->addRow(tr("Tasks in flight per &worker:"), m_concurrency);
    form->addRow(tr("Compute &threads per worker:"), m_computeThreads);
    form->addRow(tr("Max &attempts per task:"), m_maxAttempts);
    form->addRow(tr("Retry &backoff starts at:"), m_backoffBase);
    form->addRow(tr("Retry backoff &at most:"), m_backoffMax);
    form->addRow(tr("&Timeout per attempt:"), m_timeout);

    auto *workersPage = new QWidget;
    auto *workersLayout = new QVBoxLayout(workersPage);
    workersLayout->addWidget(m_placement);

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("settingsTabs"));
    m_tabs->addTab(workersPage, tr("Where Workers Run"));
    m_tabs->addTab(tasksPage, tr("Tasks and Retries"));
    m_tabs->addTab(makeHostsPage(), tr("Hosts and HTTP"));
    m_tabs->addTab(makeRunEndPage(), tr("When a Run Ends"));

    m_note = new QLabel;
    m_note->setObjectName(QStringLiteral("settingsNote"));
    m_note->setWordWrap(true);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel
                                     | QDialogButtonBox::RestoreDefaults);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            [this] {
                setFields(RunSettings{});
                setRunEndActions(RunEndActions{});
                m_placement->restoreDefaults();
            });
    // Choices that cannot run are not taken: each says why next to its fields.
    connect(m_placement, &WorkerPlacementEditor::changed, this, &RunSettingsDialog::updateNote);
    connect(m_tabs, &QTabWidget::currentChanged, this, &RunSettingsDialog::updateNote);

    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_note, 1);
    bottom->addWidget(m_buttons);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs, 1);
    layout->addLayout(bottom);
    setFields(settings);
    setRunEndActions(RunEndActions{});
    m_placement->setSettings(settings);
    updateNote();
}

void RunSettingsDialog::updateNote()
{
    if (!m_buttons || !m_finishCommand)
        return; // still being built
    const QStringList placement = m_placement->problems();
    const QStringList fields = checkFields();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(placement.isEmpty() && fields.isEmpty());
    QPalette p = palette();
    const int tab = m_tabs->currentIndex();
    if (placement.isEmpty() && fields.isEmpty()) {
        m_note->setText(tr("Changes apply to the next run."));
        p.setColor(QPalette::WindowText, p.color(QPalette::PlaceholderText));
    } else {
        // Why OK is disabled, also when the problem is on another tab.
        const bool here = (tab == WorkersTab && !placement.isEmpty())
                          || ((tab == HostsTab || tab == RunEndTab) && !fields.isEmpty());
        m_note->setText(here                   ? tr("Fix what is marked in red to save.")
                        : !placement.isEmpty() ? tr("Where Workers Run: %1").arg(placement.first())
                                               : fields.first());
        p.setColor(QPalette::WindowText, StatusStyle::color(TaskStatus::Failed));
    }
    m_note->setPalette(p);
}

QWidget *RunSettingsDialog::makeHostsPage()
{
    const QString ms = tr(" ms");
    m_rates = new QPlainTextEdit;
    m_rates->setObjectName(QStringLiteral("rates"));
    m_rates->setTabChangesFocus(true);
    m_rates->setPlaceholderText(tr("api.example.com=10/s:burst=5\n*=600/min"));
    m_rates->setToolTip(tr("One rate a line, as --rate takes it: HOST=N/s or HOST=N/min, "
                           "optionally :burst=B. For all workers together, local and remote; "
                           "HOST * for every host without a rate of its own."));
    m_rates->setFixedHeight(m_rates->fontMetrics().lineSpacing() * 4 + 10);
    m_ratesProblem = ProblemLabel::make(QStringLiteral("ratesProblem"));
    m_hostInFlight = spinBox(RunSettingsRules::Field::HostInFlight, QString(),
                             tr("Requests in flight to one host for the whole run (--host-in-"
                                "flight)."));
    m_hostInFlight->setObjectName(QStringLiteral("hostInFlight"));
    m_hostInFlight->setSpecialValueText(tr("No cap"));
    m_breaker = spinBox(RunSettingsRules::Field::BreakerFailures, QString(),
                        tr("Stop sending to a host after this many failures in a row "
                           "(connection errors, timeouts, 5xx, 429); one probe after the "
                           "cool-down (--breaker)."));
    m_breaker->setObjectName(QStringLiteral("breaker"));
    m_breaker->setSpecialValueText(tr("Never"));
    m_breakerCooldown = spinBox(RunSettingsRules::Field::BreakerCooldownMs, ms,
                                tr("How long an open breaker waits before its probe "
                                   "(--breaker-cooldown-ms)."));
    m_breakerCooldown->setObjectName(QStringLiteral("breakerCooldown"));
    m_maxRetryAfter = spinBox(RunSettingsRules::Field::MaxPauseMs, ms,
                              tr("The longest pause a Retry-After may ask of a host "
                                 "(--max-retry-after-ms)."));
    m_maxRetryAfter->setObjectName(QStringLiteral("maxRetryAfter"));
    m_priorityAging = spinBox(RunSettingsRules::Field::PriorityAgingMs, ms,
                              tr("A waiting task gains one priority level per this much time "
                                 "waited, so none starves (--priority-aging-ms)."));
    m_priorityAging->setObjectName(QStringLiteral("priorityAging"));
    m_hostConnections = spinBox(RunSettingsRules::Field::MaxHostConnections, QString(),
                                tr("Connections to one host for the whole run, shared among "
                                   "the workers; HTTP/2 carries many requests on each "
                                   "(--max-host-connections)."));
    m_hostConnections->setObjectName(QStringLiteral("hostConnections"));
    m_hostConnections->setSpecialValueText(tr("No cap"));
    m_maxBodyMiB = new QSpinBox;
    m_maxBodyMiB->setObjectName(QStringLiteral("maxBody"));
    m_maxBodyMiB->setRange(
            1, int(RunSettingsRules::limit(RunSettingsRules::Field::MaxBytes).max / MiB));
    m_maxBodyMiB->setSuffix(tr(" MiB"));
    m_maxBodyMiB->setGroupSeparatorShown(true);
    m_maxBodyMiB->setToolTip(tr("The largest body a fetch may bring; a larger one fails the "
                                "attempt (--max-bytes)."));
    m_http1 = new QCheckBox(tr("Never use HTTP/&2"));
    m_http1->setObjectName(QStringLiteral("http1"));
    m_http1->setToolTip(tr("--http1"));
    m_insecure = new QCheckBox(tr("Do not &verify TLS certificates (this session only)"));
    m_insecure->setObjectName(QStringLiteral("insecure"));
    m_insecure->setToolTip(tr("--insecure; not remembered, so it never stays on by accident"));
    m_insecureWarning = ProblemLabel::make(QStringLiteral("insecureWarning"));
    m_caFile = new QLineEdit;
    m_caFile->setObjectName(QStringLiteral("caFile"));
    m_caFile->setPlaceholderText(tr("the system's (or $SSL_CERT_FILE, $SSL_CERT_DIR)"));
    m_caFile->setToolTip(tr("Trust the CA certificates in this PEM file instead of the "
                            "system's bundle (--cacert)."));
    auto *browse = new QPushButton(tr("Browse…"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path
                = QFileDialog::getOpenFileName(this, tr("CA Certificates"), m_caFile->text(),
                                               tr("PEM certificates (*.pem *.crt);;All files (*)"));
        if (!path.isEmpty())
            m_caFile->setText(path);
    });
    auto *caRow = new QHBoxLayout;
    caRow->addWidget(m_caFile, 1);
    caRow->addWidget(browse);
    m_caProblem = ProblemLabel::make(QStringLiteral("caProblem"));
    m_proxy = new QLineEdit;
    m_proxy->setObjectName(QStringLiteral("proxy"));
    m_proxy->setPlaceholderText(tr("$http_proxy, $https_proxy, $no_proxy"));
    m_proxy->setToolTip(tr("Fetch through this proxy: http://, https://, socks5h:// ... "
                           "(--proxy)."));
    m_proxyProblem = ProblemLabel::make(QStringLiteral("proxyProblem"));
    // Paths and URLs need room; numbers keep boxes their own size.
    for (QLineEdit *edit : {m_caFile, m_proxy})
        edit->setMinimumWidth(edit->fontMetrics().averageCharWidth() * 56);
    m_hostsProblem = ProblemLabel::make(QStringLiteral("hostsProblem"));

    auto *pacing = new QGroupBox(tr("Pacing, per host, for all workers together"));
    auto *pacingForm = new QFormLayout(pacing);
    pacingForm->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    pacingForm->addRow(tr("&Rates:"), m_rates);
    pacingForm->addRow(QString(), m_ratesProblem);
    pacingForm->addRow(tr("Requests in &flight per host:"), m_hostInFlight);
    pacingForm->addRow(tr("&Breaker opens after failures:"), m_breaker);
    pacingForm->addRow(tr("Breaker &cool-down:"), m_breakerCooldown);
    pacingForm->addRow(tr("Longest Retry-After &pause:"), m_maxRetryAfter);
    pacingForm->addRow(tr("Priority a&ging:"), m_priorityAging);
    auto *http = new QGroupBox(tr("HTTP"));
    auto *httpForm = new QFormLayout(http);
    httpForm->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    httpForm->addRow(tr("C&onnections per host:"), m_hostConnections);
    httpForm->addRow(tr("Largest &body:"), m_maxBodyMiB);
    httpForm->addRow(tr("Pro&xy:"), m_proxy);
    httpForm->addRow(QString(), m_proxyProblem);
    auto *caLabel = new QLabel(tr("CA c&ertificates:"));
    caLabel->setBuddy(m_caFile);
    httpForm->addRow(caLabel, caRow);
    httpForm->addRow(QString(), m_caProblem);
    httpForm->addRow(QString(), m_http1);
    httpForm->addRow(QString(), m_insecure);
    httpForm->addRow(QString(), m_insecureWarning);

    for (QSpinBox *box : {m_hostInFlight, m_breaker, m_breakerCooldown, m_maxRetryAfter,
                          m_priorityAging, m_hostConnections, m_maxBodyMiB})
        connect(box, &QSpinBox::valueChanged, this, &RunSettingsDialog::updateNote);
    for (QLineEdit *edit : {m_caFile, m_proxy})
        connect(edit, &QLineEdit::textChanged, this, &RunSettingsDialog::updateNote);
    connect(m_rates, &QPlainTextEdit::textChanged, this, &RunSettingsDialog::updateNote);
    connect(m_insecure, &QCheckBox::toggled, this, &RunSettingsDialog::updateNote);

    auto *page = new QWidget;
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(pacing);
    layout->addWidget(http);
    layout->addWidget(m_hostsProblem);
    layout->addStretch(1);
    return page;
}

QWidget *RunSettingsDialog::makeRunEndPage()
{
    m_finishCommand = new QLineEdit;
    m_finishCommand->setObjectName(QStringLiteral("finishCommand"));
    m_finishCommand->setPlaceholderText(
            QStringLiteral("sh -c 'notify-send Brigade \"$BRIGADE_FAILED failed\"'"));
    m_finishProblem = ProblemLabel::make(QStringLiteral("finishProblem"));
    auto *help = new QLabel(
            tr("Run as brigade run --on-finish runs it: split into arguments as a shell "
               "would, but without one (write sh -c '…' for a shell). Its environment holds "
               "BRIGADE_STATUS (0 when every task succeeded or was skipped, else 1), "
               "BRIGADE_TOTAL, BRIGADE_SUCCEEDED, BRIGADE_FAILED, BRIGADE_CANCELLED, "
               "BRIGADE_SKIPPED, BRIGADE_NOT_RUN, BRIGADE_ELAPSED_MS and BRIGADE_JOURNAL."));
    help->setWordWrap(true);
    help->setForegroundRole(QPalette::PlaceholderText);
    m_finishBell = new QCheckBox(tr("Ring the &bell"));
    m_finishBell->setObjectName(QStringLiteral("finishBell"));
    m_finishNotify = new QCheckBox(tr("Show a desktop &notification when the window is not "
                                      "the active one"));
    m_finishNotify->setObjectName(QStringLiteral("finishNotify"));
    connect(m_finishCommand, &QLineEdit::textChanged, this, &RunSettingsDialog::updateNote);

    auto *page = new QWidget;
    auto *form = new QFormLayout(page);
    form->addRow(tr("Run &command:"), m_finishCommand);
    form->addRow(QString(), m_finishProblem);
    form->addRow(QString(), help);
    form->addRow(QString(), m_finishBell);
    form->addRow(QString(), m_finishNotify);
    return page;
}

void RunSettingsDialog::setRunEndActions(const RunEndActions &a)
{
    m_finishCommand->setText(a.command);
    m_finishBell->setChecked(a.bell);
    m_finishNotify->setChecked(a.notify);
}

RunEndActions RunSettingsDialog::runEndActions() const
{
    RunEndActions a;
    a.command = m_finishCommand->text().trimmed();
    a.bell = m_finishBell->isChecked();
    a.notify = m_finishNotify->isChecked();
    return a;
}

QStringList RunSettingsDialog::checkFields() const
{
    QStringList problems;
    const auto note = [&problems](QLabel *label, const QString &problem, const QString &where) {
        // The rules' sentences follow an option's name on the command line; here they
        // start one.
        ProblemLabel::show(label, problem.isEmpty() ? problem
                                                    : problem.front().toUpper() + problem.mid(1));
        if (!problem.isEmpty())
            problems << where + problem;
    };
    const QString hosts = tr("Hosts and HTTP: ");
    const Result<QList<HostRate>> rates = RunSettingsRules::parseRates(m_rates->toPlainText());
    note(m_ratesProblem, rates ? QString() : rates.error(), hosts);
    const QByteArray proxy = m_proxy->text().trimmed().toUtf8();
    note(m_proxyProblem, proxy.isEmpty() ? QString() : Url::proxyProblem(proxy), hosts);
    const QString ca = m_caFile->text().trimmed();
    if (ca.isEmpty()) {
        note(m_caProblem, QString(), hosts);
    } else {
        const Result<QByteArray> pem = RunSettingsRules::readCaCertificates(ca);
        note(m_caProblem, pem ? QString() : pem.error(), hosts);
    }
    ProblemLabel::show(m_insecureWarning,
                       m_insecure->isChecked() ? RunSettings::insecureWarning() : QString());
    // What no field checks alone, by the rules the CLI follows.
    QStringList other;
    if (rates) {
        const RunSettings s = settings();
        for (const RunSettingsRules::Problem &p : RunSettingsRules::check(s)) {
            using F = RunSettingsRules::Field;
            if (p.field == F::Rate || p.field == F::HostInFlight || p.field == F::BreakerFailures
                || p.field == F::BreakerCooldownMs || p.field == F::MaxPauseMs
                || p.field == F::PriorityAgingMs || p.field == F::MaxHostConnections
                || p.field == F::MaxBytes)
                other << p.message;
        }
    }
    note(m_hostsProblem, other.join(QLatin1Char('\n')), hosts);
    const Result<QStringList> command = FinishCommand::split(m_finishCommand->text());
    note(m_finishProblem,
         command ? QString()
                 : tr("The command cannot be split into arguments: %1.").arg(command.error()),
         tr("When a Run Ends: "));
    return problems;
}

void RunSettingsDialog::setFields(const RunSettings &s)
{
    m_concurrency->setValue(s.concurrency);
    m_computeThreads->setValue(s.computeThreads);
    m_maxAttempts->setValue(s.maxAttempts);
    // Out of range values are held to the box's limits, the rules' limits.
    m_backoffBase->setValue(
            int(qMin<quint32>(s.retry.baseDelayMs, quint32(m_backoffBase->maximum()))));
    m_backoffMax->setValue(
            int(qMin<quint32>(s.retry.maxDelayMs, quint32(m_backoffMax->maximum()))));
    m_timeout->setValue(int(qMin<quint32>(s.timeoutMs, quint32(m_timeout->maximum()))));
    QStringList rates;
    for (const HostRate &rate : s.pacing.rates)
        rates << rate.text();
    m_rates->setPlainText(rates.join(QLatin1Char('\n')));
    const auto clamp = [](QSpinBox *box, qint64 v) {
        box->setValue(int(qBound(qint64(box->minimum()), v, qint64(box->maximum()))));
    };
    clamp(m_hostInFlight, s.pacing.hostInFlight);
    clamp(m_breaker, s.pacing.breakerFailures);
    clamp(m_breakerCooldown, s.pacing.breakerCooldownMs);
    clamp(m_maxRetryAfter, s.pacing.maxPauseMs);
    clamp(m_priorityAging, s.pacing.priorityAgingMs);
    clamp(m_hostConnections, s.maxHostConnections);
    clamp(m_maxBodyMiB, (s.maxBytes + MiB - 1) / MiB);
    m_maxBodyMiBShown = m_maxBodyMiB->value();
    m_http1->setChecked(s.http1);
    m_insecure->setChecked(s.insecure);
    m_caFile->setText(s.caCertificatesFile);
    m_proxy->setText(QString::fromUtf8(s.proxy));
}

RunSettings RunSettingsDialog::settings() const
{
    RunSettings s = m_base;
    m_placement->apply(&s);
    s.concurrency = m_concurrency->value();
    s.computeThreads = m_computeThreads->value();
    s.maxAttempts = m_maxAttempts->value();
    s.retry.baseDelayMs = quint32(m_backoffBase->value());
    s.retry.maxDelayMs = quint32(qMax(m_backoffMax->value(), m_backoffBase->value()));
    s.timeoutMs = quint32(m_timeout->value());
    if (const Result<QList<HostRate>> rates = RunSettingsRules::parseRates(m_rates->toPlainText()))
        s.pacing.rates = *rates;
    s.pacing.hostInFlight = m_hostInFlight->value();
    s.pacing.breakerFailures = m_breaker->value();
    s.pacing.breakerCooldownMs = quint32(m_breakerCooldown->value());
    s.pacing.maxPauseMs = quint32(m_maxRetryAfter->value());
    s.pacing.priorityAgingMs = m_priorityAging->value();
    s.maxHostConnections = m_hostConnections->value();
    // A size the CLI gave in bytes stays as it was unless the box was changed.
    if (m_maxBodyMiB->value() != m_maxBodyMiBShown)
        s.maxBytes = qint64(m_maxBodyMiB->value()) * MiB;
    s.http1 = m_http1->isChecked();
    s.insecure = m_insecure->isChecked();
    s.proxy = m_proxy->text().trimmed().toUtf8();
    const QString ca = m_caFile->text().trimmed();
    if (ca != m_base.caCertificatesFile || (!ca.isEmpty() && m_base.caCertificates.isEmpty())) {
        const Result<QByteArray> pem
                = ca.isEmpty() ? QByteArray() : RunSettingsRules::readCaCertificates(ca);
        s.caCertificates = pem ? *pem : QByteArray();
        s.caCertificatesFile = pem ? ca : QString();
    }
    return s;
}

QStringList RunSettingsDialog::problems() const
{
    return m_placement->problems() + checkFields();
}

void RunSettingsDialog::accept()
{
    if (!problems().isEmpty())
        return;
    m_placement->remember();
    QDialog::accept();
}

} // namespace Brigade
