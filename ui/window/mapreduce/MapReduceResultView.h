#pragma once

#include "MapReduceRows.h"

#include <QFutureWatcher>
#include <QTimer>
#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QTableView;

namespace Brigade {

class MapReduceTableModel;

// What a finished MapReduce job found: the figures (distinct keys, grand total, lines,
// bytes, time, speed), the top totals and asked keys as a sortable, filterable table, and
// the bad lines with the first few examples.
class MapReduceResultView : public QWidget
{
    Q_OBJECT
public:
    explicit MapReduceResultView(QWidget *parent = nullptr);
    ~MapReduceResultView() override;

    // Shows result (it must have succeeded); the table's rows are built off the GUI thread
    // and rowsShown() follows.
    void setResult(const MapReduceResult &result);
    void clear();

    MapReduceTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QLineEdit *textFilter() const { return m_textFilter; }
    QComboBox *subsetFilter() const { return m_subset; }
    QLabel *figures() const { return m_figures; }
    QStringList badLines() const; // as listed

    bool hasSelection() const;
    // Copies the selected rows, in view order, as tab-separated text with a header line;
    // built off the GUI thread, then copied() follows.
    void copySelected();
    void focusFilter();

signals:
    void rowsShown();
    void copied(qint64 rows);
    void selectionChanged();

private:
    void updateShownLabel();

    MapReduceTableModel *m_model;
    QLabel *m_figures;
    QComboBox *m_subset;
    QLineEdit *m_textFilter;
    QTimer m_filterDelay;
    QLabel *m_shownLabel;
    QTableView *m_table;
    QLabel *m_badHeader;
    QListWidget *m_badList;
    QFutureWatcher<std::shared_ptr<const MapReduceRows>> m_buildWatcher;
    quint64 m_generation = 0;
    QFutureWatcher<QString> m_copyWatcher;
    qint64 m_copyCount = 0;
};

} // namespace Brigade
