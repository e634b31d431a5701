#include "BatchLineParser.h"

#include "LineSkeleton.h"
#include "ShapeTable.h"
#include "compute/ComputeRegistry.h"
#include "encoding/Utf8.h"
#include "net/HeaderCheck.h"
#include "net/Url.h"
#include "run/RunSettingsRules.h"
#include "usercode/CallSpec.h"
#include "usercode/CommandLineBatch.h"
#include "usercode/CommandSpec.h"
#include "usercode/Placeholders.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <cstring>
#include <limits>

namespace Brigade {

namespace {

// Characters a URL's path and query keep as written (RFC 3986's pchar less the escapes):
// unreserved, sub-delims, ':' and '@'.
bool isPlainUrlChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
           || (c != '\0' && std::strchr("-._~!$&'()*+,;=:@", c) != nullptr);
}

bool isUpperHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

// The length of the plain character or escape at text[i] (0: neither). Escapes are taken
// as written in the upper case Url::parse writes them in, except %2E: a dot libcurl might
// read as part of a "." segment.
qsizetype plainUrlUnit(QByteArrayView text, qsizetype i)
{
    const char c = text[i];
    if (c != '%')
        return isPlainUrlChar(c) ? 1 : 0;
    if (i + 2 >= text.size())
        return 0;
    const char a = text[i + 1], b = text[i + 2];
    return isUpperHex(a) && isUpperHex(b) && !(a == '2' && b == 'E') ? 3 : 0;
}

// A URL path that libcurl and Url::parse give back unchanged: plain characters and
// upper-case escapes, no "." or ".." segment (those are removed) and no empty one; then
// perhaps a query of the same and '/' and '?' ("?id=7&page=2&q=caf%C3%A9"), and nothing
// else (a fragment is dropped).
bool isPlainUrlPath(QByteArrayView path)
{
    if (path.isEmpty() || path.front() != '/')
        return false;
    qsizetype end = path.indexOf('?');
    if (end >= 0) {
        if (end + 1 == path.size())
            return false; // an empty query
        for (qsizetype i = end + 1; i < path.size();) {
            const char c = path[i];
            const qsizetype n = c == '/' || c == '?' ? 1 : plainUrlUnit(path, i);
            if (n == 0)
                return false;
            i += n;
        }
    } else {
        end = path.size();
    }
    qsizetype segmentStart = 1;
    for (qsizetype i = 1; i <= end;) {
        if (i == end || path[i] == '/') {
            const QByteArrayView segment = path.sliced(segmentStart, i - segmentStart);
            if ((segment.isEmpty() && i < end) || segment == "." || segment == "..")
                return false;
            segmentStart = ++i;
            continue;
        }
        const qsizetype n = plainUrlUnit(path.first(end), i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

// "http://host:port" of a URL: up to the first '/' after the "//", or empty.
QByteArrayView urlAuthorityPrefix(QByteArrayView url)
{
    const qsizetype slashes = url.indexOf("://");
    if (slashes < 0)
        return {};
    const qsizetype path = url.indexOf('/', slashes + 3);
    return path < 0 ? QByteArrayView() : url.first(path);
}

constexpr qint64 MaxDelayMs = 3600 * 1000;        // one hour
constexpr qint64 MaxTimeoutMs = 24 * 3600 * 1000; // one day
constexpr qint64 MaxAttempts = 100;
// Only short lines are cached, and only so many per chunk, to bound the memory.
constexpr qsizetype MaxCachedLineBytes = 4096;
constexpr size_t MaxCacheEntries = 100000;
constexpr size_t MinCacheTrial = 2048; // lines cached before judging whether it pays
// Skeletons: as many, and judged the same way (most lines must share a skeleton).
constexpr size_t MaxSkeletons = 100000;
constexpr qint64 MinSkeletonTrial = 4096;

// A {"mapreduce":{...}} line is a batch of its own, not a task: not listed here.
const QString KnownFields
        = QStringLiteral("id, input, fetch, compute, max_attempts, timeout_ms, slots, priority");
constexpr qint64 MaxSlots = 1024;
// Besides Placeholders::Need: the command reads the fetched body on stdin.
constexpr quint8 NeedsStdinBody = 4;
const QString KnownMapReduceKeys = QStringLiteral("input, format, top, keys, chunk_bytes");
const QStringList KnownFetchKeys{QStringLiteral("url"),         QStringLiteral("delay_ms"),
                                 QStringLiteral("fail_rate"),   QStringLiteral("timeout_ms"),
                                 QStringLiteral("max_bytes"),   QStringLiteral("headers"),
                                 QStringLiteral("method"),      QStringLiteral("body"),
                                 QStringLiteral("body_file"),   QStringLiteral("auth"),
                                 QStringLiteral("decompress"),  QStringLiteral("max_redirects"),
                                 QStringLiteral("http_version")};
// Indexed by HttpMethod and HttpVersion.
const QStringList HttpMethodNames{QStringLiteral("GET"), QStringLiteral("HEAD"),
                                  QStringLiteral("POST"), QStringLiteral("PUT")};
const QStringList HttpVersionNames{QString(), QStringLiteral("1.1"), QStringLiteral("2"),
                                   QStringLiteral("2-prior-knowledge")};
constexpr qint64 MaxRedirects = 100;

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// An integer from lo to hi, or lo - 1. toInteger() refuses fractions and huge doubles.
qint64 integerIn(const QJsonValue &value, qint64 lo, qint64 hi)
{
    if (!value.isDouble())
        return lo - 1;
    const qint64 n = value.toInteger(lo - 1);
    return n >= lo && n <= hi ? n : lo - 1;
}

template<typename T>
void appendRaw(QByteArray *out, T value)
{
    out->append(reinterpret_cast<const char *>(&value), sizeof value);
}

void appendBytes(QByteArray *out, const QByteArray &bytes)
{
    appendRaw<qint64>(out, bytes.size());
    out->append(bytes);
}

} // namespace

BatchLineParser::BatchLineParser(const QString &fileName, const Fields *defaults, int maxErrors,
                                 Result *result)
    : m_fileName(fileName)
    , m_baseDir(QFileInfo(fileName).absolutePath())
    , m_defaults(defaults)
    , m_maxErrors(maxErrors)
    , m_result(result)
{}

BatchLineParser::~BatchLineParser() = default;

int BatchLineParser::keyColumn(QByteArrayView line, QByteArrayView key, qsizetype from)
{
    // "key" followed by a colon; escaped keys are not found.
    const QByteArray needle = '"' + key.toByteArray() + '"';
    for (qsizetype at = from; (at = line.indexOf(needle, at)) >= 0; ++at) {
        qsizetype after = at + needle.size();
        while (after < line.size() && isJsonSpace(line[after]))
            ++after;
        if (after < line.size() && line[after] == ':')
            return int(at) + 1;
    }
    return int(from) + 1;
}

bool BatchLineParser::isBlank(QByteArrayView line)
{
    for (char c : line) {
        if (!isJsonSpace(c))
            return false;
    }
    return true;
}

qsizetype BatchLineParser::invalidUtf8At(QByteArrayView bytes)
{
    return Utf8::invalidAt(bytes);
}

QByteArray BatchLineParser::shapeKey(const TaskShape &shape)
{
    QByteArray key;
    key.reserve(64 + shape.fetch.url.size() + shape.compute.params.size());
    appendRaw(&key, shape.fetch.kind);
    appendRaw(&key, shape.fetch.delayMinMs);
    appendRaw(&key, shape.fetch.delayMaxMs);
    appendRaw(&key, shape.fetch.failPpm);
    appendRaw(&key, shape.fetch.maxBytes);
    appendRaw(&key, shape.fetch.timeoutMs);
    appendRaw(&key, shape.compute.op);
    appendRaw(&key, shape.maxAttempts);
    appendRaw(&key, shape.timeoutMs);
    appendRaw(&key, shape.priority);
    appendBytes(&key, shape.fetch.url);
    appendBytes(&key, shape.compute.params);
    for (const HeaderList *headers : {&shape.fetch.headers(), &shape.fetch.secretHeaders()}) {
        appendRaw<qint64>(&key, headers->size());
        for (const auto &header : *headers) {
            appendBytes(&key, header.first);
            appendBytes(&key, header.second);
        }
    }
    const HttpOptions &http = shape.fetch.http();
    if (!http.isDefault()) {
        appendRaw(&key, http.method);
        appendRaw(&key, http.netrc);
        appendRaw(&key, http.decompress);
        appendRaw(&key, http.maxRedirects);
        appendRaw(&key, http.httpVersion);
        appendBytes(&key, http.body);
        appendBytes(&key, http.bodyFile.toUtf8());
        appendBytes(&key, http.user);
        appendBytes(&key, http.password);
        appendBytes(&key, http.netrcFile.toUtf8());
        appendBytes(&key, http.unsetVariable);
    }
    return key;
}

void BatchLineParser::addError(qint64 lineNo, int column, const QString &message)
{
    ++m_result->errorCount;
    if (m_result->errors.size() < m_maxErrors)
        m_result->errors.append(BatchError{m_fileName, int(lineNo), column, message});
}

TaskShape BatchLineParser::shapeOf(const Fields &fields)
{
    TaskShape shape;
    shape.fetch = fields.fetch;
    shape.compute = fields.compute;
    shape.maxAttempts = fields.maxAttempts;
    shape.timeoutMs = fields.timeoutMs;
    shape.priority = fields.priority;
    return shape;
}

int BatchLineParser::internShape(const Fields &fields)
{
    TaskShape shape = shapeOf(fields);
    QByteArray key = shapeKey(shape);
    const auto it = m_shapeIndex.constFind(key);
    if (it != m_shapeIndex.constEnd())
        return it.value();
    const int index = int(m_result->shapes.size());
    if (m_shapeTable) {
        // The batch's one object, through a count of this chunk's own: every task takes a
        // reference, and with the threads' tasks counting on one count, that atomic add was
        // a sixth of reading an argument list (its cache line went from core to core). The
        // merge still sees one shape: same object, compared by address.
        std::shared_ptr<const TaskShape> shared = m_shapeTable->intern(key, std::move(shape));
        const TaskShape *object = shared.get();
        m_result->shapes.push_back(std::shared_ptr<const TaskShape>(
                object, [keep = std::move(shared)](const TaskShape *) {}));
    } else {
        m_result->shapes.push_back(std::make_shared<const TaskShape>(std::move(shape)));
    }
    m_result->shapeKeys.push_back(key);
    m_result->shapeUses.push_back(0);
    m_shapeIndex.insert(key, index);
    return index;
}

QString BatchLineParser::lineId(qint64 lineNo)
{
    return m_result->into ? m_arenas->ids.number(lineNo) : QString::number(lineNo);
}

QString BatchLineParser::plainText(QByteArrayView ascii)
{
    return m_result->into ? m_arenas->ids.fromLatin1(ascii) : QString::fromLatin1(ascii);
}

SharedText BatchLineParser::inputText(QString text)
{
    return m_result->into ? m_arenas->inputs.make(std::move(text)) : SharedText(std::move(text));
}

bool BatchLineParser::onlyUnsetVariables(const std::vector<LineError> &errors)
{
    return std::all_of(errors.begin(), errors.end(),
                       [](const LineError &e) { return e.unsetVariable; });
}

void BatchLineParser::apply(const Outcome &outcome, qint64 lineNo, qint64 idLine)
{
    Result &r = *m_result;
    if (outcome.mapReduce && outcome.errors.empty()) {
        MapReduceSpec spec = *outcome.mapReduce;
        spec.line = int(lineNo);
        r.mapReduce.append(spec);
        return;
    }
    if (outcome.shape >= 0 && onlyUnsetVariables(outcome.errors)) {
        TaskSpec &task = r.newTask(outcome.hasId);
        task.id = outcome.hasId ? outcome.id : lineId(idLine >= 0 ? idLine : lineNo);
        task.shape = r.shapes[size_t(outcome.shape)];
        task.line = qint32(lineNo);
        task.input = inputText(outcome.input);
        ++r.shapeUses[size_t(outcome.shape)];
        for (const LineError &e : outcome.errors)
            addError(lineNo, e.column, e.message);
        return;
    }
    // A line with problems still claims its id, so a later line with the same id is
    // reported now rather than after the first one is fixed.
    if (outcome.hasId)
        r.errorLineIds.push_back(ErrorLineId{outcome.id, lineNo});
    for (const LineError &e : outcome.errors)
        addError(lineNo, e.column, e.message);
}

void BatchLineParser::parseJsonLine(QByteArrayView line, qint64 lineNo)
{
    const std::string_view bytes(line.data(), size_t(line.size()));
    if (m_caching) {
        const auto cached = m_cache.find(bytes);
        if (cached != m_cache.end()) {
            ++m_cacheHits;
            apply(cached->second, lineNo);
            return;
        }
    }
    // Lines with an id are nearly always unique: caching them would only cost memory, but
    // their skeletons repeat.
    const bool cacheable
            = m_caching && line.size() <= MaxCachedLineBytes && !line.contains("\"id\"");
    if (!cacheable && m_skeletonsOn && !m_data.isEmpty() && line.size() <= MaxLineBytes
        && parseBySkeleton(line, lineNo))
        return;
    Outcome outcome = parseJson(line);
    apply(outcome, lineNo);
    if (!cacheable)
        return;
    m_cache.emplace(bytes, std::move(outcome));
    // When lines hardly ever repeat, the cache costs more than it saves: stop using it.
    if (m_cache.size() >= MaxCacheEntries
        || (m_cache.size() >= MinCacheTrial && m_cacheHits < qint64(m_cache.size()) / 8)) {
        m_caching = false;
        m_cache = {};
    }
}

bool BatchLineParser::parseBySkeleton(QByteArrayView line, qint64 lineNo)
{
    if (!m_skeleton)
        m_skeleton = std::make_unique<LineSkeleton>(m_data);
    if (!m_skeleton->read(line))
        return false;
    Result &r = *m_result;
    // A "fetch" URL string: the lines of one skeleton and one host share a shape that
    // holds their URLs (see urlTemplate()) when the URL is plain, as a URL list's lines
    // do; any other URL takes the full parse.
    const bool fetches = m_skeleton->hasFetch();
    QByteArrayView prefix;
    if (fetches) {
        const QByteArrayView url = m_skeleton->fetch();
        prefix = urlAuthorityPrefix(url);
        if (!r.into || prefix.isEmpty() || !isPlainUrlPath(url.sliced(prefix.size())))
            return false;
        m_templateKey = m_skeleton->key();
        m_templateKey.append(prefix.data(), size_t(prefix.size()));
    }
    const std::string &key = fetches ? m_templateKey : m_skeleton->key();
    const auto known = m_skeletonShapes.find(key);
    int shape = -1;
    if (known != m_skeletonShapes.end()) {
        ++m_skeletonHits;
        shape = known->second;
    } else {
        ++m_skeletonMisses;
        // The full parse decides, with its messages; only a clean task is learnt, and a
        // URL only when libcurl left it as written (so the same host's other plain URLs
        // need no parse, as in a URL list).
        const Outcome outcome = parseJson(line);
        apply(outcome, lineNo);
        if (outcome.errors.empty() && outcome.shape >= 0 && !outcome.mapReduce
            && m_skeletonShapes.size() < MaxSkeletons) {
            const TaskShape &parsed = *r.shapes[size_t(outcome.shape)];
            if (!fetches)
                m_skeletonShapes.emplace(key, outcome.shape);
            else if (parsed.fetch.kind == FetchKind::Url && !parsed.fetch.urls
                     && parsed.fetch.url == m_skeleton->fetch())
                m_skeletonShapes.emplace(key, urlTemplate(parsed, prefix));
        }
        // Lines that hardly ever share a skeleton: the scan only adds to the full parse.
        if (m_skeletonMisses + m_skeletonHits >= MinSkeletonTrial
            && m_skeletonHits < (m_skeletonMisses + m_skeletonHits) / 8) {
            m_skeletonsOn = false;
            m_skeletonShapes = {};
        }
        return true;
    }
    // As apply() does with a clean outcome, with the strings from the line itself (plain
    // ASCII: see LineSkeleton).
    TaskSpec &task = r.newTask(m_skeleton->hasId());
    task.id = m_skeleton->hasId() ? plainText(m_skeleton->id()) : lineId(lineNo);
    task.shape = r.shapes[size_t(shape)];
    task.line = qint32(lineNo);
    if (m_skeleton->hasInput())
        task.input = inputText(plainText(m_skeleton->input()));
    if (fetches)
        task.urlIndex = addUrl(m_arenas->urls.copy(m_skeleton->fetch()));
    ++r.shapeUses[size_t(shape)];
    return true;
}

int BatchLineParser::urlTemplate(const TaskShape &parsed, QByteArrayView prefix)
{
    TaskShape shape = parsed;
    shape.fetch.url = prefix.toByteArray();
    shape.fetch.urls = urlList();
    Result &r = *m_result;
    const int index = int(r.shapes.size());
    r.shapes.push_back(std::make_shared<const TaskShape>(std::move(shape)));
    // A key no other chunk's shape has: this one's tasks find their URLs in this list.
    // (0xff first: a parsed shape's shapeKey() starts with its fetch kind, 0 to 2.)
    r.shapeKeys.push_back(QByteArray("\xffurls ", 6)
                          + QByteArray::number(quintptr(m_urlList.get()), 16) + ' '
                          + QByteArray::number(index));
    r.shapeUses.push_back(0);
    return index;
}

std::shared_ptr<UrlList> BatchLineParser::urlList()
{
    if (!m_urlList) {
        m_urlList = std::make_shared<UrlList>(std::exchange(m_result->urlAllocator, {}));
        // Room for a URL per line of the chunk, on huge pages (its stretch of the batch's
        // region: see BatchParser): never moved while it fills, and faulted in 2 MB at a
        // time. With 4 KB pages a million URLs took ~20,000 faults, each costing
        // microseconds on a virtual machine: a third of reading a URL list.
        m_urlList->reserve(size_t(m_result->intoCapacity));
    }
    return m_urlList;
}

quint32 BatchLineParser::addUrl(QByteArray url)
{
    UrlList &list = *urlList();
    list.push_back(std::move(url));
    return quint32(list.size() - 1);
}

BatchLineParser::Outcome BatchLineParser::parseJson(QByteArrayView line)
{
    Outcome outcome;
    auto fail = [&outcome](int column, const QString &message) {
        outcome.errors.push_back(LineError{column, message});
        return outcome;
    };
    if (line.size() > MaxLineBytes) {
        return fail(1, QStringLiteral("line too long (%1 bytes; at most %2)")
                               .arg(line.size())
                               .arg(MaxLineBytes));
    }
    if (const void *nul = std::memchr(line.data(), '\0', size_t(line.size()))) {
        return fail(int(static_cast<const char *>(nul) - line.data()) + 1,
                    QStringLiteral("unexpected NUL byte (is this a binary file?)"));
    }
    QJsonParseError parseError;
    // No copy: the parser reads only the given length.
    const QJsonDocument doc = QJsonDocument::fromJson(
            QByteArray::fromRawData(line.data(), line.size()), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const int column = int(qBound(qsizetype(0), qsizetype(parseError.offset), line.size())) + 1;
        return fail(column, QStringLiteral("invalid JSON: %1").arg(parseError.errorString()));
    }
    if (!doc.isObject()) {
        qsizetype first = 0;
        while (first < line.size() && isJsonSpace(line[first]))
            ++first;
        return fail(int(first) + 1,
                    QStringLiteral("expected a JSON object per line, like {\"fetch\":\"https://"
                                   "example.com/\"}"));
    }

    const QJsonObject object = doc.object();
    const Where where{line};
    Fields fields = m_defaults ? *m_defaults : Fields{};
    std::shared_ptr<MapReduceSpec> mapReduce;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = it.key();
        if (key == u"mapreduce") {
            mapReduce = std::make_shared<MapReduceSpec>();
            parseMapReduce(it.value(), Where{line, &where, "mapreduce"}, mapReduce.get(),
                           &outcome.errors);
        } else if (key == u"id") {
            const QJsonValue value = it.value();
            if (!value.isString() || value.toString().isEmpty()) {
                outcome.errors.push_back(
                        LineError{where.column(key),
                                  QStringLiteral("expected \"id\" to be a non-empty string")});
                continue;
            }
            outcome.hasId = true;
            outcome.id = value.toString();
        } else if (key == u"input") {
            if (!it.value().isString()) {
                outcome.errors.push_back(LineError{
                        where.column(key),
                        QStringLiteral("expected \"input\" to be a string (what {} stands for "
                                       "in a command)")});
                continue;
            }
            outcome.input = it.value().toString();
            if (outcome.input.isNull())
                outcome.input = QLatin1String(""); // empty, but given
        } else if (key == u"defaults" || key == u"programs") {
            outcome.errors.push_back(
                    LineError{where.column(key),
                              QStringLiteral("\"%1\" is only allowed on the first line, as "
                                             "{\"%1\":{...}}")
                                      .arg(key)});
        } else if (!parseField(key, it.value(), where, &fields, &outcome.errors)) {
            outcome.errors.push_back(
                    LineError{where.column(key), QStringLiteral("unknown field \"%1\" (known "
                                                                "fields: %2)")
                                                         .arg(key, KnownFields)});
        }
    }
    if (mapReduce) {
        // The job makes its own tasks; of the task fields only these apply to them.
        for (const char *key : {"fetch", "compute"}) {
            if (object.contains(QLatin1String(key)))
                outcome.errors.push_back(LineError{
                        where.column(key),
                        QStringLiteral("a \"mapreduce\" line takes no \"%1\" (its fields are "
                                       "id, mapreduce, max_attempts and timeout_ms)")
                                .arg(QLatin1String(key))});
        }
        mapReduce->id = outcome.id;
        mapReduce->maxAttempts = fields.maxAttempts;
        mapReduce->timeoutMs = fields.timeoutMs;
        outcome.mapReduce = std::move(mapReduce);
        return outcome;
    }
    if (!onlyUnsetVariables(outcome.errors))
        return outcome;
    finishUserCode(object, where, &fields, &outcome.errors);
    if (!onlyUnsetVariables(outcome.errors))
        return outcome;
    if (fields.fetch.kind == FetchKind::None && fields.compute.op == 0) {
        return fail(1, QStringLiteral("expected \"fetch\" or \"compute\": the task has "
                                      "nothing to do"));
    }
    outcome.shape = internShape(fields);
    return outcome;
}

bool BatchLineParser::parseDefaultsLine(QByteArrayView line, qint64 lineNo, Fields *defaults,
                                        ProgramTable *programs, HostPacing *pacing, bool *hasPacing)
{
    if (line.size() > MaxLineBytes)
        return false;
    const std::string_view bytes(line.data(), size_t(line.size()));
    if (bytes.find("\"defaults\"") == std::string_view::npos
        && bytes.find("\"programs\"") == std::string_view::npos
        && bytes.find("\"pacing\"") == std::string_view::npos)
        return false;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(line.data(), line.size()));
    if (!doc.isObject()
        || !(doc.object().contains(QLatin1String("defaults"))
             || doc.object().contains(QLatin1String("programs"))
             || doc.object().contains(QLatin1String("pacing"))))
        return false; // parseJsonLine() reports what is wrong with it

    std::vector<LineError> errors;
    const QJsonObject object = doc.object();
    const Where top{line};
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.key() == u"pacing") {
            HostPacing parsed = pacing ? *pacing : HostPacing();
            parsePacing(it.value(), Where{line, &top, "pacing"}, &parsed, &errors);
            if (pacing)
                *pacing = parsed;
            if (hasPacing)
                *hasPacing = true;
        } else if (it.key() != u"defaults" && it.key() != u"programs") {
            errors.push_back(LineError{
                    top.column(it.key()),
                    QStringLiteral("the first line may only contain \"defaults\", "
                                   "\"programs\" and \"pacing\" (found \"%1\"); put tasks on "
                                   "the following lines")
                            .arg(it.key())});
        }
    }
    // Programs first: a default "compute" may call one.
    if (object.contains(QLatin1String("programs"))) {
        parsePrograms(object.value(QLatin1String("programs")), line,
                      top.column(QStringLiteral("programs")), programs, &errors);
    }
    const ProgramTable *previousPrograms = m_programs;
    m_programs = programs;
    const QJsonValue value = object.value(QLatin1String("defaults"));
    const int defaultsColumn = top.column(QStringLiteral("defaults"));
    const Where inner{line, &top, "defaults"};
    if (!object.contains(QLatin1String("defaults"))) {
        // only programs
    } else if (!value.isObject()) {
        errors.push_back(LineError{
                defaultsColumn,
                QStringLiteral("expected \"defaults\" to be an object of task fields, like "
                               "{\"defaults\":{\"max_attempts\":3}}")});
    } else {
        const QJsonObject fieldsObject = value.toObject();
        for (auto it = fieldsObject.begin(); it != fieldsObject.end(); ++it) {
            const QString key = it.key();
            if (key == u"id" || key == u"input") {
                errors.push_back(
                        LineError{inner.column(key), QStringLiteral("\"%1\" cannot have a default: "
                                                                    "every task has its own")
                                                             .arg(key)});
                continue;
            }
            // A bad field is reported and left out; the valid ones still apply.
            std::vector<LineError> fieldErrors;
            Fields parsed = *defaults;
            if (!parseField(key, it.value(), inner, &parsed, &fieldErrors)) {
                errors.push_back(LineError{
                        inner.column(key),
                        QStringLiteral("unknown field \"%1\" in \"defaults\" (known fields: "
                                       "fetch, compute, max_attempts, timeout_ms, slots, priority)")
                                .arg(key)});
            } else if (onlyUnsetVariables(fieldErrors)) {
                *defaults = parsed; // flagged, so its tasks fail saying why
                errors.insert(errors.end(), fieldErrors.begin(), fieldErrors.end());
            } else {
                errors.insert(errors.end(), fieldErrors.begin(), fieldErrors.end());
            }
        }
    }
    m_programs = previousPrograms;
    for (const LineError &e : errors)
        addError(lineNo, e.column, e.message);
    return true;
}

void BatchLineParser::parsePacing(const QJsonValue &value, const Where &where, HostPacing *pacing,
                                  std::vector<LineError> *errors) const
{
    using Field = RunSettingsRules::Field;
    if (!value.isObject()) {
        errors->push_back(LineError{
                where.self(), QStringLiteral("expected \"pacing\" to be an object, like "
                                             "{\"pacing\":{\"rate\":\"api.example.com=10/s\"}}")});
        return;
    }
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = it.key();
        const QJsonValue v = it.value();
        const auto number = [&](Field field, qint64 *out) {
            const RunSettingsRules::Limit l = RunSettingsRules::limit(field);
            const qint64 n = integerIn(v, l.min, l.max);
            if (n < l.min)
                errors->push_back(LineError{where.column(key),
                                            QStringLiteral("expected \"%1\" to be an integer from "
                                                           "%2 to %3")
                                                    .arg(key)
                                                    .arg(l.min)
                                                    .arg(l.max)});
            else
                *out = n;
        };
        qint64 n = -1;
        if (key == u"rate") {
            const QJsonArray list = v.isArray() ? v.toArray() : QJsonArray{v};
            for (const QJsonValue &item : list) {
                Brigade::Result<HostRate> rate
                        = item.isString() ? RunSettingsRules::parseRate(item.toString())
                                          : Brigade::Result<HostRate>::failure(
                                                  QStringLiteral("expected \"rate\" to be a string "
                                                                 "HOST=N/s or an array of them"));
                if (rate)
                    pacing->rates.append(*rate);
                else
                    errors->push_back(LineError{where.column(key), rate.error()});
            }
            continue;
        } else if (key == u"host_in_flight") {
            number(Field::HostInFlight, &n);
            if (n >= 0)
                pacing->hostInFlight = int(n);
        } else if (key == u"breaker") {
            number(Field::BreakerFailures, &n);
            if (n >= 0)
                pacing->breakerFailures = int(n);
        } else if (key == u"breaker_cooldown_ms") {
            number(Field::BreakerCooldownMs, &n);
            if (n >= 0)
                pacing->breakerCooldownMs = quint32(n);
        } else if (key == u"max_retry_after_ms") {
            number(Field::MaxPauseMs, &n);
            if (n >= 0)
                pacing->maxPauseMs = quint32(n);
        } else if (key == u"priority_aging_ms") {
            number(Field::PriorityAgingMs, &n);
            if (n >= 0)
                pacing->priorityAgingMs = n;
        } else {
            errors->push_back(LineError{
                    where.column(key),
                    QStringLiteral("unknown field \"%1\" in \"pacing\" (known fields: rate, "
                                   "host_in_flight, breaker, breaker_cooldown_ms, "
                                   "max_retry_after_ms, priority_aging_ms)")
                            .arg(key)});
        }
    }
}

void BatchLineParser::parsePrograms(const QJsonValue &value, QByteArrayView line, int column,
                                    ProgramTable *programs, std::vector<LineError> *errors) const
{
    if (!value.isObject() || value.toObject().isEmpty()) {
        errors->push_back(
                LineError{column, QStringLiteral("expected \"programs\" to be an object of program "
                                                 "names to definitions, like {\"score\":{\"argv\":"
                                                 "[\"python3\",\"score.py\"]}}")});
        return;
    }
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString name = it.key();
        const int nameColumn = keyColumn(line, name.toUtf8(), column - 1);
        if (name.isEmpty()) {
            errors->push_back(LineError{nameColumn, QStringLiteral("a program needs a name")});
            continue;
        }
        auto spec = std::make_shared<ProgramSpec>();
        std::vector<SpecProblem> problems;
        if (ProgramSpec::parse(name, it.value(), spec.get(), &problems)) {
            spec->baseDir = m_baseDir;
            programs->insert(name, std::move(spec));
            continue;
        }
        for (const SpecProblem &p : problems) {
            int at = p.key == name ? nameColumn : keyColumn(line, p.key.toUtf8(), nameColumn - 1);
            if (!p.needle.isEmpty()) {
                const qsizetype found = line.indexOf(p.needle.toUtf8(), at - 1);
                if (found >= 0)
                    at = int(found) + 1;
            }
            errors->push_back(LineError{at, p.message});
        }
    }
}

bool BatchLineParser::parseField(const QString &key, const QJsonValue &value, const Where &where,
                                 Fields *fields, std::vector<LineError> *errors) const
{
    if (key == u"fetch") {
        FetchSpec fetch;
        const std::size_t before = errors->size();
        parseFetch(value, Where{where.line, &where, "fetch"}, &fetch, errors);
        if (onlyUnsetVariables({errors->begin() + qsizetype(before), errors->end()}))
            fields->fetch = fetch;
    } else if (key == u"compute") {
        ComputeSpec compute;
        quint8 needs = 0;
        const std::size_t before = errors->size();
        parseCompute(value, Where{where.line, &where, "compute"}, &compute, errors, &needs);
        if (errors->size() == before) {
            fields->compute = compute;
            fields->needs = needs;
        }
    } else if (key == u"slots") {
        const qint64 n = integerIn(value, 0, MaxSlots);
        if (value.isNull()) {
            fields->slotCount = -1;
        } else if (n < 0) {
            errors->push_back(LineError{
                    where.column(key),
                    QStringLiteral("expected \"slots\" to be an integer from 0 to %1 (compute "
                                   "slots an exec or call task holds while it runs)")
                            .arg(MaxSlots)});
        } else {
            fields->slotCount = qint16(n);
        }
    } else if (key == u"max_attempts") {
        // null: the run's default, e.g. to undo a default from the defaults line.
        const qint64 n = integerIn(value, 1, MaxAttempts);
        if (value.isNull()) {
            fields->maxAttempts = 0;
        } else if (n < 1) {
            errors->push_back(LineError{
                    where.column(key),
                    QStringLiteral("expected \"max_attempts\" to be an integer from 1 to %1")
                            .arg(MaxAttempts)});
        } else {
            fields->maxAttempts = quint16(n);
        }
    } else if (key == u"priority") {
        // null: 0, e.g. to undo a default from the defaults line.
        const qint64 n = integerIn(value, -MaxPriority, MaxPriority);
        if (value.isNull()) {
            fields->priority = 0;
        } else if (n < -MaxPriority) {
            errors->push_back(
                    LineError{where.column(key),
                              QStringLiteral("expected \"priority\" to be an integer from %1 to %2 "
                                             "(higher starts first)")
                                      .arg(-MaxPriority)
                                      .arg(MaxPriority)});
        } else {
            fields->priority = qint32(n);
        }
    } else if (key == u"timeout_ms") {
        const qint64 n = integerIn(value, 1, MaxTimeoutMs);
        if (value.isNull()) {
            fields->timeoutMs = 0;
        } else if (n < 1) {
            errors->push_back(LineError{
                    where.column(key),
                    QStringLiteral("expected \"timeout_ms\" to be an integer from 1 to %1 "
                                   "(milliseconds per attempt)")
                            .arg(MaxTimeoutMs)});
        } else {
            fields->timeoutMs = quint32(n);
        }
    } else {
        return false;
    }
    return true;
}

void BatchLineParser::parseFetch(const QJsonValue &value, const Where &where, FetchSpec *fetch,
                                 std::vector<LineError> *errors) const
{
    const QString expected = QStringLiteral(
            "expected \"fetch\" to be a URL string or an object with \"url\" or \"delay_ms\"");
    if (value.isNull()) {
        fetch->kind = FetchKind::None;
        return;
    }
    if (value.isString()) {
        QString error;
        if (!parseUrl(value.toString(), &fetch->url, &error))
            errors->push_back(LineError{where.self(), error});
        fetch->kind = FetchKind::Url;
        return;
    }
    if (!value.isObject()) {
        errors->push_back(LineError{where.self(), expected});
        return;
    }

    const QJsonObject object = value.toObject();
    const bool hasUrl = object.contains(QLatin1String("url"));
    const bool hasDelay = object.contains(QLatin1String("delay_ms"));
    if (hasUrl == hasDelay) {
        errors->push_back(LineError{
                hasUrl ? where.column(QStringLiteral("delay_ms")) : where.self(),
                hasUrl ? QStringLiteral("\"fetch\" takes \"url\" or \"delay_ms\", not both")
                       : expected});
        return;
    }
    const QString url = object.value(QLatin1String("url")).toString();
    const bool fileUrl = url.startsWith(QLatin1String("file:"), Qt::CaseInsensitive);
    // Written back only when something is set: most fetches keep the shared default.
    HttpOptions http = fetch->http();
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = it.key();
        const QJsonValue v = it.value();
        const auto column = [&] {
            return where.column(key);
        };
        const auto fail = [&](const QString &message) {
            errors->push_back(LineError{column(), message});
        };
        if (key == u"url") {
            QString error;
            if (!v.isString())
                fail(QStringLiteral("expected \"url\" to be a string"));
            else if (!parseUrl(v.toString(), &fetch->url, &error))
                fail(error);
            fetch->kind = FetchKind::Url;
        } else if (key == u"delay_ms") {
            fetch->kind = FetchKind::Delay;
            // A number, or [min, max] for a uniformly random delay.
            double lo = -1, hi = -1;
            if (v.isDouble()) {
                lo = hi = v.toDouble();
            } else if (v.isArray() && v.toArray().size() == 2 && v.toArray().at(0).isDouble()
                       && v.toArray().at(1).isDouble()) {
                lo = v.toArray().at(0).toDouble();
                hi = v.toArray().at(1).toDouble();
            }
            if (!(lo >= 0 && lo <= hi && hi <= double(MaxDelayMs))) {
                fail(QStringLiteral("expected \"delay_ms\" to be a number of milliseconds from 0 "
                                    "to %1, or [min, max] with 0 <= min <= max <= %1")
                             .arg(MaxDelayMs));
            } else {
                fetch->delayMinMs = quint32(qRound64(lo));
                fetch->delayMaxMs = quint32(qRound64(hi));
            }
        } else if (key == u"fail_rate") {
            if (!hasDelay) {
                errors->push_back(LineError{
                        column(), QStringLiteral("\"fail_rate\" only applies to a fetch with "
                                                 "\"delay_ms\"")});
            } else if (!v.isDouble() || !(v.toDouble() >= 0 && v.toDouble() <= 1)) {
                errors->push_back(LineError{
                        column(), QStringLiteral("expected \"fail_rate\" to be a number from 0 "
                                                 "to 1 (the share of attempts that fail)")});
            } else {
                fetch->failPpm = quint32(qRound64(v.toDouble() * 1e6));
            }
        } else if (key == u"timeout_ms") {
            const qint64 n = integerIn(v, 1, MaxTimeoutMs);
            if (n < 1) {
                fail(QStringLiteral("expected \"timeout_ms\" to be an integer from 1 to %1 "
                                    "(milliseconds)")
                             .arg(MaxTimeoutMs));
            } else {
                fetch->timeoutMs = quint32(n);
            }
        } else if (!KnownFetchKeys.contains(key)) {
            fail(QStringLiteral("unknown key \"%1\" in \"fetch\" (known: %2)")
                         .arg(key, KnownFetchKeys.join(QLatin1String(", "))));
        } else if (!hasUrl) {
            fail(QStringLiteral("\"%1\" only applies to a fetch with \"url\"").arg(key));
        } else if (key == u"max_bytes") {
            const qint64 n = integerIn(v, 1, std::numeric_limits<qint64>::max());
            if (n < 1)
                fail(QStringLiteral("expected \"max_bytes\" to be a positive integer"));
            else
                fetch->maxBytes = n;
        } else if (fileUrl) {
            fail(QStringLiteral("\"%1\" only applies to http and https URLs").arg(key));
        } else if (key == u"headers") {
            parseHeaders(v, Where{where.line, &where, "headers"}, fetch, &http, errors);
        } else if (key == u"method") {
            const QString m = v.toString();
            const int index = HttpMethodNames.indexOf(m);
            if (!v.isString() || index < 0)
                fail(QStringLiteral("expected \"method\" to be one of %1")
                             .arg(HttpMethodNames.join(QLatin1String(", "))));
            else
                http.method = HttpMethod(index);
        } else if (key == u"body") {
            if (!v.isString())
                fail(QStringLiteral("expected \"body\" to be a string (sent as UTF-8)"));
            else
                http.body = v.toString().toUtf8();
        } else if (key == u"body_file") {
            QString error;
            const QString path = v.isString() ? resolveFile(v.toString(), &error) : QString();
            if (!v.isString())
                fail(QStringLiteral("expected \"body_file\" to name a file"));
            else if (path.isEmpty())
                fail(error);
            else
                http.bodyFile = path;
        } else if (key == u"auth") {
            parseAuth(v, Where{where.line, &where, "auth"}, &http, errors);
        } else if (key == u"decompress") {
            if (!v.isBool())
                fail(QStringLiteral("expected \"decompress\" to be true or false"));
            else
                http.decompress = v.toBool();
        } else if (key == u"max_redirects") {
            const qint64 n = integerIn(v, 0, MaxRedirects);
            if (n < 0)
                fail(QStringLiteral("expected \"max_redirects\" to be an integer from 0 to %1")
                             .arg(MaxRedirects));
            else
                http.maxRedirects = qint16(n);
        } else if (key == u"http_version") {
            const int index = HttpVersionNames.indexOf(v.toString());
            if (!v.isString() || index < 1)
                fail(QStringLiteral("expected \"http_version\" to be \"1.1\", \"2\" or "
                                    "\"2-prior-knowledge\""));
            else
                http.httpVersion = HttpVersion(index);
        }
    }
    const bool sendsBody = http.method == HttpMethod::Post || http.method == HttpMethod::Put;
    const bool hasBody = object.contains(QLatin1String("body"));
    if (hasBody && object.contains(QLatin1String("body_file"))) {
        errors->push_back(LineError{where.column(QStringLiteral("body_file")),
                                    QStringLiteral("\"fetch\" takes \"body\" or \"body_file\", "
                                                   "not both")});
    } else if ((hasBody || object.contains(QLatin1String("body_file"))) && !sendsBody) {
        errors->push_back(LineError{
                where.column(hasBody ? QStringLiteral("body") : QStringLiteral("body_file")),
                QStringLiteral("a body is sent with \"method\": \"POST\" or \"PUT\"")});
    }
    if (!(http == fetch->http()))
        fetch->request.write().http = std::move(http);
}

void BatchLineParser::parseHeaders(const QJsonValue &value, const Where &where, FetchSpec *fetch,
                                   HttpOptions *http, std::vector<LineError> *errors) const
{
    if (!value.isObject()) {
        errors->push_back(
                LineError{where.self(), QStringLiteral("expected \"headers\" to be an object of "
                                                       "header names to string values")});
        return;
    }
    const QJsonObject headers = value.toObject();
    for (auto h = headers.begin(); h != headers.end(); ++h) {
        const QByteArray name = h.key().toUtf8();
        const auto fail = [&](const QString &message) {
            errors->push_back(LineError{where.column(h.key()), message});
        };
        const QJsonValue v = h.value();
        // {"env": "NAME"}: the value is that environment variable's, read now and never
        // written anywhere, which is how credentials stay out of the batch and its journal.
        const QJsonValue env = v.isObject() && v.toObject().size() == 1
                                       ? v.toObject().value(QLatin1String("env"))
                                       : QJsonValue(QJsonValue::Undefined);
        QByteArray text;
        if (v.isString()) {
            text = v.toString().toUtf8();
        } else if (env.isString()) {
            const QByteArray variable = env.toString().toUtf8();
            if (variable.isEmpty()) {
                fail(QStringLiteral("expected \"env\" of header \"%1\" to name an environment "
                                    "variable")
                             .arg(h.key()));
                continue;
            }
            if (!qEnvironmentVariableIsSet(variable.constData())) {
                errors->push_back(LineError{where.column(h.key()),
                                            QStringLiteral("the environment variable \"%1\" for "
                                                           "header \"%2\" is not set")
                                                    .arg(env.toString(), h.key()),
                                            true});
                if (http->unsetVariable.isEmpty())
                    http->unsetVariable = variable;
                continue;
            }
            text = qgetenv(variable.constData());
        } else {
            fail(QStringLiteral("expected the value of header \"%1\" to be a string, or "
                                "{\"env\": \"NAME\"} to take it from an environment variable")
                         .arg(h.key()));
            continue;
        }
        const QString problem = HeaderCheck::problem(name, text);
        if (!problem.isEmpty()) {
            fail(env.isString() ? problem + QStringLiteral(" (from $%1)").arg(env.toString())
                                : problem);
        } else if (env.isString()) {
            fetch->request.write().secretHeaders.append({name, text});
        } else if (HeaderCheck::isSecret(name)) {
            fail(QStringLiteral("header \"%1\" holds credentials, and the batch is copied into "
                                "the run's journal: put the value in an environment variable "
                                "and write {\"env\": \"NAME\"}")
                         .arg(h.key()));
        } else {
            fetch->request.write().headers.append({name, text});
        }
    }
}

void BatchLineParser::parseAuth(const QJsonValue &value, const Where &where, HttpOptions *http,
                                std::vector<LineError> *errors) const
{
    const QString expected = QStringLiteral(
            "expected \"auth\" to be {\"user\": \"NAME\", \"password_env\": \"VARIABLE\"} or "
            "{\"netrc\": true}");
    if (!value.isObject()) {
        errors->push_back(LineError{where.self(), expected});
        return;
    }
    const QJsonObject auth = value.toObject();
    const auto variable = [&](const QString &key, QByteArray *out) {
        const QJsonValue v = auth.value(key);
        const QByteArray name = v.toString().toUtf8();
        if (!v.isString() || name.isEmpty()) {
            errors->push_back(LineError{
                    where.column(key),
                    QStringLiteral("expected \"%1\" to name an environment variable").arg(key)});
        } else if (!qEnvironmentVariableIsSet(name.constData())) {
            errors->push_back(LineError{where.column(key),
                                        QStringLiteral("the environment variable \"%1\" for "
                                                       "\"%2\" is not set")
                                                .arg(v.toString(), key),
                                        true});
            if (http->unsetVariable.isEmpty())
                http->unsetVariable = name;
        } else {
            *out = qgetenv(name.constData());
        }
    };
    bool credentials = false;
    for (auto it = auth.begin(); it != auth.end(); ++it) {
        const QString key = it.key();
        const QJsonValue v = it.value();
        if (key == u"user") {
            credentials = true;
            if (!v.isString() || v.toString().isEmpty())
                errors->push_back(LineError{where.column(key),
                                            QStringLiteral("expected \"user\" to be a user name")});
            else
                http->user = v.toString().toUtf8();
        } else if (key == u"user_env") {
            credentials = true;
            variable(key, &http->user);
        } else if (key == u"password_env") {
            credentials = true;
            variable(key, &http->password);
        } else if (key == u"password") {
            errors->push_back(LineError{
                    where.column(key),
                    QStringLiteral("a password written in the batch would be copied into the "
                                   "run's journal: put it in an environment variable and name "
                                   "that with \"password_env\", or use \"netrc\"")});
        } else if (key == u"netrc") {
            QString error;
            if (v.isBool() && v.toBool()) {
                http->netrc = true;
            } else if (v.isString()
                       && !(http->netrcFile = resolveFile(v.toString(), &error)).isEmpty()) {
                http->netrc = true;
            } else {
                errors->push_back(LineError{
                        where.column(key),
                        v.isString() ? error
                                     : QStringLiteral("expected \"netrc\" to be true (~/.netrc) "
                                                      "or the path of a netrc file")});
            }
        } else {
            errors->push_back(LineError{where.column(key),
                                        QStringLiteral("unknown key \"%1\" in \"auth\" (known: "
                                                       "user, user_env, password_env, netrc)")
                                                .arg(key)});
        }
    }
    if (credentials && http->netrc) {
        errors->push_back(LineError{where.column(QStringLiteral("netrc")),
                                    QStringLiteral("\"auth\" takes a user and \"password_env\", "
                                                   "or \"netrc\", not both")});
    } else if (!credentials && !http->netrc && auth.isEmpty()) {
        errors->push_back(LineError{where.self(), expected});
    } else if (credentials && !auth.contains(QLatin1String("user"))
               && !auth.contains(QLatin1String("user_env"))) {
        errors->push_back(LineError{where.self(), QStringLiteral("expected \"user\" (or "
                                                                 "\"user_env\") in \"auth\"")});
    }
}

void BatchLineParser::parseCompute(const QJsonValue &value, const Where &where,
                                   ComputeSpec *compute, std::vector<LineError> *errors,
                                   quint8 *needs) const
{
    if (value.isNull()) {
        compute->op = 0;
        return;
    }
    const ComputeRegistry &registry = ComputeRegistry::instance();
    const auto known = [&registry] {
        return QString::fromUtf8(registry.names().join(", "));
    };
    if (!value.isObject()) {
        errors->push_back(LineError{
                where.self(), QStringLiteral("expected \"compute\" to be an object with \"op\" "
                                             "(one of %1), like {\"op\":\"sum_to\",\"n\":1000}")
                                      .arg(known())});
        return;
    }
    const QJsonObject object = value.toObject();
    const QJsonValue opValue = object.value(QLatin1String("op"));
    const quint8 id = opValue.isString() ? registry.idOf(opValue.toString().toUtf8()) : 0;
    if (id == 0) {
        const QString message
                = opValue.isString()
                          ? QStringLiteral("unknown compute op \"%1\" (known: %2)")
                                    .arg(opValue.toString(), known())
                          : QStringLiteral("expected \"op\" in \"compute\" to be one of %1")
                                    .arg(known());
        errors->push_back(LineError{object.contains(QLatin1String("op"))
                                            ? where.column(QStringLiteral("op"))
                                            : where.self(),
                                    message});
        return;
    }
    if (registry.op(id)->hasOwnRunner()) {
        quint8 ignored = 0;
        parseUserCode(id, object, where, compute, errors, needs ? needs : &ignored);
        return;
    }
    QString error, errorKey;
    if (!registry.op(id)->parseParams(object, &compute->params, &error, &errorKey)) {
        errors->push_back(
                LineError{errorKey.isEmpty() ? where.self() : where.column(errorKey), error});
        return;
    }
    compute->op = id;
}

void BatchLineParser::parseUserCode(quint8 op, const QJsonObject &object, const Where &where,
                                    ComputeSpec *compute, std::vector<LineError> *errors,
                                    quint8 *needs) const
{
    const std::size_t before = errors->size();
    std::vector<SpecProblem> problems;
    const bool exec = ComputeRegistry::instance().op(op)->name() == "exec";
    CommandSpec command;
    CallSpec call;
    if (exec) {
        CommandSpec::parse(object, &command, &problems);
    } else if (CallSpec::parse(object, &call, &problems)) {
        const auto program = m_programs ? m_programs->value(call.program) : nullptr;
        if (!program) {
            const QString declared
                    = m_programs && !m_programs->isEmpty()
                              ? QStringLiteral("the batch declares: %1")
                                        .arg(QStringList(m_programs->keys())
                                                     .join(QStringLiteral(", ")))
                              : QStringLiteral(
                                        "declare it in the first line: {\"programs\":{\"%1\":"
                                        "{\"argv\":[...]}}}")
                                        .arg(call.program);
            problems.push_back(SpecProblem{
                    QStringLiteral("program"),
                    {},
                    QStringLiteral("unknown program \"%1\" (%2)").arg(call.program, declared)});
        } else {
            compute->program = program;
        }
    }
    for (const SpecProblem &p : problems) {
        int at = p.key.isEmpty() ? where.self() : where.column(p.key);
        if (!p.needle.isEmpty()) {
            const qsizetype found = where.line.indexOf(p.needle.toUtf8(), at - 1);
            if (found >= 0)
                at = int(found) + 1;
        }
        errors->push_back(LineError{at, p.message});
    }
    if (errors->size() != before)
        return;
    compute->op = op;
    if (exec) {
        command.baseDir = m_baseDir;
        compute->params = command.encode();
        *needs = command.needs
                 | (command.stdinMode == CommandSpec::Stdin::Body ? NeedsStdinBody : 0);
    } else {
        compute->params = call.encode();
    }
}

void BatchLineParser::finishUserCode(const QJsonObject &line, const Where &where, Fields *fields,
                                     std::vector<LineError> *errors) const
{
    const ComputeOp *op = ComputeRegistry::instance().op(fields->compute.op);
    const bool userCode = op && op->hasOwnRunner();
    if (fields->slotCount >= 0) {
        if (userCode) {
            fields->compute.params
                    = CommandSpec::withSlots(fields->compute.params, fields->slotCount);
        } else if (line.contains(QLatin1String("slots"))) {
            errors->push_back(LineError{where.column("slots"),
                                        QStringLiteral("\"slots\" applies to exec and call "
                                                       "tasks only (a built-in op always holds "
                                                       "one compute slot)")});
        }
    }
    if (!userCode || fields->fetch.kind == FetchKind::Url || fields->needs == 0)
        return;
    // A placeholder or stdin the task cannot fill: a batch error now, not a failed attempt.
    const bool ownCompute = line.contains(QLatin1String("compute"));
    const QString has = fields->fetch.kind == FetchKind::Delay
                                ? QStringLiteral("this task's fetch is a delay")
                                : QStringLiteral("this task fetches nothing");
    const QString from
            = ownCompute ? QString() : QStringLiteral("; the command is from the defaults line");
    const auto report = [&](const char *needle, const QString &what) {
        int at = ownCompute ? where.column("compute")
                            : (line.contains(QLatin1String("fetch")) ? where.column("fetch") : 1);
        if (ownCompute && needle) {
            const qsizetype found = where.line.indexOf(needle, at - 1);
            if (found >= 0)
                at = int(found) + 1;
        }
        errors->push_back(LineError{
                at, QStringLiteral("%1 needs a fetch with a \"url\" (%2%3)").arg(what, has, from)});
    };
    if (fields->needs & Placeholders::NeedsUrl)
        report("{url}", QStringLiteral("{url}"));
    if (fields->needs & Placeholders::NeedsBody)
        report("{body}", QStringLiteral("{body}"));
    if (fields->needs & NeedsStdinBody)
        report("\"stdin\"", QStringLiteral("\"stdin\": \"body\""));
}

bool BatchLineParser::parseUrl(const QString &text, QByteArray *encoded, QString *error,
                               qsizetype *errorOffset)
{
    const Url url = Url::parse(text.toUtf8());
    if (!url.isValid()) {
        *error = url.errorString();
        if (errorOffset)
            *errorOffset = url.errorOffset();
        return false;
    }
    *encoded = url.encoded();
    return true;
}

QString BatchLineParser::resolveFile(const QString &text, QString *error) const
{
    if (text.isEmpty()) {
        *error = QStringLiteral("expected a file name, got an empty string");
        return {};
    }
    // Relative to the batch file, so a batch and its data can move together.
    const QString path
            = QDir::cleanPath(QFileInfo(m_fileName).absoluteDir().absoluteFilePath(text));
    const QFileInfo info(path);
    if (!info.isFile() || !info.isReadable()) {
        *error = QStringLiteral("cannot read \"%1\"%2")
                         .arg(path, info.exists() ? QStringLiteral(" (not a readable file)")
                                                  : QStringLiteral(" (no such file)"));
        return {};
    }
    return path;
}

QString BatchLineParser::resolveInput(const QString &text, QString *error) const
{
    if (text.isEmpty()) {
        *error = QStringLiteral("expected \"input\" to name a file, got an empty string");
        return {};
    }
    if (text.startsWith(QLatin1String("file:"))) {
        QByteArray encoded;
        const Url url = Url::parse(text.toUtf8());
        if (!url.isValid()) {
            *error = url.errorString();
            return {};
        }
        return url.localFile();
    }
    const qsizetype scheme = text.indexOf(QLatin1String("://"));
    if (scheme > 0 && !text.left(scheme).contains(QLatin1Char('/'))) {
        *error = QStringLiteral("MapReduce inputs are local files or file:// URLs; download "
                                "\"%1\" first")
                         .arg(text);
        return {};
    }
    // Relative to the batch file, so a batch and its data can move together.
    return QDir::cleanPath(QFileInfo(m_fileName).absoluteDir().absoluteFilePath(text));
}

void BatchLineParser::parseMapReduce(const QJsonValue &value, const Where &where,
                                     MapReduceSpec *spec, std::vector<LineError> *errors) const
{
    if (!value.isObject()) {
        errors->push_back(LineError{
                where.self(),
                QStringLiteral("expected \"mapreduce\" to be an object with \"input\" and "
                               "\"format\", like {\"input\":\"data.tsv\",\"format\":\"ngram\"}")});
        return;
    }
    const QJsonObject object = value.toObject();
    bool hasInput = false, hasFormat = false;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = it.key();
        const QJsonValue v = it.value();
        const auto fail = [&](const QString &message) {
            errors->push_back(LineError{where.column(key), message});
        };
        if (key == u"input") {
            hasInput = true;
            const QString expected = QStringLiteral(
                    "expected \"input\" to be a file path or a non-empty array of file paths");
            QJsonArray paths;
            if (v.isString())
                paths.append(v);
            else if (v.isArray() && !v.toArray().isEmpty())
                paths = v.toArray();
            else
                fail(expected);
            for (const QJsonValue &path : std::as_const(paths)) {
                QString error;
                const QString resolved
                        = path.isString() ? resolveInput(path.toString(), &error) : QString();
                if (!path.isString())
                    fail(expected);
                else if (resolved.isEmpty())
                    fail(error);
                else
                    spec->inputs.append(resolved);
                if (resolved.isEmpty())
                    break;
            }
        } else if (key == u"format") {
            hasFormat = true;
            if (v == QJsonValue(QStringLiteral("ngram")))
                spec->format = MapFormat::Ngram;
            else if (v == QJsonValue(QStringLiteral("text")))
                spec->format = MapFormat::Text;
            else
                fail(QStringLiteral("expected \"format\" to be \"ngram\" (word, year, "
                                    "match_count, volume_count lines) or \"text\" (words)"));
        } else if (key == u"top") {
            const qint64 n = integerIn(v, 0, MapReduceSpec::MaxTop);
            if (n < 0)
                fail(QStringLiteral("expected \"top\" to be an integer from 0 to %1")
                             .arg(MapReduceSpec::MaxTop));
            else
                spec->top = int(n);
        } else if (key == u"keys") {
            const QJsonArray keys = v.toArray();
            bool ok = v.isArray() && keys.size() <= MapReduceSpec::MaxKeys;
            for (const QJsonValue &k : keys)
                ok = ok && k.isString() && !k.toString().isEmpty();
            if (!ok) {
                fail(QStringLiteral("expected \"keys\" to be an array of up to %1 non-empty "
                                    "strings")
                             .arg(MapReduceSpec::MaxKeys));
                continue;
            }
            for (const QJsonValue &k : keys)
                spec->keys.append(k.toString().toUtf8());
        } else if (key == u"chunk_bytes") {
            const qint64 n = integerIn(v, 1, MapReduceSpec::MaxChunkBytes);
            if (n < 1)
                fail(QStringLiteral("expected \"chunk_bytes\" to be an integer from 1 to %1")
                             .arg(MapReduceSpec::MaxChunkBytes));
            else
                spec->chunkBytes = n;
        } else {
            fail(QStringLiteral("unknown key \"%1\" in \"mapreduce\" (known: %2)")
                         .arg(key, KnownMapReduceKeys));
        }
    }
    if (!hasInput)
        errors->push_back(LineError{where.self(), QStringLiteral("expected \"input\" in "
                                                                 "\"mapreduce\": a file path "
                                                                 "or an array of them")});
    if (!hasFormat)
        errors->push_back(LineError{where.self(), QStringLiteral("expected \"format\" in "
                                                                 "\"mapreduce\": \"ngram\" or "
                                                                 "\"text\"")});
}

void BatchLineParser::parseArgumentLine(QByteArrayView line, qint64 listLineNo)
{
    const qint64 lineNo = listLineNo + 1; // the batch's first line is the command
    Result &r = *m_result;
    // Printable ASCII is its own JSON string but for '"' and '\\', which come back as they
    // were; so is valid UTF-8 without controls. Such a line's task is made here, as the
    // batch's line would parse, without writing the line or parsing it. Lines that could
    // near MaxLineBytes once escaped take the full parse, which says so.
    // A line that begins with a byte order mark takes the full parse too: QString::fromUtf8
    // drops a leading one, the batch's JSON string keeps it when it holds an escape.
    constexpr qsizetype MaxDirectBytes = 64 * 1024;
    if (m_argumentShape >= 0 && line.size() <= MaxDirectBytes && !line.startsWith("\xef\xbb\xbf")) {
        bool ascii = true, controls = false;
        for (const char c : line) {
            ascii = ascii && uchar(c) - 0x20u < 0x5fu;
            controls = controls || uchar(c) < 0x20u || c == '\x7f';
        }
        if (ascii || (!controls && Utf8::invalidAt(line) < 0)) {
            TaskSpec &task = r.newTask(false); // the list's line numbers: distinct ids
            task.id = lineId(listLineNo);
            task.shape = r.shapes[size_t(m_argumentShape)];
            task.line = qint32(lineNo);
            // Empty, but given: a null input would stand for the id.
            task.input = inputText(line.isEmpty() ? QString(QLatin1String(""))
                                   : ascii        ? plainText(line)
                                                  : QString::fromUtf8(line));
            ++r.shapeUses[size_t(m_argumentShape)];
            return;
        }
    }
    // Anything else (escapes, bytes that are not UTF-8, a very long line) as the batch's
    // own line: written as CommandLineBatch writes it, and parsed.
    m_argumentJson.clear();
    CommandLineBatch::appendTask(&m_argumentJson, listLineNo, line);
    m_argumentJson.chop(1); // its '\n'
    Outcome outcome = parseJson(m_argumentJson);
    if (m_argumentShape < 0 && outcome.errors.empty() && outcome.shape >= 0 && !outcome.mapReduce)
        m_argumentShape = outcome.shape;
    // Its id is its line number in the list: distinct, so not one for the duplicate check.
    outcome.hasId = false;
    apply(outcome, lineNo, listLineNo);
}

void BatchLineParser::parseTextLine(QByteArrayView line, qint64 lineNo)
{
    qsizetype begin = 0, end = line.size();
    while (begin < end && (isJsonSpace(line[begin]) || line[begin] == '\v' || line[begin] == '\f'))
        ++begin;
    while (end > begin
           && (isJsonSpace(line[end - 1]) || line[end - 1] == '\v' || line[end - 1] == '\f'))
        --end;
    if (begin == end || line[begin] == '#')
        return;
    const QByteArrayView text = line.sliced(begin, end - begin);
    const int column = int(begin) + 1;
    if (text.size() > MaxLineBytes) {
        addError(lineNo, 1,
                 QStringLiteral("line too long (%1 bytes; at most %2)")
                         .arg(line.size())
                         .arg(MaxLineBytes));
        return;
    }
    if (const void *nul = std::memchr(text.data(), '\0', size_t(text.size()))) {
        addError(lineNo, column + int(static_cast<const char *>(nul) - text.data()),
                 QStringLiteral("unexpected NUL byte (is this a binary file?)"));
        return;
    }
    const qsizetype bad = invalidUtf8At(text);
    if (bad >= 0) {
        addError(lineNo, column + int(bad), QStringLiteral("invalid UTF-8"));
        return;
    }
    Fields fields;
    // URL lists are mostly plain paths on a few hosts. When libcurl gave back a URL of this
    // host unchanged, another plain path on it is taken as written: the same result
    // without a parse per line.
    const QByteArrayView prefix = urlAuthorityPrefix(text);
    const bool knownHost = !prefix.isEmpty()
                           && std::any_of(m_plainUrlPrefixes.begin(), m_plainUrlPrefixes.end(),
                                          [&](const QByteArray &p) { return p == prefix; });
    // Into the batch's store, where a list has a million of them: from the arenas.
    const bool arenas = m_result->into != nullptr;
    if (knownHost && isPlainUrlPath(text.sliced(prefix.size()))) {
        fields.fetch.url = arenas ? m_arenas->urls.copy(text) : text.toByteArray();
    } else {
        QString error;
        qsizetype offset = -1;
        if (!parseUrl(QString::fromUtf8(text), &fields.fetch.url, &error, &offset)) {
            addError(lineNo, column + int(qMax<qsizetype>(0, offset)), error);
            return;
        }
        if (!knownHost && m_plainUrlPrefixes.size() < MaxPlainUrlPrefixes
            && fields.fetch.url == text && !prefix.isEmpty()
            && isPlainUrlPath(text.sliced(prefix.size())))
            m_plainUrlPrefixes.push_back(prefix.toByteArray());
        if (arenas)
            fields.fetch.url = m_arenas->urls.copy(fields.fetch.url);
    }
    fields.fetch.kind = FetchKind::Url;
    Result &r = *m_result;
    TaskSpec &task = r.newTask(false);
    task.id = lineId(lineNo);
    if (arenas) {
        // The lines of a URL list differ only in their URLs: their tasks share one shape,
        // each with its URL in the shape's list.
        task.urlIndex = addUrl(std::move(fields.fetch.url));
        if (!m_urlShape) {
            TaskShape shape;
            shape.fetch.kind = FetchKind::Url;
            shape.fetch.urls = m_urlList;
            m_urlShape = std::make_shared<const TaskShape>(std::move(shape));
        }
        task.shape = m_urlShape;
    } else {
        task.shape = std::make_shared<const TaskShape>(shapeOf(fields));
    }
    task.line = qint32(lineNo);
    ++r.ownShapeTasks[fetchKindIndex(task)];
}

} // namespace Brigade
