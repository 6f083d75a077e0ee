// Thin HTTP handlers: parse -> call the service -> map the result.
#include <boost/json.hpp>

#include "inventory_service.hpp"
#include "platform/http.hpp"
#include "platform/json_input.hpp"

namespace shop::inventory {
namespace json = boost::json;
using namespace shop::http;

namespace {
json::object report_json(const StockReport& r) {
    json::array levels;
    for (auto& l : r.levels)
        levels.push_back(json::object{{"warehouse", l.warehouse},
                                      {"on_hand", l.on_hand},
                                      {"reserved", l.reserved},
                                      {"available", std::max<std::int64_t>(0, l.on_hand - l.reserved)},
                                      {"low_stock_threshold", l.low_stock_threshold}});
    const auto& a = r.availability;
    return {{"sku", a.sku},         {"on_hand", a.on_hand}, {"reserved", a.reserved}, {"available", a.available},
            {"sold", r.sold},       {"in_stock", a.in_stock}, {"backorderable", a.backorderable},
            {"levels", std::move(levels)}};
}
}  // namespace

void register_inventory_routes(Router& router, InventoryService& svc) {
    router.add({Method::get, "/api/v1/inventory/{sku}", Access::anyone, "Public availability of a SKU", "inventory"},
               [&svc](Request& req) {
                   auto a = svc.availability(req.param("sku"));
                   return Response::json(200, json::object{{"sku", a.sku}, {"available", a.available},
                                                           {"in_stock", a.in_stock}, {"backorderable", a.backorderable}});
               });

    router.add({Method::get, "/api/v1/admin/inventory/{sku}", Access::admin, "Stock levels of a SKU per warehouse", "inventory"},
               [&svc](Request& req) { return Response::json(200, report_json(svc.report(req.param("sku")))); });

    router.add({Method::put, "/api/v1/admin/inventory/{sku}", Access::admin, "Set a SKU's on-hand level in one warehouse", "inventory"},
               [&svc](Request& req) {
                   auto body = json_body(req);
                   std::vector<FieldError> errors;
                   FieldReader f(body, errors);
                   auto warehouse = f.optional_string("warehouse", 64).value_or("main");
                   auto on_hand = f.required_int("on_hand", 0, 1'000'000'000);
                   auto threshold = f.optional_int("low_stock_threshold", 0, 1'000'000'000);
                   if (req.param("sku").size() > 64) f.fail("sku", "must be at most 64 characters");
                   throw_if_invalid(errors);
                   auto r = svc.set_stock(req.ctx(), req.param("sku"), warehouse, on_hand, threshold);
                   if (!r) throw ErrorException(r.error());
                   return Response::json(200, report_json(svc.report(req.param("sku"))));
               });

    router.add({Method::get, "/api/v1/admin/warehouses", Access::admin, "Warehouses", "inventory"}, [&svc](Request&) {
        json::array out;
        for (auto& [code, name] : svc.warehouses()) out.push_back(json::object{{"code", code}, {"name", name}});
        return Response::json(200, json::object{{"data", std::move(out)}, {"next_cursor", nullptr}});
    });
}

}  // namespace shop::inventory
