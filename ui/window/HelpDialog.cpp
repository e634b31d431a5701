#include "HelpDialog.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QScreen>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace Brigade {

HelpDialog::HelpDialog(Page page, QWidget *parent)
    : QDialog(parent)
    , m_browser(new QTextBrowser(this))
{
    setWindowTitle(title(page));
    m_browser->setOpenExternalLinks(true);
    m_browser->setMarkdown(markdown(page));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_browser);
    layout->addWidget(buttons);
    // About 90 columns of text, and never more than the screen.
    const int width = m_browser->fontMetrics().averageCharWidth() * 96;
    QSize size(width, width * 3 / 4);
    if (const QScreen *screen = parent ? parent->screen() : QGuiApplication::primaryScreen())
        size = size.boundedTo(screen->availableSize() * 9 / 10);
    resize(size);
}

QString HelpDialog::title(Page page)
{
    return page == Page::BatchFormat ? tr("Batch File Format") : tr("Quick Start");
}

QString HelpDialog::markdown(Page page)
{
    QFile file(page == Page::BatchFormat ? QStringLiteral(":/docs/batch-format.md")
                                         : QStringLiteral(":/docs/quick-start.md"));
    if (!file.open(QIODevice::ReadOnly))
        return tr("The help text is missing from this build.");
    return QString::fromUtf8(file.readAll());
}

} // namespace Brigade
