#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_ID_MAX 64

static const char	*prog = "places";
static enum log_level	 level = LOG_INFO;
static char		 reqid[LOG_ID_MAX + 1];

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
}

/*
 * Formats the whole line first and writes it with one write(2), so lines of
 * concurrent workers sharing a log file never interleave.
 */
static void vlog(enum log_level, int, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
vlog(enum log_level lvl, int errnum, const char *fmt, va_list ap)
{
	char		 line[2048];
	struct tm	 tm;
	time_t		 now;
	int		 n, m;
	size_t		 len;

	if (!log_enabled(lvl))
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	n = snprintf(line, sizeof(line),
	    "%04d-%02d-%02dT%02d:%02d:%02dZ %s[%ld] %s%s%s: ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, prog, (long)getpid(), level_names[lvl],
	    reqid[0] ? " req=" : "", reqid);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	m = vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (m < 0)
		return;
	len = (size_t)n + (size_t)m;
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;	/* truncated: still one line */
	if (errnum != 0) {
		m = snprintf(line + len, sizeof(line) - 1 - len, ": %s",
		    strerror(errnum));
		if (m > 0)
			len += (size_t)m;
		if (len > sizeof(line) - 2)
			len = sizeof(line) - 2;
	}
	/* One event, one line: libpq's messages carry newlines and tabs. */
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == ' '))
		len--;
	for (m = n; (size_t)m < len; m++)
		if ((unsigned char)line[m] < 0x20)
			line[m] = ' ';
	line[len++] = '\n';
	(void)!write(STDERR_FILENO, line, len);
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
