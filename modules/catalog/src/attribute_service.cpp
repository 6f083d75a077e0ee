#include "attribute_service.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <algorithm>
#include <set>

#include "catalog/errors.hpp"
#include "platform/audit.hpp"
#include "platform/db.hpp"

namespace shop::catalog {
namespace json = boost::json;

namespace {

std::string options_json(const std::vector<std::string>& options) {
    json::array a;
    for (auto& o : options) a.push_back(json::value(o));
    return json::serialize(a);
}

/// Options as given, each once: `options[i]` otherwise.
Result<std::vector<std::string>> read_options(const api::List<api::Text<1, 100>, 1, 200>& in) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i].value.find(',') != std::string::npos)
            return validation(fmt::format("options[{}]", i), "must not contain ',' (filters list values separated by commas)");
        if (!seen.insert(in[i].value).second) return validation(fmt::format("options[{}]", i), "is repeated");
        out.push_back(in[i].value);
    }
    return out;
}

std::optional<domain::AttributeDef> find(db::Sql& sql, const std::string& id) {
    for (auto& d : AttributeService::load(sql))
        if (d.id == id) return d;
    return std::nullopt;
}

}  // namespace

Attribute attribute_reply(const domain::AttributeDef& d) {
    Attribute a;
    a.id = api::of<api::Id<"atr">>(d.id);
    a.code = d.code;
    a.name = d.name;
    a.type.value = std::string(domain::to_string(d.type));
    a.options = d.options;
    return a;
}

std::vector<domain::AttributeDef> AttributeService::load(db::Sql& sql) {
    std::vector<domain::AttributeDef> out;
    for (auto& r : sql.query("SELECT id, code, name, type, options FROM catalog.attributes ORDER BY code")) {
        domain::AttributeDef d;
        d.id = r.str(0);
        d.code = r.str(1);
        d.name = r.str(2);
        d.type = domain::attribute_type(r.str(3)).value_or(domain::AttributeType::text);
        auto options = json::parse(r.str(4));  // kept: a range-for over a temporary's member dangles
        for (auto& o : options.as_array()) d.options.emplace_back(o.as_string());
        out.push_back(std::move(d));
    }
    return out;
}

std::vector<domain::AttributeDef> AttributeService::all() {
    return db_.read([](db::Reader& r) { return load(r); });
}

Result<Attribute> AttributeService::create(const Ctx& ctx, const AttributeRequest& in) {
    domain::AttributeDef d;
    d.code = in.code.value;
    if (!domain::is_attribute_code(d.code))
        return validation("code", "must be lower-case letters, digits and '_', starting with a letter, at most 40 characters");
    d.name = in.name.value;
    d.type = *domain::attribute_type(in.type.value);
    if (d.type == domain::AttributeType::option) {
        if (!in.options) return validation("options", "is required for an option attribute");
        auto options = read_options(*in.options);
        if (!options) return options.error();
        d.options = std::move(*options);
    } else if (in.options) {
        return validation("options", "only option attributes have options");
    }
    return db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<Attribute> {
        if (tx.count("SELECT COUNT(*) FROM catalog.attributes WHERE code = ?", d.code))
            return Error(errc::code_taken, fmt::format("an attribute with code '{}' exists", d.code), {{"code", "is taken"}});
        d.id = new_id("atr");
        auto now = now_iso8601();
        tx.exec("INSERT INTO catalog.attributes (id, code, name, type, options, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", d.id,
                d.code, d.name, domain::to_string(d.type), options_json(d.options), now, now);
        auto reply = attribute_reply(d);
        audit::record(tx, "catalog.attribute.created", d.id, {{"code", d.code}, {"type", domain::to_string(d.type)}});
        tx.reply(api::write_value(reply));
        return reply;
    });
}

Result<Attribute> AttributeService::update(const Ctx& ctx, const std::string& id, const AttributePatchRequest& in) {
    std::optional<std::vector<std::string>> options;
    if (in.options) {
        auto o = read_options(*in.options);
        if (!o) return o.error();
        options = std::move(*o);
    }
    return db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<Attribute> {
        auto d = find(tx, id);
        if (!d) return not_found(fmt::format("no attribute '{}'", id));
        if (options) {
            if (d->type != domain::AttributeType::option) return validation("options", "only option attributes have options");
            for (auto& r : tx.query("SELECT DISTINCT text_value FROM catalog.product_attributes WHERE attribute_id = ?", id)) {
                auto held = r.str(0);
                if (std::find(options->begin(), options->end(), held) == options->end())
                    return Error(errc::in_use, fmt::format("products hold the option '{}'", held), {{"options", "must keep '" + held + "'"}});
            }
            d->options = *options;
        }
        if (in.name) d->name = in.name->value;
        tx.exec("UPDATE catalog.attributes SET name = ?, options = ?, updated_at = ? WHERE id = ?", d->name, options_json(d->options),
                now_iso8601(), id);
        json::array fields;
        if (in.name) fields.emplace_back("name");
        if (options) fields.emplace_back("options");
        audit::record(tx, "catalog.attribute.updated", id, {{"code", d->code}, {"fields", fields}});
        // Product replies show the attribute's name.
        tx.after_commit([this] { products_.invalidate_all(); });
        return attribute_reply(*d);
    });
}

Result<void> AttributeService::remove(const Ctx& ctx, const std::string& id) {
    return db_.write("catalog", ctx, [&](db::Tx& tx) -> Result<void> {
        if (!tx.count("SELECT COUNT(*) FROM catalog.attributes WHERE id = ?", id)) return not_found(fmt::format("no attribute '{}'", id));
        if (auto n = tx.count("SELECT COUNT(*) FROM catalog.product_attributes WHERE attribute_id = ?", id))
            return Error(errc::in_use, fmt::format("{} products hold a value of this attribute", n));
        auto code = tx.one("SELECT code FROM catalog.attributes WHERE id = ?", id)->str(0);
        tx.exec("DELETE FROM catalog.attributes WHERE id = ?", id);
        audit::record(tx, "catalog.attribute.removed", id, {{"code", code}});
        return {};
    });
}

}  // namespace shop::catalog
