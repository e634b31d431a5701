#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace Brigade {

// The outcome of a fallible engine call: a value, or a readable error text (one line that
// names the file or setting and says what is wrong). In the spirit of std::expected<T,
// QString> (C++23; Brigade builds as C++17) and Qt Creator's Utils::Result.
//
//     Result<Journal> j = Journal::openExisting(path);
//     if (!j)
//         return fail(j.error());
template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_value(std::move(value))
    {}
    static Result failure(QString error)
    {
        Result r;
        r.m_error = error.isEmpty() ? QStringLiteral("unknown error") : std::move(error);
        return r;
    }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const QString &error() const { return m_error; }
    T &value() & { return *m_value; }
    const T &value() const & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    T *operator->() { return &*m_value; }
    const T *operator->() const { return &*m_value; }
    T &operator*() & { return *m_value; }
    const T &operator*() const & { return *m_value; }

private:
    Result() = default;
    std::optional<T> m_value;
    QString m_error;
};

// Nothing to return but success, or an error text.
template<>
class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    static Result failure(QString error)
    {
        Result r;
        r.m_failed = true;
        r.m_error = error.isEmpty() ? QStringLiteral("unknown error") : std::move(error);
        return r;
    }

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const QString &error() const { return m_error; }

private:
    bool m_failed = false;
    QString m_error;
};

using Status = Result<void>;

} // namespace Brigade
