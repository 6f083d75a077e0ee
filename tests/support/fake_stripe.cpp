#include "support/fake_stripe.hpp"

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

extern char** environ;

namespace shop::test {

namespace {

std::filesystem::path source_dir() { return std::filesystem::path(SHOP_SOURCE_DIR); }

/// Runs `argv` with `env` added to this process's environment; its stdout is readable from `out_fd`.
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, int& out_fd) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    std::vector<char*> args, envp;
    for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    for (char** e = environ; *e; ++e) envp.push_back(*e);
    for (auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, argv[0].c_str(), &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    if (rc != 0) {
        close(pipe_fds[0]);
        throw std::runtime_error("cannot start " + argv[0]);
    }
    out_fd = pipe_fds[0];
    return pid;
}

std::string read_line(int fd) {
    std::string line;
    char c;
    while (read(fd, &c, 1) == 1 && c != '\n') line += c;
    return line;
}

}  // namespace

FakeStripe::FakeStripe(const std::string& webhook_url) {
    int out = -1;
    pid_ = spawn({"node", (source_dir() / "tests/support/fake_stripe.cjs").string()},
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
    pid_t pid = spawn({"node", "-e", script, (source_dir() / "tools/node_modules/stripe").string(), payload, secret, std::to_string(timestamp)},
                      {}, out);
    std::string line = read_line(out);
    close(out);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || line.empty()) throw std::runtime_error("signing with the stripe package failed");
    return line;
}

}  // namespace shop::test
