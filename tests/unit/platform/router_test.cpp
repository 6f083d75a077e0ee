#include <doctest/doctest.h>

#include "platform/http.hpp"

using namespace shop::http;

namespace {
Handler tag(std::string t) {
    return [t](Request&) { return Response::text(200, t, "text/plain"); };
}
}  // namespace

TEST_CASE("the router matches static paths and binds path parameters") {
    Router r;
    r.add({Method::get, "/api/v1/products", Access::anyone}, tag("list"));
    r.add({Method::get, "/api/v1/products/{id}", Access::anyone}, tag("detail"));
    r.add({Method::get, "/api/v1/orders/{id}/payments", Access::anyone}, tag("payments"));

    auto m = r.match(Method::get, "/api/v1/products/prd_1");
    REQUIRE(m.route);
    CHECK(m.route->spec.pattern == "/api/v1/products/{id}");
    REQUIRE(m.params.size() == 1);
    CHECK(m.params[0].first == "id");
    CHECK(m.params[0].second == "prd_1");

    auto nested = r.match(Method::get, "/api/v1/orders/ord_9/payments");
    REQUIRE(nested.route);
    CHECK(nested.params[0].second == "ord_9");

    CHECK(r.match(Method::get, "/api/v1/products").route->spec.pattern == "/api/v1/products");
    CHECK(r.match(Method::get, "/api/v1/products/").route != nullptr);  // trailing slash is the same path
}

TEST_CASE("a static segment wins over a parameter at the same depth") {
    Router r;
    r.add({Method::get, "/api/v1/payments/{id}"}, tag("param"));
    r.add({Method::post, "/api/v1/payments/sandbox/tokens"}, tag("static"));
    r.add({Method::get, "/api/v1/payments/sandbox"}, tag("sandbox"));
    auto m = r.match(Method::get, "/api/v1/payments/sandbox");
    REQUIRE(m.route);
    CHECK(m.route->spec.pattern == "/api/v1/payments/sandbox");
    CHECK(r.match(Method::get, "/api/v1/payments/pay_1").route->spec.pattern == "/api/v1/payments/{id}");
}

TEST_CASE("an unknown path is not found and a wrong method lists the allowed ones") {
    Router r;
    r.add({Method::get, "/a/{id}"}, tag("get"));
    r.add({Method::delete_, "/a/{id}"}, tag("delete"));
    auto none = r.match(Method::get, "/b");
    CHECK_FALSE(none.path_found);
    auto wrong = r.match(Method::post, "/a/1");
    CHECK(wrong.path_found);
    CHECK(wrong.route == nullptr);
    CHECK(wrong.allowed.size() == 2);
}

TEST_CASE("HEAD is answered by the GET route") {
    Router r;
    r.add({Method::get, "/x"}, tag("get"));
    CHECK(r.match(Method::head, "/x").route != nullptr);
}

TEST_CASE("registering the same method and pattern twice is a programming error") {
    Router r;
    r.add({Method::get, "/x/{id}"}, tag("a"));
    CHECK_THROWS_AS(r.add({Method::get, "/x/{id}"}, tag("b")), std::logic_error);
    CHECK_THROWS_AS(r.add({Method::post, "/x/{other}"}, tag("c")), std::logic_error);
}

