#pragma once
// The whole app in process on an ephemeral port with a temporary data directory.
#include <functional>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "app/app.hpp"
#include "support/http_client.hpp"

namespace shop::test {

/// The PostgreSQL server the tests run against (SHOPTEST_POSTGRESQL, a URL to its "postgres"
/// database, set by scripts/test for its second pass), or "" for SQLite.
std::string postgresql_server();
inline bool on_postgresql() { return !postgresql_server().empty(); }

/// A fresh temporary directory, removed on destruction; on PostgreSQL also a fresh database,
/// dropped on destruction.
class TempDir {
public:
    explicit TempDir(bool with_database = true);
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    /// db.url for this directory's data: "" (SQLite files in path()) or the scratch database.
    const std::string& db_url() const { return db_url_; }

private:
    std::filesystem::path path_;
    std::string db_name_;
    std::string db_url_;
};

/// Polls `done` every 20 ms until it holds or `within` has passed; its last answer.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds within = std::chrono::seconds(20));

inline constexpr const char* kAdminEmail = "admin@shop.test";
inline constexpr const char* kAdminPassword = "admin-password-123";

/// Config for tests: port 0, cheap argon2, quiet logs, fast bus, the admin bootstrap.
Config test_config(const std::filesystem::path& data_dir, const std::map<std::string, std::string>& overrides = {});

class TestShop {
public:
    explicit TestShop(const std::map<std::string, std::string>& overrides = {}, bool seed_demo = false);
    /// Runs on a data directory that outlives this instance (restart after a "crash").
    explicit TestShop(const TempDir& dir, const std::map<std::string, std::string>& overrides = {});
    ~TestShop();

    app::App& app() { return *app_; }
    std::uint16_t port() const { return app_->port(); }
    const std::filesystem::path& dir() const { return dir_; }
    HttpClient client() const { return HttpClient(app_->port()); }
    /// Waits until every event so far has been handled.
    void settle();
    /// A client signed in as the bootstrap admin.
    HttpClient admin();
    /// Registers a customer and returns a client carrying its token.
    HttpClient customer(const std::string& email, std::string* user_id = nullptr);
    /// Registers a user, makes it a vendor (PATCH /api/v1/admin/users/{id} as the admin) and returns
    /// a client signed in with that role.
    HttpClient vendor(const std::string& email, std::string* user_id = nullptr);
    /// The port of a second instance serving the same database (PostgreSQL: another App with its
    /// own pools, bus and data directory, started on first use); with SQLite, which one process
    /// serves, this instance's own port.
    std::uint16_t peer_port();
    /// The key file this instance reads its token signing keys from: the one made in the data
    /// directory, or (PostgreSQL, where a peer instance must verify the same tokens) a file
    /// shared with the peer.
    std::filesystem::path signing_keys_file() const;
    /// The signing (first) key of that file: its kid and its 64-byte libsodium secret key.
    std::pair<std::string, std::string> signing_key() const;
    /// Creates a published product with one variant `sku` priced `amount` USD and `stock` units.
    std::string product(const std::string& sku, std::int64_t amount, std::int64_t stock);

private:
    std::unique_ptr<TempDir> owned_;
    std::filesystem::path dir_;
    std::unique_ptr<app::App> app_;
    std::map<std::string, std::string> overrides_;
    std::unique_ptr<TempDir> peer_dir_;
    std::unique_ptr<app::App> peer_;
};

}  // namespace shop::test
