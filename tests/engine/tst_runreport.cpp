// The run report: one self-contained HTML page from a real run's store and attempt log.
#include "EngineHarness.h"
#include "report/RunReport.h"

#include <QRegularExpression>
#include <QTest>

using namespace Brigade;
using namespace Brigade::Test;

class tst_RunReport : public QObject
{
    Q_OBJECT
private slots:
    void reportOfARealRun();
    void sparkline();
};

void tst_RunReport::reportOfARealRun()
{
    EngineHarness h;
    QVERIFY(h.load({R"({"id":"a","fetch":{"delay_ms":20},"compute":{"op":"sum_to","n":1000}})",
                    R"({"id":"b","compute":{"op":"sha256","rounds":5000}})",
                    R"({"id":"c","fetch":{"delay_ms":5,"fail_rate":1},"max_attempts":2})"}));
    h.start();
    QVERIFY(h.waitFinished());
    RunReport::Options o;
    o.title = QStringLiteral("night <batch> & co");
    o.batchPath = QStringLiteral("/data/night.jsonl");
    o.failuresHtml = QStringLiteral("<p id=groups>1 group</p>");
    const QString html = RunReport::html(h.store(), o);
    QVERIFY(html.startsWith(QStringLiteral("<!DOCTYPE html>")));
    QVERIFY(html.trimmed().endsWith(QStringLiteral("</html>")));
    // Text from the batch is escaped.
    QVERIFY(html.contains(QStringLiteral("night &lt;batch&gt; &amp; co")));
    QVERIFY(!html.contains(QStringLiteral("night <batch>")));
    // Self-contained: no script, nothing loaded from elsewhere.
    QVERIFY(!html.contains(QStringLiteral("<script"), Qt::CaseInsensitive));
    QVERIFY(!html.contains(QRegularExpression(QStringLiteral(R"((src|href)\s*=)"))));
    // The counts of this run.
    QVERIFY(html.contains(QStringLiteral("<b>3</b> tasks")));
    QVERIFY(html.contains(QStringLiteral("<b>2</b> succeeded")));
    QVERIFY(html.contains(QStringLiteral("<b>1</b> failed")));
    QVERIFY(html.contains(QStringLiteral("<b>4</b> attempts")));
    // A timeline drawn as SVG, with a lane for each worker that ran an attempt (on a busy
    // machine one worker may take all three tasks before the other has started).
    const int lanes = int(h.store().attemptLog().lanes().size());
    QVERIFY(lanes >= 1 && lanes <= 2);
    QVERIFY(html.contains(QStringLiteral("aria-label=\"Timeline\"")));
    QCOMPARE(html.count(QStringLiteral("· worker ")), lanes);
    QVERIFY(html.contains(QStringLiteral("<path fill=")));
    // Where the time went, per host and worker, and the failure groups given.
    QVERIFY(html.contains(
            QStringLiteral("<tr class=\"total\"><td>all workers</td><td class=n>4</td>")));
    QCOMPARE(html.count(QStringLiteral("<tr class=\"lane\">")), lanes);
    QVERIFY(html.contains(QStringLiteral("<p id=groups>1 group</p>")));
    QVERIFY(html.contains(QStringLiteral("aria-label=\"Rates over time\""))
            || html.contains(QStringLiteral("Not enough samples")));
}

void tst_RunReport::sparkline()
{
    const QString svg = RunReport::sparkline({0, 2, 4}, 30, 10, QStringLiteral("#e04545"));
    QVERIFY(svg.startsWith(QStringLiteral("<svg")));
    QCOMPARE(svg.count(QStringLiteral("<rect")), 2); // nothing drawn for an empty bucket
    QVERIFY(svg.contains(QStringLiteral("height=\"10.0\"")));
    QVERIFY(svg.contains(QStringLiteral("height=\"5.0\"")));
}

QTEST_GUILESS_MAIN(tst_RunReport)
#include "tst_runreport.moc"
