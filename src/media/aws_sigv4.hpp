// AWS Signature Version 4 for S3 requests and presigned URLs, and the credential chain the AWS
// SDKs use (environment, container endpoint of ECS/App Runner, EC2 instance metadata).
//
// Hand-written because Debian packages no AWS SDK for C++, and libs3 (the one C client) has no
// credential providers for container roles; the signing itself is a few HMACs over OpenSSL.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carat::media {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-lived keys
  std::optional<std::chrono::system_clock::time_point> expires;
};

// Resolves and caches credentials, refreshing temporary ones five minutes before they expire.
class CredentialChain {
 public:
  // Throws std::runtime_error when no source yields credentials.
  AwsCredentials get();

 private:
  std::mutex mu_;
  std::optional<AwsCredentials> cached_;
  std::optional<std::chrono::system_clock::time_point> last_failure_;
};

struct SignedRequest {
  std::string url;
  std::map<std::string, std::string> headers;  // to send, including Authorization
};

// Signs a request to `host` + `path` (already encoded) with the payload hash in the header.
// `host` must be what the request's Host header carries (no default port). The returned
// headers exclude Host; the caller sends it (or lets the HTTP client derive the same value).
SignedRequest sign_request(const std::string& method, const std::string& scheme_host,
                           const std::string& host, const std::string& path,
                           const std::map<std::string, std::string>& extra_headers,
                           std::string_view payload, const std::string& region,
                           const AwsCredentials& creds, std::chrono::system_clock::time_point now);

// A presigned GET URL valid for `ttl_seconds`.
std::string presign_get(const std::string& scheme_host, const std::string& host,
                        const std::string& path, const std::string& region,
                        const AwsCredentials& creds, int ttl_seconds,
                        std::chrono::system_clock::time_point now);

}  // namespace carat::media
