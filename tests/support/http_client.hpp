#pragma once
// A small blocking HTTP/1.1 client over a real socket, for tests. Keeps one keep-alive connection.
#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace shop::test {

struct HttpResult {
    int status = 0;
    std::map<std::string, std::string> headers;  ///< lower-case names
    std::string body;

    boost::json::value json() const;
    std::string header(const std::string& lower_name) const;
    /// `json().at(key)` as a string (throws when absent).
    std::string str(const std::string& key) const;
};

class HttpClient {
public:
    explicit HttpClient(std::uint16_t port, std::string host = "127.0.0.1");
    ~HttpClient();
    HttpClient(HttpClient&&) noexcept;
    HttpClient& operator=(HttpClient&&) noexcept;

    /// Default headers sent with every request (Authorization, X-Cart-Token...).
    void set_header(const std::string& name, const std::string& value) { defaults_[name] = value; }
    void clear_header(const std::string& name) { defaults_.erase(name); }
    /// A new connection to `port` sending the same default headers (another instance, same user).
    HttpClient on(std::uint16_t port) const {
        HttpClient c(port);
        c.defaults_ = defaults_;
        c.record_ = record_;
        return c;
    }
    /// Leaves this client's traffic out of the contract test (a server that is not the shop's).
    void not_the_shop() { record_ = false; }

    HttpResult request(const std::string& method, const std::string& target, const std::string& body = {},
                       const std::map<std::string, std::string>& headers = {});
    HttpResult get(const std::string& target, const std::map<std::string, std::string>& headers = {}) {
        return request("GET", target, {}, headers);
    }
    HttpResult post(const std::string& target, const boost::json::value& body, const std::map<std::string, std::string>& headers = {});
    HttpResult put(const std::string& target, const boost::json::value& body, const std::map<std::string, std::string>& headers = {});
    HttpResult patch(const std::string& target, const boost::json::value& body, const std::map<std::string, std::string>& headers = {});

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::map<std::string, std::string> defaults_;
    bool record_ = true;
};

}  // namespace shop::test
