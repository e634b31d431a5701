#pragma once

#include "core/TaskState.h"

namespace Brigade {

// Which libcurl results are which kind of failure, and so which are retried (RetryPolicy:
// network and timeout by default; tls and protocol never unless asked). The table, with
// the reasons, is in docs/batch-format.md ("Errors of a fetch").
class FetchErrors
{
public:
    // The kind of a CURLcode other than CURLE_OK.
    static ErrorKind kindOf(int curlCode);
};

} // namespace Brigade
