#pragma once
// Reading request bodies: every problem is collected with the JSON path of the field, so a client
// gets one 422 naming all of them instead of a first-error guessing game.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/error.hpp"

namespace shop {

/// Parses a request body as a JSON object; malformed JSON -> 400 malformed_json, a non-object
/// -> 422 validation_failed.
Result<boost::json::object> parse_json_object(std::string_view body);

/// Collects field errors while reading a JSON object.
class FieldReader {
public:
    FieldReader(const boost::json::object& obj, std::vector<FieldError>& errors, std::string prefix = {})
        : obj_(obj), errors_(errors), prefix_(std::move(prefix)) {}

    std::string path(std::string_view key) const { return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key); }

    /// A non-empty string of at most max_len bytes.
    std::string required_string(std::string_view key, std::size_t max_len = 1000);
    std::optional<std::string> optional_string(std::string_view key, std::size_t max_len = 1000);
    /// An integer in [min, max].
    std::int64_t required_int(std::string_view key, std::int64_t min, std::int64_t max);
    std::optional<std::int64_t> optional_int(std::string_view key, std::int64_t min, std::int64_t max);
    std::optional<bool> optional_bool(std::string_view key);
    /// The array at key (nullptr and an error when absent or not an array).
    const boost::json::array* required_array(std::string_view key);
    const boost::json::array* optional_array(std::string_view key);
    const boost::json::object* required_object(std::string_view key);
    const boost::json::object* optional_object(std::string_view key);
    /// One of `allowed`; default when absent.
    std::string one_of(std::string_view key, std::initializer_list<std::string_view> allowed, std::string_view def);

    void fail(std::string_view key, std::string message) { errors_.push_back({path(key), std::move(message)}); }
    const boost::json::object& object() const noexcept { return obj_; }

private:
    const boost::json::object& obj_;
    std::vector<FieldError>& errors_;
    std::string prefix_;
};

/// 422 validation_failed carrying `errors`.
Error validation_error(std::vector<FieldError> errors);

/// Throws ErrorException(validation_error(errors)) when any field error was collected.
void throw_if_invalid(std::vector<FieldError>& errors);

}  // namespace shop
