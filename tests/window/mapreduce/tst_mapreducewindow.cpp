// MapReduce jobs in the real main window: open a job, run it with real workers on generated
// inputs (ngram and text, a few MB, with bad lines), and check what the window shows against
// a plain single-threaded count; sort, filter, copy, export, cancel, and inputs that cannot
// be read or change during the run.
#include "MapReduceReference.h"
#include "Sanitizers.h"
#include "mapreduce/MapReduceJob.h"
#include "window/MainWindow.h"
#include "window/StallProbe.h"
#include "window/mapreduce/MapReduceProgressPanel.h"
#include "window/mapreduce/MapReduceResultView.h"
#include "window/mapreduce/MapReduceRows.h"
#include "window/mapreduce/MapReduceTableModel.h"
#include "window/mapreduce/MapReduceView.h"
#include "window/notify/RunEndNotifier.h"
#include "window/tasks/ProgressPanel.h"
#include "window/workers/CorePanel.h"
#include "window/workers/LoadChart.h"
#include "window/workers/WorkerTableModel.h"

#include <QAction>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <functional>
#include <memory>

using namespace Brigade;
using Test::MapReduceReference;

namespace {

// The GUI thread's longest stall allowed while a large job runs: generous for a shared
// machine, twice that under a sanitizer, which slows the GUI thread's own small work too.
constexpr qint64 StallBoundMs = Test::SanitizerSlowdown > 1 ? 500 : 250;

using Totals = QList<QPair<QByteArray, quint64>>;

// Largest first, ties in byte order of the key: the order of the CLI and the exports.
Totals sortedTotals(const QHash<QByteArray, quint64> &totals)
{
    Totals out;
    out.reserve(totals.size());
    for (auto it = totals.cbegin(); it != totals.cend(); ++it)
        out.append({it.key(), it.value()});
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    return out;
}

QByteArray csvField(const QByteArray &key)
{
    if (!key.contains(',') && !key.contains('"') && !key.contains('\n') && !key.contains('\r'))
        return key;
    QByteArray out = "\"";
    for (char c : key) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + '"';
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

} // namespace

class tst_MapReduceWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void ngramJobMatchesTheReference();
    void textJobOverTwoInputs();
    void sortsByEachColumn();
    void filtersAndCopiesRows();
    void exportsTheCliRecords();
    void cancelMidRun();
    void unreadableInputSaysWhy();
    void jobEndIsAnnouncedLikeARun();
    void inputChangedDuringTheRun();
    void progressIsCoalesced();
    void switchesBetweenJobsAndTasks();
    void millionRowsSortAndFilterOffTheGuiThread();
    void largeJobKeepsTheWindowResponsive();

private:
    QString writeJob(const QString &name, const QJsonObject &mapreduce,
                     const QString &id = QStringLiteral("job"));
    bool load(const QString &path);
    bool runJob(QAction *trigger = nullptr);
    MapReduceView *view() const { return m_window->mapReduceView(); }
    MapReduceTableModel *model() const { return view()->resultView()->model(); }
    QString cell(int viewRow, TotalsColumn column) const;
    int viewRowOf(const QByteArray &key) const;
    bool waitOrdered();
    void checkTotals(const MapReduceReference &ref, int top, const QList<QByteArray> &keys);
    QAction *action(MainWindow::Action a) const { return m_window->action(a); }

    QTemporaryDir m_dir;
    QString m_ngramPath;
    QByteArray m_ngram;
    MapReduceReference m_ngramRef;
    QString m_textPathA;
    QString m_textPathB;
    MapReduceReference m_textRef; // both text files
    std::unique_ptr<MainWindow> m_window;
    MapReduceResult m_result; // of the last runJob()
};

void tst_MapReduceWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("BrigadeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mapreducewindow"));
    QSettings().clear();
    qRegisterMetaType<MapReduceResult>();
    qRegisterMetaType<MapReduceProgress>();
    QVERIFY(m_dir.isValid());

    // About 4 MB of n-grams with bad lines, CRLF and empty lines, and keys that CSV quotes.
    // A sorted part (runs of one word, as in Google Books files) and a shuffled part.
    m_ngram = MapReduceReference::generateNgram(60000, 7, true);
    QVERIFY(m_ngram.endsWith('\n'));
    m_ngram += MapReduceReference::generateNgram(160000, 8, true, false);
    QVERIFY(m_ngram.endsWith('\n'));
    m_ngram += "comma,key\t2001\t5\t1\nquote\"key\t2001\t7\t2\n";
    m_ngramRef = MapReduceReference::ngram(m_ngram);
    QVERIFY(m_ngramRef.badLines > 20);
    QVERIFY(m_ngramRef.totals.size() > 200);
    QVERIFY(m_ngramRef.totals.contains("caf\xc3\xa9"));
    QVERIFY(m_ngram.size() > 3'000'000);
    m_ngramPath = m_dir.filePath(QStringLiteral("books.tsv"));
    QVERIFY(writeFile(m_ngramPath, m_ngram));

    // About 3 MB of words over two files, counted file by file.
    const QByteArray a = MapReduceReference::generateText(40000, 11);
    const QByteArray b = MapReduceReference::generateText(30001, 12);
    QVERIFY(a.size() + b.size() > 2'000'000);
    m_textPathA = m_dir.filePath(QStringLiteral("words-a.txt"));
    m_textPathB = m_dir.filePath(QStringLiteral("words-b.txt"));
    QVERIFY(writeFile(m_textPathA, a));
    QVERIFY(writeFile(m_textPathB, b));
    m_textRef = MapReduceReference::text(a);
    const MapReduceReference refB = MapReduceReference::text(b);
    for (auto it = refB.totals.cbegin(); it != refB.totals.cend(); ++it)
        m_textRef.totals[it.key()] += it.value();
    m_textRef.lines += refB.lines;
}

void tst_MapReduceWindow::init()
{
    m_window = std::make_unique<MainWindow>();
    RunSettings s = m_window->runSettings();
    s.workerProgram = QStringLiteral(BRIGADE_WORKER_PATH);
    s.workers = 2;
    s.maxAttempts = 2;
    s.seed = 1;
    m_window->setRunSettings(s);
    m_window->show();
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_result = MapReduceResult();
}

void tst_MapReduceWindow::cleanup()
{
    m_window.reset();
}

QString tst_MapReduceWindow::writeJob(const QString &name, const QJsonObject &mapreduce,
                                      const QString &id)
{
    const QString path = m_dir.filePath(name);
    QJsonObject line{{QStringLiteral("mapreduce"), mapreduce}};
    if (!id.isEmpty())
        line.insert(QStringLiteral("id"), id);
    return writeFile(path, QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n') ? path
                                                                                      : QString();
}

bool tst_MapReduceWindow::load(const QString &path)
{
    QSignalSpy loaded(m_window.get(), &MainWindow::batchLoaded);
    m_window->openBatch(path); // what File › Open, drops, recent files and argv all call
    return loaded.wait(20000);
}

bool tst_MapReduceWindow::runJob(QAction *trigger)
{
    QSignalSpy finished(view(), &MapReduceView::finished);
    QSignalSpy shown(view()->resultView(), &MapReduceResultView::rowsShown);
    QAction *run = trigger ? trigger : action(MainWindow::Action::Run);
    if (!run->isEnabled())
        return false;
    run->trigger();
    if (!finished.wait(120000))
        return false;
    m_result = finished.first().first().value<MapReduceResult>();
    if (m_result.succeeded() && shown.isEmpty() && !shown.wait(30000))
        return false;
    return true;
}

QString tst_MapReduceWindow::cell(int viewRow, TotalsColumn column) const
{
    return model()->data(model()->index(viewRow, int(column))).toString();
}

int tst_MapReduceWindow::viewRowOf(const QByteArray &key) const
{
    for (int r = 0; r < model()->rowCount(); ++r) {
        if (model()->data(model()->index(r, 0), MapReduceTableModel::KeyRole).toByteArray() == key)
            return r;
    }
    return -1;
}

bool tst_MapReduceWindow::waitOrdered()
{
    // An order is computed off the GUI thread; wait until none is pending (a request just
    // made may still be queued: let it start first).
    QCoreApplication::processEvents();
    return QTest::qWaitFor([this] { return !model()->isOrdering(); }, 30000);
}

// The table in rank order holds exactly the reference's top totals, then the asked keys
// that are not among them, marked, with total 0 for those that never occur.
void tst_MapReduceWindow::checkTotals(const MapReduceReference &ref, int top,
                                      const QList<QByteArray> &keys)
{
    const Totals expected = sortedTotals(ref.totals);
    const int topCount = qMin(top, int(expected.size()));
    QSet<QByteArray> inTop;
    for (int i = 0; i < topCount; ++i)
        inTop.insert(expected[i].first);
    QList<QByteArray> extra;
    for (const QByteArray &k : keys) {
        if (!inTop.contains(k) && !extra.contains(k))
            extra.append(k);
    }
    QCOMPARE(model()->rowCount(), topCount + int(extra.size()));
    const QLocale locale;
    for (int r = 0; r < topCount; ++r) {
        const QModelIndex key = model()->index(r, int(TotalsColumn::Key));
        QCOMPARE(model()->data(key, MapReduceTableModel::KeyRole).toByteArray(), expected[r].first);
        QCOMPARE(model()->data(key, MapReduceTableModel::TotalRole).toULongLong(),
                 expected[r].second);
        QCOMPARE(cell(r, TotalsColumn::Rank), locale.toString(r + 1));
        QCOMPARE(cell(r, TotalsColumn::Total), locale.toString(qulonglong(expected[r].second)));
        QCOMPARE(model()->data(key, MapReduceTableModel::AskedRole).toBool(),
                 keys.contains(expected[r].first));
    }
    for (int i = 0; i < extra.size(); ++i) {
        const int r = topCount + i;
        const QModelIndex key = model()->index(r, int(TotalsColumn::Key));
        QCOMPARE(model()->data(key, MapReduceTableModel::KeyRole).toByteArray(), extra[i]);
        QCOMPARE(model()->data(key, MapReduceTableModel::TotalRole).toULongLong(),
                 ref.totals.value(extra[i], 0));
        QCOMPARE(model()->data(key, MapReduceTableModel::FoundRole).toBool(),
                 ref.totals.contains(extra[i]));
        QVERIFY(model()->data(key, MapReduceTableModel::AskedRole).toBool());
        QVERIFY(!model()->data(key, Qt::DecorationRole).isNull()); // marked
        QCOMPARE(cell(r, TotalsColumn::Rank), QString());
    }
    // The figures above the table.
    quint64 grand = 0;
    for (quint64 t : ref.totals)
        grand += t;
    QCOMPARE(m_result.distinctKeys, qint64(ref.totals.size()));
    QCOMPARE(m_result.totalCount, grand);
    QCOMPARE(m_result.lines, ref.lines);
    QCOMPARE(m_result.badLines, ref.badLines);
    const QString figures = view()->resultView()->figures()->text();
    QVERIFY2(figures.contains(locale.toString(qlonglong(ref.totals.size()))), qPrintable(figures));
    QVERIFY2(figures.contains(locale.toString(qulonglong(grand))), qPrintable(figures));
    QVERIFY2(figures.contains(locale.toString(qulonglong(ref.lines))), qPrintable(figures));
}

void tst_MapReduceWindow::ngramJobMatchesTheReference()
{
    const QList<QByteArray> keys = {"Aardvark", "w7", "caf\xc3\xa9", "never-seen", "w7"};
    QJsonArray keyArray;
    for (const QByteArray &k : keys)
        keyArray.append(QString::fromUtf8(k));
    const QString path = writeJob(QStringLiteral("books.jsonl"),
                                  {{QStringLiteral("input"), QFileInfo(m_ngramPath).fileName()},
                                   {QStringLiteral("format"), QStringLiteral("ngram")},
                                   {QStringLiteral("top"), 25},
                                   {QStringLiteral("keys"), keyArray}},
                                  QStringLiteral("books"));
    QVERIFY(load(path));

    // The job's page, not the task table, with what the job will do.
    QVERIFY(view()->isVisible());
    QVERIFY(!m_window->taskView()->isVisible());
    const QLocale locale;
    QTRY_VERIFY(view()->summary()->text().contains(QLatin1String("MB")));
    const QString summary = view()->summary()->text();
    QVERIFY2(summary.contains(QLatin1String("books.tsv")), qPrintable(summary));
    QVERIFY2(summary.contains(
                     locale.formattedDataSize(m_ngram.size(), 1, QLocale::DataSizeSIFormat)),
             qPrintable(summary));
    QVERIFY2(summary.contains(QLatin1String("<b>ngram</b>")), qPrintable(summary));
    QVERIFY2(summary.contains(QLatin1String("Top <b>25</b>")), qPrintable(summary));
    QVERIFY2(summary.contains(QLatin1String("<b>never-seen</b>")), qPrintable(summary));
    // The chunk size the job will choose for the workers of the settings.
    const qint64 chunk = MapReduceJob::autoChunkBytes(m_ngram.size(), 2);
    const qint64 chunks = (m_ngram.size() + chunk - 1) / chunk;
    QVERIFY2(summary.contains(QLatin1String("chosen for 2 workers")), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("%1 chunks").arg(chunks)), qPrintable(summary));
    // The settings dialog's values apply: fewer workers, another chunk size.
    RunSettings one = m_window->runSettings();
    one.workers = 1;
    m_window->setRunSettings(one);
    QVERIFY2(view()->summary()->text().contains(QLatin1String("chosen for 1 worker)")),
             qPrintable(view()->summary()->text()));
    RunSettings two = one;
    two.workers = 2;
    m_window->setRunSettings(two);

    // Only what makes sense for one job.
    QVERIFY(action(MainWindow::Action::Run)->isEnabled());
    QVERIFY(!action(MainWindow::Action::Cancel)->isEnabled());
    QVERIFY(!action(MainWindow::Action::Pause)->isEnabled());
    QVERIFY(!action(MainWindow::Action::Resume)->isEnabled());
    QVERIFY(!action(MainWindow::Action::RetryFailed)->isEnabled());
    QVERIFY(!action(MainWindow::Action::RetrySelected)->isEnabled());
    QVERIFY(!action(MainWindow::Action::CancelSelected)->isEnabled());
    QVERIFY(!action(MainWindow::Action::ExportAll)->isEnabled()); // no totals yet

    // Run with its shortcut; while it runs, Cancel is the way out.
    QSignalSpy started(m_window.get(), &MainWindow::runStarted);
    QSignalSpy finished(view(), &MapReduceView::finished);
    QSignalSpy shown(view()->resultView(), &MapReduceResultView::rowsShown);
    QTest::keySequence(m_window.get(), action(MainWindow::Action::Run)->shortcut());
    QCOMPARE(started.count(), 1);
    QVERIFY(m_window->isRunning());
    QVERIFY(!action(MainWindow::Action::Run)->isEnabled());
    QVERIFY(action(MainWindow::Action::Cancel)->isEnabled());
    QVERIFY(!action(MainWindow::Action::Pause)->isEnabled());
    QCOMPARE(view()->progressPanel()->headline(), QStringLiteral("Running"));
    QVERIFY(finished.wait(120000));
    QVERIFY(shown.count() > 0 || shown.wait(30000));
    m_result = finished.first().first().value<MapReduceResult>();
    QVERIFY2(m_result.succeeded(), qPrintable(m_result.errors.join(QLatin1Char('\n'))));
    QVERIFY(!m_window->isRunning());

    checkTotals(m_ngramRef, 25, keys);
    if (QTest::currentTestFailed())
        return;
    const int asked = viewRowOf("never-seen");
    QVERIFY(asked >= 0);
    QCOMPARE(cell(asked, TotalsColumn::Total), QStringLiteral("0"));
    QVERIFY(!model()->data(model()->index(asked, 0), Qt::ForegroundRole).isNull()); // dimmed

    // Progress ended at every chunk and byte.
    const MapReduceProgress &p = view()->progressPanel()->shown();
    QCOMPARE(p.chunksTotal, int(chunks));
    QCOMPARE(p.chunksDone, p.chunksTotal);
    QCOMPARE(p.bytesDone, qint64(m_ngram.size()));
    QCOMPARE(p.bytesTotal, qint64(m_ngram.size()));
    QCOMPARE(view()->progressPanel()->headline(), QStringLiteral("Finished, with bad lines"));
    auto *chunkLabel = view()->findChild<QLabel *>(QStringLiteral("mrChunks"));
    QVERIFY(chunkLabel);
    QVERIFY2(chunkLabel->text().contains(QStringLiteral("%1 of %1 chunks").arg(chunks)),
             qPrintable(chunkLabel->text()));

    // Bad lines: the count, and the first ten as file:line: why, in file order.
    const QStringList bad = view()->resultView()->badLines();
    QCOMPARE(bad.size(), 10);
    for (int i = 0; i < bad.size(); ++i) {
        const QString prefix
                = QStringLiteral("%1:%2: ").arg(m_ngramPath).arg(m_ngramRef.badLineNumbers[i]);
        QVERIFY2(bad[i].startsWith(prefix), qPrintable(bad[i] + QStringLiteral(" vs ") + prefix));
        QVERIFY(bad[i].size() > prefix.size() + 3); // and why
    }
    auto *badHeader = view()->findChild<QLabel *>(QStringLiteral("mrBadLinesHeader"));
    QVERIFY(badHeader && badHeader->isVisible());
    QVERIFY2(badHeader->text().contains(locale.toString(qulonglong(m_ngramRef.badLines))),
             qPrintable(badHeader->text()));

    // The cores and workers dock followed the job's own engine.
    QCOMPARE(m_window->corePanel()->workers()->rowCount(), 2);
    QVERIFY(m_window->corePanel()->chart()->sampleCount() > 0);

    // Done: export and run again are possible; a second run gives the same totals.
    QVERIFY(action(MainWindow::Action::ExportAll)->isEnabled());
    QVERIFY(action(MainWindow::Action::ExportShown)->isEnabled());
    QVERIFY(action(MainWindow::Action::Run)->isEnabled());
    QVERIFY(m_window->statusBar()->currentMessage().contains(
            locale.toString(qlonglong(m_ngramRef.totals.size()))));
    QVERIFY(runJob());
    QVERIFY(m_result.succeeded());
    checkTotals(m_ngramRef, 25, keys);
}

void tst_MapReduceWindow::textJobOverTwoInputs()
{
    const QList<QByteArray> keys = {"the", "\xe6\x97\xa5\xe6\x9c\xac", "absent"};
    QJsonArray keyArray;
    for (const QByteArray &k : keys)
        keyArray.append(QString::fromUtf8(k));
    const QString path = writeJob(
            QStringLiteral("words.jsonl"),
            {{QStringLiteral("input"), QJsonArray{QFileInfo(m_textPathA).fileName(), m_textPathB}},
             {QStringLiteral("format"), QStringLiteral("text")},
             {QStringLiteral("top"), 60},
             {QStringLiteral("chunk_bytes"), 256 * 1024},
             {QStringLiteral("keys"), keyArray}});
    QVERIFY(load(path));
    const qint64 sizeA = QFileInfo(m_textPathA).size(), sizeB = QFileInfo(m_textPathB).size();
    const qint64 chunks
            = (sizeA + 256 * 1024 - 1) / (256 * 1024) + (sizeB + 256 * 1024 - 1) / (256 * 1024);
    QTRY_VERIFY(view()->summary()->text().contains(QLatin1String(" chunks")));
    const QString summary = view()->summary()->text();
    QVERIFY2(summary.contains(QLatin1String("2 inputs")), qPrintable(summary));
    QVERIFY2(summary.contains(QLatin1String("words-a.txt")), qPrintable(summary));
    QVERIFY2(summary.contains(QLatin1String("words-b.txt")), qPrintable(summary));
    QVERIFY2(summary.contains(QLatin1String("<b>text</b>")), qPrintable(summary));
    QVERIFY2(summary.contains(QLatin1String("256 KiB")), qPrintable(summary));
    QVERIFY2(summary.contains(QStringLiteral("%1 chunks").arg(chunks)), qPrintable(summary));

    QVERIFY(runJob());
    QVERIFY2(m_result.succeeded(), qPrintable(m_result.errors.join(QLatin1Char('\n'))));
    QCOMPARE(m_result.chunks, int(chunks));
    checkTotals(m_textRef, 60, keys);
    // Text has no bad lines: nothing listed.
    QVERIFY(view()->resultView()->badLines().isEmpty());
    QVERIFY(!view()->findChild<QLabel *>(QStringLiteral("mrBadLinesHeader"))->isVisible());
    QCOMPARE(view()->progressPanel()->headline(), QStringLiteral("Finished"));
}

void tst_MapReduceWindow::sortsByEachColumn()
{
    const QString path
            = writeJob(QStringLiteral("sort.jsonl"),
                       {{QStringLiteral("input"), m_ngramPath},
                        {QStringLiteral("format"), QStringLiteral("ngram")},
                        {QStringLiteral("top"), 150},
                        {QStringLiteral("keys"), QJsonArray{"never-seen", "Zebra", "x"}}});
    QVERIFY(load(path));
    QVERIFY(runJob());
    QVERIFY(m_result.succeeded());
    const int n = model()->rowCount();
    QVERIFY(n >= 150);
    QTableView *table = view()->resultView()->table();
    const auto keyAt = [&](int r) {
        return model()->data(model()->index(r, 0), MapReduceTableModel::KeyRole).toByteArray();
    };
    const auto totalAt = [&](int r) {
        return model()->data(model()->index(r, 0), MapReduceTableModel::TotalRole).toULongLong();
    };
    const auto rowAt = [&](int r) {
        return model()->data(model()->index(r, 0), MapReduceTableModel::RowRole).toInt();
    };

    // Clicking a header: Total starts with the largest, Key with the smallest.
    QHeaderView *header = table->horizontalHeader();
    const auto click = [&](TotalsColumn column) {
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                          QPoint(header->sectionViewportPosition(int(column))
                                         + header->sectionSize(int(column)) / 2,
                                 header->height() / 2));
    };

    click(TotalsColumn::Key);
    QCOMPARE(header->sortIndicatorSection(), int(TotalsColumn::Key));
    QCOMPARE(header->sortIndicatorOrder(), Qt::AscendingOrder);
    QVERIFY(waitOrdered());
    QCOMPARE(model()->rowCount(), n);
    for (int r = 1; r < n; ++r)
        QVERIFY2(keyAt(r - 1) < keyAt(r), qPrintable(QString::number(r)));
    click(TotalsColumn::Key);
    QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);
    QVERIFY(waitOrdered());
    for (int r = 1; r < n; ++r)
        QVERIFY(keyAt(r - 1) > keyAt(r));

    click(TotalsColumn::Total);
    QCOMPARE(header->sortIndicatorSection(), int(TotalsColumn::Total));
    QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);
    QVERIFY(waitOrdered());
    for (int r = 1; r < n; ++r) {
        QVERIFY(totalAt(r - 1) >= totalAt(r));
        if (totalAt(r - 1) == totalAt(r))
            QVERIFY(keyAt(r - 1) < keyAt(r)); // ties in byte order, as the CLI
    }
    QCOMPARE(keyAt(n - 1), QByteArray("never-seen")); // total 0 comes last
    QCOMPARE(rowAt(0), 0);                            // the largest total is rank 1
    click(TotalsColumn::Total);
    QCOMPARE(header->sortIndicatorOrder(), Qt::AscendingOrder);
    QVERIFY(waitOrdered());
    QCOMPARE(keyAt(0), QByteArray("never-seen"));
    for (int r = 1; r < n; ++r)
        QVERIFY(totalAt(r - 1) <= totalAt(r));

    table->sortByColumn(int(TotalsColumn::Share), Qt::DescendingOrder);
    QVERIFY(waitOrdered());
    double previous = 101;
    for (int r = 0; r < n; ++r) {
        QString share = cell(r, TotalsColumn::Share);
        share.remove(QLatin1String(" %")).remove(QLatin1String("< "));
        const double v = QLocale().toDouble(share);
        QVERIFY2(v <= previous, qPrintable(cell(r, TotalsColumn::Share)));
        previous = v;
    }

    table->sortByColumn(int(TotalsColumn::Rank), Qt::DescendingOrder);
    QVERIFY(waitOrdered());
    for (int r = 0; r < n; ++r)
        QCOMPARE(rowAt(r), n - 1 - r);
    table->sortByColumn(int(TotalsColumn::Rank), Qt::AscendingOrder);
    QVERIFY(waitOrdered());
    for (int r = 0; r < n; ++r)
        QCOMPARE(rowAt(r), r);
    QCOMPARE(cell(0, TotalsColumn::Rank), QStringLiteral("1"));

    // The selection follows its rows through a sort.
    table->selectionModel()->select(model()->index(3, 0), QItemSelectionModel::ClearAndSelect
                                                                  | QItemSelectionModel::Rows);
    const QByteArray selected = keyAt(3);
    table->sortByColumn(int(TotalsColumn::Key), Qt::AscendingOrder);
    QVERIFY(waitOrdered());
    const QModelIndexList rows = table->selectionModel()->selectedRows();
    QCOMPARE(rows.size(), 1);
    QCOMPARE(keyAt(rows.first().row()), selected);
}

void tst_MapReduceWindow::filtersAndCopiesRows()
{
    const QString path = writeJob(QStringLiteral("filter.jsonl"),
                                  {{QStringLiteral("input"), m_ngramPath},
                                   {QStringLiteral("format"), QStringLiteral("ngram")},
                                   {QStringLiteral("top"), 1000},
                                   {QStringLiteral("keys"), QJsonArray{"ab", "never-seen"}}});
    QVERIFY(load(path));
    QVERIFY(runJob());
    QVERIFY(m_result.succeeded());
    const int all = m_ngramRef.totals.size() + 1; // every key, and never-seen
    QCOMPARE(model()->rowCount(), all);
    const auto keyAt = [&](int r) {
        return model()->data(model()->index(r, 0), MapReduceTableModel::KeyRole).toByteArray();
    };
    const auto countMatching = [&](const std::function<bool(const QByteArray &)> &match) {
        int n = match("never-seen") ? 1 : 0;
        for (auto it = m_ngramRef.totals.cbegin(); it != m_ngramRef.totals.cend(); ++it)
            n += match(it.key()) ? 1 : 0;
        return n;
    };

    // Find focuses the filter; typing filters after a pause, ASCII letters in either case.
    action(MainWindow::Action::Find)->trigger();
    QLineEdit *filter = view()->resultView()->textFilter();
    QVERIFY(filter->hasFocus());
    QTest::keyClicks(filter, QStringLiteral("AB"));
    const int ab = countMatching([](const QByteArray &k) { return k.toLower().contains("ab"); });
    QVERIFY(ab >= 3 && ab < all); // Ab, ab, AB at least
    QTRY_COMPARE(model()->rowCount(), ab);
    QVERIFY(waitOrdered());
    for (int r = 0; r < model()->rowCount(); ++r) {
        QVERIFY(keyAt(r).toLower().contains("ab"));
        if (r > 0) // still in rank order
            QVERIFY(model()->data(model()->index(r - 1, 0), MapReduceTableModel::RowRole).toInt()
                    < model()->data(model()->index(r, 0), MapReduceTableModel::RowRole).toInt());
    }
    auto *shownLabel = view()->findChild<QLabel *>(QStringLiteral("mrShownLabel"));
    QVERIFY2(shownLabel->text().startsWith(QStringLiteral("%1 of %2").arg(ab).arg(all)),
             qPrintable(shownLabel->text()));

    // A needle beyond ASCII folds case too.
    filter->setText(QStringLiteral("CAFÉ"));
    QTRY_COMPARE(model()->rowCount(), 1);
    QCOMPARE(keyAt(0), QByteArray("caf\xc3\xa9"));
    filter->setText(QStringLiteral("no key has this"));
    QTRY_COMPARE(model()->rowCount(), 0);

    // Only the asked keys; then only the top totals.
    filter->clear();
    QComboBox *subset = view()->resultView()->subsetFilter();
    subset->setCurrentIndex(subset->findData(int(MapReduceQuery::Subset::Asked)));
    QTRY_COMPARE(model()->rowCount(), 2);
    QVERIFY(waitOrdered());
    QCOMPARE(keyAt(0), QByteArray("ab"));
    QCOMPARE(keyAt(1), QByteArray("never-seen"));
    subset->setCurrentIndex(subset->findData(int(MapReduceQuery::Subset::Top)));
    QTRY_COMPARE(model()->rowCount(), all - 1);
    QVERIFY(waitOrdered());
    QVERIFY(viewRowOf("never-seen") < 0);
    QVERIFY(viewRowOf("ab") >= 0);
    subset->setCurrentIndex(subset->findData(int(MapReduceQuery::Subset::All)));
    QTRY_COMPARE(model()->rowCount(), all);

    // Copy rows: the selected rows in view order, tab-separated, with a header.
    QTableView *table = view()->resultView()->table();
    QVERIFY(!action(MainWindow::Action::Copy)->isEnabled());
    table->selectionModel()->select(
            QItemSelection(model()->index(0, 0), model()->index(2, int(TotalsColumn::Count) - 1)),
            QItemSelectionModel::ClearAndSelect);
    QVERIFY(action(MainWindow::Action::Copy)->isEnabled());
    QGuiApplication::clipboard()->clear();
    action(MainWindow::Action::Copy)->trigger();
    QTRY_VERIFY(!QGuiApplication::clipboard()->text().isEmpty());
    const QStringList lines
            = QGuiApplication::clipboard()->text().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4);
    QCOMPARE(lines[0], QStringLiteral("Rank\tKey\tTotal\tShare"));
    const Totals expected = sortedTotals(m_ngramRef.totals);
    for (int i = 0; i < 3; ++i) {
        const QStringList fields = lines[i + 1].split(QLatin1Char('\t'));
        QCOMPARE(fields.size(), 4);
        QCOMPARE(fields[0], QLocale().toString(i + 1));
        QCOMPARE(fields[1].toUtf8(), expected[i].first);
        QCOMPARE(fields[2], QString::number(expected[i].second));
    }
}

void tst_MapReduceWindow::exportsTheCliRecords()
{
    const QString path = writeJob(QStringLiteral("export.jsonl"),
                                  {{QStringLiteral("input"), m_ngramPath},
                                   {QStringLiteral("format"), QStringLiteral("ngram")},
                                   {QStringLiteral("top"), 10},
                                   {QStringLiteral("keys"), QJsonArray{"never-seen"}}});
    QVERIFY(load(path));
    QVERIFY(runJob());
    QVERIFY(m_result.succeeded());

    // Every key, largest first: the same bytes as `brigade run --output`.
    QByteArray expectedCsv = "key,total\n";
    QByteArray expectedJson;
    for (const auto &[key, total] : sortedTotals(m_ngramRef.totals)) {
        expectedCsv += csvField(key) + ',' + QByteArray::number(total) + '\n';
        expectedJson += QJsonDocument(QJsonObject{{QStringLiteral("key"), QString::fromUtf8(key)}})
                                .toJson(QJsonDocument::Compact)
                                .chopped(1)
                        + ",\"total\":" + QByteArray::number(total) + "}\n";
    }
    QVERIFY(expectedCsv.contains("\"comma,key\",5\n"));
    QVERIFY(expectedCsv.contains("\"quote\"\"key\",7\n"));
    const QString csv = m_dir.filePath(QStringLiteral("all.csv"));
    const QString jsonl = m_dir.filePath(QStringLiteral("all.jsonl"));
    for (const QString &out : {csv, jsonl}) {
        QSignalSpy exported(m_window.get(), &MainWindow::exportFinished);
        m_window->exportResults(out, false);
        QVERIFY(exported.wait(30000));
        QCOMPARE(exported.first().at(2).toString(), QString());
        QCOMPARE(exported.first().at(1).toLongLong(), qint64(m_ngramRef.totals.size()));
    }
    QCOMPARE(readFile(csv), expectedCsv);
    QCOMPARE(readFile(jsonl), expectedJson);

    QProcess cli;
    const QString cliOut = m_dir.filePath(QStringLiteral("cli.csv"));
    cli.start(QStringLiteral(BRIGADE_APP_PATH),
              {QStringLiteral("run"), path, QStringLiteral("--output"), cliOut,
               QStringLiteral("--workers"), QStringLiteral("2"), QStringLiteral("--progress"),
               QStringLiteral("none")});
    QVERIFY(cli.waitForFinished(120000));
    QCOMPARE(cli.exitCode(), 0);
    QCOMPARE(readFile(csv), readFile(cliOut));

    // The rows shown, in view order: the asked key that never occurs too, with total 0.
    view()->resultView()->table()->sortByColumn(int(TotalsColumn::Key), Qt::AscendingOrder);
    QVERIFY(waitOrdered());
    QByteArray expectedShown;
    for (int r = 0; r < model()->rowCount(); ++r) {
        const QModelIndex i = model()->index(r, 0);
        expectedShown += "{\"key\":\""
                         + model()->data(i, MapReduceTableModel::KeyRole).toByteArray()
                         + "\",\"total\":"
                         + QByteArray::number(
                                 model()->data(i, MapReduceTableModel::TotalRole).toULongLong())
                         + "}\n";
    }
    QCOMPARE(expectedShown.count('\n'), 11);
    QVERIFY(expectedShown.contains("{\"key\":\"never-seen\",\"total\":0}\n"));
    const QString shown = m_dir.filePath(QStringLiteral("shown.jsonl"));
    QSignalSpy exported(m_window.get(), &MainWindow::exportFinished);
    m_window->exportResults(shown, true);
    QVERIFY(exported.wait(30000));
    QCOMPARE(exported.first().at(1).toLongLong(), qint64(11));
    QCOMPARE(readFile(shown), expectedShown);

    // A place that cannot be written: an error in words, not a crash.
    QSignalSpy failed(m_window.get(), &MainWindow::exportFinished);
    m_window->exportResults(m_dir.filePath(QStringLiteral("no/such/dir/x.csv")), false);
    QVERIFY(failed.wait(30000));
    QVERIFY2(failed.first().at(2).toString().contains(QLatin1String("cannot write")),
             qPrintable(failed.first().at(2).toString()));
}

void tst_MapReduceWindow::cancelMidRun()
{
    // Tiny chunks: thousands of them, so the job is far from done when Cancel lands.
    const QString path = writeJob(QStringLiteral("cancel.jsonl"),
                                  {{QStringLiteral("input"), m_ngramPath},
                                   {QStringLiteral("format"), QStringLiteral("ngram")},
                                   {QStringLiteral("chunk_bytes"), 512}});
    QVERIFY(load(path));
    QSignalSpy finished(view(), &MapReduceView::finished);
    bool cancelled = false;
    connect(view()->progressPanel(), &MapReduceProgressPanel::updated, this, [&] {
        if (!cancelled && view()->progressPanel()->shown().chunksDone > 0) {
            cancelled = true;
            QVERIFY(action(MainWindow::Action::Cancel)->isEnabled());
            QTest::keySequence(m_window.get(), action(MainWindow::Action::Cancel)->shortcut());
        }
    });
    action(MainWindow::Action::Run)->trigger();
    QVERIFY(m_window->isRunning());
    QVERIFY(finished.wait(120000));
    QVERIFY(cancelled);
    const MapReduceResult r = finished.first().first().value<MapReduceResult>();
    QCOMPARE(r.status, MapReduceResult::Status::Cancelled);
    QVERIFY(!m_window->isRunning());
    const MapReduceProgress &p = view()->progressPanel()->shown();
    QVERIFY2(p.chunksDone < p.chunksTotal,
             qPrintable(QStringLiteral("%1 of %2").arg(p.chunksDone).arg(p.chunksTotal)));
    QCOMPARE(view()->progressPanel()->headline(), QStringLiteral("Cancelled"));
    QCOMPARE(model()->rowCount(), 0);
    QVERIFY(!view()->hasResult());
    QVERIFY(!action(MainWindow::Action::ExportAll)->isEnabled());
    QVERIFY(!action(MainWindow::Action::Cancel)->isEnabled());
    QVERIFY(action(MainWindow::Action::Run)->isEnabled());
    auto *placeholder = view()->findChild<QLabel *>(QStringLiteral("mrPlaceholder"));
    QVERIFY(placeholder->isVisible());
    QVERIFY(placeholder->text().contains(QLatin1String("cancelled")));
}

void tst_MapReduceWindow::unreadableInputSaysWhy()
{
    const QString missing = m_dir.filePath(QStringLiteral("missing.tsv"));
    QVERIFY(!QFileInfo::exists(missing));
    QVERIFY(load(writeJob(QStringLiteral("missing.jsonl"),
                          {{QStringLiteral("input"), QStringLiteral("missing.tsv")},
                           {QStringLiteral("format"), QStringLiteral("ngram")}})));
    // The summary already says so.
    QTRY_VERIFY(view()->summary()->text().contains(QLatin1String("cannot be read")));
    QVERIFY2(view()->summary()->text().contains(QLatin1String("No such file or directory")),
             qPrintable(view()->summary()->text()));

    // Running says why in the page, in words, and nothing runs.
    QSignalSpy failed(view(), &MapReduceView::failedToStart);
    QSignalSpy started(m_window.get(), &MainWindow::runStarted);
    action(MainWindow::Action::Run)->trigger();
    QCOMPARE(failed.count(), 1);
    QCOMPARE(started.count(), 0);
    QVERIFY(!m_window->isRunning());
    QLabel *error = view()->errorLabel();
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(missing.toHtmlEscaped()), qPrintable(error->text()));
    QVERIFY2(error->text().contains(QLatin1String("No such file or directory")),
             qPrintable(error->text()));
    QVERIFY2(error->text().contains(QLatin1String("could not start")), qPrintable(error->text()));
    QCOMPARE(view()->progressPanel()->headline(), QStringLiteral("Could not start"));
    QVERIFY(m_window->statusBar()->currentMessage().contains(QLatin1String("No such file")));
    QVERIFY(action(MainWindow::Action::Run)->isEnabled());
    QVERIFY(!action(MainWindow::Action::Cancel)->isEnabled());

    // Once the file is there, the same job runs, and the error goes away.
    QVERIFY(writeFile(missing, "alpha\t2000\t3\t1\nbeta\t2000\t4\t1\nalpha\t2001\t5\t1\n"));
    QVERIFY(runJob());
    QVERIFY(m_result.succeeded());
    QVERIFY(!error->isVisible());
    QCOMPARE(model()->rowCount(), 2);
    QCOMPARE(cell(0, TotalsColumn::Key), QStringLiteral("alpha"));
    QCOMPARE(cell(0, TotalsColumn::Total), QStringLiteral("8"));

    // A directory is not an input either.
    QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("folder")));
    QVERIFY(load(writeJob(QStringLiteral("folder.jsonl"),
                          {{QStringLiteral("input"), QStringLiteral("folder")},
                           {QStringLiteral("format"), QStringLiteral("text")}})));
    QVERIFY(!error->isVisible());
    QCOMPARE(model()->rowCount(), 0); // the previous job's totals are gone
    action(MainWindow::Action::Run)->trigger();
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(QLatin1String("not a regular file")),
             qPrintable(error->text()));
}

void tst_MapReduceWindow::jobEndIsAnnouncedLikeARun()
{
    // Run Settings › When a Run Ends applies to a job too: its command runs with the job
    // counted as one task, and the notifier is told (none goes out: the window is active).
    const QString out = m_dir.filePath(QStringLiteral("job-end.txt"));
    RunEndActions end;
    end.command = QStringLiteral("sh -c 'echo \"$BRIGADE_STATUS $BRIGADE_TOTAL $BRIGADE_SUCCEEDED "
                                 "$BRIGADE_FAILED\" > \"$0\"' ")
                  + out;
    end.notify = true;
    m_window->setRunEndActions(end);
    QVERIFY(writeFile(m_dir.filePath(QStringLiteral("end.tsv")), "a\t2000\t3\t1\nb\t2000\t4\t1\n"));
    QVERIFY(load(writeJob(QStringLiteral("end.jsonl"),
                          {{QStringLiteral("input"), QStringLiteral("end.tsv")},
                           {QStringLiteral("format"), QStringLiteral("ngram")}})));
    QSignalSpy notified(m_window->runEndNotifier(), &RunEndNotifier::notified);
    QSignalSpy ran(m_window.get(), &MainWindow::runEndCommandFinished);
    QVERIFY(runJob());
    QVERIFY(m_result.succeeded());
    QTRY_COMPARE(notified.count(), 1);
    QCOMPARE(notified.first().at(1).toString(), QStringLiteral("Brigade: job finished"));
    QVERIFY2(notified.first().at(2).toString().startsWith(
                     QStringLiteral("end.jsonl: MapReduce done in ")),
             qPrintable(notified.first().at(2).toString()));
    QVERIFY(ran.count() > 0 || ran.wait(30000));
    QCOMPARE(ran.first().first().toString(), QString());
    QFile file(out);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("0 1 1 0\n"));
    m_window->setRunEndActions(RunEndActions());
}

void tst_MapReduceWindow::inputChangedDuringTheRun()
{
    const QString input = m_dir.filePath(QStringLiteral("growing.tsv"));
    QVERIFY(writeFile(input, m_ngram));
    QVERIFY(load(writeJob(QStringLiteral("growing.jsonl"),
                          {{QStringLiteral("input"), input},
                           {QStringLiteral("format"), QStringLiteral("ngram")}})));
    QSignalSpy finished(view(), &MapReduceView::finished);
    action(MainWindow::Action::Run)->trigger();
    QVERIFY(m_window->isRunning());
    // The job has looked at the file; it grows before the workers are up.
    {
        QFile f(input);
        QVERIFY(f.open(QIODevice::Append));
        QVERIFY(f.write("late\t2000\t1\t1\n") > 0);
    }
    QVERIFY(finished.wait(120000));
    const MapReduceResult r = finished.first().first().value<MapReduceResult>();
    QCOMPARE(r.status, MapReduceResult::Status::Failed);
    QLabel *error = view()->errorLabel();
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(QLatin1String("changed during the run")),
             qPrintable(error->text()));
    QVERIFY2(error->text().contains(QStringLiteral("it was %1 bytes, now %2")
                                            .arg(m_ngram.size())
                                            .arg(m_ngram.size() + 14)),
             qPrintable(error->text()));
    // The input's own problem comes first, before the chunks that failed because of it.
    const QString text = error->text();
    QCOMPARE(text.indexOf(QLatin1String("<li>")),
             text.indexOf(QStringLiteral("<li>%1 changed during the run").arg(input)));
    QCOMPARE(view()->progressPanel()->headline(), QStringLiteral("Failed"));
    QCOMPARE(model()->rowCount(), 0);
    QVERIFY(!action(MainWindow::Action::ExportAll)->isEnabled());
    QVERIFY(action(MainWindow::Action::Run)->isEnabled());
}

void tst_MapReduceWindow::progressIsCoalesced()
{
    // Straight into the panel: a burst of reports shows once now and once after the pause.
    MapReduceProgressPanel panel;
    panel.reset(1000000, 1000);
    // The rate limit is what is tested: the first report after a quiet spell shows at once.
    QTest::qWait(100);
    QSignalSpy updated(&panel, &MapReduceProgressPanel::updated);
    MapReduceProgress p;
    p.chunksTotal = 1000;
    p.bytesTotal = 1000000;
    p.active = true;
    for (int i = 1; i <= 1000; ++i) {
        p.chunksDone = i;
        p.bytesDone = i * 1000;
        panel.setProgress(p);
    }
    QCOMPARE(updated.count(), 1);
    QCOMPARE(panel.shown().chunksDone, 1);
    QTRY_COMPARE(panel.shown().chunksDone, 1000); // the latest is never lost
    QCOMPARE(updated.count(), 2);

    // A real job with hundreds of chunks: at most about 30 updates a second.
    const QString path = writeJob(QStringLiteral("rate.jsonl"),
                                  {{QStringLiteral("input"), m_ngramPath},
                                   {QStringLiteral("format"), QStringLiteral("ngram")},
                                   {QStringLiteral("chunk_bytes"), 8192}});
    QVERIFY(load(path));
    QList<qint64> at;
    QElapsedTimer clock;
    connect(view()->progressPanel(), &MapReduceProgressPanel::updated, this,
            [&] { at.append(clock.elapsed()); });
    clock.start();
    QVERIFY(runJob());
    QVERIFY(m_result.succeeded());
    QVERIFY(at.size() >= 3);
    // Every update but the final one came at least 1/30 s after the one before.
    for (int i = 1; i + 1 < at.size(); ++i)
        QVERIFY2(at[i] - at[i - 1] >= 1000 / MapReduceProgressPanel::MaxUpdatesPerSecond,
                 qPrintable(QStringLiteral("%1 ms after the last").arg(at[i] - at[i - 1])));
    qInfo("%lld chunks in %lld ms: %lld progress updates", qlonglong(m_result.chunks),
          qlonglong(m_result.elapsedMs), qlonglong(at.size()));
}

void tst_MapReduceWindow::switchesBetweenJobsAndTasks()
{
    QDockWidget *details = m_window->findChild<QDockWidget *>(QStringLiteral("detailsDock"));
    QVERIFY(details);
    QVERIFY(details->isVisible());
    const QString exportTasks = action(MainWindow::Action::ExportAll)->text();
    const QString job = writeJob(QStringLiteral("switch.jsonl"),
                                 {{QStringLiteral("input"), m_textPathA},
                                  {QStringLiteral("format"), QStringLiteral("text")}});
    QVERIFY(load(job));
    QVERIFY(view()->isVisible());
    QVERIFY(!details->isVisible()); // a job has no task to detail
    QCOMPARE(action(MainWindow::Action::ExportAll)->text(), QStringLiteral("&Export All Totals…"));
    QCOMPARE(action(MainWindow::Action::Find)->text(), QStringLiteral("&Filter Keys"));
    QVERIFY(runJob());
    QVERIFY(m_result.succeeded());
    QCOMPARE(model()->rowCount(), 10); // the default top

    // A batch of tasks: the task table, the details pane and the task actions are back.
    const QString tasks = m_dir.filePath(QStringLiteral("tasks.jsonl"));
    QVERIFY(writeFile(tasks, R"({"id":"a","compute":{"op":"sum_to","n":10}})"
                             "\n"
                             R"({"id":"b","compute":{"op":"sum_to","n":20}})"
                             "\n"));
    QVERIFY(load(tasks));
    QVERIFY(!view()->isVisible());
    QVERIFY(m_window->taskView()->isVisible());
    QVERIFY(details->isVisible());
    QCOMPARE(action(MainWindow::Action::ExportAll)->text(), exportTasks);
    QCOMPARE(model()->rowCount(), 0);
    QSignalSpy finished(m_window.get(), &MainWindow::runFinished);
    action(MainWindow::Action::Run)->trigger();
    QVERIFY(finished.wait(60000));
    QCOMPARE(m_window->progressPanel()->stats().succeeded, qint64(2));

    // And the job again.
    QVERIFY(load(job));
    QVERIFY(view()->isVisible());
    QVERIFY(!details->isVisible());
    QCOMPARE(view()->progressPanel()->headline(), QStringLiteral("Ready to run"));
    QVERIFY(action(MainWindow::Action::Run)->isEnabled());
}

void tst_MapReduceWindow::millionRowsSortAndFilterOffTheGuiThread()
{
    // A result with the top 1,000,000 totals, as `"top": 1000000` gives.
    const int n = 1000000;
    MapReduceResult result;
    QRandomGenerator rng(5);
    result.top.reserve(n);
    for (int i = 0; i < n; ++i)
        result.top.append(
                KeyTotal{"key-" + QByteArray::number(rng.generate(), 36) + QByteArray::number(i),
                         quint64(rng.bounded(1000000)) + 1, true});
    std::sort(result.top.begin(), result.top.end(), [](const KeyTotal &a, const KeyTotal &b) {
        return a.total != b.total ? a.total > b.total : a.key < b.key;
    });
    for (const KeyTotal &k : std::as_const(result.top))
        result.totalCount += k.total;
    result.keys = {result.top[10], KeyTotal{"absent", 0, false}};
    result.distinctKeys = n;

    MapReduceResultView results;
    results.resize(900, 600);
    results.show();
    QSignalSpy shown(&results, &MapReduceResultView::rowsShown);
    StallProbe probe;
    probe.start(5);
    QElapsedTimer call;
    call.start();
    results.setResult(result); // the rows are built off the GUI thread
    QVERIFY2(call.elapsed() < StallBoundMs, qPrintable(QString::number(call.elapsed())));
    QVERIFY(shown.wait(30000));
    MapReduceTableModel *m = results.model();
    QCOMPARE(m->rowCount(), n + 1);

    // Sorting by key and by total, and filtering: sort() returns at once, the order comes
    // later, and the event loop never stops for long meanwhile.
    QSignalSpy applied(m, &MapReduceTableModel::orderApplied);
    const auto timed = [&](auto &&change) {
        applied.clear();
        call.start();
        change();
        const qint64 ms = call.elapsed();
        return ms;
    };
    qint64 callMs = timed([&] { results.table()->sortByColumn(1, Qt::AscendingOrder); });
    QVERIFY2(callMs < 50, qPrintable(QString::number(callMs)));
    QVERIFY(m->isOrdering());
    QVERIFY(applied.wait(60000));
    probe.stop();
    double longest = probe.maxStallMs();
    qint64 ticks = probe.ticks();
    for (int r = 1; r < n + 1; r += 997) // spot checks; every row below
        QVERIFY(m->data(m->index(r - 1, 1), MapReduceTableModel::KeyRole).toByteArray()
                < m->data(m->index(r, 1), MapReduceTableModel::KeyRole).toByteArray());
    QByteArray last;
    for (int r = 0; r < n + 1; ++r) {
        const int row = m->sourceRow(r);
        const QByteArray &key = m->rows()->rows[row].key;
        QVERIFY(last.isNull() || last < key);
        last = key;
    }

    probe.start(5);
    callMs = timed([&] { results.table()->sortByColumn(2, Qt::AscendingOrder); });
    QVERIFY2(callMs < 50, qPrintable(QString::number(callMs)));
    QVERIFY(applied.wait(60000));
    quint64 previous = 0;
    for (int r = 0; r < n + 1; ++r) {
        const quint64 t = m->rows()->rows[m->sourceRow(r)].total;
        QVERIFY(t >= previous);
        previous = t;
    }
    QCOMPARE(m->data(m->index(0, 1), MapReduceTableModel::KeyRole).toByteArray(),
             QByteArray("absent"));

    callMs = timed([&] { m->setTextFilter(QStringLiteral("KEY-1")); });
    QVERIFY2(callMs < 50, qPrintable(QString::number(callMs)));
    QVERIFY(applied.wait(60000));
    probe.stop();
    longest = qMax(longest, probe.maxStallMs());
    ticks += probe.ticks();
    int matching = 0;
    for (const KeyTotal &k : std::as_const(result.top))
        matching += k.key.contains("key-1") ? 1 : 0;
    QCOMPARE(m->rowCount(), matching);
    QVERIFY(matching > 1000 && matching < n);

    qInfo("1M rows: longest GUI stall %.1f ms over %lld probe ticks while the rows were built, "
          "sorted twice and filtered",
          longest, qlonglong(ticks));
    QVERIFY(ticks > 0);
    // Generous for a shared machine; sorting a million keys on the GUI thread takes longer.
    QVERIFY2(longest < StallBoundMs, qPrintable(QString::number(longest)));
}

void tst_MapReduceWindow::largeJobKeepsTheWindowResponsive()
{
    // Hundreds of thousands of distinct words, all of them in the result ("top" 1,000,000):
    // the whole way through the window (run, result, table, sort, run again, which drops
    // the first result) with a probe on the GUI thread.
    QByteArray text;
    QRandomGenerator rng(9);
    for (int line = 0; line < 60000; ++line) {
        for (int w = 0; w < 8; ++w)
            text += 't' + QByteArray::number(rng.bounded(1, 400000), 16) + (w < 7 ? ' ' : '\n');
    }
    const QString input = m_dir.filePath(QStringLiteral("many.txt"));
    QVERIFY(writeFile(input, text));
    QVERIFY(load(writeJob(QStringLiteral("many.jsonl"),
                          {{QStringLiteral("input"), input},
                           {QStringLiteral("format"), QStringLiteral("text")},
                           {QStringLiteral("top"), 1000000},
                           {QStringLiteral("keys"), QJsonArray{"t1", "nothere"}}})));
    StallProbe probe;
    probe.start(5);
    QVERIFY(runJob());
    QVERIFY(m_result.succeeded());
    QVERIFY(m_result.distinctKeys > 200000);
    QCOMPARE(model()->rowCount(), int(m_result.distinctKeys) + 1); // and "nothere"
    view()->resultView()->table()->sortByColumn(int(TotalsColumn::Key), Qt::DescendingOrder);
    QVERIFY(waitOrdered());
    QCOMPARE(model()->rowCount(), int(m_result.distinctKeys) + 1);
    QVERIFY(runJob());
    QVERIFY(m_result.succeeded());
    QVERIFY(waitOrdered()); // the sort applies to the new result too
    // Descending byte order: "nothere" is last, after every "t…".
    QCOMPARE(cell(model()->rowCount() - 1, TotalsColumn::Key), QStringLiteral("nothere"));
    probe.stop();
    qInfo("%lld distinct keys, twice: longest GUI stall %.1f ms (%lld probe ticks)",
          qlonglong(m_result.distinctKeys), probe.maxStallMs(), qlonglong(probe.ticks()));
    // The bound holds for an optimised build (~12 ms here). A sanitizer build is unoptimised
    // as well, and the GUI thread's share of a 280,000-key result (the model's reset, the
    // visible rows) takes ~100x as long there (1.4 s measured): that build checks this
    // path's memory, the optimised one its time.
    if (Test::SanitizerSlowdown == 1)
        QVERIFY2(probe.maxStallMs() < StallBoundMs,
                 qPrintable(QString::number(probe.maxStallMs())));
}

QTEST_MAIN(tst_MapReduceWindow)
#include "tst_mapreducewindow.moc"
