#include "webhook_sender.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>

#include "sender.hpp"

namespace shop::notification {

namespace {

constexpr std::size_t kKeptReply = 200;  // bytes of a refusing receiver's reply kept in the attempt's error

std::size_t keep_start(char* data, std::size_t size, std::size_t n, void* user) {
    auto* kept = static_cast<std::string*>(user);
    std::size_t len = size * n;
    if (kept->size() < kKeptReply) kept->append(data, std::min(len, kKeptReply - kept->size()));
    return len;  // the rest is read and dropped
}

// The start of a reply as one printable line for the attempt log.
std::string printable(const std::string& s) {
    std::string out;
    for (unsigned char c : s) out += (c >= 0x20 && c != 0x7f) || c >= 0x80 ? static_cast<char>(c) : ' ';
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

}  // namespace

WebhookOutcome post_webhook(const WebhookPost& p) {
    curl_once();
    WebhookOutcome out;
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) {
        out.error = "curl_easy_init failed";
        return out;
    }
    CURL* h = curl.get();
    curl_slist* headers = nullptr;
    for (auto& [name, value] : p.headers) headers = curl_slist_append(headers, fmt::format("{}: {}", name, value).c_str());
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers_guard(headers, curl_slist_free_all);
    std::string reply;
    char error_buffer[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(h, CURLOPT_URL, p.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is an answer that is not 2xx
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, p.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(p.body.size()));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "shop-webhooks/1");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(p.timeout.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<std::int64_t>(p.timeout.count(), 10000)));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_start);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    auto started = std::chrono::steady_clock::now();
    CURLcode rc = curl_easy_perform(h);
    out.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.http_status);
    if (rc != CURLE_OK) {
        out.error = rc == CURLE_OPERATION_TIMEDOUT ? fmt::format("no answer within {} ms", p.timeout.count())
                                                   : (error_buffer[0] ? std::string(error_buffer) : std::string(curl_easy_strerror(rc)));
        if (rc == CURLE_OPERATION_TIMEDOUT) out.http_status = 0;
        return out;
    }
    if (out.http_status < 200 || out.http_status > 299) {
        std::string start = printable(reply);
        out.error = start.empty() ? fmt::format("HTTP {}", out.http_status) : fmt::format("HTTP {}: {}", out.http_status, start);
    }
    return out;
}

}  // namespace shop::notification
