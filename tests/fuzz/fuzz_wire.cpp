// Until the server's own wire parser is a function of its own, this is a copy of what
// src/platform/server.cpp does with the bytes of a connection: Beast's request_parser with the
// server's body and header limits, the same refusals, the same fields copied into the Request.
#include "fuzz_wire.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>

#include <string>

#include "platform/error.hpp"

namespace shop::fuzz {

namespace bhttp = boost::beast::http;

namespace {
http::Response refuse(Error e, int status = 0) {
    http::Request r;
    auto res = http::problem(e, r);
    if (status) res.status = status;
    return res;
}
}  // namespace

std::optional<http::Response> parse_wire(std::string_view bytes, const WireLimits& limits, http::Request& out) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.eager(true);
    parser.body_limit(limits.body_limit);
    parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
    boost::system::error_code ec;
    std::size_t used = 0;
    while (!ec && !parser.is_done() && used < bytes.size())
        used += parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == bhttp::error::need_more) ec = {};
    // The peer closed the connection here: a body delimited by the end of the stream ends, any
    // other incomplete request is dropped by the server without an answer (a 400 here).
    if (!ec && !parser.is_done()) parser.put_eof(ec);
    if (ec == bhttp::error::body_limit)
        return refuse(Error(errc::payload_too_large, "the request body is larger than " + std::to_string(limits.body_limit) + " bytes"));
    if (ec == bhttp::error::header_limit) return refuse(Error(errc::bad_request, "the request headers are too large"), 431);
    if (ec || !parser.is_done()) return refuse(Error(errc::bad_request, "malformed HTTP request: " + ec.message()));
    auto& breq = parser.get();
    out.method = http::parse_method(breq.method_string());
    out.target = std::string(breq.target());
    for (auto& f : breq) out.headers.add(std::string(f.name_string()), std::string(f.value()));
    out.body = std::move(breq.body());
    return std::nullopt;
}

}  // namespace shop::fuzz
