#pragma once

#include "core/Result.h"
#include "core/TaskSpec.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <memory>

namespace Brigade {

// A change to tasks' specs for a retry: a timeout, a number of attempts, request headers
// and the fetch URL's host (a mirror); or, for queued tasks, their priority (the window's
// Raise and Lower Priority). Made by the window's Retry with Changes and by
// brigade retry-failed --set-*; checked by the rules a batch is checked by (the run
// settings' limits, HeaderCheck, Url). The journal keeps it, so a resume runs the edited
// tasks.
class SpecChange
{
public:
    quint32 timeoutMs = 0;    // per attempt; 0: unchanged
    quint16 maxAttempts = 0;  // 0: unchanged
    HeaderList headers;       // set, replacing any header of the same name
    QByteArray host;          // host or host:port of http and https fetches; empty: unchanged
    qint32 priorityDelta = 0; // added to the task's priority (kept within +-MaxPriority)

    bool isEmpty() const
    {
        return timeoutMs == 0 && maxAttempts == 0 && headers.isEmpty() && host.isEmpty()
               && priorityDelta == 0;
    }
    // Why the change cannot be made, in words; fine when it can.
    Status check() const;
    // "Name: value" as written on a command line, checked.
    static Result<QPair<QByteArray, QByteArray>> parseHeader(const QString &text);
    // Why host (host or host:port) cannot replace a URL's host, or empty.
    static QString hostProblem(QByteArrayView host);

    // The shape of spec's task (shape: the one it has now) with the change made (headers
    // and host to URL fetches only); shape itself when nothing in it changes. The change
    // must have passed check().
    std::shared_ptr<const TaskShape> apply(const TaskSpec &spec,
                                           const std::shared_ptr<const TaskShape> &shape) const;
    // Whether apply() gives each task of shape a shape of its own: a URL list's tasks share
    // one, and a new host or headers depend on each task's URL. Else the tasks of one shape
    // can share the changed one.
    bool changesEachTask(const TaskShape &shape) const
    {
        return shape.fetch.urls && (!host.isEmpty() || !headers.isEmpty());
    }
    // url with its host (and port) replaced, or empty when url is not http or https.
    QByteArray withHost(const QByteArray &url) const;

    // The change in words, e.g. "host mirror:8080, timeout 10000 ms, header X-Key", "priority +1".
    QString describe() const;
    // As the journal keeps it.
    QByteArray toJson() const;
    static Result<SpecChange> fromJson(const QByteArray &json);
    // The fields a change can touch, as a task has them (for the journal's record of the
    // spec before and after).
    static QJsonObject fieldsOf(const TaskSpec &spec, const TaskShape &shape);
};

} // namespace Brigade
