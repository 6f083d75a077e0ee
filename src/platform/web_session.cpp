#include "platform/web_session.hpp"

#include "platform/crypto.hpp"

namespace shop::web_session {

std::string csrf_token(std::string_view session_token) { return crypto::hmac_sha256_hex(session_token, "shop-csrf-v1"); }

bool unsafe_method(std::string_view method) noexcept { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

std::string cookie(std::string_view all, std::string_view name) {
    while (!all.empty()) {
        auto semi = all.find(';');
        std::string_view part = all.substr(0, semi);
        all = semi == std::string_view::npos ? std::string_view{} : all.substr(semi + 1);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        if (part.size() > name.size() && part.starts_with(name) && part[name.size()] == '=') return std::string(part.substr(name.size() + 1));
    }
    return "";
}

namespace {
class CsrfCategory final : public ErrorCategory {
public:
    const char* name() const noexcept override { return "csrf"; }
    int http_status(int) const noexcept override { return 403; }
    std::string_view problem_code(int) const noexcept override { return "csrf_failed"; }
};
}  // namespace

Error csrf_failed(std::string detail) {
    static const CsrfCategory kCategory;
    return Error(boost::system::error_code(1, kCategory), std::move(detail));
}

}  // namespace shop::web_session
