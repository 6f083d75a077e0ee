#pragma once
// Raw bytes to a Request as the server reads them off a socket (see fuzz_wire.cpp for whose
// parser that is).
#include <cstddef>
#include <optional>
#include <string_view>

#include "platform/http.hpp"

namespace shop::fuzz {

struct WireLimits {
    std::size_t body_limit = 1 << 20;
    std::size_t header_limit = 16 * 1024;
};

/// nullopt with `out` filled when `bytes` start with one request the server would hand to the
/// pipeline; otherwise the response the server answers by itself (400, 413, 431, ...).
std::optional<http::Response> parse_wire(std::string_view bytes, const WireLimits& limits, http::Request& out);

}  // namespace shop::fuzz
