/* report_compact.c — `status -o markdown --compact`: a report that fits a
 * pull request comment (GitHub takes 65,536 characters) whatever the
 * number of targets: the summary, what is not green grouped by image,
 * state and reason with counts (the largest groups first, as many as fit),
 * a line saying what was left out, and the per-platform table. */
#include <stdlib.h>
#include <string.h>

#include "status_report.h"
#include "report_internal.h"

#define REASON_MAX 160 /* characters of a group's reason */

struct group_key {
	char *image, *reason;
	const char *state;
};

struct group {
	const struct group_key *k;
	size_t count;
};

/* The tag at r[i] as a reference writes it: after ':' and not followed
 * by more of a tag (so "v1" is not found in ":v1.31.0"). */
static int tag_at(const char *r, size_t i, const char *tag, size_t tl)
{
	char next;
	if (!tl || i == 0 || r[i - 1] != ':' || strncmp(r + i, tag, tl) != 0)
		return 0;
	next = r[i + tl];
	return !((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') ||
	         (next >= '0' && next <= '9') || next == '_' || next == '.');
}

/* The reason with what differs from target to target of one image made
 * alike: the tag where a reference names it as {tag}, a sha256 digest as
 * "sha256:…"; cut at REASON_MAX. */
static char *reason_key(const struct status_target_status *t, const char *image)
{
	const char *r = t->reason ? t->reason : "(no reason recorded)";
	const char *tag = t->target + strlen(image);
	size_t tl = 0;
	struct base_buf b = {0};

	if (*tag == ':') {
		tag++;
		tl = strcspn(tag, "@");
	}
	for (size_t i = 0; r[i];) {
		if (tag_at(r, i, tag, tl)) {
			base_buf_str(&b, "{tag}");
			i += tl;
		} else if (strncmp(r + i, "sha256:", 7) == 0 &&
		           strspn(r + i + 7, "0123456789abcdef") >= 64) {
			base_buf_str(&b, "sha256:…");
			i += 7 + 64;
		} else {
			base_buf_put(&b, r + i, 1);
			i++;
		}
	}
	base_buf_put(&b, "", 1);
	if (b.oom) {
		base_buf_free(&b);
		return NULL;
	}
	if (b.len > REASON_MAX + 1) {
		size_t cut = REASON_MAX;
		while (cut > 0 && ((unsigned char)b.data[cut] & 0xC0) == 0x80)
			cut--; /* never inside a UTF-8 sequence */
		b.len = cut;
		base_buf_str(&b, "…");
		base_buf_put(&b, "", 1);
	}
	return b.oom ? (base_buf_free(&b), NULL) : (char *)b.data;
}

static int key_cmp(const void *a, const void *b)
{
	const struct group_key *x = a, *y = b;
	int c = strcmp(x->image, y->image);
	if (!c)
		c = strcmp(x->state, y->state);
	return c ? c : strcmp(x->reason, y->reason);
}

/* Largest first; ties in key order. */
static int group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return key_cmp(x->k, y->k);
}

static const char *state_word(const struct status_target_status *t)
{
	if (status_target_child_missing(t))
		return "child missing";
	return status_target_state_str(t->state);
}

/* What f's part so far, in memory, holds. */
struct part {
	char *buf;
	size_t len;
	FILE *f;
};

static int part_open(struct part *p)
{
	p->buf = NULL;
	p->len = 0;
	p->f = open_memstream(&p->buf, &p->len);
	return p->f ? 0 : -1;
}

static int part_close(struct part *p)
{
	int bad = !p->f || ferror(p->f);
	if (p->f && fclose(p->f) != 0)
		bad = 1;
	p->f = NULL;
	return bad ? -1 : 0;
}

static void group_row(FILE *f, const struct group *g)
{
	fputs("| `", f);
	status_md_text(f, g->k->image);
	fprintf(f, "` | %s | %zu | ", g->k->state, g->count);
	status_md_text(f, g->k->reason);
	fputs(" |\n", f);
}

/* The targets that are not green as keys (image, state, reason; *nk of
 * them, the caller frees each key's strings), and those keys as groups
 * (*ng), largest first. -1: out of memory. */
static int group_not_green(const struct status_status *st, struct group_key **keys_out, size_t *nk,
                           struct group **groups_out, size_t *ng)
{
	struct group_key *keys = calloc(st->n_targets ? st->n_targets : 1, sizeof(*keys));
	struct group *groups = calloc(st->n_targets ? st->n_targets : 1, sizeof(*groups));
	char img[1024];

	*keys_out = keys;
	*groups_out = groups;
	*nk = *ng = 0;
	if (!keys || !groups)
		return -1;
	for (size_t i = 0; i < st->n_targets; i++) {
		const struct status_target_status *t = &st->targets[i];
		if (status_target_green(t))
			continue;
		status_report_image(t->target, img, sizeof(img));
		keys[*nk].image = strdup(img);
		keys[*nk].state = state_word(t);
		keys[*nk].reason = reason_key(t, img);
		(*nk)++; /* freed by the caller from here on */
		if (!keys[*nk - 1].image || !keys[*nk - 1].reason)
			return -1;
	}
	qsort(keys, *nk, sizeof(*keys), key_cmp);
	for (size_t i = 0; i < *nk; i++) {
		if (*ng && key_cmp(groups[*ng - 1].k, &keys[i]) == 0) {
			groups[*ng - 1].count++;
			continue;
		}
		groups[*ng].k = &keys[i];
		groups[(*ng)++].count = 1;
	}
	qsort(groups, *ng, sizeof(*groups), group_cmp);
	return 0;
}

static int md_compact(FILE *f, const struct status_status *st, const struct status_report_opts *o)
{
	struct group_key *keys = NULL;
	struct group *groups = NULL;
	struct part head = {0}, tail = {0}, row = {0};
	size_t nk = 0, ng = 0, shown = 0, shown_targets = 0, used;
	int rc = -1;

	if (group_not_green(st, &keys, &nk, &groups, &ng) < 0)
		goto out;
	if (part_open(&head) < 0 || part_open(&tail) < 0)
		goto out;
	status_md_head(head.f, o, st);
	if (o->since)
		fprintf(head.f,
		        "\nSince `%s`: %zu newly published, %zu newly broken, %zu still not "
		        "green.\n",
		        o->since->rev, o->since->n_published, o->since->n_broken,
		        o->since->n_still);
	if (nk)
		fprintf(head.f,
		        "\n### Not green: %zu target%s, by image, state and reason\n\n"
		        "| image | state | targets | reason |\n|---|---|---|---|\n",
		        nk, nk == 1 ? "" : "s");
	status_md_platforms(tail.f, st);
	if (part_close(&head) < 0 || part_close(&tail) < 0)
		goto out;
	/* room for the left-out line, whatever its figures */
	used = head.len + tail.len + 256;
	if (fwrite(head.buf, 1, head.len, f) != head.len)
		goto out;
	for (size_t g = 0; g < ng; g++) {
		if (part_open(&row) < 0)
			goto out;
		group_row(row.f, &groups[g]);
		if (part_close(&row) < 0)
			goto out;
		if (used + row.len > STATUS_MD_COMPACT_MAX) {
			free(row.buf);
			row.buf = NULL;
			break;
		}
		used += row.len;
		fwrite(row.buf, 1, row.len, f);
		free(row.buf);
		row.buf = NULL;
		shown++;
		shown_targets += groups[g].count;
	}
	if (shown < ng)
		fprintf(f,
		        "\n%zu more group%s (%zu target%s) left out to keep this report under "
		        "65,536 characters; `manifold status -o markdown` lists every target.\n",
		        ng - shown, ng - shown == 1 ? "" : "s", nk - shown_targets,
		        nk - shown_targets == 1 ? "" : "s");
	else if (nk)
		fputs("\nNothing left out.\n", f);
	fwrite(tail.buf, 1, tail.len, f);
	rc = ferror(f) ? -1 : 0;
out:
	if (head.f)
		fclose(head.f);
	if (tail.f)
		fclose(tail.f);
	if (row.f)
		fclose(row.f);
	free(head.buf);
	free(tail.buf);
	free(row.buf);
	for (size_t i = 0; keys && i < nk; i++) {
		free(keys[i].image);
		free(keys[i].reason);
	}
	free(keys);
	free(groups);
	return rc;
}

int status_report_markdown_opts(FILE *f, const struct status_status *st,
                                const struct status_report_opts *o)
{
	return o->compact ? md_compact(f, st, o) : status_md_full(f, st, o);
}
