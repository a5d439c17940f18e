#!/usr/bin/env node
// The NextAuth oracle: mints sessions and answers "what would
// getServerSession() return for this Cookie header?" with the REAL packages
// pinned in package-lock.json (next-auth v4, @auth/pg-adapter, pg,
// @auth/core).  Nothing here re-implements their crypto or session logic;
// this file only builds the inputs they take and prints what they return.
// SOURCES.md says where in node_modules each rule lives.
//
//   node nextauth.mjs jwt --secret S [--email E] [--name N] [--sub X]
//        [--picture URL] [--max-age SECONDS] [--exp-offset SECONDS]
//        [--pad BYTES] [--cookie-name NAME] [--secure]
//   node nextauth.mjs jwt-v5 --secret S [--email E] [--name N] [--sub X]
//        [--cookie-name NAME] [--secure]
//   node nextauth.mjs adapter-user --email E [--name N]
//   node nextauth.mjs adapter-session --user-id ID [--expires-in SECONDS] [--token T]
//   node nextauth.mjs get-session --cookie 'HEADER VALUE' [--secret S]
//        [--strategy database|jwt] [--max-age S] [--update-age S] [--secure-url]
//
// Output: one JSON object on stdout.  Exit 0 on success; 1 with a message
// on stderr on a usage or runtime error.  Database commands build the pg
// Pool from PGHOST/PGPORT/PGUSER/PGDATABASE/PGPASSWORD (what tools/stack.sh
// writes to stack.env; pg does not understand libpq keyword conninfo
// strings), or from DATABASE_URL when it is a postgres:// URI and PGHOST
// and PGDATABASE are unset.

import { createRequire } from "node:module";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { pgEnv } from "./pgenv.mjs";

const require = createRequire(import.meta.url);

// next-auth v4 is CommonJS; its package "exports" map hides core/, so the
// internals (SessionStore, defaultCookies, init, fromDate) are loaded by
// file path from the same installed copy that next-auth/next uses.
const nextAuthJwtPath = require.resolve("next-auth/jwt");
const nextAuthRoot = path.dirname(path.dirname(nextAuthJwtPath));
const nextAuthFile = (rel) => require(path.join(nextAuthRoot, rel));
// The cookie parser next-auth depends on (Next.js parses req.cookies with
// its vendored copy of the same "cookie" package).
const requireFromNextAuth = createRequire(path.join(nextAuthRoot, "package.json"));

const USAGE = `usage:
  node nextauth.mjs jwt --secret S [--email E] [--name N] [--sub X] [--picture URL]
       [--max-age SECONDS] [--exp-offset SECONDS] [--pad BYTES] [--cookie-name NAME] [--secure]
  node nextauth.mjs jwt-v5 --secret S [--email E] [--name N] [--sub X] [--cookie-name NAME] [--secure]
  node nextauth.mjs adapter-user --email E [--name N]
  node nextauth.mjs adapter-session --user-id ID [--expires-in SECONDS] [--token T]
  node nextauth.mjs get-session --cookie 'HEADER VALUE' [--secret S] [--strategy database|jwt]
       [--max-age S] [--update-age S] [--secure-url]`;

class UsageError extends Error {}

// --- arguments ---------------------------------------------------------------

// parseArgs(argv, valued, flags): "--name value" (value taken verbatim, so
// "--exp-offset -3600" works) or "--name=value"; flags take no value.
function parseArgs(argv, valued, flags) {
	const out = {};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (!a.startsWith("--")) throw new UsageError(`unexpected argument: ${a}`);
		let name = a.slice(2);
		let value;
		const eq = name.indexOf("=");
		if (eq >= 0) {
			value = name.slice(eq + 1);
			name = name.slice(0, eq);
		}
		if (flags.includes(name)) {
			if (value !== undefined) throw new UsageError(`--${name} takes no value`);
			out[name] = true;
		} else if (valued.includes(name)) {
			if (value === undefined) {
				if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
				value = argv[++i];
			}
			if (name in out) throw new UsageError(`--${name} given twice`);
			out[name] = value;
		} else {
			throw new UsageError(`unknown option --${name}`);
		}
	}
	return out;
}

function intArg(opts, name, { min = -Number.MAX_SAFE_INTEGER, def } = {}) {
	if (opts[name] === undefined) return def;
	const s = opts[name];
	if (!/^-?[0-9]+$/.test(s)) throw new UsageError(`--${name}: not an integer: ${s}`);
	const n = Number(s);
	if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name}: out of range: ${s}`);
	return n;
}

function need(opts, name) {
	if (opts[name] === undefined || opts[name] === "") throw new UsageError(`--${name} is required`);
	return opts[name];
}

// --- shared pieces -----------------------------------------------------------

// A logger for next-auth that records instead of printing, so stdout stays
// one JSON object; what it recorded is part of the output ("log").
function recordingLogger() {
	const log = [];
	const describe = (m) => {
		if (m instanceof Error) return { name: m.name, message: m.message, errorCode: m.code };
		if (m && m.error instanceof Error) return { name: m.error.name, message: m.error.message };
		return m;
	};
	return {
		log,
		logger: {
			error(code, metadata) {
				log.push({ level: "error", code, ...describe(metadata) });
			},
			warn(code) {
				log.push({ level: "warn", code });
			},
			debug() {},
		},
	};
}

let pool = null;

async function getPool() {
	if (pool) return pool;
	const { default: pg } = await import("pg");
	const config = pgEnv((msg) => new UsageError(msg));
	pool = new pg.Pool({ ...config, max: 2, connectionTimeoutMillis: 5000 });
	return pool;
}

async function adapter() {
	const { default: PostgresAdapter } = await import("@auth/pg-adapter");
	return PostgresAdapter(await getPool());
}

// Cookie pairs and Set-Cookie lines for a list of next-auth cookie objects
// ({name, value, options}), serialized the way next-auth/next does.
function describeCookies(list) {
	const { serialize } = requireFromNextAuth("cookie");
	return {
		cookies: list.map((c) => [c.name, c.value]),
		cookieHeader: list.map((c) => `${c.name}=${c.value}`).join("; "),
		setCookies: list.map((c) => serialize(c.name, c.value, c.options)),
	};
}

// --- commands ----------------------------------------------------------------

// jwt: a session token as next-auth v4 issues it at sign-in (routes/callback.js:
// defaultToken {name, email, picture, sub}, jwt.encode, sessionStore.chunk with
// expires = now + maxAge), through next-auth's own encode and SessionStore.
async function cmdJwt(argv) {
	const opts = parseArgs(
		argv,
		["secret", "email", "name", "sub", "picture", "max-age", "exp-offset", "pad", "cookie-name"],
		["secure"],
	);
	const secret = need(opts, "secret");
	const maxAge = intArg(opts, "max-age", { def: 30 * 24 * 60 * 60 });
	// encode() sets exp = now + maxAge; a negative offset gives a token
	// whose exp is already in the past.
	const expOffset = intArg(opts, "exp-offset", { def: maxAge });
	const pad = intArg(opts, "pad", { min: 0, def: 0 });

	const { encode } = require("next-auth/jwt");
	const { SessionStore, defaultCookies } = nextAuthFile("core/lib/cookie.js");

	const token = {
		name: opts.name ?? "Compat User",
		email: opts.email ?? "compat@example.com",
		picture: opts.picture ?? null,
		sub: opts.sub ?? "1",
	};
	if (pad > 0) token.pad = randomBytes(pad).toString("base64url").slice(0, pad);

	const jwt = await encode({ token, secret, maxAge: expOffset });

	const sessionCookie = defaultCookies(!!opts.secure).sessionToken;
	if (opts["cookie-name"] !== undefined) sessionCookie.name = opts["cookie-name"];
	const { logger } = recordingLogger();
	const store = new SessionStore(sessionCookie, { cookies: {}, headers: {} }, logger);
	const expires = new Date(Date.now() + maxAge * 1000);
	const chunks = store.chunk(jwt, { expires });
	return { token: jwt, ...describeCookies(chunks), claims: token };
}

// jwt-v5: an Auth.js v5 session token from @auth/core/jwt (salt = the cookie
// name, as @auth/core does for its session cookie).
async function cmdJwtV5(argv) {
	const opts = parseArgs(argv, ["secret", "email", "name", "sub", "cookie-name"], ["secure"]);
	const secret = need(opts, "secret");
	const { encode } = await import("@auth/core/jwt");
	const name = opts["cookie-name"] ?? `${opts.secure ? "__Secure-" : ""}authjs.session-token`;
	const token = {
		name: opts.name ?? "Compat User",
		email: opts.email ?? "compat@example.com",
		picture: null,
		sub: opts.sub ?? "1",
	};
	const jwt = await encode({ token, secret, salt: name });
	return { token: jwt, cookies: [[name, jwt]], cookieHeader: `${name}=${jwt}`, salt: name };
}

async function cmdAdapterUser(argv) {
	const opts = parseArgs(argv, ["email", "name"], []);
	const email = need(opts, "email");
	const a = await adapter();
	const user = await a.createUser({ name: opts.name ?? null, email, emailVerified: null, image: null });
	return user;
}

// adapter-session: createSession as next-auth v4's callback handler calls it
// (core/lib/callback-handler.js): sessionToken from options.session
// .generateSessionToken() of next-auth's own init(), expires = fromDate(...).
async function cmdAdapterSession(argv) {
	const opts = parseArgs(argv, ["user-id", "expires-in", "token"], []);
	const userId = need(opts, "user-id");
	const { init } = nextAuthFile("core/init.js");
	const { fromDate } = nextAuthFile("core/lib/utils.js");
	const { logger } = recordingLogger();
	nextAuthFile("utils/logger.js").setLogger(logger, false);
	const { options } = await init({
		authOptions: { secret: "unused", providers: [], logger },
		action: "session",
		origin: "http://localhost",
		cookies: {},
		isPost: false,
	});
	const expiresIn = intArg(opts, "expires-in", { def: options.session.maxAge });
	const sessionToken = opts.token ?? (await options.session.generateSessionToken());
	const a = await adapter();
	const row = await a.createSession({ sessionToken, userId, expires: fromDate(expiresIn) });
	return {
		sessionToken: row.sessionToken,
		expires: row.expires.toISOString(),
		userId: row.userId,
		id: row.id,
	};
}

// get-session: getServerSession(req, res, authOptions) from next-auth/next,
// the pages-router form (3 arguments), which does not load the "next"
// package.  It replaces authOptions.providers with [] itself.
async function cmdGetSession(argv) {
	const opts = parseArgs(
		argv,
		["cookie", "secret", "strategy", "max-age", "update-age"],
		["secure-url"],
	);
	if (opts.cookie === undefined) throw new UsageError("--cookie is required (may be empty)");
	const strategy = opts.strategy ?? "database";
	if (strategy !== "database" && strategy !== "jwt") {
		throw new UsageError(`--strategy: database or jwt, not ${strategy}`);
	}
	const maxAge = intArg(opts, "max-age");
	const updateAge = intArg(opts, "update-age");

	// detectOrigin() reads NEXTAUTH_URL on every call; its scheme decides
	// useSecureCookies, hence the cookie names.
	process.env.NEXTAUTH_URL = opts["secure-url"] ? "https://localhost" : "http://localhost";

	const { getServerSession } = require("next-auth/next");
	const { parse } = requireFromNextAuth("cookie");
	const { log, logger } = recordingLogger();

	const session = { strategy };
	if (maxAge !== undefined) session.maxAge = maxAge;
	if (updateAge !== undefined) session.updateAge = updateAge;
	const authOptions = {
		session,
		adapter: strategy === "database" ? await adapter() : undefined,
		providers: [],
		logger,
	};
	if (opts.secret !== undefined) authOptions.secret = opts.secret;

	// A Next.js pages-router request: lowercase headers, req.cookies parsed
	// from the Cookie header (Next.js: getCookieParser -> cookie.parse, {}
	// when there is no header).
	const headers = { host: "localhost" };
	if (opts.cookie !== "") headers.cookie = opts.cookie;
	const req = {
		method: "GET",
		url: "/api/places",
		headers,
		cookies: opts.cookie !== "" ? parse(opts.cookie) : {},
		query: {},
	};
	const resHeaders = {};
	const res = {
		getHeader: (n) => resHeaders[n.toLowerCase()],
		setHeader: (n, v) => {
			resHeaders[n.toLowerCase()] = v;
			return res;
		},
	};

	const result = await getServerSession(req, res, authOptions);
	let setCookies = resHeaders["set-cookie"] ?? [];
	if (!Array.isArray(setCookies)) setCookies = [setCookies];
	return { session: result ?? null, setCookies, log };
}

// --- main --------------------------------------------------------------------

const commands = {
	jwt: cmdJwt,
	"jwt-v5": cmdJwtV5,
	"adapter-user": cmdAdapterUser,
	"adapter-session": cmdAdapterSession,
	"get-session": cmdGetSession,
};

async function main() {
	const [cmd, ...argv] = process.argv.slice(2);
	if (cmd === "-h" || cmd === "--help" || cmd === "help") {
		process.stdout.write(USAGE + "\n");
		return 0;
	}
	const fn = commands[cmd];
	if (!fn) throw new UsageError(cmd ? `unknown command: ${cmd}` : "no command");
	const out = await fn(argv);
	process.stdout.write(JSON.stringify(out) + "\n");
	return 0;
}

let rc;
try {
	rc = await main();
} catch (e) {
	if (e instanceof UsageError) {
		process.stderr.write(`nextauth.mjs: ${e.message}\n${USAGE}\n`);
	} else {
		process.stderr.write(`nextauth.mjs: ${e && e.stack ? e.stack : e}\n`);
	}
	rc = 1;
} finally {
	if (pool) await pool.end().catch(() => {});
}
process.exitCode = rc;
