#include "media/s3_storage.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <thread>

#include "media/aws_sigv4.hpp"
#include "observability/log.hpp"
#include "util/strings.hpp"

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
    if (s_.bucket.empty()) throw StorageError("AWS_S3_BUCKET is empty");
    if (!s_.endpoint.empty()) {
      // S3-compatible stores and the test emulator: path-style addressing on the endpoint.
      const size_t sep = s_.endpoint.find("://");
      if (sep == std::string::npos) throw StorageError("AWS_ENDPOINT_URL_S3 is not a URL");
      const std::string scheme = text::to_lower_ascii(s_.endpoint.substr(0, sep));
      const std::string rest = s_.endpoint.substr(sep + 3);
      std::string authority = rest.substr(0, rest.find_first_of("/?#"));
      if (authority.empty()) throw StorageError("AWS_ENDPOINT_URL_S3 has no host");
      // The Host header that curl and browsers send omits the scheme's default port, and the
      // signature covers Host: sign exactly that form.
      const std::string default_port = scheme == "https" ? ":443" : ":80";
      if (authority.size() > default_port.size() &&
          authority.compare(authority.size() - default_port.size(), default_port.size(),
                            default_port) == 0) {
        authority.resize(authority.size() - default_port.size());
      }
      host_ = authority;
      scheme_host_ = scheme + "://" + authority;
      path_prefix_ = "/" + text::percent_encode(s_.bucket, false);
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
  std::optional<StoredFile> stat(const std::string&) override { return std::nullopt; }

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
    return path_prefix_ + "/" + text::percent_encode(s_.prefix + name, true);
  }

  void call(const std::string& method, const std::string& name, std::string_view payload,
            const std::map<std::string, std::string>& headers) {
    const auto signed_req = sign_request(method, scheme_host_, host_, object_path(name), headers,
                                         payload, s_.region, creds(),
                                         std::chrono::system_clock::now());
    // One retry for what S3 documents as transient (5xx, throttling, a dropped connection), as
    // the SDKs do; the signature stays valid for 15 minutes, so the request is reused as is.
    for (int attempt = 1;; ++attempt) {
      const Outcome o = perform(method, signed_req, payload);
      if (o.ok()) return;
      if (attempt >= 2 || !o.transient()) {
        throw StorageError("S3 " + method + " " + object_path(name) + " failed: " + o.describe());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  struct Outcome {
    CURLcode rc = CURLE_OK;
    long status = 0;
    std::string body;
    bool ok() const { return rc == CURLE_OK && status >= 200 && status < 300; }
    bool transient() const {
      if (rc != CURLE_OK) {
        // A refused connection is an outage, not a blip: answer 503 right away.
        return rc != CURLE_COULDNT_CONNECT && rc != CURLE_COULDNT_RESOLVE_HOST;
      }
      return status >= 500 || status == 429;
    }
    std::string describe() const {
      if (rc != CURLE_OK) return curl_easy_strerror(rc);
      return "HTTP " + std::to_string(status) + ": " + body.substr(0, 300);
    }
  };

  Outcome perform(const std::string& method, const SignedRequest& req, std::string_view payload) {
    Outcome o;
    CURL* curl = curl_easy_init();
    if (curl == nullptr) {
      o.rc = CURLE_FAILED_INIT;
      return o;
    }
    curl_slist* list = nullptr;
    // Host is sent explicitly so it is byte for byte the value that was signed.
    list = curl_slist_append(list, ("host: " + host_).c_str());
    for (const auto& [k, v] : req.headers) list = curl_slist_append(list, (k + ": " + v).c_str());
    list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
    ReadState rs{payload, 0};
    curl_easy_setopt(curl, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_into);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &o.body);
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
    o.rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &o.status);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    return o;
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
