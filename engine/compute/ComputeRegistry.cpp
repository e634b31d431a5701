#include "ComputeRegistry.h"

#include "MapNgramOp.h"
#include "MapWordsOp.h"
#include "Sha256Op.h"
#include "SumToOp.h"
#include "UserCodeOp.h"
#include "WordCountOp.h"

namespace Brigade {

const ComputeRegistry &ComputeRegistry::instance()
{
    static const ComputeRegistry registry;
    return registry;
}

// The order is the wire id (1-based): append new ops, never reorder.
ComputeRegistry::ComputeRegistry()
{
    add(std::make_unique<SumToOp>());     // 1
    add(std::make_unique<Sha256Op>());    // 2
    add(std::make_unique<WordCountOp>()); // 3
    add(std::make_unique<MapNgramOp>());  // 4
    add(std::make_unique<MapWordsOp>());  // 5
    add(UserCodeOp::exec());              // 6
    add(UserCodeOp::call());              // 7
}

void ComputeRegistry::add(std::unique_ptr<ComputeOp> op)
{
    m_ops.push_back(std::move(op));
}

const ComputeOp *ComputeRegistry::op(quint8 id) const
{
    if (id == 0 || id > m_ops.size())
        return nullptr;
    return m_ops[id - 1].get();
}

quint8 ComputeRegistry::idOf(const QByteArray &name) const
{
    for (size_t i = 0; i < m_ops.size(); ++i) {
        if (m_ops[i]->name() == name)
            return quint8(i + 1);
    }
    return 0;
}

QList<QByteArray> ComputeRegistry::names() const
{
    QList<QByteArray> result;
    result.reserve(qsizetype(m_ops.size()));
    for (const auto &op : m_ops) {
        if (op->isPublic())
            result.append(op->name());
    }
    return result;
}

} // namespace Brigade
