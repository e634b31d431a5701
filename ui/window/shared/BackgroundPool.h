#pragma once

class QThreadPool;

namespace Brigade::BackgroundPool {

// The pool for the window's long background jobs: loading, sorting and filtering,
// exporting, copying. Not QThreadPool::globalInstance(): Qt's raster painter splits large
// fills over the global pool and waits for them, so a global pool busy with a long sort
// would stall painting (seen as 50-180 ms GUI stalls while a batch loaded).
QThreadPool *instance();

} // namespace Brigade::BackgroundPool
