// The pagination cursor decoders: api::Cursor (the opaque `cursor` query parameter every list
// takes) and what catalog's product list reads from it (domain::decode_position).
// Input: the first byte picks the decoder, the rest is the text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/src/domain/product_list.hpp"
#include "fuzz_check.hpp"
#include "platform/api.hpp"
#include "platform/http.hpp"

using shop::fuzz::check;
namespace api = shop::api;
namespace domain = shop::catalog::domain;

namespace {

void cursor_parameter(std::string_view text) {
    std::vector<shop::FieldError> errors;
    api::Reader r(errors);
    api::Cursor c;
    bool ok = c.read_text(text, "cursor", r);
    check(ok == errors.empty(), "read_text reports exactly when it fails", text);
    if (!ok) {
        check(errors.size() == 1 && errors[0].field == "cursor", "a bad cursor names the parameter", text);
        return;
    }
    check(text.size() <= 512, "a cursor longer than its schema's maxLength is refused", text);
    // What the API writes for this position reads back as the same position.
    std::string again = shop::http::encode_cursor(c.value);
    api::Cursor c2;
    check(c2.read_text(again, "cursor", r) && c2.value == c.value, "encode_cursor round-trips", again);
    // And the catalog's reading of it does not fall over either.
    if (auto p = domain::decode_position(c.value)) check(!p->id.empty(), "a decoded position has an id", c.value);
}

void product_position(std::string_view text) {
    auto p = domain::decode_position(text);
    if (!p) return;
    check(!p->id.empty() && domain::list_order(p->sort).has_value(), "a decoded position is one the list can continue from", text);
    auto again = domain::decode_position(domain::encode_position(*p));
    check(again && again->sort == p->sort && again->currency == p->currency && again->text_key == p->text_key &&
              again->int_key == p->int_key && again->id == p->id,
          "encode_position round-trips", text);
}

// A position built from the fuzzed bytes (fields separated by NUL) must survive the cursor that
// carries it: what the API writes, it reads back.
void written_position(std::string_view text) {
    std::string_view f[5];
    for (auto& part : f) {
        auto nul = text.find('\0');
        part = text.substr(0, nul);
        text = nul == std::string_view::npos ? std::string_view{} : text.substr(nul + 1);
    }
    // A position is made of text the API checked on the way in (api::text_problem: well-formed
    // UTF-8, no NUL): titles, currencies, ids.
    for (auto& part : f)
        if (!api::text_problem(part).empty()) return;
    domain::ListPosition p;
    p.sort = std::string(f[0]);
    p.currency = std::string(f[1]);
    p.text_key = std::string(f[2]);
    api::parse_int(f[3], p.int_key);
    p.id = std::string(f[4]);
    std::string cursor = shop::http::encode_cursor(domain::encode_position(p));
    std::vector<shop::FieldError> errors;
    api::Reader r(errors);
    api::Cursor c;
    if (!c.read_text(cursor, "cursor", r)) {
        check(cursor.size() > 512, "a cursor the API wrote reads back unless it is too long", cursor);
        return;
    }
    auto back = domain::decode_position(c.value);
    bool valid = !p.id.empty() && domain::list_order(p.sort).has_value();
    check(back.has_value() == valid, "a written position decodes exactly when it is valid", c.value);
    if (back) check(back->id == p.id && back->text_key == p.text_key && back->int_key == p.int_key, "the position survives its cursor", c.value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 3) {
        case 0: cursor_parameter(text); break;
        case 1: product_position(text); break;
        default: written_position(text); break;
    }
    return 0;
}
