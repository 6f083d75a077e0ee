#include "domain/product_rules.hpp"

#include <fmt/format.h>

#include <set>

#include "platform/json_input.hpp"

namespace shop::catalog::domain {
namespace json = boost::json;

std::string slugify(std::string_view text) {
    std::string out;
    bool dash = false;
    for (unsigned char c : text) {
        if (std::isalnum(c)) {
            if (out.size() + (dash && !out.empty() ? 2 : 1) > 120) break;
            if (dash && !out.empty()) out.push_back('-');
            out.push_back(static_cast<char>(std::tolower(c)));
            dash = false;
        } else {
            dash = true;
        }
    }
    return out;
}

bool is_slug(std::string_view s) { return !s.empty() && slugify(s) == s; }

NewProduct read_new_product(const json::object& body, std::vector<FieldError>& errors) {
    FieldReader f(body, errors);
    NewProduct p;
    p.title = f.required_string("title", 200);
    if (auto slug = f.optional_string("slug", 120)) {
        if (!is_slug(*slug)) f.fail("slug", "must be lower-case letters and digits separated by dashes");
        p.slug = *slug;
    }
    p.description = f.optional_string("description", 20000).value_or("");
    p.status = f.one_of("status", {"draft", "published", "archived"}, "draft");
    const json::array* variants = f.required_array("variants");
    if (variants && variants->empty()) f.fail("variants", "must hold at least one variant");
    if (variants && variants->size() > 100) f.fail("variants", "must hold at most 100 variants");
    std::set<std::string> skus;
    for (std::size_t i = 0; variants && i < variants->size() && i < 100; ++i) {
        std::string path = fmt::format("variants[{}]", i);
        if (!(*variants)[i].is_object()) {
            errors.push_back({path, "must be an object"});
            continue;
        }
        FieldReader v((*variants)[i].as_object(), errors, path);
        NewVariant nv;
        nv.sku = v.required_string("sku", 64);
        for (char c : nv.sku)
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
                v.fail("sku", "may contain only letters, digits, '-', '_' and '.'");
                break;
            }
        if (!nv.sku.empty() && !skus.insert(nv.sku).second) v.fail("sku", "is repeated in this product");
        nv.title = v.optional_string("title", 200).value_or("");
        if (auto* opts = v.optional_object("options")) {
            for (auto& kv : *opts) {
                if (!kv.value().is_string()) {
                    errors.push_back({path + ".options." + std::string(kv.key()), "must be a string"});
                    continue;
                }
                nv.options.emplace_back(std::string(kv.key()), std::string(kv.value().as_string()));
            }
        }
        const json::array* prices = v.required_array("prices");
        if (prices && prices->empty()) v.fail("prices", "must hold at least one price");
        std::set<std::string> currencies;
        for (std::size_t j = 0; prices && j < prices->size(); ++j) {
            std::string ppath = fmt::format("{}.prices[{}]", path, j);
            if (!(*prices)[j].is_object()) {
                errors.push_back({ppath, "must be an object"});
                continue;
            }
            FieldReader pr((*prices)[j].as_object(), errors, ppath);
            Money m;
            m.amount = pr.required_int("amount", 0, 1'000'000'000'000LL);
            m.currency = pr.required_string("currency", 3);
            if (!m.currency.empty() && !is_currency_code(m.currency)) pr.fail("currency", "must be an ISO 4217 code such as USD");
            else if (!m.currency.empty() && !currencies.insert(m.currency).second) pr.fail("currency", "is repeated for this variant");
            nv.prices.push_back(std::move(m));
        }
        p.variants.push_back(std::move(nv));
    }
    if (p.slug.empty()) p.slug = slugify(p.title);
    if (p.slug.empty() && !p.title.empty()) f.fail("title", "must contain letters or digits (the slug is made from it)");
    return p;
}

}  // namespace shop::catalog::domain
