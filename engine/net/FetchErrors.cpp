#include "FetchErrors.h"

#include <curl/curl.h>

namespace Brigade {

ErrorKind FetchErrors::kindOf(int curlCode)
{
    switch (CURLcode(curlCode)) {
    case CURLE_OK:
        return ErrorKind::None;

    // Transient: the network or the server's load; another attempt may well succeed.
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:       // closed before a response
    case CURLE_PARTIAL_FILE:      // closed inside the body
    case CURLE_HTTP2:             // an HTTP/2 connection failed
    case CURLE_HTTP2_STREAM:      // a stream was reset
    case CURLE_SSL_CONNECT_ERROR: // the handshake broke off (often a reset under load)
    case CURLE_PROXY:
    case CURLE_AGAIN:
    case CURLE_HTTP3:
    case CURLE_QUIC_CONNECT_ERROR:
        return ErrorKind::Network;

    case CURLE_OPERATION_TIMEDOUT: // connect timeout, or slower than the low-speed limit
        return ErrorKind::Timeout;

    // Permanent: the certificate will not change by asking again.
    case CURLE_PEER_FAILED_VERIFICATION: // untrusted, expired, or another host's
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
        return ErrorKind::Tls;

    // Permanent: the server's answer is wrong, or leads nowhere Brigade may go.
    case CURLE_WEIRD_SERVER_REPLY:   // malformed status line or headers, NUL in a header
    case CURLE_UNSUPPORTED_PROTOCOL: // HTTP/0.9, or a redirect to another scheme
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_URL_MALFORMAT:        // a redirect to a malformed URL
    case CURLE_BAD_CONTENT_ENCODING: // a body that does not decode
    case CURLE_RANGE_ERROR:
    case CURLE_BAD_DOWNLOAD_RESUME:
    case CURLE_HTTP_RETURNED_ERROR:
    case CURLE_LOGIN_DENIED:
    case CURLE_REMOTE_ACCESS_DENIED:
    case CURLE_UNRECOVERABLE_POLL:
        return ErrorKind::Protocol;

    case CURLE_FILESIZE_EXCEEDED:
        return ErrorKind::TooLarge;

    // The request itself: a body file that cannot be read, an option libcurl lacks.
    case CURLE_READ_ERROR:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
    case CURLE_HTTP_POST_ERROR:
    case CURLE_SEND_FAIL_REWIND:
        return ErrorKind::BadInput;

    default:
        // Out of memory, internal errors: not the server's fault, so worth another try.
        return ErrorKind::Network;
    }
}

} // namespace Brigade
