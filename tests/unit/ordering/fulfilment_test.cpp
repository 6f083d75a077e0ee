#include "ordering/src/domain/fulfilment.hpp"

#include <doctest/doctest.h>

#include "ordering/errors.hpp"

using shop::ordering::domain::LineToShip;
using shop::ordering::domain::plan_shipment;
using shop::ordering::domain::ShipLine;

namespace {
const std::vector<LineToShip> kOrder{{"oln_a", 3, 0}, {"oln_b", 2, 2}, {"oln_c", 1, 0}};
}

TEST_CASE("without lines a shipment carries every unit not shipped yet and completes the order") {
    auto p = plan_shipment(kOrder, std::nullopt);
    REQUIRE(p.has_value());
    REQUIRE(p->lines.size() == 2);
    CHECK(p->lines[0].line_id == "oln_a");
    CHECK(p->lines[0].quantity == 3);
    CHECK(p->lines[1].line_id == "oln_c");
    CHECK(p->lines[1].quantity == 1);
    CHECK(p->completes);
}

TEST_CASE("a partial shipment completes the order only with its last unit") {
    auto part = plan_shipment(kOrder, std::vector<ShipLine>{{"oln_a", 2}});
    REQUIRE(part.has_value());
    CHECK_FALSE(part->completes);
    auto rest = plan_shipment(kOrder, std::vector<ShipLine>{{"oln_c", 1}, {"oln_a", 3}});
    REQUIRE(rest.has_value());
    CHECK(rest->completes);
    CHECK(rest->lines.size() == 2);
}

TEST_CASE("more than is left or an unknown or repeated line is refused naming the line field") {
    auto over = plan_shipment(kOrder, std::vector<ShipLine>{{"oln_a", 1}, {"oln_b", 1}});
    REQUIRE_FALSE(over.has_value());
    CHECK(over.error().http_status() == 422);
    REQUIRE(over.error().fields.size() == 1);
    CHECK(over.error().fields[0].field == "lines[1].quantity");
    auto too_many = plan_shipment(kOrder, std::vector<ShipLine>{{"oln_a", 4}});
    REQUIRE_FALSE(too_many.has_value());
    CHECK(too_many.error().fields[0].field == "lines[0].quantity");
    auto unknown = plan_shipment(kOrder, std::vector<ShipLine>{{"oln_zzz", 1}});
    REQUIRE_FALSE(unknown.has_value());
    CHECK(unknown.error().fields[0].field == "lines[0].line_id");
    auto twice = plan_shipment(kOrder, std::vector<ShipLine>{{"oln_a", 1}, {"oln_a", 1}});
    REQUIRE_FALSE(twice.has_value());
    CHECK(twice.error().fields[0].field == "lines[1].line_id");
}

TEST_CASE("nothing left to ship is an invalid state, not a validation error") {
    auto none = plan_shipment({{"oln_a", 2, 2}}, std::nullopt);
    REQUIRE_FALSE(none.has_value());
    CHECK(none.error().ec == shop::ordering::errc::invalid_transition);
    CHECK(none.error().http_status() == 409);
}
