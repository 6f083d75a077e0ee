#include "platform/net.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace shop::net {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool lower_hex(std::string_view s, std::size_t n) {
    return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

/// "192.0.2.1:8080", "[2001:db8::1]:443", "\"[2001:db8::1]\"" -> the bare address.
std::string_view strip_node(std::string_view v) {
    v = trim(v);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (!v.empty() && v.front() == '[') {
        auto close = v.find(']');
        return close == std::string_view::npos ? std::string_view{} : v.substr(1, close - 1);
    }
    // IPv4 with a port: exactly one ':'; a bare IPv6 address has several.
    if (std::count(v.begin(), v.end(), ':') == 1) v = v.substr(0, v.find(':'));
    return v;
}

std::string as_address(std::string_view v) {
    std::array<std::uint8_t, 16> bytes;
    bool v4 = false;
    v = strip_node(v);
    return parse_address(v, bytes, v4) ? std::string(v) : std::string();
}

}  // namespace

bool parse_address(std::string_view text, std::array<std::uint8_t, 16>& out, bool& v4) {
    if (text.empty() || text.size() > 45) return false;
    char buf[46];
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    in_addr a4;
    if (inet_pton(AF_INET, buf, &a4) == 1) {
        out.fill(0);
        out[10] = out[11] = 0xff;
        std::memcpy(out.data() + 12, &a4, 4);
        v4 = true;
        return true;
    }
    in6_addr a6;
    if (inet_pton(AF_INET6, buf, &a6) == 1) {
        std::memcpy(out.data(), &a6, 16);
        static const std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        v4 = std::memcmp(out.data(), mapped, 12) == 0;
        return true;
    }
    return false;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
    text = trim(text);
    auto slash = text.find('/');
    Cidr c;
    if (!parse_address(text.substr(0, slash), c.bytes_, c.v4_)) return std::nullopt;
    bool written_v4 = text.substr(0, slash).find(':') == std::string_view::npos;
    int max = written_v4 ? 32 : 128;
    int bits = max;
    if (slash != std::string_view::npos) {
        auto p = text.substr(slash + 1);
        auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), bits);
        if (p.empty() || ec != std::errc{} || end != p.data() + p.size() || bits < 0 || bits > max) return std::nullopt;
    }
    c.bits_ = written_v4 ? bits + 96 : bits;
    // Host bits set (10.0.0.1/8) are a typo more often than an intent: refuse them.
    for (int i = c.bits_; i < 128; ++i)
        if (c.bytes_[i / 8] & (0x80 >> (i % 8))) return std::nullopt;
    return c;
}

bool Cidr::contains(std::string_view address) const {
    std::array<std::uint8_t, 16> a;
    bool v4 = false;
    if (!parse_address(address, a, v4)) return false;
    for (int i = 0; i < bits_; ++i) {
        std::uint8_t mask = static_cast<std::uint8_t>(0x80 >> (i % 8));
        if ((a[i / 8] & mask) != (bytes_[i / 8] & mask)) return false;
    }
    return true;
}

std::vector<std::string> forwarded_chain(std::string_view forwarded, std::string_view x_forwarded_for) {
    std::vector<std::string> chain;
    if (!trim(forwarded).empty()) {
        // Forwarded: for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8:cafe::17]:4711"
        while (!forwarded.empty()) {
            auto comma = forwarded.find(',');
            std::string_view element = forwarded.substr(0, comma);
            forwarded = comma == std::string_view::npos ? std::string_view{} : forwarded.substr(comma + 1);
            std::string hop;
            while (!element.empty()) {
                auto semi = element.find(';');
                std::string_view pair = trim(element.substr(0, semi));
                element = semi == std::string_view::npos ? std::string_view{} : element.substr(semi + 1);
                auto eq = pair.find('=');
                if (eq == std::string_view::npos) continue;
                std::string key(trim(pair.substr(0, eq)));
                std::transform(key.begin(), key.end(), key.begin(), [](unsigned char ch) { return std::tolower(ch); });
                if (key == "for") hop = as_address(pair.substr(eq + 1));
            }
            chain.push_back(std::move(hop));
        }
        return chain;
    }
    while (!x_forwarded_for.empty()) {
        auto comma = x_forwarded_for.find(',');
        chain.push_back(as_address(x_forwarded_for.substr(0, comma)));
        x_forwarded_for = comma == std::string_view::npos ? std::string_view{} : x_forwarded_for.substr(comma + 1);
    }
    return chain;
}

std::string client_address(std::string_view peer, const std::vector<std::string>& chain, const std::vector<Cidr>& trusted) {
    auto is_trusted = [&](std::string_view a) {
        return std::any_of(trusted.begin(), trusted.end(), [&](const Cidr& c) { return c.contains(a); });
    };
    std::string client(peer);
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        if (!is_trusted(client)) break;
        if (it->empty()) break;  // not an address a proxy of ours wrote: keep the last trusted hop
        client = *it;
    }
    return client;
}

std::optional<TraceParent> parse_traceparent(std::string_view h) {
    h = trim(h);
    // version "-" trace-id "-" parent-id "-" flags; a future version may append "-" fields.
    if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
    std::string_view version = h.substr(0, 2), trace = h.substr(3, 32), parent = h.substr(36, 16), flags = h.substr(53, 2);
    if (!lower_hex(version, 2) || version == "ff" || !lower_hex(trace, 32) || !lower_hex(parent, 16) || !lower_hex(flags, 2))
        return std::nullopt;
    if (version == "00" && h.size() != 55) return std::nullopt;
    if (version != "00" && h.size() > 55 && h[55] != '-') return std::nullopt;
    if (trace == std::string(32, '0') || parent == std::string(16, '0')) return std::nullopt;
    return TraceParent{std::string(trace), std::string(parent), std::string(flags)};
}

}  // namespace shop::net
