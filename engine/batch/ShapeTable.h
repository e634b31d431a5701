#pragma once

#include "core/TaskSpec.h"

#include <QByteArray>
#include <QHash>

#include <memory>
#include <mutex>

namespace Brigade {

// The shapes of one batch, shared by the threads that parse it: each distinct shape is one
// object, whichever thread met it first. Threads ask only for shapes new to them (a few
// per batch), so the lock is seldom taken.
class ShapeTable
{
public:
    // The batch's shape for key (BatchLineParser::shapeKey), shape itself when it is new.
    std::shared_ptr<const TaskShape> intern(const QByteArray &key, TaskShape &&shape);

private:
    std::mutex m_mutex;
    QHash<QByteArray, std::shared_ptr<const TaskShape>> m_shapes;
};

} // namespace Brigade
