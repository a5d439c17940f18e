#!/usr/bin/env node
// The Auth.js v5 oracle: mints session cookies with @auth/core's own
// encode() and SessionStore, and answers "what would getToken() return for
// this request?" with @auth/core's own getToken()/decode(), exactly as
// package-lock.json pins it (@auth/core 0.41.3, which next-auth 5.0.0-beta
// .32 depends on).  Nothing here re-implements its crypto or cookie logic.
//
//   node authjs.mjs mint --secret S [--email E] [--name N] [--sub X]
//        [--max-age SECONDS] [--pad BYTES] [--secure] [--cookie-name NAME]
//   node authjs.mjs get-token (--cookie 'HEADER VALUE' | --bearer TOKEN)
//        [--secure] [--cookie-name NAME]
//   node authjs.mjs vectors | vectors-h
//
// get-token takes its secrets from the environment as Auth.js does:
// @auth/core's own setEnvDefaults() (AUTH_SECRET, AUTH_SECRET_1..3), with
// next-auth 5's fallback to NEXTAUTH_SECRET when AUTH_SECRET is unset
// (next-auth 5.0.0-beta.32 lib/env.js l.21: config.secret ??= AUTH_SECRET
// ?? NEXTAUTH_SECRET), which is what the worker reads (lib/config.h).
//
// vectors prints the known-answer vectors tests/unit/test_jwe.c checks
// (tests/unit/jwe_vectors.h is `vectors-h`, the same as C): tokens minted by encode() and, for cases encode() cannot
// write (A256GCM, no kid, a claim set of our choice), by jose's own
// EncryptJWT under the key @auth/core derives, each with what @auth/core's
// decode() says of it at the vectors' fixed time.
//
// Output: one JSON object on stdout; exit 1 with a message on a usage or
// runtime error.

import { encode, decode, getToken } from "@auth/core/jwt";
import { setEnvDefaults } from "@auth/core";
import { createRequire } from "node:module";
import { parseArgs as utilParseArgs } from "node:util";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { hkdf } from "@panva/hkdf";
import { EncryptJWT, base64url, calculateJwkThumbprint } from "jose";

// SessionStore is not in @auth/core's "exports": loaded by file path from
// the same installed copy that getToken() uses.
const coreRoot = path.dirname(createRequire(import.meta.url).resolve("@auth/core/jwt"));
const { SessionStore } = await import(pathToFileURL(path.join(coreRoot, "lib/utils/cookie.js")).href);

const USAGE = `usage:
  node authjs.mjs mint --secret S [--email E] [--name N] [--sub X] [--max-age SECONDS]
       [--pad BYTES] [--secure] [--cookie-name NAME]
  node authjs.mjs get-token (--cookie 'HEADER VALUE' | --bearer TOKEN) [--secure] [--cookie-name NAME]
  node authjs.mjs vectors`;

class UsageError extends Error {}

// Node's own parser (options --name value, or --name=value for a value
// that starts with "-"); unknown options are usage errors.
function parseArgs(argv, valued, flags) {
	const options = {};
	for (const n of valued) options[n] = { type: "string" };
	for (const n of flags) options[n] = { type: "boolean" };
	try {
		return utilParseArgs({ args: argv, options, strict: true }).values;
	} catch (e) {
		throw new UsageError(e.message);
	}
}

// @auth/core's logger interface; stdout carries the answer only.
const quiet = { error() {}, warn() {}, debug() {} };

const cookieName = (opts) =>
	opts["cookie-name"] ?? `${opts.secure ? "__Secure-" : ""}authjs.session-token`;

// The secrets as an Auth.js v5 app has them from this environment.
export function envSecrets(env = process.env) {
	const config = { providers: [] };
	config.secret ??= env.AUTH_SECRET ?? env.NEXTAUTH_SECRET;
	// next-auth 5 hands core a string; core makes the list when it has none.
	if (typeof config.secret === "string") config.secret = undefined;
	setEnvDefaults(env, config, true);
	if (!config.secret.length && env.NEXTAUTH_SECRET) config.secret = [env.NEXTAUTH_SECRET];
	return config.secret;
}

async function cmdMint(argv) {
	const opts = parseArgs(argv, ["secret", "email", "name", "sub", "max-age", "pad", "cookie-name"], ["secure"]);
	if (opts.secret === undefined) throw new UsageError("--secret is required");
	const name = cookieName(opts);
	const token = {
		name: opts.name ?? "Auth.js User",
		email: opts.email ?? "authjs@example.com",
		picture: null,
		sub: opts.sub ?? "1",
	};
	if (opts.pad) token.pad = "x".repeat(Number(opts.pad));
	const maxAge = opts["max-age"] === undefined ? undefined : Number(opts["max-age"]);
	const jwt = await encode({ token, secret: opts.secret, salt: name, maxAge });
	const store = new SessionStore({ name, options: { secure: !!opts.secure } }, {}, quiet);
	const chunks = store.chunk(jwt, {});
	const cookies = chunks.map((c) => [c.name, c.value]);
	return {
		token: jwt,
		salt: name,
		cookies,
		cookieHeader: cookies.map(([n, v]) => `${n}=${v}`).join("; "),
	};
}

async function cmdGetToken(argv) {
	const opts = parseArgs(argv, ["cookie", "bearer", "cookie-name"], ["secure"]);
	const headers = {};
	if (opts.cookie !== undefined) headers.cookie = opts.cookie;
	if (opts.bearer !== undefined) headers.authorization = `Bearer ${opts.bearer}`;
	const token = await getToken({
		req: { headers },
		secret: envSecrets(),
		secureCookie: !!opts.secure,
		...(opts["cookie-name"] && { cookieName: opts["cookie-name"] }),
		logger: quiet,
	});
	return { token };
}

// Vectors: fixed secrets, salts and time; the tokens are fresh each run,
// their verdicts @auth/core's.
const VEC_NOW = 1800000000;
const VEC_SECRETS = ["vector-secret-current", "vector-secret-old"];

async function derived(enc, secret, salt) {
	const len = enc === "A256GCM" ? 32 : 64;
	return hkdf("sha256", secret, salt, `Auth.js Generated Encryption Key (${salt})`, len);
}

async function craft(enc, secret, salt, claims, { kid = true } = {}) {
	const key = await derived(enc, secret, salt);
	const header = { alg: "dir", enc };
	if (kid)
		header.kid = await calculateJwkThumbprint({ kty: "oct", k: base64url.encode(key) },
			`sha${key.byteLength << 3}`);
	return new EncryptJWT(claims).setProtectedHeader(header).encrypt(key);
}

// atTime(seconds, fn): fn() with the clock stopped at that time, for
// @auth/core (Date.now()) and jose (new Date()) alike.
export async function atTime(seconds, fn) {
	const RealDate = globalThis.Date;
	class FixedDate extends RealDate {
		constructor(...a) { if (a.length) super(...a); else super(seconds * 1000); }
		static now() { return seconds * 1000; }
	}
	globalThis.Date = FixedDate;
	try {
		return await fn();
	} finally {
		globalThis.Date = RealDate;
	}
}

async function verdict(token, salt, secrets) {
	try {
		const p = await atTime(VEC_NOW, () => decode({ token, secret: secrets, salt }));
		return p && typeof p.email === "string" ? { ok: true, email: p.email, sub: p.sub ?? "" } : { ok: false };
	} catch {
		return { ok: false };
	}
}

async function cmdVectors() {
	const S = "authjs.session-token", SS = "__Secure-authjs.session-token", RENAMED = "my.session";
	const claims = { email: "v@example.com", name: "Vee", sub: "user-42", iat: VEC_NOW - 10, exp: VEC_NOW + 3600 };
	const out = [];
	const add = async (what, token, salt, secrets, worker) => {
		const v = await verdict(token, salt, secrets);
		out.push({ what, token, salt, secrets, ok: v.ok, email: v.email ?? "", sub: v.sub ?? "", ...(worker && { worker }) });
	};
	const mint = (secret, salt, token) => atTime(VEC_NOW, () => encode({ token, secret, salt }));
	const minted = await mint(VEC_SECRETS[0], S, { email: "v@example.com", name: "Vee", sub: "user-42" });
	// For tests/unit/test_session_jwt.c, which reads the real clock: made
	// in 2023 (iat in the past) to live a hundred years.
	const lasting = (secret, salt) => atTime(1700000000, () =>
		encode({ token: { email: "s@example.com", sub: "user-7" }, secret, salt, maxAge: 100 * 365 * 86400 }));
	const mintedSecure = await mint(VEC_SECRETS[0], SS, { email: "v@example.com", sub: "user-42" });
	const mintedOld = await mint(VEC_SECRETS[1], S, { email: "v@example.com", sub: "user-42" });
	await add("encode(): A256CBC-HS512 with kid", minted, S, VEC_SECRETS);
	await add("encode(): __Secure- salt", mintedSecure, SS, VEC_SECRETS);
	await add("encode(): under the other salt", mintedSecure, S, VEC_SECRETS);
	await add("encode(): the old secret, rotated (kid picks it)", mintedOld, S, VEC_SECRETS);
	await add("encode(): the old secret, not configured", mintedOld, S, [VEC_SECRETS[0]]);
	await add("encode(): wrong secret", minted, S, ["another-secret"]);
	await add("lasting: plain name", await lasting(VEC_SECRETS[0], S), S, VEC_SECRETS);
	await add("lasting: __Secure- name", await lasting(VEC_SECRETS[0], SS), SS, VEC_SECRETS);
	await add("lasting: a renamed cookie", await lasting(VEC_SECRETS[0], RENAMED), RENAMED, VEC_SECRETS);
	await add("A256GCM with kid", await craft("A256GCM", VEC_SECRETS[0], S, claims), S, VEC_SECRETS);
	await add("A256GCM, old secret with kid", await craft("A256GCM", VEC_SECRETS[1], S, claims), S, VEC_SECRETS);
	await add("A256CBC-HS512 without kid: first secret", await craft("A256CBC-HS512", VEC_SECRETS[0], S, claims, { kid: false }), S, VEC_SECRETS);
	await add("A256CBC-HS512 without kid: second secret is not tried", await craft("A256CBC-HS512", VEC_SECRETS[1], S, claims, { kid: false }), S, VEC_SECRETS);
	await add("A256GCM without kid: first secret", await craft("A256GCM", VEC_SECRETS[0], S, claims, { kid: false }), S, VEC_SECRETS);
	await add("expired (exp = now - 16)", await craft("A256CBC-HS512", VEC_SECRETS[0], S, { ...claims, exp: VEC_NOW - 16 }), S, VEC_SECRETS);
	await add("expired within tolerance (exp = now - 14)", await craft("A256CBC-HS512", VEC_SECRETS[0], S, { ...claims, exp: VEC_NOW - 14 }), S, VEC_SECRETS);
	await add("fractional exp", await craft("A256CBC-HS512", VEC_SECRETS[0], S, { ...claims, exp: VEC_NOW + 0.5 }), S, VEC_SECRETS);
	await add("nbf in the future", await craft("A256CBC-HS512", VEC_SECRETS[0], S, { ...claims, nbf: VEC_NOW + 60 }), S, VEC_SECRETS);
	await add("nbf a string", await craft("A256CBC-HS512", VEC_SECRETS[0], S, { ...claims, nbf: "1" }), S, VEC_SECRETS);
	// Tampering: one character of the ciphertext, the tag, the iv.
	const flip = (tok, part) => {
		const p = tok.split(".");
		const s = p[part];
		const i = Math.floor(s.length / 2);
		p[part] = s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
		return p.join(".");
	};
	await add("tampered ciphertext", flip(minted, 3), S, VEC_SECRETS);
	await add("tampered tag", flip(minted, 4), S, VEC_SECRETS);
	await add("tampered iv", flip(minted, 2), S, VEC_SECRETS);
	return { now: VEC_NOW, vectors: out };
}

// vectors-h: the same as a C header for tests/unit/test_jwe.c.
async function cmdVectorsH() {
	const { now, vectors } = await cmdVectors();
	const c = (s) => JSON.stringify(s);	// ASCII only here: valid C too
	const lines = [
		"/*",
		" * jwe_vectors.h - generated by `node tests/compat/authjs.mjs vectors-h`",
		" * from the real @auth/core (tests/compat/package-lock.json): tokens made",
		" * by its encode() or by jose under its derived key, with its decode()'s",
		" * verdict at JWE_VEC_NOW.  Do not edit; regenerate.",
		" */",
		`#define JWE_VEC_NOW	${now}`,
		"",
		"static const struct jwe_vector {",
		"	const char	*what, *token, *salt, *secrets[2];",
		"	size_t		 nsecrets;",
		"	bool		 ok;",
		"	const char	*email, *sub;",
		"} jwe_vectors[] = {",
	];
	for (const v of vectors)
		lines.push(`	{ ${c(v.what)},
	    ${c(v.token)},
	    ${c(v.salt)}, { ${v.secrets.map(c).join(", ")} }, ${v.secrets.length},
	    ${v.ok}, ${c(v.email)}, ${c(v.sub)} },`);
	lines.push("};");
	return lines.join("\n");
}

const commands = { mint: cmdMint, "get-token": cmdGetToken, vectors: cmdVectors, "vectors-h": cmdVectorsH };

if (import.meta.url === `file://${process.argv[1]}`) {
	const [cmd, ...rest] = process.argv.slice(2);
	try {
		if (!commands[cmd]) throw new UsageError(cmd ? `unknown command ${cmd}` : "no command");
		const r = await commands[cmd](rest);
		process.stdout.write((typeof r === "string" ? r : JSON.stringify(r)) + "\n");
	} catch (e) {
		process.stderr.write(`authjs.mjs: ${e instanceof UsageError ? `${e.message}\n${USAGE}` : e.stack ?? e}\n`);
		process.exit(1);
	}
}
