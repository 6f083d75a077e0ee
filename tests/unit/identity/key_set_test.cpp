#include "identity/src/domain/key_set.hpp"

#include <doctest/doctest.h>

#include <sodium.h>

#include <boost/json.hpp>

#include <string>

#include "identity/src/domain/jwt.hpp"
#include "platform/crypto.hpp"

using namespace shop::identity::domain;
namespace json = boost::json;

namespace {

std::string seed_b64(unsigned char fill) { return shop::crypto::base64url_encode(std::string(32, static_cast<char>(fill))); }

json::object jwk(const std::string& kid, unsigned char fill) { return {{"kty", "OKP"}, {"crv", "Ed25519"}, {"kid", kid}, {"d", seed_b64(fill)}}; }

std::string set_of(json::array keys) { return json::serialize(json::object{{"keys", std::move(keys)}}); }

std::string error_of(const std::string& text) {
    try {
        parse_key_set(text, "keys.json");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a JWK Set of Ed25519 keys parses in order, the first signs and each verifies its own tokens") {
    REQUIRE(sodium_init() >= 0);
    auto keys = parse_key_set(set_of({jwk("new", 1), jwk("old", 2)}), "keys.json");
    REQUIRE(keys.size() == 2);
    CHECK(keys[0].kid == "new");
    CHECK(keys[1].kid == "old");
    CHECK(keys[0].public_key.size() == 32);
    CHECK(keys[0].secret_key.size() == 64);
    CHECK(keys[0].public_key != keys[1].public_key);
    auto token = sign_jwt(keys[1], json::object{{"sub", "usr_1"}, {"exp", 4102444800}});
    CHECK(jwt_kid(token) == "old");
    CHECK(verify_jwt(token, keys[1].public_key, 1).has_value());
    CHECK(!verify_jwt(token, keys[0].public_key, 1).has_value());
    // One JWK alone is a set of one; the written set reads back the same keys.
    CHECK(parse_key_set(json::serialize(jwk("solo", 3)), "env").at(0).kid == "solo");
    auto again = parse_key_set(key_set_json(keys), "written");
    REQUIRE(again.size() == 2);
    CHECK(again[0].kid == "new");
    CHECK(again[0].secret_key == keys[0].secret_key);
    CHECK(again[1].public_key == keys[1].public_key);
}

TEST_CASE("a key set that cannot be used is refused, naming the source, the key and what is wrong") {
    REQUIRE(sodium_init() >= 0);
    CHECK(error_of("not json").find("keys.json: not a JSON Web Key Set") == 0);
    CHECK(error_of(set_of({})).find("holds no key") != std::string::npos);
    auto no_kid = jwk("", 1);
    no_kid.erase("kid");
    CHECK(error_of(set_of({no_kid})).find("keys[0] has no \"kid\"") != std::string::npos);
    CHECK(error_of(set_of({jwk("a", 1), jwk("a", 2)})).find("keys[1] (kid \"a\"): the kid is used by an earlier key") != std::string::npos);
    auto rsa = jwk("r", 1);
    rsa["kty"] = "RSA";
    CHECK(error_of(set_of({rsa})).find("must be an Ed25519 key") != std::string::npos);
    auto short_d = jwk("s", 1);
    short_d["d"] = shop::crypto::base64url_encode("too short");
    CHECK(error_of(set_of({short_d})).find("\"d\" must be the 32-byte private key") != std::string::npos);
    auto wrong_x = jwk("x", 1);
    wrong_x["x"] = shop::crypto::base64url_encode(parse_key_set(set_of({jwk("y", 2)}), "other").at(0).public_key);
    CHECK(error_of(set_of({wrong_x})).find("\"x\" is not the public key of \"d\"") != std::string::npos);
}
