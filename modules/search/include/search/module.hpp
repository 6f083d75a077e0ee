#pragma once
// Included only by src/app (the composition root).
#include <memory>

#include "platform/config.hpp"
#include "platform/log.hpp"
#include "platform/module.hpp"
#include "search/api.hpp"

namespace shop::db {
class Database;
}

namespace shop::search {

struct Deps {
    db::Database& db;
    Logger& log;
    const Config& config;
};

class SearchModule : public shop::Module {
public:
    virtual SearchApi& api() = 0;
};

std::unique_ptr<SearchModule> make_module(Deps deps);

/// The module's migrations (migrations/search/*.sql, embedded at build time): what `shop migrate
/// --dry-run` lists without building the module.
std::span<const db::Migration> embedded_migrations();

}  // namespace shop::search
