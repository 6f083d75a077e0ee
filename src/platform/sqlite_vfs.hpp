#pragma once
// A thin SQLite VFS over the default one that writes each commit to the write-ahead log with one
// pwrite instead of two per page. Everything else is the default VFS's.

namespace shop::db {

/// Registers the VFS as the process's default (once; later calls do nothing). Thread-safe.
void install_wal_coalescing_vfs();

}  // namespace shop::db
