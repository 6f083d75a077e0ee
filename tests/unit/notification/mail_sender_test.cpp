#include <doctest/doctest.h>

#include "notification/src/mail_sender.hpp"

#include <sodium.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace fs = std::filesystem;
using shop::notification::FileMailSender;
using shop::notification::MailMessage;
using shop::notification::Outgoing;
using shop::notification::to_rfc5322;

namespace {

const std::string kDate = "Tue, 05 Mar 2024 14:07:09 +0000";

MailMessage message(std::string subject = "Your order SO-1042 is confirmed",
                    std::string body = "Hello Ada,\nthank you for your order.\n") {
    return MailMessage{"ntf_01HQ7Z", "shop@shop.example", "ada@example.com", std::move(subject), std::move(body)};
}

// The message as the email channel's sender receives it (its From is the sender's).
Outgoing outgoing(const MailMessage& m) { return Outgoing{m.id, m.to, m.subject, m.body, m.html, m.list_unsubscribe}; }

// The header block (without the blank line) and the body of an RFC 5322 message.
std::pair<std::string, std::string> split_message(const std::string& text) {
    auto blank = text.find("\r\n\r\n");
    REQUIRE(blank != std::string::npos);
    return {text.substr(0, blank + 2), text.substr(blank + 4)};
}

// Header lines as written, continuation lines joined to the header they continue.
std::vector<std::string> header_lines(const std::string& headers) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < headers.size()) {
        auto end = headers.find("\r\n", start);
        REQUIRE(end != std::string::npos);
        std::string line = headers.substr(start, end - start);
        if (!lines.empty() && !line.empty() && (line[0] == ' ' || line[0] == '\t'))
            lines.back() += line;
        else
            lines.push_back(line);
        start = end + 2;
    }
    return lines;
}

std::string header_value(const std::string& text, const std::string& name) {
    for (auto& line : header_lines(split_message(text).first))
        if (line.rfind(name + ": ", 0) == 0) return line.substr(name.size() + 2);
    return "(no " + name + " header)";
}

// Every CR is followed by LF and every LF preceded by CR.
bool only_crlf_line_ends(const std::string& text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) return false;
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) return false;
    }
    return true;
}

// Decodes a subject made of RFC 2047 B-encoded UTF-8 words separated by folding white space; "" if any part is not
// such a word. Each word's length is checked against RFC 2047's limit of 75 characters when `max_word` is set.
std::string decode_encoded_words(const std::string& value, std::size_t max_word = std::string::npos) {
    static const std::regex kWord(R"(=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=)", std::regex::icase);
    std::istringstream words(value);
    std::string word, decoded;
    while (words >> word) {
        std::smatch m;
        if (!std::regex_match(word, m, kWord) || word.size() > max_word) return "";
        std::string b64 = m[1];
        std::string raw(b64.size(), '\0');
        std::size_t len = 0;
        if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), b64.data(), b64.size(), nullptr,
                              &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
            return "";
        raw.resize(len);
        decoded += raw;
    }
    return decoded;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// A fresh directory under the system temp dir, removed with everything in it at the end of the test.
struct TempDir {
    fs::path path;
    TempDir() {
        REQUIRE(sodium_init() >= 0);
        path = fs::temp_directory_path() / ("shop-mail-test-" + std::to_string(randombytes_random()));
        fs::remove_all(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

TEST_CASE("a message has its envelope and MIME headers") {
    std::string text = to_rfc5322(message(), kDate);
    CHECK(header_value(text, "From") == "shop@shop.example");
    CHECK(header_value(text, "To") == "ada@example.com");
    CHECK(header_value(text, "Subject") == "Your order SO-1042 is confirmed");
    CHECK(header_value(text, "Date") == kDate);
    CHECK(header_value(text, "Message-ID") == "<ntf_01HQ7Z@shop.example>");
    CHECK(header_value(text, "MIME-Version") == "1.0");
    CHECK(header_value(text, "Content-Type") == "text/plain; charset=utf-8");
    CHECK(header_value(text, "Content-Transfer-Encoding") == "8bit");
}

TEST_CASE("the body follows a blank line with CRLF line endings") {
    std::string text = to_rfc5322(message("Hi", "line one\nline two\r\nline three\n\nbye"), kDate);
    CHECK(split_message(text).second == "line one\r\nline two\r\nline three\r\n\r\nbye");
    CHECK(only_crlf_line_ends(text));
}

TEST_CASE("a UTF-8 body is written as is") {
    std::string body = "Grüße, Ада!\r\n";
    std::string text = to_rfc5322(message("Hi", body), kDate);
    CHECK(split_message(text).second == body);
}

TEST_CASE("a non-ASCII subject is RFC 2047 encoded") {
    const std::string subject = "Ihre Bestellung — Grüße";
    std::string text = to_rfc5322(message(subject), kDate);
    std::string value = header_value(text, "Subject");
    CHECK(value.rfind("=?UTF-8?B?", 0) == 0);
    CHECK(decode_encoded_words(value) == subject);
    std::string headers = split_message(text).first;
    CHECK(std::all_of(headers.begin(), headers.end(), [](unsigned char c) { return c < 0x80; }));
}

TEST_CASE("a subject with a line break cannot add a header") {
    const std::string subject = "Hello\r\nBcc: everyone@example.com";
    std::string text = to_rfc5322(message(subject), kDate);
    for (auto& line : header_lines(split_message(text).first)) CHECK(line.rfind("Bcc:", 0) != 0);
    CHECK(decode_encoded_words(header_value(text, "Subject")) == subject);
}

TEST_CASE("a long non-ASCII subject is split into encoded words of at most 75 characters") {
    // RFC 2047 section 2: an encoded-word may not be more than 75 characters long; longer text takes several.
    std::string subject = "Ваш заказ SO-1042 ";
    while (subject.size() < 150) subject += "подтверждён ";
    std::string text = to_rfc5322(message(subject), kDate);
    CHECK(decode_encoded_words(header_value(text, "Subject"), 75) == subject);
}

TEST_CASE("sending writes the message to <dir>/<id>.eml") {
    TempDir tmp;
    fs::path dir = tmp.path / "outbox";  // created on first use
    FileMailSender sender(dir, true, "shop@shop.example");
    MailMessage m = message();

    std::string where = sender.send(outgoing(m));

    CHECK(fs::path(where) == dir / "ntf_01HQ7Z.eml");
    REQUIRE(fs::is_regular_file(dir / "ntf_01HQ7Z.eml"));
    CHECK(names_in(dir) == std::vector<std::string>{"ntf_01HQ7Z.eml"});
    std::string text = read_file(dir / "ntf_01HQ7Z.eml");
    CHECK(header_value(text, "To") == "ada@example.com");
    CHECK(header_value(text, "Subject") == m.subject);
    const std::regex rfc5322_date(
        R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) )"
        R"(\d{4} \d\d:\d\d:\d\d \+0000)");
    CHECK(std::regex_match(header_value(text, "Date"), rfc5322_date));
    CHECK(split_message(text).second == "Hello Ada,\r\nthank you for your order.\r\n");
}

TEST_CASE("sending the same message id twice leaves one file with the newest content") {
    TempDir tmp;
    FileMailSender sender(tmp.path, true, "shop@shop.example");
    sender.send(outgoing(message("First", "first body\n")));
    sender.send(outgoing(message("Second", "second body\n")));

    CHECK(names_in(tmp.path) == std::vector<std::string>{"ntf_01HQ7Z.eml"});
    std::string text = read_file(tmp.path / "ntf_01HQ7Z.eml");
    CHECK(header_value(text, "Subject") == "Second");
    CHECK(split_message(text).second == "second body\r\n");
    CHECK(text.find("first") == std::string::npos);
    CHECK(text.find("First") == std::string::npos);
}

TEST_CASE("a half-written file left by an earlier crash does not leak into the next delivery") {
    TempDir tmp;
    fs::create_directories(tmp.path);
    std::ofstream(tmp.path / "ntf_01HQ7Z.eml.tmp", std::ios::binary) << "From: half-written\r\nSubj";
    FileMailSender sender(tmp.path, true, "shop@shop.example");
    sender.send(outgoing(message()));

    CHECK(names_in(tmp.path) == std::vector<std::string>{"ntf_01HQ7Z.eml"});
    std::string text = read_file(tmp.path / "ntf_01HQ7Z.eml");
    CHECK(text.rfind("From: shop@shop.example\r\n", 0) == 0);
    CHECK(text.find("half-written") == std::string::npos);
}

TEST_CASE("messages with different ids go to different files") {
    TempDir tmp;
    FileMailSender sender(tmp.path, true, "shop@shop.example");
    MailMessage a = message("A", "a\n"), b = message("B", "b\n");
    b.id = "ntf_01HQ80";
    sender.send(outgoing(a));
    sender.send(outgoing(b));
    CHECK(names_in(tmp.path) == std::vector<std::string>{"ntf_01HQ7Z.eml", "ntf_01HQ80.eml"});
    CHECK(header_value(read_file(tmp.path / "ntf_01HQ80.eml"), "Subject") == "B");
}

TEST_CASE("sending into a path that cannot be a directory throws") {
    TempDir tmp;
    fs::create_directories(tmp.path);
    std::ofstream(tmp.path / "not-a-dir") << "x";
    FileMailSender sender(tmp.path / "not-a-dir", true, "shop@shop.example");
    CHECK_THROWS(sender.send(outgoing(message())));
}

TEST_CASE("a From with a non-ASCII display name is RFC 2047 encoded, its address kept as is") {
    MailMessage m = message();
    m.from = "Böttcher & Söhne Shop <shop@shop.example>";
    std::string text = to_rfc5322(m, kDate);
    std::string from = header_value(text, "From");
    auto lt = from.rfind(" <");
    REQUIRE(lt != std::string::npos);
    CHECK(from.substr(lt) == " <shop@shop.example>");
    CHECK(decode_encoded_words(from.substr(0, lt), 75) == "Böttcher & Söhne Shop");
    std::string headers = split_message(text).first;
    CHECK(std::all_of(headers.begin(), headers.end(), [](unsigned char c) { return c < 0x80; }));
}

TEST_CASE("an ASCII From is written as given") {
    MailMessage m = message();
    m.from = "Shop <shop@shop.example>";
    CHECK(header_value(to_rfc5322(m, kDate), "From") == "Shop <shop@shop.example>");
    CHECK(header_value(to_rfc5322(m, kDate), "Message-ID") == "<ntf_01HQ7Z@shop.example>");
}

TEST_CASE("a message with HTML is multipart/alternative: the text first, then the HTML in base64") {
    MailMessage m = message("Hi", "plain words\n");
    m.html = "<p>Gr\xc3\xbc\xc3\x9f" "e &amp; <b>bold</b></p>";
    std::string text = to_rfc5322(m, kDate);
    std::string type = header_value(text, "Content-Type");
    REQUIRE(type.rfind("multipart/alternative; boundary=\"", 0) == 0);
    std::string boundary = type.substr(type.find('"') + 1);
    boundary.pop_back();
    std::string body = split_message(text).second;
    auto first = body.find("--" + boundary + "\r\n");
    auto second = body.find("--" + boundary + "\r\n", first + 1);
    auto last = body.find("--" + boundary + "--\r\n");
    REQUIRE(first != std::string::npos);
    REQUIRE(second != std::string::npos);
    REQUIRE(last != std::string::npos);
    std::string plain = body.substr(first, second - first);
    CHECK(plain.find("Content-Type: text/plain; charset=utf-8\r\n") != std::string::npos);
    CHECK(plain.find("\r\n\r\nplain words\r\n") != std::string::npos);
    std::string html = body.substr(second, last - second);
    CHECK(html.find("Content-Type: text/html; charset=utf-8\r\n") != std::string::npos);
    CHECK(html.find("Content-Transfer-Encoding: base64\r\n") != std::string::npos);
    std::string b64 = html.substr(html.find("\r\n\r\n") + 4);
    b64.erase(std::remove(b64.begin(), b64.end(), '\r'), b64.end());
    b64.erase(std::remove(b64.begin(), b64.end(), '\n'), b64.end());
    std::string raw(b64.size(), '\0');
    std::size_t len = 0;
    REQUIRE(sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), b64.data(), b64.size(), nullptr, &len, nullptr,
                              sodium_base64_VARIANT_ORIGINAL) == 0);
    raw.resize(len);
    CHECK(raw == m.html);
    CHECK(only_crlf_line_ends(text));
}

TEST_CASE("a marketing message carries a one-click List-Unsubscribe") {
    MailMessage m = message();
    m.list_unsubscribe = "https://shop.example/api/v1/unsubscribe?token=abc";
    std::string text = to_rfc5322(m, kDate);
    CHECK(header_value(text, "List-Unsubscribe") == "<https://shop.example/api/v1/unsubscribe?token=abc>");
    CHECK(header_value(text, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click");
    CHECK(header_value(to_rfc5322(message(), kDate), "List-Unsubscribe") == "(no List-Unsubscribe header)");
}
