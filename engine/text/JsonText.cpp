#include "JsonText.h"

#include "core/ByteSink.h"
#include "encoding/Utf8.h"

namespace Brigade::JsonText {

void appendString(QByteArray *buffer, QByteArrayView utf8)
{
    ByteSink out(buffer);
    appendString(out, utf8);
}

void appendString(ByteSink &out, QByteArrayView utf8)
{
    static const char hex[] = "0123456789abcdef";
    const auto *p = reinterpret_cast<const unsigned char *>(utf8.data());
    const qsizetype n = utf8.size();
    out.append('"');
    qsizetype plainStart = 0;
    for (qsizetype i = 0; i < n;) {
        const unsigned char c = p[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            ++i;
            continue;
        }
        if (c >= 0x80) {
            int bad = 1;
            const int len = Utf8::sequenceLength(p + i, n - i, &bad);
            if (len > 0) { // valid: part of the run copied as it is
                i += len;
                continue;
            }
            out.append(utf8.data() + plainStart, i - plainStart);
            out.literal(Utf8::Replacement);
            i += bad;
            plainStart = i;
            continue;
        }
        out.append(utf8.data() + plainStart, i - plainStart);
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
        plainStart = ++i;
    }
    out.append(utf8.data() + plainStart, n - plainStart);
    out.append('"');
}

void appendString(QByteArray *out, QStringView s)
{
    appendString(out, QByteArrayView(s.toUtf8()));
}

} // namespace Brigade::JsonText
