#include "notification/module.hpp"

#include "http_provider_sender.hpp"
#include "mail_sender.hpp"
#include "notification_service.hpp"
#include "platform/bus.hpp"
#include "platform/email.hpp"
#include "smtp_sender.hpp"
#include "platform/http.hpp"
#include "domain/webhooks.hpp"
#include "webhook_service.hpp"

namespace shop::notification {

void register_notification_routes(http::Router& router, NotificationService& svc);
void register_inbox_routes(http::Router& router, Inbox& inbox);
void register_webhook_routes(http::Router& router, WebhookService& svc);
void subscribe_webhook_handlers(bus::Bus& bus, WebhookService& webhooks);
void subscribe_notification_handlers(bus::Bus& bus, NotificationService& svc, std::string shop_name, std::string public_url,
                                     std::vector<std::string> admin_recipients);

namespace {

std::unique_ptr<Sender> email_sender(const Deps& d) {
    std::string transport = d.config.get_string("mail.transport");
    std::string from = d.config.get_string("mail.from");
    if (transport == "file") return std::make_unique<FileMailSender>(d.data_dir / "mail" / "outbox", d.durable_files, from);
    if (transport == "smtp")
        return std::make_unique<SmtpMailSender>(SmtpSettings{d.config.get_string("mail.smtp.url"), d.config.get_string("mail.smtp.username"),
                                                             d.config.get_string("mail.smtp.password"), from,
                                                             std::chrono::milliseconds(d.config.get_int("mail.smtp.timeout_ms"))});
    throw std::invalid_argument("mail.transport must be file or smtp, not '" + transport + "'");
}

std::map<std::string, std::unique_ptr<Sender>, std::less<>> senders(const Deps& d) {
    std::map<std::string, std::unique_ptr<Sender>, std::less<>> out;
    out.emplace("email", email_sender(d));
    // SMS and push through an HTTP provider each, when one is configured.
    for (std::string channel : {"sms", "push"}) {
        std::string url = d.config.get_string("notification." + channel + ".url");
        if (url.empty()) continue;
        out.emplace(channel, std::make_unique<HttpProviderSender>(HttpProviderSettings{
                                 channel, url, d.config.get_string("notification." + channel + ".authorization"),
                                 d.config.get_string("notification." + channel + ".body"),
                                 d.config.get_string("notification." + channel + ".content_type"),
                                 std::chrono::milliseconds(d.config.get_int("notification.provider_timeout_ms"))}));
    }
    return out;
}

domain::RetryPolicy retry_policy(const Config& c) {
    domain::RetryPolicy p{c.get_int("notification.max_attempts"), c.get_int("notification.retry_base_ms"), c.get_int("notification.retry_max_ms")};
    if (p.max_attempts < 1 || p.base_ms < 1 || p.max_delay_ms < p.base_ms)
        throw std::invalid_argument("notification.max_attempts and notification.retry_base_ms must be at least 1, retry_max_ms at least retry_base_ms");
    return p;
}

WebhookSettings webhook_settings(const Config& c) {
    WebhookSettings s{{c.get_int("webhooks.max_attempts"), c.get_int("webhooks.retry_base_ms"), c.get_int("webhooks.retry_max_ms")},
                      std::chrono::milliseconds(c.get_int("webhooks.timeout_ms"))};
    if (s.retry.max_delay_ms < s.retry.base_ms) throw std::invalid_argument("webhooks.retry_max_ms must be at least webhooks.retry_base_ms");
    return s;
}

std::vector<std::string> admin_recipients(const Config& c) {
    auto to = c.get_strings("notification.admin_recipients");
    if (to.empty() && !c.get_string("admin.email").empty()) to.push_back(c.get_string("admin.email"));
    for (auto& a : to) {
        auto normal = normalize_email(a);
        if (!normal) throw std::invalid_argument("notification.admin_recipients: '" + a + "' is not an email address");
        a = *normal;
    }
    return to;
}

class Module final : public NotificationModule {
public:
    explicit Module(Deps d)
        : public_url_(trimmed_url(d.config.get_string("public_url"))),
          inbox_(d.db, public_url_),
          svc_(d.db, d.log, senders(d), retry_policy(d.config), inbox_),
          webhooks_(d.db, d.log, webhook_settings(d.config)),
          admin_recipients_(admin_recipients(d.config)) {}
    std::string_view name() const noexcept override { return "notification"; }
    std::span<const db::Migration> migrations() const override { return embedded_migrations(); }
    void register_routes(http::Router& r) override {
        register_notification_routes(r, svc_);
        register_inbox_routes(r, inbox_);
        register_webhook_routes(r, webhooks_);
    }
    void subscribe(bus::Bus& b) override {
        subscribe_notification_handlers(b, svc_, "shop", public_url_, admin_recipients_);
        subscribe_webhook_handlers(b, webhooks_);
    }
    void start() override {
        inbox_.start();
        svc_.start();
        webhooks_.start();
    }
    void stop() override {
        webhooks_.stop();
        svc_.stop();
    }
    bool idle() override { return svc_.idle() && webhooks_.idle(); }
    void collect_metrics(std::string& out) override {
        svc_.collect_metrics(out);
        webhooks_.collect_metrics(out);
    }
    NotificationApi& api() override { return svc_; }

private:
    static std::string trimmed_url(std::string url) {
        while (!url.empty() && url.back() == '/') url.pop_back();
        return url;
    }

    std::string public_url_;
    Inbox inbox_;               ///< before svc_, which notifies through it
    NotificationService svc_;
    WebhookService webhooks_;
    std::vector<std::string> admin_recipients_;
};
}  // namespace

std::unique_ptr<NotificationModule> make_module(Deps deps) { return std::make_unique<Module>(deps); }

}  // namespace shop::notification
