#pragma once
// Errors as values: expected outcomes (not found, out of stock, wrong state) travel as shop::Error
// inside shop::Result<T>. Every module's error category derives from shop::ErrorCategory so the
// HTTP layer has exactly one mapping from an error to a status and a problem code.
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace shop {

/// One offending field of a request, named by its JSON path (`variants[0].sku`).
struct FieldError {
    std::string field;
    std::string message;
};

/// Base of every error category in the project: carries the HTTP status and the stable
/// problem `code` (snake_case, part of the API contract) for each value.
class ErrorCategory : public boost::system::error_category {
public:
    /// HTTP status for the error value `ev`.
    virtual int http_status(int ev) const noexcept = 0;
    /// Stable machine-readable problem code for `ev`.
    virtual std::string_view problem_code(int ev) const noexcept = 0;
    std::string message(int ev) const override { return std::string(problem_code(ev)); }
};

/// Errors every module shares; modules add their own categories for domain outcomes.
enum class errc {
    bad_request = 1,
    malformed_json,
    validation_failed,
    unauthorized,
    forbidden,
    not_found,
    method_not_allowed,
    conflict,
    idempotency_key_reused,
    idempotency_key_in_use,
    payload_too_large,
    unsupported_media_type,
    rate_limited,
    precondition_failed,
    unavailable,
    internal,
};

/// The category of shop::errc.
const ErrorCategory& generic_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), generic_category()};
}

/// An error value: what went wrong (ec), a human detail, and field errors for validation.
struct Error {
    boost::system::error_code ec;
    std::string detail;
    std::vector<FieldError> fields;
    /// For a 429: seconds until a retry can succeed (the Retry-After header; at least 1).
    std::int64_t retry_after_s = 0;

    Error() = default;
    Error(boost::system::error_code e, std::string d = {}, std::vector<FieldError> f = {})
        : ec(e), detail(std::move(d)), fields(std::move(f)) {}
    template <class E>
        requires boost::system::is_error_code_enum<E>::value
    Error(E e, std::string d = {}, std::vector<FieldError> f = {})
        : ec(make_error_code(e)), detail(std::move(d)), fields(std::move(f)) {}

    /// HTTP status this error maps to (500 for categories that are not shop::ErrorCategory).
    int http_status() const noexcept;
    /// Stable problem code (`internal_error` for foreign categories).
    std::string_view code() const noexcept;
};

/// Shorthands for the common cases.
Error not_found(std::string detail);
Error conflict(std::string detail);
Error forbidden(std::string detail = "you may not do this");
Error unauthorized(std::string detail = "authentication required");
Error validation(std::string field, std::string message);

/// Thrown only to carry an Error through code that cannot return it (Result::value() on an
/// error, request parsing helpers); caught and mapped at the HTTP boundary.
class ErrorException : public std::runtime_error {
public:
    explicit ErrorException(Error e) : std::runtime_error(e.detail), error_(std::move(e)) {}
    const Error& error() const noexcept { return error_; }

private:
    Error error_;
};

/// Result of an operation with an expected failure mode.
template <class T>
using Result = boost::system::result<T, Error>;

/// Found by ADL when Result<T>::value() is called on an error.
[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

}  // namespace shop

template <>
struct boost::system::is_error_code_enum<shop::errc> : std::true_type {};
