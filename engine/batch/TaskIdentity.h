#pragma once

#include "core/TaskSpec.h"

#include <QByteArray>
#include <QString>

namespace Brigade {

// What a task computes, as a SHA-256 digest of its parsed spec, so a resume of an edited
// or reordered batch knows which finished tasks it may keep. The rule:
//
// - counted: the id, the input, the fetch (kind, simulated delay and failure rate, URL,
//   headers in sorted order, HTTP method, body, credentials' source, decoding, redirects,
//   HTTP version), the compute op and its parameters (a command and its arguments, a call
//   with its program's definition);
// - not counted: run policy, which does not change what a task computes: attempts,
//   timeouts, size limit and priority;
// - secrets (headers and credentials from the environment) count by their name and a
//   digest of their value, so changing one runs the task again; the value itself is never
//   kept, in the identity or anywhere else.
//
// Being made from the parsed spec, the identity does not depend on a line's whitespace or
// key order. Parts are kept apart so that an explanation can say what changed.
struct TaskIdentity
{
    enum Part : quint8 { Id = 0, Input, Fetch, Compute, Command, Program, PartCount };

    QByteArray parts[PartCount]; // a SHA-256 digest each

    static TaskIdentity of(const TaskSpec &spec, const TaskShape &shape);
    static TaskIdentity of(const TaskSpec &spec) { return of(spec, *spec.shape); }

    // The whole identity: a digest over the parts.
    QByteArray digest() const;
    // The same digest made faster for many tasks of few shapes: shapeDigest(shape) once per
    // shape, then digestOf() per task. Not for a URL list's shape (fetch.urls), whose
    // tasks each have their own URL: of(spec).digest() for those.
    static QByteArray shapeDigest(const TaskShape &shape);
    static QByteArray digestOf(const TaskSpec &spec, const QByteArray &shapeDigest);
    // The parts that differ from other's, named for people ("fetch", "compute params", ...).
    QStringList differences(const TaskIdentity &other) const;
    static QString partName(Part part);

    bool operator==(const TaskIdentity &o) const;
    bool operator!=(const TaskIdentity &o) const { return !(*this == o); }
};

} // namespace Brigade
