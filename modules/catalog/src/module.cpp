#include "catalog/module.hpp"

#include "catalog_service.hpp"
#include "platform/http.hpp"

namespace shop::catalog {

std::span<const db::Migration> embedded_migrations();
void register_catalog_routes(http::Router& router, CatalogService& svc, std::string base_currency);
void register_taxonomy_routes(http::Router& router, CatalogService& svc, std::string base_currency);

namespace {
class Module final : public CatalogModule {
public:
    explicit Module(Deps d) : deps_(d), svc_(d.db, d.log) {}
    std::string_view name() const noexcept override { return "catalog"; }
    std::span<const db::Migration> migrations() const override { return embedded_migrations(); }
    void register_routes(http::Router& r) override {
        register_catalog_routes(r, svc_, deps_.config.get_string("base_currency"));
        register_taxonomy_routes(r, svc_, deps_.config.get_string("base_currency"));
    }
    CatalogApi& api() override { return svc_; }

private:
    Deps deps_;
    CatalogService svc_;
};
}  // namespace

std::unique_ptr<CatalogModule> make_module(Deps deps) { return std::make_unique<Module>(deps); }

}  // namespace shop::catalog
