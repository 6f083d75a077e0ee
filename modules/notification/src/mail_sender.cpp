#include "mail_sender.hpp"

#include <fmt/format.h>

#include <ctime>
#include <fcntl.h>
#include <unistd.h>

#include "platform/crypto.hpp"

namespace shop::notification {

namespace {
bool is_ascii(const std::string& s) {
    for (unsigned char c : s)
        if (c >= 0x80 || c == '\r' || c == '\n') return false;
    return true;
}
std::string header_text(const std::string& s) {
    if (is_ascii(s)) return s;
    // RFC 2047 encoded-words of at most 75 characters: 45 bytes of UTF-8 each (60 base64
    // characters plus 12 of framing), never splitting a character, folded with CRLF SP.
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t end = std::min(s.size(), i + 45);
        while (end < s.size() && end > i && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
        std::string b64 = crypto::base64url_encode(std::string_view(s).substr(i, end - i));
        for (auto& c : b64) c = c == '-' ? '+' : c == '_' ? '/' : c;
        while (b64.size() % 4) b64.push_back('=');
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + b64 + "?=";
        i = end;
    }
    return out;
}
std::string crlf(const std::string& body) {
    std::string out;
    for (char c : body) {
        if (c == '\n') out += "\r\n";
        else if (c != '\r') out.push_back(c);
    }
    return out;
}
}  // namespace

std::string to_rfc5322(const MailMessage& m, const std::string& date) {
    for (const std::string* h : {&m.from, &m.to, &m.id})
        if (h->find_first_of("\r\n") != std::string::npos) throw std::invalid_argument("a mail header holds a line break");
    return fmt::format(
        "From: {}\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\nMessage-ID: <{}@shop.local>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}",
        m.from, m.to, header_text(m.subject), date, m.id, crlf(m.body));
}

std::string FileMailSender::send(const MailMessage& m) {
    if (!dir_ready_) {
        std::filesystem::create_directories(dir_);
        dir_ready_ = true;
    }
    char date[64];
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    auto final_path = dir_ / (m.id + ".eml");
    auto tmp = dir_ / (m.id + ".eml.tmp");
    std::string text = to_rfc5322(m, date);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) throw std::runtime_error("cannot create mail file " + tmp.string());
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0) {
            ::close(fd);
            throw std::runtime_error("cannot write mail file " + tmp.string());
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    std::filesystem::rename(tmp, final_path);  // atomic: a reader never sees half a message
    return final_path.string();
}

void FileMailSender::sync() {
    // With db.synchronous=full a power loss must not lose a message recorded as sent: one syncfs
    // makes every file of the pass durable (names included) before the pass is recorded. With
    // normal the database itself promises survival of a process crash only, which the page cache
    // gives.
    if (!sync_ || !dir_ready_) return;
    int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open mail folder " + dir_.string());
    bool synced = ::syncfs(fd) == 0;
    ::close(fd);
    if (!synced) throw std::runtime_error("cannot sync mail folder " + dir_.string());
}

}  // namespace shop::notification
