// The per-program log the engine keeps for views: lines split and capped, and read again
// from where a view left off.
#include "core/ProgramLog.h"

#include <QTest>

using namespace Brigade;

class tst_ProgramLog : public QObject
{
    Q_OBJECT
private slots:
    void splitsLinesPerProgram();
    void linesSinceReadsOnlyWhatIsNew();
    void linesSinceAfterTheCap();
    void linesSinceAfterClear();
};

namespace {

QStringList texts(const QList<ProgramLog::Line> &lines)
{
    QStringList out;
    for (const ProgramLog::Line &line : lines)
        out << line.text;
    return out;
}

} // namespace

void tst_ProgramLog::splitsLinesPerProgram()
{
    ProgramLog log;
    log.append(QStringLiteral("a"), 0, ProgramLog::Stdout, "one\ntwo\r\nthree\n", 5);
    log.append(QStringLiteral("b"), 1, ProgramLog::Stderr, "other\n", 6);
    QCOMPARE(log.programs(), QStringList({QStringLiteral("a"), QStringLiteral("b")}));
    QCOMPARE(texts(log.lines(QStringLiteral("a"))),
             QStringList({QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("three")}));
    QCOMPARE(log.count(QStringLiteral("a")), 3);
    QCOMPARE(log.count(QStringLiteral("b")), 1);
    QCOMPARE(log.count(QStringLiteral("none")), 0);
    const ProgramLog::Line b = log.lines(QStringLiteral("b")).constFirst();
    QCOMPARE(b.worker, 1);
    QCOMPARE(b.stream, ProgramLog::Stderr);
    QCOMPARE(b.atMs, 6);
}

void tst_ProgramLog::linesSinceReadsOnlyWhatIsNew()
{
    ProgramLog log;
    const QString p = QStringLiteral("p");
    qint64 total = -1;
    QVERIFY(log.linesSince(p, 0, &total).isEmpty());
    QCOMPARE(total, 0);
    log.append(p, 0, ProgramLog::Stdout, "1\n2\n", 0);
    QCOMPARE(texts(log.linesSince(p, 0, &total)), QStringList({"1", "2"}));
    QCOMPARE(total, 2);
    log.append(p, 0, ProgramLog::Event, "3\n", 0);
    QCOMPARE(texts(log.linesSince(p, total, &total)), QStringList({"3"}));
    QCOMPARE(total, 3);
    QVERIFY(log.linesSince(p, total, &total).isEmpty());
    QCOMPARE(total, 3);
}

void tst_ProgramLog::linesSinceAfterTheCap()
{
    ProgramLog log;
    const QString p = QStringLiteral("p");
    QByteArray text;
    for (int i = 0; i < ProgramLog::MaxLines + 10; ++i)
        text += QByteArray::number(i) + '\n';
    log.append(p, 0, ProgramLog::Stdout, text, 0);
    qint64 total = 0;
    // A view that saw 3 lines missed those no longer kept: it gets what is kept.
    QList<ProgramLog::Line> lines = log.linesSince(p, 3, &total);
    QCOMPARE(total, ProgramLog::MaxLines + 10);
    QCOMPARE(lines.size(), ProgramLog::MaxLines);
    QCOMPARE(lines.constFirst().text, QStringLiteral("10"));
    lines = log.linesSince(p, total - 2, &total);
    QCOMPARE(texts(lines), QStringList({QString::number(ProgramLog::MaxLines + 8),
                                        QString::number(ProgramLog::MaxLines + 9)}));
}

void tst_ProgramLog::linesSinceAfterClear()
{
    ProgramLog log;
    const QString p = QStringLiteral("p");
    log.append(p, 0, ProgramLog::Stdout, "a\nb\nc\n", 0);
    log.clear();
    log.append(p, 0, ProgramLog::Stdout, "d\n", 0);
    qint64 total = 0;
    // The view saw 3 lines of the old log: the count is below that, every kept line comes.
    QCOMPARE(texts(log.linesSince(p, 3, &total)), QStringList({"d"}));
    QCOMPARE(total, 1);
}

QTEST_GUILESS_MAIN(tst_ProgramLog)
#include "tst_programlog.moc"
