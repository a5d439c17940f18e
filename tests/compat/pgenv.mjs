// pgEnv(usageError): node-postgres connection settings from libpq's
// environment (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD: a sourced
// stack.env), else DATABASE_URL as a postgres:// URI.  Neither: throws
// usageError(message), so each CLI reports it as its own usage error.
// Shared by nextauth.mjs and adapter.mjs.
export function pgEnv(usageError) {
	const env = process.env;
	if (env.PGHOST || env.PGDATABASE) {
		return {
			host: env.PGHOST,
			port: env.PGPORT ? Number(env.PGPORT) : undefined,
			user: env.PGUSER,
			database: env.PGDATABASE,
			password: env.PGPASSWORD,
		};
	}
	if (env.DATABASE_URL && /^postgres(ql)?:\/\//.test(env.DATABASE_URL)) {
		return { connectionString: env.DATABASE_URL };
	}
	throw usageError(
		"no database: set PGHOST/PGPORT/PGUSER/PGDATABASE (source stack.env with set -a) " +
			"or DATABASE_URL as a postgres:// URI",
	);
}
