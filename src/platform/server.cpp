#include "platform/server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <list>
#include <mutex>
#include <thread>

#include "platform/ids.hpp"

namespace shop::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct Server::Impl {
    ServerOptions opts;
    HandlerFn handler;
    Logger& log;
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
    std::uint16_t bound_port = 0;
    std::mutex stop_mu;
    bool stopped = false;

    // Live connections, so stop() can close the idle ones.
    struct Conn {
        beast::tcp_stream* stream;
        std::atomic<bool> busy{false};
    };
    std::mutex conns_mu;
    std::list<Conn*> conns;

    Impl(ServerOptions o, HandlerFn h, Logger& l) : opts(std::move(o)), handler(std::move(h)), log(l) {}

    static Response transport_problem(Error e) {
        Request r;
        r.request_id = new_id("req");
        auto res = problem(e, r);
        res.headers.set("X-Request-Id", r.request_id);
        return res;
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

    asio::awaitable<void> session(tcp::socket socket) {
        beast::tcp_stream stream(std::move(socket));
        Conn conn{&stream};
        {
            std::lock_guard lock(conns_mu);
            conns.push_back(&conn);
        }
        ++connections;
        std::string remote;
        {
            boost::system::error_code ec;
            auto ep = stream.socket().remote_endpoint(ec);
            if (!ec) remote = ep.address().to_string();
        }
        beast::flat_buffer buffer;
        try {
            for (bool first = true; !stopping; first = false) {
                bhttp::request_parser<bhttp::string_body> parser;
                parser.body_limit(opts.body_limit);
                parser.header_limit(static_cast<std::uint32_t>(opts.header_limit));
                stream.expires_after(std::chrono::milliseconds(first ? opts.read_timeout_ms : opts.idle_timeout_ms));
                boost::system::error_code ec;
                co_await bhttp::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
                if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted || ec == beast::error::timeout ||
                    ec == asio::error::connection_reset || ec == asio::error::eof)
                    break;
                conn.busy = true;
                if (!ec) {
                    stream.expires_after(std::chrono::milliseconds(opts.read_timeout_ms));
                    co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
                }
                Response res;
                bool keep_alive = true;
                unsigned version = 11;
                if (ec == bhttp::error::body_limit) {
                    res = transport_problem(Error(errc::payload_too_large,
                                                  "the request body is larger than " + std::to_string(opts.body_limit) + " bytes"));
                    keep_alive = false;
                } else if (ec == bhttp::error::header_limit) {
                    res = transport_problem(Error(errc::bad_request, "the request headers are too large"));
                    res.status = 431;
                    keep_alive = false;
                } else if (ec == beast::error::timeout || ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
                           ec == asio::error::connection_reset) {
                    break;
                } else if (ec) {
                    res = transport_problem(Error(errc::bad_request, "malformed HTTP request: " + ec.message()));
                    keep_alive = false;
                } else {
                    auto& breq = parser.get();
                    version = breq.version();
                    keep_alive = breq.keep_alive();
                    Request req;
                    req.method = parse_method(breq.method_string());
                    req.target = std::string(breq.target());
                    for (auto& f : breq) req.headers.add(std::string(f.name_string()), std::string(f.value()));
                    req.body = std::move(breq.body());
                    req.remote_address = remote;
                    ++in_flight;
                    bool blocking = false;
                    if (!opts.worker_paths.empty()) {
                        std::string_view path = std::string_view(req.target).substr(0, req.target.find('?'));
                        for (auto& p : opts.worker_paths)
                            // "/x/" matches below it (a parameter follows), "/x" matches exactly.
                            if (p.ends_with('/') ? path.starts_with(p) : path == p) blocking = true;
                    }
                    if (blocking) {
                        // bind_executor: resume the coroutine on a worker, not back on this I/O thread.
                        co_await asio::post(asio::bind_executor(workers->get_executor(), asio::use_awaitable));
                        res = handler(req);
                        co_await asio::post(stream.get_executor(), asio::use_awaitable);
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
        boost::system::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream.socket().close(ignored);
        --connections;
    }

    asio::awaitable<void> accept_loop() {
        while (!stopping) {
            boost::system::error_code ec;
            auto& target = *contexts[next_context++ % contexts.size()];
            tcp::socket socket = co_await acceptor->async_accept(target, asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                if (stopping || ec == asio::error::operation_aborted) break;
                log.warn("accept failed", {{"error", ec.message()}});
                continue;
            }
            socket.set_option(tcp::no_delay(true), ec);
            auto ex = socket.get_executor();
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
                if (!c->busy) {
                    auto* stream = c->stream;
                    asio::post(stream->get_executor(), [&i, stream] {
                        std::lock_guard l2(i.conns_mu);
                        for (auto* c2 : i.conns)
                            if (c2->stream == stream && !c2->busy) {
                                boost::system::error_code ec;
                                stream->socket().cancel(ec);
                            }
                    });
                }
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
