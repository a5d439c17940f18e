#!/usr/bin/env node
// The adapter oracles: each preset's REAL Auth.js adapter package on its
// real ORM, pinned in package-lock.json, driven from shell tests.  Nothing
// here re-implements what an adapter or an ORM does: this file builds the
// inputs they take and prints what they return.  ADAPTERS.md documents the
// interface, the presets and where each schema comes from.
//
//   node adapter.mjs [--schema NAME] PRESET OP [JSON]
//   node adapter.mjs [--schema NAME] PRESET batch      (JSON lines on stdin)
//
// PRESET: pg | prisma | prisma-mapped | prisma-legacy | drizzle | kysely
// OP:     ddl | schema | drop | drift | create-user | get-user |
//         get-user-by-email | update-user | delete-user | create-session |
//         get-session-and-user | update-session | delete-session |
//         server-session
//
// Output: one JSON value on stdout (batch: one JSON object per input line).
// Exit 0 on success; 1 with a message on stderr on a usage or runtime error.
// The database comes from PGHOST/PGPORT/PGUSER/PGDATABASE/PGPASSWORD, or
// from DATABASE_URL when it is a postgres:// URI and PGHOST and PGDATABASE
// are unset (as nextauth.mjs does).

import { createRequire } from "node:module";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import readline from "node:readline";
import path from "node:path";
import { pgEnv } from "./pgenv.mjs";
import { fileURLToPath, pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

const USAGE = `usage:
  node adapter.mjs [--schema NAME] PRESET OP [JSON]
  node adapter.mjs [--schema NAME] PRESET batch    < one {"op": OP, ...args} per line
PRESET: pg prisma prisma-mapped prisma-legacy drizzle kysely
OP (JSON arguments; see ADAPTERS.md):
  ddl | schema | drop | drift                        {}
  create-user          {"email", "name"?, "image"?, "emailVerified"?, "id"?}
  get-user | delete-user                             {"id"}
  get-user-by-email                                  {"email"}
  update-user          {"id", "name"?, "email"?, "image"?, "emailVerified"?}
  create-session       {"userId", "sessionToken"?, "expires"? | "expiresIn"?}
  get-session-and-user | delete-session              {"sessionToken"}
  update-session       {"sessionToken", "expires"? | "expiresIn"?}
  server-session       {"sessionToken"? | "cookie"?, "core"?: "v4"|"v5",
                        "maxAge"?, "updateAge"?, "secureUrl"?}`;

class UsageError extends Error {}

// The default session lifetime of next-auth v4 and @auth/core (30 days).
const MAX_AGE = 30 * 24 * 60 * 60;

// --- database ----------------------------------------------------------------

// A schema name is used quoted everywhere; this rule keeps it one plain
// identifier that needs no escaping in a startup "options" string.
const SCHEMA_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;

// pgConfig(schema): node-postgres settings from the environment, with the
// session's search_path set to SCHEMA so that the adapters' unqualified
// table names (pg, drizzle, kysely) resolve there.
function pgConfig(schema) {
	const config = pgEnv((msg) => new UsageError(msg));
	return { ...config, options: `-c search_path=${quoteIdent(schema)}`, connectionTimeoutMillis: 5000 };
}

// One run's resources: a pg Pool made on first use, and whatever an
// adapter opened (Prisma's own pool), all closed once at the end.
class Context {
	constructor(schema) {
		this.schema = schema;
		this.closers = [];
		this._pool = null;
	}

	async pool() {
		if (!this._pool) {
			const { default: pg } = await import("pg");
			this._pool = new pg.Pool({ ...pgConfig(this.schema), max: 2 });
			this.closers.push(() => this._pool.end());
		}
		return this._pool;
	}

	async close() {
		for (const close of this.closers.reverse()) await close().catch(() => {});
	}
}

// inTransaction(ctx, fn): fn(client) inside BEGIN ... COMMIT, or ROLLBACK
// when rollback is set or fn throws.
async function inTransaction(ctx, fn, { rollback = false } = {}) {
	const client = await (await ctx.pool()).connect();
	try {
		await client.query("BEGIN");
		const out = await fn(client);
		await client.query(rollback ? "ROLLBACK" : "COMMIT");
		return out;
	} catch (e) {
		await client.query("ROLLBACK").catch(() => {});
		throw e;
	} finally {
		client.release();
	}
}

// --- presets -----------------------------------------------------------------

const sqlFile = (name) => readFileSync(path.join(here, "schemas", name), "utf8");

// The Prisma client generated from prisma/<name>.prisma by `make compat`.
function prismaClient(name, ctx) {
	const dir = path.join(here, "generated", name);
	let PrismaClient;
	try {
		({ PrismaClient } = require(dir));
	} catch (e) {
		throw new Error(`no Prisma client in ${dir} (run make compat): ${e.message}`);
	}
	const { PrismaPg } = require("@prisma/adapter-pg");
	// PrismaPg's "schema" is what ?schema= in a Prisma URL sets: Prisma
	// qualifies every table with it.
	const prisma = new PrismaClient({ adapter: new PrismaPg(pgConfig(ctx.schema), { schema: ctx.schema }) });
	ctx.closers.push(() => prisma.$disconnect());
	return prisma;
}

// The drizzle adapter's own default tables (the ones an app gets when it
// passes none).  defineTables is not in the package's "exports" map, so it
// is loaded by file path from the installed copy.
async function drizzleTables() {
	const file = path.join(path.dirname(require.resolve("@auth/drizzle-adapter")), "lib", "pg.js");
	const { defineTables } = await import(pathToFileURL(file).href);
	return defineTables({});
}

// The PostgreSQL migration of the Kysely adapter page
// (authjs.dev/getting-started/adapters/kysely, "Schema";
// docs/pages/getting-started/adapters/kysely.mdx in nextauthjs/next-auth),
// the up() function as given there, with each .execute() left to the
// caller: its statements, built by Kysely's own schema builder.
function kyselyMigration(db, sql) {
	return [
		db.schema
			.createTable("User")
			.addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
			.addColumn("name", "text")
			.addColumn("email", "text", (col) => col.unique().notNull())
			.addColumn("emailVerified", "timestamptz")
			.addColumn("image", "text"),
		db.schema
			.createTable("Account")
			.addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
			.addColumn("userId", "uuid", (col) => col.references("User.id").onDelete("cascade").notNull())
			.addColumn("type", "text", (col) => col.notNull())
			.addColumn("provider", "text", (col) => col.notNull())
			.addColumn("providerAccountId", "text", (col) => col.notNull())
			.addColumn("refresh_token", "text")
			.addColumn("access_token", "text")
			.addColumn("expires_at", "bigint")
			.addColumn("token_type", "text")
			.addColumn("scope", "text")
			.addColumn("id_token", "text")
			.addColumn("session_state", "text"),
		db.schema
			.createTable("Session")
			.addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
			.addColumn("userId", "uuid", (col) => col.references("User.id").onDelete("cascade").notNull())
			.addColumn("sessionToken", "text", (col) => col.notNull().unique())
			.addColumn("expires", "timestamptz", (col) => col.notNull()),
		db.schema
			.createTable("VerificationToken")
			.addColumn("identifier", "text", (col) => col.notNull())
			.addColumn("token", "text", (col) => col.notNull().unique())
			.addColumn("expires", "timestamptz", (col) => col.notNull()),
		db.schema.createIndex("Account_userId_index").on("Account").column("userId"),
		db.schema.createIndex("Session_userId_index").on("Session").column("userId"),
	];
}

// Each preset: where its DDL comes from, ddl(schema) -> SQL text, and
// adapter(ctx) -> the real package's Adapter object.
const PRESETS = {
	pg: {
		adapterPackage: "@auth/pg-adapter",
		ddlSource: "schemas/pg.sql: the Auth.js pg adapter page's schema, verbatim",
		ddl: async () => sqlFile("pg.sql"),
		async adapter(ctx) {
			const { default: PostgresAdapter } = await import("@auth/pg-adapter");
			return PostgresAdapter(await ctx.pool());
		},
	},
	prisma: {
		adapterPackage: "@auth/prisma-adapter",
		ddlSource: "schemas/prisma.sql: prisma/prisma.prisma in Prisma's migrate format (written by hand)",
		ddl: async () => sqlFile("prisma.sql"),
		async adapter(ctx) {
			const { PrismaAdapter } = await import("@auth/prisma-adapter");
			return PrismaAdapter(prismaClient("prisma", ctx));
		},
	},
	"prisma-mapped": {
		adapterPackage: "@auth/prisma-adapter",
		ddlSource: "schemas/prisma-mapped.sql: prisma/prisma-mapped.prisma in Prisma's migrate format (written by hand)",
		ddl: async () => sqlFile("prisma-mapped.sql"),
		async adapter(ctx) {
			const { PrismaAdapter } = await import("@auth/prisma-adapter");
			return PrismaAdapter(prismaClient("prisma-mapped", ctx));
		},
	},
	"prisma-legacy": {
		adapterPackage: "@next-auth/prisma-adapter",
		ddlSource: "schemas/prisma-legacy.sql: prisma/prisma-legacy.prisma in Prisma's migrate format (written by hand)",
		ddl: async () => sqlFile("prisma-legacy.sql"),
		async adapter(ctx) {
			const { PrismaAdapter } = require("@next-auth/prisma-adapter");
			return PrismaAdapter(prismaClient("prisma-legacy", ctx));
		},
	},
	drizzle: {
		adapterPackage: "@auth/drizzle-adapter",
		ddlSource: "drizzle-kit's generateMigration (drizzle-kit/api) from the adapter's default tables",
		// drizzle-kit qualifies foreign keys' targets with "public" even for
		// tables it leaves unqualified; in another schema they point there.
		async ddl(schema) {
			const api = require("drizzle-kit/api");
			const tables = await drizzleTables();
			const statements = await api.generateMigration(api.generateDrizzleJson({}), api.generateDrizzleJson(tables));
			let text = statements.join("\n");
			if (schema !== "public") text = text.replaceAll('REFERENCES "public".', `REFERENCES ${quoteIdent(schema)}.`);
			return text.endsWith("\n") ? text : text + "\n";
		},
		async adapter(ctx) {
			const { DrizzleAdapter } = await import("@auth/drizzle-adapter");
			const { drizzle } = await import("drizzle-orm/node-postgres");
			return DrizzleAdapter(drizzle(await ctx.pool()));
		},
	},
	kysely: {
		adapterPackage: "@auth/kysely-adapter",
		ddlSource: "the Kysely adapter page's PostgreSQL migration, compiled by Kysely's schema builder",
		async ddl() {
			const k = await import("kysely");
			// A compile-only Kysely: the PostgreSQL dialect's adapter and
			// compiler with Kysely's DummyDriver, so no connection is made.
			const db = new k.Kysely({
				dialect: {
					createAdapter: () => new k.PostgresAdapter(),
					createDriver: () => new k.DummyDriver(),
					createIntrospector: (d) => new k.PostgresIntrospector(d),
					createQueryCompiler: () => new k.PostgresQueryCompiler(),
				},
			});
			return kyselyMigration(db, k.sql)
				.map((b) => {
					const { sql, parameters } = b.compile();
					if (parameters.length) throw new Error(`kysely DDL with parameters: ${sql}`);
					return sql + ";\n";
				})
				.join("");
		},
		async adapter(ctx) {
			const { KyselyAdapter } = await import("@auth/kysely-adapter");
			const { Kysely, PostgresDialect } = await import("kysely");
			// The pool is the context's, closed by it: no db.destroy().
			return KyselyAdapter(new Kysely({ dialect: new PostgresDialect({ pool: await ctx.pool() }) }));
		},
	},
};

// The tables a preset's DDL creates, in the order it creates them.
function ddlTables(sql) {
	return [...sql.matchAll(/^\s*CREATE TABLE (?:IF NOT EXISTS )?"?([A-Za-z_][A-Za-z0-9_]*)"?/gim)].map((m) => m[1]);
}

// --- schema operations -------------------------------------------------------

async function opDdl(ctx, preset) {
	const sql = await preset.ddl(ctx.schema);
	return { schema: ctx.schema, source: preset.ddlSource, tables: ddlTables(sql), sql };
}

// schema: the preset's DDL in one transaction, in ctx.schema (made first
// unless it is public or exists).
async function opSchema(ctx, preset) {
	const sql = await preset.ddl(ctx.schema);
	await inTransaction(ctx, async (c) => {
		if (ctx.schema !== "public") await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(ctx.schema)}`);
		await c.query(`SET LOCAL search_path = ${quoteIdent(ctx.schema)}`);
		await c.query(sql);
	});
	return { schema: ctx.schema, created: ddlTables(sql) };
}

// drop: the preset's tables, CASCADE: a worker's foreign keys to the users
// table go with them (this is test teardown, never an operator's tool).
async function opDrop(ctx, preset) {
	const tables = ddlTables(await preset.ddl(ctx.schema));
	const list = tables.map((t) => `${quoteIdent(ctx.schema)}.${quoteIdent(t)}`).join(", ");
	await inTransaction(ctx, (c) => c.query(`DROP TABLE IF EXISTS ${list} CASCADE`));
	return { schema: ctx.schema, dropped: tables };
}

// The catalog of one schema, as [kind, name, definition] rows with the
// schema's own name left out of every definition, so that two schemas made
// by the same DDL give the same rows.  Run with search_path set to the
// schema: pg_get_constraintdef and pg_get_expr then leave its names bare.
const CATALOG_SQL = `
WITH ns AS (SELECT oid, quote_ident(nspname) || '.' AS q FROM pg_namespace WHERE nspname = $1)
SELECT 'relation' AS kind, c.relname::text AS name,
       c.relkind::text || CASE WHEN c.relrowsecurity THEN ' row-level-security' ELSE '' END AS def
  FROM pg_class c, ns WHERE c.relnamespace = ns.oid AND c.relkind IN ('r','p','v','m','S','f','c')
UNION ALL
SELECT 'column', c.relname || '.' || a.attname,
       format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
       || COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
       || CASE a.attidentity WHEN 'a' THEN ' IDENTITY ALWAYS' WHEN 'd' THEN ' IDENTITY BY DEFAULT' ELSE '' END
       || CASE WHEN a.attgenerated <> '' THEN ' GENERATED' ELSE '' END
       || CASE WHEN a.attcollation <> t.typcollation THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum, ns
 WHERE c.relnamespace = ns.oid AND c.relkind IN ('r','p','v','m','f') AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint', c.relname || '.' || k.conname, pg_get_constraintdef(k.oid)
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid, ns WHERE c.relnamespace = ns.oid
UNION ALL
SELECT 'index', i.relname, replace(pg_get_indexdef(i.oid), ' ' || ns.q, ' ')
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid, ns WHERE i.relnamespace = ns.oid
UNION ALL
SELECT 'trigger', c.relname || '.' || g.tgname, replace(pg_get_triggerdef(g.oid), ' ' || ns.q, ' ')
  FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid, ns WHERE c.relnamespace = ns.oid AND NOT g.tgisinternal
UNION ALL
SELECT 'function', p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       pg_get_function_result(p.oid)
  FROM pg_proc p, ns WHERE p.pronamespace = ns.oid
UNION ALL
SELECT 'type', t.typname, t.typtype::text || COALESCE(' ' || (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
                                                              FROM pg_enum e WHERE e.enumtypid = t.oid), '')
  FROM pg_type t, ns
 WHERE t.typnamespace = ns.oid AND t.typtype IN ('e','d','r','m','b')
   AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
ORDER BY 1, 2`;

async function catalog(client, schema) {
	await client.query(`SET LOCAL search_path = ${quoteIdent(schema)}`);
	const { rows } = await client.query(CATALOG_SQL, [schema]);
	return new Map(rows.map((r) => [`${r.kind} ${r.name}`, r]));
}

// A postgres:// URL for the drizzle-kit CLI, from the same environment as
// pgConfig (a unix socket directory as host goes URL-encoded).
function pgUrl() {
	const env = process.env;
	if (!env.PGHOST && !env.PGDATABASE) return pgConfig("public").connectionString;
	const auth = encodeURIComponent(env.PGUSER ?? "") + (env.PGPASSWORD ? ":" + encodeURIComponent(env.PGPASSWORD) : "");
	const host = encodeURIComponent(env.PGHOST ?? "localhost") + (env.PGPORT ? ":" + env.PGPORT : "");
	return `postgresql://${auth}@${host}/${encodeURIComponent(env.PGDATABASE ?? "")}`;
}

// drizzle-kit's view of drift in schema public: `drizzle-kit pull` (its
// introspection, read-only) writes the database's snapshot, and
// generateMigration from that snapshot to the adapter's default tables is
// what `drizzle-kit push` would run.  No statement means no drift.
// drizzle-kit/api's pushSchema would do both in one call, but in 0.31.11 it
// drops every query parameter ("there is no parameter $1";
// drizzle-orm#3535), hence the CLI.  Its introspection also loses the
// column order of composite primary keys, a phantom drop and re-add of
// "authenticator"'s key on every push (drizzle-orm#6078, #6193); the order
// is put back from pg_constraint before diffing, as the fix for those does.
async function drizzleKitDrift(ctx) {
	const { mkdtempSync, rmSync } = await import("node:fs");
	const { tmpdir } = await import("node:os");
	const { execFileSync } = await import("node:child_process");
	const api = require("drizzle-kit/api");
	const bin = path.join(path.dirname(require.resolve("drizzle-kit/api")), "bin.cjs");
	const out = mkdtempSync(path.join(tmpdir(), "compat-drizzle-"));
	try {
		try {
			execFileSync(
				process.execPath,
				[bin, "pull", "--dialect", "postgresql", "--url", pgUrl(), "--out", out, "--schemaFilters", "public"],
				{ stdio: ["ignore", "pipe", "pipe"], timeout: 60000 },
			);
		} catch (e) {
			const text = `${e.stdout ?? ""}${e.stderr ?? ""}`.replace(/\r|\x1b\[[0-9;]*[A-Za-z]/g, "\n");
			throw new Error(`drizzle-kit pull failed: ${text.split("\n").filter((l) => l.trim()).slice(-5).join(" | ")}`);
		}
		const pulled = JSON.parse(readFileSync(path.join(out, "meta", "0000_snapshot.json"), "utf8"));
		const { rows } = await (await ctx.pool()).query(
			`SELECT c.relname AS table, k.conname AS name,
			        array_agg(a.attname::text ORDER BY u.ord) AS columns
			   FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
			   CROSS JOIN unnest(k.conkey) WITH ORDINALITY AS u(attnum, ord)
			   JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
			  WHERE k.contype = 'p' AND c.relnamespace = 'public'::regnamespace
			  GROUP BY 1, 2`,
		);
		for (const r of rows) {
			const pk = pulled.tables?.[`public.${r.table}`]?.compositePrimaryKeys?.[r.name];
			if (pk) pk.columns = r.columns;
		}
		// generateMigration asks on a terminal when a table or column could
		// have been renamed; with none it prints the error and refuses: that
		// is drift too.  What it prints is kept off stderr.
		const { error } = console;
		console.error = () => {};
		try {
			const statements = await api.generateMigration(pulled, api.generateDrizzleJson(await drizzleTables()));
			return { statements };
		} catch (e) {
			return { error: e.message };
		} finally {
			console.error = error;
		}
	} finally {
		rmSync(out, { recursive: true, force: true });
	}
}

// drift: the database's schema against the preset's, compared catalog to
// catalog.  The expected catalog is the preset's own DDL applied to a
// scratch schema inside a transaction that is rolled back, so nothing is
// left behind.  Anything extra (a table, column, index, constraint,
// trigger, function or type the ORM did not make), missing or different is
// drift.  For drizzle in schema public, drizzle-kit must also propose no
// statement (drizzleKitDrift).
async function opDrift(ctx, preset, name) {
	const scratch = `compat_drift_${process.pid}`;
	const refSql = await preset.ddl(scratch);
	const differences = await inTransaction(
		ctx,
		async (c) => {
			const actual = await catalog(c, ctx.schema);
			await c.query(`CREATE SCHEMA ${quoteIdent(scratch)}`);
			await c.query(`SET LOCAL search_path = ${quoteIdent(scratch)}`);
			await c.query(refSql);
			const expected = await catalog(c, scratch);
			const out = [];
			for (const key of new Set([...expected.keys(), ...actual.keys()])) {
				const e = expected.get(key)?.def ?? null;
				const a = actual.get(key)?.def ?? null;
				if (e === a) continue;
				const [kind, ...rest] = key.split(" ");
				out.push({ kind, name: rest.join(" "), expected: e, database: a });
			}
			return out;
		},
		{ rollback: true },
	);
	const result = { schema: ctx.schema, reference: preset.ddlSource, differences };
	if (name === "drizzle") {
		result.drizzleKit =
			ctx.schema === "public"
				? await drizzleKitDrift(ctx)
				: { skipped: "the adapter's default tables live in schema public" };
	}
	const dk = result.drizzleKit;
	result.drift = differences.length > 0 || (dk?.statements?.length ?? 0) > 0 || dk?.error !== undefined;
	return result;
}

// --- adapter operations ------------------------------------------------------

function need(args, key) {
	if (args[key] === undefined || args[key] === null || args[key] === "") throw new UsageError(`"${key}" is required`);
	return args[key];
}

function date(value, key) {
	const d = new Date(value);
	if (typeof value !== "string" || Number.isNaN(d.valueOf())) throw new UsageError(`"${key}": not a date: ${value}`);
	return d;
}

// expires from {"expires": ISO} or {"expiresIn": seconds from now}; next-auth's
// fromDate(maxAge) when neither is given.
function expiresArg(args) {
	if (args.expires !== undefined) return date(args.expires, "expires");
	const secs = args.expiresIn ?? MAX_AGE;
	if (!Number.isFinite(secs)) throw new UsageError(`"expiresIn": not a number: ${secs}`);
	return new Date(Date.now() + secs * 1000);
}

// The user fields an adapter takes, as next-auth passes them (Dates as Dates).
function userFields(args) {
	const out = {};
	for (const k of ["id", "name", "email", "image"]) if (args[k] !== undefined) out[k] = args[k];
	if (args.emailVerified !== undefined) {
		out.emailVerified = args.emailVerified === null ? null : date(args.emailVerified, "emailVerified");
	}
	return out;
}

const adapterOps = {
	// createUser as next-auth's email sign-in calls it: name, image and
	// emailVerified null unless given; the id is the adapter's (or the
	// ORM's) to make unless given.
	"create-user": (a, args) =>
		a.createUser({ name: null, image: null, emailVerified: null, ...userFields(args), email: need(args, "email") }),
	"get-user": (a, args) => a.getUser(String(need(args, "id"))),
	"get-user-by-email": (a, args) => a.getUserByEmail(need(args, "email")),
	"update-user": (a, args) => a.updateUser({ ...userFields(args), id: need(args, "id") }),
	"delete-user": async (a, args) => (await a.deleteUser(need(args, "id"))) ?? null,
	// createSession as next-auth's callback handler calls it: a random UUID
	// token (init.js's generateSessionToken) and expires = now + maxAge.
	"create-session": (a, args) =>
		a.createSession({
			sessionToken: args.sessionToken ?? randomUUID(),
			userId: need(args, "userId"),
			expires: expiresArg(args),
		}),
	"get-session-and-user": (a, args) => a.getSessionAndUser(need(args, "sessionToken")),
	"update-session": (a, args) => a.updateSession({ sessionToken: need(args, "sessionToken"), expires: expiresArg(args) }),
	"delete-session": async (a, args) => (await a.deleteSession(need(args, "sessionToken"))) ?? null,
};

// A logger for next-auth/@auth/core that records instead of printing.
function recordingLogger() {
	const log = [];
	const describe = (m) => (m instanceof Error ? { name: m.name, message: m.message } : m);
	return {
		log,
		logger: {
			error: (code, meta) => log.push({ level: "error", code: code?.name ?? code, ...describe(meta ?? code) }),
			warn: (code) => log.push({ level: "warn", code }),
			debug() {},
		},
	};
}

// server-session, v4: getServerSession(req, res, authOptions) of next-auth
// v4 (the pages-router form, which never loads "next") with this preset's
// adapter and the database strategy.  Returns the session it answers
// (null for none), the Set-Cookie lines it writes and what it logged.
async function serverSessionV4(adapter, args) {
	process.env.NEXTAUTH_URL = args.secureUrl ? "https://localhost" : "http://localhost";
	const nextAuthRoot = path.dirname(path.dirname(require.resolve("next-auth/jwt")));
	const { parse } = createRequire(path.join(nextAuthRoot, "package.json"))("cookie");
	const { getServerSession } = require("next-auth/next");
	const cookie = cookieArg(args, `${args.secureUrl ? "__Secure-" : ""}next-auth.session-token`);
	const { log, logger } = recordingLogger();
	const session = { strategy: "database" };
	if (args.maxAge !== undefined) session.maxAge = args.maxAge;
	if (args.updateAge !== undefined) session.updateAge = args.updateAge;
	const headers = { host: "localhost", ...(cookie ? { cookie } : {}) };
	const req = { method: "GET", url: "/api/places", headers, cookies: cookie ? parse(cookie) : {}, query: {} };
	const out = {};
	const res = {
		getHeader: (n) => out[n.toLowerCase()],
		setHeader(n, v) {
			out[n.toLowerCase()] = v;
			return res;
		},
	};
	const result = await getServerSession(req, res, { session, adapter, providers: [], logger, secret: "unused" });
	const setCookies = [out["set-cookie"] ?? []].flat();
	return { session: result ?? null, setCookies, log };
}

// server-session, v5: @auth/core's Auth() answering GET <basePath>/session,
// as next-auth 5's auth() does, with this preset's adapter.
async function serverSessionV5(adapter, args) {
	const { Auth } = await import("@auth/core");
	const origin = args.secureUrl ? "https://localhost" : "http://localhost";
	const cookie = cookieArg(args, `${args.secureUrl ? "__Secure-" : ""}authjs.session-token`);
	const { log, logger } = recordingLogger();
	const session = { strategy: "database" };
	if (args.maxAge !== undefined) session.maxAge = args.maxAge;
	if (args.updateAge !== undefined) session.updateAge = args.updateAge;
	const request = new Request(`${origin}/api/auth/session`, { headers: cookie ? { cookie } : {} });
	const response = await Auth(request, {
		adapter,
		providers: [],
		session,
		secret: "unused",
		trustHost: true,
		basePath: "/api/auth",
		logger,
	});
	const body = await response.json();
	return { session: body ?? null, setCookies: response.headers.getSetCookie(), log };
}

// The Cookie header for server-session: {"cookie": header} as is, or
// {"sessionToken": T} under the core's session cookie name.
function cookieArg(args, name) {
	if (args.cookie !== undefined) return String(args.cookie);
	if (args.sessionToken !== undefined) return `${name}=${args.sessionToken}`;
	throw new UsageError('"sessionToken" or "cookie" is required');
}

async function opServerSession(adapter, args) {
	const core = args.core ?? "v4";
	if (core === "v4") return serverSessionV4(adapter, args);
	if (core === "v5") return serverSessionV5(adapter, args);
	throw new UsageError(`"core": v4 or v5, not ${core}`);
}

// --- main --------------------------------------------------------------------

const schemaOps = { ddl: opDdl, schema: opSchema, drop: opDrop, drift: opDrift };

// runner(ctx, name): a function (op, args) -> result for this preset, with
// its adapter made once, on the first op that needs it.
function runner(ctx, name) {
	const preset = PRESETS[name];
	let adapter = null;
	return async (op, args) => {
		if (schemaOps[op]) return schemaOps[op](ctx, preset, name);
		if (op !== "server-session" && !adapterOps[op]) throw new UsageError(`unknown op: ${op}`);
		adapter ??= await preset.adapter(ctx);
		if (op === "server-session") return opServerSession(adapter, args);
		return adapterOps[op](adapter, args);
	};
}

function jsonArg(text) {
	let v;
	try {
		v = JSON.parse(text);
	} catch (e) {
		throw new UsageError(`JSON argument: ${e.message}`);
	}
	if (v === null || typeof v !== "object" || Array.isArray(v)) throw new UsageError("JSON argument: not an object");
	return v;
}

const stringify = (v) => JSON.stringify(v === undefined ? null : v, (_, x) => (typeof x === "bigint" ? x.toString() : x));

// batch: one {"op": OP, ...args} per stdin line; one line out for each,
// {"op", "ok": true, "result"} or {"op", "ok": false, "error"}, in order.
// An error does not stop the batch.
async function batch(run) {
	const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
	let failed = 0;
	for await (const line of lines) {
		if (line.trim() === "") continue;
		let op = null;
		try {
			const { op: o, ...args } = jsonArg(line);
			op = o;
			if (typeof op !== "string") throw new UsageError('"op" is required');
			const result = await run(op, args);
			process.stdout.write(stringify({ op, ok: true, result }) + "\n");
		} catch (e) {
			failed++;
			process.stdout.write(stringify({ op, ok: false, error: e?.message ?? String(e) }) + "\n");
		}
	}
	return failed ? 1 : 0;
}

async function main(ctxOut) {
	const argv = process.argv.slice(2);
	let schema = "public";
	while (argv[0]?.startsWith("--")) {
		const a = argv.shift();
		if (a === "--help" || a === "-h") {
			process.stdout.write(USAGE + "\n");
			return 0;
		}
		if (a === "--schema") schema = argv.shift();
		else if (a.startsWith("--schema=")) schema = a.slice(9);
		else throw new UsageError(`unknown option ${a}`);
	}
	if (!SCHEMA_RE.test(schema ?? "")) throw new UsageError(`--schema: not a plain identifier: ${schema}`);
	const [name, op, json, ...extra] = argv;
	if (!PRESETS[name]) throw new UsageError(name ? `unknown preset: ${name}` : "no preset");
	if (!op) throw new UsageError("no op");
	if (extra.length) throw new UsageError(`unexpected argument: ${extra[0]}`);
	const ctx = (ctxOut.ctx = new Context(schema));
	const run = runner(ctx, name);
	if (op === "batch") {
		if (json !== undefined) throw new UsageError("batch reads its ops from stdin");
		return batch(run);
	}
	const result = await run(op, jsonArg(json ?? "{}"));
	process.stdout.write(stringify(result) + "\n");
	return 0;
}

let rc;
const holder = {};
try {
	rc = await main(holder);
} catch (e) {
	if (e instanceof UsageError) process.stderr.write(`adapter.mjs: ${e.message}\n${USAGE}\n`);
	else process.stderr.write(`adapter.mjs: ${e && e.stack ? e.stack : e}\n`);
	rc = 1;
} finally {
	await holder.ctx?.close();
}
process.exitCode = rc;
