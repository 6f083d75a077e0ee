// shop backup / shop restore: a backup taken while customers order over HTTP, restored into a new
// data directory and served again; tampered, incomplete and misplaced backups refused; modes; the
// token signing keys (key file, rotation, JWKS).
#include <doctest/doctest.h>

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

#include "app/backup.hpp"
#include "platform/bus.hpp"
#include "platform/crypto.hpp"
#include "platform/db.hpp"
#include "support/orders.hpp"
#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kSchemas = {"identity", "catalog", "search", "cart", "inventory", "ordering", "payment", "notification"};
const unsigned char kPngBytes[] = {137, 80, 78, 71, 13, 10, 26, 10, 0,  0,   0,   13, 73, 72, 68, 82, 0,  0,   0,   1,   0,   0,  0,
                                   1,   8,  6,  0,  0,  0,  31, 21, 196, 137, 0,  0,  0,  11, 73, 68, 65, 84,  120, 156, 99, 96, 0,
                                   2,   0,  0,  5,  0,  1,  122, 94, 171, 63, 0,  0,  0,  0,  73, 69, 78, 68, 174, 66, 96,  130};
const std::string kPng(reinterpret_cast<const char*>(kPngBytes), sizeof kPngBytes);

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

unsigned mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

json::object manifest_of(const fs::path& backup) { return json::parse(read_text(backup / app::kManifestName)).as_object(); }

std::int64_t i64(const json::object& o, const char* key) { return o.at(key).as_int64(); }

/// on_hand = available + reserved for the SKU and for each warehouse, and the movements ledger sums
/// to on_hand (what the inventory race tests check).
void check_stock_invariants(HttpClient& admin, const std::string& sku) {
    CAPTURE(sku);
    auto r = admin.get("/api/v1/admin/inventory/" + sku);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    auto s = r.json().as_object();
    CHECK(i64(s, "on_hand") == i64(s, "available") + i64(s, "reserved"));
    std::int64_t levels = 0;
    for (auto& lv : s.at("levels").as_array()) {
        auto l = lv.as_object();
        CHECK(i64(l, "on_hand") == i64(l, "available") + i64(l, "reserved"));
        CHECK(i64(l, "on_hand") >= 0);
        levels += i64(l, "on_hand");
    }
    CHECK(levels == i64(s, "on_hand"));
    std::int64_t moved = 0;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
        auto m = admin.get("/api/v1/admin/inventory/movements?limit=50&sku=" + sku + (cursor.empty() ? "" : "&cursor=" + cursor));
        REQUIRE_MESSAGE(m.status == 200, m.body);
        auto body = m.json();
        for (auto& row : body.at("data").as_array()) moved += row.at("delta").as_int64();
        auto next = body.at("next_cursor");
        if (next.is_null()) break;
        cursor = std::string(next.as_string());
    }
    CHECK(moved == i64(s, "on_hand"));
}

/// An Ed25519 private JWK with kid `kid`.
json::object new_jwk(const std::string& kid) {
    REQUIRE(sodium_init() >= 0);
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    return {{"kty", "OKP"},
            {"crv", "Ed25519"},
            {"kid", kid},
            {"d", crypto::base64url_encode(std::string_view(reinterpret_cast<char*>(sk), crypto_sign_SEEDBYTES))},
            {"x", crypto::base64url_encode(std::string_view(reinterpret_cast<char*>(pk), sizeof pk))}};
}

void write_key_file(const fs::path& file, const json::array& keys) {
    std::ofstream(file) << json::serialize(json::object{{"keys", keys}});
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
}

std::string kid_of(const std::string& token) {
    std::string header;
    REQUIRE(crypto::base64url_decode(token.substr(0, token.find('.')), header));
    return std::string(json::parse(header).at("kid").as_string());
}

std::set<std::string> jwks_kids(HttpClient& c) {
    auto r = c.get("/.well-known/jwks.json");
    REQUIRE(r.status == 200);
    std::set<std::string> kids;
    auto body = r.json();
    for (auto& k : body.at("keys").as_array()) kids.insert(std::string(k.at("kid").as_string()));
    return kids;
}

}  // namespace

TEST_CASE("a backup under a concurrent order load restores to a consistent shop: consumers at or behind their sources, "
          "stock invariants, every acknowledged order, mail and media" *
          doctest::skip(on_postgresql())) {  // the database itself is pg_dump's there
    TestShop shop;
    const std::vector<std::string> skus{"BAK-1", "BAK-2", "BAK-3"};
    std::string product_id;
    for (auto& sku : skus) product_id = shop.product(sku, 900, 40);
    auto admin = shop.admin();
    auto image = admin.request("POST", "/api/v1/admin/products/" + product_id + "/images", kPng, {{"Content-Type", "image/png"}});
    REQUIRE_MESSAGE(image.status == 201, image.body);
    const std::string image_url = image.str("url");

    // Customers fill carts, check out and pay over real HTTP, before, while and after the backup runs.
    const int kBuyers = 4;
    std::vector<std::string> bearers;
    for (int b = 0; b < kBuyers; ++b) {
        std::string email = "buyer" + std::to_string(b) + "@example.com";
        shop.customer(email);
        auto login = shop.client().post("/api/v1/auth/login", json::object{{"email", email}, {"password", "a-long-enough-passphrase"}});
        REQUIRE(login.status == 200);
        bearers.push_back("Bearer " + login.str("access_token"));
    }
    std::atomic<bool> stop{false};
    std::atomic<int> placed{0}, unexpected{0};
    std::mutex acknowledged_mu;
    std::vector<std::pair<int, std::string>> acknowledged;  // (buyer, order id) answered 201
    std::vector<std::thread> threads;
    for (int b = 0; b < kBuyers; ++b)
        threads.emplace_back([&, b] {
            HttpClient c(shop.port());
            c.set_header("Authorization", bearers[b]);
            for (int n = 0; !stop; ++n) {
                const auto& sku = skus[(b + n) % skus.size()];
                auto cart = c.post("/api/v1/carts", json::object{});
                auto add = c.post("/api/v1/carts/" + cart.str("id") + "/items", json::object{{"sku", sku}, {"quantity", 1}});
                if (add.status != 201) {
                    if (add.status != 409) ++unexpected;
                    continue;
                }
                auto o = c.post("/api/v1/checkout",
                                json::object{{"cart_id", cart.str("id")}, {"shipping_address", address()}, {"shipping_method", "standard"}});
                if (o.status == 409) continue;  // sold out
                if (o.status != 201) {
                    ++unexpected;
                    continue;
                }
                {
                    std::lock_guard lock(acknowledged_mu);
                    acknowledged.emplace_back(b, o.str("id"));
                }
                ++placed;
                if (n % 2 == 0) {  // half are paid: confirmed, stock committed, a mail sent
                    auto card = card_token(c, "4242424242424242");
                    if (c.post("/api/v1/payments", json::object{{"order_id", o.str("id")}, {"payment_method", card}}).status != 201)
                        ++unexpected;
                }
            }
        });
    auto wait_for = [&](int orders) {
        for (int i = 0; i < 2000 && placed < orders; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    };
    wait_for(8);
    std::size_t acknowledged_before = 0;
    {
        std::lock_guard lock(acknowledged_mu);
        acknowledged_before = acknowledged.size();
    }
    TempDir backup(false);
    auto target = backup.path() / "copy";
    auto report = app::backup(shop.app(), target, {});
    int placed_at_backup_end = placed;
    wait_for(placed_at_backup_end + 4);  // the load goes on after the copy
    stop = true;
    for (auto& t : threads) t.join();
    CHECK(unexpected == 0);
    MESSAGE("orders placed ", placed.load(), ", before the backup began ", acknowledged_before, ", when it ended ", placed_at_backup_end);
    CHECK(report.database_included);
    CHECK(report.signing_keys_included);

    // Files 0600, directories 0700; the manifest lists every file with its size and SHA-256.
    CHECK(mode_of(target) == 0700);
    auto manifest = manifest_of(target);
    CHECK(manifest.at("format") == app::kBackupFormat);
    CHECK(manifest.at("shop_version").is_string());
    CHECK(manifest.at("created_at").is_string());
    CHECK(manifest.at("database").at("included") == true);
    CHECK(manifest.at("signing_keys").at("included") == true);
    CHECK(manifest.at("schema_versions").at("identity").at("module").as_int64() >= 8);
    CHECK(manifest.at("schema_versions").at("ordering").at("kernel").as_int64() >= 1);
    std::map<std::string, std::string> kinds;
    for (auto& f : manifest.at("files").as_array()) {
        std::string path(f.at("path").as_string());
        kinds[path] = std::string(f.at("kind").as_string());
        CAPTURE(path);
        CHECK(mode_of(target / path) == 0600);
        CHECK(f.at("size").as_int64() == static_cast<std::int64_t>(fs::file_size(target / path)));
        CHECK(f.at("sha256").as_string() == crypto::sha256_hex(read_text(target / path)));
    }
    for (auto& e : fs::recursive_directory_iterator(target))
        if (e.is_directory()) CHECK(mode_of(e.path()) == 0700);
    for (auto& s : kSchemas) CHECK(kinds[s + ".db"] == "database");
    CHECK(kinds["signing-keys.json"] == "signing_keys");
    CHECK(kinds["media/" + image_url.substr(image_url.rfind('/') + 1)] == "media");
    CHECK(std::count_if(kinds.begin(), kinds.end(), [](auto& k) { return k.second == "mail"; }) > 0);
    CHECK(std::none_of(kinds.begin(), kinds.end(), [](auto& k) { return k.first.starts_with("bus/") || k.first.ends_with("-wal"); }));
    CHECK_NOTHROW(app::verify_backup(target));

    // Restored into a new data directory, before any start: no consumer is ahead of its source
    // (nothing consumed that the copy does not hold as produced).
    TempDir restored;
    auto restore_report = app::restore(target, test_config(restored.path()));
    CHECK(restore_report.files == manifest.at("files").as_array().size());
    CHECK(mode_of(restored.path() / "signing-keys.json") == 0600);
    {
        db::Database copy(db::Options{.dir = restored.path(), .schemas = kSchemas});
        int consumers = 0;
        for (auto& s : shop.app().event_bus().status()) {
            CAPTURE(s.consumer);
            copy.read([&](db::Reader& r) {
                auto position = r.count("SELECT position FROM " + s.schema + ".inbox_positions WHERE consumer = ?", s.consumer);
                auto head = r.count("SELECT COALESCE(MAX(seq), 0) FROM " + s.source + ".outbox");
                CHECK(position <= head);
            });
            ++consumers;
        }
        CHECK(consumers > 5);
    }

    // Served again: every order acknowledged before the backup began is there, for its customer,
    // whose token (signed by the restored key) still verifies; stock invariants hold.
    TestShop again(restored);
    again.settle();
    auto again_admin = again.admin();
    for (auto& sku : skus) check_stock_invariants(again_admin, sku);
    for (std::size_t k = 0; k < acknowledged_before; ++k) {
        auto b = std::get<0>(acknowledged[k]);  // not a structured binding: clang 14 cannot capture one
        auto id = std::get<1>(acknowledged[k]);
        HttpClient c(again.port());
        c.set_header("Authorization", bearers[b]);
        CAPTURE(id);
        CHECK(c.get("/api/v1/orders/" + id).status == 200);
    }
    auto media = again.client().get(image_url);
    CHECK(media.status == 200);
    CHECK(media.body == kPng);
}

TEST_CASE("backup refuses a non-empty target and restore a non-empty data directory, a tampered, incomplete or padded backup" *
          doctest::skip(on_postgresql())) {
    TestShop shop;
    shop.product("TAMP-1", 500, 3);
    TempDir work(false);

    auto busy = work.path() / "busy";
    fs::create_directories(busy);
    std::ofstream(busy / "keep.txt") << "mine";
    CHECK_THROWS_WITH_AS(app::backup(shop.app(), busy, {}), doctest::Contains("is not empty"), std::runtime_error);
    CHECK(read_text(busy / "keep.txt") == "mine");  // nothing touched
    CHECK_THROWS_WITH_AS(app::backup(shop.app(), shop.dir() / "inside", {}), doctest::Contains("inside the data directory"),
                         std::runtime_error);

    auto good = work.path() / "good";
    app::backup(shop.app(), good, {});

    // A non-empty data directory is never restored into.
    CHECK_THROWS_WITH_AS(app::restore(good, test_config(busy)), doctest::Contains("is not empty"), std::runtime_error);

    auto copy_of_good = [&](const std::string& name) {
        auto dir = work.path() / name;
        fs::copy(good, dir, fs::copy_options::recursive);
        return dir;
    };
    auto fresh = [&](const std::string& name) { return test_config(work.path() / ("data-" + name)); };

    // One byte changed in a database: named, and nothing restored.
    auto tampered = copy_of_good("tampered");
    {
        std::fstream f(tampered / "ordering.db", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(200);
        f.put('\x7f');
    }
    CHECK_THROWS_WITH_AS(app::restore(tampered, fresh("tampered")), doctest::Contains("ordering.db"), std::runtime_error);
    CHECK(!fs::exists(work.path() / "data-tampered"));

    auto missing = copy_of_good("missing");
    fs::remove(missing / "payment.db");
    CHECK_THROWS_WITH_AS(app::restore(missing, fresh("missing")), doctest::Contains("payment.db is missing"), std::runtime_error);

    auto padded = copy_of_good("padded");
    std::ofstream(padded / "extra.db") << "not from the backup";
    CHECK_THROWS_WITH_AS(app::restore(padded, fresh("padded")), doctest::Contains("extra.db is not in the manifest"), std::runtime_error);

    auto interrupted = copy_of_good("interrupted");
    fs::remove(interrupted / app::kManifestName);
    CHECK_THROWS_WITH_AS(app::restore(interrupted, fresh("interrupted")), doctest::Contains("not a complete backup"), std::runtime_error);

    // Without keys: the manifest says so, and the restored install makes its own key on start.
    auto keyless = work.path() / "keyless";
    auto r = app::backup(shop.app(), keyless, {.with_keys = false});
    CHECK(!r.signing_keys_included);
    CHECK(!fs::exists(keyless / "signing-keys.json"));
    auto m = manifest_of(keyless);
    CHECK(m.at("signing_keys").at("included") == false);
    CHECK(std::string(m.at("signing_keys").at("note").as_string()).find("--without-keys") != std::string::npos);
    TempDir restored;
    app::restore(keyless, test_config(restored.path()));
    TestShop again(restored);
    CHECK(again.signing_key().first != shop.signing_key().first);
    CHECK(again.admin().get("/api/v1/admin/inventory/TAMP-1").status == 200);
}

TEST_CASE("the shop binary backs up and restores: exit codes, messages, a restored data directory that serves" *
          doctest::skip(on_postgresql())) {
    TempDir work(false);
    auto data = work.path() / "data", target = work.path() / "backup", restored = work.path() / "restored";
    auto run = [&](const std::string& args, std::string& out) {
        // Inherited SHOP_* variables are configuration (an unknown one stops the start): none of them.
        std::string cmd = "env";
        for (char** e = environ; *e; ++e)
            if (std::string_view v(*e); v.starts_with("SHOP_")) cmd += " -u " + std::string(v.substr(0, v.find('=')));
        cmd += " SHOP_LOG_LEVEL=warn " + std::string(SHOP_BINARY) + " " + args + " 2>&1";
        FILE* p = popen(cmd.c_str(), "r");
        REQUIRE(p != nullptr);
        char buf[4096];
        out.clear();
        while (std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
        int status = pclose(p);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    };
    std::string out;
    REQUIRE(run("migrate --data-dir " + data.string(), out) == 0);
    CHECK(run("backup " + target.string() + " --data-dir " + (work.path() / "nowhere").string(), out) != 0);
    CHECK(out.find("holds no shop data") != std::string::npos);
    CHECK(!fs::exists(work.path() / "nowhere"));  // a wrong --data-dir is not created
    REQUIRE(run("backup " + target.string() + " --data-dir " + data.string(), out) == 0);
    CAPTURE(out);
    CHECK(out.find("backup written to") != std::string::npos);
    CHECK(out.find("signing") != std::string::npos);  // the note on the keys it holds
    CHECK(run("backup " + target.string() + " --data-dir " + data.string(), out) != 0);
    CHECK(out.find("is not empty") != std::string::npos);
    REQUIRE(run("restore " + target.string() + " --data-dir " + restored.string(), out) == 0);
    CHECK(out.find("checksums verified") != std::string::npos);
    CHECK(run("restore " + target.string() + " --data-dir " + restored.string(), out) != 0);
    CHECK(out.find("is not empty") != std::string::npos);
    CHECK(run("migrate --dry-run --data-dir " + restored.string(), out) == 0);
    CHECK(out.find("pending migrations: 0") != std::string::npos);
}

TEST_CASE("on PostgreSQL a backup holds the data directory's files and says the database is pg_dump's" *
          doctest::skip(!on_postgresql())) {
    TestShop shop;
    TempDir work(false);
    auto r = app::backup(shop.app(), work.path() / "b", {});
    CHECK(!r.database_included);
    auto m = manifest_of(work.path() / "b");
    CHECK(m.at("database").at("engine") == "postgresql");
    CHECK(m.at("database").at("included") == false);
    CHECK(std::string(m.at("database").at("note").as_string()).find("pg_dump") != std::string::npos);
    CHECK(m.at("schema_versions").at("identity").at("module").as_int64() >= 8);
    for (auto& f : m.at("files").as_array()) CHECK(f.at("kind") != "database");
    // Restoring it on SQLite would give a shop without its database: refused.
    CHECK_THROWS_WITH_AS(app::restore(work.path() / "b", test_config(work.path() / "lite")), doctest::Contains("pg_restore"),
                         std::runtime_error);
}

TEST_CASE("key rotation: a token of the old key verifies after a new key is put first, new tokens carry the new kid, JWKS lists both") {
    TempDir dir;
    auto keys = dir.path() / "keys.json";
    write_key_file(keys, json::array{new_jwk("2026-11")});
    std::map<std::string, std::string> config{{"auth.signing_keys_file", keys.string()}};
    std::string old_token;
    {
        TestShop shop(dir, config);
        shop.customer("rotate@example.com");
        auto login = shop.client().post("/api/v1/auth/login", json::object{{"email", "rotate@example.com"}, {"password", "a-long-enough-passphrase"}});
        REQUIRE(login.status == 200);
        old_token = login.str("access_token");
        CHECK(kid_of(old_token) == "2026-11");
        auto client = shop.client();
        CHECK(jwks_kids(client) == std::set<std::string>{"2026-11"});
        CHECK(!fs::exists(shop.dir() / "signing-keys.json"));  // a configured file: none made in the data dir
    }
    // Rotation: the new key on top, the old one below it, restart.
    auto old_key = json::parse(read_text(keys)).at("keys").at(0);
    write_key_file(keys, json::array{new_jwk("2026-12"), old_key});
    TestShop shop(dir, config);
    auto c = shop.client();
    auto me = c.get("/api/v1/me", {{"Authorization", "Bearer " + old_token}});
    CHECK(me.status == 200);  // the old key still verifies the tokens it signed
    auto login = c.post("/api/v1/auth/login", json::object{{"email", "rotate@example.com"}, {"password", "a-long-enough-passphrase"}});
    REQUIRE(login.status == 200);
    CHECK(kid_of(login.str("access_token")) == "2026-12");
    CHECK(c.get("/api/v1/me", {{"Authorization", "Bearer " + login.str("access_token")}}).status == 200);
    auto jwks = c.get("/.well-known/jwks.json").json();
    REQUIRE(jwks.at("keys").as_array().size() == 2);
    CHECK(jwks.at("keys").at(0).at("kid") == "2026-12");  // the signing key first
    CHECK(jwks.at("keys").at(1).at("kid") == "2026-11");
    for (auto& k : jwks.at("keys").as_array()) CHECK(!k.as_object().contains("d"));  // never the private part
}

TEST_CASE("upgrade: a signing key kept in the database moves into the key file once and is deleted there, tokens it signed still verify") {
    TempDir dir;
    std::string token, kid;
    {
        TestShop shop(dir, {{"auth.signing_keys_file", ""}, {"auth.signing_key", ""}});  // the key file of the data directory
        auto login = shop.client().post("/api/v1/auth/login", json::object{{"email", kAdminEmail}, {"password", kAdminPassword}});
        REQUIRE(login.status == 200);
        token = login.str("access_token");
        auto [k, sk] = shop.signing_key();
        kid = k;
        CHECK(kid_of(token) == kid);
        // What an older version left: the key in identity's table, no key file.
        Ctx ctx = Ctx::system("test.legacy");
        shop.app().database().write("identity", ctx, [&, sk = sk](db::Tx& tx) {
            tx.exec("INSERT INTO identity.legacy_signing_keys (kid, public_key, secret_key, active, created_at) VALUES (?, ?, ?, 1, ?)", kid,
                    crypto::base64url_encode(sk.substr(32)), crypto::base64url_encode(sk), "2026-01-01T00:00:00.000Z");
        });
    }
    fs::remove(dir.path() / "signing-keys.json");
    TestShop shop(dir, {{"auth.signing_keys_file", ""}, {"auth.signing_key", ""}});
    CHECK(shop.signing_key().first == kid);  // the database's key signs on
    CHECK(mode_of(dir.path() / "signing-keys.json") == 0600);
    CHECK(shop.client().get("/api/v1/me", {{"Authorization", "Bearer " + token}}).status == 200);
    CHECK(shop.app().database().read([](db::Reader& r) { return r.count("SELECT COUNT(*) FROM identity.legacy_signing_keys"); }) == 0);
    auto client = shop.client();
    CHECK(jwks_kids(client) == std::set<std::string>{kid});
}

TEST_CASE("keys configured elsewhere: a key left in the database is retired, the configured file is not written, both settings at once stop the start") {
    TempDir dir;
    auto keys = dir.path() / "operator-keys.json";
    write_key_file(keys, json::array{new_jwk("ops-1")});
    auto before = read_text(keys);
    {
        TestShop shop(dir, {{"auth.signing_keys_file", keys.string()}});
        Ctx ctx = Ctx::system("test.legacy");
        auto legacy = new_jwk("db-key");
        std::string seed;
        REQUIRE(crypto::base64url_decode(legacy.at("d").as_string(), seed));
        shop.app().database().write("identity", ctx, [&](db::Tx& tx) {
            tx.exec("INSERT INTO identity.legacy_signing_keys (kid, public_key, secret_key, active, created_at) VALUES (?, ?, ?, 1, ?)",
                    "db-key", std::string(legacy.at("x").as_string()),
                    crypto::base64url_encode(seed + std::string(32, '\0')), "2026-01-01T00:00:00.000Z");
        });
    }
    TestShop shop(dir, {{"auth.signing_keys_file", keys.string()}});
    CHECK(read_text(keys) == before);
    CHECK(shop.signing_key().first == "ops-1");
    CHECK(shop.app().database().read([](db::Reader& r) { return r.count("SELECT COUNT(*) FROM identity.legacy_signing_keys"); }) == 0);
    auto client = shop.client();
    CHECK(jwks_kids(client) == std::set<std::string>{"ops-1"});
    CHECK(!fs::exists(dir.path() / "signing-keys.json"));

    TempDir other;
    auto both = test_config(other.path(), {{"auth.signing_keys_file", keys.string()},
                                           {"auth.signing_key", json::serialize(new_jwk("env-1"))}});
    if (!other.db_url().empty()) both.set("db.url", other.db_url(), "test");
    app::App app(both);
    app.migrate();
    CHECK_THROWS_WITH_AS(app.start(false), doctest::Contains("both set"), std::runtime_error);
}
