// The real `shop` binary as an operator runs it: configuration refusals, `shop config`, help per
// command, a busy port, `migrate --dry-run`.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "support/test_shop.hpp"

extern char** environ;

using shop::test::TempDir;

namespace {

struct Run {
    int status = -1;  ///< exit status
    std::string out;
    std::string err;
};

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Runs the binary with `args`, this process's environment without its SHOP_* variables, plus `env`.
Run shop_cli(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    TempDir io(false);
    auto out = io.path() / "out", err = io.path() / "err";
    std::vector<std::string> vars;
    for (char** e = environ; *e; ++e)
        if (std::string_view(*e).substr(0, 5) != "SHOP_") vars.emplace_back(*e);
    for (auto& v : env) vars.push_back(v);
    std::vector<std::string> all{SHOP_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv, envp;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& v : vars) envp.push_back(v.data());
    envp.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
        int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(o, 1);
        ::dup2(e, 2);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    REQUIRE(pid > 0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

/// The database of `dir` for the binary: SHOP_DB_URL on PostgreSQL, nothing for SQLite.
std::vector<std::string> db_env(const TempDir& dir) {
    return dir.db_url().empty() ? std::vector<std::string>{} : std::vector<std::string>{"SHOP_DB_URL=" + dir.db_url()};
}

}  // namespace

TEST_CASE("cli: bad values are refused by config and serve alike, naming the key, the value and the expected form") {
    for (std::string cmd : {"config", "serve", "migrate"}) {
        CAPTURE(cmd);
        auto port = shop_cli({cmd}, {"SHOP_PORT=83940"});
        CHECK(port.status == 1);
        CHECK(port.err == "shop: env SHOP_PORT: port = '83940': expected an integer from 0 to 65535\n");
        auto currency = shop_cli({cmd}, {"SHOP_BASE_CURRENCY=XXXX"});
        CHECK(currency.status == 1);
        CHECK(has(currency.err, "base_currency = 'XXXX': expected an ISO 4217 currency code"));
        auto threads = shop_cli({cmd}, {"SHOP_HTTP_THREADS=-3"});
        CHECK(threads.status == 1);
        CHECK(has(threads.err, "env SHOP_HTTP_THREADS: http.threads = '-3': expected an integer from 0 to 1024"));
        if (cmd == "migrate") continue;  // it has no --port
        auto flag = shop_cli({cmd, "--port", "70000"});
        CHECK(flag.status == 1);
        CHECK(has(flag.err, "flag --port: port = '70000': expected an integer from 0 to 65535"));
    }
    auto products = shop_cli({"seed", "--products", "-5"});
    CHECK(products.status == 2);
    CHECK(has(products.err, "--products -5: expected a whole number of products from 1 to 1000000"));
    CHECK(shop_cli({"seed", "--products", "many"}).status == 2);
}

TEST_CASE("cli: a configuration file's errors carry its line and column: syntax, duplicate key, unknown key, bad value") {
    TempDir dir(false);
    auto file = (dir.path() / "shop.json").string();
    std::ofstream(file) << "{\n  \"http\": {\n    \"threads\": 2,\n    \"threads\": 4\n  }\n}\n";
    auto dup = shop_cli({"config", "--config", file});
    CHECK(dup.status == 1);
    CHECK(dup.err == "shop: file " + file + ":4:5: duplicate key 'http.threads' (each key may appear once)\n");
    std::ofstream(file) << "{\n  \"port\": 8081\n  \"host\": \"::\"\n}\n";
    auto syntax = shop_cli({"serve", "--config", file});
    CHECK(syntax.status == 1);
    CHECK(has(syntax.err, "file " + file + ":3:3: invalid JSON"));
    std::ofstream(file) << "{\n  \"http\": { \"body_limt\": 5 }\n}\n";
    auto unknown = shop_cli({"config", "--config", file});
    CHECK(has(unknown.err, file + ":2:13: unknown configuration key 'http.body_limt' (did you mean 'http.body_limit'?)"));
    auto env = shop_cli({"config"}, {"SHOP_HTTP_BODYLIMIT=5"});
    CHECK(has(env.err, "SHOP_HTTP_BODYLIMIT: unknown configuration variable (did you mean 'SHOP_HTTP_BODY_LIMIT'?)"));
    std::ofstream(file) << "{\n  \"db\": { \"synchronous\": \"sometimes\" }\n}\n";
    auto value = shop_cli({"config", "--config", file});
    CHECK(has(value.err, file + ":2:11: db.synchronous = 'sometimes': expected one of normal or full"));
}

TEST_CASE("cli: shop config shows each value's source layer and masks secrets only") {
    TempDir dir(false);
    auto file = (dir.path() / "shop.json").string();
    std::ofstream(file) << "{\n  \"auth\": { \"password_cost\": \"moderate\" },\n  \"port\": 9000\n}\n";
    auto r = shop_cli({"config", "--config", file, "--host", "0.0.0.0"},
                      {"SHOP_HTTP_THREADS=3", "SHOP_ADMIN_PASSWORD=hunter2-hunter2", "SHOP_METRICS_TOKEN=scrape-tok",
                       "SHOP_DB_URL=postgresql://shop:s3cret-pw@db.internal:5432/shop", "SHOP_HTTP_CORS_ORIGINS=https://a.example,https://b.example"});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    CHECK(r.err.empty());
    std::map<std::string, std::pair<std::string, std::string>> rows;  // key -> (value, source)
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream cols(line);
        std::string key, value, source;
        cols >> key >> value;
        std::getline(cols, source);
        source.erase(0, source.find_first_not_of(' '));
        rows[key] = {value, source};
    }
    CHECK(rows.at("port") == std::pair<std::string, std::string>{"9000", "file " + file + ":3:3"});
    CHECK(rows.at("auth.password_cost") == std::pair<std::string, std::string>{"moderate", "file " + file + ":2:13"});
    CHECK(rows.at("host") == std::pair<std::string, std::string>{"0.0.0.0", "flag --host"});
    CHECK(rows.at("http.threads") == std::pair<std::string, std::string>{"3", "env SHOP_HTTP_THREADS"});
    CHECK(rows.at("http.cors_origins").first == R"(["https://a.example","https://b.example"])");
    CHECK(rows.at("admin.password") == std::pair<std::string, std::string>{"***", "env SHOP_ADMIN_PASSWORD"});
    CHECK(rows.at("metrics.token").first == "***");
    CHECK(rows.at("db.url").first == "postgresql://shop:***@db.internal:5432/shop");
    CHECK(rows.at("data_dir") == std::pair<std::string, std::string>{"./data", "default"});
    CHECK_FALSE(has(r.out, "hunter2"));
    CHECK_FALSE(has(r.out, "scrape-tok"));
    CHECK_FALSE(has(r.out, "s3cret-pw"));
}

TEST_CASE("cli: -h and --help for the binary and for every command, unknown commands and options exit 2") {
    for (const char* h : {"-h", "--help"}) {
        auto r = shop_cli({h});
        CHECK(r.status == 0);
        CHECK(has(r.out, "Usage:"));
        CHECK(has(r.out, "migrate-data"));
    }
    const std::map<std::string, std::vector<std::string>> options = {
        {"serve", {"--port N", "--host ADDR", "--data-dir DIR", "--config FILE", "--no-seed"}},
        {"migrate", {"--dry-run", "--data-dir DIR"}},
        {"seed", {"--dataset NAME", "--products N"}},
        {"backup", {"--data-dir DIR"}},
        {"migrate-data", {"--from sqlite:DIR", "--to URL"}},
        {"config", {"--json", "--keys", "--port N"}},
        {"health", {"--url URL"}},
        {"openapi", {"--help"}},
    };
    for (auto& [cmd, opts] : options)
        for (const char* h : {"-h", "--help"}) {
            const auto& command = cmd;  // named: clang 14 cannot capture a structured binding
            CAPTURE(command);
            auto r = shop_cli({cmd, h});
            CHECK(r.status == 0);
            CHECK(has(r.out, "Usage: shop " + cmd));
            for (auto& o : opts) CHECK_MESSAGE(has(r.out, o), o);
        }
    auto unknown = shop_cli({"serv"});
    CHECK(unknown.status == 2);
    CHECK(has(unknown.err, "unknown command 'serv' (did you mean 'serve'?)"));
    auto option = shop_cli({"migrate", "--dry-rn"});
    CHECK(option.status == 2);
    CHECK(has(option.err, "'--dry-rn'"));
    CHECK(has(option.err, "shop migrate --help"));
    CHECK(shop_cli({}).status == 2);
}

TEST_CASE("cli: a busy port is named and refused before the data directory is created or migrated") {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(s, 1) == 0);
    socklen_t n = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &n);
    std::string port = std::to_string(ntohs(a.sin_port));
    TempDir dir;
    auto data = dir.path() / "data";
    auto r = shop_cli({"serve", "--host", "127.0.0.1", "--port", port, "--data-dir", data.string()}, db_env(dir));
    ::close(s);
    CHECK(r.status == 1);
    CHECK(r.err == "shop: cannot listen on 127.0.0.1:" + port + ": address already in use\n");
    CHECK_FALSE(std::filesystem::exists(data));
    // Nothing was migrated either (PostgreSQL: the scratch database has everything pending).
    auto pending = shop_cli({"migrate", "--dry-run", "--data-dir", data.string()}, db_env(dir));
    CHECK(pending.status == 0);
    CHECK_FALSE(has(pending.out, "pending migrations: 0\n"));
}

TEST_CASE("cli: migrate --dry-run creates nothing and names the pending migrations per module, migrate applies them") {
    TempDir dir;
    auto data = dir.path() / "data";
    auto dry = shop_cli({"migrate", "--dry-run", "--data-dir", data.string()}, db_env(dir));
    REQUIRE_MESSAGE(dry.status == 0, dry.err);
    CHECK(dry.err.empty());
    CHECK_FALSE(std::filesystem::exists(data));
    CHECK(dry.out.starts_with("pending migrations: "));
    for (const char* schema : {"identity:\n", "catalog:\n", "ordering:\n", "notification:\n"}) CHECK(has(dry.out, schema));
    CHECK(has(dry.out, "  kernel/0001_outbox_and_inbox\n"));
    CHECK(has(dry.out, "  0001_users\n"));

    auto applied = shop_cli({"migrate", "--data-dir", data.string()}, db_env(dir));
    REQUIRE_MESSAGE(applied.status == 0, applied.err);
    CHECK(applied.err.empty());  // no JSON log lines from a one-shot command
    CHECK(has(applied.out, "  identity/0001_users\n"));
    CHECK(has(applied.out, "  catalog/kernel/0001_outbox_and_inbox\n"));
    // The counts agree: what the dry run listed is what was applied.
    auto first_line = [](const std::string& s) { return s.substr(s.find(": ") + 2, s.find('\n') - s.find(": ") - 2); };
    CHECK(first_line(dry.out) == first_line(applied.out));

    std::set<std::filesystem::path> before;
    if (std::filesystem::exists(data))
        for (auto& e : std::filesystem::directory_iterator(data)) before.insert(e.path());
    auto again = shop_cli({"migrate", "--dry-run", "--data-dir", data.string()}, db_env(dir));
    CHECK(again.out == "pending migrations: 0\n");
    std::set<std::filesystem::path> after;
    if (std::filesystem::exists(data))
        for (auto& e : std::filesystem::directory_iterator(data)) after.insert(e.path());
    CHECK(before == after);  // no -wal or -shm left behind by reading
}
