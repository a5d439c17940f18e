/*
 * A response whose memory runs out while it is built: whichever
 * allocation fails (an extra header cut part-way, the body, the head
 * itself), the head the worker sends is either the whole right one or the
 * fixed 500, never a cut line.  Linked with -Wl,--wrap=realloc (Makefile):
 * every realloc() of the library (struct buf's only allocator) comes here.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "response.h"
#include "unit.h"

void	*__real_realloc(void *, size_t);
void	*__wrap_realloc(void *, size_t);

static long	fail_at = -1;	/* the call that fails first; -1: none */
static bool	fail_once;	/* only that call, or every one from it */
static long	calls;

void *
__wrap_realloc(void *p, size_t n)
{
	long	 k = calls++;

	if (fail_at >= 0 && (k == fail_at || (!fail_once && k > fail_at)))
		return NULL;
	return __real_realloc(p, n);
}

#define FIXED_HEAD "Status: 500 Internal Server Error\r\n" \
	"Content-Type: application/json; charset=utf-8\r\n" \
	"Content-Length: 27\r\n" \
	"Cache-Control: no-store\r\n\r\n"
#define FIXED_BODY "{\"status\":\"Internal error\"}"

/*
 * Builds a 201 with three extra headers, the second longer than a buffer's
 * first allocation (so headers grow part-way through a line), and its head.
 */
static bool
build(struct response *r, struct buf *out, bool head)
{
	static char	 loc[400];

	memset(loc, 'x', sizeof(loc) - 1);
	memcpy(loc, "/api/places/", 12);
	response_reset(r);
	r->head = head;
	r->status = 201;
	buf_adds(&r->body, "{\"id\":\"x\"}");
	response_header(r, "Set-Cookie", "a=b; Path=/", 11);
	response_header(r, "Location", loc, strlen(loc));
	response_header(r, "X-Request-Id", "abc", 3);
	return response_head(r, out);
}

/* One line for a wrong head: "\r\n" as "|", cut to 160 bytes. */
static void
show(long k, const struct buf *b)
{
	size_t	 i;

	printf("# realloc %ld failing%s: ", k, fail_once ? " once" : "");
	for (i = 0; i < b->len && i < 160; i++)
		if (b->data[i] != '\r')
			putchar(b->data[i] == '\n' ? '|' : b->data[i]);
	putchar('\n');
}

int
main(void)
{
	struct response	 r = { 0, false, BUF_INIT, BUF_INIT };
	struct buf	 out = BUF_INIT, want = BUF_INIT;
	long		 total, k;
	int		 mode, bad, fell;
	bool		 head, more;

	for (mode = 0; mode < 4; mode++) {
		head = mode & 1;
		fail_once = mode & 2;
		/* Without failures: the head to expect, and the count. */
		fail_at = -1;
		calls = 0;
		response_free(&r);
		buf_free(&out);
		buf_reserve(&out, 1);	/* the worker's head buffer is reused */
		calls = 0;
		more = build(&r, &out, head);
		total = calls;
		buf_reset(&want);
		buf_add(&want, out.data, out.len);
		CHECK(!out.failed && more == !head && r.status == 201 &&
		    strstr(want.data, "\r\nLocation: /api/places/xxx") !=
		    NULL, "%s: the whole head without failures (%ld reallocs)",
		    head ? "HEAD" : "GET", total);

		bad = fell = 0;
		for (k = 0; k < total; k++) {
			response_free(&r);
			buf_free(&out);
			fail_at = -1;
			buf_reserve(&out, 1);
			calls = 0;
			fail_at = k;
			more = build(&r, &out, head);
			fail_at = -1;
			if (out.failed) {
				bad++;
			} else if (out.len == want.len &&
			    memcmp(out.data, want.data, want.len) == 0) {
				if (more != !head || r.status != 201)
					bad++;
			} else if (strcmp(out.data, head ? FIXED_HEAD :
			    FIXED_HEAD FIXED_BODY) == 0) {
				fell++;
				if (more || r.status != 500)
					bad++;
			} else {
				bad++;
				show(k, &out);
			}
		}
		CHECK(bad == 0 && fell > 0, "%s, realloc failing %s: each of "
		    "%ld failure points gives the whole head or the fixed 500 "
		    "(%d did)", head ? "HEAD" : "GET", fail_once ? "once" :
		    "from then on", total, fell);
	}
	response_free(&r);
	buf_free(&out);
	buf_free(&want);
	return unit_done();
}
