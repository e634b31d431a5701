#include "SumBatch.h"

#include <QSet>
#include <QTest>

namespace Brigade::Test {

QStringList sumTasks(int n, int delayMs)
{
    QStringList lines;
    for (int i = 0; i < n; ++i)
        lines << QStringLiteral(
                         R"({"id":"t%1","fetch":{"delay_ms":%2},"compute":{"op":"sum_to","n":%1}})")
                         .arg(i)
                         .arg(delayMs);
    return lines;
}

void verifySums(EngineHarness &h, int n)
{
    QCOMPARE(h.lastStats.succeeded, qint64(n));
    QCOMPARE(h.lastStats.total, qint64(n));
    QCOMPARE(h.finishedOrder.size(), n);
    QCOMPARE(QSet<int>(h.finishedOrder.cbegin(), h.finishedOrder.cend()).size(), n);
    for (int i = 0; i < n; ++i) {
        const TaskState st = h.state(QStringLiteral("t%1").arg(i));
        QCOMPARE(st.status, TaskStatus::Succeeded);
        QCOMPARE(st.result, QByteArray::number(qint64(i) * (i + 1) / 2));
    }
}

} // namespace Brigade::Test
