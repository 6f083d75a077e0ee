#pragma once
#include <boost/describe.hpp>
#include <string>
#include <string_view>

namespace shop::identity::events {

/// A new customer account exists.
struct UserRegistered {
    static constexpr std::string_view kType = "identity.user_registered.v1";
    std::string user_id;
    std::string email;
    std::string name;
    static constexpr auto kKey = &UserRegistered::user_id;  ///< ordering key: the aggregate this event is about
};
BOOST_DESCRIBE_STRUCT(UserRegistered, (), (user_id, email, name))

}  // namespace shop::identity::events
