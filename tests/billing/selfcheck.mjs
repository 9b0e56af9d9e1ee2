#!/usr/bin/env node
// selfcheck.mjs: checks tests/billing/fake_stripe.mjs against Stripe's official Node SDK.
//
//   node tests/billing/selfcheck.mjs [--sdk <dir>]
//
// <dir> is where tests/billing/install-sdk.sh installed the `stripe` package (default: this folder).
// The fake runs as a child process on a free port, exactly as Carat's tests start it. The SDK is
// then used AS A CLIENT against it (new Stripe(key, {host, port, protocol: 'http'})): checkout and
// portal sessions are created and objects retrieved, so the fake's answers and error objects must
// parse as Stripe's (the SDK maps error types and statuses to its own error classes). A small local
// HTTP receiver is the webhook endpoint; every event it gets is verified with
// stripe.webhooks.constructEvent, and the tampered, re-signed, stale and unsigned variants must be
// refused by the SDK. Failure injection (status, hang, reset) must not take the fake down.
//
// Prints one "ok - <check>" / "FAIL - <check>: <why>" line per check and "N passed, M failed".
// Exit 0 all passed, 1 a failure, 2 usage, 77 "skipped: ..." when the SDK is not installed.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FAKE = path.join(HERE, 'fake_stripe.mjs');
const KEY = 'sk_test_selfcheck0000000000000000wxyz';
const SECRET = 'whsec_selfcheck_first_secret';
const NEW_SECRET = 'whsec_selfcheck_second_secret';
const PRICE = 'price_selfcheck_premium';

// ---------------------------------------------------------------------------------------------
// Command line and the SDK

function parseArgs(argv) {
  let sdk = HERE;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--sdk' && i + 1 < argv.length) sdk = argv[++i];
    else if (argv[i].startsWith('--sdk=')) sdk = argv[i].slice(6);
    else if (argv[i] === '-h' || argv[i] === '--help') {
      console.log('usage: node selfcheck.mjs [--sdk <dir>]');
      process.exit(0);
    } else {
      console.error(`selfcheck: unknown argument '${argv[i]}'\nusage: node selfcheck.mjs [--sdk <dir>]`);
      process.exit(2);
    }
  }
  return { sdkDir: path.resolve(sdk) };
}

// Same lookup as fake_stripe.mjs: <dir>/node_modules/stripe or <dir>/stripe.
function loadStripe(dir) {
  for (const candidate of [path.join(dir, 'node_modules', 'stripe'), path.join(dir, 'stripe')]) {
    if (!fs.existsSync(path.join(candidate, 'package.json'))) continue;
    const mod = createRequire(path.join(path.dirname(path.dirname(candidate)), 'package.json'))('stripe');
    return mod.Stripe ?? mod.default ?? mod;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Reporting

let passed = 0;
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    const why = e instanceof assert.AssertionError && 'expected' in e && e.operator !== 'fail'
      ? `${e.operator}: got ${inspect(e.actual, { breakLength: Infinity })}, expected ${inspect(e.expected, { breakLength: Infinity })}`
      : (e.stack ?? String(e)).split('\n').slice(0, 3).join(' | ');
    console.log(`FAIL - ${name}: ${why}`);
  }
}

// Expects `promise` to reject; returns the error for more assertions.
async function rejects(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new assert.AssertionError({ message: 'expected a rejection, got a result' });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// The webhook receiver: records every request; answers `nextStatuses.shift() ?? 200`.

function startReceiver() {
  const received = [];
  const nextStatuses = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = nextStatuses.shift() ?? 200;
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(status === 200 ? 'received' : `refused ${status}`);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, received, nextStatuses, url: `http://127.0.0.1:${server.address().port}/webhook` }));
  });
}

// ---------------------------------------------------------------------------------------------
// The fake as a child process

function startFake(args) {
  const child = spawn(process.execPath, [FAKE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d) => { out.stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { out.stderr += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 10 s; stderr: ${out.stderr}`)), 10000);
    const onData = () => {
      const m = /^fake-stripe listening on (\d+)\n/.exec(out.stdout);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    exited.then(({ code }) => { clearTimeout(timer); reject(new Error(`fake exited with ${code}; stderr: ${out.stderr}`)); });
  });
  return { child, out, ready, exited };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const { sdkDir } = parseArgs(process.argv.slice(2));
  const Stripe = loadStripe(sdkDir);
  if (!Stripe) {
    console.log(`skipped: the stripe SDK is not installed in ${sdkDir} (tests/billing/install-sdk.sh ${sdkDir})`);
    process.exit(77);
  }

  const receiver = await startReceiver();
  const fake = startFake(['--port', '0', '--api-key', KEY, '--webhook-secret', SECRET, '--price', PRICE,
    '--webhook-url', receiver.url, '--sdk', sdkDir]);
  let port;
  try {
    port = await fake.ready;
  } catch (e) {
    console.log(`FAIL - the fake starts: ${e.message}`);
    console.log('0 passed, 1 failed');
    receiver.server.close();
    process.exit(1);
  }
  const base = `http://127.0.0.1:${port}`;
  const clientOptions = { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0, timeout: 5000, telemetry: false };
  const stripe = new Stripe(KEY, clientOptions);
  const webhooks = stripe.webhooks;

  const control = async (method, route, body) => {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  const lastRequest = async () => (await control('GET', '/_test/requests')).json.at(-1);
  const checkoutParams = (extra = {}) => ({
    mode: 'subscription',
    line_items: [{ price: PRICE, quantity: 1 }],
    success_url: 'http://127.0.0.1:5173/billing/success?session_id={CHECKOUT_SESSION_ID}',
    cancel_url: 'http://127.0.0.1:5173/billing/cancel',
    client_reference_id: '7',
    customer_email: 'member7@example.com',
    metadata: { user_id: '7' },
    subscription_data: { metadata: { user_id: '7' } },
    ...extra,
  });
  // Verifies the receiver's n-th request with the SDK and returns the event.
  const verify = (delivery, secret = SECRET, tolerance) =>
    webhooks.constructEvent(delivery.body, delivery.headers['stripe-signature'], secret, tolerance);

  console.log(`# fake on port ${port}, webhook receiver ${receiver.url}, stripe SDK from ${sdkDir}`);

  await check('the ready line is the only stdout and /_test/health answers {"ok":true}', async () => {
    assert.equal(fake.out.stdout, `fake-stripe listening on ${port}\n`);
    const res = await fetch(`${base}/_test/health`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '{"ok":true}');
  });

  // --- the API, with the SDK as the client ---------------------------------------------------
  let session;
  await check('SDK creates a subscription checkout session; the answer is a checkout.session', async () => {
    session = await stripe.checkout.sessions.create(checkoutParams());
    assert.match(session.id, /^cs_test_[A-Za-z0-9]+$/);
    assert.equal(session.object, 'checkout.session');
    assert.equal(session.mode, 'subscription');
    assert.equal(session.status, 'open');
    assert.equal(session.payment_status, 'unpaid');
    assert.equal(session.url, `${base}/c/pay/${session.id}`);
    assert.equal(session.client_reference_id, '7');
    assert.equal(session.customer, null);
    assert.equal(session.customer_email, 'member7@example.com');
    assert.equal(session.customer_details, null);
    assert.deepEqual(session.metadata, { user_id: '7' });
    assert.equal(session.subscription, null);
    assert.equal(session.livemode, false);
    assert.equal(session.currency, 'jpy');
    assert.equal(session.amount_total, 1000);
    assert.ok(session.expires_at > session.created);
    assert.match(session.lastResponse.requestId, /^req_/);
  });

  await check('the request is recorded: raw body, bracket form decoded, headers with authorization', async () => {
    const r = await lastRequest();
    assert.equal(r.method, 'POST');
    assert.equal(r.path, '/v1/checkout/sessions');
    assert.equal(r.status, 200);
    assert.equal(r.headers.authorization, `Bearer ${KEY}`);
    assert.match(r.headers['content-type'], /^application\/x-www-form-urlencoded/);
    assert.match(r.body, /line_items\[0\]\[price\]=price_selfcheck_premium/);
    assert.deepEqual(r.form.line_items, [{ price: PRICE, quantity: '1' }]);
    assert.deepEqual(r.form.subscription_data, { metadata: { user_id: '7' } });
    assert.equal(r.form.success_url, checkoutParams().success_url);
    assert.equal(r.replayed, false);
  });

  await check('percent-encoded brackets and expand[] decode the same way', async () => {
    const body = 'mode=subscription&success_url=http%3A%2F%2Fx%2Fok&line_items%5B0%5D%5Bprice%5D=' + PRICE +
      '&line_items%5B0%5D%5Bquantity%5D=2&metadata%5Bnote%5D=a+b%20c&expand[]=customer&expand[]=subscription';
    const res = await fetch(`${base}/v1/checkout/sessions`, {
      method: 'POST', body, headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.status, 200);
    const s = await res.json();
    assert.equal(s.amount_total, 2000);
    assert.deepEqual(s.metadata, { note: 'a b c' });
    const r = await lastRequest();
    assert.deepEqual(r.form.line_items, [{ price: PRICE, quantity: '2' }]);
    assert.deepEqual(r.form.expand, ['customer', 'subscription']);
  });

  await check('a wrong API key: 401, StripeAuthenticationError, the key masked', async () => {
    const other = new Stripe('sk_test_wrongkey9999', clientOptions);
    const e = await rejects(other.customers.retrieve('cus_nothing'));
    assert.equal(e.type, 'StripeAuthenticationError');
    assert.equal(e.statusCode, 401);
    assert.equal(e.rawType, 'invalid_request_error');
    assert.equal(e.raw.message, 'Invalid API Key provided: sk_test_****9999');
    const r = await lastRequest();
    assert.equal(r.status, 401);
  });

  await check('no API key at all: 401', async () => {
    const res = await fetch(`${base}/v1/customers/cus_x`);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.type, 'invalid_request_error');
  });

  await check('an unknown price: 400 resource_missing on line_items[0][price]', async () => {
    const e = await rejects(stripe.checkout.sessions.create(checkoutParams({ line_items: [{ price: 'price_other', quantity: 1 }] })));
    assert.equal(e.type, 'StripeInvalidRequestError');
    assert.equal(e.statusCode, 400);
    assert.equal(e.code, 'resource_missing');
    assert.equal(e.param, 'line_items[0][price]');
    assert.equal(e.raw.message, "No such price: 'price_other'");
  });

  await check('a missing mode / success_url: 400 parameter_missing', async () => {
    const { mode, ...noMode } = checkoutParams();
    assert.ok(mode);
    let e = await rejects(stripe.checkout.sessions.create(noMode));
    assert.equal(e.code, 'parameter_missing');
    assert.equal(e.param, 'mode');
    const { success_url: successUrl, ...noSuccess } = checkoutParams();
    assert.ok(successUrl);
    e = await rejects(stripe.checkout.sessions.create(noSuccess));
    assert.equal(e.param, 'success_url');
  });

  await check('an unknown customer: 400 resource_missing on customer', async () => {
    const { customer_email: email, ...params } = checkoutParams();
    assert.ok(email);
    const e = await rejects(stripe.checkout.sessions.create({ ...params, customer: 'cus_missing' }));
    assert.equal(e.code, 'resource_missing');
    assert.equal(e.param, 'customer');
    assert.equal(e.raw.message, "No such customer: 'cus_missing'");
  });

  await check('an unknown parameter: 400 parameter_unknown', async () => {
    const e = await rejects(stripe.checkout.sessions.create(checkoutParams({ colour: 'pink' })));
    assert.equal(e.code, 'parameter_unknown');
    assert.equal(e.param, 'colour');
  });

  await check('retrieving unknown objects: 404 resource_missing', async () => {
    // One call at a time: a promise created before the previous one is awaited could reject with
    // no handler attached yet, which ends node (an unhandled rejection).
    for (const call of [() => stripe.subscriptions.retrieve('sub_missing'), () => stripe.customers.retrieve('cus_missing'),
      () => stripe.checkout.sessions.retrieve('cs_test_missing')]) {
      const e = await rejects(call());
      assert.equal(e.type, 'StripeInvalidRequestError');
      assert.equal(e.statusCode, 404);
      assert.equal(e.code, 'resource_missing');
    }
  });

  await check('an unknown /v1 path: 404 with Stripe\'s error shape', async () => {
    const res = await fetch(`${base}/v1/prices/search`, { headers: { Authorization: `Bearer ${KEY}` } });
    assert.equal(res.status, 404);
    const body = await res.json();
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /^Unrecognized request URL \(GET: \/v1\/prices\/search\)/);
  });

  await check('the same Idempotency-Key and parameters: the stored answer, Idempotent-Replayed, nothing new', async () => {
    const before = (await control('GET', '/_test/state')).json.checkout_sessions.length;
    const first = await stripe.checkout.sessions.create(checkoutParams({ client_reference_id: '8' }), { idempotencyKey: 'selfcheck-idem-1' });
    const again = await stripe.checkout.sessions.create(checkoutParams({ client_reference_id: '8' }), { idempotencyKey: 'selfcheck-idem-1' });
    assert.equal(again.id, first.id);
    assert.equal(again.lastResponse.headers['idempotent-replayed'], 'true');
    assert.equal(first.lastResponse.headers['idempotent-replayed'], undefined);
    assert.equal(again.lastResponse.headers['original-request'], first.lastResponse.requestId);
    assert.equal((await control('GET', '/_test/state')).json.checkout_sessions.length, before + 1);
    const r = await lastRequest();
    assert.equal(r.idempotency_key, 'selfcheck-idem-1');
    assert.equal(r.replayed, true);
  });

  await check('the same Idempotency-Key with other parameters: 400 idempotency_error (StripeIdempotencyError)', async () => {
    const e = await rejects(stripe.checkout.sessions.create(checkoutParams({ client_reference_id: '9' }), { idempotencyKey: 'selfcheck-idem-1' }));
    assert.equal(e.type, 'StripeIdempotencyError');
    assert.equal(e.rawType, 'idempotency_error');
    assert.equal(e.statusCode, 400);
    assert.match(e.raw.message, /^Keys for idempotent requests can only be used with the same parameters they were first used with\./);
  });

  await check('an injected 500 is answered as api_error and the SDK\'s retry (same key) gets through', async () => {
    await control('POST', '/_test/reset');
    assert.equal((await control('POST', '/_test/fail', { count: 1, mode: 'status', status: 500 })).json.pending, 1);
    const retrying = new Stripe(KEY, { ...clientOptions, maxNetworkRetries: 2 });
    const s = await retrying.checkout.sessions.create(checkoutParams());
    assert.match(s.id, /^cs_test_/);
    const rs = (await control('GET', '/_test/requests')).json;
    assert.equal(rs.length, 2);
    assert.equal(rs[0].status, 500);
    assert.equal(rs[0].injected, 'status');
    assert.equal(rs[1].status, 200);
    assert.ok(rs[0].idempotency_key);
    assert.equal(rs[1].idempotency_key, rs[0].idempotency_key);
  });

  await check('an injected 429 is a rate_limit_error (StripeRateLimitError); the next call works', async () => {
    await control('POST', '/_test/fail', { count: 1, mode: 'status', status: 429 });
    const e = await rejects(stripe.customers.retrieve('cus_missing'));
    assert.equal(e.type, 'StripeRateLimitError');
    assert.equal(e.statusCode, 429);
    const e2 = await rejects(stripe.customers.retrieve('cus_missing'));
    assert.equal(e2.statusCode, 404);
  });

  // --- hosted checkout and the webhooks it sends -----------------------------------------------
  await check('the hosted checkout page: title, price, email, Subscribe button, cancel link', async () => {
    const res = await fetch(session.url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    const html = await res.text();
    assert.match(html, /<title>Fake Stripe Checkout<\/title>/);
    assert.match(html, /<form method="post" action="\/c\/pay\/cs_test_[A-Za-z0-9]+\/complete">/);
    assert.match(html, /<button id="pay" type="submit">Subscribe<\/button>/);
    assert.match(html, /<a id="cancel" href="http:\/\/127\.0\.0\.1:5173\/billing\/cancel">/);
    assert.match(html, /member7@example\.com/);
    assert.match(html, /¥1,000/);
    const missing = await fetch(`${base}/c/pay/cs_test_nothing`);
    assert.equal(missing.status, 404);
  });

  let completedEvents = [];
  await check('completing checkout: 303 to success_url with the session id, after the three webhooks', async () => {
    await control('POST', '/_test/reset');
    const before = receiver.received.length;
    const res = await fetch(`${session.url}/complete`, { method: 'POST', redirect: 'manual' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), `http://127.0.0.1:5173/billing/success?session_id=${session.id}`);
    const got = receiver.received.slice(before);
    assert.deepEqual(got.map((d) => JSON.parse(d.body).type),
      ['checkout.session.completed', 'customer.subscription.created', 'invoice.paid']);
    completedEvents = got;
  });

  let subscriptionId, customerId;
  await check('each delivered event verifies with stripe.webhooks.constructEvent and has Stripe\'s shape', async () => {
    assert.equal(completedEvents.length, 3);
    const [done, created, paid] = completedEvents.map((d) => {
      assert.equal(d.method, 'POST');
      assert.equal(d.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(d.headers['user-agent'], 'Stripe/1.0 (+https://stripe.com/docs/webhooks)');
      assert.match(d.headers['stripe-signature'], /^t=\d+,v1=[0-9a-f]{64}$/);
      const event = verify(d);
      assert.match(event.id, /^evt_/);
      assert.equal(event.object, 'event');
      assert.equal(event.api_version, '2024-06-20');
      assert.equal(event.livemode, false);
      assert.equal(event.pending_webhooks, 1);
      assert.deepEqual(event.request, { id: null, idempotency_key: null });
      assert.ok(Math.abs(event.created - nowSeconds()) < 60);
      return event.data.object;
    });
    assert.equal(done.id, session.id);
    assert.equal(done.status, 'complete');
    assert.equal(done.payment_status, 'paid');
    assert.equal(done.client_reference_id, '7');
    assert.match(done.customer, /^cus_/);
    assert.match(done.subscription, /^sub_/);
    assert.equal(done.customer_details.email, 'member7@example.com');
    assert.equal(created.object, 'subscription');
    assert.equal(created.id, done.subscription);
    assert.equal(created.status, 'active');
    assert.equal(created.customer, done.customer);
    assert.deepEqual(created.metadata, { user_id: '7' });
    assert.equal(created.items.object, 'list');
    assert.equal(created.items.data[0].price.id, PRICE);
    assert.equal(created.current_period_end - created.current_period_start, 30 * 24 * 3600);
    assert.equal(created.cancel_at_period_end, false);
    assert.equal(created.latest_invoice, paid.id);
    assert.equal(paid.object, 'invoice');
    assert.equal(paid.status, 'paid');
    assert.equal(paid.billing_reason, 'subscription_create');
    assert.equal(paid.subscription, created.id);
    assert.equal(paid.customer, done.customer);
    assert.equal(paid.amount_paid, 1000);
    assert.equal(paid.currency, 'jpy');
    subscriptionId = created.id;
    customerId = done.customer;
  });

  await check('/_test/deliveries records each delivery (event, status, sent payload, header)', async () => {
    const ds = (await control('GET', '/_test/deliveries')).json;
    assert.equal(ds.length, 3);
    ds.forEach((d, i) => {
      assert.equal(d.status, 200);
      assert.equal(d.body, 'received');
      assert.equal(d.payload, completedEvents[i].body);
      assert.equal(d.signature_header, completedEvents[i].headers['stripe-signature']);
      assert.equal(d.event_id, JSON.parse(completedEvents[i].body).id);
      assert.ok(d.attempted_at);
    });
  });

  await check('the SDK retrieves the completed session, the subscription (expand) and the customer', async () => {
    const s = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription'] });
    assert.equal(s.status, 'complete');
    assert.equal(s.subscription.id, subscriptionId);
    assert.equal(s.subscription.status, 'active');
    const sub = await stripe.subscriptions.retrieve(subscriptionId);
    assert.equal(sub.customer, customerId);
    assert.equal(sub.items.data[0].price.id, PRICE);
    const cus = await stripe.customers.retrieve(customerId);
    assert.equal(cus.object, 'customer');
    assert.equal(cus.email, 'member7@example.com');
  });

  await check('a completed session\'s page says so; completing it again is refused (409)', async () => {
    const html = await (await fetch(`${base}/c/pay/${session.id}`)).text();
    assert.match(html, /This checkout session is complete/);
    const res = await fetch(`${base}/c/pay/${session.id}/complete`, { method: 'POST', redirect: 'manual' });
    assert.equal(res.status, 409);
  });

  // --- events on demand ---------------------------------------------------------------------------
  const subObject = async () => stripe.subscriptions.retrieve(subscriptionId);

  await check('a tampered body (one byte changed after signing) is refused by the SDK, still valid JSON', async () => {
    const before = receiver.received.length;
    const { json } = await control('POST', '/_test/events', { type: 'customer.subscription.updated', object: await subObject(), tamper: true });
    assert.equal(json.status, 200);
    const d = receiver.received[before];
    assert.equal(d.body, json.payload);
    JSON.parse(d.body);
    const e = await rejects(Promise.resolve().then(() => verify(d)));
    assert.equal(e.type, 'StripeSignatureVerificationError');
  });

  await check('an event signed with another secret is refused with ours, accepted with that one', async () => {
    const before = receiver.received.length;
    await control('POST', '/_test/events', { type: 'customer.subscription.updated', object: await subObject(), secret: 'whsec_someone_else' });
    const d = receiver.received[before];
    const e = await rejects(Promise.resolve().then(() => verify(d)));
    assert.equal(e.type, 'StripeSignatureVerificationError');
    assert.equal(verify(d, 'whsec_someone_else').type, 'customer.subscription.updated');
  });

  await check('a stale signature timestamp is refused within the SDK\'s 300 s tolerance, accepted with a wider one', async () => {
    const before = receiver.received.length;
    const t = nowSeconds() - 3600;
    await control('POST', '/_test/events', { type: 'invoice.payment_failed', object: { id: 'in_x', object: 'invoice' }, timestamp: t });
    const d = receiver.received[before];
    assert.ok(d.headers['stripe-signature'].startsWith(`t=${t},v1=`));
    const e = await rejects(Promise.resolve().then(() => verify(d)));
    assert.equal(e.type, 'StripeSignatureVerificationError');
    assert.equal(verify(d, SECRET, 7200).type, 'invoice.payment_failed');
  });

  await check('omit_signature sends no Stripe-Signature header', async () => {
    const before = receiver.received.length;
    const { json } = await control('POST', '/_test/events', { type: 'customer.subscription.updated', object: await subObject(), omit_signature: true });
    assert.equal(json.signature_header, null);
    assert.equal(receiver.received[before].headers['stripe-signature'], undefined);
  });

  await check('pretty: true sends 2-space indented JSON that verifies; event id and created as given', async () => {
    const before = receiver.received.length;
    const { json } = await control('POST', '/_test/events', { type: 'customer.subscription.updated', object: await subObject(), pretty: true, id: 'evt_selfcheck_pretty', created: 1700000000, previous_attributes: { status: 'past_due' } });
    const d = receiver.received[before];
    assert.match(d.body, /^\{\n {2}"id": "evt_selfcheck_pretty",\n {2}"object": "event",/);
    const event = verify(d);
    assert.equal(event.created, 1700000000);
    assert.deepEqual(event.data.previous_attributes, { status: 'past_due' });
    assert.equal(json.event.id, 'evt_selfcheck_pretty');
  });

  await check('deliver: false builds and signs without sending', async () => {
    const before = receiver.received.length;
    const { json } = await control('POST', '/_test/events', { type: 'invoice.paid', object: { id: 'in_y', object: 'invoice' }, deliver: false });
    assert.equal(receiver.received.length, before);
    assert.equal(json.status, null);
    assert.equal(webhooks.constructEvent(json.payload, json.signature_header, SECRET).id, json.event.id);
  });

  await check('/_test/redeliver sends the same payload (same event id), freshly signed', async () => {
    const first = completedEvents[1];
    const id = JSON.parse(first.body).id;
    const before = receiver.received.length;
    const { status, json } = await control('POST', '/_test/redeliver', { event_id: id, timestamp: nowSeconds() + 1 });
    assert.equal(status, 200);
    const d = receiver.received[before];
    assert.equal(d.body, first.body);
    assert.notEqual(d.headers['stripe-signature'], first.headers['stripe-signature']);
    assert.equal(verify(d).id, id);
    assert.equal(json.status, 200);
    assert.equal((await control('POST', '/_test/redeliver', { event_id: 'evt_nothing' })).status, 404);
  });

  await check('a rotated secret: events signed with the new one; during the roll, one v1 per secret', async () => {
    await control('POST', '/_test/config', { webhook_secret: NEW_SECRET });
    let before = receiver.received.length;
    await control('POST', '/_test/events', { type: 'customer.subscription.updated', object: await subObject() });
    let d = receiver.received[before];
    assert.equal(verify(d, NEW_SECRET).type, 'customer.subscription.updated');
    assert.equal((await rejects(Promise.resolve().then(() => verify(d, SECRET)))).type, 'StripeSignatureVerificationError');
    await control('POST', '/_test/config', { webhook_secret: [NEW_SECRET, SECRET] });
    before = receiver.received.length;
    await control('POST', '/_test/events', { type: 'customer.subscription.updated', object: await subObject() });
    d = receiver.received[before];
    assert.match(d.headers['stripe-signature'], /^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    verify(d, NEW_SECRET);
    verify(d, SECRET);
    const { json } = await control('POST', '/_test/config', { webhook_secret: SECRET });
    assert.equal(json.webhook_secret, SECRET);
  });

  await check('/_test/sign gives SDK-made headers for a test\'s own payload', async () => {
    const payload = '{"id":"evt_own","object":"event","type":"ping"}';
    const { json } = await control('POST', '/_test/sign', { payload, secret: SECRET, timestamp: 1700000000 });
    assert.match(json.header, /^t=1700000000,v1=[0-9a-f]{64}$/);
    assert.equal(webhooks.constructEvent(payload, json.header, SECRET, 300, undefined, 1700000010).id, 'evt_own');
    assert.equal(json.header, webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: 1700000000 }));
  });

  await check('the webhook\'s own status and body are answered and recorded', async () => {
    receiver.nextStatuses.push(400);
    const { json } = await control('POST', '/_test/events', { type: 'customer.subscription.updated', object: await subObject() });
    assert.equal(json.status, 400);
    assert.equal(json.body, 'refused 400');
    assert.equal((await control('GET', '/_test/deliveries')).json.at(-1).status, 400);
  });

  await check('without a webhook URL an event is recorded as not delivered', async () => {
    await control('POST', '/_test/config', { webhook_url: null });
    const before = receiver.received.length;
    const { json } = await control('POST', '/_test/events', { type: 'customer.subscription.updated', object: await subObject() });
    assert.equal(receiver.received.length, before);
    assert.equal(json.status, null);
    const last = (await control('GET', '/_test/deliveries')).json.at(-1);
    assert.equal(last.skipped, true);
    await control('POST', '/_test/config', { webhook_url: receiver.url });
  });

  await check('/_test/subscriptions/:id updates the stored subscription', async () => {
    const { status, json } = await control('POST', `/_test/subscriptions/${subscriptionId}`, { status: 'past_due', cancel_at_period_end: true });
    assert.equal(status, 200);
    assert.equal(json.status, 'past_due');
    const sub = await subObject();
    assert.equal(sub.status, 'past_due');
    assert.equal(sub.cancel_at_period_end, true);
    await control('POST', `/_test/subscriptions/${subscriptionId}`, { status: 'active', cancel_at_period_end: false });
    assert.equal((await control('POST', '/_test/subscriptions/sub_nothing', { status: 'active' })).status, 404);
  });

  // --- the customer portal ----------------------------------------------------------------------
  let portal;
  await check('SDK creates a billing portal session; customer required and must exist', async () => {
    portal = await stripe.billingPortal.sessions.create({ customer: customerId, return_url: 'http://127.0.0.1:5173/billing' });
    assert.match(portal.id, /^bps_/);
    assert.equal(portal.object, 'billing_portal.session');
    assert.equal(portal.customer, customerId);
    assert.equal(portal.return_url, 'http://127.0.0.1:5173/billing');
    assert.equal(portal.url, `${base}/p/session/${portal.id}`);
    assert.equal(portal.livemode, false);
    let e = await rejects(stripe.billingPortal.sessions.create({ customer: 'cus_missing' }));
    assert.equal(e.code, 'resource_missing');
    assert.equal(e.param, 'customer');
    e = await rejects(stripe.billingPortal.sessions.create({ return_url: 'http://x' }));
    assert.equal(e.code, 'parameter_missing');
  });

  await check('the portal page cancels the subscription, sends customer.subscription.deleted, 303 to return_url', async () => {
    const html = await (await fetch(portal.url)).text();
    assert.match(html, /<title>Fake Stripe customer portal<\/title>/);
    assert.match(html, /<button id="cancel-subscription" type="submit">/);
    const before = receiver.received.length;
    const res = await fetch(`${portal.url}/cancel`, { method: 'POST', redirect: 'manual' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), 'http://127.0.0.1:5173/billing');
    const event = verify(receiver.received[before]);
    assert.equal(event.type, 'customer.subscription.deleted');
    assert.equal(event.data.object.id, subscriptionId);
    assert.equal(event.data.object.status, 'canceled');
    const sub = await subObject();
    assert.equal(sub.status, 'canceled');
    assert.ok(sub.canceled_at && sub.ended_at);
    assert.doesNotMatch(await (await fetch(portal.url)).text(), /cancel-subscription/);
  });

  // --- failure injection: hang and reset ------------------------------------------------------
  await check('an injected hang: the client gives up after 1 s, the fake lives on, the call is recorded', async () => {
    await control('POST', '/_test/reset');
    await control('POST', '/_test/fail', { count: 1, mode: 'hang' });
    const e = await rejects(fetch(`${base}/v1/customers/${customerId}`, { headers: { Authorization: `Bearer ${KEY}` }, signal: AbortSignal.timeout(1000) }));
    assert.equal(e.name, 'TimeoutError');
    await sleep(100);
    assert.equal((await fetch(`${base}/_test/health`)).status, 200);
    assert.equal((await stripe.customers.retrieve(customerId)).id, customerId);
    const rs = (await control('GET', '/_test/requests')).json;
    assert.equal(rs[0].injected, 'hang');
    assert.equal(rs[0].status, null);
    assert.equal(rs[1].status, 200);
  });

  await check('an injected hang through the SDK (timeout 1 s): StripeConnectionError, then the next call works', async () => {
    await control('POST', '/_test/fail', { count: 1, mode: 'hang' });
    const impatient = new Stripe(KEY, { ...clientOptions, timeout: 1000 });
    const e = await rejects(impatient.customers.retrieve(customerId));
    assert.equal(e.type, 'StripeConnectionError');
    assert.equal((await impatient.customers.retrieve(customerId)).id, customerId);
  });

  await check('an injected reset: the connection drops, the next call works', async () => {
    await control('POST', '/_test/fail', { count: 1, mode: 'reset' });
    const e = await rejects(fetch(`${base}/v1/customers/${customerId}`, { headers: { Authorization: `Bearer ${KEY}` } }));
    assert.equal(e.name, 'TypeError');   // fetch failed (the cause is the reset)
    assert.equal((await stripe.customers.retrieve(customerId)).id, customerId);
    assert.equal((await control('GET', '/_test/requests')).json.filter((r) => r.injected === 'reset').length, 1);
  });

  await check('/_test/reset clears records but keeps the objects; unknown control routes are 404', async () => {
    await control('POST', '/_test/fail', { count: 3, mode: 'status' });
    await control('POST', '/_test/reset');
    assert.deepEqual((await control('GET', '/_test/requests')).json, []);
    assert.deepEqual((await control('GET', '/_test/deliveries')).json, []);
    assert.equal((await stripe.customers.retrieve(customerId)).id, customerId);   // no failure left
    assert.equal((await control('GET', '/_test/nothing')).status, 404);
    assert.equal((await control('POST', '/_test/events', { type: 'x' })).status, 400);
  });

  await check('stderr logs requests without the API key or the Authorization header', async () => {
    assert.match(fake.out.stderr, /^fake-stripe POST \/v1\/checkout\/sessions 200$/m);
    assert.ok(!fake.out.stderr.includes(KEY), 'the API key is in the log');
    assert.ok(!/bearer/i.test(fake.out.stderr), 'an Authorization header is in the log');
  });

  await check('SIGTERM with a request still hanging: the fake exits 0 promptly', async () => {
    await control('POST', '/_test/fail', { count: 1, mode: 'hang' });
    const pending = fetch(`${base}/v1/customers/${customerId}`, { headers: { Authorization: `Bearer ${KEY}` } }).catch(() => null);
    await sleep(200);
    const t0 = Date.now();
    fake.child.kill('SIGTERM');
    const result = await Promise.race([fake.exited, sleep(3000).then(() => ({ code: 'timeout' }))]);
    assert.equal(result.code, 0);
    assert.ok(Date.now() - t0 < 3000);
    await pending;
  });

  if (fake.child.exitCode === null) fake.child.kill('SIGKILL');
  receiver.server.close();
  receiver.server.closeAllConnections();
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.log(`FAIL - selfcheck crashed: ${e.stack ?? e}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
});
