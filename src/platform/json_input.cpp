#include "platform/json_input.hpp"

namespace shop {

Error validation_error(std::vector<FieldError> errors) {
    std::string detail;
    for (auto& e : errors) {
        if (!detail.empty()) detail += "; ";
        detail += e.field + ": " + e.message;
    }
    return Error(errc::validation_failed, std::move(detail), std::move(errors));
}

void throw_if_invalid(std::vector<FieldError>& errors) {
    if (!errors.empty()) throw ErrorException(validation_error(std::move(errors)));
}

}  // namespace shop
