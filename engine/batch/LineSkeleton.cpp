#include "LineSkeleton.h"

#include <algorithm>
#include <cstring>
#include <iterator>
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
    std::fill(std::begin(m_at), std::end(m_at), -1);
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
        const Cut cut = key == "id"      ? Id
                        : key == "input" ? Input
                        : key == "fetch" ? Fetch
                                         : CutCount;
        if (cut == CutCount)
            continue; // part of the skeleton
        if (m_at[cut] >= 0)
            return false; // twice
        simdjson::ondemand::value value = field.value();
        if (cut == Fetch) {
            simdjson::ondemand::json_type type;
            if (value.type().get(type))
                return false;
            if (type != simdjson::ondemand::json_type::string)
                continue; // a fetch object is part of the skeleton
        }
        const std::string_view token = value.raw_json_token();
        const qsizetype size = plainStringLength(token);
        if (size < 0)
            return false;
        m_at[cut] = qsizetype(token.data() - json);
        m_text[cut] = QByteArrayView(line.data() + m_at[cut] + 1, size);
    }
    // Anything after the object stays in the skeleton: a line that has it never parsed
    // clean, so its skeleton is never learnt.

    // The line without the strings (quotes included), then where each was cut out.
    m_key.clear();
    qint32 where[CutCount] = {-1, -1, -1};
    int order[CutCount] = {Id, Input, Fetch};
    std::sort(std::begin(order), std::end(order),
              [this](int a, int b) { return m_at[a] < m_at[b]; });
    qsizetype from = 0;
    for (int cut : order) {
        if (m_at[cut] < 0)
            continue;
        m_key.append(line.data() + from, size_t(m_at[cut] - from));
        where[cut] = qint32(m_key.size());
        from = m_at[cut] + m_text[cut].size() + 2;
    }
    m_key.append(line.data() + from, size_t(line.size() - from));
    m_key.append(reinterpret_cast<const char *>(where), sizeof where);
    return true;
}

} // namespace Brigade
