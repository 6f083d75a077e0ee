#include "domain/product_rules.hpp"

#include <fmt/format.h>

#include <set>


namespace shop::catalog::domain {

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

std::vector<std::string> category_ids(const api::List<api::Id<"cat">, 0, 20>& in, const std::string& field,
                                      std::vector<FieldError>& errors) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (!seen.insert(in[i].value).second) errors.push_back({fmt::format("{}[{}]", field, i), "is repeated"});
        else out.push_back(in[i].value);
    }
    return out;
}

NewVariant new_variant(const NewVariantRequest& v, const std::string& path, std::vector<FieldError>& errors) {
    NewVariant nv;
    nv.sku = v.sku.value;
    for (char c : nv.sku)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
            errors.push_back({path + ".sku", "may contain only letters, digits, '-', '_' and '.'"});
            break;
        }
    nv.title = v.title ? v.title->value : "";
    nv.weight_grams = v.weight_grams ? v.weight_grams->value : 0;
    if (v.options)
        for (auto& [k, val] : v.options->items) nv.options.emplace_back(k, val.value);
    nv.prices = prices(v.prices, path + ".prices", errors);
    return nv;
}

std::vector<Money> prices(const api::List<api::MoneyIn, 1, 20>& in, const std::string& field, std::vector<FieldError>& errors) {
    std::vector<Money> out;
    std::set<std::string> currencies;
    for (std::size_t j = 0; j < in.size(); ++j) {
        const auto& m = in[j];
        if (!currencies.insert(m.currency.value).second) errors.push_back({fmt::format("{}[{}].currency", field, j), "is repeated for this variant"});
        out.push_back({m.amount.value, m.currency.value});
    }
    return out;
}

bool is_image_url(std::string_view url) {
    auto rest = [&](std::string_view prefix) { return url.substr(0, prefix.size()) == prefix && url.size() > prefix.size(); };
    if (!(rest("https://") || rest("http://") || rest("/media/"))) return false;
    for (unsigned char c : url)
        if (c <= ' ' || c == '"' || c == '<' || c == '>' || c == '\\' || c >= 0x7f) return false;
    return true;
}

std::vector<NewImage> images(const api::List<ImageIn, 0, 50>& in, const std::string& field, std::vector<FieldError>& errors) {
    std::vector<NewImage> out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const auto& im = in[i];
        if (!is_image_url(im.url.value))
            errors.push_back({fmt::format("{}[{}].url", field, i), "must be an http(s) URL or /media/... of an upload, without spaces"});
        out.push_back({im.url.value, im.alt ? im.alt->value : "", im.position ? im.position->value : static_cast<std::int64_t>(i)});
    }
    return out;
}

NewProduct new_product(const NewProductRequest& in, std::vector<FieldError>& errors) {
    NewProduct p;
    p.title = in.title.value;
    if (in.slug) {
        if (!is_slug(in.slug->value)) errors.push_back({"slug", "must be lower-case letters and digits separated by dashes"});
        p.slug = in.slug->value;
    }
    p.description = in.description ? in.description->value : "";
    p.status = in.status ? in.status->value : "draft";
    if (in.tax_class) {
        if (!is_slug(in.tax_class->value)) errors.push_back({"tax_class", "must be lower-case letters and digits separated by dashes"});
        p.tax_class = in.tax_class->value;
    }
    if (in.brand_id) p.brand_id = in.brand_id->value;
    if (in.category_ids) p.category_ids = category_ids(*in.category_ids, "category_ids", errors);
    if (in.attributes)
        for (auto& [code, v] : in.attributes->items) p.attributes[code] = v.value;
    if (in.images) p.images = images(*in.images, "images", errors);
    if (in.meta_title) p.meta_title = in.meta_title->value;
    if (in.meta_description) p.meta_description = in.meta_description->value;
    std::set<std::string> skus;
    for (std::size_t i = 0; i < in.variants.size(); ++i) {
        std::string path = fmt::format("variants[{}]", i);
        auto nv = new_variant(in.variants[i], path, errors);
        if (!skus.insert(nv.sku).second) errors.push_back({path + ".sku", "is repeated in this product"});
        p.variants.push_back(std::move(nv));
    }
    if (p.slug.empty()) p.slug = slugify(p.title);
    if (p.slug.empty()) errors.push_back({"title", "must contain letters or digits (the slug is made from it)"});
    return p;
}

}  // namespace shop::catalog::domain
