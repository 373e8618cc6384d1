/* test_farm_stream.c — the config read an image at a time
 * (farm_load_options.keep_image): only the images it keeps are held, with
 * the values a whole reading gives them, whatever the order of the keys,
 * anchors and merge keys across images; an error in an image not kept is
 * reported as a whole reading reports it; the defaults' platforms shared. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "farm.h"
#include "farm_platform.h"

/* An anchor in the defaults, one in an image that is dropped, a merge of
 * it, an alias of a tag list defined in a later image. */
static const char *const images =
    "images:\n"
    "  - &base {name: a, tags: [v1], source: \"src:5000/{name}-{arch}:{tag}\"}\n"
    "  - {<<: *base, name: b}\n"
    "  - {name: c, tags: &t [v2, v3], sources: {linux/amd64: \"x:1/{name}:{tag}\"}}\n"
    "  - {name: d, tags: *t, platforms: *pl}\n"
    "  - {<<: *base, name: e, tags: *t}\n"
    "  - {name: f, tags: [v4]}\n";
static const char *const defaults = "defaults:\n"
                                    "  registry: r.example\n"
                                    "  platforms: &pl [linux/amd64, linux/arm64/v8]\n";

struct keep_log {
	int calls, resets;
	int stop_at; /* -1 at this call (1-based); 0: never */
	char seen[16][8];
};

/* Keeps every other image (by its place in the file). */
static int keep_even(void *ctx, const struct farm_config *cfg, const struct farm_image *im)
{
	struct keep_log *log = ctx;
	(void)cfg;
	if (!im) {
		log->resets++;
		log->calls = 0;
		return 0;
	}
	if (log->calls < 16)
		snprintf(log->seen[log->calls], sizeof(log->seen[0]), "%s", im->name);
	if (++log->calls == log->stop_at)
		return -1;
	return im->index % 2 == 0;
}

static struct farm_config *load(const char *text, struct keep_log *log, struct farm_error *err)
{
	struct farm_load_options o = {.platform_check = platform_check,
	                              .keep_image = log ? keep_even : NULL,
	                              .keep_ctx = log};
	struct farm_config *c = NULL;
	memset(err, 0, sizeof(*err));
	farm_config_parse("s.yaml", text, strlen(text), &o, &c, err);
	return c;
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);
	assert_non_null(s);
	memcpy(s, a, la);
	memcpy(s + la, b, lb + 1);
	return s;
}

/* kept's images are all's of the same place, value by value. */
static void assert_same_images(const struct farm_config *kept, const struct farm_config *all)
{
	for (size_t i = 0; i < kept->n_images; i++) {
		const struct farm_image *k = &kept->images[i], *w = &all->images[k->index];
		assert_string_equal(k->name, w->name);
		assert_int_equal(k->n_tags, w->n_tags);
		for (size_t t = 0; t < k->n_tags; t++)
			assert_string_equal(k->tags[t], w->tags[t]);
		assert_string_equal(k->registry, w->registry);
		assert_string_equal(k->source, w->source);
		assert_string_equal(k->target, w->target);
		assert_int_equal(k->pos.line, w->pos.line);
		assert_int_equal(k->n_platforms, w->n_platforms);
		for (size_t p = 0; p < k->n_platforms; p++) {
			assert_string_equal(k->platforms[p].name, w->platforms[p].name);
			assert_str_or_null_equal(k->platforms[p].source, w->platforms[p].source);
		}
	}
}

static void check_kept(const char *text)
{
	struct keep_log log = {0};
	struct farm_error err;
	struct farm_config *all = load(text, NULL, &err);
	assert_non_null(all);
	struct farm_config *kept = load(text, &log, &err);
	assert_non_null(kept);
	assert_int_equal(all->n_images, 6);
	assert_int_equal(kept->n_images_all, 6);
	assert_int_equal(kept->n_images, 3);
	assert_string_equal(kept->images[0].name, "a");
	assert_string_equal(kept->images[1].name, "c");
	assert_string_equal(kept->images[2].name, "e");
	assert_int_equal(kept->images[2].index, 4);
	assert_int_equal(log.calls, 6);
	assert_string_equal(log.seen[5], "f");
	assert_same_images(kept, all);
	/* e merges a's anchor, as b (dropped) does */
	assert_string_equal(kept->images[2].source, "src:5000/{name}-{arch}:{tag}");
	assert_string_equal(kept->images[2].tags[1], "v3");
	farm_config_free(kept);
	farm_config_free(all);
}

static void stream_keeps_only_what_keep_image_keeps(void **state)
{
	(void)state;
	char *text = join(defaults, images);
	check_kept(text);
	free(text);
}

static void stream_reads_defaults_after_images(void **state)
{
	(void)state;
	/* the alias *pl in image d names an anchor after it: not allowed, so
	 * d takes its platforms from the defaults here */
	const char *late =
	    "images:\n"
	    "  - &base {name: a, tags: [v1], source: \"src:5000/{name}-{arch}:{tag}\"}\n"
	    "  - {<<: *base, name: b}\n"
	    "  - {name: c, tags: &t [v2, v3], sources: {linux/amd64: \"x:1/{name}:{tag}\"}}\n"
	    "  - {name: d, tags: *t}\n"
	    "  - {<<: *base, name: e, tags: *t}\n"
	    "  - {name: f, tags: [v4]}\n"
	    "defaults:\n"
	    "  registry: r.example\n"
	    "  platforms: [linux/amd64, linux/arm64/v8]\n";
	check_kept(late);
}

static void stream_error_in_a_dropped_image_is_named_as_a_whole_reading_names_it(void **state)
{
	(void)state;
	struct keep_log log = {0};
	struct farm_error whole, err;
	const char *bad = "defaults: {registry: r.example, platforms: [linux/amd64]}\n"
	                  "images:\n"
	                  "  - {name: a, tags: [v1]}\n"
	                  "  - {name: b, tags: [v1], platforms: [linux/arm64/v9]}\n"
	                  "  - {name: a, tags: [v2]}\n";
	assert_null(load(bad, NULL, &whole));
	assert_null(load(bad, &log, &err));
	assert_string_equal(err.msg, whole.msg);
	assert_string_equal(err.all, whole.all);
	assert_int_equal(err.n_errors, 2);
	assert_string_equal(err.all, "s.yaml:4:39: images[1].platforms[0]: \"linux/arm64/v9\" is "
	                             "not a known platform\n"
	                             "s.yaml:5:12: images[2].name: duplicate image \"a\" (first at "
	                             "3:5)\n");
}

static void stream_stop_is_an_empty_error_unless_the_file_has_one(void **state)
{
	(void)state;
	struct keep_log log = {.stop_at = 2};
	struct farm_error err;
	char *text = join(defaults, images);
	assert_null(load(text, &log, &err));
	assert_string_equal(err.msg, "");
	assert_int_equal(log.calls, 2); /* no call after the stop */
	free(text);
	log = (struct keep_log){.stop_at = 2};
	const char *bad = "defaults: {registry: r.example, platforms: [linux/amd64]}\n"
	                  "images:\n"
	                  "  - {name: a, tags: [v1]}\n"
	                  "  - {name: b, tags: [v1]}\n"
	                  "  - {name: c, tags: [\"v 1\"]}\n";
	assert_null(load(bad, &log, &err));
	assert_string_equal(err.msg, "s.yaml:5:22: images[2].tags[0]: \"v 1\" is not a valid tag");
}

static void stream_anchored_images_list_is_read_whole_and_shown_again(void **state)
{
	(void)state;
	struct keep_log log = {0};
	struct farm_error err;
	const char *text = "defaults: {registry: r.example, platforms: [linux/amd64]}\n"
	                   "images: &all\n"
	                   "  - {name: a, tags: [v1]}\n"
	                   "  - {name: b, tags: [v1]}\n"
	                   "  - {name: c, tags: [v1]}\n";
	struct farm_config *c = load(text, &log, &err);
	assert_non_null(c);
	assert_int_equal(log.resets, 1); /* told to start over before the whole reading's */
	assert_int_equal(log.calls, 3);
	assert_int_equal(c->n_images, 2);
	assert_int_equal(c->n_images_all, 3);
	assert_string_equal(c->images[1].name, "c");
	farm_config_free(c);
}

static void stream_images_of_the_defaults_platforms_share_them(void **state)
{
	(void)state;
	struct farm_error err;
	char *text = join(defaults, images);
	struct farm_config *c = load(text, NULL, &err);
	assert_non_null(c);
	/* a, b, e, f take the defaults'; c has sources of its own; d names
	 * its own list (the same platforms) */
	assert_true(c->images[0].shares_platforms);
	assert_ptr_equal(c->images[0].platforms, c->images[1].platforms);
	assert_ptr_equal(c->images[0].platforms, c->shared_platforms);
	assert_int_equal(c->n_shared_platforms, 2);
	assert_false(c->images[2].shares_platforms);
	assert_string_equal(c->images[2].platforms[0].source, "x:1/{name}:{tag}");
	assert_false(c->images[3].shares_platforms);
	assert_true(c->images[4].shares_platforms);
	assert_null(c->images[0].platforms[0].source);
	farm_config_free(c);
	free(text);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(stream_keeps_only_what_keep_image_keeps),
	    cmocka_unit_test(stream_reads_defaults_after_images),
	    cmocka_unit_test(stream_error_in_a_dropped_image_is_named_as_a_whole_reading_names_it),
	    cmocka_unit_test(stream_stop_is_an_empty_error_unless_the_file_has_one),
	    cmocka_unit_test(stream_anchored_images_list_is_read_whole_and_shown_again),
	    cmocka_unit_test(stream_images_of_the_defaults_platforms_share_them),
	};
	return unit_run_group("test_farm_stream", tests, argc, argv);
}
