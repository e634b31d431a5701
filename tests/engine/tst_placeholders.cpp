// Placeholders of commands: GNU parallel's forms of the input, Brigade's own, literal braces,
// shell quoting, and what each scope may use.
#include "usercode/Placeholders.h"

#include <QtTest>

using namespace Brigade;

class tst_Placeholders : public QObject
{
    Q_OBJECT
private slots:
    void gnuForms_data();
    void gnuForms();
    void expand_data();
    void expand();
    void shellQuoting();
    void needs();
    void programScope();
    void escapeUnknown_data();
    void escapeUnknown();
};

// The expected values are what GNU parallel 20221122 prints for
//   parallel echo '[{}] [{.}] [{/}] [{//}] [{/.}]' ::: INPUT
// (its own shell quoting removed).
void tst_Placeholders::gnuForms_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("noExt");
    QTest::addColumn<QString>("base");
    QTest::addColumn<QString>("dir");
    QTest::addColumn<QString>("baseNoExt");
    const auto row = [](const char *name, const char *in, const char *noExt, const char *base,
                        const char *dir, const char *baseNoExt) {
        QTest::newRow(name) << QString::fromUtf8(in) << QString::fromUtf8(noExt)
                            << QString::fromUtf8(base) << QString::fromUtf8(dir)
                            << QString::fromUtf8(baseNoExt);
    };
    row("two extensions", "a/b.tar.gz", "a/b.tar", "b.tar.gz", "a", "b.tar");
    row("plain file", "b.txt", "b", "b.txt", ".", "b");
    row("absolute", "/x/y", "/x/y", "y", "/x", "y");
    row("hidden file", ".hidden", "", ".hidden", ".", "");
    row("dot in a directory", "dir.d/file", "dir.d/file", "file", "dir.d", "file");
    row("file in the root", "/y", "/y", "y", "/", "y");
    row("trailing slash", "a/", "a/", "", ".", "");
    row("spaces", "a b/c.d e", "a b/c", "c.d e", "a b", "c");
    row("trailing dot", "x.", "x", "x.", ".", "x");
    row("root", "/", "/", "", "/", "");
    row("double slash", "a//b.c", "a//b", "b.c", "a", "b");
    row("tilde", "~/f.txt", "~/f", "f.txt", "~", "f");
    row("dotted directory", "a.b/c", "a.b/c", "c", "a.b", "c");
    row("empty", "", "", "", ".", "");
    row("unicode", "dir/ünï.cödé", "dir/ünï", "ünï.cödé", "dir", "ünï");
}

void tst_Placeholders::gnuForms()
{
    QFETCH(QString, input);
    QFETCH(QString, noExt);
    QFETCH(QString, base);
    QFETCH(QString, dir);
    QFETCH(QString, baseNoExt);
    PlaceholderValues v;
    v.input = input;
    QCOMPARE(Placeholders::expand(u"{}", v), input);
    QCOMPARE(Placeholders::expand(u"{.}", v), noExt);
    QCOMPARE(Placeholders::expand(u"{/}", v), base);
    QCOMPARE(Placeholders::expand(u"{//}", v), dir);
    QCOMPARE(Placeholders::expand(u"{/.}", v), baseNoExt);
}

void tst_Placeholders::expand_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("input") << "gzip -9c {}"
                           << "gzip -9c photos/cat.jpg";
    QTest::newRow("all GNU forms") << "{} {.} {/} {//} {/.}"
                                   << "photos/cat.jpg photos/cat cat.jpg photos cat";
    QTest::newRow("glued") << "{.}.png"
                           << "photos/cat.png";
    QTest::newRow("sequence") << "{#}"
                              << "42";
    QTest::newRow("id and attempt") << "{id}-{attempt}"
                                    << "t-7-3";
    QTest::newRow("worker") << "w{worker}"
                            << "w1";
    QTest::newRow("url") << "{url}"
                         << "http://127.0.0.1:1/x?a=b";
    QTest::newRow("body") << "{body}"
                          << "/tmp/b";
    QTest::newRow("literal braces") << "{{}} {{x}}"
                                    << "{} {x}";
    QTest::newRow("awk program") << "{print $1}"
                                 << "{print $1}";
    QTest::newRow("json") << "{\"a\":[1,{}]}"
                          << "{\"a\":[1,photos/cat.jpg]}";
    QTest::newRow("unknown name stays") << "{foo} {ID}"
                                        << "{foo} {ID}";
    QTest::newRow("shell variable") << "${HOME}/{/}"
                                    << "${HOME}/cat.jpg";
    QTest::newRow("stray braces") << "} { {"
                                  << "} { {";
    QTest::newRow("no placeholder") << "/bin/true"
                                    << "/bin/true";
    QTest::newRow("repeated") << "{}{}"
                              << "photos/cat.jpgphotos/cat.jpg";
}

void tst_Placeholders::expand()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    PlaceholderValues v;
    v.input = QStringLiteral("photos/cat.jpg");
    v.id = QStringLiteral("t-7");
    v.seq = 42;
    v.attempt = 3;
    v.worker = 1;
    v.url = QStringLiteral("http://127.0.0.1:1/x?a=b");
    v.bodyPath = QStringLiteral("/tmp/b");
    quint8 needs = 0;
    Placeholders::Problem problem;
    QVERIFY(Placeholders::check(text, Placeholders::Scope::Task, &needs, &problem));
    QCOMPARE(Placeholders::expand(text, v), expected);
}

void tst_Placeholders::shellQuoting()
{
    PlaceholderValues v;
    v.input = QStringLiteral("it's a; rm -rf x");
    // A shell line gets every value quoted: an input cannot become shell syntax.
    const QString line = Placeholders::expand(u"echo {} > {/.}.out", v, true);
    QCOMPARE(line, QStringLiteral("echo 'it'\\''s a; rm -rf x' > 'it'\\''s a; rm -rf x'.out"));
    QProcess sh;
    sh.start(QStringLiteral("/bin/sh"),
             {QStringLiteral("-c"), Placeholders::expand(u"printf %s {}", v, true)});
    QVERIFY(sh.waitForFinished(10000));
    QCOMPARE(QString::fromUtf8(sh.readAllStandardOutput()), v.input);
}

void tst_Placeholders::needs()
{
    quint8 needs = 0;
    Placeholders::Problem problem;
    QVERIFY(Placeholders::check(u"{} {url}", Placeholders::Scope::Task, &needs, &problem));
    QCOMPARE(needs, quint8(Placeholders::NeedsUrl));
    QVERIFY(Placeholders::check(u"cat {body}", Placeholders::Scope::Task, &needs, &problem));
    QCOMPARE(needs, quint8(Placeholders::NeedsBody));
    QVERIFY(Placeholders::check(u"{{url}} {{body}}", Placeholders::Scope::Task, &needs, &problem));
    QCOMPARE(needs, quint8(0));
    QVERIFY(Placeholders::hasAny(u"x{/.}y"));
    QVERIFY(!Placeholders::hasAny(u"{{}} {print}"));
}

void tst_Placeholders::programScope()
{
    quint8 needs = 0;
    Placeholders::Problem problem;
    QVERIFY(Placeholders::check(u"--gpu={worker}", Placeholders::Scope::Program, &needs, &problem));
    QVERIFY(!Placeholders::check(u"score.py {id}", Placeholders::Scope::Program, &needs, &problem));
    QCOMPARE(problem.text, QStringLiteral("{id}"));
    QCOMPARE(problem.offset, 9);
    QVERIFY(problem.message.contains(QLatin1String("only {worker}")));
}

void tst_Placeholders::escapeUnknown_data()
{
    QTest::addColumn<QString>("argument");
    QTest::addColumn<QString>("reaches");
    QTest::newRow("placeholder") << "{}"
                                 << "L";
    QTest::newRow("awk") << "{print $1}"
                         << "{print $1}";
    QTest::newRow("doubled stays doubled") << "{{x}}"
                                           << "{{x}}";
    QTest::newRow("mixed") << "{.}.gz {a}"
                           << "L.gz {a}";
    QTest::newRow("stray") << "}{"
                           << "}{";
}

void tst_Placeholders::escapeUnknown()
{
    QFETCH(QString, argument);
    QFETCH(QString, reaches);
    // What an argument of brigade run LIST -- PROG ARG... reaches the command as.
    PlaceholderValues v;
    v.input = QStringLiteral("L");
    QCOMPARE(Placeholders::expand(Placeholders::escapeUnknown(argument), v), reaches);
}

QTEST_GUILESS_MAIN(tst_Placeholders)
#include "tst_placeholders.moc"
