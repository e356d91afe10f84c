// A thin RAII layer over the SQLite C API for the state store.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace signet::state {

// One prepared statement, reset and cleared on each use. Bind indexes
// count from 1, column indexes from 0, as in SQLite.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, std::string_view blob);
  Statement& bind_null(int index);
  Statement& bind(int index, std::optional<int64_t> value);

  // Steps once; returns true when a row is available.
  bool step();
  // Steps until done, for statements that return no rows.
  void run();

  int64_t integer(int column) const;
  std::optional<int64_t> optional_integer(int column) const;
  std::string text(int column) const;
  std::string blob(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// A connection with a cache of prepared statements.
class Database {
 public:
  Database(const std::string& path, bool read_only, int busy_timeout_ms);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements that return nothing.
  void exec(const char* sql);

  // Prepares `sql` once per connection; the returned statement is reset
  // when it goes out of scope. `sql` must be a string literal, because the
  // cache is keyed by its address.
  Statement prepare(const char* sql);

  int64_t last_insert_id() const;
  const std::string& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  std::map<const char*, sqlite3_stmt*> cache_;
};

// Throws StoreError with SQLite's message for `db` when `rc` is an error.
void check(sqlite3* db, int rc, const char* what);

// Runs a transaction: BEGIN IMMEDIATE (or DEFERRED for reads) on
// construction, ROLLBACK on destruction unless commit() was called.
class Transaction {
 public:
  Transaction(Database& db, bool write);
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace signet::state
