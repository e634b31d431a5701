#include "Placeholders.h"

namespace Brigade {

namespace {

enum class Kind {
    Input,
    NoExt,
    Base,
    Dir,
    BaseNoExt,
    Seq,
    Id,
    Attempt,
    Worker,
    Url,
    Body,
    Unknown
};

Kind kindOf(QStringView name)
{
    static const struct
    {
        const char16_t *name;
        Kind kind;
    } table[] = {{u"", Kind::Input},  {u".", Kind::NoExt},         {u"/", Kind::Base},
                 {u"//", Kind::Dir},  {u"/.", Kind::BaseNoExt},    {u"#", Kind::Seq},
                 {u"id", Kind::Id},   {u"attempt", Kind::Attempt}, {u"worker", Kind::Worker},
                 {u"url", Kind::Url}, {u"body", Kind::Body}};
    for (const auto &entry : table) {
        if (name == QStringView(entry.name))
            return entry.kind;
    }
    return Kind::Unknown;
}

// Walks a template: calls literal(text) for literal stretches and placeholder(kind, at,
// text) for each placeholder. As in GNU parallel, only the known placeholders are
// placeholders: other braces are literal text (awk's {print $1}, JSON), and {{ and }} are
// literal braces, for a literal "{}".
template<typename Literal, typename Placeholder>
void walk(QStringView text, Literal literal, Placeholder placeholder)
{
    qsizetype plain = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (c != u'{' && c != u'}')
            continue;
        if (i + 1 < text.size() && text[i + 1] == c) { // {{ or }}
            literal(text.mid(plain, i - plain));
            literal(text.mid(i, 1));
            plain = i + 2;
            ++i;
            continue;
        }
        if (c == u'}')
            continue;
        const qsizetype close = text.indexOf(u'}', i + 1);
        if (close < 0)
            break;
        const Kind kind = kindOf(text.mid(i + 1, close - i - 1));
        if (kind == Kind::Unknown)
            continue;
        literal(text.mid(plain, i - plain));
        placeholder(kind, i, text.mid(i, close - i + 1));
        plain = close + 1;
        i = close;
    }
    literal(text.mid(plain));
}

} // namespace

bool Placeholders::check(QStringView text, Scope scope, quint8 *needs, Problem *problem)
{
    *needs = 0;
    bool ok = true;
    walk(
            text, [](QStringView) {},
            [&](Kind kind, qsizetype at, QStringView written) {
                if (!ok)
                    return;
                if (scope == Scope::Program && kind != Kind::Worker) {
                    ok = false;
                    problem->offset = at;
                    problem->text = written.toString();
                    problem->message = QStringLiteral("%1 cannot be used in a program, which "
                                                      "serves many tasks (only {worker} can; "
                                                      "write {{ and }} for literal braces)")
                                               .arg(written);
                } else if (kind == Kind::Url) {
                    *needs |= NeedsUrl;
                } else if (kind == Kind::Body) {
                    *needs |= NeedsBody;
                }
            });
    return ok;
}

bool Placeholders::hasAny(QStringView text)
{
    bool any = false;
    walk(
            text, [](QStringView) {}, [&](Kind, qsizetype, QStringView) { any = true; });
    return any;
}

QString Placeholders::escapeUnknown(QStringView text)
{
    QString out;
    out.reserve(text.size() + 4);
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (c == u'{') {
            const qsizetype close = text.indexOf(u'}', i + 1);
            const qsizetype nextOpen = text.indexOf(u'{', i + 1);
            if (close > i && (nextOpen < 0 || nextOpen > close)
                && kindOf(text.mid(i + 1, close - i - 1)) != Kind::Unknown) {
                out += text.mid(i, close - i + 1);
                i = close;
                continue;
            }
            out += QStringLiteral("{{");
        } else if (c == u'}') {
            out += QStringLiteral("}}");
        } else {
            out += c;
        }
    }
    return out;
}

QString Placeholders::withoutExtension(QStringView path)
{
    // GNU parallel: s:\.[^/.]*$:: (the last extension of the last component).
    for (qsizetype i = path.size() - 1; i >= 0; --i) {
        if (path[i] == u'/')
            break;
        if (path[i] == u'.')
            return path.left(i).toString();
    }
    return path.toString();
}

QString Placeholders::basename(QStringView path)
{
    // GNU parallel: s:.*/:: (everything after the last slash, possibly nothing).
    return path.mid(path.lastIndexOf(u'/') + 1).toString();
}

QString Placeholders::dirname(QStringView path)
{
    // As dirname(1), which GNU parallel's {//} uses: trailing slashes do not count, a
    // path without a slash is in ".", and the root is its own directory.
    qsizetype end = path.size();
    while (end > 1 && path[end - 1] == u'/')
        --end;
    const qsizetype slash = path.left(end).lastIndexOf(u'/');
    if (slash < 0)
        return QStringLiteral(".");
    qsizetype dirEnd = slash;
    while (dirEnd > 0 && path[dirEnd - 1] == u'/')
        --dirEnd;
    return dirEnd == 0 ? QStringLiteral("/") : path.left(dirEnd).toString();
}

QString Placeholders::shellQuoted(QStringView value)
{
    QString out;
    out.reserve(value.size() + 2);
    out += u'\'';
    for (QChar c : value) {
        if (c == u'\'')
            out += QStringLiteral("'\\''");
        else
            out += c;
    }
    out += u'\'';
    return out;
}

QString Placeholders::expand(QStringView text, const PlaceholderValues &v, bool shellQuote)
{
    QString out;
    out.reserve(text.size() + v.input.size());
    walk(
            text, [&](QStringView literal) { out += literal; },
            [&](Kind kind, qsizetype, QStringView) {
                QString value;
                switch (kind) {
                case Kind::Input:
                    value = v.input;
                    break;
                case Kind::NoExt:
                    value = withoutExtension(v.input);
                    break;
                case Kind::Base:
                    value = basename(v.input);
                    break;
                case Kind::Dir:
                    value = dirname(v.input);
                    break;
                case Kind::BaseNoExt:
                    value = withoutExtension(basename(v.input));
                    break;
                case Kind::Seq:
                    value = QString::number(v.seq);
                    break;
                case Kind::Id:
                    value = v.id;
                    break;
                case Kind::Attempt:
                    value = QString::number(v.attempt);
                    break;
                case Kind::Worker:
                    value = QString::number(v.worker);
                    break;
                case Kind::Url:
                    value = v.url;
                    break;
                case Kind::Body:
                    value = v.bodyPath;
                    break;
                case Kind::Unknown:
                    break;
                }
                out += shellQuote ? shellQuoted(value) : value;
            });
    return out;
}

} // namespace Brigade
