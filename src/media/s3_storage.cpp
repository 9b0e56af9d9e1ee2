#include "media/s3_storage.hpp"

#include <curl/curl.h>

#include <cstring>

#include "media/aws_sigv4.hpp"
#include "observability/log.hpp"

namespace carat::media {

namespace {

size_t discard_into(char* ptr, size_t size, size_t n, void* user) {
  auto* s = static_cast<std::string*>(user);
  if (s->size() < 4096) s->append(ptr, std::min(size * n, 4096 - s->size()));
  return size * n;
}

struct ReadState {
  std::string_view data;
  size_t offset = 0;
};

size_t read_from(char* buffer, size_t size, size_t n, void* user) {
  auto* st = static_cast<ReadState*>(user);
  const size_t len = std::min(size * n, st->data.size() - st->offset);
  std::memcpy(buffer, st->data.data() + st->offset, len);
  st->offset += len;
  return len;
}

class S3Storage final : public Storage {
 public:
  explicit S3Storage(S3Settings s) : s_(std::move(s)) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (!s_.endpoint.empty()) {
      // S3-compatible stores and the test emulator: path-style addressing on the endpoint.
      std::string ep = s_.endpoint;
      while (!ep.empty() && ep.back() == '/') ep.pop_back();
      scheme_host_ = ep;
      host_ = ep.substr(ep.find("://") + 3);
      path_prefix_ = "/" + uri_encode(s_.bucket, false);
    } else {
      host_ = s_.bucket + ".s3." + s_.region + ".amazonaws.com";
      scheme_host_ = "https://" + host_;
    }
  }

  void put(const std::string& name, std::string_view data,
           const std::string& content_type) override {
    call("PUT", name, data, {{"content-type", content_type}});
  }

  void remove(const std::string& name) override { call("DELETE", name, {}, {}); }

  std::optional<StoredFile> read(const std::string&) override { return std::nullopt; }

  std::optional<std::string> presigned_url(const std::string& name) override {
    return presign_get(scheme_host_, host_, object_path(name), s_.region, creds(),
                       s_.url_ttl_seconds, std::chrono::system_clock::now());
  }

  bool is_remote() const override { return true; }

 private:
  AwsCredentials creds() {
    try {
      return chain_.get();
    } catch (const std::exception& e) {
      throw StorageError(e.what());
    }
  }

  std::string object_path(const std::string& name) const {
    return path_prefix_ + "/" + uri_encode(s_.prefix + name, true);
  }

  void call(const std::string& method, const std::string& name, std::string_view payload,
            const std::map<std::string, std::string>& headers) {
    const auto signed_req = sign_request(method, scheme_host_, host_, object_path(name), headers,
                                         payload, s_.region, creds(),
                                         std::chrono::system_clock::now());
    CURL* curl = curl_easy_init();
    if (curl == nullptr) throw StorageError("curl_easy_init failed");
    curl_slist* list = nullptr;
    for (const auto& [k, v] : signed_req.headers) list = curl_slist_append(list, (k + ": " + v).c_str());
    list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
    std::string response;
    ReadState rs{payload, 0};
    curl_easy_setopt(curl, CURLOPT_URL, signed_req.url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_into);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (method == "PUT") {
      curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_from);
      curl_easy_setopt(curl, CURLOPT_READDATA, &rs);
      curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(payload.size()));
    } else {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    const CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) {
      throw StorageError("S3 " + method + " failed: " + curl_easy_strerror(rc));
    }
    if (status < 200 || status >= 300) {
      throw StorageError("S3 " + method + " answered " + std::to_string(status) + ": " +
                         response.substr(0, 300));
    }
  }

  S3Settings s_;
  std::string scheme_host_, host_, path_prefix_;
  CredentialChain chain_;
};

}  // namespace

std::unique_ptr<Storage> make_s3_storage(const S3Settings& settings) {
  return std::make_unique<S3Storage>(settings);
}

}  // namespace carat::media
