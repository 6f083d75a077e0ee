// Thin HTTP handlers: the typed declarations of inventory's routes -> the service.
#include "inventory_service.hpp"
#include "platform/api.hpp"
#include "platform/http.hpp"

namespace shop::inventory {
using namespace shop::http;
using api::None;

namespace {

struct PublicStock {
    std::string sku;
    std::int64_t available = 0;
    bool in_stock = false;
    bool backorderable = false;
};
SHOP_API_STRUCT(PublicStock, sku, available, in_stock, backorderable)

struct Level {
    std::string warehouse;
    std::int64_t on_hand = 0, reserved = 0, available = 0, low_stock_threshold = 0;
};
SHOP_API_STRUCT(Level, warehouse, on_hand, reserved, available, low_stock_threshold)

struct Stock {
    std::string sku;
    std::int64_t on_hand = 0;   ///< physically in the warehouses
    std::int64_t reserved = 0;  ///< held by unpaid orders
    std::int64_t available = 0;
    std::int64_t sold = 0;
    bool in_stock = false;
    bool backorderable = false;
    std::vector<Level> levels;
};
SHOP_API_STRUCT(Stock, sku, on_hand, reserved, available, sold, in_stock, backorderable, levels)

struct SetLevelRequest {
    std::optional<api::Text<1, 64>> warehouse;  ///< default `main`
    api::Int<0, 1'000'000'000> on_hand;
    std::optional<api::Int<0, 1'000'000'000>> low_stock_threshold;
};
SHOP_API_STRUCT(SetLevelRequest, warehouse, on_hand, low_stock_threshold)

struct Warehouse {
    std::string code;
    std::string name;
};
SHOP_API_STRUCT(Warehouse, code, name)

struct WarehouseList {
    std::vector<Warehouse> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(WarehouseList, data, next_cursor)

Stock stock_of(const StockReport& r) {
    Stock s;
    const auto& a = r.availability;
    s.sku = a.sku;
    s.on_hand = a.on_hand;
    s.reserved = a.reserved;
    s.available = a.available;
    s.sold = r.sold;
    s.in_stock = a.in_stock;
    s.backorderable = a.backorderable;
    for (auto& l : r.levels)
        s.levels.push_back({l.warehouse, l.on_hand, l.reserved, std::max<std::int64_t>(0, l.on_hand - l.reserved), l.low_stock_threshold});
    return s;
}

void check_sku(std::string_view sku) {
    if (sku.size() > 64) throw ErrorException(validation("sku", "must be at most 64 characters"));
}

}  // namespace

void register_inventory_routes(Router& router, InventoryService& svc) {
    api::add<None, None, PublicStock>(router,
                                      {.method = Method::get, .path = "/api/v1/inventory/{sku}", .id = "getAvailability",
                                       .summary = "Public availability of a SKU", .tag = "inventory"},
                                      [&svc](Request& req, None&, None&) {
                                          auto a = svc.availability(req.param("sku"));
                                          return PublicStock{a.sku, a.available, a.in_stock, a.backorderable};
                                      });

    api::add<None, None, Stock>(router,
                                {.method = Method::get, .path = "/api/v1/admin/inventory/{sku}", .id = "getStock",
                                 .summary = "Stock levels of a SKU per warehouse", .tag = "inventory", .access = Access::admin,
                                 .errors = {422}},
                                [&svc](Request& req, None&, None&) {
                                    check_sku(req.param("sku"));
                                    return stock_of(svc.report(req.param("sku")));
                                });

    api::add<SetLevelRequest, None, Stock>(
        router,
        {.method = Method::put, .path = "/api/v1/admin/inventory/{sku}", .id = "setStockLevel",
         .summary = "Set a SKU's on-hand level in one warehouse",
         .description = "`on_hand` cannot go below what unpaid orders hold there (409). An unknown warehouse is 422.", .tag = "inventory",
         .access = Access::admin, .errors = {409}},
        [&svc](Request& req, SetLevelRequest& b, None&) {
            check_sku(req.param("sku"));
            std::optional<std::int64_t> threshold;
            if (b.low_stock_threshold) threshold = b.low_stock_threshold->value;
            unwrap(svc.set_stock(req.ctx(), req.param("sku"), b.warehouse ? b.warehouse->value : "main", b.on_hand.value, threshold));
            return stock_of(svc.report(req.param("sku")));
        });

    api::add<None, None, WarehouseList>(router,
                                        {.method = Method::get, .path = "/api/v1/admin/warehouses", .id = "listWarehouses",
                                         .summary = "Warehouses", .tag = "inventory", .access = Access::admin},
                                        [&svc](Request&, None&, None&) {
                                            WarehouseList out;
                                            for (auto& [code, name] : svc.warehouses()) out.data.push_back({code, name});
                                            return out;
                                        });
}

}  // namespace shop::inventory
