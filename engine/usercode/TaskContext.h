#pragma once

#include "protocol/WireReader.h"
#include "protocol/WireWriter.h"

#include <QByteArray>
#include <QString>

namespace Brigade {

// What a command or program call needs to know about its task besides its shape: the id
// and the input ({} of a command; the id when the task has no "input"). Sent as the
// task's input bytes in assign frames.
struct TaskContext
{
    QString id;
    QString input;

    static QByteArray encode(const QString &id, const QString &input)
    {
        QByteArray out;
        WireWriter w(&out);
        w.varBytes(id.toUtf8());
        w.varBytes(input.isNull() ? id.toUtf8() : input.toUtf8());
        w.commit();
        return out;
    }
    static bool decode(QByteArrayView bytes, TaskContext *c)
    {
        WireReader r(bytes);
        c->id = QString::fromUtf8(r.varBytesView());
        c->input = QString::fromUtf8(r.varBytesView());
        return r.ok() && r.atEnd();
    }
};

} // namespace Brigade
