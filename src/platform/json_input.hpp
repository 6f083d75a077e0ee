#pragma once
// Field errors as one problem: every bad field of a request is named in a single 422, instead of a
// first-error guessing game. (Requests are read by platform/api.hpp.)
#include <vector>

#include "platform/error.hpp"

namespace shop {

/// 422 validation_failed carrying `errors`.
Error validation_error(std::vector<FieldError> errors);

/// Throws ErrorException(validation_error(errors)) when any field error was collected.
void throw_if_invalid(std::vector<FieldError>& errors);

}  // namespace shop
