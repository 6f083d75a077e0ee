// Every integration event survives its JSON mapping unchanged and keeps its versioned type name:
// the payloads are the contract between modules (and, later, between services).
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "catalog/events.hpp"
#include "identity/events.hpp"
#include "inventory/events.hpp"
#include "ordering/events.hpp"
#include "payment/events.hpp"

namespace json = boost::json;

namespace {
template <class E>
E round_trip(const E& e) {
    std::string text = json::serialize(json::value_from(e));
    return json::value_to<E>(json::parse(text));
}
}  // namespace

TEST_CASE("identity.user_registered.v1 round-trips") {
    shop::identity::events::UserRegistered e{"usr_1", "a@b.co", "Ann"};
    auto b = round_trip(e);
    CHECK(b.user_id == "usr_1");
    CHECK(b.email == "a@b.co");
    CHECK(b.name == "Ann");
    CHECK(decltype(e)::kType == "identity.user_registered.v1");
}

TEST_CASE("identity's account mail events round-trip") {
    using namespace shop::identity::events;
    auto r = round_trip(PasswordResetRequested{"usr_1", "a@b.co", "Ann", "tok", 60});
    CHECK(r.token == "tok");
    CHECK(r.valid_minutes == 60);
    CHECK(PasswordResetRequested::kType == "identity.password_reset_requested.v1");
    auto v = round_trip(EmailVerificationRequested{"usr_1", "a@b.co", "Ann", "tok2"});
    CHECK(v.token == "tok2");
    CHECK(v.email == "a@b.co");
    CHECK(EmailVerificationRequested::kType == "identity.email_verification_requested.v1");
    auto c = round_trip(PasswordChanged{"usr_1", "a@b.co", "Ann"});
    CHECK(c.name == "Ann");
    CHECK(PasswordChanged::kType == "identity.password_changed.v1");
}

TEST_CASE("catalog.product_changed.v1 round-trips with nested variants and prices") {
    shop::catalog::events::ProductChanged e;
    e.product_id = "prd_1";
    e.title = "Mug";
    e.slug = "mug";
    e.description = "d";
    e.status = "published";
    e.vendor_id = "usr_v";
    e.updated_at = "2026-01-01T00:00:00.000Z";
    e.created = true;
    e.variants = {{"var_1", "MUG-1", "Blue", {{1500, "USD"}, {1400, "EUR"}}}};
    auto b = round_trip(e);
    CHECK(b.product_id == "prd_1");
    CHECK(b.created);
    REQUIRE(b.variants.size() == 1);
    CHECK(b.variants[0].sku == "MUG-1");
    REQUIRE(b.variants[0].prices.size() == 2);
    CHECK(b.variants[0].prices[1].amount == 1400);
    CHECK(b.variants[0].prices[1].currency == "EUR");
    CHECK(decltype(e)::kType == "catalog.product_changed.v1");
}

TEST_CASE("catalog's product, category, brand and collection events round-trip") {
    using namespace shop::catalog::events;
    ProductChanged p;
    p.product_id = "prd_1";
    p.brand_id = "brd_1";
    p.category_ids = {"cat_1", "cat_2"};
    p.image_url = "https://img.example/1.jpg";
    p.rating_average = 4.5;
    p.rating_count = 2;
    auto bp = round_trip(p);
    CHECK(bp.brand_id == "brd_1");
    CHECK(bp.category_ids == std::vector<std::string>{"cat_1", "cat_2"});
    CHECK(bp.image_url == "https://img.example/1.jpg");
    CHECK(bp.rating_average == 4.5);
    CHECK(bp.rating_count == 2);
    auto c = round_trip(CategoryChanged{"cat_1", "Shoes", "shoes", "cat_0", false});
    CHECK(c.parent_id == "cat_0");
    CHECK(CategoryChanged::kType == "catalog.category_changed.v1");
    auto b = round_trip(BrandChanged{"brd_1", "Acme", "acme", true});
    CHECK(b.deleted);
    CHECK(BrandChanged::kType == "catalog.brand_changed.v1");
    auto col = round_trip(CollectionChanged{"col_1", "Sale", "sale", {"prd_2", "prd_1"}, false});
    CHECK(col.product_ids == std::vector<std::string>{"prd_2", "prd_1"});
    CHECK(CollectionChanged::kType == "catalog.collection_changed.v1");
    auto rm = round_trip(ReviewModerated{"rev_1", "prd_1", "Mug", "mug", "usr_1", "approved", 4});
    CHECK(rm.customer_id == "usr_1");
    CHECK(rm.rating == 4);
    CHECK(ReviewModerated::kType == "catalog.review_moderated.v1");
}

TEST_CASE("identity's profile event round-trips") {
    auto p = round_trip(shop::identity::events::ProfileChanged{"usr_1", "a@example.com", "Ada", "de-CH", true});
    CHECK(p.locale == "de-CH");
    CHECK(p.marketing_consent);
    CHECK(shop::identity::events::ProfileChanged::kType == "identity.profile_changed.v1");
}

TEST_CASE("inventory events round-trip") {
    shop::inventory::events::ReservationExpired x{"ord_1", {"A", "B"}};
    auto bx = round_trip(x);
    CHECK(bx.reference == "ord_1");
    CHECK(bx.skus == std::vector<std::string>{"A", "B"});
    shop::inventory::events::LowStock s{"A", "east", 10, 3, 5};
    auto bs = round_trip(s);
    CHECK(bs.sku == "A");
    CHECK(bs.warehouse == "east");
    CHECK(bs.on_hand == 10);
    CHECK(bs.available == 3);
    CHECK(bs.low_stock_threshold == 5);
    auto st = round_trip(shop::inventory::events::StockStatusChanged{"A", true, 4});
    CHECK(st.sku == "A");
    CHECK(st.in_stock);
    CHECK(st.available == 4);
    CHECK(shop::inventory::events::StockStatusChanged::kType == "inventory.stock_status_changed.v1");
    CHECK(decltype(x)::kType == "inventory.reservation_expired.v1");
    CHECK(decltype(s)::kType == "inventory.low_stock.v1");
}

TEST_CASE("ordering events round-trip with their lines and totals") {
    namespace oe = shop::ordering::events;
    std::vector<oe::OrderLine> lines{{"SKU", "prd_1", "var_1", "Mug", 2, 1500, 3000}};
    oe::OrderPlaced p{"ord_1", "1001", "usr_1", "a@b.co", "cart_1", "USD", 3000, 0, 500, 0, 3500, lines};
    auto bp = round_trip(p);
    CHECK(bp.total == 3500);
    CHECK(bp.cart_id == "cart_1");
    REQUIRE(bp.lines.size() == 1);
    CHECK(bp.lines[0].line_total == 3000);
    oe::OrderConfirmed c{"ord_1", "1001", "usr_1", "a@b.co", "pay_1", "USD", 3000, 0, 500, 0, 3500, lines};
    auto bc = round_trip(c);
    CHECK(bc.payment_id == "pay_1");
    CHECK(bc.lines[0].quantity == 2);
    oe::OrderCancelled x{"ord_1", "1001", "a@b.co", "reservation_expired"};
    CHECK(round_trip(x).reason == "reservation_expired");
    CHECK(decltype(p)::kType == "ordering.order_placed.v1");
    CHECK(decltype(c)::kType == "ordering.order_confirmed.v1");
    CHECK(decltype(x)::kType == "ordering.order_cancelled.v1");
}

TEST_CASE("ordering fulfilment events round-trip") {
    namespace oe = shop::ordering::events;
    oe::OrderStatusChanged c{"ord_1", "1001", "confirmed", "processing"};
    auto bc = round_trip(c);
    CHECK(bc.from == "confirmed");
    CHECK(bc.to == "processing");
    oe::OrderShipped s{"ord_1", "1001", "a@b.co", "shp_1", "DHL", "JD0001", {{"oln_1", "SKU-1", "Mug", 2}, {"oln_2", "SKU-2", "Cup", 1}}, false};
    auto bs = round_trip(s);
    CHECK(bs.shipment_id == "shp_1");
    CHECK(bs.carrier == "DHL");
    CHECK(bs.tracking_number == "JD0001");
    REQUIRE(bs.lines.size() == 2);
    CHECK(bs.lines[0].line_id == "oln_1");
    CHECK(bs.lines[0].quantity == 2);
    CHECK(bs.lines[1].sku == "SKU-2");
    CHECK_FALSE(bs.complete);
    oe::OrderDelivered d{"ord_1", "1001", "a@b.co", {"shp_1", "shp_2"}, true};
    auto bd = round_trip(d);
    CHECK(bd.shipment_ids == std::vector<std::string>{"shp_1", "shp_2"});
    CHECK(bd.complete);
    CHECK(decltype(c)::kType == "ordering.order_status_changed.v1");
    CHECK(decltype(s)::kType == "ordering.order_shipped.v1");
    CHECK(decltype(d)::kType == "ordering.order_delivered.v1");
}

TEST_CASE("payment events round-trip") {
    namespace pe = shop::payment::events;
    pe::PaymentAuthorized a{"pay_1", "ord_1", 3500, "USD", "sandbox", "visa", "4242", true};
    auto ba = round_trip(a);
    CHECK(ba.amount == 3500);
    CHECK(ba.card_last4 == "4242");
    CHECK(ba.captured);
    pe::PaymentFailed f{"pay_2", "ord_1", "card_declined", "Your card was declined."};
    CHECK(round_trip(f).failure_code == "card_declined");
    CHECK(decltype(a)::kType == "payment.payment_authorized.v1");
    CHECK(decltype(f)::kType == "payment.payment_failed.v1");
}

TEST_CASE("payment's capture, void and refund events round-trip") {
    namespace pe = shop::payment::events;
    auto c = round_trip(pe::PaymentCaptured{"pay_1", "ord_1", 3000, 500, "USD"});
    CHECK(c.amount == 3000);
    CHECK(c.released == 500);
    CHECK(c.currency == "USD");
    auto v = round_trip(pe::PaymentVoided{"pay_1", "ord_1", 3500, "USD", "order cancelled"});
    CHECK(v.amount == 3500);
    CHECK(v.reason == "order cancelled");
    auto r = round_trip(pe::PaymentRefunded{"pay_1", "ref_1", "ord_1", 1200, "USD", "damaged"});
    CHECK(r.refund_id == "ref_1");
    CHECK(r.amount == 1200);
    auto f = round_trip(pe::RefundFailed{"ref_2", "ord_1", "pay_1", "amount_exceeds_captured"});
    CHECK(f.refund_id == "ref_2");
    CHECK(f.failure_code == "amount_exceeds_captured");
    CHECK(pe::PaymentCaptured::kType == "payment.payment_captured.v1");
    CHECK(pe::PaymentVoided::kType == "payment.payment_voided.v1");
    CHECK(pe::RefundFailed::kType == "payment.refund_failed.v1");
}

TEST_CASE("ordering's refund, restock and return events round-trip") {
    namespace oe = shop::ordering::events;
    auto q = round_trip(oe::RefundRequested{"ref_1", "ord_1", 1500, "EUR", "late delivery"});
    CHECK(q.amount == 1500);
    CHECK(q.currency == "EUR");
    CHECK(q.reason == "late delivery");
    auto s = round_trip(oe::ItemsRestocked{"ord_1", "return ret_1", {{"MUG", 2}, {"CAP", 1}}});
    REQUIRE(s.lines.size() == 2);
    CHECK(s.lines[0].sku == "MUG");
    CHECK(s.lines[1].quantity == 1);
    auto r = round_trip(oe::OrderRefunded{"ord_1", "1001", "a@b.co", "ref_1", 1500, 2500, "EUR", "late", "partially_refunded"});
    CHECK(r.total_refunded == 2500);
    CHECK(r.status == "partially_refunded");
    auto u = round_trip(oe::ReturnUpdated{"ret_1", "ord_1", "1001", "a@b.co", "approved", "send it"});
    CHECK(u.status == "approved");
    CHECK(u.note == "send it");
    CHECK(oe::RefundRequested::kType == "ordering.refund_requested.v1");
    CHECK(oe::ItemsRestocked::kType == "ordering.items_restocked.v1");
    CHECK(oe::OrderRefunded::kType == "ordering.order_refunded.v1");
    CHECK(oe::ReturnUpdated::kType == "ordering.return_updated.v1");
}
