#include "support/fake_stripe.hpp"

#include "support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace shop::test {

FakeStripe::FakeStripe(const std::string& webhook_url) {
    int out = -1;
    pid_ = spawn({"node", source_dir() + "/tests/support/fake_stripe.cjs"},
                 {"FAKE_STRIPE_SECRET_KEY=" + kSecretKey, "FAKE_STRIPE_WEBHOOK_SECRET=" + kWebhookSecret,
                  "FAKE_STRIPE_WEBHOOK_URL=" + webhook_url, "FAKE_STRIPE_PORT=0"},
                 out);
    std::string line = read_line(out);
    close(out);
    if (line.rfind("listening ", 0) != 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        throw std::runtime_error("the fake Stripe did not start (is tools/node_modules installed? scripts/setup does it): " + line);
    }
    port_ = static_cast<std::uint16_t>(std::stoi(line.substr(10)));
}

FakeStripe::~FakeStripe() {
    if (pid_ > 0) {
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
    }
}

std::string stripe_npm_signature(const std::string& payload, const std::string& secret, std::int64_t timestamp) {
    std::string script =
        "const S=require(process.argv[1]);const s=new S('sk_test_x');"
        "const o={payload:process.argv[2],secret:process.argv[3]};if(+process.argv[4])o.timestamp=+process.argv[4];"
        "process.stdout.write(s.webhooks.generateTestHeaderString(o)+'\\n');";
    int out = -1;
    pid_t pid = spawn({"node", "-e", script, source_dir() + "/tools/node_modules/stripe", payload, secret, std::to_string(timestamp)},
                      {}, out);
    std::string line = read_line(out);
    close(out);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || line.empty()) throw std::runtime_error("signing with the stripe package failed");
    return line;
}

}  // namespace shop::test
