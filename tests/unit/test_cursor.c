/*
 * test_cursor.c - the cursor of GET /api/places?cursor=: its text, the
 * parser's strictness (length, alphabet, version, range, canonical form),
 * a row's columns and the statement parameters.
 */
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "unit.h"

static const unsigned char id1[16] = {
	0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };

/* Parses, then compares time and id. */
static int
parses_to(const char *text, long long usec, const unsigned char id[16])
{
	struct cursor	 c;

	return cursor_parse(text, strlen(text), &c) == PL_OK &&
	    c.usec == usec && memcmp(c.id, id, 16) == 0;
}

static void
check_round_trip(void)
{
	static const long long	 times[] = { 0, 1, -1, 1622548800000001LL,
	    -62135596800000000LL, 253402300799999999LL };
	struct cursor		 c;
	char			 text[CURSOR_LEN + 1];
	size_t			 i;

	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		c.usec = times[i];
		memcpy(c.id, id1, 16);
		cursor_format(&c, text);
		CHECK(strlen(text) == CURSOR_LEN && strspn(text,
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789-_") == CURSOR_LEN, "time %lld: 34 base64url "
		    "characters: %s", times[i], text);
		CHECK(parses_to(text, times[i], id1), "time %lld: round trip",
		    times[i]);
	}
	/* A fixed text: the layout is a contract with every client's link. */
	c.usec = 1622548800000001LL;
	memcpy(c.id, id1, 16);
	cursor_format(&c, text);
	CHECK(strcmp(text, "AQAFw7MU2tABEjRWeJq83vABI0VniavN7w") == 0,
	    "the layout: version, big-endian time, id: %s", text);
}

static void
check_bad(void)
{
	static const char *const bad[] = {
		"",
		"AQAFw7MU2tABEjRWeJq83vABI0VniavN7",	/* 33 */
		"AQAFw7MU2tABEjRWeJq83vABI0VniavN7wA",	/* 35 */
		"AQAFw7MU2tABEjRWeJq83vABI0VniavN7x",	/* unused bit */
		"AQAFw7MU2tABEjRWeJq83vABI0VniavN+w",	/* base64, not url */
		"AQAFw7MU2tABEjRWeJq83vABI0VniavN7=",
		"AgAFw6kiyMgBEjRWeJq83vABI0VniavN7w",	/* version 2 */
		"AAAFw6kiyMgBEjRWeJq83vABI0VniavN7w",	/* version 0 */
		"AQOERAzMc2AAEjRWeJq83vABI0VniavN7w",	/* year 10000 */
		"Af8jQAEA1D__EjRWeJq83vABI0VniavN7w",	/* before year 1 */
		"AQAFw7MU2tABEjRWeJq83vABI0VniavN 7",
	};
	struct cursor	 c;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(cursor_parse(bad[i], strlen(bad[i]), &c) == PL_EBADREQ,
		    "bad cursor %zu: \"%s\"", i, bad[i]);
	CHECK(cursor_parse(LIT("AQAFw7MU2tABEjRWeJq83vABI0VniavN\0w"), &c) ==
	    PL_EBADREQ, "an embedded NUL");
}

static void
check_row_and_params(void)
{
	struct cursor	 c;
	char		 t[CURSOR_TIME_MAX], id[CURSOR_ID_MAX];

	CHECK(cursor_from_row(LIT("1622548800000001"),
	    LIT("12345678-9abc-def0-0123-456789abcdef"), &c) == PL_OK &&
	    c.usec == 1622548800000001LL && memcmp(c.id, id1, 16) == 0,
	    "a row's columns");
	cursor_time_param(&c, t);
	cursor_id_param(&c, id);
	CHECK(strcmp(t, "2021-06-01 12:00:00.000001+00") == 0,
	    "time parameter: %s", t);
	CHECK(strcmp(id, "12345678-9abc-def0-0123-456789abcdef") == 0,
	    "id parameter: %s", id);
	CHECK(cursor_from_row(LIT("-1"), LIT("12345678-9abc-def0-0123-"
	    "456789abcdef"), &c) == PL_OK, "a time before 1970");
	cursor_time_param(&c, t);
	CHECK(strcmp(t, "1969-12-31 23:59:59.999999+00") == 0,
	    "before 1970, floored: %s", t);
	c.usec = -62135596800000000LL;
	cursor_time_param(&c, t);
	CHECK(strcmp(t, "0001-01-01 00:00:00.000000+00") == 0,
	    "the first time: %s", t);
	c.usec = 253402300799999999LL;
	cursor_time_param(&c, t);
	CHECK(strcmp(t, "9999-12-31 23:59:59.999999+00") == 0,
	    "the last time: %s", t);
	CHECK(cursor_from_row(LIT("253402300800000000"), LIT("12345678-9abc-"
	    "def0-0123-456789abcdef"), &c) == PL_EINTERNAL, "a row past 9999");
	CHECK(cursor_from_row(LIT(""), LIT("12345678-9abc-def0-0123-"
	    "456789abcdef"), &c) == PL_EINTERNAL, "no time");
	CHECK(cursor_from_row(LIT("12x"), LIT("12345678-9abc-def0-0123-"
	    "456789abcdef"), &c) == PL_EINTERNAL, "not a number");
	CHECK(cursor_from_row(LIT("1"), LIT("12345678-9abc-def0-0123-"
	    "456789abcde"), &c) == PL_EINTERNAL, "a short uuid");
	CHECK(cursor_from_row(LIT("1"), LIT("12345678_9abc-def0-0123-"
	    "456789abcdef"), &c) == PL_EINTERNAL, "a bad uuid");
}

int
main(void)
{
	check_round_trip();
	check_bad();
	check_row_and_params();
	return unit_done();
}
