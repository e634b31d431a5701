// TaskDetailsView: why a task failed is the first thing under its title, visible without
// scrolling in a details pane as short as the window's default one.
#include "batch/BatchParser.h"
#include "core/TaskStore.h"
#include "window/tasks/TaskDetailsView.h"

#include <QScrollBar>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>

using namespace Brigade;

class tst_TaskDetailsView : public QObject
{
    Q_OBJECT
private slots:
    void failureReasonIsOnTop_data();
    void failureReasonIsOnTop();
};

void tst_TaskDetailsView::failureReasonIsOnTop_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("expected");
    QTest::newRow("failed") << int(TaskStatus::Failed)
                            << QStringLiteral("Failed: http: HTTP 404 Not Found");
    QTest::newRow("retrying") << int(TaskStatus::Retrying)
                              << QStringLiteral("Attempt 1 failed: http: HTTP 404 Not Found");
}

void tst_TaskDetailsView::failureReasonIsOnTop()
{
    QFETCH(int, status);
    QFETCH(QString, expected);
    Batch batch = BatchParser::parseData(
            R"({"id":"page","fetch":{"url":"https://example.com/missing","headers":{"Accept":"text/html","X-A":"1","X-B":"2"}},"compute":{"op":"wordcount","top":5},"max_attempts":3,"timeout_ms":5000})",
            QStringLiteral("b.jsonl"));
    QVERIFY(batch.errors.isEmpty());
    auto store = std::make_shared<TaskStore>(std::move(batch.tasks));
    store->write([&](TaskStates &states, TaskStore &s) {
        TaskState &st = states[0];
        st.status = TaskStatus(status);
        st.attempts = status == int(TaskStatus::Failed) ? 3 : 1;
        st.error = ErrorKind::HttpStatus;
        st.httpStatus = 404;
        st.message = QStringLiteral("HTTP 404 Not Found");
        const int failedBefore = status == int(TaskStatus::Failed) ? 2 : 1;
        for (int a = 1; a <= failedBefore; ++a)
            s.recordAttemptLocked(0, AttemptRecord{quint16(a),
                                                   0,
                                                   ErrorKind::HttpStatus,
                                                   404,
                                                   1000,
                                                   20000,
                                                   0,
                                                   QStringLiteral("HTTP 404 Not Found"),
                                                   {}});
    });
    TaskDetailsView view;
    // The window's default details pane: 16 lines of text high.
    view.resize(600, view.fontMetrics().height() * 16);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.showTask(store, 0);
    const QString text = view.toPlainText();
    const qsizetype at = text.indexOf(expected);
    QVERIFY2(at >= 0, qPrintable(text));
    // Before the spec, the attempts and the rest.
    QVERIFY(at < text.indexOf(QLatin1String("Fetch")));
    QCOMPARE(view.verticalScrollBar()->value(), 0);
    QTextCursor cursor(view.document());
    cursor.setPosition(int(at + expected.size()));
    const QRect where = view.cursorRect(cursor);
    QVERIFY2(where.bottom() < view.viewport()->height(),
             qPrintable(QStringLiteral("%1 below %2")
                                .arg(where.bottom())
                                .arg(view.viewport()->height())));
}

QTEST_MAIN(tst_TaskDetailsView)
#include "tst_taskdetailsview.moc"
