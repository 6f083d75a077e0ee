#pragma once
// A bare TCP connection to the loopback for tests that must send what no HTTP client would:
// malformed framing, half a request, nothing at all.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace shop::test {

class RawSocket {
public:
    /// Connects to 127.0.0.1:port (throws std::runtime_error when it cannot).
    explicit RawSocket(std::uint16_t port);
    ~RawSocket();
    RawSocket(RawSocket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    RawSocket& operator=(RawSocket&&) = delete;

    /// Sends all of `bytes`; false when the peer has closed.
    bool send(std::string_view bytes);
    /// One HTTP response as text (status line, headers, and a Content-Length body), "" when the
    /// connection closes or `within` passes first.
    std::string read_response(std::chrono::milliseconds within = std::chrono::seconds(10));
    /// True when the server has closed the connection (reads end of stream or a reset) within
    /// `within`; false if it is still open. Data that arrives meanwhile is dropped.
    bool closed_by_peer(std::chrono::milliseconds within);
    int fd() const { return fd_; }

private:
    int fd_ = -1;
    std::string pending_;
};

/// The status code of a response from read_response (0 for "").
int status_of(std::string_view response);
/// A header's value from read_response's text ("" when absent), name case-insensitive.
std::string header_of(std::string_view response, std::string_view name);

}  // namespace shop::test
