#include "JsonText.h"

#include "core/ByteSink.h"

namespace Brigade::JsonText {

void appendString(QByteArray *buffer, QByteArrayView utf8)
{
    ByteSink out(buffer);
    appendString(out, utf8);
}

void appendString(ByteSink &out, QByteArrayView utf8)
{
    static const char hex[] = "0123456789abcdef";
    out.append('"');
    qsizetype plainStart = 0;
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(utf8[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(utf8.data() + plainStart, i - plainStart);
        plainStart = i + 1;
        switch (c) {
        case '"':
            out.literal("\\\"");
            break;
        case '\\':
            out.literal("\\\\");
            break;
        case '\n':
            out.literal("\\n");
            break;
        case '\r':
            out.literal("\\r");
            break;
        case '\t':
            out.literal("\\t");
            break;
        default: {
            const char esc[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            out.append(esc, 6);
        }
        }
    }
    out.append(utf8.data() + plainStart, utf8.size() - plainStart);
    out.append('"');
}

void appendString(QByteArray *out, QStringView s)
{
    appendString(out, QByteArrayView(s.toUtf8()));
}

} // namespace Brigade::JsonText
