#pragma once

#include <QSharedData>
#include <QString>

#include <cstddef>

namespace Brigade {

class SharedTextArena;

// A QString in one pointer (8 bytes, where a QString takes 24), for texts that a million
// tasks each may have but few do: a failed task's message, a command task's input. Null
// costs nothing; copies share one string. Reads as a const QString & wherever one is
// expected, and keeps null apart from empty ("" given).
class SharedText
{
public:
    SharedText() = default;
    SharedText(const QString &text) // NOLINT: implicit, as a QString field was
    {
        if (!text.isNull())
            m_d = new Data(text);
    }
    SharedText(QString &&text) // NOLINT
    {
        if (!text.isNull())
            m_d = new Data(std::move(text));
    }
    SharedText(QLatin1String text) // NOLINT
        : SharedText(QString(text))
    {}

    const QString &toString() const { return m_d ? m_d->text : null(); }
    operator const QString &() const { return toString(); } // NOLINT
    bool isNull() const { return !m_d; }
    bool isEmpty() const { return !m_d || m_d->text.isEmpty(); }
    void clear() { m_d.reset(); }
    QByteArray toUtf8() const { return toString().toUtf8(); }

    friend bool operator==(const SharedText &a, const SharedText &b)
    {
        return a.m_d == b.m_d || a.toString() == b.toString();
    }
    friend bool operator!=(const SharedText &a, const SharedText &b) { return !(a == b); }
    friend bool operator==(const SharedText &a, const QString &b) { return a.toString() == b; }
    friend bool operator!=(const SharedText &a, const QString &b) { return a.toString() != b; }

private:
    friend class SharedTextArena;
    struct Data : QSharedData
    {
        explicit Data(QString t)
            : text(std::move(t))
        {}
        const QString text;
        // Each Data is preceded by the block it was made in (see SharedTextArena), or null
        // for one allocated on its own: found again when its last reference goes.
        static void *operator new(size_t bytes);
        static void *operator new(size_t, void *where) { return where; }
        static void operator delete(void *p);
        static void operator delete(void *, void *) {}
    };
    explicit SharedText(const Data *d)
        : m_d(d)
    {}
    static const QString &null()
    {
        static const QString none;
        return none;
    }
    QExplicitlySharedDataPointer<const Data> m_d;
};

} // namespace Brigade
