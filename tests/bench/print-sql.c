/*
 * print-sql.c - prints every statement of lib/db.c as "NAME<TAB>SQL", one
 * per line, NAME being the enum's name without ST_ (e.g. SESSION_GET).
 * The text is what the compiler made of db.c's macros, so
 * tests/bench/check-sql.pl compares the pgbench scripts with exactly the
 * SQL the worker sends.
 */
#include <ctype.h>

#include "../../lib/db.c"

int
main(void)
{
	const char	*c;
	int		 i;

	for (i = 0; i < ST__COUNT; i++) {
		for (c = stmts[i].name; *c != '\0'; c++)
			putchar(toupper((unsigned char)*c));
		printf("\t%s\n", stmts[i].sql);
	}
	return 0;
}
