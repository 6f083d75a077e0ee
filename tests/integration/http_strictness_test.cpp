// RFC 9112 framing rules over a real socket: what Beast alone would accept and the server refuses
// with 400 problem+json before any handler runs (request smuggling and desync start here), and
// what it must still accept. The same rules answer parse_wire_request, which the fuzzer drives.
#include <doctest/doctest.h>

#include <atomic>
#include <string>

#include "platform/log.hpp"
#include "platform/server.hpp"
#include "support/raw_socket.hpp"

using namespace shop;
using namespace std::chrono_literals;

namespace {
struct EchoServer {
    Logger log{LogLevel::off};
    std::atomic<int> handled{0};
    http::Server server;
    EchoServer()
        : server(
              [] {
                  http::ServerOptions o;
                  o.port = 0;
                  o.threads = 1;
                  return o;
              }(),
              [this](http::Request& r) {
                  ++handled;
                  return http::Response::text(200, "body=" + r.body, "text/plain");
              },
              log) {
        server.start();
    }
    ~EchoServer() { server.stop(); }

    /// Sends `raw` on a new connection; the response text.
    std::string send(const std::string& raw) {
        test::RawSocket s(server.port());
        s.send(raw);
        return s.read_response();
    }
};

/// A refusal as the issue wants it: 400, problem+json naming the rule, the connection closed.
void check_refused(EchoServer& srv, const std::string& raw, std::string_view mentions) {
    test::RawSocket s(srv.server.port());
    s.send(raw);
    auto res = s.read_response();
    CHECK(test::status_of(res) == 400);
    CHECK(test::header_of(res, "content-type") == "application/problem+json");
    CHECK(test::header_of(res, "connection") == "close");
    CHECK(res.find(mentions) != std::string::npos);
    CHECK(s.closed_by_peer(2s));
}
}  // namespace

TEST_CASE("RFC 9112: a transfer coding other than a lone final chunked is refused with 400") {
    EchoServer srv;
    // The control: plain chunked is decoded and handled.
    auto ok = srv.send("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    CHECK(test::status_of(ok) == 200);
    CHECK(ok.ends_with("body=abc"));
    check_refused(srv, "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "Transfer-Encoding");
    check_refused(srv, "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nabc", "Transfer-Encoding");
    check_refused(srv, "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                  "Transfer-Encoding");
    check_refused(srv, "POST /x HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "HTTP/1.0");
    // Both framings at once (the classic smuggling shape): Beast's own check, still a 400.
    auto both = srv.send("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n");
    CHECK(test::status_of(both) == 400);
    CHECK(srv.handled == 1);  // only the control reached a handler
}

TEST_CASE("RFC 9112: a folded header line (obs-fold) is refused with 400") {
    EchoServer srv;
    check_refused(srv, "GET /x HTTP/1.1\r\nHost: a\r\nX-A: one\r\n two\r\n\r\n", "obs-fold");
    check_refused(srv, "GET /x HTTP/1.1\r\nHost: a\r\nX-A: one\r\n\ttwo\r\n\r\n", "obs-fold");
    CHECK(test::status_of(srv.send("GET /x HTTP/1.1\r\nHost: a\r\nX-A: one two\r\n\r\n")) == 200);
    CHECK(srv.handled == 1);
}

TEST_CASE("RFC 9112: HTTP/1.1 without Host or with two Host headers is refused with 400 - HTTP/1.0 needs none") {
    EchoServer srv;
    check_refused(srv, "GET /x HTTP/1.1\r\nAccept: */*\r\n\r\n", "Host");
    check_refused(srv, "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "Host");
    check_refused(srv, "GET /x HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n", "Host");
    CHECK(test::status_of(srv.send("GET /x HTTP/1.0\r\n\r\n")) == 200);
    CHECK(srv.handled == 1);
}

TEST_CASE("RFC 9112: oversized chunk extensions are refused with 400 - short ones are read past") {
    EchoServer srv;
    auto ok = srv.send("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;name=value\r\nabc\r\n0\r\n\r\n");
    CHECK(test::status_of(ok) == 200);
    CHECK(ok.ends_with("body=abc"));
    check_refused(srv,
                  "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=" + std::string(2000, 'e') +
                      "\r\nabc\r\n0\r\n\r\n",
                  "chunk extension");
    // Many short extensions add up: each under the per-chunk bound, together over the total.
    std::string many = "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 40; ++i) many += "1;x=" + std::string(900, 'e') + "\r\na\r\n";
    many += "0\r\n\r\n";
    check_refused(srv, many, "chunk extension");
    // A chunk header that never ends is not buffered without bound.
    test::RawSocket endless(srv.server.port());
    endless.send("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;");
    std::string filler(64 * 1024, 'e');
    for (int i = 0; i < 4; ++i) endless.send(filler);
    auto res = endless.read_response();
    CHECK(test::status_of(res) == 400);
    CHECK(srv.handled == 1);
}

TEST_CASE("parse_wire_request answers as the server does: the fuzzer's view of the wire") {
    http::WireLimits limits;
    http::Request req;
    CHECK_FALSE(http::parse_wire_request("POST /p?q=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi", limits, req));
    CHECK(req.method == http::Method::post);
    CHECK(req.target == "/p?q=1");
    CHECK(req.body == "hi");
    CHECK(req.header("host") == "a");

    http::Request r2;
    auto folded = http::parse_wire_request("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n", limits, r2);
    REQUIRE(folded);
    CHECK(folded->status == 400);
    auto truncated = http::parse_wire_request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nhi", limits, r2);
    REQUIRE(truncated);
    CHECK(truncated->status == 400);
    limits.body_limit = 4;
    auto big = http::parse_wire_request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\n123456789", limits, r2);
    REQUIRE(big);
    CHECK(big->status == 413);
    limits.header_limit = 64;
    auto huge = http::parse_wire_request("GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(200, 'x') + "\r\n\r\n", limits, r2);
    REQUIRE(huge);
    CHECK(huge->status == 431);
}
