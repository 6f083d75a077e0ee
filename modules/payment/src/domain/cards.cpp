#include "domain/cards.hpp"

#include <cctype>
#include <vector>

#include "platform/crypto.hpp"

namespace shop::payment::domain {

std::optional<std::string> card_digits(std::string_view number) {
    std::string d;
    for (char c : number) {
        if (c == ' ' || c == '-') continue;
        if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
        d.push_back(c);
    }
    if (d.size() < 12 || d.size() > 19) return std::nullopt;
    return d;
}

bool luhn_valid(std::string_view digits) noexcept {
    int sum = 0;
    bool dbl = false;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        int v = *it - '0';
        if (dbl) {
            v *= 2;
            if (v > 9) v -= 9;
        }
        sum += v;
        dbl = !dbl;
    }
    return !digits.empty() && sum % 10 == 0;
}

std::string card_brand(std::string_view d) {
    auto prefix = [&](std::string_view p) { return d.substr(0, p.size()) == p; };
    if (prefix("4")) return "visa";
    if (prefix("34") || prefix("37")) return "amex";
    if (prefix("6011") || prefix("65")) return "discover";
    if (d.size() >= 2) {
        int two = (d[0] - '0') * 10 + (d[1] - '0');
        if (two >= 51 && two <= 55) return "mastercard";
        if (d.size() >= 4) {
            int four = std::stoi(std::string(d.substr(0, 4)));
            if (four >= 2221 && four <= 2720) return "mastercard";
        }
    }
    return "unknown";
}

std::string sandbox_outcome_key(std::string_view d) {
    if (d == "4000000000000002") return "card_declined";
    if (d == "4000000000009995") return "insufficient_funds";
    if (d == "4000000000003220") return "requires_action";
    return "succeeded";
}

SandboxOutcome sandbox_outcome(std::string_view key) {
    if (key == "card_declined") return {"failed", "card_declined", "Your card was declined."};
    if (key == "insufficient_funds") return {"failed", "insufficient_funds", "Your card has insufficient funds."};
    if (key == "requires_action") return {"requires_action", "", "The card requires authentication (3-D Secure)."};
    return {"succeeded", "", ""};
}

namespace {
constexpr std::string_view kTokenPrefix = "tok_";
}

std::string seal_sandbox_token(const SandboxCard& card, std::string_view key, std::string_view nonce) {
    std::string payload = "v1|" + card.brand + "|" + card.last4 + "|" + std::to_string(card.exp_month) + "|" +
                          std::to_string(card.exp_year) + "|" + card.outcome + "|" + std::string(nonce);
    std::string body = crypto::base64url_encode(payload);
    return std::string(kTokenPrefix) + body + "." + crypto::hmac_sha256_hex(key, body);
}

std::optional<SandboxCard> open_sandbox_token(std::string_view token, std::string_view key) {
    if (token.substr(0, kTokenPrefix.size()) != kTokenPrefix) return std::nullopt;
    token.remove_prefix(kTokenPrefix.size());
    auto dot = token.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    auto body = token.substr(0, dot), mac = token.substr(dot + 1);
    if (!crypto::equal_constant_time(mac, crypto::hmac_sha256_hex(key, body))) return std::nullopt;
    std::string payload;
    if (!crypto::base64url_decode(body, payload)) return std::nullopt;
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= payload.size(); ++i)
        if (i == payload.size() || payload[i] == '|') {
            parts.push_back(payload.substr(start, i - start));
            start = i + 1;
        }
    if (parts.size() != 7 || parts[0] != "v1") return std::nullopt;
    SandboxCard card;
    card.brand = parts[1];
    card.last4 = parts[2];
    try {
        card.exp_month = std::stoll(parts[3]);
        card.exp_year = std::stoll(parts[4]);
    } catch (...) {
        return std::nullopt;
    }
    card.outcome = parts[5];
    return card;
}

}  // namespace shop::payment::domain
