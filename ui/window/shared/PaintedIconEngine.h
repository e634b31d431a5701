#pragma once

#include <QIcon>
#include <QIconEngine>

#include <functional>

namespace Brigade {

// An icon painted for whatever size is asked, so no bitmap is ever scaled: the one icon
// engine behind the toolbar's action icons and the status dots.
class PaintedIconEngine : public QIconEngine
{
public:
    using Paint = std::function<void(QPainter *painter, const QRect &rect, QIcon::Mode mode)>;

    static QIcon icon(const QString &key, Paint paint);

    PaintedIconEngine(QString key, Paint paint);
    void paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State) override;
    QPixmap pixmap(const QSize &size, QIcon::Mode mode, QIcon::State state) override;
    QIconEngine *clone() const override;
    QString key() const override { return m_key; }

private:
    QString m_key;
    Paint m_paint;
};

} // namespace Brigade
