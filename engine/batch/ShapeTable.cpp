#include "ShapeTable.h"

namespace Brigade {

std::shared_ptr<const TaskShape> ShapeTable::intern(const QByteArray &key, TaskShape &&shape)
{
    const std::lock_guard<std::mutex> lock(m_mutex);
    auto it = m_shapes.find(key);
    if (it == m_shapes.end())
        it = m_shapes.insert(key, std::make_shared<const TaskShape>(std::move(shape)));
    return it.value();
}

} // namespace Brigade
