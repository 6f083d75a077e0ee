#pragma once
// The store's attribute definitions. Thread-safe.
#include <vector>

#include "domain/attributes.hpp"
#include "platform/context.hpp"
#include "platform/error.hpp"
#include "product_cache.hpp"
#include "wire.hpp"

namespace shop::db {
class Database;
class Sql;
}  // namespace shop::db

namespace shop::catalog {

class AttributeService {
public:
    AttributeService(db::Database& db, ProductCache& products) : db_(db), products_(products) {}

    /// Every definition as `sql` sees it, by code.
    static std::vector<domain::AttributeDef> load(db::Sql& sql);
    std::vector<domain::AttributeDef> all();

    Result<Attribute> create(const Ctx& ctx, const AttributeRequest& in);
    Result<Attribute> update(const Ctx& ctx, const std::string& id, const AttributePatchRequest& in);
    /// Refused (409 in_use) while a product holds a value of it.
    Result<void> remove(const Ctx& ctx, const std::string& id);

private:
    db::Database& db_;
    ProductCache& products_;
};

Attribute attribute_reply(const domain::AttributeDef& d);

}  // namespace shop::catalog
