// The job contract every job keeps (KJob's): one result, after the error is set; kill()
// and suspend() only where the job can; amounts emitted only when they change.
#include "job/Job.h"

#include <QSignalSpy>
#include <QTest>

using namespace Brigade;

namespace {

// A job the test drives by hand.
class TestJob : public Job
{
    Q_OBJECT
public:
    explicit TestJob(Capabilities caps)
    {
        setCapabilities(caps);
        setProgressUnit(Unit::Items);
    }
    int starts = 0;
    int kills = 0;
    bool acceptKill = true;
    void progress(qint64 done, qint64 total)
    {
        setTotalAmount(Unit::Items, total);
        setProcessedAmount(Unit::Items, done);
    }
    void finish(int error = NoError, const QString &text = {})
    {
        if (isFinished())
            return; // as a job must: nothing changes after its result
        setError(error);
        setErrorText(text);
        emitResult();
    }

private:
    void doStart() override { ++starts; }
    bool doKill() override
    {
        ++kills;
        return acceptKill;
    }
    bool doSuspend() override { return true; }
    bool doResume() override { return true; }
};

} // namespace

class tst_Job : public QObject
{
    Q_OBJECT
private slots:
    void resultOnce();
    void killedJobsSaySo();
    void killOnlyWhereItCan();
    void suspendAndResume();
    void amountsOnlyWhenChanged();
};

void tst_Job::resultOnce()
{
    TestJob job(Job::Killable);
    QSignalSpy result(&job, &Job::result);
    QVERIFY(!job.isRunning());
    job.start();
    job.start(); // once
    QCOMPARE(job.starts, 1);
    QVERIFY(job.isRunning());
    job.finish(Job::PartialError, QStringLiteral("of 3 tasks, 1 failed"));
    job.finish();
    QCOMPARE(result.count(), 1);
    QCOMPARE(result.first().first().value<Job *>(), &job);
    QCOMPARE(job.error(), int(Job::PartialError));
    QCOMPARE(job.errorText(), QStringLiteral("of 3 tasks, 1 failed"));
    QVERIFY(job.isFinished());
    QVERIFY(!job.kill()); // nothing to kill any more
}

void tst_Job::killedJobsSaySo()
{
    TestJob job(Job::Killable);
    QSignalSpy stopping(&job, &Job::stopping);
    QSignalSpy result(&job, &Job::result);
    job.start();
    QVERIFY(job.kill());
    QCOMPARE(stopping.count(), 1);
    QCOMPARE(result.count(), 0); // the result follows once the job has stopped
    QVERIFY(!job.kill());
    QCOMPARE(job.kills, 1);
    job.finish(Job::PartialError);
    QCOMPARE(result.count(), 1);
    QCOMPARE(job.error(), int(Job::KilledError));
}

void tst_Job::killOnlyWhereItCan()
{
    TestJob plain(Job::NoCapabilities);
    plain.start();
    QVERIFY(!plain.kill());
    QCOMPARE(plain.kills, 0);
    TestJob refusing(Job::Killable);
    refusing.acceptKill = false;
    refusing.start();
    QVERIFY(!refusing.kill());
    QVERIFY(!refusing.isKilled());
    TestJob notStarted(Job::Killable);
    QVERIFY(!notStarted.kill());
}

void tst_Job::suspendAndResume()
{
    TestJob fixed(Job::Killable);
    fixed.start();
    QVERIFY(!fixed.suspend());
    TestJob job(Job::Killable | Job::Suspendable);
    QSignalSpy suspended(&job, &Job::suspended);
    QSignalSpy resumed(&job, &Job::resumed);
    QVERIFY(!job.suspend()); // not started
    job.start();
    QVERIFY(job.suspend());
    QVERIFY(!job.suspend());
    QVERIFY(job.isSuspended());
    QVERIFY(job.resume());
    QVERIFY(!job.resume());
    QCOMPARE(suspended.count(), 1);
    QCOMPARE(resumed.count(), 1);
    QVERIFY(job.suspend());
    job.finish();
    QVERIFY(!job.isSuspended()); // a finished job is not suspended
}

void tst_Job::amountsOnlyWhenChanged()
{
    TestJob job(Job::NoCapabilities);
    QSignalSpy processed(&job, &Job::processedAmountChanged);
    QSignalSpy total(&job, &Job::totalAmountChanged);
    job.start();
    job.progress(0, 10);
    job.progress(0, 10);
    job.progress(4, 10);
    job.progress(4, 10);
    job.progress(10, 10);
    QCOMPARE(total.count(), 1);
    QCOMPARE(processed.count(), 2);
    QCOMPARE(processed.last().at(2).toLongLong(), qint64(10));
    QCOMPARE(job.percent(), 100);
}

QTEST_GUILESS_MAIN(tst_Job)
#include "tst_job.moc"
