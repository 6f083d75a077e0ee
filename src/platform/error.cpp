#include "platform/error.hpp"

namespace shop {
namespace {

class GenericCategory final : public ErrorCategory {
public:
    const char* name() const noexcept override { return "shop"; }
    int http_status(int ev) const noexcept override {
        switch (static_cast<errc>(ev)) {
            case errc::bad_request: return 400;
            case errc::malformed_json: return 400;
            case errc::validation_failed: return 422;
            case errc::unauthorized: return 401;
            case errc::forbidden: return 403;
            case errc::not_found: return 404;
            case errc::method_not_allowed: return 405;
            case errc::conflict: return 409;
            case errc::idempotency_key_reused: return 422;
            case errc::idempotency_key_in_use: return 409;
            case errc::payload_too_large: return 413;
            case errc::unsupported_media_type: return 415;
            case errc::rate_limited: return 429;
            case errc::precondition_failed: return 412;
            case errc::unavailable: return 503;
            case errc::internal: return 500;
        }
        return 500;
    }
    std::string_view problem_code(int ev) const noexcept override {
        switch (static_cast<errc>(ev)) {
            case errc::bad_request: return "bad_request";
            case errc::malformed_json: return "malformed_json";
            case errc::validation_failed: return "validation_failed";
            case errc::unauthorized: return "unauthorized";
            case errc::forbidden: return "forbidden";
            case errc::not_found: return "not_found";
            case errc::method_not_allowed: return "method_not_allowed";
            case errc::conflict: return "conflict";
            case errc::idempotency_key_reused: return "idempotency_key_reused";
            case errc::idempotency_key_in_use: return "idempotency_key_in_use";
            case errc::payload_too_large: return "payload_too_large";
            case errc::unsupported_media_type: return "unsupported_media_type";
            case errc::rate_limited: return "rate_limited";
            case errc::precondition_failed: return "precondition_failed";
            case errc::unavailable: return "unavailable";
            case errc::internal: return "internal_error";
        }
        return "internal_error";
    }
};

}  // namespace

const ErrorCategory& generic_category() noexcept {
    static const GenericCategory kCategory;
    return kCategory;
}

int Error::http_status() const noexcept {
    if (auto* c = dynamic_cast<const ErrorCategory*>(&ec.category())) return c->http_status(ec.value());
    return 500;
}

std::string_view Error::code() const noexcept {
    if (auto* c = dynamic_cast<const ErrorCategory*>(&ec.category())) return c->problem_code(ec.value());
    return "internal_error";
}

Error not_found(std::string detail) { return {errc::not_found, std::move(detail)}; }
Error conflict(std::string detail) { return {errc::conflict, std::move(detail)}; }
Error forbidden(std::string detail) { return {errc::forbidden, std::move(detail)}; }
Error unauthorized(std::string detail) { return {errc::unauthorized, std::move(detail)}; }
Error validation(std::string field, std::string message) {
    std::string detail = field + ": " + message;
    return {errc::validation_failed, std::move(detail), {{std::move(field), std::move(message)}}};
}

void throw_exception_from_error(const Error& e, const boost::source_location&) { throw ErrorException(e); }

}  // namespace shop
