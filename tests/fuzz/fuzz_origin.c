/*
 * fuzz_origin.c - the cross-site write check: origin_allowed() on an
 * Origin header and the request's own scheme, Host and port.
 *
 * The input is "<Origin> NUL <scheme> NUL <Host> NUL <port>", each field
 * up to the next NUL (request.c hands over C strings, so none of them ever
 * holds a NUL); a missing field is absent (NULL).  The allowed list is
 * fixed, as PLACES_ALLOWED_ORIGINS would set it.
 */
#include <strings.h>

#include "fuzz.h"
#include "origin.h"

#define ALLOWED	"https://app.example.com, http://localhost:3000\tHTTPS://X.Y"

static const char *const allowed[] = { "https://app.example.com",
    "http://localhost:3000", "HTTPS://X.Y" };

/* The field at *pos, up to the next NUL; NULL when there is none. */
static const char *
field(const char *buf, size_t size, size_t *pos, size_t *len)
{
	const char	*f, *nul;

	if (*pos > size) {
		*len = 0;
		return NULL;
	}
	f = buf + *pos;
	nul = memchr(f, '\0', size - *pos);
	*len = nul ? (size_t)(nul - f) : size - *pos;
	*pos += *len + 1;
	return f;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*buf = (const char *)data, *o;
	struct origin_self	 self;
	size_t			 pos = 0, olen, i;
	bool			 ok, listed = false, self_prefix;

	o = field(buf, size, &pos, &olen);
	self.scheme = field(buf, size, &pos, &self.slen);
	self.host = field(buf, size, &pos, &self.hlen);
	self.port = field(buf, size, &pos, &self.plen);

	ok = origin_allowed(o, olen, &self, ALLOWED);
	FUZZ_ASSERT(ok == origin_allowed(o, olen, &self, ALLOWED));
	if (olen == 0 || olen > ORIGIN_MAX ||
	    (olen == 4 && strncasecmp(o, "null", 4) == 0))
		FUZZ_ASSERT(!ok);
	if (!ok)
		return 0;

	/* Allowed: one of the list, or this request's own scheme://host. */
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (strlen(allowed[i]) == olen &&
		    strncasecmp(allowed[i], o, olen) == 0)
			listed = true;
	self_prefix = self.scheme != NULL && self.host != NULL &&
	    self.hlen > 0 && olen >= self.slen + 3 + self.hlen &&
	    strncasecmp(o, self.scheme, self.slen) == 0 &&
	    memcmp(o + self.slen, "://", 3) == 0 &&
	    strncasecmp(o + self.slen + 3, self.host, self.hlen) == 0;
	FUZZ_ASSERT(listed || self_prefix);
	if (listed)
		return 0;
	/* After the host only a ":<port>" may follow, and only the one. */
	if (olen > self.slen + 3 + self.hlen)
		FUZZ_ASSERT(o[self.slen + 3 + self.hlen] == ':' &&
		    self.port != NULL &&
		    olen - (self.slen + 3 + self.hlen) - 1 == self.plen &&
		    memcmp(o + olen - self.plen, self.port, self.plen) == 0);
	/* ... and an allowed list alone never lets "null" or "" through. */
	FUZZ_ASSERT(!origin_allowed(o, olen, &self, NULL) ||
	    self_prefix);
	return 0;
}
