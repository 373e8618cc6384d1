/* digest.c — content digests: sha256 over exact bytes (the only algorithm
 * manifold writes or accepts), a streamed body's sha256 finished, and the
 * syntax check for "sha256:<hex>". */
#include <openssl/evp.h>
#include <string.h>

#include "attempt.h"

void reg_digest_sha256(const uint8_t *data, size_t len, char out[REG_DIGEST_MAX])
{
	static const char hex[] = "0123456789abcdef";
	static const uint8_t empty[1];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!data || len == 0) {
		data = empty;
		len = 0;
	}
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
		/* Only on allocation failure inside libcrypto; an empty string is
		 * never a valid digest, so callers comparing it fail safely. */
		out[0] = '\0';
		return;
	}
	memcpy(out, "sha256:", 7);
	for (unsigned int i = 0; i < mdlen; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[7 + 2 * i + 1] = hex[md[i] & 15];
	}
	out[7 + 2 * mdlen] = '\0';
}

void reg_digest_final(EVP_MD_CTX *md, char out[REG_DIGEST_MAX])
{
	unsigned char sum[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	static const char hex[] = "0123456789abcdef";
	char *o = out;
	if (EVP_DigestFinal_ex(md, sum, &n) != 1 || n != 32)
		return;
	memcpy(o, "sha256:", 7);
	o += 7;
	for (unsigned int i = 0; i < n; i++) {
		*o++ = hex[sum[i] >> 4];
		*o++ = hex[sum[i] & 15];
	}
	*o = '\0';
}

int reg_digest_valid(const char *text)
{
	if (!text || strncmp(text, "sha256:", 7) != 0)
		return 0;
	for (int i = 0; i < 64; i++) {
		char c = text[7 + i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
	}
	return text[7 + 64] == '\0';
}
