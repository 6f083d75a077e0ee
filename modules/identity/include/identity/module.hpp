#pragma once
// Included only by src/app (the composition root).
#include <memory>
#include <string>

#include "identity/api.hpp"
#include "platform/config.hpp"
#include "platform/log.hpp"
#include "platform/module.hpp"

namespace shop::db {
class Database;
}

namespace shop::identity {

struct Deps {
    db::Database& db;
    Logger& log;
    const Config& config;
};

class IdentityModule : public shop::Module {
public:
    virtual IdentityApi& api() = 0;
    /// Where wishlists check their products (before start; the catalog, through src/app).
    virtual void use_products(ProductDirectory& products) = 0;
};

std::unique_ptr<IdentityModule> make_module(Deps deps);

/// The module's migrations (migrations/identity/*.sql, embedded at build time): what `shop migrate
/// --dry-run` lists without building the module.
std::span<const db::Migration> embedded_migrations();

/// A JWK Set of one new Ed25519 signing key, private part included, in the format of
/// auth.signing_keys_file and SHOP_AUTH_SIGNING_KEY (`shop keygen`).
std::string new_signing_key_set();

}  // namespace shop::identity
