// The notification module's Mustache renderer (modules/notification/src/domain/templates.*): the
// check an admin's template passes when saved, then rendering it for every channel's escaping.
// Input: the first byte picks the kind of notification (its names and samples), the rest is the
// template.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/kinds.hpp"
#include "domain/templates.hpp"
#include "fuzz_check.hpp"

using namespace shop::notification::domain;
using shop::fuzz::check;

namespace {
// Whether a tag of `tmpl` starts with {, & or = (after blanks): unescaped output or new delimiters.
bool unescaped_tags(std::string_view tmpl) {
    for (auto i = tmpl.find("{{"); i != std::string_view::npos; i = tmpl.find("{{", i + 2)) {
        auto j = tmpl.find_first_not_of(" \t\r\n", i + 2);
        if (j != std::string_view::npos && (tmpl[j] == '{' || tmpl[j] == '&' || tmpl[j] == '=')) return true;
    }
    return false;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const auto& all = kinds();
    const Kind& kind = all[data[0] % all.size()];
    std::string_view tmpl(reinterpret_cast<const char*>(data) + 1, size - 1);

    auto problem = template_problem(tmpl, kind.schema);
    if (problem) check(!problem->empty(), "a refused template says why", tmpl);
    // Stored templates were checked, but rendering must survive anything (an old row, a bug).
    Values values = sample_values(kind.schema, kind.samples, 2);
    for (Escape e : {Escape::none, Escape::html, Escape::json, Escape::form}) {
        std::string out = render(tmpl, values, e);
        if (e == Escape::html) html_of_text(out);
    }
    // Values carrying markup never leak it through {{x}} in HTML: the markup in the output is the
    // template's own, the same as with harmless values ({{{x}}}, {{&x}} and changed delimiters
    // aside, which mean "unescaped" or hide it).
    if (!problem && !unescaped_tags(tmpl)) {
        Values hostile = values, harmless = values;
        for (auto& [k, v] : hostile.vars) v = "<b>&\"'";
        for (auto& [k, v] : harmless.vars) v = "b";
        auto count = [](const std::string& s) {
            std::size_t n = 0;
            for (auto c : s) n += c == '<' || c == '>' || c == '"' || c == '\'';
            return n;
        };
        check(count(render(tmpl, hostile, Escape::html)) == count(render(tmpl, harmless, Escape::html)), "HTML rendering escapes values", tmpl);
    }
    return 0;
}
