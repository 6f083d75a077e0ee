#pragma once
// Client addresses behind reverse proxies: CIDR blocks, RFC 7239 `Forwarded` and
// `X-Forwarded-For`, and W3C trace context. Pure functions, no sockets.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shop::net {

/// An IPv4 or IPv6 block such as 10.0.0.0/8, 127.0.0.1 (a /32) or fd00::/8. IPv4-mapped IPv6
/// addresses (::ffff:10.1.2.3) match IPv4 blocks.
class Cidr {
public:
    static std::optional<Cidr> parse(std::string_view text);
    bool contains(std::string_view address) const;

private:
    std::array<std::uint8_t, 16> bytes_{};
    int bits_ = 0;
    bool v4_ = false;
};

/// Parses a bare IPv4/IPv6 address into 16 bytes (IPv4 as ::ffff:a.b.c.d); false if it is not one.
bool parse_address(std::string_view text, std::array<std::uint8_t, 16>& out, bool& v4);

/// The hops a request went through, client first, from `Forwarded` (its `for=` values, quotes,
/// brackets and ports removed) or, when that header is absent, `X-Forwarded-For`. An entry that is
/// not an address (`unknown`, an obfuscated `_hidden` name, garbage) is kept as "" so that the
/// walk through trusted hops stops there.
std::vector<std::string> forwarded_chain(std::string_view forwarded, std::string_view x_forwarded_for);

/// The client address: walking the chain right to left from the peer, each hop is believed while
/// the one that reported it is trusted. `peer` is returned when it is not trusted.
std::string client_address(std::string_view peer, const std::vector<std::string>& chain, const std::vector<Cidr>& trusted);

/// W3C trace context (https://www.w3.org/TR/trace-context/): the 32-hex-digit trace id of a valid
/// `traceparent` header (version 00 or a later one read as 00), nullopt otherwise (all-zero ids
/// are invalid).
struct TraceParent {
    std::string trace_id;   ///< 32 lower-case hex digits
    std::string parent_id;  ///< 16 lower-case hex digits
    std::string flags;      ///< 2 hex digits
};
std::optional<TraceParent> parse_traceparent(std::string_view header);

}  // namespace shop::net
