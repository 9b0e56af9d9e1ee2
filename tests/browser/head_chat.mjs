#!/usr/bin/env node
// Two members chat live through upstream HEAD's own React web client (tedueda/rainbow_community
// 7750a50) in headless Chromium, each served by a DIFFERENT replica of Carat on one PostgreSQL.
//
//   CARAT_UPSTREAM_SNAPSHOT=<upstream git dir> \
//     node tests/browser/head_chat.mjs --carat <carat binary> --work <cache dir> [--keep] [--headed]
//
// ctest runs it as head_chat_browser (tests/CMakeLists.txt; cache dir in the build tree).
//
// What it proves (issue 12, "Done means"): two members, in two browser contexts, go through the
// client's matching pages: each registers through /register and fills /matching/profile, A finds B
// with the search (/matching), likes B (お気に入り), opens B's profile and sends a chat request
// with a first message (/matching/compose), B opens /matching/chats, sees the request and accepts
// it (承諾), both have the chat open (/matching/chats/<id>, whose useChatThread opens the WebSocket
// /ws/matching/chat?chat_id=&token=). Then, in three rounds (A→B, B→A, A→B), a message typed and
// sent (送信) in one page must appear in the other's open chat WITHOUT a reload (same document, no
// navigation, no refetch of the messages: it came over the socket) within 1 s of the click; the
// measured latencies are printed. Replica A served A's page and B's page was served by replica B:
// every Carat answer the pages got carries the X-Carat-Replica header the load balancer adds, each
// socket's handshake (seen through the DevTools protocol) too, the request ids of the answers are
// found in that replica's log and not in the other's, each replica logged the 101 of its own
// member's socket only, and the load balancer's log routed every request by its Origin.
//
// Topology (all on 127.0.0.1, ports picked at run time): a throwaway PostgreSQL 15 cluster
// (initdb in a temp dir, as the `postgres` user when run as root; `carat migrate` once); two
// `carat serve` (RUN_MIGRATIONS=false, same SECRET_KEY, one shared MEDIA_DIR, ALLOW_ORIGINS = both
// client origins); HAProxy in front of them at the URL baked into the client (VITE_API_URL),
// routing on the Origin request header (browsers send it on CORS requests and on WebSocket
// handshakes; Referer as a fallback for no-cors requests such as images): the client served from
// http://127.0.0.1:<A> goes to replica A, from http://127.0.0.1:<B> to replica B, anything else
// gets 421. The same built dist is served on both client ports by a small static server.
//
// Skips (exit 77, one line "skipped: ..."): no CARAT_UPSTREAM_SNAPSHOT (as in CI), no Chromium,
// no haproxy (apt-get install -y haproxy), no PostgreSQL binaries (CARAT_PG_BIN, default
// /usr/lib/postgresql/15/bin), run as root without a `postgres` user. CARAT_UPSTREAM_COMMIT
// overrides the upstream commit. --keep keeps the scratch directory (replica-a.log,
// replica-b.log, haproxy.log, haproxy.cfg, postgres.log; its path is printed); --headed shows the
// browser. The client is extracted, installed and built in <cache dir> as head_client.mjs does
// (lib/head_web.mjs, which also parses the command line and makes the skips shared with it);
// nothing of upstream is kept in this repository.
//
// Every response from Carat is recorded per step: a 5xx, or a 4xx the step does not list as
// intended, fails that step, and so does an uncaught exception in a page, a failed request to
// Carat, a CORS error or a WebSocket error in the console (lib/steps.mjs, as in head_client.mjs).
// One "ok   - <check>" / "FAIL - <check>" line per check, "# " lines for progress, then "N passed, M failed". Exit 0 all passed,
// 1 a failure, 2 usage, 77 skipped. Screenshots: <cache dir>/head_chat-screens/NN-<member>-<page>.png.
//
// Defects of HEAD's client itself (independent of the backend) are routed around, not counted:
// - The profile page offers 恋愛対象 男性/女性/その他, but the search page's L/G tabs keep only
//   cards whose romance_targets include "レズ"/"ゲイ": a member who ticks 男性 is listed under
//   その他 only. A opens the その他 tab, as a person would after an empty G tab.
// - After B accepts, A's chat shell still holds the request lists it fetched when it mounted (it
//   refetches only when the token changes) and its pending page finds the request in neither list
//   any more (only pending requests are listed), so clicking チャット there shows 読み込み中...
//   for good. A leaves the chat pages (検索) and comes back (チャット), which mounts the shell
//   anew; it then opens the chat by itself (first chat, desktop width).
import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import {
  api, buildClient, check, chromiumOptions, closeServer, freePort, freshDir, lastBuild, log,
  parseCommonArgs, prepareRun, registerThroughForm, rememberBuild, run, runTest, serveStatic, skip,
  sleep, spawnLogged, startCaratServe, tail,
} from "./lib/head_web.mjs";
import { makeStepRunner } from "./lib/steps.mjs";

const PG_BIN = process.env.CARAT_PG_BIN || "/usr/lib/postgresql/15/bin";
const SECRET_KEY = "head-chat-e2e-secret-key-0123456789abcdef";
const STEP_TIMEOUT_MS = 20_000;
const STEP_LIMIT_MS = 120_000;
const WATCHDOG_MS = 14 * 60_000;
const DELIVERY_LIMIT_MS = 1000;
const REPLICA_HEADER = "x-carat-replica";

const { opts, snapshot: SNAPSHOT, work: WORK, carat: CARAT, upstreamCommit: UPSTREAM_COMMIT } = parseCommonArgs({
  script: "head_chat.mjs", usage: "[--chromium <path>] [--haproxy <path>] [--keep] [--headed]",
  options: { haproxy: { type: "string", default: process.env.HAPROXY || "" } },
});
const HAPROXY = opts.haproxy || ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/usr/bin/haproxy"].find((p) => existsSync(p));
if (!HAPROXY || !existsSync(HAPROXY)) skip("haproxy not found (apt-get install -y haproxy)");
if (!existsSync(path.join(PG_BIN, "initdb"))) skip(`no PostgreSQL binaries in ${PG_BIN} (set CARAT_PG_BIN)`);
const PG_OWNER = process.getuid?.() === 0 ? pgOwner() : null;
if (process.getuid?.() === 0 && !PG_OWNER) skip("running as root and there is no `postgres` user to run initdb as");

function pgOwner() {
  const id = (flag) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  const u = id("-u");
  const g = id("-g");
  if (u.status !== 0 || g.status !== 0) return null;
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a throwaway cluster on a free loopback port (tests/head/harness.py's Postgres)

async function startPostgres() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "carat-head-chat-pg-"));
  if (PG_OWNER) chownSync(dir, PG_OWNER.uid, PG_OWNER.gid);
  const data = path.join(dir, "data");
  const logFile = path.join(dir, "server.log");
  const port = await freePort(0);
  const pg = (cmd, args) => (PG_OWNER
    ? run("/usr/sbin/runuser", ["-u", "postgres", "--", path.join(PG_BIN, cmd), ...args])
    : run(path.join(PG_BIN, cmd), args));
  const stop = () => {
    try {
      spawnSync(PG_OWNER ? "/usr/sbin/runuser" : path.join(PG_BIN, "pg_ctl"),
                [...(PG_OWNER ? ["-u", "postgres", "--", path.join(PG_BIN, "pg_ctl")] : []),
                 "-D", data, "-m", "immediate", "stop"], { stdio: "ignore" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    pg("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]);
    pg("pg_ctl", ["-D", data, "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off ` +
                  "-c synchronous_commit=off -c full_page_writes=off", "-l", logFile, "-w", "start"]);
    pg("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "carat_chat"]);
  } catch (err) {
    const serverLog = tail(logFile);
    stop();
    throw new Error(`${err.message}\n${serverLog}`);
  }
  return { url: `postgresql://postgres@127.0.0.1:${port}/carat_chat`, port, logFile, stop };
}

// ---------------------------------------------------------------------------------------------
// HAProxy: one frontend at the client's API URL, one backend per replica, routed on Origin

function haproxyConfig({ lbPort, origins, replicas }) {
  const [a, b] = origins;
  return `global
  log stdout format raw local0
  maxconn 512

defaults
  mode http
  log global
  log-format "carat-lb backend=%b server=%s status=%ST method=%HM path=%HPO origin=%[capture.req.hdr(0)] referer=%[capture.req.hdr(1)] ms=%Ta"
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout tunnel 30m

frontend lb
  bind 127.0.0.1:${lbPort}
  http-request capture req.hdr(origin) len 100
  http-request capture req.hdr(referer) len 200
  acl from_a req.hdr(origin) -m str ${a}
  acl from_b req.hdr(origin) -m str ${b}
  acl no_origin req.hdr_cnt(origin) eq 0
  acl ref_a req.hdr(referer) -m beg ${a}/
  acl ref_b req.hdr(referer) -m beg ${b}/
  use_backend replica_a if from_a
  use_backend replica_b if from_b
  use_backend replica_a if no_origin ref_a
  use_backend replica_b if no_origin ref_b
  default_backend unrouted

backend replica_a
  http-response set-header X-Carat-Replica %[srv_name]
  server ${replicas.a.name} 127.0.0.1:${replicas.a.port}

backend replica_b
  http-response set-header X-Carat-Replica %[srv_name]
  server ${replicas.b.name} 127.0.0.1:${replicas.b.port}

backend unrouted
  http-request return status 421 content-type text/plain string "no replica for this origin"
`;
}

async function startHaproxy(scratch, config, lbPort) {
  const cfg = path.join(scratch, "haproxy.cfg");
  writeFileSync(cfg, config);
  run(HAPROXY, ["-c", "-q", "-f", cfg]);
  const proc = spawnLogged(HAPROXY, ["-db", "-f", cfg], { logFile: path.join(scratch, "haproxy.log"), graceMs: 5000 });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.state.exited !== null) throw new Error(`haproxy exited (${proc.state.exited}):\n${tail(proc.logFile)}`);
    try {
      await fetch(`http://127.0.0.1:${lbPort}/healthz`);
      break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`haproxy did not listen on ${lbPort}:\n${tail(proc.logFile)}`);
    await sleep(100);
  }
  return proc;
}

// One JSON object per line of a replica's log (other lines skipped).
function replicaLog(file) {
  let text = "";
  try { text = readFileSync(file, "utf8"); } catch { return []; }
  return text.split("\n").map((l) => { try { return JSON.parse(l); } catch { return null; } }).filter(Boolean);
}
function haproxyLog(file) {
  let text = "";
  try { text = readFileSync(file, "utf8"); } catch { return []; }
  return text.split("\n").filter((l) => l.startsWith("carat-lb ")).map((l) => {
    const entry = { line: l };
    for (const m of l.matchAll(/(\w+)=(\S*)/g)) entry[m[1]] = m[2];
    return entry;
  });
}

// ---------------------------------------------------------------------------------------------
// The walk

async function walk({ chromium, lbBase, members, screens }) {
  const [A, B] = members;
  const browser = await chromium.launch(chromiumOptions(opts));

  const isCarat = (u) => u.startsWith(lbBase + "/") || u === lbBase;
  const stripToken = (u) => u.replace(/([?&]token=)[^&]*/, "$1…");
  // step(name, allowed, fn): `allowed` lists the 4xx answers the step intends ({method, path: RegExp, status}).
  const steps = makeStepRunner({ isCarat, views: () => members, screens, stepTimeoutMs: STEP_TIMEOUT_MS, stepLimitMs: STEP_LIMIT_MS });
  const { responses: caratResponses, settle, screenshot, bodyText, step } = steps;

  for (const m of members) {
    m.context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "ja-JP" });
    m.sockets = [];       // page.on("websocket"): url, frames received (text, at)
    m.handshakes = [];    // DevTools protocol: the socket's handshake answer (status, replica)
    m.socketOpen = [];    // console "WebSocket connected for chat <id>"
    m.navigations = 0;
    // inflight, dialogs, page; every answer from Carat recorded with the replica that gave it.
    // Nothing leaves the machine (index.html links Google Fonts).
    await steps.watch(m, m.context, {
      consoleTroubles: /CORS|Access-Control|WebSocket/i,
      showUrl: stripToken,
      responseFields: (res) => {
        const headers = res.headers();
        return { replica: headers[REPLICA_HEADER] ?? null, requestId: headers["x-request-id"] ?? null };
      },
    });
    m.page.on("console", (msg) => {
      const open = /^WebSocket connected for chat (\d+)/.exec(msg.text());
      if (open) m.socketOpen.push({ chatId: Number(open[1]), at: Date.now() });
    });
    m.page.on("framenavigated", (frame) => { if (frame === m.page.mainFrame()) m.navigations++; });
    m.page.on("websocket", (ws) => {
      const sock = { url: stripToken(ws.url()), frames: [], closedAt: null, openedAt: Date.now() };
      m.sockets.push(sock);
      ws.on("framereceived", (f) => sock.frames.push({ text: String(f.payload), at: Date.now() }));
      ws.on("close", () => { sock.closedAt = Date.now(); });
      ws.on("socketerror", (e) => steps.trouble(`${m.key}: websocket error: ${e}`));
    });
    const cdp = await m.context.newCDPSession(m.page);
    await cdp.send("Network.enable");
    const created = new Map();
    cdp.on("Network.webSocketCreated", (e) => created.set(e.requestId, stripToken(e.url)));
    cdp.on("Network.webSocketHandshakeResponseReceived", (e) => {
      const h = Object.fromEntries(Object.entries(e.response?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      m.handshakes.push({ url: created.get(e.requestId) ?? "?", status: e.response?.status, replica: h[REPLICA_HEADER] ?? null,
                          requestId: h["x-request-id"] ?? null });
    });
  }

  const goto = async (m, p) => { await m.page.goto(`${m.clientBase}${p}`, { waitUntil: "load" }); };
  // The matching pages' own navigation (検索, お気に入り, チャット, プロフィール編集).
  const nav = async (m, href) => {
    const link = m.page.locator(`a[href='${href}']:visible`).first();
    if (await link.count()) await link.click();
    else await goto(m, href);
  };
  const waitResponse = (m, method, re) => m.page.waitForResponse(
    (r) => isCarat(r.url()) && r.request().method() === method && re.test(new URL(r.url()).pathname));
  const tokenOf = (m) => m.page.evaluate(() => localStorage.getItem("token"));

  let chatId = null;
  let requestId = null;
  const latencies = [];
  try {
    // 1. Both register through the registration form.
    for (const m of members) {
      await step(`${m.key} registers`, [], async () => {
        await registerThroughForm(m.page, m.clientBase, m);
        await settle();
        await screenshot(m, "feed-after-register");
        m.token = await tokenOf(m);
        const me = await api(m.replicaBase, "GET", "/api/auth/me", { token: m.token });
        m.id = me.data?.id;
        check(/\/feed$/.test(m.page.url()) && me.status === 200 && me.data?.email === m.email && Number.isInteger(m.id),
              `${m.key}: the registration form creates the member and logs in (lands on /feed; /api/auth/me knows her)`,
              `at ${m.page.url()}; /api/auth/me ${me.status} ${JSON.stringify(me.data)}`);
      });
    }

    // 2. Both fill their matching profile (listed in the search by default).
    for (const m of members) {
      await step(`${m.key} fills the matching profile`, [], async () => {
        await goto(m, "/matching/profile");
        await m.page.locator("#nickname").waitFor();
        await settle();
        await m.page.locator("#nickname").fill(m.name);
        await m.page.locator("#prefecture").selectOption(m.prefecture);
        await m.page.locator("#age_band").selectOption(m.ageBand);
        await m.page.locator("#occupation").selectOption("会社員");
        await m.page.locator("#meet_pref").selectOption("友人探し");
        await m.page.locator("#identity").selectOption("ゲイ");
        await m.page.getByRole("group", { name: "恋愛対象" }).getByLabel("男性").check();
        await m.page.locator("#bio").fill(m.bio);
        await screenshot(m, "matching-profile-form");
        const dialogFrom = m.dialogs.length;
        const saved = waitResponse(m, "PUT", /^\/api\/matching\/profiles\/me$/);
        await m.page.locator("button:visible", { hasText: /^保存$/ }).click();
        const res = await saved;
        const deadline = Date.now() + 5000;
        while (m.dialogs.length === dialogFrom && Date.now() < deadline) await sleep(50);
        await settle();
        await screenshot(m, "matching-profile-saved");
        const shown = m.dialogs.slice(dialogFrom).map((d) => d.message);
        const mine = await api(m.replicaBase, "GET", "/api/matching/profiles/me", { token: m.token });
        check(res.status() === 200 && shown.some((t) => t.includes("保存しました")) && mine.data?.identity === "ゲイ" &&
              mine.data?.prefecture === m.prefecture && mine.data?.bio === m.bio && mine.data?.display_flag === true &&
              JSON.stringify(mine.data?.romance_targets) === JSON.stringify(["男性"]),
              `${m.key}: /matching/profile saves the profile (PUT /api/matching/profiles/me), listed in the search`,
              `PUT ${res.status()}; dialogs ${JSON.stringify(shown)}; GET /api/matching/profiles/me ${JSON.stringify(mine.data).slice(0, 400)}`);
      });
    }

    // 3. A searches and finds B.
    const cardOf = (m, who) => m.page.locator("article", { hasText: who.name });
    const openOtherTab = async (m) => {
      await m.page.getByRole("tab", { name: "その他" }).click();
      await m.page.waitForURL(/segment=other/);
    };
    await step("A searches and finds B", [], async () => {
      const search = waitResponse(A, "GET", /^\/api\/matching\/search$/);
      await nav(A, "/matching");
      await A.page.waitForURL(/\/matching$/);
      await search;
      await settle();
      await screenshot(A, "search-G");
      log(`the search's G tab ${(await cardOf(A, B).count()) ? "lists" : "does not list"} B (HEAD client: it keeps romance_targets containing "ゲイ", which the profile page never offers)`);
      await openOtherTab(A);
      await cardOf(A, B).first().waitFor();
      await settle();
      await screenshot(A, "search-other");
      const text = await bodyText(A);
      check(await cardOf(A, B).count() === 1 && text.includes(B.prefecture) && !(await cardOf(A, A).count()),
            "A: the search (GET /api/matching/search) lists B's card under その他, and not A herself",
            `page says: ${text.slice(0, 400)}`);
    });

    // 4. A likes B from the card.
    await step("A likes B", [], async () => {
      const liked = waitResponse(A, "POST", new RegExp(`^/api/matching/likes/${B.id}$`));
      await A.page.getByRole("button", { name: `${B.name}をお気に入りに追加` }).click();
      const res = await liked;
      const body = await res.json().catch(() => null);
      await A.page.waitForURL(/\/matching\/(likes|matches)$/);
      await A.page.getByText(B.name).first().waitFor();
      await settle();
      await screenshot(A, "likes");
      const likes = await api(A.replicaBase, "GET", "/api/matching/likes", { token: A.token });
      // HEAD's backend answers 201 {"status": "liked", "like_id"}; the card also reads a `matched`
      // that no backend sends, so it always goes on to /matching/likes.
      check(res.status() === 201 && body?.status === "liked" && Number.isInteger(body?.like_id) && /\/matching\/likes$/.test(A.page.url()) &&
            (likes.data?.items ?? []).some((i) => i.user_id === B.id),
            "A: お気に入り on B's card likes B (POST /api/matching/likes/<B>, 201) and /matching/likes lists B",
            `POST ${res.status()} ${JSON.stringify(body)}; at ${A.page.url()}; GET /api/matching/likes ${JSON.stringify(likes.data).slice(0, 300)}`);
    });

    // 5. A opens B's profile from the search and sends a chat request with a first message.
    await step("A sends B a chat request", [], async () => {
      await nav(A, "/matching");
      await A.page.waitForURL(/\/matching$/);
      await openOtherTab(A);
      await cardOf(A, B).first().getByText(B.name).click();
      await A.page.waitForURL(new RegExp(`/matching/users/${B.id}$`));
      await A.page.locator("h2", { hasText: B.name }).waitFor();
      await settle();
      await screenshot(A, "profile-of-B");
      check((await bodyText(A)).includes(B.bio), "A: B's profile page (GET /api/matching/profiles/<B>) shows B's self-introduction");
      await A.page.locator("button:visible", { hasText: "メールをする" }).click();
      await A.page.waitForURL(new RegExp(`/matching/compose/${B.id}$`));
      await A.page.locator("textarea[placeholder='メールを送信']").fill(A.firstMessage);
      await screenshot(A, "compose");
      const sent = waitResponse(A, "POST", new RegExp(`^/api/matching/chat_requests/${B.id}$`));
      await A.page.locator("button:visible", { hasText: "➤" }).last().click();
      const res = await sent;
      const body = await res.json().catch(() => null);
      requestId = body?.request_id;
      await A.page.waitForURL(/\/matching\/chats\/requests\/\d+$/);
      await A.page.getByText("承諾待ち").first().waitFor();
      await settle();
      await screenshot(A, "request-pending");
      check(res.status() === 201 && Number.isInteger(requestId) && A.page.url().endsWith(`/matching/chats/requests/${requestId}`) &&
            (await bodyText(A)).includes(A.firstMessage),
            "A: the compose page sends the chat request with the first message (POST /api/matching/chat_requests/<B>); A sees 承諾待ち",
            `POST ${res.status()} ${JSON.stringify(body)}; at ${A.page.url()}`);
    });

    // 6. B opens the chats, sees the request, accepts.
    // The pending page asks for the request's pending messages; HEAD's backend lets only the
    // sender read them (403 "Only sender can view pending messages") and the page then shows the
    // request's initial_message instead.
    const recipientReadsPending = { method: "GET", path: /^\/api\/matching\/chat_requests\/\d+\/messages$/, status: 403 };
    await step("B accepts the chat request", [recipientReadsPending], async () => {
      await nav(B, "/matching/chats");
      await B.page.waitForURL(new RegExp(`/matching/chats/requests/${requestId}$`));
      await B.page.getByText("さんからチャットリクエスト").waitFor();
      await settle();
      await screenshot(B, "request-incoming");
      const text = await bodyText(B);
      const pending = await api(B.replicaBase, "GET", `/api/matching/chat_requests/${requestId}/messages`, { token: B.token });
      check(text.includes(`${A.name}さんからチャットリクエスト`) && text.includes(A.firstMessage) &&
            pending.status === 403 && pending.data?.detail === "Only sender can view pending messages",
            "B: /matching/chats lists the incoming request (GET /api/matching/chat_requests/incoming) and shows A's first message (its initial_message; the pending messages are the sender's: 403)",
            `GET /api/matching/chat_requests/${requestId}/messages as B: ${pending.status} ${JSON.stringify(pending.data)}`);
      const accepted = waitResponse(B, "POST", new RegExp(`^/api/matching/chat_requests/${requestId}/accept$`));
      await B.page.locator("button:visible", { hasText: /^承諾$/ }).click();
      const res = await accepted;
      const body = await res.json().catch(() => null);
      chatId = body?.chat_id;
      await B.page.waitForURL(new RegExp(`/matching/chats/${chatId}$`));
      await B.page.locator("textarea[placeholder='メッセージを入力']").waitFor();
      const deadline = Date.now() + STEP_TIMEOUT_MS;
      while (!B.socketOpen.some((s) => s.chatId === chatId) && Date.now() < deadline) await sleep(50);
      await settle();
      await screenshot(B, "chat-open");
      check(res.status() === 200 && Number.isInteger(chatId) && B.socketOpen.some((s) => s.chatId === chatId),
            "B: 承諾 accepts (POST /api/matching/chat_requests/<id>/accept), opens /matching/chats/<chat_id> and its WebSocket",
            `POST ${res.status()} ${JSON.stringify(body)}; at ${B.page.url()}; sockets opened: ${JSON.stringify(B.socketOpen)}`);
    });

    // 7. A comes back to the chats (see the header: the stale shell) and the chat opens.
    await step("A opens the chat", [], async () => {
      await nav(A, "/matching");
      await A.page.waitForURL(/\/matching$/);
      await settle();
      await nav(A, "/matching/chats");
      await A.page.waitForURL(new RegExp(`/matching/chats/${chatId}$`));
      await A.page.locator("textarea[placeholder='メッセージを入力']").waitFor();
      const deadline = Date.now() + STEP_TIMEOUT_MS;
      while (!A.socketOpen.some((s) => s.chatId === chatId) && Date.now() < deadline) await sleep(50);
      await settle();
      await screenshot(A, "chat-open");
      check(A.socketOpen.some((s) => s.chatId === chatId) && (await bodyText(A)).includes(B.name),
            "A: チャット opens the accepted chat with B (/matching/chats/<chat_id>) and its WebSocket",
            `at ${A.page.url()}; sockets opened: ${JSON.stringify(A.socketOpen)}`);
    });

    // 8. Live delivery across replicas: typed in one page, shown in the other without a reload.
    const install = async (m) => m.page.evaluate(() => {
      window.__caratDoc = window.__caratDoc || Math.random().toString(36).slice(2);
      window.__caratSentAt = null;
      if (!window.__caratClickHook) {
        window.__caratClickHook = true;
        document.addEventListener("click", (e) => {
          const b = e.target?.closest?.("button");
          if (b && b.innerText.trim() === "送信") window.__caratSentAt = Date.now();
        }, true);
      }
      return window.__caratDoc;
    });
    const watchFor = (m, text) => m.page.evaluate((t) => {
      window.__caratSeen = null;
      const box = () => document.querySelector("[data-chat-messages]");
      const look = () => {
        if (window.__caratSeen) return;
        const hit = [...(box()?.querySelectorAll("div") ?? [])].find((d) => d.children.length === 0 && d.textContent === t);
        if (!hit) return;
        const row = hit.closest(".flex.gap-2");
        window.__caratSeen = { at: Date.now(), mine: !!row?.classList.contains("flex-row-reverse") };
      };
      const observer = new MutationObserver(look);
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
      window.__caratObserver = observer;
      look();
      return window.__caratSeen;
    }, text);
    const rounds = [[A, B, 1], [B, A, 2], [A, B, 3]];
    for (const [from, to, n] of rounds) {
      const text = `${from.key}から${to.key}へ ${n}回目 ${from.tag}`;
      await step(`${from.key} -> ${to.key} live (${n})`, [], async () => {
        const docTo = await install(to);
        await install(from);
        const navTo = to.navigations;
        const urlTo = to.page.url();
        const already = await watchFor(to, text);
        const getsFrom = caratResponses.length;
        const socketTo = to.sockets.find((s) => s.closedAt === null && s.url.includes(`chat_id=${chatId}`));
        const framesFrom = socketTo?.frames.length ?? 0;
        await from.page.locator("textarea[placeholder='メッセージを入力']").fill(text);
        const posted = waitResponse(from, "POST", new RegExp(`^/api/matching/chats/${chatId}/messages$`));
        await from.page.locator("button:visible", { hasText: /^送信$/ }).click();
        const res = await posted;
        const sent = await res.json().catch(() => null);
        const seen = await to.page.waitForFunction(() => window.__caratSeen, null, { timeout: 10_000, polling: 20 })
          .then((h) => h.jsonValue()).catch(() => null);
        const sentAt = await from.page.evaluate(() => window.__caratSentAt);
        await to.page.evaluate(() => window.__caratObserver?.disconnect());
        const latency = seen && sentAt ? seen.at - sentAt : null;
        if (latency !== null) latencies.push({ round: n, from: from.key, to: to.key, ms: latency });
        const frame = socketTo?.frames.slice(framesFrom).find((f) => f.text.includes(text));
        const refetched = caratResponses.slice(getsFrom).filter((r) => r.who === to.key && r.method === "GET" &&
                                                                     /\/messages$/.test(new URL(r.url).pathname));
        await sleep(300);
        await screenshot(to, `chat-received-${n}`);
        await screenshot(from, `chat-sent-${n}`);
        const docNow = await to.page.evaluate(() => window.__caratDoc).catch(() => null);
        check(res.status() === 201 && sent?.body === text && sent?.sender_id === from.id && already === null,
              `${n}: ${from.key} sends through 送信 (POST /api/matching/chats/<id>/messages, 201)`,
              `POST ${res.status()} ${JSON.stringify(sent)}; already shown before sending: ${JSON.stringify(already)}`);
        check(seen !== null && seen.mine === false && docNow === docTo && to.navigations === navTo && to.page.url() === urlTo &&
              refetched.length === 0 && !!frame,
              `${n}: the message appears in ${to.key}'s open chat as ${from.key}'s, without a reload (same document, no navigation, no refetch: over the WebSocket)`,
              `seen ${JSON.stringify(seen)}; document ${docTo} -> ${docNow}; navigations ${navTo} -> ${to.navigations}; ` +
              `url ${urlTo} -> ${to.page.url()}; refetches ${refetched.length}; frame on ${to.key}'s socket: ${frame ? frame.text.slice(0, 200) : "none"}`);
        check(latency !== null && latency <= DELIVERY_LIMIT_MS,
              `${n}: ${from.key} -> ${to.key} delivered in ${latency ?? "?"} ms (click to DOM, ≤ ${DELIVERY_LIMIT_MS} ms) across replicas`,
              `sent at ${sentAt}, seen at ${seen?.at}`);
        const ownBubbles = await from.page.locator("[data-chat-messages] .flex-row-reverse", { hasText: text }).count();
        check(ownBubbles === 1, `${n}: ${from.key}'s own page shows the message once, as hers`, `bubbles: ${ownBubbles}`);
      });
    }

    // 9. Both chats list the same conversation after all (a reload reads it back from the
    //    database through each one's own replica).
    await step("both reload the chat", [], async () => {
      for (const m of members) {
        await m.page.reload({ waitUntil: "load" });
        await m.page.locator("textarea[placeholder='メッセージを入力']").waitFor();
        await m.page.getByText(`${A.key}から${B.key}へ 3回目 ${A.tag}`).first().waitFor();
        await settle();
        await screenshot(m, "chat-reloaded");
        const bubbles = await m.page.locator("[data-chat-messages] .flex.gap-2").count();
        check(bubbles >= rounds.length, `${m.key}: after a reload the chat shows all ${rounds.length} messages`, `bubbles: ${bubbles}`);
      }
    });
  } finally {
    for (const m of members) await m.context?.close().catch(() => {});
    await browser.close().catch(() => {});
  }
  return { caratResponses, latencies, chatId };
}

// ---------------------------------------------------------------------------------------------
// Which replica served whom

function checkReplicas({ members, caratResponses, replicas, haproxyLogFile }) {
  const logs = { a: replicaLog(replicas.a.logFile), b: replicaLog(replicas.b.logFile) };
  const idsOf = (entries) => new Set(entries.filter((e) => e.msg === "request" && e.request_id).map((e) => e.request_id));
  const ids = { a: idsOf(logs.a), b: idsOf(logs.b) };
  for (const m of members) {
    const other = m.replicaKey === "a" ? "b" : "a";
    const mine = caratResponses.filter((r) => r.who === m.key);
    const wrong = mine.filter((r) => r.replica !== replicas[m.replicaKey].name);
    check(mine.length > 0 && wrong.length === 0,
          `${m.key}: all ${mine.length} Carat answers in ${m.key}'s pages came from ${replicas[m.replicaKey].name} (X-Carat-Replica)`,
          wrong.slice(0, 10).map((r) => `${r.method} ${new URL(r.url).pathname} -> ${r.replica}`).join("\n"));
    const missing = mine.filter((r) => !r.requestId || !ids[m.replicaKey].has(r.requestId));
    const elsewhere = mine.filter((r) => r.requestId && ids[other].has(r.requestId));
    check(missing.length === 0 && elsewhere.length === 0,
          `${m.key}: their request ids are in ${replicas[m.replicaKey].name}'s log, none in ${replicas[other].name}'s`,
          [...missing.slice(0, 5).map((r) => `not in own log: ${r.method} ${new URL(r.url).pathname} ${r.requestId}`),
           ...elsewhere.slice(0, 5).map((r) => `in the other's log: ${r.method} ${new URL(r.url).pathname} ${r.requestId}`)].join("\n"));
    const hs = m.handshakes.filter((h) => h.url.includes("/ws/matching/chat"));
    check(hs.length > 0 && hs.every((h) => h.status === 101 && h.replica === replicas[m.replicaKey].name),
          `${m.key}: each chat WebSocket handshake (${hs.length}) was answered 101 by ${replicas[m.replicaKey].name}`,
          JSON.stringify(hs));
    const wsLines = (log) => log.filter((e) => e.msg === "request" && e.route === "/ws/matching/chat" && Number(e.user_id) === m.id);
    const ownWs = wsLines(logs[m.replicaKey]);
    const otherWs = wsLines(logs[other]);
    check(ownWs.some((e) => Number(e.status) === 101) && otherWs.length === 0,
          `${m.key}: ${replicas[m.replicaKey].name}'s log has ${m.key}'s socket (101), ${replicas[other].name}'s has none of ${m.key}'s`,
          `own: ${JSON.stringify(ownWs.map((e) => [e.status, e.request_id]))}; other: ${JSON.stringify(otherWs.map((e) => [e.status, e.request_id]))}`);
  }
  const lb = haproxyLog(haproxyLogFile);
  const browserLines = lb.filter((e) => members.some((m) => e.origin === m.origin || e.referer?.startsWith(`${m.origin}/`)));
  const misrouted = browserLines.filter((e) => {
    const m = members.find((x) => e.origin === x.origin || (!e.origin && e.referer?.startsWith(`${x.origin}/`)));
    return !m || e.backend !== `replica_${m.replicaKey}`;
  });
  const unrouted = lb.filter((e) => e.backend === "unrouted" && e.path !== "/healthz");
  const wsRouted = members.map((m) => lb.filter((e) => e.path === "/ws/matching/chat" && e.origin === m.origin &&
                                                    e.backend === `replica_${m.replicaKey}` && e.status === "101").length);
  check(browserLines.length > 0 && misrouted.length === 0 && unrouted.length === 0 && wsRouted.every((n) => n > 0),
        `the load balancer routed all ${browserLines.length} requests of the pages by Origin (sockets: A ${wsRouted[0]}, B ${wsRouted[1]})`,
        [...misrouted.slice(0, 10), ...unrouted.slice(0, 10)].map((e) => e.line).join("\n") || `${lb.length} log lines`);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const screens = freshDir(path.join(WORK, "head_chat-screens"));
  const { chromium, commit, frontend } = prepareRun(WORK, SNAPSHOT, UPSTREAM_COMMIT);

  const previous = lastBuild(frontend);
  const taken = [];
  const pick = async (preferred) => { const p = await freePort(preferred, taken); taken.push(p); return p; };
  const lbPort = await pick(previous?.apiUrl ? Number(new URL(previous.apiUrl).port) : 0);
  const clientPorts = [await pick(previous?.clientPorts?.[0]), await pick(previous?.clientPorts?.[1])];
  const replicaPorts = [await pick(0), await pick(0)];
  const lbBase = `http://127.0.0.1:${lbPort}`;
  const dist = buildClient(frontend, lbBase);
  rememberBuild(frontend, { clientPorts });

  const tag = Date.now().toString(36);
  const members = [
    { key: "A", replicaKey: "a", name: `あおい${tag}`, email: `chat-a-${tag}@example.com`, phone: "090-1111-0001",
      prefecture: "東京都", ageBand: "30代前半", bio: `Aの自己紹介です。${tag}` },
    { key: "B", replicaKey: "b", name: `れん${tag}`, email: `chat-b-${tag}@example.com`, phone: "090-2222-0002",
      prefecture: "大阪府", ageBand: "20代後半", bio: `Bの自己紹介です。${tag}` },
  ].map((m, i) => ({
    ...m, tag, password: `chat-pass-${m.key.toLowerCase()}-123`, firstMessage: `はじめまして、${m.key}です。${tag}`,
    origin: `http://127.0.0.1:${clientPorts[i]}`, clientBase: `http://127.0.0.1:${clientPorts[i]}`,
    replicaBase: `http://127.0.0.1:${replicaPorts[i]}`,
  }));
  const replicas = {
    a: { name: "replica-a", port: replicaPorts[0] },
    b: { name: "replica-b", port: replicaPorts[1] },
  };

  const scratch = mkdtempSync(path.join(os.tmpdir(), "carat-head-chat-"));
  let pg = null;
  let lb = null;
  const webs = [];
  const started_ = [];
  let outcome = null;
  try {
    pg = await startPostgres();
    stopPostgres = pg.stop;
    log(`postgres 127.0.0.1:${pg.port} (${PG_BIN})`);
    const env = (port) => ({
      ...process.env, PORT: String(port), HOST: "127.0.0.1", APP_ENV: "test", SECRET_KEY, BCRYPT_COST: "4",
      DATABASE_URL: pg.url, MEDIA_DIR: path.join(scratch, "media"), RUN_MIGRATIONS: "false",
      ALLOW_ORIGINS: members.map((m) => m.origin).join(","), IO_THREADS: "2", DB_POOL_SIZE: "4", LOG_LEVEL: "info",
    });
    run(CARAT, ["migrate"], { env: env(0) });
    for (const key of ["a", "b"]) {
      const r = replicas[key];
      r.logFile = path.join(scratch, `${r.name}.log`);
      const proc = await startCaratServe(CARAT, env(r.port), r.logFile);
      started_.push(proc);
      r.base = proc.base;
    }
    lb = await startHaproxy(scratch, haproxyConfig({ lbPort, origins: members.map((m) => m.origin), replicas }), lbPort);
    for (const [i, port] of clientPorts.entries()) webs[i] = await serveStatic(dist, port);
    log(`load balancer ${lbBase} (haproxy ${HAPROXY}); replica-a ${replicas.a.base}, replica-b ${replicas.b.base}; ` +
        `client A ${members[0].clientBase}, client B ${members[1].clientBase} (upstream ${commit.slice(0, 12)}); scratch ${scratch}`);

    // The routing itself, before any browser: by Origin, and 421 without one.
    const probe = async (origin) => {
      const res = await fetch(`${lbBase}/healthz`, { headers: origin ? { origin } : {} });
      return { status: res.status, replica: res.headers.get(REPLICA_HEADER) };
    };
    const pa = await probe(members[0].origin);
    const pb = await probe(members[1].origin);
    const pn = await probe(null);
    check(pa.status === 200 && pa.replica === "replica-a" && pb.status === 200 && pb.replica === "replica-b" && pn.status === 421,
          "setup: the load balancer sends Origin A to replica-a, Origin B to replica-b, no Origin nowhere (421)",
          JSON.stringify({ pa, pb, pn }));

    outcome = await walk({ chromium, lbBase, members, screens });
    await sleep(500);  // the load balancer logs a socket when it closes
    checkReplicas({ members, caratResponses: outcome.caratResponses, replicas, haproxyLogFile: lb.logFile });
    if (outcome.latencies.length) {
      log(`delivery latencies (click in one page to text in the other's DOM): ${outcome.latencies.map((l) => `${l.from}->${l.to} ${l.ms} ms`).join(", ")}`);
    }
  } catch (err) {
    check(false, "the run completed", err.stack || String(err));
    for (const r of Object.values(replicas)) if (r.logFile) console.log(`--- ${r.name}\n${tail(r.logFile)}`);
    if (lb) console.log(`--- haproxy\n${tail(lb.logFile)}`);
  } finally {
    for (const w of webs) if (w) await closeServer(w);
    if (lb) await lb.stop();
    for (const p of started_) await p.stop();
    if (pg) {
      if (opts.keep) { try { writeFileSync(path.join(scratch, "postgres.log"), readFileSync(pg.logFile)); } catch { /* none */ } }
      pg.stop();
    }
    if (opts.keep) log(`kept ${scratch} (replica-a.log, replica-b.log, haproxy.log, haproxy.cfg, postgres.log)`);
    else rmSync(scratch, { recursive: true, force: true });
  }
  log(`screenshots in ${screens}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

let stopPostgres = null;
await runTest(main, { watchdogMs: WATCHDOG_MS, onTimeout: () => stopPostgres?.() });
