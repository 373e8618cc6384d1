/* helpers.h — what the fuzz targets share: the libFuzzer entry point's
 * prototype, the input as a C string, and the input as a file for parsers
 * that only read files. */
#ifndef MANIFOLD_FUZZ_HELPERS_H
#define MANIFOLD_FUZZ_HELPERS_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* malloc'd copy of data with a NUL after it (an embedded NUL ends the string
 * early, as it would for a C caller); NULL when out of memory. */
char *fuzz_cstr(const uint8_t *data, size_t size);

/* Writes data to this process's one temporary file (made on the first call,
 * rewritten on each, removed at exit) and returns its path; NULL on failure. */
const char *fuzz_temp_file(const uint8_t *data, size_t size);

/* 1 when both are NULL or both are equal strings. */
int fuzz_same_str(const char *a, const char *b);

/* Stops the process with a message on stderr: a property of the target did
 * not hold (abort, so libFuzzer and the driver both report it). */
void fuzz_fail(const char *what) __attribute__((noreturn));

#endif
