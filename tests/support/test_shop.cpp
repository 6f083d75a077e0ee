#include "support/test_shop.hpp"

#include <thread>

#include <boost/json.hpp>

#include "platform/crypto.hpp"
#include "platform/db.hpp"
#include <sodium.h>
#include <fstream>
#include <sstream>
#include <cstdlib>
#include <random>
#include <stdexcept>

namespace shop::test {
namespace json = boost::json;

std::string postgresql_server() {
    const char* v = std::getenv("SHOPTEST_POSTGRESQL");
    return v ? std::string(v) : std::string();
}

TempDir::TempDir(bool with_database) {
    std::random_device rd;
    std::string tag = std::to_string(rd()) + std::to_string(rd());
    path_ = std::filesystem::temp_directory_path() / ("shop-test-" + tag);
    std::filesystem::create_directories(path_);
    if (auto server = postgresql_server(); with_database && !server.empty()) {
        db_name_ = "shop_test_" + tag;
        db::postgresql_exec(server, "CREATE DATABASE " + db_name_);
        auto slash = server.rfind('/');
        db_url_ = server.substr(0, slash + 1) + db_name_;
    }
}
TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
    if (!db_name_.empty()) {
        try {
            db::postgresql_exec(postgresql_server(), "DROP DATABASE IF EXISTS " + db_name_ + " WITH (FORCE)");
        } catch (...) {
            // The server is gone with the cluster; nothing to leak.
        }
    }
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds within) {
    auto until = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < until) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return done();
}

Config test_config(const std::filesystem::path& dir, const std::map<std::string, std::string>& overrides) {
    Config c = app::default_config();
    c.set("data_dir", dir.string(), "test");
    c.set("port", "0", "test");
    c.set("http.threads", "2", "test");
    c.set("auth.password_cost", "minimum", "test");
    c.set("log.level", "warn", "test");
    c.set("http.access_log", "false", "test");
    c.set("http.rate_limit.per_second", "100000", "test");
    c.set("http.rate_limit.burst", "100000", "test");
    c.set("bus.poll_interval_ms", "20", "test");
    c.set("bus.backoff_base_ms", "10", "test");
    c.set("inventory.sweep_interval_ms", "100", "test");
    c.set("admin.email", kAdminEmail, "test");
    c.set("admin.password", kAdminPassword, "test");
    for (auto& [k, v] : overrides) c.set(k, v, "test override");
    return c;
}

namespace {

std::map<std::string, std::string> with_db(std::map<std::string, std::string> overrides, const TempDir& dir) {
    if (!dir.db_url().empty() && !overrides.count("db.url")) overrides["db.url"] = dir.db_url();
    // Instances sharing a PostgreSQL database must share their signing keys (the peer has a data
    // directory of its own): a key file beside the first instance's data, as an operator would.
    if (!dir.db_url().empty() && !overrides.count("auth.signing_keys_file") && !overrides.count("auth.signing_key")) {
        auto file = dir.path() / "shared-signing-keys.json";
        if (!std::filesystem::exists(file)) {
            if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
            unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
            crypto_sign_keypair(pk, sk);
            json::object jwk{{"kty", "OKP"}, {"crv", "Ed25519"}, {"kid", "test-" + crypto::random_token(6)},
                             {"d", crypto::base64url_encode(std::string_view(reinterpret_cast<char*>(sk), crypto_sign_SEEDBYTES))}};
            std::ofstream(file) << json::serialize(json::object{{"keys", json::array{jwk}}});
            std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                         std::filesystem::perm_options::replace);
        }
        overrides["auth.signing_keys_file"] = file.string();
    }
    return overrides;
}

}  // namespace

TestShop::TestShop(const std::map<std::string, std::string>& overrides, bool seed_demo)
    : owned_(std::make_unique<TempDir>()), dir_(owned_->path()), overrides_(with_db(overrides, *owned_)) {
    app_ = std::make_unique<app::App>(test_config(dir_, overrides_));
    app_->migrate();
    if (seed_demo) app_->seed_demo();
    app_->start();
}

TestShop::TestShop(const TempDir& dir, const std::map<std::string, std::string>& overrides)
    : dir_(dir.path()), overrides_(with_db(overrides, dir)) {
    app_ = std::make_unique<app::App>(test_config(dir_, overrides_));
    app_->migrate();
    app_->start();
}

TestShop::~TestShop() {
    if (peer_) peer_->stop();
    app_->stop();
}

std::uint16_t TestShop::peer_port() {
    if (!on_postgresql()) return port();
    if (!peer_) {
        peer_dir_ = std::make_unique<TempDir>(false);
        peer_ = std::make_unique<app::App>(test_config(peer_dir_->path(), overrides_));  // same db.url
        peer_->migrate();
        peer_->start();
    }
    return peer_->port();
}

void TestShop::settle() {
    if (!app_->drain_bus(std::chrono::seconds(10))) throw std::runtime_error("the bus did not settle within 10 s");
    if (peer_ && !peer_->drain_bus(std::chrono::seconds(10))) throw std::runtime_error("the peer's bus did not settle within 10 s");
}

HttpClient TestShop::admin() {
    HttpClient c(port());
    auto r = c.post("/api/v1/auth/login", json::object{{"email", kAdminEmail}, {"password", kAdminPassword}});
    if (r.status != 200) throw std::runtime_error("admin login failed: " + r.body);
    c.set_header("Authorization", "Bearer " + r.str("access_token"));
    return c;
}

HttpClient TestShop::customer(const std::string& email, std::string* user_id) {
    HttpClient c(port());
    auto r = c.post("/api/v1/auth/register", json::object{{"email", email}, {"password", "a-long-enough-passphrase"}, {"name", "Test Customer"}});
    if (r.status != 201) throw std::runtime_error("register failed: " + r.body);
    if (user_id) *user_id = std::string(r.json().at("user").at("id").as_string());
    c.set_header("Authorization", "Bearer " + r.str("access_token"));
    return c;
}

HttpClient TestShop::vendor(const std::string& email, std::string* user_id) {
    std::string id;
    customer(email, &id);
    auto made = admin().patch("/api/v1/admin/users/" + id, json::object{{"role", "vendor"}});
    if (made.status != 200) throw std::runtime_error("making a vendor failed: " + made.body);
    HttpClient c(port());
    auto r = c.post("/api/v1/auth/login", json::object{{"email", email}, {"password", "a-long-enough-passphrase"}});
    if (r.status != 200) throw std::runtime_error("vendor login failed: " + r.body);
    c.set_header("Authorization", "Bearer " + r.str("access_token"));
    if (user_id) *user_id = id;
    return c;
}

std::filesystem::path TestShop::signing_keys_file() const {
    auto configured = app_->config().get_string("auth.signing_keys_file");
    return configured.empty() ? dir_ / "signing-keys.json" : std::filesystem::path(configured);
}

std::pair<std::string, std::string> TestShop::signing_key() const {
    std::ifstream in(signing_keys_file());
    std::stringstream text;
    text << in.rdbuf();
    auto first = json::parse(text.str()).at("keys").at(0).as_object();
    std::string seed;
    if (!crypto::base64url_decode(first.at("d").as_string(), seed) || seed.size() != crypto_sign_SEEDBYTES)
        throw std::runtime_error("the signing key file holds no 32-byte seed");
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(seed.data()));
    return {std::string(first.at("kid").as_string()), std::string(reinterpret_cast<char*>(sk), sizeof sk)};
}

std::string TestShop::product(const std::string& sku, std::int64_t amount, std::int64_t stock) {
    auto a = admin();
    auto r = a.post("/api/v1/products",
                    json::object{{"title", "Product " + sku},
                                 {"status", "published"},
                                 {"variants", json::array{json::object{{"sku", sku},
                                                                       {"prices", json::array{json::object{{"amount", amount}, {"currency", "USD"}}}}}}}});
    if (r.status != 201) throw std::runtime_error("product create failed: " + r.body);
    auto s = a.put("/api/v1/admin/inventory/" + sku, json::object{{"warehouse", "main"}, {"on_hand", stock}});
    if (s.status != 200) throw std::runtime_error("stock set failed: " + s.body);
    return r.str("id");
}

}  // namespace shop::test
