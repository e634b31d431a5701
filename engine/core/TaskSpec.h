#pragma once

#include "CopyOnWrite.h"
#include "SharedText.h"
#include "SliceAllocator.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <memory>
#include <vector>

namespace Brigade {

struct ProgramSpec;

// The URLs of a URL list's tasks, one per task (TaskSpec::urlIndex), filled while the list
// is parsed and read-only after. A parsed chunk's list is its stretch of one region on huge
// pages for the whole batch (see SliceAllocator).
using UrlList = std::vector<QByteArray, SliceAllocator<QByteArray>>;

// What a task fetches before it computes.
enum class FetchKind : quint8 {
    None = 0,  // compute over the UTF-8 bytes of the task id
    Delay = 1, // simulated IO: wait a uniform random time in [delayMinMs, delayMaxMs]
    Url = 2,   // http, https or file URL
};

enum class HttpMethod : quint8 { Get = 0, Head, Post, Put };
constexpr quint8 HttpMethodCount = 4;

// Which HTTP versions a fetch may use.
enum class HttpVersion : quint8 {
    Default = 0,   // the run's setting: HTTP/2 over TLS when the server offers it, else 1.1
    Http1 = 1,     // HTTP/1.1 only
    Http2 = 2,     // HTTP/2 when offered (https by ALPN, http by an Upgrade), else 1.1
    Http2Only = 3, // HTTP/2 with prior knowledge (h2c on http)
};
constexpr quint8 HttpVersionCount = 4;

using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// A task's priority is within +-MaxPriority.
constexpr qint32 MaxPriority = 1000000;

// An HTTP request beyond a plain GET. Credentials come from the environment or a netrc
// file when the batch loads, never from the batch itself, so they are not in its journal;
// keep them out of anything shown or written.
struct HttpOptions
{
    HttpMethod method = HttpMethod::Get;
    QByteArray body;  // sent with POST or PUT
    QString bodyFile; // or this file, read by the worker as it sends
    QByteArray user;  // basic authentication
    QByteArray password;
    bool netrc = false; // credentials from a netrc file (netrcFile, or ~/.netrc)
    QString netrcFile;
    bool decompress = true;   // ask for and decode gzip, deflate, br and zstd
    qint16 maxRedirects = -1; // -1: the client's default
    HttpVersion httpVersion = HttpVersion::Default;
    // An environment variable a credential was to come from, which was not set when the
    // batch was loaded (e.g. when a journal's copy is reopened elsewhere): the task is still
    // made, so the journal's rows stay the batch's, and its fetch fails saying why.
    QByteArray unsetVariable;

    bool operator==(const HttpOptions &o) const
    {
        return method == o.method && body == o.body && bodyFile == o.bodyFile && user == o.user
               && password == o.password && netrc == o.netrc && netrcFile == o.netrcFile
               && decompress == o.decompress && maxRedirects == o.maxRedirects
               && httpVersion == o.httpVersion && unsetVariable == o.unsetVariable;
    }
    bool isDefault() const { return *this == HttpOptions(); }
};

// A fetch's headers and HTTP options. Few tasks have any, and a URL list makes a shape
// per line: a fetch keeps them behind one pointer, so a plain URL's shape stays small.
struct FetchRequest
{
    HeaderList headers;
    HeaderList secretHeaders; // values taken from the environment: never shown or written
    HttpOptions http;

    bool operator==(const FetchRequest &o) const
    {
        return headers == o.headers && secretHeaders == o.secretHeaders && http == o.http;
    }
};

struct FetchSpec
{
    FetchKind kind = FetchKind::None;
    quint32 delayMinMs = 0;
    quint32 delayMaxMs = 0;
    // Delay only: the share of attempts that fail as a network error after their wait, in
    // parts per million (flaky IO for demos and retry tests, as the asyncio recipes simulate).
    quint32 failPpm = 0;
    QByteArray url; // fully encoded; see urlOf(), which is how a task's URL is read
    // Tasks that differ only in their URLs (a URL list's lines, JSON lines alike but for
    // their ids and URLs) share one shape: each task's URL is then (*urls)[its urlIndex],
    // and url is empty or the scheme and host all of them have (a fetch kind for counts).
    // A shape of its own per line cost ~150 bytes a task.
    std::shared_ptr<const UrlList> urls;
    qint64 maxBytes = 0;               // 0: the run's default
    quint32 timeoutMs = 0;             // 0: the task's attempt timeout
    CopyOnWrite<FetchRequest> request; // change through request.write()

    const HeaderList &headers() const { return request->headers; }
    const HeaderList &secretHeaders() const { return request->secretHeaders; }
    const HttpOptions &http() const { return request->http; }
};

// A compute op and its parameters, encoded by the op itself (see ComputeRegistry).
struct ComputeSpec
{
    quint8 op = 0; // 0: no compute, the result is the fetch outcome
    QByteArray params;
    // A "call" task's program (the definition from the batch's first line); the workers
    // get every program a run needs in their configure frame.
    std::shared_ptr<const ProgramSpec> program;
};

// Everything about a task except its id. Identical shapes are shared between tasks,
// so a million tasks of one kind cost one shape.
struct TaskShape
{
    FetchSpec fetch;
    ComputeSpec compute;
    quint16 maxAttempts = 0; // 0: the run's default
    quint32 timeoutMs = 0;   // per attempt; 0: the run's default
    qint32 priority = 0;     // higher starts first among ready tasks (see ReadyQueue)
};

// 56 bytes: a million tasks' specs take 56 MB, their ids apart (see TextArena).
struct TaskSpec
{
    QString id;
    std::shared_ptr<const TaskShape> shape;
    qint32 line = 0;       // line in the batch file, for messages
    quint32 urlIndex = 0;  // its URL in its shape's fetch.urls, when the shape has them
    SharedText input = {}; // "input": what {} stands for in a command (null: the id)

    // The URL the task fetches (empty for none): see urlOf().
    const QByteArray &url() const;
};
static_assert(sizeof(TaskSpec) == 56, "a task's spec is kept in 56 bytes");

// The URL a task fetches with a shape (its own, or one a retry with changes gave it): the
// shape's, or the task's own in the shape's URL list.
inline const QByteArray &urlOf(const TaskSpec &spec, const TaskShape &shape)
{
    if (shape.fetch.urls && spec.urlIndex < shape.fetch.urls->size())
        return (*shape.fetch.urls)[spec.urlIndex];
    return shape.fetch.url;
}

inline const QByteArray &TaskSpec::url() const
{
    return urlOf(*this, *shape);
}

} // namespace Brigade
