#include "identity/module.hpp"

#include <sodium.h>

#include <span>
#include <stdexcept>

#include "domain/key_set.hpp"
#include "identity_service.hpp"
#include "platform/http.hpp"
#include "profile_service.hpp"

namespace shop::identity {

void register_identity_routes(http::Router& router, IdentityService& svc, ProfileService& profiles);
void register_profile_routes(http::Router& router, ProfileService& profiles);
void register_security_routes(http::Router& router, IdentityService& svc);

namespace {
class Module final : public IdentityModule {
public:
    explicit Module(Deps d) : deps_(d), svc_(d.db, d.log, d.config), profiles_(d.db, svc_) {}
    std::string_view name() const noexcept override { return "identity"; }
    std::span<const db::Migration> migrations() const override { return embedded_migrations(); }
    void register_routes(http::Router& r) override {
        register_identity_routes(r, svc_, profiles_);
        register_profile_routes(r, profiles_);
        register_security_routes(r, svc_);
    }
    void start() override {
        svc_.start();
        auto email = deps_.config.get_string("admin.email");
        auto password = deps_.config.get_string("admin.password");
        if (!email.empty() || !password.empty()) svc_.ensure_admin(email, password);
    }
    IdentityApi& api() override { return svc_; }
    void use_products(ProductDirectory& products) override { profiles_.use_products(products); }

private:
    Deps deps_;
    IdentityService svc_;
    ProfileService profiles_;
};
}  // namespace

std::unique_ptr<IdentityModule> make_module(Deps deps) { return std::make_unique<Module>(deps); }

std::string new_signing_key_set() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    return domain::key_set_json({domain::generate_signing_key()});
}

}  // namespace shop::identity
