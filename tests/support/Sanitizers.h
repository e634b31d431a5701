#pragma once

// Whether this build runs under AddressSanitizer or ThreadSanitizer: tests that race the
// clock scale their timeouts by SanitizerSlowdown, and skip what cannot work there (a
// setrlimit memory cap beside terabytes of shadow memory).
#if defined(__SANITIZE_THREAD__)
#define BRIGADE_SANITIZED 1
#define BRIGADE_THREAD_SANITIZED 1
#elif defined(__SANITIZE_ADDRESS__)
#define BRIGADE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BRIGADE_SANITIZED 1
#define BRIGADE_THREAD_SANITIZED 1
#elif __has_feature(address_sanitizer)
#define BRIGADE_SANITIZED 1
#endif
#endif

namespace Brigade::Test {

// ThreadSanitizer slows a program by 5-15 times, AddressSanitizer by about 2 (their docs):
// with two sanitized tests sharing two cores, a loaded test server answers that much later.
#if defined(BRIGADE_THREAD_SANITIZED)
constexpr int SanitizerSlowdown = 8;
#elif defined(BRIGADE_SANITIZED)
constexpr int SanitizerSlowdown = 4;
#else
constexpr int SanitizerSlowdown = 1;
#endif

} // namespace Brigade::Test
