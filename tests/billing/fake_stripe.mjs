#!/usr/bin/env node
// fake_stripe.mjs: a local test double of the part of Stripe's API that Carat's billing uses
// (issue 13). Carat's C++ API tests and the Chromium end-to-end test start it, point Carat's
// STRIPE_API_BASE at it and drive it through a small JSON control API under /_test/.
//
//   node tests/billing/fake_stripe.mjs --port <N> --api-key <sk_test_...> \
//     --webhook-secret <whsec_...> --price <price_...> [--webhook-url <url>] [--sdk <dir>] \
//     [--unit-amount <yen>]
//
// --port 0 picks a free port. When ready it prints exactly one line, "fake-stripe listening on <N>",
// to stdout; stderr gets one line per request (method, path, status; never a header value).
// SIGTERM/SIGINT close every connection and exit 0. Exit 2: bad command line; exit 77: the stripe
// SDK is missing (tests/billing/install-sdk.sh <dir> installs it; --sdk <dir> points here).
//
// Why hand-written: no packaged Stripe mock signs its webhooks with Stripe's official SDK and
// records the requests it gets (stripe-mock is a Go binary, not packaged by Debian, and it neither
// keeps state nor sends webhooks). The one thing this file must not invent is the signature scheme,
// so every Stripe-Signature header comes from the `stripe` npm package
// (webhooks.generateTestHeaderString), the independent reference Carat's verifier is tested against.
//
// What it serves (object shapes follow Stripe's API reference, API version 2024-06-20):
//   /v1/...      POST checkout/sessions, POST billing_portal/sessions, GET checkout/sessions/:id,
//                GET subscriptions/:id, GET customers/:id, GET invoices/:id. Form-encoded bodies in
//                Stripe's bracket notation, Bearer auth, Idempotency-Key, Stripe's error objects,
//                `expand[]` of one level. Unknown parameters are refused as Stripe does.
//   /c/pay/:id   the hosted checkout page; POST /c/pay/:id/complete creates the customer,
//                subscription and invoice, sends checkout.session.completed,
//                customer.subscription.created and invoice.paid (each awaited), then 303s to
//                success_url with {CHECKOUT_SESSION_ID} filled in.
//   /p/session/:id  the customer portal; POST /p/session/:id/cancel cancels the customer's
//                subscription, sends customer.subscription.deleted, then 303s to return_url.
//   /_test/...   the control API (JSON in, JSON out; errors are 4xx {"error": "..."}):
//     GET  health          {"ok":true}
//     GET  config / POST config {webhook_url?: url|null, webhook_secret?: s|[s...],
//                          webhook_timeout_ms?, webhook_delay_ms?: completing a checkout answers
//                          its 303 at once and delivers the three events this much later, as a
//                          slow Stripe would}: answers the configuration (secrets rotate live;
//                          a list signs with every secret, one v1 each, as Stripe does mid-roll)
//     GET  requests        the recorded /v1 calls: [{seq, at, method, path, query, headers
//                          (lowercase, authorization included), body (raw), form (decoded),
//                          idempotency_key, replayed, injected: null|"status"|"hang"|"reset",
//                          status (null when hung or reset)}]
//     GET  deliveries      [{event_id, type, url, payload (the body sent), signature_header,
//                          tampered, attempted_at, status, body (the webhook's answer), error,
//                          skipped (no webhook URL)}]
//     POST reset           clears requests, deliveries, idempotency keys, pending failures
//     POST fail            {count=1, mode="status"|"hang"|"reset", status=500, body?, headers?}:
//                          the next `count` /v1 calls fail (appended; count 0 clears them)
//     POST sign            {payload, secret?, timestamp?} -> {header}
//     POST events          {type, object, created?, id?, previous_attributes?, deliver=true,
//                          secret?, timestamp?, tamper?, omit_signature?, pretty?}
//                          -> {event, payload, signature_header, status, body[, error]}
//     POST redeliver       {event_id, secret?, timestamp?, tamper?, omit_signature?}: the stored
//                          payload again, freshly signed; same answer as events
//     POST subscriptions/:id {status?, cancel_at_period_end?, current_period_start?,
//                          current_period_end?, cancel_at?, canceled_at?, ended_at?, metadata?}
//     GET  state           every stored customer, subscription, invoice, session and event
//
// Deliberate simplifications: idempotent results are stored for successful answers only (Stripe
// also skips validation failures; injected failures stand for outages and are never replayed, so
// a client's retry with the same key gets through); failed webhook deliveries are not retried
// (tests use /_test/redeliver); only mode=subscription checkouts; every amount is in JPY.

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const API_VERSION = '2024-06-20';        // the api_version of the events we send
const CURRENCY = 'jpy';                  // a zero-decimal currency: amounts are whole yen
const PERIOD_SECONDS = 30 * 24 * 3600;   // one billing period
const MAX_BODY_BYTES = 1 << 20;
const HERE = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------
// Command line

const USAGE = `usage: node fake_stripe.mjs --port <N> --api-key <sk_test_...> --webhook-secret <whsec_...>
                          --price <price_...> [--webhook-url <url>] [--sdk <dir>] [--unit-amount <yen>]`;

function usageError(message) {
  process.stderr.write(`fake-stripe: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const known = new Set(['port', 'api-key', 'webhook-secret', 'price', 'webhook-url', 'sdk', 'unit-amount']);
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m || !known.has(m[1])) usageError(`unknown argument '${arg}'`);
    let value = m[2];
    if (value === undefined) {
      if (i + 1 >= argv.length) usageError(`${arg} needs a value`);
      value = argv[++i];
    }
    opts[m[1]] = value;
  }
  for (const name of ['port', 'api-key', 'webhook-secret', 'price']) {
    if (!opts[name]) usageError(`--${name} is required`);
  }
  if (!/^\d+$/.test(opts.port) || Number(opts.port) > 65535) usageError(`--port must be 0..65535, not '${opts.port}'`);
  if (opts['unit-amount'] !== undefined && !/^\d+$/.test(opts['unit-amount'])) usageError('--unit-amount must be a whole number of yen');
  if (opts['webhook-url']) checkWebhookUrl(opts['webhook-url'], usageError);
  return {
    port: Number(opts.port),
    apiKey: opts['api-key'],
    webhookSecret: opts['webhook-secret'],
    price: opts.price,
    webhookUrl: opts['webhook-url'] || null,
    sdkDir: opts.sdk ? path.resolve(opts.sdk) : HERE,
    unitAmount: opts['unit-amount'] !== undefined ? Number(opts['unit-amount']) : 1000,
  };
}

function checkWebhookUrl(url, fail) {
  let u;
  try { u = new URL(url); } catch { return fail(`webhook URL '${url}' is not a URL`); }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return fail(`webhook URL '${url}' is not http(s)`);
  return u;
}

// The SDK lives in <dir>/node_modules/stripe (dir = what install-sdk.sh installed into, default
// this script's folder) or <dir>/stripe (dir = a node_modules folder). It is required from that
// folder's own package.json so no other node_modules up the tree is picked by accident.
function loadStripeSdk(dir) {
  for (const candidate of [path.join(dir, 'node_modules', 'stripe'), path.join(dir, 'stripe')]) {
    const pkgFile = path.join(candidate, 'package.json');
    if (!fs.existsSync(pkgFile)) continue;
    const require = createRequire(path.join(path.dirname(path.dirname(candidate)), 'package.json'));
    const mod = require('stripe');
    const Stripe = mod.Stripe ?? mod.default ?? mod;
    return { Stripe, version: JSON.parse(fs.readFileSync(pkgFile, 'utf8')).version, dir: candidate };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function randomId(prefix, length = 24) {
  let s = '';
  for (const b of crypto.randomBytes(length)) s += ALPHABET[b % ALPHABET.length];
  return prefix + s;
}
const nowSeconds = () => Math.floor(Date.now() / 1000);
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const plain = (v) => JSON.parse(JSON.stringify(v));   // a deep copy with ordinary prototypes

// Canonical JSON (sorted keys): two requests with the same parameters in another order compare equal.
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

const safeDecode = (s) => { try { return decodeURIComponent(s); } catch { return s; } };
const yen = (n) => `¥${String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;

// Decodes an application/x-www-form-urlencoded body in Stripe's bracket notation:
//   line_items[0][price]=p&metadata[user_id]=7&expand[]=customer
//   -> {line_items: [{price: 'p'}], metadata: {user_id: '7'}, expand: ['customer']}
// Values stay strings, as on the wire. Objects whose keys are all indices become arrays, except
// a `metadata` object (its keys are the caller's). Null-prototype objects while building, so a
// key such as __proto__ is just a key.
function decodeForm(text) {
  const root = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    const segments = m ? [m[1], ...Array.from(m[2].matchAll(/\[([^[\]]*)\]/g), (x) => x[1])] : [key];
    let node = root;
    segments.forEach((segment, i) => {
      const name = segment === '' ? String(Object.keys(node).length) : segment;   // `[]` appends
      if (i === segments.length - 1) {
        node[name] = value;
      } else {
        if (typeof node[name] !== 'object') node[name] = Object.create(null);
        node = node[name];
      }
    });
  }
  return plain(arrayify(root, false));
}

function arrayify(node, keepKeys) {
  if (typeof node !== 'object' || node === null) return node;
  const keys = Object.keys(node);
  for (const k of keys) node[k] = arrayify(node[k], k === 'metadata');
  if (!keepKeys && keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => node[k]);
  }
  return node;
}

// ---------------------------------------------------------------------------------------------
// Stripe's error objects. The HTTP status and the `error` member; keys in Stripe's order.

class ApiError extends Error {
  constructor(status, fields, headers = {}) {
    super(fields.message);
    this.status = status;
    this.body = { error: errorObject(fields) };
    this.headers = headers;
  }
}

function errorObject({ type, message, code, param }) {
  const e = {};
  if (code) {
    e.code = code;
    e.doc_url = `https://stripe.com/docs/error-codes/${code.replace(/_/g, '-')}`;
  }
  e.message = message;
  if (param) e.param = param;
  e.type = type;
  return e;
}

const invalid = (message, param, code) =>
  new ApiError(400, { type: 'invalid_request_error', message, param, code });
const missingParam = (param) => invalid(`Missing required param: ${param}.`, param, 'parameter_missing');
const noSuch = (status, what, id, param) =>
  new ApiError(status, { type: 'invalid_request_error', code: 'resource_missing', param, message: `No such ${what}: '${id}'` });

// Refuses parameters Stripe does not know for this call, as Stripe does.
function rejectUnknown(form, allowed, prefix = '') {
  for (const key of Object.keys(form)) {
    if (!allowed.includes(key)) {
      const name = prefix ? `${prefix}[${key}]` : key;
      throw invalid(`Received unknown parameter: ${name}`, name, 'parameter_unknown');
    }
  }
}

function optionalString(form, name) {
  const v = form[name];
  if (v === undefined) return null;
  if (typeof v !== 'string') throw invalid(`Invalid string: ${name}`, name, 'parameter_invalid_string');
  return v;
}

function checkMetadata(value, param) {
  if (value === undefined || value === '') return {};
  if (!isObject(value)) throw invalid('Invalid object', param);
  const keys = Object.keys(value);
  if (keys.length > 50) throw invalid('Metadata can have at most 50 keys.', param);
  for (const k of keys) {
    if (typeof value[k] !== 'string') throw invalid('Invalid object', `${param}[${k}]`);
    if (k.length > 40) throw invalid(`Metadata keys can have up to 40 characters; '${k}' has ${k.length}.`, param);
    if (value[k].length > 500) throw invalid(`Metadata values can have up to 500 characters, but you passed in a value that is ${value[k].length} characters.`, `${param}[${k}]`);
  }
  return plain(value);
}

// Stripe shows the start of a wrong key and its last four characters.
function maskKey(key) {
  const prefix = /^(?:sk|rk|pk)_(?:test|live)_/.exec(key)?.[0] ?? '';
  return `${prefix}****${key.slice(-4)}`;
}

// ---------------------------------------------------------------------------------------------
// The state: Stripe's objects (kept across /_test/reset) and the test records (cleared by it).

function createState(opts, sdk) {
  return {
    apiKey: opts.apiKey,
    price: opts.price,
    unitAmount: opts.unitAmount,
    port: opts.port,                   // the bound port once listening
    webhookUrl: opts.webhookUrl,
    webhookSecret: opts.webhookSecret, // a string, or a list while a secret is rolled
    webhookTimeoutMs: 10000,
    webhookDelayMs: 0,
    sdk,
    webhooks: new sdk.Stripe(opts.apiKey).webhooks,
    // Stripe's objects
    customers: new Map(),
    subscriptions: new Map(),
    invoices: new Map(),
    checkoutSessions: new Map(),
    portalSessions: new Map(),
    subscriptionData: new Map(),       // checkout session id -> its subscription_data
    events: new Map(),                 // event id -> {event, payload}
    // test records
    requests: [],
    deliveries: [],
    idempotency: new Map(),            // key -> {fingerprint, status, body, requestId}
    failures: [],                      // injected failures, one entry per /v1 call
    hung: new Set(),                   // responses held open by mode "hang"
    seq: 0,
  };
}

function resetRecords(state) {
  state.requests = [];
  state.deliveries = [];
  state.idempotency.clear();
  state.failures = [];
}

const baseUrl = (state) => `http://127.0.0.1:${state.port}`;

// ---------------------------------------------------------------------------------------------
// Stripe's objects

function newCustomer(state, email) {
  const customer = {
    id: randomId('cus_', 14),
    object: 'customer',
    address: null,
    balance: 0,
    created: nowSeconds(),
    currency: CURRENCY,
    default_source: null,
    delinquent: false,
    description: null,
    discount: null,
    email: email ?? null,
    invoice_prefix: randomId('', 8).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: {},
    name: null,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
  state.customers.set(customer.id, customer);
  return customer;
}

function priceObject(state) {
  return {
    id: state.price,
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: 1700000000,
    currency: CURRENCY,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product: 'prod_fakestripe',
    recurring: { aggregate_usage: null, interval: 'month', interval_count: 1, meter: null, trial_period_days: null, usage_type: 'licensed' },
    tax_behavior: 'unspecified',
    type: 'recurring',
    unit_amount: state.unitAmount,
    unit_amount_decimal: String(state.unitAmount),
  };
}

function newSubscription(state, customerId, quantity, metadata) {
  const now = nowSeconds();
  const id = randomId('sub_');
  const subscription = {
    id,
    object: 'subscription',
    application: null,
    automatic_tax: { enabled: false, liability: null },
    billing_cycle_anchor: now,
    cancel_at: null,
    cancel_at_period_end: false,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    collection_method: 'charge_automatically',
    created: now,
    currency: CURRENCY,
    current_period_end: now + PERIOD_SECONDS,
    current_period_start: now,
    customer: customerId,
    days_until_due: null,
    default_payment_method: null,
    description: null,
    discount: null,
    ended_at: null,
    items: {
      object: 'list',
      data: [{
        id: randomId('si_', 14),
        object: 'subscription_item',
        created: now,
        metadata: {},
        price: priceObject(state),
        quantity,
        subscription: id,
        tax_rates: [],
      }],
      has_more: false,
      total_count: 1,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    latest_invoice: null,
    livemode: false,
    metadata,
    pause_collection: null,
    quantity,
    start_date: now,
    status: 'active',
    test_clock: null,
    trial_end: null,
    trial_start: null,
  };
  state.subscriptions.set(id, subscription);
  return subscription;
}

function newPaidInvoice(state, customer, subscription, amount, billingReason) {
  const now = nowSeconds();
  const invoice = {
    id: randomId('in_'),
    object: 'invoice',
    account_country: 'JP',
    amount_due: amount,
    amount_paid: amount,
    amount_remaining: 0,
    attempt_count: 1,
    attempted: true,
    billing_reason: billingReason,
    collection_method: 'charge_automatically',
    created: now,
    currency: CURRENCY,
    customer: customer.id,
    customer_email: customer.email,
    hosted_invoice_url: null,
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: `${customer.invoice_prefix}-0001`,
    paid: true,
    period_end: subscription.current_period_end,
    period_start: subscription.current_period_start,
    status: 'paid',
    status_transitions: { finalized_at: now, marked_uncollectible_at: null, paid_at: now, voided_at: null },
    subscription: subscription.id,
    subtotal: amount,
    total: amount,
  };
  state.invoices.set(invoice.id, invoice);
  return invoice;
}

// One level of `expand[]`: an id field is replaced by the object it names.
function expand(state, object, paths) {
  const out = structuredClone(object);
  for (const field of Array.isArray(paths) ? paths : []) {
    const id = out[field];
    if (typeof id !== 'string') continue;
    const store = [state.customers, state.subscriptions, state.invoices, state.checkoutSessions]
      .find((s) => s.has(id));
    if (store) out[field] = structuredClone(store.get(id));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// /v1 routes. Each handler takes the decoded form and returns [status, object] or throws ApiError.

const CHECKOUT_PARAMS = [
  'adaptive_pricing', 'after_expiration', 'allow_promotion_codes', 'automatic_tax',
  'billing_address_collection', 'cancel_url', 'client_reference_id', 'consent_collection', 'currency',
  'custom_fields', 'custom_text', 'customer', 'customer_creation', 'customer_email', 'customer_update',
  'discounts', 'expand', 'expires_at', 'invoice_creation', 'line_items', 'locale', 'metadata', 'mode',
  'payment_intent_data', 'payment_method_collection', 'payment_method_configuration',
  'payment_method_data', 'payment_method_options', 'payment_method_types', 'phone_number_collection',
  'redirect_on_completion', 'return_url', 'saved_payment_method_options', 'setup_intent_data',
  'shipping_address_collection', 'shipping_options', 'submit_type', 'subscription_data', 'success_url',
  'tax_id_collection', 'ui_mode',
];
const LINE_ITEM_PARAMS = ['adjustable_quantity', 'dynamic_tax_rates', 'price', 'price_data', 'quantity', 'tax_rates'];
const SUBSCRIPTION_DATA_PARAMS = [
  'application_fee_percent', 'billing_cycle_anchor', 'billing_mode', 'default_tax_rates', 'description',
  'invoice_settings', 'metadata', 'on_behalf_of', 'proration_behavior', 'transfer_data', 'trial_end',
  'trial_period_days', 'trial_settings',
];
const PORTAL_PARAMS = ['configuration', 'customer', 'expand', 'flow_data', 'locale', 'on_behalf_of', 'return_url'];

function createCheckoutSession(state, form) {
  rejectUnknown(form, CHECKOUT_PARAMS);
  const mode = optionalString(form, 'mode');
  if (mode === null) throw missingParam('mode');
  if (!['payment', 'setup', 'subscription'].includes(mode)) {
    throw invalid('Invalid mode: must be one of payment, setup, or subscription', 'mode');
  }
  if (mode !== 'subscription') throw invalid(`fake-stripe implements only mode=subscription, not ${mode}`, 'mode');
  const successUrl = optionalString(form, 'success_url');
  if (successUrl === null) throw missingParam('success_url');
  const cancelUrl = optionalString(form, 'cancel_url');

  const items = form.line_items;
  if (items === undefined) throw missingParam('line_items');
  if (!Array.isArray(items) || items.length === 0) throw invalid('Invalid array', 'line_items');
  let quantity = 0;
  items.forEach((item, i) => {
    const at = `line_items[${i}]`;
    if (!isObject(item)) throw invalid('Invalid object', at);
    rejectUnknown(item, LINE_ITEM_PARAMS, at);
    if (item.price_data !== undefined) throw invalid('fake-stripe supports line items by price id only', `${at}[price_data]`);
    if (item.price === undefined) throw missingParam(`${at}[price]`);
    if (item.price !== state.price) throw noSuch(400, 'price', item.price, `${at}[price]`);
    if (item.quantity === undefined) throw missingParam(`${at}[quantity]`);
    if (!/^[1-9]\d{0,5}$/.test(item.quantity)) throw invalid('Invalid positive integer', `${at}[quantity]`, 'parameter_invalid_integer');
    quantity += Number(item.quantity);
  });

  const customer = optionalString(form, 'customer');
  const customerEmail = optionalString(form, 'customer_email');
  if (customer !== null && customerEmail !== null) {
    throw invalid('You may only specify one of these parameters: customer, customer_email.', 'customer');
  }
  if (customer !== null && !state.customers.has(customer)) throw noSuch(400, 'customer', customer, 'customer');
  const clientReferenceId = optionalString(form, 'client_reference_id');
  if (clientReferenceId !== null && clientReferenceId.length > 200) {
    throw invalid('client_reference_id can have at most 200 characters', 'client_reference_id');
  }
  const metadata = checkMetadata(form.metadata, 'metadata');
  const subscriptionData = form.subscription_data ?? {};
  if (!isObject(subscriptionData)) throw invalid('Invalid object', 'subscription_data');
  rejectUnknown(subscriptionData, SUBSCRIPTION_DATA_PARAMS, 'subscription_data');
  const subscriptionMetadata = checkMetadata(subscriptionData.metadata, 'subscription_data[metadata]');

  const now = nowSeconds();
  let expiresAt = now + 24 * 3600;
  if (form.expires_at !== undefined) {
    if (!/^\d+$/.test(form.expires_at)) throw invalid('Invalid integer', 'expires_at', 'parameter_invalid_integer');
    expiresAt = Number(form.expires_at);
  }
  const id = randomId('cs_test_', 58);
  const amount = state.unitAmount * quantity;
  const session = {
    id,
    object: 'checkout.session',
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: amount,
    amount_total: amount,
    automatic_tax: { enabled: false, liability: null, status: null },
    billing_address_collection: null,
    cancel_url: cancelUrl,
    client_reference_id: clientReferenceId,
    client_secret: null,
    consent: null,
    consent_collection: null,
    created: now,
    currency: CURRENCY,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer,
    customer_creation: null,
    customer_details: null,
    customer_email: customerEmail,
    expires_at: expiresAt,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: optionalString(form, 'locale'),
    metadata,
    mode,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: 'always',
    payment_method_options: {},
    payment_method_types: ['card'],
    payment_status: 'unpaid',
    phone_number_collection: { enabled: false },
    recovered_from: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_details: null,
    shipping_options: [],
    status: 'open',
    submit_type: null,
    subscription: null,
    success_url: successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    url: `${baseUrl(state)}/c/pay/${id}`,
  };
  state.checkoutSessions.set(id, session);
  state.subscriptionData.set(id, { metadata: subscriptionMetadata, quantity });
  return [200, expand(state, session, form.expand)];
}

function createPortalSession(state, form) {
  rejectUnknown(form, PORTAL_PARAMS);
  const customer = optionalString(form, 'customer');
  if (customer === null) throw missingParam('customer');
  if (!state.customers.has(customer)) throw noSuch(400, 'customer', customer, 'customer');
  const id = randomId('bps_');
  const session = {
    id,
    object: 'billing_portal.session',
    configuration: 'bpc_fakestripe',
    created: nowSeconds(),
    customer,
    flow: null,
    livemode: false,
    locale: optionalString(form, 'locale'),
    on_behalf_of: null,
    return_url: optionalString(form, 'return_url'),
    url: `${baseUrl(state)}/p/session/${id}`,
  };
  state.portalSessions.set(id, session);
  return [200, expand(state, session, form.expand)];
}

function retrieve(store, what) {
  return (state, form, id) => {
    const object = store(state).get(id);
    if (!object) throw noSuch(404, what, id, 'id');
    return [200, expand(state, object, form.expand)];
  };
}

const API_ROUTES = [
  ['POST', /^\/v1\/checkout\/sessions$/, createCheckoutSession],
  ['POST', /^\/v1\/billing_portal\/sessions$/, createPortalSession],
  ['GET', /^\/v1\/checkout\/sessions\/([^/]+)$/, retrieve((s) => s.checkoutSessions, 'checkout.session')],
  ['GET', /^\/v1\/subscriptions\/([^/]+)$/, retrieve((s) => s.subscriptions, 'subscription')],
  ['GET', /^\/v1\/customers\/([^/]+)$/, retrieve((s) => s.customers, 'customer')],
  ['GET', /^\/v1\/invoices\/([^/]+)$/, retrieve((s) => s.invoices, 'invoice')],
];

function bearerKey(header) {
  if (!header) return null;
  const bearer = /^Bearer\s+(.+)$/i.exec(header);
  if (bearer) return bearer[1].trim();
  const basic = /^Basic\s+(.+)$/i.exec(header);   // curl -u sk_test_...: the key is the user name
  if (basic) return Buffer.from(basic[1], 'base64').toString('utf8').replace(/:.*$/s, '');
  return null;
}

// Answers one /v1 request: failure injection, auth, idempotency, then the route.
// `record` is the entry in /_test/requests; its status is filled in when the answer is written.
function handleApi(state, req, res, url, rawBody, record) {
  const failure = state.failures.shift();
  if (failure) {
    record.injected = failure.mode;
    if (failure.mode === 'hang') {
      // Hold the request until the client gives up; never answer, never crash.
      state.hung.add(res);
      res.on('close', () => state.hung.delete(res));
      log(req, url, 'hang (injected)');
      return;
    }
    if (failure.mode === 'reset') {
      log(req, url, 'reset (injected)');
      if (typeof req.socket.resetAndDestroy === 'function') req.socket.resetAndDestroy();
      else req.socket.destroy();
      return;
    }
    const status = failure.status;
    const body = failure.body !== undefined
      ? failure.body
      : status === 429
        ? { error: errorObject({ type: 'rate_limit_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.' }) }
        : { error: errorObject({ type: 'api_error', message: `Something went wrong on Stripe's end. (fake-stripe: injected HTTP ${status})` }) };
    return answerApi(state, req, res, url, record, status, body, failure.headers);
  }

  const key = bearerKey(req.headers.authorization);
  if (key === null || key === '') {
    return answerApi(state, req, res, url, record, 401, { error: errorObject({ type: 'invalid_request_error', message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/." }) }, { 'WWW-Authenticate': 'Basic realm="Stripe"' });
  }
  if (key !== state.apiKey) {
    return answerApi(state, req, res, url, record, 401, { error: errorObject({ type: 'invalid_request_error', message: `Invalid API Key provided: ${maskKey(key)}` }) }, { 'WWW-Authenticate': 'Basic realm="Stripe"' });
  }

  const idemKey = req.method === 'POST' ? record.idempotency_key : null;
  const fingerprint = `${req.method} ${url.pathname} ${canonical(record.form)}`;
  if (idemKey !== null) {
    if (idemKey.length > 255) {
      const e = invalid(`Invalid Idempotency-Key: it can have at most 255 characters, not ${idemKey.length}.`);
      return answerApi(state, req, res, url, record, e.status, e.body);
    }
    const previous = state.idempotency.get(idemKey);
    if (previous && previous.fingerprint !== fingerprint) {
      const body = { error: errorObject({ type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.` }) };
      return answerApi(state, req, res, url, record, 400, body);
    }
    if (previous) {
      record.replayed = true;
      return answerApi(state, req, res, url, record, previous.status, previous.body,
        { 'Idempotent-Replayed': 'true', 'Original-Request': previous.requestId });
    }
  }
  const requestId = randomId('req_', 14);

  let status, body;
  try {
    const route = API_ROUTES.find(([method, re]) => method === req.method && re.test(url.pathname));
    if (!route) {
      throw new ApiError(404, { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.` });
    }
    const id = route[1].exec(url.pathname)[1];
    const form = req.method === 'GET' ? record.query : record.form;
    [status, body] = route[2](state, form, id === undefined ? undefined : safeDecode(id));
    if (idemKey !== null) state.idempotency.set(idemKey, { fingerprint, status, body, requestId });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    status = e.status;
    body = e.body;
  }
  return answerApi(state, req, res, url, record, status, body, { 'Request-Id': requestId });
}

function answerApi(state, req, res, url, record, status, body, extraHeaders = {}) {
  record.status = status;
  const headers = {
    'Cache-Control': 'no-cache, no-store',
    'Request-Id': randomId('req_', 14),
    'Stripe-Version': req.headers['stripe-version'] || API_VERSION,
    ...extraHeaders,
  };
  if (record.idempotency_key !== null && req.method === 'POST') headers['Idempotency-Key'] = record.idempotency_key;
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  sendText(req, res, url, status, text, 'application/json', headers);
}

// ---------------------------------------------------------------------------------------------
// Webhook events: built here, signed by the SDK, POSTed to the configured URL.

function makeEvent({ type, object, created, id, previous_attributes }) {
  const event = {
    id: id ?? randomId('evt_'),
    object: 'event',
    api_version: API_VERSION,
    created: created ?? nowSeconds(),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
  if (previous_attributes !== undefined) event.data.previous_attributes = previous_attributes;
  return event;
}

// The Stripe-Signature header for `payload`, made by the SDK. With several secrets (a secret being
// rolled) Stripe sends one v1 signature per secret under one timestamp; each comes from the SDK.
function signatureHeader(state, payload, secret, timestamp) {
  const secrets = Array.isArray(secret) ? secret : [secret];
  if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) {
    throw new ControlError(400, 'secret must be a non-empty string or a list of them');
  }
  if (timestamp !== undefined && timestamp !== null && !(Number.isInteger(timestamp) && timestamp > 0)) {
    throw new ControlError(400, 'timestamp must be a positive whole number of seconds');
  }
  const t = timestamp ?? nowSeconds();
  const headers = secrets.map((s) => state.webhooks.generateTestHeaderString({ payload, secret: s, timestamp: t }));
  const [first, ...more] = headers;
  return [first, ...more.map((h) => h.split(',').filter((part) => part.startsWith('v1=')).join(','))].join(',');
}

// Changes one byte of a signed body and keeps it valid JSON: the last digit of the event's
// `created` (the first "created" in the text, the event's own).
function tamper(payload) {
  const m = /"created":\s*\d+/.exec(payload);
  if (!m) return payload.slice(0, -1) + (payload.endsWith(' ') ? '\n' : ' ');
  const at = m.index + m[0].length - 1;
  return payload.slice(0, at) + String((Number(payload[at]) + 1) % 10) + payload.slice(at + 1);
}

function postWebhook(target, body, headers, timeoutMs) {
  return new Promise((resolve, reject) => {
    const u = new URL(target);
    const data = Buffer.from(body, 'utf8');
    const request = (u.protocol === 'https:' ? https : http).request(u, {
      method: 'POST',
      agent: false,   // a fresh connection per delivery, as a webhook sender opens
      headers: { ...headers, 'Content-Length': data.length },
      timeout: timeoutMs,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(data);
  });
}

// Signs (unless told otherwise) and POSTs a payload; records the delivery. Returns the answer of
// /_test/events: {event, payload, signature_header, status, body[, error]}.
async function deliver(state, event, payload, opts = {}) {
  const header = signatureHeader(state, payload, opts.secret ?? state.webhookSecret, opts.timestamp);
  const sent = opts.tamper ? tamper(payload) : payload;
  const signature = opts.omit_signature ? null : header;
  const result = { event, payload: sent, signature_header: signature, status: null, body: null };
  if (opts.deliver === false) return result;

  const delivery = {
    event_id: event.id,
    type: event.type,
    url: state.webhookUrl,
    payload: sent,
    signature_header: signature,
    tampered: Boolean(opts.tamper),
    attempted_at: new Date().toISOString(),
    status: null,
    body: null,
    error: null,
    skipped: false,
  };
  state.deliveries.push(delivery);
  if (!state.webhookUrl) {
    delivery.skipped = true;
    delivery.error = result.error = 'no webhook_url configured; not delivered';
    process.stderr.write(`fake-stripe event ${event.type} ${event.id} not delivered (no webhook url)\n`);
    return result;
  }
  const headers = {
    'Content-Type': 'application/json; charset=utf-8',
    'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    'Cache-Control': 'no-cache',
    Accept: '*/*; q=0.5, application/xml',
  };
  if (signature !== null) headers['Stripe-Signature'] = signature;
  try {
    const answer = await postWebhook(state.webhookUrl, sent, headers, state.webhookTimeoutMs);
    delivery.status = result.status = answer.status;
    delivery.body = result.body = answer.body;
  } catch (e) {
    delivery.error = result.error = e.message;
  }
  process.stderr.write(`fake-stripe event ${event.type} ${event.id} -> ${delivery.status ?? delivery.error}\n`);
  return result;
}

async function emitEvent(state, spec, opts = {}) {
  const event = makeEvent(spec);
  const payload = opts.pretty ? JSON.stringify(event, null, 2) : JSON.stringify(event);
  state.events.set(event.id, { event, payload });
  return deliver(state, event, payload, opts);
}

// ---------------------------------------------------------------------------------------------
// Hosted pages: checkout and customer portal (what a browser sees)

function page(title, body) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; }
.test { background: #fff3cd; padding: .3rem .6rem; border-radius: 4px; font-size: .85rem; }
button { font-size: 1rem; padding: .6rem 1.4rem; margin: 1rem 0; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

const successUrlFor = (session) => session.success_url.replaceAll('{CHECKOUT_SESSION_ID}', session.id);

function checkoutPage(state, session) {
  if (session.status !== 'open') {
    return page('Fake Stripe Checkout', `<h1>Fake Stripe Checkout</h1>
<p id="status">This checkout session is ${escapeHtml(session.status)}; payment status ${escapeHtml(session.payment_status)}.</p>
<p><a id="continue" href="${escapeHtml(successUrlFor(session))}">Continue</a></p>`);
  }
  const email = session.customer_email ?? state.customers.get(session.customer)?.email ?? null;
  const { quantity } = state.subscriptionData.get(session.id);
  const emailField = email === null
    ? '<p><label>Email <input id="email" name="email" type="email" value="customer@example.com" required></label></p>'
    : `<p>Email: <span id="customer-email">${escapeHtml(email)}</span></p>`;
  const cancel = session.cancel_url ? `<p><a id="cancel" href="${escapeHtml(session.cancel_url)}">Cancel and go back</a></p>` : '';
  return page('Fake Stripe Checkout', `<h1>Fake Stripe Checkout</h1>
<p class="test">Test mode: nothing is charged.</p>
<p>Subscribe to <span id="price-id">${escapeHtml(state.price)}</span>${quantity > 1 ? ` × ${quantity}` : ''}</p>
<p id="price"><strong>${escapeHtml(yen(session.amount_total))}</strong> per month</p>
<form method="post" action="/c/pay/${escapeHtml(session.id)}/complete">
${emailField}
<button id="pay" type="submit">Subscribe</button>
</form>
${cancel}`);
}

// Pays an open checkout session: customer, subscription, invoice, then the three events in order.
async function completeCheckout(state, session, form) {
  let customer = session.customer ? state.customers.get(session.customer) : null;
  if (!customer) {
    const typed = typeof form.email === 'string' && form.email !== '' ? form.email : null;
    customer = newCustomer(state, session.customer_email ?? typed ?? 'customer@example.com');
  }
  const data = state.subscriptionData.get(session.id);
  const subscription = newSubscription(state, customer.id, data.quantity, structuredClone(data.metadata));
  const invoice = newPaidInvoice(state, customer, subscription, session.amount_total, 'subscription_create');
  subscription.latest_invoice = invoice.id;
  Object.assign(session, {
    customer: customer.id,
    customer_details: { address: null, email: customer.email, name: customer.name, phone: null, tax_exempt: 'none', tax_ids: [] },
    invoice: invoice.id,
    payment_status: 'paid',
    status: 'complete',
    subscription: subscription.id,
    url: null,   // Stripe keeps the URL only while the session is open
  });
  const events = [
    { type: 'checkout.session.completed', object: structuredClone(session) },
    { type: 'customer.subscription.created', object: structuredClone(subscription) },
    { type: 'invoice.paid', object: structuredClone(invoice) },
  ];
  const deliverAll = async () => {
    for (const e of events) await emitEvent(state, e);
  };
  if (state.webhookDelayMs > 0) {
    // As at Stripe, the webhooks may arrive after the browser is back on success_url.
    setTimeout(() => deliverAll().catch((e) => console.error(`delayed delivery failed: ${e.message}`)),
      state.webhookDelayMs);
  } else {
    await deliverAll();
  }
}

function activeSubscriptionOf(state, customerId) {
  return [...state.subscriptions.values()]
    .filter((s) => s.customer === customerId && !['canceled', 'incomplete_expired'].includes(s.status))
    .sort((a, b) => b.created - a.created)[0] ?? null;
}

function portalPage(state, session) {
  const customer = state.customers.get(session.customer);
  const subscription = activeSubscriptionOf(state, session.customer);
  const back = session.return_url ? `<p><a id="return" href="${escapeHtml(session.return_url)}">Return</a></p>` : '';
  const current = subscription
    ? `<p id="subscription">Subscription <span id="subscription-id">${escapeHtml(subscription.id)}</span>: <span id="subscription-status">${escapeHtml(subscription.status)}</span>, renews ${new Date(subscription.current_period_end * 1000).toISOString().slice(0, 10)}</p>
<form method="post" action="/p/session/${escapeHtml(session.id)}/cancel">
<button id="cancel-subscription" type="submit">Cancel subscription</button>
</form>`
    : '<p id="subscription">No active subscription.</p>';
  return page('Fake Stripe customer portal', `<h1>Fake Stripe customer portal</h1>
<p class="test">Test mode.</p>
<p>Customer: <span id="customer-email">${escapeHtml(customer?.email ?? session.customer)}</span></p>
${current}
${back}`);
}

async function handleHosted(state, req, res, url, rawBody) {
  const html = (status, text, headers) => sendText(req, res, url, status, text, 'text/html; charset=utf-8', headers);
  const notFound = (what) => html(404, page(`${what}: not found`, `<h1>${escapeHtml(what)}</h1><p id="not-found">No such session.</p>`));
  let m;
  if ((m = /^\/c\/pay\/([^/]+)(\/complete)?$/.exec(url.pathname))) {
    const session = state.checkoutSessions.get(m[1]);
    if (!session) return notFound('Fake Stripe Checkout');
    if (!m[2] && req.method === 'GET') return html(200, checkoutPage(state, session));
    if (m[2] && req.method === 'POST') {
      if (session.status !== 'open') return html(409, checkoutPage(state, session));
      await completeCheckout(state, session, decodeForm(rawBody));
      const to = successUrlFor(session);
      return html(303, page('Redirecting', `<p><a href="${escapeHtml(to)}">Continue</a></p>`), { Location: to });
    }
  } else if ((m = /^\/p\/session\/([^/]+)(\/cancel)?$/.exec(url.pathname))) {
    const session = state.portalSessions.get(m[1]);
    if (!session) return notFound('Fake Stripe customer portal');
    if (!m[2] && req.method === 'GET') return html(200, portalPage(state, session));
    if (m[2] && req.method === 'POST') {
      const subscription = activeSubscriptionOf(state, session.customer);
      if (!subscription) return html(409, portalPage(state, session));
      const now = nowSeconds();
      Object.assign(subscription, {
        status: 'canceled', canceled_at: now, ended_at: now, cancel_at_period_end: false,
        cancellation_details: { comment: null, feedback: null, reason: 'cancellation_requested' },
      });
      await emitEvent(state, { type: 'customer.subscription.deleted', object: structuredClone(subscription) });
      if (!session.return_url) return html(200, portalPage(state, session));
      return html(303, page('Redirecting', `<p><a href="${escapeHtml(session.return_url)}">Return</a></p>`), { Location: session.return_url });
    }
  } else {
    return html(404, page('Not found', '<p>Not found.</p>'));
  }
  return html(405, page('Method not allowed', '<p>Method not allowed.</p>'), { Allow: m[2] ? 'POST' : 'GET' });
}

// ---------------------------------------------------------------------------------------------
// The control API under /_test/

class ControlError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function parseJsonBody(rawBody) {
  if (rawBody.trim() === '') return {};
  let v;
  try { v = JSON.parse(rawBody); } catch (e) { throw new ControlError(400, `body is not JSON: ${e.message}`); }
  if (!isObject(v)) throw new ControlError(400, 'body must be a JSON object');
  return v;
}

function configView(state) {
  return {
    webhook_url: state.webhookUrl,
    webhook_secret: state.webhookSecret,
    webhook_timeout_ms: state.webhookTimeoutMs,
    webhook_delay_ms: state.webhookDelayMs,
    price: state.price,
    unit_amount: state.unitAmount,
    port: state.port,
    stripe_sdk_version: state.sdk.version,
  };
}

const SUBSCRIPTION_STATUSES = ['incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid', 'paused'];

async function handleControl(state, req, url, rawBody) {
  const route = `${req.method} ${url.pathname}`;
  const body = req.method === 'POST' ? parseJsonBody(rawBody) : {};
  const optionalBool = (name) => {
    if (body[name] !== undefined && typeof body[name] !== 'boolean') throw new ControlError(400, `${name} must be true or false`);
    return body[name];
  };
  switch (route) {
    case 'GET /_test/health':
      return { ok: true };
    case 'GET /_test/config':
      return configView(state);
    case 'POST /_test/config': {
      if (body.webhook_url !== undefined) {
        if (body.webhook_url === null || body.webhook_url === '') state.webhookUrl = null;
        else {
          if (typeof body.webhook_url !== 'string') throw new ControlError(400, 'webhook_url must be a string or null');
          checkWebhookUrl(body.webhook_url, (m) => { throw new ControlError(400, m); });
          state.webhookUrl = body.webhook_url;
        }
      }
      if (body.webhook_secret !== undefined) {
        const s = body.webhook_secret;
        const ok = (typeof s === 'string' && s !== '') ||
          (Array.isArray(s) && s.length > 0 && s.every((x) => typeof x === 'string' && x !== ''));
        if (!ok) throw new ControlError(400, 'webhook_secret must be a non-empty string or a list of them');
        state.webhookSecret = s;
      }
      if (body.webhook_timeout_ms !== undefined) {
        if (!Number.isInteger(body.webhook_timeout_ms) || body.webhook_timeout_ms <= 0) throw new ControlError(400, 'webhook_timeout_ms must be a positive integer');
        state.webhookTimeoutMs = body.webhook_timeout_ms;
      }
      if (body.webhook_delay_ms !== undefined) {
        if (!Number.isInteger(body.webhook_delay_ms) || body.webhook_delay_ms < 0) throw new ControlError(400, 'webhook_delay_ms must be an integer >= 0');
        state.webhookDelayMs = body.webhook_delay_ms;
      }
      return configView(state);
    }
    case 'GET /_test/requests':
      return state.requests;
    case 'GET /_test/deliveries':
      return state.deliveries;
    case 'POST /_test/reset':
      resetRecords(state);
      return { ok: true };
    case 'GET /_test/state':
      return {
        customers: [...state.customers.values()],
        subscriptions: [...state.subscriptions.values()],
        invoices: [...state.invoices.values()],
        checkout_sessions: [...state.checkoutSessions.values()],
        billing_portal_sessions: [...state.portalSessions.values()],
        events: [...state.events.values()].map(({ event }) => ({ id: event.id, type: event.type, created: event.created })),
      };
    case 'POST /_test/fail': {
      const count = body.count ?? 1;
      if (!Number.isInteger(count) || count < 0) throw new ControlError(400, 'count must be a whole number');
      if (count === 0) {
        state.failures = [];
        return { pending: 0 };
      }
      const mode = body.mode ?? 'status';
      if (!['status', 'hang', 'reset'].includes(mode)) throw new ControlError(400, 'mode must be "status", "hang" or "reset"');
      const status = body.status ?? 500;
      if (!Number.isInteger(status) || status < 100 || status > 599) throw new ControlError(400, 'status must be an HTTP status');
      if (body.headers !== undefined && !isObject(body.headers)) throw new ControlError(400, 'headers must be an object');
      for (let i = 0; i < count; i++) state.failures.push({ mode, status, body: body.body, headers: body.headers ?? {} });
      return { pending: state.failures.length };
    }
    case 'POST /_test/sign': {
      if (typeof body.payload !== 'string') throw new ControlError(400, 'payload must be a string');
      return { header: signatureHeader(state, body.payload, body.secret ?? state.webhookSecret, body.timestamp) };
    }
    case 'POST /_test/events': {
      if (typeof body.type !== 'string' || body.type === '') throw new ControlError(400, 'type must be a string');
      if (!isObject(body.object)) throw new ControlError(400, 'object must be a JSON object');
      if (body.created !== undefined && !Number.isInteger(body.created)) throw new ControlError(400, 'created must be an integer');
      if (body.id !== undefined && (typeof body.id !== 'string' || body.id === '')) throw new ControlError(400, 'id must be a string');
      if (body.previous_attributes !== undefined && !isObject(body.previous_attributes)) throw new ControlError(400, 'previous_attributes must be an object');
      const opts = {
        deliver: optionalBool('deliver'), tamper: optionalBool('tamper'), omit_signature: optionalBool('omit_signature'),
        pretty: optionalBool('pretty'), secret: body.secret, timestamp: body.timestamp,
      };
      signatureHeader(state, '', opts.secret ?? state.webhookSecret, opts.timestamp);   // validates before anything is stored
      return emitEvent(state, { type: body.type, object: body.object, created: body.created, id: body.id, previous_attributes: body.previous_attributes }, opts);
    }
    case 'POST /_test/redeliver': {
      const stored = state.events.get(body.event_id);
      if (!stored) throw new ControlError(404, `no event ${JSON.stringify(body.event_id)}`);
      const opts = { secret: body.secret, timestamp: body.timestamp, tamper: optionalBool('tamper'), omit_signature: optionalBool('omit_signature') };
      return deliver(state, stored.event, stored.payload, opts);
    }
    default:
      break;
  }
  const m = /^\/_test\/subscriptions\/([^/]+)$/.exec(url.pathname);
  if (m && req.method === 'POST') {
    const subscription = state.subscriptions.get(safeDecode(m[1]));
    if (!subscription) throw new ControlError(404, `no subscription ${m[1]}`);
    const patch = {};
    if (body.status !== undefined) {
      if (!SUBSCRIPTION_STATUSES.includes(body.status)) throw new ControlError(400, `status must be one of ${SUBSCRIPTION_STATUSES.join(', ')}`);
      patch.status = body.status;
    }
    if (optionalBool('cancel_at_period_end') !== undefined) patch.cancel_at_period_end = body.cancel_at_period_end;
    for (const field of ['current_period_start', 'current_period_end', 'cancel_at', 'canceled_at', 'ended_at']) {
      if (body[field] === undefined) continue;
      if (body[field] !== null && !Number.isInteger(body[field])) throw new ControlError(400, `${field} must be an integer or null`);
      patch[field] = body[field];
    }
    if (body.metadata !== undefined) {
      if (!isObject(body.metadata)) throw new ControlError(400, 'metadata must be an object');
      patch.metadata = plain(body.metadata);
    }
    Object.assign(subscription, patch);
    return subscription;
  }
  throw new ControlError(404, `no control route ${route}`);
}

// ---------------------------------------------------------------------------------------------
// HTTP plumbing

function log(req, url, status) {
  process.stderr.write(`fake-stripe ${req.method} ${url.pathname} ${status}\n`);
}

function sendText(req, res, url, status, text, contentType, headers = {}) {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(req.method === 'HEAD' ? undefined : text);
  log(req, url, status);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ControlError(413, 'request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', (e) => reject(Object.assign(e, { clientGone: true })));
  });
}

async function handle(state, req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  const rawBody = await readBody(req);
  if (url.pathname === '/v1' || url.pathname.startsWith('/v1/')) {
    const record = {
      seq: ++state.seq,
      at: new Date().toISOString(),
      method: req.method,
      path: url.pathname,
      query: decodeForm(url.search.slice(1)),
      headers: { ...req.headers },
      body: rawBody,
      form: decodeForm(rawBody),
      idempotency_key: req.headers['idempotency-key'] ?? null,
      replayed: false,
      injected: null,
      status: null,
    };
    state.requests.push(record);
    return handleApi(state, req, res, url, rawBody, record);
  }
  if (url.pathname.startsWith('/_test/')) {
    let status = 200, answer;
    try {
      answer = await handleControl(state, req, url, rawBody);
    } catch (e) {
      if (!(e instanceof ControlError)) throw e;
      status = e.status;
      answer = { error: e.message };
    }
    return sendText(req, res, url, status, JSON.stringify(answer), 'application/json');
  }
  return handleHosted(state, req, res, url, rawBody);
}

function main() {
  // Signals first: a test may stop the fake while it is still loading the SDK.
  let server = null;
  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`fake-stripe: ${signal}, stopping\n`);
    if (!server || !server.listening) process.exit(0);
    server.close(() => process.exit(0));
    server.closeAllConnections();   // including requests held by an injected "hang"
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  const opts = parseArgs(process.argv.slice(2));
  const sdk = loadStripeSdk(opts.sdkDir);
  if (!sdk) {
    process.stderr.write(`fake-stripe: the stripe SDK is not installed in ${opts.sdkDir} (run tests/billing/install-sdk.sh <dir> and pass --sdk <dir>)\n`);
    process.exit(77);
  }
  const state = createState(opts, sdk);

  server = http.createServer((req, res) => {
    handle(state, req, res).catch((e) => {
      const url = new URL(req.url, 'http://127.0.0.1');
      if (e instanceof ControlError && e.status === 413) {
        if (!res.headersSent && !req.socket.destroyed) sendText(req, res, url, 413, '{"error":"request body too large"}', 'application/json');
        return;
      }
      if (e.clientGone) {
        log(req, url, `(client went away: ${e.message})`);
        return;
      }
      process.stderr.write(`fake-stripe internal error on ${req.method} ${url.pathname}: ${e.stack ?? e}\n`);
      if (!res.headersSent && !res.destroyed) {
        sendText(req, res, url, 500, JSON.stringify({ error: errorObject({ type: 'api_error', message: `fake-stripe internal error: ${e.message}` }) }), 'application/json');
      } else {
        res.destroy();
      }
    });
  });
  server.on('clientError', (err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.on('error', (e) => {
    process.stderr.write(`fake-stripe: ${e.message}\n`);
    process.exit(1);
  });
  server.listen(opts.port, '127.0.0.1', () => {
    state.port = server.address().port;
    process.stderr.write(`fake-stripe: stripe SDK ${sdk.version} from ${sdk.dir}; price ${state.price}; webhook ${state.webhookUrl ?? '(none)'}\n`);
    process.stdout.write(`fake-stripe listening on ${state.port}\n`);
  });
}

main();
