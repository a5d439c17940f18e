#!/usr/bin/env bash
# Apply the schema migrations sql/NNN_*.sql that the database has not seen yet.
#
# Usage: tools/migrate.sh
# Connection: DATABASE_URL (a libpq conninfo string or postgresql:// URI) if
# set, else libpq's own environment (PGHOST, PGPORT, PGUSER, PGDATABASE, ...).
#
# Each migration runs in one transaction together with the INSERT that records
# it in schema_migrations, so a failing migration leaves nothing behind, and
# two runs racing on the same migration cannot both record it (the second
# fails on the primary key, or earlier on the objects the first created).
# sql/demo.sql is data for `make run`, not a migration: the glob skips it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
sqldir="$here/../sql"

conn=()
if [[ -n ${DATABASE_URL:-} ]]; then
	conn=("$DATABASE_URL")
fi
# -X: ignore ~/.psqlrc, whose settings would change what runs.
psql_cmd=(psql "${conn[@]}" -X -q -v ON_ERROR_STOP=1)

# client_min_messages: no "already exists, skipping" notice on every run.
# Two first runs racing both pass "if not exists"; the loser's error is
# swallowed, since the table it wanted now exists.
"${psql_cmd[@]}" -c "set client_min_messages = warning;
do \$\$ begin
	create table if not exists schema_migrations (
		version text primary key,
		applied_at timestamptz not null default now());
exception when unique_violation or duplicate_table then null;
end \$\$"

# -At: bare values, one per line.
applied_list=$("${psql_cmd[@]}" -At -c "select version from schema_migrations")
declare -A applied=()
while IFS= read -r v; do
	[[ -n $v ]] && applied[$v]=1
done <<<"$applied_list"

n_applied=0
n_present=0
shopt -s nullglob
# Glob results are sorted by LC_COLLATE; byte order keeps NNN_ numeric order
# whatever the caller's locale.
LC_COLLATE=C
for file in "$sqldir"/[0-9][0-9][0-9]_*.sql; do
	version=$(basename "$file" .sql)
	# The version is pasted into SQL below; a name outside this alphabet is a
	# mistake in the repository, not something to quote around.
	if [[ ! $version =~ ^[0-9]{3}_[A-Za-z0-9_]+$ ]]; then
		echo "migrate: bad migration file name: $(basename "$file")" >&2
		exit 1
	fi
	if [[ -n ${applied[$version]:-} ]]; then
		n_present=$((n_present + 1))
		continue
	fi
	if ! "${psql_cmd[@]}" --single-transaction -f "$file" \
		-c "insert into schema_migrations (version) values ('$version')"; then
		echo "migrate: $version failed and was rolled back;" \
			"$n_applied applied before it" >&2
		exit 1
	fi
	echo "applied $version"
	n_applied=$((n_applied + 1))
done

echo "migrations: $n_applied applied, $n_present already present"
