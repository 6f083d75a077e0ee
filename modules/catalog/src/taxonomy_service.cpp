#include "taxonomy_service.hpp"

#include <fmt/format.h>

#include <set>

#include "catalog/errors.hpp"
#include "catalog/events.hpp"
#include "domain/product_rules.hpp"
#include "platform/audit.hpp"
#include "platform/db.hpp"
#include "platform/ids.hpp"

namespace shop::catalog {

namespace {

const char* const kSlugForm = "must be lower-case letters and digits separated by dashes";

/// The slug asked for, or one made from the name; a problem goes to `errors`.
std::string slug_for(const std::optional<api::Text<1, 120>>& slug, const std::string& name, std::vector<FieldError>& errors) {
    if (slug) {
        if (!domain::is_slug(slug->value)) errors.push_back({"slug", kSlugForm});
        return slug->value;
    }
    auto made = domain::slugify(name);
    if (made.empty()) errors.push_back({"name", "must contain letters or digits (the slug is made from it)"});
    return made;
}

Result<void> invalid(std::vector<FieldError> errors) {
    if (errors.empty()) return {};
    return Error(shop::errc::validation_failed, "the request has invalid fields", std::move(errors));
}

Error slug_taken(std::string_view what, const std::string& slug) {
    return Error(errc::slug_taken, fmt::format("the slug '{}' is taken by another {}", slug, what), {{"slug", "is taken"}});
}

api::Nullable<api::Id<"cat">> parent_of(const domain::CategoryRow& row) {
    if (row.parent_id.empty()) return std::nullopt;
    return api::of<api::Id<"cat">>(row.parent_id);
}

CategoryDetail detail_reply(const domain::CategoryTree& tree, const domain::CategoryNode& node) {
    auto c = category_reply(tree, node);
    CategoryDetail out{std::move(c.id), std::move(c.name), std::move(c.slug), std::move(c.parent_id), c.position, std::move(c.path),
                       std::move(c.children), {}};
    for (auto& a : node.ancestors) {
        auto an = tree.find(a);
        out.ancestors.push_back({api::of<api::Id<"cat">>(an->row.id), an->row.name, an->row.slug, an->path});
    }
    return out;
}

/// Newest first after the cursor: `<table>` rows `id, name, slug`.
template <class Item, class Page, class Make>
Page page_of(db::Database& db, const std::string& sql_text, const std::string& after, int limit, Make make) {
    Page page;
    std::vector<db::Row> rows;
    db.read([&](db::Reader& r) {
        for (auto& row : r.query(sql_text, after.empty() ? std::string("~") : after, limit + 1)) rows.push_back(row);
    });
    bool more = static_cast<int>(rows.size()) > limit;
    if (more) rows.resize(limit);
    for (auto& row : rows) page.data.push_back(make(row));
    if (more && !rows.empty()) page.next_cursor = api::of<api::Cursor>(rows.back().str(0));
    return page;
}

Result<std::vector<std::string>> checked_product_ids(db::Sql& sql, const api::List<api::Id<"prd">, 0, 500>& in) {
    std::vector<FieldError> errors;
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < in.size(); ++i) {
        auto field = fmt::format("product_ids[{}]", i);
        if (!seen.insert(in[i].value).second) errors.push_back({field, "is repeated"});
        else if (!sql.count("SELECT COUNT(*) FROM catalog.products WHERE id = ?", in[i].value)) errors.push_back({field, "no such product"});
        else out.push_back(in[i].value);
    }
    if (auto r = invalid(std::move(errors)); !r) return r.error();
    return out;
}

Result<Collection> load_collection(db::Sql& sql, const std::string& key) {
    auto row = is_id(key, "col") ? sql.one("SELECT id, name, slug FROM catalog.collections WHERE id = ?", key)
                                 : sql.one("SELECT id, name, slug FROM catalog.collections WHERE slug = ?", key);
    if (!row) return not_found(fmt::format("no collection '{}'", key));
    Collection out{api::of<api::Id<"col">>(row->str(0)), row->str(1), row->str(2), {}};
    for (auto& r : sql.query("SELECT product_id FROM catalog.collection_products WHERE collection_id = ? ORDER BY position", out.id.value))
        out.product_ids.push_back(api::of<api::Id<"prd">>(r.str(0)));
    return out;
}

void store_collection_products(db::Tx& tx, const std::string& id, const std::vector<std::string>& product_ids) {
    tx.exec("DELETE FROM catalog.collection_products WHERE collection_id = ?", id);
    std::int64_t position = 0;
    for (auto& p : product_ids)
        tx.exec("INSERT INTO catalog.collection_products (collection_id, product_id, position) VALUES (?, ?, ?)", id, p, position++);
}

void publish_collection(db::Tx& tx, const Collection& c) {
    events::CollectionChanged e{c.id.value, c.name, c.slug, {}, false};
    for (auto& p : c.product_ids) e.product_ids.push_back(p.value);
    tx.publish(e);
}

/// A position given is "insert here": the siblings at or after it move one place down.
void make_room(db::Tx& tx, const domain::CategoryRow& row) {
    tx.exec("UPDATE catalog.categories SET position = position + 1 WHERE parent_id = ? AND position >= ? AND id <> ?", row.parent_id,
            row.position, row.id);
}

}  // namespace

Category category_reply(const domain::CategoryTree& tree, const domain::CategoryNode& node) {
    Category out;
    out.id = api::of<api::Id<"cat">>(node.row.id);
    out.name = node.row.name;
    out.slug = node.row.slug;
    out.parent_id = parent_of(node.row);
    out.position = node.row.position;
    out.path = node.path;
    for (auto& c : node.children) out.children.push_back(category_reply(tree, *tree.find(c)));
    return out;
}

std::shared_ptr<const domain::CategoryTree> TaxonomyService::load_tree(db::Sql& sql) {
    std::vector<domain::CategoryRow> rows;
    for (auto& r : sql.query("SELECT id, name, slug, parent_id, position FROM catalog.categories"))
        rows.push_back({r.str(0), r.str(1), r.str(2), r.str(3), r.i64(4)});
    return std::make_shared<const domain::CategoryTree>(std::move(rows));
}

std::shared_ptr<const domain::CategoryTree> TaxonomyService::tree() {
    std::uint64_t generation;
    {
        std::lock_guard lock(mu_);
        if (tree_) return tree_;
        generation = tree_generation_;
    }
    auto fresh = db_.read([](db::Reader& r) { return load_tree(r); });
    std::lock_guard lock(mu_);
    // A category write committed while this was being read: this tree may predate it.
    if (generation == tree_generation_) tree_ = fresh;
    return fresh;
}

void TaxonomyService::categories_changed() {
    {
        std::lock_guard lock(mu_);
        tree_.reset();
        ++tree_generation_;
    }
    // After the tree: a product load that saw the old tree also saw the old cache generation.
    products_.invalidate_all();
}

CategoryTreeReply TaxonomyService::category_tree() {
    auto t = tree();
    CategoryTreeReply out;
    for (auto& id : t->roots()) out.data.push_back(category_reply(*t, *t->find(id)));
    return out;
}

Result<CategoryDetail> TaxonomyService::category(const std::string& key) {
    auto t = tree();
    auto node = t->find_key(key);
    if (!node) return not_found(fmt::format("no category '{}'", key));
    return detail_reply(*t, *node);
}

Result<CategoryDetail> TaxonomyService::create_category(const Ctx& ctx, const CategoryRequest& in) {
    std::vector<FieldError> errors;
    domain::CategoryRow row;
    row.id = new_id("cat");
    row.name = in.name.value;
    row.slug = slug_for(in.slug, row.name, errors);
    if (in.parent_id && in.parent_id->value) row.parent_id = in.parent_id->value->value;
    if (auto r = invalid(std::move(errors)); !r) return r.error();
    auto result = db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<CategoryDetail> {
        if (tx.count("SELECT COUNT(*) FROM catalog.categories WHERE slug = ?", row.slug)) return slug_taken("category", row.slug);
        auto before = load_tree(tx);
        if (!row.parent_id.empty() && !before->find(row.parent_id)) return validation("parent_id", "no such category");
        row.position = in.position ? in.position->value : before->last_position(row.parent_id) + 1;
        if (in.position) make_room(tx, row);
        auto now = now_iso8601();
        tx.exec("INSERT INTO catalog.categories (id, name, slug, parent_id, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                row.id, row.name, row.slug, row.parent_id, row.position, now, now);
        tx.publish(events::CategoryChanged{row.id, row.name, row.slug, row.parent_id, false});
        auto after = load_tree(tx);
        auto out = detail_reply(*after, *after->find(row.id));
        audit::record(tx, "catalog.category.created", row.id, {{"changes", api::write_value(in)}});
        tx.reply(api::write_value(out));
        tx.after_commit([this] { categories_changed(); });
        return out;
    });
    return result;
}

Result<CategoryDetail> TaxonomyService::update_category(const Ctx& ctx, const std::string& id, const CategoryPatchRequest& in) {
    std::vector<FieldError> errors;
    if (in.slug && !domain::is_slug(in.slug->value)) errors.push_back({"slug", kSlugForm});
    if (auto r = invalid(std::move(errors)); !r) return r.error();
    auto result = db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<CategoryDetail> {
        auto before = load_tree(tx);
        auto node = before->find(id);
        if (!node) return not_found(fmt::format("no category '{}'", id));
        domain::CategoryRow row = node->row;
        if (in.name) row.name = in.name->value;
        if (in.slug && in.slug->value != row.slug) {
            if (tx.count("SELECT COUNT(*) FROM catalog.categories WHERE slug = ?", in.slug->value))
                return slug_taken("category", in.slug->value);
            row.slug = in.slug->value;
        }
        if (in.parent_id) {
            std::string parent = in.parent_id->value ? in.parent_id->value->value : "";
            if (auto why = domain::move_problem(*before, id, parent); !why.empty()) return validation("parent_id", why);
            if (parent != row.parent_id && !in.position) row.position = before->last_position(parent) + 1;
            row.parent_id = parent;
        }
        if (in.position) {
            row.position = in.position->value;
            make_room(tx, row);
        }
        tx.exec("UPDATE catalog.categories SET name = ?, slug = ?, parent_id = ?, position = ?, updated_at = ? WHERE id = ?", row.name,
                row.slug, row.parent_id, row.position, now_iso8601(), id);
        audit::record(tx, "catalog.category.updated", id, {{"changes", api::write_value(in)}});
        tx.publish(events::CategoryChanged{row.id, row.name, row.slug, row.parent_id, false});
        auto after = load_tree(tx);
        tx.after_commit([this] { categories_changed(); });
        return detail_reply(*after, *after->find(id));
    });
    return result;
}

Result<void> TaxonomyService::delete_category(const Ctx& ctx, const std::string& id) {
    return db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<void> {
        if (!tx.count("SELECT COUNT(*) FROM catalog.categories WHERE id = ?", id)) return not_found(fmt::format("no category '{}'", id));
        if (auto n = tx.count("SELECT COUNT(*) FROM catalog.categories WHERE parent_id = ?", id))
            return conflict(fmt::format("the category has {} subcategories: move or delete them first", n));
        if (auto n = tx.count("SELECT COUNT(*) FROM catalog.product_categories WHERE category_id = ?", id))
            return conflict(fmt::format("{} products are in the category: take them out first", n));
        tx.exec("DELETE FROM catalog.categories WHERE id = ?", id);
        audit::record(tx, "catalog.category.deleted", id);
        tx.publish(events::CategoryChanged{id, "", "", "", true});
        tx.after_commit([this] { categories_changed(); });
        return {};
    });
}

BrandPage TaxonomyService::list_brands(const std::string& after, int limit) {
    return page_of<BrandRef, BrandPage>(db_, "SELECT id, name, slug FROM catalog.brands WHERE id < ? ORDER BY id DESC LIMIT ?", after, limit,
                                        [](const db::Row& r) { return BrandRef{api::of<api::Id<"brd">>(r.str(0)), r.str(1), r.str(2)}; });
}

Result<BrandRef> TaxonomyService::create_brand(const Ctx& ctx, const BrandRequest& in) {
    std::vector<FieldError> errors;
    BrandRef out{api::of<api::Id<"brd">>(new_id("brd")), in.name.value, slug_for(in.slug, in.name.value, errors)};
    if (auto r = invalid(std::move(errors)); !r) return r.error();
    return db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<BrandRef> {
        if (tx.count("SELECT COUNT(*) FROM catalog.brands WHERE slug = ?", out.slug)) return slug_taken("brand", out.slug);
        auto now = now_iso8601();
        tx.exec("INSERT INTO catalog.brands (id, name, slug, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", out.id.value, out.name,
                out.slug, now, now);
        audit::record(tx, "catalog.brand.created", out.id.value, {{"changes", api::write_value(in)}});
        tx.publish(events::BrandChanged{out.id.value, out.name, out.slug, false});
        tx.reply(api::write_value(out));
        return out;
    });
}

Result<BrandRef> TaxonomyService::update_brand(const Ctx& ctx, const std::string& id, const BrandPatchRequest& in) {
    if (in.slug && !domain::is_slug(in.slug->value)) return validation("slug", kSlugForm);
    return db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<BrandRef> {
        auto row = tx.one("SELECT id, name, slug FROM catalog.brands WHERE id = ?", id);
        if (!row) return not_found(fmt::format("no brand '{}'", id));
        BrandRef out{api::of<api::Id<"brd">>(row->str(0)), row->str(1), row->str(2)};
        if (in.name) out.name = in.name->value;
        if (in.slug && in.slug->value != out.slug) {
            if (tx.count("SELECT COUNT(*) FROM catalog.brands WHERE slug = ?", in.slug->value)) return slug_taken("brand", in.slug->value);
            out.slug = in.slug->value;
        }
        tx.exec("UPDATE catalog.brands SET name = ?, slug = ?, updated_at = ? WHERE id = ?", out.name, out.slug, now_iso8601(), id);
        audit::record(tx, "catalog.brand.updated", id, {{"changes", api::write_value(in)}});
        tx.publish(events::BrandChanged{out.id.value, out.name, out.slug, false});
        // Product replies show the brand's name and slug.
        tx.after_commit([this] { products_.invalidate_all(); });
        return out;
    });
}

Result<void> TaxonomyService::delete_brand(const Ctx& ctx, const std::string& id) {
    return db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<void> {
        if (!tx.count("SELECT COUNT(*) FROM catalog.brands WHERE id = ?", id)) return not_found(fmt::format("no brand '{}'", id));
        if (auto n = tx.count("SELECT COUNT(*) FROM catalog.products WHERE brand_id = ?", id))
            return conflict(fmt::format("{} products carry the brand: change them first", n));
        tx.exec("DELETE FROM catalog.brands WHERE id = ?", id);
        audit::record(tx, "catalog.brand.deleted", id);
        tx.publish(events::BrandChanged{id, "", "", true});
        return {};
    });
}

CollectionPage TaxonomyService::list_collections(const std::string& after, int limit) {
    auto page = page_of<Collection, CollectionPage>(
        db_, "SELECT id, name, slug FROM catalog.collections WHERE id < ? ORDER BY id DESC LIMIT ?", after, limit,
        [](const db::Row& r) { return Collection{api::of<api::Id<"col">>(r.str(0)), r.str(1), r.str(2), {}}; });
    db_.read([&](db::Reader& r) {
        for (auto& c : page.data)
            for (auto& row : r.query("SELECT product_id FROM catalog.collection_products WHERE collection_id = ? ORDER BY position", c.id.value))
                c.product_ids.push_back(api::of<api::Id<"prd">>(row.str(0)));
    });
    return page;
}

Result<Collection> TaxonomyService::collection(const std::string& key) {
    return db_.read([&](db::Reader& r) { return load_collection(r, key); });
}

Result<Collection> TaxonomyService::create_collection(const Ctx& ctx, const CollectionRequest& in) {
    std::vector<FieldError> errors;
    std::string id = new_id("col");
    std::string slug = slug_for(in.slug, in.name.value, errors);
    if (auto r = invalid(std::move(errors)); !r) return r.error();
    return db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<Collection> {
        if (tx.count("SELECT COUNT(*) FROM catalog.collections WHERE slug = ?", slug)) return slug_taken("collection", slug);
        auto products = checked_product_ids(tx, in.product_ids);
        if (!products) return products.error();
        auto now = now_iso8601();
        tx.exec("INSERT INTO catalog.collections (id, name, slug, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", id, in.name.value, slug,
                now, now);
        store_collection_products(tx, id, *products);
        audit::record(tx, "catalog.collection.created", id, {{"changes", api::write_value(in)}});
        auto out = load_collection(tx, id);
        if (out) {
            publish_collection(tx, *out);
            tx.reply(api::write_value(*out));
        }
        return out;
    });
}

Result<Collection> TaxonomyService::update_collection(const Ctx& ctx, const std::string& id, const CollectionPatchRequest& in) {
    if (in.slug && !domain::is_slug(in.slug->value)) return validation("slug", kSlugForm);
    return db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<Collection> {
        auto current = load_collection(tx, id);
        if (!current || current->id.value != id) return not_found(fmt::format("no collection '{}'", id));
        std::string name = in.name ? in.name->value : current->name;
        std::string slug = current->slug;
        if (in.slug && in.slug->value != slug) {
            if (tx.count("SELECT COUNT(*) FROM catalog.collections WHERE slug = ?", in.slug->value))
                return slug_taken("collection", in.slug->value);
            slug = in.slug->value;
        }
        if (in.product_ids) {
            auto products = checked_product_ids(tx, *in.product_ids);
            if (!products) return products.error();
            store_collection_products(tx, id, *products);
        }
        tx.exec("UPDATE catalog.collections SET name = ?, slug = ?, updated_at = ? WHERE id = ?", name, slug, now_iso8601(), id);
        audit::record(tx, "catalog.collection.updated", id, {{"changes", api::write_value(in)}});
        auto out = load_collection(tx, id);
        if (out) publish_collection(tx, *out);
        return out;
    });
}

Result<void> TaxonomyService::delete_collection(const Ctx& ctx, const std::string& id) {
    return db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<void> {
        if (!tx.count("SELECT COUNT(*) FROM catalog.collections WHERE id = ?", id)) return not_found(fmt::format("no collection '{}'", id));
        tx.exec("DELETE FROM catalog.collection_products WHERE collection_id = ?", id);
        tx.exec("DELETE FROM catalog.collections WHERE id = ?", id);
        audit::record(tx, "catalog.collection.deleted", id);
        tx.publish(events::CollectionChanged{id, "", "", {}, true});
        return {};
    });
}

Result<ProductFilter> TaxonomyService::product_filter(const std::string& category, const std::string& brand, const std::string& collection) {
    ProductFilter out;
    if (!category.empty()) {
        auto t = tree();
        auto node = t->find_key(category);
        if (!node) return validation("category", "no such category (give its id or slug)");
        out.category_ids = t->subtree(node->row.id);
    }
    if (brand.empty() && collection.empty()) return out;
    return db_.read([&](db::Reader& r) -> Result<ProductFilter> {
        if (!brand.empty()) {
            auto row = r.one("SELECT id FROM catalog.brands WHERE id = ? OR slug = ?", brand, brand);
            if (!row) return validation("brand", "no such brand (give its id or slug)");
            out.brand_id = row->str(0);
        }
        if (!collection.empty()) {
            auto row = r.one("SELECT id FROM catalog.collections WHERE id = ? OR slug = ?", collection, collection);
            if (!row) return validation("collection", "no such collection (give its id or slug)");
            out.collection_id = row->str(0);
        }
        return out;
    });
}

}  // namespace shop::catalog
