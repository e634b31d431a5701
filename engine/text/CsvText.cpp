#include "CsvText.h"

#include "core/ByteSink.h"

namespace Brigade::CsvText {

void appendField(ByteSink &out, QByteArrayView v)
{
    const bool quote = v.contains(',') || v.contains('"') || v.contains('\n') || v.contains('\r');
    if (!quote) {
        out.append(v);
        return;
    }
    out.append('"');
    qsizetype start = 0;
    for (qsizetype i = 0; i < v.size(); ++i) {
        if (v[i] != '"')
            continue;
        out.append(v.data() + start, i + 1 - start);
        out.append('"');
        start = i + 1;
    }
    out.append(v.data() + start, v.size() - start);
    out.append('"');
}

void appendField(QByteArray *buffer, QByteArrayView v)
{
    ByteSink out(buffer);
    appendField(out, v);
}

} // namespace Brigade::CsvText
