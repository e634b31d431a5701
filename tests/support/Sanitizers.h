#pragma once

// Whether this build runs under AddressSanitizer or ThreadSanitizer: tests that race the
// clock scale their timeouts by SanitizerSlowdown, and skip what cannot work there (a
// setrlimit memory cap beside terabytes of shadow memory).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define BRIGADE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define BRIGADE_SANITIZED 1
#endif
#endif

namespace Brigade::Test {

#ifdef BRIGADE_SANITIZED
constexpr int SanitizerSlowdown = 4;
#else
constexpr int SanitizerSlowdown = 1;
#endif

} // namespace Brigade::Test
