#pragma once
// The composition root: reads config, opens the database (attaching every schema), builds the
// bus, makes each module with its dependencies passed in, and starts/stops them in order.
#include <cstdint>
#include <filesystem>
#include <memory>

#include "app/config_keys.hpp"
#include "platform/config.hpp"
#include "platform/log.hpp"
#include "platform/migrations.hpp"

namespace shop {
namespace db {
class Database;
}
namespace bus {
class Bus;
}
namespace http {
class Pipeline;
class Router;
}
namespace catalog {
class CatalogApi;
}

namespace app {

class App {
public:
    /// Builds everything; opens the database but applies no migration yet. Logs are JSON lines
    /// (a server) or plain text (a one-shot command run by a person).
    explicit App(Config config, LogFormat log_format = LogFormat::json);
    ~App();

    /// Binds the HTTP listener without serving yet, or takes over `listen_fd`, a socket bound and
    /// listening already (http::ListeningSocket::release()). start() serves on it.
    void listen(int listen_fd = -1);
    /// Applies pending migrations (or only counts them).
    db::MigrationReport migrate(bool dry_run = false);
    /// Seeds the demo catalog when the catalog is empty; returns products created.
    int seed_demo();
    /// Seeds `n` generated published products with stock (benchmarks, load tests).
    int seed_generated(int n);
    /// Loads the demo data set (demo_dataset.hpp) through the modules' public APIs and, for the
    /// past orders, the HTTP API in process; does nothing when the catalog has products. Needs
    /// start() first (paid orders are confirmed by events). Returns products created.
    int seed_demo_dataset();
    /// Starts modules, the bus and the HTTP server (migrations must be applied).
    void start(bool with_http = true);
    /// Graceful stop: HTTP drains in-flight requests, then the bus, modules, database.
    void stop();
    /// Waits for the bus to deliver everything published so far.
    bool drain_bus(std::chrono::milliseconds timeout);

    std::uint16_t port() const;
    /// The OpenAPI 3.1 document of every route (what GET /openapi.json serves).
    std::string openapi_json() const;
    const Config& config() const;
    Logger& log();
    db::Database& database();
    bus::Bus& event_bus();
    http::Pipeline& pipeline();
    /// Every route the app serves (the request decoders' fuzzer walks them).
    const http::Router& router() const;
    /// The catalog's service face, as the modules that use it see it (tests).
    catalog::CatalogApi& catalog();
    std::filesystem::path data_dir() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// The migrations of every module, in the order migrate() applies them.
std::vector<db::MigrationSet> migration_sets();

/// What `shop migrate --dry-run` lists: the migrations not applied yet to the configured database,
/// found without building the app, creating the data directory or changing anything.
std::vector<db::MigrationName> pending_migrations(const Config& config);

/// A JWK Set of one new Ed25519 token signing key, private part included (`shop keygen`).
std::string new_signing_key_set();

}  // namespace app
}  // namespace shop
