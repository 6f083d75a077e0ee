#include "product_transfer.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "catalog/errors.hpp"
#include "catalog_service.hpp"
#include "domain/product_csv.hpp"
#include "domain/product_rules.hpp"
#include "platform/audit.hpp"
#include "platform/db.hpp"

namespace shop::catalog {
namespace json = boost::json;
using domain::CsvColumn;
using K = CsvColumn::Kind;

namespace {

/// At most this many data rows per import (a bigger catalog is imported in several files).
constexpr std::size_t kMaxRows = 20000;

std::vector<std::pair<std::string, std::string>> options_of(const VariantRow& v) {
    std::vector<std::pair<std::string, std::string>> out;
    boost::system::error_code ec;
    auto parsed = json::parse(v.options_json, ec);
    if (ec || !parsed.is_object()) return out;
    for (auto& [k, val] : parsed.as_object())
        if (val.is_string()) out.emplace_back(std::string(k), std::string(val.as_string()));
    return out;
}

std::vector<Money> sorted_prices(std::vector<Money> prices) {
    std::sort(prices.begin(), prices.end(), [](auto& a, auto& b) { return a.currency < b.currency; });
    return prices;
}

bool same_prices(const std::vector<Money>& a, const std::vector<Money>& b) {
    auto x = sorted_prices(a), y = sorted_prices(b);
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (x[i].currency != y[i].currency || x[i].amount != y[i].amount) return false;
    return true;
}

std::string trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return std::string(s);
}

/// One data row of the file.
struct Row {
    std::int64_t number = 0;                ///< record number (header = 1)
    std::vector<std::string> cells;         ///< as many as the header has columns
    ImportRow result;
};

/// The rows of one product (same handle), in file order.
struct Group {
    std::string handle;
    std::vector<Row*> rows;
};

class Importer {
public:
    Importer(db::Database& db, CatalogService& svc, StockPort* stock, const Ctx& ctx, const std::vector<CsvColumn>& columns)
        : db_(db), svc_(svc), stock_(stock), ctx_(ctx), columns_(columns) {}

    /// Checks and applies one product's rows; fills each row's result.
    void run(Group& g) {
        auto planned = plan(g);
        if (!planned) {
            fail_group(g);
            return;
        }
        apply(g, *planned);
        apply_stock(g);
    }

private:
    struct Plan {
        std::shared_ptr<const ProductDoc> current;  ///< null: a new product
        NewProduct want;
        std::vector<std::size_t> variant_rows;  ///< index in the group's rows of want.variants[i]
    };

    /// The column index of a kind (the first one), if the file has it.
    std::optional<std::size_t> column(K kind) const {
        for (std::size_t i = 0; i < columns_.size(); ++i)
            if (columns_[i].kind == kind) return i;
        return std::nullopt;
    }
    /// The cell of `kind` in `row`, unguarded; nullopt when the file has no such column.
    std::optional<std::string> cell(const Row& row, K kind) const {
        auto c = column(kind);
        if (!c) return std::nullopt;
        return domain::unguard_cell(row.cells[*c]);
    }
    static void error(Row& row, std::string column, std::string message) {
        row.result.errors.push_back({std::move(column), std::move(message)});
    }

    void fail_group(Group& g) {
        std::int64_t bad = 0;
        for (auto* r : g.rows)
            if (!r->result.errors.empty()) {
                bad = r->number;
                break;
            }
        for (auto* r : g.rows) {
            r->result.outcome = "failed";
            if (r->result.errors.empty())
                error(*r, "", fmt::format("not imported: row {} of the same product (handle '{}') has an error", bad, g.handle));
        }
    }

    /// Where a field error of the product request belongs: the row and the CSV column.
    void place(Group& g, const Plan& p, const FieldError& fe) {
        std::string path = fe.field;
        Row* row = g.rows.front();
        std::string col;
        if (path.starts_with("variants[")) {
            auto close = path.find(']');
            std::size_t i = std::stoul(path.substr(9, close - 9));
            if (i < p.variant_rows.size()) row = g.rows[p.variant_rows[i]];
            std::string rest = close + 2 <= path.size() ? path.substr(close + 2) : "";
            if (rest.starts_with("sku")) col = "sku";
            else if (rest.starts_with("title")) col = "variant_title";
            else if (rest.starts_with("options")) col = "options";
            else if (rest.starts_with("weight_grams")) col = "weight_grams";
            else if (rest.starts_with("prices")) {
                col = "prices";
                auto open = rest.find('[');
                if (open != std::string::npos && i < p.want.variants.size()) {
                    std::size_t k = std::stoul(rest.substr(open + 1));
                    auto& prices = p.want.variants[i].prices;
                    if (k < prices.size()) col = "price." + prices[k].currency;
                }
            } else col = rest;
        } else if (path.starts_with("slug")) {
            col = "handle";
        } else if (path.starts_with("brand_id")) {
            col = "brand";
        } else if (path.starts_with("category_ids")) {
            col = "categories";
        } else {
            col = path.substr(0, path.find_first_of(".["));
        }
        error(*row, col, fe.message);
    }

    std::optional<Plan> plan(Group& g) {
        Plan p;
        Row& first = *g.rows.front();
        bool ok = true;
        auto fail = [&](Row& r, std::string col, std::string msg) {
            error(r, std::move(col), std::move(msg));
            ok = false;
        };

        // Product-level cells come from the first row; a later row repeats them or leaves them blank.
        static const K kProductKinds[] = {K::product_id, K::title, K::status, K::description, K::brand, K::categories, K::tax_class,
                                          K::meta_title, K::meta_description};
        for (std::size_t k = 1; k < g.rows.size(); ++k)
            for (K kind : kProductKinds) {
                auto mine = cell(*g.rows[k], kind);
                if (mine && !mine->empty() && *mine != *cell(first, kind))
                    fail(*g.rows[k], columns_[*column(kind)].name,
                         fmt::format("differs from row {} of the same product (product fields are read from a product's first row)",
                                     first.number));
            }

        // The product: by product_id when given, else by handle.
        auto product_id = cell(first, K::product_id).value_or("");
        if (!product_id.empty()) {
            p.current = api::well_formed_id(product_id, "prd") ? svc_.product(product_id) : nullptr;
            if (!p.current) fail(first, "product_id", fmt::format("names no product ('{}'); leave it empty to create one", product_id));
        } else {
            auto row = db_.read([&](db::Reader& r) { return r.one("SELECT id FROM catalog.products WHERE slug = ?", g.handle); });
            if (row) p.current = svc_.product(row->str(0));
        }
        const ProductDoc* cur = p.current.get();

        json::object req;
        auto text_field = [&](K kind, const char* key, const std::string& existing, bool blank_keeps) {
            auto v = cell(first, kind);
            if (v && !(blank_keeps && v->empty())) req[key] = *v;
            else if (cur) req[key] = existing;
        };
        text_field(K::title, "title", cur ? cur->title : "", true);
        req["slug"] = g.handle;
        text_field(K::description, "description", cur ? cur->description : "", false);
        text_field(K::status, "status", cur ? cur->status : "", true);
        text_field(K::tax_class, "tax_class", cur ? cur->tax_class : "", true);
        text_field(K::meta_title, "meta_title", cur ? cur->meta_title : "", false);
        text_field(K::meta_description, "meta_description", cur ? cur->meta_description : "", false);

        std::string brand_id = cur && cur->brand ? cur->brand->id : "";
        if (auto b = cell(first, K::brand)) {
            brand_id.clear();
            if (auto slug = trimmed(*b); !slug.empty()) {
                auto row = db_.read([&](db::Reader& r) { return r.one("SELECT id FROM catalog.brands WHERE slug = ?", slug); });
                if (row) brand_id = row->str(0);
                else fail(first, "brand", fmt::format("names no brand with the slug '{}'", slug));
            }
        }
        if (!brand_id.empty()) req["brand_id"] = brand_id;

        json::array category_ids;
        if (auto c = cell(first, K::categories)) {
            auto tree = svc_.taxonomy().tree();
            std::string_view rest = *c;
            while (!rest.empty()) {
                auto bar = rest.find('|');
                auto slug = trimmed(rest.substr(0, bar));
                rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
                if (slug.empty()) continue;
                if (auto* node = tree->find_slug(slug)) category_ids.emplace_back(node->row.id);
                else fail(first, "categories", fmt::format("names no category with the slug '{}'", slug));
            }
        } else if (cur) {
            for (auto& ci : cur->categories) category_ids.emplace_back(ci.id);
        }
        req["category_ids"] = category_ids;

        json::array variants;
        for (std::size_t k = 0; k < g.rows.size(); ++k) {
            Row& row = *g.rows[k];
            auto sku = trimmed(cell(row, K::sku).value_or(""));
            if (sku.empty()) {
                fail(row, "sku", "is required: one row per variant");
                continue;
            }
            const VariantRow* existing = nullptr;
            if (cur)
                for (auto& v : cur->variants)
                    if (v.sku == sku) existing = &v;
            if (!existing) {
                auto owner = svc_.sku_owner(sku);
                if (owner && (!cur || owner->product_id != cur->id))
                    fail(row, "sku", fmt::format("belongs to another product ({})", owner->product_id));
            }
            json::object v{{"sku", sku}};
            if (auto t = cell(row, K::variant_title); t && !t->empty()) v["title"] = *t;
            else if (existing && !existing->title.empty()) v["title"] = existing->title;
            std::vector<std::pair<std::string, std::string>> options = existing ? options_of(*existing) : decltype(options){};
            if (auto o = cell(row, K::options)) {
                std::string problem;
                if (auto parsed = domain::parse_options_cell(*o, problem)) options = std::move(*parsed);
                else fail(row, "options", problem);
            }
            json::object opts;
            for (auto& [name, value] : options) opts[name] = value;
            v["options"] = opts;
            std::optional<std::int64_t> weight = existing ? std::optional(existing->weight_grams) : std::nullopt;
            if (auto w = cell(row, K::weight_grams); w && !w->empty()) {
                weight = domain::parse_count(*w);
                if (!weight) fail(row, "weight_grams", "must be a whole number of grams, 0 or more");
            }
            if (weight) v["weight_grams"] = *weight;
            std::map<std::string, std::int64_t> prices;
            if (existing)
                for (auto& m : existing->prices) prices[m.currency] = m.amount;
            for (std::size_t c = 0; c < columns_.size(); ++c) {
                if (columns_[c].kind == K::price) {
                    auto& text = row.cells[c];
                    if (text.empty()) prices.erase(columns_[c].param);
                    else if (auto amount = domain::parse_count(text)) prices[columns_[c].param] = *amount;
                    else fail(row, columns_[c].name, fmt::format("must be a whole amount in minor units of {} (e.g. 1999 for 19.99), 0 or more",
                                                                   columns_[c].param));
                } else if (columns_[c].kind == K::stock && !row.cells[c].empty() && !domain::parse_count(row.cells[c])) {
                    fail(row, columns_[c].name, "must be a whole number of units on hand, 0 or more");
                }
            }
            if (prices.empty()) {
                fail(row, "prices", "the variant needs a price in at least one currency (price.<CUR> columns)");
                continue;
            }
            json::array price_list;
            for (auto& [currency, amount] : prices)
                price_list.emplace_back(json::object{{"amount", amount}, {"currency", currency}});
            v["prices"] = price_list;
            variants.emplace_back(std::move(v));
            p.variant_rows.push_back(k);
        }
        if (!ok) return std::nullopt;
        req["variants"] = variants;

        std::vector<FieldError> errors;
        api::Reader reader(errors);
        NewProductRequest request;
        if (api::read_value(json::value(req), request, "", reader)) p.want = domain::new_product(request, errors);
        for (auto& fe : errors) place(g, p, fe);
        if (!errors.empty()) return std::nullopt;
        return p;
    }

    void place_error(Group& g, const Plan& p, const Error& e) {
        if (e.fields.empty()) {
            error(*g.rows.front(), "", e.detail);
            return;
        }
        for (auto& fe : e.fields) {
            // Errors of an added variant name `added[i]`: its index among the added ones.
            if (fe.field.starts_with("added[")) {
                error(*g.rows.front(), "sku", e.detail.empty() ? fe.message : e.detail);
                continue;
            }
            place(g, p, FieldError{fe.field, e.detail.empty() ? fe.message : e.detail});
        }
    }

    void apply(Group& g, Plan& p) {
        for (std::size_t i = 0; i < p.variant_rows.size(); ++i) g.rows[p.variant_rows[i]]->result.outcome = "unchanged";
        if (!p.current) {
            auto created = svc_.create_product(ctx_, p.want);
            if (!created) {
                place_error(g, p, created.error());
                fail_group(g);
                return;
            }
            for (auto* r : g.rows) {
                r->result.outcome = "created";
                r->result.product_id = created->id;
            }
            ++products_created;
            return;
        }
        const ProductDoc& cur = *p.current;
        ImportChanges ch;
        bool product_changed = false;
        auto text = [&](std::optional<std::string>& field, const std::string& want, const std::string& have) {
            if (want != have) {
                field = want;
                product_changed = true;
            }
        };
        text(ch.product.title, p.want.title, cur.title);
        text(ch.product.slug, p.want.slug, cur.slug);
        text(ch.product.description, p.want.description, cur.description);
        text(ch.product.status, p.want.status, cur.status);
        text(ch.product.tax_class, p.want.tax_class, cur.tax_class);
        text(ch.product.meta_title, p.want.meta_title, cur.meta_title);
        text(ch.product.meta_description, p.want.meta_description, cur.meta_description);
        text(ch.product.brand_id, p.want.brand_id, cur.brand ? cur.brand->id : "");
        std::vector<std::string> have_categories;
        for (auto& c : cur.categories) have_categories.push_back(c.id);
        if (have_categories != p.want.category_ids) {
            ch.product.category_ids = p.want.category_ids;
            product_changed = true;
        }
        std::vector<bool> row_changed(g.rows.size(), false);
        row_changed[0] = product_changed;
        for (std::size_t i = 0; i < p.want.variants.size(); ++i) {
            auto& want = p.want.variants[i];
            auto have = std::find_if(cur.variants.begin(), cur.variants.end(), [&](auto& v) { return v.sku == want.sku; });
            if (have == cur.variants.end()) {
                ch.added.push_back(want);
                row_changed[p.variant_rows[i]] = true;
                continue;
            }
            VariantPatch vp;
            if (want.title != have->title) vp.title = want.title;
            if (want.options != options_of(*have)) vp.options = want.options;
            if (!same_prices(want.prices, have->prices)) vp.prices = want.prices;
            if (want.weight_grams != have->weight_grams) vp.weight_grams = want.weight_grams;
            if (vp.title || vp.options || vp.prices || vp.weight_grams) {
                ch.variants.emplace_back(have->id, std::move(vp));
                row_changed[p.variant_rows[i]] = true;
            }
        }
        for (auto* r : g.rows) r->result.product_id = cur.id;
        if (std::none_of(row_changed.begin(), row_changed.end(), [](bool b) { return b; })) return;
        auto done = svc_.import_changes(ctx_, cur.id, ch);
        if (!done) {
            place_error(g, p, done.error());
            fail_group(g);
            return;
        }
        ++products_updated;
        for (std::size_t k = 0; k < g.rows.size(); ++k) {
            if (!row_changed[k]) continue;
            bool added = std::any_of(ch.added.begin(), ch.added.end(), [&](auto& v) { return v.sku == g.rows[k]->result.sku; });
            g.rows[k]->result.outcome = added ? "created" : "updated";
        }
    }

    void apply_stock(Group& g) {
        if (!stock_ || g.rows.front()->result.outcome == "failed") return;
        for (auto* r : g.rows) {
            std::vector<WarehouseStock> levels;
            bool read = false;
            for (std::size_t c = 0; c < columns_.size(); ++c) {
                if (columns_[c].kind != K::stock || r->cells[c].empty()) continue;
                auto want = *domain::parse_count(r->cells[c]);
                if (!read) {
                    levels = stock_->on_hand(r->result.sku);
                    read = true;
                }
                auto have = std::find_if(levels.begin(), levels.end(), [&](auto& l) { return l.warehouse == columns_[c].param; });
                if (have != levels.end() && have->on_hand == want) continue;
                if (auto ok = stock_->set_on_hand(ctx_, r->result.sku, columns_[c].param, want); !ok) {
                    error(*r, columns_[c].name, "stock not set: " + ok.error().detail);
                    continue;
                }
                if (r->result.outcome == "unchanged") r->result.outcome = "updated";
            }
        }
    }

    db::Database& db_;
    CatalogService& svc_;
    StockPort* stock_;
    const Ctx& ctx_;
    const std::vector<CsvColumn>& columns_;

public:
    std::int64_t products_created = 0, products_updated = 0;
};

}  // namespace

std::string ProductTransfer::export_csv() {
    std::vector<std::shared_ptr<const ProductDoc>> docs;
    for (auto& id : svc_.all_product_ids())
        if (auto doc = svc_.product(id)) docs.push_back(std::move(doc));
    std::set<std::string> others;
    for (auto& d : docs)
        for (auto& v : d->variants)
            for (auto& m : v.prices)
                if (m.currency != base_currency_) others.insert(m.currency);
    std::vector<std::string> currencies{base_currency_};
    currencies.insert(currencies.end(), others.begin(), others.end());
    StockPort* stock = stock_.load();
    std::vector<std::string> warehouses = stock ? stock->warehouses() : std::vector<std::string>{};

    std::vector<std::string> header{"product_id",       "handle", "title",         "status",  "description",  "brand",       "categories",
                                    "tax_class",        "meta_title", "meta_description", "sku", "variant_title", "options", "weight_grams"};
    for (auto& c : currencies) header.push_back("price." + c);
    for (auto& w : warehouses) header.push_back("stock." + w);
    std::string out = domain::csv_record(header);
    for (auto& d : docs) {
        std::string categories;
        for (auto& c : d->categories) categories += (categories.empty() ? "" : "|") + c.slug;
        for (auto& v : d->variants) {
            std::vector<std::string> row{d->id,
                                         d->slug,
                                         domain::guard_cell(d->title),
                                         d->status,
                                         domain::guard_cell(d->description),
                                         d->brand ? d->brand->slug : "",
                                         categories,
                                         d->tax_class,
                                         domain::guard_cell(d->meta_title),
                                         domain::guard_cell(d->meta_description),
                                         v.sku,
                                         domain::guard_cell(v.title),
                                         domain::guard_cell(domain::options_cell(options_of(v))),
                                         std::to_string(v.weight_grams)};
            for (auto& c : currencies) {
                auto m = std::find_if(v.prices.begin(), v.prices.end(), [&](auto& p) { return p.currency == c; });
                row.push_back(m == v.prices.end() ? "" : std::to_string(m->amount));
            }
            if (stock) {
                auto levels = stock->on_hand(v.sku);
                for (auto& w : warehouses) {
                    auto l = std::find_if(levels.begin(), levels.end(), [&](auto& x) { return x.warehouse == w; });
                    row.push_back(l == levels.end() ? "" : std::to_string(l->on_hand));
                }
            }
            out += domain::csv_record(row);
        }
    }
    return out;
}

Result<ImportReport> ProductTransfer::import_csv(const Ctx& ctx, std::string_view text) {
    auto records = domain::parse_csv(text);
    if (!records) return records.error();
    if (records->empty()) return validation("body", "is empty: the first record must be the header (e.g. handle,title,sku,price.USD)");
    if (records->size() - 1 > kMaxRows)
        return validation("body", fmt::format("holds {} rows; at most {} per import", records->size() - 1, kMaxRows));
    StockPort* stock = stock_.load();
    auto columns = domain::read_header(records->front(), stock ? stock->warehouses() : std::vector<std::string>{}, stock != nullptr);
    if (!columns) return columns.error();

    std::vector<Row> rows(records->size() - 1);
    std::vector<Group> groups;
    std::map<std::string, std::size_t> group_of;
    auto handle_col = std::find_if(columns->begin(), columns->end(), [](auto& c) { return c.kind == K::handle; }) - columns->begin();
    auto sku_col = std::find_if(columns->begin(), columns->end(), [](auto& c) { return c.kind == K::sku; }) - columns->begin();
    ImportReport report;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        Row& r = rows[i];
        r.number = static_cast<std::int64_t>(i) + 2;
        r.cells = std::move((*records)[i + 1]);
        r.result.row = r.number;
        if (r.cells.size() != columns->size()) {
            r.result.outcome = "failed";
            r.result.errors.push_back({"", fmt::format("has {} fields; the header has {}", r.cells.size(), columns->size())});
            if (r.cells.size() > static_cast<std::size_t>(handle_col)) r.result.handle = r.cells[static_cast<std::size_t>(handle_col)];
            continue;
        }
        r.result.handle = trimmed(r.cells[static_cast<std::size_t>(handle_col)]);
        r.result.sku = trimmed(r.cells[static_cast<std::size_t>(sku_col)]);
        if (r.result.handle.empty()) {
            r.result.outcome = "failed";
            r.result.errors.push_back({"handle", "is required: the product's slug, the same on each of its rows"});
            continue;
        }
        auto [it, fresh] = group_of.emplace(r.result.handle, groups.size());
        if (fresh) groups.push_back({r.result.handle, {}});
        groups[it->second].rows.push_back(&r);
    }
    Importer importer(db_, svc_, stock, ctx, *columns);
    for (auto& g : groups) importer.run(g);

    report.rows = static_cast<std::int64_t>(rows.size());
    report.products_created = importer.products_created;
    report.products_updated = importer.products_updated;
    for (auto& r : rows) {
        auto& o = r.result.outcome;
        if (o == "created") ++report.created;
        else if (o == "updated") ++report.updated;
        else if (o == "unchanged") ++report.unchanged;
        else ++report.failed;
        report.results.push_back(std::move(r.result));
    }
    // The report is the request's reply (an Idempotency-Key replays it) and the audit log's entry.
    auto recorded = db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<void> {
        audit::record(tx, "catalog.products.imported", "",
                      {{"rows", report.rows}, {"created", report.created}, {"updated", report.updated}, {"unchanged", report.unchanged},
                       {"failed", report.failed}});
        tx.reply(api::write_value(report));
        return {};
    });
    if (!recorded) return recorded.error();
    return report;
}

}  // namespace shop::catalog
