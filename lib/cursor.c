#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cursor.h"
#include "hex.h"

#define CURSOR_BYTES	25	/* version, time, id */

/* 0001-01-01 00:00:00 and 9999-12-31 23:59:59.999999 UTC, microseconds. */
#define USEC_MIN	(-62135596800LL * 1000000)
#define USEC_MAX	(253402300800LL * 1000000 - 1)

static void
pack(const struct cursor *c, unsigned char b[CURSOR_BYTES])
{
	uint64_t	 u = (uint64_t)c->usec;
	int		 i;

	b[0] = CURSOR_VERSION;
	for (i = 0; i < 8; i++)
		b[1 + i] = (unsigned char)(u >> (56 - 8 * i));
	memcpy(b + 9, c->id, sizeof(c->id));
}

void
cursor_format(const struct cursor *c, char out[CURSOR_LEN + 1])
{
	unsigned char	 b[CURSOR_BYTES];

	pack(c, b);
	sodium_bin2base64(out, CURSOR_LEN + 1, b, sizeof(b),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

enum pl_err
cursor_parse(const char *buf, size_t len, struct cursor *c)
{
	unsigned char	 b[CURSOR_BYTES];
	char		 again[CURSOR_LEN + 1];
	uint64_t	 u = 0;
	size_t		 n;
	int		 i;

	/* The length first: nothing longer is ever decoded. */
	if (len != CURSOR_LEN || sodium_base642bin(b, sizeof(b), buf, len,
	    NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != sizeof(b) || b[0] != CURSOR_VERSION)
		return PL_EBADREQ;
	for (i = 0; i < 8; i++)
		u = u << 8 | b[1 + i];
	c->usec = (long long)u;
	memcpy(c->id, b + 9, sizeof(c->id));
	if (c->usec < USEC_MIN || c->usec > USEC_MAX)
		return PL_EBADREQ;
	/*
	 * One cursor, one text: a decoder may let the last character's
	 * unused bits vary; we do not.
	 */
	cursor_format(c, again);
	return memcmp(again, buf, CURSOR_LEN) == 0 ? PL_OK : PL_EBADREQ;
}

enum pl_err
cursor_from_row(const char *usec, size_t usec_len, const char *uuid,
    size_t uuid_len, struct cursor *c)
{
	long long	 v = 0;
	size_t		 i, k;
	int		 hi, lo;
	bool		 neg;

	neg = usec_len > 0 && usec[0] == '-';
	/* 19 digits hold the range; the range check catches the rest. */
	if (usec_len == (size_t)neg || usec_len - neg > 18)
		return PL_EINTERNAL;
	for (i = neg; i < usec_len; i++) {
		if (usec[i] < '0' || usec[i] > '9')
			return PL_EINTERNAL;
		v = v * 10 + (usec[i] - '0');
	}
	c->usec = neg ? -v : v;
	if (c->usec < USEC_MIN || c->usec > USEC_MAX || uuid_len != 36)
		return PL_EINTERNAL;
	for (i = 0, k = 0; k < sizeof(c->id); k++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			if (uuid[i++] != '-')
				return PL_EINTERNAL;
		if ((hi = hexval(uuid[i])) < 0 || (lo = hexval(uuid[i + 1])) < 0)
			return PL_EINTERNAL;
		c->id[k] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	return PL_OK;
}

void
cursor_time_param(const struct cursor *c, char out[CURSOR_TIME_MAX])
{
	long long	 s = c->usec / 1000000, us = c->usec % 1000000;
	time_t		 t;
	struct tm	 tm;

	if (us < 0) {		/* before 1970: floor, not truncation */
		us += 1000000;
		s--;
	}
	t = (time_t)s;
	gmtime_r(&t, &tm);
	/* The moduli change nothing in range; they tell the compiler so. */
	snprintf(out, CURSOR_TIME_MAX, "%04u-%02u-%02u %02u:%02u:%02u.%06u+00",
	    (unsigned)(tm.tm_year + 1900) % 10000, (unsigned)tm.tm_mon % 12 + 1,
	    (unsigned)tm.tm_mday % 32, (unsigned)tm.tm_hour % 24,
	    (unsigned)tm.tm_min % 60, (unsigned)tm.tm_sec % 61,
	    (unsigned)us % 1000000);
}

void
cursor_id_param(const struct cursor *c, char out[CURSOR_ID_MAX])
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i, k;

	for (i = 0, k = 0; k < sizeof(c->id); k++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			out[i++] = '-';
		out[i++] = hex[c->id[k] >> 4];
		out[i++] = hex[c->id[k] & 15];
	}
	out[i] = '\0';
}
