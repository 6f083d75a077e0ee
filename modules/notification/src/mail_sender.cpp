#include "mail_sender.hpp"

#include <fmt/format.h>

#include <ctime>
#include <fcntl.h>
#include <unistd.h>

#include "platform/crypto.hpp"

namespace shop::notification {

namespace {
bool is_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80 || c == '\r' || c == '\n') return false;
    return true;
}
std::string base64(std::string_view raw) {
    std::string b64 = crypto::base64url_encode(raw);
    for (auto& c : b64) c = c == '-' ? '+' : c == '_' ? '/' : c;
    while (b64.size() % 4) b64.push_back('=');
    return b64;
}
std::string header_text(std::string_view s) {
    if (is_ascii(s)) return std::string(s);
    // RFC 2047 encoded-words of at most 75 characters: 45 bytes of UTF-8 each (60 base64
    // characters plus 12 of framing), never splitting a character, folded with CRLF SP.
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t end = std::min(s.size(), i + 45);
        while (end < s.size() && end > i && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + base64(s.substr(i, end - i)) + "?=";
        i = end;
    }
    return out;
}
// "Name <addr>": the display name encoded when it is not ASCII; the address is ASCII already.
std::string address_header(const std::string& a) {
    auto lt = a.rfind('<');
    if (lt == std::string::npos || lt == 0) return a;
    std::string_view name(a.data(), lt);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
    if (is_ascii(name)) return a;
    return header_text(name) + " " + a.substr(lt);
}
std::string crlf(const std::string& body) {
    std::string out;
    for (char c : body) {
        if (c == '\n') out += "\r\n";
        else if (c != '\r') out.push_back(c);
    }
    return out;
}
// Base64 in lines of 76 characters (RFC 2045).
std::string base64_lines(std::string_view raw) {
    std::string b64 = base64(raw), out;
    for (std::size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
    return out;
}
}  // namespace

std::string mailbox_of(const std::string& address) {
    auto lt = address.rfind('<');
    auto gt = address.rfind('>');
    if (lt != std::string::npos && gt != std::string::npos && gt > lt) return address.substr(lt + 1, gt - lt - 1);
    return address;
}

std::string rfc5322_date(std::int64_t t) {
    char date[64];
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return date;
}

MailMessage mail_of(const Outgoing& m, const std::string& from) {
    return MailMessage{m.id, from, m.recipient, m.subject, m.text, m.html, m.unsubscribe_url};
}

std::string to_rfc5322(const MailMessage& m, const std::string& date) {
    for (const std::string* h : {&m.from, &m.to, &m.id, &m.list_unsubscribe})
        if (h->find_first_of("\r\n") != std::string::npos) throw std::invalid_argument("a mail header holds a line break");
    std::string from_box = mailbox_of(m.from);
    auto at = from_box.rfind('@');
    std::string domain = at == std::string::npos ? "localhost" : from_box.substr(at + 1);
    std::string head = fmt::format("From: {}\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\nMessage-ID: <{}@{}>\r\nMIME-Version: 1.0\r\n",
                                   address_header(m.from), m.to, header_text(m.subject), date, m.id, domain);
    if (!m.list_unsubscribe.empty())
        head += fmt::format("List-Unsubscribe: <{}>\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", m.list_unsubscribe);
    std::string text = crlf(m.body);
    if (m.html.empty()) return head + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + text;
    // The HTML part is base64 (its lines may be long); the boundary cannot occur in it, and is
    // lengthened in the unlikely case that the text holds it.
    std::string boundary = "=_shop_" + m.id;
    while (text.find(boundary) != std::string::npos) boundary += "_";
    return head + fmt::format(
                      "Content-Type: multipart/alternative; boundary=\"{0}\"\r\n\r\nThis is a MIME message.\r\n"
                      "--{0}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{1}\r\n"
                      "--{0}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{2}"
                      "--{0}--\r\n",
                      boundary, text, base64_lines(m.html));
}

std::string FileMailSender::send(const Outgoing& out) {
    if (!dir_ready_) {
        std::filesystem::create_directories(dir_);
        dir_ready_ = true;
    }
    auto final_path = dir_ / (out.id + ".eml");
    auto tmp = dir_ / (out.id + ".eml.tmp");
    std::string text = to_rfc5322(mail_of(out, from_), rfc5322_date(std::time(nullptr)));
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
