// Thin HTTP handlers: the typed declarations of inventory's routes -> the service.
#include "inventory_service.hpp"
#include "platform/api.hpp"
#include "platform/http.hpp"

namespace shop::inventory {
using namespace shop::http;
using api::None;

namespace {

constexpr const char* kAllocationRule =
    "A reservation takes each SKU's free stock from the warehouses with the most free stock first (so an order ships from as few "
    "warehouses as possible), ties broken by higher warehouse `priority`, then by code; it may split across warehouses. A "
    "backorderable SKU may then be reserved beyond its free stock by what is left of its `backorder_limit`; those units are held in "
    "the highest-priority warehouse and, once paid, are sold as soon as stock arrives there.";

struct PublicStock {
    std::string sku;
    std::int64_t available = 0;  ///< units that can be ordered now (free stock plus any backorder allowance left)
    bool in_stock = false;       ///< free stock exists
    bool backorderable = false;
};
SHOP_API_STRUCT(PublicStock, sku, available, in_stock, backorderable)

struct Level {
    std::string warehouse;
    std::int64_t on_hand = 0, reserved = 0, available = 0, backordered = 0, low_stock_threshold = 0;
    bool low_stock = false;
};
SHOP_API_STRUCT(Level, warehouse, on_hand, reserved, available, backordered, low_stock_threshold, low_stock)

struct Stock {
    std::string sku;
    std::int64_t on_hand = 0;      ///< physically in the warehouses
    std::int64_t reserved = 0;     ///< held by unpaid orders and paid backorders awaiting stock
    std::int64_t available = 0;    ///< free stock: per warehouse on_hand - reserved, at least 0
    std::int64_t backordered = 0;  ///< units reserved beyond stock
    std::int64_t orderable = 0;    ///< what a reservation can take now: available + backorder allowance left
    std::int64_t sold = 0;
    bool in_stock = false;
    bool low_stock = false;
    bool backorderable = false;
    std::int64_t backorder_limit = 0;
    std::vector<Level> levels;
};
SHOP_API_STRUCT(Stock, sku, on_hand, reserved, available, backordered, orderable, sold, in_stock, low_stock, backorderable,
                backorder_limit, levels)

struct StockPage {
    std::vector<Stock> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(StockPage, data, next_cursor)

struct StockListQuery {
    std::optional<bool> low_stock;
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
};
SHOP_API_STRUCT(StockListQuery, low_stock, limit, cursor)

struct PutStockRequest {
    std::optional<api::Text<1, 32>> warehouse;  ///< default `main`
    std::optional<api::Int<0, 1'000'000'000>> on_hand;
    std::optional<api::Int<0, 1'000'000'000>> low_stock_threshold;
    std::optional<bool> backorderable;
    std::optional<api::Int<0, 1'000'000>> backorder_limit;
};
SHOP_API_STRUCT(PutStockRequest, warehouse, on_hand, low_stock_threshold, backorderable, backorder_limit)

struct AdjustmentRequest {
    api::Text<1, 32> warehouse;
    api::Int<-1'000'000'000, 1'000'000'000> delta;
    api::Text<1, 200> reason;
};
SHOP_API_STRUCT(AdjustmentRequest, warehouse, delta, reason)

/// A warehouse code: a lower-case slug (letters, digits, single dashes), 1..32 characters.
struct WarehouseCode {
    std::string value;
    static boost::json::object schema(api::Schemas&) {
        return {{"type", "string"}, {"pattern", "^[a-z0-9]+(-[a-z0-9]+)*$"}, {"maxLength", 32}, {"examples", boost::json::array{"east"}}};
    }
    bool read(const boost::json::value& v, const std::string& path, api::Reader& r) {
        if (!v.is_string()) return r.fail(path, "must be a string"), false;
        std::string_view s = v.get_string();
        bool ok = !s.empty() && s.size() <= 32 && s.front() != '-' && s.back() != '-' && s.find("--") == std::string_view::npos;
        for (char c : s) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
        if (!ok) return r.fail(path, "must be 1 to 32 lower-case letters, digits and single dashes"), false;
        value = std::string(s);
        return true;
    }
    boost::json::value write() const { return boost::json::value(value); }
};

struct Warehouse {
    std::string code;
    std::string name;
    std::int64_t priority = 0;
};
SHOP_API_STRUCT(Warehouse, code, name, priority)

struct WarehouseList {
    std::vector<Warehouse> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(WarehouseList, data, next_cursor)

struct NewWarehouseRequest {
    WarehouseCode code;
    api::Text<1, 100> name;
    std::optional<api::Int<-1000, 1000>> priority;
};
SHOP_API_STRUCT(NewWarehouseRequest, code, name, priority)

struct WarehousePatchRequest {
    std::optional<api::Text<1, 100>> name;
    std::optional<api::Int<-1000, 1000>> priority;
};
SHOP_API_STRUCT(WarehousePatchRequest, name, priority)

struct Movement {
    std::string id;
    std::string sku;
    std::string warehouse;
    std::int64_t delta = 0;
    std::string reason;
    std::optional<std::string> order_id;  ///< the order whose sale, cancellation or return moved the stock
    std::string actor;                    ///< the user id of who made the change, or `system`
    api::Timestamp created_at;
};
SHOP_API_STRUCT(Movement, id, sku, warehouse, delta, reason, order_id, actor, created_at)

struct MovementPage {
    std::vector<Movement> data;
    api::Nullable<api::Cursor> next_cursor;
};
SHOP_API_STRUCT(MovementPage, data, next_cursor)

struct MovementQuery {
    std::optional<api::Text<1, 64>> sku;
    std::optional<api::Text<1, 32>> warehouse;
    std::optional<api::Int<1, 100>> limit;
    std::optional<api::Cursor> cursor;
};
SHOP_API_STRUCT(MovementQuery, sku, warehouse, limit, cursor)

Stock stock_of(const StockReport& r) {
    Stock s;
    const auto& a = r.availability;
    s.sku = a.sku;
    s.on_hand = a.on_hand;
    s.reserved = a.reserved;
    s.available = a.free;
    s.backordered = a.backordered;
    s.orderable = a.available;
    s.sold = r.sold;
    s.in_stock = a.in_stock;
    s.low_stock = r.low_stock;
    s.backorderable = a.backorderable;
    s.backorder_limit = a.backorder_limit;
    for (auto& l : r.levels)
        s.levels.push_back({l.warehouse, l.on_hand, l.reserved, domain::free_of(l), domain::backordered_of(l), l.low_stock_threshold,
                            domain::is_low(l)});
    return s;
}

std::string checked_sku(const Request& req) {
    std::string_view sku = req.param("sku");
    if (sku.size() > 64) throw ErrorException(validation("sku", "must be at most 64 characters"));
    return std::string(sku);
}

}  // namespace

void register_inventory_routes(Router& router, InventoryService& svc) {
    api::add<None, None, PublicStock>(
        router,
        {.method = Method::get, .path = "/api/v1/inventory/{sku}", .id = "getAvailability", .summary = "Public availability of a SKU",
         .description = "`available` is what can be ordered now: free stock plus, for a backorderable SKU, what is left of its "
                        "backorder allowance. A SKU no product has is 404; a product's SKU without stock answers zeros.",
         .tag = "inventory", .errors = {404, 422}},
        [&svc](Request& req, None&, None&) {
            auto sku = checked_sku(req);
            unwrap(svc.check_known(sku));
            auto a = svc.availability(sku);
            return PublicStock{a.sku, a.available, a.in_stock, a.backorderable};
        });

    api::add<None, StockListQuery, StockPage>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/inventory", .id = "listStock", .summary = "Stock of every SKU, in SKU order",
         .description = "`low_stock=true`: only SKUs with a level whose free stock is at or below its `low_stock_threshold` "
                        "(a threshold of 0 never alerts).",
         .tag = "inventory", .access = Access::admin, .blocking = true},
        [&svc](Request&, None&, StockListQuery& q) {
            int limit = q.limit ? static_cast<int>(q.limit->value) : 20;
            auto skus = svc.skus(q.cursor ? q.cursor->value : "", limit + 1, q.low_stock.value_or(false));
            StockPage page;
            if (static_cast<int>(skus.size()) > limit) {
                skus.resize(limit);
                page.next_cursor = api::of<api::Cursor>(skus.back());
            }
            for (auto& sku : skus) page.data.push_back(stock_of(svc.report(sku)));
            return page;
        });

    api::add<None, MovementQuery, MovementPage>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/inventory/movements", .id = "listStockMovements",
         .summary = "The movements ledger, newest first",
         .description = "Every change of on_hand: its `reason` (`set`, `sale`, `restock` or an adjustment's reason), who made it "
                        "(`actor`: a user id, or `system` for changes caused by orders) and the order it came from (`order_id`).",
         .tag = "inventory", .access = Access::admin, .blocking = true},
        [&svc](Request&, None&, MovementQuery& q) {
            int limit = q.limit ? static_cast<int>(q.limit->value) : 20;
            std::optional<std::string> sku, warehouse;
            if (q.sku) sku = q.sku->value;
            if (q.warehouse) warehouse = q.warehouse->value;
            auto rows = svc.movements(sku, warehouse, q.cursor ? q.cursor->value : "", limit + 1);
            MovementPage page;
            if (static_cast<int>(rows.size()) > limit) {
                rows.resize(limit);
                page.next_cursor = api::of<api::Cursor>(rows.back().id);
            }
            for (auto& m : rows) {
                Movement out{m.id, m.sku, m.warehouse, m.delta, m.reason, std::nullopt, m.actor, api::of<api::Timestamp>(m.created_at)};
                if (!m.reference.empty()) out.order_id = m.reference;
                page.data.push_back(std::move(out));
            }
            return page;
        });

    api::add<None, None, Stock>(
        router,
        {.method = Method::get, .path = "/api/v1/admin/inventory/{sku}", .id = "getStock", .summary = "Stock levels of a SKU per warehouse",
         .description = "Vendors see their own products' SKUs only; another's answers 404 like an unknown SKU. `available` is free "
                        "stock, so `on_hand = available + reserved` while nothing is backordered.",
         .tag = "inventory", .access = Access::vendor, .errors = {404, 422}},
        [&svc](Request& req, None&, None&) {
            auto sku = checked_sku(req);
            unwrap(svc.check_access(req.ctx(), sku));
            return stock_of(svc.report(sku));
        });

    api::add<PutStockRequest, None, Stock>(
        router,
        {.method = Method::put, .path = "/api/v1/admin/inventory/{sku}", .id = "setStockLevel",
         .summary = "Set a SKU's level in one warehouse, its low-stock threshold, or its backorder setting",
         .description = "`on_hand` and `low_stock_threshold` apply to `warehouse` (default `main`); `on_hand` cannot go below what "
                        "unpaid orders hold there (409). `backorderable` with `backorder_limit` (at least 1) lets reservations go "
                        "beyond stock by up to that many units in all. Absent fields stay as they are. An unknown warehouse is 422; "
                        "a SKU no product has (or another vendor's) is 404.",
         .tag = "inventory", .access = Access::vendor, .errors = {404, 409}},
        [&svc](Request& req, PutStockRequest& b, None&) {
            auto sku = checked_sku(req);
            if (!b.on_hand && !b.low_stock_threshold && !b.backorderable && !b.backorder_limit)
                throw ErrorException(validation("on_hand", "give on_hand, low_stock_threshold, backorderable or backorder_limit"));
            unwrap(svc.check_access(req.ctx(), sku));
            StockUpdate u;
            if (b.warehouse) u.warehouse = b.warehouse->value;
            if (b.on_hand) u.on_hand = b.on_hand->value;
            if (b.low_stock_threshold) u.low_stock_threshold = b.low_stock_threshold->value;
            u.backorderable = b.backorderable;
            if (b.backorder_limit) u.backorder_limit = b.backorder_limit->value;
            unwrap(svc.update_stock(req.ctx(), sku, u));
            return stock_of(svc.report(sku));
        });

    api::add<AdjustmentRequest, None, Stock>(
        router,
        {.method = Method::post, .path = "/api/v1/admin/inventory/{sku}/adjustments", .id = "adjustStock",
         .summary = "Change a SKU's on-hand level in one warehouse by a delta, with a reason",
         .description = "`delta` is not 0; on_hand may go neither below 0 nor below what unpaid orders hold in that warehouse (409 "
                        "naming `delta`). The adjustment is a movement with its `reason` and the caller as `actor`. Answers the "
                        "stock as GET does. A SKU no product has (or another vendor's) is 404.",
         .tag = "inventory", .access = Access::vendor, .errors = {404, 409}, .idempotency_schema = "inventory"},
        [&svc](Request& req, AdjustmentRequest& b, None&) {
            auto sku = checked_sku(req);
            if (b.delta.value == 0) throw ErrorException(validation("delta", "must not be 0"));
            unwrap(svc.check_access(req.ctx(), sku));
            unwrap(svc.adjust(req.ctx(), sku, b.warehouse.value, b.delta.value, b.reason.value,
                              [](const StockReport& r) { return api::write_value(stock_of(r)); }));
            return stock_of(svc.report(sku));
        });

    api::add<None, None, WarehouseList>(router,
                                        {.method = Method::get, .path = "/api/v1/admin/warehouses", .id = "listWarehouses",
                                         .summary = "Warehouses", .description = kAllocationRule, .tag = "inventory",
                                         .access = Access::admin},
                                        [&svc](Request&, None&, None&) {
                                            WarehouseList out;
                                            for (auto& w : svc.warehouses()) out.data.push_back({w.code, w.name, w.priority});
                                            return out;
                                        });

    api::add<NewWarehouseRequest, None, Warehouse>(
        router,
        {.method = Method::post, .path = "/api/v1/admin/warehouses", .id = "createWarehouse", .summary = "Create a warehouse",
         .description = std::string("`code` is a lower-case slug, unique (409). `priority` (default 0) breaks ties of the allocation "
                                    "rule and picks where backorders wait. ") +
                        kAllocationRule,
         .tag = "inventory", .access = Access::admin, .status = 201, .errors = {409}, .idempotency_schema = "inventory"},
        [&svc](Request& req, NewWarehouseRequest& b, None&) {
            WarehouseRow w{b.code.value, b.name.value, b.priority ? b.priority->value : 0};
            auto created = unwrap(svc.create_warehouse(req.ctx(), w, [](const WarehouseRow& r) {
                return api::write_value(Warehouse{r.code, r.name, r.priority});
            }));
            return Warehouse{created.code, created.name, created.priority};
        });

    api::add<WarehousePatchRequest, None, Warehouse>(
        router,
        {.method = Method::patch, .path = "/api/v1/admin/warehouses/{code}", .id = "updateWarehouse",
         .summary = "Rename a warehouse or change its priority", .tag = "inventory", .access = Access::admin, .errors = {404}},
        [&svc](Request& req, WarehousePatchRequest& b, None&) {
            std::optional<std::string> name;
            std::optional<std::int64_t> priority;
            if (b.name) name = b.name->value;
            if (b.priority) priority = b.priority->value;
            auto w = unwrap(svc.update_warehouse(req.ctx(), std::string(req.param("code")), name, priority));
            return Warehouse{w.code, w.name, w.priority};
        });
}

}  // namespace shop::inventory
