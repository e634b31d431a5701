// Data files are found relative to the running executable: <bin>/../share/brigade. The
// test executables sit in build/tests, beside build/bin, so they see the staged build
// tree build/share/brigade just as brigade does (an installed tree is checked by
// tests/packaging/check-install.sh).
#include "core/DataPaths.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

class tst_DataPaths : public QObject
{
    Q_OBJECT
private slots:
    void dataDirIsBesideTheExecutable();
    void dataPathJoinsAndCleans();
    void workingDirectoryDoesNotMatter();
    void demoBatchesAreStagedInTheBuildTree();
};

void tst_DataPaths::dataDirIsBesideTheExecutable()
{
    QCOMPARE(Brigade::dataDir(), QDir::cleanPath(QStringLiteral(BRIGADE_BUILD_DATA_DIR)));
    QVERIFY(QDir::isAbsolutePath(Brigade::dataDir()));
}

void tst_DataPaths::dataPathJoinsAndCleans()
{
    QCOMPARE(Brigade::dataPath(QStringLiteral("demo/x.jsonl")),
             Brigade::dataDir() + QStringLiteral("/demo/x.jsonl"));
    QCOMPARE(Brigade::dataPath(QStringLiteral("python/../demo/")),
             Brigade::dataDir() + QStringLiteral("/demo"));
}

void tst_DataPaths::workingDirectoryDoesNotMatter()
{
    const QString before = Brigade::dataDir();
    const QString cwd = QDir::currentPath();
    QTemporaryDir elsewhere;
    QVERIFY(QDir::setCurrent(elsewhere.path()));
    const QString after = Brigade::dataDir();
    QVERIFY(QDir::setCurrent(cwd));
    QCOMPARE(after, before);
}

void tst_DataPaths::demoBatchesAreStagedInTheBuildTree()
{
    const QDir source(QStringLiteral(BRIGADE_SOURCE_DIR "/resources/demo"));
    const QStringList batches = source.entryList({QStringLiteral("*.jsonl")}, QDir::Files);
    QVERIFY(!batches.isEmpty());
    for (const QString &name : batches) {
        QFile original(source.filePath(name));
        QFile staged(Brigade::dataPath(QStringLiteral("demo/") + name));
        QVERIFY2(staged.open(QIODevice::ReadOnly), qPrintable(staged.fileName()));
        QVERIFY(original.open(QIODevice::ReadOnly));
        QVERIFY2(staged.readAll() == original.readAll(), qPrintable(name));
    }
}

QTEST_GUILESS_MAIN(tst_DataPaths)
#include "tst_datapaths.moc"
