#include <doctest/doctest.h>

#include "identity/src/domain/profile.hpp"

#include <optional>
#include <string>

using shop::identity::domain::normalize_locale;

TEST_CASE("a locale is a BCP 47 tag in canonical case") {
    struct Case {
        const char* in;
        const char* out;
    };
    for (auto c : {Case{"en", "en"}, Case{"EN", "en"}, Case{"en-US", "en-US"}, Case{"en-us", "en-US"}, Case{"EN_us", "en-US"},
                   Case{"pt-BR", "pt-BR"}, Case{"zh-hant-tw", "zh-Hant-TW"}, Case{"zh-HANT", "zh-Hant"}, Case{"es-419", "es-419"},
                   Case{"sr-Latn-RS", "sr-Latn-RS"}, Case{"de-CH-1996", "de-CH-1996"}, Case{"sl-rozaj-biske", "sl-rozaj-biske"},
                   Case{"fil", "fil"}}) {
        CAPTURE(c.in);
        CHECK(normalize_locale(c.in) == std::optional<std::string>(c.out));
    }
}

TEST_CASE("what is not a language tag is refused") {
    for (const char* bad : {"", "e", "english", "en-", "-US", "en--US", "en-U", "en-USA1", "en-XX", "12", "en US", "en-US-x",
                            "en-Latn-Latn", "de-CH-x96", "a-very-long-tag-that-goes-on-and-on-and-on"}) {
        CAPTURE(bad);
        CHECK_FALSE(normalize_locale(bad));
    }
}
