#include "smtp_sender.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cstring>
#include <ctime>
#include <memory>
#include <mutex>

#include "mail_sender.hpp"
#include "platform/config.hpp"

namespace shop::notification {

void curl_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

namespace {

struct Upload {
    const std::string* text;
    std::size_t done = 0;
};

std::size_t read_upload(char* buf, std::size_t size, std::size_t n, void* user) {
    auto* u = static_cast<Upload*>(user);
    std::size_t take = std::min(size * n, u->text->size() - u->done);
    std::memcpy(buf, u->text->data() + u->done, take);
    u->done += take;
    return take;
}

// Keeps the server's last refusal (a 4xx or 5xx reply line; curl reports only its code), for the
// attempt's error.
int keep_reply(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
    if (type != CURLINFO_HEADER_IN) return 0;
    std::string line(data, size);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (!line.empty() && (line[0] == '4' || line[0] == '5')) *static_cast<std::string*>(user) = line;
    return 0;
}

}  // namespace

SmtpMailSender::SmtpMailSender(SmtpSettings s) : s_(std::move(s)) {
    if (s_.url.rfind("smtp://", 0) != 0 && s_.url.rfind("smtps://", 0) != 0)
        throw std::invalid_argument("mail.smtp.url must be smtp://host:port or smtps://host:port, not '" + s_.url + "'");
    curl_once();
}

std::string SmtpMailSender::send(const Outgoing& out) {
    std::string text = to_rfc5322(mail_of(out, s_.from), rfc5322_date(std::time(nullptr)));
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) throw std::runtime_error("curl_easy_init failed");
    CURL* h = curl.get();
    std::string envelope_from = fmt::format("<{}>", mailbox_of(s_.from));
    curl_slist* rcpt = curl_slist_append(nullptr, fmt::format("<{}>", out.recipient).c_str());
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpt_guard(rcpt, curl_slist_free_all);
    Upload upload{&text};
    char error_buffer[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(h, CURLOPT_URL, s_.url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));  // STARTTLS whenever the server offers it
    if (!s_.username.empty()) {
        curl_easy_setopt(h, CURLOPT_USERNAME, s_.username.c_str());
        curl_easy_setopt(h, CURLOPT_PASSWORD, s_.password.c_str());
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, envelope_from.c_str());
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(h, CURLOPT_READDATA, &upload);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(text.size()));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(s_.timeout.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<std::int64_t>(s_.timeout.count(), 10000)));
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    std::string last_reply;
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, keep_reply);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &last_reply);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);  // feeds keep_reply; nothing is printed
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK) {
        std::string why = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
        // A 5xx reply is the server's final word on this message (unknown mailbox, refused
        // content); anything else (4xx, the network, a timeout) may pass on a later try, and so may
        // refused credentials: that is the shop's configuration, not the message.
        bool permanent = code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED;
        throw DeliveryError(code ? fmt::format("SMTP {} ({})", last_reply.empty() ? std::to_string(code) : last_reply, why) : "SMTP: " + why,
                            permanent);
    }
    return fmt::format("{} ({})", redact_url_password(s_.url), code);
}

}  // namespace shop::notification
