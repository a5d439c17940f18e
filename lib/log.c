#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "utf8.h"

#define LOG_ID_MAX	64	/* as REQUEST_ID_MAX */
#define LOG_LINE_MAX	2048	/* one line, one write(2) */
#define LOG_METHOD_MAX	32	/* method bytes kept in an access line */
#define LINE_TAIL	2	/* the closing "}\n", always kept free */
#define ELLIPSIS	"\xe2\x80\xa6"	/* U+2026: the string was cut */
#define ELLIPSIS_LEN	(sizeof(ELLIPSIS) - 1)

static const char	*prog = "places";
static enum log_level	 level = LOG_INFO;
static char		 reqid[LOG_ID_MAX + 1];
/* The caller's author key (db.h), "" when none; see add_user(). */
static char		 user[2 + 255 + 1];
static long long	 pid;	/* log_init()'s: no system call per line */

static const char *const level_names[] = {
	[LOG_ERROR] = "error",
	[LOG_WARN] = "warn",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

void
log_init(const char *progname, enum log_level lvl)
{
	prog = progname;
	level = lvl;
	pid = (long long)getpid();
}

bool
log_level_parse(const char *s, size_t len, enum log_level *out)
{
	size_t	 i;

	for (i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strlen(level_names[i]) == len &&
		    memcmp(level_names[i], s, len) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	return false;
}

bool
log_enabled(enum log_level lvl)
{
	return lvl <= level;
}

void
log_set_request(const char *id, size_t len)
{
	if (id == NULL || len > LOG_ID_MAX)
		len = 0;
	if (len > 0)
		memcpy(reqid, id, len);
	reqid[len] = '\0';
	user[0] = '\0';
}

void
log_set_user(const char *author)
{
	snprintf(user, sizeof(user), "%s", author != NULL ? author : "");
}

/*
 * A line being built.  A field that does not fit is dropped whole, a
 * string is cut between two escapes (never inside one) and marked with
 * an ellipsis, and room for the closing "}\n" is always kept: whatever
 * happens, the line is one valid JSON object.
 */
struct line {
	char	 buf[LOG_LINE_MAX];
	size_t	 len;
};

static bool
fits(const struct line *l, size_t n)
{
	return n <= sizeof(l->buf) - LINE_TAIL - l->len;
}

static void
add(struct line *l, const char *s, size_t n)
{
	if (fits(l, n)) {
		memcpy(l->buf + l->len, s, n);
		l->len += n;
	}
}

/* Appends "key": (after a comma unless first); false if it did not fit. */
static bool
add_key(struct line *l, const char *key)
{
	char	 k[40];
	int	 n;

	n = snprintf(k, sizeof(k), "%s\"%s\":", l->len > 1 ? "," : "", key);
	if (n < 0 || (size_t)n >= sizeof(k) || !fits(l, (size_t)n))
		return false;
	add(l, k, (size_t)n);
	return true;
}

/* Appends "key":raw, raw being JSON already, or nothing if it won't fit. */
static void
add_raw(struct line *l, const char *key, const char *raw)
{
	size_t	 mark = l->len;

	if (!add_key(l, key) || !fits(l, strlen(raw)))
		l->len = mark;
	else
		add(l, raw, strlen(raw));
}

static void
add_num(struct line *l, const char *key, long long v)
{
	char	 num[24];

	snprintf(num, sizeof(num), "%lld", v);
	add_raw(l, key, num);
}

/*
 * The length of the valid UTF-8 sequence (RFC 3629) at s[0..n), or 0 if
 * there is none.
 */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t	 want;

	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		want = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		want = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		want = 4;
	else
		return 0;
	return want <= n && utf8_valid((const char *)s, want, NULL) ? want : 0;
}

/*
 * Escapes the unit at s[0..n) (n > 0: one byte, or one UTF-8 sequence
 * unless pct) into out (6 bytes at least).  Returns the bytes written;
 * *used is the input bytes consumed.  pct: bytes outside printable ASCII
 * become %XX (RFC 3986, 2.1), for paths; else the JSON escapes (RFC 8259,
 * 7), and U+FFFD for a byte that is not valid UTF-8.
 */
static size_t
escape_unit(const unsigned char *s, size_t n, bool pct, char *out,
    size_t *used)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c = s[0];
	size_t			 k;

	*used = 1;
	if (c == '"' || c == '\\') {
		out[0] = '\\';
		out[1] = (char)c;
		return 2;
	}
	if (c >= (pct ? 0x21 : 0x20) && c < 0x7F) {
		out[0] = (char)c;
		return 1;
	}
	if (pct) {
		out[0] = '%';
		out[1] = hex[c >> 4];
		out[2] = hex[c & 0xF];
		return 3;
	}
	if (c == '\n' || c == '\r' || c == '\t') {
		out[0] = '\\';
		out[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
		return 2;
	}
	if (c < 0x80) {		/* other controls and DEL */
		memcpy(out, "\\u00", 4);
		out[4] = hex[c >> 4];
		out[5] = hex[c & 0xF];
		return 6;
	}
	if ((k = utf8_seq(s, n)) > 0) {
		memcpy(out, s, k);
		*used = k;
		return k;
	}
	memcpy(out, "\\ufffd", 6);
	return 6;
}

/*
 * Appends "key":"s" with s[0..n) escaped, cut to fit the line; cut says
 * the caller has shortened s already.  Either way a cut ends in an
 * ellipsis.  A NULL s is null.
 */
static void
add_str(struct line *l, const char *key, const char *s, size_t n, bool cut,
    bool pct)
{
	char	 esc[8];
	size_t	 i, k, used, mark = l->len;

	if (s == NULL) {
		add_raw(l, key, "null");
		return;
	}
	if (!add_key(l, key) || !fits(l, 2 + ELLIPSIS_LEN)) {
		l->len = mark;
		return;
	}
	add(l, "\"", 1);
	for (i = 0; i < n; i += used) {
		k = escape_unit((const unsigned char *)s + i, n - i, pct, esc,
		    &used);
		/* Keep room for an ellipsis and the closing quote. */
		if (!fits(l, k + ELLIPSIS_LEN + 1)) {
			cut = true;
			break;
		}
		add(l, esc, k);
	}
	if (cut)
		add(l, ELLIPSIS, ELLIPSIS_LEN);
	add(l, "\"", 1);
}

/* Starts a line: time, level, program, pid and the request id if any. */
static void
begin(struct line *l, enum log_level lvl)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 t[48];
	int		 n;

	l->len = 0;
	add(l, "{", 1);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(t, sizeof(t), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
	add_str(l, "time", t, n > 0 ? (size_t)n : 0, false, false);
	add_str(l, "level", level_names[lvl], strlen(level_names[lvl]), false,
	    false);
	add_str(l, "prog", prog, strlen(prog), false, false);
	add_num(l, "pid", pid);
	if (reqid[0] != '\0')
		add_str(l, "request_id", reqid, strlen(reqid), false, false);
}

/*
 * Ends the line and writes it with one write(2), so that the lines of
 * workers sharing a log file never interleave.
 */
static void
finish(struct line *l)
{
	l->buf[l->len++] = '}';
	l->buf[l->len++] = '\n';
	(void)!write(STDERR_FILENO, l->buf, l->len);
}

/*
 * user_id: an app user's id, a number as before when it is one ("u:12"
 * is 12), else the author key as a string ("u:<text id>", "s:<sub>").
 */
static void
add_user(struct line *l)
{
	const char	*id = user;
	size_t		 i;

	if (strncmp(id, "u:", 2) == 0) {
		id += 2;
		for (i = 0; id[i] >= '0' && id[i] <= '9'; i++)
			;
		if (i > 0 && i < 19 && id[i] == '\0') {
			add_raw(l, "user_id", id);
			return;
		}
	}
	add_str(l, "user_id", user, strlen(user), false, false);
}

void
log_access(const char *method, size_t method_len, const char *path,
    size_t path_len, int status, long long duration_us)
{
	struct line	 l;

	if (!log_enabled(LOG_INFO))
		return;
	begin(&l, LOG_INFO);
	add_raw(&l, "event", "\"request\"");
	add_str(&l, "method", method, method_len > LOG_METHOD_MAX ?
	    LOG_METHOD_MAX : method_len, method_len > LOG_METHOD_MAX, false);
	add_str(&l, "path", path, path_len > LOG_PATH_MAX ? LOG_PATH_MAX :
	    path_len, path_len > LOG_PATH_MAX, true);
	add_num(&l, "status", status);
	add_num(&l, "duration_us", duration_us);
	if (user[0] != '\0')
		add_user(&l);
	else
		add_raw(&l, "user_id", "null");
	add_raw(&l, "msg", "\"request\"");
	finish(&l);
}

static void vlog(enum log_level, int, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
vlog(enum log_level lvl, int errnum, const char *fmt, va_list ap)
{
	struct line	 l;
	char		 msg[LOG_LINE_MAX];
	size_t		 len;
	int		 n;

	if (!log_enabled(lvl))
		return;
	if ((n = vsnprintf(msg, sizeof(msg), fmt, ap)) < 0)
		return;
	/* Longer than msg is longer than a line: add_str() cuts it anyway. */
	len = (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1;
	if (errnum != 0 && len < sizeof(msg) - 1 &&
	    (n = snprintf(msg + len, sizeof(msg) - len, ": %s",
	    strerror(errnum))) > 0)
		len += (size_t)n < sizeof(msg) - len ? (size_t)n :
		    sizeof(msg) - len - 1;
	/* libpq's messages end with a newline. */
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		len--;
	begin(&l, lvl);
	if (user[0] != '\0')
		add_user(&l);
	add_str(&l, "msg", msg, len, false, false);
	finish(&l);
}

#define LOG_FN(name, lvl, with_errno)				\
void								\
name(const char *fmt, ...)					\
{								\
	va_list	 ap;						\
	int	 saved = errno;					\
								\
	va_start(ap, fmt);					\
	vlog(lvl, with_errno ? saved : 0, fmt, ap);		\
	va_end(ap);						\
	errno = saved;						\
}

LOG_FN(log_warn, LOG_WARN, 1)
LOG_FN(log_warnx, LOG_WARN, 0)
LOG_FN(log_errorx, LOG_ERROR, 0)
LOG_FN(log_info, LOG_INFO, 0)
LOG_FN(log_debug, LOG_DEBUG, 0)
