// The per-step bookkeeping shared by the tests that drive upstream HEAD's web client in headless
// Chromium (head_client.mjs, head_chat.mjs, head_billing.mjs).
//
// A "view" is one page the test drives: an object that watch() fills in with `page`, `inflight`
// (Carat requests not yet answered) and `dialogs` (alerts seen, each accepted); its optional `key`
// ("A", "B") names it in screenshots, trouble lines and recorded responses (`who`).
//
// Every response from Carat is recorded ({step, who, method, url, status, body, at, ...}; `body` a
// promise of the text, read only when `readBody` says so), and so is every trouble of a page (an
// uncaught exception, a failed request to Carat other than ERR_ABORTED, a console error matching
// `consoleTroubles`), each with the step it happened in. step(name, allowed, fn) runs fn within
// `stepLimitMs` (a step that does not finish fails, and every later step fails unrun), lets the
// pages settle, then checks that the step got no 5xx from Carat, no 4xx it does not list in
// `allowed` ({method, path: RegExp on path and query, status}) and no trouble. Requests leaving
// the machine (anything but data:, blob: and loopback) are aborted.
import path from "node:path";

import { LOOPBACK, bodyOf, check, log, relPath, results, sleep } from "./head_web.mjs";

// isCarat(url): whether a URL is Carat's. views(): the views open now (settled, and screenshot
// when a step fails). screens: the screenshot directory (files NN-<key>-<name>.png, or
// NN-<name>.png for a view without a key). stepTimeoutMs: the pages' default timeout and how long
// settle() waits at the most. intended: how the step's check lists the 4xx answers it allowed:
// "each" (every answer, path and query) or "distinct" (each method, path and status once).
export function makeStepRunner({ isCarat, views, screens, stepTimeoutMs, stepLimitMs, intended = "each" }) {
  const responses = [];
  const troubles = [];
  let stepName = "start";
  let hung = false;
  let shot = 0;
  const trouble = (what) => troubles.push({ step: stepName, what });
  const prefix = (view) => (view.key ? `${view.key}: ` : "");

  // Instruments `context` for `view` and opens its page (the context's first one, else a new one).
  // showUrl: how a failed request's URL is shown (e.g. without a token). readBody(res): a promise
  // of the body to keep, or null (default: those of 4xx and 5xx answers). responseFields(res):
  // more fields for the recorded response.
  async function watch(view, context, {
    consoleTroubles = /CORS|Access-Control/i,
    showUrl = (u) => u,
    readBody = (res) => (res.status() >= 400 ? bodyOf(res) : null),
    responseFields = () => ({}),
  } = {}) {
    view.inflight = new Set();
    view.dialogs = [];
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (["data:", "blob:"].includes(url.protocol) || LOOPBACK.has(url.hostname)) return route.continue();
      return route.abort("blockedbyclient");
    });
    context.on("request", (req) => { if (isCarat(req.url())) view.inflight.add(req); });
    context.on("requestfinished", (req) => view.inflight.delete(req));
    context.on("requestfailed", (req) => {
      view.inflight.delete(req);
      // ERR_ABORTED: the page went away before the body was read (a navigation); not Carat's doing.
      if (isCarat(req.url()) && !/ERR_ABORTED/.test(req.failure()?.errorText || "")) {
        trouble(`${prefix(view)}request failed: ${req.method()} ${showUrl(req.url())} ${req.failure()?.errorText}`);
      }
    });
    context.on("response", (res) => {
      const req = res.request();
      if (!isCarat(res.url())) return;
      // "In flight" ends with the response's head: the client does not read every body, and
      // Chromium never reports those as finished.
      view.inflight.delete(req);
      const entry = {
        step: stepName, who: view.key, method: req.method(), url: res.url(), status: res.status(), body: null,
        at: Date.now(), ...responseFields(res),
      };
      responses.push(entry);
      entry.body = readBody(res);
    });
    view.page = context.pages()[0] ?? await context.newPage();
    view.page.setDefaultTimeout(stepTimeoutMs);
    view.page.on("pageerror", (err) => trouble(`${prefix(view)}pageerror: ${err.message}`));
    view.page.on("console", (msg) => {
      if (msg.type() === "error" && consoleTroubles.test(msg.text())) trouble(`${prefix(view)}console: ${msg.text()}`);
    });
    view.page.on("dialog", async (d) => {
      view.dialogs.push({ step: stepName, type: d.type(), message: d.message() });
      await d.accept().catch(() => {});
    });
    return view.page;
  }

  // Waits until no view has a Carat request in flight for 400 ms (stepTimeoutMs at the most).
  async function settle() {
    const deadline = Date.now() + stepTimeoutMs;
    let quietSince = Date.now();
    while (Date.now() < deadline) {
      if (views().some((v) => v.inflight.size > 0)) quietSince = Date.now();
      else if (Date.now() - quietSince > 400) return;
      await sleep(50);
    }
  }

  async function screenshot(view, name) {
    shot++;
    const file = path.join(screens, `${String(shot).padStart(2, "0")}-${view.key ? `${view.key}-` : ""}${name}.png`);
    await view.page.screenshot({ path: file, fullPage: true }).catch(() => {});
  }

  const bodyText = async (view) => (await view.page.locator("body").innerText().catch(() => "")).replace(/\s+/g, " ");

  const listIntended = (rs) => (intended === "distinct"
    ? [...new Set(rs.map((r) => `${r.method} ${new URL(r.url).pathname} ${r.status}`))]
    : rs.map((r) => `${r.method} ${relPath(r.url)} ${r.status}`));

  // Runs one step; true when none of its checks failed.
  async function step(name, allowed, fn) {
    if (hung) { check(false, `${name}: not run (an earlier step hung)`); return false; }
    stepName = name;
    const from = responses.length;
    const troubleFrom = troubles.length;
    const failedFrom = results.failed;
    const t0 = Date.now();
    let timer;
    try {
      await Promise.race([fn(), new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`step did not finish within ${stepLimitMs / 1000} s`)), stepLimitMs);
      })]);
    } catch (err) {
      if (/did not finish within/.test(String(err))) hung = true;
      check(false, `${name}: completed`, (err.stack || String(err)).split("\n").slice(0, 6).join("\n"));
      for (const v of views()) await screenshot(v, `${name.replace(/[^a-z0-9]+/gi, "-")}-error`);
    } finally {
      clearTimeout(timer);
    }
    log(`step "${name}" took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await settle();
    const mine = responses.slice(from);
    const bad = mine.filter((r) => r.status >= 500 || (r.status >= 400 && !allowed.some(
      (a) => a.method === r.method && a.status === r.status && a.path.test(relPath(r.url)))));
    const summary = listIntended(mine.filter((r) => r.status >= 400 && !bad.includes(r)));
    for (const r of bad) r.body = await r.body;
    const problems = troubles.slice(troubleFrom);
    check(bad.length === 0 && problems.length === 0,
          `${name}: ${mine.length} Carat responses, no 5xx, no unintended 4xx${summary.length ? ` (intended: ${summary.join(", ")})` : ""}, no page error`,
          [...bad.map((r) => `${r.who ? `${r.who}: ` : ""}${r.method} ${relPath(r.url)} -> ${r.status} ${r.body ?? ""}`),
           ...problems.map((p) => p.what)].join("\n"));
    return results.failed === failedFrom;
  }

  return { responses, troubles, trouble, watch, settle, screenshot, bodyText, step };
}
