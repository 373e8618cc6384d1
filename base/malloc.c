/* malloc.c — the C library's allocator set up once, at start-up, for a
 * process that holds many small records for a long time and frees big
 * arrays along the way (docs/DESIGN.md, "Memory"). */
#include <malloc.h>

#include "base.h"

/* An allocation of 4 MiB or more is a mapping of its own, given back to
 * the system when it is freed, for the whole run. glibc's threshold
 * otherwise grows to the size of the largest such block freed (the
 * config's 16 MiB read buffer), and every big array a night holds
 * (records, jobs, the file read again) then comes from the heap, whose
 * holes stay resident after they are freed. Not lower: a block under the
 * threshold is reused from the heap, and the history report rebuilds
 * parts of a few hundred KiB (up to about 1.5 MiB, a part of 1,000 tags)
 * hundreds of thousands of times; at 128 KiB each was mapped, faulted in
 * page by page and unmapped across threads, and a cold read of 100,000
 * targets × 60 nights took 24 s of system time against 1.5 s. */
#define MMAP_AT (4 * 1024 * 1024)
/* Two arenas, not eight a core: a run's threads (-j workers and their
 * crews) are waiting on the network nearly all the time, and each arena
 * keeps what its threads freed (its own holes, its own top) resident.
 * Measured on an unchanged night of 1,000 and 10,000 targets × 2: 0.6 MiB
 * less at each, the same CPU time. */
#define ARENAS 2

/* What the user set in the environment for glibc (MALLOC_ARENA_MAX,
 * MALLOC_MMAP_THRESHOLD_, GLIBC_TUNABLES) is left as it says. */
int base_malloc_setup(void)
{
	int set = 0;
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD) && defined(M_ARENA_MAX)
	if (base_env("GLIBC_TUNABLES"))
		return 0;
	/* (a sanitizer's allocator takes and ignores both) */
	if (!base_env("MALLOC_MMAP_THRESHOLD_")) {
		(void)mallopt(M_MMAP_THRESHOLD, MMAP_AT);
		set |= BASE_MALLOC_THRESHOLD;
	}
	if (!base_env("MALLOC_ARENA_MAX")) {
		(void)mallopt(M_ARENA_MAX, ARENAS);
		set |= BASE_MALLOC_ARENAS;
	}
#endif
	return set;
}
