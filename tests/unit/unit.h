/*
 * unit.h - the smallest test harness: one line per check,
 * "ok - <what>" or "not ok - <what> (<file>:<line>)", and a summary line.
 * A test program's main() ends with `return unit_done();`.
 */
#ifndef PLACES_UNIT_H
#define PLACES_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_pass, unit_fail;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		unit_pass++;						\
		printf("ok - ");					\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	} else {							\
		unit_fail++;						\
		printf("not ok - ");					\
		printf(__VA_ARGS__);					\
		printf(" (%s:%d)\n", __FILE__, __LINE__);		\
	}								\
} while (0)

/* A (buf, len) pair from a string literal, embedded NULs included. */
#define LIT(s)	(s), (sizeof(s) - 1)

static inline int
unit_done(void)
{
	printf("# %d passed, %d failed\n", unit_pass, unit_fail);
	return unit_fail ? 1 : 0;
}

#endif
