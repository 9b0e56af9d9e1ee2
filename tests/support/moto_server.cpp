#include "moto_server.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "pg_server.hpp"

namespace carat::testing {

namespace {

std::vector<std::string> moto_command(int port) {
  const std::string p = std::to_string(port);
  if (const char* explicit_path = std::getenv("CARAT_MOTO_SERVER"); explicit_path && *explicit_path) {
    return {explicit_path, "-H", "127.0.0.1", "-p", p};
  }
  if (auto bin = find_on_path("moto_server"); !bin.empty()) return {bin, "-H", "127.0.0.1", "-p", p};
  if (auto py = find_on_path("python3"); !py.empty()) {
    return {py, "-m", "moto.server", "-H", "127.0.0.1", "-p", p};
  }
  throw std::runtime_error("moto is not installed (neither moto_server nor python3 on PATH)");
}

std::string xml_value(const std::string& xml, const std::string& tag) {
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  const size_t a = xml.find(open);
  if (a == std::string::npos) return {};
  const size_t b = xml.find(close, a);
  if (b == std::string::npos) return {};
  return xml.substr(a + open.size(), b - a - open.size());
}

// moto routes a request to a service by the credential scope of its Authorization header; it
// checks nothing while signatures are not required.
std::string routing_authorization(const std::string& region, const std::string& service) {
  return "AWS4-HMAC-SHA256 Credential=AKIDMOTOSETUP/20240101/" + region + "/" + service +
         "/aws4_request, SignedHeaders=host, Signature=0";
}

httplib::Client make_client(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(2, 0);
  c.set_read_timeout(30, 0);
  return c;
}

}  // namespace

MotoServer::MotoServer(std::string bucket, std::string region)
    : bucket_(std::move(bucket)), region_(std::move(region)) {
  dir_ = make_temp_dir("carat-moto");
  port_ = free_port();
  process_ = std::make_unique<Process>(moto_command(port_),
                                       std::map<std::string, std::string>{
                                           {"PYTHONUNBUFFERED", "1"},
                                           // No real credentials may leak into the emulator.
                                           {"AWS_ACCESS_KEY_ID", "testing"},
                                           {"AWS_SECRET_ACCESS_KEY", "testing"},
                                           {"AWS_SESSION_TOKEN", ""},
                                           {"AWS_DEFAULT_REGION", region_},
                                       },
                                       dir_ + "/moto.log");
  wait_until_ready();

  // An IAM user with full S3 access; its key is what the service signs with.
  iam("Action=CreateUser&UserName=carat&Version=2010-05-08");
  const std::string key = iam("Action=CreateAccessKey&UserName=carat&Version=2010-05-08");
  access_key_id_ = xml_value(key, "AccessKeyId");
  secret_access_key_ = xml_value(key, "SecretAccessKey");
  if (access_key_id_.empty() || secret_access_key_.empty()) {
    throw std::runtime_error("moto: CreateAccessKey answered without a key: " + key);
  }
  const std::string policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})";
  iam("Action=PutUserPolicy&UserName=carat&PolicyName=s3&Version=2010-05-08&PolicyDocument=" +
      httplib::detail::encode_query_param(policy));

  auto c = make_client(port_);
  const std::string body =
      region_ == "us-east-1"
          ? std::string()
          : "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<LocationConstraint>" + region_ + "</LocationConstraint></CreateBucketConfiguration>";
  auto r = c.Put("/" + bucket_, {{"Authorization", routing_authorization(region_, "s3")}}, body,
                 "application/xml");
  if (!r || r->status != 200) {
    throw std::runtime_error("moto: cannot create bucket " + bucket_ + ": " +
                             (r ? std::to_string(r->status) + " " + r->body : "no answer"));
  }
}

MotoServer::~MotoServer() {
  stop();
  remove_tree(dir_);
}

void MotoServer::wait_until_ready() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_->running()) throw std::runtime_error("moto exited during start-up:\n" + log());
    auto c = make_client(port_);
    c.set_connection_timeout(0, 200000);
    if (auto r = c.Get("/moto-api/data.json"); r && r->status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("moto did not answer within 60 s:\n" + log());
}

std::string MotoServer::iam(const std::string& form) {
  auto c = make_client(port_);
  auto r = c.Post("/", {{"Authorization", routing_authorization("us-east-1", "iam")}}, form,
                  "application/x-www-form-urlencoded");
  if (!r || r->status != 200) {
    throw std::runtime_error("moto IAM call failed (" + form + "): " +
                             (r ? std::to_string(r->status) + " " + r->body : "no answer"));
  }
  return r->body;
}

std::map<std::string, std::string> MotoServer::carat_env(const std::string& prefix) const {
  return {
      {"MEDIA_STORAGE", "s3"},
      {"AWS_S3_BUCKET", bucket_},
      {"AWS_REGION", region_},
      {"MEDIA_S3_PREFIX", prefix},
      {"AWS_ENDPOINT_URL_S3", endpoint()},
      {"AWS_ACCESS_KEY_ID", access_key_id_},
      {"AWS_SECRET_ACCESS_KEY", secret_access_key_},
      // An empty value removes the variable: only the environment source may answer.
      {"AWS_SESSION_TOKEN", ""},
      {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", ""},
      {"AWS_CONTAINER_CREDENTIALS_FULL_URI", ""},
      {"AWS_EC2_METADATA_DISABLED", "true"},
  };
}

void MotoServer::require_signatures(bool on) {
  auto c = make_client(port_);
  // reset-auth: the number of requests moto lets through unchecked from now on.
  auto r = c.Post("/moto-api/reset-auth", on ? "0" : "inf", "text/plain");
  if (!r || r->status != 200) {
    throw std::runtime_error("moto reset-auth failed: " +
                             (r ? std::to_string(r->status) + " " + r->body : "no answer"));
  }
  signatures_ = on;
}

httplib::Result MotoServer::get(const std::string& path_and_query) {
  auto c = make_client(port_);
  return c.Get(path_and_query);
}

bool MotoServer::object_exists(const std::string& key) {
  const bool was_on = signatures_;
  if (was_on) require_signatures(false);
  auto c = make_client(port_);
  auto r = c.Head("/" + bucket_ + "/" + key,
                  {{"Authorization", routing_authorization(region_, "s3")}});
  if (was_on) require_signatures(true);
  return r && r->status == 200;
}

void MotoServer::stop() {
  if (process_) process_->stop(std::chrono::seconds(10));
}

bool MotoServer::running() { return process_ && process_->running(); }

std::string MotoServer::log() const { return process_ ? process_->log() : std::string(); }

}  // namespace carat::testing
