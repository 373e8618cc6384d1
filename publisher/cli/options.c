/* options.c — every option of every command, declared once (as curl's
 * src/tool_getparam.c aliases[]): the parser (parse.c), --help (help.c), the
 * man page (man.c) and the shell completions (completion.c) read this table. */
#include <stddef.h>

#include "cli.h"

#define AT(field) offsetof(struct cli_args, field)
#define IN(cmd)   CLI_IN(CLI_##cmd)

/* Commands that talk to registries, write to them, print a result. */
#define REGISTRY                                                                                   \
	(IN(CHECK) | IN(PUBLISH) | IN(RETAG) | IN(INSPECT) | IN(PUSH_SPEC) | IN(PUSH_ARGS) |       \
	 IN(APPEND) | IN(ANNOTATE) | IN(DELETE) | IN(PRUNE) | IN(VERIFY))
#define WRITERS                                                                                    \
	(IN(PUBLISH) | IN(RETAG) | IN(PUSH_SPEC) | IN(PUSH_ARGS) | IN(APPEND) | IN(ANNOTATE) |     \
	 IN(DELETE))
#define RESULTS (REGISTRY | IN(STATUS))
#define PUSHES  (IN(PUSH_SPEC) | IN(PUSH_ARGS))
#define EDITS   (IN(APPEND) | IN(ANNOTATE))

const char *const cli_formats_text_json[] = {"text", "json", NULL};
const char *const cli_formats_status[] = {"table", "json", "markdown", "html", NULL};
static const char *const log_formats[] = {"text", "json", NULL};

/* Command-specific options first, the shared ones last: --help lists them
 * in this order. */
const struct cli_option cli_options[] = {
    {"config", 'c', CLI_ARG_REQUIRED, "FILE", CLI_STORE_STR, AT(config), CLI_COMP_FILE, NULL,
     IN(CHECK) | IN(PUBLISH) | IN(RETAG) | IN(PRUNE),
     "the config (manifold YAML or a manifest-tool spec); retag uses its retag: rules"},
    {"config", 'c', CLI_ARG_REQUIRED, "FILE", CLI_STORE_STR, AT(config), CLI_COMP_FILE, NULL,
     IN(STATUS), "the current config: records of targets it no longer has are left out"},
    {"only", 0, CLI_ARG_REQUIRED, "NAME", CLI_STORE_SPLIT, AT(only), CLI_COMP_NONE, NULL,
     IN(CHECK) | IN(PUBLISH) | IN(RETAG) | IN(PRUNE),
     "only these image names or target references (a,b; repeatable)"},
    {"shard", 0, CLI_ARG_REQUIRED, "I/N", CLI_STORE_STR, AT(shard), CLI_COMP_NONE, NULL,
     IN(CHECK) | IN(PUBLISH), "only shard I of N (default: JOB_COMPLETION_INDEX/JOB_COMPLETIONS)"},
    {"deadline", 0, CLI_ARG_REQUIRED, "DURATION", CLI_STORE_STR, AT(deadline), CLI_COMP_NONE, NULL,
     IN(CHECK) | IN(PUBLISH),
     "start no new target after DURATION (90s, 15m, 2h); the rest are not reached"},
    {"grace", 0, CLI_ARG_REQUIRED, "DURATION", CLI_STORE_STR, AT(grace), CLI_COMP_NONE, NULL,
     IN(PUBLISH),
     "on --deadline or SIGTERM/SIGINT, how long list writes in flight may finish "
     "(default 10s)"},
    {"status", 0, CLI_ARG_REQUIRED, "FILE", CLI_STORE_STR, AT(status), CLI_COMP_FILE, NULL,
     IN(PUBLISH) | IN(RETAG),
     "status file to update (default: the config's status:; none for retag pairs)"},
    {"status", 0, CLI_ARG_REQUIRED, "FILE", CLI_STORE_STR, AT(status), CLI_COMP_FILE, NULL,
     IN(CHECK),
     "with --verify: status file whose verified digests spare config reads (default: "
     "the config's status:); never written"},
    {"metrics-file", 0, CLI_ARG_REQUIRED, "FILE", CLI_STORE_STR, AT(metrics_file), CLI_COMP_FILE,
     NULL, IN(CHECK) | IN(PUBLISH),
     "write the run's metrics to FILE (Prometheus text format, for node_exporter's textfile "
     "collector)"},
    {"pushgateway", 0, CLI_ARG_REQUIRED, "URL", CLI_STORE_STR, AT(pushgateway), CLI_COMP_NONE, NULL,
     IN(CHECK) | IN(PUBLISH),
     "push the run's metrics to this Prometheus Pushgateway (job manifold, or the URL's "
     "/metrics/job/NAME/LABEL/VALUE...; then shard, and command=check for check)"},
    {"username", 'u', CLI_ARG_REQUIRED, "USER", CLI_STORE_STR, AT(username), CLI_COMP_NONE, NULL,
     IN(LOGIN), "the user name"},
    {"password-stdin", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(password_stdin), CLI_COMP_NONE,
     NULL, IN(LOGIN), "read the password (or token) from stdin"},
    {"commit", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(commit), CLI_COMP_NONE, NULL, IN(PUBLISH),
     "commit the status file (libgit2)"},
    {"allow-shrink", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(allow_shrink), CLI_COMP_NONE, NULL,
     IN(PUBLISH) | IN(RETAG),
     "replace a tag's list even by one with fewer platforms (allow-shrink: true)"},
    {"overwrite", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(overwrite), CLI_COMP_NONE, NULL,
     IN(PUBLISH) | IN(RETAG),
     "replace a tag even when it holds a digest manifold did not write (overwrite: true)"},
    {"recheck-children", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(recheck_children), CLI_COMP_NONE,
     NULL, IN(PUBLISH),
     "HEAD every list child in its target repository tonight, whatever recheck-children says"},
    {"verify", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(verify), CLI_COMP_NONE, NULL, IN(CHECK),
     "read each image's config and check its platform, as publish does"},
    {"push", 0, CLI_ARG_OPTIONAL, "REMOTE", CLI_STORE_STR, AT(push_remote), CLI_COMP_NONE, NULL,
     IN(PUBLISH), "commit and push the branch (default remote: origin)"},
    {"repo", 0, CLI_ARG_REQUIRED, "DIR", CLI_STORE_STR, AT(repo), CLI_COMP_DIR, NULL, IN(PUBLISH),
     "git repository (default: found from the status file)"},
    {"author", 0, CLI_ARG_REQUIRED, "\"NAME <EMAIL>\"", CLI_STORE_STR, AT(author), CLI_COMP_NONE,
     NULL, IN(PUBLISH), "commit author (default: git config, else manifold)"},
    {"refresh-referrers", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(refresh_referrers),
     CLI_COMP_NONE, NULL, IN(PUBLISH),
     "copy the referrers (signatures) of children already published too"},
    {"estimate", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(estimate), CLI_COMP_NONE, NULL,
     IN(PUBLISH),
     "send nothing: print per registry the requests of an unchanged night, the most a night "
     "can send, and their time at the budget; and the run's peak memory"},
    {"memory-limit", 0, CLI_ARG_REQUIRED, "SIZE", CLI_STORE_STR, AT(memory_limit), CLI_COMP_NONE,
     NULL, IN(PUBLISH),
     "with --estimate: the memory a run may use (512M, 2G; default: the cgroup's memory.max), "
     "to say how many shards fit it"},
    {"from-file", 0, CLI_ARG_REQUIRED, "FILE", CLI_STORE_STR, AT(from_file), CLI_COMP_FILE, NULL,
     IN(RETAG), "\"SRC DST\" pairs, one per line ('#' comments)"},
    {"file", 0, CLI_ARG_REQUIRED, "FILE", CLI_STORE_STR, AT(file), CLI_COMP_FILE, NULL, IN(INSPECT),
     "read a manifest from FILE (a 2015 combined manifest is shown as the OCI index it would "
     "be)"},
    {"raw", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(raw), CLI_COMP_NONE, NULL, IN(INSPECT),
     "print the manifest's exact bytes (with --platform: the entry's)"},
    {"platform", 0, CLI_ARG_REQUIRED, "P", CLI_STORE_STR, AT(platform), CLI_COMP_NONE, NULL,
     IN(INSPECT), "only the list entry for P (os/arch[/variant][:os.version])"},
    {"signatures", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(signatures), CLI_COMP_NONE, NULL,
     IN(INSPECT),
     "also show the cosign signatures and publish records of what the tag holds (text)"},
    {"platform", 0, CLI_ARG_REQUIRED, "P", CLI_STORE_STR, AT(platform), CLI_COMP_NONE, NULL,
     IN(APPEND),
     "the entry's os/arch[/variant][:os.version]; needed when SOURCE is a list, else read from "
     "its config"},
    {"platform", 0, CLI_ARG_REQUIRED, "P", CLI_STORE_STR, AT(platform), CLI_COMP_NONE, NULL,
     IN(ANNOTATE), "which entry: os/arch[/variant][:os.version]"},
    {"output-file", 0, CLI_ARG_REQUIRED, "FILE", CLI_STORE_STR, AT(output_file), CLI_COMP_FILE,
     NULL, IN(STATUS), "write the report to FILE instead of stdout"},
    {"format", 0, CLI_ARG_REQUIRED, "FORMAT", CLI_STORE_FORMAT, AT(output), CLI_COMP_NONE, NULL,
     IN(STATUS), "the same as -o FORMAT"},
    {"since", 0, CLI_ARG_REQUIRED, "REV", CLI_STORE_STR, AT(since), CLI_COMP_NONE, NULL, IN(STATUS),
     "also report what changed since git revision REV"},
    {"check", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(check), CLI_COMP_NONE, NULL, IN(STATUS),
     "exit 1 when a target failed, is held, or is incomplete for too long"},
    {"max-incomplete-age", 0, CLI_ARG_REQUIRED, "AGE", CLI_STORE_STR, AT(max_incomplete_age),
     CLI_COMP_NONE, NULL, IN(STATUS), "with --check: 48h (default), 2d, 90m, 3600s"},
    {"history", 0, CLI_ARG_OPTIONAL, "REV-RANGE", CLI_STORE_STR, AT(history), CLI_COMP_NONE, NULL,
     IN(STATUS),
     "also report the file's git history (default: HEAD's first parents; at most 1000 "
     "commits)"},
    {"days", 0, CLI_ARG_REQUIRED, "N", CLI_STORE_STR, AT(days), CLI_COMP_NONE, NULL, IN(STATUS),
     "only commits of the last N days (implies --history)"},
    {"compact", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(compact), CLI_COMP_NONE, NULL, IN(STATUS),
     "with -o markdown: what is not green grouped by image and reason, under 65,536 "
     "characters"},
    {"title", 0, CLI_ARG_REQUIRED, "TEXT", CLI_STORE_STR, AT(title), CLI_COMP_NONE, NULL,
     IN(STATUS), "the report's title (default: manifold status)"},
    {"release", 0, CLI_ARG_REQUIRED, "NAME", CLI_STORE_STR, AT(release_name), CLI_COMP_NONE, NULL,
     IN(STATUS), "the release's name, under the title"},
    {"registry-url", 0, CLI_ARG_REQUIRED, "TEMPLATE", CLI_STORE_STR, AT(registry_url),
     CLI_COMP_NONE, NULL, IN(STATUS),
     "link each target to TEMPLATE ({registry}, {repository}, {tag}; default in html: "
     "https://{registry}/; \"\": no links)"},
    {"commit-url", 0, CLI_ARG_REQUIRED, "TEMPLATE", CLI_STORE_STR, AT(commit_url), CLI_COMP_NONE,
     NULL, IN(STATUS), "link the status file's commit to TEMPLATE ({commit})"},
    {"platforms", 0, CLI_ARG_REQUIRED, "LIST", CLI_STORE_STR, AT(platforms), CLI_COMP_NONE, NULL,
     IN(PUSH_ARGS), "os/arch[/variant] of every entry, comma separated"},
    {"template", 0, CLI_ARG_REQUIRED, "SOURCE", CLI_STORE_STR, AT(template_ref), CLI_COMP_NONE,
     NULL, IN(PUSH_ARGS),
     "per-platform source reference (ARCH OS VARIANT, or {arch} {os} {variant})"},
    {"target", 0, CLI_ARG_REQUIRED, "REF", CLI_STORE_STR, AT(target), CLI_COMP_NONE, NULL,
     IN(PUSH_ARGS), "the list to push (repo:tag)"},
    {"tags", 0, CLI_ARG_REQUIRED, "a,b", CLI_STORE_STR, AT(tags), CLI_COMP_NONE, NULL,
     IN(PUSH_ARGS), "more tags for the same list"},
    {"ignore-missing", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(ignore_missing), CLI_COMP_NONE,
     NULL, PUSHES,
     "leave out platforms whose source does not exist (warned); without it the push fails"},
    {"annotation", 0, CLI_ARG_REQUIRED, "KEY=VALUE", CLI_STORE_LIST, AT(annotations), CLI_COMP_NONE,
     NULL, PUSHES, "index annotation (repeatable; makes an OCI index)"},
    {"annotation", 0, CLI_ARG_REQUIRED, "KEY=VALUE", CLI_STORE_LIST, AT(annotations), CLI_COMP_NONE,
     NULL, EDITS, "annotation on the entry (repeatable; makes an OCI index)"},
    {"index-annotation", 0, CLI_ARG_REQUIRED, "KEY=VALUE", CLI_STORE_LIST, AT(index_annotations),
     CLI_COMP_NONE, NULL, EDITS, "annotation on the list itself (repeatable)"},
    {"variant", 0, CLI_ARG_REQUIRED, "V", CLI_STORE_STR, AT(variant), CLI_COMP_NONE, NULL,
     IN(ANNOTATE), "set the entry's variant (\"\" removes it)"},
    {"os-version", 0, CLI_ARG_REQUIRED, "V", CLI_STORE_STR, AT(os_version), CLI_COMP_NONE, NULL,
     IN(ANNOTATE), "set os.version (Windows builds)"},
    {"os-features", 0, CLI_ARG_REQUIRED, "a,b", CLI_STORE_STR, AT(os_features), CLI_COMP_NONE, NULL,
     IN(ANNOTATE), "set os.features"},
    {"features", 0, CLI_ARG_REQUIRED, "a,b", CLI_STORE_STR, AT(features), CLI_COMP_NONE, NULL,
     IN(ANNOTATE), "set features"},
    {"no-verify-platform", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(no_verify), CLI_COMP_NONE,
     NULL, PUSHES | EDITS, "do not check each image's config against its platform"},
    {"allow-shrink", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(allow_shrink), CLI_COMP_NONE, NULL,
     PUSHES | EDITS, "write even when a tag's list would lose a platform"},
    {"overwrite", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(overwrite), CLI_COMP_NONE, NULL, PUSHES,
     "replace a tag that holds an image (not a list)"},
    {"force", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(force), CLI_COMP_NONE, NULL, IN(DELETE),
     "delete even when another tag holds the digest or TARGET is an image"},
    {"confirm", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(confirm), CLI_COMP_NONE, NULL, IN(PRUNE),
     "delete; without it prune only says what it would delete"},
    {"key", 0, CLI_ARG_REQUIRED, "PUB.pem", CLI_STORE_LIST, AT(keys), CLI_COMP_FILE, NULL,
     IN(VERIFY), "an ECDSA P-256 public key (PEM) the signature may be by (repeatable)"},
    /* shared */
    {"jobs", 'j', CLI_ARG_REQUIRED, "N", CLI_STORE_JOBS, AT(g.jobs), CLI_COMP_NONE, NULL,
     IN(CHECK) | IN(PUBLISH) | IN(RETAG) | IN(PRUNE), "parallel requests, 1..1024 (default 16)"},
    {"output", 'o', CLI_ARG_REQUIRED, "FORMAT", CLI_STORE_FORMAT, AT(output), CLI_COMP_NONE, NULL,
     RESULTS, "output format"},
    {"dry-run", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(g.dry_run), CLI_COMP_NONE, NULL, WRITERS,
     "say what would be written; write nothing"},
    {"insecure", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(g.insecure), CLI_COMP_NONE, NULL,
     REGISTRY | IN(LOGIN), "plain HTTP to every registry (loopback registries are plain anyway)"},
    {"tls", 0, CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(g.tls), CLI_COMP_NONE, NULL,
     REGISTRY | IN(LOGIN),
     "HTTPS to every registry, loopback ones too (a registry's insecure: true under "
     "registries: still wins)"},
    {"ca-file", 0, CLI_ARG_REQUIRED, "FILE", CLI_STORE_STR, AT(g.ca_file), CLI_COMP_FILE, NULL,
     REGISTRY | IN(LOGIN),
     "verify every registry with the PEM CA bundle FILE instead of the system store; "
     "implies --tls (a registry's own ca-file: or insecure: wins)"},
    {"authfile", 0, CLI_ARG_REQUIRED, "FILE", CLI_STORE_STR, AT(g.auth_file), CLI_COMP_FILE, NULL,
     REGISTRY | IN(LOGIN) | IN(LOGOUT),
     "credentials file read first (default: $REGISTRY_AUTH_FILE); login and logout edit it"},
    {"verbose", 'v', CLI_ARG_NONE, NULL, CLI_STORE_FLAG, AT(verbose), CLI_COMP_NONE, NULL, CLI_ALL,
     "debug logs"},
    {"log-format", 0, CLI_ARG_REQUIRED, "FORMAT", CLI_STORE_ENUM, AT(log_format), CLI_COMP_NONE,
     log_formats, CLI_ALL, "log lines on stderr as text or JSON lines"},
    {"help", 'h', CLI_ARG_NONE, NULL, CLI_STORE_HELP, AT(help), CLI_COMP_NONE, NULL, CLI_ALL,
     "this help"},
};
const size_t cli_n_options = sizeof(cli_options) / sizeof(cli_options[0]);

const struct cli_option *cli_option_at(const struct cli_command *cmd, size_t i)
{
	for (size_t k = 0; k < cli_n_options; k++)
		if (cli_options[k].commands & CLI_IN(cmd->id))
			if (i-- == 0)
				return &cli_options[k];
	return NULL;
}

const char *const *cli_option_values(const struct cli_option *o, const struct cli_command *cmd)
{
	if (o->store == CLI_STORE_FORMAT)
		return cmd->formats;
	return o->values;
}
