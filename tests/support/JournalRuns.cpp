#include "JournalRuns.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariant>

namespace Brigade::Test {

QStringList journalRunKinds(const QString &journal)
{
    const QString connection = QStringLiteral("test-run-kinds");
    QStringList kinds;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(journal);
        if (db.open()) {
            QSqlQuery q(QStringLiteral("SELECT kind FROM runs ORDER BY rowid"), db);
            while (q.next())
                kinds << q.value(0).toString();
        }
    }
    QSqlDatabase::removeDatabase(connection);
    return kinds;
}

QByteArray sumLines(const QString &prefix, int n)
{
    QByteArray data;
    for (int i = 0; i < n; ++i)
        data += QStringLiteral(R"({"id":"%1%2","compute":{"op":"sum_to","n":%2}})")
                        .arg(prefix)
                        .arg(i)
                        .toUtf8()
                + '\n';
    return data;
}

} // namespace Brigade::Test
