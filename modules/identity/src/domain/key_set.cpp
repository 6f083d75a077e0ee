#include "domain/key_set.hpp"

#include <sodium.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <set>
#include <stdexcept>

#include "platform/crypto.hpp"

namespace shop::identity::domain {
namespace json = boost::json;

SigningKey signing_key_from_seed(std::string kid, std::string_view seed) {
    if (seed.size() != crypto_sign_SEEDBYTES) throw std::invalid_argument("an Ed25519 seed has 32 bytes");
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_seed_keypair(pk, sk, reinterpret_cast<const unsigned char*>(seed.data()));
    SigningKey k;
    k.kid = std::move(kid);
    k.public_key.assign(reinterpret_cast<char*>(pk), sizeof pk);
    k.secret_key.assign(reinterpret_cast<char*>(sk), sizeof sk);
    sodium_memzero(sk, sizeof sk);
    return k;
}

namespace {
std::string member(const json::object& o, std::string_view name) {
    auto* v = o.if_contains(name);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
}  // namespace

std::vector<SigningKey> parse_key_set(std::string_view text, std::string_view source) {
    boost::system::error_code ec;
    json::value doc = json::parse(text, ec);
    if (ec || !doc.is_object())
        throw std::runtime_error(fmt::format("{}: not a JSON Web Key Set ({{\"keys\": [...]}}) or a JSON Web Key", source));
    json::array keys;
    if (auto* k = doc.get_object().if_contains("keys")) {
        if (!k->is_array()) throw std::runtime_error(fmt::format("{}: \"keys\" must be an array of keys", source));
        keys = k->get_array();
    } else {
        keys.push_back(doc);
    }
    if (keys.empty()) throw std::runtime_error(fmt::format("{}: holds no key (the first key signs tokens)", source));
    std::vector<SigningKey> out;
    std::set<std::string> kids;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (!keys[i].is_object()) throw std::runtime_error(fmt::format("{}: keys[{}] is not a JSON object", source, i));
        const auto& o = keys[i].get_object();
        std::string kid = member(o, "kid");
        auto where = fmt::format("{}: keys[{}]{}", source, i, kid.empty() ? "" : " (kid \"" + kid + "\")");
        if (kid.empty()) throw std::runtime_error(fmt::format("{} has no \"kid\": every key needs one, tokens name it", where));
        if (!kids.insert(kid).second) throw std::runtime_error(fmt::format("{}: the kid is used by an earlier key too", where));
        if (member(o, "kty") != "OKP" || member(o, "crv") != "Ed25519")
            throw std::runtime_error(fmt::format("{} must be an Ed25519 key (\"kty\": \"OKP\", \"crv\": \"Ed25519\")", where));
        std::string seed;
        if (!crypto::base64url_decode(member(o, "d"), seed) || seed.size() != crypto_sign_SEEDBYTES)
            throw std::runtime_error(fmt::format("{}: \"d\" must be the 32-byte private key, base64url", where));
        auto key = signing_key_from_seed(kid, seed);
        sodium_memzero(seed.data(), seed.size());
        if (auto x = member(o, "x"); !x.empty() && x != crypto::base64url_encode(key.public_key))
            throw std::runtime_error(fmt::format("{}: \"x\" is not the public key of \"d\"", where));
        out.push_back(std::move(key));
    }
    return out;
}

std::string key_set_json(const std::vector<SigningKey>& keys) {
    std::string out = "{\"keys\": [\n";
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const auto& k = keys[i];
        json::object jwk{{"kty", "OKP"},
                         {"crv", "Ed25519"},
                         {"kid", k.kid},
                         {"d", crypto::base64url_encode(std::string_view(k.secret_key).substr(0, crypto_sign_SEEDBYTES))},
                         {"x", crypto::base64url_encode(k.public_key)}};
        out += "  " + json::serialize(jwk) + (i + 1 < keys.size() ? ",\n" : "\n");
    }
    return out + "]}\n";
}

}  // namespace shop::identity::domain
