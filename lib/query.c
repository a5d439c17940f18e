#include <string.h>

#include "hex.h"
#include "config.h"
#include "query.h"

#define QUERY_MAX_KEY	16	/* longer keys cannot be ours: ignored */
#define QUERY_MAX_VALUE	64	/* longer values of our keys are bad */

enum qkey { QK_LIMIT, QK_OFFSET, QK_AUTHOR, QK_CURSOR, QK__COUNT,
    QK_UNKNOWN };

static const char *const qkeys[QK__COUNT] = { "limit", "offset", "author",
    "cursor" };
static const char *const twice[QK__COUNT] = {
	"limit given more than once", "offset given more than once",
	"author given more than once", "cursor given more than once" };

/* Whether every '%' in buf[0..len) starts a %XX escape. */
static bool
escapes_ok(const char *buf, size_t len)
{
	const char	*p = buf, *end = buf + len;

	while ((p = memchr(p, '%', (size_t)(end - p))) != NULL) {
		if (end - p < 3 || hexval(p[1]) < 0 || hexval(p[2]) < 0)
			return false;
		p += 3;
	}
	return true;
}

/*
 * Decodes buf[0..len), whose escapes escapes_ok() has vouched for, into
 * out (capacity cap).  Returns the decoded length, or cap + 1 when it does
 * not fit.
 */
static size_t
decode(const char *buf, size_t len, char *out, size_t cap)
{
	size_t	 i, n = 0;

	for (i = 0; i < len; i++) {
		if (n == cap)
			return cap + 1;
		if (buf[i] == '+')
			out[n++] = ' ';
		else if (buf[i] != '%')
			out[n++] = buf[i];
		else {
			out[n++] = (char)(hexval(buf[i + 1]) * 16 +
			    hexval(buf[i + 2]));
			i += 2;
		}
	}
	return n;
}

enum pl_err
query_parse(const char *buf, size_t len, struct list_query *q,
    const char **detail)
{
	const char		*p = buf, *end = buf + len, *amp, *eq;
	char			 key[QUERY_MAX_KEY], val[QUERY_MAX_VALUE];
	size_t			 klen, vlen;
	unsigned		 seen = 0;
	unsigned long long	 n;
	int			 k;

	q->limit = LIST_LIMIT_DEFAULT;
	q->offset = 0;
	q->mine = false;
	q->after = false;

	if (len > QUERY_MAX) {
		*detail = "query string too long";
		return PL_EBADREQ;
	}
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		/* Every escape must be sound, in the pairs we ignore too. */
		if (!escapes_ok(p, (size_t)(amp - p))) {
			*detail = "bad percent-escape in query string";
			return PL_EBADREQ;
		}
		klen = decode(p, (size_t)(eq - p), key, sizeof(key));
		for (k = 0; k < QK__COUNT; k++)
			if (klen == strlen(qkeys[k]) &&
			    memcmp(key, qkeys[k], klen) == 0)
				break;
		if (p == amp || k == QK__COUNT) {
			p = amp + (amp < end);	/* empty or unknown: ignored */
			continue;
		}
		if (seen & (1u << k)) {
			*detail = twice[k];
			return PL_EBADREQ;
		}
		seen |= 1u << k;
		vlen = eq < amp ? decode(eq + 1, (size_t)(amp - eq - 1), val,
		    sizeof(val)) : 0;
		switch (k) {
		case QK_LIMIT:
			if (vlen > sizeof(val) || config_number(val, vlen, 1,
			    LIST_LIMIT_MAX, &n) != PL_OK) {
				*detail = "limit must be an integer from 1 "
				    "to 1000";
				return PL_EBADREQ;
			}
			q->limit = (unsigned)n;
			break;
		case QK_OFFSET:
			if (vlen > sizeof(val) || config_number(val, vlen, 0,
			    LIST_OFFSET_MAX, &n) != PL_OK) {
				*detail = "offset must be an integer from 0 "
				    "to 1000000";
				return PL_EBADREQ;
			}
			q->offset = (unsigned)n;
			break;
		case QK_CURSOR:
			if (vlen > sizeof(val) || cursor_parse(val, vlen,
			    &q->before) != PL_OK) {
				*detail = "cursor is not one this API gave";
				return PL_EBADREQ;
			}
			q->after = true;
			break;
		default:
			if (vlen != 2 || memcmp(val, "me", 2) != 0) {
				*detail = "author must be \"me\"";
				return PL_EBADREQ;
			}
			q->mine = true;
			break;
		}
		p = amp + (amp < end);
	}
	if (q->after && q->offset > 0) {
		*detail = "cursor and offset cannot be combined";
		return PL_EBADREQ;
	}
	return PL_OK;
}
