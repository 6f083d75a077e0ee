#include "signing_keys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "domain/key_set.hpp"
#include "platform/config.hpp"
#include "platform/crypto.hpp"
#include "platform/db.hpp"
#include "platform/log.hpp"

namespace shop::identity {
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& file, std::string_view setting) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw std::runtime_error(fmt::format("{}: cannot read the signing key file '{}': {}", setting, file.string(), std::strerror(errno)));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_all(int fd, const std::string& text, const fs::path& file) {
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0) {
            ::close(fd);
            throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(errno));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot sync " + file.string() + ": " + std::strerror(errno));
    }
    ::close(fd);
}

void sync_dir(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

fs::path temp_beside(const fs::path& file) { return file.string() + "." + crypto::random_token(6) + ".tmp"; }

/// Creates `file` with `text` unless it exists: false when another process made it first.
bool create_private_file(const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path());
    auto tmp = temp_beside(file);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + tmp.string() + ": " + std::strerror(errno));
    write_all(fd, text, tmp);
    // link() fails when the name exists: of two processes starting on one fresh data directory,
    // one key file wins and both read it.
    int rc = ::link(tmp.c_str(), file.c_str());
    int err = errno;
    ::unlink(tmp.c_str());
    if (rc != 0 && err != EEXIST) throw std::runtime_error("cannot create " + file.string() + ": " + std::strerror(err));
    sync_dir(file.parent_path());
    return rc == 0;
}

void warn_if_readable_by_others(const fs::path& file, Logger& log) {
    struct stat st {};
    if (::stat(file.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
        log.warn("the signing key file is readable by other users: chmod 600 it",
                 {{"file", file.string()}, {"mode", fmt::format("{:04o}", st.st_mode & 0777)}});
}

struct LegacyKeys {
    std::vector<domain::SigningKey> keys;  // the active one first
};

LegacyKeys legacy_keys(db::Database& db) {
    LegacyKeys out;
    db.read([&](db::Reader& r) {
        for (auto& row : r.query("SELECT kid, secret_key FROM identity.legacy_signing_keys ORDER BY active DESC, created_at DESC, kid")) {
            std::string sk;
            if (!crypto::base64url_decode(row.str(1), sk) || sk.size() != 64)
                throw std::runtime_error("identity.legacy_signing_keys holds a malformed key (kid " + row.str(0) + ")");
            out.keys.push_back(domain::signing_key_from_seed(row.str(0), std::string_view(sk).substr(0, 32)));
        }
    });
    return out;
}

void delete_legacy_keys(db::Database& db, const std::vector<domain::SigningKey>& keys) {
    Ctx ctx = Ctx::system("identity.signing_keys");
    db.write("identity", ctx, [&](db::Tx& tx) {
        for (auto& k : keys) tx.exec("DELETE FROM identity.legacy_signing_keys WHERE kid = ?", k.kid);
    });
}

}  // namespace

void write_private_file(const fs::path& file, const std::string& text) {
    auto tmp = temp_beside(file);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + tmp.string() + ": " + std::strerror(errno));
    write_all(fd, text, tmp);
    if (::rename(tmp.c_str(), file.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        throw std::runtime_error("cannot replace " + file.string() + ": " + std::strerror(err));
    }
    sync_dir(file.parent_path());
}

fs::path generated_keys_file(const Config& config) { return fs::path(config.get_string("data_dir")) / "signing-keys.json"; }

LoadedKeys load_signing_keys(const Config& config, db::Database& db, Logger& log) {
    const std::string env_keys = config.get_string("auth.signing_key");
    const std::string file_setting = config.get_string("auth.signing_keys_file");
    if (!env_keys.empty() && !file_setting.empty())
        throw std::runtime_error(
            "auth: SHOP_AUTH_SIGNING_KEY and auth.signing_keys_file are both set: the signing keys come from one of them");
    auto legacy = legacy_keys(db);

    LoadedKeys out;
    if (!env_keys.empty()) {
        out.keys = domain::parse_key_set(env_keys, "SHOP_AUTH_SIGNING_KEY");
        out.source = "SHOP_AUTH_SIGNING_KEY";
    } else if (!file_setting.empty()) {
        fs::path file = file_setting;
        out.keys = domain::parse_key_set(read_file(file, "auth.signing_keys_file"), file.string());
        out.source = file.string();
        warn_if_readable_by_others(file, log);
    } else {
        fs::path file = generated_keys_file(config);
        if (!legacy.keys.empty()) {
            // Moved out of the database once: the database's active key stays the signing key (so
            // nobody is signed out by the upgrade), written before it is deleted there.
            std::vector<domain::SigningKey> merged;
            if (fs::exists(file)) merged = domain::parse_key_set(read_file(file, "the signing key file"), file.string());
            for (auto& k : legacy.keys)
                if (std::none_of(merged.begin(), merged.end(), [&](const domain::SigningKey& m) { return m.kid == k.kid; }))
                    merged.push_back(k);
            fs::create_directories(file.parent_path());
            write_private_file(file, domain::key_set_json(merged));
            log.info("moved the token signing key out of the database into the key file", {{"file", file.string()},
                                                                                            {"kid", legacy.keys.front().kid}});
        } else if (!fs::exists(file)) {
            if (create_private_file(file, domain::key_set_json({domain::generate_signing_key()})))
                log.info("made a token signing key file (no SHOP_AUTH_SIGNING_KEY or auth.signing_keys_file is set)",
                         {{"file", file.string()}});
        }
        out.keys = domain::parse_key_set(read_file(file, "the signing key file"), file.string());
        out.source = file.string();
        warn_if_readable_by_others(file, log);
        if (db.dialect() == "postgresql")
            log.warn("the signing keys are in this instance's data directory: instances sharing the database must share the keys "
                     "(set auth.signing_keys_file or SHOP_AUTH_SIGNING_KEY on every instance)",
                     {{"file", file.string()}});
    }
    if (!legacy.keys.empty()) {
        bool kept = std::any_of(out.keys.begin(), out.keys.end(), [&](const domain::SigningKey& k) { return k.kid == legacy.keys.front().kid; });
        if (!kept)
            log.warn("deleted the token signing key kept in the database; keys now come from " + out.source +
                         ": access tokens it signed (at most auth.access_ttl_s old) are refused and clients refresh them",
                     {{"kid", legacy.keys.front().kid}});
        delete_legacy_keys(db, legacy.keys);
    }
    return out;
}

}  // namespace shop::identity
