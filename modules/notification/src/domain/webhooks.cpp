#include "domain/webhooks.hpp"

#include <boost/url/parse.hpp>
#include <fmt/format.h>

#include <algorithm>

#include "platform/crypto.hpp"

namespace shop::notification::domain {

bool subscribed(const std::vector<std::string>& event_types, std::string_view type) {
    return std::any_of(event_types.begin(), event_types.end(), [&](const std::string& t) { return t == "*" || t == type; });
}

std::string signature_header(std::string_view secret, std::int64_t unix_seconds, std::string_view body) {
    std::string signed_payload = fmt::format("{}.{}", unix_seconds, body);
    return fmt::format("t={},v1={}", unix_seconds, crypto::hmac_sha256_hex(secret, signed_payload));
}

std::optional<std::string> webhook_url_problem(std::string_view url) {
    if (url.size() > 2048) return "must be at most 2048 characters";
    auto u = boost::urls::parse_absolute_uri(url);
    if (!u) return "must be an absolute http or https URL";
    if (u->scheme_id() != boost::urls::scheme::http && u->scheme_id() != boost::urls::scheme::https)
        return "must be an http or https URL";
    if (!u->has_authority() || u->encoded_host().empty()) return "must name a host";
    if (u->has_userinfo()) return "must not carry credentials (put a token in the path or query instead)";
    if (u->has_fragment()) return "must not have a fragment";
    return std::nullopt;
}

std::optional<std::int64_t> webhook_retry_delay(const RetryPolicy& p, std::int64_t attempts) { return retry_delay(p, attempts, false); }

std::int64_t retry_span_ms(const RetryPolicy& p) {
    std::int64_t total = 0;
    for (std::int64_t n = 1;; ++n) {
        auto d = webhook_retry_delay(p, n);
        if (!d) return total;
        total += *d;
    }
}

bool disables_endpoint(std::int64_t last_good_ms, std::int64_t first_attempt_ms) { return last_good_ms < first_attempt_ms; }

}  // namespace shop::notification::domain
