/*
 * print-sql.c - prints every statement of the worker's table (lib/stmt.c)
 * as "NAME<TAB>SQL", one per line, NAME being the enum's name without ST_
 * (e.g. SESSION_GET), for the default names (@auth/pg-adapter's tables).
 * The text is what stmt_table_build() makes at start-up, so
 * tests/bench/check-sql.pl compares the pgbench scripts with exactly the
 * SQL the worker sends.  A last line "SETTINGS<TAB>SET ..." gives the
 * settings the worker makes on each connection (tests/plans runs the
 * statements under them).
 */
#include <ctype.h>
#include <stdio.h>

#include "stmt.h"

int
main(void)
{
	struct sql_names	 names;
	struct stmt_table	 t;
	const char		*c;
	int			 i;

	stmt_names_default(&names);
	if (stmt_table_build(&t, &names) != PL_OK) {
		fprintf(stderr, "print-sql: cannot build the statements\n");
		return 1;
	}
	for (i = 0; i < ST__COUNT; i++) {
		for (c = stmt_def((enum stmt)i)->name; *c != '\0'; c++)
			putchar(toupper((unsigned char)*c));
		printf("\t%s\n", t.sql[i]);
	}
	printf("SETTINGS\t%s\n", stmt_settings);
	stmt_table_free(&t);
	return 0;
}
