#include "error.h"

static const char *const names[PL_ERR__COUNT] = {
	[PL_OK] = "ok",
	[PL_ENOMEM] = "out of memory",
	[PL_EBADREQ] = "bad request",
	[PL_EJSON] = "invalid JSON",
	[PL_EUNAUTH] = "not authorized",
	[PL_EFORBIDDEN] = "forbidden",
	[PL_ENOTFOUND] = "not found",
	[PL_EMETHOD] = "method not allowed",
	[PL_ETOOBIG] = "payload too large",
	[PL_EMEDIA] = "unsupported media type",
	[PL_EINVALID] = "invalid place",
	[PL_EDBDOWN] = "database unavailable",
	[PL_EINTERNAL] = "internal error",
};

const char *
pl_strerror(enum pl_err e)
{
	if ((unsigned)e >= PL_ERR__COUNT)
		return "unknown error";
	return names[e];
}
