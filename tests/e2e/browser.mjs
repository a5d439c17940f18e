// The browser half of tests/e2e/run.sh: the user story of examples/nextjs
// in Debian's chromium, driven by puppeteer-core.  run.sh has started the
// stack (nginx with examples/nextjs/nginx.conf in front of the worker and
// the address NEXT_PORT for Next.js) and built the app; this script starts
// and stops, by PID, an SMTP sink, `next start` (once per session
// strategy), a page on another origin and chromium.
//
// Prints one "ok - e2e: ..." / "not ok - e2e: ..." line per check, a
// screenshot per step to RESULTS, and "# browser done" at the end.
import { spawn, execFileSync } from "node:child_process";
import { readFileSync, openSync, closeSync } from "node:fs";
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import puppeteer from "puppeteer-core";
import { SMTPServer } from "smtp-server";

const env = (k) => {
  const v = process.env[k];
  if (v === undefined) throw new Error(`${k} is not set`);
  return v;
};
const BASE = env("BASE_URL"); // the one origin: nginx
const NEXT_PORT = Number(env("NEXT_PORT"));
const APP_DIR = env("APP_DIR");
const RESULTS = env("RESULTS");
const STATE_DIR = env("STATE_DIR");
const STACK = env("STACK");
const WORKER_LOG = env("WORKER_LOG");
const OTHER_PLACE_ID = process.env.OTHER_PLACE_ID ?? "";
const COOKIE = "next-auth.session-token";
const MAX_AGE = 30 * 24 * 3600; // NextAuth's and the worker's default
const EMAIL_USER = "alice@example.com";
const JWT_USER = "bob@example.com";
const PASSWORD = "e2e-" + Math.random().toString(36).slice(2);
const TIMEOUT = 15000;

// ---------------------------------------------------------------------------
// Reporting

let shot = 0;
function ok(name) {
  console.log(`ok - e2e: ${name}`);
}
function notOk(name, err) {
  console.log(`not ok - e2e: ${name}: ${String(err?.message ?? err).split("\n")[0]}`);
  if (err?.stack) console.error(err.stack);
}
function assert(cond, what) {
  if (!cond) throw new Error(what);
}
async function screenshot(page, name) {
  shot += 1;
  const file = `${RESULTS}/${String(shot).padStart(2, "0")}-${name.replace(/[^A-Za-z0-9]+/g, "-")}.png`;
  try {
    await page.screenshot({ path: file, fullPage: true });
  } catch (e) {
    console.error(`screenshot ${file}: ${e.message}`);
  }
}
// check NAME FN: one ok / not ok line; false when FN threw.
async function check(name, fn) {
  try {
    await fn();
    ok(name);
    return true;
  } catch (e) {
    notOk(name, e);
    return false;
  }
}

// ---------------------------------------------------------------------------
// Database, through tools/stack.sh psql (the primary, as user places)

function sql(query, ...params) {
  const args = ["psql", STATE_DIR, "-At"];
  params.forEach((p, i) => args.push("-v", `p${i + 1}=${p}`));
  return execFileSync(STACK, args, { input: query, encoding: "utf8" }).trim();
}
const placeCount = () => Number(sql("SELECT count(*) FROM places"));
const placeName = (id) => sql("SELECT name FROM places WHERE id = :'p1'", id);
const sessionRows = (email) =>
  Number(sql(`SELECT count(*) FROM sessions s JOIN users u ON u.id = s."userId"
    WHERE u.email = :'p1'`, email));

// The worker's access line for a request id: proof that the worker, not
// Next.js, answered.
function workerAnswered(requestId, status) {
  const lines = readFileSync(WORKER_LOG, "utf8").split("\n");
  return lines.some((l) => {
    if (!l.includes(requestId)) return false;
    try {
      const j = JSON.parse(l);
      return j.event === "request" && j.request_id === requestId && j.status === status;
    } catch {
      return false;
    }
  });
}
// How many requests METHOD /api/places... the worker answered with STATUS.
function workerCount(method, status) {
  return readFileSync(WORKER_LOG, "utf8").split("\n").filter((l) => {
    if (!l.includes('"event":"request"')) return false;
    try {
      const j = JSON.parse(l);
      return j.method === method && j.status === status;
    } catch {
      return false;
    }
  }).length;
}
async function assertFromWorker(res, status) {
  assert(res, "no response seen");
  assert(res.status() === status, `status ${res.status()}, not ${status}`);
  const id = res.headers()["x-request-id"];
  assert(id, "no X-Request-Id");
  for (let i = 0; i < 20 && !workerAnswered(id, status); i++) await sleep(100);
  assert(workerAnswered(id, status), `the worker's log has no ${status} for request ${id}`);
}

// A signed-out page holds no session cookie, so nginx answers its
// /api/places itself with the worker's 401 (examples/nextjs/nginx.conf,
// as nginx.conf.example; tests/integration/cases/83-shed.sh proves the
// bytes the same): the exact 401, and no access line of the worker's.
async function assertShed401(res) {
  assert(res, "no response seen");
  assert(res.status() === 401, `status ${res.status()}, not 401`);
  const h = res.headers();
  assert(h["www-authenticate"] === "Bearer", "no WWW-Authenticate: Bearer");
  assert(h["cache-control"] === "no-store", `Cache-Control ${h["cache-control"]}`);
  assert(h["content-type"] === "application/json; charset=utf-8", `Content-Type ${h["content-type"]}`);
  const body = await res.text();
  assert(body === '{"status":"Not authorized"}', `body ${body}`);
  const id = h["x-request-id"];
  assert(id, "no X-Request-Id");
  await sleep(200);
  assert(!readFileSync(WORKER_LOG, "utf8").includes(`"request_id":"${id}"`),
    `request ${id} reached the worker: the page still sends a session cookie`);
}

// ---------------------------------------------------------------------------
// Processes: the SMTP sink, Next.js, the other origin

const mails = [];
const mailWaiters = [];
function startSmtp() {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    logger: false,
    onData(stream, _session, done) {
      const chunks = [];
      stream.on("data", (c) => chunks.push(c));
      stream.on("end", () => {
        mails.push(Buffer.concat(chunks).toString("utf8"));
        mailWaiters.splice(0).forEach((w) => w());
        done();
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}
async function nextMail(after) {
  const deadline = Date.now() + TIMEOUT;
  while (mails.length <= after) {
    assert(Date.now() < deadline, "no mail reached the SMTP sink");
    await new Promise((r) => {
      mailWaiters.push(r);
      setTimeout(r, 500);
    });
  }
  return mails[after];
}
// The sign-in link in a mail as nodemailer encodes it (quoted-printable
// text part; the HTML part escapes & as &amp;).
function signInLink(raw) {
  const decoded = raw
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  const m = decoded.match(/https?:\/\/[^\s"<>]*\/api\/auth\/callback\/email\?[^\s"<>]+/);
  assert(m, "no sign-in link in the mail");
  return m[0].replace(/&amp;/g, "&");
}

let next = null; // { child, exited }
async function startNext(strategy, smtpPort) {
  const log = openSync(`${RESULTS}/next-${strategy}.log`, "a");
  const child = spawn(
    process.execPath,
    ["node_modules/next/dist/bin/next", "start", "-H", "127.0.0.1", "-p", String(NEXT_PORT)],
    {
      cwd: APP_DIR,
      // Its own process group, so stopNext reaches whatever it forks.
      detached: true,
      stdio: ["ignore", log, log],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME ?? "/tmp",
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        NEXTAUTH_URL: BASE,
        NEXTAUTH_SECRET: env("NEXTAUTH_SECRET"),
        DATABASE_URL: env("APP_DATABASE_URL"),
        SESSION_STRATEGY: strategy,
        EMAIL_SERVER: `smtp://127.0.0.1:${smtpPort}`,
        EMAIL_FROM: "places <places@example.com>",
        EXAMPLE_PASSWORD: PASSWORD,
      },
    },
  );
  closeSync(log);
  const exited = new Promise((r) => child.once("exit", r));
  next = { child, exited };
  // Up when NextAuth answers through nginx.
  const deadline = Date.now() + 30000;
  for (;;) {
    try {
      const r = await fetch(`${BASE}/api/auth/providers`);
      if (r.status === 200) return await r.json();
    } catch {
      // not yet
    }
    assert(child.exitCode === null, `next start exited (${child.exitCode})`);
    assert(Date.now() < deadline, "next start did not answer within 30 s");
    await sleep(200);
  }
}
async function stopNext() {
  if (!next) return;
  const { child, exited } = next;
  next = null;
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const gone = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
  if (!gone) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
    await exited;
  }
}

// A page on another origin (same host, another port: same site, so the
// browser does send the SameSite=Lax cookie with its requests).
function startOtherOrigin() {
  const page = `<!doctype html><title>elsewhere</title>
<h1>Another site</h1>
<form id="f" method="POST" action="${BASE}/api/places" enctype="text/plain">
<input name='{"name":"Forged by form","location":"x","description":"' value='"}'>
<button>send</button></form>
<script>
async function forge(json) {
  const body = JSON.stringify({ name: "Forged by fetch", location: "x" });
  try {
    const r = await fetch(${JSON.stringify(BASE)} + "/api/places", json
      ? { method: "POST", credentials: "include", headers: { "Content-Type": "application/json" }, body }
      : { method: "POST", credentials: "include", mode: "no-cors", headers: { "Content-Type": "text/plain" }, body });
    return "resolved " + r.type + " " + r.status;
  } catch (e) {
    return "rejected " + e.name;
  }
}
</script>`;
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(page);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

// ---------------------------------------------------------------------------
// The page

// Every /api/places response the page gets, newest last.
function watchApi(page) {
  const seen = [];
  page.on("response", (r) => {
    if (new URL(r.url()).pathname.startsWith("/api/places")) seen.push(r);
  });
  return seen;
}
async function waitFor(cond, what, ms = TIMEOUT) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    assert(Date.now() < deadline, `timed out waiting for ${what}`);
    await sleep(100);
  }
}
const lastApi = (seen, method, status, from = 0) =>
  seen.slice(from).reverse().find((r) => r.request().method() === method && r.status() === status);
const text = (page, sel) =>
  page.$eval(sel, (e) => e.textContent).catch(() => null);
const placeItem = (page, name) =>
  page.evaluateHandle((n) => [...document.querySelectorAll("#places li.place")]
    .find((li) => li.querySelector("h3")?.textContent === n) ?? null, name)
    .then((h) => h.asElement());
async function fillForm(page, form, values) {
  for (const [k, v] of Object.entries(values)) {
    const sel = `${form} [name="${k}"]`;
    // Through the keyboard, as a user would: React sees every change.
    await page.click(sel);
    await page.keyboard.down("Control");
    await page.keyboard.press("KeyA");
    await page.keyboard.up("Control");
    await page.keyboard.press("Backspace");
    if (v) await page.type(sel, v);
  }
}
async function cookie(page) {
  const cdp = await page.createCDPSession();
  const { cookies } = await cdp.send("Network.getCookies", { urls: [BASE] });
  await cdp.detach();
  return cookies.find((c) => c.name === COOKIE) ?? null;
}

// Steps 1 and 5: the page signed out; its /api/places got the worker's
// 401, from nginx (assertShed401).
async function expectSignedOut(page, seen, from) {
  await page.waitForSelector("#sign-in", { timeout: TIMEOUT });
  const res = await waitFor(() => lastApi(seen, "GET", 401, from), "GET /api/places 401");
  await assertShed401(res);
  await page.waitForFunction(
    () => /sign in/i.test(document.querySelector("#message")?.textContent ?? ""),
    { timeout: TIMEOUT },
  );
}

// List, add (422 first), edit, delete: step 2 and step 6.
async function placesFlow(page, seen, user, label) {
  let created = null;
  await check(`${label}: the list comes from the worker (200) with the other user's place`, async () => {
    await page.waitForSelector("#places", { timeout: TIMEOUT });
    await assertFromWorker(await waitFor(() => lastApi(seen, "GET", 200), "GET 200"), 200);
    if (OTHER_PLACE_ID)
      assert(await page.$(`li[data-id="${OTHER_PLACE_ID}"]`), "the other user's place is not listed");
  });
  await check(`${label}: a bad form shows the worker's 422 per field`, async () => {
    const from = seen.length;
    await fillForm(page, "#add-form", { name: "", location: "Somewhere", image: "not a url" });
    await page.click("#add-form button[type=submit]");
    await page.waitForSelector('#add-form .field-error[data-field="name"]', { timeout: TIMEOUT });
    await page.waitForSelector('#add-form .field-error[data-field="image"]', { timeout: TIMEOUT });
    await assertFromWorker(await waitFor(() => lastApi(seen, "POST", 422, from), "POST 422"), 422);
    await screenshot(page, `${label}-422`);
  });
  await check(`${label}: a place added through the form appears with ${user} as author`, async () => {
    const from = seen.length;
    await fillForm(page, "#add-form", {
      name: "Lighthouse", location: "North cape", image: "",
      mapURL: "https://maps.example/lighthouse", description: "Open on Sundays",
    });
    await page.click("#add-form button[type=submit]");
    await assertFromWorker(await waitFor(() => lastApi(seen, "POST", 201, from), "POST 201"), 201);
    const li = await waitFor(() => placeItem(page, "Lighthouse"), "the new place in the list");
    created = await li.evaluate((e) => e.dataset.id);
    const author = await li.$eval(".author", (e) => e.textContent);
    assert(author === user, `author shown as ${author}`);
    assert(placeName(created) === "Lighthouse", "not in the database");
    await screenshot(page, `${label}-added`);
  });
  await check(`${label}: the author edits it`, async () => {
    assert(created, "nothing was created");
    const from = seen.length;
    await page.click(`li[data-id="${created}"] button.edit`);
    await page.waitForSelector("#edit-form", { timeout: TIMEOUT });
    await fillForm(page, "#edit-form", { name: "Old lighthouse" });
    await page.click("#edit-form button[type=submit]");
    await assertFromWorker(await waitFor(() => lastApi(seen, "PUT", 200, from), "PUT 200"), 200);
    await waitFor(() => placeItem(page, "Old lighthouse"), "the edited name");
    assert(placeName(created) === "Old lighthouse", "the database has the old name");
    await screenshot(page, `${label}-edited`);
  });
  await check(`${label}: the author deletes it`, async () => {
    assert(created, "nothing was created");
    const from = seen.length;
    await page.click(`li[data-id="${created}"] button.delete`);
    await assertFromWorker(await waitFor(() => lastApi(seen, "DELETE", 200, from), "DELETE 200"), 200);
    await waitFor(async () => !(await page.$(`li[data-id="${created}"]`)), "the place to leave the list");
    assert(placeName(created) === "", "still in the database");
  });
  await check(`${label}: another user's place has no edit or delete, and a forced delete gets 403, shown`, async () => {
    assert(OTHER_PLACE_ID, "no other user's place (see run.sh)");
    const li = await page.$(`li[data-id="${OTHER_PLACE_ID}"]`);
    assert(li, "the other user's place is not listed");
    assert(!(await li.$("button.edit")) && !(await li.$("button.delete")), "edit/delete offered");
    const from = seen.length;
    const status = await page.evaluate((id) => window.places.remove(id), OTHER_PLACE_ID);
    assert(status === 403, `forced delete got ${status}`);
    // The page's fetch can resolve before the browser's response event
    // reaches this process: wait for the event as the other steps do.
    await assertFromWorker(await waitFor(() => lastApi(seen, "DELETE", 403, from), "DELETE 403"), 403);
    await page.waitForFunction(
      () => /forbidden/i.test(document.querySelector("#message")?.textContent ?? ""),
      { timeout: TIMEOUT },
    );
    assert(placeName(OTHER_PLACE_ID) === "Old harbour", "the other user's place changed");
    await screenshot(page, `${label}-403`);
  });
}

// Step 4 on a page of OTHER's origin, in the browser that holds the
// user's cookie.
async function crossOrigin(evil, other) {
  const eseen = watchApi(evil);
  await evil.goto(`${other}/`, { waitUntil: "load" });
  // A simple request (no preflight) reaches the worker; the browser hides
  // its answer from the script (an opaque response), and the response
  // event carries no headers for it, so the worker's log shows the 403.
  const before = workerCount("POST", 403);
  const simple = await evil.evaluate(() => forge(false));
  assert(simple === "resolved opaque 0", `fetch: ${simple}`);
  const res = await waitFor(() => lastApi(eseen, "POST", 403), "the fetch's 403");
  assert(res.status() === 403, `fetch got ${res.status()}`);
  await waitFor(() => workerCount("POST", 403) === before + 1, "the worker's 403 in its log");
  // A JSON fetch: the browser's preflight (OPTIONS, no cookie) stops it.
  const json = await evil.evaluate(() => forge(true));
  assert(json === "rejected TypeError", `JSON fetch: ${json}`);
  // A plain form post: the page navigates to the worker's 403.
  const from = eseen.length;
  await Promise.all([evil.waitForNavigation({ timeout: TIMEOUT }), evil.click("#f button")]);
  await assertFromWorker(await waitFor(() => lastApi(eseen, "POST", 403, from), "the form post's 403"), 403);
  const body = await evil.evaluate(() => document.body.innerText);
  assert(body.includes('"status":"Forbidden"'), `form post page: ${body.slice(0, 80)}`);
  await screenshot(evil, "4-cross-origin-form-403");
  const other403 = eseen.filter((r) => r.request().method() === "POST" && r.status() !== 403);
  assert(other403.length === 0, "a cross-origin POST got something else than 403");
}

async function signOut(page, seen, label) {
  await check(`${label}: sign-out through NextAuth, then /api/places from the page gets 401`, async () => {
    await page.bringToFront();
    const from = seen.length;
    await Promise.all([
      page.waitForNavigation({ timeout: TIMEOUT }),
      page.click("#sign-out"),
    ]);
    await expectSignedOut(page, seen, from);
    assert(!(await cookie(page)), "the session cookie is still there");
    await screenshot(page, `${label}-signed-out`);
  });
}

// ---------------------------------------------------------------------------

async function main() {
  const smtp = await startSmtp();
  const other = await startOtherOrigin();
  const otherBase = `http://127.0.0.1:${other.address().port}`;
  const browser = await puppeteer.launch({
    executablePath: env("CHROMIUM"),
    headless: true,
    // As root chromium needs --no-sandbox; the pages are our own.
    args: [
      ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
      "--disable-gpu", "--no-first-run", "--disable-extensions",
      "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--metrics-recording-only", "--no-default-browser-check",
    ],
    userDataDir: `${STATE_DIR}/chromium-profile`,
    defaultViewport: { width: 1000, height: 800 },
    protocolTimeout: 60000,
  });
  console.log(`# chromium pid ${browser.process()?.pid}, ${await browser.version()}`);
  try {
    await run(browser, smtp.server.address().port, otherBase);
  } finally {
    await browser.close().catch(() => {});
    await stopNext();
    smtp.close();
    other.close();
  }
  console.log("# browser done");
}

async function run(browser, smtpPort, otherBase) {
  // ---- email (magic link), database sessions --------------------------
  const started = await check("next start, database sessions (email provider)", async () => {
    const providers = await startNext("database", smtpPort);
    assert(providers.email, `providers: ${Object.keys(providers)}`);
  });
  if (started) {
    const page = await browser.newPage();
    const seen = watchApi(page);

    // 1
    await check("1 signed out: the page shows sign in, /api/places got the worker's 401 from nginx", async () => {
      await page.goto(`${BASE}/`, { waitUntil: "networkidle0" });
      await expectSignedOut(page, seen, 0);
      await screenshot(page, "1-signed-out");
    });

    // 2
    const signedIn = await check(`2 sign in by email: the link from the SMTP sink signs ${EMAIL_USER} in`, async () => {
      const before = mails.length;
      await Promise.all([page.waitForNavigation({ timeout: TIMEOUT }), page.click("#sign-in")]);
      await page.waitForSelector("#input-email-for-email-provider", { timeout: TIMEOUT });
      await page.type("#input-email-for-email-provider", EMAIL_USER);
      await Promise.all([
        page.waitForNavigation({ timeout: TIMEOUT }),
        page.click('form[action$="/api/auth/signin/email"] button[type=submit]'),
      ]);
      assert(page.url().includes("/api/auth/verify-request"), `at ${page.url()}`);
      const link = signInLink(await nextMail(before));
      assert(link.startsWith(`${BASE}/api/auth/callback/email?`), `link ${link}`);
      await page.goto(link, { waitUntil: "networkidle0" });
      await page.waitForFunction(
        (u) => document.querySelector("#signed-in-as")?.textContent === u,
        { timeout: TIMEOUT }, EMAIL_USER);
      assert(sessionRows(EMAIL_USER) === 1, "no sessions row for the user");
      await page.waitForSelector("#places", { timeout: TIMEOUT });
      await screenshot(page, "2-signed-in-list");
    });
    if (signedIn) {
      await placesFlow(page, seen, EMAIL_USER, "2 email");

      // 3
      await check("3 the cookie in chromium: name, HttpOnly, SameSite=Lax, expiry moved by the worker's renewal", async () => {
        const c = await cookie(page);
        assert(c, `no ${COOKIE} cookie`);
        assert(c.httpOnly, "not HttpOnly");
        assert(c.sameSite === "Lax", `SameSite ${c.sameSite}`);
        assert(c.path === "/", `Path ${c.path}`);
        // Move the stored expiry back an hour, then let the page call the
        // worker alone: its Set-Cookie must put it at now + maxAge again.
        const cdp = await page.createCDPSession();
        const early = Math.floor(Date.now() / 1000) + 3600;
        await cdp.send("Network.setCookie", {
          name: COOKIE, value: c.value, url: BASE, path: "/",
          httpOnly: true, sameSite: "Lax", expires: early,
        });
        await cdp.detach();
        assert(Math.abs((await cookie(page)).expires - early) < 2, "the expiry could not be moved back");
        const from = seen.length;
        const auth = [];
        const onAuth = (r) => r.url().includes("/api/auth/") && auth.push(r.url());
        page.on("response", onAuth);
        const status = await page.evaluate(() => fetch("/api/places").then((r) => r.status));
        assert(status === 200, `GET /api/places ${status}`);
        const res = await waitFor(() => lastApi(seen, "GET", 200, from), "the page's GET");
        await assertFromWorker(res, 200);
        const others = seen.slice(from).length;
        assert(others === 1, `${others} /api/places responses, expected 1`);
        page.off("response", onAuth);
        assert(auth.length === 0, `NextAuth was asked meanwhile: ${auth}`);
        const after = await cookie(page);
        const now = Date.now() / 1000;
        assert(after && after.value === c.value, "the token changed");
        assert(after.expires > now + MAX_AGE - 120 && after.expires < now + MAX_AGE + 120,
          `expiry ${after.expires - now} s from now, not ${MAX_AGE}`);
        assert(after.httpOnly && after.sameSite === "Lax", "the renewal lost HttpOnly or SameSite=Lax");
      });
      await check("3 NextAuth's /api/auth/session still returns the user after the worker's Set-Cookie", async () => {
        const s = await page.evaluate(() => fetch("/api/auth/session").then((r) => r.json()));
        assert(s?.user?.email === EMAIL_USER, `session ${JSON.stringify(s)}`);
        await screenshot(page, "3-cookie-renewed");
      });

      // 4
      await check("4 another origin's writes with the user's cookie get the worker's 403, nothing created", async () => {
        const count = placeCount();
        const evil = await browser.newPage();
        try {
          await crossOrigin(evil, otherBase);
        } finally {
          await evil.close();
        }
        assert(placeCount() === count, "a place was created");
        assert(sql("SELECT count(*) FROM places WHERE name LIKE 'Forged%'") === "0", "a forged place exists");
      });

      // 5
      await signOut(page, seen, "5 email");
      await check("5 the database session is gone after sign-out", async () => {
        assert(sessionRows(EMAIL_USER) === 0, "the sessions row is still there");
      });
    }
    await page.close();
  }
  await stopNext();

  // ---- 6: Credentials, JWT sessions ------------------------------------
  const jwtStarted = await check("6 next start again, JWT sessions (credentials provider)", async () => {
    const providers = await startNext("jwt", smtpPort);
    assert(providers.credentials, `providers: ${Object.keys(providers)}`);
  });
  if (!jwtStarted) return;
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  const seen = watchApi(page);
  await check("6 jwt: signed out, the page shows sign in and got the worker's 401 from nginx", async () => {
    await page.goto(`${BASE}/`, { waitUntil: "networkidle0" });
    await expectSignedOut(page, seen, 0);
  });
  const signedIn = await check(`6 jwt: sign in with credentials as ${JWT_USER}, a JWT cookie`, async () => {
    await Promise.all([page.waitForNavigation({ timeout: TIMEOUT }), page.click("#sign-in")]);
    await page.waitForSelector("#input-email-for-credentials-provider", { timeout: TIMEOUT });
    await page.type("#input-email-for-credentials-provider", JWT_USER);
    await page.type("#input-password-for-credentials-provider", PASSWORD);
    await Promise.all([
      page.waitForNavigation({ timeout: TIMEOUT }),
      page.click('form[action$="/api/auth/callback/credentials"] button[type=submit]'),
    ]);
    await page.waitForFunction(
      (u) => document.querySelector("#signed-in-as")?.textContent === u,
      { timeout: TIMEOUT }, JWT_USER);
    const c = await cookie(page);
    assert(c && c.value.split(".").length === 5, "the session cookie is not a JWE");
    assert(c.httpOnly && c.sameSite === "Lax", "not HttpOnly / SameSite=Lax");
    await page.waitForSelector("#places", { timeout: TIMEOUT });
    await screenshot(page, "6-jwt-signed-in");
  });
  if (signedIn) {
    await placesFlow(page, seen, JWT_USER, "6 jwt");
    await signOut(page, seen, "6 jwt");
  }
  await ctx.close();
}

main().catch((e) => {
  notOk("browser test", e);
  stopNext().finally(() => process.exit(1));
});
