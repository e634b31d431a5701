#pragma once

#include <QByteArrayView>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <deque>

namespace Brigade {

// What the run's long-lived programs wrote on stdout and stderr, and what happened to them
// (started, ready, stopped, broken: Brigade's own lines), per program, from every worker.
// The engine appends; views read from any thread. Keeps the last MaxLines per program.
class ProgramLog
{
public:
    static constexpr int MaxLines = 5000;
    enum Stream : quint8 { Stdout = 1, Stderr = 2, Event = 3 };

    struct Line
    {
        qint64 atMs = 0; // run clock
        int worker = -1;
        Stream stream = Stdout;
        QString text; // without its line break
    };

    // Splits text into lines.
    void append(const QString &program, int worker, Stream stream, QByteArrayView text,
                qint64 atMs);
    void clear();
    QStringList programs() const;
    QList<Line> lines(const QString &program) const;
    // Lines ever appended for program (also those no longer kept): grows with every line.
    qint64 count(const QString &program) const;

private:
    struct Kept
    {
        std::deque<Line> lines;
        qint64 total = 0;
    };
    mutable QMutex m_mutex;
    QMap<QString, Kept> m_programs;
};

} // namespace Brigade
