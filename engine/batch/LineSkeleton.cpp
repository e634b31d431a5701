#include "LineSkeleton.h"

#include <cstring>
#include <simdjson.h>

namespace Brigade {

namespace {

// The length of the plain string at token (which starts with its opening quote): ASCII
// from ' ' to '~' without '"' or '\\'. -1 when it is anything else or empty.
qsizetype plainStringLength(std::string_view token)
{
    if (token.size() < 2 || token.front() != '"')
        return -1;
    for (size_t i = 1; i < token.size(); ++i) {
        const char c = token[i];
        if (c == '"')
            return i > 1 ? qsizetype(i - 1) : -1;
        if (c < ' ' || c > '~' || c == '\\')
            return -1;
    }
    return -1;
}

} // namespace

struct LineSkeleton::Parser
{
    simdjson::ondemand::parser parser;
};

LineSkeleton::LineSkeleton(QByteArrayView data)
    : m_parser(std::make_unique<Parser>())
    , m_data(data)
{}

LineSkeleton::~LineSkeleton() = default;

bool LineSkeleton::read(QByteArrayView line)
{
    m_idAt = m_inputAt = -1;
    // Escapes anywhere (keys included) could make different bytes mean the same key.
    if (line.isEmpty() || std::memchr(line.data(), '\\', size_t(line.size())))
        return false;
    const char *json = line.data();
    const size_t length = size_t(line.size());
    const char *dataEnd = m_data.data() + m_data.size();
    if (!(json >= m_data.data() && json + length <= dataEnd
          && size_t(dataEnd - (json + length)) >= simdjson::SIMDJSON_PADDING)) {
        m_padded.assign(json, length);
        m_padded.append(simdjson::SIMDJSON_PADDING, ' ');
        json = m_padded.data();
    }
    simdjson::ondemand::document doc;
    if (m_parser->parser.iterate(json, length, length + simdjson::SIMDJSON_PADDING).get(doc))
        return false;
    simdjson::ondemand::object object;
    if (doc.get_object().get(object))
        return false;
    for (auto fieldResult : object) {
        if (fieldResult.error())
            return false;
        simdjson::ondemand::field field = std::move(fieldResult).value_unsafe();
        const simdjson::ondemand::raw_json_string key = field.key();
        const bool isId = key == "id";
        if (!isId && !(key == "input"))
            continue; // part of the skeleton
        qsizetype &at = isId ? m_idAt : m_inputAt;
        if (at >= 0)
            return false; // twice
        const std::string_view token = field.value().raw_json_token();
        const qsizetype size = plainStringLength(token);
        if (size < 0)
            return false;
        at = qsizetype(token.data() - json);
        (isId ? m_id : m_input) = QByteArrayView(line.data() + at + 1, size);
    }
    // Anything after the object stays in the skeleton: a line that has it never parsed
    // clean, so its skeleton is never learnt.

    // The line without the strings (quotes included), then where each was cut out.
    m_key.clear();
    qsizetype from = 0;
    qint32 cuts[2] = {-1, -1};
    const qsizetype idEnd = m_idAt + m_id.size() + 2;
    const qsizetype inputEnd = m_inputAt + m_input.size() + 2;
    const auto cut = [&](qsizetype at, qsizetype end, qint32 *where) {
        m_key.append(line.data() + from, size_t(at - from));
        *where = qint32(m_key.size());
        from = end;
    };
    if (m_idAt >= 0 && (m_inputAt < 0 || m_idAt < m_inputAt)) {
        cut(m_idAt, idEnd, &cuts[0]);
        if (m_inputAt >= 0)
            cut(m_inputAt, inputEnd, &cuts[1]);
    } else if (m_inputAt >= 0) {
        cut(m_inputAt, inputEnd, &cuts[1]);
        if (m_idAt >= 0)
            cut(m_idAt, idEnd, &cuts[0]);
    }
    m_key.append(line.data() + from, size_t(line.size() - from));
    m_key.append(reinterpret_cast<const char *>(cuts), sizeof cuts);
    return true;
}

} // namespace Brigade
