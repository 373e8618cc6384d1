/* verify.h — the verify job (job_verify.c, verify.c; docs/signing.md): a
 * published list's cosign signature and publish record against public
 * keys. */
#ifndef MANIFOLD_VERIFY_H
#define MANIFOLD_VERIFY_H

#include "job.h"

/* What `manifold verify` found for one tag. */
struct pub_verify_result {
	char digest[PUB_DIGEST_MAX]; /* what the tag holds */
	char *signature;             /* "valid", "no signature", "signature by an unknown key",
	                              * "signature for another digest" */
	char *signed_by;             /* the key id that signed it, or NULL */
	char *record;                /* "valid", "no publish record", "publish record by an
	                              * unknown key", … for another digest, … does not match */
	char *record_by;             /* the key id that signed the record, or NULL */
	char *statement;             /* the record's in-toto statement when valid, else NULL */
	int ok;                      /* signature and record both valid */
	char record_why[640];
};
void pub_verify_result_free(struct pub_verify_result *r); /* NULL safe */
struct pub_verify_options {
	struct pub_global g;          /* --insecure, --authfile */
	const char *ref;              /* REF */
	const char *const *key_files; /* --key PUB.pem... */
	size_t n_key_files;
};
/* Parse REF, open a session, and check what it holds (pub_verify).
 * BASE_EINPUT when REF does not parse, no session could be opened or a key
 * cannot be read (nothing sent); -1 on a registry error; 0 with out->ok
 * saying whether signature and record both verified. */
int pub_verify_run(const struct pub_verify_options *o, struct pub_verify_result *out,
                   struct base_error *err);

#endif
