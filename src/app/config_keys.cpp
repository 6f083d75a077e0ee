#include "app/config_keys.hpp"

namespace shop {
// Defined in the generated config_defaults.cpp (config/shop.json embedded).
extern const char* const kDefaultConfigJson;
}  // namespace shop

namespace shop::app {
namespace {

using T = ConfigType;
constexpr std::int64_t kDay = 86'400;

// clang-format off
constexpr ConfigKey kKeys[] = {
    {.key = "host", .type = T::address, .description = "listen address"},
    {.key = "port", .type = T::integer, .description = "listen port; 0 picks a free port", .min = 0, .max = 65535},
    {.key = "data_dir", .type = T::path, .description = "database files, outgoing mail, media"},
    {.key = "base_currency", .type = T::currency, .description = "currency of prices when ?currency= is not given"},
    {.key = "public_url", .type = T::url, .description = "where customers reach the shop: the base of links in mails", .choices = "http|https"},

    {.key = "http.threads", .type = T::integer, .description = "I/O threads, which run requests; 0 = four per core", .min = 0, .max = 1024},
    {.key = "http.worker_threads", .type = T::integer, .description = "threads for slow routes (password hashing, search, reports)", .min = 1, .max = 1024},
    {.key = "http.max_connections", .type = T::integer, .description = "open connections at most: at the cap an idle keep-alive connection gives way, else 503 with Retry-After", .min = 16, .max = 1'000'000},
    {.key = "http.worker_queue", .type = T::integer, .description = "slow-route requests waiting or running at most; beyond it 503 with Retry-After", .min = 1, .max = 1'000'000},
    {.key = "http.body_limit", .type = T::integer, .description = "largest request body in bytes", .min = 1024, .max = 1LL << 30},
    {.key = "http.header_limit", .type = T::integer, .description = "largest request header block in bytes", .min = 1024, .max = 1LL << 20},
    {.key = "http.read_timeout_ms", .type = T::duration, .description = "time to receive one request", .min = 100, .max = 3'600'000},
    {.key = "http.idle_timeout_ms", .type = T::duration, .description = "keep-alive wait between requests", .min = 100, .max = 86'400'000},
    {.key = "http.shutdown_grace_ms", .type = T::duration, .description = "longest wait for in-flight requests on SIGTERM", .min = 0, .max = 3'600'000},
    {.key = "http.cors_origins", .type = T::origin_list, .description = "exact origins allowed to call the API from a browser"},
    {.key = "http.trusted_proxies", .type = T::cidr_list, .description = "proxies whose Forwarded / X-Forwarded-For names the client"},
    {.key = "http.idempotency_ttl_s", .type = T::duration, .description = "how long a reply is kept for Idempotency-Key retries", .min = 60, .max = 30 * kDay},
    {.key = "http.access_log", .type = T::boolean, .description = "one log line per request"},
    {.key = "http.rate_limit.enabled", .type = T::boolean, .description = "token-bucket rate limit per client address"},
    {.key = "http.rate_limit.per_second", .type = T::integer, .description = "sustained requests per client address", .min = 1, .max = 1'000'000'000},
    {.key = "http.rate_limit.burst", .type = T::integer, .description = "requests a client may send at once", .min = 1, .max = 1'000'000'000},

    {.key = "db.url", .type = T::url, .description = "empty = SQLite files in data_dir; postgresql://user:pass@host:5432/db = PostgreSQL", .choices = "postgresql|postgres", .optional = true},
    {.key = "db.pool_size", .type = T::integer, .description = "PostgreSQL: most concurrent write transactions per instance", .min = 1, .max = 1000},
    {.key = "db.group_max", .type = T::integer, .description = "SQLite: most write transactions of one schema committed together", .min = 1, .max = 100'000},
    {.key = "db.synchronous", .type = T::enumeration, .description = "SQLite durability: normal survives process crashes, full also power loss", .choices = "normal|full"},
    {.key = "db.busy_timeout_ms", .type = T::duration, .description = "wait for a locked database", .min = 0, .max = 600'000},

    {.key = "bus.max_attempts", .type = T::integer, .description = "handler attempts before an event is parked", .min = 1, .max = 1000},
    {.key = "bus.backoff_base_ms", .type = T::duration, .description = "first retry delay, doubled per attempt", .min = 1, .max = 3'600'000},
    {.key = "bus.backoff_max_ms", .type = T::duration, .description = "longest retry delay", .min = 1, .max = 86'400'000},
    {.key = "bus.poll_interval_ms", .type = T::duration, .description = "how often other instances' events are looked for", .min = 1, .max = 60'000},
    {.key = "bus.linger_ms", .type = T::duration, .description = "under load, let events gather this long to share a transaction", .min = 0, .max = 1000},

    {.key = "auth.access_ttl_s", .type = T::duration, .description = "access token lifetime", .min = 1, .max = kDay},
    {.key = "auth.refresh_ttl_s", .type = T::duration, .description = "refresh token lifetime", .min = 1, .max = 400 * kDay},
    {.key = "auth.issuer", .type = T::string, .description = "the iss of access tokens"},
    {.key = "auth.audience", .type = T::string, .description = "the aud of access tokens (RFC 9068)"},
    {.key = "auth.session_check_ms", .type = T::duration, .description = "how long a checked session is trusted before it is read again", .min = 0, .max = 3'600'000},
    {.key = "auth.signing_keys_file", .type = T::string, .description = "path of a JWK Set file of Ed25519 keys (0600): the first signs, all verify; empty = <data_dir>/signing-keys.json", .optional = true},
    {.key = "auth.signing_key", .type = T::string, .description = "the same JWK Set (or one JWK) as text", .optional = true, .secret = true, .env_only = true},
    {.key = "auth.password_cost", .type = T::enumeration, .description = "argon2id cost preset (minimum: tests only)", .choices = "interactive|moderate|sensitive|minimum"},
    {.key = "auth.argon2id.ops_limit", .type = T::integer, .description = "argon2id passes; 0 = the preset's", .min = 0, .max = 1000},
    {.key = "auth.argon2id.mem_limit_kib", .type = T::integer, .description = "argon2id memory in KiB, at least 8; 0 = the preset's", .min = 0, .max = 4LL * 1024 * 1024},
    {.key = "auth.known_device_ttl_s", .type = T::duration, .description = "how long a device that signed in is known to the login throttle", .min = 1, .max = 3650 * kDay},
    {.key = "auth.login_throttle.free_failures", .type = T::integer, .description = "wrong passwords per account and address before waits begin", .min = 0, .max = 1000},
    {.key = "auth.login_throttle.max_delay_s", .type = T::duration, .description = "longest wait after repeated failures", .min = 1, .max = kDay},
    {.key = "auth.login_throttle.reset_after_s", .type = T::duration, .description = "failures this old are forgotten", .min = 1, .max = 30 * kDay},
    {.key = "auth.login_throttle.address_failures", .type = T::integer, .description = "failures from one address across accounts per window, then 429", .min = 1, .max = 1'000'000},
    {.key = "auth.login_throttle.address_window_s", .type = T::duration, .description = "the window of address_failures", .min = 1, .max = kDay},

    {.key = "admin.email", .type = T::string, .description = "an admin with these credentials is ensured at start", .optional = true},
    {.key = "admin.password", .type = T::string, .description = "that admin's password", .optional = true, .secret = true},

    {.key = "log.level", .type = T::enumeration, .description = "least severe level logged", .choices = "debug|info|warn|error|off"},

    {.key = "metrics.token", .type = T::string, .description = "when set, /metrics needs Authorization: Bearer <token>", .optional = true, .secret = true},

    {.key = "inventory.reservation_ttl_s", .type = T::duration, .description = "unpaid orders release their stock after this", .min = 1, .max = 30 * kDay},
    {.key = "inventory.sweep_interval_ms", .type = T::duration, .description = "how often expired reservations are released", .min = 10, .max = 3'600'000},

    {.key = "ordering.orphan_sweep_interval_s", .type = T::duration, .description = "how often stock held for orders never written is released", .min = 1, .max = kDay},

    {.key = "payment.capture", .type = T::enumeration, .description = "automatic: captured when authorized; manual: an admin captures later", .choices = "automatic|manual"},
    {.key = "payment.stripe.secret_key", .type = T::token, .description = "Stripe secret or restricted key; enables Stripe", .choices = "sk_|rk_", .optional = true, .secret = true, .env_only = true},
    {.key = "payment.stripe.webhook_secret", .type = T::token, .description = "checks POST /api/v1/webhooks/stripe", .choices = "whsec_", .optional = true, .secret = true, .env_only = true},
    {.key = "payment.stripe.webhook_tolerance_s", .type = T::duration, .description = "oldest Stripe-Signature timestamp accepted", .min = 1, .max = 3600},
    {.key = "payment.stripe.api_base", .type = T::url, .description = "the Stripe API (a local fake in tests)", .choices = "http|https"},
    {.key = "payment.stripe.timeout_ms", .type = T::duration, .description = "one Stripe API call", .min = 100, .max = 120'000},

    {.key = "cart.max_line_quantity", .type = T::integer, .description = "most units of one SKU in a cart line", .min = 1, .max = 999},
    {.key = "cart.abandoned_after_s", .type = T::duration, .description = "open carts untouched this long are deleted; 0 = never", .min = 0, .max = 3650 * kDay},
    {.key = "cart.sweep_interval_s", .type = T::duration, .description = "how often abandoned carts are looked for", .min = 1, .max = kDay},

    {.key = "catalog.max_image_bytes", .type = T::integer, .description = "largest image upload", .min = 1, .max = 1LL << 30},
    {.key = "catalog.fx_refresh_interval_ms", .type = T::duration, .description = "how often FX rates another instance set are picked up", .min = 100, .max = 3'600'000},

    {.key = "tax.prices_include_tax", .type = T::boolean, .description = "true: catalog prices include tax; false: tax is added at checkout"},

    {.key = "mail.from", .type = T::string, .description = "From: of outgoing mail"},
    {.key = "mail.transport", .type = T::enumeration, .description = "file: .eml files in <data_dir>/mail/outbox (development); smtp: a mail server", .choices = "file|smtp"},
    {.key = "mail.smtp.url", .type = T::url, .description = "smtp://host:587 (STARTTLS when offered) or smtps://host:465 (TLS)", .choices = "smtp|smtps", .optional = true},
    {.key = "mail.smtp.username", .type = T::string, .description = "SMTP AUTH user; empty = no AUTH", .optional = true},
    {.key = "mail.smtp.password", .type = T::string, .description = "SMTP AUTH password", .optional = true, .secret = true, .env_only = true},
    {.key = "mail.smtp.timeout_ms", .type = T::duration, .description = "one message's whole SMTP conversation", .min = 100, .max = 600'000},
    {.key = "notification.max_attempts", .type = T::integer, .description = "delivery attempts of a message before it is failed", .min = 1, .max = 10000},
    {.key = "notification.retry_base_ms", .type = T::duration, .description = "wait after the first failed attempt, doubled after each", .min = 1, .max = 86'400'000},
    {.key = "notification.retry_max_ms", .type = T::duration, .description = "longest wait between two attempts", .min = 1, .max = 7 * 86'400'000LL},
    {.key = "notification.sms.url", .type = T::url, .description = "SMS provider endpoint (Twilio-style); empty = no SMS", .choices = "http|https", .optional = true},
    {.key = "notification.sms.authorization", .type = T::string, .description = "the Authorization header sent to the SMS provider (\"Basic ...\", \"Bearer ...\")", .optional = true, .secret = true, .env_only = true},
    {.key = "notification.sms.body", .type = T::string, .description = "Mustache template of the SMS request body: {{to}}, {{subject}}, {{text}}"},
    {.key = "notification.sms.content_type", .type = T::enumeration, .description = "content type of the SMS request body", .choices = "application/x-www-form-urlencoded|application/json"},
    {.key = "notification.push.url", .type = T::url, .description = "push provider endpoint (FCM-style); empty = no push", .choices = "http|https", .optional = true},
    {.key = "notification.push.authorization", .type = T::string, .description = "the Authorization header sent to the push provider", .optional = true, .secret = true, .env_only = true},
    {.key = "notification.push.body", .type = T::string, .description = "Mustache template of the push request body: {{to}} (the device token), {{subject}}, {{text}}"},
    {.key = "notification.push.content_type", .type = T::enumeration, .description = "content type of the push request body", .choices = "application/json|application/x-www-form-urlencoded"},
    {.key = "notification.provider_timeout_ms", .type = T::duration, .description = "one SMS or push provider request", .min = 100, .max = 600'000},
    {.key = "webhooks.timeout_ms", .type = T::duration, .description = "one webhook attempt: connecting, sending and the receiver's answer", .min = 100, .max = 120'000},
    {.key = "webhooks.max_attempts", .type = T::integer, .description = "attempts of a webhook delivery before it is failed", .min = 1, .max = 1000},
    {.key = "webhooks.retry_base_ms", .type = T::duration, .description = "wait after a delivery's first failed attempt, doubled after each", .min = 1, .max = 86'400'000},
    {.key = "webhooks.retry_max_ms", .type = T::duration, .description = "longest wait between two attempts of a delivery", .min = 1, .max = 86'400'000},
    {.key = "notification.admin_recipients", .type = T::email_list, .description = "who gets the admins' alerts (low stock); empty = admin.email"},

    {.key = "seed.demo", .type = T::boolean, .description = "seed a small demo catalog on first start"},
};
// clang-format on

}  // namespace

std::span<const ConfigKey> config_keys() { return kKeys; }

Config default_config() { return Config(kKeys, kDefaultConfigJson); }

Config load_config(const std::string& config_file, const std::vector<std::string>& env) {
    Config c = default_config();
    if (!config_file.empty()) c.overlay_file(config_file);
    c.overlay_env(env);
    return c;
}

}  // namespace shop::app
