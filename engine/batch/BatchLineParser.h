#pragma once

#include "Batch.h"
#include "ByteArena.h"
#include "TextArena.h"
#include "core/SharedTextArena.h"
#include "core/TaskSpec.h"
#include "usercode/ProgramSpec.h"

#include <QByteArrayView>
#include <QHash>
#include <QJsonObject>

#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace Brigade {

class LineSkeleton;
class ShapeTable;

// Turns the lines of one stretch of a batch file into tasks and errors. Internal to
// BatchParser: each thread parses its own chunk with its own BatchLineParser, and
// BatchParser merges the Results in file order.
class BatchLineParser
{
public:
    // Longer lines are refused: a task is a few hundred bytes, a megabyte is a mistake.
    static constexpr qsizetype MaxLineBytes = 1024 * 1024;

    // The task fields a line (or the defaults line) sets.
    struct Fields
    {
        FetchSpec fetch;
        ComputeSpec compute;
        quint16 maxAttempts = 0;
        quint32 timeoutMs = 0;
        qint32 priority = 0;
        qint16 slotCount = -1; // exec and call: compute slots held while running; -1: the op's
        quint8 needs = 0;      // exec: what its placeholders and stdin need from the fetch
    };

    // The id written on a line that made no task (it had errors): it still claims the id,
    // so a later line with it is reported now rather than after this one is fixed.
    struct ErrorLineId
    {
        QString id;
        qint64 line = 0;
    };

    struct Result
    {
        QVector<TaskSpec> tasks; // unless into is set
        // BatchParser: the tasks go into this room instead (one slot per line, at most),
        // so a million tasks are written once, where the batch keeps them.
        TaskSpec *into = nullptr;
        qsizetype intoCapacity = 0;
        qsizetype intoCount = 0;
        // Where the chunk's list of URLs goes, if it has one (a URL's slot per line).
        UrlList::allocator_type urlAllocator;
        std::vector<std::shared_ptr<const TaskShape>> shapes; // distinct shapes
        std::vector<QByteArray> shapeKeys;                    // shapeKey() of each
        std::vector<qint64> shapeUses;                        // tasks per shape
        // Tasks whose shape is not in shapes (a URL list's lines, which share one shape
        // that holds their URLs), per fetch kind of their URL; their op is none.
        std::array<qint64, FetchKindNames.size()> ownShapeTasks{};
        // Per task, in order: whether its id was written on its line (else it is the line
        // number). With the tasks' ids and errorLineIds, all the duplicate check needs.
        std::vector<bool> idWritten;
        std::vector<ErrorLineId> errorLineIds;
        QList<BatchError> errors; // the first maxErrors
        qint64 errorCount = 0;
        bool cancelled = false;
        QVector<MapReduceSpec> mapReduce; // {"mapreduce":{...}} lines, line set

        qsizetype taskCount() const { return into ? intoCount : tasks.size(); }
        // The next task, default-made, to be filled in.
        TaskSpec &newTask(bool withWrittenId)
        {
            idWritten.push_back(withWrittenId);
            if (!into)
                return tasks.emplace_back();
            Q_ASSERT(intoCount < intoCapacity);
            return into[intoCount++];
        }
    };

    // defaults may be null. fileName is only used in errors.
    BatchLineParser(const QString &fileName, const Fields *defaults, int maxErrors, Result *result);
    ~BatchLineParser();

    // A line without its '\n' (and '\r'). Blank lines must be skipped by the caller.
    void parseJsonLine(QByteArrayView line, qint64 lineNo);
    // Skips blank and # lines itself.
    void parseTextLine(QByteArrayView line, qint64 lineNo);
    // Line listLineNo of a list of arguments (brigade run LIST -- PROG), made into the task
    // that CommandLineBatch::appendTask would have written as the batch's line
    // listLineNo + 1, with what its parse gives: id, input, shape, errors. The defaults
    // must be CommandLineBatch::defaultsLine()'s. Every line is a task, blank or not.
    void parseArgumentLine(QByteArrayView line, qint64 listLineNo);
    // If line is a {"defaults":{...}} line, fills *defaults with its valid fields, records
    // its problems and returns true. Otherwise returns false and records nothing.
    // The first line may also declare the batch's programs ({"programs":{...}}, beside
    // "defaults" or alone); they go to *programs.
    // "pacing" beside them sets the run's per-host pacing (*pacing, when not null).
    bool parseDefaultsLine(QByteArrayView line, qint64 lineNo, Fields *defaults,
                           ProgramTable *programs, HostPacing *pacing = nullptr,
                           bool *hasPacing = nullptr);
    // The programs "call" tasks may name (from the first line); may be null.
    void setPrograms(const ProgramTable *programs) { m_programs = programs; }
    // The whole buffer the lines are in: turns on the fast path (see LineSkeleton).
    void setData(QByteArrayView data) { m_data = data; }
    // Shapes shared with the other threads parsing the batch (may be null): equal shapes
    // are then one object batch-wide, and the merge need not touch every task.
    void setShapeTable(ShapeTable *table) { m_shapeTable = table; }

    // Where the tasks' ids and URLs are written, for whole batches (Result::into): the
    // parser's own, or arenas that outlive it, which a thread's chunks of a batch take in
    // turn (their large blocks then fill up rather than one per chunk).
    struct Arenas
    {
        TextArena ids;
        ByteArena urls;
        SharedTextArena inputs;
    };
    void setArenas(Arenas *arenas) { m_arenas = arenas; }

    // Bytes that are equal exactly when the shapes are equal (for interning).
    static QByteArray shapeKey(const TaskShape &shape);
    static bool isBlank(QByteArrayView line);
    // Offset of the first byte that is not part of valid UTF-8, or -1.
    static qsizetype invalidUtf8At(QByteArrayView bytes);
    // 1-based column of "key": in line at or after from, or from + 1 when not found.
    static int keyColumn(QByteArrayView line, QByteArrayView key, qsizetype from = 0);

private:
    struct LineError
    {
        int column = 1;
        QString message;
        // An environment variable that is not set: reported, but the line still makes its
        // task (flagged), so every parse of a batch gives the same rows.
        bool unsetVariable = false;
    };
    static bool onlyUnsetVariables(const std::vector<LineError> &errors);
    // Everything about a line that depends only on its bytes, so it can be cached.
    struct Outcome
    {
        int shape = -1; // -1: no task (errors)
        bool hasId = false;
        QString id;
        QString input; // "input"; null when absent
        std::vector<LineError> errors;
        std::shared_ptr<const MapReduceSpec> mapReduce; // a MapReduce job line
    };
    // Where in the line the values being checked were written, for error columns. Found
    // only when there is an error: searching on every line would cost time.
    struct Where
    {
        QByteArrayView line;
        const Where *parent = nullptr;
        const char *parentKey = nullptr; // the key in parent whose value is being checked
        qsizetype from() const { return parent ? parent->column(parentKey) - 1 : 0; }
        int self() const { return int(from()) + 1; } // the column of parentKey
        int column(const QString &key) const { return keyColumn(line, key.toUtf8(), from()); }
        int column(const char *key) const { return keyColumn(line, key, from()); }
    };

    Outcome parseJson(QByteArrayView line);
    // idLine: the number a task without a written id is named by, when not lineNo.
    void apply(const Outcome &outcome, qint64 lineNo, qint64 idLine = -1);
    // The fast path: true when the line's skeleton was seen before (or is now learnt).
    bool parseBySkeleton(QByteArrayView line, qint64 lineNo);
    // A shape for the lines of one skeleton whose "fetch" URLs are on the host of prefix
    // (parsed: the first such line's), holding their URLs; its index in the result's shapes.
    int urlTemplate(const TaskShape &parsed, QByteArrayView prefix);
    // The URLs of this chunk's tasks that hold their own (made on first use), and adding
    // one: its index there.
    std::shared_ptr<UrlList> urlList();
    quint32 addUrl(QByteArray url);
    void addError(qint64 lineNo, int column, const QString &message);
    // A task's id: its line number, or an id (or an input) of plain ASCII from the line.
    // From the arena for whole batches.
    QString lineId(qint64 lineNo);
    QString plainText(QByteArrayView ascii);
    // A task's "input": from the arena for whole batches.
    SharedText inputText(QString text);
    static TaskShape shapeOf(const Fields &fields);
    int internShape(const Fields &fields);

    // Parse one task field into *fields; false when key is not a task field.
    bool parseField(const QString &key, const QJsonValue &value, const Where &where, Fields *fields,
                    std::vector<LineError> *errors) const;
    void parseFetch(const QJsonValue &value, const Where &where, FetchSpec *fetch,
                    std::vector<LineError> *errors) const;
    void parseCompute(const QJsonValue &value, const Where &where, ComputeSpec *compute,
                      std::vector<LineError> *errors, quint8 *needs = nullptr) const;
    // Headers into fetch; a secret's unset variable into http.
    void parseHeaders(const QJsonValue &value, const Where &where, FetchSpec *fetch,
                      HttpOptions *http, std::vector<LineError> *errors) const;
    void parseAuth(const QJsonValue &value, const Where &where, HttpOptions *http,
                   std::vector<LineError> *errors) const;
    // exec and call: their own parsers, with columns down to a placeholder.
    void parseUserCode(quint8 op, const QJsonObject &object, const Where &where,
                       ComputeSpec *compute, std::vector<LineError> *errors, quint8 *needs) const;
    // After the defaults are merged: placeholders a task cannot fill, the task's slots.
    void finishUserCode(const QJsonObject &line, const Where &where, Fields *fields,
                        std::vector<LineError> *errors) const;
    void parsePacing(const QJsonValue &value, const Where &where, HostPacing *pacing,
                     std::vector<LineError> *errors) const;
    void parsePrograms(const QJsonValue &value, QByteArrayView line, int column,
                       ProgramTable *programs, std::vector<LineError> *errors) const;
    // errorOffset: where in text the problem is, or -1.
    static bool parseUrl(const QString &text, QByteArray *encoded, QString *error,
                         qsizetype *errorOffset = nullptr);
    // A readable file named in the batch, relative to the batch's folder.
    QString resolveFile(const QString &text, QString *error) const;
    void parseMapReduce(const QJsonValue &value, const Where &where, MapReduceSpec *spec,
                        std::vector<LineError> *errors) const;
    QString resolveInput(const QString &text, QString *error) const;

    QString m_fileName;
    QString m_baseDir; // the batch file's directory: where commands run unless they say
    const Fields *m_defaults;
    const ProgramTable *m_programs = nullptr;
    int m_maxErrors;
    Result *m_result;
    // Identical lines give identical outcomes: most batches repeat a few line shapes
    // millions of times, so this skips JSON parsing for all but the first. Keys view the
    // file data, which outlives the parser.
    std::unordered_map<std::string_view, Outcome> m_cache;
    qint64 m_cacheHits = 0;
    bool m_caching = true;
    QHash<QByteArray, int> m_shapeIndex;
    ShapeTable *m_shapeTable = nullptr;
    // The ids of tasks, in blocks rather than an allocation each, and the URLs that tasks
    // hold themselves (a URL list's lines, JSON lines of a URL template). Only for whole
    // batches (Result::into): a block lives as long as any of its ids, too long for the
    // few lines of a feed or a submission.
    Arenas m_ownArenas;
    Arenas *m_arenas = &m_ownArenas;
    // The one shape a URL list's tasks share, and the list of their URLs.
    std::shared_ptr<UrlList> m_urlList;
    std::shared_ptr<const TaskShape> m_urlShape;
    // Skeletons of lines seen, to the shape their full parse gave (clean task lines only).
    QByteArrayView m_data;
    std::unique_ptr<LineSkeleton> m_skeleton;
    std::unordered_map<std::string, int> m_skeletonShapes;
    std::string m_templateKey; // a skeleton and its URL's host: a URL template's key
    qint64 m_skeletonHits = 0;
    qint64 m_skeletonMisses = 0;
    bool m_skeletonsOn = true;
    // Text lines: "scheme://host:port" of URLs libcurl gave back unchanged, the first
    // MaxPlainUrlPrefixes of them (a list has a few hosts, often interleaved).
    std::vector<QByteArray> m_plainUrlPrefixes;
    static constexpr size_t MaxPlainUrlPrefixes = 32;
    // Argument lines: the shape the first clean line's full parse gave, which every line
    // has (they differ only in their ids and inputs), and a line's JSON for that parse.
    int m_argumentShape = -1;
    QByteArray m_argumentJson;
};

} // namespace Brigade
