#include "ActionIcons.h"

#include "PaintedIconEngine.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>
#include <QPixmap>
#include <QtMath>

namespace Brigade::ActionIcons {

namespace {

void draw(Kind kind, QPainter *p, const QColor &ink)
{
    switch (kind) {
    case Kind::Open: {
        QPainterPath folder;
        folder.moveTo(3, 19);
        folder.lineTo(3, 6);
        folder.lineTo(9, 6);
        folder.lineTo(11, 8);
        folder.lineTo(20, 8);
        folder.lineTo(20, 11);
        p->drawPath(folder);
        QPainterPath front;
        front.moveTo(3, 19);
        front.lineTo(6, 11);
        front.lineTo(22, 11);
        front.lineTo(19, 19);
        front.closeSubpath();
        p->drawPath(front);
        break;
    }
    case Kind::Run:
    case Kind::Resume: {
        QPainterPath play;
        play.moveTo(7, 4.5);
        play.lineTo(19, 12);
        play.lineTo(7, 19.5);
        play.closeSubpath();
        p->setBrush(kind == Kind::Run ? ink : Qt::transparent);
        p->drawPath(play);
        break;
    }
    case Kind::Pause:
        p->setBrush(ink);
        p->drawRoundedRect(QRectF(6, 5, 3.5, 14), 1, 1);
        p->drawRoundedRect(QRectF(14.5, 5, 3.5, 14), 1, 1);
        break;
    case Kind::Cancel:
        p->setBrush(ink);
        p->drawRoundedRect(QRectF(6, 6, 12, 12), 2, 2);
        break;
    case Kind::Retry:
    case Kind::RetrySelected: {
        QPainterPath arc;
        arc.arcMoveTo(QRectF(4, 4, 16, 16), 60);
        arc.arcTo(QRectF(4, 4, 16, 16), 60, 280);
        p->drawPath(arc);
        // Arrow head at the arc's start, pointing along it.
        const QPointF tip(12 + 8 * qCos(qDegreesToRadians(60.0)),
                          12 - 8 * qSin(qDegreesToRadians(60.0)));
        QPainterPath head;
        head.moveTo(tip + QPointF(-4.5, -1.5));
        head.lineTo(tip);
        head.lineTo(tip + QPointF(-1, 4.5));
        p->drawPath(head);
        if (kind == Kind::RetrySelected) {
            p->setBrush(ink);
            p->drawEllipse(QPointF(12, 12), 2, 2);
        }
        break;
    }
    case Kind::Settings: {
        // A gear: eight teeth around a ring.
        QPainterPath gear;
        const int teeth = 8;
        for (int i = 0; i < teeth * 2; ++i) {
            const qreal a0 = (i - 0.5) * M_PI / teeth;
            const qreal a1 = (i + 0.5) * M_PI / teeth;
            const qreal r = (i % 2 == 0) ? 9.5 : 7.0;
            const QPointF q0(12 + r * qCos(a0), 12 + r * qSin(a0));
            const QPointF q1(12 + r * qCos(a1), 12 + r * qSin(a1));
            if (i == 0)
                gear.moveTo(q0);
            else
                gear.lineTo(q0);
            gear.lineTo(q1);
        }
        gear.closeSubpath();
        QPen pen = p->pen();
        pen.setWidthF(1.6);
        p->setPen(pen);
        p->drawPath(gear);
        p->drawEllipse(QPointF(12, 12), 3, 3);
        break;
    }
    case Kind::Export: {
        p->drawLine(QPointF(12, 3.5), QPointF(12, 14.5));
        QPainterPath head;
        head.moveTo(7.5, 10);
        head.lineTo(12, 14.5);
        head.lineTo(16.5, 10);
        p->drawPath(head);
        QPainterPath tray;
        tray.moveTo(4, 14);
        tray.lineTo(4, 20);
        tray.lineTo(20, 20);
        tray.lineTo(20, 14);
        p->drawPath(tray);
        break;
    }
    case Kind::Copy:
        p->drawRoundedRect(QRectF(8, 8, 12, 12), 2, 2);
        {
            QPainterPath back;
            back.moveTo(5, 15);
            back.lineTo(4, 15);
            back.lineTo(4, 4);
            back.lineTo(15, 4);
            back.lineTo(15, 5);
            p->drawPath(back);
        }
        break;
    }
}

// Draws kind on a 24x24 grid scaled into rect, in the palette's button text colour.
void paintAction(Kind kind, QPainter *p, const QRect &rect, QIcon::Mode mode)
{
    const QPalette pal = QApplication::palette();
    QColor ink = pal.color(mode == QIcon::Disabled ? QPalette::Disabled : QPalette::Active,
                           QPalette::ButtonText);
    if (mode == QIcon::Disabled)
        ink.setAlphaF(0.45f);
    const qreal side = qMin(rect.width(), rect.height());
    const QPointF center = QRectF(rect).center();
    p->translate(center.x() - side / 2.0, center.y() - side / 2.0);
    p->scale(side / 24.0, side / 24.0);
    p->setPen(QPen(ink, 2.0, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p->setBrush(Qt::NoBrush);
    draw(kind, p, ink);
}

QString themeName(Kind kind)
{
    switch (kind) {
    case Kind::Open:
        return QStringLiteral("document-open");
    case Kind::Run:
        return QStringLiteral("media-playback-start");
    case Kind::Pause:
        return QStringLiteral("media-playback-pause");
    case Kind::Resume:
        return QStringLiteral("media-playback-start");
    case Kind::Cancel:
        return QStringLiteral("media-playback-stop");
    case Kind::Retry:
        return QStringLiteral("view-refresh");
    case Kind::RetrySelected:
        return QString();
    case Kind::Settings:
        return QStringLiteral("configure");
    case Kind::Export:
        return QStringLiteral("document-save-as");
    case Kind::Copy:
        return QStringLiteral("edit-copy");
    }
    return {};
}

} // namespace

QIcon icon(Kind kind)
{
    const QString name = themeName(kind);
    if (!name.isEmpty() && QIcon::hasThemeIcon(name))
        return QIcon::fromTheme(name);
    return PaintedIconEngine::icon(QStringLiteral("BrigadeActionIcon"),
                                   [kind](QPainter *p, const QRect &rect, QIcon::Mode mode) {
                                       paintAction(kind, p, rect, mode);
                                   });
}

} // namespace Brigade::ActionIcons
