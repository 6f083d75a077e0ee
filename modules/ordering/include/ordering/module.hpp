#pragma once
// Included only by src/app (the composition root).
#include <memory>

#include "cart/api.hpp"
#include "catalog/api.hpp"
#include "inventory/api.hpp"
#include "ordering/api.hpp"
#include "platform/config.hpp"
#include "platform/log.hpp"
#include "platform/module.hpp"

namespace shop::db {
class Database;
}

namespace shop::ordering {

struct Deps {
    db::Database& db;
    Logger& log;
    const Config& config;
    catalog::CatalogApi& catalog;
    cart::CartApi& cart;
    inventory::InventoryApi& inventory;
    std::int64_t payment_window_ms;  ///< how long an order takes payment; shorter than the stock reservation
};

class OrderingModule : public shop::Module {
public:
    virtual OrderingApi& api() = 0;
    /// The promotion rules, for the cart's discount preview.
    virtual cart::PromotionsPort& promotions() = 0;
};

std::unique_ptr<OrderingModule> make_module(Deps deps);

/// The module's migrations (migrations/ordering/*.sql, embedded at build time): what `shop migrate
/// --dry-run` lists without building the module.
std::span<const db::Migration> embedded_migrations();

}  // namespace shop::ordering
