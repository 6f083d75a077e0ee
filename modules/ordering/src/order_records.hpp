#pragma once
// The order's own records, shared by the service's translation units (ordering_service.cpp
// defines them): reading an order, who may see it, and the one way its status changes.
#include <optional>
#include <string>
#include <string_view>

#include "ordering_service.hpp"

namespace shop::db {
class Sql;
}

namespace shop::ordering {

/// Whether the caller may see an order: its customer, the guest holding its cart token, an admin.
bool may_see(const Ctx& ctx, const OrderAccess& a, std::string_view cart_token);
/// 409 invalid_state: an order in `from` cannot become `to`.
Error refused(const std::string& from, const std::string& to);
/// Every status change goes through here, and through the one transition table: a change it
/// does not allow is refused (throws 409 invalid_state). from == to records a note without a
/// change; from "" is the order's creation.
void record_transition(db::Sql& sql, const std::string& order_id, const std::string& from, const std::string& to, const std::string& note);
/// The order as the API replies it, and who may see it.
std::optional<Order> load_in(db::Sql& sql, const std::string& id, OrderAccess* access);

}  // namespace shop::ordering
