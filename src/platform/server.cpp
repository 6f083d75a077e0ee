#include "platform/server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <algorithm>
#include <cctype>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

#include "platform/ids.hpp"

namespace shop::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {
using Parser = bhttp::request_parser<bhttp::string_body>;
using error_code = boost::system::error_code;

constexpr std::size_t kChunkExtensionLimit = 1024;        // one chunk's extensions
constexpr std::size_t kChunkExtensionTotal = 16 * 1024;   // all extensions of one message

/// Beast's request parser plus the RFC 9112 rules it leaves to the server. Feed it with put();
/// `problem` says why a request was refused when put() fails for one of those rules.
class Wire {
public:
    explicit Wire(const WireLimits& limits) {
        parser.body_limit(limits.body_limit);
        parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
        parser.on_chunk_header(on_chunk_);
    }
    Wire(const Wire&) = delete;
    Wire& operator=(const Wire&) = delete;

    Parser parser;
    std::optional<std::string> problem;

    /// Parses what it can of `data` (the start of the unread bytes); returns the bytes used.
    std::size_t put(std::string_view data, error_code& ec) {
        bool had_header = parser.is_header_done();
        auto n = parser.put(asio::buffer(data.data(), data.size()), ec);
        if (problem) return n;  // set by the chunk header callback
        // The header was just parsed, and Beast (not eager) stopped after it: data[0, n) is the
        // raw header block, checked once here.
        if (!had_header && parser.is_header_done() && (!ec || ec == bhttp::error::need_more))
            if (auto why = header_problem(data.substr(0, n))) refuse(std::move(*why), ec);
        return n;
    }

private:
    void refuse(std::string why, error_code& ec) {
        problem = std::move(why);
        ec = bhttp::error::bad_field;
    }

    std::optional<std::string> header_problem(std::string_view raw) const {
        // A line starting with a space or tab continues the previous one (obs-fold), which Beast
        // quietly joins; RFC 9112 section 5.2 lets a server refuse it.
        if (raw.find("\n ") != std::string_view::npos || raw.find("\n\t") != std::string_view::npos)
            return "a header line is folded onto the next line (obs-fold, RFC 9112 section 5.2)";
        const auto& r = parser.get();
        std::size_t hosts = 0, codings = 0;
        std::string_view coding;
        for (const auto& f : r) {
            if (f.name() == bhttp::field::host) ++hosts;
            if (f.name() == bhttp::field::transfer_encoding) {
                ++codings;
                coding = f.value();
            }
        }
        if (hosts > 1) return "the Host header is given more than once";
        if (hosts == 0 && r.version() >= 11) return "an HTTP/1.1 request needs a Host header (RFC 9112 section 3.2)";
        if (codings > 0) {
            if (r.version() < 11) return "Transfer-Encoding is not allowed in an HTTP/1.0 request";
            // Only chunked is decoded here: anything else ("gzip, chunked", "identity") would be
            // passed on undecoded, so it is refused rather than misread (RFC 9112 section 6.1).
            bhttp::token_list list{coding};
            auto first = list.begin();
            bool lone_chunked = first != list.end() && beast::iequals(*first, "chunked") && std::next(first) == list.end();
            if (codings > 1 || !lone_chunked)
                return "Transfer-Encoding must be chunked alone: this server decodes no other transfer coding";
        }
        return std::nullopt;
    }

    void on_chunk(std::uint64_t, beast::string_view extensions, error_code& ec) {
        extension_bytes_ += extensions.size();
        if (extensions.size() > kChunkExtensionLimit || extension_bytes_ > kChunkExtensionTotal) {
            problem = "chunk extensions longer than " + std::to_string(kChunkExtensionLimit) + " bytes per chunk or " +
                      std::to_string(kChunkExtensionTotal) + " per request";
            ec = bhttp::error::bad_chunk_extension;
        }
    }

    std::size_t extension_bytes_ = 0;
    std::function<void(std::uint64_t, beast::string_view, error_code&)> on_chunk_ =
        [this](std::uint64_t size, beast::string_view ext, error_code& ec) { on_chunk(size, ext, ec); };
};

Response transport_problem(Error e) {
    Request r;
    r.request_id = new_id("req");
    auto res = problem(e, r);
    res.headers.set("X-Request-Id", r.request_id);
    return res;
}

/// The answer to a request that could not be read (`ec` set by Wire::put or a read), or nullopt
/// for a request that may go on. After any answer the connection is closed.
std::optional<Response> unreadable(const Wire& wire, const error_code& ec, const WireLimits& limits) {
    if (wire.problem) return transport_problem(Error(errc::bad_request, *wire.problem));
    if (!ec) return std::nullopt;
    if (ec == bhttp::error::body_limit)
        return transport_problem(Error(errc::payload_too_large, "the request body is larger than " + std::to_string(limits.body_limit) + " bytes"));
    if (ec == bhttp::error::header_limit) {
        auto res = transport_problem(Error(errc::bad_request, "the request headers are too large"));
        res.status = 431;
        return res;
    }
    return transport_problem(Error(errc::bad_request, "malformed HTTP request: " + ec.message()));
}

void to_request(Parser& parser, Request& out) {
    auto& breq = parser.get();
    out.method = parse_method(breq.method_string());
    out.target = std::string(breq.target());
    for (auto& f : breq) out.headers.add(std::string(f.name_string()), std::string(f.value()));
    out.body = std::move(breq.body());
}

/// The open-file limit raised to its hard ceiling (idle connections are file descriptors);
/// returns the soft limit now in force.
std::size_t raise_open_file_limit() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
    if (rl.rlim_cur < rl.rlim_max) {
        rlimit want = rl;
        want.rlim_cur = rl.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &want) == 0) rl = want;
    }
    return rl.rlim_cur == RLIM_INFINITY ? std::size_t{1} << 20 : static_cast<std::size_t>(rl.rlim_cur);
}
}  // namespace

std::optional<Response> parse_wire_request(std::string_view bytes, const WireLimits& limits, Request& out) {
    Wire wire(limits);
    error_code ec;
    std::size_t used = 0;
    while (!wire.parser.is_done()) {
        auto n = wire.put(bytes.substr(used), ec);
        used += n;
        if (ec == bhttp::error::need_more || (!ec && n == 0)) {
            ec = bhttp::error::partial_message;  // the bytes end before the request does
            break;
        }
        if (ec) break;
    }
    if (auto res = unreadable(wire, ec, limits)) return res;
    to_request(wire.parser, out);
    return std::nullopt;
}

struct Server::Impl {
    ServerOptions opts;
    HandlerFn handler;
    Logger& log;
    WireLimits limits;
    // One io_context per I/O thread: a connection lives on one thread for its whole life, so no
    // strand and no cross-thread wake-up sits on the hot path.
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    std::unique_ptr<tcp::acceptor> acceptor;
    std::unique_ptr<asio::thread_pool> workers;
    std::size_t next_context = 0;
    std::vector<std::thread> threads;
    std::atomic<bool> stopping{false};
    std::atomic<int> in_flight{0};
    std::atomic<int> connections{0};
    std::atomic<int> worker_load{0};  // worker_paths requests queued or running
    std::atomic<std::uint64_t> refused_cap{0}, refused_queue{0};
    int max_connections = 0;          // opts.max_connections, kept below the open-file limit
    std::uint16_t bound_port = 0;
    std::mutex stop_mu;
    bool stopped = false;

    // Live connections, so stop() can close the idle ones and a new connection at the cap can
    // take an idle one's place.
    struct Conn {
        beast::tcp_stream* stream;
        std::atomic<bool> busy{false};  // a request is being read, handled or answered
        std::atomic<bool> evicted{false};  // chosen to make room for a new connection
    };
    std::mutex conns_mu;
    std::list<Conn*> conns;

    Impl(ServerOptions o, HandlerFn h, Logger& l) : opts(std::move(o)), handler(std::move(h)), log(l) {
        limits.body_limit = opts.body_limit;
        limits.header_limit = opts.header_limit;
    }

    static bhttp::response<bhttp::string_body> to_beast(Response&& res, unsigned version, bool keep_alive) {
        bhttp::response<bhttp::string_body> out{static_cast<bhttp::status>(res.status), version};
        out.set(bhttp::field::server, "shop");
        for (auto& [k, v] : res.headers) out.insert(k, v);
        out.body() = std::move(res.body);
        out.keep_alive(keep_alive);
        out.prepare_payload();
        return out;
    }

    /// Closes `stream`'s connection if it is still open and idle when its own thread, where
    /// `busy` changes, gets to it: a request that arrived meanwhile is answered. Called with
    /// conns_mu held.
    void close_when_idle(beast::tcp_stream* stream) {
        asio::post(stream->get_executor(), [this, stream] {
            std::lock_guard lock(conns_mu);
            for (auto* c : conns)
                if (c->stream == stream && !c->busy) {
                    error_code ec;
                    stream->socket().cancel(ec);
                }
        });
    }

    /// At the connection cap: closes the longest-open idle connection to make room (if a request
    /// reaches it first, the cap is over by one for a moment); false when every one is busy.
    bool make_room() {
        std::lock_guard lock(conns_mu);
        for (auto* c : conns)
            if (!c->busy && !c->evicted) {
                c->evicted = true;  // not chosen twice
                close_when_idle(c->stream);
                return true;
            }
        return false;
    }

    /// Reads and drops what the client still sends (at most 1 MiB, until `within` passes), so
    /// that closing with unread bytes does not reset the connection and destroy the answer
    /// before the client has read it.
    static asio::awaitable<void> drain(beast::tcp_stream& stream, std::chrono::milliseconds within) {
        char sink[8192];
        std::size_t drained = 0;
        error_code ec;
        stream.expires_after(within);
        while (!ec && drained < (1u << 20))
            drained += co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
    }

    /// Reads the next request's header into `wire`, the RFC 9112 checks included; the connection
    /// is busy from its first byte.
    asio::awaitable<void> read_header(beast::tcp_stream& stream, beast::flat_buffer& buffer, Wire& wire, Conn& conn,
                                      error_code& ec) {
        for (;;) {
            if (buffer.size() > 0) {
                conn.busy = true;
                auto data = buffer.data();
                auto n = wire.put(std::string_view(static_cast<const char*>(data.data()), data.size()), ec);
                buffer.consume(n);
                if (ec == bhttp::error::need_more)
                    ec = {};
                else if (ec)
                    co_return;
                if (wire.parser.is_header_done()) co_return;
            }
            std::size_t room = std::min<std::size_t>(65536, buffer.max_size() - buffer.size());
            if (room == 0) {
                ec = bhttp::error::header_limit;
                co_return;
            }
            std::size_t got = co_await stream.async_read_some(buffer.prepare(room), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                if (ec == asio::error::eof && buffer.size() == 0) ec = bhttp::error::end_of_stream;
                co_return;
            }
            buffer.commit(got);
        }
    }

    asio::awaitable<void> session(tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        Conn conn{&stream};
        {
            std::lock_guard lock(conns_mu);
            conns.push_back(&conn);
        }
        std::string remote;
        {
            error_code ec;
            auto ep = stream.socket().remote_endpoint(ec);
            if (!ec) remote = ep.address().to_string();
        }
        // Room for a whole header block plus a read's worth: a chunk header longer than that is
        // refused instead of buffered without end.
        beast::flat_buffer buffer(std::max<std::size_t>(opts.header_limit, 65536) + 8192);
        bool linger = false;  // a refused request may still be arriving: drain it before closing
        try {
            for (bool first = true; !stopping; first = false) {
                Wire wire(limits);
                stream.expires_after(std::chrono::milliseconds(first ? opts.read_timeout_ms : opts.idle_timeout_ms));
                error_code ec;
                co_await read_header(stream, buffer, wire, conn, ec);
                if (!ec) {
                    stream.expires_after(std::chrono::milliseconds(opts.read_timeout_ms));
                    co_await bhttp::async_read(stream, buffer, wire.parser, asio::redirect_error(asio::use_awaitable, ec));
                }
                if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted || ec == beast::error::timeout ||
                    ec == asio::error::connection_reset || ec == asio::error::eof || ec == bhttp::error::partial_message)
                    break;
                Response res;
                bool keep_alive = true;
                unsigned version = 11;
                if (auto refused = unreadable(wire, ec, limits)) {
                    res = std::move(*refused);
                    keep_alive = false;
                    linger = true;
                } else {
                    version = wire.parser.get().version();
                    keep_alive = wire.parser.get().keep_alive();
                    Request req;
                    to_request(wire.parser, req);
                    req.remote_address = remote;
                    ++in_flight;
                    if (runs_on_worker(req.target)) {
                        if (++worker_load > opts.worker_queue) {
                            --worker_load;
                            ++refused_queue;
                            Error busy(errc::unavailable, "the server is busy: too many slow requests are waiting; retry shortly");
                            busy.retry_after_s = 1;
                            res = transport_problem(std::move(busy));
                        } else {
                            // bind_executor: resume the coroutine on a worker, not back on this I/O thread.
                            co_await asio::post(asio::bind_executor(workers->get_executor(), asio::use_awaitable));
                            try {
                                res = handler(req);
                            } catch (...) {
                                --worker_load;
                                throw;
                            }
                            --worker_load;
                            co_await asio::post(stream.get_executor(), asio::use_awaitable);
                        }
                    } else {
                        res = handler(req);
                    }
                    --in_flight;
                }
                if (stopping) keep_alive = false;
                auto out = to_beast(std::move(res), version, keep_alive);
                stream.expires_after(std::chrono::milliseconds(opts.read_timeout_ms));
                co_await bhttp::async_write(stream, out, asio::redirect_error(asio::use_awaitable, ec));
                conn.busy = false;
                if (ec || !keep_alive) break;
            }
        } catch (const std::exception& e) {
            log.warn("connection error", {{"error", e.what()}});
        }
        {
            std::lock_guard lock(conns_mu);
            conns.remove(&conn);
        }
        error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        if (linger) co_await drain(stream, std::chrono::seconds(1));
        stream.socket().close(ignored);
        --connections;
    }

    bool runs_on_worker(std::string_view target) const {
        std::string_view path = target.substr(0, target.find('?'));
        for (auto& p : opts.worker_paths)
            // "/x/" matches below it (a parameter follows), "/x" matches exactly.
            if (p.ends_with('/') ? path.starts_with(p) : path == p) return true;
        return false;
    }

    /// A connection over the cap, with no idle one to give way: 503 with Retry-After, then closed
    /// once the client has had a moment to read it.
    asio::awaitable<void> refuse(tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        Error full(errc::unavailable, "the server has too many open connections; retry shortly");
        full.retry_after_s = 1;
        auto out = to_beast(transport_problem(std::move(full)), 11, false);
        error_code ec;
        stream.expires_after(std::chrono::seconds(2));
        co_await bhttp::async_write(stream, out, asio::redirect_error(asio::use_awaitable, ec));
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        if (!ec) co_await drain(stream, std::chrono::seconds(2));
        stream.socket().close(ec);
        --connections;
    }

    asio::awaitable<void> accept_loop() {
        while (!stopping) {
            error_code ec;
            auto& target = *contexts[next_context++ % contexts.size()];
            tcp::socket socket = co_await acceptor->async_accept(target, asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                if (stopping || ec == asio::error::operation_aborted) break;
                log.warn("accept failed", {{"error", ec.message()}});
                // Out of file descriptors (or the like): the pending connection stays queued and
                // accept fails again at once; pause instead of spinning.
                asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(100));
                co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                continue;
            }
            socket.set_option(tcp::no_delay(true), ec);
            auto ex = socket.get_executor();
            int open = ++connections;
            if (open > max_connections && !make_room()) {
                ++refused_cap;
                if (open > max_connections + 64) {  // refusals pile up too: just close
                    socket.close(ec);
                    --connections;
                    continue;
                }
                asio::co_spawn(ex, refuse(std::move(socket)), asio::detached);
                continue;
            }
            asio::co_spawn(ex, session(std::move(socket)), asio::detached);
        }
    }
};

Server::Server(ServerOptions opts, HandlerFn handler, Logger& log)
    : impl_(std::make_unique<Impl>(std::move(opts), std::move(handler), log)) {}

Server::~Server() { stop(); }

namespace {
std::string address_text(const std::string& host, std::uint16_t port) {
    return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}
}  // namespace

ListeningSocket ListeningSocket::open(const std::string& host, std::uint16_t port) {
    asio::io_context ctx(1);
    boost::system::error_code ec;
    auto address = asio::ip::make_address(host, ec);
    if (ec) throw std::runtime_error("cannot listen on " + address_text(host, port) + ": not an IP address");
    tcp::endpoint ep(address, port);
    tcp::acceptor acceptor(ctx);
    auto check = [&] {
        if (!ec) return;
        std::string why = ec.message();
        if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
        throw std::runtime_error("cannot listen on " + address_text(host, port) + ": " + why);
    };
    acceptor.open(ep.protocol(), ec);
    check();
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    check();
    acceptor.bind(ep, ec);
    check();
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    check();
    return ListeningSocket(acceptor.release());
}

ListeningSocket::~ListeningSocket() {
    if (fd_ >= 0) ::close(fd_);
}

void Server::listen() {
    auto& i = *impl_;
    if (i.acceptor) return;
    int n = std::max(1, i.opts.threads);
    for (int t = 0; t < n; ++t) i.contexts.push_back(std::make_unique<asio::io_context>(1));
    int fd = i.opts.listen_fd >= 0 ? i.opts.listen_fd : ListeningSocket::open(i.opts.host, i.opts.port).release();
    i.opts.listen_fd = -1;
    auto acceptor = std::make_unique<tcp::acceptor>(*i.contexts[0]);
    auto address = asio::ip::make_address(i.opts.host);
    acceptor->assign(address.is_v6() ? tcp::v6() : tcp::v4(), fd);
    i.bound_port = acceptor->local_endpoint().port();
    i.acceptor = std::move(acceptor);
}

void Server::start() {
    auto& i = *impl_;
    listen();
    int n = static_cast<int>(i.contexts.size());
    std::size_t files = raise_open_file_limit();
    // Keep descriptors for the database, logs, outgoing mail and webhooks beside the connections.
    i.max_connections = static_cast<int>(std::clamp<std::size_t>(files > 256 ? files - 256 : 16, 16, static_cast<std::size_t>(std::max(16, i.opts.max_connections))));
    if (i.max_connections < i.opts.max_connections)
        i.log.warn("connection cap lowered to the open-file limit",
                   {{"max_connections", i.max_connections}, {"open_file_limit", files}});
    i.workers = std::make_unique<asio::thread_pool>(static_cast<std::size_t>(std::max(1, i.opts.worker_threads)));
    asio::co_spawn(*i.contexts[0], i.accept_loop(), asio::detached);
    for (int t = 0; t < n; ++t) {
        auto* ctx = i.contexts[t].get();
        i.threads.emplace_back([ctx] {
            auto guard = asio::make_work_guard(*ctx);  // keep running while idle until stop()
            ctx->run();
        });
    }
}

std::uint16_t Server::port() const { return impl_->bound_port; }
int Server::in_flight() const { return impl_->in_flight.load(); }
int Server::connections() const { return impl_->connections.load(); }
std::uint64_t Server::refused_at_connection_cap() const { return impl_->refused_cap.load(); }
std::uint64_t Server::refused_worker_queue_full() const { return impl_->refused_queue.load(); }

void Server::stop() {
    auto& i = *impl_;
    {
        std::lock_guard lock(i.stop_mu);
        if (i.stopped) return;
        i.stopped = true;
    }
    if (i.threads.empty()) return;
    i.stopping = true;
    asio::post(i.acceptor->get_executor(), [&i] {
        boost::system::error_code ec;
        i.acceptor->close(ec);
    });
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(i.opts.shutdown_grace_ms);
    // Close idle connections now; busy ones finish their response and close (keep-alive off).
    while (std::chrono::steady_clock::now() < deadline) {
        {
            std::lock_guard lock(i.conns_mu);
            for (auto* c : i.conns)
                if (!c->busy) i.close_when_idle(c->stream);
        }
        if (i.connections == 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (auto& c : i.contexts) c->stop();
    for (auto& t : i.threads)
        if (t.joinable()) t.join();
    i.workers->join();
}

}  // namespace shop::http
