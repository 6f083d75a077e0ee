#include "support/http_client.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <mutex>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

namespace shop::test {
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

boost::json::value HttpResult::json() const { return boost::json::parse(body); }
std::string HttpResult::header(const std::string& n) const {
    auto it = headers.find(n);
    return it == headers.end() ? "" : it->second;
}
std::string HttpResult::str(const std::string& key) const { return std::string(json().at(key).as_string()); }

struct HttpClient::Impl {
    asio::io_context ioc;
    std::string host;
    std::uint16_t port;
    std::unique_ptr<beast::tcp_stream> stream;
    beast::flat_buffer buffer;

    void connect() {
        tcp::resolver resolver(ioc);
        stream = std::make_unique<beast::tcp_stream>(ioc);
        stream->connect(resolver.resolve(host, std::to_string(port)));
        buffer.clear();
    }
};

HttpClient::HttpClient(std::uint16_t port, std::string host) : impl_(std::make_unique<Impl>()) {
    impl_->host = std::move(host);
    impl_->port = port;
}
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

namespace {
// With SHOP_CONTRACT_LOG set, every exchange is appended to that file as one JSON line, for the
// contract test to check against the OpenAPI document (tests/contract).
void record_exchange(const std::string& method, const std::string& target, const std::string& content_type, const std::string& body,
                     const HttpResult& res) {
    static const char* path = std::getenv("SHOP_CONTRACT_LOG");
    if (!path || !*path) return;
    boost::json::object line{{"method", method},
                             {"target", target},
                             {"request_content_type", content_type},
                             {"request_body", body},
                             {"status", res.status},
                             {"response_content_type", res.headers.count("content-type") ? res.headers.at("content-type") : ""},
                             {"response_body", res.body}};
    std::string text = boost::json::serialize(line) + "\n";
    static std::mutex mu;
    std::lock_guard lock(mu);
    int fd = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return;
    ssize_t n = ::write(fd, text.data(), text.size());
    (void)n;
    ::close(fd);
}
}  // namespace

HttpResult HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                               const std::map<std::string, std::string>& headers) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        try {
            if (!impl_->stream) impl_->connect();
            bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
            req.set(bhttp::field::host, impl_->host);
            for (auto& [k, v] : defaults_) req.set(k, v);
            for (auto& [k, v] : headers) req.set(k, v);
            if (!body.empty() && req[bhttp::field::content_type].empty()) req.set(bhttp::field::content_type, "application/json");
            req.body() = body;
            req.prepare_payload();
            bhttp::write(*impl_->stream, req);
            bhttp::response_parser<bhttp::string_body> parser;
            parser.body_limit(64 * 1024 * 1024);
            parser.skip(method == "HEAD");
            bhttp::read(*impl_->stream, impl_->buffer, parser);
            auto& res = parser.get();
            HttpResult out;
            out.status = res.result_int();
            for (auto& f : res) {
                std::string name(f.name_string());
                for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                // A repeated header (Set-Cookie) keeps every value, one per line.
                auto& v = out.headers[name];
                v += (v.empty() ? "" : "\n") + std::string(f.value());
            }
            out.body = res.body();
            if (!res.keep_alive()) impl_->stream.reset();
            if (record_) record_exchange(method, target, std::string(req[bhttp::field::content_type]), body, out);
            return out;
        } catch (const boost::system::system_error&) {
            impl_->stream.reset();  // the server closed an idle keep-alive connection: reconnect once
            if (attempt == 1) throw;
        }
    }
    return {};
}

HttpResult HttpClient::post(const std::string& target, const boost::json::value& body, const std::map<std::string, std::string>& h) {
    return request("POST", target, boost::json::serialize(body), h);
}
HttpResult HttpClient::put(const std::string& target, const boost::json::value& body, const std::map<std::string, std::string>& h) {
    return request("PUT", target, boost::json::serialize(body), h);
}
HttpResult HttpClient::patch(const std::string& target, const boost::json::value& body, const std::map<std::string, std::string>& h) {
    return request("PATCH", target, boost::json::serialize(body), h);
}

}  // namespace shop::test
