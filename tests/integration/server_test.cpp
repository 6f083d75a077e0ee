// The Beast server itself over real sockets: graceful stop and transport limits.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "platform/log.hpp"
#include "platform/server.hpp"
#include "support/http_client.hpp"

using namespace shop;
using namespace std::chrono_literals;

TEST_CASE("stop() lets the request in flight finish, then refuses new connections") {
    Logger log(LogLevel::off);
    std::atomic<bool> entered{false};
    http::ServerOptions opts;
    opts.port = 0;
    opts.threads = 2;
    http::Server server(opts, [&](http::Request& req) {
        if (req.target == "/slow") {
            entered = true;
            std::this_thread::sleep_for(400ms);
        }
        return http::Response::text(200, "done " + req.target, "text/plain");
    }, log);
    server.start();
    auto port = server.port();

    test::HttpClient idle(port);
    CHECK(idle.get("/warm").status == 200);  // an idle keep-alive connection must not hold up the stop

    test::HttpResult slow;
    std::thread client([&] {
        test::HttpClient c(port);
        slow = c.get("/slow");
    });
    while (!entered) std::this_thread::sleep_for(5ms);
    auto t0 = std::chrono::steady_clock::now();
    server.stop();
    auto waited = std::chrono::steady_clock::now() - t0;
    client.join();

    CHECK(slow.status == 200);
    CHECK(slow.body == "done /slow");
    CHECK(slow.header("connection") == "close");
    CHECK(waited >= 200ms);  // it waited for the handler rather than cutting it off
    CHECK(waited < 5s);      // and did not wait for the idle connection's timeout
    test::HttpClient late(port);
    CHECK_THROWS(late.get("/after"));
}

TEST_CASE("oversized headers are refused with 431 and the connection closed") {
    Logger log(LogLevel::off);
    http::ServerOptions opts;
    opts.port = 0;
    opts.header_limit = 1024;
    http::Server server(opts, [](http::Request&) { return http::Response::text(200, "ok", "text/plain"); }, log);
    server.start();
    test::HttpClient c(server.port());
    auto r = c.get("/", {{"X-Big", std::string(4096, 'a')}});
    CHECK(r.status == 431);
    CHECK(r.header("content-type") == "application/problem+json");
    server.stop();
}
