/* single.c — the children of one list to push: `push from-spec` (a
 * manifest-tool spec loaded by farm) and `push from-args` (platforms through a
 * template), resolved, its tags checked (list_guard.c) and published with
 * pub_list_publish; "k=v" annotations. */
#include <stdlib.h>
#include <string.h>

#include "list_internal.h"

/* "a, b,c" → {"a","b","c"}; an empty item is an error naming `what`. */
static int csv_split(const char *text, const char *what, char ***out, size_t *n,
                     struct base_error *err)
{
	char **v = NULL;
	size_t cnt = 0;
	const char *p = text;

	*out = NULL;
	*n = 0;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0) {
			base_error_set(err, "%s: \"%s\" has an empty item", what, text);
			goto fail;
		}
		char **nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv)
			goto oom;
		v = nv;
		if (!(v[cnt] = strndup(p, len)))
			goto oom;
		cnt++;
		if (!end)
			break;
		p = end + 1;
	}
	*out = v;
	*n = cnt;
	return 0;
oom:
	base_error_set(err, "%s: out of memory", what);
fail:
	status_strv_free(v, cnt);
	return -1;
}

int pub_session_open(const struct farm_config *cfg, const struct pub_global *g,
                     struct reg_client **c, struct reg_session **s, struct base_error *err)
{
	*c = NULL;
	*s = NULL;
	if (pub_client_new(cfg, g, c, err) < 0)
		return -1;
	if (reg_session_new(*c, s, err) < 0) {
		reg_client_free(*c);
		*c = NULL;
		return -1;
	}
	return 0;
}

/* ---- annotations ------------------------------------------------------- */

int pub_annotation_add(struct reg_annotation **arr, size_t *n, const char *kv,
                       struct base_error *err)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv) {
		base_error_set(err, "annotation \"%s\" is not KEY=VALUE", kv);
		return -1;
	}
	size_t klen = (size_t)(eq - kv);
	for (size_t i = 0; i < *n; i++) {
		if (strlen((*arr)[i].key) == klen && memcmp((*arr)[i].key, kv, klen) == 0) {
			char *v = strdup(eq + 1);
			if (!v)
				goto oom;
			free((*arr)[i].value);
			(*arr)[i].value = v;
			return 0;
		}
	}
	struct reg_annotation *na = realloc(*arr, (*n + 1) * sizeof(**arr));
	if (!na)
		goto oom;
	*arr = na;
	na[*n].key = strndup(kv, klen);
	na[*n].value = strdup(eq + 1);
	if (!na[*n].key || !na[*n].value) {
		free(na[*n].key);
		free(na[*n].value);
		goto oom;
	}
	(*n)++;
	return 0;
oom:
	base_error_set(err, "annotation \"%s\": out of memory", kv);
	return -1;
}

void pub_annotations_free(struct reg_annotation *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].key);
		free(a[i].value);
	}
	free(a);
}

/* ---- one list to push -------------------------------------------------- */

void pub_single_free(struct pub_single *p)
{
	if (!p)
		return;
	reg_ref_free(&p->target);
	for (size_t i = 0; i < p->n_extra; i++)
		reg_ref_free(&p->extra[i]);
	free(p->extra);
	for (size_t i = 0; i < p->n_children; i++)
		pub_child_free(&p->children[i]);
	free(p->children);
	pub_annotations_free(p->annotations, p->n_annotations);
	memset(p, 0, sizeof(*p));
}

static int extra_add(struct pub_single *p, const char *text, struct base_error *err)
{
	struct reg_ref *n = realloc(p->extra, (p->n_extra + 1) * sizeof(*n));
	if (!n) {
		base_error_set(err, "out of memory");
		return -1;
	}
	p->extra = n;
	memset(&n[p->n_extra], 0, sizeof(n[0]));
	if (reg_ref_parse(text, &n[p->n_extra], err) < 0)
		return -1;
	p->n_extra++;
	return 0;
}

/* manifest-tool specs carry variants that manifold's platform table does not
 * list for their architecture (the 001 gist: architecture ppc64, variant
 * ppc64le); containerd and manifest-tool take any variant. So a spec may too,
 * as long as os and architecture are known and the architecture has no
 * variant table of its own (linux/arm64/v9 stays an error). */
static int spec_platform_parts(const char *os, const char *arch, const char *variant,
                               const char *osv, struct reg_platform *out, struct base_error *err)
{
	struct base_error e2 = {0};
	char *v = NULL;

	if (reg_platform_from_parts(os, arch, variant, osv, out, err) == 0)
		return 0;
	if (!variant || !*variant || strlen(variant) > 32)
		return -1;
	if (reg_platform_from_parts(os, arch, NULL, osv, out, &e2) < 0)
		return -1;
	if (out->variant || strcmp(out->architecture, "arm") == 0 ||
	    strcmp(out->architecture, "arm64") == 0 || strcmp(out->architecture, "amd64") == 0)
		goto no;
	for (const char *c = variant; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-'))
			goto no;
	if (!(v = strdup(variant)))
		goto no;
	for (char *c = v; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	out->variant = v;
	return 0;
no:
	reg_platform_free(out);
	memset(out, 0, sizeof(*out));
	return -1;
}

int pub_spec_platform_check(void *ctx, const char *text, char *norm, size_t norm_len, char *why,
                            size_t why_len)
{
	char buf[256], *osv, *arch, *variant, *s;
	struct reg_platform p = {0};
	struct base_error err = {0};
	int rc;

	if ((rc = pub_platform_check(ctx, text, norm, norm_len, why, why_len)) == 0)
		return 0;
	/* "os/arch/variant[:os.version]" only; anything else keeps the first answer. */
	if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf))
		return rc;
	if ((osv = strchr(buf, ':')))
		*osv++ = '\0';
	if (!(arch = strchr(buf, '/')))
		return rc;
	*arch++ = '\0';
	if (!(variant = strchr(arch, '/')))
		return rc;
	*variant++ = '\0';
	if (strchr(variant, '/') || spec_platform_parts(buf, arch, variant, osv, &p, &err) < 0)
		return rc;
	s = reg_platform_format(&p);
	reg_platform_free(&p);
	if (!s || strlen(s) >= norm_len) {
		free(s);
		return rc;
	}
	snprintf(norm, norm_len, "%s", s);
	free(s);
	return 0;
}

static int child_from_farm(struct pub_child *c, const struct farm_source *src,
                           struct base_error *err)
{
	const struct farm_platform *fp = src->platform;

	if (!(c->source = strdup(src->ref)))
		goto oom;
	if (spec_platform_parts(fp->os, fp->arch, fp->variant, fp->os_version, &c->platform, err) <
	    0) {
		base_error_wrap(err, "platform %s", fp->name);
		return -1;
	}
	if (status_strv_dup(fp->os_features, fp->n_os_features, &c->platform.os_features) < 0)
		goto oom;
	c->platform.n_os_features = fp->n_os_features;
	if (status_strv_dup(fp->features, fp->n_features, &c->platform.features) < 0)
		goto oom;
	c->platform.n_features = fp->n_features;
	for (size_t i = 0; i < fp->n_annotations; i++) {
		struct reg_annotation *na =
		    realloc(c->annotations, (c->n_annotations + 1) * sizeof(*na));
		if (!na)
			goto oom;
		c->annotations = na;
		na[c->n_annotations].key = strdup(fp->annotations[i].key);
		na[c->n_annotations].value = strdup(fp->annotations[i].value);
		c->n_annotations++;
		if (!na[c->n_annotations - 1].key || !na[c->n_annotations - 1].value)
			goto oom;
	}
	return 0;
oom:
	base_error_set(err, "out of memory");
	return -1;
}

int pub_single_from_spec(const struct farm_config *cfg, struct pub_single *out,
                         struct base_error *err)
{
	struct farm_plan *plan = NULL;
	struct farm_error ferr = {0};
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!cfg || cfg->n_images != 1) {
		base_error_set(err, "%s: a spec describes exactly one image",
		               cfg && cfg->path ? cfg->path : "spec");
		return -1;
	}
	const struct farm_image *img = &cfg->images[0];
	if (farm_plan_expand(cfg, NULL, &plan, &ferr) < 0) {
		base_error_set(err, "%s", ferr.msg);
		return -1;
	}
	if (plan->n_targets == 0) {
		base_error_set(err, "%s: the spec names no target", cfg->path);
		goto out;
	}
	const struct farm_target *t = &plan->targets[0];
	if (reg_ref_parse(t->ref, &out->target, err) < 0)
		goto out;
	/* manifest-tool's `tags:` are more names for the same list, whichever
	 * way the loader spelt them. */
	for (size_t i = 0; i < t->n_extra_refs; i++)
		if (extra_add(out, t->extra_refs[i], err) < 0)
			goto out;
	for (size_t i = 1; i < plan->n_targets; i++)
		if (extra_add(out, plan->targets[i].ref, err) < 0)
			goto out;
	out->children = calloc(t->n_sources ? t->n_sources : 1, sizeof(*out->children));
	if (!out->children) {
		base_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < t->n_sources; i++) {
		out->n_children++;
		if (child_from_farm(&out->children[i], &t->sources[i], err) < 0)
			goto out;
	}
	for (size_t i = 0; i < img->n_annotations; i++) {
		struct reg_annotation *na =
		    realloc(out->annotations, (out->n_annotations + 1) * sizeof(*na));
		if (!na) {
			base_error_set(err, "out of memory");
			goto out;
		}
		out->annotations = na;
		na[out->n_annotations].key = strdup(img->annotations[i].key);
		na[out->n_annotations].value = strdup(img->annotations[i].value);
		out->n_annotations++;
		if (!na[out->n_annotations - 1].key || !na[out->n_annotations - 1].value) {
			base_error_set(err, "out of memory");
			goto out;
		}
	}
	out->format = pub_list_format(img->format);
	out->verify = img->verify_platform;
	rc = 0;
out:
	farm_plan_free(plan);
	if (rc < 0)
		pub_single_free(out);
	return rc;
}

int pub_single_from_args(const char *platforms, const char *tmpl, const char *target,
                         const char *tags, struct pub_single *out, struct base_error *err)
{
	char **plats = NULL, **tagv = NULL;
	size_t n_plats = 0, n_tags = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->format = REG_LIST_AUTO;
	out->verify = 1;
	if (reg_ref_parse(target, &out->target, err) < 0) {
		base_error_wrap(err, "--target");
		goto out;
	}
	if (!out->target.tag) {
		base_error_set(err, "--target %s: needs a tag", target);
		goto out;
	}
	if (csv_split(platforms, "--platforms", &plats, &n_plats, err) < 0)
		goto out;
	if (tags && csv_split(tags, "--tags", &tagv, &n_tags, err) < 0)
		goto out;
	out->children = calloc(n_plats, sizeof(*out->children));
	if (!out->children) {
		base_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n_plats; i++) {
		struct pub_child *c = &out->children[out->n_children++];
		struct farm_error ferr = {0};
		if (reg_platform_parse(plats[i], &c->platform, err) < 0) {
			base_error_wrap(err, "--platforms");
			goto out;
		}
		struct farm_vars v = {.os = c->platform.os,
		                      .arch = c->platform.architecture,
		                      .variant = c->platform.variant ? c->platform.variant : "",
		                      .registry = out->target.registry,
		                      .tag = out->target.tag};
		if (!(c->source = farm_template_expand(tmpl, &v, &ferr))) {
			base_error_set(err, "--template %s: %s", tmpl, ferr.msg);
			goto out;
		}
	}
	for (size_t i = 0; i < n_tags; i++) {
		/* Parse "repo:tag" so that tags follow the one reference grammar. */
		char *repo = reg_ref_format_repo(&out->target), *full = NULL;
		size_t len = (repo ? strlen(repo) : 0) + strlen(tagv[i]) + 2;
		if (repo && (full = malloc(len)))
			snprintf(full, len, "%s:%s", repo, tagv[i]);
		free(repo);
		if (!full) {
			base_error_set(err, "out of memory");
			goto out;
		}
		struct base_error terr = {0};
		struct reg_ref probe = {0};
		int ok = reg_ref_parse(full, &probe, &terr) == 0 && !probe.digest &&
		         status_streq0(probe.tag, tagv[i]);
		reg_ref_free(&probe);
		free(full);
		if (!ok) {
			base_error_set(err, "--tags: \"%s\" is not a valid tag", tagv[i]);
			goto out;
		}
		struct reg_ref *n = realloc(out->extra, (out->n_extra + 1) * sizeof(*n));
		if (!n) {
			base_error_set(err, "out of memory");
			goto out;
		}
		out->extra = n;
		memset(&n[out->n_extra], 0, sizeof(n[0]));
		n[out->n_extra].registry = strdup(out->target.registry);
		n[out->n_extra].repository = strdup(out->target.repository);
		n[out->n_extra].tag = strdup(tagv[i]);
		out->n_extra++;
		if (!n[out->n_extra - 1].registry || !n[out->n_extra - 1].repository ||
		    !n[out->n_extra - 1].tag) {
			base_error_set(err, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	status_strv_free(plats, n_plats);
	status_strv_free(tagv, n_tags);
	if (rc < 0)
		pub_single_free(out);
	return rc;
}

/* Append ", platform (source)" to msg. */
static void msg_append(char *msg, size_t cap, const char *platform_text, const char *source)
{
	size_t used = strlen(msg);
	if (used < cap)
		snprintf(msg + used, cap - used, "%s%s (%s)", used ? ", " : "", platform_text,
		         source);
}

int pub_single_push(struct reg_session *s, struct pub_single *p, int ignore_missing, int dry_run,
                    struct pub_list_result *out, struct base_error *err)
{
	char missing[BASE_EMSG] = "";
	struct pub_child *ready = NULL;
	const struct reg_platform **plats = NULL;
	struct pub_list_result guard = {0};
	size_t n_ready = 0, n_missing = 0;
	int rc = -1;

	for (size_t i = 0; i < p->n_children; i++) {
		struct pub_child *c = &p->children[i];
		struct base_error cerr = {0};
		if (pub_child_resolve(s, c, p->verify, &cerr) == 0)
			continue;
		char *pt = reg_platform_format(&c->platform);
		if (c->state == STATUS_P_MISSING) {
			n_missing++;
			msg_append(missing, sizeof(missing), pt ? pt : "?", c->source);
			free(pt);
			continue;
		}
		if (c->state == STATUS_P_WRONG_PLATFORM)
			base_error_set(err, "%s (%s): %s", pt ? pt : "?", c->source,
			               c->reason ? c->reason : "wrong platform");
		else {
			*err = cerr;
			base_error_wrap(err, "%s", pt ? pt : "?");
		}
		free(pt);
		return -1;
	}
	if (n_missing && (!ignore_missing || n_missing == p->n_children)) {
		char *t = reg_ref_format(&p->target);
		base_error_set(err, "%s: missing %s%s", t ? t : "target", missing,
		               ignore_missing ? "; no platform is present" : "");
		free(t);
		return -1;
	}
	/* pub_list_publish wants the ready children side by side; lend them
	 * (shallow copies) and take them back afterwards. */
	ready = calloc(p->n_children ? p->n_children : 1, sizeof(*ready));
	plats = calloc(p->n_children ? p->n_children : 1, sizeof(*plats));
	if (!ready || !plats) {
		base_error_set(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < p->n_children; i++)
		if (p->children[i].state == STATUS_P_READY) {
			plats[n_ready] = &p->children[i].platform;
			ready[n_ready++] = p->children[i];
		}
	/* Every tag read and judged before the first write (G1, G3). */
	if (pub_tags_guard(s, p, plats, n_ready, &guard, err) < 0)
		goto back;
	rc = pub_list_publish(s, &p->target, p->extra, p->n_extra, ready, n_ready, p->format,
	                      p->annotations, p->n_annotations, dry_run || guard.n_held, out, err);
	if (rc == 0 && guard.n_held) {
		/* held: the digest of the list that was not written */
		out->changed = 0;
		out->tag_written = 0;
		out->n_extra_written = 0;
		out->held = guard.held;
		out->n_held = guard.n_held;
		guard.held = NULL;
		guard.n_held = 0;
	}
back:
	for (size_t i = 0, j = 0; i < p->n_children; i++)
		if (p->children[i].state == STATUS_P_READY)
			p->children[i] = ready[j++];
out:
	pub_list_result_free(&guard);
	free(plats);
	free(ready);
	return rc < 0 ? -1 : 0;
}
