#include "StatusStyle.h"

#include "PaintedIconEngine.h"

#include <QCoreApplication>
#include <QPainter>
#include <QPixmap>

#include <array>

namespace Brigade::StatusStyle {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("StatusStyle", text);
}

// The dot for a status, painted for any size.
QIcon dot(const QColor &color)
{
    return PaintedIconEngine::icon(
            QStringLiteral("BrigadeDot"),
            [color](QPainter *painter, const QRect &rect, QIcon::Mode mode) {
                QColor fill = color;
                if (mode == QIcon::Disabled)
                    fill.setAlphaF(0.4f);
                const qreal side = qMin(rect.width(), rect.height()) * 0.62;
                const QRectF dot(rect.center().x() - side / 2.0 + 0.5,
                                 rect.center().y() - side / 2.0 + 0.5, side, side);
                painter->setPen(QPen(fill.darker(125), qMax(1.0, side / 10.0)));
                painter->setBrush(fill);
                painter->drawEllipse(dot);
            });
}

} // namespace

QColor color(TaskStatus status)
{
    switch (status) {
    case TaskStatus::Queued:
        return QColor(0x8c, 0x93, 0x9d);
    case TaskStatus::Running:
        return QColor(0x35, 0x84, 0xe4);
    case TaskStatus::Retrying:
        return QColor(0xe6, 0x9a, 0x1c);
    case TaskStatus::Succeeded:
        return QColor(0x2e, 0xa0, 0x5a);
    case TaskStatus::Failed:
        return QColor(0xe0, 0x45, 0x45);
    case TaskStatus::Cancelled:
        return QColor(0x9a, 0x6f, 0xc7);
    case TaskStatus::Skipped:
        return QColor(0x5f, 0x8f, 0x9f);
    }
    return Qt::gray;
}

QColor color(WorkerState state)
{
    // Waiting in a queue is grey like a queued task; being started is blue like a running
    // one, so a worker stuck in Slurm's queue does not look like one about to say hello.
    switch (state) {
    case WorkerState::Queued:
    case WorkerState::Stopped:
        return color(TaskStatus::Queued);
    case WorkerState::Starting:
        return color(TaskStatus::Running);
    case WorkerState::Running:
        return color(TaskStatus::Succeeded);
    case WorkerState::Restarting:
        return color(TaskStatus::Retrying);
    case WorkerState::Failed:
    case WorkerState::Blocked:
        return color(TaskStatus::Failed);
    }
    return Qt::gray;
}

QString text(TaskStatus status)
{
    switch (status) {
    case TaskStatus::Queued:
        return tr("Queued");
    case TaskStatus::Running:
        return tr("Running");
    case TaskStatus::Retrying:
        return tr("Retrying");
    case TaskStatus::Succeeded:
        return tr("Succeeded");
    case TaskStatus::Failed:
        return tr("Failed");
    case TaskStatus::Cancelled:
        return tr("Cancelled");
    case TaskStatus::Skipped:
        return tr("Skipped");
    }
    return {};
}

QString text(WorkerState state)
{
    switch (state) {
    case WorkerState::Starting:
        return tr("Starting");
    case WorkerState::Queued:
        return tr("Queued in Slurm");
    case WorkerState::Running:
        return tr("Running");
    case WorkerState::Restarting:
        return tr("Lost, restarting");
    case WorkerState::Stopped:
        return tr("Stopped");
    case WorkerState::Failed:
        return tr("Lost, gave up");
    case WorkerState::Blocked:
        return tr("Out of rotation");
    }
    return {};
}

QString description(WorkerState state)
{
    switch (state) {
    case WorkerState::Starting:
        return tr("Started; it has not said hello yet.");
    case WorkerState::Queued:
        return tr("Waiting in Slurm's queue for a CPU.");
    case WorkerState::Running:
        return tr("Running tasks.");
    case WorkerState::Restarting:
        return tr("The worker was lost; a new one is starting in its place and its tasks run "
                  "again elsewhere.");
    case WorkerState::Stopped:
        return tr("Stopped at the end of the run.");
    case WorkerState::Failed:
        return tr("Lost too many times; no new worker is started in its place.");
    case WorkerState::Blocked:
        return tr("Its host was taken out of rotation for this run: it kept losing workers or "
                  "failing tasks that succeeded elsewhere.");
    }
    return {};
}

QIcon icon(TaskStatus status)
{
    // Built once per status on first use (GUI thread only).
    static std::array<QIcon, TaskStatusCount> icons;
    QIcon &i = icons[size_t(status)];
    if (i.isNull())
        i = dot(color(status));
    return i;
}

QIcon icon(WorkerState state)
{
    static std::array<QIcon, size_t(WorkerState::Blocked) + 1> icons;
    QIcon &i = icons[size_t(state)];
    if (i.isNull())
        i = dot(color(state));
    return i;
}

QString dotHtml(TaskStatus status)
{
    return QStringLiteral("<span style=\"color:%1\">&#9679;</span>").arg(color(status).name());
}

} // namespace Brigade::StatusStyle
