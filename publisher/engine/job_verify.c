/* job_verify.c — `verify` as one call: what a tag holds, its cosign
 * signature and its publish record against public keys (verify.c). */
#include "sign.h"

int pub_verify_run(const struct pub_verify_options *o, struct pub_verify_result *out,
                   struct base_error *err)
{
	struct reg_ref ref = {0};
	struct reg_client *client = NULL;
	struct reg_session *sess = NULL;
	int rc = BASE_EINPUT;

	if (reg_ref_parse(o->ref, &ref, err) < 0 ||
	    pub_session_open(NULL, &o->g, &client, &sess, err) < 0)
		goto out;
	rc = pub_verify(sess, &ref, o->key_files, o->n_key_files, out, err);
	if (rc < 0 && rc != BASE_EINPUT)
		rc = -1;
out:
	reg_session_free(sess);
	reg_client_free(client);
	reg_ref_free(&ref);
	return rc;
}
