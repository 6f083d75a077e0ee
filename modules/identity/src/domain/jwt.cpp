#include "domain/jwt.hpp"

#include <sodium.h>

#include <boost/json.hpp>

#include "platform/crypto.hpp"

namespace shop::identity::domain {
namespace json = boost::json;

SigningKey generate_signing_key() {
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    SigningKey k;
    k.kid = crypto::random_token(12);
    k.public_key.assign(reinterpret_cast<char*>(pk), sizeof pk);
    k.secret_key.assign(reinterpret_cast<char*>(sk), sizeof sk);
    sodium_memzero(sk, sizeof sk);
    return k;
}

std::string sign_jwt(const SigningKey& key, const json::object& claims) {
    json::object header{{"alg", "EdDSA"}, {"typ", "at+jwt"}, {"kid", key.kid}};
    std::string input = crypto::base64url_encode(json::serialize(header)) + "." + crypto::base64url_encode(json::serialize(claims));
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                         reinterpret_cast<const unsigned char*>(key.secret_key.data()));
    return input + "." + crypto::base64url_encode(std::string_view(reinterpret_cast<char*>(sig), sizeof sig));
}

namespace {
struct Parts {
    std::string_view header, payload, signature;
};
std::optional<Parts> split(std::string_view token) {
    auto a = token.find('.');
    if (a == std::string_view::npos) return std::nullopt;
    auto b = token.find('.', a + 1);
    if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos) return std::nullopt;
    return Parts{token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}
std::optional<json::object> decode_object(std::string_view part) {
    std::string raw;
    if (!crypto::base64url_decode(part, raw)) return std::nullopt;
    boost::system::error_code ec;
    auto v = json::parse(raw, ec);
    if (ec || !v.is_object()) return std::nullopt;
    return std::move(v.as_object());
}
}  // namespace

std::optional<std::string> jwt_kid(std::string_view token) {
    auto p = split(token);
    if (!p) return std::nullopt;
    auto h = decode_object(p->header);
    if (!h) return std::nullopt;
    auto* kid = h->if_contains("kid");
    if (!kid || !kid->is_string()) return std::nullopt;
    return std::string(kid->as_string());
}

std::optional<json::object> verify_jwt(std::string_view token, std::string_view public_key, std::int64_t now_s) {
    auto p = split(token);
    if (!p || public_key.size() != crypto_sign_PUBLICKEYBYTES) return std::nullopt;
    auto h = decode_object(p->header);
    if (!h) return std::nullopt;
    auto* alg = h->if_contains("alg");
    if (!alg || !alg->is_string() || alg->as_string() != "EdDSA") return std::nullopt;  // no alg confusion
    // RFC 9068 §4: only an access token is accepted where an access token is expected (not an ID
    // token or another JWT signed by the same key).
    auto* typ = h->if_contains("typ");
    if (!typ || !typ->is_string() || (typ->as_string() != "at+jwt" && typ->as_string() != "application/at+jwt")) return std::nullopt;
    std::string sig;
    if (!crypto::base64url_decode(p->signature, sig) || sig.size() != crypto_sign_BYTES) return std::nullopt;
    std::string_view input = token.substr(0, p->header.size() + 1 + p->payload.size());
    if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig.data()),
                                    reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                                    reinterpret_cast<const unsigned char*>(public_key.data())) != 0)
        return std::nullopt;
    auto claims = decode_object(p->payload);
    if (!claims) return std::nullopt;
    auto* exp = claims->if_contains("exp");
    if (!exp || !exp->is_int64() || exp->as_int64() <= now_s) return std::nullopt;
    if (auto* nbf = claims->if_contains("nbf"); nbf && (!nbf->is_int64() || nbf->as_int64() > now_s)) return std::nullopt;
    return claims;
}

}  // namespace shop::identity::domain
