#pragma once
// Included only by src/app (the composition root).
#include <memory>

#include "catalog/api.hpp"
#include "inventory/api.hpp"
#include "platform/config.hpp"
#include "platform/log.hpp"
#include "platform/module.hpp"

namespace shop::db {
class Database;
}

namespace shop::inventory {

struct Deps {
    db::Database& db;
    Logger& log;
    const Config& config;
    catalog::CatalogApi& catalog;  ///< which SKUs exist and which vendor owns them
};

class InventoryModule : public shop::Module {
public:
    virtual InventoryApi& api() = 0;
};

std::unique_ptr<InventoryModule> make_module(Deps deps);

/// The module's migrations (migrations/inventory/*.sql, embedded at build time): what `shop migrate
/// --dry-run` lists without building the module.
std::span<const db::Migration> embedded_migrations();

}  // namespace shop::inventory
