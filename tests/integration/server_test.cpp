// The Beast server itself over real sockets: graceful stop and transport limits.
#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <mutex>
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
    idle.not_the_shop();
    CHECK(idle.get("/warm").status == 200);  // an idle keep-alive connection must not hold up the stop

    test::HttpResult slow;
    std::thread client([&] {
        test::HttpClient c(port);
        c.not_the_shop();
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
    c.not_the_shop();
    auto r = c.get("/", {{"X-Big", std::string(4096, 'a')}});
    CHECK(r.status == 431);
    CHECK(r.header("content-type") == "application/problem+json");
    server.stop();
}

TEST_CASE("slow routes run on a worker thread - everything else on the connection's I/O thread") {
    Logger log(LogLevel::off);
    http::ServerOptions opts;
    opts.port = 0;
    opts.threads = 1;
    opts.worker_threads = 2;
    opts.worker_paths = {"/block", "/slow/"};
    std::mutex mu;
    std::map<std::string, std::thread::id> seen;
    std::atomic<bool> release{false};
    http::Server server(opts, [&](http::Request& req) {
        {
            std::lock_guard lock(mu);
            seen[req.target] = std::this_thread::get_id();
        }
        if (req.target == "/block") while (!release) std::this_thread::sleep_for(1ms);
        return http::Response::text(200, "ok", "text/plain");
    }, log);
    server.start();
    test::HttpClient reader(server.port());
    reader.not_the_shop();
    CHECK(reader.get("/read").status == 200);
    CHECK(reader.request("POST", "/write", "{}").status == 200);
    // A slow request (a password hash, a long report) must not stall the others on its I/O thread.
    std::thread writer([&] {
        test::HttpClient w(server.port());
        w.not_the_shop();
        CHECK(w.request("POST", "/block", "{}").status == 200);
    });
    for (int i = 0; i < 200; ++i) {
        std::lock_guard lock(mu);
        if (seen.count("/block")) break;
    }
    std::this_thread::sleep_for(50ms);
    CHECK(reader.get("/read-while-blocked").status == 200);  // answered while the write is still blocked
    release = true;
    writer.join();
    CHECK(reader.get("/slow/report-1").status == 200);
    std::lock_guard lock(mu);
    CHECK(seen.at("/read") == seen.at("/read-while-blocked"));
    CHECK(seen.at("/write") == seen.at("/read"));  // a plain write runs on its I/O thread
    CHECK(seen.at("/block") != seen.at("/read"));
    CHECK(seen.at("/slow/report-1") != seen.at("/read"));
    server.stop();
}
