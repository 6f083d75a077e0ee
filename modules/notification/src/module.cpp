#include "notification/module.hpp"

#include "notification_service.hpp"
#include "platform/bus.hpp"
#include "platform/http.hpp"

namespace shop::notification {

void register_notification_routes(http::Router& router, NotificationService& svc);
void subscribe_notification_handlers(bus::Bus& bus, NotificationService& svc, std::string shop_name, std::string public_url);

namespace {
class Module final : public NotificationModule {
public:
    explicit Module(Deps d)
        : svc_(d.db, d.log, std::make_unique<FileMailSender>(d.data_dir / "mail" / "outbox", d.durable_files), d.config.get_string("mail.from")),
          public_url_(d.config.get_string("public_url")) {
        while (!public_url_.empty() && public_url_.back() == '/') public_url_.pop_back();
    }
    std::string_view name() const noexcept override { return "notification"; }
    std::span<const db::Migration> migrations() const override { return embedded_migrations(); }
    void register_routes(http::Router& r) override { register_notification_routes(r, svc_); }
    void subscribe(bus::Bus& b) override { subscribe_notification_handlers(b, svc_, "shop", public_url_); }
    void start() override { svc_.start(); }
    void stop() override { svc_.stop(); }
    bool idle() override { return svc_.idle(); }
    void collect_metrics(std::string& out) override { svc_.collect_metrics(out); }
    NotificationApi& api() override { return svc_; }

private:
    NotificationService svc_;
    std::string public_url_;
};
}  // namespace

std::unique_ptr<NotificationModule> make_module(Deps deps) { return std::make_unique<Module>(deps); }

}  // namespace shop::notification
