#include <doctest/doctest.h>

#include "platform/net.hpp"

using namespace shop::net;

TEST_CASE("CIDR blocks hold the addresses inside them, IPv4 and IPv6") {
    auto v4 = Cidr::parse("10.0.0.0/8");
    REQUIRE(v4);
    CHECK(v4->contains("10.255.3.4"));
    CHECK_FALSE(v4->contains("11.0.0.1"));
    CHECK(v4->contains("::ffff:10.1.2.3"));  // IPv4-mapped, as a dual-stack socket reports it
    auto host = Cidr::parse("127.0.0.1");
    REQUIRE(host);
    CHECK(host->contains("127.0.0.1"));
    CHECK_FALSE(host->contains("127.0.0.2"));
    auto v6 = Cidr::parse("fd00::/8");
    REQUIRE(v6);
    CHECK(v6->contains("fd12:3456::1"));
    CHECK_FALSE(v6->contains("fe80::1"));
    CHECK_FALSE(v6->contains("10.0.0.1"));
    auto all = Cidr::parse("0.0.0.0/0");
    REQUIRE(all);
    CHECK(all->contains("203.0.113.9"));
    CHECK_FALSE(v4->contains("not an address"));
}

TEST_CASE("a malformed CIDR block or one with host bits set is refused") {
    for (const char* bad : {"", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/8x", "10.0.0.1/8", "fd00::/129", "fd00::1/8", "localhost",
                            "10.0.0", "10.0.0.0/-1"}) {
        CAPTURE(bad);
        CHECK_FALSE(Cidr::parse(bad));
    }
}

TEST_CASE("the forwarded chain reads Forwarded elements, else X-Forwarded-For, with ports and brackets removed") {
    auto chain = forwarded_chain(R"(for=192.0.2.60;proto=http;by=203.0.113.43, For="[2001:db8:cafe::17]:4711", for=unknown)", "");
    REQUIRE(chain.size() == 3);
    CHECK(chain[0] == "192.0.2.60");
    CHECK(chain[1] == "2001:db8:cafe::17");
    CHECK(chain[2] == "");
    auto xff = forwarded_chain("", " 203.0.113.7 , 198.51.100.2:8080,garbage");
    REQUIRE(xff.size() == 3);
    CHECK(xff[0] == "203.0.113.7");
    CHECK(xff[1] == "198.51.100.2");
    CHECK(xff[2] == "");
}

TEST_CASE("the client is the right-most hop not reported by an untrusted peer") {
    std::vector<Cidr> trusted{*Cidr::parse("10.0.0.0/8")};
    CHECK(client_address("10.0.0.1", {"203.0.113.7"}, trusted) == "203.0.113.7");
    CHECK(client_address("10.0.0.1", {"198.51.100.1", "203.0.113.7"}, trusted) == "203.0.113.7");
    CHECK(client_address("10.0.0.1", {"198.51.100.1", "10.9.9.9"}, trusted) == "198.51.100.1");
    CHECK(client_address("192.0.2.1", {"203.0.113.7"}, trusted) == "192.0.2.1");  // the peer is not a proxy of ours
    CHECK(client_address("10.0.0.1", {"203.0.113.7", ""}, trusted) == "10.0.0.1");
}

TEST_CASE("traceparent follows W3C trace context") {
    auto tp = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    REQUIRE(tp);
    CHECK(tp->trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");
    CHECK(tp->parent_id == "00f067aa0ba902b7");
    CHECK(tp->flags == "01");
    CHECK(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future"));  // later versions may add fields
    for (const char* bad : {"", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
                            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",      // version ff
                            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",      // zero trace
                            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",      // zero parent
                            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",    // 00 has no extra fields
                            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_traceparent(bad));
    }
}
