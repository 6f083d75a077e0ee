#pragma once
// A real SMTP server for tests (tests/support/smtp_sink.py, Debian's python3-aiosmtpd) as a child
// process; every message it accepts is kept with its MIME parse by Python's email package.
#include <boost/json.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.hpp"

namespace shop::test {

class SmtpSink {
public:
    /// Listens on `port` (0 = a free one); with a `user`, AUTH is required and only user/password pass.
    explicit SmtpSink(std::uint16_t port = 0, const std::string& user = "", const std::string& password = "");
    ~SmtpSink();
    std::uint16_t port() const { return port_; }
    std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
    /// The messages received so far, oldest first: {mail_from, rcpt_tos, auth_user, headers (decoded),
    /// raw_headers, content_type, parts: [{type, charset, content}]} (or parse_error).
    std::vector<boost::json::object> messages() const;
    /// The raw text of the n-th message (0-based).
    std::string raw(std::size_t n) const;

private:
    std::filesystem::path dir_;
    std::unique_ptr<ChildProcess> process_;
    std::uint16_t port_ = 0;
};

/// A TCP port nothing listens on right now (for a server started later).
std::uint16_t free_port();

}  // namespace shop::test
