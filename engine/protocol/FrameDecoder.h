#pragma once

#include <QByteArray>
#include <QString>

namespace Brigade {

// Frame types of the engine <-> worker protocol. Every frame is
//   u32 payload length (little endian) | u8 type | payload
// and a stream of frames is all that crosses stdin/stdout: no newlines, no text, so it
// passes unchanged through pipes, ssh and srun's pseudo-terminals.
enum class FrameType : quint8 {
    Hello = 1,     // worker -> engine, first frame: version, host, pid, cores
    Configure = 2, // engine -> worker: per-run settings
    Assign = 3,    // engine -> worker: a batch of task attempts
    Cancel = 4,    // engine -> worker: drop these attempts
    Results = 5,   // worker -> engine: a batch of finished attempts
    Heartbeat = 6, // worker -> engine: alive, CPU time, load
    Shutdown = 7,  // engine -> worker: finish now
    Fault = 8,     // worker -> engine: the worker is giving up, with a reason
    Output = 9,    // worker -> engine: live output of commands and programs
};
constexpr FrameType LastFrameType = FrameType::Output;

constexpr quint32 FrameHeaderSize = 5;
constexpr quint32 MaxFramePayload = 64 * 1024 * 1024;

// Splits a byte stream into frames. Feed it whatever arrives; take whole frames out.
class FrameDecoder
{
public:
    struct Frame
    {
        FrameType type;
        QByteArray payload;
    };

    void feed(const char *data, qsizetype size);
    void feed(const QByteArray &data) { feed(data.constData(), data.size()); }

    // Takes the next whole frame. Returns false when none is complete yet, or when the
    // stream is corrupt (see hasError()); a corrupt stream stays corrupt.
    bool next(Frame *frame);

    bool hasError() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    qsizetype buffered() const { return m_buffer.size() - m_pos; }

private:
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    QString m_error;
};

// Appends one frame to out.
void appendFrame(QByteArray *out, FrameType type, const QByteArray &payload);

// Starts a frame in place: returns the offset to pass to finishFrame() once the payload has
// been appended to out; saves copying large payloads.
qsizetype beginFrame(QByteArray *out, FrameType type);
void finishFrame(QByteArray *out, qsizetype frameStart);

} // namespace Brigade
