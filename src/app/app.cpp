#include "app/app.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "app/demo_dataset.hpp"
#include "app/demo_images.hpp"
#include "cart/module.hpp"
#include "catalog/module.hpp"
#include "identity/module.hpp"
#include "inventory/module.hpp"
#include "notification/module.hpp"
#include "ordering/module.hpp"
#include "payment/module.hpp"
#include "platform/api.hpp"
#include "platform/bus.hpp"
#include "platform/db.hpp"
#include "platform/http.hpp"
#include "platform/log.hpp"
#include "platform/metrics.hpp"
#include "platform/net.hpp"
#include "platform/ids.hpp"
#include "platform/periodic.hpp"
#include "platform/pipeline.hpp"
#include "platform/platform_routes.hpp"
#include "platform/server.hpp"
#include "search/module.hpp"
#include "web/web.hpp"

#ifndef SHOP_VERSION
#define SHOP_VERSION "0.0.0"
#endif

namespace shop::app {

namespace {
/// Wishlists ask the catalog about products: identity's port answered by the catalog's API, so
/// neither module depends on the other.
class CatalogProducts final : public identity::ProductDirectory {
public:
    explicit CatalogProducts(catalog::CatalogApi& catalog) : catalog_(catalog) {}
    std::optional<identity::WishedProduct> published_product(std::string_view product_id) override {
        auto p = catalog_.published_product(product_id);
        if (!p) return std::nullopt;
        return identity::WishedProduct{p->id, p->title, p->slug};
    }

private:
    catalog::CatalogApi& catalog_;
};

/// The product CSV's stock columns: the catalog's port answered by inventory's API (inventory
/// depends on the catalog, not the other way round).
class InventoryStock final : public catalog::StockPort {
public:
    explicit InventoryStock(inventory::InventoryApi& inventory) : inventory_(inventory) {}
    std::vector<std::string> warehouses() override { return inventory_.warehouse_codes(); }
    std::vector<catalog::WarehouseStock> on_hand(std::string_view sku) override {
        std::vector<catalog::WarehouseStock> out;
        for (auto& [warehouse, n] : inventory_.on_hand_levels(sku)) out.push_back({warehouse, n});
        return out;
    }
    Result<void> set_on_hand(const Ctx& ctx, std::string_view sku, std::string_view warehouse, std::int64_t on_hand) override {
        return inventory_.set_stock(ctx, sku, warehouse, on_hand, std::nullopt);
    }

private:
    inventory::InventoryApi& inventory_;
};
}  // namespace

std::string new_signing_key_set() { return identity::new_signing_key_set(); }

struct App::Impl {
    Config config;
    Logger log;
    std::unique_ptr<db::Database> db;
    std::unique_ptr<bus::Bus> bus;
    Metrics metrics;
    http::Router router;
    std::unique_ptr<http::Pipeline> pipeline;
    std::unique_ptr<http::Server> server;

    std::unique_ptr<identity::IdentityModule> identity;
    std::unique_ptr<catalog::CatalogModule> catalog;
    std::unique_ptr<inventory::InventoryModule> inventory;
    std::unique_ptr<cart::CartModule> cart;
    std::unique_ptr<ordering::OrderingModule> ordering;
    std::unique_ptr<payment::PaymentModule> payment;
    std::unique_ptr<search::SearchModule> search;
    std::unique_ptr<notification::NotificationModule> notification;
    std::unique_ptr<CatalogProducts> catalog_products;
    std::unique_ptr<InventoryStock> inventory_stock;
    std::vector<Module*> modules;  // start order
    std::unique_ptr<PeriodicTask> purge_replies;
    std::atomic<bool> started{false};
    bool stopped = false;
    int io_threads = 0;

    Impl(Config c, LogFormat format) : config(std::move(c)), log(level_of(config, format), stderr, format) {}

    /// A one-shot command prints its own result: its log shows warnings and errors only, unless
    /// log.level asks for debug.
    static LogLevel level_of(const Config& c, LogFormat format) {
        LogLevel l = parse_log_level(c.get_string("log.level"));
        return format == LogFormat::text && l == LogLevel::info ? LogLevel::warn : l;
    }
};

namespace {

/// http.trusted_proxies as CIDR blocks (the configuration checked each one when it was set).
std::vector<net::Cidr> trusted_proxies(const Config& cfg) {
    std::vector<net::Cidr> out;
    for (auto& v : cfg.get_strings("http.trusted_proxies")) out.push_back(net::Cidr::parse(v).value());
    return out;
}

db::Options database_options(const Config& cfg) {
    db::Options dbo;
    dbo.url = cfg.get_string("db.url");
    dbo.pool_size = static_cast<int>(cfg.get_int("db.pool_size"));
    dbo.dir = cfg.get_string("data_dir");
    dbo.schemas = {"identity", "catalog", "search", "cart", "inventory", "ordering", "payment", "notification"};
    dbo.group_max = static_cast<int>(cfg.get_int("db.group_max"));
    dbo.synchronous = cfg.get_string("db.synchronous");
    dbo.busy_timeout_ms = static_cast<int>(cfg.get_int("db.busy_timeout_ms"));
    return dbo;
}

}  // namespace

std::vector<db::MigrationSet> migration_sets() {
    // The start order of App's modules (schemas of database_options()).
    return {{"identity", identity::embedded_migrations()}, {"catalog", catalog::embedded_migrations()},
            {"inventory", inventory::embedded_migrations()}, {"search", search::embedded_migrations()},
            {"cart", cart::embedded_migrations()}, {"ordering", ordering::embedded_migrations()},
            {"payment", payment::embedded_migrations()}, {"notification", notification::embedded_migrations()}};
}

std::vector<db::MigrationName> pending_migrations(const Config& config) { return db::pending_migrations(database_options(config), migration_sets()); }

App::App(Config config, LogFormat log_format) : impl_(std::make_unique<Impl>(std::move(config), log_format)) {
    auto& i = *impl_;
    const auto& cfg = i.config;
    auto proxies = trusted_proxies(cfg);
    std::filesystem::path dir = cfg.get_string("data_dir");

    db::Options dbo = database_options(cfg);
    i.db = std::make_unique<db::Database>(dbo);

    bus::Options bo;
    bo.max_attempts = static_cast<int>(cfg.get_int("bus.max_attempts"));
    bo.backoff_base_ms = static_cast<int>(cfg.get_int("bus.backoff_base_ms"));
    bo.backoff_max_ms = static_cast<int>(cfg.get_int("bus.backoff_max_ms"));
    bo.poll_interval_ms = static_cast<int>(cfg.get_int("bus.poll_interval_ms"));
    bo.linger_ms = static_cast<int>(cfg.get_int("bus.linger_ms"));
    bo.state_dir = dir / "bus";
    i.bus = std::make_unique<bus::Bus>(*i.db, bo, i.log);
    i.db->on_publish([b = i.bus.get()](std::string_view schema, std::int64_t seq) { b->published(schema, seq); });

    // Modules, each given exactly what it declared it uses.
    i.identity = identity::make_module({*i.db, i.log, cfg});
    i.catalog = catalog::make_module({*i.db, i.log, cfg});
    i.inventory = inventory::make_module({*i.db, i.log, cfg, i.catalog->api()});
    i.search = search::make_module({*i.db, i.log, cfg});
    i.cart = cart::make_module({*i.db, i.log, cfg, i.catalog->api(), i.inventory->api()});
    // Payment closes a margin before the stock reservation expires (a fifth of its TTL, at most a
    // minute), so a payment in flight never outlives the stock it pays for.
    std::int64_t reservation_ms = cfg.get_int("inventory.reservation_ttl_s") * 1000;
    std::int64_t payment_window_ms = reservation_ms - std::min<std::int64_t>(60'000, reservation_ms / 5);
    i.ordering = ordering::make_module(
        {*i.db, i.log, cfg, i.catalog->api(), i.cart->api(), i.inventory->api(), payment_window_ms});
    i.cart->use_promotions(i.ordering->promotions());
    i.catalog_products = std::make_unique<CatalogProducts>(i.catalog->api());
    i.identity->use_products(*i.catalog_products);
    i.inventory_stock = std::make_unique<InventoryStock>(i.inventory->api());
    i.catalog->use_stock(*i.inventory_stock);
    i.payment = payment::make_module({*i.db, i.log, cfg, i.ordering->api()});
    i.notification = notification::make_module({*i.db, i.log, cfg, dir, dbo.synchronous == "full"});
    i.modules = {i.identity.get(), i.catalog.get(), i.inventory.get(), i.search.get(),
                 i.cart.get(),     i.ordering.get(), i.payment.get(),  i.notification.get()};

    http::PipelineOptions po;
    po.cors_origins = cfg.get_strings("http.cors_origins");
    po.rate_limit_enabled = cfg.get_bool("http.rate_limit.enabled");
    po.rate_per_second = static_cast<double>(cfg.get_int("http.rate_limit.per_second"));
    po.rate_burst = static_cast<double>(cfg.get_int("http.rate_limit.burst"));
    po.access_log = cfg.get_bool("http.access_log");
    po.trusted_proxies = std::move(proxies);
    i.pipeline = std::make_unique<http::Pipeline>(i.router, i.log, i.metrics, i.db.get(), po);
    i.pipeline->set_authenticator([id = &i.identity->api()](std::string_view token) { return id->verify_access_token(token); });
    i.pipeline->set_session_authenticator([id = &i.identity->api()](std::string_view token) { return id->verify_web_session(token); });

    for (auto* m : i.modules) {
        m->register_routes(i.router);
        m->subscribe(*i.bus);
    }
    http::register_platform_routes({i.router, *i.db, *i.bus, i.metrics, cfg.get_string("metrics.token"),
                                    [&i] { return i.started.load(); }, SHOP_VERSION});
    web::register_web_routes(i.router);
    i.metrics.add_collector([&i](std::string& out) {
        for (auto* m : i.modules) m->collect_metrics(out);
    });
}

App::~App() { stop(); }

db::MigrationReport App::migrate(bool dry_run) { return db::migrate(*impl_->db, migration_sets(), impl_->log, dry_run); }

void App::listen(int listen_fd) {
    auto& i = *impl_;
    if (i.server) return;
    http::ServerOptions so;
    so.listen_fd = listen_fd;
    so.host = i.config.get_string("host");
    so.port = static_cast<std::uint16_t>(i.config.get_int("port"));
    int threads = static_cast<int>(i.config.get_int("http.threads"));
    // Writes wait for their schema's writer on the I/O thread: more threads than cores let
    // concurrent commits gather into groups.
    so.threads = threads > 0 ? threads : static_cast<int>(4 * std::max(1u, std::thread::hardware_concurrency()));
    so.worker_threads = static_cast<int>(i.config.get_int("http.worker_threads"));
    so.body_limit = static_cast<std::size_t>(i.config.get_int("http.body_limit"));
    so.header_limit = static_cast<std::size_t>(i.config.get_int("http.header_limit"));
    so.read_timeout_ms = static_cast<int>(i.config.get_int("http.read_timeout_ms"));
    so.idle_timeout_ms = static_cast<int>(i.config.get_int("http.idle_timeout_ms"));
    so.shutdown_grace_ms = static_cast<int>(i.config.get_int("http.shutdown_grace_ms"));
    so.max_connections = static_cast<int>(i.config.get_int("http.max_connections"));
    so.worker_queue = static_cast<int>(i.config.get_int("http.worker_queue"));
    for (auto& r : i.router.routes())
        if (r->spec.blocking) so.worker_paths.push_back(r->spec.pattern.substr(0, r->spec.pattern.find('{')));
    i.io_threads = so.threads;
    i.server = std::make_unique<http::Server>(so, [p = i.pipeline.get()](http::Request& r) { return p->handle(r); }, i.log);
    i.metrics.add_collector([server = i.server.get()](std::string& out) {
        out += fmt::format("# HELP shop_http_open_connections Client connections open now.\n"
                           "# TYPE shop_http_open_connections gauge\nshop_http_open_connections {}\n"
                           "# HELP shop_http_overload_refusals_total Requests answered 503 because the server was full.\n"
                           "# TYPE shop_http_overload_refusals_total counter\n"
                           "shop_http_overload_refusals_total{{reason=\"connection_cap\"}} {}\n"
                           "shop_http_overload_refusals_total{{reason=\"worker_queue\"}} {}\n",
                           server->connections(), server->refused_at_connection_cap(), server->refused_worker_queue_full());
    });
    i.server->listen();
}

void App::start(bool with_http) {
    auto& i = *impl_;
    for (auto* m : i.modules) m->start();
    i.bus->start();
    std::int64_t ttl_ms = i.config.get_int("http.idempotency_ttl_s") * 1000;
    i.purge_replies = std::make_unique<PeriodicTask>("idempotency.purge", std::chrono::minutes(10),
                                                     [&i, ttl_ms] { i.db->purge_replies(now_ms() - ttl_ms); }, i.log);
    i.purge_replies->start();
    if (with_http) {
        listen();
        i.server->start();
        std::string host = i.config.get_string("host");
        if (host.find(':') != std::string::npos) host = "[" + host + "]";
        i.log.info("listening", {{"url", "http://" + host + ":" + std::to_string(i.server->port())},
                                 {"threads", i.io_threads},
                                 {"data_dir", i.config.get_string("data_dir")},
                                 {"database", i.db->dialect() == "sqlite" ? std::string("sqlite")
                                                                          : redact_url_password(i.config.get_string("db.url"))}});
    }
    i.started = true;
}

void App::stop() {
    auto& i = *impl_;
    if (i.stopped) return;
    i.stopped = true;
    i.started = false;
    if (i.server) i.server->stop();  // drains in-flight requests first
    if (i.purge_replies) i.purge_replies->stop();
    i.bus->stop();
    for (auto it = i.modules.rbegin(); it != i.modules.rend(); ++it) (*it)->stop();
    i.log.info("stopped");
}

bool App::drain_bus(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !impl_->bus->wait_idle(left)) return false;
        bool idle = true;
        for (auto* m : impl_->modules) idle = idle && m->idle();
        // Background work may have published again: settled only when the bus is still idle.
        if (idle && impl_->bus->wait_idle(std::chrono::milliseconds(0))) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}
std::string App::openapi_json() const { return boost::json::serialize(api::openapi_document(impl_->router, "shop", SHOP_VERSION)); }
std::uint16_t App::port() const { return impl_->server ? impl_->server->port() : 0; }
const Config& App::config() const { return impl_->config; }
Logger& App::log() { return impl_->log; }
db::Database& App::database() { return *impl_->db; }
bus::Bus& App::event_bus() { return *impl_->bus; }
http::Pipeline& App::pipeline() { return *impl_->pipeline; }
const http::Router& App::router() const { return impl_->router; }
catalog::CatalogApi& App::catalog() { return impl_->catalog->api(); }
std::filesystem::path App::data_dir() const { return impl_->config.get_string("data_dir"); }

// ---- seeding ----

namespace {
Ctx seeding_ctx() {
    Ctx c = Ctx::system("seed");
    c.principal = Principal{"seed", "admin", "", {}};
    return c;
}
}  // namespace

namespace {
void seed_product(catalog::CatalogApi& catalog, inventory::InventoryApi& inventory, const Ctx& ctx, const catalog::NewProduct& p,
                  std::int64_t on_hand, std::int64_t low_stock_threshold) {
    auto created = catalog.create_product(ctx, p);
    if (!created && created.error().http_status() == 409) throw ErrorException(created.error());  // taken meanwhile
    if (!created) throw std::runtime_error("seeding '" + p.title + "' failed: " + created.error().detail);
    for (auto& v : p.variants) {
        auto r = inventory.set_stock(ctx, v.sku, "main", on_hand, low_stock_threshold);
        if (!r) throw std::runtime_error("seeding stock of '" + v.sku + "' failed: " + r.error().detail);
    }
}
}  // namespace

int App::seed_demo() {
    auto& i = *impl_;
    if (i.catalog->api().product_count() > 0) return 0;
    struct Demo {
        const char* title;
        const char* description;
        std::vector<std::pair<std::string, std::int64_t>> variants;  // sku suffix, price (USD cents)
    };
    const std::vector<Demo> demos = {
        {"Classic Cotton T-Shirt", "Soft, breathable organic cotton tee with a relaxed fit.", {{"S", 1900}, {"M", 1900}, {"L", 1900}}},
        {"Merino Wool Sweater", "Warm, itch-free merino knit for cold mornings.", {{"M", 8900}, {"L", 8900}}},
        {"Canvas Sneakers", "Low-top canvas sneakers with a vulcanised rubber sole.", {{"42", 6500}, {"43", 6500}, {"44", 6500}}},
        {"Leather Wallet", "Slim bifold wallet in full-grain vegetable-tanned leather.", {{"ONE", 4500}}},
        {"Stainless Water Bottle", "Double-walled bottle that keeps drinks cold for 24 hours.", {{"500ML", 2900}, {"750ML", 3400}}},
        {"Ceramic Coffee Mug", "Hand-glazed stoneware mug, dishwasher safe.", {{"ONE", 1600}}},
        {"Wireless Headphones", "Over-ear headphones with active noise cancelling and 30h battery.", {{"BLACK", 19900}, {"WHITE", 19900}}},
        {"Yoga Mat", "Non-slip natural rubber mat, 5 mm thick.", {{"ONE", 5500}}},
    };
    int n = 0;
    Ctx ctx = seeding_ctx();
    for (auto& d : demos) {
        catalog::NewProduct p;
        p.title = d.title;
        p.description = d.description;
        p.status = "published";
        std::string base;
        for (const char* c = d.title; *c; ++c)
            if (std::isupper(static_cast<unsigned char>(*c))) base.push_back(*c);
        for (auto& [suffix, price] : d.variants)
            p.variants.push_back({base + "-" + suffix, suffix, {{"variant", suffix}}, {{price, "USD"}, {price * 92 / 100, "EUR"}}});
        try {
            seed_product(i.catalog->api(), i.inventory->api(), ctx, p, 25, 5);
        } catch (const ErrorException& e) {
            // Another instance sharing the database is seeding the same catalog right now.
            if (e.error().http_status() != 409) throw;
            i.log.info("the demo catalog is being seeded by another instance");
            return n;
        }
        ++n;
    }
    i.log.info("seeded the demo catalog", {{"products", n}});
    return n;
}

int App::seed_generated(int count) {
    auto& i = *impl_;
    static const char* kAdjectives[] = {"Classic", "Modern", "Vintage", "Organic", "Premium", "Compact", "Rugged", "Elegant"};
    static const char* kNouns[] = {"Jacket", "Backpack", "Lamp", "Chair", "Watch", "Kettle", "Scarf", "Notebook", "Speaker", "Boots"};
    static const char* kColours[] = {"red", "blue", "green", "black", "white", "grey", "amber", "teal"};
    Ctx ctx = seeding_ctx();
    std::int64_t start = i.catalog->api().product_count();
    // Several seeders at once: their transactions share group commits, which is what makes bulk
    // loading fast (the same index pages are written to the WAL once per group, not per product).
    std::atomic<int> next{0};
    std::exception_ptr failure;
    std::mutex failure_mu;
    auto seeder = [&] {
        try {
            for (int k = next++; k < count; k = next++) {
                std::int64_t n = start + k;
                catalog::NewProduct p;
                p.title = std::string(kAdjectives[n % 8]) + " " + kColours[(n / 8) % 8] + " " + kNouns[(n / 64) % 10] + " " +
                          std::to_string(n);
                p.description = "A " + std::string(kColours[(n / 8) % 8]) + " " + kNouns[(n / 64) % 10] +
                                " made to last. Generated product number " + std::to_string(n) + " for load tests.";
                p.status = "published";
                std::string sku = "GEN-" + std::to_string(n);
                p.slug = "generated-product-" + std::to_string(n);
                std::int64_t price = 500 + (n * 37) % 20000;
                p.variants.push_back({sku + "-A", "Standard", {{"edition", "standard"}}, {{price, "USD"}, {price * 92 / 100, "EUR"}}});
                p.variants.push_back({sku + "-B", "Deluxe", {{"edition", "deluxe"}}, {{price * 3 / 2, "USD"}, {price * 138 / 100, "EUR"}}});
                seed_product(i.catalog->api(), i.inventory->api(), ctx, p, 100, 10);
            }
        } catch (...) {
            std::lock_guard lock(failure_mu);
            if (!failure) failure = std::current_exception();
            next = count;
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) threads.emplace_back(seeder);
    for (auto& t : threads) t.join();
    if (failure) std::rethrow_exception(failure);
    i.log.info("seeded generated products", {{"products", count}});
    return count;
}

namespace {

/// One request through the whole HTTP pipeline in process, as a client at `client` would send it.
boost::json::value call(http::Pipeline& pipeline, http::Method method, const std::string& target, const boost::json::value& body,
                        const std::string& token, const std::string& client) {
    http::Request req;
    req.method = method;
    req.target = target;
    req.remote_address = client;
    if (!body.is_null()) {
        req.body = boost::json::serialize(body);
        req.headers.set("Content-Type", "application/json");
    }
    if (!token.empty()) req.headers.set("Authorization", "Bearer " + token);
    auto res = pipeline.handle(req);
    if (res.status >= 300) throw std::runtime_error("seeding: " + std::string(http::to_string(method)) + " " + target + " answered " +
                                                    std::to_string(res.status) + ": " + res.body);
    return res.body.empty() ? boost::json::value() : boost::json::parse(res.body);
}

template <class T>
T seeded(Result<T> r, const std::string& what) {
    if (!r) throw std::runtime_error("seeding " + what + " failed: " + r.error().detail);
    if constexpr (!std::is_void_v<T>) return std::move(*r);
}

}  // namespace

int App::seed_demo_dataset() {
    auto& i = *impl_;
    if (i.catalog->api().product_count() > 0) return 0;
    auto data = demo_dataset();
    Ctx ctx = seeding_ctx();

    std::vector<identity::NewUser> users;
    for (auto& u : data.users) users.push_back({u.email, u.password, u.name, u.role});
    auto created_users = seeded(i.identity->api().create_users(ctx, users), "users");
    std::string vendor_id;
    for (auto& u : created_users)
        if (u.role == "vendor") vendor_id = u.id;

    std::vector<std::string> category_ids;
    for (auto& c : data.categories)
        category_ids.push_back(seeded(i.catalog->api().add_category(ctx, c.name, c.parent < 0 ? "" : category_ids[c.parent]), "a category"));
    std::vector<std::string> brand_ids;
    for (auto& b : data.brands) brand_ids.push_back(seeded(i.catalog->api().add_brand(ctx, b), "a brand"));
    for (auto& w : data.warehouses) {
        auto r = i.inventory->api().add_warehouse(ctx, w.code, w.name, w.priority);
        if (!r && r.error().http_status() != 409) seeded(std::move(r), "a warehouse");  // 409: it exists already
    }

    // The vendor account owns the products of the first two brands; the shop owns the rest.
    Ctx vendor_ctx = ctx;
    vendor_ctx.principal = Principal{vendor_id, "vendor", "vendor@example.com", {}};
    std::atomic<std::size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mu;
    std::vector<std::string> product_ids(data.products.size());
    // Each distinct picture (view, colour) is generated and stored once; products share them.
    std::map<std::pair<int, std::uint32_t>, std::string> pictures;
    std::mutex pictures_mu;
    auto picture = [&](const DemoImage& im) {
        std::lock_guard lock(pictures_mu);
        auto& path = pictures[{im.view, im.rgb}];
        if (path.empty()) path = seeded(i.catalog->api().store_image(demo_png(im.view, im.rgb), "image/png"), "a product image");
        return path;
    };
    auto seeder = [&] {
        try {
            for (std::size_t k = next++; k < data.products.size(); k = next++) {
                const auto& d = data.products[k];
                catalog::NewProduct p;
                for (std::size_t n = 0; n < d.images.size(); ++n)
                    p.images.push_back({picture(d.images[n]), d.images[n].alt, static_cast<std::int64_t>(n)});
                p.title = d.title;
                p.description = d.description;
                p.status = "published";
                p.brand_id = brand_ids[d.brand];
                p.category_ids = {category_ids[d.category]};
                for (auto& v : d.variants)
                    p.variants.push_back({v.sku, v.title, {{v.option_name, v.option_value}}, {{v.usd, "USD"}, {v.eur, "EUR"}}});
                const Ctx& owner = d.brand < 2 && !vendor_id.empty() ? vendor_ctx : ctx;
                product_ids[k] = seeded(i.catalog->api().create_product(owner, p), "product '" + d.title + "'").id;
                for (std::size_t v = 0; v < d.variants.size(); ++v)
                    for (auto& s : d.stock[v]) {
                        seeded(i.inventory->api().set_stock(ctx, d.variants[v].sku, s.warehouse, s.on_hand, 5), "stock");
                        for (auto& [delta, reason] : s.adjustments)
                            seeded(i.inventory->api().adjust_stock(ctx, d.variants[v].sku, s.warehouse, delta, reason), "a stock adjustment");
                    }
            }
        } catch (...) {
            std::lock_guard lock(failure_mu);
            if (!failure) failure = std::current_exception();
            next = data.products.size();
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) threads.emplace_back(seeder);
    for (auto& t : threads) t.join();
    if (failure) std::rethrow_exception(failure);

    // Past orders, placed and paid the way a customer does it; each customer is its own client.
    std::map<int, std::string> tokens;
    boost::json::object address{{"name", "Demo Customer"}, {"line1", "1 Main Street"}, {"city", "Springfield"}, {"postal_code", "12345"},
                                {"country", "US"}};
    for (auto& o : data.orders) {
        const auto& u = data.users[static_cast<std::size_t>(o.customer)];
        std::string client = "seed-" + u.email;
        auto& token = tokens[o.customer];
        if (token.empty())
            token = std::string(call(*i.pipeline, http::Method::post, "/api/v1/auth/login",
                                     boost::json::object{{"email", u.email}, {"password", u.password}}, "", client)
                                    .at("access_token")
                                    .as_string());
        auto cart = call(*i.pipeline, http::Method::post, "/api/v1/carts", boost::json::object{}, token, client);
        std::string cart_id(cart.at("id").as_string());
        for (auto& [sku, quantity] : o.lines)
            call(*i.pipeline, http::Method::post, "/api/v1/carts/" + cart_id + "/items", boost::json::object{{"sku", sku}, {"quantity", quantity}},
                 token, client);
        auto order = call(*i.pipeline, http::Method::post, "/api/v1/checkout",
                          boost::json::object{{"cart_id", cart_id}, {"shipping_address", address}, {"shipping_method", "standard"}}, token, client);
        auto card = call(*i.pipeline, http::Method::post, "/api/v1/payments/sandbox/tokens",
                         boost::json::object{{"number", "4242424242424242"}, {"exp_month", 12}, {"exp_year", 2099}, {"cvc", "123"}}, "", client);
        call(*i.pipeline, http::Method::post, "/api/v1/payments",
             boost::json::object{{"order_id", order.at("id")}, {"payment_method", card.at("token")}}, token, client);
    }

    // Reviews, once the catalog has learned from the orders' events who bought what (verified
    // purchases); then the admin moderates them.
    drain_bus(std::chrono::minutes(2));
    std::vector<std::pair<std::string, std::string>> verdicts;  // review id, status
    for (auto& r : data.reviews) {
        const auto& u = data.users[static_cast<std::size_t>(r.customer)];
        std::string client = "seed-" + u.email;
        auto& token = tokens[r.customer];
        if (token.empty())
            token = std::string(call(*i.pipeline, http::Method::post, "/api/v1/auth/login",
                                     boost::json::object{{"email", u.email}, {"password", u.password}}, "", client)
                                    .at("access_token")
                                    .as_string());
        auto review = call(*i.pipeline, http::Method::post, "/api/v1/products/" + product_ids[static_cast<std::size_t>(r.product)] + "/reviews",
                           boost::json::object{{"rating", r.rating}, {"title", r.title}, {"body", r.body}}, token, client);
        if (!r.moderation.empty()) verdicts.emplace_back(std::string(review.at("id").as_string()), r.moderation);
    }
    std::string admin_token(call(*i.pipeline, http::Method::post, "/api/v1/auth/login",
                                 boost::json::object{{"email", data.users[0].email}, {"password", data.users[0].password}}, "",
                                 "seed-" + data.users[0].email)
                                .at("access_token")
                                .as_string());
    for (auto& [id, status] : verdicts)
        call(*i.pipeline, http::Method::patch, "/api/v1/admin/reviews/" + id, boost::json::object{{"status", status}}, admin_token,
             "seed-" + data.users[0].email);

    std::int64_t image_count = 0;
    for (auto& p : data.products) image_count += static_cast<std::int64_t>(p.images.size());
    i.log.info("seeded the demo data set", {{"users", static_cast<std::int64_t>(created_users.size())},
                                            {"images", image_count},
                                            {"image_files", static_cast<std::int64_t>(pictures.size())},
                                            {"reviews", static_cast<std::int64_t>(data.reviews.size())},
                                            {"categories", static_cast<std::int64_t>(category_ids.size())},
                                            {"brands", static_cast<std::int64_t>(brand_ids.size())},
                                            {"products", static_cast<std::int64_t>(data.products.size())},
                                            {"orders", static_cast<std::int64_t>(data.orders.size())}});
    return static_cast<int>(data.products.size());
}

}  // namespace shop::app
