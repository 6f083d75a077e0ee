#pragma once
// Outbound webhooks: the pure rules (no I/O) — which endpoints an event goes to, the signature a
// receiver checks, which URLs are acceptable, and when an endpoint that keeps failing is disabled.
// The retry schedule is domain::retry_delay (delivery.hpp) with the webhooks' own policy.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/delivery.hpp"

namespace shop::notification::domain {

/// Whether an endpoint subscribed to `event_types` (type names, or "*" for every type) receives an
/// event of `type`.
bool subscribed(const std::vector<std::string>& event_types, std::string_view type);

/// The `Shop-Signature` header value of a delivery `body` sent at `unix_seconds`:
/// `t=<unix_seconds>,v1=<lower-case hex HMAC-SHA256(secret, "<unix_seconds>.<body>")>`.
std::string signature_header(std::string_view secret, std::int64_t unix_seconds, std::string_view body);

/// Why `url` cannot receive webhooks (not an absolute http or https URL with a host, credentials
/// in it, a fragment, longer than 2048 characters), or nullopt when it can.
std::optional<std::string> webhook_url_problem(std::string_view url);

/// The wait before the attempt after the `attempts`-th failed one, or nullopt when the delivery
/// has used its attempts and fails for good (retry_delay with a transient failure).
std::optional<std::int64_t> webhook_retry_delay(const RetryPolicy& p, std::int64_t attempts);

/// The time from a delivery's first attempt to its last when every attempt fails: the sum of the
/// waits of `p` (with the defaults, 31 attempts over about 24 hours).
std::int64_t retry_span_ms(const RetryPolicy& p);

/// Whether a delivery that just failed for good disables its endpoint: yes when no attempt to the
/// endpoint has succeeded (and no admin has enabled it again) since the delivery's first attempt,
/// so the endpoint answered nothing but failures for the delivery's whole retry span.
/// `last_good_ms` is when that last happened, 0 when never.
bool disables_endpoint(std::int64_t last_good_ms, std::int64_t first_attempt_ms);

}  // namespace shop::notification::domain
