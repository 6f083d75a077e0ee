#include "support/smtp_sink.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

namespace shop::test {

namespace {
std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
std::vector<std::filesystem::path> files(const std::filesystem::path& dir, const std::string& ext) {
    std::vector<std::filesystem::path> out;
    for (auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ext) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}
}  // namespace

SmtpSink::SmtpSink(std::uint16_t port, const std::string& user, const std::string& password) {
    dir_ = std::filesystem::temp_directory_path() / ("shop-smtp-sink-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/bin/python3", source_dir() + "/tests/support/smtp_sink.py"},
        std::vector<std::string>{"SMTP_SINK_DIR=" + dir_.string(), "SMTP_SINK_PORT=" + std::to_string(port), "SMTP_SINK_USER=" + user,
                                 "SMTP_SINK_PASSWORD=" + password},
        "listening ", "the SMTP sink (python3-aiosmtpd; scripts/setup installs it)");
    port_ = static_cast<std::uint16_t>(std::stoi(process_->first_line()));
}

SmtpSink::~SmtpSink() {
    process_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

std::vector<boost::json::object> SmtpSink::messages() const {
    std::vector<boost::json::object> out;
    for (auto& f : files(dir_, ".json")) out.push_back(boost::json::parse(slurp(f)).as_object());
    return out;
}

std::string SmtpSink::raw(std::size_t n) const { return slurp(files(dir_, ".eml").at(n)); }

std::uint16_t free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

}  // namespace shop::test
