// Abusive clients over real sockets: thousands of idle connections and a slowloris client leave
// the shop answering; the connection cap and the bounded worker queue answer 503 with Retry-After
// when full instead of growing an unbounded backlog.
#include <doctest/doctest.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "platform/log.hpp"
#include "platform/server.hpp"
#include "support/raw_socket.hpp"
#include "support/test_shop.hpp"

using namespace shop;
using namespace std::chrono_literals;

namespace {
std::string get(std::string_view path) { return "GET " + std::string(path) + " HTTP/1.1\r\nHost: shop\r\n\r\n"; }

/// Connections this process may hold at both ends: the soft open-file limit raised to the hard one.
std::size_t connections_we_can_hold(std::size_t wanted) {
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
    std::size_t files = rl.rlim_cur == RLIM_INFINITY ? wanted * 4 : static_cast<std::size_t>(rl.rlim_cur);
    return std::min(wanted, files > 1024 ? (files - 1024) / 2 : std::size_t{0});
}
}  // namespace

TEST_CASE("5,000 idle keep-alive connections and a slowloris client do not stop /healthz answering") {
    std::size_t n = connections_we_can_hold(5000);
    MESSAGE("idle connections held: " << n);
    REQUIRE(n >= 1000);
    test::TestShop shop;
    auto port = shop.port();

    std::vector<test::RawSocket> idle;
    idle.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        idle.emplace_back(port);
        if (i % 2 == 0) {  // half have been served once and wait in keep-alive, half never spoke
            idle.back().send(get("/healthz"));
            REQUIRE(test::status_of(idle.back().read_response()) == 200);
        }
    }
    // Slowloris: a header that trickles in a byte at a time and never ends.
    std::atomic<bool> stop{false};
    std::thread loris([&] {
        test::RawSocket s(port);
        s.send("GET /healthz HTTP/1.1\r\nHost: shop\r\n");
        while (!stop && s.send("X")) std::this_thread::sleep_for(20ms);
    });

    auto worst = 0ms;
    for (int i = 0; i < 50; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        test::RawSocket probe(port);
        probe.send(get("/healthz"));
        auto res = probe.read_response(10s);
        CHECK(test::status_of(res) == 200);
        worst = std::max(worst, std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0));
    }
    // The figure is measured by scripts/bench abuse; here it is only reported.
    MESSAGE("slowest /healthz among 50 with " << n << " idle connections and a slowloris client: " << worst.count() << " ms");
    // The idle ones are still served when they speak again.
    idle[0].send(get("/healthz"));
    CHECK(test::status_of(idle[0].read_response()) == 200);
    stop = true;
    loris.join();
}

TEST_CASE("a slowloris client is cut off when the read timeout passes") {
    test::TestShop shop(std::map<std::string, std::string>{{"http.read_timeout_ms", "300"}});
    test::RawSocket s(shop.port());
    s.send("GET /healthz HTTP/1.1\r\nHost: shop\r\n");
    bool cut = false;
    for (int i = 0; i < 200 && !cut; ++i) {  // a byte every 20 ms: never idle, never finished
        if (!s.send("X")) cut = true;
        cut = cut || s.closed_by_peer(20ms);
    }
    CHECK(cut);
}

TEST_CASE("at the connection cap an idle keep-alive connection gives way - when all are busy, 503 with Retry-After") {
    Logger log(LogLevel::off);
    http::ServerOptions opts;
    opts.port = 0;
    opts.threads = 2;
    opts.max_connections = 16;
    http::Server server(opts, [](http::Request&) { return http::Response::text(200, "ok", "text/plain"); }, log);
    server.start();

    SUBCASE("every connection mid-request: the next one is refused") {
        std::vector<test::RawSocket> busy;
        for (int i = 0; i < 16; ++i) {
            busy.emplace_back(server.port());
            busy.back().send("GET / HTTP/1.1\r\nHost: x\r\n");  // half a request
        }
        std::this_thread::sleep_for(100ms);
        test::RawSocket late(server.port());
        late.send(get("/"));
        auto res = late.read_response();
        CHECK(test::status_of(res) == 503);
        CHECK(test::header_of(res, "retry-after") == "1");
        CHECK(test::header_of(res, "content-type") == "application/problem+json");
        CHECK(late.closed_by_peer(3s));
        CHECK(server.refused_at_connection_cap() == 1);  // shop_http_overload_refusals_total{reason="connection_cap"}
        // One of them finishes its request and is answered: nothing was dropped.
        busy[3].send("\r\n");
        CHECK(test::status_of(busy[3].read_response()) == 200);
    }
    SUBCASE("idle keep-alive connections: the longest-open one is closed for the newcomer") {
        std::vector<test::RawSocket> idle;
        for (int i = 0; i < 16; ++i) {
            idle.emplace_back(server.port());
            idle.back().send(get("/"));
            REQUIRE(test::status_of(idle.back().read_response()) == 200);
        }
        test::RawSocket late(server.port());
        late.send(get("/"));
        CHECK(test::status_of(late.read_response()) == 200);
        CHECK(idle[0].closed_by_peer(3s));
        idle[15].send(get("/"));  // the newest idle one is still served
        CHECK(test::status_of(idle[15].read_response()) == 200);
    }
    server.stop();
}

TEST_CASE("a full worker queue answers slow routes 503 with Retry-After at once - the rest go on") {
    Logger log(LogLevel::off);
    http::ServerOptions opts;
    opts.port = 0;
    opts.threads = 1;
    opts.worker_threads = 1;
    opts.worker_queue = 2;
    opts.worker_paths = {"/slow"};
    std::atomic<bool> release{false};
    std::atomic<int> started{0};
    http::Server server(opts, [&](http::Request& r) {
        if (r.target == "/slow") {
            ++started;
            while (!release) std::this_thread::sleep_for(1ms);
        }
        return http::Response::text(200, "ok", "text/plain");
    }, log);
    server.start();

    std::vector<test::RawSocket> slow;
    for (int i = 0; i < 5; ++i) {
        slow.emplace_back(server.port());
        slow.back().send(get("/slow"));
    }
    // Two hold the queue (one running, one waiting); three are turned away without waiting.
    int refused = 0;
    std::vector<std::size_t> waiting;
    for (std::size_t i = 0; i < slow.size(); ++i) {
        auto res = slow[i].read_response(500ms);
        if (res.empty()) {
            waiting.push_back(i);
            continue;
        }
        CHECK(test::status_of(res) == 503);
        CHECK(test::header_of(res, "retry-after") == "1");
        ++refused;
    }
    CHECK(refused == 3);
    CHECK(waiting.size() == 2);
    CHECK(server.refused_worker_queue_full() == 3);
    test::RawSocket fast(server.port());  // a route off the worker pool is not held up
    fast.send(get("/fast"));
    CHECK(test::status_of(fast.read_response(2s)) == 200);
    release = true;
    for (auto i : waiting) CHECK(test::status_of(slow[i].read_response()) == 200);
    CHECK(started == 2);
    server.stop();
}
