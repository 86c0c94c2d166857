/*
 * fuzz.h - what every fuzz target shares: the libFuzzer entry point's
 * prototype and a check that stops the run on a broken invariant.
 *
 * The targets are built two ways (fuzz/meson.build): linked with libFuzzer
 * (clang -fsanitize=fuzzer) to search for crashes, or with replay.c to run
 * the stored corpora and crash inputs as ordinary tests. A broken invariant
 * aborts in both, so that libFuzzer saves the input and the replay test
 * fails.
 */
#ifndef BS_FUZZ_H
#define BS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: invariant broken: %s\n",       \
			        __FILE__, __LINE__, #cond);                    \
			abort();                                               \
		}                                                              \
	} while (0)

/* Take n bytes (fewer at the end) off the front of the input. */
static inline size_t fuzz_take(const uint8_t **data, size_t *size, size_t n)
{
	if (n > *size)
		n = *size;
	*data += n;
	*size -= n;
	return n;
}

/* One byte off the front, 0 when the input is exhausted. */
static inline uint8_t fuzz_byte(const uint8_t **data, size_t *size)
{
	uint8_t b = *size ? **data : 0;

	fuzz_take(data, size, 1);
	return b;
}

#endif
