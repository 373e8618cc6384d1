/* values.c — option values made into what the engine takes: retag's SRC DST
 * operands and --only over a copy plan, --annotation KEY=VALUE lists. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int copy_matches(const struct farm_copy *c, const char *name)
{
	return (c->image && strcmp(c->image->name, name) == 0) || strcmp(c->to, name) == 0;
}

int cli_copy_plan_only(struct farm_copy_plan *plan, char *const *names, size_t n,
                       struct base_error *err)
{
	size_t kept = 0;

	for (size_t k = 0; k < n; k++) {
		size_t i = 0;
		while (i < plan->n_copies && !copy_matches(&plan->copies[i], names[k]))
			i++;
		if (i == plan->n_copies) {
			base_error_set(err, "--only \"%s\": no image or target of that name",
			               names[k]);
			return -1;
		}
	}
	for (size_t i = 0; n && i < plan->n_copies; i++) {
		struct farm_copy *c = &plan->copies[i];
		size_t k = 0;
		while (k < n && !copy_matches(c, names[k]))
			k++;
		if (k < n) {
			plan->copies[kept++] = *c;
		} else {
			free(c->from);
			free(c->to);
		}
	}
	if (n)
		plan->n_copies = kept;
	return 0;
}

int cli_annotations(const char *who, const struct cli_strv *kv, struct reg_annotation **arr,
                    size_t *n)
{
	struct base_error err = {0};
	for (size_t i = 0; i < kv->n; i++) {
		if (pub_annotation_add(arr, n, kv->v[i], &err) < 0) {
			fprintf(stderr, "manifold %s: %s\n", who, err.msg);
			return -1;
		}
	}
	return 0;
}

int cli_copy_plan_add_pairs(struct farm_copy_plan *plan, char *const *pairs, size_t n)
{
	struct farm_copy *grown;
	size_t add = n / 2;

	if (!add)
		return 0;
	grown = realloc(plan->copies, (plan->n_copies + add) * sizeof(*grown));
	if (!grown)
		return -1;
	plan->copies = grown;
	for (size_t k = 0; k < add; k++) {
		struct farm_copy *c = &plan->copies[plan->n_copies];
		memset(c, 0, sizeof(*c));
		c->from = strdup(pairs[2 * k]);
		c->to = strdup(pairs[2 * k + 1]);
		plan->n_copies++;
		if (!c->from || !c->to)
			return -1;
	}
	return 0;
}

int cli_copy_plan_check_refs(const struct farm_copy_plan *plan, struct base_error *err)
{
	for (size_t i = 0; i < plan->n_copies; i++) {
		const char *refs[2] = {plan->copies[i].from, plan->copies[i].to};
		for (int k = 0; k < 2; k++) {
			struct reg_ref r = {0};
			if (reg_ref_parse(refs[k], &r, err) < 0)
				return -1;
			reg_ref_free(&r);
		}
	}
	return 0;
}
