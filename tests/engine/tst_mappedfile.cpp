// MappedFile: a file read in place; what cannot be mapped says so (the caller reads it);
// and a file cut short under the reader ends the process with a message and exit status 2,
// while a fault elsewhere is still the crash it is. The last two run in a forked child.
#include "core/MappedFile.h"

#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace Brigade;

namespace {

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    return path;
}

struct ChildEnd
{
    int status = 0;
    QByteArray stderrText;
};

// Runs body in a child process with its stderr captured.
template<typename Body>
ChildEnd inChild(Body body)
{
    int fds[2];
    if (pipe(fds) != 0)
        return {};
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        body();
        _exit(0);
    }
    close(fds[1]);
    ChildEnd end;
    char buffer[1024];
    for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;)
        end.stderrText.append(buffer, n);
    close(fds[0]);
    waitpid(pid, &end.status, 0);
    return end;
}

} // namespace

class tst_MappedFile : public QObject
{
    Q_OBJECT
private slots:
    void mapsAFileInPlace();
    void whatCannotBeMappedIsRefused();
    void fileCutShortEndsTheProcessWithAMessage();
    void otherFaultsStayCrashes();
};

void tst_MappedFile::mapsAFileInPlace()
{
    QTemporaryDir dir;
    QByteArray bytes;
    for (int i = 0; i < 100000; ++i)
        bytes += "{\"id\":\"n" + QByteArray::number(i) + "\"}\n";
    const QString path = writeFile(dir, QStringLiteral("batch.jsonl"), bytes);
    MappedFile mapped;
    QVERIFY(mapped.map(path));
    QVERIFY(mapped.isMapped());
    QCOMPARE(mapped.bytes(), QByteArrayView(bytes));
    // Several live at once, each its own.
    MappedFile second;
    const QString other = writeFile(dir, QStringLiteral("other.txt"), "http://a/\n");
    QVERIFY(second.map(other));
    QCOMPARE(second.bytes(), QByteArrayView("http://a/\n"));
    QCOMPARE(mapped.bytes().size(), bytes.size());
    mapped.unmap();
    QVERIFY(!mapped.isMapped());
    QVERIFY(mapped.bytes().isEmpty());
}

void tst_MappedFile::whatCannotBeMappedIsRefused()
{
    QTemporaryDir dir;
    MappedFile mapped;
    QVERIFY(!mapped.map(writeFile(dir, QStringLiteral("empty.jsonl"), {})));
    QVERIFY(!mapped.map(dir.filePath(QStringLiteral("missing.jsonl"))));
    QVERIFY(!mapped.map(dir.path())); // a folder
    QVERIFY(!mapped.map(QStringLiteral("/dev/null")));
    QVERIFY(!mapped.isMapped());
    // Only so many are guarded at once; past that the caller reads instead.
    const QString path = writeFile(dir, QStringLiteral("one.jsonl"), "{}\n");
    std::vector<std::unique_ptr<MappedFile>> many;
    int mappedCount = 0;
    for (int i = 0; i < 16; ++i) {
        many.push_back(std::make_unique<MappedFile>());
        mappedCount += many.back()->map(path) ? 1 : 0;
    }
    QVERIFY(mappedCount >= 1);
    QVERIFY(mappedCount < 16);
    many.clear(); // every guard given back
    QVERIFY(mapped.map(path));
}

void tst_MappedFile::fileCutShortEndsTheProcessWithAMessage()
{
    QTemporaryDir dir;
    const QByteArray bytes(1 << 20, 'x');
    const QString path = writeFile(dir, QStringLiteral("batch.jsonl"), bytes);
    const ChildEnd end = inChild([&] {
        MappedFile mapped;
        if (!mapped.map(path))
            _exit(10);
        if (truncate(QFile::encodeName(path).constData(), 100) != 0)
            _exit(11);
        volatile char last = mapped.bytes()[mapped.bytes().size() - 1]; // past the new end
        (void)last;
        _exit(12);
    });
    QVERIFY2(WIFEXITED(end.status), end.stderrText.constData());
    QCOMPARE(WEXITSTATUS(end.status), 2);
    QVERIFY2(end.stderrText.contains(QFile::encodeName(path) + " was cut short while it was read"),
             end.stderrText.constData());
}

void tst_MappedFile::otherFaultsStayCrashes()
{
    // A guarded mapping lives; a mapping of another file, not guarded, is cut short.
    QTemporaryDir dir;
    const QString guarded = writeFile(dir, QStringLiteral("batch.jsonl"), QByteArray(8192, 'x'));
    const QString other = writeFile(dir, QStringLiteral("other.bin"), QByteArray(1 << 20, 'y'));
    const ChildEnd end = inChild([&] {
        signal(SIGBUS, SIG_DFL); // not the test framework's crash report
        MappedFile mapped;
        if (!mapped.map(guarded))
            _exit(10);
        const int fd = open(QFile::encodeName(other).constData(), O_RDONLY);
        void *p = mmap(nullptr, 1 << 20, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED || truncate(QFile::encodeName(other).constData(), 100) != 0)
            _exit(11);
        volatile char last = static_cast<const char *>(p)[(1 << 20) - 1];
        (void)last;
        _exit(12);
    });
    QVERIFY2(WIFSIGNALED(end.status), end.stderrText.constData());
    QCOMPARE(WTERMSIG(end.status), SIGBUS);
    QVERIFY(!end.stderrText.contains("cut short"));

    // And once nothing is mapped, whoever handled SIGBUS before does so again.
    struct sigaction before = {};
    sigaction(SIGBUS, nullptr, &before);
    {
        MappedFile mapped;
        QVERIFY(mapped.map(guarded));
        struct sigaction during = {};
        sigaction(SIGBUS, nullptr, &during);
        QVERIFY(during.sa_sigaction != before.sa_sigaction);
    }
    struct sigaction after = {};
    sigaction(SIGBUS, nullptr, &after);
    QVERIFY(after.sa_sigaction == before.sa_sigaction);
    QCOMPARE(after.sa_flags, before.sa_flags);
}

QTEST_GUILESS_MAIN(tst_MappedFile)
#include "tst_mappedfile.moc"
