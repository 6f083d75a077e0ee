#pragma once
// The HTTP/1.1 server: Boost.Beast with C++20 coroutines on a fixed pool of I/O threads. Beast
// stays inside server.cpp; callers see only this interface.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "platform/http.hpp"
#include "platform/log.hpp"

namespace shop::http {

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;  ///< 0 picks an ephemeral port (see Server::port())
    int threads = 2;               ///< I/O threads (one io_context each)
    int worker_threads = 4;        ///< run the requests of worker_paths: password hashing and long
                                   ///< reads must not stall the other connections of an I/O thread
    std::size_t body_limit = 1 << 20;
    std::size_t header_limit = 16 * 1024;
    int read_timeout_ms = 15000;   ///< to read one request once it has started
    int idle_timeout_ms = 60000;   ///< keep-alive wait for the next request
    int shutdown_grace_ms = 10000; ///< longest wait for in-flight requests on stop()
    /// Open connections at most. At the cap a new connection closes the longest-open idle
    /// keep-alive connection to take its place; when none is idle it is answered 503 with
    /// Retry-After and closed. Also kept below the process's open-file limit.
    int max_connections = 10000;
    /// Requests of worker_paths waiting for or running on a worker at most; beyond it a request
    /// is answered 503 with Retry-After at once instead of joining an unbounded backlog.
    int worker_queue = 256;
    /// Requests for these paths run on the worker pool: "/x" is exactly that path, "/x/" any path
    /// below it. Everything else runs on the I/O thread of its connection.
    std::vector<std::string> worker_paths;
    /// A socket bound and listening already (ListeningSocket::release()), taken over instead of
    /// binding host:port again; -1 binds.
    int listen_fd = -1;
};

/// A TCP socket bound to host:port and listening, made before anything else so that a taken or
/// wrong address fails first (`shop serve` binds before it opens the data directory).
class ListeningSocket {
public:
    /// Throws std::runtime_error naming the address: "cannot listen on 127.0.0.1:8080: address
    /// already in use".
    static ListeningSocket open(const std::string& host, std::uint16_t port);
    ListeningSocket(ListeningSocket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    ListeningSocket& operator=(ListeningSocket&&) = delete;
    ~ListeningSocket();
    /// Hands the socket over (to ServerOptions::listen_fd); this object no longer closes it.
    int release() noexcept {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    explicit ListeningSocket(int fd) : fd_(fd) {}
    int fd_ = -1;
};

/// What the server reads as one request, for callers without a socket (the HTTP fuzzer).
struct WireLimits {
    std::size_t body_limit = 1 << 20;
    std::size_t header_limit = 16 * 1024;
};

/// Parses one request from raw bytes exactly as the server parses a connection's next request:
/// Beast's parser with the server's limits and the RFC 9112 framing rules Beast leaves to us (one
/// Host on HTTP/1.1, no obs-fold, no transfer coding but a lone `chunked`, bounded chunk
/// extensions). Returns nullopt and fills `out` (method, target, headers, body) when the bytes
/// hold a complete acceptable request; otherwise the problem response the server answers (400,
/// 413, 431), a truncated request included.
std::optional<Response> parse_wire_request(std::string_view bytes, const WireLimits& limits, Request& out);

class Server {
public:
    using HandlerFn = std::function<Response(Request&)>;
    /// `problem_fn` renders transport-level errors (413, 431, 400) as problem+json.
    Server(ServerOptions opts, HandlerFn handler, Logger& log);
    ~Server();

    /// Binds and listens without serving yet (connections wait in the backlog until start()), so
    /// a taken or wrong address is known before anything else happens. Throws std::runtime_error
    /// naming the address: "cannot listen on 127.0.0.1:8080: address already in use".
    void listen();
    /// Starts the I/O threads (binding first if listen() was not called).
    void start();
    /// The bound port (useful with port 0).
    std::uint16_t port() const;
    /// Graceful stop: stop accepting, let in-flight requests finish (up to the grace period),
    /// close idle keep-alive connections, join the threads. Idempotent, thread-safe.
    void stop();
    /// Requests currently being handled.
    int in_flight() const;
    /// Open connections, and how many were turned away with 503 so far: at the connection cap
    /// (none idle to give way) and with the worker queue full.
    int connections() const;
    std::uint64_t refused_at_connection_cap() const;
    std::uint64_t refused_worker_queue_full() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace shop::http
