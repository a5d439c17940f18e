/*
 * test_buf.c - the buffer's appends, and the response head built with
 * them (no printf on the per-request path).
 */
#include <stdlib.h>

#include "buf.h"
#include "response.h"
#include "unit.h"

int
main(void)
{
	static const struct {
		unsigned long long	 n;
		const char		*want;
	} nums[] = {
		{ 0, "0" }, { 7, "7" }, { 10, "10" }, { 65536, "65536" },
		{ 18446744073709551615ULL, "18446744073709551615" },
	};
	struct response	 r = { 0, false, BUF_INIT, BUF_INIT };
	struct buf	 b = BUF_INIT;
	size_t		 i;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		buf_reset(&b);
		buf_addu(&b, nums[i].n);
		CHECK(!b.failed && strcmp(b.data, nums[i].want) == 0,
		    "buf_addu %s", nums[i].want);
	}

	response_reset(&r);
	r.status = 404;
	buf_adds(&r.body, "{\"status\":\"Not found\"}");
	response_header(&r, "X-Request-Id", "abc", 3);
	response_head(&r, &b);
	CHECK(!b.failed && strcmp(b.data, "Status: 404 Not Found\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: 22\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Request-Id: abc\r\n\r\n") == 0, "response head, byte for byte");
	response_free(&r);
	buf_free(&b);
	return unit_done();
}
