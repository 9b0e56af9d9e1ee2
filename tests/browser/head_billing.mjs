#!/usr/bin/env node
// A free member pays for premium through upstream HEAD's own React web client
// (tedueda/rainbow_community 7750a50) in headless Chromium, against a real `carat serve` whose
// Stripe is the local fake (tests/billing/fake_stripe.mjs), and the matching section opens.
//
//   CARAT_UPSTREAM_SNAPSHOT=<upstream git dir> \
//     node tests/browser/head_billing.mjs --carat <carat binary> --work <cache dir> \
//       [--stripe-sdk <dir>] [--keep] [--headed]
//
// ctest runs it as head_billing_browser (tests/CMakeLists.txt; cache dir in the build tree, the
// SDK dir the build's stripe_sdk target fills).
//
// What it proves (issue 13, "Done means": a free member opens the billing page, starts checkout,
// the fake Stripe completes it and sends the webhook, and the matching section opens). HEAD's
// client has no billing page of its own: /matching is wrapped in PremiumGate, whose modal
// (マッチング機能はプレミアム会員限定です, プレミアムに登録) is where a member pays.
// - A registers through /register (DEFAULT_MEMBERSHIP_TYPE=free): GET /api/billing/status says
//   premium false, no subscription.
// - A opens /matching: the page asked /api/billing/status (premium false) and shows the gate
//   modal over the matching pages, which render behind it aria-hidden (their own calls answer
//   403 premium_required: intended).
// - プレミアムに登録 POSTs /api/billing/checkout; Carat creates a Checkout Session at the fake
//   (recorded: Bearer key, Idempotency-Key, mode subscription, the price, client_reference_id =
//   A's id, success_url = the client's /matching?from=checkout, cancel_url, customer_email) and
//   the browser lands on the fake's hosted checkout page (/c/pay/cs_test_..., "Fake Stripe
//   Checkout") showing A's e-mail.
// - Subscribe (#pay): the fake 303s the browser to /matching?from=checkout at once and delivers
//   checkout.session.completed, customer.subscription.created and invoice.paid, signed by Stripe's
//   official SDK, to /api/billing/webhook 4 s later (each answered 200 {"received": true,
//   "duplicate": false}), as a slow Stripe would: the gate must open before any of them arrives,
//   from the status the client asks for on its return (Carat looks the open session up); the
//   gate is gone (the client drops ?from), the matching pages are no longer aria-hidden, their
//   calls (/api/matching/search, /api/matching/chat_requests/incoming) answer 200, the search
//   lists the seeded premium member (given a matching profile through the API) and clicking the
//   card opens her profile; /api/billing/status with the page's token says premium true,
//   subscription active; /matching reloaded stays open.
// - B, a second free member in a second browser context, starts checkout and clicks the checkout
//   page's cancel link: back on /matching, still gated, no event delivered, still free.
// - carat.log holds neither the Stripe secret key nor the webhook secret.
//
// Topology (127.0.0.1, ports picked at run time): the fake Stripe (node, --port 0, its SDK from
// --stripe-sdk, default <cache dir>/stripe-sdk, installed by tests/billing/install-sdk.sh, which
// is a no-op when the pinned version is there), then `carat serve` on SQLite (migrated and seeded;
// STRIPE_API_BASE = the fake, success/cancel URLs on the client), then the fake's webhook URL set
// through POST /_test/config; the client built and served as head_client.mjs does
// (lib/head_web.mjs, which also parses the command line and makes the skips shared with it;
// nothing of upstream is kept in this repository).
//
// Skips (exit 77, one line "skipped: ..."): no CARAT_UPSTREAM_SNAPSHOT (as in CI), no Chromium, no
// npm to install Stripe's SDK. CARAT_UPSTREAM_COMMIT overrides the upstream commit. --keep keeps
// the scratch directory (carat.log, carat.db, fake-stripe.log; its path is printed); --headed
// shows the browser.
//
// Every response from Carat is recorded per step: a 5xx, or a 4xx the step does not list as
// intended, fails that step, and so does an uncaught exception in a page, a failed request to
// Carat or a CORS error in the console (lib/steps.mjs, as in head_client.mjs and head_chat.mjs).
// One "ok   - <check>" / "FAIL - <check>" line per check,
// "# " lines for progress, then "N passed, M failed". Exit 0 all passed, 1 a failure, 2 usage,
// 77 skipped. Screenshots: <cache dir>/head_billing-screens/NN-<member>-<page>.png. Every process
// started here (carat, the fake, Chromium) is killed on exit, also on a failure or a signal.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import {
  api, bodyOf, buildClient, check, chromiumOptions, closeServer, freePort, freshDir, killChildren,
  lastBuild, log, parseCommonArgs, parseJson, prepareRun, registerThroughForm, relPath,
  rememberBuild, run, runTest, serveStatic, skip, sleep, spawnLogged, startCaratServe, tail,
} from "./lib/head_web.mjs";
import { makeStepRunner } from "./lib/steps.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FAKE_STRIPE = path.join(HERE, "..", "billing", "fake_stripe.mjs");
const INSTALL_SDK = path.join(HERE, "..", "billing", "install-sdk.sh");
const STEP_TIMEOUT_MS = 20_000;
const STEP_LIMIT_MS = 120_000;
const WATCHDOG_MS = 14 * 60_000;
const SECRET_KEY = "head-billing-e2e-secret-key-0123456789abcdef";
const STRIPE_KEY = "sk_test_caratHeadBillingE2E0123456789";
const WEBHOOK_SECRET = "whsec_caratHeadBillingE2E0123456789abcdef";
const PRICE_ID = "price_caratPremiumMonthly";
const GATE_TITLE = "マッチング機能はプレミアム会員限定です";
const UPGRADE = "プレミアムに登録";
// How long after the redirect the fake delivers member A's webhooks.
const WEBHOOK_DELAY_MS = 4000;
const EVENTS = ["checkout.session.completed", "customer.subscription.created", "invoice.paid"];

const { opts, snapshot: SNAPSHOT, work: WORK, carat: CARAT, upstreamCommit: UPSTREAM_COMMIT } = parseCommonArgs({
  script: "head_billing.mjs", usage: "[--stripe-sdk <dir>] [--chromium <path>] [--keep] [--headed]",
  options: { "stripe-sdk": { type: "string" } },
});
const SDK_DIR = path.resolve(opts["stripe-sdk"] || path.join(WORK, "stripe-sdk"));

// Whatever ends the run, no child outlives it (Playwright kills its Chromium on exit itself),
// and the scratch directory goes unless --keep.
let scratchDir = null;
process.on("exit", () => {
  killChildren();
  if (scratchDir && !opts.keep) rmSync(scratchDir, { recursive: true, force: true });
});
for (const [sig, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]]) {
  process.on(sig, () => { console.log(`# ${sig}: stopping`); process.exit(code); });
}

// ---------------------------------------------------------------------------------------------
// Stripe's SDK and the fake Stripe

// Installs the pinned SDK into SDK_DIR (a no-op when it is there); skips without npm.
function installSdk() {
  const res = spawnSync(INSTALL_SDK, [SDK_DIR], { encoding: "utf8", maxBuffer: 16 << 20 });
  if (res.status === 77) skip((res.stdout.trim().split("\n").pop() || "no npm to install Stripe's SDK").replace(/^skipped: /, ""));
  if (res.status !== 0) {
    throw new Error(`${INSTALL_SDK} ${SDK_DIR} failed (${res.status ?? res.signal}):\n${(res.stderr || "").slice(-3000)}${(res.stdout || "").slice(-1000)}`);
  }
  log(res.stdout.trim().split("\n").pop());
}

// node fake_stripe.mjs --port 0; resolves once it printed "fake-stripe listening on <N>".
async function startFakeStripe(scratch) {
  const logFile = path.join(scratch, "fake-stripe.log");
  const proc = spawnLogged(process.execPath, [
    FAKE_STRIPE, "--port", "0", "--api-key", STRIPE_KEY, "--webhook-secret", WEBHOOK_SECRET,
    "--price", PRICE_ID, "--sdk", SDK_DIR,
  ], { logFile, graceMs: 5000 });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = /fake-stripe listening on (\d+)/.exec(tail(logFile, 200));
    if (m) {
      const base = `http://127.0.0.1:${m[1]}`;
      const ctl = (method, p, json) => api(base, method, `/_test/${p}`, { json });
      return { base, port: Number(m[1]), ctl, stop: proc.stop, logFile };
    }
    if (proc.state.exited !== null) throw new Error(`the fake Stripe exited (${proc.state.exited}):\n${tail(logFile)}`);
    if (Date.now() > deadline) throw new Error(`the fake Stripe did not start:\n${tail(logFile)}`);
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------------------------
// Carat

function caratEnv(scratch, port, clientBase, fakeBase) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (/^(STRIPE_|BILLING_)/.test(name)) delete env[name];
  return {
    ...env, PORT: String(port), HOST: "127.0.0.1", APP_ENV: "test", SECRET_KEY, BCRYPT_COST: "4",
    DATABASE_URL: `sqlite:///${path.join(scratch, "carat.db")}`, MEDIA_DIR: path.join(scratch, "media"),
    ALLOW_ORIGINS: clientBase, IO_THREADS: "2", DB_POOL_SIZE: "4", LOG_LEVEL: "info",
    DEFAULT_MEMBERSHIP_TYPE: "free",
    STRIPE_SECRET_KEY: STRIPE_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_PRICE_ID: PRICE_ID,
    STRIPE_API_BASE: fakeBase,
    STRIPE_SUCCESS_URL: `${clientBase}/matching?from=checkout`, STRIPE_CANCEL_URL: `${clientBase}/matching`,
  };
}

async function startCarat(scratch, port, clientBase, fakeBase) {
  const env = caratEnv(scratch, port, clientBase, fakeBase);
  run(CARAT, ["migrate"], { env });
  run(CARAT, ["seed"], { env });
  return startCaratServe(CARAT, env, path.join(scratch, "carat.log"));
}

// ---------------------------------------------------------------------------------------------
// The walk

async function walk({ chromium, caratBase, clientBase, fake, screens }) {
  const tag = Date.now().toString(36);
  const A = { key: "A", name: `課金会員${tag}`, email: `billing-a-${tag}@example.com`, phone: "090-3333-0001", password: "billing-pass-a-123" };
  const B = { key: "B", name: `取消会員${tag}`, email: `billing-b-${tag}@example.com`, phone: "090-3333-0002", password: "billing-pass-b-123" };
  const members = [A, B];
  const successUrl = `${clientBase}/matching?from=checkout`;
  const cancelUrl = `${clientBase}/matching`;
  const webhookUrl = `${caratBase}/api/billing/webhook`;

  // ---- the seeded premium member gets a matching profile, so that the search has a card to show
  const demo = { email: "premium@test.com", password: "premium123", bio: `課金テスト用のプロフィールです。${tag}` };
  const demoTok = await api(caratBase, "POST", "/api/auth/token", { form: { username: demo.email, password: demo.password } });
  demo.token = demoTok.data?.access_token;
  const demoMe = await api(caratBase, "GET", "/api/auth/me", { token: demo.token });
  demo.id = demoMe.data?.id;
  // identity ゲイ without romance_targets: the search's default tab (G) keeps it (its fallback).
  const demoProfile = await api(caratBase, "PUT", "/api/matching/profiles/me", {
    token: demo.token, json: { nickname: `デモ${tag}`, identity: "ゲイ", prefecture: "東京都", age_band: "30代前半", bio: demo.bio },
  });
  check(demoTok.status === 200 && demoMe.data?.membership_type === "premium" && demoProfile.status === 200,
        "setup: the seeded premium member has a matching profile (PUT /api/matching/profiles/me)",
        `token ${demoTok.status}; me ${JSON.stringify(demoMe.data)}; PUT ${demoProfile.status} ${JSON.stringify(demoProfile.data).slice(0, 300)}`);

  const browser = await chromium.launch(chromiumOptions(opts));

  const isCarat = (u) => u.startsWith(caratBase + "/") || u === caratBase;
  // Only the members with a page open are settled and screenshot on a failure.
  const opened = () => members.filter((m) => m.page);
  // step(name, allowed, fn): `allowed` lists the 4xx answers the step intends ({method, path: RegExp, status}).
  const steps = makeStepRunner({
    isCarat, views: opened, screens, stepTimeoutMs: STEP_TIMEOUT_MS, stepLimitMs: STEP_LIMIT_MS, intended: "distinct",
  });
  const { responses: caratResponses, settle, screenshot, bodyText, step } = steps;

  // A browser context per member, instrumented like head_chat.mjs's (lib/steps.mjs). Nothing
  // leaves the machine (index.html links Google Fonts).
  async function open(m) {
    m.context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "ja-JP" });
    m.documents = [];   // main-frame navigation requests (URL as requested)
    m.context.on("request", (req) => {
      if (req.isNavigationRequest() && req.frame() === m.page?.mainFrame()) m.documents.push({ url: req.url(), at: Date.now() });
    });
    await steps.watch(m, m.context, {
      // Billing answers are read at once: the checkout's is gone when the page leaves for Stripe.
      readBody: (res) => (res.status() >= 400 || new URL(res.url()).pathname.startsWith("/api/billing/") ? bodyOf(res, 3000) : null),
    });
  }

  const goto = async (m, p) => { await m.page.goto(`${clientBase}${p}`, { waitUntil: "load" }); };
  const waitResponse = (m, method, re) => m.page.waitForResponse(
    (r) => isCarat(r.url()) && r.request().method() === method && re.test(new URL(r.url()).pathname));
  const tokenOf = (m) => m.page.evaluate(() => localStorage.getItem("token"));
  const gateHeading = (m) => m.page.getByRole("heading", { name: GATE_TITLE });
  // The matching pages' heading, and whether it sits under PremiumGate's aria-hidden wrapper.
  const matchingHeading = (m) => m.page.evaluate(() => {
    const h = [...document.querySelectorAll("h1")].find((e) => e.textContent.trim() === "マッチング");
    return h ? { hidden: !!h.closest("[aria-hidden]"), inert: !!h.closest(".pointer-events-none") } : null;
  });
  const pageAnswers = (m, from, method, re) => caratResponses.slice(from)
    .filter((r) => r.who === m.key && r.method === method && re.test(new URL(r.url).pathname));
  const billingStatusOf = async (m) => api(caratBase, "GET", "/api/billing/status", { token: await tokenOf(m) });
  const checkoutSessions = async () => ((await fake.ctl("GET", "requests")).data ?? [])
    .filter((r) => r.method === "POST" && r.path === "/v1/checkout/sessions");
  const deliveries = async () => (await fake.ctl("GET", "deliveries")).data ?? [];
  const sessionInState = async (id) => {
    const state = (await fake.ctl("GET", "state")).data ?? {};
    return (state.checkout_sessions ?? []).find((s) => s?.id === id) ?? null;
  };
  // Matching pages behind the gate: their own calls are refused (premium_required), by intent.
  const gatedMatching = [
    { method: "GET", path: /^\/api\/matching\/search(\?|$)/, status: 403 },
    { method: "GET", path: /^\/api\/matching\/chat_requests\/incoming$/, status: 403 },
  ];

  async function register(m) {
    await registerThroughForm(m.page, clientBase, m);
    await settle();
    await screenshot(m, "feed-after-register");
    m.token = await tokenOf(m);
    const me = await api(caratBase, "GET", "/api/auth/me", { token: m.token });
    m.id = me.data?.id;
    check(/\/feed$/.test(m.page.url()) && me.status === 200 && me.data?.email === m.email && Number.isInteger(m.id) &&
          me.data?.membership_type === "free",
          `${m.key}: the registration form creates a free member and logs in (lands on /feed; /api/auth/me: membership_type free)`,
          `at ${m.page.url()}; /api/auth/me ${me.status} ${JSON.stringify(me.data)}`);
    const status = await billingStatusOf(m);
    check(status.status === 200 && status.data?.premium === false && status.data?.membership_type === "free" &&
          status.data?.subscription === null,
          `${m.key}: GET /api/billing/status says premium false, no subscription`, `${status.status} ${JSON.stringify(status.data)}`);
  }

  // /matching as a free member: the gate modal over aria-hidden matching pages.
  async function openGated(m, label) {
    const from = caratResponses.length;
    await goto(m, "/matching");
    await gateHeading(m).waitFor();
    await settle();
    await screenshot(m, `${label}-gated`);
    const statusAnswers = pageAnswers(m, from, "GET", /^\/api\/billing\/status$/);
    const lastStatus = parseJson(await statusAnswers.at(-1)?.body);
    const heading = await matchingHeading(m);
    const button = await m.page.getByRole("button", { name: UPGRADE }).isVisible().catch(() => false);
    check(statusAnswers.length > 0 && statusAnswers.every((r) => r.status === 200) && lastStatus?.premium === false &&
          button && heading?.hidden === true && heading?.inert === true,
          `${m.key}: /matching asks /api/billing/status (premium false) and shows the gate modal "${GATE_TITLE}" with ${UPGRADE}, the matching pages behind it aria-hidden`,
          `billing/status answers ${JSON.stringify(statusAnswers.map((r) => r.status))}, last ${JSON.stringify(lastStatus)}; button visible ${button}; matching heading ${JSON.stringify(heading)}`);
    const refused = caratResponses.slice(from).filter((r) => r.who === m.key && r.status === 403);
    const bodies = await Promise.all(refused.map((r) => r.body));
    const readable = bodies.map(parseJson).filter(Boolean);
    check(refused.length > 0 && readable.length > 0 && readable.every((b) => b?.detail?.error === "premium_required"),
          `${m.key}: the matching pages' own calls behind the gate are refused 403 premium_required (${refused.length})`,
          refused.map((r, i) => `${r.method} ${relPath(r.url)} -> ${r.status} ${bodies[i]}`).join("\n"));
  }

  // プレミアムに登録: Carat creates the session at the fake; the browser lands on its page.
  async function startCheckout(m) {
    const from = caratResponses.length;
    const before = (await checkoutSessions()).length;
    const posted = waitResponse(m, "POST", /^\/api\/billing\/checkout$/);
    await m.page.getByRole("button", { name: UPGRADE }).click();
    const res = await posted;
    await m.page.waitForURL((u) => u.origin === fake.base && /^\/c\/pay\/cs_test_/.test(u.pathname));
    await m.page.locator("#pay").waitFor();
    await screenshot(m, "stripe-checkout");
    const entry = pageAnswers(m, from, "POST", /^\/api\/billing\/checkout$/).at(-1);
    const answer = parseJson(await entry?.body);
    const landed = m.page.url();
    m.sessionId = new URL(landed).pathname.split("/").pop();
    const title = await m.page.title();
    const email = (await m.page.locator("#customer-email").innerText().catch(() => "")).trim();
    const price = (await m.page.locator("#price-id").innerText().catch(() => "")).trim();
    log(`${m.key}: POST /api/billing/checkout answered ${answer ? JSON.stringify(answer) : "(body gone with the page: the landing URL stands in)"}`);
    // The body is read as the page leaves; when Chromium no longer has it, the landing URL stands in.
    check(res.status() === 200 && (answer === null ? true : answer.url === landed) && title === "Fake Stripe Checkout" &&
          email === m.email && price === PRICE_ID,
          `${m.key}: ${UPGRADE} POSTs /api/billing/checkout (200 {url}) and the browser lands on the fake Stripe's checkout page (${new URL(landed).pathname.replace(/cs_test_.*/, "cs_test_…")}) showing ${m.key}'s e-mail`,
          `POST ${res.status()} ${JSON.stringify(answer)}; at ${landed}; title "${title}"; e-mail "${email}"; price "${price}"`);
    const sessions = await checkoutSessions();
    const mine = sessions.slice(before);
    const rec = mine.at(-1);
    const f = rec?.form ?? {};
    const item = Array.isArray(f.line_items) ? f.line_items[0] : f.line_items?.["0"];
    check(mine.length === 1 && rec.status === 200 && rec.headers?.authorization === `Bearer ${STRIPE_KEY}` &&
          new RegExp(`^carat-checkout-${m.id}-`).test(rec.idempotency_key ?? "") && f.mode === "subscription" &&
          item?.price === PRICE_ID && String(item?.quantity) === "1" && f.client_reference_id === String(m.id) &&
          f.success_url === successUrl && f.cancel_url === cancelUrl && f.customer_email === m.email &&
          f.metadata?.user_id === String(m.id),
          `${m.key}: the fake recorded one POST /v1/checkout/sessions: secret key, Idempotency-Key, mode subscription, the price, client_reference_id = ${m.key}'s id, success_url = ${successUrl}, cancel_url, customer_email`,
          `${mine.length} new session request(s); ${JSON.stringify(rec ? { status: rec.status, auth: rec.headers?.authorization === `Bearer ${STRIPE_KEY}`, idempotency_key: rec.idempotency_key, form: rec.form } : null)}`);
    const session = await sessionInState(m.sessionId);
    check(session?.client_reference_id === String(m.id) && session?.status === "open",
          `${m.key}: the session on the page is ${m.key}'s (client_reference_id ${m.id}, open)`,
          JSON.stringify(session && { id: session.id, client_reference_id: session.client_reference_id, status: session.status }));
  }

  try {
    // 1. A registers through the registration form (a free member).
    await open(A);
    await step("A registers", [], () => register(A));

    // 2. A opens the matching section: the billing gate.
    await step("A opens /matching (gated)", gatedMatching, () => openGated(A, "matching"));

    // 3. A starts checkout from the gate.
    await step("A starts checkout", gatedMatching, () => startCheckout(A));

    // 4. A pays on the fake's checkout page; the webhooks reach Carat; back on /matching.
    let afterPay = caratResponses.length;
    await step("A pays (Subscribe)", [], async () => {
      const before = (await deliveries()).length;
      const docsFrom = A.documents.length;
      afterPay = caratResponses.length;
      // Stripe sends its webhooks independently of the redirect: here they come 4 s after the
      // browser is back, so the gate must open from the status lookup Carat makes on the return.
      await fake.ctl("POST", "config", { webhook_delay_ms: WEBHOOK_DELAY_MS });
      const t0 = Date.now();
      await A.page.locator("#pay").click();
      await A.page.waitForURL((u) => u.origin === clientBase && u.pathname === "/matching");
      // The gate gives way: the matching heading shown, not under the aria-hidden wrapper.
      await A.page.waitForFunction((gate) => {
        const h = [...document.querySelectorAll("h1")].find((e) => e.textContent.trim() === "マッチング");
        return !!h && !h.closest("[aria-hidden]") && !document.body.innerText.includes(gate);
      }, GATE_TITLE);
      const landedAt = Date.now();
      const earlyDeliveries = (await deliveries()).slice(before).filter((d) => !d.skipped).length;
      check(earlyDeliveries === 0,
            "A: the gate opened before any webhook was delivered (Carat asked Stripe about the session on the return)",
            `${earlyDeliveries} deliveries at ${landedAt - t0} ms`);
      await settle();
      await screenshot(A, "matching-open");
      // Then the late webhooks arrive, and are applied as usual.
      const deadline = Date.now() + WEBHOOK_DELAY_MS + 15000;
      while ((await deliveries()).slice(before).length < EVENTS.length && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      await fake.ctl("POST", "config", { webhook_delay_ms: 0 });
      const sent = (await deliveries()).slice(before);
      const types = sent.map((d) => d.type);
      const answers = sent.map((d) => parseJson(d.body));
      check(JSON.stringify(types) === JSON.stringify(EVENTS) && sent.every((d) => d.url === webhookUrl && d.status === 200 && !d.tampered && !d.skipped) &&
            answers.every((a) => a?.received === true && a?.duplicate === false),
            `A: the fake delivered ${EVENTS.join(", ")} to /api/billing/webhook, each answered 200 {"received": true, "duplicate": false}`,
            JSON.stringify(sent.map((d) => ({ type: d.type, url: d.url, status: d.status, body: d.body, error: d.error, skipped: d.skipped }))));
      const completed = parseJson(sent.find((d) => d.type === "checkout.session.completed")?.payload);
      check(completed?.data?.object?.id === A.sessionId && completed?.data?.object?.client_reference_id === String(A.id),
            "A: checkout.session.completed is A's session (client_reference_id = A's id)",
            JSON.stringify({ id: completed?.data?.object?.id, client_reference_id: completed?.data?.object?.client_reference_id }));
      const back = A.documents.slice(docsFrom).find((d) => d.url.startsWith(clientBase));
      const statusAnswers = pageAnswers(A, afterPay, "GET", /^\/api\/billing\/status$/);
      const lastStatus = parseJson(await statusAnswers.at(-1)?.body);
      check(back?.url === successUrl && A.page.url() === `${clientBase}/matching` && lastStatus?.premium === true,
            `A: the browser comes back to /matching?from=checkout, the client's /api/billing/status says premium true, the gate is gone (${landedAt - t0} ms from Subscribe)`,
            `document ${back?.url}; now at ${A.page.url()}; billing/status answers ${JSON.stringify(statusAnswers.map((r) => r.status))}, last ${JSON.stringify(lastStatus)}`);
    });

    // 5. The matching section is usable.
    await step("A uses the matching section", [], async () => {
      const gateShown = await gateHeading(A).count();
      const heading = await matchingHeading(A);
      const wrappers = await A.page.locator("div[aria-hidden].pointer-events-none").count();
      const search = pageAnswers(A, afterPay, "GET", /^\/api\/matching\/search$/);
      const incoming = pageAnswers(A, afterPay, "GET", /^\/api\/matching\/chat_requests\/incoming$/);
      check(gateShown === 0 && heading && !heading.hidden && !heading.inert && wrappers === 0 &&
            search.length > 0 && search.every((r) => r.status === 200) && incoming.length > 0 && incoming.every((r) => r.status === 200),
            "A: no gate modal, the matching pages are not aria-hidden, and their calls answer 200 (GET /api/matching/search, /api/matching/chat_requests/incoming)",
            `gate headings ${gateShown}; heading ${JSON.stringify(heading)}; aria-hidden wrappers ${wrappers}; search ${JSON.stringify(search.map((r) => r.status))}; incoming ${JSON.stringify(incoming.map((r) => r.status))}`);

      const listed = await api(caratBase, "GET", "/api/matching/search?page=1&size=50", { token: await tokenOf(A) });
      const demoItem = (listed.data?.items ?? []).find((i) => i.user_id === demo.id);
      const demoName = demoItem?.display_name ?? `(the seeded premium member ${demo.id} is not in the search)`;
      const card = A.page.locator("article", { hasText: demoName });
      await card.first().waitFor().catch(() => {});
      const cards = await card.count();
      const text = await bodyText(A);
      check(listed.status === 200 && !!demoItem && cards === 1 && !text.includes("premium_required"),
            "A: the search lists the seeded premium member's card (no error)",
            `GET /api/matching/search ${listed.status} ${JSON.stringify(listed.data).slice(0, 300)}; cards ${cards}; page says: ${text.slice(0, 300)}`);
      if (cards === 1) {
        const profile = waitResponse(A, "GET", new RegExp(`^/api/matching/profiles/${demo.id}$`));
        await card.first().getByText(demoName).first().click();
        await A.page.waitForURL(new RegExp(`/matching/users/${demo.id}$`));
        const res = await profile;
        await A.page.getByText(demo.bio).first().waitFor();
        await settle();
        await screenshot(A, "matching-user-profile");
        check(res.status() === 200 && (await bodyText(A)).includes(demo.bio),
              "A: clicking the card opens her profile (/matching/users/<id>; GET /api/matching/profiles/<id> 200)",
              `GET ${res.status()}; at ${A.page.url()}`);
      }

      const status = await billingStatusOf(A);
      const sub = status.data?.subscription;
      const periodEnd = Date.parse(sub?.current_period_end ?? "");
      check(status.status === 200 && status.data?.premium === true && status.data?.membership_type === "premium" &&
            sub?.status === "active" && sub?.cancel_at_period_end === false && sub?.grace_until === null && periodEnd > Date.now(),
            "A: GET /api/billing/status with the page's token says premium true, subscription active until a future date",
            `${status.status} ${JSON.stringify(status.data)}`);
      const me = await api(caratBase, "GET", "/api/auth/me", { token: await tokenOf(A) });
      check(me.data?.membership_type === "premium", "A: /api/auth/me says membership_type premium", JSON.stringify(me.data));

      const from = caratResponses.length;
      await goto(A, "/matching");
      await A.page.getByRole("heading", { name: "マッチング" }).waitFor();
      await settle();
      await screenshot(A, "matching-reloaded");
      const again = await matchingHeading(A);
      const statusAgain = parseJson(await pageAnswers(A, from, "GET", /^\/api\/billing\/status$/).at(-1)?.body);
      check(await gateHeading(A).count() === 0 && again && !again.hidden && statusAgain?.premium === true,
            "A: /matching opened afresh (no ?from=checkout) stays open",
            `heading ${JSON.stringify(again)}; billing/status ${JSON.stringify(statusAgain)}`);
    });

    // 6. B starts checkout and cancels on the checkout page: back on /matching, still gated.
    await open(B);
    await step("B registers", [], () => register(B));
    await step("B opens /matching (gated)", gatedMatching, () => openGated(B, "matching"));
    await step("B starts checkout", gatedMatching, () => startCheckout(B));
    await step("B cancels on the checkout page", gatedMatching, async () => {
      const before = (await deliveries()).length;
      const docsFrom = B.documents.length;
      const from = caratResponses.length;
      await B.page.locator("#cancel").click();
      await B.page.waitForURL((u) => u.origin === clientBase && u.pathname === "/matching");
      await gateHeading(B).waitFor();
      await settle();
      await screenshot(B, "matching-after-cancel");
      const back = B.documents.slice(docsFrom).find((d) => d.url.startsWith(clientBase));
      const lastStatus = parseJson(await pageAnswers(B, from, "GET", /^\/api\/billing\/status$/).at(-1)?.body);
      const heading = await matchingHeading(B);
      check(back?.url === cancelUrl && lastStatus?.premium === false && heading?.hidden === true,
            "B: the checkout page's cancel link leads back to /matching, still gated (the client's /api/billing/status: premium false)",
            `document ${back?.url}; billing/status ${JSON.stringify(lastStatus)}; heading ${JSON.stringify(heading)}`);
      const sent = (await deliveries()).slice(before);
      const status = await billingStatusOf(B);
      const session = await sessionInState(B.sessionId);
      check(sent.length === 0 && status.data?.premium === false && status.data?.membership_type === "free" &&
            status.data?.subscription === null && session?.status === "open",
            "B: nothing was delivered, B is still free with no subscription (the session stays open)",
            `deliveries ${JSON.stringify(sent.map((d) => d.type))}; status ${JSON.stringify(status.data)}; session ${session?.status}`);
    });
  } finally {
    for (const m of members) await m.context?.close().catch(() => {});
    await browser.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const screens = freshDir(path.join(WORK, "head_billing-screens"));

  installSdk();
  const { chromium, commit, frontend } = prepareRun(WORK, SNAPSHOT, UPSTREAM_COMMIT);

  const scratch = mkdtempSync(path.join(os.tmpdir(), "carat-head-billing-"));
  scratchDir = scratch;
  let fake = null;
  let carat = null;
  let web = null;
  try {
    // The fake first (it picks its own port), then Carat's and the client's ports around it.
    fake = await startFakeStripe(scratch);
    const previous = lastBuild(frontend);
    const caratPort = await freePort(previous?.apiUrl ? Number(new URL(previous.apiUrl).port) : 0, [fake.port]);
    const clientPort = await freePort(previous?.clientPort || 0, [fake.port, caratPort]);
    const caratBase = `http://127.0.0.1:${caratPort}`;
    const clientBase = `http://127.0.0.1:${clientPort}`;
    const dist = buildClient(frontend, caratBase);
    rememberBuild(frontend, { clientPort });

    carat = await startCarat(scratch, caratPort, clientBase, fake.base);
    const config = await fake.ctl("POST", "config", { webhook_url: `${caratBase}/api/billing/webhook` });
    if (config.status !== 200) throw new Error(`POST /_test/config: ${config.status} ${JSON.stringify(config.data)}`);
    web = await serveStatic(dist, clientPort);
    log(`carat ${caratBase}, fake Stripe ${fake.base} (SDK ${config.data?.stripe_sdk_version ?? "?"}), client ${clientBase} (upstream ${commit.slice(0, 12)}), scratch ${scratch}`);

    await walk({ chromium, caratBase, clientBase, fake, screens });

    await carat.stop();
    const caratLog = readFileSync(carat.logFile, "utf8");
    carat = null;
    check(!caratLog.includes(STRIPE_KEY) && !caratLog.includes(WEBHOOK_SECRET),
          "carat.log holds neither STRIPE_SECRET_KEY nor STRIPE_WEBHOOK_SECRET");
  } catch (err) {
    check(false, "the run completed", err.stack || String(err));
    if (carat) console.log(`--- carat\n${tail(carat.logFile)}`);
    if (fake) console.log(`--- fake Stripe\n${tail(fake.logFile)}`);
  } finally {
    if (web) await closeServer(web);
    if (carat) await carat.stop();
    if (fake) await fake.stop();
    if (opts.keep) log(`kept ${scratch} (carat.log, carat.db, fake-stripe.log)`);
    else rmSync(scratch, { recursive: true, force: true });
  }
  log(`screenshots in ${screens}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

await runTest(main, { watchdogMs: WATCHDOG_MS });
