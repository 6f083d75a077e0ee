#include "catalog/module.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

#include "catalog_service.hpp"
#include "media_store.hpp"
#include "product_transfer.hpp"
#include "platform/bus.hpp"
#include "platform/periodic.hpp"
#include "platform/http.hpp"

namespace shop::catalog {

void register_catalog_routes(http::Router& router, CatalogService& svc, MediaStore& media, std::string base_currency);
void register_attribute_routes(http::Router& router, CatalogService& svc);
void register_review_routes(http::Router& router, CatalogService& svc);
void subscribe_catalog_handlers(bus::Bus& bus, CatalogService& svc);
void register_taxonomy_routes(http::Router& router, CatalogService& svc, std::string base_currency);
void register_transfer_routes(http::Router& router, ProductTransfer& transfer);

namespace {
// Configuration values arrive checked against their declared ranges (src/app/config_keys.cpp).
class Module final : public CatalogModule {
public:
    explicit Module(Deps d)
        : deps_(d),
          media_(std::filesystem::path(d.config.get_string("data_dir")) / "media", d.config.get_int("catalog.max_image_bytes")),
          svc_(d.db, d.log, d.config.get_string("base_currency"), media_),
          transfer_(d.db, svc_, d.config.get_string("base_currency")),
          fx_refresh_("catalog.fx_refresh", std::chrono::milliseconds(d.config.get_int("catalog.fx_refresh_interval_ms")),
                      [this] { svc_.load_fx_rates(); }, d.log) {}
    std::string_view name() const noexcept override { return "catalog"; }
    std::span<const db::Migration> migrations() const override { return embedded_migrations(); }
    void register_routes(http::Router& r) override {
        register_catalog_routes(r, svc_, media_, deps_.config.get_string("base_currency"));
        register_attribute_routes(r, svc_);
        register_review_routes(r, svc_);
        register_taxonomy_routes(r, svc_, deps_.config.get_string("base_currency"));
        register_transfer_routes(r, transfer_);
    }
    void subscribe(bus::Bus& b) override { subscribe_catalog_handlers(b, svc_); }
    void start() override {
        svc_.load_fx_rates();
        fx_refresh_.start();
    }
    void stop() override { fx_refresh_.stop(); }
    CatalogApi& api() override { return svc_; }
    void use_stock(StockPort& stock) override { transfer_.use_stock(stock); }

private:
    Deps deps_;
    MediaStore media_;
    CatalogService svc_;  ///< after media_, which it stores images in
    ProductTransfer transfer_;
    PeriodicTask fx_refresh_;  ///< after svc_, which it calls
};
}  // namespace

std::unique_ptr<CatalogModule> make_module(Deps deps) { return std::make_unique<Module>(deps); }

}  // namespace shop::catalog
