#include "catalog_service.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <map>

#include "catalog/errors.hpp"
#include "catalog/events.hpp"
#include "attribute_service.hpp"
#include "domain/fx.hpp"
#include "domain/product_list.hpp"
#include "domain/product_rules.hpp"
#include "platform/audit.hpp"
#include "platform/db.hpp"
#include "platform/json_input.hpp"

namespace shop::catalog {
namespace json = boost::json;

namespace {

class CatalogCategory final : public ErrorCategory {
public:
    const char* name() const noexcept override { return "catalog"; }
    int http_status(int ev) const noexcept override {
        switch (static_cast<errc>(ev)) {
            case errc::not_priced: return 422;
            case errc::slug_taken: return 409;
            case errc::sku_taken: return 409;
            case errc::invalid_state: return 409;
            case errc::in_use: return 409;
            case errc::code_taken: return 409;
        }
        return 500;
    }
    std::string_view problem_code(int ev) const noexcept override {
        switch (static_cast<errc>(ev)) {
            case errc::not_priced: return "not_priced";
            case errc::slug_taken: return "slug_taken";
            case errc::sku_taken: return "sku_taken";
            case errc::invalid_state: return "invalid_state";
            case errc::in_use: return "in_use";
            case errc::code_taken: return "code_taken";
        }
        return "internal_error";
    }
};

events::ProductChanged snapshot(const ProductDoc& p, bool created) {
    events::ProductChanged e;
    e.product_id = p.id;
    e.title = p.title;
    e.slug = p.slug;
    e.description = p.description;
    e.status = p.status;
    e.vendor_id = p.vendor_id;
    e.updated_at = p.updated_at;
    e.created = created;
    if (p.brand) e.brand_id = p.brand->id;
    for (auto& c : p.categories) e.category_ids.push_back(c.id);
    if (!p.images.empty()) e.image_url = p.images.front().url;
    e.rating_count = p.rating_count;
    e.rating_average = p.rating_count > 0 ? static_cast<double>(p.rating_sum) / static_cast<double>(p.rating_count) : 0.0;
    for (auto& v : p.variants) {
        events::VariantDoc vd{v.id, v.sku, v.title, {}};
        for (auto& m : v.prices) vd.prices.push_back({m.amount, m.currency});
        e.variants.push_back(std::move(vd));
    }
    return e;
}

std::shared_ptr<ProductDoc> load_doc(db::Sql& sql, const std::string& id, const domain::CategoryTree& tree) {
    auto p = sql.one("SELECT id, title, slug, description, status, vendor_id, created_at, updated_at, tax_class, brand_id, rating_sum, "
                     "rating_count, meta_title, meta_description FROM catalog.products "
                     "WHERE id = ?",
                     id);
    if (!p) return nullptr;
    auto doc = std::make_shared<ProductDoc>();
    doc->id = p->str(0);
    doc->title = p->str(1);
    doc->slug = p->str(2);
    doc->description = p->str(3);
    doc->status = p->str(4);
    doc->vendor_id = p->str(5);
    doc->created_at = p->str(6);
    doc->updated_at = p->str(7);
    doc->tax_class = p->str(8);
    doc->rating_sum = p->i64(10);
    doc->rating_count = p->i64(11);
    doc->meta_title = p->str(12);
    doc->meta_description = p->str(13);
    for (auto& r : sql.query("SELECT a.code, a.name, a.type, pa.text_value, pa.number_value FROM catalog.product_attributes pa "
                             "JOIN catalog.attributes a ON a.id = pa.attribute_id WHERE pa.product_id = ? ORDER BY a.code",
                             id)) {
        AttributeInfo a{r.str(0), r.str(1), domain::attribute_type(r.str(2)).value_or(domain::AttributeType::text), {}};
        if (!r.is_null(3)) a.value.text = r.str(3);
        if (!r.is_null(4)) a.value.number = r.f64(4);
        doc->attributes.push_back(std::move(a));
    }
    for (auto& r : sql.query("SELECT id, url, alt, position FROM catalog.product_images WHERE product_id = ? ORDER BY position, id", id))
        doc->images.push_back({r.str(0), r.str(1), r.str(2), r.i64(3)});
    for (auto& r : sql.query("SELECT id, sku, title, options, weight_grams FROM catalog.variants WHERE product_id = ? ORDER BY position", id))
        doc->variants.push_back({r.str(0), r.str(1), r.str(2), r.str(3), {}, r.i64(4)});
    for (auto& r : sql.query("SELECT p.variant_id, p.currency, p.amount FROM catalog.prices p JOIN catalog.variants v ON v.id = p.variant_id "
                             "WHERE v.product_id = ? ORDER BY p.currency",
                             id)) {
        auto vid = r.str(0);
        for (auto& v : doc->variants)
            if (v.id == vid) v.prices.push_back({r.i64(2), r.str(1)});
    }
    if (auto brand_id = p->str(9); !brand_id.empty())
        if (auto b = sql.one("SELECT id, name, slug FROM catalog.brands WHERE id = ?", brand_id)) doc->brand = BrandInfo{b->str(0), b->str(1), b->str(2)};
    std::vector<std::string> category_ids;
    for (auto& r : sql.query("SELECT category_id FROM catalog.product_categories WHERE product_id = ? ORDER BY position", id)) {
        auto node = tree.find(r.str(0));
        if (!node) continue;
        doc->categories.push_back({node->row.id, node->row.name, node->row.slug, node->path});
        category_ids.push_back(node->row.id);
    }
    doc->category_closure = tree.with_ancestors(category_ids);
    return doc;
}

/// The brand and categories a product is given exist: 422 naming `brand_id` or `category_ids[i]`.
Result<void> check_taxonomy(db::Sql& sql, const std::string& brand_id, const std::vector<std::string>& category_ids) {
    std::vector<FieldError> errors;
    if (!brand_id.empty() && !sql.count("SELECT COUNT(*) FROM catalog.brands WHERE id = ?", brand_id))
        errors.push_back({"brand_id", "no such brand"});
    for (std::size_t i = 0; i < category_ids.size(); ++i)
        if (!sql.count("SELECT COUNT(*) FROM catalog.categories WHERE id = ?", category_ids[i]))
            errors.push_back({fmt::format("category_ids[{}]", i), "no such category"});
    if (errors.empty()) return {};
    return Error(shop::errc::validation_failed, "the request has invalid fields", std::move(errors));
}

/// The rates as `sql` sees them, those to `base` only (rates stored for another base currency
/// wait for a PUT that names the configured one).
std::shared_ptr<const domain::FxTable> load_fx(db::Sql& sql, const std::string& base) {
    auto fx = std::make_shared<domain::FxTable>();
    fx->base = base;
    for (auto& r : sql.query("SELECT currency, rate FROM catalog.fx_rates WHERE base = ? ORDER BY currency", base))
        if (auto rate = domain::parse_rate(r.str(1))) fx->rates[r.str(0)] = *rate;
    return fx;
}

/// The product's "from" price per currency (the lowest of its variants', explicit or converted),
/// which the list filters and sorts by.
void store_list_prices(db::Tx& tx, const ProductDoc& doc, const domain::FxTable& fx) {
    tx.exec("DELETE FROM catalog.list_prices WHERE product_id = ?", doc.id);
    std::vector<const std::vector<Money>*> variants;
    for (auto& v : doc.variants) variants.push_back(&v.prices);
    for (auto& [currency, amount] : domain::lowest_prices(variants, fx))
        tx.exec("INSERT INTO catalog.list_prices (product_id, currency, amount) VALUES (?, ?, ?)", doc.id, currency, amount);
}

/// The attribute values given by code, checked against the store's definitions: 422 naming
/// `attributes.<code>` for an unknown code or a value the type refuses.
Result<std::vector<std::pair<std::string, domain::AttributeValue>>> check_attributes(db::Sql& sql,
                                                                                  const std::map<std::string, json::value>& given) {
    std::vector<std::pair<std::string, domain::AttributeValue>> out;
    if (given.empty()) return out;
    auto defs = AttributeService::load(sql);
    std::vector<FieldError> errors;
    for (auto& [code, v] : given) {
        const std::string& wanted = code;  // clang 14 cannot capture a structured binding
        auto def = std::find_if(defs.begin(), defs.end(), [&](auto& d) { return d.code == wanted; });
        if (def == defs.end()) {
            errors.push_back({"attributes." + code, "no attribute has this code"});
            continue;
        }
        auto [value, why] = domain::attribute_value(*def, v);
        if (!value) errors.push_back({"attributes." + code, why});
        else out.emplace_back(def->id, std::move(*value));
    }
    if (!errors.empty()) return Error(shop::errc::validation_failed, "the request has invalid fields", std::move(errors));
    return out;
}

void store_attributes(db::Tx& tx, const std::string& product_id, const std::vector<std::pair<std::string, domain::AttributeValue>>& values) {
    tx.exec("DELETE FROM catalog.product_attributes WHERE product_id = ?", product_id);
    for (auto& [attribute_id, v] : values)
        tx.exec("INSERT INTO catalog.product_attributes (product_id, attribute_id, text_value, number_value) VALUES (?, ?, ?, ?)", product_id,
                attribute_id, v.text, v.number);
}

void store_images(db::Tx& tx, const std::string& product_id, const std::vector<NewImage>& images) {
    tx.exec("DELETE FROM catalog.product_images WHERE product_id = ?", product_id);
    auto now = now_iso8601();
    for (auto& im : images)
        tx.exec("INSERT INTO catalog.product_images (id, product_id, url, alt, position, created_at) VALUES (?, ?, ?, ?, ?, ?)", new_id("img"),
                product_id, im.url, im.alt, im.position, now);
}

/// Whether `slug` names another product than `product_id`, now or before.
bool slug_taken(db::Sql& sql, const std::string& slug, const std::string& product_id) {
    return sql.count("SELECT COUNT(*) FROM catalog.products WHERE slug = ? AND id <> ?", slug, product_id) > 0 ||
           sql.count("SELECT COUNT(*) FROM catalog.retired_slugs WHERE slug = ? AND product_id <> ?", slug, product_id) > 0;
}

/// Inserts a variant at `position` with its prices; 409 sku_taken naming `field` when another
/// variant has its SKU.
Result<std::string> insert_variant(db::Tx& tx, const std::string& product_id, const NewVariant& v, std::int64_t position,
                                   const std::string& field) {
    if (tx.count("SELECT COUNT(*) FROM catalog.variants WHERE sku = ?", v.sku))
        return Error(errc::sku_taken, fmt::format("the SKU '{}' belongs to another variant", v.sku), {{field, "is taken"}});
    json::object opts;
    for (auto& [k, val] : v.options) opts[k] = val;
    auto id = new_id("var");
    tx.exec("INSERT INTO catalog.variants (id, product_id, sku, title, options, position, weight_grams) VALUES (?, ?, ?, ?, ?, ?, ?)", id,
            product_id, v.sku, v.title, json::serialize(opts), position, v.weight_grams);
    for (auto& m : v.prices) tx.exec("INSERT INTO catalog.prices (variant_id, currency, amount) VALUES (?, ?, ?)", id, m.currency, m.amount);
    return id;
}

void store_categories(db::Tx& tx, const std::string& product_id, const std::vector<std::string>& category_ids) {
    tx.exec("DELETE FROM catalog.product_categories WHERE product_id = ?", product_id);
    std::int64_t position = 0;
    for (auto& c : category_ids)
        tx.exec("INSERT INTO catalog.product_categories (product_id, category_id, position) VALUES (?, ?, ?)", product_id, c, position++);
}

}  // namespace

void publish_product_changed(db::Tx& tx, const std::string& product_id) {
    if (auto doc = load_doc(tx, product_id, *TaxonomyService::load_tree(tx))) tx.publish(snapshot(*doc, false));
}

const ErrorCategory& catalog_category() noexcept {
    static const CatalogCategory kCategory;
    return kCategory;
}

std::shared_ptr<const ProductDoc> CatalogService::load(const std::string& id) {
    if (auto hit = cache_.find(id)) return hit;
    auto generation = cache_.generation();
    auto tree = taxonomy_.tree();
    auto doc = db_.read([&](db::Reader& r) { return load_doc(r, id, *tree); });
    if (!doc) return nullptr;
    std::shared_ptr<const ProductDoc> c = std::move(doc);
    cache_.put(c, generation);
    return c;
}

Result<PurchasableVariant> CatalogService::purchasable(std::string_view sku_in, std::string_view currency) {
    std::string sku(sku_in);
    auto product_id = cache_.product_for_sku(sku);
    if (!product_id) {
        auto row = db_.read([&](db::Reader& r) { return r.one("SELECT product_id FROM catalog.variants WHERE sku = ?", sku); });
        if (!row) return not_found(fmt::format("no product variant has SKU '{}'", sku));
        product_id = row->str(0);
    }
    auto doc = load(*product_id);
    if (!doc || doc->status != "published") return not_found(fmt::format("SKU '{}' is not on sale", sku));
    auto fx = cache_.fx();
    for (auto& v : doc->variants) {
        if (v.sku != sku) continue;
        // The price the product's reply shows in this currency, converted alike: what the list shows is charged.
        if (auto shown = domain::shown_price(v.prices, currency, *fx))
            return PurchasableVariant{doc->id,       doc->title,     v.id,
                                      v.sku,         v.title,        Money{shown->amount, std::string(currency)},
                                      doc->tax_class, v.weight_grams, doc->category_closure,
                                      doc->brand ? doc->brand->id : std::string()};
        return Error(errc::not_priced, fmt::format("SKU '{}' has no price in {} and no FX rate converts to it", sku, currency));
    }
    return not_found(fmt::format("no product variant has SKU '{}'", sku));
}

Result<SkuOwner> CatalogService::sku_owner(std::string_view sku_in) {
    std::string sku(sku_in);
    auto row = db_.read([&](db::Reader& r) {
        return r.one("SELECT p.id, p.vendor_id FROM catalog.variants v JOIN catalog.products p ON p.id = v.product_id WHERE v.sku = ?", sku);
    });
    if (!row) return not_found(fmt::format("no product has SKU '{}'", sku));
    return SkuOwner{row->str(0), row->str(1)};
}

Result<CreatedProduct> CatalogService::create_product(const Ctx& ctx, const NewProduct& input) {
    return create_product(ctx, input, "");
}

Result<CreatedProduct> CatalogService::create_product(const Ctx& ctx, const NewProduct& input, const std::string& reply_currency) {
    NewProduct p = input;
    if (p.slug.empty()) p.slug = domain::slugify(p.title);
    if (p.slug.empty()) return validation("title", "must contain letters or digits (the slug is made from it)");
    if (p.variants.empty()) return validation("variants", "must hold at least one variant");
    auto result = db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<CreatedProduct> {
        std::string id = new_id("prd");
        if (slug_taken(tx, p.slug, id))
            return Error(errc::slug_taken, fmt::format("the slug '{}' is taken by another product", p.slug), {{"slug", "is taken"}});
        if (auto ok = check_taxonomy(tx, p.brand_id, p.category_ids); !ok) return ok.error();
        auto attributes = check_attributes(tx, p.attributes);
        if (!attributes) return attributes.error();
        auto vendor_id = ctx.principal && ctx.principal->is_vendor() ? ctx.principal->user_id : "";
        auto now = now_iso8601();
        tx.exec("INSERT INTO catalog.products (id, title, slug, description, status, vendor_id, created_at, updated_at, tax_class, brand_id, "
                "title_key, meta_title, meta_description) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                id, p.title, p.slug, p.description, p.status, vendor_id, now, now, p.tax_class, p.brand_id, domain::title_key(p.title),
                p.meta_title, p.meta_description);
        store_categories(tx, id, p.category_ids);
        store_attributes(tx, id, *attributes);
        store_images(tx, id, p.images);
        CreatedProduct out{id, p.slug, {}};
        for (std::size_t i = 0; i < p.variants.size(); ++i) {
            auto vid = insert_variant(tx, id, p.variants[i], static_cast<std::int64_t>(i), fmt::format("variants[{}].sku", i));
            if (!vid) return vid.error();
            out.variant_ids.emplace_back(p.variants[i].sku, *vid);
        }
        auto doc = load_doc(tx, id, *TaxonomyService::load_tree(tx));
        store_list_prices(tx, *doc, *load_fx(tx, base_currency_));
        tx.publish(snapshot(*doc, true));
        json::array skus;
        for (auto& v : doc->variants) skus.emplace_back(v.sku);
        audit::record(tx, "catalog.product.created", doc->id, {{"title", doc->title}, {"slug", doc->slug}, {"status", doc->status}, {"skus", skus}});
        if (!reply_currency.empty()) tx.reply(api::write_value(reply(*doc, reply_currency)));
        return out;
    });
    return result;
}

Result<ProductBrief> CatalogService::published_product(std::string_view product_id) {
    std::string id(product_id);
    auto doc = load(id);
    if (!doc || doc->status != "published") return not_found(fmt::format("no published product '{}'", id));
    return ProductBrief{doc->id, doc->title, doc->slug};
}

Result<std::string> CatalogService::add_category(const Ctx& ctx, const std::string& name, const std::string& parent_id) {
    CategoryRequest in;
    in.name.value = name;
    if (!parent_id.empty()) in.parent_id = api::Nullable<api::Id<"cat">>(api::of<api::Id<"cat">>(parent_id));
    auto created = taxonomy_.create_category(ctx, in);
    if (!created) return created.error();
    return created->id.value;
}

Result<std::string> CatalogService::add_brand(const Ctx& ctx, const std::string& name) {
    BrandRequest in;
    in.name.value = name;
    auto created = taxonomy_.create_brand(ctx, in);
    if (!created) return created.error();
    return created->id.value;
}

std::int64_t CatalogService::product_count() {
    return db_.read([](db::Reader& r) { return r.count("SELECT COUNT(*) FROM catalog.products"); });
}

Result<std::shared_ptr<const ProductDoc>> CatalogService::find_visible(const Ctx& ctx, const std::string& key) {
    std::string id = key;
    if (!is_id(key, "prd")) {
        if (auto cached = cache_.id_for_slug(key)) {
            id = *cached;
        } else {
            // A slug the product had before finds it too (its reply shows the current one).
            auto row = db_.read([&](db::Reader& r) {
                auto current = r.one("SELECT id FROM catalog.products WHERE slug = ?", key);
                return current ? current : r.one("SELECT product_id FROM catalog.retired_slugs WHERE slug = ?", key);
            });
            if (!row) return not_found(fmt::format("no product '{}'", key));
            id = row->str(0);
        }
    }
    auto doc = load(id);
    if (!doc) return not_found(fmt::format("no product '{}'", key));
    if (doc->status != "published") {
        bool owner = ctx.principal && ctx.principal->is_vendor() && ctx.principal->user_id == doc->vendor_id;
        if (!ctx.is_admin() && !owner) return not_found(fmt::format("no product '{}'", key));
    }
    return doc;
}

RenderedPage CatalogService::list_published(const ListRequest& q) {
    using domain::SortKey;
    const char* key = q.order.key == SortKey::created ? "p.created_at"
                      : q.order.key == SortKey::title ? "p.title_key"
                      : q.order.key == SortKey::rating ? "p.rating_key"
                                                       : "lp.amount";
    const char* dir = q.order.descending ? " DESC" : "";
    bool by_price = q.order.key == SortKey::price || q.min_price || q.max_price;
    // By price, the id of list_prices' index breaks ties (the same id): no sort step after the index scan.
    const char* tie = q.order.key == SortKey::price ? "lp.product_id" : "p.id";
    std::vector<db::Param> params;
    std::string sql = fmt::format("SELECT p.id, {} FROM catalog.products p", key);
    if (by_price) {
        sql += " JOIN catalog.list_prices lp ON lp.product_id = p.id AND lp.currency = ?";
        params.emplace_back(q.currency);
    }
    sql += " WHERE p.status = 'published'";
    if (q.after) {
        // (key, id) strictly past the last item of the previous page, in the page's direction.
        sql += fmt::format(" AND ({}, {}) {} (?, ?)", key, tie, q.order.descending ? "<" : ">");
        if (q.order.text_key()) params.emplace_back(q.after->text_key);
        else params.emplace_back(q.after->int_key);
        params.emplace_back(q.after->id);
    }
    if (!q.filter.brand_id.empty()) {
        sql += " AND p.brand_id = ?";
        params.emplace_back(q.filter.brand_id);
    }
    if (!q.filter.category_ids.empty()) {
        sql += " AND EXISTS (SELECT 1 FROM catalog.product_categories pc WHERE pc.product_id = p.id AND pc.category_id IN (";
        for (std::size_t i = 0; i < q.filter.category_ids.size(); ++i) {
            sql += i ? ", ?" : "?";
            params.emplace_back(q.filter.category_ids[i]);
        }
        sql += "))";
    }
    if (!q.filter.collection_id.empty()) {
        sql += " AND EXISTS (SELECT 1 FROM catalog.collection_products cp WHERE cp.product_id = p.id AND cp.collection_id = ?)";
        params.emplace_back(q.filter.collection_id);
    }
    for (auto& f : q.attributes) {
        sql += " AND EXISTS (SELECT 1 FROM catalog.product_attributes pa WHERE pa.product_id = p.id AND pa.attribute_id = ?";
        params.emplace_back(f.attribute_id);
        if (!f.any_of.empty()) {
            sql += " AND pa.text_value IN (";
            for (std::size_t i = 0; i < f.any_of.size(); ++i) {
                sql += i ? ", ?" : "?";
                params.emplace_back(f.any_of[i]);
            }
            sql += ")";
        }
        if (f.min) {
            sql += " AND pa.number_value >= ?";
            params.emplace_back(*f.min);
        }
        if (f.max) {
            sql += " AND pa.number_value <= ?";
            params.emplace_back(*f.max);
        }
        sql += ")";
    }
    if (q.min_price) {
        sql += " AND lp.amount >= ?";
        params.emplace_back(*q.min_price);
    }
    if (q.max_price) {
        sql += " AND lp.amount <= ?";
        params.emplace_back(*q.max_price);
    }
    sql += fmt::format(" ORDER BY {}{}, {}{} LIMIT ?", key, dir, tie, dir);
    params.emplace_back(q.limit + 1);
    struct Hit {
        std::string id, text_key;
        std::int64_t int_key = 0;
    };
    std::vector<Hit> hits;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query_params(sql, params)) {
            if (q.order.text_key()) hits.push_back({row.str(0), row.str(1), 0});
            else hits.push_back({row.str(0), "", row.i64(1)});
        }
    });
    RenderedPage page;
    bool more = static_cast<int>(hits.size()) > q.limit;
    if (more) hits.resize(q.limit);
    for (auto& h : hits)
        if (auto doc = load(h.id)) page.items.push_back(cache_.rendered(doc, q.currency));
    if (more && !hits.empty()) {
        auto& last = hits.back();
        page.next = domain::ListPosition{q.order.name, q.order.key == SortKey::price ? q.currency : "", last.text_key, last.int_key, last.id};
    }
    return page;
}

std::vector<std::shared_ptr<const ProductDoc>> CatalogService::published(const std::vector<std::string>& ids) {
    std::vector<std::shared_ptr<const ProductDoc>> out;
    for (auto& id : ids)
        if (auto doc = load(id); doc && doc->status == "published") out.push_back(std::move(doc));
    return out;
}

Result<void> CatalogService::may_change(const Ctx& ctx, const ProductDoc& doc) {
    if (ctx.is_admin()) return {};
    if (ctx.principal && ctx.principal->is_vendor() && ctx.principal->user_id == doc.vendor_id) return {};
    // Who may see it learns that it exists, but not more.
    if (doc.status == "published") return forbidden("only the vendor that owns this product, or an admin, may change it");
    return not_found(fmt::format("no product '{}'", doc.id));
}

Result<std::shared_ptr<const ProductDoc>> CatalogService::change_product(
    const Ctx& ctx, const std::string& id, const std::function<Result<void>(db::Tx&, ProductDoc&)>& change,
    const std::function<json::value(const ProductDoc&)>& reply) {
    auto current = load(id);
    if (!current) return not_found(fmt::format("no product '{}'", id));
    if (auto ok = may_change(ctx, *current); !ok) return ok.error();
    return db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<std::shared_ptr<const ProductDoc>> {
        auto before = load_doc(tx, id, *TaxonomyService::load_tree(tx));
        if (!before) return not_found(fmt::format("no product '{}'", id));
        if (auto ok = change(tx, *before); !ok) return ok.error();
        tx.exec("UPDATE catalog.products SET updated_at = ? WHERE id = ?", now_iso8601(), id);
        auto doc = load_doc(tx, id, *TaxonomyService::load_tree(tx));
        store_list_prices(tx, *doc, *load_fx(tx, base_currency_));
        tx.publish(snapshot(*doc, false));
        if (reply) tx.reply(reply(*doc));
        tx.after_commit([this, id] { cache_.invalidate(id); });
        return std::shared_ptr<const ProductDoc>(std::move(doc));
    });
}

Result<std::shared_ptr<const ProductDoc>> CatalogService::update_product(const Ctx& ctx, const std::string& id,
                                                                         const ProductPatch& patch) {
    return change_product(ctx, id, [&](db::Tx& tx, ProductDoc& doc) { return apply_patch(tx, doc, patch); });
}

Result<void> CatalogService::apply_patch(db::Tx& tx, ProductDoc& doc, const ProductPatch& patch) {
    const std::string& id = doc.id;
    {
        if (patch.brand_id || patch.category_ids) {
            if (auto ok = check_taxonomy(tx, patch.brand_id.value_or(""), patch.category_ids.value_or(std::vector<std::string>{})); !ok)
                return ok.error();
        }
        if (patch.slug && *patch.slug != doc.slug) {
            if (slug_taken(tx, *patch.slug, id))
                return Error(errc::slug_taken, "the slug is taken by another product", {{"slug", "is taken"}});
            // The old slug keeps finding this product; going back to an old slug makes it current again.
            tx.exec("DELETE FROM catalog.retired_slugs WHERE slug = ?", *patch.slug);
            tx.exec("INSERT INTO catalog.retired_slugs (slug, product_id) VALUES (?, ?)", doc.slug, id);
            doc.slug = *patch.slug;
        }
        if (patch.attributes) {
            auto values = check_attributes(tx, *patch.attributes);
            if (!values) return values.error();
            store_attributes(tx, id, *values);
        }
        if (patch.title) doc.title = *patch.title;
        if (patch.description) doc.description = *patch.description;
        if (patch.status) doc.status = *patch.status;
        if (patch.tax_class) doc.tax_class = *patch.tax_class;
        if (patch.meta_title) doc.meta_title = *patch.meta_title;
        if (patch.meta_description) doc.meta_description = *patch.meta_description;
        tx.exec("UPDATE catalog.products SET title = ?, slug = ?, description = ?, status = ?, tax_class = ?, title_key = ?, meta_title = ?, "
                "meta_description = ? WHERE id = ?",
                doc.title, doc.slug, doc.description, doc.status, doc.tax_class, domain::title_key(doc.title), doc.meta_title,
                doc.meta_description, id);
        if (patch.brand_id) tx.exec("UPDATE catalog.products SET brand_id = ? WHERE id = ?", *patch.brand_id, id);
        if (patch.category_ids) store_categories(tx, id, *patch.category_ids);
        if (patch.images) store_images(tx, id, *patch.images);
        json::array fields;
        const std::pair<const char*, bool> given[] = {
            {"title", patch.title.has_value()},           {"slug", patch.slug.has_value()},
            {"description", patch.description.has_value()}, {"status", patch.status.has_value()},
            {"tax_class", patch.tax_class.has_value()},   {"brand_id", patch.brand_id.has_value()},
            {"category_ids", patch.category_ids.has_value()}, {"attributes", patch.attributes.has_value()},
            {"images", patch.images.has_value()},         {"meta_title", patch.meta_title.has_value()},
            {"meta_description", patch.meta_description.has_value()}};
        for (auto& [name, is_given] : given)
            if (is_given) fields.emplace_back(name);
        audit::record(tx, "catalog.product.updated", id, {{"fields", fields}, {"status", doc.status}});
        return {};
    }
}

Result<std::shared_ptr<const ProductDoc>> CatalogService::add_variant(const Ctx& ctx, const std::string& product_id, const NewVariant& v,
                                                                      const std::string& reply_currency) {
    return change_product(
        ctx, product_id,
        [&](db::Tx& tx, ProductDoc&) -> Result<void> {
            auto position = tx.count("SELECT COALESCE(MAX(position), -1) + 1 FROM catalog.variants WHERE product_id = ?", product_id);
            auto id = insert_variant(tx, product_id, v, position, "sku");
            if (!id) return id.error();
            audit::record(tx, "catalog.variant.added", *id, {{"product_id", product_id}, {"sku", v.sku}});
            return {};
        },
        [&](const ProductDoc& doc) { return api::write_value(reply(doc, reply_currency)); });
}

Result<std::shared_ptr<const ProductDoc>> CatalogService::update_variant(const Ctx& ctx, const std::string& product_id,
                                                                         const std::string& variant_id, const VariantPatch& patch) {
    return change_product(ctx, product_id, [&](db::Tx& tx, ProductDoc& doc) { return apply_variant_patch(tx, doc, variant_id, patch); });
}

Result<void> CatalogService::apply_variant_patch(db::Tx& tx, ProductDoc& doc, const std::string& variant_id, const VariantPatch& patch) {
    const std::string& product_id = doc.id;
    {
        auto v = std::find_if(doc.variants.begin(), doc.variants.end(), [&](auto& x) { return x.id == variant_id; });
        if (v == doc.variants.end()) return not_found(fmt::format("product '{}' has no variant '{}'", product_id, variant_id));
        if (patch.title) tx.exec("UPDATE catalog.variants SET title = ? WHERE id = ?", *patch.title, variant_id);
        if (patch.weight_grams) tx.exec("UPDATE catalog.variants SET weight_grams = ? WHERE id = ?", *patch.weight_grams, variant_id);
        if (patch.options) {
            json::object opts;
            for (auto& [k, val] : *patch.options) opts[k] = val;
            tx.exec("UPDATE catalog.variants SET options = ? WHERE id = ?", json::serialize(opts), variant_id);
        }
        if (patch.prices) {
            tx.exec("DELETE FROM catalog.prices WHERE variant_id = ?", variant_id);
            for (auto& m : *patch.prices)
                tx.exec("INSERT INTO catalog.prices (variant_id, currency, amount) VALUES (?, ?, ?)", variant_id, m.currency, m.amount);
        }
        json::array fields;
        const std::pair<const char*, bool> given[] = {{"title", patch.title.has_value()},
                                                      {"weight_grams", patch.weight_grams.has_value()},
                                                      {"options", patch.options.has_value()},
                                                      {"prices", patch.prices.has_value()}};
        for (auto& [name, is_given] : given)
            if (is_given) fields.emplace_back(name);
        audit::record(tx, "catalog.variant.updated", variant_id, {{"product_id", product_id}, {"sku", v->sku}, {"fields", fields}});
        return {};
    }
}

Result<std::shared_ptr<const ProductDoc>> CatalogService::import_changes(const Ctx& ctx, const std::string& product_id, const ImportChanges& changes) {
    return change_product(ctx, product_id, [&](db::Tx& tx, ProductDoc& doc) -> Result<void> {
        if (auto ok = apply_patch(tx, doc, changes.product); !ok) return ok;
        for (auto& [variant_id, patch] : changes.variants)
            if (auto ok = apply_variant_patch(tx, doc, variant_id, patch); !ok) return ok;
        auto position = tx.count("SELECT COALESCE(MAX(position), -1) + 1 FROM catalog.variants WHERE product_id = ?", product_id);
        for (std::size_t i = 0; i < changes.added.size(); ++i) {
            auto id = insert_variant(tx, product_id, changes.added[i], position + static_cast<std::int64_t>(i), fmt::format("added[{}].sku", i));
            if (!id) return id.error();
            audit::record(tx, "catalog.variant.added", *id, {{"product_id", product_id}, {"sku", changes.added[i].sku}});
        }
        return {};
    });
}

std::vector<std::string> CatalogService::all_product_ids() {
    std::vector<std::string> out;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT id FROM catalog.products ORDER BY id")) out.push_back(row.str(0));
    });
    return out;
}

std::shared_ptr<const ProductDoc> CatalogService::product(const std::string& id) { return load(id); }

Result<std::string> CatalogService::store_image(std::string_view bytes, std::string_view content_type) {
    auto stored = media_.put(bytes, content_type);
    if (!stored) return stored.error();
    return stored->path;
}

Result<std::shared_ptr<const ProductDoc>> CatalogService::remove_variant(const Ctx& ctx, const std::string& product_id,
                                                                         const std::string& variant_id) {
    return change_product(ctx, product_id, [&](db::Tx& tx, ProductDoc& doc) -> Result<void> {
        auto v = std::find_if(doc.variants.begin(), doc.variants.end(), [&](auto& x) { return x.id == variant_id; });
        if (v == doc.variants.end()) return not_found(fmt::format("product '{}' has no variant '{}'", product_id, variant_id));
        if (doc.variants.size() == 1)
            return Error(errc::invalid_state, "a product keeps at least one variant: archive or delete the product instead");
        tx.exec("DELETE FROM catalog.prices WHERE variant_id = ?", variant_id);
        tx.exec("DELETE FROM catalog.variants WHERE id = ?", variant_id);
        audit::record(tx, "catalog.variant.removed", variant_id, {{"product_id", product_id}, {"sku", v->sku}});
        return {};
    });
}

Result<ImageInfo> CatalogService::add_image(const Ctx& ctx, const std::string& product_id, const NewImage& image) {
    ImageInfo added{new_id("img"), image.url, image.alt, image.position};
    auto doc = change_product(
        ctx, product_id,
        [&](db::Tx& tx, ProductDoc& doc) -> Result<void> {
            if (doc.images.size() >= 50) return Error(errc::invalid_state, "a product shows at most 50 images");
            tx.exec("INSERT INTO catalog.product_images (id, product_id, url, alt, position, created_at) VALUES (?, ?, ?, ?, ?, ?)", added.id,
                    product_id, added.url, added.alt, added.position, now_iso8601());
            audit::record(tx, "catalog.image.added", added.id, {{"product_id", product_id}, {"url", added.url}});
            return {};
        },
        [&](const ProductDoc&) { return api::write_value(image_reply(added)); });
    if (!doc) return doc.error();
    return added;
}

Result<DeletedProduct> CatalogService::delete_product(const Ctx& ctx, const std::string& id) {
    auto current = load(id);
    if (!current) return not_found(fmt::format("no product '{}'", id));
    if (auto ok = may_change(ctx, *current); !ok) return ok.error();
    return db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<DeletedProduct> {
        auto doc = load_doc(tx, id, *TaxonomyService::load_tree(tx));
        if (!doc) return not_found(fmt::format("no product '{}'", id));
        tx.after_commit([this, id] { cache_.invalidate(id); });
        doc->updated_at = now_iso8601();
        if (tx.count("SELECT COUNT(*) FROM catalog.ordered_products WHERE product_id = ?", id)) {
            // Orders name it: keep it, off sale.
            doc->status = "archived";
            tx.exec("UPDATE catalog.products SET status = 'archived', updated_at = ? WHERE id = ?", doc->updated_at, id);
            tx.publish(snapshot(*doc, false));
            audit::record(tx, "catalog.product.archived", id, {{"title", doc->title}, {"reason", "ordered before: kept, off sale"}});
            return DeletedProduct{id, true};
        }
        for (auto* table : {"list_prices", "product_categories", "collection_products", "product_attributes", "product_images", "retired_slugs", "reviews"})
            tx.exec(fmt::format("DELETE FROM catalog.{} WHERE product_id = ?", table), id);
        tx.exec("DELETE FROM catalog.prices WHERE variant_id IN (SELECT id FROM catalog.variants WHERE product_id = ?)", id);
        tx.exec("DELETE FROM catalog.variants WHERE product_id = ?", id);
        tx.exec("DELETE FROM catalog.products WHERE id = ?", id);
        doc->status = "removed";
        tx.publish(snapshot(*doc, false));
        audit::record(tx, "catalog.product.deleted", id, {{"title", doc->title}, {"slug", doc->slug}});
        return DeletedProduct{id, false};
    });
}

Product CatalogService::reply(const ProductDoc& doc, const std::string& currency) const {
    return product_reply(doc, currency, *cache_.fx());
}

void CatalogService::load_fx_rates() {
    auto fresh = db_.read([&](db::Reader& r) { return load_fx(r, base_currency_); });
    auto current = cache_.fx();
    auto same = current->base == fresh->base && current->rates.size() == fresh->rates.size() &&
                std::equal(current->rates.begin(), current->rates.end(), fresh->rates.begin(),
                           [](auto& a, auto& b) { return a.first == b.first && a.second.text == b.second.text; });
    if (!same) cache_.set_fx(std::move(fresh));
}

FxRates CatalogService::fx_rates() {
    FxRates out;
    out.base = base_currency_;
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT currency, rate FROM catalog.fx_rates WHERE base = ? ORDER BY currency", base_currency_))
            out.rates.push_back({row.str(0), row.str(1)});
        if (auto t = r.one("SELECT MAX(updated_at) FROM catalog.fx_rates WHERE base = ?", base_currency_); t && !t->is_null(0))
            out.updated_at = api::of<api::Timestamp>(t->str(0));
    });
    return out;
}

Result<FxRates> CatalogService::put_fx_rates(const Ctx& ctx, const FxRatesRequest& in) {
    if (in.base.value != base_currency_) return validation("base", "must be the shop's base currency " + base_currency_);
    auto fx = std::make_shared<domain::FxTable>();
    fx->base = base_currency_;
    std::vector<FieldError> errors;
    for (std::size_t i = 0; i < in.rates.size(); ++i) {
        auto& c = in.rates[i].currency.value;
        auto path = fmt::format("rates[{}]", i);
        if (!domain::is_iso4217(c)) errors.push_back({path + ".currency", "is not an ISO 4217 currency code"});
        else if (c == base_currency_) errors.push_back({path + ".currency", "is the base currency (its rate is 1)"});
        else if (fx->rates.contains(c)) errors.push_back({path + ".currency", "is repeated"});
        auto rate = domain::parse_rate(in.rates[i].rate.value);
        if (!rate) errors.push_back({path + ".rate", "must be a positive decimal such as \"0.9215\" (at most 9 digits before the point, 8 after)"});
        else if (domain::is_iso4217(c)) fx->rates[c] = *rate;
    }
    if (!errors.empty()) return Error(shop::errc::validation_failed, "the request has invalid fields", std::move(errors));
    return db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<FxRates> {
        auto now = now_iso8601();
        tx.exec("DELETE FROM catalog.fx_rates");
        for (auto& [c, r] : fx->rates)
            tx.exec("INSERT INTO catalog.fx_rates (currency, base, rate, updated_at) VALUES (?, ?, ?, ?)", c, base_currency_, r.text, now);
        // Every product's list prices in the converted currencies change with the rates.
        std::map<std::string, std::map<std::string, std::vector<Money>>> prices;  // product -> variant -> prices
        for (auto& r : tx.query("SELECT v.product_id, v.id FROM catalog.variants v")) prices[r.str(0)][r.str(1)];
        for (auto& r : tx.query("SELECT v.product_id, v.id, p.currency, p.amount FROM catalog.prices p JOIN catalog.variants v ON v.id = p.variant_id"))
            prices[r.str(0)][r.str(1)].push_back({r.i64(3), r.str(2)});
        tx.exec("DELETE FROM catalog.list_prices");
        for (auto& [product_id, variants] : prices) {
            std::vector<const std::vector<Money>*> vs;
            for (auto& [vid, ps] : variants) vs.push_back(&ps);
            for (auto& [currency, amount] : domain::lowest_prices(vs, *fx))
                tx.exec("INSERT INTO catalog.list_prices (product_id, currency, amount) VALUES (?, ?, ?)", product_id, currency, amount);
        }
        FxRates out;
        out.base = base_currency_;
        for (auto& [c, r] : fx->rates) out.rates.push_back({c, r.text});
        out.updated_at = api::of<api::Timestamp>(now);
        json::object rates;
        for (auto& [c, r] : fx->rates) rates[c] = r.text;
        audit::record(tx, "catalog.fx_rates.replaced", base_currency_, {{"rates", std::move(rates)}});
        tx.after_commit([this, fx] { cache_.set_fx(fx); });
        return out;
    });
}

void CatalogService::record_ordered(db::Tx& tx, const std::string& product_id, const std::string& order_id) {
    tx.exec("INSERT INTO catalog.ordered_products (product_id, first_order_id, ordered_at) VALUES (?, ?, ?) ON CONFLICT (product_id) DO NOTHING",
            product_id, order_id, now_iso8601());
}

}  // namespace shop::catalog
