#pragma once

#include "encoding/Varint.h"

#include <QByteArray>
#include <QByteArrayView>

#include <charconv>
#include <cstring>

namespace Brigade {

// Appends to a QByteArray through a raw cursor. QByteArray::append costs a few hundred
// instructions per call in Qt 6.4 (it goes through insert()); the hot paths append a dozen
// small fields per task, so they write here instead. The array is grown geometrically and
// trimmed to what was written by commit() or the destructor (the array keeps what was
// written past its size, within its capacity, as it grows). Do not touch the array
// directly while a sink on it is alive.
class ByteSink
{
public:
    explicit ByteSink(QByteArray *out)
        : m_out(out)
        , m_size(out->size())
        , m_data(out->data())
        , m_cap(out->capacity()) // room reserve()d beforehand is written without a resize
    {}
    ~ByteSink() { commit(); }
    ByteSink(const ByteSink &) = delete;
    ByteSink &operator=(const ByteSink &) = delete;

    void append(const char *p, qsizetype n)
    {
        if (n <= 0)
            return; // an empty QByteArray's data() may be null, and memcpy(.., null, 0) is UB
        reserve(n);
        std::memcpy(m_data + m_size, p, size_t(n));
        m_size += n;
    }
    void append(QByteArrayView v) { append(v.data(), v.size()); }
    template<qsizetype N>
    void literal(const char (&s)[N])
    {
        append(s, N - 1);
    }
    void append(char c)
    {
        reserve(1);
        m_data[m_size++] = c;
    }
    void number(qint64 v)
    {
        reserve(24);
        m_size = std::to_chars(m_data + m_size, m_data + m_size + 24, v).ptr - m_data;
    }
    void fixed(double v, int precision)
    {
        reserve(48);
        auto r = std::to_chars(m_data + m_size, m_data + m_size + 48, v, std::chars_format::fixed,
                               precision);
        m_size = r.ptr - m_data;
    }
    // A LEB128 varint (see Varint).
    void varint(quint64 v)
    {
        reserve(Varint::MaxBytes);
        m_size = Varint::put(m_data + m_size, v) - m_data;
    }
    // For writers that put many small fields at once: room for n bytes at the end, written
    // through the returned pointer, then claimed with advanceTo(the pointer past them).
    char *room(qsizetype n)
    {
        reserve(n);
        return m_data + m_size;
    }
    void advanceTo(const char *end) { m_size = end - m_data; }
    // Writes n bytes later through the returned pointer (valid until the next append).
    char *grow(qsizetype n)
    {
        reserve(n);
        char *p = m_data + m_size;
        m_size += n;
        return p;
    }
    qsizetype size() const { return m_size; }
    char *at(qsizetype pos) { return m_data + pos; }

    void commit()
    {
        if (m_out->size() != m_size)
            m_out->resize(m_size);
        m_cap = m_size;
        m_data = m_out->data();
    }

private:
    void reserve(qsizetype n)
    {
        if (m_size + n <= m_cap)
            return;
        m_cap = qMax<qsizetype>(m_cap * 2, m_size + n + 256);
        m_out->resize(m_size); // within the capacity: claims what was written past the size
        m_out->resize(m_cap);  // so that a reallocation keeps it
        m_data = m_out->data();
    }

    QByteArray *m_out;
    qsizetype m_size;
    char *m_data;
    qsizetype m_cap;
};

} // namespace Brigade
