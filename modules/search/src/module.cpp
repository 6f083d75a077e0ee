#include "search/module.hpp"

#include "platform/bus.hpp"
#include "platform/http.hpp"
#include "search_service.hpp"

namespace shop::search {

void register_search_routes(http::Router& router, SearchService& svc, std::string base_currency);
void subscribe_search_handlers(bus::Bus& bus, SearchService& svc);

namespace {
class Module final : public SearchModule {
public:
    explicit Module(Deps d) : deps_(d), svc_(d.db, d.log) {}
    std::string_view name() const noexcept override { return "search"; }
    std::span<const db::Migration> migrations() const override { return embedded_migrations(); }
    void register_routes(http::Router& r) override { register_search_routes(r, svc_, deps_.config.get_string("base_currency")); }
    void subscribe(bus::Bus& b) override { subscribe_search_handlers(b, svc_); }
    SearchApi& api() override { return svc_; }
    void start() override { svc_.current(); }  // the first search finds the index built

private:
    Deps deps_;
    SearchService svc_;
};
}  // namespace

std::unique_ptr<SearchModule> make_module(Deps deps) { return std::make_unique<Module>(deps); }

}  // namespace shop::search
