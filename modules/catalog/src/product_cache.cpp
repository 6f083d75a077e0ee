#include "product_cache.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace shop::catalog {
namespace json = boost::json;

Image image_reply(const ImageInfo& im) { return {api::of<api::Id<"img">>(im.id), im.url, im.alt, im.position}; }

Product product_reply(const ProductDoc& p, const std::string& currency, const domain::FxTable& fx) {
    Product out;
    out.id = api::of<api::Id<"prd">>(p.id);
    out.title = p.title;
    out.slug = p.slug;
    out.description = p.description;
    out.status.value = p.status;
    out.tax_class = p.tax_class;
    if (!p.vendor_id.empty()) out.vendor_id = api::of<api::Id<"usr">>(p.vendor_id);
    out.currency = currency;
    for (auto& v : p.variants) {
        Variant o;
        o.id = api::of<api::Id<"var">>(v.id);
        o.sku = v.sku;
        o.title = v.title;
        o.weight_grams = v.weight_grams;
        json::value options = json::parse(v.options_json);
        for (auto& kv : options.as_object()) o.options[kv.key()] = std::string(kv.value().as_string());
        for (auto& m : v.prices) o.prices.push_back({m.amount, m.currency});
        if (auto shown = domain::shown_price(v.prices, currency, fx)) o.price = ShownPrice{shown->amount, currency, shown->converted};
        out.variants.push_back(std::move(o));
    }
    if (p.brand) out.brand = BrandRef{api::of<api::Id<"brd">>(p.brand->id), p.brand->name, p.brand->slug};
    for (auto& c : p.categories) out.categories.push_back({api::of<api::Id<"cat">>(c.id), c.name, c.slug, c.path});
    // The average to two decimals, rounded half up (ratings are positive).
    if (p.rating_count > 0) out.rating.average = static_cast<double>((p.rating_sum * 200 + p.rating_count) / (2 * p.rating_count)) / 100.0;
    out.rating.count = p.rating_count;
    for (auto& a : p.attributes)
        out.attributes.push_back({a.code, a.name, std::string(domain::to_string(a.type)), {domain::attribute_json(a.type, a.value)}});
    for (auto& im : p.images) out.images.push_back(image_reply(im));
    out.seo.meta_title = p.meta_title.empty() ? p.title : p.meta_title;
    out.seo.meta_description = p.meta_description;
    out.seo.canonical_path = "/products/" + p.slug;
    out.created_at.value = p.created_at;
    out.updated_at.value = p.updated_at;
    return out;
}

std::shared_ptr<const ProductDoc> ProductCache::find(const std::string& id) const {
    std::shared_lock lock(mu_);
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second.doc;
}

std::optional<std::string> ProductCache::id_for_slug(const std::string& slug) const {
    std::shared_lock lock(mu_);
    auto it = slug_to_id_.find(slug);
    if (it == slug_to_id_.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> ProductCache::product_for_sku(const std::string& sku) const {
    std::shared_lock lock(mu_);
    auto it = sku_to_id_.find(sku);
    if (it == sku_to_id_.end()) return std::nullopt;
    return it->second;
}

void ProductCache::put(std::shared_ptr<const ProductDoc> doc, std::uint64_t generation) {
    std::unique_lock lock(mu_);
    if (generation != generation_.load()) return;  // a write landed while this was being read
    if (by_id_.size() >= max_) {
        by_id_.clear();
        slug_to_id_.clear();
        sku_to_id_.clear();
    }
    slug_to_id_[doc->slug] = doc->id;
    for (auto& v : doc->variants) sku_to_id_[v.sku] = doc->id;
    auto& e = by_id_[doc->id];
    e.by_currency.clear();
    e.doc = std::move(doc);
}

std::shared_ptr<const Rendered> ProductCache::rendered(const std::shared_ptr<const ProductDoc>& doc, const std::string& currency) {
    {
        std::shared_lock lock(mu_);
        auto it = by_id_.find(doc->id);
        if (it != by_id_.end() && it->second.doc == doc) {
            auto r = it->second.by_currency.find(currency);
            if (r != it->second.by_currency.end()) return r->second;
        }
    }
    auto out = std::make_shared<Rendered>();
    auto rates = fx();
    out->json = json::serialize(api::write_value(product_reply(*doc, currency, *rates)));
    // FNV-1a over the body: a strong validator of exactly these bytes.
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : out->json) h = (h ^ c) * 1099511628211ULL;
    out->etag = fmt::format("\"{:016x}\"", h);
    std::unique_lock lock(mu_);
    auto it = by_id_.find(doc->id);
    // Not when the rates changed while rendering: this rendering used the old ones.
    if (it != by_id_.end() && it->second.doc == doc && fx_ == rates) it->second.by_currency[currency] = out;
    return out;
}

void ProductCache::invalidate(const std::string& id) {
    std::unique_lock lock(mu_);
    ++generation_;
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return;
    slug_to_id_.erase(it->second.doc->slug);
    for (auto& v : it->second.doc->variants) sku_to_id_.erase(v.sku);
    by_id_.erase(it);
}

std::shared_ptr<const domain::FxTable> ProductCache::fx() const {
    std::shared_lock lock(mu_);
    return fx_;
}

void ProductCache::set_fx(std::shared_ptr<const domain::FxTable> fx) {
    std::unique_lock lock(mu_);
    fx_ = std::move(fx);
    for (auto& [id, e] : by_id_) e.by_currency.clear();
}

void ProductCache::invalidate_all() {
    std::unique_lock lock(mu_);
    ++generation_;
    by_id_.clear();
    slug_to_id_.clear();
    sku_to_id_.clear();
}

}  // namespace shop::catalog
