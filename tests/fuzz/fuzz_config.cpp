// The configuration loader (src/platform/config.*) over the app's real key table
// (src/app/config_keys.*): a --config file's text, or SHOP_* environment overrides.
// Input: the first byte picks the layer; for the environment, one NAME=VALUE per line, and a line
// starting with a byte below 0x20 names the key of that index (so every key is reachable).
// A bad value must be refused with std::runtime_error naming where it came from; anything else
// escaping (a logic_error, a type error reading a key back) is a crash.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "app/config_keys.hpp"
#include "fuzz_check.hpp"
#include "platform/config.hpp"

using shop::fuzz::check;

namespace {

// Every key reads back with the type its declaration promises, within its range.
void read_back(const shop::Config& c) {
    for (auto& k : shop::app::config_keys()) {
        switch (k.type) {
            case shop::ConfigType::integer:
            case shop::ConfigType::duration: {
                auto n = c.get_int(k.key);
                check(n >= k.min && n <= k.max, "an integer key stays in its range", k.key);
                break;
            }
            case shop::ConfigType::boolean: c.get_bool(k.key); break;
            case shop::ConfigType::origin_list:
            case shop::ConfigType::cidr_list:
            case shop::ConfigType::email_list: c.get_strings(k.key); break;
            default: {
                auto s = c.get_string(k.key);
                check(k.optional || !s.empty() || k.type == shop::ConfigType::string, "a required text key is not empty", k.key);
            }
        }
    }
    for (auto& e : c.entries())
        if (e.spec->secret) check(e.value.empty() || e.value == "***", "a secret is never shown", e.key);
    c.redacted();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const shop::Config defaults = shop::app::default_config();
    shop::Config c = defaults;
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    bool env = data[0] & 1;
    try {
        if (!env) {
            c.overlay_text(text, "fuzz.json");
        } else {
            auto keys = shop::app::config_keys();
            std::vector<std::string> vars;
            while (!text.empty()) {
                auto nl = text.find('\n');
                std::string line(text.substr(0, nl));
                text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
                if (!line.empty() && static_cast<unsigned char>(line[0]) < 0x20)
                    line = shop::Config::env_name(keys[static_cast<unsigned char>(line[0]) % keys.size()].key) + "=" + line.substr(1);
                vars.push_back(std::move(line));
            }
            c.overlay_env(vars);
        }
    } catch (const std::runtime_error& e) {
        std::string_view what = e.what();
        check(what.starts_with(env ? "env " : "file fuzz.json:"), "a refused value names where it came from", what);
        return 0;
    }
    read_back(c);
    return 0;
}
