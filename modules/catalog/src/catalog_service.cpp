#include "catalog_service.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include "catalog/errors.hpp"
#include "catalog/events.hpp"
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
        }
        return 500;
    }
    std::string_view problem_code(int ev) const noexcept override {
        switch (static_cast<errc>(ev)) {
            case errc::not_priced: return "not_priced";
            case errc::slug_taken: return "slug_taken";
            case errc::sku_taken: return "sku_taken";
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
    for (auto& v : p.variants) {
        events::VariantDoc vd{v.id, v.sku, v.title, {}};
        for (auto& m : v.prices) vd.prices.push_back({m.amount, m.currency});
        e.variants.push_back(std::move(vd));
    }
    return e;
}

std::shared_ptr<ProductDoc> load_doc(db::Sql& sql, const std::string& id, const domain::CategoryTree& tree) {
    auto p = sql.one("SELECT id, title, slug, description, status, vendor_id, created_at, updated_at, tax_class, brand_id FROM catalog.products "
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

void store_categories(db::Tx& tx, const std::string& product_id, const std::vector<std::string>& category_ids) {
    tx.exec("DELETE FROM catalog.product_categories WHERE product_id = ?", product_id);
    std::int64_t position = 0;
    for (auto& c : category_ids)
        tx.exec("INSERT INTO catalog.product_categories (product_id, category_id, position) VALUES (?, ?, ?)", product_id, c, position++);
}

}  // namespace

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
    for (auto& v : doc->variants) {
        if (v.sku != sku) continue;
        for (auto& m : v.prices)
            if (m.currency == currency)
                return PurchasableVariant{doc->id,           doc->title, v.id, v.sku, v.title, m, doc->tax_class, v.weight_grams,
                                          doc->category_closure, doc->brand ? doc->brand->id : std::string()};
        return Error(errc::not_priced, fmt::format("SKU '{}' has no price in {}", sku, currency));
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
        if (tx.count("SELECT COUNT(*) FROM catalog.products WHERE slug = ?", p.slug))
            return Error(errc::slug_taken, fmt::format("the slug '{}' is taken by another product", p.slug), {{"slug", "is taken"}});
        for (std::size_t i = 0; i < p.variants.size(); ++i) {
            if (tx.count("SELECT COUNT(*) FROM catalog.variants WHERE sku = ?", p.variants[i].sku))
                return Error(errc::sku_taken, fmt::format("the SKU '{}' belongs to another product", p.variants[i].sku),
                             {{fmt::format("variants[{}].sku", i), "is taken"}});
        }
        if (auto ok = check_taxonomy(tx, p.brand_id, p.category_ids); !ok) return ok.error();
        ProductDoc doc;
        doc.id = new_id("prd");
        doc.title = p.title;
        doc.slug = p.slug;
        doc.description = p.description;
        doc.status = p.status;
        doc.vendor_id = ctx.principal && ctx.principal->is_vendor() ? ctx.principal->user_id : "";
        doc.created_at = doc.updated_at = now_iso8601();
        doc.tax_class = p.tax_class;
        tx.exec("INSERT INTO catalog.products (id, title, slug, description, status, vendor_id, created_at, updated_at, tax_class, brand_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                doc.id, doc.title, doc.slug, doc.description, doc.status, doc.vendor_id, doc.created_at, doc.updated_at, doc.tax_class,
                p.brand_id);
        store_categories(tx, doc.id, p.category_ids);
        CreatedProduct out{doc.id, doc.slug, {}};
        int position = 0;
        for (auto& v : p.variants) {
            json::object opts;
            for (auto& [k, val] : v.options) opts[k] = val;
            VariantRow row{new_id("var"), v.sku, v.title, json::serialize(opts), v.prices, v.weight_grams};
            tx.exec("INSERT INTO catalog.variants (id, product_id, sku, title, options, position, weight_grams) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    row.id, doc.id, row.sku, row.title, row.options_json, position, row.weight_grams);
            ++position;
            for (auto& m : v.prices)
                tx.exec("INSERT INTO catalog.prices (variant_id, currency, amount) VALUES (?, ?, ?)", row.id, m.currency, m.amount);
            out.variant_ids.emplace_back(row.sku, row.id);
            doc.variants.push_back(std::move(row));
        }
        if (!p.brand_id.empty() || !p.category_ids.empty()) {
            auto full = load_doc(tx, doc.id, *TaxonomyService::load_tree(tx));
            doc.brand = full->brand;
            doc.categories = full->categories;
            doc.category_closure = full->category_closure;
        }
        tx.publish(snapshot(doc, true));
        json::array skus;
        for (auto& v : doc.variants) skus.emplace_back(v.sku);
        audit::record(tx, "catalog.product.created", doc.id, {{"title", doc.title}, {"slug", doc.slug}, {"status", doc.status}, {"skus", skus}});
        if (!reply_currency.empty()) tx.reply(api::write_value(product_reply(doc, reply_currency)));
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
            auto row = db_.read([&](db::Reader& r) { return r.one("SELECT id FROM catalog.products WHERE slug = ?", key); });
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

RenderedPage CatalogService::list_published(const std::string& after, int limit, const std::string& currency, const ProductFilter& filter) {
    std::vector<std::string> ids;
    std::string sql = "SELECT p.id FROM catalog.products p WHERE p.status = 'published' AND p.id < ?";
    std::vector<db::Param> params;
    std::string cursor = after.empty() ? "~" : after;  // '~' sorts after every id
    params.emplace_back(cursor);
    if (!filter.brand_id.empty()) {
        sql += " AND p.brand_id = ?";
        params.emplace_back(filter.brand_id);
    }
    if (!filter.category_ids.empty()) {
        sql += " AND EXISTS (SELECT 1 FROM catalog.product_categories pc WHERE pc.product_id = p.id AND pc.category_id IN (";
        for (std::size_t i = 0; i < filter.category_ids.size(); ++i) {
            sql += i ? ", ?" : "?";
            params.emplace_back(filter.category_ids[i]);
        }
        sql += "))";
    }
    if (!filter.collection_id.empty()) {
        sql += " AND EXISTS (SELECT 1 FROM catalog.collection_products cp WHERE cp.product_id = p.id AND cp.collection_id = ?)";
        params.emplace_back(filter.collection_id);
    }
    sql += " ORDER BY p.id DESC LIMIT ?";
    params.emplace_back(limit + 1);
    db_.read([&](db::Reader& r) {
        for (auto& row : r.query_params(sql, params)) ids.push_back(row.str(0));
    });
    RenderedPage page;
    bool more = static_cast<int>(ids.size()) > limit;
    if (more) ids.resize(limit);
    for (auto& id : ids)
        if (auto doc = load(id)) page.items.push_back(cache_.rendered(doc, currency));
    if (more && !ids.empty()) page.next_after = ids.back();
    return page;
}

std::vector<std::shared_ptr<const ProductDoc>> CatalogService::published(const std::vector<std::string>& ids) {
    std::vector<std::shared_ptr<const ProductDoc>> out;
    for (auto& id : ids)
        if (auto doc = load(id); doc && doc->status == "published") out.push_back(std::move(doc));
    return out;
}

Result<std::shared_ptr<const ProductDoc>> CatalogService::update_product(const Ctx& ctx, const std::string& id,
                                                                         const ProductPatch& patch) {
    auto current = load(id);
    if (!current) return not_found(fmt::format("no product '{}'", id));
    bool owner = ctx.principal && ctx.principal->is_vendor() && ctx.principal->user_id == current->vendor_id;
    if (!ctx.is_admin() && !owner) return not_found(fmt::format("no product '{}'", id));
    auto r = db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<std::shared_ptr<const ProductDoc>> {
        auto doc = load_doc(tx, id, *TaxonomyService::load_tree(tx));
        if (!doc) return not_found(fmt::format("no product '{}'", id));
        if (patch.brand_id || patch.category_ids) {
            if (auto ok = check_taxonomy(tx, patch.brand_id.value_or(""), patch.category_ids.value_or(std::vector<std::string>{})); !ok)
                return ok.error();
        }
        if (patch.slug && *patch.slug != doc->slug) {
            if (tx.count("SELECT COUNT(*) FROM catalog.products WHERE slug = ?", *patch.slug)) return Error(errc::slug_taken, "the slug is taken by another product", {{"slug", "is taken"}});
            doc->slug = *patch.slug;
        }
        if (patch.title) doc->title = *patch.title;
        if (patch.description) doc->description = *patch.description;
        if (patch.status) doc->status = *patch.status;
        if (patch.tax_class) doc->tax_class = *patch.tax_class;
        doc->updated_at = now_iso8601();
        tx.exec("UPDATE catalog.products SET title = ?, slug = ?, description = ?, status = ?, tax_class = ?, updated_at = ? WHERE id = ?",
                doc->title, doc->slug, doc->description, doc->status, doc->tax_class, doc->updated_at, id);
        if (patch.brand_id) tx.exec("UPDATE catalog.products SET brand_id = ? WHERE id = ?", *patch.brand_id, id);
        if (patch.category_ids) store_categories(tx, id, *patch.category_ids);
        if (patch.brand_id || patch.category_ids) {
            auto full = load_doc(tx, id, *TaxonomyService::load_tree(tx));
            doc->brand = full->brand;
            doc->categories = full->categories;
            doc->category_closure = full->category_closure;
        }
        tx.publish(snapshot(*doc, false));
        json::array fields;
        const std::pair<const char*, bool> given[] = {{"title", patch.title.has_value()},         {"slug", patch.slug.has_value()},
                                                      {"description", patch.description.has_value()}, {"status", patch.status.has_value()},
                                                      {"tax_class", patch.tax_class.has_value()}, {"brand_id", patch.brand_id.has_value()},
                                                      {"category_ids", patch.category_ids.has_value()}};
        for (auto& [name, is_given] : given)
            if (is_given) fields.emplace_back(name);
        audit::record(tx, "catalog.product.updated", id, {{"fields", fields}, {"status", doc->status}});
        tx.after_commit([this, id] { cache_.invalidate(id); });
        return std::shared_ptr<const ProductDoc>(doc);
    });
    return r;
}

}  // namespace shop::catalog
