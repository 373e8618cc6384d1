/* fuzz_engine_spec.c — manifest-tool specs (`manifold push --spec`): what
 * farm_config_parse accepts as a spec becomes a pub_single with one child
 * per platform and a target reference that formats and parses back; the
 * list built from those children is the same bytes every time and parses
 * to one entry per child. */
#include <stdlib.h>
#include <string.h>

#include "list_internal.h"
#include "farm.h"
#include "helpers.h"

#define FAKE_DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void check_list(const struct pub_single *s)
{
	struct reg_list_entry *e = calloc(s->n_children + 1, sizeof(*e));
	struct base_buf a = {0}, b = {0};
	struct reg_manifest m;
	struct base_error err;
	const char *mt = NULL, *mt2 = NULL;

	if (!e)
		return;
	for (size_t i = 0; i < s->n_children; i++) {
		e[i].media_type = REG_MT_OCI_MANIFEST;
		e[i].digest = FAKE_DIGEST;
		e[i].size = 1234;
		e[i].platform = &s->children[i].platform;
		e[i].annotations = s->children[i].annotations;
		e[i].n_annotations = s->children[i].n_annotations;
	}
	int rc = reg_list_build(s->format, e, s->n_children, s->annotations, s->n_annotations, &a,
	                        &mt, &err);
	if (rc != reg_list_build(s->format, e, s->n_children, s->annotations, s->n_annotations, &b,
	                         &mt2, &err) ||
	    (rc == 0 && (a.len != b.len || memcmp(a.data, b.data, a.len) != 0 || mt != mt2)))
		fuzz_fail("building the same list twice gave other bytes");
	if (rc == 0) {
		if (reg_manifest_parse(a.data, a.len, mt, &m, &err) < 0 ||
		    m.n_entries != s->n_children)
			fuzz_fail("a built list does not parse to one entry per child");
		reg_manifest_free(&m);
	}
	base_buf_free(&a);
	base_buf_free(&b);
	free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct farm_load_options opts = {.platform_check = pub_spec_platform_check};
	struct farm_config *c = NULL;
	struct farm_error ferr;
	struct pub_single s;
	struct base_error err;

	if (farm_config_parse("spec.yaml", (const char *)data, size, &opts, &c, &ferr) < 0)
		return 0;
	memset(&s, 0, sizeof(s));
	base_error_clear(&err);
	if (c->is_spec && pub_single_from_spec(c, &s, &err) == 0) {
		if (s.n_children != c->images[0].n_platforms)
			fuzz_fail("a spec is not one child per platform");
		for (size_t i = 0; i < s.n_children; i++)
			if (!s.children[i].source || !s.children[i].platform.os ||
			    !s.children[i].platform.architecture)
				fuzz_fail("a child lacks its source or platform");
		char *t = reg_ref_format(&s.target);
		struct reg_ref back;
		if (!t || reg_ref_parse(t, &back, &err) < 0)
			fuzz_fail("the target does not format and parse back");
		reg_ref_free(&back);
		free(t);
		check_list(&s);
		pub_single_free(&s);
	} else if (c->is_spec && !err.msg[0]) {
		fuzz_fail("a refused spec has no message");
	}
	farm_config_free(c);
	return 0;
}
