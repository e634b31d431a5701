#include "Ascii.h"

namespace Brigade::Ascii {

bool containsNoCase(QByteArrayView hay, QByteArrayView needle)
{
    const qsizetype n = needle.size();
    if (n == 0)
        return true;
    const char first = needle[0];
    const char firstUpper = (first >= 'a' && first <= 'z') ? char(first - ('a' - 'A')) : first;
    for (qsizetype i = 0, last = hay.size() - n; i <= last; ++i) {
        const char c = hay[i];
        if (c != first && c != firstUpper)
            continue;
        qsizetype k = 1;
        while (k < n && toLower(hay[i + k]) == needle[k])
            ++k;
        if (k == n)
            return true;
    }
    return false;
}

} // namespace Brigade::Ascii
