/* inspect_render.c — what a tag or file holds (struct pub_inspect) as
 * text (docs/retag-inspect.md shows its shape) or as one JSON object. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "inspect_internal.h"

static void inspect_combined_text(FILE *f, const struct pub_inspect *in);
static int inspect_combined_json(cJSON *root, const struct pub_inspect *in);

/* ---- text -------------------------------------------------------------- */

static void text_list(FILE *f, const char *indent, const char *label, char *const *v, size_t n)
{
	if (!n)
		return;
	fprintf(f, "%s%-14s", indent, label);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? ", " : "", v[i]);
	fputc('\n', f);
}

static void text_platform(FILE *f, const char *indent, const struct reg_platform *p)
{
	fprintf(f, "%s%-14s%s\n", indent, "os:", p->os ? p->os : "");
	fprintf(f, "%s%-14s%s\n", indent, "architecture:", p->architecture ? p->architecture : "");
	if (p->variant)
		fprintf(f, "%s%-14s%s\n", indent, "variant:", p->variant);
	if (p->os_version)
		fprintf(f, "%s%-14s%s\n", indent, "os.version:", p->os_version);
	text_list(f, indent, "os.features:", p->os_features, p->n_os_features);
	text_list(f, indent, "features:", p->features, p->n_features);
}

static void text_annotations(FILE *f, const char *indent, const struct reg_annotation *a, size_t n)
{
	if (!n)
		return;
	fprintf(f, "%sAnnotations:\n", indent);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s  %s: %s\n", indent, a[i].key, a[i].value);
}

static void text_image(FILE *f, const char *indent, const struct reg_manifest *img)
{
	const struct reg_descriptor *c = &img->config;
	fprintf(f, "%s%-13s%s %lld %s\n", indent, "Config:", c->digest ? c->digest : "",
	        (long long)c->size, c->media_type ? c->media_type : "");
	fprintf(f, "%s%-13s%zu\n", indent, "Layers:", img->n_layers);
	for (size_t i = 0; i < img->n_layers; i++) {
		const struct reg_descriptor *l = &img->layers[i];
		fprintf(f, "%s  %s %lld %s\n", indent, l->digest ? l->digest : "",
		        (long long)l->size, l->media_type ? l->media_type : "");
	}
}

static void text_header(FILE *f, const struct pub_inspect *in)
{
	fprintf(f, "%-13s%s\n", "Name:", in->name);
	fprintf(f, "%-13s%s\n", "MediaType:", in->m.media_type ? in->m.media_type : "");
	fprintf(f, "%-13s%s\n", "Digest:", in->m.digest ? in->m.digest : "");
	fprintf(f, "%-13s%zu\n", "Size:", in->m.raw.len);
	text_annotations(f, "", in->m.annotations, in->m.n_annotations);
}

static void text_child(FILE *f, const struct pub_inspect *in, const struct pub_inspect_child *ch)
{
	const struct reg_descriptor *d = ch->entry;
	size_t pos = (size_t)(d - in->m.entries) + 1;
	char *p = d->has_platform ? reg_platform_format(&d->platform) : NULL;

	fprintf(f, "\n[%zu] %s%s\n", pos, p ? p : "(no platform)",
	        reg_descriptor_is_attestation(d) ? " (attestation)" : "");
	free(p);
	fprintf(f, "  %-13s%s\n", "MediaType:", d->media_type ? d->media_type : "");
	fprintf(f, "  %-13s%s\n", "Digest:", d->digest ? d->digest : "");
	fprintf(f, "  %-13s%lld\n", "Size:", (long long)d->size);
	if (d->artifact_type)
		fprintf(f, "  %-13s%s\n", "ArtifactType:", d->artifact_type);
	if (d->has_platform) {
		fprintf(f, "  Platform:\n");
		text_platform(f, "    ", &d->platform);
	}
	text_annotations(f, "  ", d->annotations, d->n_annotations);
	if (ch->error)
		fprintf(f, "  %-13s%s\n", "Error:", ch->error);
	else if (ch->fetched && !ch->manifest.is_list)
		text_image(f, "  ", &ch->manifest);
	else if (ch->fetched)
		fprintf(f, "  %-13s%zu (a nested list)\n", "Manifests:", ch->manifest.n_entries);
}

void pub_inspect_render_text(FILE *f, const struct pub_inspect *in)
{
	if (in->combined)
		inspect_combined_text(f, in);
	text_header(f, in);
	if (!in->m.is_list) {
		if (in->has_config_platform) {
			char *p = reg_platform_format(&in->config_platform);
			fprintf(f, "%-13s%s (from the config)\n", "Platform:", p ? p : "");
			free(p);
			text_platform(f, "  ", &in->config_platform);
		}
		text_image(f, "", &in->m);
		return;
	}
	if (in->picked >= 0)
		fprintf(f, "%-13s%zu (showing entry %ld)\n", "Manifests:", in->m.n_entries,
		        in->picked + 1);
	else
		fprintf(f, "%-13s%zu\n", "Manifests:", in->m.n_entries);
	for (size_t i = 0; i < in->n_children; i++)
		text_child(f, in, &in->children[i]);
}

/* ---- JSON -------------------------------------------------------------- */

static cJSON *json_strings(char *const *v, size_t n)
{
	return cJSON_CreateStringArray((const char *const *)v, (int)n);
}

static cJSON *inspect_json_platform(const struct reg_platform *p)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "os", p->os ? p->os : "");
	cJSON_AddStringToObject(o, "architecture", p->architecture ? p->architecture : "");
	if (p->variant)
		cJSON_AddStringToObject(o, "variant", p->variant);
	if (p->os_version)
		cJSON_AddStringToObject(o, "os_version", p->os_version);
	if (p->n_os_features)
		cJSON_AddItemToObject(o, "os_features",
		                      json_strings(p->os_features, p->n_os_features));
	if (p->n_features)
		cJSON_AddItemToObject(o, "features", json_strings(p->features, p->n_features));
	return o;
}

static cJSON *inspect_json_annotations(const struct reg_annotation *a, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; o && i < n; i++)
		cJSON_AddStringToObject(o, a[i].key, a[i].value);
	return o;
}

static cJSON *inspect_json_descriptor(const struct reg_descriptor *d)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "media_type", d->media_type ? d->media_type : "");
	cJSON_AddStringToObject(o, "digest", d->digest ? d->digest : "");
	cJSON_AddNumberToObject(o, "size", (double)d->size);
	return o;
}

static void json_image(cJSON *o, const struct reg_manifest *img)
{
	cJSON *layers;
	cJSON_AddItemToObject(o, "config", inspect_json_descriptor(&img->config));
	layers = cJSON_AddArrayToObject(o, "layers");
	for (size_t i = 0; layers && i < img->n_layers; i++)
		cJSON_AddItemToArray(layers, inspect_json_descriptor(&img->layers[i]));
}

static cJSON *json_child(const struct pub_inspect_child *ch)
{
	const struct reg_descriptor *d = ch->entry;
	cJSON *o = inspect_json_descriptor(d);
	if (!o)
		return NULL;
	if (d->artifact_type)
		cJSON_AddStringToObject(o, "artifact_type", d->artifact_type);
	if (d->has_platform)
		cJSON_AddItemToObject(o, "platform", inspect_json_platform(&d->platform));
	if (d->n_annotations)
		cJSON_AddItemToObject(o, "annotations",
		                      inspect_json_annotations(d->annotations, d->n_annotations));
	cJSON_AddBoolToObject(o, "attestation", reg_descriptor_is_attestation(d));
	if (ch->error)
		cJSON_AddStringToObject(o, "error", ch->error);
	else if (ch->fetched && !ch->manifest.is_list)
		json_image(o, &ch->manifest);
	return o;
}

struct cJSON *pub_inspect_json(const struct pub_inspect *in)
{
	cJSON *root = cJSON_CreateObject(), *arr;

	if (!root || !cJSON_AddNumberToObject(root, "schema", 1)) {
		cJSON_Delete(root);
		return NULL;
	}
	cJSON_AddStringToObject(root, "name", in->name);
	cJSON_AddStringToObject(root, "media_type", in->m.media_type ? in->m.media_type : "");
	cJSON_AddStringToObject(root, "digest", in->m.digest ? in->m.digest : "");
	cJSON_AddNumberToObject(root, "size", (double)in->m.raw.len);
	if (in->m.n_annotations)
		cJSON_AddItemToObject(
		    root, "annotations",
		    inspect_json_annotations(in->m.annotations, in->m.n_annotations));
	if (in->combined && inspect_combined_json(root, in) < 0) {
		cJSON_Delete(root);
		return NULL;
	}
	if (in->m.is_list) {
		arr = cJSON_AddArrayToObject(root, "manifests");
		for (size_t i = 0; arr && i < in->n_children; i++)
			cJSON_AddItemToArray(arr, json_child(&in->children[i]));
	} else {
		if (in->has_config_platform)
			cJSON_AddItemToObject(root, "platform",
			                      inspect_json_platform(&in->config_platform));
		json_image(root, &in->m);
	}
	return root;
}

static void inspect_combined_text(FILE *f, const struct pub_inspect *in)
{
	const struct reg_descriptor *t = &in->combined_target;

	fprintf(f, "%-13s%s\n", "File:", in->name);
	fprintf(f, "%-13s%s\n%13s%s\n", "Form:",
	        "2015 \"combined manifest\" proposal: one config (target), layers keyed by", "",
	        "os then architecture (dependencies); no registry accepts it");
	fprintf(f, "%-13s%s %lld %s\n", "Target:", t->digest, (long long)t->size, t->media_type);
	if (in->n_combined_labels) {
		fprintf(f, "Labels:\n");
		for (size_t i = 0; i < in->n_combined_labels; i++)
			fprintf(f, "  %s: %s\n", in->combined_labels[i].key,
			        in->combined_labels[i].value);
	}
	fprintf(f, "%-13s%s\n%13s%s\n%13s%s\n\n",
	        "Today:", "this OCI image index, one image manifest per platform, built here with",
	        "", "the target as every child's config; a real image has its own config", "",
	        "per platform, recording its os and architecture");
}

static int inspect_combined_json(cJSON *root, const struct pub_inspect *in)
{
	cJSON *c = cJSON_AddObjectToObject(root, "combined");
	if (!c)
		return -1;
	cJSON_AddStringToObject(c, "form", "2015 combined manifest proposal");
	cJSON_AddItemToObject(c, "target", inspect_json_descriptor(&in->combined_target));
	cJSON_AddItemToObject(c, "labels",
	                      inspect_json_annotations(in->combined_labels, in->n_combined_labels));
	return 0;
}
