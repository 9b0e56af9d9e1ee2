#include "media/aws_sigv4.hpp"

#include <curl/curl.h>

#include <cctype>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "util/crypto.hpp"
#include "util/strings.hpp"

namespace carat::media {

namespace {

std::string format_time(std::chrono::system_clock::time_point t, const char* fmt) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}

std::string signing_key(const AwsCredentials& c, const std::string& date, const std::string& region) {
  const std::string k_date = crypto::hmac_sha256("AWS4" + c.secret_access_key, date);
  const std::string k_region = crypto::hmac_sha256(k_date, region);
  const std::string k_service = crypto::hmac_sha256(k_region, "s3");
  return crypto::hmac_sha256(k_service, "aws4_request");
}

// SigV4 canonical header value: trimmed, inner runs of spaces collapsed to one.
std::string canonical_header_value(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// ---- credential sources ----

size_t collect(char* ptr, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(ptr, size * n);
  return size * n;
}

// A small blocking HTTP call to a metadata endpoint (loopback/link-local, short timeouts).
std::optional<std::string> metadata_call(const std::string& method, const std::string& url,
                                         const std::vector<std::string>& headers) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return std::nullopt;
  std::string body;
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 3000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK || status != 200) return std::nullopt;
  return body;
}

// The JSON of the container endpoint and of IMDS. Any field of the wrong type makes the
// source yield nothing (instead of throwing out of the chain).
std::optional<AwsCredentials> parse_credentials_json(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  auto str = [&](const char* key) -> std::string {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  AwsCredentials c;
  c.access_key_id = str("AccessKeyId");
  c.secret_access_key = str("SecretAccessKey");
  c.session_token = str("Token");
  if (c.access_key_id.empty() || c.secret_access_key.empty()) return std::nullopt;
  if (const std::string exp = str("Expiration"); !exp.empty()) {
    std::tm tm{};
    if (strptime(exp.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) != nullptr) {
      c.expires = std::chrono::system_clock::from_time_t(timegm(&tm));
    }
  }
  return c;
}

std::optional<AwsCredentials> from_environment() {
  const char* id = std::getenv("AWS_ACCESS_KEY_ID");
  const char* secret = std::getenv("AWS_SECRET_ACCESS_KEY");
  if (id == nullptr || secret == nullptr || *id == '\0' || *secret == '\0') return std::nullopt;
  AwsCredentials c;
  c.access_key_id = id;
  c.secret_access_key = secret;
  if (const char* token = std::getenv("AWS_SESSION_TOKEN")) c.session_token = token;
  return c;
}

// ECS tasks and App Runner instances: the container credentials endpoint.
std::optional<AwsCredentials> from_container() {
  std::string url;
  if (const char* rel = std::getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"); rel && *rel) {
    url = std::string("http://169.254.170.2") + rel;
  } else if (const char* full = std::getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"); full && *full) {
    url = full;
  } else {
    return std::nullopt;
  }
  std::vector<std::string> headers;
  std::string token;
  if (const char* t = std::getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN"); t && *t) token = t;
  if (const char* f = std::getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); f && *f) {
    std::ifstream in(f);
    std::stringstream ss;
    ss << in.rdbuf();
    token = ss.str();
    // The token file (EKS pod identity) ends with a newline that must not reach the header.
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
      token.pop_back();
    }
  }
  if (!token.empty()) headers.push_back("Authorization: " + token);
  auto body = metadata_call("GET", url, headers);
  if (!body) return std::nullopt;
  return parse_credentials_json(*body);
}

// EC2 instance metadata (IMDSv2).
std::optional<AwsCredentials> from_instance_metadata() {
  const char* disabled = std::getenv("AWS_EC2_METADATA_DISABLED");
  if (disabled != nullptr && std::string(disabled) == "true") return std::nullopt;
  const std::string base = "http://169.254.169.254/latest";
  auto token = metadata_call("PUT", base + "/api/token",
                             {"X-aws-ec2-metadata-token-ttl-seconds: 21600"});
  if (!token) return std::nullopt;
  const std::string auth = "X-aws-ec2-metadata-token: " + *token;
  auto role = metadata_call("GET", base + "/meta-data/iam/security-credentials/", {auth});
  if (!role || role->empty()) return std::nullopt;
  std::string name = role->substr(0, role->find('\n'));
  while (!name.empty() && (name.back() == '\r' || name.back() == ' ')) name.pop_back();
  if (name.empty()) return std::nullopt;
  auto body = metadata_call("GET", base + "/meta-data/iam/security-credentials/" + name, {auth});
  if (!body) return std::nullopt;
  return parse_credentials_json(*body);
}

}  // namespace

AwsCredentials CredentialChain::get() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::system_clock::now();
  if (cached_ && (!cached_->expires || *cached_->expires - std::chrono::minutes(5) > now)) {
    return *cached_;
  }
  // Without any source, the metadata probes cost up to a few seconds; do not repeat them for
  // every request of a misconfigured instance.
  if (!last_failure_ || now - *last_failure_ >= std::chrono::seconds(10)) {
    for (auto source : {from_environment, from_container, from_instance_metadata}) {
      if (auto c = source()) {
        cached_ = c;
        last_failure_.reset();
        return *c;
      }
    }
    last_failure_ = now;
  }
  // Still valid temporary credentials beat none while the refresh endpoint is unreachable.
  if (cached_ && (!cached_->expires || *cached_->expires > now)) return *cached_;
  throw std::runtime_error("no AWS credentials (environment, container endpoint or instance role)");
}

SignedRequest sign_request(const std::string& method, const std::string& scheme_host,
                           const std::string& host, const std::string& path,
                           const std::map<std::string, std::string>& extra_headers,
                           std::string_view payload, const std::string& region,
                           const AwsCredentials& creds, std::chrono::system_clock::time_point now) {
  const std::string amz_date = format_time(now, "%Y%m%dT%H%M%SZ");
  const std::string date = amz_date.substr(0, 8);
  const std::string payload_hash = crypto::sha256_hex(payload);

  std::map<std::string, std::string> headers;  // lower-case names, sorted
  for (const auto& [k, v] : extra_headers) {
    headers[text::to_lower_ascii(k)] = canonical_header_value(v);
  }
  headers["host"] = host;
  headers["x-amz-content-sha256"] = payload_hash;
  headers["x-amz-date"] = amz_date;
  if (!creds.session_token.empty()) headers["x-amz-security-token"] = creds.session_token;

  std::string canonical_headers, signed_headers;
  for (const auto& [k, v] : headers) {
    canonical_headers += k + ":" + v + "\n";
    if (!signed_headers.empty()) signed_headers += ";";
    signed_headers += k;
  }
  const std::string canonical = method + "\n" + path + "\n\n" + canonical_headers + "\n" +
                                signed_headers + "\n" + payload_hash;
  const std::string scope = date + "/" + region + "/s3/aws4_request";
  const std::string to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + crypto::sha256_hex(canonical);
  const std::string sig_raw = crypto::hmac_sha256(signing_key(creds, date, region), to_sign);
  const std::string signature =
      crypto::hex(sig_raw);

  SignedRequest out;
  out.url = scheme_host + path;
  for (const auto& [k, v] : headers) {
    if (k != "host") out.headers[k] = v;
  }
  out.headers["authorization"] = "AWS4-HMAC-SHA256 Credential=" + creds.access_key_id + "/" +
                                 scope + ", SignedHeaders=" + signed_headers +
                                 ", Signature=" + signature;
  return out;
}

std::string presign_get(const std::string& scheme_host, const std::string& host,
                        const std::string& path, const std::string& region,
                        const AwsCredentials& creds, int ttl_seconds,
                        std::chrono::system_clock::time_point now) {
  const std::string amz_date = format_time(now, "%Y%m%dT%H%M%SZ");
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = date + "/" + region + "/s3/aws4_request";
  std::map<std::string, std::string> query = {
      {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
      {"X-Amz-Credential", creds.access_key_id + "/" + scope},
      {"X-Amz-Date", amz_date},
      {"X-Amz-Expires", std::to_string(ttl_seconds)},
      {"X-Amz-SignedHeaders", "host"},
  };
  if (!creds.session_token.empty()) query["X-Amz-Security-Token"] = creds.session_token;
  std::string canonical_query;
  for (const auto& [k, v] : query) {
    if (!canonical_query.empty()) canonical_query += "&";
    canonical_query += text::percent_encode(k, false) + "=" + text::percent_encode(v, false);
  }
  const std::string canonical = "GET\n" + path + "\n" + canonical_query + "\nhost:" + host +
                                "\n\nhost\nUNSIGNED-PAYLOAD";
  const std::string to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + crypto::sha256_hex(canonical);
  const std::string sig_raw = crypto::hmac_sha256(signing_key(creds, date, region), to_sign);
  return scheme_host + path + "?" + canonical_query + "&X-Amz-Signature=" +
         crypto::hex(sig_raw);
}

}  // namespace carat::media
