// The typed API: one declaration reads the request, writes the reply and describes both.
#include "platform/api.hpp"

#include <doctest/doctest.h>

#include "platform/ids.hpp"
#include "platform/pipeline.hpp"

using namespace shop;
using namespace shop::http;
namespace json = boost::json;

namespace {

struct Line {
    api::Text<1, 10> sku;
    api::Int<1, 99> quantity;
};
SHOP_API_STRUCT(Line, sku, quantity)

struct Order {
    api::Id<"cart"> cart_id;
    std::optional<api::Email> email;
    api::List<Line, 1, 3> lines;
    std::optional<api::OneOf<"standard", "express">> speed;
    std::optional<api::Nullable<api::Text<1, 50>>> note;  ///< may be absent or null
    std::optional<api::MoneyIn> tip;
};
SHOP_API_STRUCT(Order, cart_id, email, lines, speed, note, tip)

struct Placed {
    api::Id<"ord"> id;
    std::string status;
    api::Money total;
    api::Timestamp created_at;
    api::Nullable<std::string> coupon;
    std::optional<std::string> warning;
};
SHOP_API_STRUCT(Placed, id, status, total, created_at, coupon, warning)

struct Query {
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Currency> currency;
};
SHOP_API_STRUCT(Query, limit, currency)

const std::string kCart = "cart_01JDQ6V3M2Z8K4T7W9XB5C0N1R";

std::vector<FieldError> read(const std::string& body) {
    std::vector<FieldError> errors;
    api::Reader r(errors);
    Order o;
    try {
        Request req;
        req.body = body;
        api::read_value(api::parse_body(req), o, "", r);
    } catch (const ErrorException& e) {
        errors = e.error().fields;
        if (errors.empty()) errors.push_back({"$", std::string(e.error().code())});
    }
    return errors;
}

std::string fields(const std::vector<FieldError>& errors) {
    std::string out;
    for (auto& e : errors) out += (out.empty() ? "" : ", ") + e.field + ": " + e.message;
    return out;
}

std::string valid(const std::string& extra = "") {
    return R"({"cart_id":")" + kCart + R"(","lines":[{"sku":"A-1","quantity":2}])" + extra + "}";
}

}  // namespace

TEST_CASE("a valid body reads without errors, text trimmed and email normalised") {
    std::vector<FieldError> errors;
    api::Reader r(errors);
    Order o;
    Request req;
    req.body = R"({"cart_id":")" + kCart + R"(","email":" Ann@Example.COM ","lines":[{"sku":" A-1 ","quantity":2}],"note":null})";
    CHECK(api::read_value(api::parse_body(req), o, "", r));
    CHECK(fields(errors) == "");
    CHECK(o.lines[0].sku.value == "A-1");
    CHECK(o.email->value == "ann@example.com");
    REQUIRE(o.note.has_value());
    CHECK_FALSE(o.note->value.has_value());  // nullable: null is a value here
}

TEST_CASE("null is not a value unless the field is nullable") {
    CHECK(fields(read(valid(R"(,"speed":null)"))) == "speed: must not be null");
    CHECK(fields(read(R"({"cart_id":")" + kCart + R"(","lines":[{"sku":"A","quantity":null}]})")) == "lines[0].quantity: must not be null");
    CHECK(fields(read(R"({"cart_id":")" + kCart + R"(","lines":[null]})")) == "lines[0]: must not be null");
    CHECK(fields(read(valid(R"(,"tip":{"amount":null,"currency":"USD"})"))) == "tip.amount: must not be null");
}

TEST_CASE("a key given twice, a field nobody declared and a malformed id are refused, naming the field") {
    CHECK(fields(read(valid(R"(,"speed":"standard","speed":"express")"))) == "speed: appears more than once in its object");
    CHECK(fields(read(R"({"cart_id":")" + kCart + R"(","lines":[{"sku":"A","quantity":1,"quantity":5}]})")) ==
          "lines[0].quantity: appears more than once in its object");
    CHECK(fields(read(valid(R"(,"quantitiy":3)"))) == "quantitiy: is not a field of this request");
    CHECK(fields(read(R"({"cart_id":"cart_nope","lines":[{"sku":"A","quantity":1}]})")) == "cart_id: is not a cart_... id");
}

TEST_CASE("text: NUL and bidi controls refused, blank refused, length in characters") {
    CHECK(fields(read(valid(R"(,"note":"a\u0000b")"))) == "note: must not contain NUL characters");
    CHECK(fields(read(valid(R"(,"note":"a\u202eb")"))) == "note: must not contain bidirectional control characters");
    CHECK(fields(read(valid(R"(,"note":"a\u2066b")"))) == "note: must not contain bidirectional control characters");
    CHECK(fields(read(valid(R"(,"note":"  \t ")"))) == "note: must not be blank");
    CHECK(fields(read(valid(R"(,"note":")" + std::string(51, 'x') + "\""))) == "note: must be at most 50 characters");
    CHECK(fields(read(valid(R"(,"note":"ééééééééééééééééééééééééééééééééééééééééééééééééé")"))) == "");  // 50 characters, 100 bytes
}

TEST_CASE("numbers, enums, lists and money are bounded, and every bad field is reported at once") {
    auto errors = read(R"({"cart_id":1,"email":"nope","lines":[],"speed":"warp","tip":{"amount":-1,"currency":"usd"}})");
    CHECK(fields(errors) ==
          "cart_id: must be a string, email: is not a valid email address, lines: must hold at least one item, "
          "speed: must be one of standard, express, tip.amount: must be between 0 and 1000000000000, "
          "tip.currency: must be an ISO 4217 code such as USD");
    CHECK(fields(read(R"({"cart_id":")" + kCart + R"(","lines":[{"sku":"A","quantity":1.5}]})")) == "lines[0].quantity: must be an integer");
    CHECK(fields(read("{\"lines\":[]}")) == "cart_id: is required, lines: must hold at least one item");
    CHECK(fields(read("[1]")) == "$: must be an object");
    CHECK(fields(read("{")) == "$: malformed_json");
}

TEST_CASE("a typed route reads, answers and describes itself") {
    Router router;
    api::add<Order, Query, Placed>(router,
                                   {.method = Method::post, .path = "/orders/{shop}", .id = "placeOrder", .summary = "Place",
                                    .tag = "ordering", .access = Access::user, .status = 201, .errors = {409}, .cart_token = true,
                                    .idempotency_schema = "ordering"},
                                   [](Request&, Order& o, Query& q) {
                                       Placed p;
                                       p.id = api::of<api::Id<"ord">>("ord_01JDQ6V3M2Z8K4T7W9XB5C0N1R");
                                       p.status = "placed";
                                       p.total = {o.lines[0].quantity.value * 100, q.currency ? q.currency->value : "USD"};
                                       p.created_at.value = "2026-12-01T00:00:00.000Z";
                                       return p;
                                   });
    api::add<api::None, api::None, Placed>(router, {.method = Method::get, .path = "/open", .id = "getOpen", .summary = "Open", .tag = "ordering"},
                                           [](Request&, api::None&, api::None&) { return Placed{}; });
    Request req;
    req.method = Method::post;
    req.body = valid();
    req.query = {{"currency", "EUR"}};
    auto m = router.match(Method::post, "/orders/x");
    REQUIRE(m.route);
    auto res = m.route->handler(req);
    CHECK(res.status == 201);
    auto reply = json::parse(res.body).as_object();
    CHECK(reply.at("total") == json::object{{"amount", 200}, {"currency", "EUR"}});
    CHECK(reply.at("coupon").is_null());
    CHECK_FALSE(reply.contains("warning"));  // an empty optional is left out
    req.query = {{"limit", "0"}};
    CHECK_THROWS_AS(m.route->handler(req), ErrorException);

    auto doc = api::openapi_document(router, "t", "1");
    auto& op = doc.at("paths").at("/orders/{shop}").at("post").as_object();
    CHECK(op.at("operationId") == "placeOrder");
    CHECK(op.at("security").as_array().size() == 1);
    CHECK(doc.at("paths").at("/open").at("get").at("security").as_array().empty());  // public: security []
    std::vector<std::string> params;
    for (auto& p : op.at("parameters").as_array())
        params.push_back(p.as_object().contains("$ref") ? std::string(p.at("$ref").as_string()) : std::string(p.at("name").as_string()));
    CHECK(params == std::vector<std::string>{"shop", "#/components/parameters/RequestId", "#/components/parameters/CartToken",
                                             "#/components/parameters/IdempotencyKey", "limit", "currency"});
    for (auto code : {"201", "400", "401", "409", "413", "415", "422", "429"}) CHECK(op.at("responses").as_object().contains(code));
    auto& schemas = doc.at("components").at("schemas").as_object();
    auto& order = schemas.at("Order").as_object();
    CHECK(order.at("required") == json::array{"cart_id", "lines"});
    CHECK(order.at("additionalProperties") == false);
    CHECK(order.at("properties").at("cart_id").at("pattern") == "^cart_[0-9A-HJKMNP-TV-Z]{26}$");
    CHECK(order.at("properties").at("email").at("format") == "email");
    CHECK(order.at("properties").at("speed").at("enum") == json::array{"standard", "express"});
    CHECK(order.at("properties").at("lines").at("maxItems") == 3);
    auto& placed = schemas.at("Placed").as_object();
    CHECK(placed.at("properties").at("created_at").at("format") == "date-time");
    CHECK(schemas.at("Money").at("properties").at("amount").at("type") == "integer");
}

TEST_CASE("text given as bytes (query parameters, CSV cells) must be well-formed UTF-8 (found by fuzz_cursor)") {
    std::vector<FieldError> errors;
    api::Reader r(errors);
    for (std::string ok : {"Café", "€ 5", "𝄞", "plain", ""}) {
        api::Text<0, 50> t;
        CAPTURE(ok);
        CHECK(t.read_text(ok, "q", r));
    }
    CHECK(errors.empty());
    // Latin-1, a lone continuation byte, overlong '/', a UTF-16 surrogate, beyond U+10FFFF, truncated.
    for (std::string bad : {"Caf\xe9", "\x80", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "ok\xf0\x9f"}) {
        api::Text<0, 50> t;
        CAPTURE(bad);
        CHECK_FALSE(t.read_text(bad, "q", r));
    }
    REQUIRE(errors.size() == 7);
    CHECK(errors.front().message == "must be valid UTF-8 text");
}

TEST_CASE("a country is an assigned ISO 3166-1 alpha-2 code, read in any case") {
    std::vector<FieldError> errors;
    api::Reader r(errors);
    for (const char* ok : {"US", "de", "Gb", "xk", "AX", "ZW"}) {
        api::Country c;
        CAPTURE(ok);
        CHECK(c.read_text(ok, "country", r));
        CHECK(c.value.size() == 2);
        CHECK(std::isupper(static_cast<unsigned char>(c.value[0])));
    }
    CHECK(errors.empty());
    for (const char* bad : {"XX", "ZZ", "AA", "UK", "EU", "USA", "U", "1A", ""}) {
        api::Country c;
        CAPTURE(bad);
        CHECK_FALSE(c.read_text(bad, "country", r));
    }
    CHECK(errors.size() == 9);
    CHECK(errors.front().field == "country");
}

TEST_CASE("a date-time query parameter reads as its instant") {
    std::vector<FieldError> errors;
    api::Reader r(errors);
    api::DateTime t;
    CHECK(t.read_text("2026-12-01T10:00:00+01:00", "from", r));
    CHECK(t.ms == *parse_rfc3339("2026-12-01T09:00:00Z"));
    CHECK_FALSE(t.read_text("yesterday", "from", r));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].field == "from");
}
