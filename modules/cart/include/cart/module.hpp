#pragma once
// Included only by src/app (the composition root).
#include <memory>

#include "cart/api.hpp"
#include "catalog/api.hpp"
#include "inventory/api.hpp"
#include "platform/config.hpp"
#include "platform/log.hpp"
#include "platform/module.hpp"

namespace shop::db {
class Database;
}

namespace shop::cart {

struct Deps {
    db::Database& db;
    Logger& log;
    const Config& config;
    catalog::CatalogApi& catalog;
    inventory::InventoryApi& inventory;
};

class CartModule : public shop::Module {
public:
    virtual CartApi& api() = 0;
    /// The promotion rules (ordering's), given once before start().
    virtual void use_promotions(PromotionsPort& promotions) = 0;
};

std::unique_ptr<CartModule> make_module(Deps deps);

/// The module's migrations (migrations/cart/*.sql, embedded at build time): what `shop migrate
/// --dry-run` lists without building the module.
std::span<const db::Migration> embedded_migrations();

}  // namespace shop::cart
