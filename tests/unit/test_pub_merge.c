/* test_pub_merge.c — pub_status_merge: per target the newer `since` wins
 * (ties: the first side), one-sided targets are kept, last_run is the later
 * finished run's, the result is sorted. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine.h"

static struct pub_status *parse(const char *json)
{
	struct pub_status *st = NULL;
	struct reg_error err = {0};
	if (pub_status_parse("t.json", json, strlen(json), &st, &err) < 0)
		fprintf(stderr, "%s\n", err.msg);
	return st;
}

#define RUN(fin)                                                                                   \
	"\"last_run\":{\"started\":\"" fin "\",\"finished\":\"" fin                                \
	"\",\"published\":1,\"unchanged\":0,\"incomplete\":0,\"failed\":0}"
#define T(ref, state, since)                                                                       \
	"{\"target\":\"" ref "\",\"state\":\"" state "\",\"since\":\"" since "\"}"

int main(void)
{
	struct reg_error err = {0};
	struct pub_status *a =
	    parse("{\"schema\":1," RUN("2026-11-22T03:00:00Z") ",\"targets\":[" T(
	        "r/b:1", "incomplete",
	        "2026-11-20T00:00:00Z") "," T("r/c:1", "published",
	                                      "2026-11-21T00:00:00Z") "," T("r/d:1", "failed",
	                                                                    "2026-11-21T00:00:"
	                                                                    "00Z") "]}");
	struct pub_status *b = parse(
	    "{\"schema\":1,\"config\":\"x.yaml\"," RUN("2026-11-22T04:00:00Z") ",\"targets\":[" T(
	        "r/a:1", "published",
	        "2026-11-22T00:00:00Z") "," T("r/b:1", "published",
	                                      "2026-11-22T00:00:00Z") "," T("r/c:1", "failed",
	                                                                    "2026-11-"
	                                                                    "20T00:00:"
	                                                                    "00Z") "," T("r/d:1",
	                                                                                 "unchange"
	                                                                                 "d",
	                                                                                 "2026-11-"
	                                                                                 "21T00:00:"
	                                                                                 "00Z") "]"
	                                                                                        "}");
	CHECK(a && b);
	if (!a || !b)
		return check_finish();
	CHECK_INT(pub_status_merge(a, b, &err), 0);
	CHECK_INT(a->n_targets, 4);
	CHECK_STR(a->targets[0].target, "r/a:1"); /* only in b: kept */
	CHECK_STR(a->targets[1].target, "r/b:1");
	CHECK_STR(pub_target_state_str(a->targets[1].state), "published"); /* b newer */
	CHECK_STR(pub_target_state_str(a->targets[2].state), "published"); /* a newer */
	CHECK_STR(pub_target_state_str(a->targets[3].state), "failed");    /* tie: a's */
	CHECK_STR(a->last_run.finished, "2026-11-22T04:00:00Z");
	CHECK_STR(a->config, "x.yaml");
	/* merging the same side again changes nothing */
	char *once = pub_status_serialize(a);
	CHECK_INT(pub_status_merge(a, b, &err), 0);
	char *twice = pub_status_serialize(a);
	CHECK_STR(twice, once);
	free(once);
	free(twice);
	/* an empty side */
	struct pub_status *e = parse("{\"schema\":1,\"targets\":[]}");
	CHECK_INT(pub_status_merge(e, b, &err), 0);
	CHECK_INT(e->n_targets, 4);
	CHECK_STR(e->last_run.finished, "2026-11-22T04:00:00Z");
	pub_status_free(e);
	pub_status_free(a);
	pub_status_free(b);
	return check_finish();
}
