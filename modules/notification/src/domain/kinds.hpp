#pragma once
// Which events notify whom: one table of every kind of notification the shop sends, with the event
// that triggers it, who receives it, its preference category, the names its templates may use
// (with sample values for previews) and its built-in templates. Pure data, no I/O.
#include <string>
#include <string_view>
#include <vector>

#include "domain/templates.hpp"

namespace shop::notification::domain {

struct BuiltinTemplate {
    std::string channel;  ///< email
    std::string locale;   ///< en
    std::string subject;
    std::string body;  ///< plain text (the HTML alternative is made from it)
};

struct Kind {
    std::string key;        ///< the template key: `order_confirmation`
    std::string event;      ///< the versioned event type that sends it
    std::string recipient;  ///< customer | admins
    std::string category;   ///< account | orders | stock | reviews (the preference it falls under)
    bool transactional = true;  ///< cannot be switched off by the recipient
    Schema schema;
    std::map<std::string, std::string, std::less<>> samples;  ///< by name; list fields as `lines.title`
    std::vector<BuiltinTemplate> builtin;
};

/// Whether the kind is sent on `channel` (`email`, `in_app`): it has a built-in template there.
bool sends_on(const Kind& k, std::string_view channel);

/// A (category, channel) pair a recipient may switch on or off. Locked: email of a category with a
/// transactional kind (an order confirmation, a password reset) cannot be switched off.
struct PreferenceSlot {
    std::string category, channel;
    bool locked = false;
};

/// The slots of a recipient: those of the kinds sent to customers, and for admins also those
/// sent to admins; in a stable order (category, then channel).
std::vector<PreferenceSlot> preference_slots(bool admin);
/// The slot of (category, channel), or nullptr when there is none.
const PreferenceSlot* find_slot(const std::vector<PreferenceSlot>& slots, std::string_view category, std::string_view channel);

/// Every kind, in a stable order.
const std::vector<Kind>& kinds();
/// The kind of template `key`, or nullptr.
const Kind* find_kind(std::string_view key);

}  // namespace shop::notification::domain
