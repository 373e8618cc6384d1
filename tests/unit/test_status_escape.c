/* test_status_escape.c — text a registry, a config or a status file controls,
 * made safe for a terminal: controls become visible escapes, valid UTF-8 is
 * kept, and plain text is passed through untouched. */
#include "unit.h"
#include "status.h"

static void term_text_rows(void **state)
{
	static const struct {
		const char *in, *want;
	} rows[] = {
	    {"plain text: 403 DENIED", "plain text: 403 DENIED"},
	    {"", ""},
	    {"\x1b[31mRED\x1b[0m", "\\x1b[31mRED\\x1b[0m"},
	    {"\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"},
	    {"a\tb\nc\rd", "a b c d"},
	    {"del\x7f", "del\\x7f"},
	    {"c1 raw \x9b"
	     "2J",
	     "c1 raw \\x9b2J"}, /* not UTF-8: a raw C1 byte */
	    {"c1 utf8 \xc2\x9b"
	     "2J",
	     "c1 utf8 \\x9b2J"}, /* U+009B as UTF-8 */
	    {"caf\xc3\xa9 \xe2\x9c\x85 \xf0\x9f\x90\xb3",
	     "caf\xc3\xa9 \xe2\x9c\x85 \xf0\x9f\x90\xb3"},
	    {"cut \xe2\x9c", "cut \\xe2\\x9c"}, /* a sequence cut short */
	    {"overlong \xc0\xaf", "overlong \\xc0\\xaf"},
	    {"surrogate \xed\xa0\x80", "surrogate \\xed\\xa0\\x80"},
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < UNIT_COUNT(rows); i++) {
		const char *got = status_term_text(rows[i].in, buf, sizeof(buf));
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("row %zu: got \"%s\", want \"%s\"", i, got, rows[i].want);
	}
}

static void term_text_keeps_plain_text_and_null(void **state)
{
	const char *s = "nothing to escape";
	char buf[8];

	(void)state;
	assert_ptr_equal(status_term_text(s, buf, sizeof(buf)), s);
	assert_null(status_term_text(NULL, buf, sizeof(buf)));
}

static void term_text_cuts_to_the_buffer_never_mid_escape(void **state)
{
	char buf[8];

	(void)state;
	/* "ab" + "\x1b" (4) = 6 bytes; the next escape would not fit in 7. */
	assert_string_equal(status_term_text("ab\x1b\x1b", buf, sizeof(buf)), "ab\\x1b");
}

static void fputs_term_writes_the_escaped_text(void **state)
{
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);

	(void)state;
	assert_non_null(f);
	status_fputs_term(f, "x\x1b[2J\xe2\x9c\x85\x07");
	status_fputs_term(f, NULL);
	fclose(f);
	assert_string_equal(p, "x\\x1b[2J\xe2\x9c\x85\\x07");
	free(p);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(term_text_rows),
	    cmocka_unit_test(term_text_keeps_plain_text_and_null),
	    cmocka_unit_test(term_text_cuts_to_the_buffer_never_mid_escape),
	    cmocka_unit_test(fputs_term_writes_the_escaped_text),
	};
	return unit_run_group("test_status_escape", tests, argc, argv);
}
