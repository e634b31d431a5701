#include "TaskOrdering.h"

#include "text/Ascii.h"

#include <QElapsedTimer>

#include <algorithm>
#include <limits>
#include <numeric>
#include <vector>

namespace Brigade {

namespace {

// Rows read per hold of the store's read lock: long enough to be cheap, short enough that
// the engine's writes are never held up by more than a millisecond or so.
constexpr int RowsPerLock = 32768;

using Ascii::containsNoCase;
using Ascii::toLower;

inline bool isDigit(QChar c)
{
    return c.unicode() >= '0' && c.unicode() <= '9';
}

// Calls f(states, row) for every row in rows, reading states in chunks under the lock.
// Returns false when cancelled.
template<typename F>
bool forRows(const TaskStore &store, int count, const std::atomic_bool &cancel, F &&f)
{
    for (int begin = 0; begin < count; begin += RowsPerLock) {
        if (cancel.load(std::memory_order_relaxed))
            return false;
        const int end = qMin(count, begin + RowsPerLock);
        store.read([&](const TaskStates &states) {
            for (int i = begin; i < end; ++i)
                f(states, i);
        });
    }
    return true;
}

struct KeyedRow
{
    quint64 key;
    int row;
    bool operator<(const KeyedRow &o) const { return key < o.key || (key == o.key && row < o.row); }
};

// Exit statuses by value, then deaths by signal, then tasks without either.
quint64 exitKey(const ProcessOutcome *p)
{
    if (p && p->signal != 0)
        return (quint64(1) << 33) | p->signal;
    if (!p || p->exitCode == ProcessOutcome::NoExitCode)
        return ~quint64(0) >> 1;
    return quint64(qint64(p->exitCode) - qint64(std::numeric_limits<qint32>::min()));
}

} // namespace

int TaskOrdering::naturalCompare(QStringView a, QStringView b)
{
    qsizetype i = 0, j = 0;
    const qsizetype na = a.size(), nb = b.size();
    while (i < na && j < nb) {
        const QChar ca = a[i], cb = b[j];
        if (isDigit(ca) && isDigit(cb)) {
            // Compare digit runs by value: skip leading zeros, then length, then digits.
            qsizetype si = i, sj = j;
            while (si < na && a[si] == u'0')
                ++si;
            while (sj < nb && b[sj] == u'0')
                ++sj;
            qsizetype ei = si, ej = sj;
            while (ei < na && isDigit(a[ei]))
                ++ei;
            while (ej < nb && isDigit(b[ej]))
                ++ej;
            if (ei - si != ej - sj)
                return ei - si < ej - sj ? -1 : 1;
            for (qsizetype k = 0; k < ei - si; ++k) {
                if (a[si + k] != b[sj + k])
                    return a[si + k] < b[sj + k] ? -1 : 1;
            }
            i = ei;
            j = ej;
            continue;
        }
        const char16_t la
                = ca.unicode() < 128 ? char16_t(toLower(char(ca.unicode()))) : ca.unicode();
        const char16_t lb
                = cb.unicode() < 128 ? char16_t(toLower(char(cb.unicode()))) : cb.unicode();
        if (la != lb)
            return la < lb ? -1 : 1;
        ++i;
        ++j;
    }
    if (i < na || j < nb)
        return i < na ? 1 : -1;
    return a.compare(b); // equal but for case or leading zeros: still a total order
}

QVector<int> TaskOrdering::naturalIdOrder(const TaskStore &store, const std::atomic_bool &cancel)
{
    const int n = store.size();
    QVector<int> rows(n);
    std::iota(rows.begin(), rows.end(), 0);
    // Ids that are plain numbers (tasks without an id are named by their line) are the
    // common case: sort those by value without string comparisons.
    std::vector<KeyedRow> numeric;
    numeric.reserve(size_t(n));
    bool allNumeric = true;
    for (int row = 0; row < n && allNumeric; ++row) {
        const QString &id = store.spec(row).id;
        allNumeric = !id.isEmpty() && id.size() <= 18 && (id.size() == 1 || id[0] != u'0')
                     && std::all_of(id.begin(), id.end(), isDigit);
        if (allNumeric)
            numeric.push_back(KeyedRow{id.toULongLong(), row});
    }
    if (allNumeric) {
        std::sort(numeric.begin(), numeric.end());
        for (int i = 0; i < n; ++i)
            rows[i] = numeric[size_t(i)].row;
        return rows;
    }
    numeric = {};
    if (cancel.load())
        return {};
    std::sort(rows.begin(), rows.end(), [&store](int a, int b) {
        const int c = naturalCompare(store.spec(a).id, store.spec(b).id);
        return c < 0 || (c == 0 && a < b);
    });
    return rows;
}

bool TaskOrdering::matches(const TaskSpec &spec, const TaskState &state, const QString &needle,
                           const QByteArray &needleUtf8, bool asciiNeedle)
{
    if (spec.id.contains(needle, Qt::CaseInsensitive))
        return true;
    if (!state.message.isEmpty() && state.message.toString().contains(needle, Qt::CaseInsensitive))
        return true;
    if (state.result.isEmpty())
        return false;
    if (asciiNeedle)
        return Ascii::containsNoCase(state.result, needleUtf8);
    return QString::fromUtf8(state.result).contains(needle, Qt::CaseInsensitive);
}

TaskOrdering::Result TaskOrdering::compute(const TaskStore &store, const TaskQuery &query,
                                           std::shared_ptr<const QVector<int>> idOrder,
                                           const std::atomic_bool &cancel)
{
    QElapsedTimer clock;
    clock.start();
    Result result;
    result.idOrder = idOrder;
    if (query.isIdentity()) {
        result.elapsedMs = clock.elapsed();
        return result;
    }
    result.identity = false;
    const int n = store.size();
    const auto cancelled = [&] {
        result = Result{};
        result.cancelled = true;
        return result;
    };

    const int column = query.sortColumn;
    const bool byId = column == int(TaskColumn::Id);
    // An order of ids made before tasks were added to the run does not cover them.
    if (byId && (!result.idOrder || result.idOrder->size() != n)) {
        result.idOrder = std::make_shared<const QVector<int>>(naturalIdOrder(store, cancel));
        if (cancel.load())
            return cancelled();
    }
    const QVector<int> *candidates = byId ? result.idOrder.get() : nullptr;

    const QString needle = query.text.toLower();
    const QByteArray needleUtf8 = needle.toUtf8();
    const bool asciiNeedle = needleUtf8.size() == needle.size();
    const bool filterText = !needle.isEmpty();
    const int status = query.statusFilter;

    // One pass under the lock: filter, and pick up the sort key where it is a number.
    enum class KeyKind { None, Number, Result, Error };
    KeyKind kind = KeyKind::None;
    switch (TaskColumn(column)) {
    case TaskColumn::Status:
    case TaskColumn::Attempts:
    case TaskColumn::Duration:
    case TaskColumn::Http:
    case TaskColumn::Exit:
        kind = KeyKind::Number;
        break;
    case TaskColumn::Result:
        kind = KeyKind::Result;
        break;
    case TaskColumn::Error:
        kind = KeyKind::Error;
        break;
    default:
        break;
    }
    const bool descending = query.sortOrder == Qt::DescendingOrder;

    QVector<int> rows;
    rows.reserve(status < 0 && !filterText ? n : qMin(n, 65536));
    std::vector<KeyedRow> keyed;
    std::vector<QByteArray> results;
    std::vector<QString> errors;
    if (kind == KeyKind::Number)
        keyed.reserve(size_t(rows.capacity()));

    const bool ok = forRows(store, n, cancel, [&](const TaskStates &states, int i) {
        const int row = candidates ? candidates->at(i) : i;
        const TaskState &st = states[row];
        if (status >= 0 && int(st.status) != status)
            return;
        if (filterText && !matches(store.spec(row), st, needle, needleUtf8, asciiNeedle))
            return;
        switch (kind) {
        case KeyKind::Number: {
            quint64 key = 0;
            switch (TaskColumn(column)) {
            case TaskColumn::Status:
                key = quint64(st.status);
                break;
            case TaskColumn::Attempts:
                key = st.attempts;
                break;
            case TaskColumn::Duration:
                key = quint64(st.fetchUs) + st.computeUs;
                break;
            case TaskColumn::Http:
                key = (quint64(st.httpStatus) << 48) | quint64(st.bytes + 1);
                break;
            case TaskColumn::Exit:
                key = exitKey(store.processLocked(row));
                break;
            default:
                break;
            }
            keyed.push_back(KeyedRow{descending ? ~key : key, row});
            break;
        }
        case KeyKind::Result:
            // Implicitly shared: a reference count, not a copy of the text.
            results.push_back(st.status == TaskStatus::Succeeded ? st.result : QByteArray());
            break;
        case KeyKind::Error:
            errors.push_back(st.status == TaskStatus::Succeeded ? QString()
                                                                : st.message.toString());
            break;
        case KeyKind::None:
            break;
        }
        rows.append(row);
    });
    if (!ok)
        return cancelled();

    if (kind == KeyKind::Number) {
        std::sort(keyed.begin(), keyed.end());
        for (size_t i = 0; i < keyed.size(); ++i)
            rows[int(i)] = keyed[i].row;
    } else if (kind == KeyKind::Result || kind == KeyKind::Error) {
        // Sort positions into the key vectors, then map to rows.
        std::vector<int> pos(size_t(rows.size()));
        std::iota(pos.begin(), pos.end(), 0);
        if (kind == KeyKind::Result) {
            // Numbers by value first, then everything else as text; empty results last.
            std::vector<double> number(results.size());
            std::vector<quint8> cls(results.size());
            for (size_t i = 0; i < results.size(); ++i) {
                bool isNumber = false;
                number[i] = results[i].isEmpty() ? 0.0 : results[i].toDouble(&isNumber);
                cls[i] = results[i].isEmpty() ? 2 : (isNumber ? 0 : 1);
            }
            std::sort(pos.begin(), pos.end(), [&](int a, int b) {
                const size_t x = size_t(a), y = size_t(b);
                int c = int(cls[x]) - int(cls[y]);
                if (c == 0 && cls[x] == 0)
                    c = number[x] < number[y] ? -1 : (number[y] < number[x] ? 1 : 0);
                else if (c == 0 && cls[x] == 1)
                    c = results[x].compare(results[y]);
                if (c != 0)
                    return descending ? c > 0 : c < 0;
                return rows[a] < rows[b];
            });
        } else {
            std::sort(pos.begin(), pos.end(), [&](int a, int b) {
                const int c = errors[size_t(a)].compare(errors[size_t(b)], Qt::CaseInsensitive);
                if (c != 0)
                    return descending ? c > 0 : c < 0;
                return rows[a] < rows[b];
            });
        }
        QVector<int> sorted(rows.size());
        for (int i = 0; i < rows.size(); ++i)
            sorted[i] = rows[pos[size_t(i)]];
        rows = std::move(sorted);
    } else if (byId && descending) {
        std::reverse(rows.begin(), rows.end());
    }
    if (cancel.load())
        return cancelled();

    result.viewRowOf = QVector<int>(n, -1);
    for (int i = 0; i < rows.size(); ++i)
        result.viewRowOf[rows[i]] = i;
    result.rows = std::move(rows);
    result.elapsedMs = clock.elapsed();
    return result;
}

} // namespace Brigade
