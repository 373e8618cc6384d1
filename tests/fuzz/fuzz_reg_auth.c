/* fuzz_reg_auth.c — WWW-Authenticate values (and the other header and body
 * parsers of registry auth: Retry-After, token answers, error bodies) must
 * never read out of bounds, and a usable Bearer challenge always has a realm. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "reg_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reg_challenge c;
	char code[64], msg[256], *tok = NULL;
	long exp = 0;
	char *text = fuzz_cstr(data, size);
	if (!text)
		return 0;

	if (reg_auth_challenge_parse(text, &c) == 0) {
		if (c.scheme == REG_AUTH_BEARER &&
		    (c.realm[0] == '\0' || strlen(c.realm) >= sizeof(c.realm)))
			abort();
		if (c.scheme != REG_AUTH_BEARER && c.scheme != REG_AUTH_BASIC)
			abort();
		if (strlen(c.service) >= sizeof(c.service) || strlen(c.scope) >= sizeof(c.scope) ||
		    strlen(c.error) >= sizeof(c.error))
			abort();
	}
	curl_off_t secs = 0;
	memcpy(&secs, data, size < sizeof(secs) ? size : sizeof(secs));
	long ms = reg_retry_after_clamp(secs);
	if (ms < 0 || ms > 60000)
		abort();
	if (reg_auth_token_parse(data, size, &tok, &exp) == 0 && (!tok || !tok[0] || exp < 1))
		abort();
	free(tok);
	if (reg_error_body_parse(data, size, code, sizeof(code), msg, sizeof(msg)) == 0 &&
	    !code[0] && !msg[0])
		abort();
	free(text);
	return 0;
}
