#pragma once

#include <memory>

namespace Brigade {

// A value most holders leave at its default, kept behind one pointer: none for the
// default, shared by copies, copied on the first write to a shared one (as Qt's implicit
// sharing). Reads of a default value read one static default.
template<typename T>
class CopyOnWrite
{
public:
    const T &operator*() const { return m_d ? *m_d : defaultValue(); }
    const T *operator->() const { return &**this; }

    // The value to change: made when there is none, copied when shared.
    T &write()
    {
        if (!m_d)
            m_d = std::make_shared<T>();
        else if (m_d.use_count() > 1)
            m_d = std::make_shared<T>(*m_d);
        return *m_d;
    }

private:
    static const T &defaultValue()
    {
        static const T value;
        return value;
    }

    std::shared_ptr<T> m_d;
};

} // namespace Brigade
