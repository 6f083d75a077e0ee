#pragma once
// The HTTP/1.1 server: Boost.Beast with C++20 coroutines on a fixed pool of I/O threads. Beast
// stays inside server.cpp; callers see only this interface.
#include <cstdint>
#include <functional>
#include <memory>
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

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace shop::http
