#include "support/webhook_receiver.hpp"

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
// Written whole, then renamed: the receiver never reads half a file.
void write_file(const std::filesystem::path& p, const std::string& text) {
    auto tmp = p;
    tmp += ".tmp";
    std::ofstream(tmp, std::ios::binary) << text;
    std::filesystem::rename(tmp, p);
}
}  // namespace

WebhookReceiver::WebhookReceiver() {
    dir_ = std::filesystem::temp_directory_path() / ("shop-webhook-receiver-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{"/usr/bin/python3", source_dir() + "/tests/support/webhook_receiver.py"},
                                              std::vector<std::string>{"WEBHOOK_RECEIVER_DIR=" + dir_.string(), "WEBHOOK_RECEIVER_PORT=0"},
                                              "listening ", "the webhook receiver (python3)");
    port_ = static_cast<std::uint16_t>(std::stoi(process_->first_line()));
}

WebhookReceiver::~WebhookReceiver() {
    process_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void WebhookReceiver::set_secret(const std::string& path, const std::string& secret) {
    secrets_[path] = secret;
    write_file(dir_ / "secrets.json", boost::json::serialize(secrets_));
}

void WebhookReceiver::set_mode(const std::string& mode) { write_file(dir_ / "mode", mode); }

std::vector<boost::json::object> WebhookReceiver::requests() const {
    std::vector<std::filesystem::path> files;
    for (auto& e : std::filesystem::directory_iterator(dir_))
        if (e.path().extension() == ".json" && e.path().filename() != "secrets.json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::vector<boost::json::object> out;
    for (auto& f : files) out.push_back(boost::json::parse(slurp(f)).as_object());
    return out;
}

}  // namespace shop::test
