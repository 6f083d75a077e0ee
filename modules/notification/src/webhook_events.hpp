#pragma once
// The integration events webhooks can carry: every event type a module publishes, with the schema
// whose outbox it is published to. The list is made from the events' own structs (their kType), and
// a unit test checks it against every `kType` declared in modules/*/include/*/events.hpp, so an
// event added to a module without being added here fails the build's tests.
#include <span>
#include <string_view>

namespace shop::notification {

struct PublishedEvent {
    std::string_view source;  ///< the publishing module's schema (its outbox)
    std::string_view type;    ///< versioned type name
    /// A member of the payload never sent to webhooks ("" = none): a one-time credential the shop
    /// mails to the customer (a password reset or email verification token), which in a third
    /// party's hands would take over the account.
    std::string_view withheld = "";
};

/// Every event type the shop publishes, grouped by source.
std::span<const PublishedEvent> published_events();

/// Whether `type` is one of published_events().
bool is_published_event(std::string_view type);

/// The member of `type`'s payload that webhooks never carry ("" = none).
std::string_view withheld_member(std::string_view type);

}  // namespace shop::notification
