// Compares the statuses the integration suite got with those an OpenAPI
// document lists:
//
//   node tests/openapi/coverage.mjs SPEC STATUSES
//
// STATUSES has one response per line, "METHOD TARGET STATUS", as
// tests/integration/lib.sh records them (TARGET as sent: the raw path and
// query).  Each response is mapped to an operation of SPEC: the path, up to
// any "?", matched against the path templates (and a path item's
// x-aliases), a template parameter standing for one non-empty segment;
// the method, case-sensitively, to the path item's operation of that name,
// else to its x-other-methods.  Then, one line each:
//
//   ok - GET /api/places 200: listed, seen 104 times
//   not ok - GET /api/places 505: listed (got never seen)
//   not ok - GET /api/places 418: not listed (got seen 2 times, e.g. ...)
//
// and one check that every response could be attributed to a request.
// Responses to paths outside every template (the worker's or nginx's 404
// for /api/placesX, //api/places, ...) and exchanges without a response
// (status 000) are only counted, in "#" lines.  Exit status 1 if any check
// failed.

import { readFileSync } from "node:fs";
import { parse } from "yaml";

const [specFile, statusFile] = process.argv.slice(2);
if (!specFile || !statusFile) {
	console.error("usage: node coverage.mjs SPEC STATUSES");
	process.exit(2);
}
const spec = parse(readFileSync(specFile, "utf8"));
const lines = readFileSync(statusFile, "utf8").split("\n").filter((l) => l !== "");

const METHODS = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"];
const OTHER = "x-other-methods";

// The operations: key "METHOD /template" (or "other methods on /template"),
// with the statuses listed and a count of those seen.
const ops = new Map();
const templates = [];	// [regex, literal?, path item key]
for (const [path, item] of Object.entries(spec.paths ?? {})) {
	for (const p of [path, ...(item["x-aliases"] ?? [])]) {
		const re = new RegExp("^" + p.split(/(\{[^}]+\})/).map((part, i) =>
			i % 2 ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("") + "$");
		templates.push([re, !p.includes("{"), path]);
	}
	const add = (key, op) => ops.set(key, {
		listed: Object.keys(op.responses ?? {}),
		seen: new Map(),	// status -> [count, an example request]
	});
	for (const m of METHODS)
		if (item[m.toLowerCase()]) add(`${m} ${path}`, item[m.toLowerCase()]);
	if (item[OTHER]) add(`other methods on ${path}`, item[OTHER]);
}
// OpenAPI: a literal path wins over a templated one.
templates.sort((a, b) => b[1] - a[1]);

// Whether a listed response key ("404", "4XX", "default") covers a status.
function covers(key, status) {
	return key === status || (/^[1-5]XX$/.test(key) && key[0] === status[0]) ||
		key === "default";
}

let failed = 0, unattributed = [], outside = new Map(), noResponse = 0;
const short = (s) => (s.length > 90 ? s.slice(0, 87) + "..." : s);

for (const l of lines) {
	const m = /^(\S+) (\S+) (\S+)$/.exec(l);
	if (!m || m[1] === "?" || m[2] === "?") {
		unattributed.push(l);
		continue;
	}
	const [, method, target, status] = m;
	if (!/^[1-5]\d\d$/.test(status)) {
		noResponse++;
		continue;
	}
	// origin-form, or absolute-form (RFC 9112, 3.2.2)
	let path = target.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, "");
	path = path.split("?")[0];
	const t = templates.find(([re]) => re.test(path));
	if (!t) {
		outside.set(status, (outside.get(status) ?? 0) + 1);
		continue;
	}
	let key = `${method} ${t[2]}`;
	if (!METHODS.includes(method) || !ops.has(key)) {
		if (ops.has(`other methods on ${t[2]}`))
			key = `other methods on ${t[2]}`;
		else if (!ops.has(key))	// neither served nor described
			ops.set(key, { listed: [], seen: new Map(), undescribed: true });
	}
	const o = ops.get(key);
	const s = o.seen.get(status) ?? [0, `${method} ${short(target)}`];
	s[0]++;
	o.seen.set(status, s);
}

for (const [key, o] of ops) {
	for (const code of [...o.listed].sort()) {
		const n = [...o.seen].filter(([s]) => covers(code, s))
			.reduce((a, [, [c]]) => a + c, 0);
		if (n > 0) {
			console.log(`ok - ${key} ${code}: listed, seen ${n} time${n === 1 ? "" : "s"}`);
		} else {
			failed++;
			console.log(`not ok - ${key} ${code}: listed (got never seen)`);
		}
	}
	for (const [status, [n, example]] of [...o.seen].sort()) {
		if (o.listed.some((code) => covers(code, status))) continue;
		failed++;
		const what = o.undescribed ? "a method the spec does not describe" : "not listed";
		console.log(`not ok - ${key} ${status}: ${what} (got seen ${n} time${n === 1 ? "" : "s"}, e.g. ${example})`);
	}
}

if (unattributed.length === 0) {
	console.log(`ok - each of the ${lines.length} responses recorded is attributed to a request`);
} else {
	failed++;
	console.log(`not ok - each of the ${lines.length} responses recorded is attributed to a request (got ${unattributed.length} not: ${short(unattributed[0])})`);
}
const nOut = [...outside.values()].reduce((a, n) => a + n, 0);
console.log(`# ${nOut} responses to paths outside the spec's templates (${[...outside].sort().map(([s, n]) => `${s} x${n}`).join(", ") || "none"})`);
console.log(`# ${noResponse} exchanges without a response`);
process.exit(failed ? 1 : 0);
