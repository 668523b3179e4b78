#pragma once

// ANTHROPIC_UNDER_SANITIZER is defined when this test is built with AddressSanitizer or
// ThreadSanitizer (GCC's and Clang's spellings): their shadow memory makes peak-RSS bounds
// meaningless, so memory tests skip those checks there.

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ANTHROPIC_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define ANTHROPIC_UNDER_SANITIZER 1
#endif
#endif

// ANTHROPIC_UNDER_TSAN: ThreadSanitizer alone, several times slower than AddressSanitizer, so
// that a long test may run a smaller count there.
#if defined(__SANITIZE_THREAD__)
#define ANTHROPIC_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ANTHROPIC_UNDER_TSAN 1
#endif
#endif
