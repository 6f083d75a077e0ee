// The Stripe client against the local fake of Stripe's API (node, started by the test): what is
// sent, what is parsed, and that Idempotency-Keys make retries safe.
#include <doctest/doctest.h>

#include "payment/src/domain/stripe_signature.hpp"
#include "payment/src/stripe_client.hpp"
#include "support/fake_stripe.hpp"
#include "support/http_client.hpp"

using shop::payment::StripeClient;
using shop::payment::StripeSettings;
using shop::test::FakeStripe;

namespace {

StripeClient client_for(const FakeStripe& fake, std::string key = FakeStripe::kSecretKey) {
    return StripeClient(StripeSettings{std::move(key), fake.base_url(), std::chrono::milliseconds(5000)});
}

StripeClient::CreateIntent intent(const std::string& pm, bool manual, const std::string& key) {
    StripeClient::CreateIntent in;
    in.amount = 2599;
    in.currency = "EUR";
    in.payment_method = pm;
    in.manual_capture = manual;
    in.metadata = {{"order_id", "ord_1"}, {"payment_id", "pay_1"}};
    in.idempotency_key = key;
    return in;
}

}  // namespace

TEST_CASE("stripe client: a card payment succeeds with the amount, currency, card and metadata sent") {
    FakeStripe fake;
    auto stripe = client_for(fake);
    auto r = stripe.create_intent(intent("pm_card_visa", false, "k-visa"));
    REQUIRE(r);
    CHECK(r.value->id.rfind("pi_", 0) == 0);
    CHECK(r.value->status == "succeeded");
    CHECK(r.value->amount == 2599);
    CHECK(r.value->amount_received == 2599);
    CHECK(r.value->currency == "eur");
    CHECK(r.value->card_brand == "visa");
    CHECK(r.value->card_last4 == "4242");
    CHECK(r.value->metadata.at("order_id") == "ord_1");
}

TEST_CASE("stripe client: a retried create with the same Idempotency-Key returns the same intent") {
    FakeStripe fake;
    auto stripe = client_for(fake);
    auto a = stripe.create_intent(intent("pm_card_visa", false, "same-key"));
    auto b = stripe.create_intent(intent("pm_card_visa", false, "same-key"));
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a.value->id == b.value->id);
    auto c = stripe.create_intent(intent("pm_card_visa", false, "other-key"));
    REQUIRE(c);
    CHECK(c.value->id != a.value->id);
}

TEST_CASE("stripe client: declines carry the decline code and the intent as it now is") {
    FakeStripe fake;
    auto stripe = client_for(fake);
    auto declined = stripe.create_intent(intent("pm_card_chargeDeclinedInsufficientFunds", false, "k-d"));
    REQUIRE_FALSE(declined);
    CHECK(declined.error.http_status == 402);
    CHECK(declined.error.type == "card_error");
    CHECK(declined.error.code == "insufficient_funds");
    REQUIRE(declined.error.intent);
    CHECK(declined.error.intent->status == "requires_payment_method");
    CHECK(declined.error.intent->failure_code == "insufficient_funds");
}

TEST_CASE("stripe client: manual capture authorizes, then captures part and refunds part of it") {
    FakeStripe fake;
    auto stripe = client_for(fake);
    auto auth = stripe.create_intent(intent("pm_card_visa", true, "k-m"));
    REQUIRE(auth);
    CHECK(auth.value->status == "requires_capture");
    CHECK(auth.value->amount_capturable == 2599);
    auto cap = stripe.capture_intent(auth.value->id, 2000, "cap-1");
    REQUIRE(cap);
    CHECK(cap.value->status == "succeeded");
    CHECK(cap.value->amount_received == 2000);
    auto again = stripe.capture_intent(auth.value->id, 2000, "cap-1");  // a retry: replayed, not captured twice
    REQUIRE(again);
    auto twice = stripe.capture_intent(auth.value->id, 2000, "cap-2");  // a second capture is refused
    CHECK_FALSE(twice);
    CHECK(twice.error.code == "payment_intent_unexpected_state");
    auto refund = stripe.create_refund(auth.value->id, 500, "ref-1");
    REQUIRE(refund);
    CHECK(refund.value->status == "succeeded");
    CHECK(refund.value->amount == 500);
    auto too_much = stripe.create_refund(auth.value->id, 1501, "ref-2");
    CHECK_FALSE(too_much);
    auto seen = shop::test::HttpClient(fake.port()).get("/fake/intents/" + auth.value->id);
    CHECK(seen.json().at("captures").as_int64() == 1);
    CHECK(seen.json().at("amount_refunded").as_int64() == 500);
}

TEST_CASE("stripe client: 3-D Secure gives a redirect, cancel releases an authorization") {
    FakeStripe fake;
    auto stripe = client_for(fake);
    auto in = intent("pm_card_authenticationRequired", false, "k-3ds");
    in.return_url = "http://127.0.0.1:8080/checkout/return";
    auto r = stripe.create_intent(in);
    REQUIRE(r);
    CHECK(r.value->status == "requires_action");
    CHECK(r.value->next_action_url.find("/fake/3ds/" + r.value->id) != std::string::npos);
    auto canceled = stripe.cancel_intent(r.value->id, "cancel-1");
    REQUIRE(canceled);
    CHECK(canceled.value->status == "canceled");
    auto fetched = stripe.retrieve_intent(r.value->id);
    REQUIRE(fetched);
    CHECK(fetched.value->status == "canceled");
}

TEST_CASE("stripe client: a wrong secret key and an unreachable Stripe are errors, not answers") {
    FakeStripe fake;
    auto wrong = client_for(fake, "sk_test_wrong");
    auto r = wrong.create_intent(intent("pm_card_visa", false, "k-w"));
    REQUIRE_FALSE(r);
    CHECK(r.error.http_status == 401);
    CHECK_FALSE(r.error.network);
    StripeClient down(StripeSettings{FakeStripe::kSecretKey, "http://127.0.0.1:1", std::chrono::milliseconds(2000)});
    auto d = down.create_intent(intent("pm_card_visa", false, "k-down"));
    REQUIRE_FALSE(d);
    CHECK(d.error.network);
}

TEST_CASE("stripe client: signatures made by the official stripe package verify with ours") {
    // The same check the webhook route makes, against the npm package's own signer.
    std::string payload = R"({"id":"evt_x","type":"payment_intent.succeeded","data":{"object":{}}})";
    std::string header = shop::test::stripe_npm_signature(payload, FakeStripe::kWebhookSecret, 1700000000);
    REQUIRE(header.rfind("t=1700000000,v1=", 0) == 0);
    using shop::payment::domain::StripeSignatureCheck;
    using shop::payment::domain::verify_stripe_signature;
    CHECK(verify_stripe_signature(header, payload, FakeStripe::kWebhookSecret, 1700000000, 300) == StripeSignatureCheck::ok);
    CHECK(verify_stripe_signature(header, payload + "x", FakeStripe::kWebhookSecret, 1700000000, 300) == StripeSignatureCheck::mismatch);
    CHECK(verify_stripe_signature(header, payload, FakeStripe::kWebhookSecret, 1700000000 + 301, 300) == StripeSignatureCheck::stale);
}
