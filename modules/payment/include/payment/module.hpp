#pragma once
// Included only by src/app (the composition root).
#include <memory>

#include "ordering/api.hpp"
#include "payment/api.hpp"
#include "platform/config.hpp"
#include "platform/log.hpp"
#include "platform/module.hpp"

namespace shop::db {
class Database;
}

namespace shop::payment {

struct Deps {
    db::Database& db;
    Logger& log;
    const Config& config;
    ordering::OrderingApi& ordering;
};

class PaymentModule : public shop::Module {
public:
    virtual PaymentApi& api() = 0;
};

std::unique_ptr<PaymentModule> make_module(Deps deps);

/// The module's migrations (migrations/payment/*.sql, embedded at build time): what `shop migrate
/// --dry-run` lists without building the module.
std::span<const db::Migration> embedded_migrations();

}  // namespace shop::payment
