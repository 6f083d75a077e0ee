// shop_checkout_bench: measures GET /healthz, then whole guest checkouts (cart, item, checkout, card token,
// payment), against a running server over keep-alive connections, one blocking thread per connection.
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage = R"(shop_checkout_bench — guest checkout load against a running shop server

Usage:
  shop_checkout_bench --url http://HOST:PORT (--skus SKU,SKU,... | --sku-prefix PREFIX --products N)
                      [--connections N] [--duration S] [--healthz-duration S] [--timeout S] [--json]

  --url               server base URL, http only (default http://127.0.0.1:8080)
  --connections       keep-alive connections, one thread each (default 8)
  --duration          seconds of the checkout phase (default 10)
  --healthz-duration  seconds of the GET /healthz phase that comes first; 0 skips it (default 5)
  --skus              SKUs to buy, comma-separated; each checkout buys one unit of a random one
  --sku-prefix, --products
                      buy PREFIX<k>-A for a random k in [0, N): the SKUs of `shop seed --products N`
  --timeout           seconds one request may take before its connection is cut (default 10)
  --json              also print the results as one JSON object on the last line

One checkout is five POSTs on one connection: /api/v1/carts, /api/v1/carts/{id}/items, /api/v1/checkout,
/api/v1/payments/sandbox/tokens, /api/v1/payments. Exit status 1 when no checkout succeeded.
)";

constexpr int kMaxReportedFailures = 5;
constexpr std::string_view kEmail = "bench@example.com";
constexpr std::string_view kCard = R"({"number": "4242424242424242", "exp_month": 12, "exp_year": 2099, "cvc": "123"})";

/// Settings from the command line.
struct Options {
    std::string host = "127.0.0.1";
    std::string port = "8080";
    int connections = 8;
    double duration_s = 10;
    double healthz_duration_s = 5;
    double timeout_s = 10;
    std::vector<std::string> skus;
    bool json = false;
};

/// The five calls of one checkout, in order.
enum class Step { create_cart, add_item, checkout, card_token, pay };
constexpr std::size_t kSteps = 5;
constexpr std::array<std::string_view, kSteps> kStepNames = {
    "create_cart", "add_item", "checkout", "card_token", "pay",
};

/// A malformed command line; main prints it with the usage.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// `text` as a number in [min, max]; throws UsageError naming `flag` otherwise.
double parse_number(std::string_view flag, std::string_view text, double min, double max) {
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || !(v >= min && v <= max))
        throw UsageError(std::string(flag) + ": '" + std::string(text) + "' is not a number in range");
    return v;
}

/// Splits `http://host[:port][/...]` into host and port; the path is ignored (requests use absolute paths).
void parse_url(std::string_view url, Options& o) {
    constexpr std::string_view kScheme = "http://";
    if (url.substr(0, kScheme.size()) != kScheme) throw UsageError("--url must start with http://");
    std::string_view rest = url.substr(kScheme.size());
    rest = rest.substr(0, rest.find('/'));
    std::string_view host = rest;
    std::string_view port = "80";
    if (rest.starts_with('[')) {  // [::1]:8080
        auto close = rest.find(']');
        if (close == std::string_view::npos) throw UsageError("--url has an unclosed '['");
        host = rest.substr(1, close - 1);
        if (rest.size() > close + 1) {
            if (rest[close + 1] != ':') throw UsageError("--url: expected ':' after ']'");
            port = rest.substr(close + 2);
        }
    } else if (auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (host.empty()) throw UsageError("--url has no host");
    parse_number("--url port", port, 1, 65535);
    o.host = host;
    o.port = port;
}

/// The options of the command line; throws UsageError, and prints the usage and exits on --help.
Options parse_options(int argc, char** argv) {
    Options o;
    std::string sku_list;
    std::string sku_prefix;
    int products = 0;
    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            std::cout << kUsage;
            std::exit(0);
        }
        if (flag == "--json") {
            o.json = true;
            continue;
        }
        if (i + 1 >= argc) throw UsageError(std::string(flag) + " needs a value (or is unknown)");
        std::string_view value = argv[++i];
        if (flag == "--url")
            parse_url(value, o);
        else if (flag == "--connections")
            o.connections = static_cast<int>(parse_number(flag, value, 1, 1024));
        else if (flag == "--duration")
            o.duration_s = parse_number(flag, value, 0.1, 86400);
        else if (flag == "--healthz-duration")
            o.healthz_duration_s = parse_number(flag, value, 0, 86400);
        else if (flag == "--timeout")
            o.timeout_s = parse_number(flag, value, 0.1, 3600);
        else if (flag == "--skus")
            sku_list = value;
        else if (flag == "--sku-prefix")
            sku_prefix = value;
        else if (flag == "--products")
            products = static_cast<int>(parse_number(flag, value, 1, 100'000'000));
        else
            throw UsageError("unknown option " + std::string(flag));
    }
    if (!sku_list.empty() == (!sku_prefix.empty() || products > 0))
        throw UsageError("give either --skus or --sku-prefix with --products");
    if (!sku_list.empty()) {
        for (std::size_t start = 0; start <= sku_list.size();) {
            auto comma = std::min(sku_list.find(',', start), sku_list.size());
            if (comma > start) o.skus.push_back(sku_list.substr(start, comma - start));
            start = comma + 1;
        }
        if (o.skus.empty()) throw UsageError("--skus names no SKU");
    } else {
        if (sku_prefix.empty() || products <= 0) throw UsageError("--sku-prefix and --products go together");
        o.skus.reserve(static_cast<std::size_t>(products));
        for (int k = 0; k < products; ++k) o.skus.push_back(sku_prefix + std::to_string(k) + "-A");
    }
    return o;
}

/// Appends `s` to `out` as a JSON string literal.
void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\u%04x", static_cast<unsigned>(c));
            out += esc;
        } else {
            out += c;
        }
    }
    out += '"';
}

/// Copies the string members named in `fields` of the JSON object `text` into their targets; false when `text` is
/// not an object or one member is missing or not a string.
bool read_strings(std::string_view text, std::initializer_list<std::pair<std::string_view, std::string*>> fields) {
    // Responses are a few KB: parsing into a stack arena keeps the allocator out of the loop.
    unsigned char arena[32 * 1024];
    json::monotonic_resource resource(arena, sizeof arena);
    boost::system::error_code ec;
    json::value v = json::parse(text, ec, &resource);
    const json::object* object = ec ? nullptr : v.if_object();
    if (!object) return false;
    for (const auto& [key, target] : fields) {
        const json::value* member = object->if_contains(key);
        const json::string* s = member ? member->if_string() : nullptr;
        if (!s) return false;
        target->assign(s->data(), s->size());
    }
    return true;
}

/// One keep-alive HTTP/1.1 connection with blocking I/O. It reconnects on the next request after the server
/// closed it or after an error. `abort_if_stuck` is the only member another thread may call.
class Connection {
public:
    Connection(const tcp::resolver::results_type& endpoints, const std::string& host_header)
        : endpoints_(endpoints), socket_(io_) {
        request_.version(11);
        request_.set(http::field::host, host_header);
        request_.set(http::field::user_agent, "shop_checkout_bench");
        request_.set(http::field::content_type, "application/json");
    }

    /// Opens the connection now, so that an unreachable server is reported before a phase starts.
    void connect() {
        std::lock_guard lock(mutex_);
        socket_.close();
        asio::connect(socket_, endpoints_);
        socket_.set_option(tcp::no_delay(true));
        buffer_.clear();
    }

    /// Sends one request and reads its response; returns the status, and the body stays in `body()` until the
    /// next call. An empty `cart_token` sends no X-Cart-Token. Throws boost::system::system_error on a socket
    /// error or a cut after the timeout; the connection is then closed.
    int send(http::verb method, std::string_view target, std::string_view body, std::string_view cart_token) {
        request_.method(method);
        request_.target(target);
        if (cart_token.empty())
            request_.erase("X-Cart-Token");
        else
            request_.set("X-Cart-Token", cart_token);
        request_.body().assign(body);
        request_.prepare_payload();

        aborted_.store(false);
        started_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
        try {
            if (!socket_.is_open()) connect();
            http::write(socket_, request_);
            http::response_parser<http::string_body> parser;
            parser.get().body() = std::move(body_);  // keep the capacity of the previous body
            parser.get().body().clear();
            http::read(socket_, buffer_, parser);
            started_.store(0, std::memory_order_relaxed);
            body_ = std::move(parser.get().body());
            if (!parser.get().keep_alive()) close();
            return static_cast<int>(parser.get().result_int());
        } catch (...) {
            started_.store(0, std::memory_order_relaxed);
            close();
            if (aborted_.exchange(false)) throw boost::system::system_error(asio::error::timed_out);
            throw;
        }
    }

    /// The body of the last response.
    const std::string& body() const { return body_; }

    /// Cuts the socket when a request has been in flight longer than `timeout`: the blocked read then fails.
    void abort_if_stuck(Clock::time_point now, Clock::duration timeout) {
        std::lock_guard lock(mutex_);
        auto started = started_.load(std::memory_order_relaxed);
        if (started != 0 && now - Clock::time_point(Clock::duration(started)) > timeout && socket_.is_open()) {
            aborted_.store(true);
            ::shutdown(socket_.native_handle(), SHUT_RDWR);
        }
    }

private:
    /// Closes the socket; the next request reconnects.
    void close() {
        std::lock_guard lock(mutex_);
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

    asio::io_context io_;
    tcp::resolver::results_type endpoints_;
    tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
    http::request<http::string_body> request_;
    std::string body_;
    std::mutex mutex_;                    // socket open/close against abort_if_stuck
    std::atomic<Clock::rep> started_{0};  // start of the request in flight, 0 when idle
    std::atomic<bool> aborted_{false};    // abort_if_stuck cut the request in flight
};

/// What one connection counted and timed in a phase; latencies in milliseconds.
struct Tally {
    std::uint64_t ok = 0;
    std::uint64_t failed = 0;
    std::vector<double> order_ms;
    std::array<std::vector<double>, kSteps> step_ms;
    Clock::time_point finished;
};

/// Prints one failure to stderr, only the first kMaxReportedFailures of the whole run.
void report_failure(std::string_view what, int status, std::string_view body) {
    static std::atomic<int> reported{0};
    if (reported.fetch_add(1) >= kMaxReportedFailures) return;
    std::string line = "failure: " + std::string(what);
    if (status != 0) line += " -> HTTP " + std::to_string(status) + ": " + std::string(body.substr(0, 400));
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
}

/// A short description of a failed call: Boost's system errors name their source location, which says nothing here.
std::string describe(const std::exception& e) {
    if (const auto* s = dynamic_cast<const boost::system::system_error*>(&e)) return s->code().message();
    return e.what();
}

/// Milliseconds from `a` to `b`.
double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

/// Loops whole guest checkouts on one connection; the request bodies are built in reused strings.
class CheckoutLoop {
public:
    CheckoutLoop(Connection& connection, const std::vector<std::string>& item_bodies, std::uint64_t seed)
        : connection_(connection), item_bodies_(item_bodies), random_(seed), pick_(0, item_bodies.size() - 1) {}

    /// Starts checkouts until `deadline`; the one in flight then is finished and counted.
    void run(Clock::time_point deadline, Tally& tally) {
        while (Clock::now() < deadline) {
            std::array<double, kSteps> step_ms{};
            auto started = Clock::now();
            bool ok = false;
            try {
                ok = run_once(step_ms);
            } catch (const std::exception& e) {
                report_failure("socket error: " + describe(e), 0, {});
            }
            if (!ok) {
                ++tally.failed;
                continue;
            }
            ++tally.ok;
            tally.order_ms.push_back(ms_between(started, Clock::now()));
            for (std::size_t s = 0; s < kSteps; ++s) tally.step_ms[s].push_back(step_ms[s]);
        }
    }

private:
    /// One whole checkout; false (after reporting why) when a step failed.
    bool run_once(std::array<double, kSteps>& step_ms) {
        if (!call(Step::create_cart, "/api/v1/carts", "{}", {}, step_ms)) return false;
        if (!read_strings(connection_.body(), {{"id", &cart_id_}, {"token", &cart_token_}}))
            return fail(Step::create_cart, "no id and token");

        target_.assign("/api/v1/carts/").append(cart_id_).append("/items");
        if (!call(Step::add_item, target_, item_bodies_[pick_(random_)], cart_token_, step_ms)) return false;

        body_.assign(R"({"cart_id": )");
        append_json_string(body_, cart_id_);
        body_.append(R"(, "email": ")")
            .append(kEmail)
            .append(R"(", "shipping_address": {"name": "Bench Buyer", )"
                    R"("line1": "1 Main Street", "city": "Springfield", )"
                    R"("postal_code": "12345", "country": "US"}, )"
                    R"("shipping_method": "standard"})");
        if (!call(Step::checkout, "/api/v1/checkout", body_, cart_token_, step_ms)) return false;
        if (!read_strings(connection_.body(), {{"id", &order_id_}})) return fail(Step::checkout, "no order id");

        if (!call(Step::card_token, "/api/v1/payments/sandbox/tokens", kCard, {}, step_ms)) return false;
        if (!read_strings(connection_.body(), {{"token", &card_token_}})) return fail(Step::card_token, "no token");

        body_.assign(R"({"order_id": )");
        append_json_string(body_, order_id_);
        body_.append(R"(, "payment_method": )");
        append_json_string(body_, card_token_);
        body_ += '}';
        if (!call(Step::pay, "/api/v1/payments", body_, cart_token_, step_ms)) return false;
        if (!read_strings(connection_.body(), {{"status", &payment_status_}}) || payment_status_ != "succeeded")
            return fail(Step::pay, "status is not succeeded");
        return true;
    }

    /// One POST that must answer 201; records its latency.
    bool call(Step step, std::string_view target, std::string_view body, std::string_view cart_token,
              std::array<double, kSteps>& step_ms) {
        auto started = Clock::now();
        int status = connection_.send(http::verb::post, target, body, cart_token);
        step_ms[static_cast<std::size_t>(step)] = ms_between(started, Clock::now());
        if (status == 201) return true;
        report_failure(std::string(kStepNames[static_cast<std::size_t>(step)]) + " POST " + std::string(target), status,
                       connection_.body());
        return false;
    }

    /// A 201 whose body lacks what the next step needs.
    bool fail(Step step, std::string_view why) {
        report_failure(std::string(kStepNames[static_cast<std::size_t>(step)]) + ": " + std::string(why), 201,
                       connection_.body());
        return false;
    }

    Connection& connection_;
    const std::vector<std::string>& item_bodies_;
    std::mt19937_64 random_;
    std::uniform_int_distribution<std::size_t> pick_;
    std::string target_, body_, cart_id_, cart_token_, order_id_, card_token_, payment_status_;
};

/// Runs `work(connection, tally)` on every connection, each in its own thread, until they return; meanwhile cuts
/// requests that run past the timeout. Returns one tally per connection.
std::vector<Tally> run_phase(std::vector<std::unique_ptr<Connection>>& connections, Clock::duration timeout,
                             const std::function<void(std::size_t, Connection&, Tally&)>& work) {
    try {
        for (auto& c : connections) c->connect();
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("cannot connect: " + e.code().message());
    }
    std::vector<Tally> tallies(connections.size());
    std::atomic<std::size_t> running{connections.size()};
    std::vector<std::thread> threads;
    threads.reserve(connections.size());
    for (std::size_t i = 0; i < connections.size(); ++i) {
        threads.emplace_back([&, i] {
            try {
                work(i, *connections[i], tallies[i]);
            } catch (const std::exception& e) {
                report_failure("connection stopped: " + describe(e), 0, {});
            }
            tallies[i].finished = Clock::now();
            running.fetch_sub(1);
        });
    }
    while (running.load() > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        auto now = Clock::now();
        for (auto& c : connections) c->abort_if_stuck(now, timeout);
    }
    for (auto& t : threads) t.join();
    return tallies;
}

/// CPU seconds (user + system) this process has used so far, to show the driver is not the bottleneck.
double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

/// Elapsed seconds from `start` to the end of the last connection of a phase.
double phase_seconds(Clock::time_point start, const std::vector<Tally>& tallies) {
    auto end = start;
    for (const auto& t : tallies) end = std::max(end, t.finished);
    return std::chrono::duration<double>(end - start).count();
}

/// Nearest-rank percentile of ascending `sorted`; 0 when it is empty.
double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

/// Concatenates and sorts the samples chosen by `of` from every tally.
std::vector<double> merged(const std::vector<Tally>& tallies,
                           const std::function<const std::vector<double>&(const Tally&)>& of) {
    std::vector<double> all;
    for (const auto& t : tallies) all.insert(all.end(), of(t).begin(), of(t).end());
    std::sort(all.begin(), all.end());
    return all;
}

/// Members of a JSON object: names and their values already written as JSON.
using JsonFields = std::vector<std::pair<std::string_view, std::string>>;

/// `fields` as one JSON object. Written by hand because Boost.JSON prints doubles as 1.437E2.
std::string json_object(const JsonFields& fields) {
    std::string out = "{";
    for (const auto& [name, value] : fields) {
        if (out.size() > 1) out += ", ";
        append_json_string(out, name);
        out.append(": ").append(value);
    }
    return out += '}';
}

/// `v` with three decimals, as a JSON number.
std::string fixed3(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", v);
    return text;
}

/// Runs both phases and prints the results; the exit status of the program.
int run(const Options& o) {
    asio::io_context io;
    auto endpoints = tcp::resolver(io).resolve(o.host, o.port);
    std::string host_header = (o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host) + ":" + o.port;
    std::vector<std::unique_ptr<Connection>> connections;
    connections.reserve(static_cast<std::size_t>(o.connections));
    for (int i = 0; i < o.connections; ++i) connections.push_back(std::make_unique<Connection>(endpoints, host_header));
    auto timeout = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.timeout_s));

    double healthz_rps = 0;
    double healthz_seconds = 0;
    double healthz_cpu_pct = 0;
    std::uint64_t healthz_errors = 0;
    if (o.healthz_duration_s > 0) {
        auto start = Clock::now();
        double cpu_start = cpu_seconds();
        auto deadline =
            start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.healthz_duration_s));
        auto tallies = run_phase(connections, timeout, [&](std::size_t, Connection& c, Tally& t) {
            while (Clock::now() < deadline) {
                try {
                    if (c.send(http::verb::get, "/healthz", {}, {}) == 200)
                        ++t.ok;
                    else
                        ++t.failed;
                } catch (const std::exception& e) {
                    ++t.failed;
                    report_failure("GET /healthz: " + describe(e), 0, {});
                }
            }
        });
        std::uint64_t ok = 0;
        for (const auto& t : tallies) {
            ok += t.ok;
            healthz_errors += t.failed;
        }
        healthz_seconds = phase_seconds(start, tallies);
        healthz_rps = static_cast<double>(ok) / healthz_seconds;
        healthz_cpu_pct = 100.0 * (cpu_seconds() - cpu_start) / healthz_seconds;
    }

    std::vector<std::string> item_bodies;
    item_bodies.reserve(o.skus.size());
    for (const auto& sku : o.skus) {
        std::string b = R"({"sku": )";
        append_json_string(b, sku);
        item_bodies.push_back(b + R"(, "quantity": 1})");
    }
    std::random_device seed_source;
    std::vector<std::uint64_t> seeds;
    seeds.reserve(static_cast<std::size_t>(o.connections));
    for (int i = 0; i < o.connections; ++i) seeds.push_back((std::uint64_t(seed_source()) << 32) ^ seed_source());

    auto start = Clock::now();
    double cpu_start = cpu_seconds();
    auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration_s));
    auto tallies = run_phase(connections, timeout, [&](std::size_t i, Connection& c, Tally& t) {
        CheckoutLoop(c, item_bodies, seeds[i]).run(deadline, t);
    });
    double seconds = phase_seconds(start, tallies);
    double cpu_pct = 100.0 * (cpu_seconds() - cpu_start) / seconds;
    std::uint64_t orders = 0;
    std::uint64_t failed = 0;
    for (const auto& t : tallies) {
        orders += t.ok;
        failed += t.failed;
    }
    double orders_per_s = static_cast<double>(orders) / seconds;
    double checkout_rps = orders_per_s * kSteps;
    auto order_ms = merged(tallies, [](const Tally& t) -> const std::vector<double>& { return t.order_ms; });
    double pct_of_healthz = healthz_rps > 0 ? 100.0 * checkout_rps / healthz_rps : 0;
    auto count = [](std::uint64_t n) { return static_cast<unsigned long long>(n); };

    std::printf("server:            http://%s\n", host_header.c_str());
    std::printf("connections:       %d\n", o.connections);
    if (o.healthz_duration_s > 0)
        std::printf("healthz:           %.1f req/s (%.1f s, %llu errors; driver CPU %.0f%% of a core)\n", healthz_rps,
                    healthz_seconds, count(healthz_errors), healthz_cpu_pct);
    std::printf("orders:            %llu in %.2f s = %.1f orders/s (driver CPU %.1f%% of a core)\n", count(orders),
                seconds, orders_per_s, cpu_pct);
    std::printf("failed checkouts:  %llu\n", count(failed));
    std::printf("checkout requests: %.1f req/s", checkout_rps);
    if (healthz_rps > 0) std::printf(" = %.2f%% of healthz", pct_of_healthz);
    std::printf("\norder latency ms:  p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", percentile(order_ms, 50),
                percentile(order_ms, 90), percentile(order_ms, 99), percentile(order_ms, 100));

    JsonFields steps;
    for (std::size_t s = 0; s < kSteps; ++s) {
        auto samples = merged(tallies, [s](const Tally& t) -> const std::vector<double>& { return t.step_ms[s]; });
        std::printf("  %-12s     p50 %.2f  p99 %.2f\n", std::string(kStepNames[s]).c_str(), percentile(samples, 50),
                    percentile(samples, 99));
        steps.emplace_back(kStepNames[s], json_object({{"p50", fixed3(percentile(samples, 50))},
                                                       {"p99", fixed3(percentile(samples, 99))}}));
    }
    if (o.json) {
        std::string line = json_object({
            {"connections", std::to_string(o.connections)},
            {"healthz_rps", fixed3(healthz_rps)},
            {"healthz_errors", std::to_string(healthz_errors)},
            {"healthz_driver_cpu_pct", fixed3(healthz_cpu_pct)},
            {"duration_s", fixed3(seconds)},
            {"driver_cpu_pct", fixed3(cpu_pct)},
            {"orders", std::to_string(orders)},
            {"orders_per_s", fixed3(orders_per_s)},
            {"failed", std::to_string(failed)},
            {"checkout_rps", fixed3(checkout_rps)},
            {"checkout_pct_of_healthz", healthz_rps > 0 ? fixed3(pct_of_healthz) : "null"},
            {"order_ms", json_object({{"p50", fixed3(percentile(order_ms, 50))},
                                      {"p90", fixed3(percentile(order_ms, 90))},
                                      {"p99", fixed3(percentile(order_ms, 99))},
                                      {"max", fixed3(percentile(order_ms, 100))}})},
            {"steps", json_object(steps)},
        });
        std::printf("%s\n", line.c_str());
    }
    std::fflush(stdout);
    return orders > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(parse_options(argc, argv));
    } catch (const UsageError& e) {
        std::cerr << "shop_checkout_bench: " << e.what() << "\n\n" << kUsage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "shop_checkout_bench: " << describe(e) << "\n";
        return 1;
    }
}
