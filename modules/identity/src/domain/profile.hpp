#pragma once
// Pure rules for profiles: what a locale is.
#include <optional>
#include <string>
#include <string_view>

namespace shop::identity::domain {

/// A BCP 47 language tag in its canonical case, or nullopt when `tag` is not one of the forms
/// shops use: language (2-3 letters), then optionally a script (4 letters), a region (an assigned
/// ISO 3166-1 alpha-2 code or a 3-digit UN M.49 area) and variants (5-8 letters or digits, or a
/// digit and 3 more), separated by `-` (`_` is read as `-`); at most 35 characters.
/// `EN_us` -> `en-US`, `zh-hant-tw` -> `zh-Hant-TW`, `es-419` stays.
std::optional<std::string> normalize_locale(std::string_view tag);

}  // namespace shop::identity::domain
