#include "PaintedIconEngine.h"

#include <QPainter>
#include <QPixmap>

namespace Brigade {

QIcon PaintedIconEngine::icon(const QString &key, Paint paint)
{
    return QIcon(new PaintedIconEngine(key, std::move(paint)));
}

PaintedIconEngine::PaintedIconEngine(QString key, Paint paint)
    : m_key(std::move(key))
    , m_paint(std::move(paint))
{}

void PaintedIconEngine::paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    m_paint(painter, rect, mode);
    painter->restore();
}

QPixmap PaintedIconEngine::pixmap(const QSize &size, QIcon::Mode mode, QIcon::State state)
{
    QPixmap pm(size);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    paint(&p, QRect(QPoint(0, 0), size), mode, state);
    return pm;
}

QIconEngine *PaintedIconEngine::clone() const
{
    return new PaintedIconEngine(m_key, m_paint);
}

} // namespace Brigade
