/*
 * The log's JSON lines (lib/log.h): whatever bytes a message or a path
 * holds, each call writes exactly one line that is one JSON object in
 * valid UTF-8, with the fields it promises.  stderr goes to a temporary
 * file, read back after each call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "log.h"
#include "unit.h"
#include "utf8.h"

#define LINE_MAX_BYTES	2048

static int	 errfd;
static char	 out[8192];
static size_t	 outlen;

/* Empties the captured stderr. */
static void
reset(void)
{
	if (ftruncate(errfd, 0) != 0 || lseek(errfd, 0, SEEK_SET) != 0)
		abort();
	outlen = 0;
}

/* Reads what was written since reset(). */
static void
collect(void)
{
	ssize_t	 n = pread(errfd, out, sizeof(out) - 1, 0);

	outlen = n > 0 ? (size_t)n : 0;
	out[outlen] = '\0';
}

/*
 * The captured output as one line holding one JSON object, in valid
 * UTF-8, without a raw control byte; NULL (and a failed check) otherwise.
 * The caller puts the object.
 */
static struct json_object *
one_line(const char *what)
{
	struct json_tokener	*tok;
	struct json_object	*obj = NULL;
	size_t			 i;
	bool			 ctl = false;

	collect();
	CHECK(outlen > 0 && out[outlen - 1] == '\n' &&
	    memchr(out, '\n', outlen) == out + outlen - 1,
	    "%s: exactly one line", what);
	CHECK(outlen <= LINE_MAX_BYTES, "%s: at most %d bytes (%zu)", what,
	    LINE_MAX_BYTES, outlen);
	CHECK(utf8_valid(out, outlen, NULL), "%s: valid UTF-8", what);
	for (i = 0; i + 1 < outlen; i++)
		if ((unsigned char)out[i] < 0x20)
			ctl = true;
	CHECK(!ctl, "%s: no raw control byte", what);
	if ((tok = json_tokener_new()) == NULL)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	if (outlen > 0)
		obj = json_tokener_parse_ex(tok, out, (int)outlen - 1);
	CHECK(obj != NULL && json_tokener_get_error(tok) ==
	    json_tokener_success && json_object_is_type(obj, json_type_object),
	    "%s: one JSON object", what);
	json_tokener_free(tok);
	if (obj != NULL && !json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		obj = NULL;
	}
	return obj;
}

/* The string member key of obj, or NULL. */
static const char *
str(struct json_object *obj, const char *key)
{
	struct json_object	*v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Whether member key of obj is the integer want (-1: is null). */
static bool
num_is(struct json_object *obj, const char *key, long long want)
{
	struct json_object	*v;

	if (obj == NULL || !json_object_object_get_ex(obj, key, &v))
		return false;
	if (want < 0)
		return v == NULL;
	return json_object_is_type(v, json_type_int) &&
	    json_object_get_int64(v) == want;
}

static bool
eq(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

static bool
ends_with(const char *s, const char *tail)
{
	size_t	 n, m = strlen(tail);

	return s != NULL && (n = strlen(s)) >= m && strcmp(s + n - m, tail) == 0;
}

/* A message with every kind of byte: escaped, kept or replaced. */
static void
test_message_bytes(void)
{
	struct json_object	*o;

	reset();
	log_warnx("q\" b\\ nl\n tab\t c\x01 esc\x1b del\x7f ff\xff "
	    "e\xc3\xa9 smile\xf0\x9f\x98\x80 cut\xc3");
	o = one_line("hostile message");
	CHECK(eq(str(o, "msg"), "q\" b\\ nl\n tab\t c\x01 esc\x1b del\x7f "
	    "ff\xef\xbf\xbd e\xc3\xa9 smile\xf0\x9f\x98\x80 cut\xef\xbf\xbd"),
	    "hostile message: escapes decode to the bytes, U+FFFD for "
	    "invalid UTF-8");
	CHECK(strstr(out, "\\u0001") != NULL && strstr(out, "\\u001B") != NULL &&
	    strstr(out, "\\u007F") != NULL && strstr(out, "\\n") != NULL &&
	    strstr(out, "\\ufffd") != NULL, "hostile message: JSON escapes");
	CHECK(eq(str(o, "level"), "warn") && eq(str(o, "prog"), "test_log") &&
	    num_is(o, "pid", (long long)getpid()) && str(o, "time") != NULL &&
	    strlen(str(o, "time")) == 27, "hostile message: level, prog, pid, "
	    "time");
	json_object_put(o);
}

static void
test_message_fields(void)
{
	struct json_object	*o;

	reset();
	errno = ENOENT;
	log_warn("opening %s", "x");
	o = one_line("log_warn");
	CHECK(eq(str(o, "msg"), "opening x: No such file or directory"),
	    "log_warn appends strerror(errno)");
	CHECK(str(o, "request_id") == NULL && !json_object_object_get_ex(o,
	    "user_id", NULL), "outside a request: no request_id, no user_id");
	json_object_put(o);

	reset();
	log_errorx("libpq says\n");
	o = one_line("trailing newline");
	CHECK(eq(str(o, "msg"), "libpq says"), "a trailing newline is dropped");
	json_object_put(o);

	log_set_request("abc-123", 7);
	log_set_user("u:42");
	reset();
	log_info("in a request");
	o = one_line("in a request");
	CHECK(eq(str(o, "request_id"), "abc-123") && num_is(o, "user_id", 42),
	    "in a request: request_id and user_id");
	CHECK(!json_object_object_get_ex(o, "event", NULL),
	    "a message has no event");
	json_object_put(o);

	log_set_request("next", 4);
	reset();
	log_info("next request");
	o = one_line("next request");
	CHECK(eq(str(o, "request_id"), "next") &&
	    !json_object_object_get_ex(o, "user_id", NULL),
	    "a new request forgets the user");
	json_object_put(o);
	log_set_request(NULL, 0);
}

/* Messages longer than a line: cut between escapes, with an ellipsis. */
static void
test_long_messages(void)
{
	static const char *const units[] = { "a", "\xc3\xa9",
	    "\xf0\x9f\x98\x80", "\x01", "\"", "\xff" };
	struct json_object	*o;
	char			 big[6000];
	size_t			 i, j, ulen;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		ulen = strlen(units[i]);
		for (j = 0; j + ulen < sizeof(big); j += ulen)
			memcpy(big + j, units[i], ulen);
		big[j] = '\0';
		reset();
		log_warnx("%s", big);
		o = one_line("long message");
		CHECK(ends_with(str(o, "msg"), "\xe2\x80\xa6"),
		    "long message of unit %zu: cut, ends in an ellipsis", i);
		CHECK(outlen > LINE_MAX_BYTES - 16,
		    "long message of unit %zu: the line is used (%zu bytes)", i,
		    outlen);
		json_object_put(o);
	}
}

static void
test_access(void)
{
	struct json_object	*o;
	char			 path[300], want[1024], *w;
	size_t			 i;

	/* Every byte but NUL, in a path of 255 bytes: all kept, encoded. */
	for (i = 1; i < 256; i++)
		path[i - 1] = (char)i;
	w = want;
	for (i = 1; i < 256; i++)
		w += (i > 0x20 && i < 0x7F) ? sprintf(w, "%c", (int)i) :
		    sprintf(w, "%%%02X", (unsigned)i);
	log_set_request("r1", 2);
	log_set_user("u:7");
	reset();
	log_access("GET", 3, path, 255, 200, 1234);
	o = one_line("access, every byte");
	CHECK(eq(str(o, "path"), want),
	    "access: path percent-encoded outside printable ASCII");
	CHECK(eq(str(o, "event"), "request") && eq(str(o, "method"), "GET") &&
	    num_is(o, "status", 200) && num_is(o, "duration_us", 1234) &&
	    num_is(o, "user_id", 7) && eq(str(o, "request_id"), "r1") &&
	    eq(str(o, "level"), "info") && eq(str(o, "msg"), "request"),
	    "access: event, method, status, duration_us, user_id, "
	    "request_id, level, msg");
	json_object_put(o);

	/* Longer than LOG_PATH_MAX: cut there, marked. */
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	log_set_request("r2", 2);	/* forgets the user */
	reset();
	log_access(NULL, 0, path, sizeof(path), 401, 5);
	o = one_line("access, long path");
	CHECK(str(o, "path") != NULL && strlen(str(o, "path")) ==
	    LOG_PATH_MAX + 3 && ends_with(str(o, "path"), "\xe2\x80\xa6"),
	    "access: path cut at %d bytes, with an ellipsis", LOG_PATH_MAX);
	CHECK(num_is(o, "user_id", -1), "access: user_id null without a user");
	CHECK(json_object_object_get_ex(o, "method", NULL) &&
	    str(o, "method") == NULL, "access: no method is null");
	json_object_put(o);

	/* A path of exactly LOG_PATH_MAX bytes is whole. */
	reset();
	log_access("GET", 3, path, LOG_PATH_MAX, 404, 5);
	o = one_line("access, path at the limit");
	CHECK(str(o, "path") != NULL && strlen(str(o, "path")) ==
	    LOG_PATH_MAX && !ends_with(str(o, "path"), "\xe2\x80\xa6"),
	    "access: a path of %d bytes is kept whole", LOG_PATH_MAX);
	json_object_put(o);

	/* Method bytes: JSON escapes, cut at 32. */
	reset();
	log_access("G\"\x01\xff" "ETETETETETETETETETETETETETETETETET", 38, "/",
	    1, 405, 1);
	o = one_line("access, odd method");
	CHECK(eq(str(o, "method"), "G\"\x01\xef\xbf\xbd"
	    "ETETETETETETETETETETETETETET\xe2\x80\xa6"),
	    "access: method escaped and cut at 32 bytes");
	json_object_put(o);
	log_set_request(NULL, 0);
}

static void
test_levels(void)
{
	log_init("test_log", LOG_WARN);
	reset();
	log_info("hidden");
	log_access("GET", 3, "/", 1, 200, 1);
	log_debug("hidden");
	collect();
	CHECK(outlen == 0, "level warn: no info, debug or access line");
	reset();
	log_errorx("shown");
	collect();
	CHECK(outlen > 0, "level warn: errors still shown");
	log_init("test_log", LOG_DEBUG);
}

int
main(void)
{
	FILE	*f;

	/* stdout carries the results; stderr, the log, goes to a file. */
	if ((f = tmpfile()) == NULL || dup2(fileno(f), STDERR_FILENO) < 0)
		return 2;
	errfd = fileno(f);
	log_init("test_log", LOG_DEBUG);
	test_message_bytes();
	test_message_fields();
	test_long_messages();
	test_access();
	test_levels();
	return unit_done();
}
