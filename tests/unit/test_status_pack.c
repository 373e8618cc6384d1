/* test_status_pack.c — what a night holds of each record: a record read
 * from the status file, or made by a run, is one block (status_target_pack)
 * whose strings and arrays are all inside it, the media types and
 * platforms every record shares cost nothing, and a record of two
 * platforms stays under its byte budget; packed records read and
 * serialise as unpacked ones do. */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "status_file.h"
#include "status_sample.h"

#define MT_LIST  "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_CHILD "application/vnd.docker.distribution.manifest.v2+json"
#define DIGEST_A "sha256:16f5ff1b4a89a1d6e1a9f7a5c0b7b1e52c0f7d7b0d3c2a1e9f8e7d6c5b4a3f21"
#define DIGEST_B "sha256:2b1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a10"
#define DIGEST_C "sha256:3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c21"

/* p points into the block [base, base + len). */
static int inside(const void *p, const void *base, size_t len)
{
	uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;
	return a >= b && a < b + len;
}

/* The platforms a packed record names by a static name (status_file.c). */
static int known_platform(const char *s)
{
	static const char *const known[] = {
	    "linux/amd64", "linux/arm64/v8", "linux/arm64", "linux/arm/v7",  "linux/arm/v6",
	    "linux/386",   "linux/ppc64le",  "linux/s390x", "linux/riscv64", "windows/amd64",
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(s, known[i]) == 0)
			return 1;
	return 0;
}

static void assert_packed(const struct status_target_status *t)
{
	size_t len;

	assert_non_null(t->packed);
	len = malloc_usable_size(t->packed);
	assert_true(inside(t->target, t->packed, len));
	assert_true(!t->digest || inside(t->digest, t->packed, len));
	assert_true(!t->since || inside(t->since, t->packed, len));
	assert_true(!t->reason || inside(t->reason, t->packed, len));
	assert_true(!t->n_platforms || inside(t->platforms, t->packed, len));
	for (size_t k = 0; k < t->n_platforms; k++) {
		const struct status_platform_status *p = &t->platforms[k];
		/* a platform manifold knows is its static name, as a media type */
		assert_true(inside(p->platform, t->packed, len) || known_platform(p->platform));
		assert_true(!p->source || inside(p->source, t->packed, len));
		assert_true(!p->digest || inside(p->digest, t->packed, len));
		assert_true(!p->reason || inside(p->reason, t->packed, len));
	}
	for (size_t e = 0; e < t->n_extra_tags; e++) {
		assert_true(inside(t->extra_tags[e].tag, t->packed, len));
		assert_true(inside(t->extra_tags[e].digest, t->packed, len));
	}
	for (size_t e = 0; e < t->n_extra_digests; e++)
		assert_true(inside(t->extra_digests[e], t->packed, len));
}

static struct status_status *sample_read(void)
{
	struct status_status *st = status_sample_read();
	assert_non_null(st);
	return st;
}

static void status_read_packs_each_record_into_one_block(void **state)
{
	struct status_status *st = sample_read();

	(void)state;
	assert_true(st->n_targets > 1);
	for (size_t i = 0; i < st->n_targets; i++)
		assert_packed(&st->targets[i]);
	status_free(st);
}

/* Equal media types are one pointer, outside every block. */
static void check_shared(const char **seen, size_t *n, const char *mt, const void *block)
{
	assert_false(inside(mt, block, malloc_usable_size((void *)block)));
	for (size_t i = 0; i < *n; i++)
		if (strcmp(seen[i], mt) == 0) {
			assert_ptr_equal(seen[i], mt);
			return;
		}
	seen[(*n)++] = mt;
}

static void packed_status_serialises_the_same_bytes(void **state)
{
	struct status_status *st = sample_read();
	char *text = status_serialize(st);

	(void)state;
	assert_str_or_null_equal(text, status_sample_json);
	free(text);
	/* and unpacked again */
	for (size_t i = 0; i < st->n_targets; i++) {
		assert_int_equal(status_target_unpack(&st->targets[i]), 0);
		assert_null(st->targets[i].packed);
	}
	text = status_serialize(st);
	assert_str_or_null_equal(text, status_sample_json);
	free(text);
	status_free(st);
}

static void unpacked_record_can_be_changed(void **state)
{
	struct status_status *st = sample_read();
	struct status_target_status *t = &st->targets[0], copy;

	(void)state;
	assert_int_equal(status_target_unpack(t), 0);
	free(t->reason);
	assert_non_null(t->reason = strdup("changed"));
	free(t->media_type);
	assert_non_null(t->media_type = strdup(MT_LIST));
	/* a copy of a packed record is the caller's own, field by field */
	assert_int_equal(status_target_status_copy(&copy, &st->targets[1]), 0);
	assert_null(copy.packed);
	free(copy.target);
	assert_non_null(copy.target = strdup("x"));
	status_target_status_free(&copy);
	status_free(st);
}

/* A night's record: one image's tag, its list, two children. */
static void night_record(struct status_target_status *t)
{
	memset(t, 0, sizeof(*t));
	assert_non_null(t->target = strdup("registry.example.com:5000/team/image:t00001"));
	t->state = STATUS_T_PUBLISHED;
	assert_non_null(t->digest = strdup(DIGEST_A));
	assert_non_null(t->media_type = strdup(MT_LIST));
	assert_non_null(t->since = strdup("2026-12-06T16:17:39Z"));
	assert_non_null(t->platforms = calloc(2, sizeof(*t->platforms)));
	t->n_platforms = 2;
	for (size_t k = 0; k < 2; k++) {
		struct status_platform_status *p = &t->platforms[k];
		assert_non_null(p->platform = strdup(k ? "linux/arm64/v8" : "linux/amd64"));
		assert_non_null(
		    p->source = strdup(k ? "registry.example.com:5000/team/image-arm64:t00001"
		                         : "registry.example.com:5000/team/image-amd64:t00001"));
		assert_non_null(p->digest = strdup(k ? DIGEST_C : DIGEST_B));
		assert_non_null(p->media_type = strdup(MT_CHILD));
		p->size = 523;
	}
}

static void packed_records_share_their_media_types(void **state)
{
	struct status_status two = {.schema = 1}, *st = NULL;
	struct status_target_status t[2];
	struct base_error err;
	const char *seen[64];
	size_t n = 0, uses = 0;
	char *text;

	(void)state;
	/* two records of the night's shape, written and read back */
	night_record(&t[0]);
	night_record(&t[1]);
	t[1].target[strlen(t[1].target) - 1] = '2';
	two.targets = t;
	two.n_targets = 2;
	assert_non_null(text = status_serialize(&two));
	status_target_status_free(&t[0]);
	status_target_status_free(&t[1]);
	base_error_clear(&err);
	assert_int_equal(status_parse("s.json", text, strlen(text), &st, &err), 0);
	free(text);
	for (size_t i = 0; i < st->n_targets; i++) {
		const struct status_target_status *t = &st->targets[i];
		if (t->media_type)
			check_shared(seen, &n, t->media_type, t->packed), uses++;
		for (size_t k = 0; k < t->n_platforms; k++) {
			if (t->platforms[k].media_type)
				check_shared(seen, &n, t->platforms[k].media_type, t->packed),
				    uses++;
			check_shared(seen, &n, t->platforms[k].platform, t->packed), uses++;
		}
	}
	assert_int_equal(n, 4);     /* the list's and the children's, and the two platforms */
	assert_int_equal(uses, 10); /* two records of a list and two children */
	status_free(st);
}

/* The budget docs/DESIGN.md ("Memory") gives a record of two platforms:
 * its block and its place in an array, under 672 bytes (it was ~1,100 as
 * 13 allocations, 768 with the wider struct and the platforms' names in
 * the block). */
static void night_record_packed_is_one_block_under_its_budget(void **state)
{
	struct status_target_status t;
	size_t block;

	(void)state;
	night_record(&t);
	assert_int_equal(status_target_pack(&t), 0);
	assert_packed(&t);
	block = malloc_usable_size(t.packed);
	assert_true(block + sizeof(t) <= 672);
	assert_true(sizeof(t) <= 112);
	assert_true(sizeof(t.platforms[0]) <= 64);
	assert_string_equal(t.platforms[1].source,
	                    "registry.example.com:5000/team/image-arm64:t00001");
	assert_string_equal(t.platforms[0].media_type, MT_CHILD);
	assert_int_equal(t.platforms[0].size, 523);
	/* packing twice is packing once */
	{
		void *was = t.packed;
		assert_int_equal(status_target_pack(&t), 0);
		assert_ptr_equal(was, t.packed);
	}
	status_target_status_free(&t);
	assert_null(t.packed);
	assert_null(t.target);
}

/* A record that reads the same as another holds the other's block: the
 * block outlives the record it was read into, and is freed with its last
 * holder (ASan's leak and use-after-free checks hold the count). */
static void same_record_shares_one_block(void **state)
{
	struct status_status *st = sample_read(), *again = sample_read();
	struct status_target_status mine, other;

	(void)state;
	for (size_t i = 0; i < st->n_targets; i++) {
		struct status_target_status *a = &st->targets[i], *b = &again->targets[i];
		assert_true(status_target_same(a, b, 1));
		assert_ptr_not_equal(a->packed, b->packed);
		b->state = STATUS_T_UNCHANGED;
		b->digest_seen = 1;
		assert_int_equal(status_target_adopt(b, a, 1), 1);
		assert_ptr_equal(b->packed, a->packed);
		assert_ptr_equal(b->target, a->target);
		/* its own scalars stay its own */
		assert_int_equal(b->state, STATUS_T_UNCHANGED);
		assert_int_equal(b->digest_seen, 1);
	}
	/* the first holders go; the blocks stay with the second */
	status_free(st);
	char *text = status_serialize(again);
	assert_non_null(text);
	free(text);

	/* a record that differs keeps its own block */
	assert_int_equal(status_target_status_copy(&mine, &again->targets[0]), 0);
	assert_int_equal(status_target_pack(&mine), 0);
	assert_int_equal(status_target_unpack(&mine), 0);
	free(mine.digest);
	assert_non_null(mine.digest = strdup(DIGEST_C));
	assert_int_equal(status_target_pack(&mine), 0);
	assert_false(status_target_same(&mine, &again->targets[0], 0));
	assert_int_equal(status_target_adopt(&mine, &again->targets[0], 0), 0);
	assert_ptr_not_equal(mine.packed, again->targets[0].packed);
	status_target_status_free(&mine);
	/* so does one whose platform differs, and with times one whose since does */
	assert_int_equal(status_target_status_copy(&mine, &again->targets[0]), 0);
	if (mine.n_platforms) {
		mine.platforms[0].verified = !mine.platforms[0].verified;
		assert_false(status_target_same(&mine, &again->targets[0], 0));
		mine.platforms[0].verified = !mine.platforms[0].verified;
	}
	assert_true(status_target_same(&mine, &again->targets[0], 0));
	free(mine.since);
	assert_non_null(mine.since = strdup("2030-01-01T00:00:00Z"));
	assert_true(status_target_same(&mine, &again->targets[0], 0));
	assert_false(status_target_same(&mine, &again->targets[0], 1));
	status_target_status_free(&mine);
	/* a shared record shared again, then every holder freed */
	assert_int_equal(status_target_share(&other, &again->targets[0]), 0);
	assert_ptr_equal(other.packed, again->targets[0].packed);
	status_free(again);
	assert_non_null(other.target);
	status_target_status_free(&other);
}

/* The file read again for the write: a record that reads the same as the
 * run's record of its target holds the run's block; one that changed, or
 * whose target the run did not work on, its own. */
static void read_again_shares_the_runs_blocks(void **state)
{
	struct status_status *run = sample_read(), *st = NULL;
	struct status_share share;
	struct base_error err;

	(void)state;
	assert_int_equal(run->n_targets, 2);
	/* the run changed its first record */
	assert_int_equal(status_target_unpack(&run->targets[0]), 0);
	free(run->targets[0].digest);
	assert_non_null(run->targets[0].digest = strdup(DIGEST_C));
	assert_int_equal(status_target_pack(&run->targets[0]), 0);
	for (size_t n = 1; n <= 2; n++) {
		/* n 1: the run worked on the first target only */
		assert_int_equal(status_share_index(run->targets, n, &share), 0);
		assert_int_equal(share.n, n);
		base_error_clear(&err);
		assert_int_equal(status_parse_sharing("sample.json", status_sample_json,
		                                      strlen(status_sample_json), &share, &st,
		                                      &err),
		                 0);
		status_share_free(&share);
		assert_int_equal(st->n_targets, 2);
		assert_string_equal(st->targets[0].target, run->targets[0].target);
		assert_ptr_not_equal(st->targets[0].packed, run->targets[0].packed);
		if (n == 2)
			assert_ptr_equal(st->targets[1].packed, run->targets[1].packed);
		else
			assert_ptr_not_equal(st->targets[1].packed, run->targets[1].packed);
		if (n == 2)
			break;
		status_free(st);
	}
	/* what was read serialises as the file, whoever holds the blocks */
	status_free(run);
	char *text = status_serialize(st);
	assert_str_or_null_equal(text, status_sample_json);
	free(text);
	status_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(status_read_packs_each_record_into_one_block),
	    cmocka_unit_test(packed_records_share_their_media_types),
	    cmocka_unit_test(packed_status_serialises_the_same_bytes),
	    cmocka_unit_test(unpacked_record_can_be_changed),
	    cmocka_unit_test(same_record_shares_one_block),
	    cmocka_unit_test(read_again_shares_the_runs_blocks),
	    cmocka_unit_test(night_record_packed_is_one_block_under_its_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
