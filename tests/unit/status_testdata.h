/* status_testdata.h — a status file of the test data (MANIFOLD_TESTDATA's
 * status/), loaded as the reports load one; NULL, with why on stderr, when
 * it cannot be. */
#ifndef MANIFOLD_STATUS_TESTDATA_H
#define MANIFOLD_STATUS_TESTDATA_H

#include <stdio.h>
#include <stdlib.h>

#include "status_file.h"

static struct status_status *status_testdata(const char *name) __attribute__((unused));
static struct status_status *status_testdata(const char *name)
{
	char path[1024];
	struct status_status *st = NULL;
	struct base_error err = {0};

	snprintf(path, sizeof(path), "%s/status/%s", getenv("MANIFOLD_TESTDATA"), name);
	if (status_load(path, &st, &err) < 0)
		fprintf(stderr, "%s\n", err.msg);
	return st;
}

#endif
