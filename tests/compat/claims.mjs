#!/usr/bin/env node
// The claim table (claims.json) against the real decoders: for each case
// and format, encrypt it under the key the package derives, ask the
// package's own decode() at the fixed time NOW, ask the worker's decoder
// (build/tests/jwtcheck, lib/jwt.c and lib/jwe.c), and assert agreement.
//
//   node claims.mjs PATH/TO/jwtcheck
//
// Output: TAP-like lines ("ok - ..." / "not ok - ...") and a summary line
// "# N checks, M failed"; exit 1 when any check failed or could not run.
//
// The encryption here only builds inputs: the JWE compact form of RFC 7516
// with AES-256-GCM or AES-256-CBC + HMAC-SHA-512 (RFC 7518 5.2), keyed by
// @panva/hkdf with the parameters the packages use (next-auth 4.24.15
// jwt/index.js l.103-105; @auth/core 0.41.3 jwt.js getDerivedEncryptionKey;
// tests/compat/SOURCES.md).  The first case, which both decoders must
// accept, proves those keys are the packages' own; the verdicts are always
// the packages'.

import { createRequire } from "node:module";
import { spawnSync } from "node:child_process";
import { createCipheriv, createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hkdf } from "@panva/hkdf";
import { base64url, calculateJwkThumbprint } from "jose";
import { decode as decodeV5 } from "@auth/core/jwt";
import { atTime } from "./authjs.mjs";

const require = createRequire(import.meta.url);
const { decode: decodeV4 } = require("next-auth/jwt");

const here = path.dirname(fileURLToPath(import.meta.url));
const NOW = 1800000000;
const SECRET = "claims-table-secret";
const SALT = "authjs.session-token";

const b64u = (b) => Buffer.from(b).toString("base64url");

async function keyFor(fmt, enc) {
	const len = enc === "A256GCM" ? 32 : 64;
	return fmt === "v4"
		? hkdf("sha256", SECRET, "", "NextAuth.js Generated Encryption Key", len)
		: hkdf("sha256", SECRET, SALT, `Auth.js Generated Encryption Key (${SALT})`, len);
}

function encrypt(enc, key, headerText, plaintext) {
	const h = b64u(headerText);
	const pt = Buffer.from(plaintext);
	let iv, ct, tag;
	if (enc === "A256GCM") {
		iv = randomBytes(12);
		const c = createCipheriv("aes-256-gcm", key, iv);
		c.setAAD(Buffer.from(h));
		ct = Buffer.concat([c.update(pt), c.final()]);
		tag = c.getAuthTag();
	} else {
		iv = randomBytes(16);
		const c = createCipheriv("aes-256-cbc", key.subarray(32), iv);
		ct = Buffer.concat([c.update(pt), c.final()]);
		const al = Buffer.alloc(8);
		al.writeBigUInt64BE(BigInt(h.length * 8));
		tag = createHmac("sha512", key.subarray(0, 32))
			.update(Buffer.concat([Buffer.from(h), iv, ct, al])).digest().subarray(0, 32);
	}
	return `${h}..${b64u(iv)}.${b64u(ct)}.${b64u(tag)}`;
}

const withNow = (text) =>
	text.replace(/NOW(?:([+-])([0-9.]+))?/g, (_, sign, n) =>
		String(n === undefined ? NOW : sign === "+" ? NOW + Number(n) : NOW - Number(n)));

async function oracle(fmt, token) {
	try {
		const p = await atTime(NOW, () =>
			fmt === "v4" ? decodeV4({ token, secret: SECRET }) : decodeV5({ token, secret: SECRET, salt: SALT }));
		return p !== null && p !== undefined;
	} catch {
		return false;
	}
}

const jwtcheck = process.argv[2];
if (!jwtcheck) {
	console.error("usage: node claims.mjs PATH/TO/jwtcheck");
	process.exit(1);
}
const table = JSON.parse(readFileSync(path.join(here, "claims.json"), "utf8"));

const rows = [];
for (const c of table.cases) {
	for (const fmt of c.formats ?? ["v4", "v5"]) {
		const enc = c.enc ?? (fmt === "v4" ? "A256GCM" : "A256CBC-HS512");
		const key = await keyFor(fmt, enc);
		const kid = await calculateJwkThumbprint({ kty: "oct", k: base64url.encode(key) }, `sha${key.byteLength << 3}`);
		const header = (c.header ?? (fmt === "v4" ? '{"alg":"dir","enc":"ENC"}' : '{"alg":"dir","enc":"ENC","kid":"KID"}'))
			.replace("ENC", enc).replace("KID", kid);
		const token = encrypt(enc, key, header, withNow(c.claims));
		const want = typeof c.oracle === "object" ? c.oracle[fmt] : c.oracle;
		rows.push({ c, fmt, token, want, said: await oracle(fmt, token) });
	}
}

const input = rows.map((r) => `${r.fmt} ${r.fmt === "v4" ? "-" : SALT} ${r.token}\n`).join("");
const run = spawnSync(jwtcheck, [SECRET, String(NOW)], { input, encoding: "utf8" });
const answers = run.status === 0 ? run.stdout.split("\n") : [];
let checks = 0, failed = 0;
const check = (ok, what) => {
	checks++;
	if (!ok) failed++;
	console.log(`${ok ? "ok" : "not ok"} - ${what}`);
};
check(run.status === 0 && answers.length >= rows.length, `jwtcheck answers every case${run.status === 0 ? "" : `: ${run.stderr || run.error}`}`);
rows.forEach((r, i) => {
	const a = answers[i] ?? "no answer";
	const worker = a.startsWith("ok ");
	const label = `${r.fmt} ${r.c.what}`;
	check(r.said === r.want, `${label}: the package's decode ${r.said ? "accepts" : "refuses"}, as the table records`);
	if (r.c.stricter)
		check(!worker, `${label}: worker refuses where the package accepts (${r.c.stricter}) [${a}]`);
	else
		check(worker === r.said, `${label}: worker ${worker ? "accepts" : "refuses"}, the package ${r.said ? "accepts" : "refuses"} [${a}]`);
});
console.log(`# ${checks} checks, ${failed} failed (${table.cases.length} cases)`);
process.exit(failed ? 1 : 0);
