// Where uploaded images live: a local directory or an S3 bucket (api.md §11).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "util/unique_fd.hpp"

namespace carat::media {

class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct StoredFile {
  // read(): the open file, at its start, for the server to send in bounded chunks (issue 14
  // item 3: 150 slow readers of a 10 MiB image pinned 800 MiB when files were read whole).
  std::shared_ptr<UniqueFd> file;
  uint64_t size = 0;
  std::string etag;
  int64_t mtime = 0;  // unix seconds
};

class Storage {
 public:
  virtual ~Storage() = default;
  // Stores `data` under the server-generated `name`; throws StorageError.
  virtual void put(const std::string& name, std::string_view data,
                   const std::string& content_type) = 0;
  // Best effort; throws StorageError.
  virtual void remove(const std::string& name) = 0;
  // Local storage: the file, opened (StoredFile::file), or nullopt when missing. Remote storage
  // returns nullopt.
  virtual std::optional<StoredFile> read(const std::string& name) = 0;
  // As read(), without the body (HEAD requests and conditional GETs need no file contents).
  virtual std::optional<StoredFile> stat(const std::string& name) = 0;
  // Remote storage: a presigned GET URL. Local storage returns nullopt.
  virtual std::optional<std::string> presigned_url(const std::string& name) = 0;
  virtual bool is_remote() const = 0;
};

}  // namespace carat::media
