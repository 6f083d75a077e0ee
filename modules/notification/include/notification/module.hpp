#pragma once
// Included only by src/app (the composition root).
#include <filesystem>
#include <memory>

#include "notification/api.hpp"
#include "platform/config.hpp"
#include "platform/log.hpp"
#include "platform/module.hpp"

namespace shop::db {
class Database;
}

namespace shop::notification {

struct Deps {
    db::Database& db;
    Logger& log;
    const Config& config;
    std::filesystem::path data_dir;  ///< outgoing mail goes to <data_dir>/mail/outbox
    bool durable_files = false;      ///< fsync written mail (db.synchronous=full: survive power loss)
};

class NotificationModule : public shop::Module {
public:
    virtual NotificationApi& api() = 0;
};

std::unique_ptr<NotificationModule> make_module(Deps deps);

/// The module's migrations (migrations/notification/*.sql, embedded at build time): what `shop migrate
/// --dry-run` lists without building the module.
std::span<const db::Migration> embedded_migrations();

}  // namespace shop::notification
