#include "app/backup.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "app/app.hpp"
#include "platform/db.hpp"
#include "platform/ids.hpp"

#ifndef SHOP_VERSION
#define SHOP_VERSION "0.0.0"
#endif

namespace shop::app {
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

const std::vector<std::string> kSchemas = {"identity", "catalog", "search", "cart", "inventory", "ordering", "payment", "notification"};
constexpr const char* kKeysFile = "signing-keys.json";  // identity's generated key file (signing_keys.hpp)

std::string errno_text() { return std::strerror(errno); }

/// A directory that does not exist or is empty, made (or kept) with mode 0700.
void make_empty_private_dir(const fs::path& dir, std::string_view what) {
    std::error_code ec;
    if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir)) throw std::runtime_error(fmt::format("{} '{}' is not a directory", what, dir.string()));
        if (!fs::is_empty(dir))
            throw std::runtime_error(fmt::format("{} '{}' is not empty: give a new or empty directory (nothing was written)", what,
                                                 dir.string()));
    } else {
        fs::create_directories(dir);
    }
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
}

void make_private_dirs(const fs::path& root, const fs::path& relative_dir) {
    fs::path at = root;
    for (auto& part : relative_dir) {
        at /= part;
        if (!fs::exists(at)) {
            if (::mkdir(at.c_str(), 0700) != 0 && errno != EEXIST) throw std::runtime_error("cannot create " + at.string() + ": " + errno_text());
        }
    }
}

void sync_path(const fs::path& p, int flags) {
    int fd = ::open(p.c_str(), flags | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

std::string hex(const unsigned char* d, std::size_t n) {
    static const char* kDigits = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(kDigits[d[i] >> 4]);
        out.push_back(kDigits[d[i] & 15]);
    }
    return out;
}

struct Copied {
    std::int64_t size = 0;
    std::string sha256;
};

/// SHA-256 and size of a file, read in chunks; nullopt when it does not exist (any more).
std::optional<Copied> hash_file(const fs::path& file) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return std::nullopt;
        throw std::runtime_error("cannot read " + file.string() + ": " + errno_text());
    }
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    Copied c;
    std::vector<unsigned char> buf(1 << 16);
    while (true) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            ::close(fd);
            throw std::runtime_error("cannot read " + file.string() + ": " + errno_text());
        }
        if (n == 0) break;
        crypto_hash_sha256_update(&st, buf.data(), static_cast<unsigned long long>(n));
        c.size += n;
    }
    ::close(fd);
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, out);
    c.sha256 = hex(out, sizeof out);
    return c;
}

/// Copies `from` to the new file `to` (mode 0600, fsynced), hashing what it wrote; nullopt when
/// `from` vanished before it could be opened (a temporary file renamed meanwhile).
std::optional<Copied> copy_hashed(const fs::path& from, const fs::path& to) {
    int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        if (errno == ENOENT) return std::nullopt;
        throw std::runtime_error("cannot read " + from.string() + ": " + errno_text());
    }
    int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) {
        ::close(in);
        throw std::runtime_error("cannot create " + to.string() + ": " + errno_text());
    }
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    Copied c;
    std::vector<unsigned char> buf(1 << 16);
    auto fail = [&](const std::string& what) {
        ::close(in);
        ::close(out);
        throw std::runtime_error(what + ": " + errno_text());
    };
    while (true) {
        ssize_t n = ::read(in, buf.data(), buf.size());
        if (n < 0) fail("cannot read " + from.string());
        if (n == 0) break;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = ::write(out, buf.data() + done, static_cast<std::size_t>(n - done));
            if (w <= 0) fail("cannot write " + to.string());
            done += w;
        }
        crypto_hash_sha256_update(&st, buf.data(), static_cast<unsigned long long>(n));
        c.size += n;
    }
    if (::fsync(out) != 0) fail("cannot sync " + to.string());
    ::close(in);
    ::close(out);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, digest);
    c.sha256 = hex(digest, sizeof digest);
    return c;
}

/// What a file of the data directory is, for the manifest; "" for one a backup never holds.
std::string kind_of(const fs::path& rel) {
    std::string first = rel.begin()->string();
    std::string name = rel.filename().string();
    if (first == "bus") return "";  // this process's in-flight notes (see backup.hpp)
    if (name.ends_with(".tmp") || name.ends_with(".part")) return "";  // half-written, renamed when complete
    if (rel.has_parent_path() == false) {
        for (auto& s : kSchemas) {
            if (name == s + ".db") return "database";
            for (const char* suffix : {"-wal", "-shm", "-journal"})
                if (name == s + ".db" + suffix) return "";  // the .db copy made by the backup API holds it all
        }
        if (name == kKeysFile) return "signing_keys";
    }
    if (first == "mail") return "mail";
    if (first == "media") return "media";
    return "other";
}

json::object schema_versions(db::Database& db) {
    json::object out;
    db.read([&](db::Reader& r) {
        for (auto& s : kSchemas) {
            json::object tracks;
            for (auto& row : r.query(fmt::format("SELECT track, MAX(version) FROM {}.schema_migrations GROUP BY track ORDER BY track", s)))
                tracks[row.str(0)] = row.i64(1);
            out[s] = std::move(tracks);
        }
    });
    return out;
}

void write_manifest(const fs::path& dir, const json::object& manifest) {
    auto tmp = dir / (std::string(kManifestName) + ".tmp");
    std::string text = json::serialize(manifest) + "\n";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + tmp.string() + ": " + errno_text());
    if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) || ::fsync(fd) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot write " + tmp.string() + ": " + errno_text());
    }
    ::close(fd);
    fs::rename(tmp, dir / kManifestName);
    sync_path(dir, O_RDONLY | O_DIRECTORY);
}

bool inside(const fs::path& p, const fs::path& dir) {
    auto a = fs::weakly_canonical(p), b = fs::weakly_canonical(dir);
    auto [end, _] = std::mismatch(b.begin(), b.end(), a.begin(), a.end());
    return end == b.end();
}

}  // namespace

BackupReport backup(App& app, const fs::path& target, const BackupOptions& options) {
    const fs::path data_dir = app.data_dir();
    if (inside(target, data_dir))
        throw std::runtime_error(fmt::format("the backup target '{}' is inside the data directory '{}': choose a directory outside it",
                                             target.string(), data_dir.string()));
    make_empty_private_dir(target, "the backup target");
    BackupReport report;
    json::array files, excluded;
    std::set<std::string> written;
    auto record = [&](const std::string& rel, const std::string& kind, const Copied& c) {
        files.push_back(json::object{{"path", rel}, {"kind", kind}, {"size", c.size}, {"sha256", c.sha256}});
        written.insert(rel);
        ++report.files;
        report.bytes += c.size;
    };

    db::Database& db = app.database();
    const bool sqlite = db.dialect() == "sqlite";
    json::object database{{"engine", sqlite ? "sqlite" : "postgresql"}, {"included", sqlite}};
    // The schema versions before the copy: a migration does not run while the shop serves.
    json::object versions = schema_versions(db);
    if (sqlite) {
        // First the databases (one snapshot of every file), then the files: every mail the copied
        // database counts as sent and every image a copied product shows is in the copy.
        db.backup_to(target);
        for (auto& s : kSchemas) {
            auto file = target / (s + ".db");
            fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
            sync_path(file, O_RDONLY);
            record(s + ".db", "database", *hash_file(file));
        }
        report.database_included = true;
    } else {
        database["note"] =
            "PostgreSQL: this backup holds no database. Back the database up with pg_dump (pg_dump -Fc) at the same time and "
            "restore it with pg_restore into an empty database; this backup holds the data directory's files (mail, media, keys).";
        report.notes.push_back(std::string(database["note"].as_string()));
    }

    json::object keys{{"included", false}};
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(data_dir, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const auto& entry = *it;
        fs::path rel = fs::relative(entry.path(), data_dir);
        std::string rel_s = rel.generic_string();
        if (entry.is_directory()) {
            if (rel_s == "bus") {
                excluded.push_back(json::object{{"path", "bus/"}, {"reason", "in-flight notes of the running process"}});
                it.disable_recursion_pending();
            }
            continue;
        }
        if (!entry.is_regular_file()) {
            excluded.push_back(json::object{{"path", rel_s}, {"reason", "not a regular file"}});
            continue;
        }
        std::string kind = kind_of(rel);
        if (kind.empty() || kind == "database" || written.count(rel_s)) continue;
        if (kind == "signing_keys" && !options.with_keys) {
            excluded.push_back(json::object{{"path", rel_s}, {"reason", "--without-keys"}});
            keys["note"] = "left out (--without-keys): a restored install makes a new key on its first start";
            continue;
        }
        if (rel.has_parent_path()) make_private_dirs(target, rel.parent_path());
        auto copied = copy_hashed(entry.path(), target / rel);
        if (!copied) continue;  // gone since it was listed
        record(rel_s, kind, *copied);
        if (kind == "signing_keys") {
            keys = json::object{{"included", true},
                                {"path", rel_s},
                                {"note", "holds the token signing private keys: keep this backup as secret as the keys "
                                         "(shop backup --without-keys leaves them out)"}};
            report.signing_keys_included = true;
        }
    }
    if (ec) throw std::runtime_error("cannot list " + data_dir.string() + ": " + ec.message());
    if (!report.signing_keys_included && !keys.contains("note"))
        keys["note"] = "no key file in the data directory: the keys come from auth.signing_keys_file or SHOP_AUTH_SIGNING_KEY, "
                       "which the operator backs up";
    report.notes.push_back(std::string(keys["note"].as_string()));
    std::sort(files.begin(), files.end(),
              [](const json::value& a, const json::value& b) { return a.at("path").as_string() < b.at("path").as_string(); });

    for (auto& f : fs::recursive_directory_iterator(target))
        if (f.is_directory()) sync_path(f.path(), O_RDONLY | O_DIRECTORY);
    write_manifest(target, json::object{{"format", kBackupFormat},
                                        {"shop_version", SHOP_VERSION},
                                        {"created_at", now_iso8601()},
                                        {"data_dir", fs::absolute(data_dir).string()},
                                        {"database", std::move(database)},
                                        {"schema_versions", std::move(versions)},
                                        {"signing_keys", std::move(keys)},
                                        {"excluded", std::move(excluded)},
                                        {"files", std::move(files)}});
    return report;
}

namespace {

json::object read_manifest(const fs::path& source) {
    auto file = source / kManifestName;
    std::ifstream in(file);
    if (!in)
        throw std::runtime_error(fmt::format("'{}' has no {}: not a complete backup (interrupted, or not made by shop backup)",
                                             source.string(), kManifestName));
    std::stringstream ss;
    ss << in.rdbuf();
    boost::system::error_code ec;
    auto v = json::parse(ss.str(), ec);
    if (ec || !v.is_object() || !v.as_object().contains("files") || !v.at("files").is_array())
        throw std::runtime_error(fmt::format("{} is not a backup manifest", file.string()));
    auto* format = v.as_object().if_contains("format");
    if (!format || !format->is_string() || format->as_string() != kBackupFormat)
        throw std::runtime_error(fmt::format("{}: unknown backup format (this shop reads {})", file.string(), kBackupFormat));
    for (const char* section : {"database", "signing_keys"}) {
        auto* o = v.as_object().if_contains(section);
        if (!o || !o->is_object() || !o->as_object().contains("included") || !o->at("included").is_bool())
            throw std::runtime_error(fmt::format("{}: \"{}\" lacks \"included\"", file.string(), section));
    }
    return std::move(v.as_object());
}

struct Listed {
    std::string path;
    std::int64_t size;
    std::string sha256;
};

std::vector<Listed> listed_files(const json::object& manifest, const fs::path& source) {
    std::vector<Listed> out;
    for (auto& f : manifest.at("files").as_array()) {
        const auto* o = f.if_object();
        const json::value *p = o ? o->if_contains("path") : nullptr, *s = o ? o->if_contains("size") : nullptr,
                          *h = o ? o->if_contains("sha256") : nullptr;
        if (!p || !p->is_string() || !s || !s->is_int64() || !h || !h->is_string())
            throw std::runtime_error(fmt::format("{}: a file entry lacks path, size or sha256", (source / kManifestName).string()));
        fs::path rel(std::string(p->as_string()));
        // A manifest names files inside the backup only.
        if (rel.is_absolute() || rel.empty() || std::any_of(rel.begin(), rel.end(), [](const fs::path& part) { return part == ".."; }))
            throw std::runtime_error(fmt::format("{}: '{}' is not a path inside the backup", (source / kManifestName).string(), rel.string()));
        out.push_back({rel.generic_string(), s->as_int64(), std::string(h->as_string())});
    }
    return out;
}

}  // namespace

void verify_backup(const fs::path& source) {
    auto manifest = read_manifest(source);
    auto files = listed_files(manifest, source);
    std::set<std::string> names;
    for (auto& f : files) {
        names.insert(f.path);
        auto actual = hash_file(source / f.path);
        if (!actual) throw std::runtime_error(fmt::format("the backup is incomplete: {} is missing", f.path));
        if (actual->size != f.size)
            throw std::runtime_error(fmt::format("the backup was changed: {} has {} bytes, the manifest says {}", f.path, actual->size, f.size));
        if (actual->sha256 != f.sha256)
            throw std::runtime_error(fmt::format("the backup was changed: the SHA-256 of {} is not the manifest's", f.path));
    }
    for (auto& e : fs::recursive_directory_iterator(source)) {
        if (e.is_directory()) continue;
        auto rel = fs::relative(e.path(), source).generic_string();
        if (rel != kManifestName && !names.count(rel))
            throw std::runtime_error(fmt::format("the backup was changed: {} is not in the manifest", rel));
    }
}

RestoreReport restore(const fs::path& source, const Config& config) {
    verify_backup(source);
    auto manifest = read_manifest(source);
    const bool backup_has_db = manifest.at("database").at("included").as_bool();
    const bool sqlite = config.get_string("db.url").empty();
    if (sqlite && !backup_has_db)
        throw std::runtime_error("this backup holds no database (it was taken on PostgreSQL): configure that db.url, restore the "
                                 "database with pg_restore, then run shop restore again");
    if (!sqlite && backup_has_db)
        throw std::runtime_error("this backup holds SQLite databases but db.url names PostgreSQL: restore it with db.url empty, then "
                                 "move it with shop migrate-data");
    const fs::path data_dir = config.get_string("data_dir");
    make_empty_private_dir(data_dir, "the data directory");
    RestoreReport report;
    for (auto& f : listed_files(manifest, source)) {
        fs::path rel(f.path);
        if (rel.has_parent_path()) make_private_dirs(data_dir, rel.parent_path());
        auto copied = copy_hashed(source / rel, data_dir / rel);
        // Checked again on the bytes written: the backup may not change between check and copy.
        if (!copied || copied->sha256 != f.sha256)
            throw std::runtime_error(fmt::format("the backup changed while it was restored: {} (the data directory is incomplete: "
                                                 "empty it and restore again)",
                                                 f.path));
        ++report.files;
        report.bytes += copied->size;
    }
    for (auto& d : fs::recursive_directory_iterator(data_dir))
        if (d.is_directory()) sync_path(d.path(), O_RDONLY | O_DIRECTORY);
    sync_path(data_dir, O_RDONLY | O_DIRECTORY);
    if (!sqlite)
        report.notes.push_back("the database is not in this backup: restore the pg_dump taken with it (pg_restore) before starting");
    if (!manifest.at("signing_keys").at("included").as_bool())
        report.notes.push_back("the signing keys are not in this backup: a SQLite install without auth.signing_keys_file or "
                               "SHOP_AUTH_SIGNING_KEY makes a new key on its first start");
    report.notes.push_back("start the shop on this data directory: it applies the migrations newer than the backup");
    return report;
}

int backup_command(const Config& config, const fs::path& target, const BackupOptions& options) {
    const fs::path data_dir = config.get_string("data_dir");
    if (config.get_string("db.url").empty() ? !fs::exists(data_dir / "identity.db") : !fs::is_directory(data_dir))
        throw std::runtime_error(fmt::format("'{}' holds no shop data: give the data directory with --data-dir (or SHOP_DATA_DIR)",
                                             data_dir.string()));
    App app(config, LogFormat::text);  // a one-shot command: plain log lines
    auto r = backup(app, target, options);
    std::cout << "backup written to " << target.string() << ": " << r.files << " files, " << r.bytes << " bytes"
              << (r.database_included ? " (databases included)" : "") << "\n";
    for (auto& n : r.notes) std::cout << "note: " << n << "\n";
    return 0;
}

int restore_command(const Config& config, const fs::path& source) {
    auto r = restore(source, config);
    std::cout << "restored " << r.files << " files (" << r.bytes << " bytes, checksums verified) into " << config.get_string("data_dir")
              << "\n";
    for (auto& n : r.notes) std::cout << "note: " << n << "\n";
    return 0;
}

}  // namespace shop::app
