#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <fstream>

#include "app/config_keys.hpp"
#include "platform/config.hpp"
#include "support/test_shop.hpp"

using shop::Config;
using shop::app::default_config;

namespace {
/// The message of the std::runtime_error `f` throws ("" when it throws none).
template <class F>
std::string refusal(F&& f) {
    try {
        f();
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("configuration layers: defaults < file < environment < explicit set") {
    shop::test::TempDir dir;
    auto file = (dir.path() / "shop.json").string();
    std::ofstream(file) << R"(// comments are allowed
    { "port": 9000, "http": { "body_limit": 2048, /* inline */ }, "log": { "level": "debug" }, })";
    Config c = default_config();
    CHECK(c.get_int("port") == 8080);
    c.overlay_file(file);
    CHECK(c.get_int("port") == 9000);
    CHECK(c.get_int("http.body_limit") == 2048);
    CHECK(c.get_int("http.header_limit") == 16384);  // untouched defaults stay
    c.overlay_env({"SHOP_PORT=9100", "PATH=/usr/bin", "SHOP_HTTP_RATE_LIMIT_ENABLED=false",
                   "SHOP_HTTP_CORS_ORIGINS= https://a.example , https://b.example:8443,"});
    CHECK(c.get_int("port") == 9100);
    CHECK(c.get_string("log.level") == "debug");
    CHECK_FALSE(c.get_bool("http.rate_limit.enabled"));
    CHECK(c.get_strings("http.cors_origins") == std::vector<std::string>{"https://a.example", "https://b.example:8443"});
    c.overlay_env({R"(SHOP_HTTP_TRUSTED_PROXIES=["10.0.0.0/8", "::1"])"});
    CHECK(c.get_strings("http.trusted_proxies") == std::vector<std::string>{"10.0.0.0/8", "::1"});
    c.overlay_env({"SHOP_HTTP_CORS_ORIGINS="});
    CHECK(c.get_strings("http.cors_origins").empty());
    c.set("port", "9200", "--port");
    CHECK(c.get_int("port") == 9200);
}

TEST_CASE("out-of-range values are refused naming the key, the value and the expected form, never wrapped") {
    Config c = default_config();
    auto port = refusal([&] { c.overlay_env({"SHOP_PORT=83940"}); });
    CHECK(port == "env SHOP_PORT: port = '83940': expected an integer from 0 to 65535");
    CHECK(c.get_int("port") == 8080);
    CHECK(refusal([&] { c.overlay_env({"SHOP_HTTP_THREADS=-3"}); }) ==
          "env SHOP_HTTP_THREADS: http.threads = '-3': expected an integer from 0 to 1024");
    CHECK(refusal([&] { c.overlay_env({"SHOP_HTTP_READ_TIMEOUT_MS=5"}); }) ==
          "env SHOP_HTTP_READ_TIMEOUT_MS: http.read_timeout_ms = '5': expected an integer from 100 to 3600000 milliseconds");
    CHECK(refusal([&] { c.set("port", "99999999999999999999", shop::ConfigSource{"flag", "--port"}); }) ==
          "flag --port: port = '99999999999999999999': expected an integer from 0 to 65535");
}

TEST_CASE("currencies, enumerations, addresses, URLs, CIDR blocks and origins are checked") {
    Config c = default_config();
    CHECK(refusal([&] { c.overlay_env({"SHOP_BASE_CURRENCY=XXXX"}); }) ==
          "env SHOP_BASE_CURRENCY: base_currency = 'XXXX': expected an ISO 4217 currency code in use, in capitals (USD, EUR, JPY)");
    CHECK(refusal([&] { c.overlay_env({"SHOP_BASE_CURRENCY=ABC"}); }).find("ISO 4217") != std::string::npos);
    CHECK(refusal([&] { c.overlay_env({"SHOP_BASE_CURRENCY=usd"}); }).find("ISO 4217") != std::string::npos);
    c.overlay_env({"SHOP_BASE_CURRENCY=JPY"});
    CHECK(c.get_string("base_currency") == "JPY");
    CHECK(refusal([&] { c.overlay_env({"SHOP_DB_SYNCHRONOUS=sometimes"}); }) ==
          "env SHOP_DB_SYNCHRONOUS: db.synchronous = 'sometimes': expected one of normal or full");
    CHECK(refusal([&] { c.overlay_env({"SHOP_LOG_LEVEL=loud"}); }) ==
          "env SHOP_LOG_LEVEL: log.level = 'loud': expected one of debug, info, warn, error or off");
    CHECK(refusal([&] { c.overlay_env({"SHOP_HOST=localhost"}); }).find("an IPv4 or IPv6 address") != std::string::npos);
    c.overlay_env({"SHOP_HOST=::"});
    CHECK(refusal([&] { c.overlay_env({"SHOP_PUBLIC_URL=shop.example.com"}); }).find("expected an absolute http or https URL") !=
          std::string::npos);
    CHECK(refusal([&] { c.overlay_env({"SHOP_DB_URL=mysql://db/shop"}); }).find("postgresql or postgres URL (or empty)") !=
          std::string::npos);
    auto cidr = refusal([&] { c.overlay_env({"SHOP_HTTP_TRUSTED_PROXIES=127.0.0.1,10.0.0.1/8"}); });
    CHECK(cidr.find("http.trusted_proxies") != std::string::npos);
    CHECK(cidr.find("item 1 ('10.0.0.1/8')") != std::string::npos);
    CHECK(cidr.find("CIDR") != std::string::npos);
    CHECK(refusal([&] { c.overlay_env({"SHOP_HTTP_CORS_ORIGINS=https://a.example/path"}); }).find("is not an origin") != std::string::npos);
    CHECK(refusal([&] { c.overlay_env({"SHOP_AUTH_ISSUER="}); }) == "env SHOP_AUTH_ISSUER: auth.issuer = '': expected a non-empty text");
}

TEST_CASE("a value of the wrong type is refused with the expected type") {
    Config c = default_config();
    CHECK(refusal([&] { c.overlay_text(R"({"port": "eighty"})", "f.json"); }) == "file f.json:1:2: port = 'eighty': expected an integer from 0 to 65535");
    CHECK(refusal([&] { c.overlay_text(R"({"port": 80.5})", "f.json"); }).find("expected an integer") != std::string::npos);
    CHECK(refusal([&] { c.overlay_env({"SHOP_PORT=eighty"}); }).find("expected an integer") != std::string::npos);
    CHECK(refusal([&] { c.overlay_env({"SHOP_HTTP_ACCESS_LOG=maybe"}); }) ==
          "env SHOP_HTTP_ACCESS_LOG: http.access_log = 'maybe': expected true or false");
    CHECK(refusal([&] { c.overlay_text(R"({"http": 5})", "f.json"); }) == "file f.json:1:2: http = 5: expected an object (a section of keys)");
    CHECK(refusal([&] { c.overlay_text(R"({"http": {"cors_origins": "https://a.example"}})", "f.json"); }).find("expected a list of origins") !=
          std::string::npos);
}

TEST_CASE("errors in a configuration file name its line and column") {
    Config c = default_config();
    std::string text = "{\n  \"port\": 8081,\n  \"http\": {\n    \"threads\": -3\n  }\n}\n";
    CHECK(refusal([&] { c.overlay_text(text, "/etc/shop/shop.json"); }) ==
          "file /etc/shop/shop.json:4:5: http.threads = '-3': expected an integer from 0 to 1024");
    // Syntax errors: where the parser stopped.
    auto syntax = refusal([&] { c.overlay_text("{\n  \"port\": 8081\n  \"host\": \"::\"\n}", "shop.json"); });
    CHECK(syntax.starts_with("file shop.json:3:3: invalid JSON: "));
    CHECK(refusal([&] { c.overlay_text("{ \"port\": }", "shop.json"); }).starts_with("file shop.json:1:11: invalid JSON"));
}

TEST_CASE("text after the configuration object is a syntax error naming where it starts (found by fuzz_config)") {
    Config c = default_config();
    CHECK(refusal([&] { c.overlay_text("{\"port\": 8080}\n{\"port\": 9090}", "shop.json"); }) == "file shop.json:2:1: invalid JSON: extra data");
    CHECK(refusal([&] { c.overlay_text("{\"port\": 8080} }", "shop.json"); }) == "file shop.json:1:16: invalid JSON: extra data");
    // Blanks and comments after it are not text.
    c.overlay_text("{\"port\": 8081}\n  // the end\n/* really */\n", "shop.json");
    CHECK(c.get_int("port") == 8081);
}

TEST_CASE("a duplicate key in a file is refused at the second one") {
    Config c = default_config();
    CHECK(refusal([&] { c.overlay_text("{\n  \"http\": { \"threads\": 2,\n              \"threads\": 4 }\n}", "shop.json"); }) ==
          "file shop.json:3:15: duplicate key 'http.threads' (each key may appear once)");
    CHECK(refusal([&] { c.overlay_text(R"({"port": 1, "http": {}, "port": 2})", "shop.json"); }).find("duplicate key 'port'") != std::string::npos);
}

TEST_CASE("an unknown key stops the start with a message naming it and the closest known key") {
    Config c = default_config();
    CHECK(refusal([&] { c.overlay_text("{\n \"http\": {\"bodylimit\": 5}}", "my.json"); }) ==
          "file my.json:2:11: unknown configuration key 'http.bodylimit' (did you mean 'http.body_limit'?)");
    CHECK(refusal([&] { c.overlay_text(R"({"http": {"prot": 1}})", "my.json"); }).find("(did you mean 'port'?)") != std::string::npos);
    CHECK(refusal([&] { c.overlay_env({"SHOP_HTTP_BODYLIMIT=5"}); }) ==
          "env SHOP_HTTP_BODYLIMIT: unknown configuration variable (did you mean 'SHOP_HTTP_BODY_LIMIT'?)");
    CHECK(refusal([&] { c.overlay_env({"SHOP_PROT=1"}); }).find("did you mean 'SHOP_PORT'?") != std::string::npos);
    // Nothing close: no suggestion.
    CHECK(refusal([&] { c.overlay_env({"SHOP_COMPLETELY_DIFFERENT=1"}); }) == "env SHOP_COMPLETELY_DIFFERENT: unknown configuration variable");
    CHECK(shop::edit_distance("prot", "port") == 1);
    CHECK(shop::edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("secrets, and only secrets, are masked, and every value shows its source layer") {
    Config c = default_config();
    c.overlay_text("{\n  \"auth\": { \"password_cost\": \"moderate\" }\n}", "prod.json");
    c.overlay_env({"SHOP_ADMIN_PASSWORD=hunter2-hunter2", "SHOP_DB_URL=postgresql://shop:s3cret@db:5432/shop"});
    c.set("metrics.token", "tok", shop::ConfigSource{"flag", "--metrics-token"});
    std::map<std::string, shop::Config::Entry> by_key;
    for (auto& e : c.entries()) by_key.emplace(e.key, e);
    CHECK(by_key.at("admin.password").value == "***");
    CHECK(by_key.at("admin.password").source.text() == "env SHOP_ADMIN_PASSWORD");
    CHECK(by_key.at("metrics.token").value == "***");
    CHECK(by_key.at("db.url").value == "postgresql://shop:***@db:5432/shop");
    CHECK(by_key.at("auth.password_cost").value == "moderate");  // a preset name, not a secret
    CHECK(by_key.at("auth.password_cost").source.text() == "file prod.json:2:13");
    CHECK(by_key.at("port").source.text() == "default");
    CHECK(by_key.at("payment.stripe.secret_key").value == "");  // unset secrets show as unset
    auto text = boost::json::serialize(c.redacted());
    CHECK(text.find("hunter2") == std::string::npos);
    CHECK(text.find("s3cret") == std::string::npos);
    CHECK(text.find("\"tok\"") == std::string::npos);
    CHECK(text.find("\"password_cost\":\"moderate\"") != std::string::npos);
    // A refused secret is not echoed.
    auto refused = refusal([&] { c.overlay_env({"SHOP_PAYMENT_STRIPE_SECRET_KEY=pk_live_oops"}); });
    CHECK(refused.find("pk_live_oops") == std::string::npos);
    CHECK(refused.find("expected a value starting with sk_ or rk_") != std::string::npos);
    CHECK(Config::env_name("http.rate_limit.per_second") == "SHOP_HTTP_RATE_LIMIT_PER_SECOND");
}

TEST_CASE("a secret marked environment-only is refused in a file, naming the variable and not the value") {
    Config c = default_config();
    auto m = refusal([&] { c.overlay_text("{\"payment\": {\"stripe\": {\"secret_key\": \"sk_test_in_a_file\"}}}", "s.json"); });
    CHECK(m.find("SHOP_PAYMENT_STRIPE_SECRET_KEY") != std::string::npos);
    CHECK(m.find("sk_test_in_a_file") == std::string::npos);
}

TEST_CASE("the key table and config/shop.json declare the same keys, with valid defaults") {
    Config c = default_config();  // throws std::logic_error on a mismatch
    CHECK(c.entries().size() == shop::app::config_keys().size());
    for (auto& k : shop::app::config_keys()) {
        CHECK_MESSAGE(!k.description.empty(), k.key);
        if (k.env_only) CHECK_MESSAGE(k.secret, k.key);
    }
    static constexpr shop::ConfigKey kMissing[] = {{.key = "port", .type = shop::ConfigType::integer, .description = "p", .min = 0, .max = 1}};
    CHECK_THROWS_AS(Config(kMissing, R"({"port": 0, "extra": 1})"), std::logic_error);
    CHECK_THROWS_AS(Config(kMissing, R"({"port": 5})"), std::logic_error);  // default out of its own range
    CHECK_THROWS_AS(Config(kMissing, R"({})"), std::logic_error);
}
