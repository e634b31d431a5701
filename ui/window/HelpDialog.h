#pragma once

#include <QDialog>

class QTextBrowser;

namespace Brigade {

// A readable page of help (the batch file format, the quick start), shown from the Help
// menu. Its text is the Markdown of docs/, built into the program, so the window and the
// repository's documentation say the same.
class HelpDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Page { BatchFormat, QuickStart };

    explicit HelpDialog(Page page, QWidget *parent = nullptr);

    static QString title(Page page);
    static QString markdown(Page page); // the page's text, from the resources
    QTextBrowser *browser() const { return m_browser; }

private:
    QTextBrowser *m_browser;
};

} // namespace Brigade
