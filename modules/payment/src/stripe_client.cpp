#include "stripe_client.hpp"

#include <curl/curl.h>

#include <boost/json.hpp>
#include <memory>
#include <mutex>

namespace shop::payment {

namespace json = boost::json;

namespace {

std::string url_escape(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::string str_at(const json::object& o, std::string_view key) {
    if (auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->get_string());
    return {};
}

std::int64_t int_at(const json::object& o, std::string_view key) {
    if (auto* v = o.if_contains(key)) {
        if (v->is_int64()) return v->get_int64();
        if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
    }
    return 0;
}

const json::object* obj_at(const json::object& o, std::string_view key) {
    if (auto* v = o.if_contains(key); v && v->is_object()) return &v->get_object();
    return nullptr;
}

std::optional<StripeIntent> intent_from(const json::object& o) {
    if (str_at(o, "object") != "payment_intent" || str_at(o, "id").empty()) return std::nullopt;
    StripeIntent i;
    i.id = str_at(o, "id");
    i.status = str_at(o, "status");
    i.amount = int_at(o, "amount");
    i.amount_received = int_at(o, "amount_received");
    i.amount_capturable = int_at(o, "amount_capturable");
    i.currency = str_at(o, "currency");
    if (auto* na = obj_at(o, "next_action")) {
        if (auto* r = obj_at(*na, "redirect_to_url")) i.next_action_url = str_at(*r, "url");
    }
    if (auto* err = obj_at(o, "last_payment_error")) {
        i.failure_code = str_at(*err, "decline_code");
        if (i.failure_code.empty()) i.failure_code = str_at(*err, "code");
        i.failure_message = str_at(*err, "message");
    }
    if (auto* md = obj_at(o, "metadata"))
        for (auto& [k, v] : *md)
            if (v.is_string()) i.metadata.emplace(std::string(k), std::string(v.get_string()));
    // The card as a receipt shows it: from the expanded payment method, or the latest charge's details.
    auto card_of = [&](const json::object& holder) {
        if (auto* card = obj_at(holder, "card")) {
            i.card_brand = str_at(*card, "brand");
            i.card_last4 = str_at(*card, "last4");
        }
    };
    if (auto* pm = obj_at(o, "payment_method")) card_of(*pm);
    if (i.card_last4.empty())
        if (auto* ch = obj_at(o, "latest_charge"))
            if (auto* d = obj_at(*ch, "payment_method_details")) card_of(*d);
    return i;
}

void curl_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t append_body(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

template <class T>
StripeResult<T> failure(long status, const std::string& body, const std::string& transport_error) {
    StripeResult<T> r;
    if (status == 0) {
        r.error.network = true;
        r.error.message = transport_error;
        return r;
    }
    r.error.http_status = status;
    json::error_code ec;
    auto doc = json::parse(body, ec);
    if (!ec && doc.is_object())
        if (auto* err = obj_at(doc.get_object(), "error")) {
            r.error.type = str_at(*err, "type");
            r.error.code = str_at(*err, "decline_code");
            if (r.error.code.empty()) r.error.code = str_at(*err, "code");
            r.error.message = str_at(*err, "message");
            if (auto* pi = obj_at(*err, "payment_intent")) r.error.intent = intent_from(*pi);
        }
    if (r.error.message.empty()) r.error.message = "Stripe answered HTTP " + std::to_string(status);
    return r;
}

}  // namespace

std::string stripe_form(const std::map<std::string, std::string>& fields) {
    std::string out;
    for (auto& [k, v] : fields) {
        if (!out.empty()) out += '&';
        out += url_escape(k);
        out += '=';
        out += url_escape(v);
    }
    return out;
}

std::optional<StripeIntent> parse_stripe_intent(const json::object& o) { return intent_from(o); }

StripeClient::StripeClient(StripeSettings settings) : settings_(std::move(settings)) {
    while (!settings_.api_base.empty() && settings_.api_base.back() == '/') settings_.api_base.pop_back();
    curl_once();
}

StripeClient::Reply StripeClient::call(const char* method, const std::string& path, const std::string& form,
                                       const std::string& idempotency_key) {
    Reply reply;
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) {
        reply.transport_error = "curl_easy_init failed";
        return reply;
    }
    std::string url = settings_.api_base + path;
    curl_slist* headers = nullptr;
    std::string auth = "Authorization: Bearer " + settings_.secret_key;
    headers = curl_slist_append(headers, auth.c_str());
    headers = curl_slist_append(headers, "Stripe-Version: 2024-06-20");
    std::string idem;
    if (!idempotency_key.empty()) {
        idem = "Idempotency-Key: " + idempotency_key;
        headers = curl_slist_append(headers, idem.c_str());
    }
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers, curl_slist_free_all);
    char error_buffer[CURL_ERROR_SIZE] = {0};
    CURL* h = curl.get();
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply.body);
    if (std::string_view(method) == "POST") {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, form.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(form.size()));
    }
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        reply.transport_error = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
        return reply;
    }
    reply.sent = true;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply.status);
    return reply;
}

namespace {

StripeResult<StripeIntent> intent_reply(long status, const std::string& body, const std::string& transport_error) {
    if (status >= 200 && status < 300) {
        json::error_code ec;
        auto doc = json::parse(body, ec);
        if (!ec && doc.is_object())
            if (auto i = intent_from(doc.get_object())) return {std::move(i), {}};
        return failure<StripeIntent>(502, body, "Stripe answered with something that is not a PaymentIntent");
    }
    return failure<StripeIntent>(status, body, transport_error);
}

}  // namespace

StripeResult<StripeIntent> StripeClient::create_intent(const CreateIntent& in) {
    std::map<std::string, std::string> f{{"amount", std::to_string(in.amount)},
                                         {"currency", lower(in.currency)},
                                         {"payment_method", in.payment_method},
                                         {"confirm", "true"},
                                         {"capture_method", in.manual_capture ? "manual" : "automatic"},
                                         {"payment_method_types[]", "card"},
                                         {"expand[]", "payment_method"}};
    if (!in.return_url.empty()) f["return_url"] = in.return_url;
    for (auto& [k, v] : in.metadata) f["metadata[" + k + "]"] = v;
    auto r = call("POST", "/v1/payment_intents", stripe_form(f), in.idempotency_key);
    return intent_reply(r.status, r.body, r.transport_error);
}

StripeResult<StripeIntent> StripeClient::retrieve_intent(const std::string& id) {
    auto r = call("GET", "/v1/payment_intents/" + url_escape(id) + "?expand[]=payment_method", {}, {});
    return intent_reply(r.status, r.body, r.transport_error);
}

StripeResult<StripeIntent> StripeClient::capture_intent(const std::string& id, std::optional<std::int64_t> amount,
                                                        const std::string& idempotency_key) {
    std::map<std::string, std::string> f;
    if (amount) f["amount_to_capture"] = std::to_string(*amount);
    auto r = call("POST", "/v1/payment_intents/" + url_escape(id) + "/capture", stripe_form(f), idempotency_key);
    return intent_reply(r.status, r.body, r.transport_error);
}

StripeResult<StripeIntent> StripeClient::cancel_intent(const std::string& id, const std::string& idempotency_key) {
    auto r = call("POST", "/v1/payment_intents/" + url_escape(id) + "/cancel", {}, idempotency_key);
    return intent_reply(r.status, r.body, r.transport_error);
}

StripeResult<StripeRefund> StripeClient::create_refund(const std::string& intent_id, std::int64_t amount, const std::string& idempotency_key) {
    auto r = call("POST", "/v1/refunds", stripe_form({{"payment_intent", intent_id}, {"amount", std::to_string(amount)}}), idempotency_key);
    if (r.status >= 200 && r.status < 300) {
        json::error_code ec;
        auto doc = json::parse(r.body, ec);
        if (!ec && doc.is_object() && str_at(doc.get_object(), "object") == "refund") {
            auto& o = doc.get_object();
            return {StripeRefund{str_at(o, "id"), str_at(o, "status"), int_at(o, "amount")}, {}};
        }
        return failure<StripeRefund>(502, r.body, {});
    }
    return failure<StripeRefund>(r.status, r.body, r.transport_error);
}

}  // namespace shop::payment
