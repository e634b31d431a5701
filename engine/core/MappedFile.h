#pragma once

#include <QByteArrayView>
#include <QString>

namespace Brigade {

// A regular file mapped read-only, to be read in place of a copy: a 55 MB batch is then
// not held a second time in fresh memory (whose every page costs a fault and a zeroing).
//
// A mapped file cut short by another program while it is read makes the reader's next
// touch past the new end raise SIGBUS. While a MappedFile lives, that signal on its pages
// ends the process with "PROGRAM: FILE was cut short while it was read; nothing was run"
// and exit status 2 (bad input), never a crash; a SIGBUS elsewhere goes to the handler
// that was there before, which is put back when the last MappedFile ends. So map only what
// is read before anything else has started: a command line's batch, not a window's.
class MappedFile
{
public:
    MappedFile() = default;
    ~MappedFile();
    MappedFile(const MappedFile &) = delete;
    MappedFile &operator=(const MappedFile &) = delete;

    // Maps the whole of path. False, with nothing mapped, for what cannot be mapped or
    // guarded (a pipe, an empty file, more than four mappings live at once): read it
    // instead.
    bool map(const QString &path);
    QByteArrayView bytes() const { return {m_data, m_size}; }
    bool isMapped() const { return m_data != nullptr; }
    void unmap();

private:
    const char *m_data = nullptr;
    qsizetype m_size = 0;
    int m_guardSlot = -1;
};

} // namespace Brigade
