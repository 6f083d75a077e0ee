#pragma once
// Included only by src/app (the composition root).
#include <memory>

#include "catalog/api.hpp"
#include "platform/config.hpp"
#include "platform/log.hpp"
#include "platform/module.hpp"

namespace shop::db {
class Database;
}

namespace shop::catalog {

struct Deps {
    db::Database& db;
    Logger& log;
    const Config& config;
};

class CatalogModule : public shop::Module {
public:
    virtual CatalogApi& api() = 0;
    /// The stock the product CSV exports and imports (before start()); without it the CSV has no
    /// stock columns.
    virtual void use_stock(StockPort& stock) = 0;
};

std::unique_ptr<CatalogModule> make_module(Deps deps);

/// The module's migrations (migrations/catalog/*.sql, embedded at build time): what `shop migrate
/// --dry-run` lists without building the module.
std::span<const db::Migration> embedded_migrations();

}  // namespace shop::catalog
