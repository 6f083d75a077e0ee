#include "http_provider_sender.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>
#include <mutex>

#include "domain/templates.hpp"

namespace shop::notification {

namespace {

std::size_t keep_reply(char* data, std::size_t size, std::size_t n, void* user) {
    auto* out = static_cast<std::string*>(user);
    std::size_t take = std::min(size * n, out->size() < 2048 ? 2048 - out->size() : 0);
    out->append(data, take);
    return size * n;  // the rest is read and dropped
}

const domain::Schema kProviderSchema{{"to", "subject", "text"}, {}};

std::string shortened(std::string s) {
    for (auto& c : s)
        if (c == '\r' || c == '\n') c = ' ';
    if (s.size() > 300) s = s.substr(0, 300) + "…";
    return s;
}

}  // namespace

HttpProviderSender::HttpProviderSender(HttpProviderSettings s) : s_(std::move(s)) {
    auto key = "notification." + s_.channel;
    if (s_.url.rfind("http://", 0) != 0 && s_.url.rfind("https://", 0) != 0)
        throw std::invalid_argument(key + ".url must be an http(s) URL, not '" + s_.url + "'");
    if (s_.content_type != "application/json" && s_.content_type != "application/x-www-form-urlencoded")
        throw std::invalid_argument(key + ".content_type must be application/json or application/x-www-form-urlencoded");
    if (auto why = domain::template_problem(s_.body, kProviderSchema))
        throw std::invalid_argument(key + ".body is not a usable template ({{to}}, {{subject}}, {{text}}): " + *why);
    curl_once();
}

std::string HttpProviderSender::send(const Outgoing& m) {
    domain::Values v{{{"to", m.recipient}, {"subject", m.subject}, {"text", m.text}}, {}};
    std::string body = domain::render(s_.body, v, s_.content_type == "application/json" ? domain::Escape::json : domain::Escape::form);
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) throw std::runtime_error("curl_easy_init failed");
    CURL* h = curl.get();
    curl_slist* headers = curl_slist_append(nullptr, ("Content-Type: " + s_.content_type).c_str());
    if (!s_.authorization.empty()) headers = curl_slist_append(headers, ("Authorization: " + s_.authorization).c_str());
    // A stable key per message: a provider that honours it drops a resend after a crash.
    headers = curl_slist_append(headers, ("Idempotency-Key: " + m.id).c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, curl_slist_free_all);
    std::string reply;
    curl_easy_setopt(h, CURLOPT_URL, s_.url.c_str());
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(s_.timeout.count()));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_reply);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply);
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) throw std::runtime_error(fmt::format("{} provider: {}", s_.channel, curl_easy_strerror(rc)));
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    std::string said = fmt::format("HTTP {} {}", status, shortened(reply));
    if (status >= 200 && status < 300) return said;
    if (status >= 400 && status < 500 && status != 408 && status != 429)
        throw DeliveryError(fmt::format("{} provider refused the message: {}", s_.channel, said), true);
    throw std::runtime_error(fmt::format("{} provider: {}", s_.channel, said));
}

}  // namespace shop::notification
