#include "media/local_storage.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
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
    if (!safe_name(name)) throw StorageError("refusing media name '" + name + "'");
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
    // Make the rename itself durable: the row inserted next must not outlive the file.
    if (const int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }

  void remove(const std::string& name) override {
    if (!safe_name(name)) return;
    if (::unlink(path(name).c_str()) != 0 && errno != ENOENT) {
      throw StorageError("cannot delete " + path(name) + ": " + std::strerror(errno));
    }
  }

  std::optional<StoredFile> read(const std::string& name) override { return load(name, true); }

  std::optional<StoredFile> stat(const std::string& name) override { return load(name, false); }

  std::optional<std::string> presigned_url(const std::string&) override { return std::nullopt; }
  bool is_remote() const override { return false; }

 private:
  // Names come from the server (uploads) or from the validated URL segment (serving); this is
  // a second line of defence so no name can ever leave MEDIA_DIR.
  static bool safe_name(const std::string& name) {
    return !name.empty() && name.front() != '.' && name.find('/') == std::string::npos &&
           name.find('\0') == std::string::npos;
  }

  std::optional<StoredFile> load(const std::string& name, bool open_file) {
    if (!safe_name(name)) return std::nullopt;
    UniqueFd fd(::open(path(name).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd.valid()) return std::nullopt;
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    StoredFile f;
    f.size = static_cast<uint64_t>(st.st_size);
    f.mtime = st.st_mtime;
    // Size and modification time identify a version: names are never reused for new content.
    char etag[64];
    std::snprintf(etag, sizeof etag, "\"%llx-%llx\"", static_cast<unsigned long long>(st.st_size),
                  static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1000000000ULL +
                      static_cast<unsigned long long>(st.st_mtim.tv_nsec));
    f.etag = etag;
    // The metadata describes this descriptor's file even if the name is replaced meanwhile.
    if (open_file) f.file = std::make_shared<UniqueFd>(std::move(fd));
    return f;
  }

  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
};

}  // namespace

std::unique_ptr<Storage> make_local_storage(const std::string& dir) {
  return std::make_unique<LocalStorage>(dir);
}

}  // namespace carat::media
