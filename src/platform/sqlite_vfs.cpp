// SQLite writes a commit to the WAL as two writes per page (a 24-byte frame header, then the
// page): a checkout's order commit is some forty pwrite(2) calls, and on this kind of machine a
// system call costs microseconds. This VFS keeps the default one's every behaviour and only
// gathers the consecutive writes of one WAL file in memory, handing them to the default VFS as one
// write when the commit frame's page arrives (or before anything could observe the file: a read,
// a sync, a size query, a truncate, a close, a non-consecutive write).
//
// Durability is unchanged: SQLite makes a commit visible to other connections (the wal-index
// header) only after its frames were written, and that write returns only after our single
// write of the whole commit did; with synchronous=FULL the xSync that follows syncs it.
#include "platform/sqlite_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

namespace shop::db {
namespace {

sqlite3_vfs* g_real = nullptr;
sqlite3_vfs g_vfs;

constexpr std::size_t kFlushAt = 1u << 20;     // bytes gathered before writing anyway
constexpr std::size_t kMaxWrite = 64u << 10;   // bytes handed to the default VFS per write
constexpr int kWalHeaderBytes = 32;
constexpr int kFrameHeaderBytes = 24;

/// An open WAL file: our methods in front of the default VFS's file, stored right behind it.
struct WalFile {
    sqlite3_file base;
    sqlite3_file* real;
    std::string* pending;      // bytes not yet handed to the real file
    sqlite3_int64 pending_at;  // file offset of pending[0]
    bool commit_page_next;     // the last write was a commit frame's header
};

WalFile* wal(sqlite3_file* f) { return reinterpret_cast<WalFile*>(f); }

int flush(WalFile* w) {
    auto& p = *w->pending;
    int rc = SQLITE_OK;
    // The default VFS writes at most 128 KiB - 1 per call (it masks the length).
    for (std::size_t done = 0; done < p.size() && rc == SQLITE_OK; done += kMaxWrite) {
        auto n = std::min(kMaxWrite, p.size() - done);
        rc = w->real->pMethods->xWrite(w->real, p.data() + done, static_cast<int>(n), w->pending_at + static_cast<sqlite3_int64>(done));
    }
    p.clear();
    return rc;
}

int wal_close(sqlite3_file* f) {
    auto* w = wal(f);
    int rc = flush(w);
    int rc2 = w->real->pMethods->xClose(w->real);
    delete w->pending;
    w->pending = nullptr;
    return rc != SQLITE_OK ? rc : rc2;
}

int wal_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
    auto* w = wal(f);
    if (int rc = flush(w); rc != SQLITE_OK) return rc;
    return w->real->pMethods->xRead(w->real, out, amount, offset);
}

int wal_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
    auto* w = wal(f);
    auto& p = *w->pending;
    if (!p.empty() && offset != w->pending_at + static_cast<sqlite3_int64>(p.size()))
        if (int rc = flush(w); rc != SQLITE_OK) return rc;
    if (p.empty()) w->pending_at = offset;
    p.append(static_cast<const char*>(data), static_cast<std::size_t>(amount));
    if (amount == kFrameHeaderBytes && offset >= kWalHeaderBytes) {
        // Frame header: bytes 4..7 hold the database size after a commit, 0 otherwise.
        const auto* h = static_cast<const unsigned char*>(data);
        w->commit_page_next = (h[4] | h[5] | h[6] | h[7]) != 0;
        return SQLITE_OK;
    }
    if (w->commit_page_next || p.size() >= kFlushAt) {
        w->commit_page_next = false;
        return flush(w);
    }
    return SQLITE_OK;
}

int wal_truncate(sqlite3_file* f, sqlite3_int64 size) {
    auto* w = wal(f);
    if (int rc = flush(w); rc != SQLITE_OK) return rc;
    return w->real->pMethods->xTruncate(w->real, size);
}

int wal_sync(sqlite3_file* f, int flags) {
    auto* w = wal(f);
    if (int rc = flush(w); rc != SQLITE_OK) return rc;
    return w->real->pMethods->xSync(w->real, flags);
}

int wal_file_size(sqlite3_file* f, sqlite3_int64* size) {
    auto* w = wal(f);
    if (int rc = flush(w); rc != SQLITE_OK) return rc;
    return w->real->pMethods->xFileSize(w->real, size);
}

int wal_lock(sqlite3_file* f, int l) { return wal(f)->real->pMethods->xLock(wal(f)->real, l); }
int wal_unlock(sqlite3_file* f, int l) { return wal(f)->real->pMethods->xUnlock(wal(f)->real, l); }
int wal_check_reserved(sqlite3_file* f, int* out) { return wal(f)->real->pMethods->xCheckReservedLock(wal(f)->real, out); }
int wal_file_control(sqlite3_file* f, int op, void* arg) {
    auto* w = wal(f);
    if (int rc = flush(w); rc != SQLITE_OK) return rc;
    return w->real->pMethods->xFileControl(w->real, op, arg);
}
int wal_sector_size(sqlite3_file* f) { return wal(f)->real->pMethods->xSectorSize(wal(f)->real); }
int wal_device(sqlite3_file* f) { return wal(f)->real->pMethods->xDeviceCharacteristics(wal(f)->real); }
int wal_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
    return wal(f)->real->pMethods->xShmMap(wal(f)->real, page, size, extend, out);
}
int wal_shm_lock(sqlite3_file* f, int offset, int n, int flags) { return wal(f)->real->pMethods->xShmLock(wal(f)->real, offset, n, flags); }
void wal_shm_barrier(sqlite3_file* f) { wal(f)->real->pMethods->xShmBarrier(wal(f)->real); }
int wal_shm_unmap(sqlite3_file* f, int del) { return wal(f)->real->pMethods->xShmUnmap(wal(f)->real, del); }
int wal_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
    auto* w = wal(f);
    if (int rc = flush(w); rc != SQLITE_OK) return rc;
    return w->real->pMethods->xFetch(w->real, offset, amount, out);
}
int wal_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) { return wal(f)->real->pMethods->xUnfetch(wal(f)->real, offset, p); }

sqlite3_io_methods g_wal_methods;
void init_wal_methods(const sqlite3_io_methods& real);

int vfs_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
    if (!(flags & SQLITE_OPEN_WAL)) {
        // Every other file is the default VFS's own, at the same address: no layer in between.
        return g_real->xOpen(g_real, name, file, flags, out_flags);
    }
    auto* w = reinterpret_cast<WalFile*>(file);
    w->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + sizeof(WalFile));
    int rc = g_real->xOpen(g_real, name, w->real, flags, out_flags);
    if (rc != SQLITE_OK) {
        file->pMethods = nullptr;
        return rc;
    }
    w->pending = new (std::nothrow) std::string();
    if (!w->pending) {
        w->real->pMethods->xClose(w->real);
        file->pMethods = nullptr;
        return SQLITE_NOMEM;
    }
    w->pending_at = 0;
    w->commit_page_next = false;
    static std::once_flag methods_once;
    std::call_once(methods_once, [&] { init_wal_methods(*w->real->pMethods); });
    file->pMethods = &g_wal_methods;
    return SQLITE_OK;
}

void init_wal_methods(const sqlite3_io_methods& real) {
    g_wal_methods = real;  // same version and fields; ours where it matters
    g_wal_methods.xClose = wal_close;
    g_wal_methods.xRead = wal_read;
    g_wal_methods.xWrite = wal_write;
    g_wal_methods.xTruncate = wal_truncate;
    g_wal_methods.xSync = wal_sync;
    g_wal_methods.xFileSize = wal_file_size;
    g_wal_methods.xLock = wal_lock;
    g_wal_methods.xUnlock = wal_unlock;
    g_wal_methods.xCheckReservedLock = wal_check_reserved;
    g_wal_methods.xFileControl = wal_file_control;
    g_wal_methods.xSectorSize = wal_sector_size;
    g_wal_methods.xDeviceCharacteristics = wal_device;
    if (g_wal_methods.iVersion >= 2) {
        g_wal_methods.xShmMap = wal_shm_map;
        g_wal_methods.xShmLock = wal_shm_lock;
        g_wal_methods.xShmBarrier = wal_shm_barrier;
        g_wal_methods.xShmUnmap = wal_shm_unmap;
    }
    if (g_wal_methods.iVersion >= 3) {
        g_wal_methods.xFetch = wal_fetch;
        g_wal_methods.xUnfetch = wal_unfetch;
    }
}

// The rest is the default VFS's, called with its own vfs object.
int vfs_delete(sqlite3_vfs*, const char* name, int sync_dir) { return g_real->xDelete(g_real, name, sync_dir); }
int vfs_access(sqlite3_vfs*, const char* name, int flags, int* out) { return g_real->xAccess(g_real, name, flags, out); }
int vfs_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) { return g_real->xFullPathname(g_real, name, n, out); }
void* vfs_dl_open(sqlite3_vfs*, const char* name) { return g_real->xDlOpen(g_real, name); }
void vfs_dl_error(sqlite3_vfs*, int n, char* out) { g_real->xDlError(g_real, n, out); }
void (*vfs_dl_sym(sqlite3_vfs*, void* h, const char* sym))(void) { return g_real->xDlSym(g_real, h, sym); }
void vfs_dl_close(sqlite3_vfs*, void* h) { g_real->xDlClose(g_real, h); }
int vfs_randomness(sqlite3_vfs*, int n, char* out) { return g_real->xRandomness(g_real, n, out); }
int vfs_sleep(sqlite3_vfs*, int us) { return g_real->xSleep(g_real, us); }
int vfs_current_time(sqlite3_vfs*, double* out) { return g_real->xCurrentTime(g_real, out); }
int vfs_last_error(sqlite3_vfs*, int n, char* out) { return g_real->xGetLastError(g_real, n, out); }
int vfs_current_time64(sqlite3_vfs*, sqlite3_int64* out) { return g_real->xCurrentTimeInt64(g_real, out); }

}  // namespace

void install_wal_coalescing_vfs() {
    static std::once_flag once;
    std::call_once(once, [] {
        sqlite3_initialize();
        g_real = sqlite3_vfs_find(nullptr);
        if (!g_real) return;
        g_vfs = *g_real;
        g_vfs.zName = "shop-wal-coalescing";
        g_vfs.szOsFile = static_cast<int>(sizeof(WalFile)) + g_real->szOsFile;
        g_vfs.pNext = nullptr;
        g_vfs.pAppData = nullptr;
        g_vfs.xOpen = vfs_open;
        g_vfs.xDelete = vfs_delete;
        g_vfs.xAccess = vfs_access;
        g_vfs.xFullPathname = vfs_full_pathname;
        g_vfs.xDlOpen = vfs_dl_open;
        g_vfs.xDlError = vfs_dl_error;
        g_vfs.xDlSym = vfs_dl_sym;
        g_vfs.xDlClose = vfs_dl_close;
        g_vfs.xRandomness = vfs_randomness;
        g_vfs.xSleep = vfs_sleep;
        g_vfs.xCurrentTime = vfs_current_time;
        g_vfs.xGetLastError = vfs_last_error;
        if (g_vfs.iVersion >= 2) g_vfs.xCurrentTimeInt64 = vfs_current_time64;
        // System-call overrides (test harnesses) are the default VFS's business.
        if (g_vfs.iVersion >= 3) {
            g_vfs.xSetSystemCall = nullptr;
            g_vfs.xGetSystemCall = nullptr;
            g_vfs.xNextSystemCall = nullptr;
        }
        sqlite3_vfs_register(&g_vfs, 1);
    });
}

}  // namespace shop::db
