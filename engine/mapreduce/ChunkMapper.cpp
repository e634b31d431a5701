#include "ChunkMapper.h"

#include "CountTable.h"
#include "PartialBuilder.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 // Linux 5.14
#endif

namespace Brigade {

namespace {

// Lines between looks at the cancel flag.
constexpr quint64 LinesPerCheck = 1 << 16;

quint64 load64(const char *p)
{
    quint64 v;
    std::memcpy(&v, p, 8);
    return v;
}

// a and b are readable for 8 bytes past n (the padding after the data).
bool sameBytes(const char *a, const char *b, size_t n)
{
    if (n <= 8)
        return n == 0 || ((load64(a) ^ load64(b)) << (64 - 8 * n)) == 0;
    if (n <= 16)
        return load64(a) == load64(b) && load64(a + n - 8) == load64(b + n - 8);
    return std::memcmp(a, b, n) == 0;
}

bool isDigit(char c)
{
    return unsigned(c) - '0' < 10u;
}

// Reads a whole number at *p (19 digits always fit in 64 bits). Returns the number of
// digits read, 0 when there is no digit, 20 when there are too many. (A byte loop: counts
// are short, and it measured faster than parsing 8 bytes at once with SWAR arithmetic.)
int readNumber(const char **p, quint64 *value)
{
    const char *q = *p;
    quint64 v = 0;
    while (isDigit(*q) && q - *p < 20) {
        v = v * 10 + quint64(*q - '0');
        ++q;
    }
    const int digits = int(q - *p);
    *p = q;
    *value = v;
    return digits;
}

struct Stats
{
    ChunkStats *out;
    quint64 lines = 0;

    void bad(BadLineReason reason)
    {
        ++out->badLines;
        if (out->examples.size() < ChunkStats::MaxExamples)
            out->examples.append(BadLine{lines - 1, reason});
    }
};

// After a problem at q: the start of the next line.
const char *nextLine(const char *q, const char *end)
{
    const void *nl = std::memchr(q, '\n', size_t(end - q));
    return nl ? static_cast<const char *>(nl) + 1 : end;
}

// word<TAB>year<TAB>match_count<TAB>volume_count lines. The file is sorted by word in
// practice, so consecutive lines mostly share their word: the running sum of that word
// is kept aside and goes into the table only when the word changes, and a line is first
// checked for starting with the current word, which spares looking for its tab.
bool scanNgram(const char *p, const char *stop, const char *end, const std::atomic_bool &cancel,
               PartialBuilder *counts, ChunkStats *out)
{
    Stats stats{out};
    const char *cur = nullptr;
    size_t curLen = 0;
    quint64 curSum = 0;
    quint64 nextCheck = LinesPerCheck;
    while (p < stop) {
        ++stats.lines;
        if (stats.lines == nextCheck) {
            nextCheck += LinesPerCheck;
            if (cancel.load(std::memory_order_relaxed))
                return false;
        }
        const char *q;
        const char *word = p;
        bool same;
        if (cur && size_t(end - p) > curLen && p[curLen] == '\t' && sameBytes(p, cur, curLen)) {
            q = p + curLen + 1;
            same = true;
        } else {
            q = p;
            while (q < end && *q != '\t' && *q != '\n')
                ++q;
            if (q == end || *q == '\n') {
                // An empty line (LF or CRLF) is no line to count, and not a bad one.
                const bool empty = q == p || (q == p + 1 && *p == '\r');
                if (!empty)
                    stats.bad(BadLineReason::Columns);
                p = q < end ? q + 1 : end;
                continue;
            }
            if (q == p || size_t(q - p) > CountTable::MaxKeyBytes) {
                stats.bad(q == p ? BadLineReason::EmptyWord : BadLineReason::KeyTooLong);
                p = nextLine(q, end);
                continue;
            }
            same = false;
            ++q;
        }
        const size_t wordLen = size_t(q - 1 - word);
        // Past the end of the data come zero bytes (the padding): no digit, no separator.
        quint64 year, match, volume;
        const auto fieldProblem = [&](BadLineReason notANumber) {
            return (q >= end || *q == '\n' || *q == '\r') ? BadLineReason::Columns : notANumber;
        };
        int digits = readNumber(&q, &year);
        if (digits == 0 || digits > 19 || q >= end || *q != '\t') {
            stats.bad(digits > 19 ? BadLineReason::Year : fieldProblem(BadLineReason::Year));
            p = nextLine(q < end ? q : end, end);
            continue;
        }
        ++q;
        digits = readNumber(&q, &match);
        if (digits == 0 || digits > 19 || q >= end || *q != '\t') {
            stats.bad(digits > 19 ? BadLineReason::CountTooLarge
                                  : fieldProblem(BadLineReason::MatchCount));
            p = nextLine(q < end ? q : end, end);
            continue;
        }
        ++q;
        digits = readNumber(&q, &volume);
        if (q < end && *q == '\r' && (q + 1 == end || q[1] == '\n'))
            ++q; // CRLF
        if (digits == 0 || digits > 19 || q > end || (q < end && *q != '\n')) {
            stats.bad(digits > 19             ? BadLineReason::CountTooLarge
                      : q < end && *q == '\t' ? BadLineReason::Columns
                                              : BadLineReason::VolumeCount);
            p = nextLine(q < end ? q : end, end);
            continue;
        }
        p = q < end ? q + 1 : end;
        if (same) {
            if (__builtin_add_overflow(curSum, match, &curSum)) {
                curSum = ~quint64(0);
                out->overflowed = true;
            }
        } else {
            if (cur)
                counts->add(cur, curLen, curSum);
            cur = word;
            curLen = wordLen;
            curSum = match;
        }
    }
    if (cur)
        counts->add(cur, curLen, curSum);
    out->lines += stats.lines;
    return true;
}

// ASCII whitespace: space, \t, \n, \v, \f, \r (as the wordcount op).
struct SpaceTable
{
    bool space[256] = {};
    constexpr SpaceTable()
    {
        space[int(' ')] = space[int('\t')] = space[int('\n')] = true;
        space[int('\v')] = space[int('\f')] = space[int('\r')] = true;
    }
};
constexpr SpaceTable Spaces;

bool isSpace(char c)
{
    return Spaces.space[quint8(c)];
}

// Words separated by ASCII whitespace; each counts 1.
bool scanText(const char *p, const char *stop, const char *end, const std::atomic_bool &cancel,
              CountTable *counts, ChunkStats *out)
{
    Stats stats{out};
    quint64 nextCheck = LinesPerCheck;
    while (p < stop) {
        ++stats.lines; // a line starts at p
        if (stats.lines == nextCheck) {
            nextCheck += LinesPerCheck;
            if (cancel.load(std::memory_order_relaxed))
                return false;
        }
        for (;;) {
            while (p < end && isSpace(*p) && *p != '\n')
                ++p;
            if (p == end)
                break;
            if (*p == '\n') {
                ++p;
                break;
            }
            const char *word = p;
            while (p < end && !isSpace(*p))
                ++p;
            if (size_t(p - word) > CountTable::MaxKeyBytes)
                stats.bad(BadLineReason::KeyTooLong);
            else
                counts->add(word, size_t(p - word), 1);
        }
    }
    out->lines += stats.lines;
    return true;
}

QString fileError(const QByteArray &path, const char *what, int err)
{
    return QStringLiteral("cannot %1 %2: %3")
            .arg(QLatin1String(what), QFile::decodeName(path),
                 QString::fromLocal8Bit(std::strerror(err)));
}

} // namespace

bool ChunkMapper::scan(const char *data, qint64 size, qint64 offset, qint64 length,
                       MapFormat format, const std::atomic_bool &cancel, QByteArray *partial)
{
    ChunkStats stats;
    const char *end = data + size;
    const char *first = data;
    if (offset > 0) {
        // A line starting exactly at offset is this chunk's: look from offset - 1.
        const void *nl = std::memchr(data + offset - 1, '\n', size_t(size - offset + 1));
        first = nl ? static_cast<const char *>(nl) + 1 : end;
    }
    const char *stop = data + offset + length;
    if (format == MapFormat::Ngram) {
        PartialBuilder counts(true);
        if (first < stop && !scanNgram(first, stop, end, cancel, &counts, &stats))
            return false;
        *partial = counts.finish(stats);
    } else {
        CountTable counts;
        if (first < stop && !scanText(first, stop, end, cancel, &counts, &stats))
            return false;
        *partial = PartialResult::encode(counts, stats);
    }
    return true;
}

bool ChunkMapper::map(const ChunkParams &params, MapFormat format, const std::atomic_bool &cancel,
                      QByteArray *partial, QString *error)
{
    const int fd = ::open(params.path.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *error = fileError(params.path, "open", errno);
        return false;
    }
    struct stat st = {};
    if (::fstat(fd, &st) != 0) {
        *error = fileError(params.path, "stat", errno);
        ::close(fd);
        return false;
    }
    const qint64 mtimeNs = qint64(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    if (qint64(st.st_size) != params.fileSize || mtimeNs != params.mtimeNs) {
        *error = qint64(st.st_size) != params.fileSize
                         ? QStringLiteral("%1 changed during the run: it was %2 bytes, now %3")
                                   .arg(QFile::decodeName(params.path))
                                   .arg(params.fileSize)
                                   .arg(qint64(st.st_size))
                         : QStringLiteral("%1 changed during the run (it was modified)")
                                   .arg(QFile::decodeName(params.path));
        ::close(fd);
        return false;
    }
    if (params.length == 0 || params.fileSize == 0) {
        ::close(fd);
        static const char padding[ChunkMapper::Padding] = {};
        return scan(padding, 0, 0, 0, format, cancel, partial);
    }

    // Map from the page holding offset - 1 to the end of the file (the chunk's last line
    // may run past the chunk), over a reservation one page longer: the bytes after the end
    // of the file read as zeros, which the scanners rely on, even when the file ends at a
    // page boundary.
    const qint64 page = sysconf(_SC_PAGESIZE);
    const qint64 from = (params.offset > 0 ? params.offset - 1 : 0) & ~(page - 1);
    const size_t span = size_t(params.fileSize - from);
    const size_t reserved = span + size_t(page);
    void *base = ::mmap(nullptr, reserved, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        *error = fileError(params.path, "map", errno);
        ::close(fd);
        return false;
    }
    if (::mmap(base, span, PROT_READ, MAP_SHARED | MAP_FIXED, fd, from) == MAP_FAILED) {
        *error = fileError(params.path, "map", errno);
        ::munmap(base, reserved);
        ::close(fd);
        return false;
    }
    ::close(fd); // the mapping keeps the file
    const char *data = static_cast<const char *>(base);
    // Read-ahead for a cold cache; the pages of finished chunks go when we unmap.
    ::madvise(base, span, MADV_SEQUENTIAL);
    // Fill in the page tables for the whole chunk at once: 650 page faults instead of 8,000
    // for W5. (Linux 5.14+; older kernels refuse it and fault in as usual.)
    const qint64 chunkEnd = qMin(params.offset + params.length + page, params.fileSize);
    ::madvise(base, size_t((chunkEnd - from + page - 1) & ~(page - 1)), MADV_POPULATE_READ);
    const bool ok = scan(data, params.fileSize - from, params.offset - from, params.length, format,
                         cancel, partial);
    ::munmap(base, reserved);
    if (!ok)
        *error = QStringLiteral("cancelled");
    return ok;
}

} // namespace Brigade
