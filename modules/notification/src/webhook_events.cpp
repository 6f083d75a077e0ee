#include "webhook_events.hpp"

#include <algorithm>

#include "catalog/events.hpp"
#include "identity/events.hpp"
#include "inventory/events.hpp"
#include "ordering/events.hpp"
#include "payment/events.hpp"

namespace shop::notification {

namespace {

namespace ce = catalog::events;
namespace ie = identity::events;
namespace ve = inventory::events;
namespace oe = ordering::events;
namespace pe = payment::events;

constexpr PublishedEvent kPublished[] = {
    {"catalog", ce::ProductChanged::kType},
    {"catalog", ce::CategoryChanged::kType},
    {"catalog", ce::BrandChanged::kType},
    {"catalog", ce::CollectionChanged::kType},
    {"catalog", ce::ReviewModerated::kType},
    {"identity", ie::UserRegistered::kType},
    {"identity", ie::PasswordResetRequested::kType, "token"},
    {"identity", ie::EmailVerificationRequested::kType, "token"},
    {"identity", ie::PasswordChanged::kType},
    {"identity", ie::ProfileChanged::kType},
    {"inventory", ve::ReservationExpired::kType},
    {"inventory", ve::LowStock::kType},
    {"inventory", ve::StockStatusChanged::kType},
    {"ordering", oe::OrderPlaced::kType},
    {"ordering", oe::OrderConfirmed::kType},
    {"ordering", oe::OrderCancelled::kType},
    {"ordering", oe::PaymentRejected::kType},
    {"ordering", oe::OrderStatusChanged::kType},
    {"ordering", oe::OrderShipped::kType},
    {"ordering", oe::OrderDelivered::kType},
    {"ordering", oe::RefundRequested::kType},
    {"ordering", oe::ItemsRestocked::kType},
    {"ordering", oe::OrderRefunded::kType},
    {"ordering", oe::ReturnUpdated::kType},
    {"payment", pe::PaymentAuthorized::kType},
    {"payment", pe::PaymentFailed::kType},
    {"payment", pe::PaymentRefunded::kType},
    {"payment", pe::PaymentCaptured::kType},
    {"payment", pe::PaymentVoided::kType},
    {"payment", pe::RefundFailed::kType},
};

}  // namespace

std::span<const PublishedEvent> published_events() { return kPublished; }

bool is_published_event(std::string_view type) {
    return std::any_of(std::begin(kPublished), std::end(kPublished), [&](const PublishedEvent& e) { return e.type == type; });
}

std::string_view withheld_member(std::string_view type) {
    for (auto& e : kPublished)
        if (e.type == type) return e.withheld;
    return "";
}

}  // namespace shop::notification
