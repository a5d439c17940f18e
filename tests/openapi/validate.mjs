// Checks an OpenAPI 3.1 document, by default docs/openapi.yaml:
//
//   1. it is valid against the official OpenAPI 3.1 JSON Schema, and every
//      $ref in it resolves (@seriousme/openapi-schema-validator, pinned in
//      package-lock.json);
//   2. every Schema Object in it is a sound JSON Schema 2020-12 (ajv in
//      strict mode: the official schema does not look inside them, so a
//      misspelt "maxLenght" would pass step 1);
//   3. every example matches its schema;
//   4. the checks are not blind: broken copies of the document, one defect
//      each, are rejected.
//
//   node tests/openapi/validate.mjs [FILE]
//
// One "ok - ..." or "not ok - ... (got ...)" line per check, like the rest
// of the suite; exit status 1 if any check failed.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";

const addFormats = addFormatsModule.default ?? addFormatsModule;
const here = dirname(fileURLToPath(import.meta.url));
const file = resolve(process.argv[2] ?? resolve(here, "../../docs/openapi.yaml"));
const shown = relative(resolve(here, "../.."), file);	// as the repository names it
const require = createRequire(import.meta.url);
const validatorVersion =
	require("@seriousme/openapi-schema-validator/package.json").version;

let failed = 0;
function ok(what) {
	console.log(`ok - ${what}`);
}
function notOk(what, got) {
	failed++;
	console.log(`not ok - ${what} (got ${String(got).replace(/\s+/g, " ").slice(0, 300)})`);
}

// --- the JSON Schema checks (2 and 3) -----------------------------------------

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

// Every Schema Object of the document and every example that goes with
// one, as [where, schema, examples] (where is a JSON pointer).  $refs to
// parameters, responses, ... are followed, so each is seen where used too.
function collect(doc) {
	const out = [];
	const deref = (x) => {
		for (let i = 0; x && typeof x.$ref === "string" && i < 10; i++)
			x = pointer(doc, x.$ref);
		return x;
	};
	const media = (where, content) => {
		for (const [type, m] of Object.entries(content ?? {})) {
			if (!m?.schema) continue;
			const ex = [];
			if ("example" in m) ex.push(m.example);
			for (const e of Object.values(m.examples ?? {}))
				if ("value" in (deref(e) ?? {})) ex.push(deref(e).value);
			out.push([`${where}/content/${esc(type)}`, m.schema, ex]);
		}
	};
	const param = (where, p) => {
		p = deref(p);
		if (p?.schema)
			out.push([`${where}/schema`, p.schema, "example" in p ? [p.example] : []]);
		media(where, p?.content);
	};
	const headers = (where, hs) => {
		for (const [n, h] of Object.entries(hs ?? {})) param(`${where}/headers/${esc(n)}`, h);
	};
	const response = (where, r) => {
		r = deref(r);
		headers(where, r?.headers);
		media(where, r?.content);
	};
	const operation = (where, op) => {
		for (const [i, p] of (op.parameters ?? []).entries()) param(`${where}/parameters/${i}`, p);
		if (op.requestBody) media(`${where}/requestBody`, deref(op.requestBody)?.content);
		for (const [code, r] of Object.entries(op.responses ?? {}))
			response(`${where}/responses/${code}`, r);
	};
	for (const [path, item] of Object.entries(doc.paths ?? {})) {
		const where = `#/paths/${esc(path)}`;
		for (const [i, p] of (item.parameters ?? []).entries()) param(`${where}/parameters/${i}`, p);
		for (const m of METHODS) if (item[m]) operation(`${where}/${m}`, item[m]);
		if (item["x-other-methods"]) operation(`${where}/x-other-methods`, item["x-other-methods"]);
	}
	for (const [name, s] of Object.entries(doc.components?.schemas ?? {}))
		out.push([`#/components/schemas/${esc(name)}`, s, s.examples ?? []]);
	return out;
}

function esc(s) {
	return s.replace(/~/g, "~0").replace(/\//g, "~1");
}

function pointer(doc, ref) {
	if (!ref.startsWith("#")) return undefined;
	let x = doc;
	for (const part of ref.slice(1).split("/").slice(1))
		x = x?.[decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~")];
	return x;
}

// The document's refs to components/schemas, pointed at DEFS, the schema
// that holds them all as $defs (added to ajv once).
const DEFS = "https://places-fcgi.invalid/components.json";
function rewrite(x) {
	if (Array.isArray(x)) return x.map(rewrite);
	if (x === null || typeof x !== "object") return x;
	const y = {};
	for (const [k, v] of Object.entries(x))
		y[k] = k === "$ref" && typeof v === "string"
			? v.replace(/^#\/components\/schemas\//, `${DEFS}#/$defs/`)
			: rewrite(v);
	return y;
}

// Checks 2 and 3 on doc; returns the list of problems.
function schemaProblems(doc) {
	// strictRequired off: "required" next to a $ref names properties that
	// the referenced schema defines (PlaceReplace), which is sound 2020-12.
	const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true,
		allowUnionTypes: true });
	addFormats(ajv);
	// The OpenAPI 3.1 base vocabulary, on top of JSON Schema 2020-12.
	for (const k of ["discriminator", "xml", "externalDocs", "example"]) ajv.addKeyword(k);
	const problems = [];
	try {
		ajv.addSchema({ $id: DEFS, $defs: rewrite(doc.components?.schemas ?? {}) });
	} catch (e) {
		return [`#/components/schemas: ${e.message}`];
	}
	const compiled = new Map();	// the same schema is used in many places
	for (const [where, schema, examples] of collect(doc)) {
		const key = JSON.stringify(schema);
		let validate = compiled.get(key);
		if (validate === undefined) {
			try {
				validate = ajv.compile(rewrite(schema));
			} catch (e) {
				validate = null;
				problems.push(`${where}: ${e.message}`);
			}
			compiled.set(key, validate);
		}
		if (validate === null) continue;
		for (const ex of examples)
			if (!validate(ex))
				problems.push(`${where}: example ${JSON.stringify(ex).slice(0, 60)}: ${ajv.errorsText(validate.errors)}`);
	}
	return problems;
}

// --- the checks ------------------------------------------------------------------

const validator = new Validator();	// compiles the official schema once
async function official(doc) {
	const res = await validator.validate(structuredClone(doc));
	return res.valid ? null : JSON.stringify(res.errors ?? "invalid");
}

let text, doc;
try {
	text = readFileSync(file, "utf8");
	doc = parse(text);
	ok(`${shown} parses as YAML`);
} catch (e) {
	notOk(`${shown} parses as YAML`, e.message);
	process.exit(1);
}

if (typeof doc?.openapi === "string" && /^3\.1\.\d+$/.test(doc.openapi))
	ok(`${shown} declares OpenAPI 3.1 (${doc.openapi})`);
else
	notOk(`${shown} declares OpenAPI 3.1`, doc?.openapi);

const err = await official(doc);
if (err === null)
	ok(`${shown} is valid OpenAPI 3.1 (official schema, @seriousme/openapi-schema-validator ${validatorVersion})`);
else
	notOk(`${shown} is valid OpenAPI 3.1`, err);

const problems = schemaProblems(doc);
const nSchemas = collect(doc).length;
if (problems.length === 0)
	ok(`${shown}: every Schema Object (${nSchemas} uses) is sound JSON Schema 2020-12, every example matches its schema`);
else
	notOk(`${shown}: schemas and examples`, `${problems.length} problems: ${problems.join("; ")}`);

// Negative self-checks: one defect each, and the check that must see it.
const broken = [
	["a status code that is not one (600)", "official", (d) => {
		d.paths["/api/places"].get.responses["600"] = { description: "x" };
	}],
	["a response without its description", "official", (d) => {
		d.paths["/api/places"].post.responses["201"] = { content: {} };
	}],
	["a $ref to a schema that does not exist", "official", (d) => {
		d.components.schemas.Place.properties.id = { $ref: "#/components/schemas/Nope" };
	}],
	["no info", "official", (d) => {
		delete d.info;
	}],
	["a misspelt keyword in a Schema Object (maxLenght)", "schemas", (d) => {
		d.components.schemas.Line.maxLenght = 200;
	}],
	["an example that breaks its schema", "schemas", (d) => {
		d.paths["/api/places"].post.responses["201"].content["application/json"].example.id = "not-a-uuid";
	}],
];
for (const [what, check, mutate] of broken) {
	const copy = structuredClone(doc);
	try {
		mutate(copy);
	} catch (e) {
		notOk(`a broken copy (${what}) can be made`, e.message);
		continue;
	}
	// Rejected for this defect: a problem the document itself does not have.
	let rejected;
	if (check === "official")
		rejected = err === null && (await official(copy)) !== null;
	else
		rejected = schemaProblems(copy).some((p) => !problems.includes(p));
	if (rejected)
		ok(`a broken copy (${what}) is rejected`);
	else
		notOk(`a broken copy (${what}) is rejected`,
			check === "official" && err !== null ? "the document itself is invalid" : "accepted");
}

process.exit(failed ? 1 : 0);
