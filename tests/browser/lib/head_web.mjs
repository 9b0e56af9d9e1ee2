// Shared by the tests that run upstream HEAD's React web client (tedueda/rainbow_community
// 7750a50) in headless Chromium: head_client.mjs (one member, one Carat on SQLite), head_chat.mjs
// (two members, two Carat replicas on PostgreSQL) and head_billing.mjs (two free members at the
// checkout of a fake Stripe). Their per-step bookkeeping is lib/steps.mjs.
//
// The command line every one of them takes (--carat, --work, --chromium, --keep, --headed) and its
// skips (exit 77, one line "skipped: ..."), the run's frame (a watchdog, "N passed, M failed", exit
// 0 or 1), results ("ok   - …" / "FAIL - …" lines), child processes, free ports,
// playwright-core (pinned, installed with npm into the cache dir; never `playwright install`), the
// client extracted from the upstream snapshot with `git archive`, installed once per commit (its
// netlify devDependencies dropped) and built with `vite build` (VITE_API_URL baked in; rebuilt only
// when that URL changes), a static server for the built dist, `carat serve` started and awaited,
// a member registered through the client's /register form.
// Nothing of upstream is kept in this repository: all of it lands in the cache dir at run time.
import { spawn, spawnSync } from "node:child_process";
import {
  createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync,
  statSync, writeFileSync,
} from "node:fs";
import http from "node:http";
import net from "node:net";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";

export const PLAYWRIGHT_VERSION = "1.65.1";
export const DEFAULT_UPSTREAM_COMMIT = "7750a50";
export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
];
export const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

const CLIENT_FILES = [
  "frontend/src", "frontend/index.html", "frontend/package.json", "frontend/package-lock.json",
  "frontend/vite.config.ts", "frontend/tsconfig.json", "frontend/tsconfig.app.json",
  "frontend/tsconfig.node.json", "frontend/tailwind.config.js", "frontend/postcss.config.js",
  "frontend/components.json",
];
// Static images (logo, placeholders): nice to have; some of upstream's binary blobs are missing
// from snapshots, so a failure here is only logged.
const OPTIONAL_CLIENT_FILES = ["frontend/public-lite"];
// Bump when the extracted layout changes, so that old caches are rebuilt.
const CACHE_LAYOUT = 2;
const DROPPED_DEV_DEPENDENCIES = ["netlify", "netlify-cli"];

// ---------------------------------------------------------------------------------------------
// Results

export const results = { passed: 0, failed: 0 };
export function check(ok, name, detail) {
  if (ok) {
    results.passed++;
    console.log(`ok   - ${name}`);
  } else {
    results.failed++;
    console.log(`FAIL - ${name}`);
    if (detail) for (const line of String(detail).split("\n")) console.log(`       ${line}`);
  }
  return ok;
}
export const log = (msg) => console.log(`# ${msg}`);

// One line "skipped: <why>", exit 77 (ctest's skip code).
export function skip(why) {
  console.log(`skipped: ${why}`);
  process.exit(77);
}

// The options every test takes (--carat, --work, --chromium, --keep, --headed) and its own
// (`options`, for node:util's parseArgs); `usage` is the optional part of the usage line. Exits 2
// without --carat or --work, skips without CARAT_UPSTREAM_SNAPSHOT or without Chromium.
export function parseCommonArgs({ script, options = {}, usage }) {
  const { values: opts } = parseArgs({
    options: {
      carat: { type: "string" },
      work: { type: "string" },
      chromium: { type: "string", default: process.env.CHROMIUM_PATH || "/usr/bin/chromium" },
      keep: { type: "boolean", default: false },
      headed: { type: "boolean", default: false },
      ...options,
    },
  });
  if (!opts.carat || !opts.work) {
    console.error(`usage: ${script} --carat <binary> --work <dir> ${usage}`);
    process.exit(2);
  }
  const snapshot = process.env.CARAT_UPSTREAM_SNAPSHOT;
  if (!snapshot) skip("no upstream snapshot (set CARAT_UPSTREAM_SNAPSHOT to the git dir of tedueda/rainbow_community)");
  if (!existsSync(opts.chromium)) skip(`${opts.chromium} not found (apt-get install -y chromium)`);
  return {
    opts, snapshot, work: path.resolve(opts.work), carat: path.resolve(opts.carat),
    upstreamCommit: process.env.CARAT_UPSTREAM_COMMIT || DEFAULT_UPSTREAM_COMMIT,
  };
}

// Runs `main` under a watchdog (after `watchdogMs`: children killed, `onTimeout`, one more
// failure, exit 1); an exception is a failed "the run completed"; then "N passed, M failed" and
// exit 0 or 1.
export async function runTest(main, { watchdogMs, onTimeout = () => {} }) {
  const watchdog = setTimeout(() => {
    killChildren();
    onTimeout();
    console.log("FAIL - the run finished within its time limit");
    console.log(`${results.passed} passed, ${results.failed + 1} failed`);
    process.exit(1);
  }, watchdogMs);
  try {
    await main();
  } catch (err) {
    check(false, "the run completed", err.stack || String(err));
  }
  clearTimeout(watchdog);
  console.log(`${results.passed} passed, ${results.failed} failed`);
  process.exit(results.failed ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// Processes, ports, files

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function run(cmd, args, options = {}) {
  const res = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, ...options });
  if (res.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed (${res.status ?? res.signal}):\n` +
                    `${(res.stderr || "").slice(-4000)}${(res.stdout || "").slice(-2000)}`);
  }
  return res.stdout;
}

export function tail(file, lines = 30) {
  try { return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n"); } catch { return ""; }
}

// Started processes, killed by a watchdog if the run hangs.
export const children = new Set();
export function killChildren() {
  for (const child of children) child.kill("SIGKILL");
}

// Spawns a long-running child whose stdout and stderr go to `logFile`; returns the child and a
// stop() that sends `signal` and waits (SIGKILL after `graceMs`).
export function spawnLogged(cmd, args, { env, logFile, signal = "SIGTERM", graceMs = 25_000 } = {}) {
  const out = createWriteStream(logFile);
  const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  child.on("exit", () => children.delete(child));
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  const state = { exited: null };
  child.on("exit", (code, sig) => { state.exited = code ?? sig; });
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => { clearTimeout(timer); resolve(); });
    child.kill(signal);
  });
  return { child, state, stop, logFile };
}

// `carat serve` with `env` (PORT must be fixed); resolves once /healthz answers 200.
export async function startCaratServe(carat, env, logFile) {
  const proc = spawnLogged(carat, ["serve"], { env, logFile });
  const base = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.state.exited !== null) throw new Error(`carat serve exited (${proc.state.exited}):\n${tail(logFile)}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.status === 200) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`carat serve did not answer /healthz 200:\n${tail(logFile)}`);
    await sleep(100);
  }
  return { base, stop: proc.stop, logFile, child: proc.child };
}

export function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}
// `preferred` when it is free and not in `taken`, else a port the kernel picks (not in `taken`).
export async function freePort(preferred, taken = []) {
  if (preferred && !taken.includes(preferred) && await portIsFree(preferred)) return preferred;
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.once("error", reject);
      srv.listen(0, "127.0.0.1", () => {
        const { port: p } = srv.address();
        srv.close(() => resolve(p));
      });
    });
    if (!taken.includes(port)) return port;
  }
}

// ---------------------------------------------------------------------------------------------
// The client: extracted, installed, built (cached in `work` keyed on the snapshot commit)

export function loadPlaywright(work) {
  const pkg = path.join(work, "node_modules", "playwright-core", "package.json");
  const installed = existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).version;
  if (installed !== PLAYWRIGHT_VERSION) {
    log(`installing playwright-core@${PLAYWRIGHT_VERSION} into ${work}`);
    run("npm", [
      "install", "--prefix", work, "--no-save", "--no-package-lock", "--no-audit", "--no-fund",
      "--ignore-scripts", "--cache", path.join(work, "npm-cache"), `playwright-core@${PLAYWRIGHT_VERSION}`,
    ]);
  }
  return createRequire(path.join(work, "package.json"))("playwright-core");
}

// chromium.launch() / launchPersistentContext() options for --chromium and --headed.
export function chromiumOptions(opts) {
  return {
    executablePath: opts.chromium, headless: !opts.headed,
    args: opts.headed ? CHROMIUM_ARGS.filter((a) => a !== "--headless") : CHROMIUM_ARGS,
  };
}

// An empty directory (made with its parents; emptied when it was there).
export function freshDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

// Playwright's chromium, and the client of `commitish` extracted and installed (built later, by
// buildClient, once its API URL is known).
export function prepareRun(work, snapshot, commitish) {
  const { chromium } = loadPlaywright(work);
  const commit = resolveCommit(snapshot, commitish);
  return { chromium, commit, frontend: prepareClient(work, snapshot, commit) };
}

export function resolveCommit(snapshot, commitish) {
  return run("git", ["--git-dir", snapshot, "rev-parse", "--verify", `${commitish}^{commit}`]).trim();
}

// Extracts and installs once per commit; returns the frontend directory.
export function prepareClient(work, snapshot, commit) {
  const root = path.join(work, `head-client-${commit.slice(0, 12)}`);
  const frontend = path.join(root, "frontend");
  const stamp = path.join(root, "installed.json");
  let stamped = null;
  try { stamped = JSON.parse(readFileSync(stamp, "utf8")); } catch { stamped = null; }
  if (stamped?.layout === CACHE_LAYOUT && existsSync(path.join(frontend, "node_modules", ".bin", "vite"))) return frontend;

  log(`extracting the client of ${commit.slice(0, 12)} from ${snapshot}`);
  rmSync(root, { recursive: true, force: true });
  const staging = `${root}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const extract = (paths) => {
    const archive = spawnSync("git", ["--git-dir", snapshot, "archive", "--format=tar", commit, ...paths],
                              { maxBuffer: 256 << 20 });
    if (archive.status !== 0) return String(archive.stderr).trim();
    run("tar", ["-x", "-C", staging], { input: archive.stdout, encoding: "buffer" });
    return null;
  };
  const failure = extract(CLIENT_FILES);
  if (failure) throw new Error(`git archive ${commit} failed: ${failure}`);
  for (const optional of OPTIONAL_CLIENT_FILES) {
    const missing = extract([optional]);
    if (missing) log(`${optional} not extracted (the client runs without it): ${missing.split("\n")[0]}`);
  }

  const pkgPath = path.join(staging, "frontend", "package.json");
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8"));
  for (const name of DROPPED_DEV_DEPENDENCIES) delete pkg.devDependencies?.[name];
  writeFileSync(pkgPath, JSON.stringify(pkg, null, 2));

  log("npm install (the client's dependencies, without netlify)");
  const t0 = Date.now();
  run("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error",
              "--cache", path.join(work, "npm-cache")], { cwd: path.join(staging, "frontend") });
  log(`npm install took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  writeFileSync(path.join(staging, "installed.json"), JSON.stringify({ commit, layout: CACHE_LAYOUT, at: new Date().toISOString() }));
  renameSync(staging, root);
  return frontend;
}

export function buildMetaPath(frontend) { return path.join(frontend, "..", "build.json"); }
export function lastBuild(frontend) {
  try { return JSON.parse(readFileSync(buildMetaPath(frontend), "utf8")); } catch { return null; }
}
// Remembers extra facts of the last build (e.g. the ports used), for the next run.
export function rememberBuild(frontend, extra) {
  writeFileSync(buildMetaPath(frontend), JSON.stringify({ ...lastBuild(frontend), ...extra }));
}

export function buildClient(frontend, apiUrl) {
  const dist = path.join(frontend, "dist");
  const meta = lastBuild(frontend);
  if (meta?.apiUrl === apiUrl && existsSync(path.join(dist, "index.html"))) {
    log(`client build cached (VITE_API_URL=${apiUrl})`);
    return dist;
  }
  log(`vite build (VITE_API_URL=${apiUrl})`);
  const t0 = Date.now();
  rmSync(buildMetaPath(frontend), { force: true });
  const env = { ...process.env, VITE_API_URL: apiUrl, VITE_BUILD_ID: "carat-e2e", BROWSERSLIST_IGNORE_OLD_DATA: "1" };
  delete env.GITHUB_PAGES;
  delete env.VITE_USE_MOCK;
  run(path.join(frontend, "node_modules", ".bin", "vite"), ["build", "--logLevel", "warn"], { cwd: frontend, env });
  writeFileSync(buildMetaPath(frontend), JSON.stringify({ apiUrl, at: new Date().toISOString() }));
  log(`vite build took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return dist;
}

// index.html for every path that is not a file (the client routes with BrowserRouter).
export function serveStatic(dist, port) {
  const types = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".json": "application/json",
    ".ico": "image/x-icon", ".woff2": "font/woff2",
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    let file = path.normalize(path.join(dist, decodeURIComponent(url.pathname)));
    if (!file.startsWith(dist)) { res.writeHead(403).end(); return; }
    let ok = false;
    try { ok = statSync(file).isFile(); } catch { ok = false; }
    if (!ok) {
      if (path.extname(url.pathname)) { res.writeHead(404, { "content-type": "text/plain" }).end("not found"); return; }
      file = path.join(dist, "index.html");
    }
    res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream",
                         "cache-control": "no-store" });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
export function closeServer(server) {
  return new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); });
}

// ---------------------------------------------------------------------------------------------
// The client's pages

// Registers `member` through the client's /register form at `clientBase` (display name, e-mail,
// phone number, the password twice; `beforeSubmit` runs on the filled form) and waits for /feed,
// where the client goes once registered: the caller checks where the page is.
export async function registerThroughForm(page, clientBase, { name, email, phone, password }, { beforeSubmit } = {}) {
  await page.goto(`${clientBase}/register`, { waitUntil: "load" });
  await page.locator("#displayName").fill(name);
  await page.locator("#email").fill(email);
  await page.locator("#phoneNumber").fill(phone);
  await page.locator("#password").fill(password);
  await page.locator("#confirmPassword").fill(password);
  if (beforeSubmit) await beforeSubmit();
  await page.locator("form button[type=submit]").click();
  await page.waitForURL(/\/feed$/).catch(() => {});
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

// A response's body as the page received it, without waiting forever: Chromium only hands out
// bodies that the page itself read.
export async function bodyOf(res, ms = 2000) {
  let timer;
  try {
    return await Promise.race([
      res.text().then((t) => t.slice(0, 300)),
      new Promise((resolve) => { timer = setTimeout(() => resolve("(body not read by the page)"), ms); }),
    ]);
  } catch {
    return "(body unavailable)";
  } finally {
    clearTimeout(timer);
  }
}
// A URL's path and query.
export const relPath = (u) => { const x = new URL(u); return x.pathname + x.search; };
export const parseJson = (t) => { try { return JSON.parse(t); } catch { return null; } };

export async function api(base, method, pathname, { token, json, form, headers: extra } = {}) {
  const headers = { ...extra };
  let body;
  if (token) headers.authorization = `Bearer ${token}`;
  if (json !== undefined) { headers["content-type"] = "application/json"; body = JSON.stringify(json); }
  if (form !== undefined) { headers["content-type"] = "application/x-www-form-urlencoded"; body = new URLSearchParams(form).toString(); }
  const res = await fetch(`${base}${pathname}`, { method, headers, body });
  const text = await res.text();
  let data = null;
  try { data = JSON.parse(text); } catch { data = text; }
  return { status: res.status, data, headers: res.headers };
}
