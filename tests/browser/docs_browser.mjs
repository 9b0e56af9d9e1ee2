#!/usr/bin/env node
// Opens /docs of a real `carat serve` in headless Chromium and checks that Swagger UI renders the
// document from the service alone (api.md §2.5: no CDN at run time).
//
//   node docs_browser.mjs --carat <binary> --work <dir>
//
// <dir> caches playwright-core (installed with npm on first use) and receives docs.png.
// Exit status: 0 pass, 1 fail, 77 skipped (Chromium not installed).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const PLAYWRIGHT_VERSION = "1.65.1";
const MIN_OPERATIONS = 30;
const STEP_TIMEOUT_MS = 30_000;
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
];
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

const { values: opts } = parseArgs({
  options: {
    carat: { type: "string" },
    work: { type: "string" },
    chromium: { type: "string", default: process.env.CHROMIUM_PATH || "/usr/bin/chromium" },
  },
});
if (!opts.carat || !opts.work) {
  console.error("usage: docs_browser.mjs --carat <binary> --work <dir> [--chromium <path>]");
  process.exit(2);
}
if (!existsSync(opts.chromium)) {
  console.log(`SKIP: ${opts.chromium} not found (install it with: apt-get install -y chromium)`);
  process.exit(77);
}

const failures = [];
const check = (ok, message) => { if (!ok) failures.push(message); };

// playwright-core drives an installed browser and downloads none. It lives in the build tree,
// pinned, never in the source tree.
function loadPlaywright(workDir) {
  const modules = path.join(workDir, "node_modules");
  const pkg = path.join(modules, "playwright-core", "package.json");
  const installed = existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).version;
  if (installed !== PLAYWRIGHT_VERSION) {
    console.log(`installing playwright-core@${PLAYWRIGHT_VERSION} into ${workDir}`);
    const npm = spawnSync("npm", [
      "install", "--prefix", workDir, "--no-save", "--no-package-lock", "--no-audit", "--no-fund",
      "--ignore-scripts", "--cache", path.join(workDir, "npm-cache"),
      `playwright-core@${PLAYWRIGHT_VERSION}`,
    ], { stdio: "inherit" });
    if (npm.status !== 0) throw new Error(`npm install playwright-core failed (${npm.status})`);
  }
  return createRequire(path.join(workDir, "package.json"))("playwright-core");
}

function startServer(binary, dir) {
  const env = {
    ...process.env, PORT: "0", HOST: "127.0.0.1", APP_ENV: "test",
    SECRET_KEY: "docs-browser-secret-key-0123456789", DATABASE_URL: `sqlite:///${dir}/carat.db`,
    MEDIA_DIR: path.join(dir, "media"), IO_THREADS: "2", DB_POOL_SIZE: "2", BCRYPT_COST: "4",
  };
  const child = spawn(binary, ["serve"], { env, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  const port = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`carat serve did not start:\n${log}`)), 60_000);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => {
      log += chunk;
      const m = log.match(/"msg":"listening".*"port":(\d+)/);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`carat exited (${code}):\n${log}`)); });
  });
  // Resolves once the server has exited (it drains first), killing it if that takes too long.
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), 25_000);
    child.once("exit", () => { clearTimeout(timer); resolve(); });
    child.kill("SIGTERM");
  });
  return { port, stop };
}

async function run() {
  mkdirSync(opts.work, { recursive: true });
  const { chromium } = loadPlaywright(opts.work);
  const scratch = mkdtempSync(path.join(os.tmpdir(), "carat-docs-browser-"));
  const server = startServer(opts.carat, scratch);
  let context;
  try {
    const port = await server.port;
    const base = `http://127.0.0.1:${port}`;
    const version = (await (await fetch(`${base}/`)).json()).version;

    context = await chromium.launchPersistentContext(path.join(scratch, "profile"), {
      executablePath: opts.chromium, headless: true, args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    const requests = [];
    const problems = [];
    context.on("request", (req) => requests.push(req.url()));
    context.on("requestfailed", (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
    context.on("response", (res) => { if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`); });
    const page = context.pages()[0] ?? await context.newPage();
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("console", (msg) => { if (msg.type() === "error") problems.push(`console error: ${msg.text()}`); });

    const nav = await page.goto(`${base}/docs`, { waitUntil: "load", timeout: STEP_TIMEOUT_MS });
    check(nav?.status() === 200, `/docs answered ${nav?.status()}`);
    await page.locator(".information-container .title", { hasText: "Carat API" })
      .waitFor({ timeout: STEP_TIMEOUT_MS });
    await page.waitForFunction((n) => document.querySelectorAll(".opblock").length >= n,
      MIN_OPERATIONS, { timeout: STEP_TIMEOUT_MS });
    const title = (await page.locator(".information-container .title").innerText())
      .replace(/\s+/g, " ").trim();
    const operations = await page.locator(".opblock").count();
    check(title.includes(version), `title "${title}" lacks the service version ${version}`);
    check(await page.locator(".btn.authorize").count() === 1, "no Authorize button (security scheme)");
    check(await page.locator(".errors-wrapper").count() === 0,
      `Swagger UI reports errors: ${await page.locator(".errors-wrapper").allInnerTexts()}`);

    const screenshot = path.join(opts.work, "docs.png");
    await page.screenshot({ path: screenshot });

    // Try it out on the liveness probe: the page can call the API it documents.
    const op = page.locator("#operations-system-liveness");
    await op.locator(".opblock-summary-control").click();
    await op.locator("button.try-out__btn").click();
    await op.locator("button.execute").click();
    await op.locator(".live-responses-table .response-col_status", { hasText: "200" })
      .first().waitFor({ timeout: STEP_TIMEOUT_MS });

    // Log in through the Authorize dialog (the OAuth2 password flow against tokenUrl), then call
    // a protected operation with the token Swagger UI obtained.
    const user = { email: "docs-browser@example.com", password: "docs-pass-123", display_name: "Docs" };
    const reg = await fetch(`${base}/api/auth/register`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(user),
    });
    check(reg.status === 200, `register answered ${reg.status}`);
    await page.locator(".btn.authorize").click();
    const dialog = page.locator(".dialog-ux");
    await dialog.locator("#oauth_username").fill(user.email);
    await dialog.locator("#oauth_password").fill(user.password);
    await dialog.locator("button.authorize").click();
    await dialog.getByRole("heading", { name: "Authorized" }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await dialog.locator("button.btn-done").click();
    const me = page.locator("#operations-auth-auth_me");
    await me.locator(".opblock-summary-control").click();
    await me.locator("button.try-out__btn").click();
    await me.locator("button.execute").click();
    await me.locator(".live-responses-table .response-col_status", { hasText: "200" })
      .first().waitFor({ timeout: STEP_TIMEOUT_MS });
    check((await me.locator(".live-responses-table").innerText()).includes(user.email),
      "GET /api/auth/me through Swagger UI did not return the logged-in user");

    await page.screenshot({ path: path.join(opts.work, "docs-full.png"), fullPage: true });

    const foreign = requests.filter((u) => {
      const url = new URL(u);
      return !["data:", "blob:", "about:"].includes(url.protocol) && !LOOPBACK.has(url.hostname);
    });
    check(foreign.length === 0, `requests left the machine:\n    ${foreign.join("\n    ")}`);
    for (const p of problems) failures.push(p);
    console.log(`title: "${title}", ${operations} operations rendered, ${requests.length} requests ` +
                `(${foreign.length} off the machine), screenshots ${screenshot} and docs-full.png`);
  } finally {
    if (context) await context.close().catch(() => {});
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

const watchdog = setTimeout(() => { console.log("FAIL: timed out"); process.exit(1); }, 240_000);
try {
  await run();
} catch (err) {
  failures.push(err.stack || String(err));
}
clearTimeout(watchdog);
if (failures.length) {
  console.log("FAIL: /docs in Chromium");
  for (const f of failures) console.log(`  - ${f}`);
  process.exit(1);
}
console.log("PASS: /docs renders the Carat API in Chromium from local assets only");
