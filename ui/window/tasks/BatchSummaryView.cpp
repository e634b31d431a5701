#include "BatchSummaryView.h"

#include "TaskDetailsView.h"
#include "window/shared/Formatting.h"
#include "window/usercode/UserCodeSummary.h"

#include <QDir>
#include <QFileInfo>
#include <QFontDatabase>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QStyle>
#include <QVBoxLayout>

namespace Brigade {

namespace {

QString joinCounts(const QMap<QString, qint64> &counts)
{
    QStringList parts;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        parts << QStringLiteral("%1&nbsp;<b>%2</b>")
                         .arg(it.key().toHtmlEscaped(), Formatting::count(it.value()));
    return parts.join(QStringLiteral(" · "));
}

// {"defaults":{"max_attempts":3}} -> {"max_attempts":3}; empty for a first line that only
// declares programs (shown on lines of their own).
QString defaultsText(const QString &line)
{
    const QJsonDocument doc = QJsonDocument::fromJson(line.toUtf8());
    const QJsonValue defaults = doc.object().value(QLatin1String("defaults"));
    if (!defaults.isObject())
        return doc.object().contains(QLatin1String("programs")) ? QString() : line;
    return QString::fromUtf8(QJsonDocument(defaults.toObject()).toJson(QJsonDocument::Compact));
}

} // namespace

BatchSummaryView::BatchSummaryView(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel)
    , m_details(new QLabel)
    , m_problemHeader(new QLabel)
    , m_problems(new QListWidget)
{
    m_title->setObjectName(QStringLiteral("batchTitle"));
    m_details->setObjectName(QStringLiteral("batchSummary"));
    m_problems->setObjectName(QStringLiteral("problemList"));
    m_problemHeader->setObjectName(QStringLiteral("problemHeader"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_details->setTextFormat(Qt::RichText);
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse
                                       | Qt::LinksAccessibleByKeyboard);
    connect(m_details, &QLabel::linkActivated, this, [this](const QString &link) {
        const QString program = TaskDetailsView::programOfLink(QUrl(link));
        if (!program.isEmpty())
            emit programLogRequested(program);
    });
    m_problemHeader->setTextFormat(Qt::RichText);
    m_problemHeader->setWordWrap(true);
    m_problems->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_problems->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_problems->setUniformItemSizes(true);
    m_problems->setToolTip(tr("Lines of the batch that could not be read, as "
                              "file:line:column: problem"));
    m_problems->setMaximumHeight(m_problems->fontMetrics().height() * 7);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_details);
    layout->addWidget(m_problemHeader);
    layout->addWidget(m_problems);
    clear();
}

void BatchSummaryView::clear()
{
    m_title->clear();
    m_details->clear();
    m_kinds.clear();
    m_batchTasks = m_batchLines = m_loadMs = m_tasks = 0;
    m_problemHeader->hide();
    m_problems->clear();
    m_problems->hide();
}

void BatchSummaryView::setBatch(const Batch &batch, qint64 taskCount, qint64 loadMs)
{
    const QFileInfo info(batch.path);
    m_title->setText(info.fileName());
    m_title->setToolTip(QDir::toNativeSeparators(info.absoluteFilePath()));

    m_batchTasks = m_tasks = taskCount;
    m_batchLines = batch.lines;
    m_loadMs = loadMs;
    QStringList &lines = m_kinds;
    lines.clear();
    if (!batch.fetchKinds.isEmpty())
        lines << tr("Fetch: %1").arg(joinCounts(batch.fetchKinds));
    if (!batch.computeOps.isEmpty())
        lines << tr("Compute: %1").arg(joinCounts(batch.computeOps));
    if (const QString defaults = defaultsText(batch.defaultsText); !defaults.isEmpty())
        lines << tr("Defaults: <code>%1</code>").arg(defaults.toHtmlEscaped());
    if (batch.runsUserCode()) {
        UserCodeSummary::Options options;
        options.logLinks = true;
        options.maxChars = 100; // one line each; the question before a run shows them whole
        lines << UserCodeSummary::html(batch, options);
    }
    showDetails();

    m_problems->clear();
    if (batch.errorCount > 0) {
        const QString color = QStringLiteral("#e04545");
        m_problemHeader->setText(
                tr("<span style=\"color:%1\">&#9888;</span> <b>%2</b> in this batch. %3")
                        .arg(color,
                             batch.errorCount == 1
                                     ? tr("1 problem")
                                     : tr("%1 problems").arg(Formatting::count(batch.errorCount)),
                             taskCount > 0 ? tr("The %1 valid tasks can still run.")
                                                     .arg(Formatting::count(taskCount))
                                           : tr("There are no valid tasks to run.")));
        for (const BatchError &e : batch.errors)
            m_problems->addItem(e.toString());
        if (batch.errorCount > batch.errors.size())
            m_problems->addItem(
                    tr("… and %1 more")
                            .arg(Formatting::count(batch.errorCount - batch.errors.size())));
        m_problemHeader->show();
        m_problems->show();
    } else {
        m_problemHeader->hide();
        m_problems->hide();
    }
}

void BatchSummaryView::setTaskCount(qint64 taskCount)
{
    if (taskCount == m_tasks)
        return;
    m_tasks = taskCount;
    showDetails();
    emit taskCountShown(taskCount);
}

void BatchSummaryView::showDetails()
{
    const QString read = tr("from %1 lines, read in %2")
                                 .arg(Formatting::count(m_batchLines),
                                      Formatting::milliseconds(double(m_loadMs)));
    const qint64 added = m_tasks - m_batchTasks;
    const QString first
            = added > 0 ? tr("<b>%1</b> tasks: %2 %3, and %4 added to its run")
                                  .arg(Formatting::count(m_tasks), Formatting::count(m_batchTasks),
                                       read, Formatting::count(added))
                        : tr("<b>%1</b> tasks %2").arg(Formatting::count(m_tasks), read);
    m_details->setText((QStringList{first} + m_kinds).join(QStringLiteral("<br>")));
}

QStringList BatchSummaryView::problems() const
{
    QStringList out;
    for (int i = 0; i < m_problems->count(); ++i)
        out << m_problems->item(i)->text();
    return out;
}

QString BatchSummaryView::summaryText() const
{
    return m_details->text();
}

} // namespace Brigade
