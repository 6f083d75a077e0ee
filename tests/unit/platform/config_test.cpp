#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <fstream>

#include "platform/config.hpp"
#include "support/test_shop.hpp"

using shop::Config;

TEST_CASE("configuration layers: defaults < file < environment < explicit set") {
    shop::test::TempDir dir;
    auto file = (dir.path() / "shop.json").string();
    std::ofstream(file) << R"(// comments are allowed
    { "port": 9000, "http": { "body_limit": 2048, /* inline */ }, "log": { "level": "debug" }, })";
    Config c = Config::defaults();
    CHECK(c.get_int("port") == 8080);
    c.overlay_file(file);
    CHECK(c.get_int("port") == 9000);
    CHECK(c.get_int("http.body_limit") == 2048);
    CHECK(c.get_int("http.header_limit") == 16384);  // untouched defaults stay
    c.overlay_env({"SHOP_PORT=9100", "PATH=/usr/bin", "SHOP_HTTP_RATE_LIMIT_ENABLED=false", "SHOP_HTTP_CORS_ORIGINS=https://a,https://b"});
    CHECK(c.get_int("port") == 9100);
    CHECK(c.get_string("log.level") == "debug");
    CHECK_FALSE(c.get_bool("http.rate_limit.enabled"));
    CHECK(c.get_strings("http.cors_origins") == std::vector<std::string>{"https://a", "https://b"});
    c.set("port", "9200", "--port");
    CHECK(c.get_int("port") == 9200);
}

TEST_CASE("an unknown key stops the start with a message naming it") {
    Config c = Config::defaults();
    try {
        c.overlay(Config::parse_with_comments(R"({"http": {"bodylimit": 5}})", "my.json"), "my.json");
        FAIL("expected an error");
    } catch (const std::runtime_error& e) {
        std::string m = e.what();
        CHECK(m.find("http.bodylimit") != std::string::npos);
        CHECK(m.find("my.json") != std::string::npos);
    }
    CHECK_THROWS_WITH_AS(c.overlay_env({"SHOP_PROT=1"}), doctest::Contains("SHOP_PROT"), std::runtime_error);
}

TEST_CASE("a value of the wrong type is refused") {
    Config c = Config::defaults();
    CHECK_THROWS_WITH_AS(c.overlay(Config::parse_with_comments(R"({"port": "eighty"})", "f"), "f"),
                         doctest::Contains("wrong type"), std::runtime_error);
    CHECK_THROWS_WITH_AS(c.overlay_env({"SHOP_PORT=eighty"}), doctest::Contains("integer"), std::runtime_error);
    CHECK_THROWS_WITH_AS(c.overlay_env({"SHOP_HTTP_ACCESS_LOG=maybe"}), doctest::Contains("true or false"), std::runtime_error);
}

TEST_CASE("secrets are redacted from the printed configuration") {
    Config c = Config::defaults();
    c.set("admin.password", "hunter2-hunter2", "test");
    c.set("metrics.token", "tok", "test");
    auto text = boost::json::serialize(c.redacted());
    CHECK(text.find("hunter2") == std::string::npos);
    CHECK(text.find("\"tok\"") == std::string::npos);
    CHECK(Config::env_name("http.rate_limit.per_second") == "SHOP_HTTP_RATE_LIMIT_PER_SECOND");
}
