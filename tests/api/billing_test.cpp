// Real billing with Stripe (issue 13), black box: `carat serve` on the selected database, billing
// through a local fake of Stripe's API (tests/billing/fake_stripe.mjs) whose webhook deliveries
// are signed by Stripe's official SDK — the independent reference for the signature scheme.
//
// Without Node or the SDK (tests/billing/install-sdk.sh, run by the build's stripe_sdk target)
// these tests fail rather than skip: CI installs both.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "api_fixture.hpp"
#include "db_access.hpp"
#include "fake_stripe.hpp"

namespace carat::testing {
namespace {

int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One fake Stripe and one billing-enabled server per suite.
class Billing : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      stripe_ = new FakeStripe();
      auto env = stripe_->carat_env();
      env["BCRYPT_COST"] = "4";
      env["BILLING_SWEEP_SECONDS"] = "1";
      server_ = new CaratServer(env);
      stripe_->set_webhook_url(server_->url() + "/api/billing/webhook");
      db_ = new TestDb(server_->database_url());
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    if (server_ != nullptr) {
      // The secrets never reach the log.
      const std::string log = server_->log();
      EXPECT_EQ(log.find(FakeStripe::kApiKey), std::string::npos);
      EXPECT_EQ(log.find(FakeStripe::kWebhookSecret), std::string::npos);
      EXPECT_EQ(server_->stop(), 0);
      expect_clean_log(server_->log(), "billing server");
    }
    delete db_;
    delete server_;
    delete stripe_;
    db_ = nullptr;
    server_ = nullptr;
    stripe_ = nullptr;
  }
  void SetUp() override {
    if (server_ == nullptr) GTEST_FAIL() << "billing test setup failed: " << setup_error_;
    stripe_->reset();
    stripe_->set_webhook_secret(FakeStripe::kWebhookSecret);
    stripe_->set_webhook_url(server_->url() + "/api/billing/webhook");
  }

  Client api() { return server_->client(); }
  FakeStripe& stripe() { return *stripe_; }
  TestDb& db() { return *db_; }

  std::string membership(int64_t user) {
    return db().text("SELECT membership_type FROM users WHERE id = " + qs(user));
  }
  int matching_status(const TestUser& u) {
    return api().get("/api/matching/profiles/me", u.auth()).status;
  }

  // Starts a checkout as `u` and completes it on the fake's hosted page, which delivers
  // checkout.session.completed, customer.subscription.created and invoice.paid. Returns the
  // subscription's id.
  std::string subscribe(const TestUser& u) {
    auto c = api();
    const Reply r = c.post("/api/billing/checkout", "", "application/json", u.auth());
    EXPECT_EQ(r.status, 200) << r.body;
    const std::string url = r.json().value("url", "");
    const std::string prefix = stripe().base() + "/c/pay/";
    EXPECT_EQ(url.rfind(prefix, 0), 0u) << url;
    const std::string session = url.substr(prefix.size());
    httplib::Client page("127.0.0.1", stripe().port());
    page.set_read_timeout(60, 0);
    auto done = page.Post("/c/pay/" + session + "/complete", "", "application/x-www-form-urlencoded");
    EXPECT_TRUE(done && done->status == 303) << (done ? done->body : "no answer");
    const Json sess = stripe().get("/v1/checkout/sessions/" + session);
    return sess.value("subscription", "");
  }

  // Sends an event through the fake (signed by the SDK unless told otherwise).
  Json send_event(const std::string& type, const Json& object, Json extra = Json::object()) {
    extra["type"] = type;
    extra["object"] = object;
    return stripe().control("/_test/events", extra);
  }
  Json subscription_object(const std::string& id, const std::string& status, int64_t user,
                           const std::string& customer = "") {
    Json o = {{"id", id},
              {"object", "subscription"},
              {"status", status},
              {"customer", customer.empty() ? Json(nullptr) : Json(customer)},
              {"cancel_at_period_end", false},
              {"current_period_end", now_s() + 30 * 86400},
              {"metadata", {{"user_id", std::to_string(user)}}}};
    return o;
  }
  Json invoice_object(const std::string& subscription) {
    return {{"id", "in_" + random_suffix()},
            {"object", "invoice"},
            {"subscription", subscription},
            {"customer", nullptr},
            {"status", "open"}};
  }
  int64_t events_stored(const std::string& id) {
    return db().scalar("SELECT COUNT(*) FROM carat_stripe_events WHERE event_id = '" + id + "'");
  }

  static FakeStripe* stripe_;
  static CaratServer* server_;
  static TestDb* db_;
  static std::string setup_error_;
};

FakeStripe* Billing::stripe_ = nullptr;
CaratServer* Billing::server_ = nullptr;
TestDb* Billing::db_ = nullptr;
std::string Billing::setup_error_;

// A free member pays through Checkout and the webhook makes them premium; the call to Stripe
// carries exactly what the contract asks.
TEST_F(Billing, CheckoutThenWebhookMakesTheMemberPremium) {
  auto c = api();
  const TestUser u = make_user(c, "Payer");
  ASSERT_EQ(membership(u.id), "free");
  Reply st = c.get("/api/billing/status", u.auth());
  ASSERT_EQ(st.status, 200);
  EXPECT_EQ(st.json()["premium"], false);
  EXPECT_EQ(st.json()["membership_type"], "free");
  EXPECT_TRUE(st.json().contains("subscription") && st.json()["subscription"].is_null());
  EXPECT_EQ(matching_status(u), 403);

  const std::string sub = subscribe(u);
  ASSERT_FALSE(sub.empty());

  Json reqs = Json::array();  // the service's calls (the test's own GET of the session aside)
  for (const auto& q : stripe().requests()) {
    if (q["method"] == "POST") reqs.push_back(q);
  }
  ASSERT_EQ(reqs.size(), 1u) << reqs.dump();
  const Json& call = reqs[0];
  EXPECT_EQ(call["method"], "POST");
  EXPECT_EQ(call["path"], "/v1/checkout/sessions");
  EXPECT_EQ(call["headers"]["authorization"], std::string("Bearer ") + FakeStripe::kApiKey);
  EXPECT_EQ(call["headers"]["stripe-version"], "2024-06-20");
  EXPECT_EQ(call["idempotency_key"].get<std::string>().rfind("carat-checkout-" + qs(u.id) + "-", 0),
            0u);
  const Json& f = call["form"];
  EXPECT_EQ(f["mode"], "subscription");
  EXPECT_EQ(f["line_items"][0]["price"], FakeStripe::kPriceId);
  EXPECT_EQ(f["line_items"][0]["quantity"], "1");
  EXPECT_EQ(f["client_reference_id"], qs(u.id));
  EXPECT_EQ(f["customer_email"], u.email);
  EXPECT_EQ(f["metadata"]["user_id"], qs(u.id));
  EXPECT_EQ(f["subscription_data"]["metadata"]["user_id"], qs(u.id));
  EXPECT_EQ(f["success_url"], "http://127.0.0.1:9/matching?from=checkout");
  EXPECT_EQ(f["cancel_url"], "http://127.0.0.1:9/matching");

  // Every delivery was accepted, and the member is premium.
  for (const auto& d : stripe().get("/_test/deliveries")) {
    EXPECT_EQ(d["status"], 200) << d.dump();
  }
  EXPECT_EQ(membership(u.id), "premium");
  st = c.get("/api/billing/status", u.auth());
  EXPECT_EQ(st.json()["premium"], true);
  EXPECT_EQ(st.json()["subscription"]["status"], "active");
  EXPECT_TRUE(st.json()["subscription"]["current_period_end"].is_string());
  EXPECT_TRUE(st.json()["subscription"]["grace_until"].is_null());
  EXPECT_EQ(matching_status(u), 200);  // past the gate

  // Premium members do not pay twice.
  const Reply again = c.post("/api/billing/checkout", "", "application/json", u.auth());
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.json()["detail"], "You are already a premium member");

  // The customer portal opens for the customer Stripe created.
  stripe().reset();
  const Reply portal = c.post("/api/billing/portal", "", "application/json", u.auth());
  ASSERT_EQ(portal.status, 200) << portal.body;
  EXPECT_EQ(portal.json()["url"].get<std::string>().rfind(stripe().base() + "/p/session/", 0),
            0u);
  const Json preqs = stripe().requests();
  ASSERT_EQ(preqs.size(), 1u);
  EXPECT_EQ(preqs[0]["path"], "/v1/billing_portal/sessions");
  EXPECT_EQ(preqs[0]["form"]["customer"],
            db().text("SELECT stripe_customer_id FROM carat_billing_subscriptions WHERE "
                      "stripe_subscription_id = '" + sub + "'"));
  EXPECT_EQ(preqs[0]["form"]["return_url"], "http://127.0.0.1:9/account");
}

// Stripe's webhook may arrive after the member is back from Checkout: the status the client asks
// for on its return looks the open session up at Stripe and the member is premium at once; the
// late webhooks then change nothing. An open (unpaid) session is looked up at most every 2 s.
TEST_F(Billing, BackFromCheckoutBeforeTheWebhookIsPremiumAtOnce) {
  auto c = api();
  stripe().control("/_test/config", {{"webhook_url", nullptr}});
  const TestUser u = make_user(c, "Early");
  const std::string sub = subscribe(u);
  ASSERT_FALSE(sub.empty());
  const Json held = stripe().get("/_test/deliveries");
  ASSERT_EQ(held.size(), 3u);
  for (const auto& d : held) EXPECT_EQ(d["skipped"], true) << d.dump();
  EXPECT_EQ(membership(u.id), "free");

  const Reply st = c.get("/api/billing/status", u.auth());
  ASSERT_EQ(st.status, 200);
  EXPECT_EQ(st.json()["premium"], true) << st.body;
  EXPECT_EQ(st.json()["membership_type"], "premium");
  EXPECT_EQ(st.json()["subscription"]["status"], "active");
  EXPECT_EQ(membership(u.id), "premium");
  EXPECT_EQ(matching_status(u), 200);
  int lookups = 0;
  for (const auto& q : stripe().requests()) {
    if (q["method"] == "GET" && q["path"].get<std::string>().rfind("/v1/checkout/sessions/", 0) == 0 &&
        q["headers"].contains("stripe-version")) {
      ++lookups;
      EXPECT_EQ(q["headers"]["authorization"], std::string("Bearer ") + FakeStripe::kApiKey);
    }
  }
  EXPECT_EQ(lookups, 1);

  // The webhooks arrive late, in order: applied once, nothing changes for the member, and the
  // subscription's own state replaces the provisional one.
  stripe().set_webhook_url(server_->url() + "/api/billing/webhook");
  for (const auto& d : held) {
    const Json r = stripe().control("/_test/redeliver", {{"event_id", d["event_id"]}});
    EXPECT_EQ(r["status"], 200) << r.dump();
    EXPECT_EQ(Json::parse(r["body"].get<std::string>())["duplicate"], false);
  }
  EXPECT_EQ(membership(u.id), "premium");
  EXPECT_GT(db().scalar("SELECT last_event_created FROM carat_billing_subscriptions WHERE "
                        "stripe_subscription_id = '" + sub + "'"),
            0);

  // A session left open (the member went back without paying): free, one lookup per 2 s.
  const TestUser v = make_user(c, "Undecided");
  ASSERT_EQ(c.post("/api/billing/checkout", "", "application/json", v.auth()).status, 200);
  stripe().reset();
  for (int i = 0; i < 3; ++i) {
    const Reply r = c.get("/api/billing/status", v.auth());
    EXPECT_EQ(r.json()["premium"], false);
  }
  EXPECT_EQ(stripe().requests().size(), 1u);
  EXPECT_EQ(membership(v.id), "free");
}

TEST_F(Billing, RefusedCallsNeedALoginAndAPortalNeedsASubscription) {
  auto c = api();
  EXPECT_EQ(c.post("/api/billing/checkout", "").status, 401);
  EXPECT_EQ(c.post("/api/billing/portal", "").status, 401);
  const TestUser u = make_user(c, "NoSub");
  const Reply r = c.post("/api/billing/portal", "", "application/json", u.auth());
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json()["detail"], "No subscription to manage");
  EXPECT_TRUE(stripe().requests().empty());
}

// Good signatures are accepted; a tampered body, another secret, a stale timestamp, a missing or
// malformed header are refused with 400 and store nothing.
TEST_F(Billing, WebhookSignatureIsChecked) {
  const Json obj = subscription_object("sub_sig_" + random_suffix(), "active", 0);
  Json ok = send_event("customer.subscription.updated", obj);
  EXPECT_EQ(ok["status"], 200) << ok.dump();
  EXPECT_EQ(Json::parse(ok["body"].get<std::string>())["received"], true);
  EXPECT_EQ(events_stored(ok["event"]["id"]), 1);

  struct Case {
    const char* name;
    Json extra;
    const char* detail;
  };
  const std::vector<Case> cases = {
      {"tampered body", {{"tamper", true}},
       "No signature matches the payload and the webhook signing secret"},
      {"wrong secret", {{"secret", "whsec_some0other0secret0entirely"}},
       "No signature matches the payload and the webhook signing secret"},
      {"stale timestamp", {{"timestamp", now_s() - 301}},
       "The signature's timestamp is outside the tolerance window"},
      {"missing header", {{"omit_signature", true}}, "Missing Stripe-Signature header"},
  };
  for (const auto& k : cases) {
    const Json r = send_event("customer.subscription.updated", obj, k.extra);
    EXPECT_EQ(r["status"], 400) << k.name << ": " << r.dump();
    EXPECT_EQ(Json::parse(r["body"].get<std::string>())["detail"], k.detail) << k.name;
    EXPECT_EQ(events_stored(r["event"]["id"]), 0) << k.name;
  }

  // Several v1 signatures (as during Stripe's own secret roll): one valid is enough; a header
  // without t= or v1= is malformed.
  auto c = api();
  const std::string payload =
      R"({"id":"evt_multi_)" + random_suffix() +
      R"(","object":"event","type":"ping","created":1700000000,"data":{"object":{}}})";
  const Json signed_ = stripe().control(
      "/_test/sign", {{"payload", payload}, {"secret", FakeStripe::kWebhookSecret}});
  std::string header = signed_["header"];
  const size_t comma = header.find(',');
  header.insert(comma + 1, "v1=" + std::string(64, '0') + ",");
  Reply r = c.post("/api/billing/webhook", payload, "application/json",
                   {{"Stripe-Signature", header}});
  EXPECT_EQ(r.status, 200) << r.body;
  for (const std::string& bad : {"v1=" + std::string(64, 'a'), std::string("t=1700000000"),
                                std::string("t=abc,v1=") + std::string(64, 'a')}) {
    r = c.post("/api/billing/webhook", payload, "application/json", {{"Stripe-Signature", bad}});
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.json()["detail"],
              "Malformed Stripe-Signature header: expected t=<timestamp> and v1=<signature>");
  }
  // A verified payload that is not an event.
  const std::string not_event = R"({"hello":"world"})";
  const Json s2 = stripe().control(
      "/_test/sign", {{"payload", not_event}, {"secret", FakeStripe::kWebhookSecret}});
  r = c.post("/api/billing/webhook", not_event, "application/json",
             {{"Stripe-Signature", s2["header"].get<std::string>()}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.json()["detail"], "Invalid event: expected id, type, created and data.object");
}

// The same event delivered twice (or eight times at once) is applied once.
TEST_F(Billing, TheSameEventTwiceIsAppliedOnce) {
  auto c = api();
  const TestUser u = make_user(c, "Twice");
  const std::string sub = "sub_dup_" + random_suffix();
  const Json first = send_event("customer.subscription.created",
                                subscription_object(sub, "active", u.id));
  ASSERT_EQ(first["status"], 200);
  EXPECT_EQ(Json::parse(first["body"].get<std::string>())["duplicate"], false);
  EXPECT_EQ(membership(u.id), "premium");
  const std::string id = first["event"]["id"];

  // Canceled by a later event; the redelivered creation must not bring premium back.
  Json later = send_event("customer.subscription.deleted", subscription_object(sub, "canceled", u.id),
                          {{"created", now_s() + 1}});
  ASSERT_EQ(later["status"], 200);
  EXPECT_EQ(membership(u.id), "free");
  const Json again = stripe().control("/_test/redeliver", {{"event_id", id}});
  EXPECT_EQ(again["status"], 200);
  EXPECT_EQ(Json::parse(again["body"].get<std::string>())["duplicate"], true);
  EXPECT_EQ(events_stored(id), 1);
  EXPECT_EQ(membership(u.id), "free");

  // Eight deliveries of one new event at once: exactly one applies it.
  const TestUser v = make_user(c, "Parallel");
  const Json ev = send_event("customer.subscription.created",
                             subscription_object("sub_par_" + random_suffix(), "active", v.id),
                             {{"deliver", false}});
  const std::string payload = ev["payload"];
  std::atomic<int> fresh{0}, dups{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      const Json s = stripe().control(
          "/_test/sign", {{"payload", payload}, {"secret", FakeStripe::kWebhookSecret}});
      auto cc = api();
      const Reply r = cc.post("/api/billing/webhook", payload, "application/json",
                              {{"Stripe-Signature", s["header"].get<std::string>()}});
      if (r.status != 200) {
        ++other;
      } else if (r.json()["duplicate"] == true) {
        ++dups;
      } else {
        ++fresh;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(fresh.load(), 1);
  EXPECT_EQ(dups.load(), 7);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(events_stored(ev["event"]["id"]), 1);
  EXPECT_EQ(membership(v.id), "premium");
}

// Events arrive in any order; the subscription's state follows the newest (by `created`), and a
// canceled subscription stays canceled.
TEST_F(Billing, EventsOutOfOrderEndInTheRightMembership) {
  auto c = api();
  const int64_t t = now_s();

  // Deleted (newest) first, then an older update that still says active.
  const TestUser a = make_user(c, "OrderA");
  const std::string sa = "sub_ooo_a_" + random_suffix();
  ASSERT_EQ(send_event("customer.subscription.deleted", subscription_object(sa, "canceled", a.id),
                       {{"created", t + 20}})["status"], 200);
  ASSERT_EQ(send_event("customer.subscription.updated", subscription_object(sa, "active", a.id),
                       {{"created", t + 10}})["status"], 200);
  ASSERT_EQ(send_event("customer.subscription.created", subscription_object(sa, "active", a.id),
                       {{"created", t}})["status"], 200);
  EXPECT_EQ(membership(a.id), "free");
  EXPECT_EQ(c.get("/api/billing/status", a.auth()).json()["subscription"]["status"], "canceled");

  // past_due (older) after active (newer): stays active.
  const TestUser b = make_user(c, "OrderB");
  const std::string sb = "sub_ooo_b_" + random_suffix();
  ASSERT_EQ(send_event("customer.subscription.updated", subscription_object(sb, "active", b.id),
                       {{"created", t + 10}})["status"], 200);
  ASSERT_EQ(send_event("customer.subscription.updated", subscription_object(sb, "past_due", b.id),
                       {{"created", t + 5}})["status"], 200);
  EXPECT_EQ(membership(b.id), "premium");
  EXPECT_EQ(c.get("/api/billing/status", b.auth()).json()["subscription"]["status"], "active");

  // A subscription event that names no member waits for checkout.session.completed, which
  // arrives last and links it: the member becomes premium then.
  const TestUser d = make_user(c, "OrderD");
  const std::string sd = "sub_ooo_d_" + random_suffix();
  Json anonymous = subscription_object(sd, "active", 0);
  anonymous["metadata"] = Json::object();
  anonymous["customer"] = "cus_ooo_" + random_suffix();
  ASSERT_EQ(send_event("customer.subscription.created", anonymous, {{"created", t + 2}})["status"],
            200);
  EXPECT_EQ(membership(d.id), "free");
  const Json session = {{"id", "cs_test_" + random_suffix()},
                        {"object", "checkout.session"},
                        {"mode", "subscription"},
                        {"payment_status", "paid"},
                        {"status", "complete"},
                        {"client_reference_id", qs(d.id)},
                        {"customer", anonymous["customer"]},
                        {"subscription", sd}};
  ASSERT_EQ(send_event("checkout.session.completed", session, {{"created", t + 1}})["status"], 200);
  EXPECT_EQ(membership(d.id), "premium");
  // ...and the provisional "paid at checkout" never overrides the subscription's own state.
  EXPECT_EQ(db().text("SELECT status FROM carat_billing_subscriptions WHERE "
                      "stripe_subscription_id = '" + sd + "'"),
            "active");
}

// A failed payment keeps premium for the grace period; past it (at the event or by the sweep)
// the member is free; a recovery makes them premium again.
TEST_F(Billing, PaymentFailureThenRecovery) {
  auto c = api();
  const TestUser u = make_user(c, "Failing");
  const std::string sub = subscribe(u);
  ASSERT_EQ(membership(u.id), "premium");
  const int64_t t = now_s();

  // Within the grace period: still premium, the status says until when.
  ASSERT_EQ(send_event("invoice.payment_failed", invoice_object(sub), {{"created", t + 1}})["status"],
            200);
  Json past_due = subscription_object(sub, "past_due", u.id);
  ASSERT_EQ(send_event("customer.subscription.updated", past_due, {{"created", t + 1}})["status"],
            200);
  EXPECT_EQ(membership(u.id), "premium");
  Json st = c.get("/api/billing/status", u.auth()).json();
  EXPECT_EQ(st["subscription"]["status"], "past_due");
  EXPECT_TRUE(st["subscription"]["grace_until"].is_string()) << st.dump();

  // The grace period ends (the failure moved 73 h into the past): the sweep, which runs every
  // second here, makes the member free without any event.
  db().exec("UPDATE carat_billing_subscriptions SET payment_failed_at = " + std::to_string(t - 73 * 3600) +
            " WHERE stripe_subscription_id = '" + sub + "'");
  for (int i = 0; i < 100 && membership(u.id) != "free"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(membership(u.id), "free");
  EXPECT_EQ(matching_status(u), 403);

  // The retry succeeds: invoice.paid and the subscription back to active.
  ASSERT_EQ(send_event("invoice.paid", invoice_object(sub), {{"created", t + 2}})["status"], 200);
  ASSERT_EQ(send_event("customer.subscription.updated", subscription_object(sub, "active", u.id),
                       {{"created", t + 2}})["status"], 200);
  EXPECT_EQ(membership(u.id), "premium");
  st = c.get("/api/billing/status", u.auth()).json();
  EXPECT_EQ(st["subscription"]["status"], "active");
  EXPECT_TRUE(st["subscription"]["grace_until"].is_null());

  // An old failure delivered late (before the payment that recovered it) changes nothing.
  ASSERT_EQ(send_event("invoice.payment_failed", invoice_object(sub), {{"created", t}})["status"],
            200);
  EXPECT_EQ(membership(u.id), "premium");
  EXPECT_TRUE(c.get("/api/billing/status", u.auth()).json()["subscription"]["grace_until"].is_null());

  // Any event settles the membership with the clock of its arrival: a failure whose grace is
  // over makes the member free at once, sweep or not.
  ASSERT_EQ(send_event("invoice.payment_failed", invoice_object(sub),
                       {{"created", t + 3}})["status"], 200);
  db().exec("UPDATE carat_billing_subscriptions SET payment_failed_at = " + std::to_string(t - 73 * 3600) +
            " WHERE stripe_subscription_id = '" + sub + "'");
  ASSERT_EQ(send_event("customer.subscription.updated", subscription_object(sub, "active", u.id),
                       {{"created", t + 4}})["status"], 200);
  EXPECT_EQ(membership(u.id), "free");

  // The customer cancels in the portal: customer.subscription.deleted, free.
  ASSERT_EQ(send_event("invoice.paid", invoice_object(sub), {{"created", t + 5}})["status"], 200);
  EXPECT_EQ(membership(u.id), "premium");
  ASSERT_EQ(send_event("customer.subscription.deleted", subscription_object(sub, "canceled", u.id),
                       {{"created", t + 6}})["status"], 200);
  EXPECT_EQ(membership(u.id), "free");
}

// Billing never changes an admin, and members without subscriptions keep their type.
TEST_F(Billing, AdminsAndMembersWithoutSubscriptionsAreLeftAlone) {
  auto c = api();
  const TestUser admin = make_user(c, "Admin");
  db().make_admin(admin.id);
  ASSERT_EQ(send_event("customer.subscription.deleted",
                       subscription_object("sub_adm_" + random_suffix(), "canceled", admin.id))
                ["status"], 200);
  EXPECT_EQ(membership(admin.id), "admin");
  EXPECT_EQ(c.post("/api/billing/checkout", "", "application/json", admin.auth()).status, 409);

  // A premium member from before billing keeps the type while the sweep runs (every second
  // here): they have no subscription for it to end.
  const TestUser legacy = make_user(c, "LegacyPremium");
  db().exec("UPDATE users SET membership_type = 'premium' WHERE id = " + qs(legacy.id));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(membership(legacy.id), "premium");
}

// Stripe down: a few retries with the same idempotency key inside STRIPE_TIMEOUT_MS, then 503 with
// Retry-After; after three such calls the breaker answers at once without calling Stripe. A hung
// Stripe costs at most the timeout. A refused request (our configuration) is a 502 naming the
// parameter.
// The signature is checked before a database connection is taken: while the pool's only
// connection is busy (a request waiting on a locked table), an unsigned delivery is answered 400
// at once. Before, it waited DB_POOL_TIMEOUT_MS for a connection it did not need, then 503.
TEST(BillingWebhook, UnsignedDeliveriesTakeNoDatabaseConnection) {
  if (!using_postgres()) GTEST_SKIP() << "holds a table lock from another session: PostgreSQL";
  FakeStripe stripe;
  auto env = stripe.carat_env();
  env["DB_POOL_SIZE"] = "1";
  env["DB_POOL_TIMEOUT_MS"] = "3000";
  CaratServer srv(env);
  auto c = std::make_unique<Client>(srv.port());
  ASSERT_EQ(c->get("/api/posts").status, 200);
  TestDb locker(srv.database_url());
  locker.exec("BEGIN");
  locker.exec("LOCK TABLE posts IN ACCESS EXCLUSIVE MODE");
  std::thread waiting([&] { EXPECT_EQ(Client(srv.port()).get("/api/posts").status, 200); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // it holds the connection now
  const std::string payload = R"({"id":"evt_nodb","object":"event","type":"ping"})";
  const auto t0 = std::chrono::steady_clock::now();
  Reply bad = c->post("/api/billing/webhook", payload, "application/json",
                      {{"Stripe-Signature", "t=1700000000,v1=" + std::string(64, 'a')}});
  Reply none = c->post("/api/billing/webhook", payload, "application/json");
  const auto waited = std::chrono::steady_clock::now() - t0;
  locker.exec("COMMIT");
  waiting.join();
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(none.status, 400) << none.body;
  EXPECT_EQ(none.json()["detail"], "Missing Stripe-Signature header");
  EXPECT_LT(waited, std::chrono::milliseconds(3000)) << "no wait for the pool";
  c.reset();  // no idle keep-alive connection for the drain to wait on
  EXPECT_EQ(srv.stop(), 0);
}

TEST(BillingOutage, AnswersServiceUnavailableNotAHang) {
  if (auto why = FakeStripe::skip_reason(); !why.empty()) GTEST_FAIL() << why;
  FakeStripe stripe;
  auto env = stripe.carat_env();
  env["BCRYPT_COST"] = "4";
  env["STRIPE_TIMEOUT_MS"] = "1500";
  CaratServer server(env);
  auto c = server.client();
  const TestUser u = make_user(c, "Outage");

  // One 500, then success: the retry used the same key.
  stripe.control("/_test/fail", {{"count", 1}, {"mode", "status"}, {"status", 500}});
  Reply r = c.post("/api/billing/checkout", "", "application/json", u.auth());
  EXPECT_EQ(r.status, 200) << r.body;
  Json reqs = stripe.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0]["idempotency_key"], reqs[1]["idempotency_key"]);

  // Hung: answered within the timeout (plus slack), 503 with Retry-After.
  stripe.reset();
  stripe.control("/_test/fail", {{"count", 10}, {"mode", "hang"}});
  const auto started = std::chrono::steady_clock::now();
  r = c.post("/api/billing/checkout", "", "application/json", u.auth());
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.json()["detail"], "The payment provider is unavailable; try again shortly");
  EXPECT_FALSE(r.header("Retry-After").empty());
  EXPECT_LT(took, std::chrono::seconds(6));
  EXPECT_EQ(c.get("/api/health").status, 200);

  // Two more failed calls (500s, retried) open the breaker: the next call does not reach Stripe.
  stripe.reset();
  stripe.control("/_test/fail", {{"count", 100}, {"mode", "status"}, {"status", 500}});
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(c.post("/api/billing/checkout", "", "application/json", u.auth()).status, 503);
  }
  const size_t calls = stripe.requests().size();
  EXPECT_GE(calls, 2u);
  r = c.post("/api/billing/checkout", "", "application/json", u.auth());
  EXPECT_EQ(r.status, 503);
  EXPECT_GE(std::stoi(r.header("Retry-After")), 1);
  EXPECT_EQ(stripe.requests().size(), calls);  // failed fast
  // The status of a member with an open session is answered from the database meanwhile.
  r = c.get("/api/billing/status", u.auth());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["premium"], false);
  EXPECT_EQ(server.stop(), 0);
}

TEST(BillingOutage, RefusedRequestIsBadGatewayNamingTheParameter) {
  if (auto why = FakeStripe::skip_reason(); !why.empty()) GTEST_FAIL() << why;
  FakeStripe stripe;
  auto env = stripe.carat_env();
  env["BCRYPT_COST"] = "4";
  env["STRIPE_PRICE_ID"] = "price_not0configured0at0stripe";
  CaratServer server(env);
  auto c = server.client();
  const TestUser u = make_user(c, "WrongPrice");
  const Reply r = c.post("/api/billing/checkout", "", "application/json", u.auth());
  EXPECT_EQ(r.status, 502);
  EXPECT_EQ(r.json()["detail"],
            "The payment provider refused the request (parameter line_items[0][price])");
  EXPECT_EQ(stripe.requests().size(), 1u);  // a refusal is not retried
}

// Secret rotation: STRIPE_WEBHOOK_SECRET lists the new and the old secret during the roll.
TEST(BillingRotation, EitherSecretVerifiesDuringTheRoll) {
  if (auto why = FakeStripe::skip_reason(); !why.empty()) GTEST_FAIL() << why;
  FakeStripe stripe;
  auto env = stripe.carat_env();
  env["BCRYPT_COST"] = "4";
  const std::string fresh = "whsec_carat0rolled0secret0two";
  env["STRIPE_WEBHOOK_SECRET"] = fresh + "," + FakeStripe::kWebhookSecret;
  CaratServer server(env);
  stripe.set_webhook_url(server.url() + "/api/billing/webhook");
  const Json obj = {{"id", "sub_rot"}, {"object", "subscription"}, {"status", "active"}};
  for (const std::string& secret : {fresh, std::string(FakeStripe::kWebhookSecret)}) {
    const Json r = stripe.control("/_test/events", {{"type", "customer.subscription.updated"},
                                                   {"object", obj},
                                                   {"secret", secret}});
    EXPECT_EQ(r["status"], 200) << secret;
  }
  const Json r = stripe.control("/_test/events", {{"type", "customer.subscription.updated"},
                                                 {"object", obj},
                                                 {"secret", "whsec_carat0retired0secret0zero"}});
  EXPECT_EQ(r["status"], 400);
}

// Without STRIPE_SECRET_KEY (the shared server): upstream's answers, no webhook, no portal.
TEST_F(Api, BillingWithoutStripeKeepsUpstreamsAnswers) {
  auto c = api();
  const TestUser u = make_user(c, "Parity");
  const Reply st = c.get("/api/billing/status", u.auth());
  EXPECT_EQ(st.body, R"({"premium":true,"membership_type":"premium"})");
  const Reply co = c.post("/api/billing/checkout", "", "application/json", u.auth());
  EXPECT_EQ(co.body, R"({"url":"https://checkout.stripe.com/pay/cs_test_dummy"})");
  Reply r = c.post("/api/billing/webhook", "{}", "application/json", {{"Stripe-Signature", "t=1"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json()["detail"], "Billing is not configured");
  r = c.post("/api/billing/portal", "", "application/json", u.auth());
  EXPECT_EQ(r.status, 404);
}

// Configuration: all of billing or none of it; the refusal never echoes the secret.
TEST(BillingConfig, IncompleteStripeSettingsAreRefused) {
  const std::string key = "sk_test_carat0config0refusal0key";
  RunResult r = run_carat({"serve"}, {{"STRIPE_SECRET_KEY", key}});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("STRIPE_WEBHOOK_SECRET: required when STRIPE_SECRET_KEY is set"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("STRIPE_PRICE_ID: required"), std::string::npos);
  EXPECT_NE(r.output.find("STRIPE_SUCCESS_URL: required"), std::string::npos);
  EXPECT_EQ(r.output.find(key), std::string::npos);
  r = run_carat({"serve"}, {{"STRIPE_WEBHOOK_SECRET", "whsec_lonely0secret0value"}});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("STRIPE_WEBHOOK_SECRET: set, but STRIPE_SECRET_KEY is not"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("whsec_lonely0secret0value"), std::string::npos);
  r = run_carat({"serve"}, {{"APP_ENV", "production"},
                            {"SECRET_KEY", "Zq8v!Lm3#Rt6@Wy1$Np4%Ks7^Hd0&Jb2"},
                            {"STRIPE_SECRET_KEY", key},
                            {"STRIPE_WEBHOOK_SECRET", "whsec_production0secret0x"},
                            {"STRIPE_PRICE_ID", "price_x"},
                            {"STRIPE_SUCCESS_URL", "http://example.com/ok"},
                            {"STRIPE_CANCEL_URL", "https://example.com/no"}});
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.output.find("STRIPE_SUCCESS_URL: expected an https:// URL in production"),
            std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace carat::testing
