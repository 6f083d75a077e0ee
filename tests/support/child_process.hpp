#pragma once
// A helper program of the tests (a fake provider, a mail server) as a child process that announces
// itself with one line on its standard output, and is stopped with SIGTERM when this goes.
#include <sys/types.h>

#include <string>
#include <vector>

namespace shop::test {

/// Runs `argv` with `env` added to this process's environment; its stdout is readable from `out_fd`.
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env, int& out_fd);

/// One line read from `fd` (without its '\n').
std::string read_line(int fd);

class ChildProcess {
public:
    /// Starts `argv` and reads its first line, which must start with `ready_prefix`; throws
    /// (saying `what` did not start) otherwise. first_line() is that line after the prefix.
    ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& env, const std::string& ready_prefix,
                 const std::string& what);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    const std::string& first_line() const { return rest_; }

private:
    pid_t pid_ = -1;
    std::string rest_;
};

/// The repository's root (for scripts under tests/support).
std::string source_dir();

}  // namespace shop::test
