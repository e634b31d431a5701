#pragma once

#include "ComputeOp.h"

#include <memory>
#include <vector>

namespace Brigade {

// All compute ops, by name and by wire id (1-based; 0 means no compute).
// Adding an op: write a ComputeOp subclass in its own file and add one line to
// ComputeRegistry::ComputeRegistry().
class ComputeRegistry
{
public:
    static const ComputeRegistry &instance();

    const ComputeOp *op(quint8 id) const;
    quint8 idOf(const QByteArray &name) const; // 0 when unknown
    QList<QByteArray> names() const;           // the public ones (ComputeOp::isPublic)

private:
    ComputeRegistry();
    void add(std::unique_ptr<ComputeOp> op);

    std::vector<std::unique_ptr<ComputeOp>> m_ops;
};

} // namespace Brigade
