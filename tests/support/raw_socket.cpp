#include "support/raw_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <stdexcept>

namespace shop::test {

RawSocket::RawSocket(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket: " + std::to_string(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        int e = errno;
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("connect: errno " + std::to_string(e));
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

RawSocket::~RawSocket() {
    if (fd_ >= 0) ::close(fd_);
}

bool RawSocket::send(std::string_view bytes) {
    while (!bytes.empty()) {
        auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

namespace {
// Reads what is available within the time left; false on close, reset or timeout.
bool read_more(int fd, std::string& into, std::chrono::steady_clock::time_point until) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char buf[16384];
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    into.append(buf, static_cast<std::size_t>(n));
    return true;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}
}  // namespace

std::string RawSocket::read_response(std::chrono::milliseconds within) {
    auto until = std::chrono::steady_clock::now() + within;
    for (;;) {
        auto end = pending_.find("\r\n\r\n");
        if (end != std::string::npos) {
            auto head = std::string_view(pending_).substr(0, end + 4);
            std::size_t length = 0;
            auto cl = header_of(head, "content-length");
            if (!cl.empty()) length = std::stoul(cl);
            if (pending_.size() >= end + 4 + length) {
                std::string out = pending_.substr(0, end + 4 + length);
                pending_.erase(0, end + 4 + length);
                return out;
            }
        }
        if (!read_more(fd_, pending_, until)) return "";
    }
}

bool RawSocket::closed_by_peer(std::chrono::milliseconds within) {
    auto until = std::chrono::steady_clock::now() + within;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count();
        if (left <= 0) return false;
        pollfd p{fd_, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(left));
        if (r <= 0) return false;
        char buf[4096];
        auto n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) return true;
    }
}

int status_of(std::string_view response) {
    // "HTTP/1.1 400 Bad Request"
    if (response.size() < 12 || !response.starts_with("HTTP/")) return 0;
    auto sp = response.find(' ');
    if (sp == std::string_view::npos || sp + 4 > response.size()) return 0;
    return std::stoi(std::string(response.substr(sp + 1, 3)));
}

std::string header_of(std::string_view response, std::string_view name) {
    auto head_end = response.find("\r\n\r\n");
    auto head = lower(response.substr(0, head_end));
    auto key = "\r\n" + lower(name) + ":";
    auto at = head.find(key);
    if (at == std::string::npos) return "";
    auto start = at + key.size();
    auto stop = head.find("\r\n", start);
    auto value = std::string(response.substr(start, (stop == std::string::npos ? head.size() : stop) - start));
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(0, 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    return value;
}

}  // namespace shop::test
