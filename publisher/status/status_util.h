/* status_util.h — the few helpers every publisher wing shares (util.c):
 * strings and string vectors, text made safe for a terminal, the clock;
 * and the ages the reports and the history count in (age.c). The error
 * type, the growing buffer, atomic writes, times and durations are base/'s
 * (base.h).
 *
 * Functions return 0 or negative and fill a caller-owned struct base_error;
 * every returned pointer is the caller's to free. */
#ifndef MANIFOLD_STATUS_UTIL_H
#define MANIFOLD_STATUS_UTIL_H

#include <stdio.h>

#include "base.h"

/* strdup that keeps NULL; *fail (may be NULL) set to 1 on allocation failure. */
char *status_dup_or_null(const char *s, int *fail);
/* NULL equals "". */
int status_streq0(const char *a, const char *b);
/* String vectors: free n strings and the array (NULL safe); deep copy
 * (0, or -1 out of memory; n == 0 gives NULL). */
void status_strv_free(char **v, size_t n);
int status_strv_dup(char *const *src, size_t n, char ***out);

/* Text a registry, a config or a status file controls, made safe for a
 * terminal: C0 controls, DEL, C1 controls and bytes that are not valid
 * UTF-8 become "\x1b"-style escapes, tab, newline and carriage return
 * become spaces; valid UTF-8 is kept. status_term_text returns s itself when
 * it is plain printable ASCII, else buf (escaped, cut to len - 1 bytes);
 * NULL gives NULL. status_fputs_term writes the escaped text of s (NULL:
 * nothing) to f. */
const char *status_term_text(const char *s, char *buf, size_t len);
void status_fputs_term(FILE *f, const char *s);

/* Now as RFC 3339 UTC "2026-11-22T03:00:00Z", malloc'd. MANIFOLD_NOW, when
 * set, overrides the clock (tests). */
char *status_now_rfc3339(void);

/* "3d 4h", "5h 12m", "12m": how long from since to now; "" when unknown. */
void status_age_format(const char *since, const char *now, char *buf, size_t len);
/* Seconds, or -1 when either time does not parse. */
long long status_age_seconds(const char *since, const char *now);

#endif
