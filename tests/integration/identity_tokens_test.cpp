// Access tokens as resource servers expect them (RFC 9068): verified by the `jose` library against
// the published JWKS, and the server's own checks of typ, iss, aud, nbf and exp.
#include <doctest/doctest.h>

#include <sodium.h>

#include <boost/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "platform/crypto.hpp"
#include "platform/db.hpp"
#include "support/test_shop.hpp"

using namespace shop;
using namespace shop::test;
namespace json = boost::json;

namespace {

struct Run {
    int exit_code = -1;
    std::string out;
};

std::string quoted(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

/// tests/jose/verify_access_token.cjs run by node with jose from tools/ (scripts/setup installs both).
Run verify_with_jose(std::uint16_t port, const std::string& token, const std::string& issuer, const std::string& audience) {
    std::filesystem::path root(SHOP_SOURCE_DIR);
    auto tools = root / "tools";
    REQUIRE_MESSAGE(std::filesystem::exists(tools / "node_modules" / "jose" / "package.json"),
                    "jose is not installed: run scripts/setup (it runs npm ci in tools/)");
    std::string cmd = "node " + quoted((root / "tests" / "jose" / "verify_access_token.cjs").string()) + " " + quoted(tools.string()) +
                      " " + quoted("http://127.0.0.1:" + std::to_string(port) + "/.well-known/jwks.json") + " " + quoted(token) + " " +
                      quoted(issuer) + " " + quoted(audience) + " 2>&1";
    Run run;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::array<char, 4096> buf{};
    while (std::size_t n = fread(buf.data(), 1, buf.size(), p)) run.out.append(buf.data(), n);
    int status = pclose(p);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

/// A token signed with the server's own active key, with any header and claims: only what the
/// server checks beyond the signature can refuse it.
std::string forge(TestShop& shop, json::object header, const json::object& claims) {
    auto [kid, sk] = shop.signing_key();
    header["kid"] = kid;
    std::string input = crypto::base64url_encode(json::serialize(header)) + "." + crypto::base64url_encode(json::serialize(claims));
    unsigned char sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                         reinterpret_cast<const unsigned char*>(sk.data()));
    return input + "." + crypto::base64url_encode(std::string_view(reinterpret_cast<const char*>(sig), sizeof sig));
}

json::object decode_claims(const std::string& token) {
    auto a = token.find('.'), b = token.rfind('.');
    std::string raw;
    REQUIRE(crypto::base64url_decode(token.substr(a + 1, b - a - 1), raw));
    return json::parse(raw).as_object();
}

}  // namespace

TEST_CASE("an access token verifies with jose against the JWKS - the discovery document names issuer and keys") {
    TestShop shop(std::map<std::string, std::string>{{"auth.issuer", "https://shop.example"}, {"auth.audience", "https://api.shop.example"}});
    auto c = shop.client();
    auto reg = c.post("/api/v1/auth/register", json::object{{"email", "ann@example.com"}, {"password", "correct horse 42"}, {"name", "Ann"}});
    REQUIRE(reg.status == 201);
    std::string token = reg.str("access_token");
    std::string user_id(reg.json().at("user").at("id").as_string());

    auto disco = c.get("/.well-known/openid-configuration");
    REQUIRE(disco.status == 200);
    CHECK(disco.str("issuer") == "https://shop.example");
    CHECK(disco.str("jwks_uri") == "http://127.0.0.1:8080/.well-known/jwks.json");  // public_url + the JWKS path

    auto ok = verify_with_jose(shop.port(), token, "https://shop.example", "https://api.shop.example");
    CAPTURE(ok.out);
    REQUIRE(ok.exit_code == 0);
    auto verified = json::parse(ok.out).as_object();
    CHECK(verified.at("header").at("typ") == "at+jwt");
    CHECK(verified.at("header").at("alg") == "EdDSA");
    CHECK(verified.at("claims").at("sub") == json::value(user_id));
    CHECK(verified.at("claims").at("aud") == "https://api.shop.example");

    // The same library refuses it for another audience or issuer: the checks above were real.
    auto other_aud = verify_with_jose(shop.port(), token, "https://shop.example", "https://elsewhere.example");
    CAPTURE(other_aud.out);
    CHECK(other_aud.exit_code == 1);
    CHECK(other_aud.out.find("ERR_JWT_CLAIM_VALIDATION_FAILED") != std::string::npos);
    auto other_iss = verify_with_jose(shop.port(), token, "https://other-issuer.example", "https://api.shop.example");
    CHECK(other_iss.exit_code == 1);
}

TEST_CASE("the server accepts only access tokens of its issuer for its audience, typed at+jwt, inside nbf..exp") {
    TestShop shop;
    auto c = shop.client();
    auto reg = c.post("/api/v1/auth/register", json::object{{"email", "bo@example.com"}, {"password", "correct horse 42"}, {"name", "Bo"}});
    REQUIRE(reg.status == 201);
    json::object claims = decode_claims(reg.str("access_token"));
    CHECK(claims.at("aud") == "shop-api");
    CHECK(claims.at("iss") == "shop");
    CHECK(claims.at("nbf") == claims.at("iat"));
    const json::object at_jwt{{"alg", "EdDSA"}, {"typ", "at+jwt"}};

    auto me = [&](const std::string& token) { return c.get("/api/v1/me", {{"Authorization", "Bearer " + token}}); };
    // The forged control token passes, so each refusal below comes from the one claim changed.
    CHECK(me(forge(shop, at_jwt, claims)).status == 200);

    json::object wrong_aud = claims;
    wrong_aud["aud"] = "another-api";
    CHECK(me(forge(shop, at_jwt, wrong_aud)).status == 401);
    json::object aud_list = claims;
    aud_list["aud"] = json::array{"another-api", "shop-api"};
    CHECK(me(forge(shop, at_jwt, aud_list)).status == 200);
    json::object no_aud = claims;
    no_aud.erase("aud");
    CHECK(me(forge(shop, at_jwt, no_aud)).status == 401);
    json::object wrong_iss = claims;
    wrong_iss["iss"] = "someone-else";
    CHECK(me(forge(shop, at_jwt, wrong_iss)).status == 401);
    json::object later = claims;
    later["nbf"] = claims.at("iat").as_int64() + 3600;
    CHECK(me(forge(shop, at_jwt, later)).status == 401);
    CHECK(me(forge(shop, json::object{{"alg", "EdDSA"}, {"typ", "JWT"}}, claims)).status == 401);
}
