// The results model at scale: sorting and filtering happen off the GUI thread and are
// swapped in; live updates are merged into few dataChanged signals.
#include "window/StallProbe.h"
#include "window/tasks/TaskOrdering.h"
#include "window/tasks/TaskTableModel.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <numeric>
#include <random>

using namespace Brigade;

class tst_TaskTableModel : public QObject
{
    Q_OBJECT

private slots:
    void naturalCompare_data();
    void naturalCompare();
    void sorts200kRowsWithoutBlocking();
    void filtersByStatusAndText();
    void persistentIndexesFollowTheirTasks();
    void liveUpdatesAreMerged();
    void staleOrderIsRefreshedAfterChanges();
    void displayText();
    void changedTaskTipSaysWhatTheBatchHad();

private:
    // n tasks "task-<i>" with pseudo-random states, seeded.
    static std::shared_ptr<TaskStore> makeStore(int n, bool shuffledIds = true);
};

std::shared_ptr<TaskStore> tst_TaskTableModel::makeStore(int n, bool shuffledIds)
{
    auto shape = std::make_shared<TaskShape>();
    QVector<TaskSpec> specs(n);
    std::mt19937 rng(42);
    QVector<int> ids(n);
    std::iota(ids.begin(), ids.end(), 0);
    if (shuffledIds)
        std::shuffle(ids.begin(), ids.end(), rng);
    for (int i = 0; i < n; ++i)
        specs[i] = TaskSpec{QStringLiteral("task-%1").arg(ids[i]), shape, i + 1};
    auto store = std::make_shared<TaskStore>(std::move(specs));
    store->write([&](TaskStates &states, TaskStore &) {
        for (int i = 0; i < n; ++i) {
            TaskState &st = states[i];
            st.status = TaskStatus(rng() % TaskStatusCount);
            st.attempts = quint16(rng() % 4);
            st.fetchUs = rng() % 2000000;
            st.computeUs = rng() % 1000;
            if (st.status == TaskStatus::Succeeded)
                st.result = QByteArray::number(int(rng() % 100000));
            if (st.status == TaskStatus::Failed) {
                st.error = ErrorKind::HttpStatus;
                st.message = QStringLiteral("HTTP %1").arg(500 + int(rng() % 4));
            }
        }
    });
    return store;
}

void tst_TaskTableModel::naturalCompare_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<int>("sign");
    QTest::newRow("digits by value") << "t2"
                                     << "t10" << -1;
    QTest::newRow("equal") << "t10"
                           << "t10" << 0;
    QTest::newRow("prefix first") << "t"
                                  << "t1" << -1;
    QTest::newRow("letters") << "abc"
                             << "abd" << -1;
    QTest::newRow("case folded") << "Abc"
                                 << "abd" << -1;
    QTest::newRow("long numbers") << "x99999999999999999999"
                                  << "x100000000000000000000" << -1;
    QTest::newRow("leading zeros compare by value") << "t007"
                                                    << "t8" << -1;
    QTest::newRow("mixed") << "a1b2"
                           << "a1b10" << -1;
}

void tst_TaskTableModel::naturalCompare()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(int, sign);
    const int c = TaskOrdering::naturalCompare(a, b);
    QCOMPARE(c < 0 ? -1 : (c > 0 ? 1 : 0), sign);
    const int r = TaskOrdering::naturalCompare(b, a);
    QCOMPARE(r < 0 ? -1 : (r > 0 ? 1 : 0), -sign);
}

void tst_TaskTableModel::sorts200kRowsWithoutBlocking()
{
    const int n = 200000;
    const auto store = makeStore(n);
    TaskTableModel model;
    model.setStore(store);
    QCOMPARE(model.rowCount(), n);

    // The probe runs only while an order is computed (the checks below walk 200k rows on
    // this thread, which is the test's doing, not the model's).
    StallProbe probe;
    double longestStall = 0;
    qint64 ticks = 0;
    QSignalSpy applied(&model, &TaskTableModel::orderApplied);
    const auto waitApplied = [&] {
        const bool ok = applied.wait(30000);
        probe.stop();
        longestStall = qMax(longestStall, probe.maxStallMs());
        ticks += probe.ticks();
        return ok;
    };
    probe.start(5);

    // sort() only starts the work: it returns at once and the order arrives later.
    QElapsedTimer call;
    call.start();
    model.sort(int(TaskColumn::Id), Qt::AscendingOrder);
    const qint64 callMs = call.elapsed();
    QVERIFY2(callMs < 50, qPrintable(QString::number(callMs)));
    QVERIFY(model.isOrdering());
    QCOMPARE(applied.count(), 0);
    QCOMPARE(model.data(model.index(0, 0)).toString(), store->spec(0).id); // old order still
    QVERIFY(waitApplied());
    QVERIFY(!model.isOrdering());
    QCOMPARE(model.rowCount(), n);
    for (int r = 0; r < n; ++r)
        QCOMPARE(model.data(model.index(r, 0)).toString(), QStringLiteral("task-%1").arg(r));

    // Descending by duration.
    probe.start(5);
    model.sort(int(TaskColumn::Duration), Qt::DescendingOrder);
    QVERIFY(waitApplied());
    quint64 previous = std::numeric_limits<quint64>::max();
    for (int r = 0; r < n; ++r) {
        const TaskState st = store->state(model.storeRow(r));
        const quint64 d = quint64(st.fetchUs) + st.computeUs;
        QVERIFY(d <= previous);
        previous = d;
    }

    // By result: numbers by value, empty results last.
    probe.start(5);
    model.sort(int(TaskColumn::Result), Qt::AscendingOrder);
    QVERIFY(waitApplied());
    double last = -1;
    bool emptySeen = false;
    for (int r = 0; r < n; ++r) {
        const TaskState st = store->state(model.storeRow(r));
        const bool empty = st.status != TaskStatus::Succeeded;
        if (empty) {
            emptySeen = true;
            continue;
        }
        QVERIFY(!emptySeen);
        const double v = st.result.toDouble();
        QVERIFY(v >= last);
        last = v;
    }
    qInfo("200k rows: sort() returned in %lld ms; last order took %lld ms off-thread; "
          "longest GUI stall while sorting: %.1f ms over %lld probe ticks",
          callMs, model.lastOrderingMs(), longestStall, ticks);
    // The event loop kept turning while the sorts ran.
    QVERIFY(ticks > 0);
    // Generous: this machine is shared, but a sort on the GUI thread would take far longer.
    QVERIFY2(longestStall < 250, qPrintable(QString::number(longestStall)));

    // Back to the file's order, at once.
    model.sort(-1);
    QCOMPARE(model.storeRow(123), 123);
    QVERIFY(!model.isOrdering());
}

void tst_TaskTableModel::filtersByStatusAndText()
{
    const int n = 50000;
    const auto store = makeStore(n, false);
    TaskTableModel model;
    model.setStore(store);
    QSignalSpy applied(&model, &TaskTableModel::orderApplied);

    model.setStatusFilter(int(TaskStatus::Failed));
    QVERIFY(applied.wait(10000));
    const QVector<int> failed = store->rowsWithStatus(TaskStatus::Failed);
    QCOMPARE(model.rowCount(), int(failed.size()));
    QCOMPARE(model.shownStoreRows(), failed); // file order kept

    model.setTextFilter(QStringLiteral("http 502")); // the error message, any case
    QVERIFY(applied.wait(10000));
    int expected = 0;
    for (int row : failed)
        expected += store->state(row).message.toString() == QLatin1String("HTTP 502") ? 1 : 0;
    QCOMPARE(model.rowCount(), expected);
    for (int r = 0; r < model.rowCount(); ++r)
        QCOMPARE(store->state(model.storeRow(r)).message, QStringLiteral("HTTP 502"));

    model.setStatusFilter(-1);
    model.setTextFilter(QStringLiteral("task-4999")); // ids, both filters off but text
    QVERIFY(applied.wait(10000));
    QCOMPARE(model.rowCount(), 11); // task-4999 and task-49990..49999
    QCOMPARE(model.viewRow(0), -1);

    model.setTextFilter(QString());
    QTRY_COMPARE(model.rowCount(), n);
    QCOMPARE(model.viewRow(777), 777);
}

void tst_TaskTableModel::persistentIndexesFollowTheirTasks()
{
    const auto store = makeStore(1000);
    TaskTableModel model;
    model.setStore(store);
    const int storeRow = 17;
    const QPersistentModelIndex tracked(model.index(storeRow, int(TaskColumn::Status)));
    const QString id = store->spec(storeRow).id;
    QSignalSpy applied(&model, &TaskTableModel::orderApplied);
    model.sort(int(TaskColumn::Id), Qt::DescendingOrder);
    QVERIFY(applied.wait(10000));
    QVERIFY(tracked.isValid());
    QCOMPARE(tracked.column(), int(TaskColumn::Status));
    QCOMPARE(model.storeRow(tracked.row()), storeRow);
    QCOMPARE(model.data(model.index(tracked.row(), 0)).toString(), id);

    // Filtered out: the index becomes invalid rather than pointing at another task.
    model.setTextFilter(QStringLiteral("no such task"));
    QVERIFY(applied.wait(10000));
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!tracked.isValid());
}

void tst_TaskTableModel::liveUpdatesAreMerged()
{
    const auto store = makeStore(100000, false);
    TaskTableModel model;
    model.setStore(store);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    model.onTasksChanged({5, 3, 4, 10, 11, 40});
    QCOMPARE(changed.count(), 3); // 3..5, 10..11, 40
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 3);
    QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 5);
    QCOMPARE(changed.at(0).at(1).toModelIndex().column(), int(TaskColumn::Count) - 1);
    QCOMPARE(changed.at(2).at(0).toModelIndex().row(), 40);

    // Many scattered rows: one signal over their span.
    changed.clear();
    QVector<int> scattered;
    for (int i = 0; i < 1000; ++i)
        scattered << i * 50 + 7;
    model.onTasksChanged(scattered);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 7);
    QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 999 * 50 + 7);

    // More than a few thousand: one signal over everything, without sorting them.
    changed.clear();
    QVector<int> many(60000);
    std::iota(many.begin(), many.end(), 0);
    model.onTasksChanged(many);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 0);
    QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 99999);
}

void tst_TaskTableModel::staleOrderIsRefreshedAfterChanges()
{
    const auto store = makeStore(2000, false);
    TaskTableModel model;
    model.setStore(store);
    QSignalSpy applied(&model, &TaskTableModel::orderApplied);
    model.setStatusFilter(int(TaskStatus::Succeeded));
    QVERIFY(applied.wait(10000));
    const int before = model.rowCount();

    // A task turns into a success, as the engine would report it.
    int row = -1;
    store->write([&](TaskStates &states, TaskStore &) {
        for (int i = 0; i < states.size() && row < 0; ++i) {
            if (states[i].status == TaskStatus::Failed) {
                states[i].status = TaskStatus::Succeeded;
                row = i;
            }
        }
    });
    QVERIFY(row >= 0);
    QCOMPARE(model.viewRow(row), -1);
    model.onTasksChanged({row});
    QVERIFY(applied.wait(10000)); // a coalesced refresh, not one per change
    QCOMPARE(model.rowCount(), before + 1);
    QVERIFY(model.viewRow(row) >= 0);
}

void tst_TaskTableModel::displayText()
{
    auto shape = std::make_shared<TaskShape>();
    const TaskSpec spec{QStringLiteral("abc"), shape, 1};
    TaskState st;
    QCOMPARE(TaskTableModel::displayText(spec, st, int(TaskColumn::Id)), QStringLiteral("abc"));
    QCOMPARE(TaskTableModel::displayText(spec, st, int(TaskColumn::Status)),
             QStringLiteral("Queued"));
    QCOMPARE(TaskTableModel::displayText(spec, st, int(TaskColumn::Attempts)), QString());
    QCOMPARE(TaskTableModel::displayText(spec, st, int(TaskColumn::Duration)), QString());
    st.status = TaskStatus::Succeeded;
    st.attempts = 2;
    st.httpStatus = 200;
    st.bytes = 2048;
    st.fetchUs = 1500000;
    st.result = "\"ok\"";
    QCOMPARE(TaskTableModel::displayText(spec, st, int(TaskColumn::Attempts)), QStringLiteral("2"));
    QCOMPARE(TaskTableModel::displayText(spec, st, int(TaskColumn::Http)),
             QStringLiteral("200 · 2.0 KiB"));
    QCOMPARE(TaskTableModel::displayText(spec, st, int(TaskColumn::Duration)),
             QStringLiteral("1.50 s"));
    // A string result reads as the string, without JSON's quotes and escapes; other values
    // as their JSON.
    QCOMPARE(TaskTableModel::displayText(spec, st, int(TaskColumn::Result)), QStringLiteral("ok"));
    st.result = R"("caf\u00e9 \"x\"")";
    QCOMPARE(TaskTableModel::displayText(spec, st, int(TaskColumn::Result)),
             QStringLiteral("café \"x\""));
    st.result = R"({"bytes":3})";
    QCOMPARE(TaskTableModel::displayText(spec, st, int(TaskColumn::Result)),
             QStringLiteral(R"({"bytes":3})"));
    st.result = "\"" + QByteArray(5000, 'a') + "\""; // cut off: no opening quote either
    QVERIFY(TaskTableModel::displayText(spec, st, int(TaskColumn::Result)).startsWith(u'a'));
    QCOMPARE(TaskTableModel::displayText(spec, st, int(TaskColumn::Error)), QString());
    st.status = TaskStatus::Failed;
    st.error = ErrorKind::Timeout;
    st.message = QStringLiteral("timed out after 200 ms\nsecond line");
    QCOMPARE(TaskTableModel::displayText(spec, st, int(TaskColumn::Result)), QString());
    QCOMPARE(TaskTableModel::displayText(spec, st, int(TaskColumn::Error)),
             QStringLiteral("timed out after 200 ms…"));
}

// The tooltip of a task whose shape was changed names what the batch had, and by what.
void tst_TaskTableModel::changedTaskTipSaysWhatTheBatchHad()
{
    auto original = std::make_shared<TaskShape>();
    original->fetch.kind = FetchKind::Url;
    original->fetch.url = "http://a.example/x";
    original->priority = 3;
    const TaskSpec spec{QStringLiteral("t"), original};
    QCOMPARE(TaskTableModel::shapeTip(spec, *original), QStringLiteral("\nhttp://a.example/x"));

    TaskShape raised = *original;
    raised.priority = 13;
    QVERIFY2(TaskTableModel::shapeTip(spec, raised)
                     .endsWith(QStringLiteral("(priority changed; the batch had priority 3)")),
             qPrintable(TaskTableModel::shapeTip(spec, raised)));

    TaskShape mirrored = raised;
    mirrored.fetch.url = "http://b.example/x";
    QVERIFY2(TaskTableModel::shapeTip(spec, mirrored)
                     .endsWith(QStringLiteral("(changed by Retry with Changes; the batch had "
                                              "fetch http://a.example/x, priority 3)")),
             qPrintable(TaskTableModel::shapeTip(spec, mirrored)));
}

QTEST_MAIN(tst_TaskTableModel)
#include "tst_tasktablemodel.moc"
