#include "media/local_storage.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "util/strings.hpp"

namespace carat::media {

namespace {

class LocalStorage final : public Storage {
 public:
  explicit LocalStorage(std::string dir) : dir_(std::move(dir)) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) throw StorageError("cannot create MEDIA_DIR '" + dir_ + "': " + ec.message());
  }

  void put(const std::string& name, std::string_view data, const std::string&) override {
    const std::string tmp = dir_ + "/." + name + "." + text::random_hex(4) + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throw StorageError("cannot create " + tmp + ": " + std::strerror(errno));
    size_t written = 0;
    while (written < data.size()) {
      const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
      if (n < 0) {
        if (errno == EINTR) continue;
        const std::string err = std::strerror(errno);
        ::close(fd);
        ::unlink(tmp.c_str());
        throw StorageError("cannot write " + tmp + ": " + err);
      }
      written += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
      ::unlink(tmp.c_str());
      throw StorageError("cannot flush " + tmp);
    }
    if (::rename(tmp.c_str(), path(name).c_str()) != 0) {
      const std::string err = std::strerror(errno);
      ::unlink(tmp.c_str());
      throw StorageError("cannot rename into " + path(name) + ": " + err);
    }
  }

  void remove(const std::string& name) override {
    if (::unlink(path(name).c_str()) != 0 && errno != ENOENT) {
      throw StorageError("cannot delete " + path(name) + ": " + std::strerror(errno));
    }
  }

  std::optional<StoredFile> read(const std::string& name) override {
    const int fd = ::open(path(name).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return std::nullopt;
    }
    StoredFile f;
    f.body.resize(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < f.body.size()) {
      const ssize_t n = ::read(fd, f.body.data() + got, f.body.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    ::close(fd);
    f.body.resize(got);
    f.mtime = st.st_mtime;
    // Size and modification time identify a version: names are never reused for new content.
    f.etag = "\"" + std::to_string(st.st_size) + "-" + std::to_string(st.st_mtime) + "\"";
    return f;
  }

  std::optional<std::string> presigned_url(const std::string&) override { return std::nullopt; }
  bool is_remote() const override { return false; }

 private:
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
};

}  // namespace

std::unique_ptr<Storage> make_local_storage(const std::string& dir) {
  return std::make_unique<LocalStorage>(dir);
}

}  // namespace carat::media
