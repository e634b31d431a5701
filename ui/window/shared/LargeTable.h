#pragma once

class QTableView;

namespace Brigade::LargeTable {

// Sets up a table view for models of up to millions of rows: whole-row extended
// selection, no grid or wrapping, fixed row heights (the view never measures rows) and
// interactive column widths. The task table and the MapReduce totals share it.
void configure(QTableView *table);

} // namespace Brigade::LargeTable
