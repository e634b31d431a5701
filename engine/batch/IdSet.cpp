#include "IdSet.h"

#include "core/HugePages.h"

#include <QFuture>
#include <QHashFunctions>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <atomic>
#include <memory>

namespace Brigade {

namespace {

constexpr int PartBits = 8; // 256 parts: ~4,000 ids each at a million
constexpr size_t Parts = size_t(1) << PartBits;

struct Slot
{
    quint32 hash = 0;
    quint32 index = 0; // 1-based index in ids; 0: empty
};

// Fewer ids are checked on the calling thread alone: starting threads would cost more.
constexpr size_t ParallelFrom = 64 * 1024;

// An array for count values, not yet touched: a million ids' two arrays are 8 MB, whose
// first touch in 4 KB pages cost ~2,000 page faults (on a virtual machine, tens of ms).
std::unique_ptr<quint32[]> freshArray(size_t count)
{
    std::unique_ptr<quint32[]> values(new quint32[count]); // default-initialised: untouched
    HugePages::advise(values.get(), count * sizeof(quint32));
    return values;
}

// f(begin, end) over [0, count) in as many stretches as threads, one on the calling thread.
template<typename F>
void parallelFor(int threads, size_t count, const F &f)
{
    if (threads <= 1 || count < size_t(threads)) {
        f(0, count);
        return;
    }
    // Qt's pool hands each job over, and waits for it, out of ThreadSanitizer's sight (Qt
    // is not built with it): these atomics, a release before and an acquire after each
    // side's work, say what is ordered.
    std::atomic<int> ready{0};
    ready.store(1, std::memory_order_release); // what was written before, the helpers see
    std::atomic<int> done{0};
    QList<QFuture<void>> helpers;
    const size_t step = (count + size_t(threads) - 1) / size_t(threads);
    for (int t = 1; t < threads; ++t) {
        const size_t begin = qMin(count, size_t(t) * step);
        const size_t end = qMin(count, begin + step);
        helpers.append(QtConcurrent::run([&f, &ready, &done, begin, end] {
            [[maybe_unused]] const int go = ready.load(std::memory_order_acquire);
            f(begin, end);
            done.fetch_add(1, std::memory_order_release);
        }));
    }
    f(0, qMin(count, step));
    for (QFuture<void> &helper : helpers)
        helper.waitForFinished();
    [[maybe_unused]] const int finished = done.load(std::memory_order_acquire);
    Q_ASSERT(finished == threads - 1);
}

} // namespace

std::vector<std::pair<size_t, size_t>> IdSet::duplicates(const std::vector<QByteArrayView> &ids)
{
    return duplicates(ids.size(), [&ids](size_t i) { return ids[i]; });
}

std::vector<std::pair<size_t, size_t>>
IdSet::duplicates(size_t count, const std::function<QByteArrayView(size_t)> &idAt)
{
    // Two passes over the ids, each split between threads: their hashes, then the parts'
    // tables. On one thread the check was a third of a million-line batch's parse.
    const int threads = count >= ParallelFrom ? qMax(1, QThread::idealThreadCount()) : 1;
    const std::unique_ptr<quint32[]> hashes = freshArray(count);
    parallelFor(threads, count, [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) {
            const size_t h = qHash(idAt(i), 0);
            hashes[i] = quint32(h ^ (h >> 32));
        }
    });
    // The ids of each part, in index order (a counting sort on the hash's top bits).
    std::vector<quint32> start(Parts + 1, 0);
    for (size_t i = 0; i < count; ++i)
        ++start[(hashes[i] >> (32 - PartBits)) + 1];
    for (size_t p = 0; p < Parts; ++p)
        start[p + 1] += start[p];
    const std::unique_ptr<quint32[]> order = freshArray(count);
    {
        std::vector<quint32> next(start.begin(), start.end() - 1);
        for (size_t i = 0; i < count; ++i)
            order[next[hashes[i] >> (32 - PartBits)]++] = quint32(i);
    }
    std::vector<std::vector<std::pair<size_t, size_t>>> foundBy;
    foundBy.resize(size_t(threads));
    std::atomic<int> nextThread{0};
    parallelFor(threads, Parts, [&](size_t firstPart, size_t endPart) {
        std::vector<std::pair<size_t, size_t>> &found = foundBy[size_t(nextThread.fetch_add(1))];
        std::vector<Slot> table;
        for (size_t p = firstPart; p < endPart; ++p) {
            const size_t count = start[p + 1] - start[p];
            if (count < 2)
                continue;
            size_t size = 16;
            while (size < count * 2) // at most half full: short probes
                size *= 2;
            table.assign(size, Slot{});
            const size_t mask = size - 1;
            for (size_t k = start[p]; k < start[p + 1]; ++k) {
                const quint32 i = order[k];
                const quint32 h = hashes[i];
                for (size_t s = h & mask;; s = (s + 1) & mask) {
                    Slot &slot = table[s];
                    if (slot.index == 0) {
                        slot = Slot{h, i + 1};
                        break;
                    }
                    if (slot.hash == h && idAt(slot.index - 1) == idAt(i)) {
                        found.emplace_back(i, slot.index - 1);
                        break;
                    }
                }
            }
        }
    });
    std::vector<std::pair<size_t, size_t>> found;
    for (auto &some : foundBy)
        found.insert(found.end(), some.begin(), some.end());
    std::sort(found.begin(), found.end());
    return found;
}

} // namespace Brigade
