#include "MapReduceView.h"

#include "MapReduceProgressPanel.h"
#include "MapReduceResultView.h"
#include "MapReduceTableModel.h"
#include "mapreduce/MapReduceJob.h"
#include "mapreduce/TotalsWriter.h"
#include "session/RunSession.h"
#include "window/shared/BackgroundPool.h"
#include "window/shared/Formatting.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QFrame>
#include <QLabel>
#include <QLocale>
#include <QRegularExpression>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Brigade {

namespace {

constexpr int TickMs = 250;
constexpr int MaxInputsListed = 6;
constexpr int MaxKeysListed = 8;
constexpr int MaxErrorsListed = 6;
const QString Red = QStringLiteral("#e04545");

QString chunkSize(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, bytes % 1024 ? 1 : 0, QLocale::DataSizeIecFormat);
}

// "cannot read input x: No such file" -> "Cannot read input x: No such file."
QString sentence(QString text)
{
    if (!text.isEmpty())
        text[0] = text[0].toUpper();
    if (!text.endsWith(QLatin1Char('.')))
        text += QLatin1Char('.');
    return text;
}

QString pathHtml(const QString &path)
{
    return QStringLiteral("<code>%1</code>").arg(QDir::toNativeSeparators(path).toHtmlEscaped());
}

} // namespace

MapReduceView::MapReduceView(QWidget *parent)
    : JobView(parent)
    , m_title(new QLabel)
    , m_summary(new QLabel)
    , m_progress(new MapReduceProgressPanel)
    , m_error(new QLabel)
    , m_resultPages(new QStackedWidget)
    , m_placeholder(new QLabel)
    , m_results(new MapReduceResultView)
{
    setObjectName(QStringLiteral("mapReduceView"));
    m_title->setObjectName(QStringLiteral("mrTitle"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_summary->setObjectName(QStringLiteral("mrSummary"));
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setObjectName(QStringLiteral("mrProgress"));

    m_error->setObjectName(QStringLiteral("mrError"));
    m_error->setTextFormat(Qt::RichText);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setFrameShape(QFrame::StyledPanel);
    m_error->setMargin(fontMetrics().height() / 2);
    m_error->hide();

    m_placeholder->setObjectName(QStringLiteral("mrPlaceholder"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    m_results->setObjectName(QStringLiteral("mrResults"));
    m_resultPages->addWidget(m_placeholder);
    m_resultPages->addWidget(m_results);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_summary);
    layout->addWidget(m_progress);
    layout->addWidget(m_error);
    layout->addWidget(m_resultPages, 1);

    m_tick.setInterval(TickMs);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        if (m_job && m_job->isRunning())
            m_progress->setProgress(m_job->progress());
    });
    connect(&m_statWatcher, &QFutureWatcherBase::finished, this, [this] {
        m_inputs = m_statWatcher.result();
        updateSummary();
    });
    connect(&m_exportWatcher, &QFutureWatcherBase::finished, this, [this] {
        const QString error = m_exportWatcher.result();
        emit exportFinished(m_exportPath, error.isEmpty() ? m_exportCount : 0, error);
        emit stateChanged();
    });
    connect(m_results, &MapReduceResultView::selectionChanged, this, &JobView::stateChanged);
    connect(m_results, &MapReduceResultView::copied, this, &JobView::copied);
    clear();
}

MapReduceView::~MapReduceView()
{
    if (m_exportCancel)
        m_exportCancel->store(true);
}

void MapReduceView::clear()
{
    detachJob();
    m_spec.reset();
    m_result.reset();
    m_inputs.clear();
    m_batchPath.clear();
    m_title->clear();
    m_summary->clear();
    m_error->hide();
    m_results->clear();
    m_progress->reset(0, 0);
    showPlaceholder({});
    emit stateChanged();
}

void MapReduceView::setBatch(const Batch &batch)
{
    clear();
    if (!batch.mapReduce)
        return;
    m_spec = batch.mapReduce;
    m_batchPath = batch.path;
    const QFileInfo info(batch.path);
    m_title->setText(m_spec->id.isEmpty()
                             ? tr("MapReduce job in %1").arg(info.fileName())
                             : tr("MapReduce job “%1” in %2").arg(m_spec->id, info.fileName()));
    m_title->setToolTip(QDir::toNativeSeparators(info.absoluteFilePath()));
    showPlaceholder(
            tr("Run the job (%1) to count every key of the inputs. The largest totals "
               "and the asked keys appear here.")
                    .arg(QKeySequence(Qt::CTRL | Qt::Key_R).toString(QKeySequence::NativeText)));
    statInputs();
    updateSummary();
}

void MapReduceView::setRunSettings(const RunSettings &settings)
{
    m_settings = settings;
    updateSummary();
}

QString MapReduceView::jobName() const
{
    if (!m_spec)
        return {};
    return m_spec->id.isEmpty() ? QFileInfo(m_batchPath).completeBaseName() : m_spec->id;
}

void MapReduceView::statInputs()
{
    // Looking at files may be slow (a network mount): off the GUI thread.
    m_statWatcher.setFuture(
            QtConcurrent::run(BackgroundPool::instance(), [inputs = m_spec->inputs] {
                QVector<InputInfo> out;
                for (const QString &path : inputs) {
                    InputInfo info;
                    info.path = path;
                    struct stat st = {};
                    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
                        info.error = QString::fromLocal8Bit(std::strerror(errno));
                    else if (!S_ISREG(st.st_mode))
                        info.error = tr("not a regular file");
                    else
                        info.size = qint64(st.st_size);
                    out.append(info);
                }
                return out;
            }));
}

void MapReduceView::updateSummary()
{
    if (!m_spec) {
        m_summary->clear();
        return;
    }
    const MapReduceSpec &spec = *m_spec;
    QStringList lines;

    // Inputs and their sizes, once looked at.
    const bool known = m_inputs.size() == spec.inputs.size();
    qint64 total = 0;
    bool allReadable = known;
    QStringList inputs;
    for (int i = 0; i < spec.inputs.size(); ++i) {
        QString text = pathHtml(spec.inputs[i]);
        if (known) {
            const InputInfo &info = m_inputs[i];
            if (info.size >= 0) {
                total += info.size;
                text += QStringLiteral(" · ") + Formatting::decimalBytes(info.size);
            } else {
                allReadable = false;
                text += QStringLiteral(" · <span style=\"color:%1\">%2</span>")
                                .arg(Red, tr("cannot be read: %1").arg(info.error).toHtmlEscaped());
            }
        }
        if (i < MaxInputsListed)
            inputs << text;
    }
    if (spec.inputs.size() > MaxInputsListed)
        inputs << tr("… and %1 more").arg(Formatting::count(spec.inputs.size() - MaxInputsListed));
    const QString inputHeader
            = spec.inputs.size() == 1 ? tr("Input")
                                      : tr("%1 inputs").arg(Formatting::count(spec.inputs.size()));
    lines << QStringLiteral("%1%2: %3")
                     .arg(inputHeader,
                          allReadable && spec.inputs.size() > 1
                                  ? QStringLiteral(" (<b>%1</b>)")
                                            .arg(Formatting::decimalBytes(total))
                                  : QString(),
                          inputs.join(QStringLiteral("; ")));

    const QString format
            = spec.format == MapFormat::Ngram
                      ? tr("<b>ngram</b> (word, year, match_count, volume_count: sums match_count "
                           "per word)")
                      : tr("<b>text</b> (words separated by whitespace: counts each word)");
    QString chunks;
    if (spec.chunkBytes > 0) {
        chunks = tr("<b>%1</b> (from the batch)").arg(chunkSize(spec.chunkBytes));
    } else if (known && allReadable) {
        const int workers = m_settings.effectiveWorkers();
        chunks = Formatting::counted(workers, tr("<b>%2</b> (chosen for %1 worker)"),
                                     tr("<b>%2</b> (chosen for %1 workers)"))
                         .arg(chunkSize(MapReduceJob::autoChunkBytes(total, workers)));
    } else {
        chunks = tr("chosen when it runs");
    }
    if (known && allReadable) {
        const qint64 bytes
                = spec.chunkBytes > 0
                          ? spec.chunkBytes
                          : MapReduceJob::autoChunkBytes(total, m_settings.effectiveWorkers());
        qint64 count = 0;
        for (const InputInfo &info : std::as_const(m_inputs))
            count += (info.size + bytes - 1) / bytes;
        chunks += Formatting::counted(count, tr(", %1 chunk"), tr(", %1 chunks"));
    }
    lines << tr("Format %1 · chunk size %2").arg(format, chunks);

    QString keys;
    if (spec.keys.isEmpty()) {
        keys = tr("no asked keys");
    } else {
        QStringList shown;
        for (int i = 0; i < spec.keys.size() && i < MaxKeysListed; ++i)
            shown << QStringLiteral("<b>%1</b>")
                             .arg(QString::fromUtf8(spec.keys[i]).toHtmlEscaped());
        if (spec.keys.size() > MaxKeysListed)
            shown << tr("… and %1 more").arg(Formatting::count(spec.keys.size() - MaxKeysListed));
        keys = Formatting::counted(spec.keys.size(), tr("%1 asked key: "), tr("%1 asked keys: "))
               + shown.join(QStringLiteral(", "));
    }
    lines << tr("Top <b>%1</b> · %2").arg(Formatting::count(spec.top), keys);
    m_summary->setText(lines.join(QStringLiteral("<br>")));
    if (!m_job && !m_result && m_error->isHidden()) // not run yet
        m_progress->reset(known && allReadable ? total : 0, 0);
}

void MapReduceView::showBatch(RunSession *session)
{
    setBatch(*session->opened().batch);
}

void MapReduceView::showStartError(const QString &error)
{
    m_progress->setHeadline(tr("Could not start"));
    showError(tr("The job could not start"), {sentence(error)});
    showPlaceholder(tr("No totals: the job did not run."));
    statInputs(); // the summary says which input, too
    emit failedToStart(error);
    emit stateChanged();
}

void MapReduceView::showJob(Job *job)
{
    detachJob();
    m_job = qobject_cast<MapReduceJob *>(job);
    if (!m_job)
        return;
    m_result.reset();
    m_results->clear();
    m_error->hide();
    connect(m_job, &Job::result, this, &MapReduceView::onResult);
    connect(m_job, &Job::stopping, this, [this] { m_progress->setHeadline(tr("Cancelling…")); });
    // The panel starts from the job's totals, then follows it.
    const MapReduceProgress p = m_job->progress();
    m_progress->reset(p.bytesTotal, p.chunksTotal);
    m_progress->setHeadline(tr("Running"));
    m_progress->setProgress(p);
    connect(m_job, &MapReduceJob::progressChanged, m_progress,
            &MapReduceProgressPanel::setProgress);
    showPlaceholder(tr("Counting… The totals appear here when every chunk is done."));
    m_tick.start();
    emit stateChanged();
}

void MapReduceView::detachJob()
{
    m_tick.stop();
    if (MapReduceJob *job = m_job.data()) {
        disconnect(job, nullptr, this, nullptr);
        disconnect(job, nullptr, m_progress, nullptr);
    }
    m_job.clear();
}

void MapReduceView::onResult(Job *job)
{
    if (job->error() == Job::StartError) {
        detachJob();
        showStartError(job->errorText());
        return;
    }
    onFinished(m_job->mapReduceResult());
}

QString MapReduceView::loadedMessage(const QString &fileName) const
{
    return tr("Loaded the MapReduce job of %1: Run counts its keys").arg(fileName);
}

QString MapReduceView::startedMessage(int workers) const
{
    return Formatting::counted(workers, tr("Counting on %1 worker"), tr("Counting on %1 workers"));
}

QString MapReduceView::resultMessage(Job *job) const
{
    const auto *mapReduce = qobject_cast<MapReduceJob *>(job);
    if (!mapReduce)
        return {};
    const MapReduceResult &r = mapReduce->mapReduceResult();
    if (r.succeeded()) {
        QString text = tr("Counted %1 distinct keys in %2")
                               .arg(Formatting::count(r.distinctKeys),
                                    Formatting::milliseconds(double(r.elapsedMs)));
        if (r.badLines > 0)
            text += Formatting::counted(qint64(r.badLines), tr("; %1 bad line skipped"),
                                        tr("; %1 bad lines skipped"));
        return text;
    }
    if (job->error() == Job::KilledError)
        return tr("The job was cancelled; no totals");
    if (job->error() == Job::StartError)
        return tr("The job could not start: %1").arg(job->errorText());
    return tr("The job failed: %1").arg(r.errors.value(0));
}

// A MapReduce job has totals and keys, not tasks: the same actions, named for what they do.
JobView::Wording MapReduceView::wording() const
{
    Wording w;
    w.run = tr("&Run");
    w.runTip = tr("Count the keys of every input: the workers map its chunks, Brigade merges "
                  "them");
    w.exportAll = tr("&Export All Totals…");
    w.exportAllTip = tr("Save every key and its total as CSV or JSON Lines, as brigade run "
                        "--output does");
    w.exportShown = tr("Export &Shown Totals…");
    w.exportShownTip = tr("Save the totals the table shows, in its order");
    w.find = tr("&Filter Keys");
    w.findTip = tr("Type to show only keys that contain the text");
    return w;
}

QString MapReduceView::exportBaseName() const
{
    return QFileInfo(m_batchPath).completeBaseName() + QStringLiteral("-totals");
}

bool MapReduceView::hasSelection() const
{
    return m_results->hasSelection();
}

void MapReduceView::copySelected()
{
    m_results->copySelected();
}

void MapReduceView::focusFilter()
{
    m_results->focusFilter();
}

void MapReduceView::onFinished(const MapReduceResult &result)
{
    m_tick.stop();
    m_progress->finish(result);
    switch (result.status) {
    case MapReduceResult::Status::Succeeded:
        m_progress->setHeadline(result.badLines > 0 ? tr("Finished, with bad lines")
                                                    : tr("Finished"));
        m_result = result;
        m_results->setResult(result);
        m_resultPages->setCurrentWidget(m_results);
        break;
    case MapReduceResult::Status::Cancelled:
        m_progress->setHeadline(tr("Cancelled"));
        showPlaceholder(tr("The job was cancelled before every chunk was counted, so there are "
                           "no totals. Run it again to count them."));
        break;
    case MapReduceResult::Status::Failed: {
        m_progress->setHeadline(tr("Failed"));
        QStringList details;
        for (const QString &e : result.errors)
            details << sentence(e);
        // An input's own problem (it changed, it went away) says more than each chunk that
        // failed because of it: first.
        static const QRegularExpression chunk(QStringLiteral(" bytes \\d+-\\d+: "));
        std::stable_partition(details.begin(), details.end(),
                              [](const QString &d) { return !d.contains(chunk); });
        showError(tr("The job failed, so there are no totals"), details);
        showPlaceholder(tr("No totals: the job failed (see above)."));
        break;
    }
    }
    detachJob();
    emit finished(result);
    emit stateChanged();
}

void MapReduceView::showError(const QString &title, const QStringList &details)
{
    QStringList items;
    for (qsizetype i = 0; i < details.size() && i < MaxErrorsListed; ++i)
        items << QStringLiteral("<li>%1</li>").arg(details[i].toHtmlEscaped());
    if (details.size() > MaxErrorsListed)
        items << QStringLiteral("<li>%1</li>")
                         .arg(tr("… and %1 more").arg(details.size() - MaxErrorsListed));
    m_error->setText(QStringLiteral("<span style=\"color:%1\">&#9888;</span> <b>%2</b>"
                                    "<ul style=\"margin-left:0; -qt-list-indent:1\">%3</ul>")
                             .arg(Red, title.toHtmlEscaped(), items.join(QString())));
    m_error->show();
}

void MapReduceView::showPlaceholder(const QString &text)
{
    m_placeholder->setText(text);
    m_resultPages->setCurrentWidget(m_placeholder);
}

void MapReduceView::exportResults(const QString &path, bool shownOnly)
{
    if (!hasResult()) {
        emit exportFinished(path, 0, tr("There are no totals to export"));
        return;
    }
    if (isExporting()) {
        emit exportFinished(path, 0, tr("An export is already being written"));
        return;
    }
    m_exportPath = path;
    m_exportCancel = std::make_shared<std::atomic_bool>(false);
    if (shownOnly) {
        const std::shared_ptr<const MapReduceRows> rows = m_results->model()->rows();
        if (!rows) {
            emit exportFinished(path, 0, tr("The totals are still being prepared"));
            return;
        }
        const QVector<int> order = m_results->model()->shownRows();
        m_exportCount = order.size();
        m_exportWatcher.setFuture(QtConcurrent::run(
                BackgroundPool::instance(), [rows, order, path, cancel = m_exportCancel] {
                    QString error;
                    TotalsWriter::write(rows->rows, order, path, &error, cancel.get());
                    return error;
                }));
    } else {
        m_exportCount = m_result->distinctKeys;
        m_exportWatcher.setFuture(
                QtConcurrent::run(BackgroundPool::instance(),
                                  [table = m_result->table, path, cancel = m_exportCancel] {
                                      QString error;
                                      TotalsWriter::write(*table, path, &error, cancel.get());
                                      return error;
                                  }));
    }
    emit stateChanged();
}

} // namespace Brigade
